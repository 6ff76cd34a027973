//! drydock's own commits, for `apply`: built in a synced checkout's object database without
//! touching its worktree or branches (tree = the default branch's tip tree plus exactly the
//! planned files, parent = that tip), kept reachable under `refs/drydock/<branch>`, read back
//! to tell drydock's commits from anyone else's, and pushed to drydock's branch with a lease.
//!
//! The lease: the push connects, reads the branch's head from the server's advertisement, and
//! goes ahead only when it is the head `apply` observed (or the branch is absent, as observed).
//! The push then names that head as the old value, and the server updates the ref only if it
//! still holds it, so a commit someone pushed in between is never overwritten.
//!
//! Credentials go through the same callback as `sync` (the token only to its own host); every
//! message is scrubbed of them.

use std::cell::RefCell;
use std::path::Path;

use git2::{Direction, FetchOptions, Oid, PushOptions, RemoteCallbacks, Repository, Signature};

use super::error::{Scrub, classify};
use super::url::{redact_userinfo, split_credentials};
use super::{Auth, supports_shallow};
use crate::repo::{FailureKind, RepoFailure};

/// Where drydock keeps its commit of a branch reachable in the checkout.
pub fn local_ref(branch: &str) -> String {
    format!("refs/drydock/{branch}")
}

/// Where the remote branch's head lands when it is fetched to be inspected.
fn fetched_ref(branch: &str) -> String {
    format!("refs/drydock-remote/{branch}")
}

/// A commit's author and committer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub email: String,
}

/// A commit to build: the planned files over the parent's tree.
#[derive(Debug, Clone)]
pub struct NewCommit<'a> {
    pub parent: &'a str,
    /// Repository-relative paths and their full new contents.
    pub files: &'a [(String, Vec<u8>)],
    pub author: &'a Person,
    pub committer: &'a Person,
    pub message: &'a str,
    /// drydock's branch: the commit is kept under [`local_ref`] of it.
    pub branch: &'a str,
}

/// What `apply` needs to know of a commit on its branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitFacts {
    pub sha: String,
    pub parents: Vec<String>,
    pub author: Person,
    pub message: String,
}

/// Removes the lock file a killed run left on one of drydock's own refs (`refs/drydock/..`,
/// `refs/drydock-remote/..`), which git would otherwise refuse to write ever again: `apply`
/// holds the workspace lock, so no other drydock is writing them, and nothing else writes them.
fn remove_stale_ref_lock(repo: &Repository, refname: &str) {
    let _ = std::fs::remove_file(repo.path().join(format!("{refname}.lock")));
}

fn git_failure(e: &git2::Error, what: &str) -> RepoFailure {
    RepoFailure::new(FailureKind::Git, format!("{what}: {}", e.message().trim()))
}

/// The commit `refs/remotes/origin/<branch>` points at in the checkout (what `sync` fetched).
pub fn tracking_tip(checkout: &Path, branch: &str) -> Result<String, RepoFailure> {
    let repo =
        Repository::open(checkout).map_err(|e| git_failure(&e, "cannot open the checkout"))?;
    repo.refname_to_id(&format!("refs/remotes/origin/{branch}"))
        .map(|oid| oid.to_string())
        .map_err(|e| git_failure(&e, &format!("no fetched {branch} in the checkout")))
}

