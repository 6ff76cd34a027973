//! Validation of `.github/dependabot.yml`: the rules GitHub enforces on its servers that no JSON
//! schema checks (`dependabot.md` §3), the shape of every key with a did-you-mean for the usual
//! mistakes, and the fleet policy (docker coverage, ecosystems present but not configured).
//!
//! Every rule is one entry of [`RULES`]: id, severity, one-line doc, fix hint and its check.
//! Checks read a located YAML tree ([`yaml`]), so every finding has a line.
//!
//! GitHub reads the file with Ruby's Psych: libyaml syntax and YAML 1.1 types. The tree is typed
//! the YAML 1.2 way (`yes` is a string, like serde-saphyr's `strict_booleans`), and the rules
//! report where the two readings differ and it matters: an unquoted `time: 09:00` is an integer
//! to GitHub, a tab before a comment is a syntax error to libyaml, a second document is ignored.

mod checks;
mod dirs;
mod facts;
pub(crate) mod schema;
mod yaml;

use crate::detect::RepoScan;
use crate::finding::{Finding, Severity};
use yaml::Node;

/// One validation rule.
pub struct Rule {
    /// Stable id, `dependabot/<name>`.
    pub id: &'static str,
    pub severity: Severity,
    /// What the rule checks, in one line.
    pub doc: &'static str,
    /// What to do about a finding, when the finding has no more specific advice.
    pub fix: &'static str,
    check: fn(&Doc, &mut Out),
}

use Severity::{Error, Warning};

macro_rules! rules {
    ($($name:literal, $severity:expr, $check:path, $doc:literal, $fix:literal;)*) => {
        /// Every rule, in the order they run.
        pub static RULES: &[Rule] = &[$(Rule {
            id: concat!("dependabot/", $name),
            severity: $severity,
            doc: $doc,
            fix: $fix,
            check: $check,
        },)*];
    };
}

