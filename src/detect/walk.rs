//! The walk over a checkout on disk, the edge of detection: lists the files Dependabot users
//! care about and hands them to the pure [`detect`](super::detect).
//!
//! Skipped, besides `[scan] exclude` globs:
//! - directories named in [`SKIPPED_DIRS`] (`.git`, `node_modules`, vendored trees, build
//!   output, tool caches) at any depth;
//! - whatever the repository's own `.gitignore` files and `.git/info/exclude` ignore, applied
//!   whether or not the directory is a git checkout (a tarball or a copied tree is read the same
//!   way); ignore files above the root and the user's global excludes are not consulted, so the
//!   result does not depend on where the checkout lives or who runs the scan;
//! - nested git repositories (initialised submodules, checkouts inside checkouts): Dependabot sees
//!   them as submodule pointers, not as files;
//! - symbolic links, to files or directories: they are never followed, so nothing outside the
//!   repository is ever read. A symlinked Dockerfile is therefore not reported.
//!
//! Exclude globs are matched against the `/`-separated path relative to the repository root
//! (a leading `/` is allowed); `*` stays within one path segment and `**` crosses segments. A
//! glob that matches a directory excludes everything below it.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use ignore::WalkBuilder;

use super::{RepoScan, detect};

/// Directory names the walk never enters, wherever they are.
pub const SKIPPED_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    "bower_components",
    "vendor",
    "third_party",
    "target",
    "dist",
    "build",
    ".terraform",
    ".terragrunt-cache",
    ".venv",
];

/// The largest manifest the detectors read; workspace manifests are far smaller.
const MAX_MANIFEST_BYTES: u64 = 4 << 20;

/// What a scan leaves out besides its built-in skips.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Globs from `[scan] exclude`, matched against repository-relative paths.
    pub exclude: Vec<String>,
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
    #[error("cannot read {}: {source}", root.display())]
    Walk {
        root: PathBuf,
        source: ignore::Error,
    },
}

/// Walks the checkout at `root` and detects its ecosystems, Dockerfiles and compose files.
pub fn scan_dir(root: &Path, options: &ScanOptions) -> Result<RepoScan, ScanError> {
    if !root.is_dir() {
        return Err(ScanError::NotADirectory(root.to_path_buf()));
    }
    let exclude = exclude_set(&options.exclude)?;
    let paths = list_files(root, exclude)?;
    let read = |rel: &str| read_manifest(&root.join(rel));
    Ok(detect(paths.iter(), &read))
}

fn exclude_set(patterns: &[String]) -> Result<GlobSet, ScanError> {
    let mut set = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = GlobBuilder::new(pattern.trim_start_matches('/'))
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

    /// Drops the paths below any of `dirs`.
    fn without_dirs(self, dirs: &[String]) -> PathList {
        let mut kept = PathList::default();
        for path in self.iter() {
            if !dirs.iter().any(|d| {
                path.strip_prefix(d.as_str())
                    .is_some_and(|r| r.starts_with('/'))
            }) {
                kept.push(path);
            }
        }
        kept
    }
}

fn list_files(root: &Path, exclude: GlobSet) -> Result<PathList, ScanError> {
    let nested_repos: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut builder = WalkBuilder::new(root);
    builder
        .standard_filters(false)
        .git_ignore(true)
        .git_exclude(true)
        .require_git(false)
        .follow_links(false);
    let filter_root = root.to_path_buf();
    let found_nested = Arc::clone(&nested_repos);
    builder.filter_entry(move |entry| {
        if entry.depth() == 0 {
            return true;
        }
        let name = entry.file_name();
        if name == ".git"
            && entry.depth() > 1
            && let Some(repo) = entry
                .path()
                .parent()
                .and_then(|p| relative(&filter_root, p))
        {
            found_nested
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(repo);
        }
        if SKIPPED_DIRS.iter().any(|s| name == *s) {
            return false;
        }
        exclude.is_empty()
            || !entry
                .path()
                .strip_prefix(&filter_root)
                .is_ok_and(|rel| exclude.is_match(rel))
    });

    let mut paths = PathList::default();
    for entry in builder.build() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) if err.io_error().is_some() => {
                return Err(ScanError::Walk {
                    root: root.to_path_buf(),
                    source: err,
                });
            }
            // A malformed line in a .gitignore: git skips it too.
            Err(err) => {
                tracing::warn!("{}: {err}", root.display());
                continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Ok(path) = entry.path().strip_prefix(root) else {
            continue;
        };
        let Some(path) = path.to_str() else {
            tracing::debug!(
                "skipping a path that is not UTF-8: {}",
                entry.path().display()
            );
            continue;
        };
        if std::path::MAIN_SEPARATOR == '/' {
            paths.push(path);
        } else {
            paths.push(&path.replace(std::path::MAIN_SEPARATOR, "/"));
        }
    }
    let nested = std::mem::take(&mut *nested_repos.lock().unwrap_or_else(|e| e.into_inner()));
    Ok(if nested.is_empty() {
        paths
    } else {
        paths.without_dirs(&nested)
    })
}

/// `path` relative to `root`, `/`-separated; `None` when it is not UTF-8 or not below `root`.
fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?.to_str()?;
    Some(if std::path::MAIN_SEPARATOR == '/' {
        rel.to_string()
    } else {
        rel.replace(std::path::MAIN_SEPARATOR, "/")
    })
}

fn read_manifest(path: &Path) -> Option<String> {
    let file = std::fs::File::open(path).ok()?;
    let mut text = String::new();
    file.take(MAX_MANIFEST_BYTES)
        .read_to_string(&mut text)
        .ok()?;
    Some(text)
}
