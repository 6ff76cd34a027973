//! The one place findings meet the fleet's judgement: `[policy.severity]` remaps a rule's
//! severity or switches it off, and `[[policy.waiver]]` exempts findings of one rule in matching
//! repositories and paths, with a reason, until an expiry date. `check` and `plan` both run their
//! findings through a [`Filter`]; the checks themselves report every finding at its rule's
//! default severity.
//!
//! An expired waiver stops exempting, and the finding it covered says so, so the owners see both
//! the finding and the stale exemption.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use globset::{GlobBuilder, GlobMatcher};

use super::{Finding, Rule, Severity};

/// An exemption from one rule. Built from `[[policy.waiver]]` once the configuration has checked
/// the rule id, the reason and the date.
#[derive(Debug, Clone)]
pub struct Waiver {
    pub rule: String,
    pub reason: String,
    /// The last day the waiver exempts (inclusive).
    pub expires: NaiveDate,
    /// Repository glob (`acme/*`, case-insensitive); `None` = every repository.
    repo: Option<GlobMatcher>,
    /// Path glob (`*` stops at `/`); `None` = every file.
    path: Option<GlobMatcher>,
}

impl Waiver {
    /// A waiver of `rule` in every repository and file.
    pub fn new(rule: impl Into<String>, reason: impl Into<String>, expires: NaiveDate) -> Waiver {
        Waiver {
            rule: rule.into(),
            reason: reason.into(),
            expires,
            repo: None,
            path: None,
        }
    }

    /// Only in repositories matching `glob` (`owner/repo`, case-insensitive like GitHub's names).
    pub fn in_repos(mut self, glob: &str) -> Result<Waiver, globset::Error> {
        let glob = GlobBuilder::new(glob).case_insensitive(true).build()?;
        self.repo = Some(glob.compile_matcher());
        Ok(self)
    }

    /// Only for files matching `glob` (repository-relative; `*` does not cross `/`).
    pub fn at_paths(mut self, glob: &str) -> Result<Waiver, globset::Error> {
        let glob = GlobBuilder::new(glob).literal_separator(true).build()?;
        self.path = Some(glob.compile_matcher());
        Ok(self)
    }

    /// Whether this waiver is about `finding` in `repo`, expired or not.
    pub fn covers(&self, repo: &str, finding: &Finding) -> bool {
        self.rule == finding.rule
            && self.repo.as_ref().is_none_or(|g| g.is_match(repo))
            && self.path.as_ref().is_none_or(|g| g.is_match(&finding.path))
    }
}

/// Severity overrides and waivers, applied to the findings of one repository at a time.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Rule id → its severity under the policy; `None` switches the rule off.
    severities: BTreeMap<String, Option<Severity>>,
    waivers: Vec<Waiver>,
}

/// What a [`Filter`] made of one repository's findings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filtered {
    /// The findings that stand, at their remapped severity.
    pub kept: Vec<Finding>,
    /// The findings a live waiver exempts, each saying until when and why.
    pub waived: Vec<Finding>,
}

impl Filter {
    /// `severities` maps a rule id to its new severity, or to `None` for "off".
    pub fn new(severities: BTreeMap<String, Option<Severity>>, waivers: Vec<Waiver>) -> Filter {
        Filter {
            severities,
            waivers,
        }
    }

    /// The severity findings of `rule` are reported at; `None` when the rule is off.
    pub fn severity(&self, rule: &Rule) -> Option<Severity> {
        self.severities
            .get(rule.id)
            .copied()
            .unwrap_or(Some(rule.severity))
    }

    pub fn waivers(&self) -> &[Waiver] {
        &self.waivers
    }

