//! Findings: what every check (dependabot validation, base-image policy, workflow presence)
//! reports, in one shape that every output format renders; the [`Rule`] each finding is built
//! from; and the [`Filter`] that applies the fleet's severity overrides and waivers to them.
//!
//! A leaf: it imports nothing from the rest of the crate.

mod filter;

use serde::Serialize;

pub use filter::{Filter, Filtered, Waiver};

/// How bad a finding is. Errors fail `drydock check` (exit status 1).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem, located in a file of a repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable rule id, e.g. `base-image/untagged`; part of drydock's interface.
    pub rule: String,
    pub severity: Severity,
    /// Path relative to the repository root, `/`-separated.
    pub path: String,
    /// 1-based line, when the finding has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    pub message: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// The replacement the fix proposes, as data: the reference as written and what to write
    /// instead (for the monitor workflow, a PR body).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<Suggestion>,
}

/// A proposed replacement of one value in a file: `golang:1.16-buster` → `golang:1.26-trixie`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub from: String,
    pub to: String,
}

/// A rule's identity and documentation: what every finding is built from. Each family of checks
/// (base-image policy, dependabot validation, plan/repair, workflow, `drydock/*`) declares its
/// rules as `Rule` constants in the file that implements them; `crate::catalogue` gathers every
/// family into the one list that configuration, docs and SARIF read.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable id, `family/name`; part of drydock's interface.
    pub id: &'static str,
    /// One line: what the rule checks.
    pub summary: &'static str,
    /// The severity before `[policy.severity]` remaps it.
    pub severity: Severity,
    /// What to do, in general; a finding carries a concrete fix where one is known.
    pub help: &'static str,
}

impl Rule {
    /// A finding of this rule in `path`, at its default severity, with the rule's general fix
    /// hint (replace it with [`Finding::with_fix`] where a concrete one is known).
    pub fn finding(&self, path: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding {
            rule: self.id.to_string(),
            severity: self.severity,
            path: path.into(),
            line: None,
            column: None,
            message: message.into(),
            fix: Some(self.help.to_string()),
            suggestion: None,
        }
    }
}

impl Finding {
    /// At a 1-based line (and column, when known).
    pub fn at(mut self, line: usize, column: Option<usize>) -> Self {
        self.line = Some(line);
        self.column = column;
        self
    }

    /// With a concrete fix hint in place of the rule's general one.
    pub fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    /// With a proposed replacement, as data beside the fix text.
    pub fn with_suggestion(mut self, suggestion: Option<Suggestion>) -> Self {
        self.suggestion = suggestion;
        self
    }

    /// With no fix hint at all.
    pub fn without_fix(mut self) -> Self {
        self.fix = None;
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}
