//! Where in fleet.toml an error is: [`KeyPath`]s that sections' validation returns, resolved to
//! byte offsets through the spans of the parsed document, and toml's own errors with a hint.

use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::ConfigError;
use crate::text::{KeyPath, Rejected, Step, closest};

impl ConfigError {
    /// `rejected`, a problem in the table at `section` of `text` (the contents of `file`).
    pub(super) fn rejected(file: &Path, text: &str, section: &KeyPath, rejected: Rejected) -> Self {
        let path = section.clone().join(rejected.at);
        ConfigError::at(file, text, offset(text, &path), rejected.message).with_help(rejected.help)
    }
}

/// The byte offset of the value (or key) at `path` in the TOML document `text`. A path that
/// does not resolve all the way points at the last part that does.
pub(super) fn offset(text: &str, path: &KeyPath) -> usize {
    // Parsed again only on this error path: loading a valid file costs nothing extra.
    let Ok(root) = DeTable::parse(text) else {
        return 0;
    };
    let span = root.span();
    let root = Spanned::new(span, DeValue::Table(root.into_inner()));
    let mut here = &root;
    for step in &path.0 {
        let next = match (step, here.get_ref()) {
            (Step::Key(key), DeValue::Table(table)) => table.get(key.as_str()),
            (Step::Index(i), DeValue::Array(items)) => items.get(*i),
            (Step::Name(key), DeValue::Table(table)) => {
                return table
                    .get_key_value(key.as_str())
                    .map_or(here.span().start, |(k, _)| k.span().start);
            }
            _ => None,
        };
        match next {
            Some(value) => here = value,
            None => break,
        }
    }
    here.span().start
}

/// A parse or type error from toml, with a did-you-mean for unknown keys.
pub(super) fn toml_error(file: &Path, text: &str, e: &toml::de::Error) -> ConfigError {
    let offset = e.span().map_or(0, |s| s.start);
    let message = e.message().trim().to_string();
    let err = ConfigError::at(file, text, offset, message.clone());
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some((unknown, expected)) = rest.split_once("`, expected ")
    {
        let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        return match closest(unknown, candidates.iter().copied()) {
            Some(s) => err.with_help(format!("did you mean `{s}`? (see docs/fleet-toml.md)")),
            None if matches!(unknown, "workspace" | "jobs") && candidates.contains(&"fleet") => {
                err.with_help(format!("`{unknown}` belongs in the [fleet] table"))
            }
            None => err.with_help("remove the key; docs/fleet-toml.md lists every key"),
        };
    }
    err.with_help(hint(&message))
}

/// What to do about one of toml's own messages (types, missing and repeated keys, syntax).
fn hint(message: &str) -> String {
    const SEE: &str = "docs/fleet-toml.md lists every key with its type";
    if let Some(expected) = message
        .strip_prefix("invalid type: ")
        .and_then(|m| m.split_once(", expected "))
        .map(|(_, e)| e)
    {
        let form = match expected.trim() {
            e if e.starts_with('u') || e.starts_with('i') || e.contains("integer") => {
                "a whole number, without quotes (`jobs = 8`)"
            }
            e if e.contains("string") || e.contains("char") => {
                "text in double quotes (`name = \"acme/api\"`)"
            }
            e if e.contains("sequence") || e.contains("array") => {
                "an array in brackets (`labels = [\"dependencies\"]`)"
            }
            e if e.contains("bool") => "`true` or `false`, without quotes",
            e if e.contains("map") || e.contains("struct") || e.contains("table") => {
                "a table (`[section]` on a line of its own, or `{ key = value }`)"
            }
            _ => return format!("write the value as {expected}; {SEE}"),
        };
        return format!("write the value as {form}; {SEE}");
    }
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|m| m.split('`').next())
    {
        return format!("add `{field} = ...` to this table; {SEE}");
    }
    if message.starts_with("duplicate key") {
        return "a key or table may appear only once here: remove one of the two, or merge them"
            .into();
    }
    if message.starts_with("invalid")
        || message.starts_with("unclosed")
        || message.contains("expected")
    {
        return "fix the TOML syntax here: quote text with \"...\", close every `[` and `{`, write `key = value` (https://toml.io)"
            .into();
    }
    format!("check the value here; {SEE}")
}
