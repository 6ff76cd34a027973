//! The rule table: every rule drydock checks, with its id (part of drydock's interface), a
//! one-line doc, its default severity and a fix hint. Rules over a Dockerfile are functions of a
//! [`FileCx`]; `workflow/monitor-missing` and `cve/deadline-exceeded` work on a repository and a
//! scanner report and live in `crate::policy::cve` and `check`, but are listed here too.

mod build_tools_in_final;
mod eol;
mod forbidden;
mod not_lts;
mod not_slim;
mod outdated;
mod restricted_final;
mod runtime;
mod single_stage;
mod unresolved;
mod unsupported_tag;
mod untagged;

use chrono::NaiveDate;

use super::{Category, Facts, Policy};
use crate::docker::{Base, Dockerfile, ImageRef, ImageUse, Stage, UseKind};
use crate::finding::{Finding, Severity};

/// What a rule looks at.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// One parsed Dockerfile.
    Dockerfile(fn(&FileCx, &mut Vec<Hit>)),
    /// A whole repository (file presence).
    Repository,
    /// A scanner report (Trivy JSON).
    Report,
    /// A file drydock could not read as a Dockerfile.
    Parse,
}

#[derive(Debug)]
pub struct Rule {
    pub id: &'static str,
    /// One line: what the rule checks, in the policy's terms.
    pub summary: &'static str,
    pub severity: Severity,
    /// What to do, in general; findings carry a concrete fix where one is known.
    pub help: &'static str,
    /// Only for production Dockerfiles.
    pub production_only: bool,
    pub scope: Scope,
}

pub const UNPARSEABLE: Rule = Rule {
    id: "dockerfile/unparseable",
    summary: "The Dockerfile cannot be parsed, so none of the base-image rules can check it.",
    severity: Severity::Error,
    help: "Fix the syntax error at the given line (`docker build --check` shows the same error).",
    production_only: false,
    scope: Scope::Parse,
};

pub const MONITOR_MISSING: Rule = Rule {
    id: "workflow/monitor-missing",
    summary: "A repository with Dockerfiles has no base-image monitor workflow (.github/workflows/modules-docker-base-image-monitor.yml).",
    severity: Severity::Error,
    help: "Run `drydock apply` (or `drydock plan` to preview) to add the monitor workflow.",
    production_only: false,
    scope: Scope::Repository,
};

pub const CVE_DEADLINE: Rule = Rule {
    id: "cve/deadline-exceeded",
    summary: "A fixable CVE in an image is older than its patch deadline (CRITICAL 48 h, HIGH 7 days, MEDIUM 30 days).",
    severity: Severity::Error,
    help: "Rebuild on a patched base image (or update the package) and release.",
    production_only: false,
    scope: Scope::Report,
};

/// Every rule, in the order findings of one line are reported.
pub static RULES: &[&Rule] = &[
    &UNPARSEABLE,
    &unresolved::RULE,
    &forbidden::RULE,
    &untagged::RULE,
    &eol::RULE,
    &not_lts::RULE,
    &unsupported_tag::RULE,
    &outdated::RULE,
    &not_slim::RULE,
    &single_stage::RULE,
    &restricted_final::RULE,
    &build_tools_in_final::RULE,
    &MONITOR_MISSING,
    &CVE_DEADLINE,
];

pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.id == id)
}

/// One thing a rule found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub line: usize,
    pub message: String,
    pub fix: Option<String>,
}

/// Everything a Dockerfile rule may look at.
pub struct FileCx<'a> {
    pub path: &'a str,
    pub dockerfile: &'a Dockerfile,
    pub production: bool,
    /// External images the file pulls (FROM, COPY --from, RUN --mount from).
    pub uses: &'a [ImageUse],
    pub policy: &'a Policy,
    pub facts: &'a Facts,
    pub today: NaiveDate,
}

impl FileCx<'_> {
    pub fn final_stage(&self) -> Option<&Stage> {
        self.dockerfile.stages.last()
    }

    /// The external image a stage ultimately starts from, following `FROM <earlier stage>`,
    /// with the line of the `FROM` that names it.
    pub fn root_image<'s>(&'s self, stage: &'s Stage) -> Option<(&'s ImageRef, usize)> {
        let mut current = stage;
        for _ in 0..=self.dockerfile.stages.len() {
            match &current.from.base {
                Base::Image(img) => return Some((img, current.line)),
                Base::Stage(i) => current = self.dockerfile.stages.get(*i)?,
                Base::Scratch | Base::Unresolved { .. } => return None,
            }
        }
        None
    }

    pub fn category(&self, image: &ImageRef) -> Category {
        self.policy.category(image, self.facts)
    }

    /// Uses with the stage's `FROM` first, so findings come in file order.
    pub fn uses(&self) -> impl Iterator<Item = &ImageUse> {
        self.uses.iter()
    }
}

/// How a use is described in messages.
pub fn how(kind: UseKind) -> &'static str {
    match kind {
        UseKind::From => "FROM",
        UseKind::CopyFrom => "COPY --from",
        UseKind::MountFrom => "RUN --mount from",
    }
}

/// Runs every Dockerfile rule the policy has on, in table order, and turns hits into findings
/// sorted by line.
pub fn check_file(cx: &FileCx) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in RULES {
        let Scope::Dockerfile(check) = rule.scope else {
            continue;
        };
        if rule.production_only && !cx.production {
            continue;
        }
        let Some(severity) = cx.policy.severity(rule) else {
            continue;
        };
        let mut hits = Vec::new();
        check(cx, &mut hits);
        findings.extend(hits.into_iter().map(|h| Finding {
            rule: rule.id.to_string(),
            severity,
            path: cx.path.to_string(),
            line: Some(h.line),
            column: None,
            message: h.message,
            fix: h.fix.or_else(|| Some(rule.help.to_string())),
        }));
    }
    findings.sort_by_key(|f| f.line);
    findings
}

#[cfg(test)]
pub(crate) mod testing;

#[cfg(test)]
mod table_tests {
    use super::RULES;

    #[test]
    fn ids_are_unique_and_documented() {
        let docs = include_str!("../../../docs/rules.md");
        let mut seen = std::collections::BTreeSet::new();
        for r in RULES {
            assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
            assert!(
                docs.contains(&format!("| `{}` |", r.id)),
                "docs/rules.md does not list {}",
                r.id
            );
            assert!(!r.summary.is_empty() && !r.help.is_empty());
        }
    }
}
