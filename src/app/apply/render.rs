//! The words `apply` sends, through `crate::proposal`'s renderer: the pull request's title and
//! body, the commit message, the content hash and its two carriers (the hidden marker at the end
//! of the body, the `Drydock-Content:` trailer of the commit message), and the comment that
//! explains a close. The one place `apply` turns a plan into text.

use crate::detect::scan_dir;
use crate::inventory::Fleet;
use crate::plan::RepoPlan;
use crate::proposal::{self, ApplySettings, Input};
use crate::repo::{FailureKind, RepoFailure};

pub use crate::proposal::Rendered;

/// Title, body and commit message of one repository's proposal ([`proposal::render`]), with
/// what detection finds in the checkout (ecosystems by directory, Dockerfiles).
pub fn render(
    fleet: &Fleet,
    checkout: &std::path::Path,
    repo: &str,
    default_branch: &str,
    settings: &ApplySettings,
    plan: &RepoPlan,
) -> Result<Rendered, RepoFailure> {
    let scan = scan_dir(checkout, &fleet.scan.options())
        .map_err(|e| RepoFailure::new(FailureKind::Io, e.to_string()))?;
    proposal::render(&Input {
        repo,
        default_branch,
        settings,
        plan,
        ecosystems: scan
            .ecosystems
            .iter()
            .map(|e| (e.directory.clone(), e.ecosystem.as_str().to_string()))
            .collect(),
        dockerfiles: scan.dockerfiles.iter().map(|f| f.path.clone()).collect(),
        human_findings: plan.findings.clone(),
    })
    .map_err(|e| RepoFailure::new(FailureKind::Template, e.to_string()))
}

/// The comment drydock leaves when it closes its pull request because the plan became empty.
pub fn close_comment(default_branch: &str, tip: &str) -> String {
    format!(
        "drydock closes this pull request: `{default_branch}` (at {}) already has everything it proposed, so there is nothing left to merge. If the policy's files drift again, drydock opens a new pull request.",
        &tip[..tip.len().min(12)]
    )
}
