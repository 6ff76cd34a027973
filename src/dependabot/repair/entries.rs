//! Which directories the entries cover: a glob written in `directory` moves to `directories`,
//! and the ecosystems and directories the scan found that no entry covers are added (to an
//! entry that lists `directories`, or as new entries rendered from the template).

use std::collections::{BTreeMap, BTreeSet};

use yaml_edit::{Mapping, Sequence, YamlNode};

use super::Inputs;
use super::session::{Entry, Session, reindent, scalar_string, start, strings_of};
use crate::dependabot::desired::{
    Desired, Update, glob_literal, one_directory, update_for, wanted_dirs,
};
use crate::dependabot::policy::{DOCKER_POLICY_LABELS, MAX_UPDATES};
use crate::dependabot::settings::{AddMissing, DEPENDENCY_TYPE_ECOSYSTEMS, Group};

/// `directory: "apps/*"`: GitHub takes globs only in `directories`, so the key becomes
/// `directories` and the value a one-item flow list.
pub(super) fn glob_directory(s: &mut Session, map: &Mapping, what: &str) {
    let Some(dir) = map.get("directory") else {
        return;
    };
    let value = scalar_string(&dir).unwrap_or_default();
    if value.contains(['*', '?', '['])
        && !map.contains_key("directories")
        && let Some(key) = map
            .find_entry_by_key("directory")
            .and_then(|e| e.key_node())
    {
        let k = key.byte_range();
        let v = dir.byte_range();
        s.edit(k.start as usize, k.end as usize, "directories".into());
        let raw = s.text[v.start as usize..v.end as usize].to_string();
        s.edit(v.start as usize, v.end as usize, format!("[{raw}]"));
        s.change(
            k.start as usize,
            format!("turned `directory: {value}` into `directories: [{value}]` in {what}"),
            "GitHub rejects glob patterns in `directory`; globs belong in `directories`",
        );
    }
}

/// Why an entry is added: the policy requires it, or the repository has manifests there and the
/// fleet asked for every ecosystem (`add-missing = "all"`).
fn why_added(eco: &str, monitor_workflow: Option<&str>) -> Option<String> {
    match eco {
        "docker" => Some(
            "required by the policy: every directory with a Dockerfile is covered by a docker entry"
                .into(),
        ),
        "github-actions" => monitor_workflow.map(|path| format!(
            "required by the policy: the base-image monitor workflow drydock adds ({path}) uses actions Dependabot keeps up to date"
        )),
        _ => None,
    }
}

/// Adds what the scan wants and no entry covers: new directories to an entry of the ecosystem
/// that lists `directories`, otherwise new entries rendered from the template. With
/// `add-missing = "policy"` (the default) only what the policy requires is added; the other
/// uncovered ecosystems are the repository's choice and the validation reports them.
pub(super) fn add_missing(s: &mut Session, updates: &Sequence, inputs: Inputs<'_>) {
    let branch = inputs.settings.target_branch.clone();
    let all = inputs.settings.add_missing.unwrap_or_default() == AddMissing::All;
    let relevant = |e: &Entry| e.target_branch.is_none() || e.target_branch == branch;
    let mut missing: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (eco, dirs) in wanted_dirs(inputs.scan) {
        let required = why_added(&eco, inputs.monitor_workflow).is_some();
        for d in dirs {
            // The monitor workflow needs github-actions at `/` only.
            let required = required && (eco != "github-actions" || d == "/");
            if !required && !all {
                continue;
            }
            let covered = s
                .entries
                .iter()
                .filter(|e| relevant(e) && e.ecosystem == eco)
                .any(|e| e.dirs.iter().any(|p| dir_matches(p, &d)));
            if !covered {
                missing.entry(eco.clone()).or_default().insert(d);
            }
        }
    }
    let reason = |eco: &str| {
        why_added(eco, inputs.monitor_workflow).unwrap_or_else(|| {
            format!(
                "the repository has {eco} manifests there that no entry covers, and add-missing = \"all\" adds every ecosystem"
            )
        })
    };
    let conventions = Conventions::of(s, &relevant);
    let mut new_entries = Vec::new();
    for (eco, dirs) in missing {
        let dirs: Vec<String> = dirs.into_iter().collect();
        // An entry that already lists directories of this ecosystem takes the new ones.
        let host = s.entries.iter().position(|e| {
            relevant(e)
                && e.ecosystem == eco
                && !e.in_multi_group
                && matches!(e.map.get("directories"), Some(YamlNode::Sequence(_)))
        });
        if let Some(h) = host {
            let Some(YamlNode::Sequence(seq)) = s.entries[h].map.get("directories") else {
                continue;
            };
            // As globs: a directory named with `[` or `{` must match only itself.
            let patterns: Vec<String> = dirs.iter().map(|d| glob_literal(d)).collect();
            let refs: Vec<&str> = patterns.iter().map(String::as_str).collect();
            if s.append_scalars(&seq, &refs) {
                s.change(
                    start(&YamlNode::Sequence(seq.clone())),
                    format!(
                        "added {} to the `directories` of the {eco} entry",
                        dirs.join(", ")
                    ),
                    &reason(&eco),
                );
            }
            continue;
        }
        let spec = if dirs.len() == 1 {
            one_directory(&dirs[0])
        } else {
            (None, Some(dirs.iter().map(|d| glob_literal(d)).collect()))
        };
        let mut update = update_for_repair(&eco, spec, inputs);
        conventions.apply(&mut update);
        new_entries.push((eco, dirs, update));
    }
    if new_entries.is_empty() {
        return;
    }
    if s.entries.len() + new_entries.len() > MAX_UPDATES {
        s.cannot(start(&YamlNode::Sequence(updates.clone())), format!("adding {} entries would exceed GitHub's limit of {MAX_UPDATES} updates; use `directories` globs", new_entries.len()));
        return;
    }
    if updates.is_flow_style() {
        s.cannot(
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
            s.cannot(0, format!("rendering the new entries failed: {e}"));
            return;
        }
    };
    let Some(block) = entries_block(&rendered) else {
        s.cannot(
            0,
            "the template has no `updates:` list to take new entries from".into(),
        );
        return;
    };
    let Some((dash_col, insert_at)) = s.seq_layout(updates) else {
        s.cannot(
            0,
            "`updates` is empty; drydock does not guess its layout".into(),
        );
        return;
    };
    let shifted = reindent(&block, dash_col);
    s.insert_lines(insert_at, shifted);
    for (eco, dirs, _) in &new_entries {
        s.change(
            insert_at,
            format!("added a {eco} entry for {}", dirs.join(", ")),
            &reason(eco),
        );
    }
}

