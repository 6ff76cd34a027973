//! Python: `pip` (pip, pip-compile, pipenv, poetry), `uv` and `conda`.

use super::Found;
use super::ecosystem::Ecosystem;
use super::files::{Files, base_name, ends_with_ci, parent, strictly_under};
use super::workspace::Members;

pub(super) fn detect(files: &Files<'_>, out: &mut Found) {
    let projects = files.dirs_with(|n| n == "pyproject.toml");
    let uv_roots: Vec<&str> = projects
        .iter()
        .copied()
        .filter(|d| files.has(d, "uv.lock"))
        .collect();
    let workspaces: Vec<Members> = uv_roots
        .iter()
        .filter(|root| projects.iter().any(|d| strictly_under(d, root).is_some()))
        .filter_map(|root| uv_workspace(root, &files.read(root, "pyproject.toml")?))
        .collect();

    let mut pip_dirs: Vec<&str> = Vec::new();
    // Reading every `.txt` of a large repository would cost more than it finds.
    let read_budget = std::cell::Cell::new(MAX_TEXT_READS);
    for (dir, name) in files.iter() {
        // A module named `setup.py` inside a package (beside `__init__.py`) is not a project.
        if name == "setup.py" && files.has(dir, "__init__.py") {
            continue;
        }
        if is_pip_manifest(name) {
            pip_dirs.push(dir);
        } else if is_text_candidate(name) && read_budget.get() > 0 && {
            read_budget.set(read_budget.get() - 1);
            files
                .read(dir, name)
                .is_some_and(|t| is_requirements_text(&t))
        } {
            // Pinned tool files named after the tool (`tools/black.txt` = `black==24.1.0`).
            pip_dirs.push(dir);
        } else if base_name(dir) == "requirements"
            && (ends_with_ci(name, ".txt") || ends_with_ci(name, ".in"))
        {
            // A `requirements/` directory belongs to the project that holds it.
            pip_dirs.extend(parent(dir));
        }
    }
    pip_dirs.sort_unstable();
    pip_dirs.dedup();

    for dir in pip_dirs {
        if uv_roots.contains(&dir) {
            out.add(Ecosystem::Uv, dir);
        } else if !workspaces.iter().any(|w| w.contains(dir)) {
            out.add(Ecosystem::Pip, dir);
        }
    }
    for dir in files.dirs_with(|n| n == "environment.yml" || n == "environment.yaml") {
        out.add(Ecosystem::Conda, dir);
    }
}

/// Files that make a directory a pip project. Any `.txt` would satisfy Dependabot's own check
/// (even `LICENSE.txt`); only requirements files are meant.
fn is_pip_manifest(name: &str) -> bool {
    matches!(name, "pyproject.toml" | "Pipfile" | "setup.py")
        || ((ends_with_ci(name, ".txt") || ends_with_ci(name, ".in"))
            && name.to_ascii_lowercase().contains("requirements"))
}

/// How many `.txt`/`.in` files outside `*requirements*` names are read per repository.
const MAX_TEXT_READS: usize = 64;

/// A `.txt`/`.in` that may be a requirements file under another name: not one of the usual
/// prose files.
fn is_text_candidate(name: &str) -> bool {
    const PROSE: &[&str] = &[
        "license",
        "licence",
        "copying",
        "readme",
        "changelog",
        "changes",
        "notice",
        "authors",
        "contributors",
        "todo",
        "notes",
        "news",
        "history",
        "cmakelists",
        "robots",
        "version",
    ];
    let lower = name.to_ascii_lowercase();
    (lower.ends_with(".txt") || lower.ends_with(".in"))
        && !lower.contains("requirements")
        && !PROSE.iter().any(|p| lower.starts_with(p))
}

/// Whether a text parses as a pip requirements file: every line blank, a comment, a pip option
/// (`-r`, `-c`, `-e`, `--hash`, `--index-url`) or a requirement specifier, and at least one
/// specifier pinned with a version operator (a list of bare words is notes, not requirements).
fn is_requirements_text(text: &str) -> bool {
    static SPEC: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9._,\s-]*\])?\s*((===|==|~=|!=|>=|<=|>|<)\s*[A-Za-z0-9.*+!_-]+\s*,?\s*)*(;.*)?(\s+--hash=\S+)*\s*\\?$",
        )
        .expect("valid regex")
    });
    let mut pinned = false;
    for line in text.lines() {
        let line = line.split(" #").next().unwrap_or("").trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('-') {
            continue;
        }
        if !SPEC.is_match(line) {
            return false;
        }
        pinned |= ["==", ">=", "<=", "~=", "!=", ">", "<"]
            .iter()
            .any(|op| line.contains(op));
    }
    pinned
}

/// The `[tool.uv.workspace]` of a root `pyproject.toml`.
fn uv_workspace(root: &str, text: &str) -> Option<Members> {
    #[derive(serde::Deserialize)]
    struct Pyproject {
        tool: Option<Tool>,
    }
    #[derive(serde::Deserialize)]
    struct Tool {
        uv: Option<Uv>,
    }
    #[derive(serde::Deserialize)]
    struct Uv {
        workspace: Option<Workspace>,
    }
    #[derive(serde::Deserialize)]
    struct Workspace {
        #[serde(default)]
        members: Vec<String>,
        #[serde(default)]
        exclude: Vec<String>,
    }
    let workspace = toml::from_str::<Pyproject>(text)
        .ok()?
        .tool?
        .uv?
        .workspace?;
    Some(Members::new(root, workspace.members, workspace.exclude))
}
