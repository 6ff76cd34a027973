//! `plan`: the files drydock would create or change in each repository (dependabot.yml, the
//! base-image monitor workflow), as diffs with the reason for each change, plus the findings.
//! Writes nothing unless asked to, and then only the working trees (never commits).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{Target, internal, pool};
use crate::dependabot::managed::DependabotFile;
use crate::dependabot::render::Renderer;
use crate::detect::{Ecosystem, EcosystemDir, scan_dir};
use crate::fs::{self, ReadError};
use crate::inventory::Fleet;
use crate::plan::{Found, ManagedFile, RepoPlan, UNUSABLE_FILE, plan_repo};
use crate::repo::{FailureKind, RepoFailure};
use crate::workflow::managed::WorkflowFile;

/// What to plan.
#[derive(Debug, Clone)]
pub struct PlanContext<'a> {
    pub fleet: &'a Fleet,
    pub targets: &'a [Target],
    /// Apply the changes to the working trees.
    pub write: bool,
}

/// The plan of every target, in their order.
#[derive(Debug, Serialize)]
pub struct PlanReport {
    pub repos: Vec<RepoPlan>,
    /// Why the monitor workflow is not managed, when the fleet does not say how it installs
    /// drydock (said once per run, not per repository).
    #[serde(skip)]
    pub workflow_warning: Option<String>,
}

impl PlanReport {
    /// How many repositories could not be planned (or, with `write`, written).
    pub fn failed(&self) -> usize {
        self.repos.iter().filter(|r| r.error.is_some()).count()
    }

    /// Whether any repository has a change due.
    pub fn has_changes(&self) -> bool {
        self.repos.iter().any(|r| !r.changes.is_empty())
    }

    /// Whether a drift gate (`plan --exit-code`) fails: a change is due, or a managed file is
    /// unusable (a symlinked `.github`, a FIFO, a file over the cap), so drydock cannot tell
    /// whether it has drifted and cannot repair it.
    pub fn drifted(&self) -> bool {
        self.has_changes()
            || self
                .repos
                .iter()
                .any(|r| r.findings.iter().any(|f| f.rule == UNUSABLE_FILE.id))
    }
}

/// The template renderers, one per distinct `templates` directory, loaded before the workers
/// start so they share them.
type Renderers = BTreeMap<Option<PathBuf>, Result<Renderer, String>>;

/// Plans every target on up to `fleet.jobs` threads and, with `write`, applies each plan.
pub fn plan(ctx: &PlanContext<'_>) -> PlanReport {
    let mut renderers = Renderers::new();
    for target in ctx.targets {
        let templates = ctx.fleet.dependabot_for(target.repo.as_ref()).templates;
        renderers
            .entry(templates.clone())
            .or_insert_with(|| Renderer::new(templates.as_deref()).map_err(|e| format!("{e:#}")));
    }
    let results = pool::run(ctx.targets, ctx.fleet.jobs, |_, target| {
        let (mut plan, warning) = plan_target(ctx.fleet, target, &renderers);
        if ctx.write
            && plan.error.is_none()
            && !plan.changes.is_empty()
            && let Err(e) = write_changes(&target.root, &plan)
        {
            plan.error = Some(RepoFailure::new(FailureKind::Io, format!("{e:#}")));
        }
        (plan, warning)
    });
    let mut workflow_warning = None;
    let repos = results
        .into_iter()
        .zip(ctx.targets)
        .map(|(result, target)| match result {
            Ok((plan, warning)) => {
                workflow_warning = workflow_warning.take().or(warning);
                plan
            }
            Err(panicked) => failed(target, internal(panicked)),
        })
        .collect();
    PlanReport {
        repos,
        workflow_warning,
    }
}

fn failed(target: &Target, error: RepoFailure) -> RepoPlan {
    RepoPlan {
        name: target.name.to_string(),
        error: Some(error),
        ..RepoPlan::default()
    }
}

