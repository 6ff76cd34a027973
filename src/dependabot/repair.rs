//! Repairing a dependabot.yml the repository's owners wrote: keep every byte they wrote that is
//! valid, add only what is missing (ecosystems and directories from the scan, the policy's
//! labels and at-least-weekly schedule on docker entries), fix what GitHub would reject where
//! the fix is certain, and remove `reviewers` (GitHub no longer accepts it).
//!
//! The file is parsed with yaml-edit's lossless tree (always through `YamlFile::from_str`),
//! which gives the exact byte range of every node. Edits are splices at those ranges, written
//! in the file's own indentation and line endings; the result is parsed again and checked
//! (every entry the owners wrote still there, nothing left to add), and a repair that fails
//! that check is dropped and reported as a finding, never written.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use globset::GlobBuilder;
use serde::Serialize;
use yaml_edit::{Mapping, Sequence, SyntaxKind, YamlFile, YamlNode};

use super::desired::{Desired, update_for, wanted_dirs};
use super::policy::{DOCKER_POLICY_LABELS, MAX_UPDATES, runs_at_least_weekly};
use super::render::Renderer;
use super::settings::Settings;
use super::yaml_text::quote;
use crate::detect::{Ecosystem, RepoScan};
use crate::finding::{Finding, Severity};
use crate::inventory::line_column;

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
}

/// Rule ids of the findings the repair itself reports.
pub mod rules {
    pub const INVALID_YAML: &str = "dependabot/invalid-yaml";
    pub const ALIASES: &str = "dependabot/yaml-alias";
    pub const NOT_REPAIRABLE: &str = "dependabot/not-repairable";
    pub const REVIEWERS: &str = "dependabot/reviewers";
}

/// Repairs `original`, the contents of `path` (`.github/dependabot.yml` or `.yaml`).
pub fn repair(original: &str, path: &str, inputs: Inputs<'_>) -> Repaired {
    let unchanged = |findings: Vec<Finding>| Repaired {
        text: original.to_string(),
        changes: Vec::new(),
        findings,
        reviewers: Vec::new(),
    };
    let (bom, body) = match original.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", original),
    };
    let crlf = body.contains("\r\n");
    if crlf && body.replace("\r\n", "").contains('\n') {
        return unchanged(vec![finding(
            rules::NOT_REPAIRABLE,
            Severity::Warning,
            path,
            None,
            "the file mixes CRLF and LF line endings; drydock does not edit it".into(),
            "convert the file to one line ending style",
        )]);
    }
    let text = if crlf {
        body.replace("\r\n", "\n")
    } else {
        body.to_string()
    };

    let mut session = match Session::open(&text, path) {
        Ok(s) => s,
        Err(f) => return unchanged(vec![f]),
    };
    session.plan_edits(inputs);
    let Session {
        edits,
        mut changes,
        mut findings,
        reviewers,
        ..
    } = session;
    changes.sort_by_key(|c| c.line);
    if edits.is_empty() {
        return Repaired {
            text: original.to_string(),
            changes: Vec::new(),
            findings,
            reviewers,
        };
    }
    let repaired = apply(&text, edits);
    if let Err(why) = verify(&text, &repaired, inputs) {
        findings.push(finding(
            rules::NOT_REPAIRABLE,
            Severity::Warning,
            path,
            None,
            format!("drydock could not repair this file safely ({why}); it is left unchanged"),
            "apply the changes the plan lists by hand",
        ));
        return Repaired {
            text: original.to_string(),
            changes: Vec::new(),
            findings,
            reviewers,
        };
    }
    let out = if crlf {
        repaired.replace('\n', "\r\n")
    } else {
        repaired
    };
    Repaired {
        text: format!("{bom}{out}"),
        changes,
        findings,
        reviewers,
    }
}

