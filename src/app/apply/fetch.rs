//! Step 1, git work: fetch every repository as `sync` does (clone if new, move the checkout to
//! the default branch's tip, never touch a checkout with local changes) and plan it against
//! that tip, both on the worker pool (`--jobs`). A repository that cannot be fetched or planned
//! fails alone.

use std::path::PathBuf;

use super::engine::Engine;
use super::render::{Rendered, render};
use super::{Observer, planned_files};
use crate::app::Target;
use crate::app::plan::{PlanContext, plan};
use crate::app::sync::{self, SyncContext};
use crate::forge::Forge;
use crate::git::{self, Status, SyncOptions, Synced, Transfer};
use crate::inventory::Source;
use crate::plan::RepoPlan;
use crate::proposal::ApplySettings;
use crate::repo::{FailureKind, RepoFailure};

/// A repository fetched and planned.
#[derive(Debug, Clone)]
pub struct Planned {
    pub name: String,
    pub checkout: PathBuf,
    /// The URL drydock pushes to (credentials, if the fleet wrote any, stay in it and are split
    /// off by the git layer).
    pub url: String,
    pub default_branch: String,
    /// The default branch's tip the plan was computed against.
    pub tip: String,
    pub plan: RepoPlan,
    pub settings: ApplySettings,
    /// The planned files, sorted (empty: nothing to do).
    pub files: Vec<(String, String)>,
    /// Title, body and message when there are files.
    pub rendered: Option<Rendered>,
}

/// The default branch and its tip, once fetched.
type Fetched = Result<(String, String), RepoFailure>;

struct Progress<'a> {
    names: Vec<String>,
    observer: &'a dyn Observer,
}

impl sync::Observer for Progress<'_> {
    fn started(&self, index: usize) {
        self.observer.step(&self.names[index], "fetch");
    }
    fn transfer(&self, _index: usize, _transfer: Transfer) {}
    fn finished(&self, _index: usize, _result: &Result<Synced, RepoFailure>) {}
}

/// Fetches and plans every target, in their order.
pub fn fetch_and_plan<F: Forge>(
    engine: &Engine<'_, F>,
    targets: &[Target],
    observer: &dyn Observer,
) -> Vec<Result<Planned, RepoFailure>> {
    let fleet = engine.fleet;
    let jobs = engine.options.jobs.unwrap_or(fleet.jobs).max(1);
    let options = SyncOptions {
        depth: 1,
        auth: engine.auth.clone(),
        git: fleet.git,
    };
    let remote_targets: Vec<Target> = targets
        .iter()
        .filter(|t| {
            t.repo
                .as_ref()
                .is_some_and(|r| matches!(r.source, Source::Remote { .. }))
        })
        .cloned()
        .collect();
    let progress = Progress {
        names: remote_targets.iter().map(|t| t.name.to_string()).collect(),
        observer,
    };
    let synced = sync::sync(
        &SyncContext {
            workspace: &fleet.workspace,
            targets: &remote_targets,
            jobs,
            options: &options,
        },
        &progress,
    );
    let mut fetched: Vec<(Target, Fetched)> = Vec::new();
    for (target, result) in remote_targets.iter().zip(synced.repos) {
        let outcome = match result.result {
            Ok(Synced {
                status: Status::SkippedLocalChanges,
                reason,
            }) => Err(RepoFailure::new(
                FailureKind::Git,
                format!(
                    "the checkout {} was not updated ({reason}); apply plans only against the default branch's current tip: clean the checkout or remove it",
                    target.root.display()
                ),
            )),
            Ok(_) => git::commit::checked_out(&target.root),
            Err(e) => Err(e),
        };
        fetched.push((target.clone(), outcome));
    }
    let ready: Vec<Target> = fetched
        .iter()
        .filter(|(_, r)| r.is_ok())
        .map(|(t, _)| t.clone())
        .collect();
    let mut planning = fleet.clone();
    planning.jobs = jobs;
    let mut plans = plan(&PlanContext {
        fleet: &planning,
        targets: &ready,
        write: false,
    })
    .repos
    .into_iter();
    targets
        .iter()
        .map(|target| {
            let name = target.name.to_string();
            let repo = target.repo.as_ref();
            let Some(Source::Remote { url }) = repo.map(|r| &r.source) else {
                return Err(RepoFailure::new(
                    FailureKind::UnsupportedUrl,
                    "a `path =` repository has no remote to push to: apply works on `url =` repositories",
                ));
            };
            let (_, fetched) = fetched
                .iter()
                .find(|(t, _)| t.name == target.name)
                .expect("every remote target was synced");
            let (default_branch, tip) = fetched.clone()?;
            let plan = plans.next().expect("one plan per fetched target");
            if let Some(error) = &plan.error {
                return Err(error.clone());
            }
            let settings = fleet.apply_for(repo);
            let files = planned_files(&plan);
            let rendered = if files.is_empty() {
                None
            } else {
                Some(render(
                    fleet,
                    &target.root,
                    &name,
                    &default_branch,
                    &settings,
                    &plan,
                )?)
            };
            Ok(Planned {
                name,
                checkout: target.root.clone(),
                url: url.clone(),
                default_branch,
                tip,
                plan,
                settings,
                files,
                rendered,
            })
        })
        .collect()
}