/// What the existing entries agree on, so that added entries look like theirs: labels every
/// entry carries (kind's `area/dependency`), and the schedule day and time and
/// `open-pull-requests-limit` when all entries use the same, and the `groups` when all entries
/// use the same groups. The policy still wins: docker entries keep the policy's labels and an
/// at-least-weekly interval.
#[derive(Debug, Default)]
struct Conventions {
    labels: Vec<String>,
    day: Option<String>,
    time: Option<String>,
    limit: Option<u32>,
    groups: Option<BTreeMap<String, Group>>,
}

impl Conventions {
    fn of(s: &Session, relevant: &dyn Fn(&Entry) -> bool) -> Self {
        let entries: Vec<&Entry> = s.entries.iter().filter(|e| relevant(e)).collect();
        if entries.is_empty() {
            return Conventions::default();
        }
        let labels_of = |e: &Entry| match e.map.get("labels") {
            Some(node) => strings_of(&node),
            None => Vec::new(),
        };
        let first = labels_of(entries[0]);
        // The policy's docker labels are the policy's, not the file's convention: a gomod entry
        // must not get `docker`.
        let labels = first
            .into_iter()
            .filter(|l| !DOCKER_POLICY_LABELS.contains(&l.as_str()))
            .filter(|l| entries.iter().all(|e| labels_of(e).contains(l)))
            .collect();
        let schedule_key = |e: &Entry, key: &str| {
            e.map
                .get_mapping("schedule")
                .and_then(|m| m.get(key))
                .and_then(|v| scalar_string(&v))
        };
        let shared = |value: &dyn Fn(&Entry) -> Option<String>| {
            let v = value(entries[0])?;
            entries
                .iter()
                .all(|e| value(e).as_ref() == Some(&v))
                .then_some(v)
        };
        Conventions {
            labels,
            day: shared(&|e| schedule_key(e, "day")),
            // As the time repair writes it (`6:00` → `06:00`); anything else is not copied.
            time: shared(&|e| schedule_key(e, "time")).and_then(|t| two_digit_time(&t)),
            limit: shared(&|e| {
                e.map
                    .get("open-pull-requests-limit")
                    .and_then(|v| scalar_string(&v))
            })
            .and_then(|v| v.parse().ok()),
            groups: shared_groups(s, &entries),
        }
    }

