//! `[[policy.waiver]]` at the configuration boundary: checks a waiver's rule id, reason and
//! expiry date and turns it into the [`Waiver`] the finding filter applies
//! (`crate::finding::Filter`, which owns the matching).

use chrono::NaiveDate;

use super::PolicyError;
use crate::finding::Waiver;
pub use crate::inventory::WaiverSection;

/// The waiver `w` describes, or what is wrong with it.
pub fn from_section(w: &WaiverSection) -> Result<Waiver, PolicyError> {
    if crate::catalogue::find(&w.rule).is_none() {
        return Err(PolicyError {
            message: format!("waiver names unknown rule {:?}", w.rule),
            near: w.rule.clone(),
            help: Some(super::unknown_rule_help(&w.rule)),
        });
    }
    if w.reason.trim().is_empty() {
        return Err(PolicyError {
            message: format!("the waiver for {:?} has an empty reason", w.rule),
            near: w.rule.clone(),
            help: Some("say why the exemption is acceptable, e.g. a ticket number".into()),
        });
    }
    let expires = match (w.expires.date, w.expires.time) {
        (Some(d), None) => NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into()),
        _ => None,
    }
    .ok_or_else(|| PolicyError {
        message: format!("waiver expiry {} is not a date", w.expires),
        near: w.expires.to_string(),
        help: Some("write a TOML date without quotes: expires = 2027-03-31".into()),
    })?;
    let invalid = |what: &str, text: &str, e: globset::Error| PolicyError {
        message: format!("invalid waiver {what} glob {text:?}: {e}"),
        near: text.to_string(),
        help: None,
    };
    let mut waiver = Waiver::new(w.rule.clone(), w.reason.clone(), expires);
    if let Some(repo) = &w.repo {
        waiver = waiver
            .in_repos(repo)
            .map_err(|e| invalid("repo", repo, e))?;
    }
    if let Some(path) = &w.path {
        waiver = waiver
            .at_paths(path)
            .map_err(|e| invalid("path", path, e))?;
    }
    Ok(waiver)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(rule: &str, expires: &str) -> WaiverSection {
        WaiverSection {
            repo: Some("acme/*".into()),
            path: Some("services/*/Dockerfile".into()),
            rule: rule.into(),
            reason: "JIRA-12 migration in Q1".into(),
            expires: expires.parse().unwrap(),
        }
    }

    #[test]
    fn a_valid_section_becomes_a_scoped_waiver() {
        let w = from_section(&section("base-image/eol", "2027-01-01")).unwrap();
        assert_eq!(
            (w.rule.as_str(), w.reason.as_str(), w.expires.to_string()),
            (
                "base-image/eol",
                "JIRA-12 migration in Q1",
                "2027-01-01".into()
            )
        );
        let f = crate::policy::rules::find("base-image/eol")
            .unwrap()
            .finding("services/a/Dockerfile", "eol");
        assert!(w.covers("acme/api", &f));
        assert!(!w.covers("other/api", &f));
    }

    #[test]
    fn bad_waivers_are_refused() {
        assert!(from_section(&section("base-image/nope", "2027-01-01")).is_err());
        let mut s = section("base-image/eol", "2027-01-01");
        s.reason = " ".into();
        assert!(from_section(&s).is_err());
        assert!(from_section(&section("base-image/eol", "2027-01-01T10:00:00")).is_err());
        let mut s = section("base-image/eol", "2027-01-01");
        s.path = Some("services/[a".into());
        let e = from_section(&s).unwrap_err();
        assert!(
            e.message.starts_with("invalid waiver path glob"),
            "{}",
            e.message
        );
    }

    #[test]
    fn any_catalogued_rule_can_be_waived() {
        assert!(from_section(&section("drydock/shadowed-file", "2027-01-01")).is_ok());
    }
}
