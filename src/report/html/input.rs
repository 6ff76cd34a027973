//! The reports the dashboard reads: the JSON of `drydock check --format json` and of
//! `drydock status --format json` (issue 13's shape), told apart by their keys, read leniently
//! (unknown keys are ignored, so a newer drydock's extra fields do not break an older dashboard)
//! but typed: a severity, count or flag of the wrong type is an error naming the file, line and
//! column.
//!
//! The kind is decided by shape, the rule `report merge` documents too:
//! `summary` and `data` make a check report, `counts` a status report; `run` (apply) and
//! `changes` in the repositories (plan) are recognised only to say that the dashboard does not
//! read them.

use chrono::NaiveDate;
use serde::Deserialize;

use crate::finding::Severity;

/// One parsed input file.
#[derive(Debug, Clone)]
pub enum Report {
    Check(CheckInput),
    Status(StatusInput),
}

impl Report {
    pub fn kind(&self) -> &'static str {
        match self {
            Report::Check(_) => "check",
            Report::Status(_) => "status",
        }
    }

    pub fn shard(&self) -> Option<Shard> {
        match self {
            Report::Check(c) => c.shard,
            Report::Status(s) => s.shard,
        }
    }

    /// The repository names, in the file's order.
    pub fn repo_names(&self) -> Vec<&str> {
        match self {
            Report::Check(c) => c.repos.iter().map(|r| r.name.as_str()).collect(),
            Report::Status(s) => s.repos.iter().map(|r| r.name.as_str()).collect(),
        }
    }
}

/// `"shard":{"index":I,"count":N}` of a sharded report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

/// `drydock check --format json`.
#[derive(Debug, Clone, Deserialize)]
pub struct CheckInput {
    pub repos: Vec<CheckRepo>,
    pub data: ImageData,
    pub summary: CheckSummary,
    #[serde(default)]
    pub shard: Option<Shard>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CheckRepo {
    pub name: String,
    #[serde(default)]
    pub findings: Vec<FindingInput>,
    #[serde(default)]
    pub waived: Vec<FindingInput>,
    #[serde(default)]
    pub error: Option<Failure>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FindingInput {
    pub rule: String,
    pub severity: Severity,
    pub path: String,
    #[serde(default)]
    pub line: Option<u64>,
    pub message: String,
    #[serde(default)]
    pub fix: Option<String>,
}

/// The image data a check report was evaluated with (`data` in check JSON).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
pub struct ImageData {
    pub source: String,
    #[serde(default)]
    pub generated: Option<NaiveDate>,
    #[serde(default)]
    pub age_days: Option<i64>,
    #[serde(default)]
    pub stale: bool,
}

/// The totals a check report states about itself; the dashboard recomputes them from the
/// findings and refuses a report whose statement disagrees (a hand-edited or truncated file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub struct CheckSummary {
    pub errors: u64,
    pub warnings: u64,
    pub notes: u64,
    #[serde(default)]
    pub waived: u64,
    #[serde(default)]
    pub repos_failed: u64,
}

/// A repository that could not be worked on: a message (what every drydock report writes), or
/// an object with one.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Failure {
    Message(String),
    Object { message: String },
}

impl Failure {
    pub fn message(&self) -> &str {
        match self {
            Failure::Message(m) | Failure::Object { message: m } => m,
        }
    }
}

/// `drydock status --format json`.
#[derive(Debug, Clone, Deserialize)]
pub struct StatusInput {
    pub repos: Vec<StatusRepo>,
    #[serde(default)]
    pub shard: Option<Shard>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StatusRepo {
    pub name: String,
    #[serde(default)]
    pub pr: Option<PullRequest>,
    #[serde(default)]
    pub compliant: Option<bool>,
    #[serde(default)]
    pub measured_at: Option<String>,
    #[serde(default)]
    pub error: Option<Failure>,
    /// Why the repository needs a human first (`failing_checks`, `conflict`, `declined`,
    /// `blocked`).
    #[serde(default)]
    pub attention: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PullRequest {
    pub number: u64,
    pub url: String,
    /// `open`, `draft`, `merged` or `declined`.
    pub state: String,
    /// `success`, `failure`, `pending` or `none`.
    #[serde(default)]
    pub checks: Option<String>,
    #[serde(default)]
    pub mergeable: Option<bool>,
    #[serde(default)]
    pub review: Option<String>,
    #[serde(default)]
    pub age_days: Option<i64>,
}

/// Why an input file cannot be read, with what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}\nhelp: {help}")]
pub struct InputError {
    pub file: String,
    pub message: String,
    pub help: String,
}

impl InputError {
    pub fn new(file: &str, message: impl Into<String>, help: impl Into<String>) -> Self {
        InputError {
            file: file.to_string(),
            message: message.into(),
            help: help.into(),
        }
    }
}

const READS: &str = "pass the JSON of `drydock check --format json` or `drydock status --format json` (or their `report merge`)";

/// Parses one input file named `file` (for messages) holding `text`.
pub fn parse(file: &str, text: &str) -> Result<Report, InputError> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| InputError::new(file, format!("not JSON: {e}"), READS))?;
    let Some(object) = value.as_object() else {
        return Err(InputError::new(file, "the JSON is not an object", READS));
    };
    match object.get("version") {
        Some(v) if v.as_u64() == Some(u64::from(super::super::JSON_VERSION)) => {}
        Some(v) => {
            return Err(InputError::new(
                file,
                format!(
                    "report version {v}: this drydock reads version {}",
                    super::super::JSON_VERSION
                ),
                "render it with the drydock that wrote it, or re-run the report with this one",
            ));
        }
        None => {
            return Err(InputError::new(
                file,
                "no \"version\" key: not a drydock report",
                READS,
            ));
        }
    }
    let has = |key: &str| object.contains_key(key);
    let typed = |e: serde_json::Error, kind: &str| {
        InputError::new(
            file,
            format!("a {kind} report, but {e}"),
            "the file was changed after drydock wrote it: write it again",
        )
    };
    if has("run") {
        return Err(InputError::new(
            file,
            "an apply report: the dashboard reads check and status reports",
            "`drydock status --format json` shows the pull requests apply opened",
        ));
    }
    if has("summary") && has("data") {
        let check: CheckInput = serde_json::from_str(text).map_err(|e| typed(e, "check"))?;
        verify_summary(file, &check)?;
        return Ok(Report::Check(check));
    }
    if has("counts") {
        let status: StatusInput = serde_json::from_str(text).map_err(|e| typed(e, "status"))?;
        return Ok(Report::Status(status));
    }
    let plan_like = object
        .get("repos")
        .and_then(|r| r.as_array())
        .is_some_and(|repos| repos.iter().any(|r| r.get("changes").is_some()));
    if plan_like {
        return Err(InputError::new(
            file,
            "a plan report: the dashboard reads check and status reports",
            READS,
        ));
    }
    Err(InputError::new(
        file,
        "neither a check report (keys `summary` and `data`) nor a status report (key `counts`)",
        READS,
    ))
}

