//! The `[dependabot]` (fleet defaults) and `[repo.dependabot]` (per-repository overrides)
//! sections of fleet.toml: what drydock puts into every generated dependabot.yml.
//!
//! Keys inside these sections use dependabot.yml's own spelling (`open-pull-requests-limit`,
//! `commit-message`) so that values can be copied from GitHub's documentation unchanged.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::validate::schema::{DAYS, INTERVALS, REGISTRY_TYPES, UPDATE_TYPES};
use crate::text::{KeyPath, Rejected};

/// One `[dependabot]` or `[repo.dependabot]` table. Every key is optional; a repository's value
/// replaces the fleet's value key by key (see [`Settings::overlay`]).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    /// A directory with the organisation's own `dependabot.yml.hbs`, relative to fleet.toml.
    pub templates: Option<PathBuf>,
    pub schedule: Option<Schedule>,
    pub labels: Option<Vec<String>>,
    pub assignees: Option<Vec<String>>,
    pub milestone: Option<u64>,
    pub open_pull_requests_limit: Option<u32>,
    pub commit_message: Option<CommitMessage>,
    pub groups: Option<BTreeMap<String, Group>>,
    pub cooldown: Option<Cooldown>,
    pub ignore: Option<Vec<Ignore>>,
    pub allow: Option<Vec<Allow>>,
    pub registries: Option<BTreeMap<String, Registry>>,
    pub target_branch: Option<String>,
    pub versioning_strategy: Option<String>,
    /// Group the directories of one ecosystem into one entry with `directories:` globs (true) or
    /// write one entry per directory (false, the default).
    pub directories_as_globs: Option<bool>,
    /// What a repair adds to a file the repository's owners wrote: only what the policy requires
    /// (`policy`, the default) or every ecosystem the scan found (`all`). Generating a file
    /// where there is none always writes every ecosystem.
    #[serde(alias = "add_missing")]
    pub add_missing: Option<AddMissing>,
}

