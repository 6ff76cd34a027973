//! The walk over a checkout on disk, the edge of detection: lists the files Dependabot users
//! care about and hands them to the pure [`detect`](super::detect).
//!
//! Skipped, besides `[scan] exclude` globs:
//! - directories named in [`SKIPPED_DIRS`] (`.git`, `node_modules`, vendored trees, tool caches)
//!   at any depth. Build output (`build/`, `dist/`, `target/`) is not among them: the Go layout
//!   tracks `build/package/Dockerfile` and actions live under `.github/actions/build/`, and the
//!   repository's `.gitignore` already removes real build output;
//! - whatever the repository's own `.gitignore` files and `.git/info/exclude` ignore (matched
//!   with the `ignore` crate's gitignore matcher), applied whether or not the directory is a git
//!   checkout (a tarball or a copied tree is read the same way); ignore files above the root and
//!   the user's global excludes are not consulted, so the result does not depend on where the
//!   checkout lives or who runs the scan;
//! - nested git repositories (initialised submodules, checkouts inside checkouts): Dependabot sees
//!   them as submodule pointers, not as files;
//! - symbolic links, to files or directories: they are never followed, so nothing outside the
//!   repository is ever read. A symlinked Dockerfile is therefore not reported.
//!
//! Ignore files are bounded: a matcher's cost grows with its pattern count, and a repository
//! could commit a `.gitignore` of millions of lines to stall or exhaust the fleet's scan. At most
//! An ignore file over [`MAX_IGNORE_BYTES`] or [`MAX_IGNORE_PATTERNS`] patterns, or one that
//! would take the walk past [`MAX_IGNORE_PATTERNS`] patterns in all, is not applied at all (a
//! warning names it): a file applied in part could miss a later `!` and hide files, while one
//! left out only makes the scan list more files, never fewer. `.git/info/exclude` is
//! read only when it is a regular file, not through a symlink.
//!
//! The walk is hand-rolled over `read_dir` rather than `ignore::WalkBuilder`: that walker probes
//! every directory for `.git`, `.gitignore` and `.git/info/exclude` with a `stat` each and walks
//! the parents of the root, which made it about 1.3x slower than `find`; this one takes file
//! types from the directory listing and reads an ignore file only where the listing shows one.
//!
//! The default skips of test and example trees (`testdata`, `fixtures`, ...) are not applied by
//! the walk but by the core ([`Skips`]), because some of them depend on where projects are.
//!
//! Exclude globs are matched against the `/`-separated path relative to the repository root
//! (a leading or trailing `/` is allowed); `*` stays within one path segment and `**` crosses
//! segments. A glob that matches a directory excludes everything below it.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};

use super::{RepoScan, Skips, detect_with};

/// Directory names the walk never enters, wherever they are.
pub const SKIPPED_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    "bower_components",
    "vendor",
    "third_party",
    ".terraform",
    ".terragrunt-cache",
    ".venv",
];

/// The largest manifest the detectors read; workspace manifests are far smaller.
const MAX_MANIFEST_BYTES: u64 = 4 << 20;

/// The largest ignore file the walk applies; real ones are a few kilobytes.
pub const MAX_IGNORE_BYTES: u64 = 256 << 10;

/// The most patterns one ignore file may have to be applied.
pub const MAX_IGNORE_PATTERNS: usize = 5_000;

