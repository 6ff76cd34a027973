//! The text format: findings grouped by repository as `path:line  severity  rule  message`, the
//! fix on the next line, then a summary. Colour only when asked (a terminal without `NO_COLOR`).
//! Every value that comes from a repository, a registry or the configuration (names, paths,
//! messages, fixes, errors) goes through [`shown`], so none can drive the terminal or forge a line.

use std::borrow::Cow;
use std::fmt::Write;

use super::{CheckReport, location};
use crate::finding::Severity;
use crate::text::escape_terminal;

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn severity(&self, s: Severity) -> String {
        let code = match s {
            Severity::Error => "1;31",
            Severity::Warning => "33",
            Severity::Note => "36",
        };
        self.wrap(code, &format!("{:<7}", s.as_str()))
    }
}

/// A value as printed: control characters escaped ([`escape_terminal`]).
fn shown(value: &str) -> Cow<'_, str> {
    escape_terminal(value)
}

pub fn render(report: &CheckReport, colour: bool) -> String {
    let p = Paint(colour);
    let mut out = String::new();
    for repo in &report.repos {
        if repo.findings.is_empty() && repo.error.is_none() && repo.waived.is_empty() {
            let _ = writeln!(
                out,
                "{} {}",
                p.wrap("1", &shown(&repo.name)),
                p.wrap("32", "ok")
            );
            continue;
        }
        let _ = writeln!(out, "{}", p.wrap("1", &shown(&repo.name)));
        if let Some(e) = &repo.error {
            let _ = writeln!(
                out,
                "  {} could not be checked: {e}",
                p.severity(Severity::Error),
                e = shown(&e.message)
            );
        }
        for f in &repo.findings {
            let _ = writeln!(
                out,
                "  {}  {}  {}  {}",
                shown(&location(f)),
                p.severity(f.severity),
                p.wrap("2", &f.rule),
                shown(&f.message)
            );
            if let Some(fix) = &f.fix {
                let _ = writeln!(out, "      fix: {}", shown(fix));
            }
        }
        for f in &repo.waived {
            let _ = writeln!(
                out,
                "  {}  {}  {}  {}",
                shown(&location(f)),
                p.wrap("2", "waived "),
                p.wrap("2", &f.rule),
                shown(&f.message)
            );
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", report.summary.line(report.repos.len()));
    let data = shown(&report.data.line()).into_owned();
    let _ = writeln!(
        out,
        "{}",
        if report.data.stale {
            p.wrap("33", &data)
        } else {
            data
        }
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample;

    #[test]
    fn groups_by_repository_with_locations() {
        let t = render(&sample(), false);
        assert!(
            t.contains("acme/api\n  Dockerfile:1  error    base-image/eol  FROM python:3.8"),
            "{t}"
        );
        assert!(t.contains("      fix: `python:3.8` → `python:3.14-slim`"));
        assert!(t.contains("acme/web\n  error   could not be checked: not synced"));
        assert!(
            t.contains(
                "2 errors, 1 warning, 0 notes in 2 repositories; 1 repository could not be checked"
            ),
            "{t}"
        );
        assert!(!t.contains('\x1b'));
        assert!(render(&sample(), true).contains("\x1b[1;31m"));
    }

    #[test]
    fn values_from_repositories_cannot_drive_the_terminal() {
        let mut report = sample();
        report.repos[0].name = "acme/\x1b]0;owned\x07api".into();
        let f = &mut report.repos[0].findings[0];
        f.path = "evil\n  Dockerfile:9  error    forged/rule  all clear\x1b[2K/Dockerfile".into();
        f.message = "FROM x\ry".into();
        let t = render(&report, true);
        assert!(t.contains("acme/\\x1b]0;owned\\x07api"), "{t}");
        assert!(t.contains("evil\\n  Dockerfile:9"), "{t}");
        assert!(t.contains("FROM x\\ry"), "{t}");
        assert!(!t.lines().any(|l| l.starts_with("  Dockerfile:9")), "{t}");
        assert!(!t.contains('\r') && !t.contains('\x07') && !t.contains("\x1b]"));
    }
}
