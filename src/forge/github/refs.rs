//! Branches drydock owns: moving one (`PATCH /repos/{o}/{r}/git/refs/heads/{branch}`, `force`
//! for a rebase in `[apply] commit = "api"` mode) and deleting one (`DELETE .../git/refs/heads/
//! {branch}`, `--prune` only). Creating one is in `pulls.rs` beside the pull requests.

use reqwest::Method;

use super::client::{Call, GitHub};
use super::pulls::encode;
use crate::forge::error::{ErrorKind, ForgeError, Operation};

fn owner_of(repo: &str) -> &str {
    repo.split('/').next().unwrap_or(repo)
}

/// Moves `branch` to `sha`. Setting a ref is idempotent, so an ambiguous failure is repeated.
pub(super) async fn update(
    gh: &GitHub,
    repo: &str,
    branch: &str,
    sha: &str,
    force: bool,
) -> Result<(), ForgeError> {
    let call = Call::send(
        Method::PATCH,
        gh.api(&format!("/repos/{repo}/git/refs/heads/{}", encode(branch))),
        serde_json::json!({ "sha": sha, "force": force }),
        Operation::UpdateBranch,
        repo,
        owner_of(repo),
    );
    match gh.send(&call).await {
        Err(e) if e.kind == ErrorKind::Ambiguous => gh.send(&call).await.map(drop),
        other => other.map(drop),
    }
}

/// Deletes `branch`; one already gone counts as deleted (a repeat after an ambiguous failure
/// finds it so).
pub(super) async fn delete(gh: &GitHub, repo: &str, branch: &str) -> Result<(), ForgeError> {
    let call = Call {
        method: Method::DELETE,
        url: gh.api(&format!("/repos/{repo}/git/refs/heads/{}", encode(branch))),
        body: None,
        operation: Operation::DeleteBranch,
        target: Some(repo),
        auth: super::client::AuthAs::Owner(owner_of(repo)),
        graphql_query: false,
    };
    let gone = |e: &ForgeError| e.kind == ErrorKind::NotFound || e.status == Some(422);
    match gh.send(&call).await {
        Ok(_) => Ok(()),
        Err(e) if gone(&e) => Ok(()),
        Err(e) if e.kind == ErrorKind::Ambiguous => match gh.send(&call).await {
            Err(e) if !gone(&e) => Err(e),
            _ => Ok(()),
        },
        Err(e) => Err(e),
    }
}
