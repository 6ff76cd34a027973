//! What `apply` must see of many repositories before it decides anything, in one GraphQL query
//! per [`BATCH`] repositories: archived, the default branch and its head, drydock's branch head,
//! and the newest pull request whose head is drydock's branch, in any state, with its body (the
//! content marker), head commit and labels. A no-op rerun of 500 repositories costs 10 queries.
//!
//! `pullRequests(headRefName:)` does not filter by the head's owner: a fork's pull request from
//! a branch of the same name is dropped here. The query's cost is read back (`rateLimit`) and
//! logged; GitHub's `RATE_LIMITED` is waited out by [`super::graphql::run`].

use std::collections::BTreeMap;

use serde::Deserialize;

use super::client::GitHub;
use super::graphql::{GraphqlAnswer, run};
use crate::forge::error::{ErrorKind, ForgeError, Operation};
use crate::forge::{Observation, ObservedPull, PrState};

/// Repositories per query. With five pull requests of fifty labels each per repository a query
/// names 50 + 250 connections: 3 points of GitHub's 5,000 an hour.
const BATCH: usize = 50;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GqlObserved {
    is_archived: bool,
    default_branch_ref: Option<GqlRef>,
    #[serde(rename = "ref")]
    branch: Option<GqlRef>,
    pull_requests: GqlNodes<GqlPull>,
}

#[derive(Debug, Deserialize)]
struct GqlRef {
    name: Option<String>,
    target: Option<GqlOid>,
}

#[derive(Debug, Deserialize)]
struct GqlOid {
    oid: String,
}

