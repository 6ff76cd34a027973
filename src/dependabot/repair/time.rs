//! `schedule.time` with a one-digit hour (`6:00`): GitHub wants hh:mm, and the meant time is
//! certain.

use yaml_edit::Mapping;

use super::session::{Session, scalar_string};
use crate::dependabot::yaml_text::quote;

/// Writes `h:mm` as `"0h:mm"`.
pub(super) fn two_digit_hours(s: &mut Session, schedule: &Mapping, what: &str) {
    let Some(time) = schedule.get("time") else {
        return;
    };
    let Some(value) = scalar_string(&time) else {
        return;
    };
    let fixed = match value.split_once(':') {
        Some((h, m))
            if h.len() == 1
                && h.chars().all(|c| c.is_ascii_digit())
                && m.len() == 2
                && m.chars().all(|c| c.is_ascii_digit()) =>
        {
            format!("0{h}:{m}")
        }
        _ => return,
    };
    let r = time.byte_range();
    s.edit(r.start as usize, r.end as usize, quote(&fixed));
    s.change(
        r.start as usize,
        format!("wrote `schedule.time` {value:?} as {fixed:?} in {what}"),
        "GitHub requires `time` as hh:mm with two-digit hours",
    );
}
