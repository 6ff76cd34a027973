//! `onboard`: one repository from "a team just created it" to "drydock's pull request is open",
//! in one command. In this order, each step only once the one before it succeeded:
//!
//! 1. the name is refused if the fleet has it already (in any case: GitHub names are
//!    case-insensitive), naming the line of the entry;
//! 2. the repository is looked up on the forge ([`check_remote`]): not found, no access,
//!    renamed, archived, disabled or empty are refused before anything is written (`--path DIR`
//!    onboards a local checkout and skips this: the directory is there);
//! 3. its `[[repo]]` entry is added to fleet.toml ([`crate::inventory::edit`]);
//! 4. it is synced ([`super::sync`]) and planned ([`super::plan`]): a repository that needs
//!    nothing is reported compliant, and no pull request is opened;
//! 5. its compliance pull request goes through [`super::apply`], for that repository alone.
//!
//! A failure after step 3 leaves the entry in place (it is correct: the repository exists and
//! belongs in the fleet) and says what to run once the cause is fixed. `--dry-run` does steps
//! 1, 2 and 4 and `apply --dry-run`'s observation against the fleet as it would be, and writes
//! neither fleet.toml nor anything on the forge.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use super::apply::{self, ApplyOptions, ApplyReport, ApplyResult, RepoOutcome};
use super::plan::{PlanContext, plan};
use super::sync::{Observer as SyncObserver, SyncContext, git_auth, sync};
use super::{Error, Selection, Target, UsageError};
use crate::forge::github::GitHub;
use crate::forge::pacer::{Wait, WaitObserver};
use crate::forge::{ErrorKind, Forge, ForgeError, Lookup, RemoteRepo};
use crate::git::{SyncOptions, Synced, Transfer, WorkspaceLock};
use crate::inventory::edit::{self, EditError, NewRepo};
use crate::inventory::{Fleet, Source};
use crate::plan::RepoPlan;
use crate::repo::{RepoFailure, RepoName};

/// What to onboard.
#[derive(Debug, Clone, Default)]
pub struct OnboardOptions {
    /// The fleet file to add the entry to.
    pub fleet: PathBuf,
    /// `owner/repo`, as given.
    pub name: String,
    /// `--url`: clone from here instead of the fleet's GitHub.
    pub url: Option<String>,
    /// `--path DIR`: a local checkout, used in place (relative to the current directory).
    pub path: Option<PathBuf>,
    /// `--branch`: the branch to track instead of the default branch.
    pub branch: Option<String>,
    pub dry_run: bool,
}

/// Where `onboard` is, for the progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    LookUp,
    Write,
    Sync,
    Plan,
    Apply,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::LookUp => "look-up",
            Stage::Write => "fleet.toml",
            Stage::Sync => "sync",
            Stage::Plan => "plan",
            Stage::Apply => "apply",
        }
    }
}

/// Hears what `onboard` does.
pub trait Observer: Send + Sync {
    fn stage(&self, _stage: Stage) {}
    /// A wait for GitHub's limits (the look-up, the App's tokens, apply).
    fn wait(&self, _wait: &Wait) {}
}

/// Why the forge says the repository cannot be onboarded. Nothing has been written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "{name} was not found on GitHub (or the credentials cannot see it)\n  help: check the spelling; for a private repository, the token (or the App's installation) needs `metadata: read` on it"
    )]
    NotFound { name: String },
    #[error("{name}: no access: {detail}\n  help: {help}")]
    NoAccess {
        name: String,
        detail: String,
        help: String,
    },
    #[error(
        "{name} was renamed to {to}\n  help: onboard it under its new name: `drydock onboard {to}`"
    )]
    Renamed { name: String, to: String },
    #[error(
        "{name} is archived, so it is read-only and cannot get a pull request\n  help: unarchive it on GitHub first, then run onboard again"
    )]
    Archived { name: String },
    #[error(
        "{name} is disabled on GitHub\n  help: GitHub disables repositories for billing or policy reasons; onboard it once it is enabled again"
    )]
    Disabled { name: String },
    #[error(
        "{name} is empty: it has no commits, so there is nothing to plan and no branch to open a pull request against\n  help: push a first commit (a README will do), then run onboard again"
    )]
    Empty { name: String },
}