rules! {
    "invalid-yaml", Error, checks::none,
        "The file is not valid YAML (nothing else is checked then).",
        "Fix the YAML syntax at the given line and column (indent with spaces, not tabs).";
    "yaml-alias", Error, checks::yaml_alias,
        "YAML anchors and aliases: GitHub rejects aliases (\"YAML aliases are not supported\").",
        "Write the values out in full (drydock can generate the expanded file).";
    "tab-whitespace", Error, checks::tab_whitespace,
        "A tab in a line's indentation, even before a comment: libyaml (GitHub's Ruby reader) rejects it, though YAML 1.2 allows it.",
        "Replace the tab with spaces.";
    "multiple-documents", Error, checks::multiple_documents,
        "The file holds more than one YAML document; GitHub reads the first and ignores the rest.",
        "Merge the documents into one (delete the `---` line).";
    "duplicate-key", Error, checks::duplicate_key,
        "A key appears twice in one mapping, so one of the two blocks is silently lost.",
        "Merge the two blocks into one key.";
    "version", Error, checks::version,
        "`version: 2` is required at the top level.",
        "Add `version: 2` as the first line.";
    "unknown-key", Error, checks::unknown_key,
        "A key GitHub does not know, at any level (GitHub rejects additional properties).",
        "Remove the key or correct its spelling.";
    "removed-key", Error, checks::removed_key,
        "`reviewers` was removed by GitHub in favour of CODEOWNERS.",
        "Move the reviewers to .github/CODEOWNERS and delete the key.";
    "schema-only-key", Warning, checks::schema_only_key,
        "`name` exists only in SchemaStore's schema, not in GitHub's documentation.",
        "Remove the key (use a comment to name the entry).";
    "missing-key", Error, checks::missing_key,
        "A required key is missing (updates, package-ecosystem, schedule, interval, patterns, registry type/url).",
        "Add the key.";
    "yaml11-type", Error, checks::yaml11_type,
        "An unquoted value GitHub's YAML 1.1 reader takes for a number, boolean or date where a string is expected (`time: 09:00` is the integer 540).",
        "Quote the value.";
    "invalid-value", Error, checks::invalid_value,
        "A value has the wrong type or is not one of the allowed values.",
        "Change the value to the expected type.";
    "unknown-ecosystem", Error, checks::unknown_ecosystem,
        "`package-ecosystem` is not one of the 33 values GitHub accepts.",
        "Use one of the package-ecosystem values listed in GitHub's options reference.";
    "directory-or-directories", Error, checks::directory_or_directories,
        "Each entry has exactly one of `directory` and `directories`.",
        "Keep one of `directory` and `directories` (put several paths in `directories`).";
    "glob-in-directory", Error, checks::glob_in_directory,
        "`directory` must not contain a glob pattern.",
        "Use `directories:` for glob patterns.";
    "duplicate-update", Error, checks::duplicate_update,
        "Two entries with the same package-ecosystem, directories and target-branch.",
        "Merge the two entries into one (use `groups` or `cooldown` for different handling of dependency sets).";
    "overlapping-directories", Error, checks::overlapping_directories,
        "Directories of two entries with the same ecosystem and target-branch overlap (globs included).",
        "Make the directory sets disjoint, or merge the entries.";
    "too-many-updates", Error, checks::too_many_updates,
        "`updates` has more than 200 entries.",
        "Combine entries with `directories` globs (one entry per ecosystem).";
    "unused-registry", Error, checks::unused_registry,
        "A top-level registry that no update entry references (GitHub rejects it).",
        "Reference the registry from an update entry's `registries`, or delete it.";
    "undefined-registry", Error, checks::undefined_registry,
        "An update entry references a registry that is not defined at the top level.",
        "Define the registry under the top-level `registries:` or remove the reference.";
    "duplicate-ignore", Error, checks::duplicate_ignore,
        "Two ignore rules of one entry with the same dependency-name and versions.",
        "Merge the two ignore rules (combine their update-types).";
    "cooldown-semver", Error, checks::cooldown_semver,
        "`cooldown.semver-*-days` on an ecosystem without SemVer cooldown support.",
        "Use `cooldown.default-days` only for this ecosystem.";
    "group-only-key", Error, checks::group_only_key,
        "A key that belongs to the multi-ecosystem group is set on a member entry.",
        "Move the key to the group under `multi-ecosystem-groups`.";
    "undefined-group", Error, checks::undefined_group,
        "`multi-ecosystem-group` names a group that `multi-ecosystem-groups` does not define.",
        "Define the group under `multi-ecosystem-groups` or fix the name.";
    "cronjob", Error, checks::cronjob,
        "`cronjob` is set exactly when `interval: cron`, and looks like a 5-field cron or a phrase.",
        "Use `interval: cron` with a `cronjob` such as \"0 6 * * 1\".";
    "cronjob-timezone", Error, checks::cronjob_timezone,
        "`cronjob` must not contain a timezone (\"Cronjob expression must not include a timezone\").",
        "Remove the timezone from `cronjob` and set `schedule.timezone` instead.";
    "time-format", Error, checks::time_format,
        "`schedule.time` is `hh:mm` with two-digit hours 00-23 and minutes 00-59.",
        "Write the time as a quoted \"hh:mm\", e.g. \"06:00\".";
    "unknown-timezone", Error, checks::unknown_timezone,
        "`schedule.timezone` is not an IANA time zone name GitHub knows.",
        "Use an IANA name such as \"Europe/Berlin\" or \"UTC\".";
    "day-without-weekly", Warning, checks::day_without_weekly,
        "`schedule.day` only applies to `interval: weekly`.",
        "Remove `day`, or use `interval: weekly`.";
    "branch-name-template", Error, checks::branch_name_template,
        "`pull-request-branch-name.template` uses only known placeholders, balanced braces and characters a git branch may hold.",
        "Use the placeholders {prefix} {package_manager} {directory} {target_branch} {dependency} {version} {group_name} {name}.";
    "unsupported-option", Warning, checks::unsupported_option,
        "An option the entry's ecosystem ignores (vendor, versioning-strategy, allow.dependency-type, ...).",
        "Remove the option, or move it to an entry of an ecosystem that supports it.";
    "ambiguous-boolean", Warning, checks::ambiguous_boolean,
        "An unquoted yes/no/on/off where a boolean is expected: GitHub (YAML 1.1) reads a boolean, YAML 1.2 tools a string.",
        "Write true or false.";
    "docker-coverage", Error, checks::docker_coverage,
        "Policy: every directory with a Dockerfile is covered by a `docker` entry, at least weekly, labelled dependencies, docker, security.",
        "Add or fix the `docker` entry (`drydock plan --write` does it).";
    "missing-ecosystem", Warning, checks::missing_ecosystem,
        "An ecosystem found in the repository at a directory no entry covers.",
        "Add an entry for the ecosystem and directory (`drydock plan --write` does it).";
}

/// The rule with this id (`dependabot/...`).
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// What the checks see: the parsed document, the update entries, and the scan when there is one.
struct Doc<'a> {
    pub text: &'a str,
    /// What does not fit the shape GitHub accepts, found by one walk for all the rules.
    pub issues: Vec<schema::Issue<'a>>,
    pub root: &'a Node,
    pub parsed: &'a yaml::Parsed,
    pub updates: Vec<Entry<'a>>,
    pub scan: Option<&'a RepoScan>,
}