    fn apply(&self, u: &mut Update) {
        if !self.labels.is_empty() {
            let mut labels = u.labels.clone().unwrap_or_default();
            for l in &self.labels {
                if !labels.contains(l) {
                    labels.push(l.clone());
                }
            }
            u.labels = Some(labels);
        }
        if u.schedule.cronjob.is_none() {
            if let Some(time) = &self.time {
                u.schedule.time = Some(time.clone());
            }
            // A day only means something for weekly schedules (docker may be daily already).
            if u.schedule.interval == "weekly"
                && let Some(day) = &self.day
            {
                u.schedule.day = Some(day.clone());
            }
        }
        if let Some(limit) = self.limit {
            u.open_pull_requests_limit = Some(limit);
        }
        // The file's groups replace fleet.toml's `groups`: two group sets in one entry would
        // split the same updates in a way neither intended.
        if let Some(groups) = &self.groups
            && groups.values().all(|g| group_fits(g, u))
        {
            u.groups = Some(groups.clone());
        }
    }
}

/// The `groups` every entry writes alike (the same names, the same keys and values), read as
/// fleet.toml's groups are, or `None`.
///
/// Across the whole file and not per ecosystem: a group style on every entry (one pull request
/// per ecosystem with `all: {patterns: ["*"]}`, or minor and patch updates together) is how the
/// maintainers want every ecosystem handled, so an added entry follows it. Where only some
/// entries group, or group differently, grouping is a choice made for those ecosystems, and an
/// added ecosystem was not part of it: nothing is copied. Entries in a multi-ecosystem group
/// are left out (the group, not the entry, decides their pull requests), and drydock never adds
/// an entry to one.
fn shared_groups(s: &Session, entries: &[&Entry]) -> Option<BTreeMap<String, Group>> {
    let own: Vec<&Entry> = entries
        .iter()
        .copied()
        .filter(|e| !e.in_multi_group)
        .collect();
    let first = groups_of(s, own.first()?)?;
    own.iter()
        .all(|e| groups_of(s, e).as_ref() == Some(&first))
        .then_some(first)
}

/// An entry's `groups`, when drydock can write them back as they are: a non-empty mapping of
/// known group keys, its names in the order the template writes them (the first group that
/// matches an update takes it, so the order is part of the style).
fn groups_of(s: &Session, e: &Entry) -> Option<BTreeMap<String, Group>> {
    let node = e.map.get("groups")?;
    let names: Vec<String> = node
        .as_mapping()?
        .keys()
        .filter_map(|k| scalar_string(&k))
        .collect();
    if names.is_empty() || !names.is_sorted_by(|a, b| a < b) {
        return None;
    }
    // The node's text at its own column, so that a block mapping parses on its own.
    let at = start(&node);
    let line_start = s.text[..at].rfind('\n').map_or(0, |p| p + 1);
    let column = s.text[line_start..at].chars().count();
    let end = node.byte_range().end as usize;
    let text = format!("{}{}", " ".repeat(column), &s.text[at..end]);
    serde_saphyr::from_str(&text).ok()
}

/// Whether a copied group means the same in the new entry: `dependency-type` only where the
/// ecosystem has it (the list the generator uses, the same as the validator's
/// `groups.dependency-type` fact), `group-by` only in an entry with `directories` (as the
/// generator writes it).
fn group_fits(g: &Group, u: &Update) -> bool {
    let dependency_type_ok =
        g.dependency_type.is_none() || DEPENDENCY_TYPE_ECOSYSTEMS.contains(&u.ecosystem.as_str());
    dependency_type_ok && (g.group_by.is_none() || u.directories.is_some())
}

/// `hh:mm` with two-digit hours, from `h:mm` or `hh:mm`; `None` for anything else.
fn two_digit_time(t: &str) -> Option<String> {
    let (h, m) = t.split_once(':')?;
    let digits = |s: &str, max: usize| {
        !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(h, 2) || !digits(m, 2) || m.len() != 2 {
        return None;
    }
    let (hour, minute): (u8, u8) = (h.parse().ok()?, m.parse().ok()?);
    (hour < 24 && minute < 60).then(|| format!("{hour:02}:{minute:02}"))
}

/// The new entry for a repair: the generator's, minus settings that could clash with the
/// owners' file (registries must be declared at the top level, which repair does not touch).
fn update_for_repair(
    eco: &str,
    spec: (Option<String>, Option<Vec<String>>),
    inputs: Inputs<'_>,
) -> Update {
    let mut u = update_for(eco, spec, inputs.settings);
    u.registries = None;
    u
}

/// Whether a directory (or `directories` glob) written in the file covers `dir`.
fn dir_matches(pattern: &str, dir: &str) -> bool {
    // The validator's reading of a pattern, so that repair and check agree on coverage (globset
    // refuses a `}` without its `{`, as in `/b[{]x}`, the pattern of the directory `/b{x}`).
    crate::dependabot::validate::dirs::Pattern::new(pattern).covers(dir)
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