/// A step after the entry was written that failed; the entry stays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfinished {
    pub stage: Stage,
    pub message: String,
    /// The command that finishes the job once the cause is fixed.
    pub next: String,
}

/// What `apply` did, or would do with `--dry-run`.
#[derive(Debug, Clone)]
pub struct Applied {
    pub outcome: RepoOutcome,
    /// The whole report, for printing a dry run as `apply --dry-run` does.
    pub report: ApplyReport,
}

/// How onboarding ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The plan is empty: nothing to change, no pull request.
    Compliant,
    /// `apply` ran (or, with `--dry-run`, decided) for the repository.
    Applied(Box<Applied>),
    /// The entry is in fleet.toml, a later step failed.
    Unfinished(Unfinished),
}

/// What `onboard` did.
#[derive(Debug, Clone)]
pub struct OnboardReport {
    /// The name as written to fleet.toml (GitHub's spelling when it was looked up).
    pub name: String,
    pub fleet_file: PathBuf,
    /// fleet.toml before and after; with `--dry-run` the file still holds `before`.
    pub before: String,
    pub after: String,
    /// The line of the new entry's `name` in `after`.
    pub line: usize,
    /// The repository as the forge describes it (not for `--path`).
    pub remote: Option<RemoteRepo>,
    /// The plan (absent when sync failed).
    pub plan: Option<RepoPlan>,
    pub outcome: Outcome,
    pub dry_run: bool,
}

impl OnboardReport {
    /// Whether the command failed after writing the entry (exit status 3).
    pub fn unfinished(&self) -> Option<&Unfinished> {
        match &self.outcome {
            Outcome::Unfinished(u) => Some(u),
            _ => None,
        }
    }
}

/// Onboards a repository against the fleet's GitHub (`[github]`, the token or the App).
pub fn onboard(
    options: &OnboardOptions,
    observer: Arc<dyn Observer>,
) -> Result<OnboardReport, Error> {
    let name: RepoName = options
        .name
        .parse()
        .map_err(|e: crate::repo::BadRepoName| {
            UsageError::new(format!("onboard: {e}"))
                .with_help("name the repository as on GitHub: `drydock onboard acme/web`")
        })?;
    let name = name.to_string();
    let text = edit::read(&options.fleet)?;
    let fleet = Fleet::parse(&options.fleet, &text)?;
    if let Some((line, as_listed)) = edit::find_repo(&text, &name) {
        return Err(edit_error(EditError::Duplicate {
            file: fleet.file.clone(),
            line,
            name,
            as_listed,
        }));
    }

    let (remote, spelled) = if options.path.is_some() {
        (None, name.clone())
    } else {
        observer.stage(Stage::LookUp);
        let forge = github(&fleet, observer.clone())?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        let remote = runtime
            .block_on(check_remote(&forge, &name))?
            .map_err(|refusal| Error::Other(refusal.into()))?;
        let spelled = remote.full_name.clone();
        (Some(remote), spelled)
    };

    let new = NewRepo {
        name: spelled.clone(),
        url: options.url.clone(),
        path: options
            .path
            .as_deref()
            .map(|dir| entry_path(&fleet.file, dir))
            .transpose()?,
        branch: options.branch.clone(),
    };
    let (before, after) = if options.dry_run {
        let after = edit::with_repo(&fleet.file, &text, &new).map_err(edit_error)?;
        (text, after)
    } else {
        observer.stage(Stage::Write);
        let edit = edit::add_repo(&fleet.file, &new).map_err(edit_error)?;
        (edit.before, edit.after)
    };
    let line = edit::find_repo(&after, &spelled).map_or(0, |(line, _)| line);
    let mut report = OnboardReport {
        name: spelled.clone(),
        fleet_file: fleet.file.clone(),
        before,
        after,
        line,
        remote,
        plan: None,
        outcome: Outcome::Compliant,
        dry_run: options.dry_run,
    };
    // The fleet as it is now (or, for a dry run, would be).
    let fleet = Fleet::parse(&fleet.file, &report.after)?;
    let selection = Selection {
        fleet: fleet.file.clone(),
        repos: vec![spelled.clone()],
        fleet_given: true,
        ..Selection::default()
    };
    let targets = super::targets(&fleet, &selection)?;
    report.outcome = match finish(
        &fleet,
        &selection,
        &targets,
        options.dry_run,
        &observer,
        &mut report.plan,
    ) {
        Ok(outcome) => outcome,
        Err(unfinished) => Outcome::Unfinished(unfinished),
    };
    Ok(report)
}

