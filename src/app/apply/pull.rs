//! Step 6: drydock's pull request. Open (the forge's create looks the head branch up after an
//! ambiguous failure, so a pull request is never opened twice), update title and body when the
//! content changed, reopen a declined one with `--reopen`.

use serde_json::json;

use super::engine::{Engine, Step, forge_failure};
use super::fetch::Planned;
use crate::forge::{Forge, NewPullRequest, PullRequest, PullRequestUpdate};
use crate::repo::RepoFailure;

pub fn open<F: Forge>(
    engine: &Engine<'_, F>,
    step: &Step<'_>,
    planned: &Planned,
) -> Result<PullRequest, RepoFailure> {
    let rendered = planned
        .rendered
        .as_ref()
        .expect("a pull request has content");
    step.record("pr-create", json!({}))?;
    engine
        .runtime
        .block_on(engine.forge.create_pull_request(
            &planned.name,
            &NewPullRequest {
                head: planned.settings.branch.clone(),
                base: planned.default_branch.clone(),
                title: rendered.title.clone(),
                body: rendered.body.clone(),
                draft: planned.settings.draft,
            },
        ))
        .map_err(forge_failure)
}

/// New title and body (`reopen`: and open again).
pub fn update<F: Forge>(
    engine: &Engine<'_, F>,
    step: &Step<'_>,
    planned: &Planned,
    number: u64,
    reopen: bool,
) -> Result<PullRequest, RepoFailure> {
    let rendered = planned
        .rendered
        .as_ref()
        .expect("a pull request has content");
    step.record(
        if reopen { "pr-reopen" } else { "pr-update" },
        json!({ "number": number }),
    )?;
    engine
        .runtime
        .block_on(engine.forge.update_pull_request(
            &planned.name,
            number,
            &PullRequestUpdate {
                title: Some(rendered.title.clone()),
                body: Some(rendered.body.clone()),
                reopen,
                ..PullRequestUpdate::default()
            },
        ))
        .map_err(forge_failure)
}