/// The check report's own totals against its findings.
fn verify_summary(file: &str, check: &CheckInput) -> Result<(), InputError> {
    let mut counted = CheckSummary::default();
    for repo in &check.repos {
        for f in &repo.findings {
            match f.severity {
                Severity::Error => counted.errors += 1,
                Severity::Warning => counted.warnings += 1,
                Severity::Note => counted.notes += 1,
            }
        }
        counted.waived += repo.waived.len() as u64;
        counted.repos_failed += u64::from(repo.error.is_some());
    }
    if counted != check.summary {
        return Err(InputError::new(
            file,
            format!(
                "its summary ({} errors, {} warnings, {} notes, {} waived, {} failed) does not match its findings ({} errors, {} warnings, {} notes, {} waived, {} failed)",
                check.summary.errors,
                check.summary.warnings,
                check.summary.notes,
                check.summary.waived,
                check.summary.repos_failed,
                counted.errors,
                counted.warnings,
                counted.notes,
                counted.waived,
                counted.repos_failed,
            ),
            "the file was changed or cut short after drydock wrote it: run `drydock check --format json` again",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_told_by_shape() {
        let check = crate::report::json(&crate::report::tests::sample());
        assert_eq!(parse("c.json", &check).unwrap().kind(), "check");
        let status = r#"{"version":1,"repos":[{"name":"a/b","pr":null,"compliant":null,"measured_at":null}],"counts":{}}"#;
        assert_eq!(parse("s.json", status).unwrap().kind(), "status");
    }

    #[test]
    fn other_reports_are_refused_with_what_to_pass() {
        let cases = [
            ("[]", "not an object"),
            ("{\"repos\":[]}", "no \"version\""),
            ("{\"version\":2,\"repos\":[]}", "version 2"),
            (
                "{\"version\":1,\"run\":\"r1\",\"repos\":[]}",
                "an apply report",
            ),
            (
                "{\"version\":1,\"repos\":[{\"name\":\"a/b\",\"changes\":[]}]}",
                "a plan report",
            ),
            ("{\"version\":1,\"repos\":[]}", "neither a check report"),
            ("{\"version\":1,\n\"repos\": [}", "not JSON"),
        ];
        for (text, expected) in cases {
            let e = parse("in.json", text).unwrap_err();
            assert!(e.message.contains(expected), "{text}: {e}");
            assert!(e.to_string().starts_with("in.json: "), "{e}");
        }
    }

    #[test]
    fn a_wrong_type_names_the_line() {
        let text = "{\"version\":1,\"summary\":{\"errors\":0,\"warnings\":0,\"notes\":0},\"data\":{\"source\":\"x\"},\n\"repos\":[{\"name\":\"a/b\",\"findings\":[{\"rule\":\"r\",\"severity\":\"fatal\",\"path\":\"p\",\"message\":\"m\"}]}]}";
        let e = parse("c.json", text).unwrap_err();
        assert!(e.message.contains("line 2"), "{e}");
        assert!(e.message.contains("fatal"), "{e}");
    }

    #[test]
    fn a_summary_that_disagrees_with_the_findings_is_refused() {
        let mut v: serde_json::Value =
            serde_json::from_str(&crate::report::json(&crate::report::tests::sample())).unwrap();
        v["summary"]["errors"] = 7.into();
        let e = parse("c.json", &v.to_string()).unwrap_err();
        assert!(e.message.contains("does not match"), "{e}");
    }
}
