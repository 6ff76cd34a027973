//! Repositories: one (`GET /repos/{owner}/{repo}`) and an owner's list
//! (`GET /orgs/{org}/repos`, or `/users/{user}/repos` for a user), 100 a page.

use serde::Deserialize;

use super::client::{Call, GitHub};
use crate::forge::RemoteRepo;
use crate::forge::error::{ErrorKind, ForgeError, Operation};

/// `minimal-repository` / `full-repository`, the fields drydock reads.
#[derive(Debug, Deserialize)]
pub(super) struct WireRepo {
    full_name: String,
    #[serde(default)]
    archived: bool,
    #[serde(default)]
    disabled: bool,
    #[serde(default)]
    fork: bool,
    #[serde(default)]
    private: bool,
    #[serde(default)]
    topics: Vec<String>,
    default_branch: Option<String>,
    /// KB; 0 for a repository without commits.
    size: Option<u64>,
}

impl From<WireRepo> for RemoteRepo {
    fn from(w: WireRepo) -> RemoteRepo {
        RemoteRepo {
            full_name: w.full_name,
            archived: w.archived,
            disabled: w.disabled,
            fork: w.fork,
            empty: w.size == Some(0),
            private: w.private,
            topics: w.topics,
            default_branch: w.default_branch,
        }
    }
}

pub(super) async fn get(gh: &GitHub, repo: &str) -> Result<RemoteRepo, ForgeError> {
    let owner = repo.split('/').next().unwrap_or(repo);
    let call = Call::get(
        gh.api(&format!("/repos/{repo}")),
        Operation::GetRepository,
        repo,
        owner,
    );
    gh.get_json::<WireRepo>(&call).await.map(RemoteRepo::from)
}

pub(super) async fn list(gh: &GitHub, owner: &str) -> Result<Vec<RemoteRepo>, ForgeError> {
    let call = Call::get(
        gh.api(&format!(
            "/orgs/{owner}/repos?type=all&sort=full_name&per_page=100"
        )),
        Operation::ListRepositories,
        owner,
        owner,
    );
    let repos = match gh.get_pages::<WireRepo>(&call).await {
        Err(e) if e.kind == ErrorKind::NotFound => {
            // Not an organisation: a user's repositories.
            let call = Call::get(
                gh.api(&format!(
                    "/users/{owner}/repos?type=owner&sort=full_name&per_page=100"
                )),
                Operation::ListRepositories,
                owner,
                owner,
            );
            gh.get_pages::<WireRepo>(&call).await?
        }
        other => other?,
    };
    Ok(repos.into_iter().map(RemoteRepo::from).collect())
}
