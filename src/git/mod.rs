//! Brings fleet repositories onto disk with git2: clones new ones into the workspace, fetches
//! existing ones, and leaves each checkout on a local branch that tracks the remote default branch
//! (or the configured `branch`) at its tip. Owns credentials (`auth`, `url`), the typed failure of
//! each repository (`error`), the `[git]` settings (`config`), the workspace lock (`lock`) and the
//! record of an update in progress (`marker`); running many repositories at once is the app's
//! worker pool.
//!
//! Safety rules: a checkout with local changes (modified or untracked files, or commits the remote
//! does not have) is never touched; a clone is made in `<workspace>/tmp/` and renamed into place
//! only once complete; an update records what it is doing in `.git/drydock-sync` before it writes
//! anything, so a run killed half-way is finished by the next one instead of looking like a
//! person's edits. Each repository has an overall deadline (`[git] timeout`) and a stall limit
//! (`[git] stall_timeout`).

mod auth;
pub mod commit;
pub mod config;
mod error;
mod lock;
mod marker;
mod url;

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use git2::{
    AutotagOption, Direction, FetchOptions, Oid, RemoteCallbacks, Repository,
    build::CheckoutBuilder,
};

pub use auth::{Auth, OwnerTokenFn, OwnerTokens};
pub use config::{GitSection, GitSettings};
pub use lock::{LockError, WorkspaceLock};

use crate::repo::{FailureKind, RepoFailure};
use error::Scrub;
use marker::Marker;
use url::RemoteUrl;

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
    /// `[git]`: the deadline and stall limit of each repository.
    pub git: GitSettings,
}

/// Transfer progress of one repository, as libgit2 reports it.
#[derive(Debug, Clone, Copy)]
pub struct Transfer {
    pub received_objects: usize,
    pub total_objects: usize,
    pub received_bytes: usize,
}

/// Where a repository to sync comes from.
#[derive(Debug, Clone)]
pub enum Origin {
    /// A URL to clone and fetch (it may carry credentials; they never reach `.git/config`).
    Remote { url: String },
    /// A `path =` repository: used in place, nothing to connect to.
    Local { path: PathBuf },
}

/// One repository to sync: its fleet name (`owner/repo`), where it comes from, the branch to
/// track (the remote's default when `None`) and where its checkout lives.
#[derive(Debug, Clone)]
pub struct Job {
    pub name: String,
    pub origin: Origin,
    pub branch: Option<String>,
    pub checkout: PathBuf,
}

impl Job {
    pub fn is_local(&self) -> bool {
        matches!(self.origin, Origin::Local { .. })
    }
}

/// Process-wide libgit2 settings for syncing. Call once before starting the threads that sync;
/// the first call's settings stay.
pub fn configure_libgit2(settings: &GitSettings) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    let stall_ms = i32::try_from(settings.stall_timeout.as_millis()).unwrap_or(i32::MAX);
    ONCE.call_once(|| {
        // Every object arrives through the pack indexer, which computes its id from its content,
        // so hashing each blob again when checkout reads it only costs time.
        git2::opts::strict_hash_verification(false);
        // A server that accepts the connection and then sends nothing must not hang the sync:
        // each connect and each read gives up after the stall limit. A server that sends a byte
        // now and then is stopped by the overall deadline instead.
        // SAFETY: libgit2 globals, set once before any thread that uses libgit2 is started.
        unsafe {
            let _ = git2::opts::set_server_connect_timeout_in_milliseconds(stall_ms);
            let _ = git2::opts::set_server_timeout_in_milliseconds(stall_ms);
        }
    });
}

/// What the thread doing one repository's sync sends back.
enum Message {
    Progress(Transfer),
    Done(Result<Synced, RepoFailure>),
}

