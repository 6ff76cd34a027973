//! GitHub as a [`Forge`]: the client ([`client`]: credentials, pacing, cache, retries) and one
//! file per resource with its wire structs beside each call.

use std::collections::BTreeMap;

use super::{
    Forge, ForgeError, Lookup, NewCommit, NewPullRequest, Observation, PropertyValues, PullRequest,
    PullRequestStatus, PullRequestUpdate, RemoteRepo, WorkflowPermission,
};

mod apps;
mod client;
mod graphql;
mod issues;
mod observe;
mod properties;
mod pulls;
mod refs;
mod repos;

pub use client::{GitHub, GitHubOptions, Stats};

impl GitHub {
    /// Sends a create-pull-request body exactly as given: for tests that prove GitHub's
    /// description catches a wrong request.
    pub async fn create_pull_request_raw(
        &self,
        repo: &str,
        body: serde_json::Value,
    ) -> Result<PullRequest, ForgeError> {
        pulls::create_raw(self, repo, body, "").await
    }
}

impl Forge for GitHub {
    async fn repository(&self, repo: &str) -> Result<RemoteRepo, ForgeError> {
        repos::get(self, repo).await
    }

    async fn list_repositories(&self, owner: &str) -> Result<Vec<RemoteRepo>, ForgeError> {
        repos::list(self, owner).await
    }

    async fn custom_properties(&self, org: &str) -> Result<PropertyValues, ForgeError> {
        properties::values(self, org).await
    }

    async fn look_up(&self, repos: &[String]) -> Result<BTreeMap<String, Lookup>, ForgeError> {
        graphql::look_up(self, repos).await
    }

    async fn find_pull_request(
        &self,
        repo: &str,
        branch: &str,
    ) -> Result<Option<PullRequest>, ForgeError> {
        pulls::find(self, repo, branch).await
    }

    async fn create_pull_request(
        &self,
        repo: &str,
        new: &NewPullRequest,
    ) -> Result<PullRequest, ForgeError> {
        pulls::create(self, repo, new).await
    }

    async fn update_pull_request(
        &self,
        repo: &str,
        number: u64,
        update: &PullRequestUpdate,
    ) -> Result<PullRequest, ForgeError> {
        pulls::update(self, repo, number, update).await
    }

    async fn add_labels(
        &self,
        repo: &str,
        number: u64,
        labels: &[String],
    ) -> Result<(), ForgeError> {
        pulls::add_labels(self, repo, number, labels).await
    }

    async fn request_reviewers(
        &self,
        repo: &str,
        number: u64,
        users: &[String],
        teams: &[String],
    ) -> Result<(), ForgeError> {
        pulls::request_reviewers(self, repo, number, users, teams).await
    }

    async fn pull_request_statuses(
        &self,
        prs: &[(String, String)],
    ) -> Result<BTreeMap<(String, String), PullRequestStatus>, ForgeError> {
        graphql::statuses(self, prs).await
    }

    async fn create_branch(&self, repo: &str, branch: &str, sha: &str) -> Result<(), ForgeError> {
        pulls::create_branch(self, repo, branch, sha).await
    }

    async fn create_commit(&self, repo: &str, commit: &NewCommit) -> Result<String, ForgeError> {
        graphql::create_commit(self, repo, commit).await
    }

    async fn observe(
        &self,
        repos: &[(String, String)],
    ) -> Result<BTreeMap<String, Observation>, ForgeError> {
        observe::observe(self, repos).await
    }

    async fn update_branch(
        &self,
        repo: &str,
        branch: &str,
        sha: &str,
        force: bool,
    ) -> Result<(), ForgeError> {
        refs::update(self, repo, branch, sha, force).await
    }

    async fn delete_branch(&self, repo: &str, branch: &str) -> Result<(), ForgeError> {
        refs::delete(self, repo, branch).await
    }

    async fn comment(&self, repo: &str, number: u64, body: &str) -> Result<(), ForgeError> {
        issues::comment(self, repo, number, body).await
    }

    async fn add_assignees(
        &self,
        repo: &str,
        number: u64,
        assignees: &[String],
    ) -> Result<(), ForgeError> {
        issues::add_assignees(self, repo, number, assignees).await
    }

    async fn workflow_permission(&self, owner: &str) -> Result<WorkflowPermission, ForgeError> {
        GitHub::workflow_permission(self, owner).await
    }
}
