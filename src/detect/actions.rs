//! `github-actions`: the workflows at `/` and every local (composite) action's directory.

use super::Found;
use super::ecosystem::Ecosystem;
use super::files::Files;

fn is_yaml(name: &str) -> bool {
    name.ends_with(".yml") || name.ends_with(".yaml")
}

fn is_action(name: &str) -> bool {
    name == "action.yml" || name == "action.yaml"
}

pub(super) fn detect(files: &Files<'_>, out: &mut Found) {
    // Dependabot reads `.github/workflows` (not its subdirectories) only through `/`.
    if files.has_any(".github/workflows", is_yaml) || files.has_any("", is_action) {
        out.add(Ecosystem::GithubActions, "");
    }
    for dir in files.dirs_with(is_action) {
        if !dir.is_empty() {
            out.add(Ecosystem::GithubActions, dir);
        }
    }
}
