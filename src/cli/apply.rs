//! `drydock apply`: the flags, progress on stderr (each repository's steps with `-v`, every wait
//! for GitHub's limits), with `--dry-run` each repository's exact commit and pull request, then
//! a table of what became of each repository (or the JSON report). Exit status 3 when a
//! repository failed, 2 for a configuration error.

use std::io::Write;
use std::sync::Arc;

use clap::Args;

use super::{ExitStatus, Global, TextOrJson, selection, shown, write_json_in_shard};
use crate::app::apply::{ApplyOptions, ApplyReport, Observer, Proposal, RepoOutcome, apply};
use crate::forge::pacer::Wait;

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Show what each repository would get (commit, branch, pull request); send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Continue the newest unfinished run (its repositories that did not finish).
    #[arg(long)]
    pub resume: bool,
    /// Retry the repositories that failed in the newest run.
    #[arg(long)]
    pub only_failed: bool,
    /// Reopen pull requests that were closed without merging (declined).
    #[arg(long)]
    pub reopen: bool,
    /// Delete drydock's own branch of merged or declined pull requests.
    #[arg(long)]
    pub prune: bool,
    /// Repositories fetched and pushed at once, at most 64 [default: `jobs` in fleet.toml].
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: Option<u16>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

/// Progress on stderr.
struct Progress {
    quiet: bool,
    verbose: bool,
}

impl Observer for Progress {
    fn wait(&self, wait: &Wait) {
        if !self.quiet {
            eprintln!("{}", shown(&wait.to_string()));
        }
    }

    fn step(&self, repo: &str, step: &str) {
        if self.verbose {
            eprintln!("{}: {step}", shown(repo));
        }
    }
}

pub fn run(global: &Global, args: ApplyArgs) -> anyhow::Result<ExitStatus> {
    let options = ApplyOptions {
        selection: selection(global, None),
        dry_run: args.dry_run,
        resume: args.resume,
        only_failed: args.only_failed,
        reopen: args.reopen,
        prune: args.prune,
        jobs: args.jobs.map(usize::from),
    };
    let progress = Arc::new(Progress {
        quiet: global.quiet,
        verbose: global.verbose > 0,
    });
    let report = apply(&options, progress)?;
    let mut out = std::io::stdout().lock();
    match args.format {
        TextOrJson::Json => write_json_in_shard(&mut out, &report, global.shard, false)?,
        TextOrJson::Text => write_text(&mut out, &report, global.quiet)?,
    }
    out.flush()?;
    Ok(if report.failed() > 0 {
        ExitStatus::RepoFailed
    } else {
        ExitStatus::Success
    })
}

fn write_text(out: &mut impl Write, report: &ApplyReport, quiet: bool) -> std::io::Result<()> {
    write_proposals(out, &report.proposals)?;
    let rows: Vec<&RepoOutcome> = report
        .repos
        .iter()
        .filter(|r| !quiet || r.result == crate::app::apply::ApplyResult::Failed)
        .collect();
    let width = rows
        .iter()
        .map(|r| r.name.len())
        .max()
        .unwrap_or(10)
        .max(10);
    writeln!(
        out,
        "{:width$}  {:9}  PULL REQUEST / REASON",
        "REPOSITORY", "RESULT"
    )?;
    for r in rows {
        let mut detail = r.pr.as_ref().map(|p| p.url.clone()).unwrap_or_default();
        if let Some(reason) = &r.reason {
            if !detail.is_empty() {
                detail.push_str("  ");
            }
            detail.push_str(reason);
        }
        writeln!(
            out,
            "{:width$}  {:9}  {}",
            shown(&r.name),
            r.result.as_str(),
            shown(&detail)
        )?;
    }
    let failed = report.failed();
    writeln!(
        out,
        "run {}: {} repositories{}{}",
        report.run,
        report.repos.len(),
        if failed > 0 {
            format!(", {failed} failed (retry with --only-failed)")
        } else {
            String::new()
        },
        if report.dry_run {
            " (dry run: nothing sent)"
        } else {
            ""
        }
    )?;
    Ok(())
}

/// What a dry run would send to each repository: branch, files, commit message, pull request
/// (`onboard --dry-run` prints the same).
pub(super) fn write_proposals(out: &mut impl Write, proposals: &[Proposal]) -> std::io::Result<()> {
    for p in proposals {
        writeln!(out, "== {}: would {}", shown(&p.name), shown(&p.action))?;
        if !p.files.is_empty() {
            writeln!(out, "branch: {}", shown(&p.branch))?;
            for (path, contents) in &p.files {
                writeln!(out, "--- file {} ({} bytes)", shown(path), contents.len())?;
                write!(out, "{}", super::shown_lines(contents))?;
                if !contents.ends_with('\n') {
                    writeln!(out)?;
                }
            }
        }
        if let Some(message) = &p.message {
            writeln!(out, "--- commit message")?;
            write!(out, "{}", super::shown_lines(message))?;
        }
        if let Some(title) = &p.title {
            writeln!(out, "--- pull request: {}", shown(title))?;
        }
        if let Some(body) = &p.body {
            write!(out, "{}", super::shown_lines(body))?;
        }
        writeln!(out)?;
    }
    Ok(())
}
