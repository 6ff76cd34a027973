//! Brings fleet repositories onto disk with git2: clones new ones into the workspace, fetches
//! existing ones, and leaves each checkout on a local branch that tracks the remote default branch
//! (or the configured `branch`) at its tip. Owns credentials (`auth`) and the typed failure of
//! each repository (`error`); running many repositories at once is the app's worker pool.
//!
//! Safety rules: a checkout with local changes (modified or untracked files, or commits the remote
//! does not have) is never touched; a clone is made in `<workspace>/tmp/` and renamed into place
//! only once complete, so an interrupted run leaves nothing that breaks the next one.

mod auth;
mod error;

use std::path::{Path, PathBuf};

use git2::{
    AutotagOption, Direction, FetchOptions, Oid, RemoteCallbacks, Repository,
    build::CheckoutBuilder,
};

pub use auth::Auth;

use crate::inventory::{Repo, Source};
use crate::repo::{FailureKind, RepoFailure};

/// What `sync` did with a repository it could work on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Cloned,
    Updated,
    Unchanged,
    /// The checkout has local changes and was left alone.
    SkippedLocalChanges,
    /// A `path =` repository, used in place and never touched.
    Local,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Cloned => "cloned",
            Status::Updated => "updated",
            Status::Unchanged => "unchanged",
            Status::SkippedLocalChanges => "skipped-local-changes",
            Status::Local => "local",
        }
    }
}

/// A repository sync worked on: what happened and, in words, how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synced {
    pub status: Status,
    pub reason: String,
}

impl Synced {
    fn new(status: Status, reason: impl Into<String>) -> Self {
        Synced {
            status,
            reason: reason.into(),
        }
    }
}

/// How to sync.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Commits of history to fetch; 0 fetches everything.
    pub depth: u32,
    pub auth: Auth,
}

/// Transfer progress of one repository, as libgit2 reports it.
#[derive(Debug, Clone, Copy)]
pub struct Transfer {
    pub received_objects: usize,
    pub total_objects: usize,
    pub received_bytes: usize,
}

/// One repository to sync: the fleet entry and where its checkout lives.
#[derive(Debug, Clone)]
pub struct Job {
    pub repo: Repo,
    pub checkout: PathBuf,
}

/// Process-wide libgit2 settings for syncing. Call once before starting the threads that sync.
pub fn configure_libgit2() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Every object arrives through the pack indexer, which computes its id from its content,
        // so hashing each blob again when checkout reads it only costs time.
        git2::opts::strict_hash_verification(false);
        // A server that accepts the connection and then stalls must not hang the whole sync.
        // SAFETY: libgit2 globals, set once before any thread that uses libgit2 is started.
        unsafe {
            let _ = git2::opts::set_server_connect_timeout_in_milliseconds(30_000);
            let _ = git2::opts::set_server_timeout_in_milliseconds(120_000);
        }
    });
}

/// Syncs one repository (blocking). Never panics on git trouble: every failure becomes a
/// [`RepoFailure`] with the token scrubbed from its message.
pub fn sync_one(
    workspace: &Path,
    job: &Job,
    options: &SyncOptions,
    progress: &dyn Fn(Transfer),
) -> Result<Synced, RepoFailure> {
    let url = match &job.repo.source {
        Source::Local { path } => {
            return Ok(Synced::new(
                Status::Local,
                format!("used in place: {}", path.display()),
            ));
        }
        Source::Remote { url } => url,
    };
    let branch = job.repo.branch.as_deref();
    tracing::debug!(repo = %job.repo.name, url = %error::scrub(&error::redact_userinfo(url), &options.auth), "sync");
    let result = if job.checkout.exists() {
        update(&job.checkout, url, branch, options, progress)
    } else {
        clone(
            workspace,
            &job.repo.name,
            &job.checkout,
            url,
            branch,
            options,
            progress,
        )
    };
    result.map_err(|e| match e {
        SyncError::Git(e) => error::classify(&e, url, &options.auth),
        SyncError::Io(what, e) => RepoFailure::new(
            FailureKind::Io,
            error::scrub(&format!("{what}: {e}"), &options.auth),
        ),
        SyncError::Other(kind, message) => {
            RepoFailure::new(kind, error::scrub(&message, &options.auth))
        }
    })
}

enum SyncError {
    Git(git2::Error),
    Io(String, std::io::Error),
    Other(FailureKind, String),
}

