//! Pull requests: look one up by head branch (`GET /repos/{o}/{r}/pulls?head=owner:branch`,
//! the owner prefix is required or GitHub ignores the filter), create, update. Creating is
//! not idempotent: after an ambiguous failure the head branch is looked up before another try.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::client::{Call, GitHub};
use crate::forge::error::{ErrorKind, ForgeError, Operation};
use crate::forge::{NewPullRequest, PullRequest, PullRequestUpdate};

#[derive(Deserialize)]
struct WirePull {
    number: u64,
    html_url: String,
    state: String,
    title: String,
    #[serde(default)]
    draft: bool,
    head: WireRef,
    base: WireRef,
}

#[derive(Deserialize)]
struct WireRef {
    #[serde(rename = "ref")]
    name: String,
}

impl From<WirePull> for PullRequest {
    fn from(w: WirePull) -> PullRequest {
        PullRequest {
            number: w.number,
            url: w.html_url,
            state: w.state,
            head: w.head.name,
            base: w.base.name,
            title: w.title,
            draft: w.draft,
        }
    }
}

#[derive(Serialize)]
struct WireCreate<'a> {
    title: &'a str,
    head: &'a str,
    base: &'a str,
    body: &'a str,
    draft: bool,
    maintainer_can_modify: bool,
}

#[derive(Serialize)]
struct WireUpdate<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    base: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<&'a str>,
}

fn owner_of(repo: &str) -> &str {
    repo.split('/').next().unwrap_or(repo)
}

pub(super) async fn find(
    gh: &GitHub,
    repo: &str,
    branch: &str,
) -> Result<Option<PullRequest>, ForgeError> {
    let owner = owner_of(repo);
    let head = format!("{owner}:{branch}");
    let call = Call::get(
        gh.api(&format!(
            "/repos/{repo}/pulls?state=open&head={}&per_page=100",
            encode(&head)
        )),
        Operation::FindPullRequest,
        repo,
        owner,
    );
    let pulls: Vec<WirePull> = gh.get_json(&call).await?;
    Ok(pulls.into_iter().next().map(PullRequest::from))
}

pub(super) async fn create(
    gh: &GitHub,
    repo: &str,
    new: &NewPullRequest,
) -> Result<PullRequest, ForgeError> {
    let body = WireCreate {
        title: &new.title,
        head: &new.head,
        base: &new.base,
        body: &new.body,
        draft: new.draft,
        maintainer_can_modify: true,
    };
    create_raw(
        gh,
        repo,
        serde_json::to_value(body).expect("serialisable"),
        &new.head,
    )
    .await
}

/// Sends a create-PR body as it is; after an ambiguous failure, looks before one more try.
pub(super) async fn create_raw(
    gh: &GitHub,
    repo: &str,
    body: serde_json::Value,
    head: &str,
) -> Result<PullRequest, ForgeError> {
    let owner = owner_of(repo);
    let call = Call::send(
        Method::POST,
        gh.api(&format!("/repos/{repo}/pulls")),
        body,
        Operation::CreatePullRequest,
        repo,
        owner,
    );
    match gh.get_json::<WirePull>(&call).await {
        Ok(p) => Ok(p.into()),
        Err(e) if e.kind == ErrorKind::Ambiguous => {
            tracing::info!(
                "creating a pull request on {repo} may have failed ({e}); looking first"
            );
            if let Some(existing) = find(gh, repo, head).await? {
                return Ok(existing);
            }
            gh.get_json::<WirePull>(&call).await.map(PullRequest::from)
        }
        Err(e) => Err(e),
    }
}

pub(super) async fn update(
    gh: &GitHub,
    repo: &str,
    number: u64,
    update: &PullRequestUpdate,
) -> Result<PullRequest, ForgeError> {
    let body = WireUpdate {
        title: update.title.as_deref(),
        body: update.body.as_deref(),
        base: update.base.as_deref(),
        state: if update.close {
            Some("closed")
        } else if update.reopen {
            Some("open")
        } else {
            None
        },
    };
    let call = Call::send(
        Method::PATCH,
        gh.api(&format!("/repos/{repo}/pulls/{number}")),
        serde_json::to_value(body).expect("serialisable"),
        Operation::UpdatePullRequest,
        repo,
        owner_of(repo),
    );
    // PATCH sets fields: repeating it after an ambiguous failure changes nothing more.
    match gh.get_json::<WirePull>(&call).await {
        Err(e) if e.kind == ErrorKind::Ambiguous => gh.get_json::<WirePull>(&call).await,
        other => other,
    }
    .map(PullRequest::from)
}

/// Labels on a pull request (`POST /repos/{o}/{r}/issues/{n}/labels`; adding is idempotent).
pub(super) async fn add_labels(
    gh: &GitHub,
    repo: &str,
    number: u64,
    labels: &[String],
) -> Result<(), ForgeError> {
    let call = Call::send(
        Method::POST,
        gh.api(&format!("/repos/{repo}/issues/{number}/labels")),
        serde_json::json!({ "labels": labels }),
        Operation::AddLabels,
        repo,
        owner_of(repo),
    );
    match gh.send(&call).await {
        Err(e) if e.kind == ErrorKind::Ambiguous => gh.send(&call).await.map(drop),
        other => other.map(drop),
    }
}

/// Review requests (`POST /repos/{o}/{r}/pulls/{n}/requested_reviewers`; team slugs).
pub(super) async fn request_reviewers(
    gh: &GitHub,
    repo: &str,
    number: u64,
    users: &[String],
    teams: &[String],
) -> Result<(), ForgeError> {
    let call = Call::send(
        Method::POST,
        gh.api(&format!("/repos/{repo}/pulls/{number}/requested_reviewers")),
        serde_json::json!({ "reviewers": users, "team_reviewers": teams }),
        Operation::RequestReviewers,
        repo,
        owner_of(repo),
    );
    // Requesting the same reviewers again changes nothing, so a repeat is safe.
    match gh.send(&call).await {
        Err(e) if e.kind == ErrorKind::Ambiguous => gh.send(&call).await.map(drop),
        other => other.map(drop),
    }
}

/// Creates `refs/heads/{branch}` at `sha` (`POST /repos/{o}/{r}/git/refs`). After an ambiguous
/// failure the ref is read back: there already at `sha` means done.
pub(super) async fn create_branch(
    gh: &GitHub,
    repo: &str,
    branch: &str,
    sha: &str,
) -> Result<(), ForgeError> {
    #[derive(Deserialize)]
    struct WireGitRef {
        object: WireObject,
    }
    #[derive(Deserialize)]
    struct WireObject {
        sha: String,
    }
    let owner = owner_of(repo);
    let call = Call::send(
        Method::POST,
        gh.api(&format!("/repos/{repo}/git/refs")),
        serde_json::json!({ "ref": format!("refs/heads/{branch}"), "sha": sha }),
        Operation::CreateBranch,
        repo,
        owner,
    );
    match gh.send(&call).await {
        Ok(_) => Ok(()),
        Err(e) if e.kind == ErrorKind::Ambiguous => {
            let read = Call::get(
                gh.api(&format!("/repos/{repo}/git/ref/heads/{}", encode(branch))),
                Operation::CreateBranch,
                repo,
                owner,
            );
            match gh.get_json::<WireGitRef>(&read).await {
                Ok(r) if r.object.sha == sha => Ok(()),
                Ok(_) => Err(e),
                Err(n) if n.kind == ErrorKind::NotFound => gh.send(&call).await.map(drop),
                Err(other) => Err(other),
            }
        }
        Err(e) => Err(e),
    }
}

/// Percent-encodes a query or path value.
pub(super) fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
