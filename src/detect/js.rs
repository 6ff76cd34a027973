//! JavaScript: `npm` (npm, yarn and pnpm), `bun` and `deno`, with their workspaces.

use super::Found;
use super::ecosystem::Ecosystem;
use super::files::{Files, strictly_under};
use super::workspace::{Members, string_list, strip_json_comments};

pub(super) fn detect(files: &Files<'_>, out: &mut Found) {
    let packages = files.dirs_with(|n| n == "package.json");
    let mut workspaces = Vec::new();
    for &root in &packages {
        if !packages.iter().any(|d| strictly_under(d, root).is_some()) {
            continue;
        }
        let mut patterns = Vec::new();
        if let Some(json) = read_json(files, root, "package.json") {
            patterns.extend(string_list(json.get("workspaces"), "packages"));
        }
        if files.has(root, "pnpm-workspace.yaml") {
            patterns.extend(pnpm_packages(
                &files.read(root, "pnpm-workspace.yaml").unwrap_or_default(),
            ));
        }
        if files.has(root, "lerna.json")
            && let Some(json) = read_json(files, root, "lerna.json")
        {
            patterns.extend(string_list(json.get("packages"), ""));
        }
        if !patterns.is_empty() {
            workspaces.push(Members::new(root, patterns, None::<&str>));
        }
    }
    for &dir in &packages {
        if workspaces.iter().any(|w| w.contains(dir)) {
            continue;
        }
        // Dependabot's bun support needs the text lockfile; `bun.lockb` alone stays with npm.
        let ecosystem = if files.has(dir, "bun.lock") {
            Ecosystem::Bun
        } else {
            Ecosystem::Npm
        };
        out.add(ecosystem, dir);
    }

    let denos = files.dirs_with(|n| n == "deno.json" || n == "deno.jsonc");
    let mut deno_workspaces = Vec::new();
    for &root in &denos {
        if !denos.iter().any(|d| strictly_under(d, root).is_some()) {
            continue;
        }
        let name = if files.has(root, "deno.json") {
            "deno.json"
        } else {
            "deno.jsonc"
        };
        if let Some(json) = read_json(files, root, name) {
            let members = string_list(json.get("workspace"), "members");
            if !members.is_empty() {
                deno_workspaces.push(Members::new(root, members, None::<&str>));
            }
        }
    }
    for &dir in &denos {
        if !deno_workspaces.iter().any(|w| w.contains(dir)) {
            out.add(Ecosystem::Deno, dir);
        }
    }
}

/// A JSON (or JSONC) manifest, parsed; `None` when unreadable or malformed (then it cannot
/// declare a workspace either).
fn read_json(files: &Files<'_>, dir: &str, name: &str) -> Option<serde_json::Value> {
    serde_json::from_str(&strip_json_comments(&files.read(dir, name)?)).ok()
}

/// The `packages:` list of a `pnpm-workspace.yaml`.
fn pnpm_packages(text: &str) -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct PnpmWorkspace {
        #[serde(default)]
        packages: Vec<String>,
    }
    serde_saphyr::from_str::<PnpmWorkspace>(text)
        .map(|w| w.packages)
        .unwrap_or_default()
}