/// Steps 4 and 5: sync, plan, apply.
fn finish(
    fleet: &Fleet,
    selection: &Selection,
    targets: &[Target],
    dry_run: bool,
    observer: &Arc<dyn Observer>,
    planned: &mut Option<RepoPlan>,
) -> Result<Outcome, Unfinished> {
    let local = targets.iter().any(|t| {
        t.repo
            .as_ref()
            .is_some_and(|r| matches!(r.source, Source::Local { .. }))
    });
    let name = &selection.repos[0];
    // apply proposes pull requests for repositories with a remote; a `path =` checkout gets
    // its changes written in place, for a person to commit.
    let next = if local {
        format!("drydock plan --repo {name} --write")
    } else {
        format!("drydock apply --repo {name}")
    };
    let failed = |stage, message: String| Unfinished {
        stage,
        message,
        next: next.clone(),
    };
    observer.stage(Stage::Sync);
    sync_one(fleet, targets, observer).map_err(|message| failed(Stage::Sync, message))?;

    observer.stage(Stage::Plan);
    let plan = plan(&PlanContext {
        fleet,
        targets,
        write: false,
    })
    .repos
    .pop()
    .ok_or_else(|| failed(Stage::Plan, "the plan has no repository".into()))?;
    if let Some(error) = &plan.error {
        let message = error.message.clone();
        *planned = Some(plan);
        return Err(failed(Stage::Plan, message));
    }
    let compliant = plan.changes.is_empty();
    *planned = Some(plan);
    if compliant {
        return Ok(Outcome::Compliant);
    }

    observer.stage(Stage::Apply);
    let options = ApplyOptions {
        selection: selection.clone(),
        dry_run,
        ..ApplyOptions::default()
    };
    let hears = Arc::new(ApplyHears(observer.clone()));
    let report = apply::apply_fleet(fleet, targets, &options, hears)
        .map_err(|e| failed(Stage::Apply, error_text(&e)))?;
    let outcome = report
        .repos
        .iter()
        .find(|r| r.name.eq_ignore_ascii_case(&selection.repos[0]))
        .cloned()
        .ok_or_else(|| {
            failed(
                Stage::Apply,
                "apply did not report on the repository".into(),
            )
        })?;
    if outcome.result == ApplyResult::Failed {
        let reason = outcome
            .reason
            .clone()
            .unwrap_or_else(|| "apply failed".into());
        return Err(failed(Stage::Apply, reason));
    }
    Ok(Outcome::Applied(Box::new(Applied { outcome, report })))
}

/// Syncs the one target, holding the workspace lock only for the sync (apply takes it next).
fn sync_one(
    fleet: &Fleet,
    targets: &[Target],
    observer: &Arc<dyn Observer>,
) -> Result<Synced, String> {
    let hears = observer.clone();
    let on_wait: WaitObserver = Arc::new(move |wait: &Wait| hears.wait(wait));
    let auth = git_auth(fleet, on_wait).map_err(|e| error_text(&e))?;
    let options = SyncOptions {
        depth: 1,
        auth,
        git: fleet.git,
    };
    let _lock = WorkspaceLock::acquire(&fleet.workspace).map_err(|e| e.to_string())?;
    let report = sync(
        &SyncContext {
            workspace: &fleet.workspace,
            targets,
            jobs: 1,
            options: &options,
        },
        &Silent,
    );
    match report.repos.into_iter().next() {
        Some(synced) => synced.result.map_err(|f: RepoFailure| f.message),
        None => Err("the repository is not a fleet repository".into()),
    }
}

