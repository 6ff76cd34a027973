//! `github-actions`: the workflows at `/` and every local composite action's directory.
//!
//! An `action.y(a)ml` counts only when it uses other actions (a `uses:` key: a composite
//! action's steps); a JavaScript (`using: node20`) or Docker action has nothing for Dependabot to
//! update. One that cannot be read counts, so nothing is lost. A workflow that happens to be named
//! `action.yaml` in `.github/workflows` is a workflow, covered by `/`.

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
    let uses_actions = |dir: &str| {
        files
            .names_in(dir)
            .filter(|n| is_action(n))
            .any(|n| files.read(dir, n).is_none_or(|text| has_uses(&text)))
    };
    // Dependabot reads `.github/workflows` (not its subdirectories) only through `/`.
    if files.has_any(WORKFLOWS, is_yaml) || (files.has_any("", is_action) && uses_actions("")) {
        out.add(Ecosystem::GithubActions, "");
    }
    for dir in files.dirs_with(is_action) {
        if !dir.is_empty() && dir != WORKFLOWS && uses_actions(dir) {
            out.add(Ecosystem::GithubActions, dir);
        }
    }
}

const WORKFLOWS: &str = ".github/workflows";

/// Whether an action's text has a `uses:` key (a step using another action).
fn has_uses(text: &str) -> bool {
    text.lines().any(|line| {
        let key = line.trim_start().trim_start_matches("- ").trim_start();
        key.starts_with("uses:") || key.starts_with("\"uses\":") || key.starts_with("'uses':")
    })
}