/// Builds the commit in the checkout's object database and returns its SHA. The worktree, the
/// index and every branch stay as they are.
pub fn build(checkout: &Path, new: &NewCommit<'_>) -> Result<String, RepoFailure> {
    let repo =
        Repository::open(checkout).map_err(|e| git_failure(&e, "cannot open the checkout"))?;
    let parent_oid =
        Oid::from_str(new.parent).map_err(|e| git_failure(&e, "the parent is not a commit id"))?;
    let parent = repo
        .find_commit(parent_oid)
        .map_err(|e| git_failure(&e, "the default branch's tip is not in the checkout"))?;
    let base = parent
        .tree()
        .map_err(|e| git_failure(&e, "cannot read the tip's tree"))?;
    let mut index = git2::Index::new().map_err(|e| git_failure(&e, "cannot make an index"))?;
    index
        .read_tree(&base)
        .map_err(|e| git_failure(&e, "cannot read the tip's tree"))?;
    for (path, contents) in new.files {
        // An existing file keeps its mode (an executable stays executable).
        let mode = index
            .get_path(Path::new(path), 0)
            .map_or(0o100_644, |e| e.mode);
        let blob = repo
            .blob(contents)
            .map_err(|e| git_failure(&e, &format!("cannot store {path}")))?;
        let entry = git2::IndexEntry {
            ctime: git2::IndexTime::new(0, 0),
            mtime: git2::IndexTime::new(0, 0),
            dev: 0,
            ino: 0,
            mode,
            uid: 0,
            gid: 0,
            file_size: u32::try_from(contents.len()).unwrap_or(u32::MAX),
            id: blob,
            flags: 0,
            flags_extended: 0,
            path: path.as_bytes().to_vec(),
        };
        index
            .add(&entry)
            .map_err(|e| git_failure(&e, &format!("cannot stage {path}")))?;
    }
    let tree_oid = index
        .write_tree_to(&repo)
        .map_err(|e| git_failure(&e, "cannot write the tree"))?;
    let tree = repo
        .find_tree(tree_oid)
        .map_err(|e| git_failure(&e, "cannot read the new tree"))?;
    let signature = |p: &Person| {
        Signature::now(&p.name, &p.email).map_err(|e| git_failure(&e, "a bad commit identity"))
    };
    let author = signature(new.author)?;
    let committer = signature(new.committer)?;
    let oid = repo
        .commit(None, &author, &committer, new.message, &tree, &[&parent])
        .map_err(|e| git_failure(&e, "cannot write the commit"))?;
    remove_stale_ref_lock(&repo, &local_ref(new.branch));
    repo.reference(&local_ref(new.branch), oid, true, "drydock apply")
        .map_err(|e| git_failure(&e, "cannot keep the commit"))?;
    Ok(oid.to_string())
}

/// The paths a commit changes against its first parent (for the workflow permission check and
/// the dry run).
pub fn facts(checkout: &Path, sha: &str) -> Option<CommitFacts> {
    let repo = Repository::open(checkout).ok()?;
    let commit = repo.find_commit(Oid::from_str(sha).ok()?).ok()?;
    let author = commit.author();
    Some(CommitFacts {
        sha: sha.to_string(),
        parents: commit.parent_ids().map(|p| p.to_string()).collect(),
        author: Person {
            name: author.name().unwrap_or_default().to_string(),
            email: author.email().unwrap_or_default().to_string(),
        },
        message: commit.message().unwrap_or_default().to_string(),
    })
}

/// Fetches drydock's branch head from `url` (one commit deep where the transport allows it),
/// so [`facts`] can read it. Returns the fetched head, or `None` when the branch is gone.
pub fn fetch_branch(
    checkout: &Path,
    url: &str,
    branch: &str,
    auth: &Auth,
) -> Result<Option<String>, RepoFailure> {
    let remote_url = split_credentials(url);
    let scrub = Scrub::new(auth, remote_url.credentials.as_ref());
    let shown = scrub.apply(&redact_userinfo(url));
    let fail = |e: &git2::Error| classify(e, &shown, &scrub, None);
    let repo =
        Repository::open(checkout).map_err(|e| git_failure(&e, "cannot open the checkout"))?;
    let mut remote = repo
        .remote_anonymous(&remote_url.clean)
        .map_err(|e| fail(&e))?;
    let mut callbacks = RemoteCallbacks::new();
    callbacks.credentials(auth.callback(remote_url.credentials.as_ref()));
    let mut options = FetchOptions::new();
    options
        .remote_callbacks(callbacks)
        .download_tags(git2::AutotagOption::None);
    if supports_shallow(&remote_url.clean) {
        options.depth(1);
    }
    let target = fetched_ref(branch);
    remove_stale_ref_lock(&repo, &target);
    let _ = repo.find_reference(&target).and_then(|mut r| r.delete());
    let refspec = format!("+refs/heads/{branch}:{target}");
    match remote.fetch(
        &[refspec.as_str()],
        Some(&mut options),
        Some("drydock apply"),
    ) {
        Ok(()) => {}
        // A branch that is not there: nothing fetched.
        Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
        Err(e) => return Err(fail(&e)),
    }
    Ok(repo.refname_to_id(&target).ok().map(|o| o.to_string()))
}