/// Syncs one repository (blocking), within `[git] timeout`. Never panics on git trouble: every
/// failure becomes a [`RepoFailure`] with the token and any URL credentials scrubbed from it.
///
/// The work runs on a thread of its own: libgit2 cannot be interrupted while it waits on a
/// socket, so at the deadline this returns "timed out" and leaves the thread to stop at its next
/// callback (or with the process). It checks the cancel flag before it moves a clone into place
/// or touches a worktree, and the update record makes even a later kill harmless.
pub fn sync_one(
    workspace: &Path,
    job: &Job,
    options: &SyncOptions,
    progress: &dyn Fn(Transfer),
) -> Result<Synced, RepoFailure> {
    let url = match &job.origin {
        Origin::Local { path } => {
            return Ok(Synced::new(
                Status::Local,
                format!("used in place: {}", path.display()),
            ));
        }
        Origin::Remote { url } => url,
    };
    let remote = url::split_credentials(url);
    let scrub = Scrub::new(&options.auth, remote.credentials.as_ref());
    let shown_url = scrub.apply(&url::redact_userinfo(url));
    tracing::debug!(repo = %job.name, url = %shown_url, "sync");

    let cancel = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel();
    {
        let (workspace, job, options, cancel, shown_url) = (
            workspace.to_path_buf(),
            job.clone(),
            options.clone(),
            cancel.clone(),
            shown_url.clone(),
        );
        let spawned = std::thread::Builder::new()
            .name(format!("sync {}", job.name))
            .spawn(move || {
                let progress_tx = tx.clone();
                let report = |t| {
                    let _ = progress_tx.send(Message::Progress(t));
                };
                let work = Work {
                    remote: &remote,
                    options: &options,
                    cancel: &cancel,
                    progress: &report,
                };
                let result = work.sync(&workspace, &job).map_err(|e| {
                    let scrub = Scrub::new(&options.auth, remote.credentials.as_ref());
                    e.into_failure(&shown_url, &scrub)
                });
                let _ = tx.send(Message::Done(result));
            });
        if let Err(e) = spawned {
            return Err(RepoFailure::new(
                FailureKind::Io,
                format!("cannot start a thread: {e}"),
            ));
        }
    }
    let timeout = options.git.timeout;
    let deadline = Instant::now() + timeout;
    loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(Message::Progress(t)) => progress(t),
            Ok(Message::Done(result)) => return result,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                cancel.store(true, Ordering::Relaxed);
                return Err(RepoFailure::new(
                    FailureKind::Network,
                    format!(
                        "timed out after {} s (`[git] timeout`): the sync of this repository was stopped ({shown_url})",
                        timeout.as_secs()
                    ),
                ));
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(RepoFailure::new(
                    FailureKind::Internal,
                    "internal error: the sync thread stopped without a result (a bug: please report it)",
                ));
            }
        }
    }
}

enum SyncError {
    Git(git2::Error),
    /// A network error after the server had sent nothing for this long (≥ the stall limit).
    Stalled(git2::Error, Duration),
    Io(String, std::io::Error),
    Other(FailureKind, String),
}

impl SyncError {
    fn into_failure(self, shown_url: &str, scrub: &Scrub) -> RepoFailure {
        match self {
            SyncError::Git(e) => error::classify(&e, shown_url, scrub, None),
            SyncError::Stalled(e, idle) => error::classify(&e, shown_url, scrub, Some(idle)),
            SyncError::Io(what, e) => {
                RepoFailure::new(FailureKind::Io, scrub.apply(&format!("{what}: {e}")))
            }
            SyncError::Other(kind, message) => RepoFailure::new(kind, scrub.apply(&message)),
        }
    }
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

/// The error for work the deadline cut short.
fn cancelled() -> SyncError {
    SyncError::Other(
        FailureKind::Network,
        "timed out (`[git] timeout`)".to_string(),
    )
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

/// One repository's sync, on its own thread: the URL split from its credentials, the options,
/// the deadline's cancel flag and where progress goes.
struct Work<'a> {
    remote: &'a RemoteUrl,
    options: &'a SyncOptions,
    cancel: &'a AtomicBool,
    progress: &'a dyn Fn(Transfer),
}

impl Work<'_> {
    fn sync(&self, workspace: &Path, job: &Job) -> Result<Synced, SyncError> {
        let branch = job.branch.as_deref();
        if job.checkout.exists() {
            self.update(&job.checkout, branch)
        } else {
            self.clone(workspace, &job.name, &job.checkout, branch)
        }
    }

