//! The run: which repositories (all selected, or a resumed run's unfinished or failed ones),
//! fetch and plan them (git, `--jobs`), observe them in bulk, then each repository's state
//! machine on the worker pool, its API calls on the shared runtime under the forge's pacer.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::decide::{Action, Branch, Facts, Pull, decide};
use super::fetch::{Planned, fetch_and_plan};
use super::journal::{self, History, Journal, Known};
use super::observe::{branch_state, observe_all};
use super::{
    ApplyOptions, ApplyReport, ApplyResult, Observer, PrRef, Proposal, RepoOutcome, runs_dir,
};
use crate::app::{Error, Target, UsageError, pool};
use crate::forge::{ErrorKind, Forge, ForgeError, Observation, PrState};
use crate::git::Auth;
use crate::inventory::Fleet;
use crate::proposal::marker;
use crate::repo::{FailureKind, RepoFailure};

/// What a run works with.
pub struct Engine<'a, F: Forge> {
    pub forge: &'a F,
    pub fleet: &'a Fleet,
    pub auth: &'a Auth,
    pub runtime: &'a tokio::runtime::Handle,
    pub options: &'a ApplyOptions,
}

/// A repository's journal, for the step files: each step is recorded (and fsynced) before it
/// acts; a dry run records nothing.
pub struct Step<'a> {
    journal: Option<&'a Journal>,
    repo: &'a str,
    observer: &'a dyn Observer,
}

impl Step<'_> {
    pub fn record(&self, step: &str, detail: Value) -> Result<(), RepoFailure> {
        self.observer.step(self.repo, step);
        match self.journal {
            Some(j) => j.record(self.repo, step, detail).map_err(|e| {
                RepoFailure::new(
                    FailureKind::Io,
                    format!("cannot write the journal {}: {e}", j.path().display()),
                )
            }),
            None => Ok(()),
        }
    }
}

/// A forge error as the repository's failure (already free of tokens: the forge never puts one
/// in a message).
pub fn forge_failure(e: ForgeError) -> RepoFailure {
    let kind = match e.kind {
        ErrorKind::Unauthorized | ErrorKind::Forbidden | ErrorKind::NotInstalled => {
            FailureKind::Auth
        }
        ErrorKind::NotFound | ErrorKind::Moved => FailureKind::NotFound,
        _ => FailureKind::Network,
    };
    RepoFailure::new(kind, e.to_string().replace("\n  help: ", "; "))
}

/// Which repositories this run works on, and the outcomes it carries over from the run it
/// continues.
struct Chosen {
    run: String,
    journal: Option<Journal>,
    targets: Vec<Target>,
    carried: BTreeMap<String, RepoOutcome>,
    /// Names in the order the report lists them.
    order: Vec<String>,
}

fn choose<F: Forge>(engine: &Engine<'_, F>, targets: &[Target]) -> Result<Chosen, Error> {
    let options = engine.options;
    let dir = runs_dir(engine.fleet);
    let io = |e: std::io::Error| {
        Error::Other(anyhow::anyhow!(
            "cannot write the run journal in {}: {e}",
            dir.display()
        ))
    };
    if !(options.resume || options.only_failed) {
        let run = journal::new_run_id();
        let names: Vec<String> = targets.iter().map(|t| t.name.to_string()).collect();
        let journal = if options.dry_run {
            None
        } else {
            Some(Journal::create(&dir, &run, &names).map_err(io)?)
        };
        return Ok(Chosen {
            run,
            journal,
            targets: targets.to_vec(),
            carried: BTreeMap::new(),
            order: names,
        });
    }
    let log = journal::newest(&dir, options.resume && !options.only_failed).ok_or_else(|| {
        UsageError::new(format!(
            "{}: no {} run in {}",
            if options.resume {
                "--resume"
            } else {
                "--only-failed"
            },
            if options.resume && !options.only_failed {
                "unfinished"
            } else {
                "earlier"
            },
            dir.display()
        ))
        .with_help("run `drydock apply` without --resume / --only-failed")
    })?;
    let mut wanted: BTreeSet<String> = BTreeSet::new();
    if options.resume {
        wanted.extend(log.unfinished());
    }
    if options.only_failed {
        wanted.extend(log.failures());
    }
    let chosen: Vec<Target> = targets
        .iter()
        .filter(|t| wanted.contains(&t.name.to_string()))
        .cloned()
        .collect();
    let mut carried = BTreeMap::new();
    for name in &log.repos {
        if chosen.iter().any(|t| &t.name.to_string() == name) {
            continue;
        }
        let outcome = log.outcome(name).unwrap_or_else(|| RepoOutcome {
            name: name.clone(),
            result: ApplyResult::Failed,
            pr: None,
            reason: Some(
                "not finished, and no longer selected (not in fleet.toml, or left out by --repo)"
                    .into(),
            ),
        });
        carried.insert(name.clone(), outcome);
    }
    let journal = if options.dry_run {
        None
    } else {
        Some(Journal::reopen(&dir, &log.run).map_err(io)?)
    };
    Ok(Chosen {
        run: log.run.clone(),
        journal,
        targets: chosen,
        carried,
        order: log.repos.clone(),
    })
}

