//! `drydock onboard owner/repo`: the flags, each stage on stderr as it starts, then what
//! `app::onboard` did: the new fleet.toml line, and the pull request's URL, or that the
//! repository is compliant already. `--dry-run` prints the fleet.toml change as a unified diff and
//! what `apply --dry-run` would send. Exit status 2 for a duplicate (or any configuration
//! error), 3 when the forge refuses the repository or a step after the entry was written failed
//! (the message says the entry stays, and what to run next).

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;

use super::{ExitStatus, Global, shown, shown_lines};
use crate::app::apply::ApplyResult;
use crate::app::onboard::{Observer, OnboardOptions, OnboardReport, Outcome, Stage, onboard};
use crate::forge::pacer::Wait;

#[derive(Debug, Args)]
pub struct OnboardArgs {
    /// The repository, `owner/repo` as on GitHub.
    #[arg(value_name = "OWNER/REPO")]
    pub name: String,
    /// Clone it from this URL instead of the fleet's GitHub.
    #[arg(long, value_name = "URL", conflicts_with = "path")]
    pub url: Option<String>,
    /// A local checkout of it, used in place (written relative to fleet.toml when inside its
    /// directory).
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,
    /// Track this branch instead of the default branch.
    #[arg(long, value_name = "BRANCH")]
    pub branch: Option<String>,
    /// Show the fleet.toml change and what `apply --dry-run` would send; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Stages and waits on stderr.
struct Progress {
    quiet: bool,
    name: String,
}

impl Observer for Progress {
    fn stage(&self, stage: Stage) {
        if self.quiet {
            return;
        }
        let doing = match stage {
            Stage::LookUp => "looking it up on GitHub",
            Stage::Write => "adding it to the fleet file",
            Stage::Sync => "syncing",
            Stage::Plan => "planning",
            Stage::Apply => "applying",
        };
        eprintln!("{}: {doing}", shown(&self.name));
    }

    fn wait(&self, wait: &Wait) {
        if !self.quiet {
            eprintln!("{}", shown(&wait.to_string()));
        }
    }
}

pub fn run(global: &Global, args: OnboardArgs) -> anyhow::Result<ExitStatus> {
    let options = OnboardOptions {
        fleet: global.fleet.clone(),
        name: args.name.clone(),
        url: args.url,
        path: args.path,
        branch: args.branch,
        dry_run: args.dry_run,
    };
    let progress = Arc::new(Progress {
        quiet: global.quiet,
        name: args.name,
    });
    let report = onboard(&options, progress)?;
    let mut out = std::io::stdout().lock();
    write_text(&mut out, &report)?;
    out.flush()?;
    if let Some(unfinished) = report.unfinished() {
        let name = shown(&report.name);
        if report.dry_run {
            eprintln!(
                "error: {name}: {}\n  help: nothing was written; fix the cause and run the dry run again",
                shown_lines(&unfinished.to_string())
            );
            return Ok(ExitStatus::RepoFailed);
        }
        eprintln!(
            "error: {name} is in {} now, but {}\n  help: the entry is correct and stays; once the cause is fixed, run `{}`",
            shown(&report.fleet_file.display().to_string()),
            shown_lines(&unfinished.to_string()),
            shown(&unfinished.next),
        );
        return Ok(ExitStatus::RepoFailed);
    }
    Ok(ExitStatus::Success)
}

fn write_text(out: &mut impl Write, report: &OnboardReport) -> std::io::Result<()> {
    let name = shown(&report.name);
    let file = report.fleet_file.display().to_string();
    let file = shown(&file);
    if report.dry_run {
        write!(out, "{}", fleet_diff(report))?;
    } else {
        writeln!(out, "{file}:{}: added {name}", report.line)?;
    }
    match &report.outcome {
        Outcome::Compliant => {
            let verb = if report.dry_run { "would be" } else { "is" };
            writeln!(
                out,
                "{name} {verb} compliant: nothing to change, no pull request"
            )?;
        }
        Outcome::Applied(applied) if report.dry_run => {
            super::apply::write_proposals(out, &applied.report.proposals)?;
        }
        Outcome::Applied(applied) => {
            let outcome = &applied.outcome;
            let what = match outcome.result {
                ApplyResult::Opened => "opened drydock's pull request",
                ApplyResult::Updated => "updated drydock's pull request",
                ApplyResult::Unchanged => "drydock's pull request is up to date",
                other => other.as_str(),
            };
            match &outcome.pr {
                Some(pr) => writeln!(out, "{name}: {what} #{}: {}", pr.number, shown(&pr.url))?,
                None => writeln!(out, "{name}: {what}")?,
            }
            if let Some(reason) = &outcome.reason {
                writeln!(out, "  {}", shown_lines(reason))?;
            }
        }
        Outcome::Unfinished(_) => {}
    }
    if report.dry_run {
        writeln!(out, "dry run: {file} unchanged, nothing sent to GitHub")?;
    }
    Ok(())
}

/// The fleet.toml change as a unified diff, control characters escaped.
fn fleet_diff(report: &OnboardReport) -> String {
    let file = report.fleet_file.display().to_string();
    let diff = similar::TextDiff::from_lines(&report.before, &report.after);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(&file, &file)
        .to_string();
    shown_lines(&text)
}
