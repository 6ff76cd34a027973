//! `reviewers`: GitHub removed the key and rejects files that still have it. The repair deletes
//! it and names who was listed, so they can move to CODEOWNERS.

use yaml_edit::Mapping;

use super::REVIEWERS;
use super::session::{Session, start, strings_of};

/// Removes `reviewers` from an entry, with a note naming who was listed.
pub(super) fn remove(s: &mut Session, map: &Mapping, what: &str) {
    let Some(value) = map.get("reviewers") else {
        return;
    };
    let names = strings_of(&value);
    let key_at = map
        .find_entry_by_key("reviewers")
        .and_then(|e| e.key_node())
        .map(|k| start(&k));
    if let Some(at) = key_at
        && s.remove_key(map, "reviewers")
    {
        let listed = if names.is_empty() {
            "nobody".to_string()
        } else {
            names.join(", ")
        };
        s.change(
            at,
            format!("removed `reviewers` ({listed}) from {what}"),
            "GitHub no longer accepts `reviewers` in dependabot.yml; list these owners in CODEOWNERS instead",
        );
        let (line, column) = s.line_column(at);
        let finding = REVIEWERS.finding(
            &s.path,
            format!("`reviewers` listed {listed}: add them to .github/CODEOWNERS so they keep reviewing dependency updates"),
        );
        s.findings.push(finding.at(line, Some(column)));
        s.reviewers.extend(names);
    }
}
