//! The plan: for one repository, which managed files drydock would create or change, as
//! unified diffs with the reason for each change, plus the findings about them.
//!
//! A managed file (dependabot.yml now; the base-image monitor workflow later) is anything that
//! implements [`ManagedFile`]: where it lives, what it should contain when absent, and how an
//! existing copy is repaired. [`plan_file`] is pure; [`read_repo`] and [`write_changes`] are the
//! disk edges, and they never follow a symlink out of the repository. The plan's findings go
//! through the fleet's [`Filter`] (severity overrides and waivers), as `check`'s do.
//!
//! The plan's own rules (`drydock/*`) are declared here; [`rules`] gives them to the catalogue.

use chrono::NaiveDate;
use serde::Serialize;

use crate::finding::{Filter, Finding, Rule, Severity};

pub const RENDER_FAILED: Rule = Rule {
    id: "drydock/render-failed",
    summary: "A managed file could not be rendered: an organisation template failed (strict mode: a misspelt variable) or the settings it uses are invalid.",
    severity: Severity::Error,
    help: "fix the template or the fleet.toml settings it uses",
};

pub const SHADOWED_FILE: Rule = Rule {
    id: "drydock/shadowed-file",
    summary: "Both `.yml` and `.yaml` of a managed file exist; only the first is read.",
    severity: Severity::Warning,
    help: "merge the second file into the first and delete it",
};

pub const UNUSABLE_FILE: Rule = Rule {
    id: "drydock/unusable-file",
    summary: "The managed path is a symlink (or under one), not a regular file, larger than `[scan] max_file_bytes`, or not UTF-8; drydock neither reads nor writes it.",
    severity: Severity::Error,
    help: "replace it with a regular file inside the repository",
};

/// This family's rules, for the catalogue.
pub fn rules() -> impl Iterator<Item = &'static Rule> {
    [&RENDER_FAILED, &SHADOWED_FILE, &UNUSABLE_FILE].into_iter()
}

/// What a managed file proposes for one repository.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proposal {
    /// The full desired text (unchanged text when there is nothing to do).
    pub text: String,
    /// Why each part of the change is made, one line each.
    pub reasons: Vec<String>,
    pub findings: Vec<Finding>,
}

/// A file drydock manages inside every repository.
pub trait ManagedFile {
    /// The paths the file may already exist at, preferred first; a new file gets the first.
    fn paths(&self) -> &[&str];
    /// The content for a repository that has none; `None` when it needs none.
    fn generate(&self) -> anyhow::Result<Option<Proposal>>;
    /// The repaired content of an existing copy at `path`.
    fn repair(&self, path: &str, existing: &str) -> Proposal;
    /// Findings about the final content (the one the repository will have).
    fn validate(&self, _path: &str, _text: &str) -> Vec<Finding> {
        Vec::new()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
}

/// One file drydock would write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub path: String,
    pub action: Action,
    /// Unified diff, `a/PATH` → `b/PATH` (`/dev/null` for a new file).
    pub diff: String,
    pub reasons: Vec<String>,
    /// The new content (not in JSON output; the diff is).
    #[serde(skip)]
    pub content: String,
}

/// The plan for one repository.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RepoPlan {
    pub name: String,
    pub changes: Vec<Change>,
    /// Managed files that exist and need no change (for the plan summary).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unchanged: Vec<String>,
    pub findings: Vec<Finding>,
    /// Findings a live `[[policy.waiver]]` exempts, each saying until when and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub waived: Vec<Finding>,
    /// Set when the repository could not be planned at all (not cloned, unreadable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<crate::repo::RepoFailure>,
}

/// What a repository holds at one managed file's paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Existing {
    Absent,
    /// The first path that exists, and its content.
    Present {
        path: String,
        text: String,
    },
    /// Exists but cannot be used (a symlink, not UTF-8, unreadable): a finding, no change.
    Unusable(Finding),
}

