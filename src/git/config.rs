//! The `[git]` section of fleet.toml: how long one repository's sync may take in all, and how
//! long a server may send nothing before the connection is given up. Inventory composes it.

use std::time::Duration;

use serde::Deserialize;

use crate::text::{KeyPath, Rejected};

/// Default overall deadline of one repository's sync (connect, fetch and checkout).
pub const DEFAULT_TIMEOUT_SECS: u64 = 600;
/// Default time a server may send nothing before the connection is given up.
pub const DEFAULT_STALL_TIMEOUT_SECS: u64 = 60;
/// Upper bound for both settings: a day. Longer is a typo, not a plan.
const MAX_SECS: u64 = 86_400;

/// `[git]` as written.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitSection {
    /// Seconds one repository's sync may take in all.
    pub timeout: Option<u64>,
    /// Seconds a server may send nothing before the connection is given up.
    pub stall_timeout: Option<u64>,
}

/// `[git]` validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GitSettings {
    pub timeout: Duration,
    pub stall_timeout: Duration,
}

impl Default for GitSettings {
    fn default() -> Self {
        GitSettings {
            timeout: Duration::from_secs(DEFAULT_TIMEOUT_SECS),
            stall_timeout: Duration::from_secs(DEFAULT_STALL_TIMEOUT_SECS),
        }
    }
}

impl GitSection {
    pub fn validate(&self) -> Result<GitSettings, Rejected> {
        let seconds = |key: &str, value: Option<u64>, default: u64| match value {
            None => Ok(Duration::from_secs(default)),
            Some(s) if (1..=MAX_SECS).contains(&s) => Ok(Duration::from_secs(s)),
            Some(s) => Err(Rejected::new(
                KeyPath::root().key(key),
                format!("`{key}` must be between 1 and {MAX_SECS} seconds, not {s}"),
                format!("remove the key to use the default ({default} s)"),
            )),
        };
        let settings = GitSettings {
            timeout: seconds("timeout", self.timeout, DEFAULT_TIMEOUT_SECS)?,
            stall_timeout: seconds(
                "stall_timeout",
                self.stall_timeout,
                DEFAULT_STALL_TIMEOUT_SECS,
            )?,
        };
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_bounds() {
        assert_eq!(
            GitSection::default().validate().unwrap(),
            GitSettings::default()
        );
        let section = GitSection {
            timeout: Some(5),
            stall_timeout: Some(2),
        };
        let settings = section.validate().unwrap();
        assert_eq!(settings.timeout, Duration::from_secs(5));
        assert_eq!(settings.stall_timeout, Duration::from_secs(2));
        let zero = GitSection {
            timeout: Some(0),
            stall_timeout: None,
        };
        let e = zero.validate().unwrap_err();
        assert!(
            e.message.contains("`timeout` must be between 1"),
            "{}",
            e.message
        );
    }
}
