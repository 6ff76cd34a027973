//! `drydock plan`: the flags, and the plan (`app::plan`) printed as coloured diffs or JSON.
//! `--write` applies the changes to the working trees (never commits); `--exit-code` turns a
//! due change into exit 1.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::{ExitStatus, Global, TextOrJson, load, shown, write_json};
use crate::app::plan::{PlanContext, PlanReport, plan};
use crate::plan::Action;

/// Show the files drydock would create or change, as diffs, and the findings about them.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Plan this directory instead of the fleet (no fleet.toml needed).
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
    /// Exit with status 1 when any repository has a change (for drift checks in CI).
    #[arg(long)]
    pub exit_code: bool,
    /// Apply the changes to the working trees (no commit).
    #[arg(long)]
    pub write: bool,
}

pub fn run(global: &Global, args: PlanArgs) -> anyhow::Result<ExitStatus> {
    let (fleet, targets) = load(global, args.path.clone())?;
    let report = plan(&PlanContext {
        fleet: &fleet,
        targets: &targets,
        write: args.write,
    });
    if let Some(warning) = &report.workflow_warning {
        eprintln!("warning: {}", shown(warning));
    }
    let mut out = std::io::stdout().lock();
    match args.format {
        TextOrJson::Json => write_json(&mut out, &report, false)?,
        TextOrJson::Text => write_text(&mut out, &report, super::colour(), args.write)?,
    }
    out.flush()?;
    let failed = report.failed();
    if failed > 0 {
        eprintln!(
            "error: {failed} of {} repositories could not be planned",
            report.repos.len()
        );
        return Ok(ExitStatus::RepoFailed);
    }
    if args.exit_code && report.has_changes() {
        return Ok(ExitStatus::Findings);
    }
    Ok(ExitStatus::Success)
}

fn write_text(
    out: &mut impl Write,
    report: &PlanReport,
    colour: bool,
    wrote: bool,
) -> std::io::Result<()> {
    let paint = |code: &str, s: &str| {
        if colour {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    for repo in &report.repos {
        writeln!(out, "{}", paint("1", &format!("== {}", shown(&repo.name))))?;
        if let Some(e) = &repo.error {
            writeln!(out, "  {}: {}", paint("31", "error"), shown(&e.to_string()))?;
            continue;
        }
        if repo.changes.is_empty() {
            writeln!(out, "  no changes")?;
        }
        for c in &repo.changes {
            let verb = match (c.action, wrote) {
                (Action::Create, false) => "would create",
                (Action::Update, false) => "would update",
                (Action::Create, true) => "created",
                (Action::Update, true) => "updated",
            };
            writeln!(out, "  {verb} {}", shown(&c.path))?;
            for r in &c.reasons {
                writeln!(out, "    - {}", shown(&r.to_string()))?;
            }
            for line in c.diff.lines() {
                let line = &*shown(line);
                let painted = match line.as_bytes().first() {
                    _ if line.starts_with("+++") || line.starts_with("---") => paint("1", line),
                    Some(b'+') => paint("32", line),
                    Some(b'-') => paint("31", line),
                    Some(b'@') => paint("36", line),
                    _ => line.to_string(),
                };
                writeln!(out, "    {painted}")?;
            }
        }
        for f in &repo.findings {
            let at = match (f.line, f.column) {
                (Some(l), Some(c)) => format!("{}:{l}:{c}", shown(&f.path)),
                (Some(l), None) => format!("{}:{l}", shown(&f.path)),
                _ => shown(&f.path).into_owned(),
            };
            let sev = match f.severity {
                crate::finding::Severity::Error => paint("31", "error"),
                crate::finding::Severity::Warning => paint("33", "warning"),
                crate::finding::Severity::Note => paint("36", "note"),
            };
            writeln!(out, "  {sev} {at}: {} [{}]", shown(&f.message), f.rule)?;
            if let Some(fix) = &f.fix {
                writeln!(out, "    fix: {}", shown(fix))?;
            }
        }
    }
    let changed = report
        .repos
        .iter()
        .filter(|r| !r.changes.is_empty())
        .count();
    writeln!(
        out,
        "{changed} of {} repositories {}",
        report.repos.len(),
        if wrote { "changed" } else { "would change" }
    )?;
    Ok(())
}
