//! The one reader of repository files and the one writer of every file drydock writes.
//!
//! A repository is hostile input: it can commit symlinks (to `/etc/passwd`, `~/.git-credentials`,
//! `/dev/zero`), a local tree can hold FIFOs and device nodes, a file can be a hard link to
//! something outside, and a file can be huge. So:
//!
//! - [`read_repo_file`] opens `root/rel` one component at a time, each relative to the directory
//!   opened before it and with `O_NOFOLLOW`, so no symlink is followed anywhere on the way (not
//!   even one that points back inside: it could be retargeted between a check and the open, and
//!   GitHub does not follow them either). Only a regular file is opened (a FIFO would block, a
//!   device would never end), with `O_NONBLOCK` in case it was swapped for a FIFO in between,
//!   and at most `cap` bytes are read: a bigger file is [`ReadError::TooLarge`], not a
//!   truncated read.
//! - [`read_named_file`] reads a file the user named (`--trivy-report`): symlinks followed, as
//!   the user chose the path, but the same regular-file rule and cap.
//! - [`write_atomic`] (and [`write_repo_file`], which first walks the repository's directories
//!   the same way, creating the missing ones) writes a temporary file with an unpredictable name
//!   created `O_CREAT|O_EXCL|O_NOFOLLOW` in the target's directory (a planted
//!   `.Dockerfile.drydock-tmp` symlink cannot redirect it), gives it the old file's mode, syncs
//!   it and renames it over the target, then syncs the directory. A target that is a symlink,
//!   not a regular file, or has more than one hard link is refused: writing it would change
//!   (or, after the rename, silently detach from) a file somewhere else.
//!
//! Everything is done relative to directory file descriptors (`openat`, `renameat`) through
//! `rustix` rather than paths joined by hand: a path re-resolved at each step is what a symlink
//! swapped in between would redirect. `rustix` over `libc` because its calls are safe and return
//! `OwnedFd`s; it is already in the dependency tree (through `tempfile`). Random names come from
//! `getrandom` (the OS generator): `tempfile` would do the `O_EXCL` part too, but it cannot open
//! relative to a directory descriptor.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use rustix::fs::{AtFlags, CWD, FileType, Mode, OFlags};

/// Why a repository file was not read. The message does not repeat the file's path: the caller
/// puts it in front (or in the finding's path).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("not a plain relative path inside the repository")]
    BadPath,
    #[error("the file does not exist")]
    NotFound,
    #[error(
        "{} is a symlink; drydock does not follow symlinks in a repository",
        .0.display()
    )]
    Symlink(PathBuf),
    #[error("{} is a {kind}, not a {expected}", path.display())]
    NotRegular {
        path: PathBuf,
        kind: &'static str,
        expected: &'static str,
    },
    #[error("the file is larger than the cap of {cap} bytes (`[scan] max_file_bytes`)")]
    TooLarge { cap: u64 },
    #[error("cannot read it: {0}")]
    Io(#[source] io::Error),
}

impl ReadError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::NotFound)
    }
}

/// Why a file was not written. The message names the file.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("refusing to write {}: not a plain relative path", .0.display())]
    BadPath(PathBuf),
    #[error(
        "refusing to write {}: {} is a symlink; drydock does not write through symlinks",
        path.display(),
        link.display()
    )]
    Symlink { path: PathBuf, link: PathBuf },
    #[error("refusing to write {}: it is a {kind}, not a regular file", path.display())]
    NotRegular { path: PathBuf, kind: &'static str },
    #[error(
        "refusing to write {}: it has {links} hard links, so it is also another file; replace it with a copy",
        path.display()
    )]
    HardLinked { path: PathBuf, links: u64 },
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// The bytes of the regular file `root/rel`, at most `cap` of them; `rel` is a plain relative
/// path (no `..`, not absolute) and no component of it may be a symlink.
pub fn read_repo_file(root: &Path, rel: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let (dirs, name) = split_rel(rel).ok_or(ReadError::BadPath)?;
    let mut dir = open_dir(CWD, root.as_os_str()).map_err(|e| match e.kind() {
        // No root, no file: a state directory not created yet.
        io::ErrorKind::NotFound => ReadError::NotFound,
        _ => ReadError::Io(e),
    })?;
    let mut at = PathBuf::new();
    for part in dirs {
        at.push(part);
        dir = match open_dir(&dir, part) {
            Ok(d) => d,
            Err(e) => return Err(read_failure(&dir, part, &at, e, "directory")),
        };
    }
    at.push(name);
    // Look before opening: opening a device or a FIFO can block or have effects.
    let stat = match rustix::fs::statat(&dir, name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(s) => s,
        Err(e) => return Err(read_failure(&dir, name, &at, e.into(), "regular file")),
    };
    check_regular(FileType::from_raw_mode(stat.st_mode), &at)?;
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let fd = rustix::fs::openat(&dir, name, flags, Mode::empty())
        .map_err(|e| read_failure(&dir, name, &at, e.into(), "regular file"))?;
    read_capped(File::from(fd), &at, cap)
}