/// Why a push did not happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushError {
    /// The branch is not where `apply` observed it: someone pushed in between.
    Moved { now: Option<String> },
    /// The server refused the update; its words (a hook's message among them).
    Refused(String),
    /// Could not connect, authenticate, or send.
    Failed(RepoFailure),
}

/// Pushes `sha` to `refs/heads/<branch>` of `url`, forced, but only if the branch is still at
/// `expected` (`None`: absent), as the module's doc comment describes.
pub fn push(
    checkout: &Path,
    url: &str,
    sha: &str,
    branch: &str,
    expected: Option<&str>,
    auth: &Auth,
) -> Result<(), PushError> {
    let remote_url = split_credentials(url);
    let scrub = Scrub::new(auth, remote_url.credentials.as_ref());
    let shown = scrub.apply(&redact_userinfo(url));
    let fail = |e: &git2::Error| PushError::Failed(classify(e, &shown, &scrub, None));
    let repo = Repository::open(checkout)
        .map_err(|e| PushError::Failed(git_failure(&e, "cannot open the checkout")))?;
    let mut remote = repo
        .remote_anonymous(&remote_url.clean)
        .map_err(|e| fail(&e))?;
    let from_url = remote_url.credentials.as_ref();
    let mut connect = RemoteCallbacks::new();
    connect.credentials(auth.callback(from_url));
    let mut connection = remote
        .connect_auth(Direction::Push, Some(connect), None)
        .map_err(|e| fail(&e))?;
    let wanted = format!("refs/heads/{branch}");
    let now = connection
        .list()
        .map_err(|e| fail(&e))?
        .iter()
        .find(|h| h.name() == wanted)
        .map(|h| h.oid().to_string());
    if now.as_deref() != expected {
        return Err(PushError::Moved { now });
    }
    let refused: RefCell<Option<String>> = RefCell::new(None);
    let said: RefCell<String> = RefCell::new(String::new());
    let result = {
        let mut callbacks = RemoteCallbacks::new();
        callbacks.credentials(auth.callback(from_url));
        callbacks.push_update_reference(|_, status| {
            if let Some(s) = status {
                *refused.borrow_mut() = Some(s.to_string());
            }
            Ok(())
        });
        callbacks.sideband_progress(|text| {
            let mut said = said.borrow_mut();
            if said.len() < 4096 {
                said.push_str(&String::from_utf8_lossy(text));
            }
            true
        });
        let mut options = PushOptions::new();
        options.remote_callbacks(callbacks);
        let refspec = format!("+{sha}:{wanted}");
        connection
            .remote()
            .push(&[refspec.as_str()], Some(&mut options))
    };
    let server_said = || {
        let said = said.borrow();
        let lines: Vec<&str> = said
            .lines()
            .map(|l| l.trim().trim_start_matches("remote:").trim())
            .filter(|l| !l.is_empty())
            .collect();
        scrub.apply(&lines.join("; "))
    };
    if let Some(status) = refused.borrow().clone() {
        let said = server_said();
        return Err(PushError::Refused(if said.is_empty() {
            scrub.apply(&status)
        } else {
            format!("{}: {said}", scrub.apply(&status))
        }));
    }
    match result {
        Ok(()) => Ok(()),
        Err(e) => {
            let said = server_said();
            if said.is_empty() {
                Err(fail(&e))
            } else {
                Err(PushError::Refused(format!(
                    "{}: {said}",
                    scrub.apply(e.message().trim())
                )))
            }
        }
    }
}

/// The branch a synced checkout is on and the tip of its remote-tracking branch.
pub fn checked_out(checkout: &Path) -> Result<(String, String), RepoFailure> {
    let repo =
        Repository::open(checkout).map_err(|e| git_failure(&e, "cannot open the checkout"))?;
    let head = repo
        .head()
        .map_err(|e| git_failure(&e, "the checkout has no branch checked out"))?;
    let branch = head
        .shorthand()
        .ok()
        .filter(|_| head.is_branch())
        .ok_or_else(|| RepoFailure::new(FailureKind::Git, "the checkout is not on a branch"))?
        .to_string();
    let tip = tracking_tip(checkout, &branch)?;
    Ok((branch, tip))
}
