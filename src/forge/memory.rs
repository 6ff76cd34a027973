//! An in-memory [`Forge`] for tests of the use cases: repositories, custom properties and pull
//! requests in a map, the same answers GitHub gives for the cases the use cases handle (a
//! second open pull request on one head is refused, missing repositories are `Missing`), with
//! branches, pull request bodies, merges, comments and the workflow permission for `apply`.
//! What `status` reads beyond a [`PullRequest`] (checks, mergeability, review, merged) is set
//! with [`MemoryForge::set_pull_facts`].

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::{
    ErrorKind, Forge, ForgeError, Lookup, NewCommit, NewPullRequest, Observation, ObservedPull,
    Operation, PrState, PropertyValues, PullRequest, PullRequestStatus, PullRequestStatuses,
    PullRequestUpdate, QueryCost, RemoteRepo, WorkflowPermission,
};

#[derive(Debug, Default)]
struct World {
    repos: Vec<RemoteRepo>,
    properties: PropertyValues,
    pulls: BTreeMap<String, Vec<PullRequest>>,
    labels: BTreeMap<(String, u64), Vec<String>>,
    reviewers: BTreeMap<(String, u64), Vec<String>>,
    facts: BTreeMap<(String, u64), PullFacts>,
    assignees: BTreeMap<(String, u64), Vec<String>>,
    bodies: BTreeMap<(String, u64), String>,
    comments: BTreeMap<(String, u64), Vec<String>>,
    /// `(repo, branch)` → head SHA; the default branch too.
    branches: BTreeMap<(String, String), String>,
    workflow: Option<WorkflowPermission>,
    /// Every call that changes something, in order (`"create_pull_request acme/web"`).
    writes: Vec<String>,
    commits: u64,
}

/// A pull request's state as `status` reads it, beyond [`PullRequest`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PullFacts {
    /// `None`: GitHub has not computed it (`UNKNOWN`).
    pub mergeable: Option<bool>,
    pub review_decision: Option<String>,
    /// The status check rollup (`SUCCESS`, `FAILURE`, ...).
    pub checks: Option<String>,
    /// Closed by a merge.
    pub merged: bool,
    /// `None`: when the forge opened it.
    pub created_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// How many repositories one status request covers, as [`super::github::GitHub`] does.
const STATUS_BATCH: u64 = 100;

/// The in-memory forge.
#[derive(Debug, Default)]
pub struct MemoryForge {
    world: Mutex<World>,
}

impl MemoryForge {
    pub fn new() -> MemoryForge {
        MemoryForge::default()
    }

    /// Adds a repository.
    pub fn with_repo(self, repo: RemoteRepo) -> MemoryForge {
        self.world.lock().expect("world").repos.push(repo);
        self
    }

    /// Sets a repository's custom property.
    pub fn with_property(self, repo: &str, name: &str, value: &str) -> MemoryForge {
        self.world
            .lock()
            .expect("world")
            .properties
            .entry(repo.to_string())
            .or_default()
            .insert(name.to_string(), value.to_string());
        self
    }

    /// The labels of a pull request.
    pub fn labels(&self, repo: &str, number: u64) -> Vec<String> {
        let w = self.world.lock().expect("world");
        w.labels
            .get(&(repo.to_string(), number))
            .cloned()
            .unwrap_or_default()
    }

    /// Sets what `status` reads of a pull request; `merged` also closes it.
    pub fn set_pull_facts(&self, repo: &str, number: u64, facts: PullFacts) {
        let merged = facts.merged;
        self.world
            .lock()
            .expect("world")
            .facts
            .insert((repo.to_string(), number), facts);
        if merged {
            self.merge(repo, number);
        }
    }

    /// Sets a branch head (the default branch's too).
    pub fn with_branch(self, repo: &str, branch: &str, sha: &str) -> MemoryForge {
        self.world
            .lock()
            .expect("world")
            .branches
            .insert((repo.to_string(), branch.to_string()), sha.to_string());
        self
    }

    /// What `workflow_permission` answers (default: granted).
    pub fn with_workflow_permission(self, permission: WorkflowPermission) -> MemoryForge {
        self.world.lock().expect("world").workflow = Some(permission);
        self
    }

    /// Merges a pull request, as a person would.
    pub fn merge(&self, repo: &str, number: u64) {
        let mut w = self.world.lock().expect("world");
        if let Some(pr) = w
            .pulls
            .get_mut(repo)
            .and_then(|p| p.iter_mut().find(|p| p.number == number))
        {
            pr.state = "closed".into();
        }
        // The one record of a merge: `status` and `observe` both read it.
        w.facts
            .entry((repo.to_string(), number))
            .or_default()
            .merged = true;
    }

