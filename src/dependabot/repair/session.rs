//! The edit session of a repair: the file parsed with yaml-edit's lossless tree (always through
//! `YamlFile::from_str`), which gives the exact byte range of every node; edits planned as
//! splices at those ranges, written in the file's own indentation, with CRLF line endings and a
//! BOM taken off before and put back after; and the safety net: the result is parsed again and
//! checked (every entry the owners wrote still there, no new error, nothing left to repair),
//! and a repair that fails that check is dropped and reported as a finding, never written.
//!
//! The repairs themselves (`super::<topic>`) plan edits through [`Session`]'s helpers.

use std::collections::BTreeSet;
use std::str::FromStr;

use yaml_edit::{Mapping, Sequence, SyntaxKind, YamlFile, YamlNode};

use super::{Inputs, NOT_REPAIRABLE, RepairChange, Repaired, plan_edits};
use crate::dependabot::validate::rules::{INVALID_YAML, YAML_ALIAS};
use crate::dependabot::yaml_text::quote;
use crate::finding::{Finding, Severity};
use crate::text::line_column;

/// Repairs `original`, the contents of `path`: line endings and BOM off, the edits planned,
/// applied and verified, line endings and BOM back on.
pub(super) fn repair(original: &str, path: &str, inputs: Inputs<'_>) -> Repaired {
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
        let mixed = NOT_REPAIRABLE.finding(
            path,
            "the file mixes CRLF and LF line endings; drydock does not edit it",
        );
        return unchanged(vec![
            mixed.with_fix("convert the file to one line ending style"),
        ]);
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
    plan_edits(&mut session, inputs);
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
        let unsafe_repair = NOT_REPAIRABLE.finding(
            path,
            format!("drydock could not repair this file safely ({why}); it is left unchanged"),
        );
        findings.push(unsafe_repair.with_fix("apply the changes the plan lists by hand"));
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
        crate::dependabot::validate::validate(text, "", Some(inputs.scan))
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| f.rule)
            .collect()
    };
    let (was, now) = (errors(before), errors(after));
    if let Some(rule) = now.difference(&was).next() {
        return Err(format!("the result would break the rule {rule}"));
    }
    plan_edits(&mut new, inputs);
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
pub(super) struct Entry {
    pub map: Mapping,
    pub ecosystem: String,
    pub dirs: Vec<String>,
    pub target_branch: Option<String>,
    pub in_multi_group: bool,
}

/// One file being repaired: its text (LF line endings, no BOM), the entries, and what the
/// repairs planned so far.
pub(super) struct Session {
    pub text: String,
    pub path: String,
    pub updates: Option<Sequence>,
    pub entries: Vec<Entry>,
    edits: Vec<Edit>,
    changes: Vec<RepairChange>,
    pub findings: Vec<Finding>,
    pub reviewers: Vec<String>,
}

pub(super) fn scalar_string(node: &YamlNode) -> Option<String> {
    node.as_scalar().map(|s| s.as_string())
}

pub(super) fn strings_of(node: &YamlNode) -> Vec<String> {
    match node {
        YamlNode::Sequence(seq) => seq.values().filter_map(|v| scalar_string(&v)).collect(),
        other => scalar_string(other).into_iter().collect(),
    }
}

pub(super) fn start(node: &YamlNode) -> usize {
    node.byte_range().start as usize
}

impl Session {
    /// Parses the file (LF line endings, no BOM). Invalid YAML and aliases are findings.
    #[allow(clippy::result_large_err)] // the error is the finding the caller reports
    pub fn open(text: &str, path: &str) -> Result<Session, Finding> {
        let invalid = |line: usize, column: usize, msg: String| {
            let message = format!(
                "not valid YAML: {msg}; Dependabot stops all version updates for this repository"
            );
            INVALID_YAML.finding(path, message).at(line, Some(column)).with_fix(
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
            let (line, column) = line_column(text, offset);
            let finding = YAML_ALIAS.finding(
                path,
                "YAML anchors and aliases are rejected by GitHub (\"YAML aliases are not supported\"); drydock does not edit the file",
            );
            return Err(finding.at(line, Some(column)).with_fix(
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

    /// The 1-based line and column of a byte offset.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        line_column(&self.text, offset)
    }

    /// Records a change (shown in the plan) at the line of `offset`.
    pub fn change(&mut self, offset: usize, change: String, reason: &str) {
        let line = self.line_column(offset).0;
        self.changes.push(RepairChange {
            line,
            change,
            reason: reason.into(),
        });
    }

    /// Reports, at `offset`, a change the policy wants that drydock does not make.
    pub fn cannot(&mut self, offset: usize, message: String) {
        let (line, column) = self.line_column(offset);
        let finding = NOT_REPAIRABLE.finding(&self.path, message);
        self.findings.push(finding.at(line, Some(column)));
    }

    /// Renames a misspelt key in place (`(from, to)`), unless the right spelling is there too.
    pub fn rename_key(
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

    pub fn edit(&mut self, start: usize, end: usize, insert: String) {
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
    pub fn seq_layout(&self, seq: &Sequence) -> Option<(usize, usize)> {
        let first = seq.values().next()?;
        let first_start = start(&first);
        let line_start = self.text[..first_start].rfind('\n').map_or(0, |p| p + 1);
        let dash = self.text[line_start..first_start].rfind('-')? + line_start;
        let last_end = seq.values().map(|v| content_end(&self.text, &v)).max()?;
        Some((dash - line_start, line_after(&self.text, last_end)))
    }

    /// Offset of a flow collection's closing bracket; a `cannot` finding when there is none.
    pub fn flow_close(&mut self, node: &YamlNode, closer: char, what: &str) -> Option<usize> {
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
    pub fn insert_lines(&mut self, at: usize, lines: String) {
        let prefix = if at == self.text.len() && !self.text.ends_with('\n') {
            "\n"
        } else {
            ""
        };
        self.edit(at, at, format!("{prefix}{lines}"));
    }

    /// Appends scalar items to a sequence, block or flow. False (and a finding) when it cannot.
    pub fn append_scalars(&mut self, seq: &Sequence, items: &[&str]) -> bool {
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
    pub fn add_key(&mut self, map: &Mapping, block: &str, key: &str, flow: &str) -> bool {
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
    pub fn remove_key(&mut self, map: &Mapping, key: &str) -> bool {
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

/// The offset after the end of the last meaningful character of a node (comments and trailing
/// blank lines are not part of it).
pub(super) fn content_end(text: &str, node: &YamlNode) -> usize {
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

/// Moves a block whose first dash is at some column so that it is at `dash_col`.
pub(super) fn reindent(block: &str, dash_col: usize) -> String {
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
