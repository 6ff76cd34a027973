//! The validation rules, one file per topic, each rule a [`Check`]: its [`Rule`] (id, summary,
//! severity, general fix hint) and the function that finds it. [`RULES`] lists them all, in the
//! order they run; a new rule is a constant in its topic's file and one line there.

mod branch_name;
mod coverage;
mod directories;
mod entry_options;
mod groups;
mod keys;
mod registries;
mod schedule;
mod syntax;
mod values;

#[cfg(test)]
pub(super) use branch_name::template_problem;
pub(crate) use syntax::{INVALID_YAML, YAML_ALIAS};

use super::yaml::{Node, Value};
use super::{Doc, Out};
pub use crate::finding::{Rule, Severity};

/// One validation rule: what it is, and the check that reports it.
pub struct Check {
    pub rule: Rule,
    check: fn(&Doc, &mut Out),
}

impl Check {
    /// Runs the check over `doc`, into `out` (which carries this rule).
    pub(super) fn run(&self, doc: &Doc, out: &mut Out) {
        (self.check)(doc, out);
    }
}

/// A check reads as its rule (`check.id`, `check.severity`).
impl std::ops::Deref for Check {
    type Target = Rule;

    fn deref(&self) -> &Rule {
        &self.rule
    }
}

/// Every rule, in the order they run; `invalid-yaml` first (it stops the others).
pub static RULES: &[&Check] = &[
    &syntax::INVALID_YAML,
    &syntax::YAML_ALIAS,
    &syntax::TAB_WHITESPACE,
    &syntax::MULTIPLE_DOCUMENTS,
    &syntax::DUPLICATE_KEY,
    &values::VERSION,
    &keys::UNKNOWN_KEY,
    &keys::REMOVED_KEY,
    &keys::SCHEMA_ONLY_KEY,
    &keys::MISSING_KEY,
    &values::YAML11_TYPE,
    &values::INVALID_VALUE,
    &values::UNKNOWN_ECOSYSTEM,
    &directories::DIRECTORY_OR_DIRECTORIES,
    &directories::GLOB_IN_DIRECTORY,
    &directories::DUPLICATE_UPDATE,
    &directories::OVERLAPPING_DIRECTORIES,
    &directories::TOO_MANY_UPDATES,
    &registries::UNUSED_REGISTRY,
    &registries::UNDEFINED_REGISTRY,
    &entry_options::DUPLICATE_IGNORE,
    &entry_options::COOLDOWN_SEMVER,
    &groups::GROUP_ONLY_KEY,
    &groups::UNDEFINED_GROUP,
    &schedule::CRONJOB,
    &schedule::CRONJOB_TIMEZONE,
    &schedule::TIME_FORMAT,
    &schedule::UNKNOWN_TIMEZONE,
    &schedule::DAY_WITHOUT_WEEKLY,
    &branch_name::BRANCH_NAME_TEMPLATE,
    &entry_options::UNSUPPORTED_OPTION,
    &values::AMBIGUOUS_BOOLEAN,
    &coverage::DOCKER_COVERAGE,
    &coverage::MISSING_ECOSYSTEM,
];

/// How a value reads in a message: its kind, and the text for scalars.
pub(super) fn describe(node: &Node) -> String {
    match &node.value {
        Value::Str { text, .. } => format!("the string \"{text}\""),
        Value::Int(i) => format!("the integer {i}"),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Float(f) => format!("the number {f}"),
        _ => node.kind().to_string(),
    }
}

pub(super) fn map_entries(node: Option<&Node>) -> Vec<(&str, &Node)> {
    node.and_then(Node::as_map)
        .unwrap_or(&[])
        .iter()
        .filter_map(|(k, v)| k.as_key().map(|k| (k, v)))
        .collect()
}

pub(super) fn map_keys(node: Option<&Node>) -> Vec<(&str, &Node)> {
    node.and_then(Node::as_map)
        .unwrap_or(&[])
        .iter()
        .filter_map(|(k, _)| k.as_key().map(|name| (name, k)))
        .collect()
}
