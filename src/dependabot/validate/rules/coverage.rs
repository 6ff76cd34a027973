//! The fleet policy, comparing the file with the repository scan: every Dockerfile directory
//! covered by a `docker` entry that runs at least weekly with the policy's labels, and every
//! ecosystem found covered by some entry.

use super::{Check, Rule, Severity};
use crate::dependabot::policy::{self, DOCKER_POLICY_LABELS};
use crate::dependabot::validate::yaml::Node;
use crate::dependabot::validate::{Doc, Entry, Out, dirs, facts, schema};
use crate::detect::Ecosystem;
use std::collections::{BTreeMap, BTreeSet};

pub const DOCKER_COVERAGE: Check = Check {
    rule: Rule {
        id: "dependabot/docker-coverage",
        summary: "Policy: every directory with a Dockerfile is covered by a `docker` entry, at least weekly, labelled dependencies, docker, security.",
        severity: Severity::Error,
        help: "Add or fix the `docker` entry (`drydock plan --write` does it).",
    },
    check: docker_coverage,
};

pub const MISSING_ECOSYSTEM: Check = Check {
    rule: Rule {
        id: "dependabot/missing-ecosystem",
        summary: "An ecosystem found in the repository at a directory no entry covers.",
        severity: Severity::Warning,
        help: "Add an entry for the ecosystem and directory (`drydock plan --write` does it).",
    },
    check: missing_ecosystem,
};

fn docker_coverage(doc: &Doc, out: &mut Out) {
    let Some(scan) = doc.scan else { return };
    let docker = Ecosystem::Docker.as_str();
    let mut dockerfile_dirs: BTreeMap<String, &str> = BTreeMap::new();
    for file in &scan.dockerfiles {
        let dir = file.path.rsplit_once('/').map_or("", |(d, _)| d);
        dockerfile_dirs
            .entry(dirs::normalise(dir))
            .or_insert(&file.path);
    }
    let anchor = doc
        .root
        .entry("updates")
        .map(|(k, _)| k)
        .unwrap_or(doc.root);
    for (dir, dockerfile) in &dockerfile_dirs {
        let covering: Vec<&Entry> = doc
            .updates
            .iter()
            .filter(|e| e.ecosystem == Some(docker))
            .filter(|e| e.patterns.iter().any(|(_, p)| p.covers(dir)))
            .collect();
        if covering.is_empty() {
            out.at_with_fix(
                anchor,
                format!("no `docker` entry covers `{dir}` ({dockerfile})"),
                format!(
                    "Add a `docker` entry for `{dir}` (weekly, labels {}).",
                    DOCKER_POLICY_LABELS.join(", ")
                ),
            );
            continue;
        }
        for entry in covering {
            match effective_schedule(doc, entry) {
                Some(schedule) if at_least_weekly(schedule) == Some(false) => {
                    let node = schedule.get("interval").unwrap_or(schedule);
                    out.at_with_fix(
                        node,
                        format!(
                            "the `docker` entry {} for `{dir}` runs less often than weekly",
                            entry.name()
                        ),
                        "Use `interval: weekly` (or daily) for docker entries.".into(),
                    );
                }
                _ => {}
            }
            let mut labels: BTreeSet<&str> = BTreeSet::new();
            let own = entry.node.get("labels");
            let group_labels = entry.group.and_then(|g| {
                doc.root
                    .get("multi-ecosystem-groups")?
                    .get(g)?
                    .get("labels")
            });
            for list in [own, group_labels].into_iter().flatten() {
                labels.extend(list.as_seq().unwrap_or(&[]).iter().filter_map(Node::as_str));
            }
            if own.is_none() && group_labels.is_none() {
                // GitHub's defaults: `dependencies` plus the language label.
                labels.extend(["dependencies", "docker"]);
            }
            let missing: Vec<&str> = DOCKER_POLICY_LABELS
                .iter()
                .copied()
                .filter(|l| !labels.contains(l))
                .collect();
            if !missing.is_empty() {
                let node = own.unwrap_or(entry.node);
                out.at_with_fix(
                    node,
                    format!(
                        "the `docker` entry {} for `{dir}` lacks the label{} {}",
                        entry.name(),
                        if missing.len() > 1 { "s" } else { "" },
                        schema::quoted_list(&missing)
                    ),
                    format!("Add {} to `labels`.", schema::quoted_list(&missing)),
                );
            }
        }
    }
}

fn missing_ecosystem(doc: &Doc, out: &mut Out) {
    let Some(scan) = doc.scan else { return };
    let anchor = doc
        .root
        .entry("updates")
        .map(|(k, _)| k)
        .unwrap_or(doc.root);
    let docker_dirs: BTreeSet<String> = scan
        .dockerfiles
        .iter()
        .map(|f| dirs::normalise(f.path.rsplit_once('/').map_or("", |(d, _)| d)))
        .collect();
    let mut uncovered: Vec<(&str, String)> = Vec::new();
    for found in &scan.ecosystems {
        let ecosystem = found.ecosystem.as_str();
        let dir = dirs::normalise(&found.directory);
        if found.ecosystem == Ecosystem::Docker && docker_dirs.contains(&dir) {
            continue; // docker-coverage reports these, with the policy's details
        }
        let covered = doc
            .updates
            .iter()
            .filter(|e| e.ecosystem == Some(ecosystem))
            .any(|e| {
                // An entry at `/.github/workflows` reads what github-actions at `/` reads.
                let mut targets = std::iter::once(dir.as_str())
                    .chain(facts::implied_directories(ecosystem, &dir).iter().copied());
                targets.any(|target| e.patterns.iter().any(|(_, p)| p.covers(target)))
            });
        if !covered {
            uncovered.push((ecosystem, dir));
        }
    }
    // One finding for all of them: they share the anchor, and seven lines saying the same thing
    // for one repository hide the findings that matter.
    match uncovered.as_slice() {
        [] => {}
        [(ecosystem, dir)] => out.at_with_fix(
            anchor,
            format!("the repository has `{ecosystem}` at `{dir}`, but no entry covers it"),
            format!("Add an update entry with `package-ecosystem: {ecosystem}` and `directory: {dir}`, or leave it out if Dependabot should not update it (`add-missing = \"all\"` makes `drydock plan` add it)."),
        ),
        many => {
            let list: Vec<String> = many.iter().map(|(e, d)| format!("`{e}` at `{d}`")).collect();
            out.at_with_fix(
                anchor,
                format!(
                    "the repository has {} ecosystem directories no entry covers: {}",
                    many.len(),
                    list.join(", ")
                ),
                "Add update entries for those Dependabot should update and leave the others out (`add-missing = \"all\"` makes `drydock plan` add them all).".into(),
            );
        }
    }
}

/// The schedule that applies to an entry: its own, or its multi-ecosystem group's.
fn effective_schedule<'a>(doc: &Doc<'a>, entry: &Entry<'a>) -> Option<&'a Node> {
    entry.node.get("schedule").or_else(|| {
        let group = entry.group?;
        doc.root
            .get("multi-ecosystem-groups")?
            .get(group)?
            .get("schedule")
    })
}

/// Whether a schedule runs at least weekly, in the policy's one reading; `None` when drydock
/// cannot tell (no interval, a cron phrase).
fn at_least_weekly(schedule: &Node) -> Option<bool> {
    let interval = schedule.get("interval").and_then(Node::as_str)?;
    let cronjob = schedule.get("cronjob").and_then(Node::as_str);
    policy::runs_at_least_weekly(interval, cronjob)
}
