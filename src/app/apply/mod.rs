//! `apply`: what `plan` computes reaches every repository as drydock's pull request, and keeps
//! reaching it on every rerun without duplicates and without trampling on people.
//!
//! Each repository goes through a small state machine, one file per step, every step written to
//! the run's journal ([`journal`]) and fsynced before its effect is sent:
//!
//! 1. [`fetch`]: fetch the repository as `sync` does and plan it against the default branch's
//!    current tip (git work, at most `--jobs` at once).
//! 2. [`observe`]: one GraphQL query per 50 repositories: archived, default branch head,
//!    drydock's branch head, the newest pull request from that branch (any state) with its
//!    content marker; then, locally, whether the branch's head is drydock's own commit.
//! 3. [`decide`]: pure: plan + observation → one [`decide::Action`].
//! 4. [`commit`]: the commit, built in the checkout's object database.
//! 5. [`deliver`]: a git2 push with a lease, or `createCommitOnBranch` (`[apply] commit =
//!    "api"`), after checking that the credentials may write `.github/workflows/*`.
//! 6. [`pull`] (open, update, reopen), [`labels`] (labels, assignees, reviewers), [`close`] (with
//!    a comment saying why), [`prune`] (drydock's own branch of a merged or declined PR).
//!
//! API work is bounded by the forge's pacer (`[github] concurrency` and GitHub's limits); one
//! failing repository never stops the others. `--dry-run` observes (reads) and decides, and
//! sends nothing.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use serde::{Serialize, Serializer};

use super::{Error, Selection, Target, UsageError};
use crate::forge::Forge;
use crate::forge::github::GitHub;
use crate::forge::pacer::{Wait, WaitObserver};
use crate::git::{Auth, OwnerTokenFn, OwnerTokens, WorkspaceLock};
use crate::inventory::{Fleet, github_token};

pub mod close;
pub mod commit;
pub mod decide;
pub mod deliver;
pub mod fetch;
pub mod journal;
pub mod labels;
pub mod observe;
pub mod prune;
pub mod pull;
pub mod render;

mod engine;

/// What to apply, and how.
#[derive(Debug, Clone, Default)]
pub struct ApplyOptions {
    pub selection: Selection,
    /// Observe and decide, send nothing; show each repository's commit and pull request.
    pub dry_run: bool,
    /// Continue the newest unfinished run: its repositories that did not finish.
    pub resume: bool,
    /// Retry the failures of the newest run.
    pub only_failed: bool,
    /// Reopen (or open again) pull requests that were closed without merging.
    pub reopen: bool,
    /// Delete drydock's own branch of merged or declined pull requests.
    pub prune: bool,
    /// Repositories fetched, committed and pushed at once [default: `jobs` in fleet.toml].
    pub jobs: Option<usize>,
}

/// What became of one repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ApplyResult {
    Opened,
    Updated,
    Unchanged,
    Closed,
    Declined,
    Merged,
    Blocked,
    NoChange,
    Failed,
}

impl ApplyResult {
    pub fn as_str(self) -> &'static str {
        match self {
            ApplyResult::Opened => "opened",
            ApplyResult::Updated => "updated",
            ApplyResult::Unchanged => "unchanged",
            ApplyResult::Closed => "closed",
            ApplyResult::Declined => "declined",
            ApplyResult::Merged => "merged",
            ApplyResult::Blocked => "blocked",
            ApplyResult::NoChange => "no-change",
            ApplyResult::Failed => "failed",
        }
    }
}

impl Serialize for ApplyResult {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A pull request, as the report names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PrRef {
    pub number: u64,
    pub url: String,
}

/// One repository's line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepoOutcome {
    pub name: String,
    pub result: ApplyResult,
    pub pr: Option<PrRef>,
    pub reason: Option<String>,
}

/// What a dry run would send to one repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub name: String,
    /// What drydock would do, in words (`open a pull request`, `close #3`).
    pub action: String,
    pub branch: String,
    /// The commit's files (path, new contents); empty when no commit would be made.
    pub files: Vec<(String, String)>,
    pub message: Option<String>,
    pub title: Option<String>,
    pub body: Option<String>,
}

/// The whole run. JSON: `{"version":1,"run":"<id>","repos":[..]}`.
#[derive(Debug, Clone, Serialize)]
pub struct ApplyReport {
    pub run: String,
    pub repos: Vec<RepoOutcome>,
    /// `--dry-run`: what each repository would get.
    #[serde(skip)]
    pub proposals: Vec<Proposal>,
    #[serde(skip)]
    pub dry_run: bool,
}

impl ApplyReport {
    /// How many repositories failed (exit status 3 when any).
    pub fn failed(&self) -> usize {
        self.repos
            .iter()
            .filter(|r| r.result == ApplyResult::Failed)
            .count()
    }
}