/// Runs the whole apply.
pub fn run<F: Forge>(
    engine: &Engine<'_, F>,
    targets: &[Target],
    observer: &dyn Observer,
) -> Result<ApplyReport, Error> {
    let chosen = choose(engine, targets)?;
    // The run this one continues (--resume, --only-failed) is history too: what it did before it
    // stopped, such as a pull request opened without its labels. A new run has no line yet.
    let history = History::load(&runs_dir(engine.fleet), "", 20);
    let journal = chosen.journal.as_ref();

    let planned = fetch_and_plan(engine, &chosen.targets, observer);
    for p in planned.iter().flatten() {
        let step = Step {
            journal,
            repo: &p.name,
            observer,
        };
        let hash = p.rendered.as_ref().map(|r| r.content_hash.clone());
        // A journal that cannot be written fails the repository at its first real step.
        let _ = step.record("planned", json!({ "hash": hash, "tip": p.tip }));
    }

    // Nothing planned and no pull request left open by the last run: nothing to read.
    let to_observe: Vec<(String, String)> = planned
        .iter()
        .flatten()
        .filter(|p| {
            let known = history.known(&p.name);
            !(p.files.is_empty()
                && matches!(
                    known.result,
                    Some(
                        ApplyResult::NoChange
                            | ApplyResult::Closed
                            | ApplyResult::Merged
                            | ApplyResult::Declined
                    )
                )
                && !engine.options.prune)
        })
        .map(|p| (p.name.clone(), p.settings.branch.clone()))
        .collect();
    let observed = observe_all(engine, &to_observe);

    let work: Vec<(usize, &Result<Planned, RepoFailure>)> = planned.iter().enumerate().collect();
    let jobs = engine.options.jobs.unwrap_or(engine.fleet.jobs).max(1);
    let results = pool::run(&work, jobs, |_, (index, planned)| {
        let name = chosen.targets[*index].name.to_string();
        let step = Step {
            journal,
            repo: &name,
            observer,
        };
        let (outcome, proposal) = match planned {
            Err(failure) => (failed(&name, failure, None), None),
            Ok(p) => one(engine, &step, p, observed.get(&p.name), &history),
        };
        let _ = step.record(
            journal::DONE,
            json!({
                "result": outcome.0.result,
                "pr": outcome.0.pr,
                "reason": outcome.0.reason,
                "branch_sha": outcome.1.branch_sha,
                "parent": outcome.1.parent,
                "hash": outcome.1.hash,
                "tip": outcome.1.tip,
            }),
        );
        observer.finished(&outcome.0);
        (outcome.0, proposal)
    });
    let mut fresh: BTreeMap<String, RepoOutcome> = BTreeMap::new();
    let mut proposals = Vec::new();
    for (result, target) in results.into_iter().zip(&chosen.targets) {
        let name = target.name.to_string();
        match result {
            Ok((outcome, proposal)) => {
                fresh.insert(name, outcome);
                proposals.extend(proposal);
            }
            Err(panicked) => {
                let failure = crate::app::internal(panicked);
                fresh.insert(name.clone(), failed(&name, &failure, None).0);
            }
        }
    }
    if let Some(j) = journal {
        j.finish().map_err(|e| {
            Error::Other(anyhow::anyhow!(
                "cannot finish the journal {}: {e}",
                j.path().display()
            ))
        })?;
    }
    let mut carried = chosen.carried;
    let mut repos: Vec<RepoOutcome> = chosen
        .order
        .iter()
        .filter_map(|n| fresh.remove(n).or_else(|| carried.remove(n)))
        .collect();
    repos.extend(fresh.into_values());
    Ok(ApplyReport {
        run: chosen.run,
        repos,
        proposals,
        dry_run: engine.options.dry_run,
    })
}