/// The change (if any) and findings for one managed file. Pure.
pub fn plan_file(file: &dyn ManagedFile, existing: &Existing) -> (Option<Change>, Vec<Finding>) {
    match existing {
        Existing::Unusable(f) => (None, vec![f.clone()]),
        Existing::Absent => {
            let path = file.paths()[0].to_string();
            match file.generate() {
                Ok(None) => (None, Vec::new()),
                Ok(Some(p)) => {
                    let mut findings = p.findings;
                    findings.extend(file.validate(&path, &p.text));
                    let change = Change {
                        diff: unified_diff(&path, None, &p.text),
                        path,
                        action: Action::Create,
                        reasons: p.reasons,
                        content: p.text,
                    };
                    (Some(change), findings)
                }
                Err(e) => (None, vec![RENDER_FAILED.finding(path, format!("{e:#}"))]),
            }
        }
        Existing::Present { path, text } => {
            let p = file.repair(path, text);
            let mut findings = p.findings;
            findings.extend(file.validate(path, &p.text));
            if p.text == *text {
                return (None, findings);
            }
            let change = Change {
                diff: unified_diff(path, Some(text), &p.text),
                path: path.clone(),
                action: Action::Update,
                reasons: p.reasons,
                content: p.text,
            };
            (Some(change), findings)
        }
    }
}

/// Plans every managed file of a repository; `read` is the disk edge (the caller reads through
/// `crate::fs`, which refuses symlinks, special files and files over the cap). Its findings go
/// through `filter` as of `today` (waivers expire).
pub fn plan_repo(
    name: &str,
    read: &dyn Fn(&str) -> Found,
    files: &[&dyn ManagedFile],
    filter: &Filter,
    today: NaiveDate,
) -> RepoPlan {
    let mut plan = RepoPlan {
        name: name.to_string(),
        ..RepoPlan::default()
    };
    let mut findings = Vec::new();
    for file in files {
        let existing = read_repo(read, file.paths());
        if let Existing::Present { path, .. } = &existing {
            for other in file.paths().iter().filter(|p| *p != path) {
                if !matches!(read(other), Found::Absent) {
                    findings.push(
                        SHADOWED_FILE
                            .finding(
                                *other,
                                format!("both {path} and {other} exist; only {path} is read"),
                            )
                            .with_fix(format!("merge {other} into {path} and delete it")),
                    );
                }
            }
        }
        let (change, file_findings) = plan_file(*file, &existing);
        if let (None, Existing::Present { path, .. }) = (&change, &existing) {
            plan.unchanged.push(path.clone());
        }
        plan.changes.extend(change);
        findings.extend(file_findings);
    }
    let filtered = filter.apply(name, findings, today);
    plan.findings = filtered.kept;
    plan.waived = filtered.waived;
    plan
}

/// A unified diff of `old` (None: a new file) to `new`.
pub fn unified_diff(path: &str, old: Option<&str>, new: &str) -> String {
    let before = old.unwrap_or("");
    let diff = similar::TextDiff::from_lines(before, new);
    let from = if old.is_some() {
        format!("a/{path}")
    } else {
        "/dev/null".to_string()
    };
    diff.unified_diff()
        .context_radius(3)
        .header(&from, &format!("b/{path}"))
        .to_string()
}

/// What the disk edge found at one repository-relative path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Absent,
    Bytes(Vec<u8>),
    /// There, but not to be read: why, and what to do when the rule's help does not say it.
    Unusable {
        message: String,
        fix: Option<String>,
    },
}

/// The first of `paths` that `read` finds.
pub fn read_repo(read: &dyn Fn(&str) -> Found, paths: &[&str]) -> Existing {
    for rel in paths {
        return match read(rel) {
            Found::Absent => continue,
            Found::Bytes(bytes) => match String::from_utf8(bytes) {
                Ok(text) => Existing::Present {
                    path: rel.to_string(),
                    text,
                },
                Err(_) => Existing::Unusable(unusable(rel, "the file is not UTF-8 text".into())),
            },
            Found::Unusable { message, fix } => {
                let finding = unusable(rel, message);
                Existing::Unusable(match fix {
                    Some(fix) => finding.with_fix(fix),
                    None => finding,
                })
            }
        };
    }
    Existing::Absent
}

fn unusable(path: &str, message: String) -> Finding {
    UNUSABLE_FILE.finding(path, message)
}

#[cfg(test)]
mod tests;
