//! `[[policy.waiver]]`: exempts findings of one rule in matching repositories and paths, with a
//! reason, until an expiry date. An expired waiver stops exempting and the finding says so.

use chrono::NaiveDate;
use globset::{GlobBuilder, GlobMatcher};

pub use super::WaiverSection;
use crate::finding::Finding;
use crate::text::{KeyPath, Rejected};

#[derive(Debug, Clone)]
pub struct Waiver {
    /// Repository glob (`acme/*`); `None` = every repository.
    pub repo: Option<GlobMatcher>,
    /// Path glob; `None` = every file.
    pub path: Option<GlobMatcher>,
    pub rule: String,
    pub reason: String,
    pub expires: NaiveDate,
}

fn matcher(text: &str, what: &str) -> Result<GlobMatcher, Rejected> {
    GlobBuilder::new(text)
        .literal_separator(what == "path")
        .case_insensitive(what == "repo")
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| {
            Rejected::new(
                KeyPath::root().key(what),
                format!("invalid waiver {what} glob {text:?}: {e}"),
                crate::text::GLOB_HELP,
            )
        })
}

impl Waiver {
    /// Validates one `[[policy.waiver]]`; `rule_ids` are the rules it may name.
    pub fn from_section(w: &WaiverSection, rule_ids: &[&str]) -> Result<Waiver, Rejected> {
        if !rule_ids.contains(&w.rule.as_str()) {
            return Err(Rejected::new(
                KeyPath::root().key("rule"),
                format!("waiver names unknown rule {:?}", w.rule),
                super::unknown_rule_help(&w.rule, rule_ids),
            ));
        }
        if w.reason.trim().is_empty() {
            return Err(Rejected::new(
                KeyPath::root().key("reason"),
                format!("the waiver for {:?} has an empty reason", w.rule),
                "say why the exemption is acceptable, e.g. a ticket number",
            ));
        }
        let expires = match (w.expires.date, w.expires.time) {
            (Some(d), None) => NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into()),
            _ => None,
        }
        .ok_or_else(|| {
            Rejected::new(
                KeyPath::root().key("expires"),
                format!("waiver expiry {} is not a date", w.expires),
                "write a TOML date without quotes: expires = 2027-03-31",
            )
        })?;
        Ok(Waiver {
            repo: w.repo.as_deref().map(|r| matcher(r, "repo")).transpose()?,
            path: w.path.as_deref().map(|p| matcher(p, "path")).transpose()?,
            rule: w.rule.clone(),
            reason: w.reason.clone(),
            expires,
        })
    }

    pub fn covers(&self, repo: &str, finding: &Finding) -> bool {
        self.rule == finding.rule
            && self.repo.as_ref().is_none_or(|g| g.is_match(repo))
            && self.path.as_ref().is_none_or(|g| g.is_match(&finding.path))
    }
}

/// Splits findings into those that stand and those a live waiver exempts. A finding that only an
/// expired waiver covers stands, with a note saying the waiver expired.
pub fn apply(
    waivers: &[Waiver],
    repo: &str,
    findings: Vec<Finding>,
    today: NaiveDate,
) -> (Vec<Finding>, Vec<Finding>) {
    let mut kept = Vec::new();
    let mut waived = Vec::new();
    for mut f in findings {
        let matching: Vec<&Waiver> = waivers.iter().filter(|w| w.covers(repo, &f)).collect();
        if let Some(live) = matching.iter().find(|w| w.expires >= today) {
            f.message = format!(
                "{} (waived until {}: {})",
                f.message, live.expires, live.reason
            );
            waived.push(f);
        } else if let Some(expired) = matching.iter().max_by_key(|w| w.expires) {
            f.message = format!(
                "{} (a waiver for this expired on {}: {}; renew it in fleet.toml or fix the finding)",
                f.message, expired.expires, expired.reason
            );
            kept.push(f);
        } else {
            kept.push(f);
        }
    }
    (kept, waived)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    const IDS: &[&str] = &["base-image/eol", "base-image/untagged"];

    fn section(rule: &str, expires: &str) -> WaiverSection {
        WaiverSection {
            repo: Some("acme/*".into()),
            path: Some("services/*/Dockerfile".into()),
            rule: rule.into(),
            reason: "JIRA-12 migration in Q1".into(),
            expires: expires.parse().unwrap(),
        }
    }

    fn finding(path: &str) -> Finding {
        Finding {
            rule: "base-image/eol".into(),
            severity: Severity::Error,
            path: path.into(),
            line: Some(1),
            column: None,
            message: "python 3.8 reached end of life".into(),
            fix: None,
        }
    }

    #[test]
    fn live_waiver_exempts_and_expired_one_says_so() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let live = [Waiver::from_section(&section("base-image/eol", "2026-12-31"), IDS).unwrap()];
        let (kept, waived) = apply(
            &live,
            "acme/api",
            vec![finding("services/a/Dockerfile")],
            today,
        );
        assert!(kept.is_empty());
        assert_eq!(waived.len(), 1);

        let expired =
            [Waiver::from_section(&section("base-image/eol", "2026-11-26"), IDS).unwrap()];
        let (kept, waived) = apply(
            &expired,
            "acme/api",
            vec![finding("services/a/Dockerfile")],
            today,
        );
        assert!(waived.is_empty());
        assert!(
            kept[0].message.contains("expired on 2026-11-26"),
            "{}",
            kept[0].message
        );
    }

    #[test]
    fn waiver_is_scoped_to_repo_path_and_rule() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let w = [Waiver::from_section(&section("base-image/eol", "2027-01-01"), IDS).unwrap()];
        let (kept, _) = apply(
            &w,
            "other/api",
            vec![finding("services/a/Dockerfile")],
            today,
        );
        assert_eq!(kept.len(), 1);
        let (kept, _) = apply(&w, "acme/api", vec![finding("Dockerfile")], today);
        assert_eq!(kept.len(), 1);
        let mut f = finding("services/a/Dockerfile");
        f.rule = "base-image/untagged".into();
        let (kept, _) = apply(&w, "acme/api", vec![f], today);
        assert_eq!(kept.len(), 1);
    }

    #[test]
    fn bad_waivers_are_refused() {
        assert!(Waiver::from_section(&section("base-image/nope", "2027-01-01"), IDS).is_err());
        let mut s = section("base-image/eol", "2027-01-01");
        s.reason = " ".into();
        assert!(Waiver::from_section(&s, IDS).is_err());
        assert!(
            Waiver::from_section(&section("base-image/eol", "2027-01-01T10:00:00"), IDS).is_err()
        );
    }
}
