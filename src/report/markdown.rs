//! The Markdown format, for `$GITHUB_STEP_SUMMARY` and pull-request bodies: a summary line and
//! one table per repository with findings. Paths and names are code spans made by
//! [`markdown_code`] (a backtick in a path cannot close the span); other values go through
//! [`cell`], so no value can end a table row, start a new block or carry a control character.

use std::fmt::Write;

use super::{CheckReport, location};
use crate::finding::Severity;
use crate::text::{escape_terminal, markdown_code};

/// Prose in a table cell: a backslash, a pipe and a newline would end the cell or the row, every
/// other control character is shown escaped.
fn cell(s: &str) -> String {
    let cell = s
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace('\n', "<br>");
    escape_terminal(&cell).into_owned()
}

fn icon(s: Severity) -> &'static str {
    match s {
        Severity::Error => "🔴 error",
        Severity::Warning => "🟡 warning",
        Severity::Note => "🔵 note",
    }
}

pub fn render(report: &CheckReport) -> String {
    let mut out = String::from("## drydock check\n\n");
    let _ = writeln!(out, "**{}**\n", report.summary.line(report.repos.len()));
    if report.data.stale {
        let line = report.data.line();
        let _ = writeln!(
            out,
            "> [!WARNING]\n> {}\n",
            line.strip_prefix("warning: ").unwrap_or(&line)
        );
    }
    let clean: Vec<&str> = report
        .repos
        .iter()
        .filter(|r| r.findings.is_empty() && r.error.is_none())
        .map(|r| r.name.as_str())
        .collect();
    for repo in report
        .repos
        .iter()
        .filter(|r| !r.findings.is_empty() || r.error.is_some())
    {
        let _ = writeln!(out, "### {}\n", cell(&repo.name));
        if let Some(e) = &repo.error {
            let _ = writeln!(out, "Could not be checked: {}\n", cell(&e.message));
        }
        if !repo.findings.is_empty() {
            out.push_str("| Severity | Rule | Location | Finding | Fix |\n|---|---|---|---|---|\n");
            for f in &repo.findings {
                let _ = writeln!(
                    out,
                    "| {} | `{}` | {} | {} | {} |",
                    icon(f.severity),
                    f.rule,
                    markdown_code(&location(f)),
                    cell(&f.message),
                    cell(f.fix.as_deref().unwrap_or(""))
                );
            }
            out.push('\n');
        }
        if !repo.waived.is_empty() {
            let _ = writeln!(
                out,
                "<details><summary>{} waived</summary>\n",
                repo.waived.len()
            );
            for f in &repo.waived {
                let _ = writeln!(
                    out,
                    "- `{}` {}: {}",
                    f.rule,
                    markdown_code(&location(f)),
                    cell(&f.message)
                );
            }
            out.push_str("\n</details>\n\n");
        }
    }
    if !clean.is_empty() {
        let _ = writeln!(
            out,
            "No findings: {}\n",
            clean
                .iter()
                .map(|n| markdown_code(n))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !report.data.stale {
        let _ = writeln!(out, "<sub>{}</sub>", report.data.line());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample;

    #[test]
    fn tables_escape_pipes() {
        let m = render(&sample());
        assert!(m.starts_with("## drydock check\n\n**2 errors"), "{m}");
        assert!(m.contains("| 🔴 error | `base-image/eol` | `Dockerfile:1` |"));
        assert!(
            m.contains("`services/a\\|b/Dockerfile:7` | full variant \\| pipe"),
            "{m}"
        );
        assert!(m.contains("> [!WARNING]"));
    }

    #[test]
    fn backticks_in_paths_stay_inside_the_code_span() {
        let mut report = sample();
        report.repos[0].findings[0].path = "a`](https://evil.example)`/Dockerfile".into();
        report.repos[0].findings[1].message = "x\n| forged | row |\x1b[31m".into();
        let m = render(&report);
        assert!(
            m.contains("| ``a`](https://evil.example)`/Dockerfile:1`` |"),
            "{m}"
        );
        assert!(m.contains("x<br>\\| forged \\| row \\|\\x1b[31m"), "{m}");
        assert!(!m.contains('\x1b'));
    }
}
