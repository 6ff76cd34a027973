//! `[[policy.waiver]]` at the configuration boundary: checks a waiver's rule id, reason and
//! expiry date and turns it into the [`Waiver`] the finding filter applies
//! (`crate::finding::Filter`, which owns the matching).

use chrono::NaiveDate;

pub use super::WaiverSection;
use crate::finding::Waiver;
use crate::text::{GLOB_HELP, KeyPath, Rejected};

/// The waiver `w` describes, or what is wrong with it; `rule_ids` are the rules it may name.
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
    let invalid = |what: &str, text: &str, e: globset::Error| {
        Rejected::new(
            KeyPath::root().key(what),
            format!("invalid waiver {what} glob {text:?}: {e}"),
            GLOB_HELP,
        )
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

    fn from_section_ids(w: &WaiverSection) -> Result<Waiver, Rejected> {
        let ids: Vec<&str> = crate::catalogue::ids().collect();
        from_section(w, &ids)
    }

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
        let w = from_section_ids(&section("base-image/eol", "2027-01-01")).unwrap();
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
        assert!(from_section_ids(&section("base-image/nope", "2027-01-01")).is_err());
        let mut s = section("base-image/eol", "2027-01-01");
        s.reason = " ".into();
        assert!(from_section_ids(&s).is_err());
        assert!(from_section_ids(&section("base-image/eol", "2027-01-01T10:00:00")).is_err());
        let mut s = section("base-image/eol", "2027-01-01");
        s.path = Some("services/[a".into());
        let e = from_section_ids(&s).unwrap_err();
        assert!(
            e.message.starts_with("invalid waiver path glob"),
            "{}",
            e.message
        );
    }

    #[test]
    fn any_catalogued_rule_can_be_waived() {
        assert!(from_section_ids(&section("drydock/shadowed-file", "2027-01-01")).is_ok());
    }
}
