//! The issue side of a pull request: comments (`POST /repos/{o}/{r}/issues/{n}/comments`, the
//! reason drydock gives when it closes its pull request) and assignees
//! (`POST /repos/{o}/{r}/issues/{n}/assignees`, adding only).

use reqwest::Method;

use super::client::{Call, GitHub};
use crate::forge::error::{ErrorKind, ForgeError, Operation};

fn owner_of(repo: &str) -> &str {
    repo.split('/').next().unwrap_or(repo)
}

/// A comment. Not idempotent: after an ambiguous failure it is not sent again (a missing
/// explanation is better than two).
pub(super) async fn comment(
    gh: &GitHub,
    repo: &str,
    number: u64,
    body: &str,
) -> Result<(), ForgeError> {
    let call = Call::send(
        Method::POST,
        gh.api(&format!("/repos/{repo}/issues/{number}/comments")),
        serde_json::json!({ "body": body }),
        Operation::Comment,
        repo,
        owner_of(repo),
    );
    match gh.send(&call).await {
        Err(e) if e.kind == ErrorKind::Ambiguous => {
            tracing::info!("commenting on {repo}#{number} may have failed ({e}); not repeated");
            Ok(())
        }
        other => other.map(drop),
    }
}

/// Adds assignees (adding the same again changes nothing, so a repeat is safe).
pub(super) async fn add_assignees(
    gh: &GitHub,
    repo: &str,
    number: u64,
    assignees: &[String],
) -> Result<(), ForgeError> {
    let call = Call::send(
        Method::POST,
        gh.api(&format!("/repos/{repo}/issues/{number}/assignees")),
        serde_json::json!({ "assignees": assignees }),
        Operation::AddAssignees,
        repo,
        owner_of(repo),
    );
    match gh.send(&call).await {
        Err(e) if e.kind == ErrorKind::Ambiguous => gh.send(&call).await.map(drop),
        other => other.map(drop),
    }
}
