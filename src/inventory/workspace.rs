//! Where the workspace may be. drydock creates `repos/`, `tmp/` and its state under it and deletes
//! clones it no longer needs, so a workspace that is `/`, a system directory such as `/etc` (or a
//! symlink to one), or the home directory itself is refused; so is a workspace inside one of the
//! fleet's own checkouts, whose scan would then find every clone and whose working tree would
//! never be clean again.

use std::path::{Component, Path, PathBuf};

use super::{Repo, Source};

/// Directories that hold the system: neither they nor anything inside them is a workspace.
const SYSTEM_TREES: &[&str] = &[
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/proc",
    "/run",
    "/sbin",
    "/sys",
    "/usr",
    "/System",
    "/Library",
    "/private/etc",
    "/private/var/db",
];

/// Directories that hold other things: a workspace may be inside them, never one of them.
const SHARED_ROOTS: &[&str] = &[
    "/",
    "/home",
    "/Users",
    "/var",
    "/tmp",
    "/private/tmp",
    "/opt",
    "/srv",
    "/mnt",
    "/media",
    "/root",
    "/Volumes",
];

/// `Err((message, help))` when `workspace` (absolute) cannot be the workspace of `repos`.
pub(super) fn check(workspace: &Path, repos: &[Repo]) -> Result<(), (String, String)> {
    let resolved = resolve(workspace);
    let help =
        "set `workspace` in [fleet] to a directory of its own, e.g. \".drydock\" beside fleet.toml";
    let system = SYSTEM_TREES
        .iter()
        .map(Path::new)
        .find(|tree| resolved.starts_with(tree));
    let shared = SHARED_ROOTS.iter().map(Path::new).any(|r| resolved == r)
        || std::env::var_os("HOME").is_some_and(|home| resolve(Path::new(&home)) == resolved);
    if system.is_some() || shared {
        let via = if resolved == workspace {
            String::new()
        } else {
            format!(" (it resolves to {})", resolved.display())
        };
        let what = match system {
            Some(tree) => format!("inside the system directory {}", tree.display()),
            None => "a directory shared with other programs".into(),
        };
        return Err((
            format!("the workspace {}{via} is {what}", workspace.display()),
            help.into(),
        ));
    }
    for repo in repos {
        if let Source::Local { path } = &repo.source {
            let checkout = resolve(path);
            if resolved.starts_with(&checkout) {
                return Err((
                    format!(
                        "the workspace {} is inside the checkout of {} ({})",
                        workspace.display(),
                        repo.name,
                        checkout.display()
                    ),
                    format!("{help}, outside every repository of the fleet"),
                ));
            }
        }
    }
    Ok(())
}

/// `path` with every symlink of the part that exists resolved, and `.` and `..` of the rest
/// applied, so `/tmp/link-to-etc/x` and `/srv/../etc` are seen as the `/etc/..` they are.
fn resolve(path: &Path) -> PathBuf {
    let mut existing = path;
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            let mut out = real;
            for part in rest.iter().rev() {
                match part {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::Normal(name) => out.push(name),
                    _ => {}
                }
            }
            return out;
        }
        match (existing.parent(), existing.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last);
                existing = parent;
            }
            _ => return path.to_path_buf(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(name: &str, path: &Path) -> Repo {
        Repo {
            name: name.into(),
            source: Source::Local {
                path: path.to_path_buf(),
            },
            branch: None,
            skip: false,
            dependabot: None,
            workflow: None,
            apply: None,
            build_args: Default::default(),
        }
    }

    #[test]
    fn system_directories_and_symlinks_to_them_are_refused() {
        for bad in [
            "/",
            "/etc",
            "/etc/drydock",
            "/usr/local/ws",
            "/srv/../etc",
            "/tmp",
        ] {
            let e = check(Path::new(bad), &[]).expect_err(bad);
            assert!(e.0.contains(bad), "{e:?}");
        }
        let dir = tempfile::TempDir::new().unwrap();
        let link = dir.path().join("ws");
        std::os::unix::fs::symlink("/etc", &link).unwrap();
        let (message, help) = check(&link.join("sub"), &[]).unwrap_err();
        assert!(message.contains("resolves to /etc/sub"), "{message}");
        assert!(help.contains("workspace"));
        assert!(check(&dir.path().join(".drydock"), &[]).is_ok());
    }

    #[test]
    fn a_workspace_inside_a_checkout_is_refused() {
        let dir = tempfile::TempDir::new().unwrap();
        let repo = local("acme/api", dir.path());
        let (message, _) = check(&dir.path().join(".drydock"), &[repo]).unwrap_err();
        assert!(
            message.contains("inside the checkout of acme/api"),
            "{message}"
        );
        let beside = local("acme/api", &dir.path().join("api"));
        std::fs::create_dir(dir.path().join("api")).unwrap();
        assert!(check(&dir.path().join(".drydock"), &[beside]).is_ok());
    }
}
