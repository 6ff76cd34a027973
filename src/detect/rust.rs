//! Rust: `cargo` (workspaces at their root) and `rust-toolchain`.

use super::Found;
use super::ecosystem::Ecosystem;
use super::files::{Files, strictly_under};
use super::workspace::Members;

pub(super) fn detect(files: &Files<'_>, out: &mut Found) {
    let manifests = files.dirs_with(|n| n == "Cargo.toml");
    let mut workspaces: Vec<(&str, Members)> = Vec::new();
    let mut roots: Vec<&str> = Vec::new();
    for &dir in &manifests {
        if !manifests.iter().any(|d| strictly_under(d, dir).is_some()) {
            continue;
        }
        let Some(text) = files.read(dir, "Cargo.toml") else {
            continue;
        };
        if let Some(workspace) = cargo_workspace(&text) {
            roots.push(dir);
            workspaces.push((dir, Members::new(dir, workspace.members, workspace.exclude)));
        }
    }
    for &dir in &manifests {
        // Cargo makes every package below a workspace root a member (listed, or pulled in as a
        // path dependency) unless it is excluded or is a workspace root itself.
        let member = !roots.contains(&dir)
            && workspaces.iter().any(|(root, members)| {
                strictly_under(dir, root).is_some() && !members.is_excluded(dir)
            });
        if !member {
            out.add(Ecosystem::Cargo, dir);
        }
    }
    for dir in files.dirs_with(|n| n == "rust-toolchain.toml" || n == "rust-toolchain") {
        out.add(Ecosystem::RustToolchain, dir);
    }
}

#[derive(serde::Deserialize)]
struct Workspace {
    #[serde(default)]
    members: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
}

fn cargo_workspace(text: &str) -> Option<Workspace> {
    #[derive(serde::Deserialize)]
    struct Manifest {
        workspace: Option<Workspace>,
    }
    toml::from_str::<Manifest>(text).ok()?.workspace
}
