//! fleet.toml as serde reads it. The sections owned by later stages are typed in their modules
//! (`[scan]` in `detect`, `[dependabot]` in `dependabot::settings`, `[registry]` in
//! `registry::config`, `[workflow]` in `workflow::config`, `[policy]` in `policy::config`);
//! `[fleet]`, `[github]` and `[[repo]]` are the inventory's own. Values the inventory validates
//! itself carry their spans.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::dependabot::settings::Settings as DependabotSettings;
use crate::detect::ScanSection;
use crate::policy::PolicySection;
use crate::registry::RegistrySection;
use crate::workflow::{RepoWorkflowSection, WorkflowSection};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFleet {
    #[serde(default)]
    pub fleet: FleetSection,
    #[serde(default)]
    pub github: GithubSection,
    #[serde(default)]
    pub scan: ScanSection,
    #[serde(default)]
    pub dependabot: DependabotSettings,
    #[serde(default)]
    pub registry: RegistrySection,
    #[serde(default)]
    pub workflow: WorkflowSection,
    #[serde(default)]
    pub policy: PolicySection,
    #[serde(default)]
    pub git: crate::git::GitSection,
    #[serde(default)]
    pub apply: crate::proposal::ApplySection,
    #[serde(default)]
    pub repo: Vec<RawRepo>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FleetSection {
    pub workspace: Option<Spanned<String>>,
    pub jobs: Option<Spanned<usize>>,
}

/// `[github]` is typed by the forge it configures.
pub(super) use crate::forge::config::GithubSection;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRepo {
    pub name: Spanned<String>,
    pub url: Option<Spanned<String>>,
    pub path: Option<Spanned<String>>,
    pub branch: Option<String>,
    #[serde(default)]
    pub skip: bool,
    pub dependabot: Option<DependabotSettings>,
    pub workflow: Option<RepoWorkflowSection>,
    pub apply: Option<crate::proposal::RepoApplySection>,
    #[serde(default)]
    pub build_args: BTreeMap<String, String>,
}
