//! The record of an update in progress, `.git/drydock-sync`: written before sync touches an
//! existing checkout (the config, the refs, the worktree) and removed once the checkout is at its
//! target. It lists the commits whose files the worktree may hold, so when a run is killed
//! half-way the next one can tell drydock's half-done checkout (every changed file is the version
//! of one of those commits, or a prefix of one: a write cut short) from a person's edits, and
//! finish it. It also says the lock files libgit2 left in `.git/` are drydock's, so they can go.

use std::path::{Path, PathBuf};

use git2::{Oid, Repository};

const FILE: &str = "drydock-sync";
/// Commits kept in the record; repeated interruptions while the remote moves add one each.
const MAX_COMMITS: usize = 16;
/// Entries of `.git/refs` looked at when removing stale lock files.
const MAX_REF_ENTRIES: usize = 100_000;

/// An update in progress (or interrupted): the commits whose files the worktree may hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Marker {
    pub commits: Vec<Oid>,
}

impl Marker {
    fn path(git_dir: &Path) -> PathBuf {
        git_dir.join(FILE)
    }

    /// The record an earlier run left, if any. An unreadable record still says a run was
    /// interrupted; it just names no commits.
    pub fn read(git_dir: &Path) -> Option<Marker> {
        let text = match std::fs::read(Self::path(git_dir)) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(_) => String::new(),
        };
        let commits = text
            .lines()
            .filter_map(|l| l.strip_prefix("commit "))
            .filter_map(|id| Oid::from_str(id.trim()).ok())
            .collect();
        Some(Marker { commits })
    }

    pub fn add(&mut self, oid: Oid) {
        if !self.commits.contains(&oid) {
            self.commits.push(oid);
        }
        if self.commits.len() > MAX_COMMITS {
            self.commits.remove(0);
        }
    }

    /// Writes the record whole or not at all, through the one safe writer
    /// ([`crate::fs::write_atomic`]: unpredictable temporary name, fsync, rename, never through a
    /// symlink).
    pub fn write(&self, git_dir: &Path) -> std::io::Result<()> {
        let mut text = String::from("# drydock sync in progress; removed when it completes\n");
        for c in &self.commits {
            text.push_str(&format!("commit {c}\n"));
        }
        crate::fs::write_atomic(&Self::path(git_dir), text.as_bytes()).map_err(|e| match e {
            crate::fs::WriteError::Io { source, .. } => source,
            refused => std::io::Error::other(refused.to_string()),
        })
    }

    pub fn remove(git_dir: &Path) -> std::io::Result<()> {
        match std::fs::remove_file(Self::path(git_dir)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// Removes the lock files and temporary records an interrupted run left in `.git/` (the
/// workspace lock says no other drydock is running; the record says they were drydock's).
pub(crate) fn remove_stale_locks(git_dir: &Path) {
    // `.drydock-sync.RANDOM.drydock-tmp` is the safe writer's temporary file; `drydock-sync.tmp.PID`
    // the one earlier versions wrote.
    let stale = |name: &str| {
        name.ends_with(".lock")
            || name.starts_with(&format!("{FILE}.tmp."))
            || (name.starts_with(&format!(".{FILE}.")) && name.ends_with(".drydock-tmp"))
    };
    if let Ok(entries) = std::fs::read_dir(git_dir) {
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_file())
                && stale(&entry.file_name().to_string_lossy())
            {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    let mut pending = vec![git_dir.join("refs")];
    let mut seen = 0;
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            seen += 1;
            if seen > MAX_REF_ENTRIES {
                return;
            }
            match entry.file_type() {
                Ok(t) if t.is_dir() => pending.push(entry.path()),
                Ok(t) if t.is_file() && stale(&entry.file_name().to_string_lossy()) => {
                    let _ = std::fs::remove_file(entry.path());
                }
                _ => {}
            }
        }
    }
}

/// The first change in the worktree or index that the interrupted update does not explain:
/// a file whose content is no recorded commit's version of it (nor a prefix of one), an index
/// entry naming another blob, or a file no recorded commit has.
pub(crate) fn unexplained_change(
    repo: &Repository,
    marker: &Marker,
) -> Result<Option<String>, git2::Error> {
    let Some(workdir) = repo.workdir().map(Path::to_path_buf) else {
        return Ok(None);
    };
    let trees: Vec<git2::Tree<'_>> = marker
        .commits
        .iter()
        .filter_map(|c| repo.find_commit(*c).ok())
        .filter_map(|c| c.tree().ok())
        .collect();
    let mut options = git2::StatusOptions::new();
    options
        .include_untracked(true)
        .include_ignored(false)
        .recurse_untracked_dirs(true)
        .exclude_submodules(true);
    let statuses = repo.statuses(Some(&mut options))?;
    let index = repo.index()?;
    for entry in statuses.iter() {
        let Ok(path) = entry.path() else {
            return Ok(Some("a path that is not UTF-8".into()));
        };
        let versions: Vec<Oid> = trees
            .iter()
            .filter_map(|t| t.get_path(Path::new(path)).ok())
            .map(|e| e.id())
            .collect();
        if versions.is_empty() {
            return Ok(Some(path.to_string()));
        }
        if let Some(staged) = index.get_path(Path::new(path), 0)
            && !versions.contains(&staged.id)
        {
            return Ok(Some(path.to_string()));
        }
        let full = workdir.join(path);
        let content = match std::fs::symlink_metadata(&full) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(_) => return Ok(Some(path.to_string())),
            Ok(m) if m.file_type().is_symlink() => std::fs::read_link(&full)
                .map(|t| t.into_os_string().into_encoded_bytes())
                .ok(),
            Ok(m) if m.is_file() => std::fs::read(&full).ok(),
            Ok(_) => None,
        };
        let Some(content) = content else {
            return Ok(Some(path.to_string()));
        };
        let explained = versions.iter().any(|id| {
            repo.find_blob(*id)
                .is_ok_and(|b| b.content().starts_with(&content))
        });
        if !explained {
            return Ok(Some(path.to_string()));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_is_written_whole_and_its_temporary_files_count_as_stale() {
        let git_dir = tempfile::tempdir().unwrap();
        let mut marker = Marker::default();
        marker.add(Oid::from_str("0123456789abcdef0123456789abcdef01234567").unwrap());
        marker.write(git_dir.path()).unwrap();
        assert_eq!(Marker::read(git_dir.path()), Some(marker));
        // What a run killed inside the writer leaves, now and in earlier versions.
        let leftovers = [
            ".drydock-sync.00112233445566778899aabbccddeeff.drydock-tmp",
            "drydock-sync.tmp.4242",
        ];
        for name in leftovers {
            std::fs::write(git_dir.path().join(name), "partial").unwrap();
        }
        std::fs::write(git_dir.path().join("config"), "kept").unwrap();
        remove_stale_locks(git_dir.path());
        for name in leftovers {
            assert!(!git_dir.path().join(name).exists(), "{name} was left");
        }
        assert!(git_dir.path().join("config").exists());
        assert!(git_dir.path().join(FILE).exists());
    }

    #[test]
    fn a_symlinked_record_is_refused_not_written_through() {
        let git_dir = tempfile::tempdir().unwrap();
        let outside = git_dir.path().join("outside");
        std::fs::write(&outside, "someone else's").unwrap();
        std::os::unix::fs::symlink(&outside, git_dir.path().join(FILE)).unwrap();
        assert!(Marker::default().write(git_dir.path()).is_err());
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "someone else's");
    }
}
