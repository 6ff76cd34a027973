//! The base-image policy's labels on docker entries ([`DOCKER_POLICY_LABELS`]), added to
//! whatever labels the owners wrote.

use yaml_edit::YamlNode;

use super::session::{Session, content_end, scalar_string, start};
use crate::dependabot::policy::DOCKER_POLICY_LABELS;
use crate::dependabot::yaml_text::quote;

/// Adds the policy labels the docker entry `i` lacks, or a `labels` list with all of them.
pub(super) fn docker(s: &mut Session, i: usize) {
    let map = s.entries[i].map.clone();
    let what = format!("the docker entry for {}", s.entries[i].dirs.join(", "));
    let listed = DOCKER_POLICY_LABELS.join(", ");
    match map.get("labels") {
        Some(YamlNode::Sequence(seq)) => {
            let have: Vec<String> = seq.values().filter_map(|v| scalar_string(&v)).collect();
            let missing: Vec<&str> = DOCKER_POLICY_LABELS
                .iter()
                .copied()
                .filter(|l| !have.iter().any(|h| h == l))
                .collect();
            if !missing.is_empty() && s.append_scalars(&seq, &missing) {
                s.change(
                    start(&YamlNode::Sequence(seq.clone())),
                    format!("added the labels {} to {what}", missing.join(", ")),
                    &reason(),
                );
            }
        }
        Some(other) => {
            s.cannot(
                start(&other),
                format!("`labels` of {what} is not a list; add the labels {listed} by hand"),
            );
        }
        None => {
            let items: String = DOCKER_POLICY_LABELS
                .iter()
                .map(|l| format!("  - {}\n", quote(l)))
                .collect();
            if s.add_key(
                &map,
                &format!("labels:\n{items}"),
                "labels",
                &format!("[{}]", DOCKER_POLICY_LABELS.map(quote).join(", ")),
            ) {
                let at = content_end(&s.text, &YamlNode::Mapping(map.clone()));
                s.change(
                    at,
                    format!("added `labels: [{listed}]` to {what}"),
                    &reason(),
                );
            }
        }
    }
}

/// "the base-image policy labels every docker update `dependencies`, `docker` and `security`"
fn reason() -> String {
    let [init @ .., last] = DOCKER_POLICY_LABELS.map(|l| format!("`{l}`"));
    format!(
        "the base-image policy labels every docker update {} and {last}",
        init.join(", ")
    )
}
