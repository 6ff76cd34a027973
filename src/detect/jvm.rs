//! JVM builds: `maven` (multi-module at the aggregator), `gradle` (multi-project at the
//! `settings.gradle` root) and `sbt` (sub-builds one level down belong to their parent).

use std::collections::HashSet;

use super::Found;
use super::ecosystem::Ecosystem;
use super::files::{Files, at_or_under, join_name, parent, resolve, strictly_under};

pub(super) fn detect(files: &Files<'_>, out: &mut Found) {
    maven(files, out);
    gradle(files, out);
    for dir in files.dirs_with(|n| n.ends_with("build.sbt")) {
        if !parent(dir).is_some_and(|p| files.has_any(p, |n| n.ends_with("build.sbt"))) {
            out.add(Ecosystem::Sbt, dir);
        }
    }
}

fn maven(files: &Files<'_>, out: &mut Found) {
    let poms = files.dirs_with(|n| n == "pom.xml");
    let mut modules: HashSet<String> = HashSet::new();
    for &dir in &poms {
        if !poms.iter().any(|d| strictly_under(d, dir).is_some()) {
            continue;
        }
        let Some(text) = files.read(dir, "pom.xml") else {
            continue;
        };
        for module in pom_modules(&text) {
            // A module is a directory, or (rarely) a path to another pom file.
            let module = module
                .strip_suffix(".xml")
                .and_then(|m| m.rsplit_once('/'))
                .map_or(module, |(d, _)| d);
            modules.extend(resolve(dir, module));
        }
    }
    for dir in poms {
        if !modules.contains(dir) {
            out.add(Ecosystem::Maven, dir);
        }
    }
}

/// The `<module>` entries of a pom, outside comments (profiles included).
fn pom_modules(text: &str) -> Vec<&str> {
    let mut modules = Vec::new();
    let mut rest = text;
    loop {
        let comment = rest.find("<!--");
        let module = rest.find("<module>");
        match (comment, module) {
            (Some(c), Some(m)) if c < m => match rest[c..].find("-->") {
                Some(end) => rest = &rest[c + end + 3..],
                None => break,
            },
            (_, Some(m)) => {
                let after = &rest[m + "<module>".len()..];
                let Some(end) = after.find("</module>") else {
                    break;
                };
                modules.push(after[..end].trim());
                rest = &after[end..];
            }
            (_, None) => break,
        }
    }
    modules
}

fn is_gradle_build(name: &str) -> bool {
    name.ends_with("build.gradle") || name.ends_with("build.gradle.kts")
}

fn is_gradle_settings(name: &str) -> bool {
    name == "settings.gradle" || name == "settings.gradle.kts"
}

fn gradle(files: &Files<'_>, out: &mut Found) {
    let dirs = files.dirs_with(|n| is_gradle_build(n) || is_gradle_settings(n));
    let mut members: HashSet<String> = HashSet::new();
    for &root in &dirs {
        if !dirs.iter().any(|d| strictly_under(d, root).is_some()) {
            continue;
        }
        let Some(name) = files.names_in(root).find(|n| is_gradle_settings(n)) else {
            continue;
        };
        members.insert(join_name(root, "buildSrc"));
        let Some(text) = files.read(root, name) else {
            continue;
        };
        // Dependabot reads included builds (`includeBuild`, e.g. convention plugins) from the root.
        let mut found: Vec<String> = Vec::new();
        for build in gradle_statements(&text, "includeBuild") {
            found.extend(resolve(root, build));
        }
        for project in gradle_statements(&text, "include") {
            let path = project.trim_start_matches(':').replace(':', "/");
            found.extend(resolve(root, &path));
        }
        for dir in gradle_project_dirs(&text) {
            found.extend(resolve(root, dir));
        }
        // An included build is never the owner of its includer: `examples/settings.gradle`
        // with `includeBuild '..'` does not make the repository root a member of `/examples`.
        members.extend(found.into_iter().filter(|m| !at_or_under(root, m)));
    }
    for dir in dirs {
        if !members.contains(dir) {
            out.add(Ecosystem::Gradle, dir);
        }
    }
}

/// The string arguments of the statements `keyword` of a settings script (Groovy and Kotlin
/// DSL): project paths for `include`, directories for `includeBuild`.
fn gradle_statements<'t>(text: &'t str, keyword: &str) -> Vec<&'t str> {
    let mut projects = Vec::new();
    for line_start in code_lines(text) {
        let mut rest = line_start;
        let Some(after) = rest.strip_prefix(keyword) else {
            continue;
        };
        if !after.starts_with([' ', '\t', '(']) {
            continue;
        }
        rest = after;
        // `include ':a', ':b'` or `include(":a",\n ":b")`: strings separated by commas.
        loop {
            rest = rest.trim_start_matches([' ', '\t', '\n', '\r', '(']);
            let Some(quote) = rest.chars().next().filter(|c| *c == '\'' || *c == '"') else {
                break;
            };
            let Some(end) = rest[1..].find(quote) else {
                break;
            };
            projects.push(&rest[1..1 + end]);
            rest = rest[end + 2..].trim_start_matches([' ', '\t']);
            match rest.strip_prefix(',') {
                Some(r) => rest = r,
                None => break,
            }
        }
    }
    projects
}

/// Directories set with `project(":x").projectDir = file("dir")`.
fn gradle_project_dirs(text: &str) -> Vec<&str> {
    let mut dirs = Vec::new();
    for line in code_lines(text) {
        let line = line.lines().next().unwrap_or("");
        let Some(at) = line.find(".projectDir") else {
            continue;
        };
        let Some(file) = line[at..].find("file(") else {
            continue;
        };
        let arg = line[at + file + 5..].trim_start();
        let Some(quote) = arg.chars().next().filter(|c| *c == '\'' || *c == '"') else {
            continue;
        };
        if let Some(end) = arg[1..].find(quote) {
            dirs.push(&arg[1..1 + end]);
        }
    }
    dirs
}

/// The trimmed starts of the lines of a build script that are not `//` comments; each slice runs
/// to the end of the text so that statements spanning lines can be read on.
fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut offsets = vec![0];
    offsets.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    offsets.into_iter().filter_map(move |o| {
        let rest = text[o..].trim_start_matches([' ', '\t']);
        (!rest.starts_with("//")).then_some(rest)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pom_modules_skip_comments() {
        let pom = "<modules>\n<module>core</module>\n<!-- <module>old</module> -->\n<module> web/app </module></modules>";
        assert_eq!(pom_modules(pom), ["core", "web/app"]);
    }

    #[test]
    fn gradle_statements_in_both_dsls() {
        let groovy = "rootProject.name = 'x'\ninclude ':app', ':libs:core'\n// include ':old'\nincludeBuild 'tools'\n";
        assert_eq!(gradle_statements(groovy, "include"), [":app", ":libs:core"]);
        assert_eq!(gradle_statements(groovy, "includeBuild"), ["tools"]);
        let kotlin = "include(\n    \":app\",\n    \"lib\"\n)\nproject(\":lib\").projectDir = file(\"modules/lib\")\n";
        assert_eq!(gradle_statements(kotlin, "include"), [":app", "lib"]);
        assert_eq!(gradle_project_dirs(kotlin), ["modules/lib"]);
    }
}
