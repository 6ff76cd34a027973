//! Options inside one entry: unique ignore rules, SemVer cooldowns only where the ecosystem has
//! them, options the ecosystem ignores.

use super::map_keys;
use super::{Check, Rule, Severity};
use crate::dependabot::validate::yaml::{Node, Value};
use crate::dependabot::validate::{Doc, Out, facts, schema};
use crate::detect::Ecosystem;
use std::collections::BTreeMap;

pub const DUPLICATE_IGNORE: Check = Check {
    rule: Rule {
        id: "dependabot/duplicate-ignore",
        summary: "Two ignore rules of one entry with the same dependency-name and versions.",
        severity: Severity::Error,
        help: "Merge the two ignore rules (combine their update-types).",
    },
    check: duplicate_ignore,
};

pub const COOLDOWN_SEMVER: Check = Check {
    rule: Rule {
        id: "dependabot/cooldown-semver",
        summary: "`cooldown.semver-*-days` on an ecosystem without SemVer cooldown support.",
        severity: Severity::Error,
        help: "Use `cooldown.default-days` only for this ecosystem.",
    },
    check: cooldown_semver,
};

pub const UNSUPPORTED_OPTION: Check = Check {
    rule: Rule {
        id: "dependabot/unsupported-option",
        summary: "An option the entry's ecosystem ignores (vendor, versioning-strategy, allow.dependency-type, ...).",
        severity: Severity::Warning,
        help: "Remove the option, or move it to an entry of an ecosystem that supports it.",
    },
    check: unsupported_option,
};

fn duplicate_ignore(doc: &Doc, out: &mut Out) {
    for entry in &doc.updates {
        let Some(rules) = entry.node.get("ignore").and_then(Node::as_seq) else {
            continue;
        };
        let mut seen: BTreeMap<(String, Vec<String>), usize> = BTreeMap::new();
        for (i, rule) in rules.iter().enumerate() {
            let Some(name) = rule.get("dependency-name").and_then(Node::as_str) else {
                continue;
            };
            let versions = match rule.get("versions").map(|v| &v.value) {
                Some(Value::Str { text, .. }) => vec![text.clone()],
                Some(Value::Seq(items)) => items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            };
            if let Some(first) = seen.insert((name.to_string(), versions.clone()), i) {
                let node = rule.get("dependency-name").unwrap_or(rule);
                let versions = if versions.is_empty() {
                    "no versions".to_string()
                } else {
                    versions.join(", ")
                };
                out.at(
                    node,
                    format!(
                        "{}.ignore[{i}] repeats ignore[{first}] (dependency-name `{name}`, {versions}); GitHub requires unique dependency-name and versions",
                        entry.name()
                    ),
                );
            }
        }
    }
}

fn cooldown_semver(doc: &Doc, out: &mut Out) {
    for entry in &doc.updates {
        let Some(ecosystem) = entry.ecosystem.and_then(|e| e.parse::<Ecosystem>().ok()) else {
            continue;
        };
        if ecosystem.supports_semver_cooldown() {
            continue;
        }
        for (name, key) in map_keys(entry.node.get("cooldown")) {
            if schema::SEMVER_COOLDOWN_KEYS.contains(&name) {
                out.at(
                    key,
                    format!("`cooldown.{name}` is not supported for `{ecosystem}` ({}): only `default-days` is", entry.name()),
                );
            }
        }
    }
}

fn unsupported_option(doc: &Doc, out: &mut Out) {
    for entry in &doc.updates {
        let Some(ecosystem) = entry.ecosystem.filter(|e| e.parse::<Ecosystem>().is_ok()) else {
            continue;
        };
        for (option, value, supported) in facts::OPTION_SUPPORT {
            if supported.contains(&ecosystem) {
                continue;
            }
            for node in option_nodes(entry.node, option) {
                if value.is_none_or(|v| node.as_str() == Some(v)) {
                    let what = match value {
                        Some(v) => format!("`{option}: {v}`"),
                        None => format!("`{option}`"),
                    };
                    out.at(
                        node,
                        format!(
                            "{what} has no effect for `{ecosystem}` ({}); it applies to {}",
                            entry.name(),
                            supported.join(", ")
                        ),
                    );
                }
            }
        }
    }
}

/// The values at a dotted option path, going through lists (`allow`) and named maps (`groups`).
fn option_nodes<'a>(node: &'a Node, path: &str) -> Vec<&'a Node> {
    let mut current = vec![node];
    for part in path.split('.') {
        let mut next = Vec::new();
        for n in current {
            let Some(child) = n.get(part) else { continue };
            match &child.value {
                Value::Seq(items) => next.extend(items.iter()),
                Value::Map(_) if part == "groups" => {
                    next.extend(child.as_map().unwrap_or(&[]).iter().map(|(_, v)| v))
                }
                _ => next.push(child),
            }
        }
        current = next;
    }
    current
}
