//! The text format: findings grouped by repository, then by file (Dockerfiles and compose files
//! first), as `path:line  severity  rule  message` with the fix on the next line, then a summary.
//! The findings of one line (every problem of one `FROM`) share one line: the worst severity,
//! the rules joined, the messages joined, one fix per distinct fix. Colour only when asked (a
//! terminal without `NO_COLOR`). Every value that comes from a repository, a registry or the
//! configuration (names, paths, messages, fixes, errors) goes through [`shown`], so none can
//! drive the terminal or forge a line.

use std::borrow::Cow;
use std::fmt::Write;

use super::{CheckReport, location};
use crate::finding::{Finding, Severity};
use crate::text::escape_terminal;

/// A value as printed: control characters escaped ([`escape_terminal`]).
fn shown(value: &str) -> Cow<'_, str> {
    escape_terminal(value)
}

/// Whether a finding is about a Dockerfile or compose file (shown before the repository's other
/// files).
fn is_image_file(f: &Finding) -> bool {
    f.rule.starts_with("base-image/")
        || f.rule.starts_with("multi-stage/")
        || f.rule.starts_with("dockerfile/")
        || f.rule.starts_with("cve/")
}

/// The findings grouped by file, image files first, then in their order; the Dockerfile
/// findings of one line (one `FROM`) together.
fn grouped(findings: &[Finding]) -> Vec<Vec<&Finding>> {
    let mut files: Vec<(&str, bool)> = Vec::new();
    for f in findings {
        if !files.iter().any(|(p, _)| *p == f.path) {
            files.push((&f.path, false));
        }
        if is_image_file(f)
            && let Some(entry) = files.iter_mut().find(|(p, _)| *p == f.path)
        {
            entry.1 = true;
        }
    }
    files.sort_by_key(|(_, image)| !image);
    let mut out: Vec<Vec<&Finding>> = Vec::new();
    for (path, _) in files {
        for f in findings.iter().filter(|f| f.path == path) {
            match out.last_mut() {
                Some(group)
                    if f.line.is_some()
                        && is_image_file(f)
                        && is_image_file(group[0])
                        && group[0].path == f.path
                        && group[0].line == f.line =>
                {
                    group.push(f)
                }
                _ => out.push(vec![f]),
            }
        }
    }
    out
}

/// The rules of a line, joined.
fn rules_of(group: &[&Finding]) -> String {
    group
        .iter()
        .map(|f| f.rule.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The messages of a line, joined (each as the rule wrote it).
fn messages_of(group: &[&Finding]) -> String {
    group
        .iter()
        .map(|f| f.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The distinct fixes of a line, in order.
fn fixes_of<'a>(group: &[&'a Finding]) -> Vec<&'a str> {
    let mut fixes: Vec<&str> = Vec::new();
    for f in group {
        if let Some(fix) = f.fix.as_deref()
            && !fixes.contains(&fix)
        {
            fixes.push(fix);
        }
    }
    fixes
}

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
                "  {} could not be checked: {}",
                p.severity(Severity::Error),
                shown(&e.to_string())
            );
        }
        for group in grouped(&repo.findings) {
            let worst = group.iter().map(|f| f.severity).max().expect("non-empty");
            let _ = writeln!(
                out,
                "  {}  {}  {}  {}",
                shown(&location(group[0])),
                p.severity(worst),
                p.wrap("2", &rules_of(&group)),
                shown(&messages_of(&group))
            );
            for fix in fixes_of(&group) {
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
    fn one_line_per_from_and_dockerfiles_first() {
        use crate::finding::Finding;
        let mut report = sample();
        let f = |rule: &str, path: &str, line: usize, sev: Severity, fix: &str| Finding {
            rule: rule.into(),
            severity: sev,
            path: path.into(),
            line: Some(line),
            column: None,
            message: format!("{rule} message"),
            fix: Some(fix.into()),
            suggestion: None,
        };
        report.repos[0].findings = vec![
            f(
                "dependabot/docker-coverage",
                ".github/dependabot.yml",
                3,
                Severity::Error,
                "add it",
            ),
            f(
                "base-image/outdated",
                "Dockerfile",
                1,
                Severity::Warning,
                "`a` → `b`",
            ),
            f(
                "base-image/not-slim",
                "Dockerfile",
                1,
                Severity::Warning,
                "`a` → `b`",
            ),
            f(
                "base-image/restricted-final",
                "Dockerfile",
                1,
                Severity::Warning,
                "ship from distroless",
            ),
        ];
        let t = render(&report, false);
        let dockerfile = t.find("Dockerfile:1").unwrap();
        let dependabot = t.find(".github/dependabot.yml:3").unwrap();
        assert!(dockerfile < dependabot, "{t}");
        assert!(
            t.contains("Dockerfile:1  warning  base-image/outdated, base-image/not-slim, base-image/restricted-final  base-image/outdated message; base-image/not-slim message; base-image/restricted-final message\n      fix: `a` → `b`\n      fix: ship from distroless\n"),
            "{t}"
        );
        assert_eq!(t.matches("Dockerfile:1").count(), 1);
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
