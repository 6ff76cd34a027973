//! The base-image policy's rule table: every policy rule, its [`finding::Rule`] (id, part of
//! drydock's interface; one-line doc; default severity; fix hint) and where it applies. Rules
//! over a Dockerfile are functions of a [`FileCx`]; `workflow/monitor-missing` and
//! `cve/deadline-exceeded` work on a repository and a scanner report and live in
//! `crate::policy` and `crate::policy::cve`, but are listed here too. [`rules`] gives the
//! catalogue (`crate::catalogue`) this family's rules.

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
use crate::finding::{self, Finding, Severity};

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

/// A policy rule: what every rule has (the [`finding::Rule`] it reports findings as; its fields
/// read through, `rule.id`), plus where it applies.
#[derive(Debug)]
pub struct Rule {
    pub meta: finding::Rule,
    /// Only for production Dockerfiles.
    pub production_only: bool,
    pub scope: Scope,
}

impl std::ops::Deref for Rule {
    type Target = finding::Rule;

    fn deref(&self) -> &finding::Rule {
        &self.meta
    }
}

pub const UNPARSEABLE: Rule = Rule {
    meta: finding::Rule {
        id: "dockerfile/unparseable",
        summary: "The Dockerfile cannot be parsed, so none of the base-image rules can check it.",
        severity: Severity::Error,
        help: "Fix the syntax error at the given line (`docker build --check` shows the same error).",
    },
    production_only: false,
    scope: Scope::Parse,
};

pub const MONITOR_MISSING: Rule = Rule {
    meta: finding::Rule {
        id: "workflow/monitor-missing",
        summary: "A repository with Dockerfiles has no base-image monitor workflow (.github/workflows/modules-docker-base-image-monitor.yml).",
        severity: Severity::Error,
        help: "Run `drydock plan --write` (with a `[workflow]` install source in fleet.toml) to add the monitor workflow.",
    },
    production_only: false,
    scope: Scope::Repository,
};

pub const CVE_DEADLINE: Rule = Rule {
    meta: finding::Rule {
        id: "cve/deadline-exceeded",
        summary: "A fixable CVE in an image is older than its patch deadline (CRITICAL 48 h, HIGH 7 days, MEDIUM 30 days).",
        severity: Severity::Error,
        help: "Rebuild on a patched base image (or update the package) and release.",
    },
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

/// This family's rules, for the catalogue.
pub fn rules() -> impl Iterator<Item = &'static finding::Rule> {
    RULES.iter().map(|r| &r.meta)
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

/// The rules that look at one image reference at a time, and so also apply to compose `image:`.
pub const IMAGE_RULES: &[&str] = &[
    "base-image/forbidden",
    "base-image/untagged",
    "base-image/eol",
    "base-image/not-lts",
    "base-image/unsupported-tag",
    "base-image/outdated",
];

/// The rules whose fix is the one combined fix of the image reference they fire on
/// ([`crate::policy::suggest`]).
const COMBINED_FIX: &[&str] = &[
    "base-image/untagged",
    "base-image/eol",
    "base-image/unsupported-tag",
    "base-image/outdated",
    "base-image/not-slim",
];

/// The combined fix of the image used at `line`: the text and the suggestion as data.
fn combined_fix(cx: &FileCx, line: usize) -> Option<(String, finding::Suggestion)> {
    let production_root = cx
        .final_stage()
        .and_then(|s| cx.root_image(s))
        .map(|(_, l)| l);
    let u = cx.uses.iter().find(|u| u.line == line)?;
    let minimal = cx.production && u.kind == UseKind::From && production_root == Some(line);
    let better = crate::policy::suggest::better(&u.image, cx.facts, cx.today, minimal)?;
    let (from, to) = crate::policy::suggest::as_written(&u.raw, &u.image, &better);
    Some((
        format!("`{from}` → `{to}`"),
        finding::Suggestion { from, to },
    ))
}

/// Runs every Dockerfile rule that applies to the file, in table order, and turns hits into
/// findings (at the rules' default severities) sorted by line. The image rules of one reference
/// share one fix, computed from all of them.
pub fn check_file(cx: &FileCx) -> Vec<Finding> {
    check_rules(cx, |_| true)
}

/// [`check_file`] with only the image rules ([`IMAGE_RULES`]): for compose files.
pub fn check_images(cx: &FileCx) -> Vec<Finding> {
    check_rules(cx, |id| IMAGE_RULES.contains(&id))
}

fn check_rules(cx: &FileCx, wanted: impl Fn(&str) -> bool) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut fixes: std::collections::BTreeMap<usize, Option<(String, finding::Suggestion)>> =
        std::collections::BTreeMap::new();
    for rule in RULES {
        let Scope::Dockerfile(check) = rule.scope else {
            continue;
        };
        if (rule.production_only && !cx.production) || !wanted(rule.id) {
            continue;
        }
        let mut hits = Vec::new();
        check(cx, &mut hits);
        for h in hits {
            let finding = rule.finding(cx.path, h.message).at(h.line, None);
            let finding = if COMBINED_FIX.contains(&rule.id) {
                match fixes
                    .entry(h.line)
                    .or_insert_with(|| combined_fix(cx, h.line))
                {
                    Some((text, suggestion)) => finding
                        .with_fix(text.clone())
                        .with_suggestion(Some(suggestion.clone())),
                    None => finding,
                }
            } else {
                match h.fix {
                    Some(fix) => finding.with_fix(fix),
                    None => finding,
                }
            };
            findings.push(finding);
        }
    }
    findings.sort_by_key(|f| f.line);
    findings
}

#[cfg(test)]
pub(crate) mod testing;
