//! The `[registry]` section of fleet.toml: mirrors, `bump`'s default level, the per-request
//! timeout and the response size cap, as written and validated.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use super::{DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT, Mirrors};
use crate::bump::select::Level;
use crate::text::{KeyPath, Rejected};

/// The longest `timeout_seconds` accepted: a monitor run should not wait an hour on one request.
const MAX_TIMEOUT_SECONDS: u64 = 600;

/// `[registry]` as written.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrySection {
    /// Registry host → mirror base URL.
    #[serde(default)]
    pub mirrors: BTreeMap<String, String>,
    pub level: Option<Level>,
    /// Seconds one registry request (connecting, waiting and reading the body) may take.
    pub timeout_seconds: Option<u64>,
    /// Largest registry response body read, in bytes.
    pub max_response_bytes: Option<u64>,
}

/// `[registry]`, validated.
#[derive(Debug, Clone)]
pub struct RegistryConfig {
    pub mirrors: Mirrors,
    /// `bump`'s default `--level`.
    pub level: Level,
    /// How long one request may take (`--timeout` overrides it).
    pub timeout: Duration,
    /// Largest response body read.
    pub max_response_bytes: u64,
}

impl Default for RegistryConfig {
    fn default() -> Self {
        RegistryConfig {
            mirrors: Mirrors::default(),
            level: Level::default(),
            timeout: DEFAULT_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
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
        let timeout = match self.timeout_seconds {
            None => DEFAULT_TIMEOUT,
            Some(s) if (1..=MAX_TIMEOUT_SECONDS).contains(&s) => Duration::from_secs(s),
            Some(s) => {
                return Err(Rejected::new(
                    KeyPath::root().key("timeout_seconds"),
                    format!("timeout_seconds = {s} is outside 1..={MAX_TIMEOUT_SECONDS}"),
                    "give the seconds one registry request may take, e.g. timeout_seconds = 30",
                ));
            }
        };
        let max_response_bytes = match self.max_response_bytes {
            None => DEFAULT_MAX_BODY_BYTES,
            Some(n) if n >= 1024 => n,
            Some(n) => {
                return Err(Rejected::new(
                    KeyPath::root().key("max_response_bytes"),
                    format!("max_response_bytes = {n} is below 1024"),
                    "give the largest registry response to read in bytes, e.g. max_response_bytes = 16777216 (16 MiB)",
                ));
            }
        };
        Ok(RegistryConfig {
            mirrors,
            level: self.level.unwrap_or_default(),
            timeout,
            max_response_bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(toml_text: &str) -> RegistrySection {
        toml::from_str(toml_text).unwrap()
    }

    #[test]
    fn timeout_and_body_cap_have_defaults_and_bounds() {
        let config = section("").validate().unwrap();
        assert_eq!(config.timeout, Duration::from_secs(30));
        assert_eq!(config.max_response_bytes, 16 * 1024 * 1024);
        let config = section("timeout_seconds = 5\nmax_response_bytes = 4096")
            .validate()
            .unwrap();
        assert_eq!(config.timeout, Duration::from_secs(5));
        assert_eq!(config.max_response_bytes, 4096);
        for (text, key) in [
            ("timeout_seconds = 0", "timeout_seconds"),
            ("timeout_seconds = 3601", "timeout_seconds"),
            ("max_response_bytes = 10", "max_response_bytes"),
        ] {
            let e = section(text).validate().unwrap_err();
            assert!(e.message.contains(key), "{text}: {}", e.message);
            assert!(!e.help.is_empty());
        }
    }
}
