//! The base-image policy's schedule on docker entries: at least weekly, in the one reading of
//! [`crate::dependabot::policy::runs_at_least_weekly`]. A slower interval becomes `weekly`; a
//! cron that is not surely weekly is left to the owners.

use yaml_edit::YamlNode;

use super::session::{Session, content_end, scalar_string, start};
use crate::dependabot::policy::runs_at_least_weekly;
use crate::dependabot::yaml_text::quote;

/// Makes the docker entry `i` run at least weekly (unless its group owns the schedule).
pub(super) fn docker(s: &mut Session, i: usize) {
    if s.entries[i].in_multi_group {
        return; // the schedule belongs to the multi-ecosystem group
    }
    let map = s.entries[i].map.clone();
    let what = format!("the docker entry for {}", s.entries[i].dirs.join(", "));
    match map.get_mapping("schedule") {
        Some(schedule) => {
            let interval = schedule.get("interval");
            let value = interval
                .as_ref()
                .and_then(scalar_string)
                .unwrap_or_default();
            let cronjob = schedule.get("cronjob").and_then(|c| scalar_string(&c));
            if runs_at_least_weekly(&value, cronjob.as_deref()) == Some(true) {
                return;
            }
            match interval {
                Some(node) if value != "cron" && node.is_scalar() => {
                    let r = node.byte_range();
                    let raw = &s.text[r.start as usize..r.end as usize];
                    let new = match raw.chars().next() {
                        Some('"') => quote("weekly"),
                        Some('\'') => "'weekly'".into(),
                        _ => "weekly".into(),
                    };
                    s.edit(r.start as usize, r.end as usize, new);
                    s.change(
                        r.start as usize,
                        format!("changed `schedule.interval` from {value} to weekly in {what}"),
                        "the base-image policy checks base images at least weekly",
                    );
                }
                Some(node) => s.cannot(
                    start(&node),
                    format!("the cron schedule of {what} may run less than weekly; the policy wants at least weekly"),
                ),
                None => s.cannot(0, format!("the schedule of {what} has no `interval`")),
            }
        }
        None if map.get("schedule").is_some() => {
            s.cannot(0, format!("`schedule` of {what} is not a mapping"));
        }
        None => {
            if s.add_key(
                &map,
                "schedule:\n  interval: \"weekly\"\n",
                "schedule",
                "{interval: \"weekly\"}",
            ) {
                let at = content_end(&s.text, &YamlNode::Mapping(map.clone()));
                s.change(
                    at,
                    format!("added a weekly schedule to {what}"),
                    "every entry needs a schedule, and the policy checks base images at least weekly",
                );
            }
        }
    }
}
