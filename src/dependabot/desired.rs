//! What a repository's dependabot.yml should contain: the scan result, the fleet's settings and
//! the base-image policy folded into a list of `updates` entries, before any text is written.
//!
//! Deterministic: entries are sorted by ecosystem then directory, and everything GitHub would
//! reject (a key an ecosystem does not support, an unreferenced registry, more than 200
//! entries) is left out here rather than found later.
//!
//! A directory whose name holds a glob character (`[`, `{`, `*`, `?`) cannot be a `directory`
//! (GitHub would read it as a glob, and refuses globs there): it goes into `directories` with
//! each such character written as a one-character class (`/a[[]1]` for `/a[1]`), which matches
//! exactly that directory in Dependabot's `Dir.glob` and in drydock's validator alike.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::policy::{MAX_UPDATES, runs_at_least_weekly, with_policy_labels};
use super::settings::{
    self, Allow, CommitMessage, Cooldown, Group, Ignore, Registry, Schedule, Settings,
};
use crate::detect::RepoScan;

/// The whole file, as the template sees it. Every field is present (null when unset) so that
/// a strict-mode template can test any of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Desired {
    pub registries: Option<BTreeMap<String, Registry>>,
    pub updates: Vec<Update>,
}

/// One `updates` entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Update {
    pub ecosystem: String,
    pub directory: Option<String>,
    pub directories: Option<Vec<String>>,
    pub schedule: Schedule,
    pub labels: Option<Vec<String>>,
    pub assignees: Option<Vec<String>>,
    pub milestone: Option<u64>,
    pub open_pull_requests_limit: Option<u32>,
    pub commit_message: Option<CommitMessage>,
    pub groups: Option<BTreeMap<String, Group>>,
    pub cooldown: Option<Cooldown>,
    pub ignore: Option<Vec<Ignore>>,
    pub allow: Option<Vec<Allow>>,
    pub registries: Option<Vec<String>>,
    pub target_branch: Option<String>,
    pub versioning_strategy: Option<String>,
}

impl Update {
    /// The directories this entry names (`directory` or `directories`).
    pub fn dirs(&self) -> Vec<String> {
        match (&self.directory, &self.directories) {
            (Some(d), _) => vec![d.clone()],
            (None, Some(ds)) => ds.clone(),
            (None, None) => Vec::new(),
        }
    }
}

/// The directory of a repository-relative file, in Dependabot's form.
pub fn dir_of(path: &str) -> String {
    match path.trim_start_matches('/').rsplit_once('/') {
        Some((dir, _)) => format!("/{dir}"),
        None => "/".to_string(),
    }
}

/// Which directories each ecosystem needs, from the scan, with every Dockerfile directory under
/// `docker` whatever the scan reported (the policy's coverage rule).
pub fn wanted_dirs(scan: &RepoScan) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for e in &scan.ecosystems {
        out.entry(e.ecosystem.as_str().to_string())
            .or_default()
            .insert(e.directory.clone());
    }
    for f in &scan.dockerfiles {
        out.entry("docker".to_string())
            .or_default()
            .insert(dir_of(&f.path));
    }
    out
}

/// The schedule a docker entry gets: the configured one when it surely runs at least weekly,
/// otherwise weekly at the same time and timezone.
pub fn at_least_weekly(schedule: &Schedule) -> Schedule {
    if runs_at_least_weekly(&schedule.interval, schedule.cronjob.as_deref()) == Some(true) {
        return schedule.clone();
    }
    Schedule {
        interval: "weekly".into(),
        day: None,
        time: schedule.time.clone(),
        timezone: schedule.timezone.clone(),
        cronjob: None,
    }
}

