//! `sync`: clones or fetches every selected fleet repository into the workspace on the worker
//! pool, telling an [`Observer`] (the command line's progress display) as each one starts, moves
//! data and finishes. [`git_auth`] chooses what git authenticates with: `GITHUB_TOKEN`, or with
//! a GitHub App configured, the App's installation token of each repository's owner, minted
//! through the forge (git never sees the App).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use super::{Error, Target, fleet_name, internal, pool};
use crate::forge::auth::Credentials;
use crate::forge::github::{GitHub, GitHubOptions};
use crate::forge::pacer::WaitObserver;
use crate::git::{
    self, Auth, Job, Origin, OwnerTokenFn, OwnerTokens, SyncOptions, Synced, Transfer,
};
use crate::inventory::{Fleet, Source, github_token};
use crate::repo::{RepoFailure, RepoName};

/// Receives what the workers do; indexes are positions in [`SyncContext::targets`].
pub trait Observer: Sync {
    fn started(&self, index: usize);
    fn transfer(&self, index: usize, transfer: Transfer);
    fn finished(&self, index: usize, result: &Result<Synced, RepoFailure>);
}

/// What to sync, and how.
#[derive(Debug, Clone)]
pub struct SyncContext<'a> {
    pub workspace: &'a Path,
    /// Fleet repositories; a target without a fleet entry is not synced.
    pub targets: &'a [Target],
    /// Repositories synced at once.
    pub jobs: usize,
    pub options: &'a SyncOptions,
}

/// What happened to each repository, in the order of the targets.
#[derive(Debug)]
pub struct SyncReport {
    pub repos: Vec<RepoSync>,
}

#[derive(Debug)]
pub struct RepoSync {
    pub name: RepoName,
    pub result: Result<Synced, RepoFailure>,
}

impl SyncReport {
    pub fn failed(&self) -> usize {
        self.repos.iter().filter(|r| r.result.is_err()).count()
    }
}

/// The fleet repositories among `targets`, as sync jobs with their names.
pub fn jobs(targets: &[Target]) -> Vec<(RepoName, Job)> {
    targets
        .iter()
        .filter_map(|t| {
            let repo = t.repo.as_ref()?;
            let origin = match &repo.source {
                Source::Remote { url } => Origin::Remote { url: url.clone() },
                Source::Local { path } => Origin::Local { path: path.clone() },
            };
            Some((
                fleet_name(repo),
                Job {
                    name: repo.name.clone(),
                    origin,
                    branch: repo.branch.clone(),
                    checkout: t.root.clone(),
                },
            ))
        })
        .collect()
}

/// Syncs every fleet repository among the targets with at most `jobs` at a time. One
/// repository failing (or panicking) never stops the others.
pub fn sync(ctx: &SyncContext<'_>, observer: &dyn Observer) -> SyncReport {
    let work = jobs(ctx.targets);
    git::configure_libgit2(&ctx.options.git);
    let results = pool::run(&work, ctx.jobs, |index, (_, job)| {
        observer.started(index);
        let result = git::sync_one(ctx.workspace, job, ctx.options, &|t| {
            observer.transfer(index, t)
        });
        observer.finished(index, &result);
        result
    });
    let repos = work
        .into_iter()
        .zip(results)
        .enumerate()
        .map(|(index, ((name, _), result))| {
            let result = result.unwrap_or_else(|panicked| {
                let failed = Err(internal(panicked));
                observer.finished(index, &failed);
                failed
            });
            RepoSync { name, result }
        })
        .collect();
    SyncReport { repos }
}

/// How git authenticates to the fleet's GitHub web host: with `[github] app_id` set, the App's
/// installation token of each repository owner (looked up and minted through the forge, cached
/// per owner, renewed five minutes before it expires and once after git's server refuses it);
/// else `GITHUB_TOKEN` / `GH_TOKEN`. Either goes only through git's credential callback, as user
/// `x-access-token`, and only to that host. `on_wait` hears of every rate-limit wait.
pub fn git_auth(fleet: &Fleet, on_wait: WaitObserver) -> Result<Auth, Error> {
    let token_host = fleet.github.web_host();
    let Some(app) = &fleet.forge.app else {
        return Ok(Auth {
            token: github_token(),
            token_host,
            owner_tokens: None,
        });
    };
    let credentials = Credentials::resolve(Some(app)).map_err(anyhow::Error::from)?;
    let forge = GitHub::new(GitHubOptions {
        host: fleet.github.clone(),
        credentials,
        limits: fleet.forge.limits.clone(),
        cache_dir: None,
        on_wait,
        timeout: Duration::from_secs(30),
    })
    .map_err(anyhow::Error::from)?;
    // The sync workers are plain threads; they block on this runtime's one worker, which also
    // drives the connections, for as long as the `Auth` lives.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("drydock-app-tokens")
        .enable_all()
        .build()
        .context("cannot start the async runtime for the App's tokens")?;
    let fetch: Arc<OwnerTokenFn> = Arc::new(move |owner, refused| {
        runtime
            .block_on(forge.git_token(owner, refused))
            .map_err(|e| e.to_string().replace("\n  help: ", "; "))
    });
    Ok(Auth {
        token: None,
        token_host,
        owner_tokens: Some(OwnerTokens::new(fetch)),
    })
}
