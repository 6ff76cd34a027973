//! How the file reads as YAML to GitHub's reader (libyaml under Ruby's Psych): invalid syntax,
//! anchors and aliases, tabs, a second document, a key given twice.

use super::{Check, Rule, Severity};
use crate::dependabot::validate::{Doc, Out};

pub const INVALID_YAML: Check = Check {
    rule: Rule {
        id: "dependabot/invalid-yaml",
        summary: "The file is not valid YAML (nothing else is checked then).",
        severity: Severity::Error,
        help: "Fix the YAML syntax at the given line and column (indent with spaces, not tabs).",
    },
    check: none,
};

pub const YAML_ALIAS: Check = Check {
    rule: Rule {
        id: "dependabot/yaml-alias",
        summary: "YAML anchors and aliases: GitHub rejects aliases (\"YAML aliases are not supported\").",
        severity: Severity::Error,
        help: "Write the values out in full (drydock can generate the expanded file).",
    },
    check: yaml_alias,
};

pub const TAB_WHITESPACE: Check = Check {
    rule: Rule {
        id: "dependabot/tab-whitespace",
        summary: "A tab in a line's indentation, even before a comment: libyaml (GitHub's Ruby reader) rejects it, though YAML 1.2 allows it.",
        severity: Severity::Error,
        help: "Replace the tab with spaces.",
    },
    check: tab_whitespace,
};

pub const MULTIPLE_DOCUMENTS: Check = Check {
    rule: Rule {
        id: "dependabot/multiple-documents",
        summary: "The file holds more than one YAML document; GitHub reads the first and ignores the rest.",
        severity: Severity::Error,
        help: "Merge the documents into one (delete the `---` line).",
    },
    check: multiple_documents,
};

pub const DUPLICATE_KEY: Check = Check {
    rule: Rule {
        id: "dependabot/duplicate-key",
        summary: "A key appears twice in one mapping, so one of the two blocks is silently lost.",
        severity: Severity::Error,
        help: "Merge the two blocks into one key.",
    },
    check: duplicate_key,
};

fn yaml_alias(doc: &Doc, out: &mut Out) {
    for anchor in &doc.parsed.anchors {
        out.line(
            anchor.line,
            anchor.column,
            format!(
                "anchor `&{}`: GitHub rejects the aliases anchors exist for (\"YAML aliases are not supported\")",
                anchor.name
            ),
        );
    }
    for alias in &doc.parsed.aliases {
        out.line(
            alias.line,
            alias.column,
            format!(
                "alias `*{}`: GitHub rejects YAML aliases (\"YAML aliases are not supported\")",
                alias.name
            ),
        );
    }
}

/// Tabs in indentation. The YAML 1.2 grammar allows a tab before a comment or after `- `; libyaml,
/// under Ruby's Psych on GitHub's side, does not ("found character that cannot start any token",
/// "found a tab character that violates indentation"; wallabag/wallabag#8023).
fn tab_whitespace(doc: &Doc, out: &mut Out) {
    for (i, line) in doc.text.trim_start_matches('\u{feff}').lines().enumerate() {
        let number = i + 1;
        if doc
            .parsed
            .scalar_continuations
            .iter()
            .any(|r| r.contains(&number))
        {
            continue;
        }
        let indent: String = line
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        let rest = line[indent.len()..].trim_end_matches('\r');
        // A whitespace-only line is rejected only when it starts with a tab.
        if let Some(tab) = indent.find('\t').filter(|t| !rest.is_empty() || *t == 0) {
            out.line(
                number,
                tab + 1,
                "a tab in the indentation of this line; GitHub's YAML reader rejects the file"
                    .into(),
            );
        }
    }
    for (line, column) in &doc.parsed.tabs_after_indicators {
        out.line(
            *line,
            *column,
            "a tab after `-` or `?`; GitHub's YAML reader (libyaml) rejects the file".into(),
        );
    }
}

fn multiple_documents(doc: &Doc, out: &mut Out) {
    if let Some(line) = doc.parsed.second_document {
        out.line(
            line,
            1,
            "a second YAML document starts here; GitHub reads only the first, so everything from here on is ignored".into(),
        );
    }
}

fn duplicate_key(doc: &Doc, out: &mut Out) {
    for key in &doc.parsed.duplicate_keys {
        out.line(
            key.line,
            key.column,
            format!("key `{}` appears a second time in the same mapping; only one of the two would be read", key.name),
        );
    }
}

/// `invalid-yaml` is reported by [`crate::dependabot::validate::validate`] when parsing fails,
/// before any check runs.
fn none(_: &Doc, _: &mut Out) {}