/// `add-missing`: which uncovered ecosystems a repair adds to an existing dependabot.yml.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AddMissing {
    /// Docker coverage and the entry the monitor workflow needs; the other uncovered ecosystems
    /// are the repository's choice and are reported, not added.
    #[default]
    Policy,
    /// Every ecosystem and directory the scan found.
    All,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Schedule {
    pub interval: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub day: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cronjob: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CommitMessage {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix_development: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Group {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applies_to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dependency_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patterns: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclude_patterns: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_types: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_by: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Cooldown {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub semver_major_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub semver_minor_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub semver_patch_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclude: Option<Vec<String>>,
}

impl Cooldown {
    /// This cooldown without the `semver-*-days` keys, for ecosystems that reject them.
    pub fn without_semver(&self) -> Cooldown {
        Cooldown {
            semver_major_days: None,
            semver_minor_days: None,
            semver_patch_days: None,
            ..self.clone()
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Cooldown::default()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Ignore {
    pub dependency_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub versions: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_types: Option<Vec<String>>,
    /// Only for these ecosystems (all when absent); not written to dependabot.yml.
    #[serde(skip_serializing, default)]
    pub ecosystems: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Allow {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dependency_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dependency_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_types: Option<Vec<String>>,
    /// Only for these ecosystems (all when absent); not written to dependabot.yml.
    #[serde(skip_serializing, default)]
    pub ecosystems: Option<Vec<String>>,
}

/// A private registry. `type` and `url` are required; the other keys (`username`, `password`,
/// `token`, `replaces-base`, OIDC fields, ...) are written as given. Secrets must be references
/// such as `${{secrets.NPM_TOKEN}}`, never the secret itself.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Registry {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(flatten)]
    pub other: BTreeMap<String, toml::Value>,
}

impl Settings {
    /// `self` (the fleet defaults) with every key `over` (a repository's table) sets replaced.
    pub fn overlay(&self, over: &Settings) -> Settings {
        macro_rules! pick {
            ($($f:ident),*) => { Settings { $($f: over.$f.clone().or_else(|| self.$f.clone()),)* } };
        }
        pick!(
            templates,
            schedule,
            labels,
            assignees,
            milestone,
            open_pull_requests_limit,
            commit_message,
            groups,
            cooldown,
            ignore,
            allow,
            registries,
            target_branch,
            versioning_strategy,
            directories_as_globs,
            add_missing
        )
    }
}

/// Which ecosystems can use a registry of this `type` (dependabot.md §1.6). A registry is only
/// written when one of them is configured: GitHub rejects registries no update references.
pub fn registry_ecosystems(kind: &str) -> &'static [&'static str] {
    match kind {
        "cargo-registry" => &["cargo"],
        "composer-repository" => &["composer"],
        "docker-registry" => &["docker", "docker-compose", "helm"],
        "git" => &[
            "swift",
            "pre-commit",
            "terraform",
            "opentofu",
            "gitsubmodule",
            "gomod",
        ],
        "goproxy-server" => &["gomod"],
        "helm-registry" => &["helm"],
        "hex-organization" | "hex-repository" => &["mix"],
        "maven-repository" => &["maven", "gradle", "sbt"],
        "npm-registry" => &["npm", "bun"],
        "nuget-feed" => &["nuget", "dotnet-sdk"],
        "pub-repository" => &["pub"],
        "python-index" => &["pip", "uv"],
        "rubygems-server" => &["bundler"],
        "terraform-registry" => &["terraform", "opentofu"],
        _ => &[],
    }
}

/// Ecosystems that accept `versioning-strategy` (dependabot.md §1.3).
pub const VERSIONING_STRATEGY_ECOSYSTEMS: &[&str] = &[
    "bundler", "cargo", "composer", "helm", "mix", "npm", "pip", "pub", "uv",
];

/// Ecosystems that accept `commit-message.prefix-development` and group `dependency-type`.
pub const DEPENDENCY_TYPE_ECOSYSTEMS: &[&str] =
    &["bundler", "composer", "mix", "maven", "npm", "pip", "uv"];

const VERSIONING: &[&str] = &[
    "auto",
    "increase",
    "increase-if-necessary",
    "lockfile-only",
    "widen",
];
const GROUP_UPDATE_TYPES: &[&str] = &["major", "minor", "patch"];

impl Settings {
    /// Checks the values GitHub constrains, so that a bad setting is a fleet.toml error and not
    /// two hundred broken pull requests. The error's path is relative to this table.
    pub fn check(&self) -> Result<(), Rejected> {
        let bad = |at: KeyPath, message: String, help: &str| Err(Rejected::new(at, message, help));
        let at = |key: &str| KeyPath::root().key(key);
        let schedule = |key: &str| at("schedule").key(key);
        let one_of = |v: &str, allowed: &[&str]| allowed.contains(&v);
        if let Some(s) = &self.schedule {
            if !one_of(&s.interval, INTERVALS) {
                return bad(
                    schedule("interval"),
                    format!(
                        "schedule interval {:?} is not one GitHub accepts",
                        s.interval
                    ),
                    &format!("use one of {}", INTERVALS.join(", ")),
                );
            }
            if let Some(day) = &s.day
                && !one_of(day, DAYS)
            {
                return bad(
                    schedule("day"),
                    format!("schedule day {day:?} is not a weekday name"),
                    "use monday … sunday, in lower case",
                );
            }
            if let Some(t) = &s.time {
                let b = t.as_bytes();
                let ok = b.len() == 5
                    && b[2] == b':'
                    && b.iter()
                        .enumerate()
                        .all(|(i, c)| i == 2 || c.is_ascii_digit())
                    && t[..2].parse::<u8>().is_ok_and(|h| h < 24)
                    && t[3..].parse::<u8>().is_ok_and(|m| m < 60);
                if !ok {
                    return bad(
                        schedule("time"),
                        format!("schedule time {t:?} is not hh:mm"),
                        "write it with two-digit hours, e.g. \"06:00\"",
                    );
                }
            }
            match (s.interval == "cron", &s.cronjob) {
                (true, None) => {
                    return bad(
                        schedule("interval"),
                        "interval \"cron\" needs a `cronjob`".into(),
                        "add cronjob = \"0 6 * * 1\"",
                    );
                }
                (false, Some(_)) => {
                    return bad(
                        schedule("cronjob"),
                        "`cronjob` is only used with interval \"cron\"".into(),
                        "set interval = \"cron\" or remove cronjob",
                    );
                }
                (true, Some(c))
                    if c.to_ascii_uppercase().contains("TZ")
                        || c.contains('/') && c.chars().any(char::is_alphabetic) =>
                {
                    return bad(
                        schedule("cronjob"),
                        format!("cronjob {c:?} must not contain a timezone"),
                        "put the timezone in `timezone`",
                    );
                }
                _ => {}
            }
        }
        if let Some(v) = &self.versioning_strategy
            && !one_of(v, VERSIONING)
        {
            return bad(
                at("versioning-strategy"),
                format!("versioning-strategy {v:?} is not one GitHub accepts"),
                &format!("use one of {}", VERSIONING.join(", ")),
            );
        }
        if let Some(c) = &self.commit_message {
            let prefixes = [
                ("prefix", &c.prefix),
                ("prefix-development", &c.prefix_development),
            ];
            for (key, p) in prefixes {
                let Some(p) = p else { continue };
                if p.chars().count() > 50 {
                    return bad(
                        at("commit-message").key(key),
                        format!("commit-message prefix {p:?} is longer than 50 characters"),
                        "shorten it",
                    );
                }
            }
            if c.include.as_deref().is_some_and(|i| i != "scope") {
                return bad(
                    at("commit-message").key("include"),
                    "commit-message include must be \"scope\"".into(),
                    "write include = \"scope\" or leave it out",
                );
            }
        }
        for (n, i) in self.ignore.iter().flatten().enumerate() {
            for (m, t) in i.update_types.iter().flatten().enumerate() {
                if !one_of(t, UPDATE_TYPES) {
                    return bad(
                        at("ignore").index(n).key("update-types").index(m),
                        format!("ignore update-type {t:?} is not valid"),
                        &format!("use one of {}", UPDATE_TYPES.join(", ")),
                    );
                }
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for (n, i) in self.ignore.iter().flatten().enumerate() {
            if !seen.insert((
                i.dependency_name.clone(),
                i.versions.clone(),
                i.ecosystems.clone(),
            )) {
                return bad(
                    at("ignore").index(n),
                    format!(
                        "ignore lists {:?} twice with the same versions",
                        i.dependency_name
                    ),
                    "GitHub rejects duplicate ignore rules; merge them",
                );
            }
        }
        for (name, g) in self.groups.iter().flatten() {
            let ok_name = name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name.ends_with(|c: char| c.is_ascii_alphabetic())
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphabetic() || matches!(c, '|' | '_' | '-'));
            if !ok_name {
                return bad(
                    at("groups").name(name),
                    format!(
                        "group name {name:?} must start and end with a letter and contain only letters, |, _ and -"
                    ),
                    "rename the group",
                );
            }
            for (m, t) in g.update_types.iter().flatten().enumerate() {
                if !one_of(t, GROUP_UPDATE_TYPES) {
                    return bad(
                        at("groups").key(name).key("update-types").index(m),
                        format!(
                            "group {name:?} update-type {t:?} is not valid (groups use major, minor, patch)"
                        ),
                        "use major, minor or patch",
                    );
                }
            }
        }
        for (name, r) in self.registries.iter().flatten() {
            if !REGISTRY_TYPES.contains(&r.kind.as_str()) {
                return bad(
                    at("registries").key(name).key("type"),
                    format!("registry {name:?} has unknown type {:?}", r.kind),
                    &format!("use one of {}", REGISTRY_TYPES.join(", ")),
                );
            }
            if r.url.is_none() && r.kind != "hex-organization" {
                return bad(
                    at("registries").name(name),
                    format!("registry {name:?} needs a `url`"),
                    "add url = \"https://…\"",
                );
            }
            for (k, v) in &r.other {
                if let Some(s) = v.as_str()
                    && matches!(k.as_str(), "password" | "token" | "key" | "auth-key")
                    && !s.contains("${{")
                {
                    return bad(
                        at("registries").key(name).key(k),
                        format!("registry {name:?} has a literal `{k}`"),
                        "never put secrets in fleet.toml: write a reference such as \"${{secrets.NPM_TOKEN}}\" to a Dependabot secret",
                    );
                }
            }
        }
        Ok(())
    }
}