/// The forge's answer about `name`: the repository, or why it cannot be onboarded. Errors
/// that say nothing about the repository (GitHub failing, a rate limit) are errors.
pub async fn check_remote<F: Forge>(
    forge: &F,
    name: &str,
) -> Result<Result<RemoteRepo, Refusal>, Error> {
    let owned = || name.to_string();
    let repo = match forge.repository(name).await {
        Ok(repo) => repo,
        Err(e) => return refusal_of(forge, name, e).await.map(Err),
    };
    Ok(if repo.archived {
        Err(Refusal::Archived {
            name: repo.full_name,
        })
    } else if repo.disabled {
        Err(Refusal::Disabled {
            name: repo.full_name,
        })
    } else if repo.empty {
        Err(Refusal::Empty {
            name: repo.full_name,
        })
    } else if !repo.full_name.eq_ignore_ascii_case(name) {
        Err(Refusal::Renamed {
            name: owned(),
            to: repo.full_name,
        })
    } else {
        Ok(repo)
    })
}

async fn refusal_of<F: Forge>(forge: &F, name: &str, e: ForgeError) -> Result<Refusal, Error> {
    let owned = name.to_string();
    Ok(match e.kind {
        ErrorKind::NotFound => Refusal::NotFound { name: owned },
        ErrorKind::Moved => {
            // GitHub answers a renamed repository's REST path with a redirect drydock does not
            // follow; the GraphQL look-up follows renames and says where to.
            let looked = forge
                .look_up(std::slice::from_ref(&owned))
                .await
                .map_err(|e| Error::Other(e.into()))?;
            match looked.get(name) {
                Some(Lookup::Renamed(to)) => Refusal::Renamed {
                    name: owned,
                    to: to.full_name.clone(),
                },
                Some(Lookup::Missing) | None => Refusal::NotFound { name: owned },
                Some(Lookup::Found(_)) => return Err(Error::Other(e.into())),
            }
        }
        ErrorKind::Forbidden | ErrorKind::Unauthorized | ErrorKind::NotInstalled => {
            Refusal::NoAccess {
                name: owned,
                detail: match e.status {
                    Some(status) => format!("GitHub answered {status}: {}", e.message),
                    None => e.message.clone(),
                },
                help: e.hint.clone().unwrap_or_else(|| {
                    "check GITHUB_TOKEN / GH_TOKEN, or the App's installation on the owner".into()
                }),
            }
        }
        _ => return Err(Error::Other(e.into())),
    })
}