fn outcome(
    name: &str,
    result: ApplyResult,
    pr: Option<PrRef>,
    reason: Option<String>,
) -> RepoOutcome {
    RepoOutcome {
        name: name.to_string(),
        result,
        pr,
        reason,
    }
}

fn failed(name: &str, failure: &RepoFailure, pr: Option<PrRef>) -> (RepoOutcome, Known) {
    (
        outcome(name, ApplyResult::Failed, pr, Some(failure.message.clone())),
        Known::default(),
    )
}

/// One repository, observed: decide, then act (or, in a dry run, say what would be sent).
fn one<F: Forge>(
    engine: &Engine<'_, F>,
    step: &Step<'_>,
    planned: &Planned,
    observed: Option<&Result<Observation, String>>,
    history: &History,
) -> ((RepoOutcome, Known), Option<Proposal>) {
    let name = planned.name.as_str();
    let hash = planned.rendered.as_ref().map(|r| r.content_hash.clone());
    let mut known = Known {
        result: None,
        branch_sha: None,
        parent: None,
        hash: hash.clone(),
        tip: Some(planned.tip.clone()),
    };
    let observation = match observed {
        None => {
            // Not observed: nothing planned and nothing left open.
            return (
                (outcome(name, ApplyResult::NoChange, None, None), known),
                None,
            );
        }
        Some(Err(e)) => {
            let f = RepoFailure::new(FailureKind::Network, e.clone());
            return (failed(name, &f, None), None);
        }
        Some(Ok(o)) => o,
    };
    let previous = history.known(name);
    let branch = match branch_state(
        engine.auth,
        planned,
        observation.branch_head.as_deref(),
        &previous,
    ) {
        Ok(b) => b,
        Err(f) => return (failed(name, &f, None), None),
    };
    let pr_ref = observation.pull.as_ref().map(|p| PrRef {
        number: p.number,
        url: p.url.clone(),
    });
    let facts = Facts {
        planned: hash.clone(),
        archived: observation.archived,
        missing: observation.missing,
        tip: planned.tip.clone(),
        branch: branch.clone(),
        pull: observation.pull.as_ref().map(|p| Pull {
            number: p.number,
            state: p.state,
            hash: marker::read(&p.body),
        }),
        reopen: engine.options.reopen,
        prune: engine.options.prune,
    };
    let decision = decide(&facts);
    if let Branch::Ours { hash, parent } = &branch {
        known.branch_sha.clone_from(&observation.branch_head);
        known.parent.clone_from(parent);
        if hash.is_some() {
            known.hash.clone_from(hash);
        }
    }
    if engine.options.dry_run {
        let proposal = dry_run_proposal(planned, &decision.action);
        let (result, pr) = would(&decision.action, pr_ref);
        let reason = format!("dry run: would {}; nothing sent", proposal.action);
        return (
            (outcome(name, result, pr, Some(reason)), known),
            Some(proposal),
        );
    }
    if let Err(f) = step.record(
        "decided",
        json!({ "action": format!("{:?}", decision.action), "prune": decision.prune }),
    ) {
        return (failed(name, &f, pr_ref), None);
    }
    let acted = act(
        engine,
        step,
        planned,
        observation,
        &branch,
        &decision.action,
        pr_ref.clone(),
        history,
        &mut known,
    );
    let mut result = match acted {
        Ok(o) => o,
        Err((f, pr)) => return (failed(name, &f, pr.or(pr_ref)), None),
    };
    if decision.prune {
        match super::prune::prune(engine, step, planned) {
            Ok(()) => {
                known.branch_sha = None;
                let note = format!("branch {} deleted (--prune)", planned.settings.branch);
                result.reason = Some(match result.reason {
                    Some(r) => format!("{r}; {note}"),
                    None => note,
                });
            }
            Err(f) => return (failed(name, &f, result.pr), None),
        }
    }
    known.result = Some(result.result);
    ((result, known), None)
}

