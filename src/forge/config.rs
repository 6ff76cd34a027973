//! `[github]` of fleet.toml, typed here because the forge is what it configures: the API URL,
//! the GitHub App (`app_id`, `private_key`), read concurrency and `[github.limits]`, the pacing
//! numbers (defaults from GitHub's documented limits, see docs/fleet-toml.md), and each shard's
//! share of them under `--shard` ([`Limits::shared_by`], docs/forge.md).

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::text::{KeyPath, Rejected};

/// `[github]` as serde reads it.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GithubSection {
    pub api_url: Option<Spanned<String>>,
    /// The GitHub App's id; with it drydock authenticates as the App's installations.
    pub app_id: Option<u64>,
    /// The App's private key (PEM), a path relative to the fleet file.
    pub private_key: Option<String>,
    /// Read requests in flight at once.
    pub concurrency: Option<usize>,
    #[serde(default)]
    pub limits: LimitsSection,
}

/// `[github.limits]`, every key optional.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsSection {
    pub writes_per_minute: Option<u32>,
    pub writes_per_hour: Option<u32>,
    /// Seconds between two content-creating requests.
    pub write_interval: Option<f64>,
    /// Requests kept back from the primary limit: drydock pauses when this few remain.
    pub primary_reserve: Option<u32>,
    /// Seconds of the first wait after a secondary limit without `retry-after`.
    pub secondary_wait: Option<f64>,
    /// How many times a rate-limited request is tried again before the error is reported.
    pub rate_limit_retries: Option<u32>,
    /// The longest single wait (seconds) drydock accepts; a longer one fails the request.
    pub max_wait: Option<f64>,
    /// How many times an idempotent request is tried again after a 5xx, reset or timeout.
    pub retries: Option<u32>,
    /// Whether the shards of a `--shard I/N` run share these limits (one credential for the
    /// whole matrix, the default), so each takes 1/N of them; `false` when every shard has a
    /// credential of its own.
    pub shared_by_shards: Option<bool>,
}

/// The validated pacing numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    pub concurrency: usize,
    pub writes_per_minute: u32,
    pub writes_per_hour: u32,
    pub write_interval: Duration,
    pub primary_reserve: u32,
    pub secondary_wait: Duration,
    pub rate_limit_retries: u32,
    pub max_wait: Duration,
    pub retries: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            concurrency: 8,
            writes_per_minute: 80,
            writes_per_hour: 500,
            write_interval: Duration::from_secs(1),
            primary_reserve: 10,
            secondary_wait: Duration::from_secs(60),
            rate_limit_retries: 4,
            max_wait: Duration::from_secs(900),
            retries: 3,
        }
    }
}

/// The GitHub App drydock authenticates as, when `app_id` is set.
#[derive(Debug, Clone, PartialEq)]
pub struct AppSettings {
    pub app_id: u64,
    /// `private_key`, resolved against the fleet file; `None`: the PEM is in
    /// `DRYDOCK_APP_PRIVATE_KEY`.
    pub private_key: Option<PathBuf>,
}

impl Limits {
    /// One shard's share of limits that `shards` processes spend together (`--shard I/N` with
    /// one token or App installation for the whole matrix; GitHub counts its budget once):
    /// writes per minute and per hour and read concurrency divided by `shards` (rounded down,
    /// at least 1, so the shards together never exceed the limit unless there are more shards
    /// than the limit), and the interval between writes multiplied by it (N shards each one
    /// write per N seconds are together one write a second, GitHub's advice). GitHub's 80
    /// writes a minute and 500 an hour over 20 shards: 4 a minute and 25 an hour each, 20 s
    /// apart. The retry and wait settings stay: they are about one request.
    pub fn shared_by(&self, shards: u32) -> Limits {
        let n = shards.max(1);
        Limits {
            concurrency: (self.concurrency / n as usize).max(1),
            writes_per_minute: (self.writes_per_minute / n).max(1),
            writes_per_hour: (self.writes_per_hour / n).max(1),
            write_interval: self.write_interval * n,
            ..self.clone()
        }
    }
}

/// `[github]` validated, apart from `api_url` (the inventory types it as `GitHubHost`).
#[derive(Debug, Clone, PartialEq)]
pub struct GithubConfig {
    pub app: Option<AppSettings>,
    pub limits: Limits,
    /// `[github.limits] shared_by_shards`: with `--shard I/N`, `limits` are divided by N
    /// ([`Limits::shared_by`]) unless this is `false`.
    pub shared_by_shards: bool,
}

