//! Which directories the entries name: `directory` or `directories`, no glob in `directory`,
//! no two entries for the same directories or overlapping ones, at most 200 entries.

use super::{Check, Rule, Severity};
use crate::dependabot::policy::MAX_UPDATES;
use crate::dependabot::validate::yaml::Node;
use crate::dependabot::validate::{Doc, Entry, Out, dirs};
use std::collections::{BTreeMap, BTreeSet};

pub const DIRECTORY_OR_DIRECTORIES: Check = Check {
    rule: Rule {
        id: "dependabot/directory-or-directories",
        summary: "Each entry has exactly one of `directory` and `directories`.",
        severity: Severity::Error,
        help: "Keep one of `directory` and `directories` (put several paths in `directories`).",
    },
    check: directory_or_directories,
};

pub const GLOB_IN_DIRECTORY: Check = Check {
    rule: Rule {
        id: "dependabot/glob-in-directory",
        summary: "`directory` must not contain a glob pattern.",
        severity: Severity::Error,
        help: "Use `directories:` for glob patterns.",
    },
    check: glob_in_directory,
};

pub const DUPLICATE_UPDATE: Check = Check {
    rule: Rule {
        id: "dependabot/duplicate-update",
        summary: "Two entries with the same package-ecosystem, directories and target-branch.",
        severity: Severity::Error,
        help: "Merge the two entries into one (use `groups` or `cooldown` for different handling of dependency sets).",
    },
    check: duplicate_update,
};

pub const OVERLAPPING_DIRECTORIES: Check = Check {
    rule: Rule {
        id: "dependabot/overlapping-directories",
        summary: "Directories of two entries with the same ecosystem and target-branch overlap (globs included).",
        severity: Severity::Error,
        help: "Make the directory sets disjoint, or merge the entries.",
    },
    check: overlapping_directories,
};

pub const TOO_MANY_UPDATES: Check = Check {
    rule: Rule {
        id: "dependabot/too-many-updates",
        summary: "`updates` has more than 200 entries.",
        severity: Severity::Error,
        help: "Combine entries with `directories` globs (one entry per ecosystem).",
    },
    check: too_many_updates,
};

fn directory_or_directories(doc: &Doc, out: &mut Out) {
    for entry in &doc.updates {
        match (
            entry.node.entry("directory"),
            entry.node.entry("directories"),
        ) {
            (Some((a, _)), Some((b, _))) => {
                let later = if (a.line, a.column) > (b.line, b.column) {
                    a
                } else {
                    b
                };
                out.at(
                    later,
                    format!("{} has both `directory` and `directories`", entry.name()),
                );
            }
            (None, None) => out.at(
                entry.node,
                format!("{} has neither `directory` nor `directories`", entry.name()),
            ),
            _ => {}
        }
    }
}

fn glob_in_directory(doc: &Doc, out: &mut Out) {
    for entry in &doc.updates {
        let Some(node) = entry.node.get("directory") else {
            continue;
        };
        if let Some(dir) = node.as_str().filter(|d| dirs::has_glob(d)) {
            out.at_with_fix(
                node,
                format!("`directory` of {} is the glob `{dir}`; GitHub allows globs only in `directories`", entry.name()),
                format!("Replace `directory: {dir}` with `directories: [\"{dir}\"]`."),
            );
        }
    }
}

fn duplicate_update(doc: &Doc, out: &mut Out) {
    for group in comparable_groups(doc) {
        let mut first: BTreeMap<&BTreeSet<String>, &Entry> = BTreeMap::new();
        for b in group.into_iter().filter(|e| !e.dirs.is_empty()) {
            let Some(a) = first.get(&b.dir_set) else {
                first.insert(&b.dir_set, b);
                continue;
            };
            out.at(
                b.node,
                format!(
                    "{} repeats {}: same package-ecosystem `{}`, directories {} and {}",
                    b.name(),
                    a.name(),
                    b.ecosystem.unwrap_or_default(),
                    dir_list(b),
                    branch_name(b)
                ),
            );
        }
    }
}

/// Every pair of entries of a group whose directories overlap, without comparing every pair: a
/// literal directory can only meet the same literal or a glob.
fn overlapping_directories(doc: &Doc, out: &mut Out) {
    for group in comparable_groups(doc) {
        let mut by_literal: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        let mut with_globs: Vec<usize> = Vec::new();
        for (j, b) in group.iter().enumerate() {
            let mut candidates: BTreeSet<usize> = with_globs.iter().copied().collect();
            for (_, pattern) in &b.patterns {
                if pattern.is_literal() {
                    candidates.extend(by_literal.get(pattern.text.as_str()).into_iter().flatten());
                } else {
                    candidates.extend(0..j);
                }
            }
            for a in candidates.into_iter().map(|i| group[i]) {
                if a.dir_set == b.dir_set {
                    continue; // duplicate-update's
                }
                if let Some((ad, bd, node)) = first_overlap(a, b) {
                    let ecosystem = b.ecosystem.unwrap_or_default();
                    out.at(
                        node,
                        format!(
                            "`{bd}` of {} overlaps `{ad}` of {} (ecosystem `{ecosystem}`, {}): GitHub rejects overlapping directories",
                            b.name(),
                            a.name(),
                            branch_name(b)
                        ),
                    );
                }
            }
            for (_, pattern) in &b.patterns {
                if pattern.is_literal() {
                    by_literal.entry(pattern.text.as_str()).or_default().push(j);
                }
            }
            if b.patterns.iter().any(|(_, p)| !p.is_literal()) {
                with_globs.push(j);
            }
        }
    }
}

fn too_many_updates(doc: &Doc, out: &mut Out) {
    let Some((key, list)) = doc.root.entry("updates") else {
        return;
    };
    let count = list.as_seq().map_or(0, <[Node]>::len);
    if count > MAX_UPDATES {
        out.at(
            key,
            format!("`updates` has {count} entries; GitHub allows at most {MAX_UPDATES}"),
        );
    }
}

/// Entries GitHub compares with each other (same ecosystem and target branch), in file order.
fn comparable_groups<'d, 'a>(doc: &'d Doc<'a>) -> Vec<Vec<&'d Entry<'a>>> {
    let mut groups: BTreeMap<(&str, Option<&str>), Vec<&Entry>> = BTreeMap::new();
    for entry in &doc.updates {
        if let Some(ecosystem) = entry.ecosystem {
            groups
                .entry((ecosystem, entry.target_branch))
                .or_default()
                .push(entry);
        }
    }
    groups.into_values().collect()
}

fn branch_name(entry: &Entry) -> String {
    match entry.target_branch {
        Some(b) => format!("target-branch `{b}`"),
        None => "the default branch".into(),
    }
}

/// The first pair of directories (as written in `a`, and in `b` with its node) that overlap.
fn first_overlap<'a>(a: &Entry<'a>, b: &Entry<'a>) -> Option<(&'a str, &'a str, &'a Node)> {
    b.patterns.iter().find_map(|(bi, bp)| {
        a.patterns
            .iter()
            .find(|(_, ap)| ap.overlaps(bp))
            .map(|(ai, _)| (a.dirs[*ai].0, b.dirs[*bi].0, b.dirs[*bi].1))
    })
}

fn dir_list(entry: &Entry) -> String {
    entry
        .dirs
        .iter()
        .map(|(d, _)| format!("`{d}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