    /// Remaps severities (dropping findings of rules that are off), then splits the rest into
    /// those that stand and those a live waiver exempts. A finding that only an expired waiver
    /// covers stands, with a note saying the waiver expired. Order is kept.
    pub fn apply(&self, repo: &str, findings: Vec<Finding>, today: NaiveDate) -> Filtered {
        let mut out = Filtered::default();
        for mut f in findings {
            match self.severities.get(&f.rule) {
                Some(None) => continue,
                Some(Some(severity)) => f.severity = *severity,
                None => {}
            }
            let matching: Vec<&Waiver> =
                self.waivers.iter().filter(|w| w.covers(repo, &f)).collect();
            if let Some(live) = matching.iter().find(|w| w.expires >= today) {
                f.message = format!(
                    "{} (waived until {}: {})",
                    f.message, live.expires, live.reason
                );
                out.waived.push(f);
            } else if let Some(expired) = matching.iter().max_by_key(|w| w.expires) {
                f.message = format!(
                    "{} (a waiver for this expired on {}: {}; renew it in fleet.toml or fix the finding)",
                    f.message, expired.expires, expired.reason
                );
                out.kept.push(f);
            } else {
                out.kept.push(f);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EOL: Rule = Rule {
        id: "base-image/eol",
        summary: "past end of life",
        severity: Severity::Error,
        help: "upgrade",
    };

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    fn waiver(expires: &str) -> Waiver {
        Waiver::new(EOL.id, "JIRA-12 migration in Q1", expires.parse().unwrap())
            .in_repos("acme/*")
            .unwrap()
            .at_paths("services/*/Dockerfile")
            .unwrap()
    }

    fn finding(path: &str) -> Finding {
        EOL.finding(path, "python 3.8 reached end of life")
            .at(1, None)
    }

    fn filter(waivers: Vec<Waiver>) -> Filter {
        Filter::new(BTreeMap::new(), waivers)
    }

    #[test]
    fn live_waiver_exempts_and_expired_one_says_so() {
        let live = filter(vec![waiver("2026-12-31")]);
        let out = live.apply("acme/api", vec![finding("services/a/Dockerfile")], today());
        assert!(out.kept.is_empty());
        assert_eq!(
            out.waived[0].message,
            "python 3.8 reached end of life (waived until 2026-12-31: JIRA-12 migration in Q1)"
        );

        let expired = filter(vec![waiver("2026-11-26")]);
        let out = expired.apply("acme/api", vec![finding("services/a/Dockerfile")], today());
        assert!(out.waived.is_empty());
        assert_eq!(
            out.kept[0].message,
            "python 3.8 reached end of life (a waiver for this expired on 2026-11-26: JIRA-12 migration in Q1; renew it in fleet.toml or fix the finding)"
        );
    }

    #[test]
    fn waiver_is_scoped_to_repo_path_and_rule() {
        let f = filter(vec![waiver("2027-01-01")]);
        let kept = |repo: &str, finding: Finding| f.apply(repo, vec![finding], today()).kept;
        assert_eq!(kept("other/api", finding("services/a/Dockerfile")).len(), 1);
        assert_eq!(kept("acme/api", finding("Dockerfile")).len(), 1);
        assert_eq!(
            kept("acme/api", finding("services/a/b/Dockerfile")).len(),
            1
        );
        assert!(kept("ACME/api", finding("services/a/Dockerfile")).is_empty());
        let mut other_rule = finding("services/a/Dockerfile");
        other_rule.rule = "base-image/untagged".into();
        assert_eq!(kept("acme/api", other_rule).len(), 1);
    }

    #[test]
    fn severities_remap_or_switch_off_before_waivers() {
        let severities = BTreeMap::from([
            (EOL.id.to_string(), Some(Severity::Note)),
            ("base-image/untagged".to_string(), None),
        ]);
        let f = Filter::new(severities, vec![waiver("2027-01-01")]);
        assert_eq!(f.severity(&EOL), Some(Severity::Note));
        let mut untagged = finding("Dockerfile");
        untagged.rule = "base-image/untagged".into();
        let out = f.apply(
            "acme/api",
            vec![
                untagged,
                finding("Dockerfile"),
                finding("services/a/Dockerfile"),
            ],
            today(),
        );
        assert_eq!(out.kept.len(), 1);
        assert_eq!(out.kept[0].severity, Severity::Note);
        assert_eq!(out.waived.len(), 1);
        assert_eq!(out.waived[0].severity, Severity::Note);
    }

    #[test]
    fn an_empty_filter_keeps_everything_as_it_is() {
        let findings = vec![finding("Dockerfile")];
        let out = Filter::default().apply("acme/api", findings.clone(), today());
        assert_eq!(out.kept, findings);
        assert_eq!(Filter::default().severity(&EOL), Some(Severity::Error));
    }
}