/// The text of an ignore file within the caps, or why it is not used.
fn bounded_ignore_text(file: &Path) -> Result<String, String> {
    let f = fs::File::open(file).map_err(|e| format!("cannot read it: {e}"))?;
    let mut bytes = Vec::new();
    f.take(MAX_IGNORE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read it: {e}"))?;
    if bytes.len() as u64 > MAX_IGNORE_BYTES {
        return Err(format!("larger than {} KiB", MAX_IGNORE_BYTES >> 10));
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let patterns = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .count();
    if patterns > MAX_IGNORE_PATTERNS {
        return Err(format!(
            "{patterns} patterns, more than the {MAX_IGNORE_PATTERNS} drydock applies"
        ));
    }
    Ok(text)
}

/// Deeper trees than this are not walked (a guard against pathological nesting).
const MAX_DEPTH: usize = 128;

/// What a scan leaves out besides its built-in skips.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Globs from `[scan] exclude`, matched against repository-relative paths.
    pub exclude: Vec<String>,
    /// The default skips in force (all of them unless `[scan] unskip` names some).
    pub skips: Skips,
}

/// Why a repository could not be scanned.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("{}: not a directory", .0.display())]
    NotADirectory(PathBuf),
    #[error("invalid exclude glob {pattern:?}: {source}")]
    BadExclude {
        pattern: String,
        source: globset::Error,
    },
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Walks the checkout at `root` and detects its ecosystems, Dockerfiles and compose files.
pub fn scan_dir(root: &Path, options: &ScanOptions) -> Result<RepoScan, ScanError> {
    if !root.is_dir() {
        return Err(ScanError::NotADirectory(root.to_path_buf()));
    }
    let exclude = exclude_set(&options.exclude)?;
    let paths = list_files(root, &exclude)?;
    let read = |rel: &str| read_manifest(&root.join(rel));
    let (scan, removed) = detect_with(paths.iter(), &read, &options.skips);
    if !removed.is_empty() {
        tracing::debug!(
            "{}: default skips removed {} entries: {}",
            root.display(),
            removed.len(),
            removed
                .iter()
                .map(|(e, id)| format!("{} {} ({id})", e.ecosystem.as_str(), e.directory))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(scan)
}

fn exclude_set(patterns: &[String]) -> Result<GlobSet, ScanError> {
    let mut set = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = GlobBuilder::new(pattern.trim_start_matches('/').trim_end_matches('/'))
            .literal_separator(true)
            .build()
            .map_err(|source| ScanError::BadExclude {
                pattern: pattern.clone(),
                source,
            })?;
        set.add(glob);
    }
    set.build().map_err(|source| ScanError::BadExclude {
        pattern: patterns.join(", "),
        source,
    })
}

/// Relative paths stored back to back in one buffer: one allocation for the whole repository
/// instead of one per file.
#[derive(Default)]
struct PathList {
    text: String,
    ends: Vec<usize>,
}

impl PathList {
    fn push(&mut self, path: &str) {
        self.text.push_str(path);
        self.ends.push(self.text.len());
    }

    fn iter(&self) -> impl Iterator<Item = &str> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter().copied())
            .map(|(s, e)| &self.text[s..e])
    }
}

/// The state of one walk. The ignore rules in force are a stack: `.git/info/exclude` at the
/// bottom, then the `.gitignore` of each directory on the way down; the deepest rule that
/// matches decides, as in git.
struct Walk<'a> {
    root: &'a Path,
    exclude: &'a GlobSet,
    ignores: Vec<Gitignore>,
    /// Patterns still allowed before [`MAX_IGNORE_PATTERNS`] is reached.
    ignore_budget: usize,
    paths: PathList,
}

/// The repository-relative files the scan looks at, `/`-separated.
fn list_files(root: &Path, exclude: &GlobSet) -> Result<PathList, ScanError> {
    let mut walk = Walk {
        root,
        exclude,
        ignores: Vec::new(),
        ignore_budget: MAX_IGNORE_PATTERNS,
        paths: PathList::default(),
    };
    let info_exclude = root.join(".git").join("info").join("exclude");
    if fs::symlink_metadata(&info_exclude).is_ok_and(|m| m.is_file()) {
        walk.push_ignore_file(".", &info_exclude);
    }
    let mut rel = String::new();
    let mut abs = root.to_path_buf();
    walk.dir(&mut abs, &mut rel, 0)?;
    Ok(walk.paths)
}

