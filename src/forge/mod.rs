//! The forge adapter: the only module that talks to a forge's API (GitHub today). The use cases
//! see the [`Forge`] trait and its plain types, never HTTP; [`github::GitHub`] implements it
//! against GitHub's REST and GraphQL APIs and [`memory::MemoryForge`] in memory, for tests of
//! the use cases.
//!
//! Layout: [`host`] (github.com or an Enterprise Server, where a token may go), [`auth`] (token
//! or App), [`pacer`] (secondary and primary limits, every wait reported), [`cache`] (ETags on
//! disk), [`error`] (what failed and what to do), [`config`] (`[github]` of fleet.toml), and
//! `github/<resource>.rs` with each call's wire structs beside it.
//!
//! Non-idempotent operations are never re-sent blindly: after a timeout, reset or 5xx the
//! implementation first looks whether the change took effect (a pull request is looked up by
//! its head branch), and only then tries again.

use std::collections::BTreeMap;
use std::future::Future;

pub mod auth;
pub mod cache;
pub mod config;
pub mod error;
pub mod github;
pub mod host;
pub mod memory;
pub mod pacer;

pub use error::{ErrorKind, ForgeError, Operation};

/// A repository as the forge lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RemoteRepo {
    /// `owner/name`.
    pub full_name: String,
    pub archived: bool,
    pub disabled: bool,
    pub fork: bool,
    /// No commits at all.
    pub empty: bool,
    pub private: bool,
    pub topics: Vec<String>,
    pub default_branch: Option<String>,
}

impl RemoteRepo {
    /// The part after `owner/`.
    pub fn name(&self) -> &str {
        self.full_name
            .split_once('/')
            .map_or(self.full_name.as_str(), |(_, n)| n)
    }
}

/// What became of a repository looked up by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Found(RemoteRepo),
    /// GitHub follows the old name to this one.
    Renamed(RemoteRepo),
    /// Deleted, or not visible to the credentials.
    Missing,
}

/// A pull request, as much as drydock needs of it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PullRequest {
    pub number: u64,
    pub url: String,
    /// `open` or `closed`.
    pub state: String,
    pub head: String,
    pub base: String,
    pub title: String,
    pub draft: bool,
}

/// A pull request to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPullRequest {
    /// The branch in the same repository.
    pub head: String,
    pub base: String,
    pub title: String,
    pub body: String,
    pub draft: bool,
}

/// Changes to an open pull request; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PullRequestUpdate {
    pub title: Option<String>,
    pub body: Option<String>,
    pub base: Option<String>,
    pub close: bool,
    /// Reopens a closed (unmerged) pull request.
    pub reopen: bool,
}

/// A pull request's state for `status`, in bulk.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PullRequestStatus {
    pub number: u64,
    /// `OPEN`, `CLOSED`, `MERGED`.
    pub state: String,
    pub draft: bool,
    /// `MERGEABLE`, `CONFLICTING`, `UNKNOWN`.
    pub mergeable: Option<String>,
    pub review_decision: Option<String>,
    /// The head commit's combined check state (`SUCCESS`, `FAILURE`, `PENDING`, ...).
    pub checks: Option<String>,
}

/// One file of a commit: new contents, or `None` to delete it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub path: String,
    pub contents: Option<Vec<u8>>,
}

/// A commit appended to a branch, if the branch is still at `expected_head`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCommit {
    pub branch: String,
    pub expected_head: String,
    pub headline: String,
    /// The message after the headline (drydock's trailer lives here).
    pub body: Option<String>,
    pub changes: Vec<FileChange>,
}

/// A pull request's state as GraphQL names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum PrState {
    Open,
    Closed,
    Merged,
}

/// The newest pull request whose head is drydock's branch, as [`Forge::observe`] sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ObservedPull {
    pub number: u64,
    pub url: String,
    pub state: PrState,
    pub body: String,
    /// The head commit's SHA.
    pub head_oid: String,
    pub labels: Vec<String>,
}

/// One repository as `apply` needs to see it before deciding what to send.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Observation {
    /// Not visible to the credentials (deleted, or not installed).
    pub missing: bool,
    pub archived: bool,
    pub default_branch: Option<String>,
    /// The default branch's head commit.
    pub default_head: Option<String>,
    /// Where drydock's branch points, if it exists.
    pub branch_head: Option<String>,
    pub pull: Option<ObservedPull>,
}

