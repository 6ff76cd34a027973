//! `sync`: clones or fetches every selected fleet repository into the workspace on the worker
//! pool, telling an [`Observer`] (the command line's progress display) as each one starts, moves
//! data and finishes.

use std::path::Path;

use super::{Target, fleet_name, internal, pool};
use crate::git::{self, Job, Origin, SyncOptions, Synced, Transfer};
use crate::inventory::Source;
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
