//! Step 8, `--prune` only: delete drydock's own branch once its pull request is merged or
//! declined. The decision has checked that the head is drydock's commit; nothing else is ever
//! deleted.

use serde_json::json;

use super::engine::{Engine, Step, forge_failure};
use super::fetch::Planned;
use crate::forge::Forge;
use crate::repo::RepoFailure;

pub fn prune<F: Forge>(
    engine: &Engine<'_, F>,
    step: &Step<'_>,
    planned: &Planned,
) -> Result<(), RepoFailure> {
    step.record("prune", json!({ "branch": planned.settings.branch }))?;
    engine
        .runtime
        .block_on(
            engine
                .forge
                .delete_branch(&planned.name, &planned.settings.branch),
        )
        .map_err(forge_failure)
}
