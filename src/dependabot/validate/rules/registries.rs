//! Registries: every one defined is used, every one used is defined.

use super::map_keys;
use super::{Check, Rule, Severity};
use crate::dependabot::validate::yaml::{Node, Value};
use crate::dependabot::validate::{Doc, Out};
use crate::text::closest;
use std::collections::BTreeSet;

pub const UNUSED_REGISTRY: Check = Check {
    rule: Rule {
        id: "dependabot/unused-registry",
        summary: "A top-level registry that no update entry references (GitHub rejects it).",
        severity: Severity::Error,
        help: "Reference the registry from an update entry's `registries`, or delete it.",
    },
    check: unused_registry,
};

pub const UNDEFINED_REGISTRY: Check = Check {
    rule: Rule {
        id: "dependabot/undefined-registry",
        summary: "An update entry references a registry that is not defined at the top level.",
        severity: Severity::Error,
        help: "Define the registry under the top-level `registries:` or remove the reference.",
    },
    check: undefined_registry,
};

fn unused_registry(doc: &Doc, out: &mut Out) {
    let mut all = false;
    let mut used = BTreeSet::new();
    for entry in &doc.updates {
        match entry.node.get("registries").map(|n| &n.value) {
            Some(Value::Str { text, .. }) if text == "*" => all = true,
            // A single name instead of a list is invalid-value's; count it as a use here.
            Some(Value::Str { text, .. }) => {
                used.insert(text.as_str());
            }
            Some(Value::Seq(items)) => used.extend(items.iter().filter_map(Node::as_str)),
            _ => {}
        }
    }
    if all {
        return;
    }
    for (name, key) in map_keys(doc.root.get("registries")) {
        if !used.contains(name) {
            out.at(key, format!("registry `{name}` is not used by any update entry; GitHub rejects unused registries"));
        }
    }
}

fn undefined_registry(doc: &Doc, out: &mut Out) {
    let defined: Vec<&str> = map_keys(doc.root.get("registries"))
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    for entry in &doc.updates {
        let Some(items) = entry.node.get("registries").and_then(Node::as_seq) else {
            continue;
        };
        for item in items {
            let Some(name) = item.as_str() else { continue };
            if !defined.contains(&name) {
                let fix = match closest(name, defined.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("Define `{name}` under the top-level `registries:`."),
                };
                out.at_with_fix(
                    item,
                    format!(
                        "{} uses registry `{name}`, which is not defined",
                        entry.name()
                    ),
                    fix,
                );
            }
        }
    }
}
