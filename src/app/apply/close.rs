//! Step 7: the plan became empty (someone fixed it on the default branch) while drydock's pull
//! request is open: a comment saying why, then the close. The branch stays (`--prune` deletes
//! it on a later run).

use serde_json::json;

use super::engine::{Engine, Step, forge_failure};
use super::fetch::Planned;
use super::render::close_comment;
use crate::forge::{Forge, PullRequestUpdate};
use crate::repo::RepoFailure;

pub fn close<F: Forge>(
    engine: &Engine<'_, F>,
    step: &Step<'_>,
    planned: &Planned,
    number: u64,
) -> Result<(), RepoFailure> {
    let repo = planned.name.as_str();
    step.record("comment", json!({ "number": number }))?;
    engine
        .runtime
        .block_on(engine.forge.comment(
            repo,
            number,
            &close_comment(&planned.default_branch, &planned.tip),
        ))
        .map_err(forge_failure)?;
    step.record("close", json!({ "number": number }))?;
    engine
        .runtime
        .block_on(engine.forge.update_pull_request(
            repo,
            number,
            &PullRequestUpdate {
                close: true,
                ..PullRequestUpdate::default()
            },
        ))
        .map_err(forge_failure)?;
    Ok(())
}