/// One `updates[]` item, with the keys most rules need already read.
struct Entry<'a> {
    pub index: usize,
    pub node: &'a Node,
    pub ecosystem: Option<&'a str>,
    /// `directory` or the items of `directories`, as written, with their nodes.
    pub dirs: Vec<(&'a str, &'a Node)>,
    /// The parsed patterns, each with the index of its `dirs` item; with the directories the
    /// ecosystem implies (github-actions at `/` also reads `/.github/workflows`).
    pub patterns: Vec<(usize, dirs::Pattern)>,
    /// The normalised directories as written, for comparing entries.
    pub dir_set: std::collections::BTreeSet<String>,
    pub target_branch: Option<&'a str>,
    pub group: Option<&'a str>,
}

/// Where the checks put their findings; the current rule gives id, severity and default fix.
struct Out<'r> {
    rule: &'r Rule,
    path: &'r str,
    findings: Vec<Finding>,
}

impl Out<'_> {
    /// A finding at `node`, with the rule's fix hint.
    pub fn at(&mut self, node: &Node, message: String) {
        self.line(node.line, Some(node.column), message, None);
    }

    /// A finding at `node` with a specific fix hint.
    pub fn at_with_fix(&mut self, node: &Node, message: String, fix: String) {
        self.line(node.line, Some(node.column), message, Some(fix));
    }

    pub fn line(
        &mut self,
        line: usize,
        column: Option<usize>,
        message: String,
        fix: Option<String>,
    ) {
        self.findings.push(Finding {
            rule: self.rule.id.to_string(),
            severity: self.rule.severity,
            path: self.path.to_string(),
            line: Some(line),
            column,
            message,
            fix: Some(fix.unwrap_or_else(|| self.rule.fix.to_string())),
        });
    }
}

/// Validate the text of a dependabot.yml at `path` (repository-relative, used in findings). With
/// a scan, the policy rules that compare the file with the repository run too.
///
/// Findings come sorted by line, then rule id. Invalid YAML gives exactly one finding.
pub fn validate(text: &str, path: &str, scan: Option<&RepoScan>) -> Vec<Finding> {
    let parsed = match yaml::parse(text) {
        Ok(parsed) => parsed,
        Err(error) => {
            let rule = &RULES[0];
            return vec![Finding {
                rule: rule.id.to_string(),
                severity: rule.severity,
                path: path.to_string(),
                line: Some(error.line),
                column: Some(error.column),
                message: format!("not valid YAML: {}", error.message),
                fix: Some(rule.fix.to_string()),
            }];
        }
    };
    let doc = Doc::new(text, &parsed, scan);
    let mut findings = Vec::new();
    for rule in RULES {
        let mut out = Out {
            rule,
            path,
            findings: Vec::new(),
        };
        (rule.check)(&doc, &mut out);
        findings.append(&mut out.findings);
    }
    findings.sort_by(|a, b| (a.line, a.column, &a.rule).cmp(&(b.line, b.column, &b.rule)));
    findings
}

impl<'a> Doc<'a> {
    fn new(text: &'a str, parsed: &'a yaml::Parsed, scan: Option<&'a RepoScan>) -> Doc<'a> {
        let root = &parsed.root;
        let items = root.get("updates").and_then(Node::as_seq).unwrap_or(&[]);
        let updates = items
            .iter()
            .enumerate()
            .filter(|(_, node)| node.as_map().is_some())
            .map(|(index, node)| Entry::new(index, node))
            .collect();
        let mut issues = Vec::new();
        static TOP: schema::Ty = schema::Ty::Obj(&schema::TOP);
        schema::walk(root, &TOP, "", &mut |issue| issues.push(issue));
        Doc {
            text,
            issues,
            root,
            parsed,
            updates,
            scan,
        }
    }
}

impl<'a> Entry<'a> {
    fn new(index: usize, node: &'a Node) -> Entry<'a> {
        let mut dirs = Vec::new();
        if let Some(dir) = node.get("directory") {
            dirs.extend(dir.as_str().map(|s| (s, dir)));
        }
        if let Some(list) = node.get("directories").and_then(Node::as_seq) {
            dirs.extend(list.iter().filter_map(|d| d.as_str().map(|s| (s, d))));
        }
        let ecosystem = node.get("package-ecosystem").and_then(Node::as_str);
        let mut patterns = Vec::new();
        for (i, (dir, _)) in dirs.iter().enumerate() {
            patterns.push((i, dirs::Pattern::new(dir)));
            let implied = facts::implied_directories(ecosystem.unwrap_or_default(), dir);
            patterns.extend(implied.iter().map(|d| (i, dirs::Pattern::new(d))));
        }
        Entry {
            index,
            node,
            ecosystem,
            dir_set: dirs.iter().map(|(d, _)| dirs::normalise(d)).collect(),
            patterns,
            dirs,
            target_branch: node.get("target-branch").and_then(Node::as_str),
            group: node.get("multi-ecosystem-group").and_then(Node::as_str),
        }
    }

    /// `updates[3]`, for messages.
    pub fn name(&self) -> String {
        format!("updates[{}]", self.index)
    }
}

#[cfg(test)]
mod tests;
