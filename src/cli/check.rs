//! `drydock check`: the flags, and the report printed as text, JSON, SARIF or Markdown (the
//! checking itself is `app::check`). Exit 1 on an error-level finding.

use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, ValueEnum};

use super::{ExitStatus, Global, load};
use crate::app::UsageError;
use crate::app::check::{CheckContext, check};
use crate::finding::Severity;
use crate::report;

/// Check Dockerfiles against the base-image policy, and Trivy reports against the CVE deadlines.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Check this directory instead of the fleet (no fleet.toml needed).
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// A Trivy JSON report (`trivy image --format json`); repeatable.
    #[arg(long = "trivy-report", value_name = "FILE")]
    pub trivy_reports: Vec<PathBuf>,
    /// Directory with newer image data than the data drydock ships.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Evaluate as of this time (RFC 3339) instead of now: reproducible reports and tests.
    #[arg(long, value_name = "TIME", hide = true)]
    pub now: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Markdown,
}

pub fn run(global: &Global, args: CheckArgs) -> anyhow::Result<ExitStatus> {
    let (fleet, targets) = load(global, args.path.clone())?;
    let now = match &args.now {
        Some(t) => parse_now(t)?,
        None => Utc::now(),
    };
    let report = check(&CheckContext {
        fleet: &fleet,
        targets: &targets,
        data_dir: args.data_dir.as_deref(),
        trivy_reports: &args.trivy_reports,
        now,
    })?;

    let rendered = match args.format {
        Format::Text if global.quiet => {
            // Only errors, and the summary of everything.
            let mut errors = report.clone();
            for r in &mut errors.repos {
                r.findings.retain(|f| f.severity == Severity::Error);
                r.waived.clear();
            }
            report::text(&errors, super::colour())
        }
        Format::Text => report::text(&report, super::colour()),
        Format::Json => report::json_in_shard(&report, global.shard.map(Into::into)),
        Format::Sarif => report::sarif(&report, &crate::catalogue::rules().collect::<Vec<_>>()),
        Format::Markdown => report::markdown(&report),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(rendered.as_bytes())?;
    out.flush()?;
    if args.format != Format::Text && report.data.stale {
        eprintln!("{}", super::shown(&report.data.line()));
    }
    Ok(if report.summary.errors > 0 {
        ExitStatus::Findings
    } else if report.summary.repos_failed > 0 {
        ExitStatus::RepoFailed
    } else {
        ExitStatus::Success
    })
}

/// `--now`: an RFC 3339 time.
fn parse_now(text: &str) -> Result<DateTime<Utc>, crate::app::Error> {
    let time = DateTime::parse_from_rfc3339(text)
        .map_err(|e| UsageError::new(format!("--now {text:?} is not an RFC 3339 time: {e}")))?;
    Ok(time.with_timezone(&Utc))
}
