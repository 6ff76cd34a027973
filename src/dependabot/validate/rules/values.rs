//! Values: `version: 2`, the type and allowed values of every key, the YAML 1.1 readings of
//! unquoted scalars, and `package-ecosystem`.

use super::describe;
use super::{Check, Rule, Severity};
use crate::dependabot::validate::schema::Issue;
use crate::dependabot::validate::yaml::Value;
use crate::dependabot::validate::{Doc, Out, facts};
use crate::detect::Ecosystem;
use crate::text::closest;

pub const VERSION: Check = Check {
    rule: Rule {
        id: "dependabot/version",
        summary: "`version: 2` is required at the top level.",
        severity: Severity::Error,
        help: "Add `version: 2` as the first line.",
    },
    check: version,
};

pub const YAML11_TYPE: Check = Check {
    rule: Rule {
        id: "dependabot/yaml11-type",
        summary: "An unquoted value GitHub's YAML 1.1 reader takes for a number, boolean or date where a string is expected (`time: 09:00` is the integer 540).",
        severity: Severity::Error,
        help: "Quote the value.",
    },
    check: yaml11_type,
};

pub const INVALID_VALUE: Check = Check {
    rule: Rule {
        id: "dependabot/invalid-value",
        summary: "A value has the wrong type or is not one of the allowed values.",
        severity: Severity::Error,
        help: "Change the value to the expected type.",
    },
    check: invalid_value,
};

pub const UNKNOWN_ECOSYSTEM: Check = Check {
    rule: Rule {
        id: "dependabot/unknown-ecosystem",
        summary: "`package-ecosystem` is not one of the 33 values GitHub accepts.",
        severity: Severity::Error,
        help: "Use one of the package-ecosystem values listed in GitHub's options reference.",
    },
    check: unknown_ecosystem,
};

pub const AMBIGUOUS_BOOLEAN: Check = Check {
    rule: Rule {
        id: "dependabot/ambiguous-boolean",
        summary: "An unquoted yes/no/on/off where a boolean is expected: GitHub (YAML 1.1) reads a boolean, YAML 1.2 tools a string.",
        severity: Severity::Warning,
        help: "Write true or false.",
    },
    check: ambiguous_boolean,
};

fn version(doc: &Doc, out: &mut Out) {
    if doc.root.as_map().is_none() {
        return;
    }
    match doc.root.get("version") {
        None => out.line(1, 1, "`version: 2` is missing".into()),
        Some(v) if v.value == Value::Int(2) => {}
        Some(v) => out.at_with_fix(
            v,
            format!("`version` must be the integer 2, found {}", describe(v)),
            "Write `version: 2` (unquoted).".into(),
        ),
    }
}

fn yaml11_type(doc: &Doc, out: &mut Out) {
    for issue in &doc.issues {
        if let Issue::Yaml11 {
            node,
            path,
            reads_as,
        } = issue
        {
            let text = node.as_str().unwrap_or_default();
            out.at_with_fix(
                node,
                format!(
                    "unquoted `{text}` in `{path}` is {reads_as} to GitHub's YAML 1.1 reader, which wants a string (\"of type {} did not match the following type: string\")",
                    reads_as.trim_start_matches("an ").trim_start_matches("a ")
                ),
                format!("Quote it: \"{text}\"."),
            );
        }
    }
}

fn invalid_value(doc: &Doc, out: &mut Out) {
    for issue in &doc.issues {
        if let Issue::BadValue {
            node,
            path,
            expected,
            choices,
        } = issue
        {
            let what = if path.is_empty() {
                "the file".to_string()
            } else {
                format!("`{path}`")
            };
            let suggestion = node.as_str().and_then(|s| {
                choices
                    .iter()
                    .copied()
                    .find(|c| c.eq_ignore_ascii_case(s.trim()))
                    .or_else(|| closest(s, choices.iter().copied()))
            });
            let fix = match suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("Write {expected}."),
            };
            out.at_with_fix(
                node,
                format!("{what} must be {expected}, found {}", describe(node)),
                fix,
            );
        }
    }
}

fn unknown_ecosystem(doc: &Doc, out: &mut Out) {
    for entry in &doc.updates {
        let Some(node) = entry.node.get("package-ecosystem") else {
            continue;
        };
        let Some(value) = node.as_str() else { continue };
        if value.parse::<Ecosystem>().is_ok() {
            continue;
        }
        let lower = value.trim().to_ascii_lowercase();
        let meant = Ecosystem::ALL
            .iter()
            .map(|e| e.as_str())
            .find(|e| *e == lower)
            .or_else(|| {
                facts::ECOSYSTEM_ALIASES
                    .iter()
                    .find(|(a, _)| *a == lower)
                    .map(|(_, e)| e.as_str())
            })
            .or_else(|| closest(&lower, Ecosystem::ALL.iter().map(|e| e.as_str())));
        let fix = match meant {
            Some(e) => format!("did you mean `{e}`?"),
            None => "Use one of the package-ecosystem values listed in GitHub's options reference."
                .into(),
        };
        let message = if value.is_empty() {
            format!("`package-ecosystem` of {} is empty", entry.name())
        } else {
            format!(
                "`{value}` is not a Dependabot package-ecosystem ({})",
                entry.name()
            )
        };
        out.at_with_fix(node, message, fix);
    }
}

fn ambiguous_boolean(doc: &Doc, out: &mut Out) {
    for issue in &doc.issues {
        if let Issue::Yaml11Bool { node, path } = issue {
            let text = node.as_str().unwrap_or_default();
            out.at(
                node,
                format!("`{path}: {text}` is a boolean to GitHub (YAML 1.1) but a string to YAML 1.2 tools and schemas"),
            );
        }
    }
}
