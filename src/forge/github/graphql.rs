//! GraphQL: one POST to `https://api.github.com/graphql` (`https://HOST/api/graphql` on an
//! Enterprise Server). An answer with `errors` keeps its partial `data` (one missing repository
//! of 50 aliased ones must not lose the other 49), and `RATE_LIMITED` inside a 200 is a rate
//! limit: waited out like a REST one. Used for bulk look-ups, bulk PR status (`status`: 100
//! repositories a query, see [`statuses`]) and
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
use crate::forge::{Lookup, NewCommit, PullRequestStatus, PullRequestStatuses, RemoteRepo};

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
    /// Where in the answer: the alias first.
    #[serde(default)]
    pub path: Vec<serde_json::Value>,
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

/// GitHub's error messages, joined.
fn messages<'a>(errors: impl Iterator<Item = &'a GraphqlError>) -> String {
    errors
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
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

/// How many repositories one pull-request status query names: 1,000 repositories in 10
/// requests. Each costs about 6 points (100 `pullRequests` connections of 5 with a `commits`
/// connection each, ÷ 100) and touches about 1,100 nodes, far below GitHub's 500,000.
const STATUS_BATCH: usize = 100;

/// How many pull requests per head branch are read: the newest one from the repository itself
/// is wanted, and forks may have pull requests from a branch of the same name.
const PULLS_PER_BRANCH: usize = 5;

/// The fields `status` shows, for each pull request.
const PULL_FIELDS: &str = "fragment StatusPull on PullRequest { number url createdAt state isDraft mergeable reviewDecision headRepositoryOwner { login } commits(last: 1) { nodes { commit { statusCheckRollup { state } } } } }";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GqlPull {
    number: u64,
    url: String,
    created_at: chrono::DateTime<chrono::Utc>,
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

#[derive(Debug, Deserialize)]
struct GqlRateLimit {
    cost: u64,
    remaining: u64,
}

/// The alias of the `i`th repository of a status query.
fn status_alias(i: usize) -> String {
    format!("p{i}")
}

/// One status query: a `repository` alias per key, and what it cost.
fn status_query(chunk: &[&(String, String)]) -> String {
    let mut query = String::from("query {");
    for (i, (full, branch)) in chunk.iter().enumerate() {
        let (o, n) = full.split_once('/').unwrap_or((full, ""));
        query.push_str(&format!(
            " {}: repository(owner: {}, name: {}) {{ pullRequests(headRefName: {}, first: {PULLS_PER_BRANCH}, states: [OPEN, CLOSED, MERGED], orderBy: {{field: CREATED_AT, direction: DESC}}) {{ nodes {{ ...StatusPull }} }} }}",
            status_alias(i),
            literal(o),
            literal(n),
            literal(branch)
        ));
    }
    query.push_str(" rateLimit { cost remaining } } ");
    query.push_str(PULL_FIELDS);
    query
}

/// The newest pull request per `(repo, head branch)`, [`STATUS_BATCH`] repositories of one owner
/// per query (an App has one installation token per owner). `pullRequests(headRefName:)` does
/// not filter by the head's owner, so forks' pull requests on a branch of the same name are
/// dropped here. A repository GitHub does not resolve, an answer that cannot be read, or a
/// query that fails marks only its own repositories unreadable.
pub(super) async fn statuses(
    gh: &GitHub,
    prs: &[(String, String)],
) -> Result<PullRequestStatuses, ForgeError> {
    let mut out = PullRequestStatuses::default();
    let mut by_owner: BTreeMap<String, Vec<&(String, String)>> = BTreeMap::new();
    for key in prs {
        let owner = key.0.split('/').next().unwrap_or_default();
        by_owner
            .entry(owner.to_ascii_lowercase())
            .or_default()
            .push(key);
    }
    for keys in by_owner.values() {
        for chunk in keys.chunks(STATUS_BATCH) {
            let owner = chunk[0].0.split('/').next().unwrap_or_default().to_string();
            let query = status_query(chunk);
            out.cost.requests += 1;
            let answer: Result<GraphqlAnswer<BTreeMap<String, serde_json::Value>>, ForgeError> =
                run(
                    gh,
                    &query,
                    serde_json::json!({}),
                    false,
                    Operation::PullRequestStatus,
                    &owner,
                    &owner,
                )
                .await;
            match answer {
                Ok(answer) => read_statuses(chunk, answer, &mut out),
                Err(e) => {
                    for key in chunk {
                        out.unreadable
                            .insert((*key).clone(), e.clone().on(Some(&key.0)));
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Sorts one status answer into found and unreadable.
fn read_statuses(
    chunk: &[&(String, String)],
    answer: GraphqlAnswer<BTreeMap<String, serde_json::Value>>,
    out: &mut PullRequestStatuses,
) {
    let GraphqlAnswer { data, errors } = answer;
    let failed = |repo: &str, kind: ErrorKind, message: String| {
        ForgeError::new(kind, Operation::PullRequestStatus, message).on(Some(repo))
    };
    let Some(mut data) = data else {
        let why = messages(errors.iter());
        for key in chunk {
            out.unreadable.insert(
                (*key).clone(),
                failed(
                    &key.0,
                    ErrorKind::Invalid,
                    format!("GitHub answered no data: {why}"),
                ),
            );
        }
        return;
    };
    if let Some(limit) = data
        .remove("rateLimit")
        .and_then(|v| serde_json::from_value::<GqlRateLimit>(v).ok())
    {
        out.cost.points += limit.cost;
        out.cost.remaining = Some(limit.remaining);
    }
    for (i, key) in chunk.iter().enumerate() {
        let alias = status_alias(i);
        let alias_errors: Vec<&GraphqlError> = errors
            .iter()
            .filter(|e| e.path.first().and_then(|p| p.as_str()) == Some(alias.as_str()))
            .collect();
        let value = data.remove(&alias).unwrap_or(serde_json::Value::Null);
        let holder = match serde_json::from_value::<Option<GqlPullsHolder>>(value) {
            Ok(Some(holder)) if alias_errors.is_empty() => holder,
            Ok(_)
                if alias_errors
                    .iter()
                    .any(|e| e.kind.as_deref() == Some("NOT_FOUND")) =>
            {
                let e = failed(
                    &key.0,
                    ErrorKind::NotFound,
                    "GitHub does not resolve it: deleted, renamed, or not visible to the credentials"
                        .into(),
                )
                .with_hint(format!(
                    "`drydock discover --org {}` reports renamed and deleted fleet entries",
                    key.0.split('/').next().unwrap_or_default()
                ));
                out.unreadable.insert((*key).clone(), e);
                continue;
            }
            Ok(_) if !alias_errors.is_empty() => {
                let kind = if alias_errors
                    .iter()
                    .any(|e| e.kind.as_deref() == Some("FORBIDDEN"))
                {
                    ErrorKind::Forbidden
                } else {
                    ErrorKind::Invalid
                };
                let why = messages(alias_errors.into_iter());
                out.unreadable
                    .insert((*key).clone(), failed(&key.0, kind, why));
                continue;
            }
            Ok(_) => {
                let e = failed(
                    &key.0,
                    ErrorKind::Decode,
                    "GitHub answered nothing for it".into(),
                );
                out.unreadable.insert((*key).clone(), e);
                continue;
            }
            Err(e) => {
                let e = failed(
                    &key.0,
                    ErrorKind::Decode,
                    format!("cannot read GitHub's answer: {e}"),
                );
                out.unreadable.insert((*key).clone(), e);
                continue;
            }
        };
        let repo_owner = key.0.split('/').next().unwrap_or_default();
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
            out.found.insert(
                (*key).clone(),
                PullRequestStatus {
                    number: pull.number,
                    url: pull.url,
                    created_at: pull.created_at,
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

    #[test]
    fn status_answers_keep_the_newest_own_pull_request_and_report_missing_repositories() {
        let body = r#"{"data":{"p0":{"pullRequests":{"nodes":[
            {"number":9,"url":"u9","createdAt":"2026-12-01T10:00:00Z","state":"OPEN","isDraft":false,"mergeable":"MERGEABLE","reviewDecision":null,"headRepositoryOwner":{"login":"someone"},"commits":{"nodes":[]}},
            {"number":7,"url":"u7","createdAt":"2026-11-01T10:00:00Z","state":"CLOSED","isDraft":false,"mergeable":"UNKNOWN","reviewDecision":null,"headRepositoryOwner":{"login":"ACME"},"commits":{"nodes":[{"commit":{"statusCheckRollup":{"state":"FAILURE"}}}]}}]}},
            "p1":null,"p2":{"pullRequests":{"nodes":[]}},"rateLimit":{"cost":2,"remaining":4998}},
            "errors":[{"type":"NOT_FOUND","path":["p1"],"message":"Could not resolve to a Repository"}]}"#;
        let answer: GraphqlAnswer<BTreeMap<String, serde_json::Value>> =
            serde_json::from_str(body).unwrap();
        let keys = [
            ("acme/web".to_string(), "drydock/policy".to_string()),
            ("acme/gone".to_string(), "drydock/policy".to_string()),
            ("acme/none".to_string(), "drydock/policy".to_string()),
        ];
        let chunk: Vec<&(String, String)> = keys.iter().collect();
        let mut out = PullRequestStatuses::default();
        read_statuses(&chunk, answer, &mut out);
        let web = &out.found[&keys[0]];
        assert_eq!(
            (web.number, web.state.as_str()),
            (7, "CLOSED"),
            "the fork's #9 is skipped"
        );
        assert_eq!(web.checks.as_deref(), Some("FAILURE"));
        assert_eq!(out.unreadable[&keys[1]].kind, ErrorKind::NotFound);
        assert!(!out.found.contains_key(&keys[2]) && !out.unreadable.contains_key(&keys[2]));
        assert_eq!((out.cost.points, out.cost.remaining), (2, Some(4998)));
    }

    #[test]
    fn a_status_query_names_every_repository_and_asks_its_cost() {
        let keys: Vec<(String, String)> = (0..3)
            .map(|i| (format!("acme/r{i}"), "drydock/policy".to_string()))
            .collect();
        let chunk: Vec<&(String, String)> = keys.iter().collect();
        let q = status_query(&chunk);
        assert!(
            q.contains(r#"p2: repository(owner: "acme", name: "r2")"#),
            "{q}"
        );
        assert!(
            q.contains(r#"headRefName: "drydock/policy", first: 5"#),
            "{q}"
        );
        assert!(q.contains("rateLimit { cost remaining }"), "{q}");
        assert!(q.ends_with(PULL_FIELDS));
    }
}
