//! Multi-ecosystem groups: members leave the group's keys to the group, and name a group that
//! exists.

use super::map_keys;
use super::{Check, Rule, Severity};
use crate::dependabot::validate::{Doc, Out, schema};
use crate::text::closest;

pub const GROUP_ONLY_KEY: Check = Check {
    rule: Rule {
        id: "dependabot/group-only-key",
        summary: "A key that belongs to the multi-ecosystem group is set on a member entry.",
        severity: Severity::Error,
        help: "Move the key to the group under `multi-ecosystem-groups`.",
    },
    check: group_only_key,
};

pub const UNDEFINED_GROUP: Check = Check {
    rule: Rule {
        id: "dependabot/undefined-group",
        summary: "`multi-ecosystem-group` names a group that `multi-ecosystem-groups` does not define.",
        severity: Severity::Error,
        help: "Define the group under `multi-ecosystem-groups` or fix the name.",
    },
    check: undefined_group,
};

fn group_only_key(doc: &Doc, out: &mut Out) {
    for entry in &doc.updates {
        let Some(group) = entry.group else { continue };
        for (name, key) in map_keys(Some(entry.node)) {
            if schema::GROUP_ONLY_KEYS.contains(&name) {
                out.at(
                    key,
                    format!(
                        "`{name}` is set on {}, a member of multi-ecosystem group `{group}`; it belongs to the group",
                        entry.name()
                    ),
                );
            }
        }
    }
}

fn undefined_group(doc: &Doc, out: &mut Out) {
    let defined: Vec<&str> = map_keys(doc.root.get("multi-ecosystem-groups"))
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    for entry in &doc.updates {
        let Some(group) = entry.group else { continue };
        if !defined.contains(&group) {
            let node = entry
                .node
                .get("multi-ecosystem-group")
                .unwrap_or(entry.node);
            let fix = match closest(group, defined.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("Define `{group}` under the top-level `multi-ecosystem-groups:`."),
            };
            out.at_with_fix(
                node,
                format!(
                    "{} names multi-ecosystem group `{group}`, which is not defined",
                    entry.name()
                ),
                fix,
            );
        }
    }
}