/// `dir` as a glob that matches only `dir`: every glob character as a one-character class.
pub fn glob_literal(dir: &str) -> String {
    let mut out = String::with_capacity(dir.len() + 4);
    for c in dir.chars() {
        if matches!(c, '[' | '{' | '*' | '?') {
            out.push('[');
            out.push(c);
            out.push(']');
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether a directory can be written as `directory:` as it is.
fn plain(dir: &str) -> bool {
    !super::validate::dirs::has_glob(dir)
}

/// The `directory` / `directories` pair naming exactly the one directory `dir`.
pub fn one_directory(dir: &str) -> (Option<String>, Option<Vec<String>>) {
    if plain(dir) {
        (Some(dir.to_string()), None)
    } else {
        (None, Some(vec![glob_literal(dir)]))
    }
}

/// Collapses directories that share a parent into `parent/*` globs. Directories without a
/// manifest that the glob also matches are skipped by Dependabot, so a glob may cover more.
pub fn collapse_to_globs(dirs: &BTreeSet<String>) -> Vec<String> {
    let mut by_parent: BTreeMap<String, Vec<&String>> = BTreeMap::new();
    for d in dirs {
        if d != "/" {
            by_parent.entry(dir_of(d)).or_default().push(d);
        }
    }
    let mut out = BTreeSet::new();
    for d in dirs {
        if d == "/" {
            out.insert(d.clone());
            continue;
        }
        let parent = dir_of(d);
        if by_parent[&parent].len() >= 2 {
            out.insert(if parent == "/" {
                "/*".to_string()
            } else {
                format!("{}/*", glob_literal(&parent))
            });
        } else {
            out.insert(glob_literal(d));
        }
    }
    out.into_iter().collect()
}

/// Builds the desired file for a scanned repository.
pub fn desired(scan: &RepoScan, settings: &Settings) -> Desired {
    let wanted = wanted_dirs(scan);
    let globs = settings.directories_as_globs.unwrap_or(false);
    let mut updates = build(&wanted, settings, globs);
    if updates.len() > MAX_UPDATES && !globs {
        updates = build(&wanted, settings, true);
    }
    // Only registries some entry can use: GitHub rejects unreferenced ones.
    let used: BTreeSet<&String> = updates
        .iter()
        .flat_map(|u| u.registries.iter().flatten())
        .collect();
    let registries: BTreeMap<String, Registry> = settings
        .registries
        .iter()
        .flatten()
        .filter(|(name, _)| used.contains(name))
        .map(|(n, r)| (n.clone(), r.clone()))
        .collect();
    Desired {
        registries: (!registries.is_empty()).then_some(registries),
        updates,
    }
}

fn build(wanted: &BTreeMap<String, BTreeSet<String>>, s: &Settings, globs: bool) -> Vec<Update> {
    let mut out = Vec::new();
    for (eco, dirs) in wanted {
        if globs {
            let collapsed = collapse_to_globs(dirs);
            let entry = if collapsed.len() == 1 && plain(&collapsed[0]) {
                (Some(collapsed[0].clone()), None)
            } else {
                (None, Some(collapsed))
            };
            out.push(update_for(eco, entry, s));
        } else {
            for d in dirs {
                out.push(update_for(eco, one_directory(d), s));
            }
        }
    }
    out
}

/// One entry with the settings that apply to its ecosystem.
pub fn update_for(
    eco: &str,
    (directory, directories): (Option<String>, Option<Vec<String>>),
    s: &Settings,
) -> Update {
    let semver = eco
        .parse::<crate::detect::Ecosystem>()
        .is_ok_and(|e| e.supports_semver_cooldown());
    let dependency_types = settings::DEPENDENCY_TYPE_ECOSYSTEMS.contains(&eco);
    let docker = eco == "docker";
    let multi_dir = directories.is_some();
    let schedule = s.schedule.clone().unwrap_or_else(|| Schedule {
        interval: "weekly".into(),
        ..Schedule::default()
    });
    let for_eco =
        |only: &Option<Vec<String>>| only.as_ref().is_none_or(|l| l.iter().any(|e| e == eco));
    let registries: Vec<String> = s
        .registries
        .iter()
        .flatten()
        .filter(|(_, r)| settings::registry_ecosystems(&r.kind).contains(&eco))
        .map(|(n, _)| n.clone())
        .collect();
    let groups: BTreeMap<String, Group> = s
        .groups
        .iter()
        .flatten()
        .filter(|(_, g)| dependency_types || g.dependency_type.is_none())
        .filter(|(_, g)| multi_dir || g.group_by.is_none())
        .map(|(n, g)| (n.clone(), g.clone()))
        .collect();
    let ignore: Vec<Ignore> = s
        .ignore
        .iter()
        .flatten()
        .filter(|i| for_eco(&i.ecosystems))
        .cloned()
        .collect();
    let allow: Vec<Allow> = s
        .allow
        .iter()
        .flatten()
        .filter(|a| for_eco(&a.ecosystems))
        .cloned()
        .collect();
    Update {
        ecosystem: eco.to_string(),
        directory,
        directories,
        schedule: if docker {
            at_least_weekly(&schedule)
        } else {
            schedule
        },
        labels: if docker {
            Some(with_policy_labels(s.labels.as_deref()))
        } else {
            s.labels.clone()
        },
        assignees: s.assignees.clone().filter(|a| !a.is_empty()),
        milestone: s.milestone,
        open_pull_requests_limit: s.open_pull_requests_limit,
        commit_message: s.commit_message.clone().map(|c| CommitMessage {
            prefix_development: c.prefix_development.filter(|_| dependency_types),
            ..c
        }),
        groups: (!groups.is_empty()).then_some(groups),
        cooldown: s
            .cooldown
            .as_ref()
            .map(|c| {
                if semver {
                    c.clone()
                } else {
                    c.without_semver()
                }
            })
            .filter(|c| !c.is_empty()),
        ignore: (!ignore.is_empty()).then_some(ignore),
        allow: (!allow.is_empty()).then_some(allow),
        registries: (!registries.is_empty()).then_some(registries),
        target_branch: s.target_branch.clone(),
        versioning_strategy: s
            .versioning_strategy
            .clone()
            .filter(|_| settings::VERSIONING_STRATEGY_ECOSYSTEMS.contains(&eco)),
    }
}
