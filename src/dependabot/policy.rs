//! The facts about dependabot.yml that generation ([`super::desired`]), validation
//! ([`super::validate`]) and repair ([`super::repair`]) must agree on, defined once: the
//! base-image policy for docker entries (its labels, a schedule that runs at least weekly) and
//! GitHub's limit on the number of entries.

use chrono::{Datelike, Days, NaiveDate};

/// GitHub's limit on the number of `updates` entries.
pub const MAX_UPDATES: usize = 200;

/// The labels the base-image policy puts on every docker entry (POLICY.md).
pub const DOCKER_POLICY_LABELS: [&str; 3] = ["dependencies", "docker", "security"];

/// The intervals that run at least weekly.
const AT_LEAST_WEEKLY: [&str; 2] = ["daily", "weekly"];

/// Whether a schedule runs at least once in every 7-day window, as the policy wants of docker
/// entries: `daily` and `weekly` do, `monthly` and the rest do not. A 5-field cron expression
/// does when no 7 consecutive days pass without a day it fires on, over every calendar
/// alignment: `0 6 * * 1` (Mondays) and `0 6 */3 * *` (every third day of the month) do,
/// `0 6 1 * *` (monthly) and `0 6 * 1 *` (January only) do not.
///
/// `None` when drydock cannot tell: no `cronjob`, a natural-language phrase ("every day at
/// 5pm", GitHub's to read), anything that does not parse as a cron expression, or both
/// day-of-month and day-of-week restricted in a way where cron's two readings of that (either
/// day matches, or both must) disagree about it.
pub fn runs_at_least_weekly(interval: &str, cronjob: Option<&str>) -> Option<bool> {
    if interval != "cron" {
        return Some(AT_LEAST_WEEKLY.contains(&interval));
    }
    let fields: Vec<&str> = cronjob?.split_whitespace().collect();
    let [minute, hour, day, month, weekday] = fields[..] else {
        return None;
    };
    field(minute, 0, 59, &[])?;
    field(hour, 0, 23, &[])?;
    let days = field(day, 1, 31, &[])?;
    let months = field(month, 1, 12, &MONTHS)?;
    let weekdays = field(weekday, 0, 7, &WEEKDAYS)?;
    let fires = |both_must_match: bool| {
        fires_weekly(|date| {
            let weekday = date.weekday().num_days_from_sunday();
            let on_day = days.contains(date.day());
            let on_weekday = weekdays.contains(weekday) || (weekday == 0 && weekdays.contains(7));
            months.contains(date.month())
                && if both_must_match {
                    on_day && on_weekday
                } else {
                    on_day || on_weekday
                }
        })
    };
    if day == "*" || weekday == "*" {
        // The unrestricted field matches every day: the other decides.
        return Some(fires(true));
    }
    let either = fires(false);
    (either == fires(true)).then_some(either)
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const WEEKDAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/// Whether a day predicate holds at least once in every 7 consecutive days, over 28 years: every
/// alignment of weekdays, month lengths and leap years there is until 2100.
fn fires_weekly(fires_on: impl Fn(NaiveDate) -> bool) -> bool {
    let start = NaiveDate::from_ymd_opt(2001, 1, 1).expect("a valid date");
    let mut quiet_days = 0;
    for offset in 0..28 * 366 {
        let date = start + Days::new(offset);
        quiet_days = if fires_on(date) { 0 } else { quiet_days + 1 };
        if quiet_days >= 7 {
            return false;
        }
    }
    true
}

/// The values a cron field allows, as a bit set: `*`, `n`, `a-b`, each with an optional
/// `/step`, in a comma list; `names` (lower-case, first = `min`) stand for numbers.
fn field(text: &str, min: u32, max: u32, names: &[&str]) -> Option<Values> {
    let number = |s: &str| -> Option<u32> {
        let n = match s.parse::<u32>() {
            Ok(n) => n,
            Err(_) => {
                let lower = s.to_ascii_lowercase();
                min + u32::try_from(names.iter().position(|n| *n == lower)?).ok()?
            }
        };
        (min..=max).contains(&n).then_some(n)
    };
    let mut values = Values(0);
    for item in text.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => (range, step.parse::<usize>().ok().filter(|s| *s > 0)?),
            None => (item, 1),
        };
        let (from, to) = if range == "*" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            (number(a)?, number(b)?)
        } else {
            // `5/10` is every tenth value from 5 on.
            let n = number(range)?;
            (n, if item.contains('/') { max } else { n })
        };
        if from > to {
            return None;
        }
        for v in (from..=to).step_by(step) {
            values.0 |= 1 << v;
        }
    }
    Some(values)
}

/// A set of values from 0 to 63.
#[derive(Clone, Copy)]
struct Values(u64);

impl Values {
    fn contains(self, value: u32) -> bool {
        self.0 & (1 << value) != 0
    }
}

/// `configured` followed by each policy label it lacks.
pub fn with_policy_labels(configured: Option<&[String]>) -> Vec<String> {
    let mut labels: Vec<String> = configured.map(<[String]>::to_vec).unwrap_or_default();
    for l in DOCKER_POLICY_LABELS {
        if !labels.iter().any(|x| x == l) {
            labels.push(l.to_string());
        }
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::runs_at_least_weekly as weekly;

    fn cron(expression: &str) -> Option<bool> {
        weekly("cron", Some(expression))
    }

    #[test]
    fn intervals() {
        assert_eq!(weekly("daily", None), Some(true));
        assert_eq!(weekly("weekly", None), Some(true));
        assert_eq!(weekly("monthly", None), Some(false));
        assert_eq!(weekly("quarterly", None), Some(false));
        assert_eq!(weekly("cron", None), None);
    }

    #[test]
    fn a_cron_is_weekly_when_no_seven_days_pass_without_a_run() {
        for yes in [
            "0 6 * * *",
            "0 6 * * 1",
            "0 6 * * MON",
            "0 6 * * 0",
            "0 6 * * 7",
            "0 6 */3 * *",
            "0 6 */7 * *",
            "0 6 1-31/2 * *",
            "0 6 1,8,15,22,29 * *",
            "0 6 1-28 * *",
            "0 6 * 1-12 *",
            "*/15 */2 * * 1-5",
        ] {
            assert_eq!(cron(yes), Some(true), "{yes}");
        }
        for no in [
            "0 6 1 * *",
            "0 6 */8 * *",
            "0 6 1,15 * *",
            "0 6 * 1 *",
            "0 6 * */2 *",
            "0 6 1-20 * *",
        ] {
            assert_eq!(cron(no), Some(false), "{no}");
        }
    }

    #[test]
    fn what_cannot_be_told_is_none() {
        for unsure in [
            "every day at 5pm",
            "0 6 * *",
            "0 6 * * 1 2026",
            "0 6 L * *",
            "0 25 * * *",
            "0 6 */0 * *",
            // Either day matches (weekly) or both must (a Monday that is the 1st): cron
            // implementations differ, so drydock does not guess.
            "0 6 1 * 1",
        ] {
            assert_eq!(cron(unsure), None, "{unsure}");
        }
    }
}
