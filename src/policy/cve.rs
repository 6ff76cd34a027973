//! CVE patch deadlines over Trivy JSON reports: CRITICAL 48 h, HIGH 7 days, MEDIUM 30 days,
//! LOW with the next release (never overdue by time). Only vulnerabilities with a fixed version
//! count. The clock for an (image, CVE) starts when drydock first saw it or at the report's
//! `CreatedAt`, whichever is earlier; first sightings are kept in a small state file.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Trivy's severities that have a deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CveSeverity {
    Low,
    Medium,
    High,
    Critical,
}

impl CveSeverity {
    fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_uppercase().as_str() {
            "CRITICAL" => Some(Self::Critical),
            "HIGH" => Some(Self::High),
            "MEDIUM" => Some(Self::Medium),
            "LOW" => Some(Self::Low),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Critical => "CRITICAL",
            Self::High => "HIGH",
            Self::Medium => "MEDIUM",
            Self::Low => "LOW",
        }
    }

    /// The patch deadline; LOW goes with the next regular release and has none.
    pub fn deadline(self) -> Option<Duration> {
        match self {
            Self::Critical => Some(Duration::hours(48)),
            Self::High => Some(Duration::days(7)),
            Self::Medium => Some(Duration::days(30)),
            Self::Low => None,
        }
    }

    fn deadline_text(self) -> &'static str {
        match self {
            Self::Critical => "48 h",
            Self::High => "7 days",
            Self::Medium => "30 days",
            Self::Low => "next release",
        }
    }
}

/// A fixable vulnerability of one artefact (several packages may share a CVE).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vulnerability {
    pub id: String,
    pub severity: CveSeverity,
    /// `package installed → fixed` for each affected package.
    pub packages: Vec<String>,
}

/// A Trivy report, reduced to what the deadlines need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// `ArtifactName`: the image (or path) scanned.
    pub artifact: String,
    pub artifact_type: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    /// Fixable vulnerabilities with a known severity, by id.
    pub vulnerabilities: Vec<Vulnerability>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawReport {
    schema_version: Option<u32>,
    created_at: Option<String>,
    artifact_name: Option<String>,
    artifact_type: Option<String>,
    #[serde(default)]
    results: Option<Vec<RawResult>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawResult {
    #[serde(default)]
    vulnerabilities: Option<Vec<RawVuln>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawVuln {
    #[serde(rename = "VulnerabilityID")]
    vulnerability_id: String,
    #[serde(default)]
    pkg_name: String,
    #[serde(default)]
    installed_version: String,
    #[serde(default)]
    fixed_version: Option<String>,
    #[serde(default)]
    severity: String,
}

/// Reads a Trivy JSON report (`trivy image --format json`, schema version 2).
pub fn parse_report(text: &str) -> Result<Report, String> {
    let raw: RawReport =
        serde_json::from_str(text).map_err(|e| format!("not a Trivy JSON report: {e}"))?;
    if let Some(v) = raw.schema_version
        && v != 2
    {
        return Err(format!(
            "Trivy report schema version {v} is not supported (expected 2)"
        ));
    }
    let artifact = raw.artifact_name.filter(|a| !a.is_empty()).ok_or(
        "the report has no ArtifactName; produce it with `trivy image --format json IMAGE`",
    )?;
    let created_at = match raw.created_at {
        Some(s) => Some(
            DateTime::parse_from_rfc3339(&s)
                .map_err(|e| format!("CreatedAt {s:?} is not an RFC 3339 time: {e}"))?
                .with_timezone(&Utc),
        ),
        None => None,
    };
    let mut by_id: BTreeMap<String, Vulnerability> = BTreeMap::new();
    for v in raw
        .results
        .unwrap_or_default()
        .into_iter()
        .flat_map(|r| r.vulnerabilities.unwrap_or_default())
    {
        let Some(fixed) = v.fixed_version.filter(|f| !f.trim().is_empty()) else {
            continue;
        };
        let Some(severity) = CveSeverity::parse(&v.severity) else {
            continue;
        };
        let entry = by_id
            .entry(v.vulnerability_id.clone())
            .or_insert_with(|| Vulnerability {
                id: v.vulnerability_id.clone(),
                severity,
                packages: Vec::new(),
            });
        entry.severity = entry.severity.max(severity);
        let pkg = format!("{} {} → {}", v.pkg_name, v.installed_version, fixed);
        if !entry.packages.contains(&pkg) {
            entry.packages.push(pkg);
        }
    }
    Ok(Report {
        artifact,
        artifact_type: raw.artifact_type,
        created_at,
        vulnerabilities: by_id.into_values().collect(),
    })
}

/// When drydock first saw each (artefact, CVE).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstSeen {
    pub version: u32,
    /// artefact → CVE id → first sighting.
    pub seen: BTreeMap<String, BTreeMap<String, DateTime<Utc>>>,
}

impl FirstSeen {
    /// The state of a new workspace.
    pub fn empty() -> FirstSeen {
        FirstSeen {
            version: 1,
            ..FirstSeen::default()
        }
    }

    /// The state from the text of its file (`app::check` reads and writes the file, through
    /// `crate::fs`).
    pub fn from_json(text: &str) -> Result<FirstSeen, String> {
        serde_json::from_str(text).map_err(|e| format!("not a drydock CVE state file: {e}"))
    }

    /// The text of the state file.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("the state serialises");
        text.push('\n');
        text
    }

    /// The start of the clock for a CVE, recording `now` as the first sighting if it is new.
    fn start(
        &mut self,
        artifact: &str,
        cve: &str,
        created_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> DateTime<Utc> {
        self.version = 1;
        let entry = self
            .seen
            .entry(artifact.to_string())
            .or_default()
            .entry(cve.to_string())
            .or_insert(now);
        if let Some(c) = created_at
            && c < *entry
        {
            *entry = c;
        }
        *entry
    }
}

/// A fixable CVE past its deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overdue {
    pub artifact: String,
    pub vulnerability: Vulnerability,
    pub since: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    pub late_by: Duration,
}

