//! Keys: unknown ones (with a did-you-mean), `reviewers` that GitHub removed, SchemaStore's
//! `name`, and required keys that are missing.

use super::{Check, Rule, Severity};
use super::{describe, map_entries};
use crate::dependabot::validate::schema::{self, Issue};
use crate::dependabot::validate::yaml::Node;
use crate::dependabot::validate::{Doc, Out};
use crate::text::closest;

pub const UNKNOWN_KEY: Check = Check {
    rule: Rule {
        id: "dependabot/unknown-key",
        summary: "A key GitHub does not know, at any level (GitHub rejects additional properties).",
        severity: Severity::Error,
        help: "Remove the key or correct its spelling.",
    },
    check: unknown_key,
};

pub const REMOVED_KEY: Check = Check {
    rule: Rule {
        id: "dependabot/removed-key",
        summary: "`reviewers` was removed by GitHub in favour of CODEOWNERS.",
        severity: Severity::Error,
        help: "Move the reviewers to .github/CODEOWNERS and delete the key.",
    },
    check: removed_key,
};

pub const SCHEMA_ONLY_KEY: Check = Check {
    rule: Rule {
        id: "dependabot/schema-only-key",
        summary: "`name` exists only in SchemaStore's schema, not in GitHub's documentation.",
        severity: Severity::Warning,
        help: "Remove the key (use a comment to name the entry).",
    },
    check: schema_only_key,
};

pub const MISSING_KEY: Check = Check {
    rule: Rule {
        id: "dependabot/missing-key",
        summary: "A required key is missing (updates, package-ecosystem, schedule, interval, patterns, registry type/url).",
        severity: Severity::Error,
        help: "Add the key.",
    },
    check: missing_key,
};

fn unknown_key(doc: &Doc, out: &mut Out) {
    for issue in &doc.issues {
        let Issue::UnknownKey { obj, key, path, .. } = issue else {
            continue;
        };
        let Some(name) = key.as_key() else {
            out.at(
                key,
                format!(
                    "{} is not a valid key in {}",
                    describe(key),
                    place(obj, path)
                ),
            );
            continue;
        };
        if is_removed(obj, name) || is_schema_only(obj, name) {
            continue;
        }
        let known = schema::KNOWN_MISTAKES
            .iter()
            .find(|(o, k, _)| *o == obj.name && *k == name);
        let fix = match known {
            Some((_, _, hint)) => hint.to_string(),
            None => match closest(name, obj.fields.iter().map(|(k, _)| *k)) {
                Some(suggestion) => format!("did you mean `{suggestion}`?"),
                None => format!(
                    "remove it; the keys of {} are {}",
                    obj.name,
                    field_list(obj)
                ),
            },
        };
        out.at_with_fix(
            key,
            format!("unknown key `{name}` in {}", place(obj, path)),
            fix,
        );
    }
}

fn removed_key(doc: &Doc, out: &mut Out) {
    for issue in &doc.issues {
        let Issue::UnknownKey {
            obj,
            key,
            value,
            path,
        } = issue
        else {
            continue;
        };
        if !key.as_key().is_some_and(|k| is_removed(obj, k)) {
            continue;
        }
        let people: Vec<&str> = value
            .as_seq()
            .unwrap_or(&[])
            .iter()
            .filter_map(Node::as_str)
            .collect();
        let fix = if people.is_empty() {
            "Delete the key; request reviews with .github/CODEOWNERS.".to_string()
        } else {
            format!(
                "Add {} to .github/CODEOWNERS for the manifests of this entry, then delete the key.",
                people.join(", ")
            )
        };
        out.at_with_fix(
            key,
            format!(
                "`reviewers` in {} was removed by GitHub; Dependabot rejects it",
                place(obj, path)
            ),
            fix,
        );
    }
}

fn schema_only_key(doc: &Doc, out: &mut Out) {
    for issue in &doc.issues {
        let Issue::UnknownKey { obj, key, path, .. } = issue else {
            continue;
        };
        if key.as_key().is_some_and(|k| is_schema_only(obj, k)) {
            out.at(
                key,
                format!(
                    "`name` in {} is only in SchemaStore's schema, not in GitHub's options",
                    place(obj, path)
                ),
            );
        }
    }
}

fn missing_key(doc: &Doc, out: &mut Out) {
    for issue in &doc.issues {
        if let Issue::Missing { map, path, key } = issue {
            let what = if path.is_empty() {
                "the file".to_string()
            } else {
                format!("`{path}`")
            };
            out.at(map, format!("{what} has no `{key}`"));
        }
    }
    for entry in &doc.updates {
        let node = entry.node;
        if entry.group.is_none() && node.get("schedule").is_none() {
            out.at(
                node,
                format!(
                    "{} has no `schedule` (required unless it is in a multi-ecosystem group)",
                    entry.name()
                ),
            );
        }
        if entry.group.is_some() && node.get("patterns").is_none() {
            out.at(
                node,
                format!(
                    "{} is in a multi-ecosystem group but has no `patterns` (use [\"*\"] for all)",
                    entry.name()
                ),
            );
        }
    }
    for (name, registry) in map_entries(doc.root.get("registries")) {
        let hex_org = registry.get("type").and_then(Node::as_str) == Some("hex-organization");
        if registry.as_map().is_some() && !hex_org && registry.get("url").is_none() {
            out.at(registry, format!("registry `{name}` has no `url`"));
        }
    }
}

fn is_removed(obj: &schema::Obj, key: &str) -> bool {
    key == "reviewers" && (obj.name == schema::UPDATE.name || obj.name == "a multi-ecosystem group")
}

fn is_schema_only(obj: &schema::Obj, key: &str) -> bool {
    key == "name" && obj.name == schema::UPDATE.name
}

fn place(obj: &schema::Obj, path: &str) -> String {
    if path.is_empty() {
        obj.name.to_string()
    } else {
        format!("`{path}`")
    }
}

fn field_list(obj: &schema::Obj) -> String {
    obj.fields
        .iter()
        .map(|(k, _)| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