type Acted = Result<RepoOutcome, (RepoFailure, Option<PrRef>)>;

#[allow(clippy::too_many_arguments)]
fn act<F: Forge>(
    engine: &Engine<'_, F>,
    step: &Step<'_>,
    planned: &Planned,
    observation: &Observation,
    branch: &Branch,
    action: &Action,
    pr_ref: Option<PrRef>,
    history: &History,
    known: &mut Known,
) -> Acted {
    let name = planned.name.as_str();
    let head = observation.branch_head.as_deref();
    let labels_present: Vec<String> = observation
        .pull
        .as_ref()
        .map(|p| p.labels.clone())
        .unwrap_or_default();
    let plain = |e: RepoFailure| (e, None);
    let pushed = |known: &mut Known| -> Result<(), RepoFailure> {
        let sha = super::deliver::deliver(engine, step, planned, head)?;
        known.branch_sha = Some(sha);
        known.parent = Some(planned.tip.clone());
        known.hash = planned.rendered.as_ref().map(|r| r.content_hash.clone());
        Ok(())
    };
    let current = matches!(branch, Branch::Ours { hash, parent }
        if hash.is_some() && *hash == known.hash && parent.as_deref() == Some(planned.tip.as_str()));
    match action {
        Action::Nothing => Ok(outcome(name, ApplyResult::NoChange, None, None)),
        Action::Missing => Err(plain(RepoFailure::new(
            FailureKind::NotFound,
            "not visible to the credentials on GitHub (deleted, renamed, or the App is not installed on it)",
        ))),
        Action::Archived => Ok(outcome(
            name,
            ApplyResult::Blocked,
            pr_ref,
            Some("the repository is archived (read-only): nothing sent; unarchive it or remove it from fleet.toml".into()),
        )),
        Action::Blocked { sha, author } => Ok(outcome(
            name,
            ApplyResult::Blocked,
            pr_ref,
            Some(format!(
                "drydock's branch {} has a commit that is not drydock's: {} by {author}; drydock no longer pushes to it (merge or close the pull request, or delete the branch to let drydock start over)",
                planned.settings.branch,
                &sha[..sha.len().min(12)]
            )),
        )),
        Action::Close { number } => {
            super::close::close(engine, step, planned, *number).map_err(|e| (e, pr_ref.clone()))?;
            Ok(outcome(
                name,
                ApplyResult::Closed,
                pr_ref,
                Some(format!("{} already has what the pull request proposed", planned.default_branch)),
            ))
        }
        Action::Merged { .. } => Ok(outcome(name, ApplyResult::Merged, pr_ref, None)),
        Action::Declined { .. } => Ok(outcome(
            name,
            ApplyResult::Declined,
            pr_ref,
            Some("closed without merging: declined until the planned content changes (--reopen to reopen)".into()),
        )),
        Action::Unchanged { number } => {
            // A run stopped between opening the pull request and its labels: finish them.
            let previous = history.known(name);
            if history.interrupted(name) || previous.result == Some(ApplyResult::Failed) {
                let note =
                    super::labels::ensure(engine, step, planned, *number, &labels_present)
                        .map_err(|e| (e, pr_ref.clone()))?;
                return Ok(outcome(name, ApplyResult::Unchanged, pr_ref, note));
            }
            Ok(outcome(name, ApplyResult::Unchanged, pr_ref, None))
        }
        Action::Refresh { number, rebase } => {
            if !current {
                pushed(known).map_err(|e| (e, pr_ref.clone()))?;
            }
            let reason = if *rebase {
                format!("rebased onto {}", planned.default_branch)
            } else {
                super::pull::update(engine, step, planned, *number, false)
                    .map_err(|e| (e, pr_ref.clone()))?;
                "new content: new commit, new description".to_string()
            };
            Ok(outcome(name, ApplyResult::Updated, pr_ref, Some(reason)))
        }
        Action::Reopen { number, push } => {
            if *push {
                pushed(known).map_err(|e| (e, pr_ref.clone()))?;
            }
            super::pull::update(engine, step, planned, *number, true)
                .map_err(|e| (e, pr_ref.clone()))?;
            Ok(outcome(name, ApplyResult::Opened, pr_ref, Some("reopened (--reopen)".into())))
        }
        Action::Open { push } => {
            if *push {
                pushed(known).map_err(plain)?;
            }
            let pr = super::pull::open(engine, step, planned).map_err(plain)?;
            let pr_ref = Some(PrRef {
                number: pr.number,
                url: pr.url.clone(),
            });
            let reopened_labels = if observation
                .pull
                .as_ref()
                .is_some_and(|p| p.number == pr.number && p.state == PrState::Open)
            {
                labels_present
            } else {
                Vec::new()
            };
            let note = super::labels::ensure(engine, step, planned, pr.number, &reopened_labels)
                .map_err(|e| (e, pr_ref.clone()))?;
            let resumed =
                (!push).then(|| "the branch was already pushed (an interrupted run)".to_string());
            let reason = match (resumed, note) {
                (Some(a), Some(b)) => Some(format!("{a}; {b}")),
                (a, b) => a.or(b),
            };
            Ok(outcome(name, ApplyResult::Opened, pr_ref, reason))
        }
    }
}

