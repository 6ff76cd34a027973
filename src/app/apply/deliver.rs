//! Step 5: the commit reaches drydock's branch. First, when it writes `.github/workflows/*`,
//! whether the credentials may: an App installation needs `workflows: write`, a classic token
//! the `workflow` scope; a fine-grained token cannot be asked, so drydock tries and reads
//! GitHub's refusal. Either way the repository is told exactly that, and the others go on.
//!
//! - `[apply] commit = "git"` (default): the commit is built locally ([`super::commit`]) and
//!   pushed with git2, forced, but only onto the head `observe` saw (the lease, see
//!   [`crate::git::commit`]); the decision has already made sure that head is drydock's own.
//! - `"api"`: drydock's branch is created at (or, being drydock's own, reset to) the default
//!   branch's tip through the REST API, then GraphQL `createCommitOnBranch` adds the commit
//!   with `expectedHeadOid` = that tip; GitHub signs it.

use serde_json::json;

use super::engine::{Engine, Step, forge_failure};
use super::fetch::Planned;
use crate::forge::{FileChange, Forge, NewCommit, WorkflowPermission};
use crate::git::commit::{PushError, push};
use crate::proposal::CommitMode;
use crate::repo::{FailureKind, RepoFailure};

const WORKFLOWS: &str = ".github/workflows/";

/// Delivers the commit for `planned` onto drydock's branch (observed at `head`); returns the
/// branch's new head.
pub fn deliver<F: Forge>(
    engine: &Engine<'_, F>,
    step: &Step<'_>,
    planned: &Planned,
    head: Option<&str>,
) -> Result<String, RepoFailure> {
    let rendered = planned.rendered.as_ref().expect("a commit has content");
    let workflows = planned.files.iter().any(|(p, _)| p.starts_with(WORKFLOWS));
    if workflows {
        let owner = planned.name.split('/').next().unwrap_or_default();
        let permission = engine
            .runtime
            .block_on(engine.forge.workflow_permission(owner))
            .map_err(forge_failure)?;
        if let WorkflowPermission::Denied(why) = permission {
            return Err(RepoFailure::new(
                FailureKind::Auth,
                format!("not pushed: {why}"),
            ));
        }
    }
    let branch = &planned.settings.branch;
    match planned.settings.commit {
        CommitMode::Git => {
            step.record("commit", json!({}))?;
            let sha = super::commit::make(planned, &rendered.commit_message)?;
            step.record("push", json!({ "sha": sha, "expected": head }))?;
            push(
                &planned.checkout,
                &planned.url,
                &sha,
                branch,
                head,
                engine.auth,
            )
            .map_err(|e| push_failure(e, workflows))?;
            Ok(sha)
        }
        CommitMode::Api => {
            let repo = planned.name.as_str();
            if head.is_none() {
                step.record("create-branch", json!({ "sha": planned.tip }))?;
                engine
                    .runtime
                    .block_on(engine.forge.create_branch(repo, branch, &planned.tip))
                    .map_err(forge_failure)?;
            } else if head != Some(planned.tip.as_str()) {
                step.record("reset-branch", json!({ "sha": planned.tip, "from": head }))?;
                engine
                    .runtime
                    .block_on(engine.forge.update_branch(repo, branch, &planned.tip, true))
                    .map_err(forge_failure)?;
            }
            let (headline, body) = rendered
                .commit_message
                .split_once("\n\n")
                .unwrap_or((rendered.commit_message.as_str(), ""));
            let commit = NewCommit {
                branch: branch.clone(),
                expected_head: planned.tip.clone(),
                headline: headline.trim().to_string(),
                body: Some(body.trim_end().to_string()).filter(|b| !b.is_empty()),
                changes: planned
                    .files
                    .iter()
                    .map(|(path, contents)| FileChange {
                        path: path.clone(),
                        contents: Some(contents.as_bytes().to_vec()),
                    })
                    .collect(),
            };
            step.record("api-commit", json!({ "expected": planned.tip }))?;
            engine
                .runtime
                .block_on(engine.forge.create_commit(repo, &commit))
                .map_err(|e| {
                    let workflow_refusal = workflows && e.message.contains("workflow");
                    let failure = forge_failure(e);
                    if workflow_refusal {
                        RepoFailure::new(
                            FailureKind::Auth,
                            no_workflow_permission(&failure.message),
                        )
                    } else {
                        failure
                    }
                })
        }
    }
}

fn no_workflow_permission(said: &str) -> String {
    format!(
        "not pushed: GitHub refused to let these credentials write .github/workflows/* (a GitHub App needs the `workflows: write` permission, a classic token the `workflow` scope, a fine-grained token \"Workflows: Read and write\"): {said}"
    )
}

fn push_failure(e: PushError, workflows: bool) -> RepoFailure {
    match e {
        PushError::Moved { now } => RepoFailure::new(
            FailureKind::Git,
            format!(
                "not pushed: drydock's branch moved while apply worked (now {}); run apply again",
                now.as_deref().map_or("deleted", |s| &s[..s.len().min(12)])
            ),
        ),
        PushError::Refused(said) if workflows && said.contains("workflow") => {
            RepoFailure::new(FailureKind::Auth, no_workflow_permission(&said))
        }
        PushError::Refused(said) => RepoFailure::new(
            FailureKind::Git,
            format!("the server refused the push: {said}"),
        ),
        PushError::Failed(failure) => failure,
    }
}
