//! The `[dependabot]` (fleet defaults) and `[repo.dependabot]` (per-repository overrides)
//! sections of fleet.toml: what drydock puts into every generated dependabot.yml.
//!
//! Keys inside these sections use dependabot.yml's own spelling (`open-pull-requests-limit`,
//! `commit-message`) so that values can be copied from GitHub's documentation unchanged.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

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
            directories_as_globs
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

/// The registry types GitHub knows.
pub const REGISTRY_TYPES: &[&str] = &[
    "cargo-registry",
    "composer-repository",
    "docker-registry",
    "git",
    "goproxy-server",
    "helm-registry",
    "hex-organization",
    "hex-repository",
    "maven-repository",
    "npm-registry",
    "nuget-feed",
    "pub-repository",
    "python-index",
    "rubygems-server",
    "terraform-registry",
];

/// Ecosystems that accept `versioning-strategy` (dependabot.md §1.3).
pub const VERSIONING_STRATEGY_ECOSYSTEMS: &[&str] = &[
    "bundler", "cargo", "composer", "helm", "mix", "npm", "pip", "pub", "uv",
];

/// Ecosystems that accept `commit-message.prefix-development` and group `dependency-type`.
pub const DEPENDENCY_TYPE_ECOSYSTEMS: &[&str] =
    &["bundler", "composer", "mix", "maven", "npm", "pip", "uv"];