/// Hears what the run does, for the command line's progress display.
pub trait Observer: Send + Sync {
    /// A wait for GitHub's limits.
    fn wait(&self, _wait: &Wait) {}
    /// A repository reached a step (`fetch`, `push`, `pr-create`, ...).
    fn step(&self, _repo: &str, _step: &str) {}
    /// A repository is done.
    fn finished(&self, _outcome: &RepoOutcome) {}
}

/// An observer that hears nothing.
pub struct Quiet;

impl Observer for Quiet {}

/// Runs `apply` against the fleet's GitHub (`[github]`, the token or the App) on a runtime of
/// its own. Holds the workspace lock for the run: `sync` and another `apply` wait their turn.
pub fn apply(options: &ApplyOptions, observer: Arc<dyn Observer>) -> Result<ApplyReport, Error> {
    let (fleet, targets) = load(options)?;
    apply_fleet(&fleet, &targets, options, observer)
}

/// [`apply`] on a fleet and targets the caller has loaded (`onboard`: the fleet with the entry
/// it adds, which `--dry-run` never writes to disk).
pub fn apply_fleet(
    fleet: &Fleet,
    targets: &[Target],
    options: &ApplyOptions,
    observer: Arc<dyn Observer>,
) -> Result<ApplyReport, Error> {
    let runtime = runtime()?;
    let hears = observer.clone();
    let on_wait: WaitObserver = Arc::new(move |wait: &Wait| hears.wait(wait));
    let forge = super::github_client(fleet, on_wait, Duration::from_secs(30))?;
    let auth = git_auth(fleet, &forge, runtime.handle().clone());
    let _lock = WorkspaceLock::acquire(&fleet.workspace).map_err(anyhow::Error::from)?;
    let report = engine::run(
        &engine::Engine {
            forge: &forge,
            fleet,
            auth: &auth,
            runtime: runtime.handle(),
            options,
        },
        targets,
        observer.as_ref(),
    );
    let (requests, not_modified) = forge.stats();
    tracing::info!("GitHub requests: {requests} ({not_modified} answered 304 from the cache)");
    report
}

/// Runs `apply` with a forge and git credentials of the caller's (tests: [`crate::forge::memory::MemoryForge`]).
pub fn apply_with<F: Forge>(
    forge: &F,
    auth: &Auth,
    options: &ApplyOptions,
    observer: &dyn Observer,
) -> Result<ApplyReport, Error> {
    let (fleet, targets) = load(options)?;
    let runtime = runtime()?;
    let _lock = WorkspaceLock::acquire(&fleet.workspace).map_err(anyhow::Error::from)?;
    engine::run(
        &engine::Engine {
            forge,
            fleet: &fleet,
            auth,
            runtime: runtime.handle(),
            options,
        },
        &targets,
        observer,
    )
}

fn load(options: &ApplyOptions) -> Result<(Fleet, Vec<Target>), Error> {
    if options.selection.path.is_some() {
        return Err(
            UsageError::new("apply works on the fleet: --path is not accepted")
                .with_help("name repositories with --repo OWNER/NAME")
                .into(),
        );
    }
    let (fleet, _) = super::load_config(&options.selection)?;
    let targets = super::targets(&fleet, &options.selection)?;
    Ok((fleet, targets))
}

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("drydock-apply")
        .enable_all()
        .build()
        .context("cannot start the async runtime")?)
}

/// How git pushes: with an App, the installation token of each owner from the same client the
/// API uses (one token cache, renewed before expiry and after a refusal); else the token.
fn git_auth(fleet: &Fleet, forge: &GitHub, handle: tokio::runtime::Handle) -> Auth {
    let token_host = fleet.github.web_host();
    if fleet.forge.app.is_none() {
        return Auth {
            token: github_token(),
            token_host,
            owner_tokens: None,
        };
    }
    let forge = forge.clone();
    let fetch: Arc<OwnerTokenFn> = Arc::new(move |owner, refused| {
        handle
            .block_on(forge.git_token(owner, refused))
            .map_err(|e| e.to_string().replace("\n  help: ", "; "))
    });
    Auth {
        token: None,
        token_host,
        owner_tokens: Some(OwnerTokens::new(fetch)),
    }
}

/// Where a run's journal lives.
pub fn runs_dir(fleet: &Fleet) -> PathBuf {
    fleet.workspace.join("runs")
}

/// The planned files of a repository, for hashing and committing.
pub(crate) fn planned_files(plan: &crate::plan::RepoPlan) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = plan
        .changes
        .iter()
        .map(|c| (c.path.clone(), c.content.clone()))
        .collect();
    files.sort();
    files
}