impl Overdue {
    pub fn message(&self) -> String {
        let v = &self.vulnerability;
        format!(
            "{} ({}) in {}: fixable ({}), first seen {}, patch deadline {} ({}) exceeded by {}",
            v.id,
            v.severity.as_str(),
            self.artifact,
            v.packages.join(", "),
            self.since.format("%Y-%m-%d %H:%M UTC"),
            v.severity.deadline_text(),
            self.deadline.format("%Y-%m-%d %H:%M UTC"),
            human(self.late_by)
        )
    }
}

/// "3 days 4 h", "5 h", "12 min".
pub fn human(d: Duration) -> String {
    let mins = d.num_minutes().max(0);
    let (days, hours, m) = (mins / 1440, (mins % 1440) / 60, mins % 60);
    match (days, hours) {
        (0, 0) => format!("{m} min"),
        (0, h) => format!("{h} h"),
        (1, 0) => "1 day".into(),
        (dd, 0) => format!("{dd} days"),
        (1, h) => format!("1 day {h} h"),
        (dd, h) => format!("{dd} days {h} h"),
    }
}

/// Applies the deadlines at `now`, recording first sightings in `state`.
pub fn overdue(report: &Report, state: &mut FirstSeen, now: DateTime<Utc>) -> Vec<Overdue> {
    let mut out = Vec::new();
    for v in &report.vulnerabilities {
        let since = state.start(&report.artifact, &v.id, report.created_at, now);
        let Some(window) = v.severity.deadline() else {
            continue;
        };
        let deadline = since + window;
        if now > deadline {
            out.push(Overdue {
                artifact: report.artifact.clone(),
                vulnerability: v.clone(),
                since,
                deadline,
                late_by: now - deadline,
            });
        }
    }
    out.sort_by(|a, b| {
        b.vulnerability
            .severity
            .cmp(&a.vulnerability.severity)
            .then(a.vulnerability.id.cmp(&b.vulnerability.id))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    pub const SAMPLE: &str = include_str!("../../tests/fixtures/trivy/python-3.12-slim.json");

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn reads_only_fixable_vulnerabilities() {
        let r = parse_report(SAMPLE).unwrap();
        assert_eq!(r.artifact, "python:3.12-slim");
        assert_eq!(r.created_at, Some(at("2026-11-20T09:30:00Z")));
        let ids: Vec<&str> = r.vulnerabilities.iter().map(|v| v.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "CVE-2026-10001",
                "CVE-2026-10002",
                "CVE-2026-10003",
                "CVE-2026-10004"
            ]
        );
        // Two packages share CVE-2026-10001.
        assert_eq!(r.vulnerabilities[0].packages.len(), 2);
    }

    #[test]
    fn deadlines_per_severity() {
        let r = parse_report(SAMPLE).unwrap();
        let mut state = FirstSeen::default();
        // 3 days after CreatedAt: CRITICAL (48 h) is overdue by 1 day, HIGH (7 days) is not.
        let got = overdue(&r, &mut state, at("2026-11-23T09:30:00Z"));
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].vulnerability.id, "CVE-2026-10001");
        assert_eq!(got[0].late_by, Duration::days(1));
        assert!(
            got[0].message().contains("exceeded by 1 day"),
            "{}",
            got[0].message()
        );
        // 40 days later: CRITICAL, HIGH and MEDIUM are overdue; LOW never is.
        let got = overdue(&r, &mut state, at("2026-12-30T09:30:00Z"));
        let ids: Vec<&str> = got.iter().map(|o| o.vulnerability.id.as_str()).collect();
        assert_eq!(ids, ["CVE-2026-10001", "CVE-2026-10002", "CVE-2026-10003"]);
    }

    #[test]
    fn clock_starts_at_the_earlier_of_first_sighting_and_report_time() {
        let mut r = parse_report(SAMPLE).unwrap();
        r.created_at = None;
        let mut state = FirstSeen::default();
        // First seen now: nothing overdue yet.
        assert!(overdue(&r, &mut state, at("2026-11-01T00:00:00Z")).is_empty());
        // The state remembers the first sighting: 49 h later CRITICAL is overdue by 1 h.
        let got = overdue(&r, &mut state, at("2026-11-03T01:00:00Z"));
        assert_eq!(got[0].late_by, Duration::hours(1));
        // An earlier CreatedAt moves the start back.
        r.created_at = Some(at("2026-10-01T00:00:00Z"));
        let got = overdue(&r, &mut state, at("2026-11-03T01:00:00Z"));
        assert_eq!(got[0].since, at("2026-10-01T00:00:00Z"));
    }

    #[test]
    fn state_round_trips() {
        let mut state = FirstSeen::empty();
        let r = parse_report(SAMPLE).unwrap();
        overdue(&r, &mut state, at("2026-11-21T00:00:00Z"));
        assert_eq!(FirstSeen::from_json(&state.to_json()).unwrap(), state);
        assert!(
            FirstSeen::from_json("{")
                .unwrap_err()
                .starts_with("not a drydock CVE state file")
        );
    }

    #[test]
    fn bad_reports_are_clear_errors() {
        assert!(
            parse_report("[]")
                .unwrap_err()
                .contains("not a Trivy JSON report")
        );
        assert!(
            parse_report(r#"{"SchemaVersion":1,"ArtifactName":"x"}"#)
                .unwrap_err()
                .contains("schema version 1")
        );
        assert!(
            parse_report(r#"{"SchemaVersion":2}"#)
                .unwrap_err()
                .contains("ArtifactName")
        );
        assert!(
            parse_report(r#"{"SchemaVersion":2,"ArtifactName":"x","CreatedAt":"yesterday"}"#)
                .is_err()
        );
    }
}