#[derive(Debug, Deserialize)]
struct GqlNodes<T> {
    nodes: Vec<T>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GqlPull {
    number: u64,
    url: String,
    state: PrState,
    body: String,
    head_ref_oid: String,
    head_repository_owner: Option<GqlLogin>,
    labels: Option<GqlNodes<GqlName>>,
}

#[derive(Debug, Deserialize)]
struct GqlLogin {
    login: String,
}

#[derive(Debug, Deserialize)]
struct GqlName {
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GqlCost {
    cost: u64,
    remaining: u64,
}

/// GraphQL string literal.
fn literal(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// The query for one batch; aliases `o0`, `o1`, ...
fn query(chunk: &[(String, String)]) -> String {
    let mut query = String::from("query {");
    for (i, (full, branch)) in chunk.iter().enumerate() {
        let (o, n) = full.split_once('/').unwrap_or((full, ""));
        query.push_str(&format!(
            " o{i}: repository(owner: {}, name: {}) {{ isArchived defaultBranchRef {{ name target {{ oid }} }} ref(qualifiedName: {}) {{ name target {{ oid }} }} pullRequests(headRefName: {}, first: 5, states: [OPEN, CLOSED, MERGED], orderBy: {{field: CREATED_AT, direction: DESC}}) {{ nodes {{ number url state body headRefOid headRepositoryOwner {{ login }} labels(first: 50) {{ nodes {{ name }} }} }} }} }}",
            literal(o),
            literal(n),
            literal(&format!("refs/heads/{branch}")),
            literal(branch),
        ));
    }
    query.push_str(" rateLimit { cost remaining } }");
    query
}

/// Observes every `(repo, branch)`, [`BATCH`] per query.
pub(super) async fn observe(
    gh: &GitHub,
    repos: &[(String, String)],
) -> Result<BTreeMap<String, Observation>, ForgeError> {
    let mut out = BTreeMap::new();
    for chunk in repos.chunks(BATCH) {
        let owner = chunk[0].0.split('/').next().unwrap_or_default().to_string();
        let answer: GraphqlAnswer<BTreeMap<String, serde_json::Value>> = run(
            gh,
            &query(chunk),
            serde_json::json!({}),
            false,
            Operation::Observe,
            &owner,
            &owner,
        )
        .await?;
        let hard: Vec<&str> = answer
            .errors
            .iter()
            .filter(|e| e.kind.as_deref() != Some("NOT_FOUND"))
            .map(|e| e.message.as_str())
            .collect();
        let Some(mut data) = answer.data else {
            return Err(ForgeError::new(
                ErrorKind::Invalid,
                Operation::Observe,
                if hard.is_empty() {
                    "GitHub answered without data".to_string()
                } else {
                    hard.join("; ")
                },
            )
            .on(Some(&owner)));
        };
        if let Some(cost) = data
            .remove("rateLimit")
            .and_then(|v| serde_json::from_value::<GqlCost>(v).ok())
        {
            tracing::debug!(
                "observing {} repositories cost {} GraphQL points ({} left)",
                chunk.len(),
                cost.cost,
                cost.remaining
            );
        }
        for (i, (full, _)) in chunk.iter().enumerate() {
            let repo_owner = full.split('/').next().unwrap_or_default();
            let value = data.remove(&format!("o{i}")).unwrap_or_default();
            let observed = if value.is_null() {
                Observation {
                    missing: true,
                    ..Observation::default()
                }
            } else {
                let repo: GqlObserved = serde_json::from_value(value).map_err(|e| {
                    ForgeError::new(
                        ErrorKind::Decode,
                        Operation::Observe,
                        format!("cannot read GitHub's answer about {full}: {e}"),
                    )
                    .on(Some(full))
                })?;
                convert(repo, repo_owner)
            };
            out.insert(full.clone(), observed);
        }
    }
    Ok(out)
}

fn convert(repo: GqlObserved, owner: &str) -> Observation {
    let pull = repo
        .pull_requests
        .nodes
        .into_iter()
        .find(|p| {
            p.head_repository_owner
                .as_ref()
                .is_some_and(|o| o.login.eq_ignore_ascii_case(owner))
        })
        .map(|p| ObservedPull {
            number: p.number,
            url: p.url,
            state: p.state,
            body: p.body,
            head_oid: p.head_ref_oid,
            labels: p
                .labels
                .map(|l| l.nodes.into_iter().map(|n| n.name).collect())
                .unwrap_or_default(),
        });
    Observation {
        missing: false,
        archived: repo.is_archived,
        default_branch: repo
            .default_branch_ref
            .as_ref()
            .and_then(|r| r.name.clone()),
        default_head: repo
            .default_branch_ref
            .and_then(|r| r.target)
            .map(|t| t.oid),
        branch_head: repo.branch.and_then(|r| r.target).map(|t| t.oid),
        pull,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fork_pull_request_is_not_drydocks() {
        let body = r#"{"isArchived":false,"defaultBranchRef":{"name":"main","target":{"oid":"aa"}},"ref":null,"pullRequests":{"nodes":[{"number":3,"url":"u3","state":"OPEN","body":"","headRefOid":"cc","headRepositoryOwner":{"login":"forker"},"labels":{"nodes":[]}},{"number":2,"url":"u2","state":"MERGED","body":"b","headRefOid":"bb","headRepositoryOwner":{"login":"Acme"},"labels":{"nodes":[{"name":"policy"}]}}]}}"#;
        let observed = convert(serde_json::from_str(body).unwrap(), "acme");
        let pull = observed.pull.unwrap();
        assert_eq!((pull.number, pull.state), (2, PrState::Merged));
        assert_eq!(pull.labels, ["policy"]);
        assert_eq!(observed.default_head.as_deref(), Some("aa"));
        assert_eq!(observed.branch_head, None);
    }

    #[test]
    fn one_query_names_every_repository_of_its_batch() {
        let q = query(&[
            ("acme/web".into(), "drydock/policy".into()),
            ("acme/api".into(), "drydock/policy".into()),
        ]);
        assert!(q.contains("o0: repository(owner: \"acme\", name: \"web\")"));
        assert!(q.contains("o1: repository(owner: \"acme\", name: \"api\")"));
        assert!(q.contains("qualifiedName: \"refs/heads/drydock/policy\""));
    }
}
