//! The workspace lock, `<workspace>/sync.lock`: one `sync` at a time per workspace, since a
//! second one would delete the first's clones in progress. An advisory `flock` held for the
//! whole run, so a killed run's lock is released by the kernel and never goes stale; the file
//! holds the holder's pid for the message.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// Held while syncing; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct WorkspaceLock {
    _file: File,
    pub path: PathBuf,
}

/// Why the workspace could not be locked.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "another drydock sync{} is working in {}; wait for it to finish, or stop it (the lock is {})",
        holder.map(|p| format!(" (pid {p})")).unwrap_or_default(),
        workspace.display(),
        path.display()
    )]
    Held {
        holder: Option<u32>,
        workspace: PathBuf,
        path: PathBuf,
    },
    #[error("cannot lock the workspace with {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl WorkspaceLock {
    pub fn acquire(workspace: &Path) -> Result<WorkspaceLock, LockError> {
        let path = workspace.join("sync.lock");
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(workspace).map_err(io)?;
        if std::fs::symlink_metadata(&path).is_ok_and(|m| !m.is_file()) {
            return Err(io(std::io::Error::other(
                "it is not a regular file; remove it",
            )));
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = (&file).take(64).read_to_string(&mut text);
                return Err(LockError::Held {
                    holder: text.trim().parse().ok(),
                    workspace: workspace.to_path_buf(),
                    path,
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        let mut previous = String::new();
        let _ = (&file).take(64).read_to_string(&mut previous);
        if let Ok(pid) = previous.trim().parse::<u32>() {
            tracing::debug!(
                pid,
                "the workspace lock of an earlier sync that ended without releasing it was taken over"
            );
        }
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        writeln!(file, "{}", std::process::id()).map_err(io)?;
        Ok(WorkspaceLock { _file: file, path })
    }
}
