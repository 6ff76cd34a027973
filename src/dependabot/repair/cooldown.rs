//! `cooldown.semver-*-days` on an ecosystem without SemVer cooldowns: GitHub rejects the file,
//! so the keys go (`default-days` still applies).

use std::str::FromStr;

use yaml_edit::Mapping;

use super::session::{Session, start};
use crate::dependabot::validate::schema::SEMVER_COOLDOWN_KEYS;
use crate::detect::Ecosystem;

/// Removes the SemVer cooldown keys of an entry whose ecosystem does not support them.
pub(super) fn semver_days(s: &mut Session, map: &Mapping, eco: &str, what: &str) {
    let Some(cooldown) = map.get_mapping("cooldown") else {
        return;
    };
    let semver_ok = Ecosystem::from_str(eco).is_ok_and(|e| e.supports_semver_cooldown());
    if semver_ok || Ecosystem::from_str(eco).is_err() {
        return;
    }
    for key in SEMVER_COOLDOWN_KEYS {
        let at = cooldown
            .find_entry_by_key(key)
            .and_then(|e| e.key_node())
            .map(|k| start(&k));
        if let Some(at) = at
            && s.remove_key(&cooldown, key)
        {
            s.change(
                at,
                format!("removed `cooldown.{key}` from {what}"),
                "GitHub rejects SemVer cooldown days for this ecosystem (only `default-days` applies) and stops all updates",
            );
        }
    }
}
