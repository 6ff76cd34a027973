//! Validation of `.github/dependabot.yml`: the rules GitHub enforces on its servers that no JSON
//! schema checks (`dependabot.md` §3), the shape of every key with a did-you-mean for the usual
//! mistakes, and the fleet policy (docker coverage, ecosystems present but not configured).
//!
//! Every rule is a [`Check`] in its topic's file under [`rules`] (id, summary, severity, fix hint
//! and the check), listed once in [`RULES`]. Checks read a located YAML tree ([`yaml`]), so
//! every finding has a line.
//!
//! GitHub reads the file with Ruby's Psych: libyaml syntax and YAML 1.1 types. The tree is typed
//! the YAML 1.2 way (`yes` is a string, like serde-saphyr's `strict_booleans`), and the rules
//! report where the two readings differ and it matters: an unquoted `time: 09:00` is an integer
//! to GitHub, a tab before a comment is a syntax error to libyaml, a second document is ignored.

pub(crate) mod dirs;
mod facts;
pub mod rules;
pub(crate) mod schema;
mod yaml;

pub use rules::{Check, RULES};

use crate::detect::RepoScan;
use crate::finding::{Finding, Rule};
use yaml::Node;

/// The rule with this id (`dependabot/...`).
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().map(|c| &c.rule).find(|r| r.id == id)
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

/// Where the checks put their findings, built from the current rule (id, severity, default fix).
struct Out<'r> {
    rule: &'r Rule,
    path: &'r str,
    findings: Vec<Finding>,
}

impl Out<'_> {
    /// A finding at `node`, with the rule's fix hint.
    pub fn at(&mut self, node: &Node, message: String) {
        self.line(node.line, node.column, message);
    }

    /// A finding at `node` with a specific fix hint.
    pub fn at_with_fix(&mut self, node: &Node, message: String, fix: String) {
        let finding = self.rule.finding(self.path, message);
        self.findings
            .push(finding.at(node.line, Some(node.column)).with_fix(fix));
    }

    /// A finding at a line and column, with the rule's fix hint.
    pub fn line(&mut self, line: usize, column: usize, message: String) {
        let finding = self.rule.finding(self.path, message);
        self.findings.push(finding.at(line, Some(column)));
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
            let message = format!("not valid YAML: {}", error.message);
            let finding = rules::INVALID_YAML.finding(path, message);
            return vec![finding.at(error.line, Some(error.column))];
        }
    };
    let doc = Doc::new(text, &parsed, scan);
    let mut findings = Vec::new();
    for check in RULES {
        let mut out = Out {
            rule: &check.rule,
            path,
            findings: Vec::new(),
        };
        check.run(&doc, &mut out);
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
