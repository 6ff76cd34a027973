//! Output formats for `drydock check`: text (grouped by repository, colour on a terminal), JSON,
//! SARIF 2.1.0 (GitHub code scanning) and Markdown (`$GITHUB_STEP_SUMMARY`, PR bodies). Pure:
//! every renderer turns a [`CheckReport`] into a string.
//!
//! Every JSON report of every command is a [`Versioned`] document; a sharded run's also says
//! which shard it covers ([`ShardRef`]), and [`merge`] puts the shards' reports back together.

pub mod html;
mod markdown;
pub mod merge;
mod sarif;
pub mod status;
mod text;

use chrono::NaiveDate;
use serde::Serialize;

use crate::finding::{Finding, Severity};
use crate::repo::RepoFailure;

pub use markdown::render as markdown;
pub use sarif::render as sarif;
pub use text::render as text;

/// Data older than this many days is reported as stale.
pub const STALE_AFTER_DAYS: i64 = 90;

/// The result of a check over one or more repositories.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub repos: Vec<RepoReport>,
    pub data: DataInfo,
    pub summary: Summary,
}

/// One repository's findings. Waived findings are kept apart; `error` says why a repository
/// could not be checked.
#[derive(Debug, Clone, Serialize)]
pub struct RepoReport {
    pub name: String,
    pub findings: Vec<Finding>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub waived: Vec<Finding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<RepoFailure>,
}

/// How old the shipped (or `--data-dir`) data is.
#[derive(Debug, Clone, Serialize)]
pub struct DataInfo {
    pub source: String,
    pub generated: Option<NaiveDate>,
    pub age_days: Option<i64>,
    pub stale: bool,
}

impl DataInfo {
    pub fn new(source: String, generated: Option<NaiveDate>, today: NaiveDate) -> Self {
        let age_days = generated.map(|g| (today - g).num_days());
        DataInfo {
            source,
            generated,
            age_days,
            stale: age_days.is_none_or(|a| a > STALE_AFTER_DAYS),
        }
    }

    /// One line for humans; a warning when stale.
    pub fn line(&self) -> String {
        match (self.generated, self.age_days) {
            (Some(g), Some(age)) if self.stale => format!(
                "warning: the image data ({}) is from {g}, {age} days old (more than {STALE_AFTER_DAYS}): versions, EOL dates and supported tags may be out of date; pass --data-dir with newer data",
                self.source
            ),
            (Some(g), Some(age)) => {
                format!("image data: {} from {g} ({age} days old)", self.source)
            }
            _ => format!(
                "warning: the image data ({}) has no date; pass --data-dir with dated data",
                self.source
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    pub waived: usize,
    pub repos_failed: usize,
}

impl Summary {
    pub fn of(repos: &[RepoReport]) -> Summary {
        let mut s = Summary::default();
        for r in repos {
            for f in &r.findings {
                match f.severity {
                    Severity::Error => s.errors += 1,
                    Severity::Warning => s.warnings += 1,
                    Severity::Note => s.notes += 1,
                }
            }
            s.waived += r.waived.len();
            s.repos_failed += usize::from(r.error.is_some());
        }
        s
    }

    pub fn line(&self, repos: usize) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let mut s = format!(
            "{}, {}, {} in {}",
            plural(self.errors, "error"),
            plural(self.warnings, "warning"),
            plural(self.notes, "note"),
            plural(repos, "repository").replace("repositorys", "repositories")
        );
        if self.waived > 0 {
            s.push_str(&format!("; {} waived", self.waived));
        }
        if self.repos_failed > 0 {
            s.push_str(&format!(
                "; {} could not be checked",
                plural(self.repos_failed, "repository").replace("repositorys", "repositories")
            ));
        }
        s
    }
}

impl CheckReport {
    pub fn new(repos: Vec<RepoReport>, data: DataInfo) -> Self {
        let summary = Summary::of(&repos);
        CheckReport {
            repos,
            data,
            summary,
        }
    }
}

/// `path:line` as shown to people.
pub fn location(f: &Finding) -> String {
    match f.line {
        Some(l) => format!("{}:{l}", f.path),
        None => f.path.clone(),
    }
}

/// The version of drydock's JSON output formats (scan, plan, check, bump), their first key.
pub const JSON_VERSION: u32 = 1;

/// Which shard of the fleet a report covers (`--shard I/N`): `"shard":{"index":I,"count":N}`,
/// the second key of a sharded report, after `version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ShardRef {
    pub index: u32,
    pub count: u32,
}

/// A report as a JSON document: `{"version": 1, ..the report's own keys}`, and with `--shard`
/// `{"version": 1, "shard": {"index": I, "count": N}, ..}`. An unsharded report has no `shard`
/// key at all, so its JSON is what it was before sharding existed.
#[derive(Debug, Serialize)]
pub struct Versioned<'a, T: Serialize> {
    pub version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardRef>,
    #[serde(flatten)]
    pub report: &'a T,
}