/// At most `cap` bytes of the opened `file` (shown as `at`), if it is a regular file.
fn read_capped(file: File, at: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let meta = file.metadata().map_err(ReadError::Io)?;
    // Swapped between the look and the open: check what was opened.
    if !meta.file_type().is_file() {
        return Err(ReadError::NotRegular {
            path: at.to_path_buf(),
            kind: "special file",
            expected: "regular file",
        });
    }
    if meta.len() > cap {
        return Err(ReadError::TooLarge { cap });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // One byte over the cap tells a file that grew since the stat from one that fits.
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge { cap });
    }
    Ok(bytes)
}

/// The bytes of a file the user named (a `--trivy-report`): symlinks are followed, as the user
/// chose the path, but only a regular file is read (a FIFO or `/dev/zero` would never end) and at
/// most `cap` bytes of it.
pub fn read_named_file(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => ReadError::NotFound,
        _ => ReadError::Io(e),
    })?;
    check_regular(
        FileType::from_raw_mode(std::os::unix::fs::MetadataExt::mode(&meta)),
        path,
    )?;
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let fd =
        rustix::fs::openat(CWD, path, flags, Mode::empty()).map_err(|e| ReadError::Io(e.into()))?;
    read_capped(File::from(fd), path, cap)
}

/// Replaces (or creates) the file at `path` atomically; see the module documentation. The
/// directory holding `path` must exist; it is drydock's own (the workspace), so it is resolved
/// as given. For a file inside a repository use [`write_repo_file`].
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let io_error = |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    };
    let name = match path.file_name() {
        Some(n) if !path.as_os_str().as_bytes().ends_with(b"/") => n,
        _ => return Err(WriteError::BadPath(path.to_path_buf())),
    };
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.as_os_str(),
        _ => OsStr::new("."),
    };
    let dir = open_dir(CWD, parent).map_err(io_error)?;
    replace_at(&dir, name, bytes, path)
}

/// Writes `root/rel` atomically, creating the missing directories on the way; no component of
/// `rel` may be a symlink (a symlinked `.github` would carry the write out of the repository).
pub fn write_repo_file(root: &Path, rel: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let shown = root.join(rel);
    let (dirs, name) = split_rel(rel).ok_or_else(|| WriteError::BadPath(rel.to_path_buf()))?;
    let io_error = |source| WriteError::Io {
        path: shown.clone(),
        source,
    };
    let mut dir = open_dir(CWD, root.as_os_str()).map_err(io_error)?;
    let mut at = PathBuf::new();
    for part in dirs {
        at.push(part);
        match rustix::fs::mkdirat(&dir, part, Mode::from_raw_mode(0o777)) {
            Ok(()) | Err(rustix::io::Errno::EXIST) => {}
            Err(e) => return Err(io_error(e.into())),
        }
        dir = match open_dir(&dir, part) {
            Ok(d) => d,
            Err(e) => {
                return Err(match read_failure(&dir, part, &at, e, "directory") {
                    ReadError::Symlink(link) => WriteError::Symlink {
                        path: shown.clone(),
                        link,
                    },
                    ReadError::NotRegular { kind, .. } => WriteError::NotRegular {
                        path: at.clone(),
                        kind,
                    },
                    other => io_error(io::Error::other(other.to_string())),
                });
            }
        };
    }
    replace_at(&dir, name, bytes, &shown)
}

/// `rel` as its directory components and its file name, if it is a plain relative path.
fn split_rel(rel: &Path) -> Option<(Vec<&OsStr>, &OsStr)> {
    let mut parts = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(name) => parts.push(name),
            _ => return None,
        }
    }
    let name = parts.pop()?;
    Some((parts, name))
}

fn open_dir(at: impl std::os::fd::AsFd, name: &OsStr) -> io::Result<OwnedFd> {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    Ok(rustix::fs::openat(at, name, flags, Mode::empty())?)
}

