//! Which directories the entries cover: a glob written in `directory` moves to `directories`,
//! and the ecosystems and directories the scan found that no entry covers are added (to an
//! entry that lists `directories`, or as new entries rendered from the template).

use std::collections::{BTreeMap, BTreeSet};

use yaml_edit::{Mapping, Sequence, YamlNode};

use super::Inputs;
use super::session::{Entry, Session, reindent, scalar_string, start};
use crate::dependabot::desired::{
    Desired, Update, glob_literal, one_directory, update_for, wanted_dirs,
};
use crate::dependabot::policy::MAX_UPDATES;

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

/// Adds what the scan wants and no entry covers: new directories to an entry of the ecosystem
/// that lists `directories`, otherwise new entries rendered from the template.
pub(super) fn add_missing(s: &mut Session, updates: &Sequence, inputs: Inputs<'_>) {
    let branch = inputs.settings.target_branch.clone();
    let relevant = |e: &Entry| e.target_branch.is_none() || e.target_branch == branch;
    let mut missing: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (eco, dirs) in wanted_dirs(inputs.scan) {
        for d in dirs {
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
                    &format!("the repository has {eco} manifests there that no entry covers"),
                );
            }
            continue;
        }
        let spec = if dirs.len() == 1 {
            one_directory(&dirs[0])
        } else {
            (None, Some(dirs.iter().map(|d| glob_literal(d)).collect()))
        };
        let update = update_for_repair(&eco, spec, inputs);
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
            &format!("the repository has {eco} manifests there that no entry covers"),
        );
    }
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