impl From<git2::Error> for SyncError {
    fn from(e: git2::Error) -> Self {
        SyncError::Git(e)
    }
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> SyncError {
    let what = what.into();
    move |e| SyncError::Io(what, e)
}

/// Whether libgit2 can fetch shallow over this URL: its local transport (`file://`, plain paths)
/// cannot, so those are cloned in full.
pub fn supports_shallow(url: &str) -> bool {
    match url.split_once("://") {
        Some((scheme, _)) => ["git", "http", "https", "ssh", "git+ssh", "ssh+git"]
            .iter()
            .any(|s| s.eq_ignore_ascii_case(scheme)),
        // scp-like `user@host:path`; a plain path has no colon before its first slash.
        None => url
            .split('/')
            .next()
            .is_some_and(|first| first.contains(':')),
    }
}

/// Clones into a fresh directory under `<workspace>/tmp/`, then renames it into place.
fn clone(
    workspace: &Path,
    name: &str,
    checkout: &Path,
    url: &str,
    branch: Option<&str>,
    options: &SyncOptions,
    progress: &dyn Fn(Transfer),
) -> Result<Synced, SyncError> {
    let tmp_root = workspace.join("tmp");
    std::fs::create_dir_all(&tmp_root)
        .map_err(io(format!("cannot create {}", tmp_root.display())))?;
    // `@` cannot occur in a repository name, so this prefix belongs to this repository alone.
    let prefix = format!("{}.", name.replace('/', "@"));
    remove_stale(&tmp_root, &prefix);
    let tmp = tmp_root.join(format!("{prefix}{}", std::process::id()));

    let result = (|| {
        let repo = Repository::init(&tmp)?;
        repo.remote("origin", url)?;
        let (oid, branch) = fetch_and_checkout(&repo, url, branch, options, progress)?;
        let shallow = repo.is_shallow();
        drop(repo);
        let parent = checkout
            .parent()
            .expect("checkout dirs are <workspace>/repos/<owner>/<repo>");
        std::fs::create_dir_all(parent)
            .map_err(io(format!("cannot create {}", parent.display())))?;
        std::fs::rename(&tmp, checkout).map_err(io(format!(
            "cannot move the clone to {}",
            checkout.display()
        )))?;
        let depth = match (shallow, options.depth) {
            (true, _) => "shallow",
            (false, 0) => "full history",
            (false, _) => "full history: libgit2 cannot fetch shallow over this transport",
        };
        Ok(Synced::new(
            Status::Cloned,
            format!("{branch} at {} ({depth})", short(oid)),
        ))
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

/// Removes what earlier, interrupted clones of this repository left in `tmp/`.
fn remove_stale(tmp_root: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(tmp_root) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(prefix) {
            let path = entry.path();
            let _ = std::fs::remove_dir_all(&path).or_else(|_| std::fs::remove_file(&path));
        }
    }
}

/// Fetches an existing checkout and moves it to the remote tip, unless it has local changes.
fn update(
    checkout: &Path,
    url: &str,
    branch: Option<&str>,
    options: &SyncOptions,
    progress: &dyn Fn(Transfer),
) -> Result<Synced, SyncError> {
    let repo = match Repository::open(checkout) {
        Ok(repo) => repo,
        Err(e) => {
            if std::fs::read_dir(checkout).is_ok_and(|mut d| d.next().is_none()) {
                std::fs::remove_dir(checkout)
                    .map_err(io(format!("cannot remove empty {}", checkout.display())))?;
                return Err(SyncError::Other(
                    FailureKind::Io,
                    format!(
                        "{} was an empty directory; removed it, run sync again",
                        checkout.display()
                    ),
                ));
            }
            return Err(SyncError::Other(
                FailureKind::Git,
                format!(
                    "{} exists but is not a git checkout ({}); move it away and run sync again",
                    checkout.display(),
                    e.message()
                ),
            ));
        }
    };
    if let Some(why) = local_changes(&repo)? {
        return Ok(Synced::new(
            Status::SkippedLocalChanges,
            format!("local changes: left alone ({why})"),
        ));
    }
    let origin_url = repo
        .find_remote("origin")
        .ok()
        .and_then(|r| r.url().ok().map(str::to_string));
    if origin_url.as_deref() != Some(url) {
        if origin_url.is_none() {
            repo.remote("origin", url)?;
        } else {
            repo.remote_set_url("origin", url)?;
        }
    }
    let before = repo.head().ok().and_then(|h| h.target());
    let head_ref = repo
        .head()
        .ok()
        .and_then(|h| h.name().ok().map(str::to_string));
    let (oid, branch) = fetch_and_checkout(&repo, url, branch, options, progress)?;
    let on_branch = head_ref.as_deref() == Some(&format!("refs/heads/{branch}"));
    if before == Some(oid) && on_branch {
        Ok(Synced::new(
            Status::Unchanged,
            format!("{branch} at {}", short(oid)),
        ))
    } else {
        let from = before.map_or_else(|| "nothing".to_string(), short);
        Ok(Synced::new(
            Status::Updated,
            format!("{branch} {from} → {}", short(oid)),
        ))
    }
}

/// Why a checkout must be left alone, if it must: uncommitted or untracked (non-ignored) files,
/// or a HEAD commit that no remote-tracking branch contains.
fn local_changes(repo: &Repository) -> Result<Option<String>, SyncError> {
    let mut status_options = git2::StatusOptions::new();
    status_options
        .include_untracked(true)
        .include_ignored(false)
        .recurse_untracked_dirs(false)
        .exclude_submodules(true);
    let statuses = repo.statuses(Some(&mut status_options))?;
    if !statuses.is_empty() {
        let first = statuses
            .iter()
            .next()
            .and_then(|s| s.path().ok().map(str::to_string))
            .unwrap_or_default();
        let n = statuses.len();
        let more = if n > 1 {
            format!(" and {} more", n - 1)
        } else {
            String::new()
        };
        return Ok(Some(format!("uncommitted changes: {first}{more}")));
    }
    let Some(head) = repo.head().ok().and_then(|h| h.target()) else {
        return Ok(None);
    };
    let mut contained = false;
    for reference in repo.references_glob("refs/remotes/origin/*")?.flatten() {
        if let Some(tip) = reference.target()
            && (tip == head || repo.graph_descendant_of(tip, head).unwrap_or(false))
        {
            contained = true;
            break;
        }
    }
    Ok((!contained).then(|| format!("commit {} is not on the remote", short(head))))
}

/// Fetches the branch to track and checks it out as a local branch tracking `origin/<branch>`.
/// Returns the tip and the branch name.
fn fetch_and_checkout(
    repo: &Repository,
    url: &str,
    branch: Option<&str>,
    options: &SyncOptions,
    progress: &dyn Fn(Transfer),
) -> Result<(Oid, String), SyncError> {
    let shallow = options.depth > 0 && supports_shallow(url);
    let mut remote = repo.find_remote("origin")?;
    let mut connect_callbacks = RemoteCallbacks::new();
    connect_callbacks.credentials(options.auth.callback());
    let mut connection = remote.connect_auth(Direction::Fetch, Some(connect_callbacks), None)?;
    let branch = match branch {
        Some(b) => b.to_string(),
        None => default_branch(&connection)?,
    };
    let mut callbacks = RemoteCallbacks::new();
    callbacks.credentials(options.auth.callback());
    callbacks.transfer_progress(|stats| {
        progress(Transfer {
            received_objects: stats.received_objects(),
            total_objects: stats.total_objects(),
            received_bytes: stats.received_bytes(),
        });
        true
    });
    let mut fetch = FetchOptions::new();
    fetch
        .remote_callbacks(callbacks)
        .download_tags(AutotagOption::None);
    if shallow {
        fetch.depth(i32::try_from(options.depth).unwrap_or(i32::MAX));
    }
    let refspec = format!("+refs/heads/{branch}:refs/remotes/origin/{branch}");
    connection
        .remote()
        .fetch(&[refspec.as_str()], Some(&mut fetch), Some("drydock sync"))?;
    drop(connection);

    let tracking = format!("refs/remotes/origin/{branch}");
    let oid = repo.refname_to_id(&tracking).map_err(|_| {
        SyncError::Other(
            FailureKind::NotFound,
            format!("branch {branch:?} not found on the remote"),
        )
    })?;
    let commit = repo.find_commit(oid)?;
    let local = format!("refs/heads/{branch}");
    let already_there = repo
        .head()
        .ok()
        .is_some_and(|h| h.name().ok() == Some(local.as_str()) && h.target() == Some(oid));
    if !already_there {
        // The worktree was checked clean above, so a forced checkout loses nothing.
        repo.checkout_tree(commit.as_object(), Some(CheckoutBuilder::new().force()))?;
        repo.reference(&local, oid, true, "drydock sync")?;
        repo.set_head(&local)?;
    }
    let mut local_branch = repo.find_branch(&branch, git2::BranchType::Local)?;
    if local_branch
        .upstream()
        .ok()
        .and_then(|u| u.get().name().ok().map(str::to_string))
        .as_deref()
        != Some(tracking.as_str())
    {
        local_branch.set_upstream(Some(&format!("origin/{branch}")))?;
    }
    Ok((oid, branch))
}

/// The branch the remote's HEAD points at, from the connection's advertisement.
fn default_branch(connection: &git2::RemoteConnection<'_, '_, '_>) -> Result<String, SyncError> {
    if let Ok(buf) = connection.default_branch()
        && let Some(name) = buf
            .as_str()
            .ok()
            .and_then(|s| s.strip_prefix("refs/heads/"))
    {
        return Ok(name.to_string());
    }
    // Servers that do not advertise the symref: the branch whose tip HEAD points at.
    let heads = connection.list()?;
    let head = heads.iter().find(|h| h.name() == "HEAD").map(|h| h.oid());
    let mut candidates = heads
        .iter()
        .filter(|h| Some(h.oid()) == head)
        .filter_map(|h| h.name().strip_prefix("refs/heads/"));
    candidates.next().map(str::to_string).ok_or_else(|| {
        SyncError::Other(
            FailureKind::NotFound,
            "the remote has no default branch (empty repository?); set `branch`".into(),
        )
    })
}

fn short(oid: Oid) -> String {
    oid.to_string()[..10].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shallow_support_by_transport() {
        for url in [
            "git://h/x",
            "https://github.com/o/r.git",
            "ssh://git@h/x",
            "git@github.com:o/r.git",
        ] {
            assert!(supports_shallow(url), "{url}");
        }
        for url in ["file:///srv/x.git", "/srv/x.git", "relative/x.git", "./x"] {
            assert!(!supports_shallow(url), "{url}");
        }
    }
}
