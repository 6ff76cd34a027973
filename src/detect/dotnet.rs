//! .NET: `nuget` at its entry points (one entry per solution directory) and `dotnet-sdk` at
//! `global.json`.

use std::collections::HashSet;

use super::Found;
use super::ecosystem::Ecosystem;
use super::files::{Files, at_or_under, ends_with_ci, parent, resolve, split};

const PROJECT_EXTENSIONS: &[&str] = &[".csproj", ".vbproj", ".fsproj", ".proj"];
const SOLUTION_EXTENSIONS: &[&str] = &[".sln", ".slnx"];

fn is_project(name: &str) -> bool {
    PROJECT_EXTENSIONS.iter().any(|e| ends_with_ci(name, e))
}

fn is_solution(name: &str) -> bool {
    SOLUTION_EXTENSIONS.iter().any(|e| ends_with_ci(name, e))
}

pub(super) fn detect(files: &Files<'_>, out: &mut Found) {
    let mut entries: Vec<&str> = Vec::new();
    let mut solutions: Vec<(&str, &str)> = Vec::new();
    let mut props: Vec<&str> = Vec::new();
    for (dir, name) in files.iter() {
        if is_solution(name) {
            solutions.push((dir, name));
            entries.push(dir);
        } else if is_project(name) || name.eq_ignore_ascii_case("packages.config") {
            entries.push(dir);
        } else if name.eq_ignore_ascii_case("Directory.Packages.props") {
            props.push(dir);
        } else if name == "dotnet-tools.json" && split(dir).1 == ".config" {
            entries.extend(parent(dir));
        }
    }

    // Projects a solution references are updated through the solution's directory.
    let mut covered: HashSet<String> = HashSet::new();
    for (dir, name) in &solutions {
        let Some(text) = files.read(dir, name) else {
            continue;
        };
        for project in solution_projects(&text) {
            if let Some(path) = resolve(dir, project) {
                let project_dir = split(&path).0.to_string();
                if project_dir != *dir {
                    covered.insert(project_dir);
                }
            }
        }
    }
    entries.retain(|d| !covered.contains(*d));
    // Central package management is read through the projects below it; alone it is an entry.
    for props_dir in props {
        if !entries.iter().any(|e| at_or_under(e, props_dir)) {
            entries.push(props_dir);
        }
    }
    entries.sort_unstable();
    entries.dedup();
    for dir in entries {
        out.add(Ecosystem::Nuget, dir);
    }

    for dir in files.dirs_with(|n| n == "global.json") {
        out.add(Ecosystem::DotnetSdk, dir);
    }
}

/// The project paths a `.sln` (`Project(...) = "Name", "src\Name\Name.csproj", ...`) or `.slnx`
/// (`<Project Path="src/Name/Name.csproj" />`) references. Solution folders are not projects.
fn solution_projects(text: &str) -> Vec<&str> {
    let mut projects = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("Project(") {
            if let Some(path) = line.split('"').skip(1).step_by(2).find(|s| is_project(s)) {
                projects.push(path);
            }
        } else if line.starts_with("<Project ")
            && let Some(path) = line
                .split("Path=\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
        {
            projects.push(path);
        }
    }
    projects
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solution_projects_from_both_formats() {
        let sln = r#"
Project("{FAE04EC0-301F-11D3-BF4B-00C04F79EFBC}") = "Api", "src\Api\Api.csproj", "{1}"
EndProject
Project("{2150E333-8FDC-42A3-9474-1A3956D46DE8}") = "tests", "tests", "{2}"
EndProject
"#;
        assert_eq!(solution_projects(sln), ["src\\Api\\Api.csproj"]);
        let slnx = "<Solution>\n  <Folder Name=\"/tests/\">\n    <Project Path=\"tests/T/T.fsproj\" />\n  </Folder>\n</Solution>";
        assert_eq!(solution_projects(slnx), ["tests/T/T.fsproj"]);
    }
}
