//! What the page shows, put together from every input: one row per repository (its check part,
//! its status part, either or both), the totals, the findings per rule, and where the data came
//! from and how old it is. Rows are what the page's script renders from the embedded JSON, so
//! their field names are the script's interface (`page.js`).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::input::{CheckInput, ImageData, Report, Shard, StatusInput};
use super::links::{Links, http_url};
use crate::finding::Severity;

/// One input file, named as the user gave it, with when it was written when known.
#[derive(Debug, Clone)]
pub struct Source {
    pub file: String,
    /// The file's modification time (RFC 3339), passed in by the caller: reports carry no
    /// time of their own.
    pub written: Option<String>,
    pub report: Report,
}

/// Everything the page shows.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub rows: Vec<Row>,
    pub totals: Totals,
    pub rules: Vec<RuleCount>,
    pub inputs: Vec<InputInfo>,
    pub image_data: Vec<ImageData>,
    /// The oldest and newest `measured_at` of the status reports.
    pub measured: Option<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckPart>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusPart>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckPart {
    pub errors: u64,
    pub warnings: u64,
    pub notes: u64,
    pub waived: u64,
    /// Why the repository could not be checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// `ok`, `missing` (a `workflow/monitor-missing` finding), or `unknown` (not checked).
    pub monitor: &'static str,
    /// `ok`, `gaps` (a `dependabot/docker-coverage` or `dependabot/missing-ecosystem` finding),
    /// or `unknown`.
    pub dependabot: &'static str,
    pub findings: Vec<FindingRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingRow {
    pub rule: String,
    pub severity: Severity,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusPart {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pr: Option<PrRow>,
    pub compliant: Option<bool>,
    pub measured_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Why it needs a human first, as the status report says.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attention: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PrRow {
    pub number: u64,
    /// Only an http(s) URL: anything else (`javascript:`) is dropped, the number stays.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub state: String,
    pub checks: String,
    pub mergeable: Option<bool>,
    pub review: Option<String>,
    pub age_days: Option<i64>,
}

/// The fleet's totals, as the page's header shows them (and the test compares with the
/// reports' own).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub repositories: u64,
    /// In a check report.
    pub checked: u64,
    /// In a check report, without an error-level finding and not failed.
    pub passing: u64,
    pub errors: u64,
    pub warnings: u64,
    pub notes: u64,
    pub waived: u64,
    /// In a check report but could not be checked.
    pub check_failed: u64,
    pub monitor_missing: u64,
    pub dependabot_gaps: u64,
    /// In a status report.
    pub with_status: u64,
    /// PR state → repositories; `none` for no pull request.
    pub pr_states: BTreeMap<String, u64>,
    /// Checks of the open pull requests' heads → repositories.
    pub pr_checks: BTreeMap<String, u64>,
    /// `compliant` of the status reports: `yes`, `no`, `unknown`.
    pub compliant: BTreeMap<String, u64>,
    pub status_failed: u64,
    /// Repositories that need a human first (any `attention`), and per reason.
    pub needs_human: u64,
    pub attention: BTreeMap<String, u64>,
}

#[derive(Debug, Clone)]
pub struct RuleCount {
    pub rule: String,
    pub errors: u64,
    pub warnings: u64,
    pub notes: u64,
    pub repositories: u64,
}

#[derive(Debug, Clone)]
pub struct InputInfo {
    pub file: String,
    pub kind: &'static str,
    pub repositories: usize,
    pub shard: Option<Shard>,
    pub written: Option<String>,
}

/// The findings that mean the monitor workflow is missing, and dependabot coverage has gaps.
const MONITOR_RULES: &[&str] = &["workflow/monitor-missing"];
const DEPENDABOT_COVERAGE_RULES: &[&str] =
    &["dependabot/docker-coverage", "dependabot/missing-ecosystem"];

impl Dashboard {
    /// The dashboard over `sources`: the same repository twice in reports of one kind is
    /// refused (shards overlap, or a file was given twice), naming both files.
    pub fn build(sources: &[Source], links: &Links) -> Result<Dashboard, super::InputError> {
        let mut rows: BTreeMap<String, Row> = BTreeMap::new();
        let mut seen: BTreeMap<(&'static str, String), &str> = BTreeMap::new();
        let mut image_data = BTreeSet::new();
        let mut inputs = Vec::new();
        for source in sources {
            let kind = source.report.kind();
            for name in source.report.repo_names() {
                if let Some(first) = seen.insert((kind, name.to_string()), &source.file) {
                    let message = if first == source.file {
                        format!("{name} is in this {kind} report twice")
                    } else {
                        format!("{name} is also in {first}, another {kind} report")
                    };
                    return Err(super::InputError::new(
                        &source.file,
                        message,
                        "pass each shard's report once (a file given twice, or shards of two different runs, overlap)",
                    ));
                }
            }
            inputs.push(InputInfo {
                file: source.file.clone(),
                kind,
                repositories: source.report.repo_names().len(),
                shard: source.report.shard(),
                written: source.written.clone(),
            });
            match &source.report {
                Report::Check(check) => {
                    image_data.insert(check.data.clone());
                    add_check(&mut rows, check, links);
                }
                Report::Status(status) => add_status(&mut rows, status),
            }
        }
        let rows: Vec<Row> = rows.into_values().collect();
        let measured = measured_range(&rows);
        Ok(Dashboard {
            totals: totals(&rows),
            rules: rule_counts(&rows),
            rows,
            inputs,
            image_data: image_data.into_iter().collect(),
            measured,
        })
    }

    /// Shard coverage per kind, when the inputs are shards: `(kind, count, missing indexes)`
    /// for every kind with a shard missing or shards of different counts (`count` 0).
    pub fn missing_shards(&self) -> Vec<(&'static str, u32, Vec<u32>)> {
        let mut by_kind: BTreeMap<&'static str, Vec<Shard>> = BTreeMap::new();
        for input in &self.inputs {
            if let Some(shard) = input.shard {
                by_kind.entry(input.kind).or_default().push(shard);
            }
        }
        let mut out = Vec::new();
        for (kind, shards) in by_kind {
            let counts: BTreeSet<u32> = shards.iter().map(|s| s.count).collect();
            if counts.len() != 1 {
                out.push((kind, 0, Vec::new()));
                continue;
            }
            let count = shards[0].count;
            let have: BTreeSet<u32> = shards.iter().map(|s| s.index).collect();
            let missing: Vec<u32> = (1..=count).filter(|i| !have.contains(i)).collect();
            if !missing.is_empty() {
                out.push((kind, count, missing));
            }
        }
        out
    }
}

fn row<'a>(rows: &'a mut BTreeMap<String, Row>, name: &str) -> &'a mut Row {
    rows.entry(name.to_string()).or_insert_with(|| Row {
        name: name.to_string(),
        url: None,
        check: None,
        status: None,
    })
}

fn add_check(rows: &mut BTreeMap<String, Row>, check: &CheckInput, links: &Links) {
    for repo in &check.repos {
        let findings: Vec<FindingRow> = repo
            .findings
            .iter()
            .map(|f| FindingRow {
                rule: f.rule.clone(),
                severity: f.severity,
                path: f.path.clone(),
                line: f.line,
                message: f.message.clone(),
                fix: f.fix.clone(),
                url: links.file(&repo.name, &f.path, f.line),
            })
            .collect();
        let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count() as u64;
        let has_rule = |rules: &[&str]| findings.iter().any(|f| rules.contains(&f.rule.as_str()));
        let (monitor, dependabot) = if repo.error.is_some() {
            ("unknown", "unknown")
        } else {
            (
                if has_rule(MONITOR_RULES) {
                    "missing"
                } else {
                    "ok"
                },
                if has_rule(DEPENDABOT_COVERAGE_RULES) {
                    "gaps"
                } else {
                    "ok"
                },
            )
        };
        let part = CheckPart {
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            notes: count(Severity::Note),
            waived: repo.waived.len() as u64,
            error: repo.error.as_ref().map(|e| e.message().to_string()),
            monitor,
            dependabot,
            findings,
        };
        let r = row(rows, &repo.name);
        r.url = links.repo(&repo.name);
        r.check = Some(part);
    }
}

fn add_status(rows: &mut BTreeMap<String, Row>, status: &StatusInput) {
    for repo in &status.repos {
        let part = StatusPart {
            pr: repo.pr.as_ref().map(|pr| PrRow {
                number: pr.number,
                url: http_url(&pr.url),
                state: pr.state.clone(),
                checks: pr.checks.clone().unwrap_or_else(|| "none".into()),
                mergeable: pr.mergeable,
                review: pr.review.clone(),
                age_days: pr.age_days,
            }),
            compliant: repo.compliant,
            measured_at: repo.measured_at.clone(),
            error: repo.error.as_ref().map(|e| e.message().to_string()),
            attention: repo.attention.clone(),
        };
        row(rows, &repo.name).status = Some(part);
    }
}

fn totals(rows: &[Row]) -> Totals {
    let mut t = Totals {
        repositories: rows.len() as u64,
        ..Totals::default()
    };
    for row in rows {
        if let Some(c) = &row.check {
            t.checked += 1;
            t.errors += c.errors;
            t.warnings += c.warnings;
            t.notes += c.notes;
            t.waived += c.waived;
            t.check_failed += u64::from(c.error.is_some());
            t.passing += u64::from(c.error.is_none() && c.errors == 0);
            t.monitor_missing += u64::from(c.monitor == "missing");
            t.dependabot_gaps += u64::from(c.dependabot == "gaps");
        }
        if let Some(s) = &row.status {
            t.with_status += 1;
            t.status_failed += u64::from(s.error.is_some());
            t.needs_human += u64::from(!s.attention.is_empty());
            for reason in &s.attention {
                *t.attention.entry(reason.clone()).or_default() += 1;
            }
            let state = s.pr.as_ref().map_or("none", |p| p.state.as_str());
            *t.pr_states.entry(state.to_string()).or_default() += 1;
            if let Some(pr) = &s.pr {
                *t.pr_checks.entry(pr.checks.clone()).or_default() += 1;
            }
            let compliant = match s.compliant {
                Some(true) => "yes",
                Some(false) => "no",
                None => "unknown",
            };
            *t.compliant.entry(compliant.to_string()).or_default() += 1;
        }
    }
    t
}

fn rule_counts(rows: &[Row]) -> Vec<RuleCount> {
    let mut by_rule: BTreeMap<&str, RuleCount> = BTreeMap::new();
    for row in rows {
        let Some(c) = &row.check else { continue };
        let mut in_repo = BTreeSet::new();
        for f in &c.findings {
            let entry = by_rule.entry(&f.rule).or_insert_with(|| RuleCount {
                rule: f.rule.clone(),
                errors: 0,
                warnings: 0,
                notes: 0,
                repositories: 0,
            });
            match f.severity {
                Severity::Error => entry.errors += 1,
                Severity::Warning => entry.warnings += 1,
                Severity::Note => entry.notes += 1,
            }
            if in_repo.insert(f.rule.as_str()) {
                entry.repositories += 1;
            }
        }
    }
    let mut out: Vec<RuleCount> = by_rule.into_values().collect();
    out.sort_by(|a, b| {
        (b.errors, b.warnings, b.notes)
            .cmp(&(a.errors, a.warnings, a.notes))
            .then_with(|| a.rule.cmp(&b.rule))
    });
    out
}

fn measured_range(rows: &[Row]) -> Option<(String, String)> {
    let mut times: Vec<(chrono::DateTime<chrono::FixedOffset>, &str)> = rows
        .iter()
        .filter_map(|r| r.status.as_ref()?.measured_at.as_deref())
        .filter_map(|t| Some((chrono::DateTime::parse_from_rfc3339(t).ok()?, t)))
        .collect();
    times.sort();
    Some((times.first()?.1.to_string(), times.last()?.1.to_string()))
}