    /// Every pull request of a repository.
    pub fn pulls(&self, repo: &str) -> Vec<PullRequest> {
        let w = self.world.lock().expect("world");
        w.pulls.get(repo).cloned().unwrap_or_default()
    }

    /// A pull request's body.
    pub fn body(&self, repo: &str, number: u64) -> Option<String> {
        let w = self.world.lock().expect("world");
        w.bodies.get(&(repo.to_string(), number)).cloned()
    }

    /// The comments on a pull request.
    pub fn comments(&self, repo: &str, number: u64) -> Vec<String> {
        let w = self.world.lock().expect("world");
        w.comments
            .get(&(repo.to_string(), number))
            .cloned()
            .unwrap_or_default()
    }

    /// A branch head.
    pub fn branch(&self, repo: &str, branch: &str) -> Option<String> {
        let w = self.world.lock().expect("world");
        w.branches
            .get(&(repo.to_string(), branch.to_string()))
            .cloned()
    }

    /// Every call that changed something so far.
    pub fn writes(&self) -> Vec<String> {
        self.world.lock().expect("world").writes.clone()
    }

    fn wrote(&self, what: &str, repo: &str) {
        self.world
            .lock()
            .expect("world")
            .writes
            .push(format!("{what} {repo}"));
    }

    fn find_repo(&self, repo: &str) -> Option<RemoteRepo> {
        let w = self.world.lock().expect("world");
        w.repos
            .iter()
            .find(|r| r.full_name.eq_ignore_ascii_case(repo))
            .cloned()
    }

    fn missing(op: Operation, repo: &str) -> ForgeError {
        ForgeError::from_status(op, Some(repo), 404, "Not Found")
    }
}

/// A repository the way tests usually want it: active, with a default branch.
pub fn repo(full_name: &str) -> RemoteRepo {
    RemoteRepo {
        full_name: full_name.to_string(),
        archived: false,
        disabled: false,
        fork: false,
        empty: false,
        private: false,
        topics: Vec::new(),
        default_branch: Some("main".into()),
    }
}

impl Forge for MemoryForge {
    async fn repository(&self, repo: &str) -> Result<RemoteRepo, ForgeError> {
        self.find_repo(repo)
            .ok_or_else(|| Self::missing(Operation::GetRepository, repo))
    }

    async fn list_repositories(&self, owner: &str) -> Result<Vec<RemoteRepo>, ForgeError> {
        let w = self.world.lock().expect("world");
        let prefix = format!("{}/", owner.to_ascii_lowercase());
        Ok(w.repos
            .iter()
            .filter(|r| r.full_name.to_ascii_lowercase().starts_with(&prefix))
            .cloned()
            .collect())
    }