/// Whether the credentials may write `.github/workflows/*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkflowPermission {
    Granted,
    /// Known not to: the reason, in words naming the permission or scope.
    Denied(String),
    /// Cannot be told beforehand (a fine-grained token): try, and read GitHub's refusal.
    Unknown,
}

/// `owner/name` → property name → value, from the organisation's custom properties.
pub type PropertyValues = BTreeMap<String, BTreeMap<String, String>>;

type Answer<T> = Result<T, ForgeError>;

/// The operations drydock needs of a forge. Repositories are named `owner/name`.
pub trait Forge: Send + Sync {
    /// One repository's metadata.
    fn repository(&self, repo: &str) -> impl Future<Output = Answer<RemoteRepo>> + Send;
    /// Every repository of an organisation (or user), all pages.
    fn list_repositories(
        &self,
        owner: &str,
    ) -> impl Future<Output = Answer<Vec<RemoteRepo>>> + Send;
    /// The organisation's custom property values of every repository.
    fn custom_properties(&self, org: &str) -> impl Future<Output = Answer<PropertyValues>> + Send;
    /// Many repositories by name in few requests, following renames; one missing repository
    /// does not lose the others.
    fn look_up(
        &self,
        repos: &[String],
    ) -> impl Future<Output = Answer<BTreeMap<String, Lookup>>> + Send;
    /// The open pull request whose head is `branch` in the same repository.
    fn find_pull_request(
        &self,
        repo: &str,
        branch: &str,
    ) -> impl Future<Output = Answer<Option<PullRequest>>> + Send;
    /// Opens a pull request; after an ambiguous failure it looks the head branch up first, so
    /// a pull request is never opened twice.
    fn create_pull_request(
        &self,
        repo: &str,
        new: &NewPullRequest,
    ) -> impl Future<Output = Answer<PullRequest>> + Send;
    fn update_pull_request(
        &self,
        repo: &str,
        number: u64,
        update: &PullRequestUpdate,
    ) -> impl Future<Output = Answer<PullRequest>> + Send;
    fn add_labels(
        &self,
        repo: &str,
        number: u64,
        labels: &[String],
    ) -> impl Future<Output = Answer<()>> + Send;
    fn request_reviewers(
        &self,
        repo: &str,
        number: u64,
        users: &[String],
        teams: &[String],
    ) -> impl Future<Output = Answer<()>> + Send;
    /// The newest pull request per `(repo, head branch)` with its status, in few requests;
    /// repositories or branches without one are absent from the answer.
    fn pull_request_statuses(
        &self,
        prs: &[(String, String)],
    ) -> impl Future<Output = Answer<BTreeMap<(String, String), PullRequestStatus>>> + Send;
    /// Creates `branch` at `sha`.
    fn create_branch(
        &self,
        repo: &str,
        branch: &str,
        sha: &str,
    ) -> impl Future<Output = Answer<()>> + Send;
    /// Appends a commit to a branch (signed by GitHub); returns its SHA.
    fn create_commit(
        &self,
        repo: &str,
        commit: &NewCommit,
    ) -> impl Future<Output = Answer<String>> + Send;
    /// Many repositories at once (`(repo, drydock's branch)`), in few requests: archived, the
    /// default branch and its head, drydock's branch head, and the newest pull request from
    /// that branch in any state. A repository the credentials cannot see is `missing`.
    fn observe(
        &self,
        repos: &[(String, String)],
    ) -> impl Future<Output = Answer<BTreeMap<String, Observation>>> + Send;
    /// Moves `branch` to `sha` (`force`: even when that is not a fast-forward).
    fn update_branch(
        &self,
        repo: &str,
        branch: &str,
        sha: &str,
        force: bool,
    ) -> impl Future<Output = Answer<()>> + Send;
    /// Deletes `branch`.
    fn delete_branch(&self, repo: &str, branch: &str) -> impl Future<Output = Answer<()>> + Send;
    /// Comments on a pull request (or issue).
    fn comment(
        &self,
        repo: &str,
        number: u64,
        body: &str,
    ) -> impl Future<Output = Answer<()>> + Send;
    fn add_assignees(
        &self,
        repo: &str,
        number: u64,
        assignees: &[String],
    ) -> impl Future<Output = Answer<()>> + Send;
    /// Whether the credentials for `owner`'s repositories may write `.github/workflows/*`: an
    /// App's installation permission `workflows: write`, a classic token's `workflow` scope.
    fn workflow_permission(
        &self,
        owner: &str,
    ) -> impl Future<Output = Answer<WorkflowPermission>> + Send;
}