impl Default for GithubConfig {
    fn default() -> Self {
        GithubConfig {
            app: None,
            limits: Limits::default(),
            shared_by_shards: true,
        }
    }
}

impl GithubSection {
    /// Checks the section; `base` is the fleet file's directory.
    pub fn validate(&self, base: &std::path::Path) -> Result<GithubConfig, Rejected> {
        let mut limits = Limits::default();
        let at = |key: &str| KeyPath::root().key(key);
        let lim = |key: &str| KeyPath::root().key("limits").key(key);
        if let Some(c) = self.concurrency {
            if c == 0 || c > 100 {
                return Err(Rejected::new(
                    at("concurrency"),
                    format!("`concurrency` must be between 1 and 100, got {c}"),
                    "GitHub allows at most 100 concurrent requests; the default is 8",
                ));
            }
            limits.concurrency = c;
        }
        let l = &self.limits;
        let positive = |v: Option<u32>, key: &str, into: &mut u32| -> Result<(), Rejected> {
            match v {
                Some(0) => Err(Rejected::new(
                    lim(key),
                    format!("`{key}` must be at least 1"),
                    "remove the key to use GitHub's documented default",
                )),
                Some(n) => {
                    *into = n;
                    Ok(())
                }
                None => Ok(()),
            }
        };
        positive(
            l.writes_per_minute,
            "writes_per_minute",
            &mut limits.writes_per_minute,
        )?;
        positive(
            l.writes_per_hour,
            "writes_per_hour",
            &mut limits.writes_per_hour,
        )?;
        let seconds = |v: Option<f64>, key: &str, into: &mut Duration| -> Result<(), Rejected> {
            if let Some(s) = v {
                if !s.is_finite() || !(0.0..=86_400.0).contains(&s) {
                    return Err(Rejected::new(
                        lim(key),
                        format!("`{key}` must be a number of seconds between 0 and 86400, got {s}"),
                        "remove the key to use GitHub's documented default",
                    ));
                }
                *into = Duration::from_secs_f64(s);
            }
            Ok(())
        };
        seconds(
            l.write_interval,
            "write_interval",
            &mut limits.write_interval,
        )?;
        seconds(
            l.secondary_wait,
            "secondary_wait",
            &mut limits.secondary_wait,
        )?;
        seconds(l.max_wait, "max_wait", &mut limits.max_wait)?;
        if let Some(r) = l.primary_reserve {
            limits.primary_reserve = r;
        }
        if let Some(r) = l.rate_limit_retries {
            limits.rate_limit_retries = r.min(20);
        }
        if let Some(r) = l.retries {
            limits.retries = r.min(10);
        }
        let app = match (self.app_id, &self.private_key) {
            (Some(app_id), key) => Some(AppSettings {
                app_id,
                private_key: key.as_ref().map(|k| base.join(k)),
            }),
            (None, Some(_)) => {
                return Err(Rejected::new(
                    at("private_key"),
                    "`private_key` is set but `app_id` is not",
                    "set `app_id` to the GitHub App's id, or remove `private_key` to use GITHUB_TOKEN",
                ));
            }
            (None, None) => None,
        };
        Ok(GithubConfig {
            app,
            limits,
            shared_by_shards: l.shared_by_shards.unwrap_or(true),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_shards_take_a_twentieth_of_githubs_budget_each() {
        let each = Limits::default().shared_by(20);
        assert_eq!(each.writes_per_minute, 4);
        assert_eq!(each.writes_per_hour, 25);
        assert_eq!(each.concurrency, 1);
        assert_eq!(each.write_interval, Duration::from_secs(20));
        assert_eq!(each.max_wait, Limits::default().max_wait);
        // Rounded down: three shards together stay under 80 a minute.
        assert_eq!(Limits::default().shared_by(3).writes_per_minute, 26);
        // Never zero, and one shard is the whole budget.
        assert_eq!(Limits::default().shared_by(1000).writes_per_hour, 1);
        assert_eq!(Limits::default().shared_by(1), Limits::default());
    }

    #[test]
    fn shared_by_shards_is_on_unless_turned_off() {
        let base = std::path::Path::new(".");
        let section = |text: &str| -> GithubSection { toml::from_str(text).unwrap() };
        assert!(section("").validate(base).unwrap().shared_by_shards);
        assert!(GithubConfig::default().shared_by_shards);
        let off = section("[limits]\nshared_by_shards = false\nwrites_per_minute = 10\n");
        let config = off.validate(base).unwrap();
        assert!(!config.shared_by_shards);
        assert_eq!(config.limits.writes_per_minute, 10);
    }
}