    fn check_cancel(&self) -> Result<(), SyncError> {
        if self.cancel.load(Ordering::Relaxed) {
            Err(cancelled())
        } else {
            Ok(())
        }
    }

    /// Clones into a fresh directory under `<workspace>/tmp/`, then renames it into place.
    fn clone(
        &self,
        workspace: &Path,
        name: &str,
        checkout: &Path,
        branch: Option<&str>,
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
            repo.remote("origin", &self.remote.clean)?;
            let (oid, branch) = self.fetch_and_checkout(&repo, branch, false)?;
            let shallow = repo.is_shallow();
            drop(repo);
            self.check_cancel()?;
            let parent = checkout
                .parent()
                .expect("checkout dirs are <workspace>/repos/<owner>/<repo>");
            std::fs::create_dir_all(parent)
                .map_err(io(format!("cannot create {}", parent.display())))?;
            std::fs::rename(&tmp, checkout).map_err(io(format!(
                "cannot move the clone to {}",
                checkout.display()
            )))?;
            let depth = match (shallow, self.options.depth) {
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

    /// Fetches an existing checkout and moves it to the remote tip, unless it has local changes.
    /// Finishes an update an earlier run left half-done (see [`marker`]).
    fn update(&self, checkout: &Path, branch: Option<&str>) -> Result<Synced, SyncError> {
        let repo = open_checkout(checkout)?;
        let git_dir = repo.path().to_path_buf();
        let interrupted = Marker::read(&git_dir);
        let head = repo.head().ok().and_then(|h| h.target());
        if let Some(marker) = &interrupted {
            marker::remove_stale_locks(&git_dir);
            if let Some(path) = marker::unexplained_change(&repo, marker)? {
                return Ok(Synced::new(
                    Status::SkippedLocalChanges,
                    format!(
                        "local changes: left alone (an interrupted sync was not finished because of changes of your own: {path})"
                    ),
                ));
            }
            if let Some(head) = head
                && !marker.commits.contains(&head)
                && let Some(why) = unpublished_head(&repo, head)?
            {
                return Ok(Synced::new(
                    Status::SkippedLocalChanges,
                    format!("local changes: left alone ({why})"),
                ));
            }
        } else if let Some(why) = local_changes(&repo)? {
            return Ok(Synced::new(
                Status::SkippedLocalChanges,
                format!("local changes: left alone ({why})"),
            ));
        }

        // From here on drydock writes to the checkout: record it first.
        let mut record = interrupted.clone().unwrap_or_default();
        if let Some(head) = head {
            record.add(head);
        }
        record.write(&git_dir).map_err(io(format!(
            "cannot write {}",
            git_dir.join("drydock-sync").display()
        )))?;

        let origin_url = repo
            .find_remote("origin")
            .ok()
            .and_then(|r| r.url().ok().map(str::to_string));
        // A URL with credentials in it (written by earlier versions) is replaced too.
        if origin_url.as_deref() != Some(self.remote.clean.as_str()) {
            if origin_url.is_none() {
                repo.remote("origin", &self.remote.clean)?;
            } else {
                repo.remote_set_url("origin", &self.remote.clean)?;
            }
        }
        let head_ref = repo
            .head()
            .ok()
            .and_then(|h| h.name().ok().map(str::to_string));
        let finish = interrupted.is_some();
        let (oid, branch) = self.fetch_and_checkout_recorded(&repo, branch, finish, &mut record)?;
        Marker::remove(&git_dir).map_err(io(format!(
            "cannot remove {}",
            git_dir.join("drydock-sync").display()
        )))?;
        let on_branch = head_ref.as_deref() == Some(&format!("refs/heads/{branch}"));
        if finish {
            Ok(Synced::new(
                Status::Updated,
                format!(
                    "{branch} at {}: finished a sync that was interrupted",
                    short(oid)
                ),
            ))
        } else if head == Some(oid) && on_branch {
            Ok(Synced::new(
                Status::Unchanged,
                format!("{branch} at {}", short(oid)),
            ))
        } else {
            let from = head.map_or_else(|| "nothing".to_string(), short);
            Ok(Synced::new(
                Status::Updated,
                format!("{branch} {from} → {}", short(oid)),
            ))
        }
    }

    /// [`Self::fetch_and_checkout`] for an existing checkout: the target is added to the update
    /// record before the worktree is touched.
    fn fetch_and_checkout_recorded(
        &self,
        repo: &Repository,
        branch: Option<&str>,
        finish: bool,
        record: &mut Marker,
    ) -> Result<(Oid, String), SyncError> {
        let before_checkout = (|| {
            let branch = self.fetch(repo, branch)?;
            let oid = tracking_tip(repo, &branch)?;
            self.check_cancel()?;
            Ok((branch, oid))
        })();
        let (branch, oid) = match before_checkout {
            Ok(found) => found,
            Err(e) => {
                // A fetch that failed (rather than being killed) left the worktree as it was: the
                // record goes, unless it is an earlier run's, still to be finished.
                if !finish {
                    let _ = Marker::remove(repo.path());
                }
                return Err(e);
            }
        };
        record.add(oid);
        record.write(repo.path()).map_err(io(format!(
            "cannot write {}",
            repo.path().join("drydock-sync").display()
        )))?;
        checkout_branch(repo, &branch, oid, finish)?;
        Ok((oid, branch))
    }

    /// Fetches the branch to track and checks it out as a local branch tracking
    /// `origin/<branch>`. Returns the tip and the branch name.
    fn fetch_and_checkout(
        &self,
        repo: &Repository,
        branch: Option<&str>,
        finish: bool,
    ) -> Result<(Oid, String), SyncError> {
        let branch = self.fetch(repo, branch)?;
        let oid = tracking_tip(repo, &branch)?;
        self.check_cancel()?;
        checkout_branch(repo, &branch, oid, finish)?;
        Ok((oid, branch))
    }

    /// Connects, picks the branch (the configured one or the remote's default) and fetches it
    /// into `refs/remotes/origin/<branch>`.
    fn fetch(&self, repo: &Repository, branch: Option<&str>) -> Result<String, SyncError> {
        let shallow = self.options.depth > 0 && supports_shallow(&self.remote.clean);
        let stall = self.options.git.stall_timeout;
        // When the server last sent something (as far as libgit2 tells): a network error after
        // the stall limit of silence is a timeout, whatever words libgit2 found for it.
        let last_activity = Cell::new(Instant::now());
        let stalled = |e: git2::Error| {
            let idle = last_activity.get().elapsed();
            if idle + Duration::from_millis(500) >= stall {
                SyncError::Stalled(e, stall.max(idle.min(stall)))
            } else {
                SyncError::Git(e)
            }
        };
        let from_url = self.remote.credentials.as_ref();
        let mut remote = repo.find_remote("origin")?;
        let mut connect_callbacks = RemoteCallbacks::new();
        connect_callbacks.credentials(self.options.auth.callback(from_url));
        let mut connection = remote
            .connect_auth(Direction::Fetch, Some(connect_callbacks), None)
            .map_err(stalled)?;
        let branch = match branch {
            Some(b) => b.to_string(),
            None => default_branch(&connection)?,
        };
        self.check_cancel()?;
        let mut callbacks = RemoteCallbacks::new();
        callbacks.credentials(self.options.auth.callback(from_url));
        callbacks.sideband_progress(|_| {
            last_activity.set(Instant::now());
            !self.cancel.load(Ordering::Relaxed)
        });
        callbacks.transfer_progress(|stats| {
            last_activity.set(Instant::now());
            (self.progress)(Transfer {
                received_objects: stats.received_objects(),
                total_objects: stats.total_objects(),
                received_bytes: stats.received_bytes(),
            });
            !self.cancel.load(Ordering::Relaxed)
        });
        let mut fetch = FetchOptions::new();
        fetch
            .remote_callbacks(callbacks)
            .download_tags(AutotagOption::None);
        if shallow {
            fetch.depth(i32::try_from(self.options.depth).unwrap_or(i32::MAX));
        }
        let refspec = format!("+refs/heads/{branch}:refs/remotes/origin/{branch}");
        last_activity.set(Instant::now());
        let fetched =
            connection
                .remote()
                .fetch(&[refspec.as_str()], Some(&mut fetch), Some("drydock sync"));
        if let Err(e) = fetched {
            if self.cancel.load(Ordering::Relaxed) {
                return Err(cancelled());
            }
            return Err(stalled(e));
        }
        drop(connection);
        Ok(branch)
    }
}

/// Opens an existing checkout, or says what to do with a directory that is not one.
fn open_checkout(checkout: &Path) -> Result<Repository, SyncError> {
    match Repository::open(checkout) {
        Ok(repo) => Ok(repo),
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
            Err(SyncError::Other(
                FailureKind::Git,
                format!(
                    "{} exists but is not a git checkout ({}); move it away and run sync again",
                    checkout.display(),
                    e.message()
                ),
            ))
        }
    }
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
    match repo.head().ok().and_then(|h| h.target()) {
        Some(head) => unpublished_head(repo, head),
        None => Ok(None),
    }
}

/// Says so when no remote-tracking branch contains `head` (a commit of a person's own).
fn unpublished_head(repo: &Repository, head: Oid) -> Result<Option<String>, SyncError> {
    for reference in repo.references_glob("refs/remotes/origin/*")?.flatten() {
        if let Some(tip) = reference.target()
            && (tip == head || repo.graph_descendant_of(tip, head).unwrap_or(false))
        {
            return Ok(None);
        }
    }
    Ok(Some(format!("commit {} is not on the remote", short(head))))
}

/// The commit `origin/<branch>` points at after the fetch.
fn tracking_tip(repo: &Repository, branch: &str) -> Result<Oid, SyncError> {
    repo.refname_to_id(&format!("refs/remotes/origin/{branch}"))
        .map_err(|_| {
            SyncError::Other(
                FailureKind::NotFound,
                format!("branch {branch:?} not found on the remote"),
            )
        })
}

/// Puts the worktree, the local branch and HEAD at `oid`, the branch tracking `origin/<branch>`.
/// `finish`: an interrupted update is being completed, so the checkout happens even when HEAD
/// already points there, and untracked files (all of them the interrupted update's, as checked)
/// are removed.
fn checkout_branch(
    repo: &Repository,
    branch: &str,
    oid: Oid,
    finish: bool,
) -> Result<(), SyncError> {
    let tracking = format!("refs/remotes/origin/{branch}");
    let commit = repo.find_commit(oid)?;
    let local = format!("refs/heads/{branch}");
    let already_there = repo
        .head()
        .ok()
        .is_some_and(|h| h.name().ok() == Some(local.as_str()) && h.target() == Some(oid));
    if finish || !already_there {
        // The worktree was checked clean (or explained) above, so a forced checkout loses nothing.
        let mut builder = CheckoutBuilder::new();
        builder.force();
        if finish {
            builder.remove_untracked(true);
        }
        repo.checkout_tree(commit.as_object(), Some(&mut builder))?;
        repo.reference(&local, oid, true, "drydock sync")?;
        repo.set_head(&local)?;
    }
    let mut local_branch = repo.find_branch(branch, git2::BranchType::Local)?;
    if local_branch
        .upstream()
        .ok()
        .and_then(|u| u.get().name().ok().map(str::to_string))
        .as_deref()
        != Some(tracking.as_str())
    {
        local_branch.set_upstream(Some(&format!("origin/{branch}")))?;
    }
    Ok(())
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
