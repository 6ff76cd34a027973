//! Schedules, an entry's or a multi-ecosystem group's: `cronjob` exactly with `interval: cron`
//! and without a timezone, `time` as hh:mm, a known `timezone`, `day` only when weekly.

use super::map_entries;
use super::{Check, Rule, Severity};
use crate::dependabot::validate::yaml::{self, Node, Value};
use crate::dependabot::validate::{Doc, Out, facts, schema};
use crate::text::closest;

pub const CRONJOB: Check = Check {
    rule: Rule {
        id: "dependabot/cronjob",
        summary: "`cronjob` is set exactly when `interval: cron`, and looks like a 5-field cron or a phrase.",
        severity: Severity::Error,
        help: "Use `interval: cron` with a `cronjob` such as \"0 6 * * 1\".",
    },
    check: cronjob,
};

pub const CRONJOB_TIMEZONE: Check = Check {
    rule: Rule {
        id: "dependabot/cronjob-timezone",
        summary: "`cronjob` must not contain a timezone (\"Cronjob expression must not include a timezone\").",
        severity: Severity::Error,
        help: "Remove the timezone from `cronjob` and set `schedule.timezone` instead.",
    },
    check: cronjob_timezone,
};

pub const TIME_FORMAT: Check = Check {
    rule: Rule {
        id: "dependabot/time-format",
        summary: "`schedule.time` is `hh:mm` with two-digit hours 00-23 and minutes 00-59.",
        severity: Severity::Error,
        help: "Write the time as a quoted \"hh:mm\", e.g. \"06:00\".",
    },
    check: time_format,
};

pub const UNKNOWN_TIMEZONE: Check = Check {
    rule: Rule {
        id: "dependabot/unknown-timezone",
        summary: "`schedule.timezone` is not an IANA time zone name GitHub knows.",
        severity: Severity::Error,
        help: "Use an IANA name such as \"Europe/Berlin\" or \"UTC\".",
    },
    check: unknown_timezone,
};

pub const DAY_WITHOUT_WEEKLY: Check = Check {
    rule: Rule {
        id: "dependabot/day-without-weekly",
        summary: "`schedule.day` only applies to `interval: weekly`.",
        severity: Severity::Warning,
        help: "Remove `day`, or use `interval: weekly`.",
    },
    check: day_without_weekly,
};

fn cronjob(doc: &Doc, out: &mut Out) {
    for (name, schedule) in schedules(doc) {
        let interval = schedule.entry("interval");
        let is_cron = interval.is_some_and(|(_, v)| v.as_str() == Some("cron"));
        match (schedule.entry("cronjob"), is_cron) {
            (Some((key, _)), false) if interval.is_some() => {
                out.at(key, format!("`{name}` has a `cronjob` but its interval is not `cron`, so the cronjob is ignored"))
            }
            (None, true) => {
                let key = interval.map_or(schedule, |(k, _)| k);
                out.at(key, format!("`{name}` has `interval: cron` but no `cronjob`"))
            }
            (Some((_, value)), true) => {
                if let Some(text) = value.as_str()
                    && let Some(problem) = cron_problem(text)
                {
                    out.at(value, format!("`cronjob` of `{name}` {problem}"));
                }
            }
            _ => {}
        }
    }
}

fn cronjob_timezone(doc: &Doc, out: &mut Out) {
    for (name, schedule) in schedules(doc) {
        let Some(value) = schedule.get("cronjob") else {
            continue;
        };
        if value.as_str().is_some_and(has_timezone) {
            out.at(
                value,
                format!("`cronjob` of `{name}` includes a timezone; GitHub rejects it"),
            );
        }
    }
}

fn time_format(doc: &Doc, out: &mut Out) {
    for (name, schedule) in schedules(doc) {
        let Some(value) = schedule.get("time") else {
            continue;
        };
        let Some(text) = value.as_str() else { continue };
        let unquoted_non_string = matches!(value.value, Value::Str { plain: true, .. })
            && yaml::yaml11_reading(text).is_some();
        if !is_hh_mm(text) && !unquoted_non_string {
            out.at(
                value,
                format!("`time` of `{name}` is \"{text}\"; GitHub wants hh:mm (00:00 to 23:59)"),
            );
        }
    }
}

