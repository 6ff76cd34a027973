//! `drydock report html [--out FILE] FILE...`: reads check and status reports (JSON), writes the
//! fleet dashboard, one self-contained HTML file (the page itself is `report::html`). The web
//! host of the links is the fleet's `[github]` when `--fleet` is given, else github.com; the
//! branch of a finding's link is the fleet entry's `branch`, else `HEAD` (the default branch).

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use clap::Args;

use super::{ExitStatus, Global};
use crate::app::{self, UsageError};
use crate::report::html::{self, Dashboard, Links, Source};

/// The most one input report may hold: a check report of 50,000 repositories is well under it.
const MAX_REPORT_BYTES: u64 = 512 * 1024 * 1024;

/// Write the fleet dashboard: one self-contained HTML file from check and status JSON reports.
#[derive(Debug, Args)]
pub struct HtmlArgs {
    /// Reports to read: `drydock check --format json` and `drydock status --format json`
    /// output (several of each: shards), in any order.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Write the page here instead of to stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Render as of this time (RFC 3339) instead of now: reproducible pages and tests.
    #[arg(long, value_name = "TIME", hide = true)]
    pub now: Option<String>,
}

pub fn run(global: &Global, args: HtmlArgs) -> anyhow::Result<ExitStatus> {
    let now = match &args.now {
        Some(t) => DateTime::parse_from_rfc3339(t)
            .map_err(|e| UsageError::new(format!("--now {t:?} is not an RFC 3339 time: {e}")))?
            .with_timezone(&Utc),
        None => Utc::now(),
    };
    let links = links(global)?;
    let sources = read_sources(&args.files)?;
    let dashboard = Dashboard::build(&sources, &links).map_err(input_error)?;
    let page = html::render(&dashboard, now);
    match &args.out {
        Some(out) => {
            crate::fs::write_atomic(out, page.as_bytes()).map_err(anyhow::Error::from)?;
            if !global.quiet {
                eprintln!(
                    "drydock: wrote {} ({} repositories from {} reports)",
                    super::shown(&out.display().to_string()),
                    dashboard.rows.len(),
                    sources.len()
                );
            }
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(page.as_bytes())?;
            stdout.flush()?;
        }
    }
    for (kind, count, missing) in dashboard.missing_shards() {
        if count > 0 {
            let list: Vec<String> = missing.iter().map(u32::to_string).collect();
            eprintln!(
                "warning: the {kind} reports miss shard {} of {count}: their repositories are not on the page",
                list.join(", ")
            );
        } else {
            eprintln!("warning: the {kind} reports are shards of runs with different shard counts");
        }
    }
    Ok(ExitStatus::Success)
}

/// Where links point: the fleet's GitHub and branches when `--fleet` names one.
fn links(global: &Global) -> Result<Links, app::Error> {
    if !global.fleet_given {
        return Ok(Links::default());
    }
    let selection = app::Selection {
        fleet: global.fleet.clone(),
        fleet_given: true,
        ..app::Selection::default()
    };
    let (fleet, _) = app::load_config(&selection)?;
    Ok(Links {
        web: format!("https://{}", fleet.github.web_host()),
        branches: fleet
            .repos
            .iter()
            .filter_map(|r| Some((r.name.clone(), r.branch.clone()?)))
            .collect(),
    })
}

/// Every input parsed; a file named twice is refused (its repositories would be counted twice).
fn read_sources(files: &[PathBuf]) -> Result<Vec<Source>, app::Error> {
    let mut seen: Vec<(PathBuf, &Path)> = Vec::new();
    let mut sources = Vec::with_capacity(files.len());
    for file in files {
        let shown = file.display().to_string();
        let canonical = std::fs::canonicalize(file).unwrap_or_else(|_| file.clone());
        if let Some((_, first)) = seen.iter().find(|(c, _)| *c == canonical) {
            let also = if *first == file.as_path() {
                String::new()
            } else {
                format!(" (also as {})", first.display())
            };
            return Err(UsageError::new(format!("{shown}: given twice{also}"))
                .with_help("name each report once: its repositories would count twice")
                .into());
        }
        seen.push((canonical, file));
        let bytes = crate::fs::read_named_file(file, MAX_REPORT_BYTES).map_err(|e| {
            let help = if e.is_not_found() {
                "pass the file `drydock check --format json > FILE` or `drydock status --format json > FILE` wrote"
            } else {
                "pass a regular file holding a report"
            };
            UsageError::new(format!("{shown}: cannot read it: {e}")).with_help(help)
        })?;
        let text = String::from_utf8(bytes).map_err(|_| {
            UsageError::new(format!("{shown}: not UTF-8 text, so not a drydock report"))
                .with_help("pass the JSON of `drydock check` or `drydock status`")
        })?;
        let report = html::parse(&shown, &text).map_err(input_error)?;
        sources.push(Source {
            file: shown,
            written: modified(file),
            report,
        });
    }
    Ok(sources)
}

fn modified(file: &Path) -> Option<String> {
    let time = std::fs::metadata(file).ok()?.modified().ok()?;
    Some(DateTime::<Utc>::from(time).to_rfc3339_opts(SecondsFormat::Secs, true))
}

fn input_error(e: html::InputError) -> app::Error {
    UsageError::new(format!("{}: {}", e.file, e.message))
        .with_help(e.help)
        .into()
}