    async fn custom_properties(&self, org: &str) -> Result<PropertyValues, ForgeError> {
        let w = self.world.lock().expect("world");
        let prefix = format!("{}/", org.to_ascii_lowercase());
        Ok(w.properties
            .iter()
            .filter(|(k, _)| k.to_ascii_lowercase().starts_with(&prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    async fn look_up(&self, repos: &[String]) -> Result<BTreeMap<String, Lookup>, ForgeError> {
        Ok(repos
            .iter()
            .map(|r| {
                let found = self.find_repo(r).map_or(Lookup::Missing, Lookup::Found);
                (r.clone(), found)
            })
            .collect())
    }

    async fn find_pull_request(
        &self,
        repo: &str,
        branch: &str,
    ) -> Result<Option<PullRequest>, ForgeError> {
        let w = self.world.lock().expect("world");
        Ok(w.pulls
            .get(repo)
            .and_then(|p| p.iter().find(|p| p.head == branch && p.state == "open"))
            .cloned())
    }

    async fn create_pull_request(
        &self,
        repo: &str,
        new: &NewPullRequest,
    ) -> Result<PullRequest, ForgeError> {
        if self.find_repo(repo).is_none() {
            return Err(Self::missing(Operation::CreatePullRequest, repo));
        }
        self.wrote("create_pull_request", repo);
        let mut w = self.world.lock().expect("world");
        let pulls = w.pulls.entry(repo.to_string()).or_default();
        if pulls
            .iter()
            .any(|p| p.head == new.head && p.base == new.base && p.state == "open")
        {
            return Err(ForgeError::from_status(
                Operation::CreatePullRequest,
                Some(repo),
                422,
                &format!("A pull request already exists for {}.", new.head),
            ));
        }
        let number = pulls.len() as u64 + 1;
        let pr = PullRequest {
            number,
            url: format!("https://github.com/{repo}/pull/{number}"),
            state: "open".into(),
            head: new.head.clone(),
            base: new.base.clone(),
            title: new.title.clone(),
            draft: new.draft,
        };
        pulls.push(pr.clone());
        w.bodies
            .insert((repo.to_string(), number), new.body.clone());
        Ok(pr)
    }

    async fn update_pull_request(
        &self,
        repo: &str,
        number: u64,
        update: &PullRequestUpdate,
    ) -> Result<PullRequest, ForgeError> {
        self.wrote("update_pull_request", repo);
        let mut w = self.world.lock().expect("world");
        if let Some(body) = &update.body {
            w.bodies.insert((repo.to_string(), number), body.clone());
        }
        let pr = w
            .pulls
            .get_mut(repo)
            .and_then(|p| p.iter_mut().find(|p| p.number == number))
            .ok_or_else(|| Self::missing(Operation::UpdatePullRequest, repo))?;
        if let Some(t) = &update.title {
            pr.title = t.clone();
        }
        if let Some(b) = &update.base {
            pr.base = b.clone();
        }
        if update.close {
            pr.state = "closed".into();
        }
        if update.reopen {
            pr.state = "open".into();
        }
        Ok(pr.clone())
    }

    async fn add_labels(
        &self,
        repo: &str,
        number: u64,
        labels: &[String],
    ) -> Result<(), ForgeError> {
        self.wrote("add_labels", repo);
        let mut w = self.world.lock().expect("world");
        let have = w.labels.entry((repo.to_string(), number)).or_default();
        for l in labels {
            if !have.contains(l) {
                have.push(l.clone());
            }
        }
        Ok(())
    }

    async fn request_reviewers(
        &self,
        repo: &str,
        number: u64,
        users: &[String],
        teams: &[String],
    ) -> Result<(), ForgeError> {
        self.wrote("request_reviewers", repo);
        let mut w = self.world.lock().expect("world");
        let have = w.reviewers.entry((repo.to_string(), number)).or_default();
        have.extend(users.iter().cloned());
        have.extend(teams.iter().map(|t| format!("team:{t}")));
        Ok(())
    }

    async fn pull_request_statuses(
        &self,
        prs: &[(String, String)],
    ) -> Result<PullRequestStatuses, ForgeError> {
        let mut out = PullRequestStatuses::default();
        let mut per_owner: BTreeMap<String, u64> = BTreeMap::new();
        for key in prs {
            let owner = key.0.split('/').next().unwrap_or_default();
            *per_owner.entry(owner.to_ascii_lowercase()).or_default() += 1;
        }
        out.cost = QueryCost {
            requests: per_owner.values().map(|n| n.div_ceil(STATUS_BATCH)).sum(),
            points: 0,
            remaining: None,
        };
        for (repo, branch) in prs {
            let key = (repo.clone(), branch.clone());
            if self.find_repo(repo).is_none() {
                out.unreadable
                    .insert(key, Self::missing(Operation::PullRequestStatus, repo));
                continue;
            }
            let w = self.world.lock().expect("world");
            let Some(pr) = w
                .pulls
                .get(repo)
                .and_then(|p| p.iter().rev().find(|p| &p.head == branch))
            else {
                continue;
            };
            let facts = w
                .facts
                .get(&(repo.clone(), pr.number))
                .cloned()
                .unwrap_or_default();
            let state = match (pr.state.as_str(), facts.merged) {
                (_, true) => "MERGED",
                ("open", _) => "OPEN",
                _ => "CLOSED",
            };
            let status = PullRequestStatus {
                number: pr.number,
                url: pr.url.clone(),
                created_at: facts.created_at.unwrap_or_else(chrono::Utc::now),
                state: state.into(),
                draft: pr.draft,
                mergeable: Some(
                    match facts.mergeable {
                        Some(true) => "MERGEABLE",
                        Some(false) => "CONFLICTING",
                        None => "UNKNOWN",
                    }
                    .into(),
                ),
                review_decision: facts.review_decision,
                checks: facts.checks,
            };
            out.found.insert(key, status);
        }
        Ok(out)
    }

    async fn create_branch(&self, repo: &str, branch: &str, sha: &str) -> Result<(), ForgeError> {
        self.find_repo(repo)
            .ok_or_else(|| Self::missing(Operation::CreateBranch, repo))?;
        self.wrote("create_branch", repo);
        let mut w = self.world.lock().expect("world");
        let key = (repo.to_string(), branch.to_string());
        if w.branches.contains_key(&key) {
            return Err(ForgeError::from_status(
                Operation::CreateBranch,
                Some(repo),
                422,
                "Reference already exists",
            ));
        }
        w.branches.insert(key, sha.to_string());
        Ok(())
    }

    async fn create_commit(&self, repo: &str, commit: &NewCommit) -> Result<String, ForgeError> {
        if commit.changes.is_empty() {
            return Err(ForgeError::new(
                ErrorKind::Invalid,
                Operation::CreateCommit,
                "a commit needs at least one file change",
            )
            .on(Some(repo)));
        }
        self.wrote("create_commit", repo);
        let mut w = self.world.lock().expect("world");
        let key = (repo.to_string(), commit.branch.clone());
        if w.branches.get(&key) != Some(&commit.expected_head) {
            return Err(ForgeError::new(
                ErrorKind::Invalid,
                Operation::CreateCommit,
                "Expected branch to point to the expected head but it did not.",
            )
            .on(Some(repo)));
        }
        w.commits += 1;
        let sha = format!("{:040x}", w.commits);
        w.branches.insert(key, sha.clone());
        Ok(sha)
    }

    async fn observe(
        &self,
        repos: &[(String, String)],
    ) -> Result<BTreeMap<String, Observation>, ForgeError> {
        let mut out = BTreeMap::new();
        for (repo, branch) in repos {
            let Some(found) = self.find_repo(repo) else {
                out.insert(
                    repo.clone(),
                    Observation {
                        missing: true,
                        ..Observation::default()
                    },
                );
                continue;
            };
            let w = self.world.lock().expect("world");
            let head = |b: &str| w.branches.get(&(repo.clone(), b.to_string())).cloned();
            let pull = w
                .pulls
                .get(repo)
                .and_then(|p| p.iter().rev().find(|p| &p.head == branch))
                .map(|p| {
                    let key = (repo.clone(), p.number);
                    ObservedPull {
                        number: p.number,
                        url: p.url.clone(),
                        state: if w.facts.get(&key).is_some_and(|f| f.merged) {
                            PrState::Merged
                        } else if p.state == "open" {
                            PrState::Open
                        } else {
                            PrState::Closed
                        },
                        body: w.bodies.get(&key).cloned().unwrap_or_default(),
                        head_oid: head(branch).unwrap_or_default(),
                        labels: w.labels.get(&key).cloned().unwrap_or_default(),
                    }
                });
            let observed = Observation {
                missing: false,
                archived: found.archived,
                default_head: found.default_branch.as_deref().and_then(head),
                default_branch: found.default_branch.clone(),
                branch_head: head(branch),
                pull,
            };
            drop(w);
            out.insert(repo.clone(), observed);
        }
        Ok(out)
    }

    async fn update_branch(
        &self,
        repo: &str,
        branch: &str,
        sha: &str,
        _force: bool,
    ) -> Result<(), ForgeError> {
        self.wrote("update_branch", repo);
        let mut w = self.world.lock().expect("world");
        let key = (repo.to_string(), branch.to_string());
        if !w.branches.contains_key(&key) {
            return Err(Self::missing(Operation::UpdateBranch, repo));
        }
        w.branches.insert(key, sha.to_string());
        Ok(())
    }

    async fn delete_branch(&self, repo: &str, branch: &str) -> Result<(), ForgeError> {
        self.wrote("delete_branch", repo);
        let mut w = self.world.lock().expect("world");
        w.branches.remove(&(repo.to_string(), branch.to_string()));
        Ok(())
    }

    async fn comment(&self, repo: &str, number: u64, body: &str) -> Result<(), ForgeError> {
        self.wrote("comment", repo);
        let mut w = self.world.lock().expect("world");
        w.comments
            .entry((repo.to_string(), number))
            .or_default()
            .push(body.to_string());
        Ok(())
    }

    async fn add_assignees(
        &self,
        repo: &str,
        number: u64,
        assignees: &[String],
    ) -> Result<(), ForgeError> {
        self.wrote("add_assignees", repo);
        let mut w = self.world.lock().expect("world");
        let have = w.assignees.entry((repo.to_string(), number)).or_default();
        for a in assignees {
            if !have.contains(a) {
                have.push(a.clone());
            }
        }
        Ok(())
    }

    async fn workflow_permission(&self, _owner: &str) -> Result<WorkflowPermission, ForgeError> {
        let w = self.world.lock().expect("world");
        Ok(w.workflow.clone().unwrap_or(WorkflowPermission::Granted))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_second_open_pull_request_on_one_head_is_refused() {
        let forge = MemoryForge::new().with_repo(repo("acme/web"));
        let new = NewPullRequest {
            head: "drydock".into(),
            base: "main".into(),
            title: "t".into(),
            body: String::new(),
            draft: false,
        };
        let pr = forge.create_pull_request("acme/web", &new).await.unwrap();
        assert_eq!(
            forge
                .find_pull_request("acme/web", "drydock")
                .await
                .unwrap(),
            Some(pr)
        );
        let again = forge
            .create_pull_request("acme/web", &new)
            .await
            .unwrap_err();
        assert_eq!(again.kind, ErrorKind::Invalid);
    }
}