impl Walk<'_> {
    /// Walks the directory `abs` (repository-relative `rel`, `""` at the root).
    fn dir(&mut self, abs: &mut PathBuf, rel: &mut String, depth: usize) -> Result<(), ScanError> {
        if depth > MAX_DEPTH {
            tracing::warn!(
                "{}: not walking below {rel}: nested too deeply",
                self.root.display()
            );
            return Ok(());
        }
        let read_error = |source| ScanError::Read {
            path: abs.clone(),
            source,
        };
        let mut entries = Vec::new();
        for entry in fs::read_dir(&*abs).map_err(read_error)? {
            let entry = entry.map_err(read_error)?;
            // The type comes from the directory listing on most file systems: no stat per file.
            let file_type = entry.file_type().map_err(read_error)?;
            entries.push((entry.file_name(), file_type));
        }
        // A checkout inside the checkout (an initialised submodule): Dependabot sees a pointer.
        if depth > 0 && entries.iter().any(|(name, _)| name == ".git") {
            return Ok(());
        }
        let pushed = entries
            .iter()
            .any(|(name, t)| name == ".gitignore" && t.is_file());
        if pushed {
            let base = if rel.is_empty() { "." } else { rel.as_str() };
            let base = base.to_string();
            self.push_ignore_file(&base, &abs.join(".gitignore"));
        }

        let rel_len = rel.len();
        for (name, file_type) in &entries {
            // Symbolic links are never followed, so nothing outside the repository is read.
            if file_type.is_symlink() {
                continue;
            }
            let Some(name) = name.to_str() else {
                tracing::debug!("skipping a name that is not UTF-8 in {}", abs.display());
                continue;
            };
            if SKIPPED_DIRS.contains(&name) {
                continue;
            }
            if !rel.is_empty() {
                rel.push('/');
            }
            rel.push_str(name);
            let is_dir = file_type.is_dir();
            let excluded = !self.exclude.is_empty() && self.exclude.is_match(&*rel);
            if !excluded && !self.is_ignored(rel, is_dir) {
                if is_dir {
                    abs.push(name);
                    self.dir(abs, rel, depth + 1)?;
                    abs.pop();
                } else if file_type.is_file() {
                    self.paths.push(rel);
                }
            }
            rel.truncate(rel_len);
        }
        if pushed {
            self.ignores.pop();
        }
        Ok(())
    }

    /// Reads one ignore file whose patterns are relative to `base` (a repository-relative
    /// directory, `.` for the root). A malformed line is skipped, as git skips it. An ignore file
    /// over [`MAX_IGNORE_BYTES`] or [`MAX_IGNORE_PATTERNS`] is not applied (with a warning): the
    /// matcher's cost grows with patterns × paths, and one repository must not stall the fleet.
    fn push_ignore_file(&mut self, base: &str, file: &Path) {
        let text = bounded_ignore_text(file).and_then(|text| {
            let patterns = text
                .lines()
                .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
                .count();
            match self.ignore_budget.checked_sub(patterns) {
                Some(left) => {
                    self.ignore_budget = left;
                    Ok(text)
                }
                None => Err(format!(
                    "{patterns} more patterns would pass the {MAX_IGNORE_PATTERNS} drydock applies per repository"
                )),
            }
        });
        let matcher = match text {
            Ok(text) => {
                let mut builder = GitignoreBuilder::new(base);
                for line in text.lines() {
                    if let Err(err) = builder.add_line(Some(file.to_path_buf()), line) {
                        tracing::warn!("{}: {err}", file.display());
                    }
                }
                builder.build().unwrap_or_else(|err| {
                    tracing::warn!("{}: {err}", file.display());
                    Gitignore::empty()
                })
            }
            Err(why) => {
                tracing::warn!(
                    "{}: {why}; its rules are not applied, so the scan may list files it ignores",
                    file.display()
                );
                Gitignore::empty()
            }
        };
        self.ignores.push(matcher);
    }

    fn is_ignored(&self, rel: &str, is_dir: bool) -> bool {
        for matcher in self.ignores.iter().rev() {
            match matcher.matched(rel, is_dir) {
                Match::Ignore(_) => return true,
                Match::Whitelist(_) => return false,
                Match::None => {}
            }
        }
        false
    }
}

fn read_manifest(path: &Path) -> Option<String> {
    use std::os::unix::fs::OpenOptionsExt;
    // The listing showed a regular file: open it without following a symlink or blocking on a
    // FIFO swapped in since, and read it only if it still is one. (`detect` is core and cannot
    // call `crate::fs`; this is the same rule, for the one file the walk already vetted.)
    let no_follow = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(i32::try_from(no_follow.bits()).ok()?)
        .open(path)
        .ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let mut text = String::new();
    file.take(MAX_MANIFEST_BYTES)
        .read_to_string(&mut text)
        .ok()?;
    Some(text)
}