/// The result a dry run reports for a decision.
fn would(action: &Action, pr: Option<PrRef>) -> (ApplyResult, Option<PrRef>) {
    match action {
        Action::Nothing => (ApplyResult::NoChange, None),
        Action::Missing => (ApplyResult::Failed, pr),
        Action::Archived | Action::Blocked { .. } => (ApplyResult::Blocked, pr),
        Action::Close { .. } => (ApplyResult::Closed, pr),
        Action::Merged { .. } => (ApplyResult::Merged, pr),
        Action::Declined { .. } => (ApplyResult::Declined, pr),
        Action::Unchanged { .. } => (ApplyResult::Unchanged, pr),
        Action::Refresh { .. } => (ApplyResult::Updated, pr),
        Action::Reopen { .. } => (ApplyResult::Opened, pr),
        Action::Open { .. } => (ApplyResult::Opened, None),
    }
}

fn dry_run_proposal(planned: &Planned, action: &Action) -> Proposal {
    let rendered = planned.rendered.as_ref();
    let (words, commit, pr_text) = match action {
        Action::Nothing => ("do nothing".to_string(), false, false),
        Action::Missing => (
            "do nothing: the repository is not visible".to_string(),
            false,
            false,
        ),
        Action::Archived => (
            "do nothing: the repository is archived".to_string(),
            false,
            false,
        ),
        Action::Blocked { .. } => (
            "do nothing: the branch has someone else's commit".to_string(),
            false,
            false,
        ),
        Action::Close { number } => (format!("close #{number} with a comment"), false, false),
        Action::Merged { number } => (format!("do nothing: #{number} is merged"), false, false),
        Action::Declined { number } => {
            (format!("do nothing: #{number} was declined"), false, false)
        }
        Action::Unchanged { number } => {
            (format!("do nothing: #{number} is up to date"), false, false)
        }
        Action::Refresh {
            number,
            rebase: true,
        } => (
            format!("rebase #{number} onto the default branch"),
            true,
            false,
        ),
        Action::Refresh { number, .. } => (
            format!("push a new commit to #{number} and update its title and body"),
            true,
            true,
        ),
        Action::Reopen { number, push } => (format!("reopen #{number}"), *push, true),
        Action::Open { push } => ("open a pull request".to_string(), *push, true),
    };
    Proposal {
        name: planned.name.clone(),
        action: words,
        branch: planned.settings.branch.clone(),
        files: if commit {
            planned.files.clone()
        } else {
            Vec::new()
        },
        message: rendered
            .filter(|_| commit)
            .map(|r| r.commit_message.clone()),
        title: rendered.filter(|_| pr_text).map(|r| r.title.clone()),
        body: rendered.filter(|_| pr_text).map(|r| r.body.clone()),
    }
}
