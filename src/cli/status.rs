//! `drydock status`: the flags, the GitHub client built from `[github]` and the environment, and
//! the report of `app::status` printed as a text table, JSON or Markdown (for
//! `$GITHUB_STEP_SUMMARY`). With `-v` it logs the requests and the GraphQL points they cost.
//! Exits 3 when a repository could not be read, 0 otherwise (a PR that needs a human is news,
//! not a failure).

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::{ExitStatus, Global, shown, write_json_in_shard};
use crate::app::status::{StatusOptions, run as status};
use crate::app::{self, UsageError};
use crate::forge::pacer::Wait;
use crate::report::status as render;

/// `--format` of `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusFormat {
    Text,
    Json,
    /// For a GitHub Actions job summary (`>> "$GITHUB_STEP_SUMMARY"`): under 1 MiB, long tables
    /// collapsed.
    Markdown,
}

/// Where the rollout stands: drydock's pull request in every repository, and whether each
/// default branch is compliant.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = StatusFormat::Text)]
    pub format: StatusFormat,
}

pub fn run(global: &Global, args: StatusArgs) -> anyhow::Result<ExitStatus> {
    let (fleet, targets) = super::load(global, None)?;
    if targets.is_empty() {
        return Err(app::Error::Usage(
            UsageError::new(format!(
                "{}: the fleet has no repositories to report on",
                global.fleet.display()
            ))
            .with_help("add [[repo]] entries, or run `drydock discover --org ORG --write`"),
        )
        .into());
    }
    let quiet = global.quiet;
    // GraphQL answers are not cached (a POST); the REST cache is shared with discover.
    let forge = app::github_client(
        &fleet,
        Arc::new(move |wait: &Wait| {
            if !quiet {
                // The detail may quote what GitHub sent (a status, a message).
                eprintln!("{}", shown(&wait.to_string()));
            }
        }),
        Duration::from_secs(60),
    )?;
    let outcome = status(
        &forge,
        &StatusOptions {
            fleet: &fleet,
            targets: &targets,
            now: chrono::Utc::now(),
        },
    )?;
    let (requests, _) = forge.stats();
    let cost = outcome.cost;
    let remaining = cost
        .remaining
        .map_or_else(|| "unknown".to_string(), |r| r.to_string());
    tracing::info!(
        "GitHub: {requests} requests ({} status queries) for {} repositories; GraphQL cost {} points, {remaining} left",
        cost.requests,
        targets.len(),
        cost.points
    );

    let report = &outcome.report;
    let mut out = std::io::stdout().lock();
    match args.format {
        StatusFormat::Json => write_json_in_shard(&mut out, report, global.shard, true)?,
        StatusFormat::Text => write!(out, "{}", render::text(report))?,
        StatusFormat::Markdown => write!(out, "{}", render::markdown(report))?,
    }
    out.flush()?;
    if report.repos.iter().any(|r| r.failed()) {
        Ok(ExitStatus::RepoFailed)
    } else {
        Ok(ExitStatus::Success)
    }
}
