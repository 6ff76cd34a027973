//! GraphQL: one POST to `https://api.github.com/graphql` (`https://HOST/api/graphql` on an
//! Enterprise Server). An answer with `errors` keeps its partial `data` (one missing repository
//! of 50 aliased ones must not lose the other 49), and `RATE_LIMITED` inside a 200 is a rate
//! limit: waited out like a REST one. Used for bulk look-ups, bulk PR status and
//! `createCommitOnBranch` (commits GitHub signs).

use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine;
use reqwest::Method;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::client::{AuthAs, Call, GitHub};
use crate::forge::error::{ErrorKind, ForgeError, Operation};
use crate::forge::pacer::WaitReason;
use crate::forge::{Lookup, NewCommit, PullRequestStatus, RemoteRepo};

/// How many repositories one query names (aliases).
const BATCH: usize = 50;

#[derive(Debug, Deserialize)]
pub(super) struct GraphqlAnswer<T> {
    pub data: Option<T>,
    #[serde(default)]
    pub errors: Vec<GraphqlError>,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct GraphqlError {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub message: String,
}

/// Sends a query or mutation; a `RATE_LIMITED` answer waits for the reset and is sent again
/// (GitHub did not run it), at most `rate_limit_retries` times.
pub(super) async fn run<T: DeserializeOwned>(
    gh: &GitHub,
    query: &str,
    variables: serde_json::Value,
    mutation: bool,
    operation: Operation,
    target: &str,
    owner: &str,
) -> Result<GraphqlAnswer<T>, ForgeError> {
    let call = Call {
        method: Method::POST,
        url: gh.graphql_url(),
        body: Some(serde_json::json!({ "query": query, "variables": variables })),
        operation,
        target: Some(target),
        auth: AuthAs::Owner(owner),
        graphql_query: !mutation,
    };
    let limits = gh.inner.pacer.limits().clone();
    for attempt in 0..=limits.rate_limit_retries {
        let answer: GraphqlAnswer<T> = gh.send(&call).await?.json(&call)?;
        if !answer
            .errors
            .iter()
            .any(|e| e.kind.as_deref() == Some("RATE_LIMITED"))
        {
            return Ok(answer);
        }
        let wait = gh
            .inner
            .pacer
            .until_reset("graphql")
            .unwrap_or(limits.secondary_wait)
            .max(Duration::from_secs(1));
        if attempt == limits.rate_limit_retries || wait > limits.max_wait {
            break;
        }
        gh.inner
            .pacer
            .wait(
                WaitReason::PrimaryLimit,
                wait,
                "POST graphql (RATE_LIMITED)",
            )
            .await;
    }
    Err(ForgeError::new(
        ErrorKind::RateLimited,
        operation,
        "GitHub's GraphQL rate limit is used up (RATE_LIMITED)",
    )
    .on(Some(target))
    .with_hint("run again after the reset, or raise `[github.limits] max_wait`"))
}

/// GraphQL string literal.
fn literal(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GqlRepo {
    name_with_owner: String,
    is_archived: bool,
    is_disabled: bool,
    is_fork: bool,
    is_empty: bool,
    is_private: bool,
    default_branch_ref: Option<GqlName>,
    repository_topics: GqlNodes<GqlTopicNode>,
}

#[derive(Debug, Deserialize)]
struct GqlName {
    name: String,
}

#[derive(Debug, Deserialize)]
struct GqlNodes<T> {
    nodes: Vec<T>,
}

#[derive(Debug, Deserialize)]
struct GqlTopicNode {
    topic: GqlName,
}

const REPO_FIELDS: &str = "nameWithOwner isArchived isDisabled isFork isEmpty isPrivate defaultBranchRef { name } repositoryTopics(first: 20) { nodes { topic { name } } }";

impl From<GqlRepo> for RemoteRepo {
    fn from(r: GqlRepo) -> RemoteRepo {
        RemoteRepo {
            full_name: r.name_with_owner,
            archived: r.is_archived,
            disabled: r.is_disabled,
            fork: r.is_fork,
            empty: r.is_empty,
            private: r.is_private,
            topics: r
                .repository_topics
                .nodes
                .into_iter()
                .map(|n| n.topic.name)
                .collect(),
            default_branch: r.default_branch_ref.map(|b| b.name),
        }
    }
}

/// Repositories by name, [`BATCH`] per query, following renames.
pub(super) async fn look_up(
    gh: &GitHub,
    repos: &[String],
) -> Result<BTreeMap<String, Lookup>, ForgeError> {
    let mut found = BTreeMap::new();
    for chunk in repos.chunks(BATCH) {
        let owner = chunk[0].split('/').next().unwrap_or_default().to_string();
        let mut query = String::from("query {");
        for (i, full) in chunk.iter().enumerate() {
            let (o, n) = full.split_once('/').unwrap_or((full, ""));
            query.push_str(&format!(
                " r{i}: repository(owner: {}, name: {}, followRenames: true) {{ {REPO_FIELDS} }}",
                literal(o),
                literal(n)
            ));
        }
        query.push_str(" }");
        let answer: GraphqlAnswer<BTreeMap<String, Option<GqlRepo>>> = run(
            gh,
            &query,
            serde_json::json!({}),
            false,
            Operation::LookUpRepositories,
            &owner,
            &owner,
        )
        .await?;
        let hard: Vec<&GraphqlError> = answer
            .errors
            .iter()
            .filter(|e| e.kind.as_deref() != Some("NOT_FOUND"))
            .collect();
        if answer.data.is_none() && !hard.is_empty() {
            return Err(ForgeError::new(
                ErrorKind::Invalid,
                Operation::LookUpRepositories,
                hard.iter()
                    .map(|e| e.message.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
            .on(Some(&owner)));
        }
        let mut data = answer.data.unwrap_or_default();
        for (i, full) in chunk.iter().enumerate() {
            let lookup = match data.remove(&format!("r{i}")).flatten() {
                Some(repo) if repo.name_with_owner.eq_ignore_ascii_case(full) => {
                    Lookup::Found(repo.into())
                }
                Some(repo) => Lookup::Renamed(repo.into()),
                None => Lookup::Missing,
            };
            found.insert(full.clone(), lookup);
        }
    }
    Ok(found)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GqlPull {
    number: u64,
    state: String,
    is_draft: bool,
    mergeable: Option<String>,
    review_decision: Option<String>,
    head_repository_owner: Option<GqlLogin>,
    commits: GqlNodes<GqlCommitNode>,
}

#[derive(Debug, Deserialize)]
struct GqlLogin {
    login: String,
}

#[derive(Debug, Deserialize)]
struct GqlCommitNode {
    commit: GqlCommit,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GqlCommit {
    status_check_rollup: Option<GqlRollup>,
}

#[derive(Debug, Deserialize)]
struct GqlRollup {
    state: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GqlPullsHolder {
    pull_requests: GqlNodes<GqlPull>,
}

/// The newest pull request per `(repo, head branch)`, [`BATCH`] per query.
/// `pullRequests(headRefName:)` does not filter by the head's owner, so forks' pull requests on
/// a branch of the same name are dropped here.
pub(super) async fn statuses(
    gh: &GitHub,
    prs: &[(String, String)],
) -> Result<BTreeMap<(String, String), PullRequestStatus>, ForgeError> {
    let mut out = BTreeMap::new();
    for chunk in prs.chunks(BATCH) {
        let owner = chunk[0].0.split('/').next().unwrap_or_default().to_string();
        let mut query = String::from("query {");
        for (i, (full, branch)) in chunk.iter().enumerate() {
            let (o, n) = full.split_once('/').unwrap_or((full, ""));
            query.push_str(&format!(
                " p{i}: repository(owner: {}, name: {}) {{ pullRequests(headRefName: {}, first: 5, states: [OPEN, CLOSED, MERGED], orderBy: {{field: CREATED_AT, direction: DESC}}) {{ nodes {{ number state isDraft mergeable reviewDecision headRepositoryOwner {{ login }} commits(last: 1) {{ nodes {{ commit {{ statusCheckRollup {{ state }} }} }} }} }} }} }}",
                literal(o),
                literal(n),
                literal(branch)
            ));
        }
        query.push_str(" }");
        let answer: GraphqlAnswer<BTreeMap<String, Option<GqlPullsHolder>>> = run(
            gh,
            &query,
            serde_json::json!({}),
            false,
            Operation::PullRequestStatus,
            &owner,
            &owner,
        )
        .await?;
        let mut data = answer.data.unwrap_or_default();
        for (i, key) in chunk.iter().enumerate() {
            let repo_owner = key.0.split('/').next().unwrap_or_default();
            let Some(holder) = data.remove(&format!("p{i}")).flatten() else {
                continue;
            };
            let newest = holder.pull_requests.nodes.into_iter().find(|p| {
                p.head_repository_owner
                    .as_ref()
                    .is_some_and(|o| o.login.eq_ignore_ascii_case(repo_owner))
            });
            if let Some(pull) = newest {
                let checks = pull
                    .commits
                    .nodes
                    .into_iter()
                    .last()
                    .and_then(|n| n.commit.status_check_rollup)
                    .map(|r| r.state);
                out.insert(
                    key.clone(),
                    PullRequestStatus {
                        number: pull.number,
                        state: pull.state,
                        draft: pull.is_draft,
                        mergeable: pull.mergeable,
                        review_decision: pull.review_decision,
                        checks,
                    },
                );
            }
        }
    }
    Ok(out)
}

const CREATE_COMMIT: &str = "mutation($input: CreateCommitOnBranchInput!) { createCommitOnBranch(input: $input) { commit { oid } } }";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreatedCommit {
    create_commit_on_branch: Option<CreatedInner>,
}

#[derive(Debug, Deserialize)]
struct CreatedInner {
    commit: Option<GqlOid>,
}

#[derive(Debug, Deserialize)]
struct GqlOid {
    oid: String,
}

/// `createCommitOnBranch`, checked against `expectedHeadOid`. An ambiguous failure is not
/// retried here: the caller reads the branch head (a moved head means it landed).
pub(super) async fn create_commit(
    gh: &GitHub,
    repo: &str,
    commit: &NewCommit,
) -> Result<String, ForgeError> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let additions: Vec<serde_json::Value> = commit
        .changes
        .iter()
        .filter_map(|c| {
            c.contents
                .as_ref()
                .map(|bytes| serde_json::json!({ "path": c.path, "contents": b64.encode(bytes) }))
        })
        .collect();
    let deletions: Vec<serde_json::Value> = commit
        .changes
        .iter()
        .filter(|c| c.contents.is_none())
        .map(|c| serde_json::json!({ "path": c.path }))
        .collect();
    let input = serde_json::json!({
        "branch": { "repositoryNameWithOwner": repo, "branchName": commit.branch },
        "expectedHeadOid": commit.expected_head,
        "message": { "headline": commit.headline, "body": commit.body.as_deref().unwrap_or("") },
        "fileChanges": { "additions": additions, "deletions": deletions },
    });
    let owner = repo.split('/').next().unwrap_or(repo);
    let answer: GraphqlAnswer<CreatedCommit> = run(
        gh,
        CREATE_COMMIT,
        serde_json::json!({ "input": input }),
        true,
        Operation::CreateCommit,
        repo,
        owner,
    )
    .await?;
    if let Some(oid) = answer
        .data
        .and_then(|d| d.create_commit_on_branch)
        .and_then(|c| c.commit)
    {
        return Ok(oid.oid);
    }
    let message = answer
        .errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let stale = answer
        .errors
        .iter()
        .any(|e| e.kind.as_deref() == Some("STALE_DATA"));
    let mut e =
        ForgeError::new(ErrorKind::Invalid, Operation::CreateCommit, message).on(Some(repo));
    if stale {
        e = e.with_hint(
            "the branch moved since drydock read it; run again to start from its new head",
        );
    } else if answer
        .errors
        .iter()
        .any(|e| e.kind.as_deref() == Some("FORBIDDEN"))
    {
        e.kind = ErrorKind::Forbidden;
        e = e.with_hint(format!(
            "the token lacks `contents: write` on {repo} (and `workflows: write` for files under .github/workflows/)"
        ));
    }
    Err(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_data_survives_errors() {
        let body = r#"{"data":{"r0":{"nameWithOwner":"a/x","isArchived":false,"isDisabled":false,"isFork":false,"isEmpty":false,"isPrivate":false,"defaultBranchRef":{"name":"main"},"repositoryTopics":{"nodes":[]}},"r1":null},"errors":[{"type":"NOT_FOUND","path":["r1"],"message":"Could not resolve"}]}"#;
        let answer: GraphqlAnswer<BTreeMap<String, Option<GqlRepo>>> =
            serde_json::from_str(body).unwrap();
        let data = answer.data.unwrap();
        assert!(data["r0"].is_some());
        assert!(data["r1"].is_none());
        assert_eq!(answer.errors[0].kind.as_deref(), Some("NOT_FOUND"));
    }
}