impl<'a, T: Serialize> Versioned<'a, T> {
    pub fn new(report: &'a T) -> Self {
        Versioned {
            version: JSON_VERSION,
            shard: None,
            report,
        }
    }

    /// The document of a report made by a run over `shard` (none: an unsharded run). The one
    /// way every command's JSON says which shard it covers.
    pub fn in_shard(mut self, shard: Option<ShardRef>) -> Self {
        self.shard = shard;
        self
    }
}

/// The JSON format: `{"version":1,"repos":[{"name":..,"findings":[{"rule","severity","path","line","message",..}]}],..}`.
pub fn json(report: &CheckReport) -> String {
    json_in_shard(report, None)
}

/// [`json`] of a run over `shard`: `"shard":{"index":I,"count":N}` after `version`.
pub fn json_in_shard(report: &CheckReport, shard: Option<ShardRef>) -> String {
    let document = Versioned::new(report).in_shard(shard);
    let mut s = serde_json::to_string_pretty(&document).expect("the report serialises");
    s.push('\n');
    s
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn sample() -> CheckReport {
        let f = |rule: &str, severity, path: &str, line: Option<usize>, message: &str| {
            let finding = crate::catalogue::find(rule)
                .expect("a catalogued rule")
                .finding(path, message)
                .with_severity(severity)
                .with_fix("`python:3.8` → `python:3.14-slim`");
            match line {
                Some(l) => finding.at(l, None),
                None => finding,
            }
        };
        CheckReport::new(
            vec![
                RepoReport {
                    name: "acme/api".into(),
                    findings: vec![
                        f(
                            "base-image/eol",
                            Severity::Error,
                            "Dockerfile",
                            Some(1),
                            "FROM python:3.8: Python 3.8 reached end of life on 2024-10-07",
                        ),
                        f(
                            "base-image/not-slim",
                            Severity::Warning,
                            "services/a|b/Dockerfile",
                            Some(7),
                            "full variant | pipe",
                        ),
                        f(
                            "workflow/monitor-missing",
                            Severity::Error,
                            crate::workflow::PATH,
                            None,
                            "no monitor",
                        ),
                    ],
                    waived: vec![],
                    error: None,
                },
                RepoReport {
                    name: "acme/web".into(),
                    findings: vec![],
                    waived: vec![],
                    error: Some(RepoFailure::new(
                        crate::repo::FailureKind::NotSynced,
                        "not synced",
                    )),
                },
            ],
            DataInfo::new(
                "test".into(),
                NaiveDate::from_ymd_opt(2026, 8, 21),
                NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
            ),
        )
    }

    #[test]
    fn json_has_the_documented_shape() {
        let text = json(&sample());
        assert!(text.starts_with("{\n  \"version\": 1,\n"), "{text}");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let f = &v["repos"][0]["findings"][0];
        assert_eq!(v["repos"][0]["name"], "acme/api");
        assert_eq!(f["rule"], "base-image/eol");
        assert_eq!(f["severity"], "error");
        assert_eq!(f["path"], "Dockerfile");
        assert_eq!(f["line"], 1);
        assert!(f["message"].as_str().unwrap().contains("end of life"));
        assert_eq!(v["summary"]["errors"], 2);
        assert_eq!(v["data"]["stale"], true);
        assert_eq!(v["data"]["age_days"], 98);
    }

    #[test]
    fn data_age_warns_past_90_days() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert!(!DataInfo::new("d".into(), NaiveDate::from_ymd_opt(2026, 9, 1), today).stale);
        let old = DataInfo::new("d".into(), NaiveDate::from_ymd_opt(2026, 8, 1), today);
        assert!(
            old.stale && old.line().starts_with("warning:"),
            "{}",
            old.line()
        );
    }
}