/// Why `name` in `dir` (shown as `at`) could not be opened as a `expected`.
fn read_failure(
    dir: &OwnedFd,
    name: &OsStr,
    at: &Path,
    error: io::Error,
    expected: &'static str,
) -> ReadError {
    match rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
        Err(rustix::io::Errno::NOENT) => ReadError::NotFound,
        Ok(stat) => match FileType::from_raw_mode(stat.st_mode) {
            FileType::Symlink => ReadError::Symlink(at.to_path_buf()),
            FileType::Directory if expected == "directory" => ReadError::Io(error),
            FileType::RegularFile if expected == "regular file" => ReadError::Io(error),
            other => ReadError::NotRegular {
                path: at.to_path_buf(),
                kind: kind_name(other),
                expected,
            },
        },
        Err(_) => ReadError::Io(error),
    }
}

fn check_regular(file_type: FileType, at: &Path) -> Result<(), ReadError> {
    match file_type {
        FileType::RegularFile => Ok(()),
        FileType::Symlink => Err(ReadError::Symlink(at.to_path_buf())),
        other => Err(ReadError::NotRegular {
            path: at.to_path_buf(),
            kind: kind_name(other),
            expected: "regular file",
        }),
    }
}

fn kind_name(file_type: FileType) -> &'static str {
    match file_type {
        FileType::RegularFile => "regular file",
        FileType::Directory => "directory",
        FileType::Symlink => "symlink",
        FileType::Fifo => "FIFO",
        FileType::Socket => "socket",
        FileType::CharacterDevice => "character device",
        FileType::BlockDevice => "block device",
        FileType::Unknown => "special file",
    }
}

/// The temporary-file-and-rename at the heart of every write: `name` in `dir`, shown as `shown`.
fn replace_at(dir: &OwnedFd, name: &OsStr, bytes: &[u8], shown: &Path) -> Result<(), WriteError> {
    let io_error = |source: io::Error| WriteError::Io {
        path: shown.to_path_buf(),
        source,
    };
    // The old file's permission bits; a new file gets 0o666 less the umask, as `fs::write` does.
    let keep_mode = match rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
        Err(rustix::io::Errno::NOENT) => None,
        Err(e) => return Err(io_error(e.into())),
        Ok(stat) => {
            match FileType::from_raw_mode(stat.st_mode) {
                FileType::RegularFile => {}
                FileType::Symlink => {
                    return Err(WriteError::Symlink {
                        path: shown.to_path_buf(),
                        link: shown.to_path_buf(),
                    });
                }
                other => {
                    return Err(WriteError::NotRegular {
                        path: shown.to_path_buf(),
                        kind: kind_name(other),
                    });
                }
            }
            #[allow(clippy::unnecessary_cast)] // `nlink_t` is u32 on some targets
            let links = stat.st_nlink as u64;
            if links > 1 {
                return Err(WriteError::HardLinked {
                    path: shown.to_path_buf(),
                    links,
                });
            }
            Some(Mode::from_raw_mode(stat.st_mode) & Mode::from_raw_mode(0o7777))
        }
    };
    let (tmp, fd) = create_temp(dir, name).map_err(io_error)?;
    let written = (|| -> io::Result<()> {
        if let Some(mode) = keep_mode {
            rustix::fs::fchmod(&fd, mode)?;
        }
        let mut file = File::from(fd);
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        rustix::fs::renameat(dir, &tmp, dir, name)?;
        Ok(())
    })();
    if let Err(e) = written {
        let _ = rustix::fs::unlinkat(dir, &tmp, AtFlags::empty());
        return Err(io_error(e));
    }
    // The rename is durable once the directory is; a failure here leaves the new file in place.
    rustix::fs::fsync(dir).map_err(|e| io_error(e.into()))
}

/// Creates `.NAME.RANDOM.drydock-tmp` exclusively in `dir`; a few attempts, as a collision of
/// 128 random bits means someone else made the name.
fn create_temp(dir: &OwnedFd, name: &OsStr) -> io::Result<(OsString, OwnedFd)> {
    let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let mut last = io::Error::other("no attempt made");
    for _ in 0..8 {
        let mut random = [0u8; 16];
        getrandom::fill(&mut random).map_err(|e| io::Error::other(e.to_string()))?;
        let mut tmp = OsString::from(".");
        tmp.push(name);
        tmp.push(".");
        for b in random {
            tmp.push(format!("{b:02x}"));
        }
        tmp.push(".drydock-tmp");
        match rustix::fs::openat(dir, &tmp, flags, Mode::from_raw_mode(0o666)) {
            Ok(fd) => return Ok((tmp, fd)),
            Err(rustix::io::Errno::EXIST) => last = io::Error::from(rustix::io::Errno::EXIST),
            Err(e) => return Err(e.into()),
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests;
