//! Step 6b: labels, assignees and reviewers from `[apply]` (or `[repo.apply]`) on a pull
//! request drydock opened. Labels are only ever added (the ones a pull request already has,
//! a person's among them, stay); nothing is sent for what is already there or not configured.
//! A review request GitHub refuses (422: the reviewer is the pull request's author, or not a
//! collaborator) does not fail the repository: the pull request is there and right, so the
//! refusal is reported as a note on the outcome, and not retried on every run.

use serde_json::json;

use super::engine::{Engine, Step, forge_failure};
use super::fetch::Planned;
use crate::forge::Forge;
use crate::repo::RepoFailure;

pub fn ensure<F: Forge>(
    engine: &Engine<'_, F>,
    step: &Step<'_>,
    planned: &Planned,
    number: u64,
    present: &[String],
) -> Result<Option<String>, RepoFailure> {
    let settings = &planned.settings;
    let repo = planned.name.as_str();
    let missing: Vec<String> = settings
        .labels
        .iter()
        .filter(|l| !present.iter().any(|p| p.eq_ignore_ascii_case(l)))
        .cloned()
        .collect();
    if !missing.is_empty() {
        step.record("labels", json!({ "number": number, "labels": missing }))?;
        engine
            .runtime
            .block_on(engine.forge.add_labels(repo, number, &missing))
            .map_err(forge_failure)?;
    }
    if !settings.assignees.is_empty() {
        step.record("assignees", json!({ "number": number }))?;
        engine
            .runtime
            .block_on(
                engine
                    .forge
                    .add_assignees(repo, number, &settings.assignees),
            )
            .map_err(forge_failure)?;
    }
    if !settings.reviewers.is_empty() || !settings.team_reviewers.is_empty() {
        step.record("reviewers", json!({ "number": number }))?;
        let requested = engine.runtime.block_on(engine.forge.request_reviewers(
            repo,
            number,
            &settings.reviewers,
            &settings.team_reviewers,
        ));
        match requested {
            Ok(()) => {}
            Err(e) if e.kind == crate::forge::ErrorKind::Invalid => {
                return Ok(Some(format!(
                    "review not requested: GitHub refused it ({}); check [apply] reviewers and team_reviewers",
                    e.message
                )));
            }
            Err(e) => return Err(forge_failure(e)),
        }
    }
    Ok(None)
}
