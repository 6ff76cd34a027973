//! Repairing a dependabot.yml the repository's owners wrote: keep every byte they wrote that is
//! valid, add only what is missing (ecosystems and directories from the scan, the policy's
//! labels and at-least-weekly schedule on docker entries), fix what GitHub would reject where
//! the fix is certain, and remove `reviewers` (GitHub no longer accepts it).
//!
//! [`session`] is the edit session: the file parsed with yaml-edit's lossless tree, edits as
//! splices at exact byte ranges in the file's own indentation and line endings, and the safety
//! net (the result is parsed again and checked; a repair that fails is dropped and reported,
//! never written). The repairs themselves are one file per topic, each planning edits into the
//! session: [`reviewers`], [`renames`], [`entries`] (globs in `directory`, missing ecosystems
//! and directories), [`time`], [`cooldown`], and for docker entries [`labels`] and [`schedule`].

mod cooldown;
mod entries;
mod labels;
mod renames;
mod reviewers;
mod schedule;
mod session;
mod time;

use serde::Serialize;

use super::render::Renderer;
use super::settings::Settings;
use crate::detect::RepoScan;
use crate::finding::{Finding, Rule, Severity};
use session::Session;

/// One edit the repair made, and why; shown in the plan and in the pull request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepairChange {
    /// 1-based line in the original file the change is at.
    pub line: usize,
    pub change: String,
    pub reason: String,
}

/// The result of a repair. `text` equals the input when nothing changed or when the file could
/// not be repaired safely (then `findings` says why).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Repaired {
    pub text: String,
    pub changes: Vec<RepairChange>,
    pub findings: Vec<Finding>,
    /// Who was listed under a removed `reviewers` key: they belong in CODEOWNERS.
    pub reviewers: Vec<String>,
}

/// What the repair needs besides the file: the scan, the settings for new entries, and the
/// template new entries are rendered with.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub scan: &'a RepoScan,
    pub settings: &'a Settings,
    pub renderer: &'a Renderer,
    /// The path of the base-image monitor workflow when the plan manages it: the github-actions
    /// entry at `/` that keeps its actions up to date is then required by the policy.
    pub monitor_workflow: Option<&'a str>,
}

/// A change the policy wants that drydock does not make safely.
pub const NOT_REPAIRABLE: Rule = Rule {
    id: "dependabot/not-repairable",
    summary: "A change the policy wants that drydock does not make safely (a cron schedule, flow-style `updates`, mixed line endings, a key sharing its line).",
    severity: Severity::Warning,
    help: "make this change by hand; drydock does not edit this construct",
};

/// `reviewers` removed: who was listed belongs in CODEOWNERS.
pub const REVIEWERS: Rule = Rule {
    id: "dependabot/reviewers",
    summary: "`reviewers` was removed; the message names who was listed, for CODEOWNERS.",
    severity: Severity::Note,
    help: "add a CODEOWNERS line for the manifests of this entry",
};

/// The rules only the repair reports. It also reports `dependabot/invalid-yaml` and
/// `dependabot/yaml-alias`, the validation's rules, when it cannot read the file.
pub static RULES: &[&Rule] = &[&NOT_REPAIRABLE, &REVIEWERS];

/// Repairs `original`, the contents of `path` (`.github/dependabot.yml` or `.yaml`).
pub fn repair(original: &str, path: &str, inputs: Inputs<'_>) -> Repaired {
    session::repair(original, path, inputs)
}

/// Plans every repair into the session: each entry's, then the entries the scan wants added.
fn plan_edits(s: &mut Session, inputs: Inputs<'_>) {
    let Some(updates) = s.updates.clone() else {
        s.cannot(
            0,
            "the file has no `updates` list; drydock cannot add entries to it".into(),
        );
        return;
    };
    for i in 0..s.entries.len() {
        repair_entry(s, i);
    }
    entries::add_missing(s, &updates, inputs);
}

/// The fixes inside one entry, in this order (two that touch the same text: the first wins).
fn repair_entry(s: &mut Session, i: usize) {
    let map = s.entries[i].map.clone();
    let eco = s.entries[i].ecosystem.clone();
    let what = format!("the {eco} entry");
    reviewers::remove(s, &map, &what);
    renames::commit_message(s, &map, &what);
    entries::glob_directory(s, &map, &what);
    if let Some(schedule) = map.get_mapping("schedule") {
        time::two_digit_hours(s, &schedule, &what);
    }
    renames::cooldown_days(s, &map, &what);
    cooldown::semver_days(s, &map, &eco, &what);
    if eco == "docker" {
        labels::docker(s, i);
        schedule::docker(s, i);
    }
}

#[cfg(test)]
pub(crate) mod tests;