/// The `path` of the new entry: `dir` (relative to the current directory) relative to the
/// fleet file's directory when it is inside it, else absolute.
fn entry_path(fleet_file: &Path, dir: &Path) -> Result<String, Error> {
    let not_a_dir = || {
        UsageError::new(format!("--path {}: not a directory", dir.display()))
            .with_help("pass the root of the repository's local checkout")
    };
    if !dir.is_dir() {
        return Err(not_a_dir().into());
    }
    let absolute = std::path::absolute(dir).map_err(|_| not_a_dir())?;
    let base = fleet_file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let base = std::path::absolute(base).unwrap_or_else(|_| base.to_path_buf());
    let written = match absolute.strip_prefix(&base) {
        Ok(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
        Ok(rel) => rel.to_path_buf(),
        Err(_) => absolute.clone(),
    };
    written.to_str().map(str::to_string).ok_or_else(|| {
        UsageError::new(format!("--path {}: not UTF-8", dir.display()))
            .with_help("fleet.toml is UTF-8: rename the directory or move it")
            .into()
    })
}

/// The fleet's GitHub client, as `discover` and `apply` build it.
fn github(fleet: &Fleet, observer: Arc<dyn Observer>) -> Result<GitHub, Error> {
    Ok(super::github_client(
        fleet,
        Arc::new(move |wait: &Wait| observer.wait(wait)),
        Duration::from_secs(30),
    )?)
}

/// A duplicate is a usage error (exit status 2), named by its line; the rest keep their kind.
fn edit_error(e: EditError) -> Error {
    match e {
        EditError::Duplicate { ref as_listed, .. } => {
            let help = format!(
                "it is onboarded already: `drydock plan --repo {as_listed}` shows what it still needs, `drydock apply --repo {as_listed}` proposes it"
            );
            Error::Usage(UsageError::new(e.to_string()).with_help(help))
        }
        EditError::Invalid(config) => Error::Config(config),
        EditError::Unsupported { .. } => Error::Usage(UsageError::new(e.to_string())),
        EditError::Write(w) => Error::Other(anyhow::Error::from(w)),
    }
}

fn error_text(e: &Error) -> String {
    match e {
        Error::Other(other) => format!("{other:#}"),
        e => e.to_string(),
    }
}

impl fmt::Display for Unfinished {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.stage {
            Stage::Sync => "syncing it failed",
            Stage::Plan => "planning it failed",
            Stage::Apply => "opening its pull request failed",
            Stage::LookUp | Stage::Write => "a step failed",
        };
        write!(f, "{what}: {}", self.message)
    }
}

/// Sync without progress: onboard shows its stages instead.
struct Silent;

impl SyncObserver for Silent {
    fn started(&self, _index: usize) {}
    fn transfer(&self, _index: usize, _transfer: Transfer) {}
    fn finished(&self, _index: usize, _result: &Result<Synced, RepoFailure>) {}
}

/// Passes apply's waits on to onboard's observer.
struct ApplyHears(Arc<dyn Observer>);

impl apply::Observer for ApplyHears {
    fn wait(&self, wait: &Wait) {
        self.0.wait(wait);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forge::memory::{MemoryForge, repo};

    fn refused(forge: &MemoryForge, name: &str) -> Refusal {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(check_remote(forge, name))
            .unwrap()
            .unwrap_err()
    }

    #[test]
    fn the_forge_refusals_say_what_to_do() {
        let mut archived = repo("acme/old");
        archived.archived = true;
        let mut empty = repo("acme/new");
        empty.empty = true;
        let mut disabled = repo("acme/off");
        disabled.disabled = true;
        let forge = MemoryForge::new()
            .with_repo(archived)
            .with_repo(empty)
            .with_repo(disabled)
            .with_repo(repo("acme/web"));
        assert_eq!(
            refused(&forge, "acme/nope"),
            Refusal::NotFound {
                name: "acme/nope".into()
            }
        );
        assert_eq!(
            refused(&forge, "acme/old"),
            Refusal::Archived {
                name: "acme/old".into()
            }
        );
        assert_eq!(
            refused(&forge, "acme/new"),
            Refusal::Empty {
                name: "acme/new".into()
            }
        );
        assert!(matches!(
            refused(&forge, "acme/off"),
            Refusal::Disabled { .. }
        ));
        let found = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(check_remote(&forge, "ACME/web"))
            .unwrap()
            .unwrap();
        assert_eq!(found.full_name, "acme/web", "GitHub's spelling is kept");
    }

    #[test]
    fn a_local_path_is_written_relative_to_the_fleet_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("checkouts/web")).unwrap();
        let fleet = dir.path().join("fleet.toml");
        assert_eq!(
            entry_path(&fleet, &dir.path().join("checkouts/web")).unwrap(),
            "checkouts/web"
        );
        let elsewhere = tempfile::tempdir().unwrap();
        assert_eq!(
            entry_path(&fleet, elsewhere.path()).unwrap(),
            std::path::absolute(elsewhere.path())
                .unwrap()
                .to_str()
                .unwrap()
        );
        assert!(entry_path(&fleet, &dir.path().join("missing")).is_err());
    }
}