fn unknown_timezone(doc: &Doc, out: &mut Out) {
    for (name, schedule) in schedules(doc) {
        let Some(value) = schedule.get("timezone") else {
            continue;
        };
        let Some(text) = value.as_str() else { continue };
        if facts::timezones().any(|tz| tz == text) {
            continue;
        }
        let fix = match closest(text, facts::timezones()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "Use an IANA name such as \"Europe/Berlin\" or \"UTC\".".into(),
        };
        out.at_with_fix(
            value,
            format!("`timezone` of `{name}` is \"{text}\", which is not a time zone GitHub knows"),
            fix,
        );
    }
}

fn day_without_weekly(doc: &Doc, out: &mut Out) {
    for (name, schedule) in schedules(doc) {
        let Some((key, _)) = schedule.entry("day") else {
            continue;
        };
        let interval = schedule.get("interval").and_then(Node::as_str);
        // An interval that is not valid at all is invalid-value's to report.
        if let Some(interval) = interval.filter(|i| *i != "weekly" && schema::INTERVALS.contains(i))
        {
            out.at(
                key,
                format!("`day` of `{name}` is ignored with `interval: {interval}`"),
            );
        }
    }
}

/// Every schedule in the file, with a name for messages.
fn schedules<'a>(doc: &Doc<'a>) -> Vec<(String, &'a Node)> {
    let mut found: Vec<(String, &Node)> = doc
        .updates
        .iter()
        .filter_map(|e| {
            e.node
                .get("schedule")
                .map(|s| (format!("{}.schedule", e.name()), s))
        })
        .collect();
    for (name, group) in map_entries(doc.root.get("multi-ecosystem-groups")) {
        if let Some(schedule) = group.get("schedule") {
            found.push((format!("multi-ecosystem-groups.{name}.schedule"), schedule));
        }
    }
    found.retain(|(_, s)| s.as_map().is_some());
    found
}

/// What is wrong with a cron expression that looks like one (phrases such as "every day at 5pm"
/// are GitHub's to judge).
fn cron_problem(text: &str) -> Option<String> {
    let fields: Vec<&str> = text.split_whitespace().collect();
    let looks_like_cron = fields
        .first()
        .is_some_and(|f| f.starts_with(|c: char| c.is_ascii_digit() || c == '*'));
    if !looks_like_cron || has_timezone(text) {
        return None;
    }
    if fields.len() != 5 {
        return Some(format!(
            "has {} fields; GitHub takes 5 (minute hour day month weekday)",
            fields.len()
        ));
    }
    let ok = fields.iter().all(|f| {
        f.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '*' | ',' | '-' | '/'))
    });
    (!ok).then(|| format!("`{text}` is not a cron expression"))
}

fn has_timezone(text: &str) -> bool {
    const ABBREVIATIONS: &[&str] = &[
        "utc", "gmt", "z", "cet", "cest", "eet", "eest", "wet", "west", "bst", "ist", "jst", "kst",
        "est", "edt", "cst", "cdt", "mst", "mdt", "pst", "pdt", "aest", "aedt",
    ];
    text.split_whitespace().any(|token| {
        let lower = token.to_ascii_lowercase();
        lower.starts_with("cron_tz=")
            || lower.starts_with("tz=")
            || ABBREVIATIONS.contains(&lower.as_str())
            || (token.contains('/') && token.starts_with(|c: char| c.is_ascii_uppercase()))
            || ((lower.starts_with("utc") || lower.starts_with("gmt"))
                && lower[3..].starts_with(['+', '-']))
    })
}

fn is_hh_mm(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 5
        && b[2] == b':'
        && [0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit())
        && (b[0] - b'0') * 10 + (b[1] - b'0') < 24
        && b[3] < b'6'
}
