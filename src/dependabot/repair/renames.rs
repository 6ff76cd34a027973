//! Keys written with the wrong spelling that GitHub rejects as unknown, where the meant key is
//! certain: `commit_message` and `cooldown.days`.

use yaml_edit::Mapping;

use super::session::Session;

/// `commit_message` → `commit-message`.
pub(super) fn commit_message(s: &mut Session, map: &Mapping, what: &str) {
    s.rename_key(
        map,
        ("commit_message", "commit-message"),
        format!("renamed `commit_message` to `commit-message` in {what}"),
        "GitHub rejects unknown keys; the option is spelt with a hyphen",
    );
}

/// `cooldown.days` → `cooldown.default-days`.
pub(super) fn cooldown_days(s: &mut Session, map: &Mapping, what: &str) {
    if let Some(cooldown) = map.get_mapping("cooldown") {
        s.rename_key(
            &cooldown,
            ("days", "default-days"),
            format!("renamed `cooldown.days` to `cooldown.default-days` in {what}"),
            "GitHub rejects unknown keys; the cooldown for all updates is `default-days`",
        );
    }
}