/// The plan of one repository, and the reason its monitor workflow is not managed, if so.
fn plan_target(
    fleet: &Fleet,
    target: &Target,
    renderers: &Renderers,
) -> (RepoPlan, Option<String>) {
    if !target.root.is_dir() {
        let error = target.missing(format!(
            "{} is not checked out; run `drydock sync` first",
            target.root.display()
        ));
        return (failed(target, error), None);
    }
    let settings = fleet.dependabot_for(target.repo.as_ref());
    let renderer = match &renderers[&settings.templates] {
        Ok(r) => r,
        Err(e) => {
            let error = RepoFailure::new(FailureKind::Template, e.clone());
            return (failed(target, error), None);
        }
    };
    let options = fleet.scan.options();
    let mut scan = match scan_dir(&target.root, &options) {
        Ok(s) => s,
        Err(e) => {
            let error = RepoFailure::new(FailureKind::Io, e.to_string());
            return (failed(target, error), None);
        }
    };
    let (workflow, warning) = monitor_workflow(fleet, target, !scan.dockerfiles.is_empty());
    if workflow.is_some() {
        // The workflow drydock writes is itself a github-actions manifest: plan dependabot.yml
        // as it will be, so one plan converges.
        let actions = EcosystemDir {
            ecosystem: Ecosystem::GithubActions,
            directory: "/".into(),
        };
        if !scan.ecosystems.contains(&actions) {
            scan.ecosystems.push(actions);
            scan.ecosystems.sort();
        }
    }
    let dependabot = DependabotFile {
        scan: &scan,
        settings: &settings,
        renderer,
        monitor_workflow: workflow.is_some().then_some(crate::workflow::PATH),
    };
    let mut files: Vec<&dyn ManagedFile> = vec![&dependabot];
    files.extend(workflow.as_ref().map(|w| w as &dyn ManagedFile));
    let name = target.name.to_string();
    let cap = fleet.scan.max_file_bytes;
    let read = |rel: &str| read_managed(&target.root, rel, cap);
    (
        plan_repo(
            &name,
            &read,
            &files,
            &fleet.policy.filter,
            chrono::Utc::now().date_naive(),
        ),
        warning,
    )
}

/// The base-image monitor workflow for a repository with Dockerfiles, unless it opted out. A
/// fleet that does not say how the workflow installs drydock does not get it, and is told why.
fn monitor_workflow(
    fleet: &Fleet,
    target: &Target,
    has_dockerfiles: bool,
) -> (Option<WorkflowFile>, Option<String>) {
    if !has_dockerfiles {
        return (None, None);
    }
    let name = target.name.to_string();
    match fleet.workflow_for(&name, target.repo.as_ref()) {
        Ok(settings) => (settings.map(|settings| WorkflowFile { settings }), None),
        Err(e) => (
            None,
            Some(format!(
                "the base-image monitor workflow is not managed: {e} (docs/fleet-toml.md, [workflow])"
            )),
        ),
    }
}

/// One managed path of the repository at `root`, read through [`crate::fs`].
pub fn read_managed(root: &Path, rel: &str, cap: u64) -> Found {
    match fs::read_repo_file(root, Path::new(rel), cap) {
        Ok(bytes) => Found::Bytes(bytes),
        Err(ReadError::NotFound) => Found::Absent,
        Err(e @ ReadError::TooLarge { .. }) => Found::Unusable {
            message: e.to_string(),
            fix: Some(
                "shrink the file, or raise `[scan] max_file_bytes` in fleet.toml if it is meant to be this large"
                    .into(),
            ),
        },
        Err(e) => Found::Unusable {
            message: e.to_string(),
            fix: None,
        },
    }
}

/// Writes a plan's changes into the working tree at `root` (no commit), each through
/// [`fs::write_repo_file`]: never through a symlink or into a hard-linked file, atomically.
pub fn write_changes(root: &Path, plan: &RepoPlan) -> Result<(), fs::WriteError> {
    for change in &plan.changes {
        fs::write_repo_file(root, Path::new(&change.path), change.content.as_bytes())?;
    }
    Ok(())
}
