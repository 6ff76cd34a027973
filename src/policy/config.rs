//! The `[policy]` section of fleet.toml as written: the base-image policy's patterns, production
//! globs, severities and waivers. [`super::Policy::from_section`] validates it.

use std::collections::BTreeMap;

use serde::Deserialize;

/// `[policy]`: the base-image policy's patterns, production globs and severities. Unset lists
/// keep the defaults (`crate::policy::DEFAULT_*`); set lists replace them, except
/// `verified_publishers`, which adds to the allowed category.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySection {
    pub preferred: Option<Vec<String>>,
    pub allowed: Option<Vec<String>>,
    pub restricted: Option<Vec<String>>,
    #[serde(default)]
    pub verified_publishers: Vec<String>,
    pub production: Option<Vec<String>>,
    pub non_production: Option<Vec<String>>,
    /// Rule id → `error` | `warning` | `note` | `off`.
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
    #[serde(default)]
    pub waiver: Vec<WaiverSection>,
    /// Image data to use instead of the shipped data (a directory `drydock data update`
    /// wrote), relative to the fleet file; `check --data-dir` overrides it.
    pub data_dir: Option<String>,
}

/// `[[policy.waiver]]`: exempts one rule's findings in matching repositories and paths until
/// `expires`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaiverSection {
    pub repo: Option<String>,
    pub path: Option<String>,
    pub rule: String,
    pub reason: String,
    pub expires: toml::value::Datetime,
}
