//! `pull-request-branch-name.template`: known placeholders, balanced braces, characters a git
//! branch name may hold.

use super::map_entries;
use super::{Check, Rule, Severity};
use crate::dependabot::validate::yaml::Node;
use crate::dependabot::validate::{Doc, Out, facts};
use crate::text::closest;

pub const BRANCH_NAME_TEMPLATE: Check = Check {
    rule: Rule {
        id: "dependabot/branch-name-template",
        summary: "`pull-request-branch-name.template` uses only known placeholders, balanced braces and characters a git branch may hold.",
        severity: Severity::Error,
        help: "Use the placeholders {prefix} {package_manager} {directory} {target_branch} {dependency} {version} {group_name} {name}.",
    },
    check: branch_name_template,
};

fn branch_name_template(doc: &Doc, out: &mut Out) {
    for (owner, settings, in_group) in branch_name_settings(doc) {
        let Some(node) = settings.get("template") else {
            continue;
        };
        let Some(template) = node.as_str() else {
            continue;
        };
        if let Some(problem) = template_problem(template, in_group) {
            out.at(
                node,
                format!("`pull-request-branch-name.template` of {owner} {problem}"),
            );
        }
    }
}

/// Every `pull-request-branch-name` with its owner's name, and whether it is a multi-ecosystem
/// group's.
fn branch_name_settings<'a>(doc: &Doc<'a>) -> Vec<(String, &'a Node, bool)> {
    let mut found: Vec<(String, &Node, bool)> = doc
        .updates
        .iter()
        .filter_map(|e| {
            e.node
                .get("pull-request-branch-name")
                .map(|b| (e.name(), b, false))
        })
        .collect();
    for (name, group) in map_entries(doc.root.get("multi-ecosystem-groups")) {
        if let Some(b) = group.get("pull-request-branch-name") {
            found.push((format!("multi-ecosystem-groups.{name}"), b, true));
        }
    }
    found
}

pub(in crate::dependabot::validate) fn template_problem(
    template: &str,
    in_group: bool,
) -> Option<String> {
    let mut rest = template;
    let mut literal = String::new();
    while let Some(open) = rest.find(['{', '}']) {
        literal.push_str(&rest[..open]);
        if rest[open..].starts_with('}') {
            return Some("has a `}` without a matching `{`".into());
        }
        let Some(close) = rest[open..].find('}').map(|c| c + open) else {
            return Some("has a `{` without a matching `}`".into());
        };
        let name = &rest[open + 1..close];
        if !facts::BRANCH_TEMPLATE_PLACEHOLDERS.contains(&name) {
            let hint = closest(name, facts::BRANCH_TEMPLATE_PLACEHOLDERS.iter().copied())
                .map(|s| format!(" (did you mean `{{{s}}}`?)"))
                .unwrap_or_default();
            return Some(format!("uses the unknown placeholder `{{{name}}}`{hint}"));
        }
        if in_group && name == "package_manager" {
            return Some(
                "uses `{package_manager}`, which a multi-ecosystem group cannot have".into(),
            );
        }
        literal.push('x');
        rest = &rest[close + 1..];
    }
    literal.push_str(rest);
    let bad_char = literal
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || "~^:?*[\\".contains(*c));
    if let Some(c) = bad_char {
        return Some(format!(
            "contains {c:?}, which a git branch name cannot hold"
        ));
    }
    if literal.contains("..") || literal.contains("//") || literal.contains("@{") {
        return Some("contains `..`, `//` or `@{`, which a git branch name cannot hold".into());
    }
    None
}
