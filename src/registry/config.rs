//! The `[registry]` section of fleet.toml: mirrors and `bump`'s default level, as written and
//! validated.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::Mirrors;
use crate::bump::select::Level;
use crate::text::{KeyPath, Rejected};

/// `[registry]` as written.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrySection {
    /// Registry host → mirror base URL.
    #[serde(default)]
    pub mirrors: BTreeMap<String, String>,
    pub level: Option<Level>,
}

/// `[registry]`, validated.
#[derive(Debug, Default, Clone)]
pub struct RegistryConfig {
    pub mirrors: Mirrors,
    /// `bump`'s default `--level`.
    pub level: Level,
}

impl RegistrySection {
    pub fn validate(&self) -> Result<RegistryConfig, Rejected> {
        let mut mirrors = Mirrors::default();
        for (host, url) in &self.mirrors {
            mirrors.insert(host, url).map_err(|message| {
                Rejected::new(
                    KeyPath::root().key("mirrors").key(host),
                    message,
                    "write mirrors as \"docker.io\" = \"https://mirror.example.com\"",
                )
            })?;
        }
        Ok(RegistryConfig {
            mirrors,
            level: self.level.unwrap_or_default(),
        })
    }
}