/// The text with `edits` (byte range, replacement) applied; ranges never overlap.
fn apply(text: &str, mut edits: Vec<Edit>) -> String {
    // Stable: insertions at one point keep the order they were planned in.
    edits.sort_by_key(|e| (e.start, e.end));
    let mut out = String::with_capacity(text.len() + 256);
    let mut at = 0;
    for e in edits {
        out.push_str(&text[at..e.start]);
        out.push_str(&e.insert);
        at = e.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The repaired text parses, keeps every entry the owners wrote, and needs no further repair.
fn verify(before: &str, after: &str, inputs: Inputs<'_>) -> Result<(), String> {
    YamlFile::from_str(after).map_err(|e| format!("the result does not parse: {e}"))?;
    serde_saphyr::from_str::<serde_json::Value>(after)
        .map_err(|e| format!("the result does not parse: {e}"))?;
    let old = Session::open(before, "").map_err(|f| f.message)?;
    let mut new = Session::open(after, "").map_err(|f| f.message)?;
    let keys = |s: &Session| {
        s.entries
            .iter()
            .map(|e| (e.ecosystem.clone(), e.dirs.clone()))
            .collect::<Vec<_>>()
    };
    let (old_keys, new_keys) = (keys(&old), keys(&new));
    for k in &old_keys {
        let covered = new_keys
            .iter()
            .any(|n| n.0 == k.0 && k.1.iter().all(|d| n.1.contains(d)));
        if !covered {
            return Err(format!("the {} entry for {:?} would be lost", k.0, k.1));
        }
    }
    let errors = |text: &str| -> BTreeSet<String> {
        super::validate::validate(text, "", Some(inputs.scan))
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| f.rule)
            .collect()
    };
    let (was, now) = (errors(before), errors(after));
    if let Some(rule) = now.difference(&was).next() {
        return Err(format!("the result would break the rule {rule}"));
    }
    new.plan_edits(inputs);
    if !new.edits.is_empty() {
        return Err("a second repair would change it again".into());
    }
    Ok(())
}

#[derive(Debug)]
struct Edit {
    start: usize,
    end: usize,
    insert: String,
}

/// One `updates` entry as the owners wrote it.
struct Entry {
    map: Mapping,
    ecosystem: String,
    dirs: Vec<String>,
    target_branch: Option<String>,
    in_multi_group: bool,
}

struct Session {
    text: String,
    path: String,
    updates: Option<Sequence>,
    entries: Vec<Entry>,
    edits: Vec<Edit>,
    changes: Vec<RepairChange>,
    findings: Vec<Finding>,
    reviewers: Vec<String>,
}

fn finding(
    rule: &str,
    severity: Severity,
    path: &str,
    at: Option<(usize, usize)>,
    message: String,
    fix: &str,
) -> Finding {
    Finding {
        rule: rule.into(),
        severity,
        path: path.into(),
        line: at.map(|a| a.0),
        column: at.map(|a| a.1),
        message,
        fix: Some(fix.into()),
    }
}

fn scalar_string(node: &YamlNode) -> Option<String> {
    node.as_scalar().map(|s| s.as_string())
}

fn strings_of(node: &YamlNode) -> Vec<String> {
    match node {
        YamlNode::Sequence(seq) => seq.values().filter_map(|v| scalar_string(&v)).collect(),
        other => scalar_string(other).into_iter().collect(),
    }
}

fn start(node: &YamlNode) -> usize {
    node.byte_range().start as usize
}

impl Session {
    /// Parses the file (LF line endings, no BOM). Invalid YAML and aliases are findings.
    #[allow(clippy::result_large_err)] // the error is the finding the caller reports
    fn open(text: &str, path: &str) -> Result<Session, Finding> {
        let invalid = |line: usize, column: usize, msg: String| {
            finding(
                rules::INVALID_YAML,
                Severity::Error,
                path,
                Some((line, column)),
                format!(
                    "not valid YAML: {msg}; Dependabot stops all version updates for this repository"
                ),
                "fix the YAML syntax at this line; drydock leaves the file untouched until it parses",
            )
        };
        if let Err(e) = serde_saphyr::from_str::<serde_json::Value>(text) {
            let (line, column) = saphyr_location(&e).unwrap_or((1, 1));
            return Err(invalid(line, column, first_line(&e.to_string())));
        }
        let file = match YamlFile::from_str(text) {
            Ok(f) => f,
            Err(e) => {
                let (line, column) = match &e {
                    yaml_edit::YamlError::Parse { line, column, .. } => {
                        (line.unwrap_or(1), column.unwrap_or(1))
                    }
                    _ => (1, 1),
                };
                return Err(invalid(line, column, e.to_string()));
            }
        };
        if let Some(offset) = alias_offset(text) {
            return Err(finding(
                rules::ALIASES,
                Severity::Error,
                path,
                Some(line_column(text, offset)),
                "YAML anchors and aliases are rejected by GitHub (\"YAML aliases are not supported\"); drydock does not edit the file".into(),
                "write the repeated values out in full (drydock's generated file does)",
            ));
        }
        let root = file.document().and_then(|d| d.as_mapping());
        let updates = root.as_ref().and_then(|m| m.get_sequence("updates"));
        let mut entries = Vec::new();
        for item in updates.iter().flat_map(|s| s.values()) {
            let Some(map) = item.as_mapping().cloned() else {
                continue;
            };
            let get = |k: &str| map.get(k);
            let ecosystem = get("package-ecosystem")
                .and_then(|n| scalar_string(&n))
                .unwrap_or_default();
            let mut dirs: Vec<String> =
                get("directory").map(|n| strings_of(&n)).unwrap_or_default();
            dirs.extend(
                get("directories")
                    .map(|n| strings_of(&n))
                    .unwrap_or_default(),
            );
            entries.push(Entry {
                ecosystem,
                dirs,
                target_branch: get("target-branch").and_then(|n| scalar_string(&n)),
                in_multi_group: map.contains_key("multi-ecosystem-group"),
                map,
            });
        }
        Ok(Session {
            text: text.to_string(),
            path: path.to_string(),
            updates,
            entries,
            edits: Vec::new(),
            changes: Vec::new(),
            findings: Vec::new(),
            reviewers: Vec::new(),
        })
    }

    fn line(&self, offset: usize) -> usize {
        line_column(&self.text, offset).0
    }

    fn change(&mut self, offset: usize, change: String, reason: &str) {
        let line = self.line(offset);
        self.changes.push(RepairChange {
            line,
            change,
            reason: reason.into(),
        });
    }

    fn cannot(&mut self, offset: usize, message: String) {
        let at = line_column(&self.text, offset);
        self.findings.push(finding(
            rules::NOT_REPAIRABLE,
            Severity::Warning,
            &self.path,
            Some(at),
            message,
            "make this change by hand; drydock does not edit this construct",
        ));
    }

    fn plan_edits(&mut self, inputs: Inputs<'_>) {
        let Some(updates) = self.updates.clone() else {
            self.cannot(
                0,
                "the file has no `updates` list; drydock cannot add entries to it".into(),
            );
            return;
        };
        for i in 0..self.entries.len() {
            self.repair_entry(i);
        }
        self.add_missing(&updates, inputs);
    }

    // ----- fixes inside one entry -------------------------------------------------------

    fn repair_entry(&mut self, i: usize) {
        let map = self.entries[i].map.clone();
        let eco = self.entries[i].ecosystem.clone();
        let what = format!("the {eco} entry");
        if let Some(value) = map.get("reviewers") {
            let names = strings_of(&value);
            let key_at = map
                .find_entry_by_key("reviewers")
                .and_then(|e| e.key_node())
                .map(|k| start(&k));
            if let Some(at) = key_at
                && self.remove_key(&map, "reviewers")
            {
                let listed = if names.is_empty() {
                    "nobody".to_string()
                } else {
                    names.join(", ")
                };
                self.change(
                        at,
                        format!("removed `reviewers` ({listed}) from {what}"),
                        "GitHub no longer accepts `reviewers` in dependabot.yml; list these owners in CODEOWNERS instead",
                    );
                self.findings.push(finding(
                        rules::REVIEWERS,
                        Severity::Note,
                        &self.path,
                        Some(line_column(&self.text, at)),
                        format!("`reviewers` listed {listed}: add them to .github/CODEOWNERS so they keep reviewing dependency updates"),
                        "add a CODEOWNERS line for the manifests of this entry",
                    ));
                self.reviewers.extend(names);
            }
        }
        self.rename_key(
            &map,
            ("commit_message", "commit-message"),
            format!("renamed `commit_message` to `commit-message` in {what}"),
            "GitHub rejects unknown keys; the option is spelt with a hyphen",
        );
        if let Some(dir) = map.get("directory") {
            let value = scalar_string(&dir).unwrap_or_default();
            if value.contains(['*', '?', '['])
                && !map.contains_key("directories")
                && let Some(key) = map
                    .find_entry_by_key("directory")
                    .and_then(|e| e.key_node())
            {
                let k = key.byte_range();
                let v = dir.byte_range();
                self.edit(k.start as usize, k.end as usize, "directories".into());
                let raw = self.text[v.start as usize..v.end as usize].to_string();
                self.edit(v.start as usize, v.end as usize, format!("[{raw}]"));
                self.change(
                    k.start as usize,
                    format!("turned `directory: {value}` into `directories: [{value}]` in {what}"),
                    "GitHub rejects glob patterns in `directory`; globs belong in `directories`",
                );
            }
        }
        if let Some(schedule) = map.get_mapping("schedule") {
            self.repair_time(&schedule, &what);
        }
        if let Some(cooldown) = map.get_mapping("cooldown") {
            self.rename_key(
                &cooldown,
                ("days", "default-days"),
                format!("renamed `cooldown.days` to `cooldown.default-days` in {what}"),
                "GitHub rejects unknown keys; the cooldown for all updates is `default-days`",
            );
        }
        if let Some(cooldown) = map.get_mapping("cooldown") {
            let semver_ok = Ecosystem::from_str(&eco).is_ok_and(|e| e.supports_semver_cooldown());
            if !semver_ok && Ecosystem::from_str(&eco).is_ok() {
                for key in [
                    "semver-major-days",
                    "semver-minor-days",
                    "semver-patch-days",
                ] {
                    let at = cooldown
                        .find_entry_by_key(key)
                        .and_then(|e| e.key_node())
                        .map(|k| start(&k));
                    if let Some(at) = at
                        && self.remove_key(&cooldown, key)
                    {
                        self.change(
                                at,
                                format!("removed `cooldown.{key}` from {what}"),
                                "GitHub rejects SemVer cooldown days for this ecosystem (only `default-days` applies) and stops all updates",
                            );
                    }
                }
            }
        }
        if eco == "docker" {
            self.repair_docker(i);
        }
    }

    /// Renames a misspelt key in place (`(from, to)`), unless the right spelling is there too.
    fn rename_key(
        &mut self,
        map: &Mapping,
        (from, to): (&str, &str),
        change: String,
        reason: &str,
    ) {
        if map.contains_key(from)
            && !map.contains_key(to)
            && let Some(key) = map.find_entry_by_key(from).and_then(|e| e.key_node())
        {
            let r = key.byte_range();
            self.edit(r.start as usize, r.end as usize, to.into());
            self.change(r.start as usize, change, reason);
        }
    }

    fn repair_time(&mut self, schedule: &Mapping, what: &str) {
        let Some(time) = schedule.get("time") else {
            return;
        };
        let Some(value) = scalar_string(&time) else {
            return;
        };
        let fixed = match value.split_once(':') {
            Some((h, m))
                if h.len() == 1
                    && h.chars().all(|c| c.is_ascii_digit())
                    && m.len() == 2
                    && m.chars().all(|c| c.is_ascii_digit()) =>
            {
                format!("0{h}:{m}")
            }
            _ => return,
        };
        let r = time.byte_range();
        self.edit(r.start as usize, r.end as usize, quote(&fixed));
        self.change(
            r.start as usize,
            format!("wrote `schedule.time` {value:?} as {fixed:?} in {what}"),
            "GitHub requires `time` as hh:mm with two-digit hours",
        );
    }

    fn repair_docker(&mut self, i: usize) {
        let map = self.entries[i].map.clone();
        let dirs = self.entries[i].dirs.join(", ");
        let what = format!("the docker entry for {dirs}");
        // Labels: the three policy labels, added to what is there.
        match map.get("labels") {
            Some(YamlNode::Sequence(seq)) => {
                let have: Vec<String> = seq.values().filter_map(|v| scalar_string(&v)).collect();
                let missing: Vec<&str> = DOCKER_POLICY_LABELS
                    .iter()
                    .copied()
                    .filter(|l| !have.iter().any(|h| h == l))
                    .collect();
                if !missing.is_empty() && self.append_scalars(&seq, &missing) {
                    self.change(
                        start(&YamlNode::Sequence(seq.clone())),
                        format!("added the labels {} to {what}", missing.join(", ")),
                        "the base-image policy labels every docker update `dependencies`, `docker` and `security`",
                    );
                }
            }
            Some(other) => {
                self.cannot(start(&other), format!("`labels` of {what} is not a list; add the labels dependencies, docker, security by hand"));
            }
            None => {
                let items: String = DOCKER_POLICY_LABELS
                    .iter()
                    .map(|l| format!("  - {}\n", quote(l)))
                    .collect();
                if self.add_key(
                    &map,
                    &format!("labels:\n{items}"),
                    "labels",
                    &format!("[{}]", DOCKER_POLICY_LABELS.map(quote).join(", ")),
                ) {
                    let at = content_end(&self.text, &YamlNode::Mapping(map.clone()));
                    self.change(
                        at,
                        format!("added `labels: [dependencies, docker, security]` to {what}"),
                        "the base-image policy labels every docker update `dependencies`, `docker` and `security`",
                    );
                }
            }
        }
        if self.entries[i].in_multi_group {
            return; // the schedule belongs to the multi-ecosystem group
        }
        match map.get_mapping("schedule") {
            Some(schedule) => {
                let interval = schedule.get("interval");
                let value = interval
                    .as_ref()
                    .and_then(scalar_string)
                    .unwrap_or_default();
                let cronjob = schedule.get("cronjob").and_then(|c| scalar_string(&c));
                if runs_at_least_weekly(&value, cronjob.as_deref()) == Some(true) {
                    return;
                }
                match interval {
                    Some(node) if value != "cron" && node.is_scalar() => {
                        let r = node.byte_range();
                        let raw = &self.text[r.start as usize..r.end as usize];
                        let new = match raw.chars().next() {
                            Some('"') => quote("weekly"),
                            Some('\'') => "'weekly'".into(),
                            _ => "weekly".into(),
                        };
                        self.edit(r.start as usize, r.end as usize, new);
                        self.change(
                            r.start as usize,
                            format!("changed `schedule.interval` from {value} to weekly in {what}"),
                            "the base-image policy checks base images at least weekly",
                        );
                    }
                    Some(node) => self.cannot(start(&node), format!("the cron schedule of {what} may run less than weekly; the policy wants at least weekly")),
                    None => self.cannot(0, format!("the schedule of {what} has no `interval`")),
                }
            }
            None if map.get("schedule").is_some() => {
                self.cannot(0, format!("`schedule` of {what} is not a mapping"));
            }
            None => {
                if self.add_key(
                    &map,
                    "schedule:\n  interval: \"weekly\"\n",
                    "schedule",
                    "{interval: \"weekly\"}",
                ) {
                    let at = content_end(&self.text, &YamlNode::Mapping(map.clone()));
                    self.change(at, format!("added a weekly schedule to {what}"), "every entry needs a schedule, and the policy checks base images at least weekly");
                }
            }
        }
    }

    // ----- missing ecosystems and directories --------------------------------------------

    fn add_missing(&mut self, updates: &Sequence, inputs: Inputs<'_>) {
        let branch = inputs.settings.target_branch.clone();
        let relevant = |e: &Entry| e.target_branch.is_none() || e.target_branch == branch;
        let mut missing: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (eco, dirs) in wanted_dirs(inputs.scan) {
            for d in dirs {
                let covered = self
                    .entries
                    .iter()
                    .filter(|e| relevant(e) && e.ecosystem == eco)
                    .any(|e| e.dirs.iter().any(|p| dir_matches(p, &d)));
                if !covered {
                    missing.entry(eco.clone()).or_default().insert(d);
                }
            }
        }
        let mut new_entries = Vec::new();
        for (eco, dirs) in missing {
            let dirs: Vec<String> = dirs.into_iter().collect();
            // An entry that already lists directories of this ecosystem takes the new ones.
            let host = self.entries.iter().position(|e| {
                relevant(e)
                    && e.ecosystem == eco
                    && !e.in_multi_group
                    && matches!(e.map.get("directories"), Some(YamlNode::Sequence(_)))
            });
            if let Some(h) = host {
                let Some(YamlNode::Sequence(seq)) = self.entries[h].map.get("directories") else {
                    continue;
                };
                let refs: Vec<&str> = dirs.iter().map(String::as_str).collect();
                if self.append_scalars(&seq, &refs) {
                    self.change(
                        start(&YamlNode::Sequence(seq.clone())),
                        format!(
                            "added {} to the `directories` of the {eco} entry",
                            dirs.join(", ")
                        ),
                        &format!("the repository has {eco} manifests there that no entry covers"),
                    );
                }
                continue;
            }
            let spec = if dirs.len() == 1 {
                (Some(dirs[0].clone()), None)
            } else {
                (None, Some(dirs.clone()))
            };
            let update = update_for_repair(&eco, spec, inputs);
            new_entries.push((eco, dirs, update));
        }
        if new_entries.is_empty() {
            return;
        }
        if self.entries.len() + new_entries.len() > MAX_UPDATES {
            self.cannot(start(&YamlNode::Sequence(updates.clone())), format!("adding {} entries would exceed GitHub's limit of {MAX_UPDATES} updates; use `directories` globs", new_entries.len()));
            return;
        }
        if updates.is_flow_style() {
            self.cannot(
                start(&YamlNode::Sequence(updates.clone())),
                "`updates` is a flow-style list; drydock only adds entries to block lists".into(),
            );
            return;
        }
        let desired = Desired {
            registries: None,
            updates: new_entries.iter().map(|(_, _, u)| u.clone()).collect(),
        };
        let rendered = match inputs.renderer.render(&desired) {
            Ok(t) => t,
            Err(e) => {
                self.cannot(0, format!("rendering the new entries failed: {e}"));
                return;
            }
        };
        let Some(block) = entries_block(&rendered) else {
            self.cannot(
                0,
                "the template has no `updates:` list to take new entries from".into(),
            );
            return;
        };
        let Some((dash_col, insert_at)) = self.seq_layout(updates) else {
            self.cannot(
                0,
                "`updates` is empty; drydock does not guess its layout".into(),
            );
            return;
        };
        let shifted = reindent(&block, dash_col);
        let prefix = if insert_at == self.text.len() && !self.text.ends_with('\n') {
            "\n"
        } else {
            ""
        };
        self.edit(insert_at, insert_at, format!("{prefix}{shifted}"));
        for (eco, dirs, _) in &new_entries {
            self.change(
                insert_at,
                format!("added a {eco} entry for {}", dirs.join(", ")),
                &format!("the repository has {eco} manifests there that no entry covers"),
            );
        }
    }

    // ----- text edits ---------------------------------------------------------------------

    fn edit(&mut self, start: usize, end: usize, insert: String) {
        let clash = |e: &Edit| match (start == end, e.start == e.end) {
            (true, true) => false,
            (true, false) => e.start < start && start < e.end,
            (false, true) => start < e.start && e.start < end,
            (false, false) => start < e.end && e.start < end,
        };
        if self.edits.iter().any(clash) {
            self.cannot(
                start,
                "two repairs touch the same text; only the first is made".into(),
            );
            return;
        }
        self.edits.push(Edit { start, end, insert });
    }

    /// Column of a block sequence's dash and the offset just after its last item's line.
    fn seq_layout(&self, seq: &Sequence) -> Option<(usize, usize)> {
        let first = seq.values().next()?;
        let first_start = start(&first);
        let line_start = self.text[..first_start].rfind('\n').map_or(0, |p| p + 1);
        let dash = self.text[line_start..first_start].rfind('-')? + line_start;
        let last_end = seq.values().map(|v| content_end(&self.text, &v)).max()?;
        Some((dash - line_start, line_after(&self.text, last_end)))
    }

    /// Offset of a flow collection's closing bracket; a `cannot` finding when there is none.
    fn flow_close(&mut self, node: &YamlNode, closer: char, what: &str) -> Option<usize> {
        let r = node.byte_range();
        let close = self.text[r.start as usize..r.end as usize]
            .rfind(closer)
            .map(|p| p + r.start as usize);
        if close.is_none() {
            self.cannot(start(node), format!("cannot find the end of a {what}"));
        }
        close
    }

    /// Inserts whole lines at `at`, starting a new line first when the file has no final newline.
    fn insert_lines(&mut self, at: usize, lines: String) {
        let prefix = if at == self.text.len() && !self.text.ends_with('\n') {
            "\n"
        } else {
            ""
        };
        self.edit(at, at, format!("{prefix}{lines}"));
    }

    /// Appends scalar items to a sequence, block or flow. False (and a finding) when it cannot.
    fn append_scalars(&mut self, seq: &Sequence, items: &[&str]) -> bool {
        let node = YamlNode::Sequence(seq.clone());
        if seq.is_flow_style() {
            let r = node.byte_range();
            let Some(close) = self.flow_close(&node, ']', "flow list") else {
                return false;
            };
            let before = self.text[r.start as usize + 1..close].trim();
            let sep = if before.is_empty() {
                ""
            } else if before.ends_with(',') {
                " "
            } else {
                ", "
            };
            let list = items
                .iter()
                .map(|i| quote(i))
                .collect::<Vec<_>>()
                .join(", ");
            // Keep a space before `]` when the owners wrote one.
            let pad = if self.text[..close].ends_with(' ') && !before.is_empty() {
                " "
            } else {
                ""
            };
            let at = if pad.is_empty() { close } else { close - 1 };
            self.edit(at, at, format!("{sep}{list}"));
            return true;
        }
        let Some((col, at)) = self.seq_layout(seq) else {
            self.cannot(start(&node), "cannot add to an empty block list".into());
            return false;
        };
        let pad = " ".repeat(col);
        let text: String = items
            .iter()
            .map(|i| format!("{pad}- {}\n", quote(i)))
            .collect();
        self.insert_lines(at, text);
        true
    }

    /// Adds `key` to a mapping: `block` (2-space relative indentation, one line per `\n`) for a
    /// block mapping, `key: flow` for a flow mapping.
    fn add_key(&mut self, map: &Mapping, block: &str, key: &str, flow: &str) -> bool {
        let node = YamlNode::Mapping(map.clone());
        if map.is_flow_style() {
            let r = node.byte_range();
            let Some(close) = self.flow_close(&node, '}', "flow mapping") else {
                return false;
            };
            let before = self.text[r.start as usize + 1..close].trim_end();
            let sep = if before.trim().is_empty() || before.ends_with(',') {
                " "
            } else {
                ", "
            };
            let at = r.start as usize + 1 + before.len();
            self.edit(at, at, format!("{sep}{key}: {flow}"));
            return true;
        }
        let Some(first_key) = map.keys().next() else {
            self.cannot(start(&node), "cannot add to an empty mapping".into());
            return false;
        };
        let key_start = start(&first_key);
        let line_start = self.text[..key_start].rfind('\n').map_or(0, |p| p + 1);
        let col = self.text[line_start..key_start].chars().count();
        let at = line_after(&self.text, content_end(&self.text, &node));
        let pad = " ".repeat(col);
        let text: String = block.lines().map(|l| format!("{pad}{l}\n")).collect();
        self.insert_lines(at, text);
        true
    }

    /// Removes a key and its value from a block mapping (whole lines). False when it cannot.
    fn remove_key(&mut self, map: &Mapping, key: &str) -> bool {
        let Some(entry) = map.find_entry_by_key(key) else {
            return false;
        };
        let Some(k) = entry.key_node() else {
            return false;
        };
        let key_start = start(&k);
        if map.is_flow_style() {
            self.cannot(
                key_start,
                format!("`{key}` is inside a flow mapping; remove it by hand"),
            );
            return false;
        }
        let line_start = self.text[..key_start].rfind('\n').map_or(0, |p| p + 1);
        if !self.text[line_start..key_start].trim().is_empty() {
            self.cannot(
                key_start,
                format!("`{key}` shares its line with other content; remove it by hand"),
            );
            return false;
        }
        let end = entry
            .value_node()
            .map_or(k.byte_range().end as usize, |v| content_end(&self.text, &v));
        let line_end = line_after(&self.text, end);
        self.edit(line_start, line_end, String::new());
        true
    }
}

/// The new entry for a repair: the generator's, minus settings that could clash with the
/// owners' file (registries must be declared at the top level, which repair does not touch).
fn update_for_repair(
    eco: &str,
    spec: (Option<String>, Option<Vec<String>>),
    inputs: Inputs<'_>,
) -> super::desired::Update {
    let mut u = update_for(eco, spec, inputs.settings);
    u.registries = None;
    u
}

/// Whether a directory (or `directories` glob) written in the file covers `dir`.
fn dir_matches(pattern: &str, dir: &str) -> bool {
    let norm = |s: &str| {
        let t = s.trim_end_matches('/');
        if t.is_empty() {
            "/".to_string()
        } else if t.starts_with('/') {
            t.to_string()
        } else {
            format!("/{t}")
        }
    };
    let (p, d) = (norm(pattern), norm(dir));
    if p == d {
        return true;
    }
    if !p.contains(['*', '?', '[']) {
        return false;
    }
    GlobBuilder::new(&p)
        .literal_separator(true)
        .build()
        .map(|g| g.compile_matcher().is_match(&d))
        .unwrap_or(false)
}

/// The offset after the end of the last meaningful character of a node (comments and trailing
/// blank lines are not part of it).
fn content_end(text: &str, node: &YamlNode) -> usize {
    match node {
        YamlNode::Mapping(m) if !m.is_flow_style() => m
            .entries()
            .map(|e| match e.value_node() {
                Some(v) => content_end(text, &v),
                None => e.key_node().map_or(0, |k| k.byte_range().end as usize),
            })
            .max()
            .unwrap_or(node.byte_range().end as usize),
        YamlNode::Sequence(s) if !s.is_flow_style() => s
            .values()
            .map(|v| content_end(text, &v))
            .max()
            .unwrap_or(node.byte_range().end as usize),
        YamlNode::Mapping(_) | YamlNode::Sequence(_) => {
            let r = node.byte_range();
            let close = if node.is_mapping() { '}' } else { ']' };
            text[r.start as usize..r.end as usize]
                .rfind(close)
                .map_or(r.end as usize, |p| r.start as usize + p + 1)
        }
        other => {
            let r = other.byte_range();
            let slice = &text[r.start as usize..r.end as usize];
            r.start as usize + slice.trim_end().len()
        }
    }
}

/// The offset just after the newline that ends the line containing `offset - 1`.
fn line_after(text: &str, offset: usize) -> usize {
    let from = offset.saturating_sub(1);
    text[from..].find('\n').map_or(text.len(), |p| from + p + 1)
}

/// The list items of a rendered file's `updates:` list, as text.
fn entries_block(rendered: &str) -> Option<String> {
    let mut lines = rendered.lines();
    lines.by_ref().find(|l| l.trim_end() == "updates:")?;
    let block: Vec<&str> = lines
        .take_while(|l| l.starts_with(' ') || l.starts_with('-') || l.trim().is_empty())
        .collect();
    Some(block.iter().map(|l| format!("{l}\n")).collect())
}

/// Moves a block whose first dash is at some column so that it is at `dash_col`.
fn reindent(block: &str, dash_col: usize) -> String {
    let from = block
        .lines()
        .find(|l| l.trim_start().starts_with('-'))
        .map_or(0, |l| l.len() - l.trim_start().len());
    block
        .lines()
        .map(|l| {
            if l.trim().is_empty() {
                "\n".to_string()
            } else if dash_col >= from {
                format!("{}{l}\n", " ".repeat(dash_col - from))
            } else {
                let cut = (l.len() - l.trim_start().len()).min(from - dash_col);
                format!("{}\n", &l[cut..])
            }
        })
        .collect()
}

/// Where the first anchor or alias is, if any.
fn alias_offset(text: &str) -> Option<usize> {
    let mut offset = 0;
    for (kind, tok) in yaml_edit::lex(text) {
        if matches!(kind, SyntaxKind::ANCHOR | SyntaxKind::REFERENCE) {
            return Some(offset);
        }
        offset += tok.len();
    }
    None
}

fn saphyr_location(e: &serde_saphyr::Error) -> Option<(usize, usize)> {
    let loc = e.location()?;
    Some((loc.line() as usize, loc.column() as usize))
}

/// The first line of a parser message, without the "error: line N column M:" prefix the
/// finding already carries.
fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or(s);
    let line = line.strip_prefix("error: ").unwrap_or(line);
    match line
        .strip_prefix("line ")
        .and_then(|rest| rest.split_once(": "))
    {
        Some((_, message)) => message.to_string(),
        None => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{EcosystemDir, FoundFile};

    fn scan() -> RepoScan {
        RepoScan {
            ecosystems: vec![
                EcosystemDir {
                    ecosystem: Ecosystem::Docker,
                    directory: "/".into(),
                },
                EcosystemDir {
                    ecosystem: Ecosystem::GithubActions,
                    directory: "/".into(),
                },
                EcosystemDir {
                    ecosystem: Ecosystem::Npm,
                    directory: "/web".into(),
                },
            ],
            dockerfiles: vec![FoundFile {
                path: "Dockerfile".into(),
            }],
            compose_files: vec![],
        }
    }

    fn run(text: &str) -> Repaired {
        let (scan, settings, renderer) = (scan(), Settings::default(), Renderer::builtin());
        repair(
            text,
            ".github/dependabot.yml",
            Inputs {
                scan: &scan,
                settings: &settings,
                renderer: &renderer,
            },
        )
    }

    const STALE: &str = "# Dependabot config, owned by the platform team
version: 2
updates:
  # containers
  - package-ecosystem: docker
    directory: \"/\"
    schedule:
      interval: monthly   # too slow?
    reviewers:
      - octocat
      - acme/platform
  - package-ecosystem: 'github-actions'
    directory: /
    schedule: {interval: weekly}
# end of file
";

    #[test]
    fn stale_file_gets_minimal_edits() {
        let r = run(STALE);
        assert_eq!(
            r.text,
            "# Dependabot config, owned by the platform team
version: 2
updates:
  # containers
  - package-ecosystem: docker
    directory: \"/\"
    schedule:
      interval: weekly   # too slow?
    labels:
      - \"dependencies\"
      - \"docker\"
      - \"security\"
  - package-ecosystem: 'github-actions'
    directory: /
    schedule: {interval: weekly}
  - package-ecosystem: \"npm\"
    directory: \"/web\"
    schedule:
      interval: \"weekly\"
# end of file
"
        );
        assert_eq!(r.reviewers, ["octocat", "acme/platform"]);
        assert_eq!(r.changes.len(), 4, "{:#?}", r.changes);
        assert_eq!(run(&r.text).text, r.text, "idempotent");
        assert!(run(&r.text).changes.is_empty());
    }

    #[test]
    fn crlf_and_bom_are_kept() {
        let text = format!("\u{feff}{}", STALE.replace('\n', "\r\n"));
        let r = run(&text);
        assert!(r.text.starts_with('\u{feff}'));
        assert!(!r.text.replace("\r\n", "").contains('\n'));
        assert_eq!(
            r.text,
            format!("\u{feff}{}", run(STALE).text.replace('\n', "\r\n"))
        );
    }

    #[test]
    fn invalid_yaml_is_a_located_finding_and_untouched() {
        let text = "version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: \"/\n";
        let r = run(text);
        assert_eq!(r.text, text);
        assert_eq!(r.findings[0].rule, rules::INVALID_YAML);
        assert!(r.findings[0].line.is_some());
    }

    #[test]
    fn aliases_are_a_finding_and_untouched() {
        let text = "version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    schedule: &s\n      interval: weekly\n  - package-ecosystem: docker\n    directory: /\n    schedule: *s\n";
        let r = run(text);
        assert_eq!(r.text, text);
        assert_eq!(r.findings[0].rule, rules::ALIASES);
        assert_eq!(r.findings[0].line, Some(5));
    }

    /// "Runs at least weekly" is one reading: a docker entry on a cron that fires every three
    /// days passes `check` and is left alone by `plan`.
    #[test]
    fn every_third_day_cron_is_weekly_for_check_and_plan_alike() {
        let text = "version: 2\nupdates:\n  - package-ecosystem: docker\n    directory: /\n    schedule: {interval: cron, cronjob: \"0 6 */3 * *\"}\n    labels: [dependencies, docker, security]\n  - package-ecosystem: github-actions\n    directory: /\n    schedule: {interval: weekly}\n  - package-ecosystem: npm\n    directory: /web\n    schedule: {interval: weekly}\n";
        assert_eq!(
            super::super::validate::validate(text, ".github/dependabot.yml", Some(&scan())),
            vec![]
        );
        let r = run(text);
        assert_eq!(r.findings, vec![]);
        assert_eq!(r.text, text);
    }

    #[test]
    fn flow_labels_grow_in_place() {
        let text = "version: 2\nupdates:\n  - {package-ecosystem: docker, directory: /, schedule: {interval: daily}, labels: [ci]}\n  - package-ecosystem: github-actions\n    directories: [\"/\"]\n    schedule:\n      interval: daily\n  - package-ecosystem: npm\n    directory: /web\n    schedule:\n      interval: daily\n";
        let r = run(text);
        assert_eq!(
            r.text.lines().nth(2).unwrap(),
            "  - {package-ecosystem: docker, directory: /, schedule: {interval: daily}, labels: [ci, \"dependencies\", \"docker\", \"security\"]}"
        );
        assert_eq!(run(&r.text).text, r.text);
    }
}
