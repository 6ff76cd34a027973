//! `drydock discover`: the flags, the GitHub client built from `[github]` and the environment,
//! and what `app::discover` found printed as text or JSON. Waits for GitHub's limits are shown
//! on stderr as they happen.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use regex::Regex;

use super::{ExitStatus, Global, TextOrJson, shown, write_json};
use crate::app::discover::{
    DiscoverOptions, DiscoverReport, GoneReason, parse_property, run as discover,
};
use crate::app::{self, UsageError};
use crate::forge::pacer::Wait;

/// List an organisation's repositories and show how fleet.toml would change.
#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// The organisation (or user) whose repositories to list.
    #[arg(long, value_name = "ORG")]
    pub org: String,
    /// Only repositories with this topic; repeat for several (all must match).
    #[arg(long = "topic", value_name = "TOPIC")]
    pub topics: Vec<String>,
    /// Only repositories whose custom property NAME is VALUE; repeatable.
    #[arg(long = "property", value_name = "NAME=VALUE")]
    pub properties: Vec<String>,
    /// Only repository names (without the owner) matching this regular expression.
    #[arg(long = "match", value_name = "REGEX")]
    pub matches: Option<String>,
    /// Leave out repository names matching this regular expression.
    #[arg(long, value_name = "REGEX")]
    pub exclude: Option<String>,
    /// Include forks.
    #[arg(long)]
    pub include_forks: bool,
    /// Include archived repositories.
    #[arg(long)]
    pub include_archived: bool,
    /// Add the new repositories to fleet.toml (nothing else in the file changes).
    #[arg(long)]
    pub write: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

fn regex(flag: &str, value: &Option<String>) -> Result<Option<Regex>, app::Error> {
    value
        .as_deref()
        .map(|v| {
            Regex::new(v).map_err(|e| {
                app::Error::Usage(
                    UsageError::new(format!("{flag} {v:?} is not a regular expression: {e}"))
                        .with_help("the syntax is Rust's regex crate's, e.g. '^svc-'"),
                )
            })
        })
        .transpose()
}

pub fn run(global: &Global, args: DiscoverArgs) -> anyhow::Result<ExitStatus> {
    let fleet = app::load_fleet(&global.fleet, false).map_err(app::Error::Config)?;
    let fleet_text = std::fs::read_to_string(&fleet.file)?;
    let properties = args
        .properties
        .iter()
        .map(|p| parse_property(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(app::Error::Usage)?;
    let options = DiscoverOptions {
        fleet: &fleet,
        fleet_text: &fleet_text,
        org: args.org.clone(),
        topics: args.topics.clone(),
        properties,
        matches: regex("--match", &args.matches)?,
        exclude: regex("--exclude", &args.exclude)?,
        include_forks: args.include_forks,
        include_archived: args.include_archived,
        write: args.write,
    };
    let quiet = global.quiet;
    let forge = app::github_client(
        &fleet,
        Arc::new(move |wait: &Wait| {
            if !quiet {
                // The detail may quote what GitHub sent (a status, a message).
                eprintln!("{}", shown(&wait.to_string()));
            }
        }),
        Duration::from_secs(30),
    )?;
    let report = discover(&forge, &options)?;
    let (requests, not_modified) = forge.stats();
    tracing::info!("GitHub requests: {requests} ({not_modified} answered 304 from the cache)");

    let mut out = std::io::stdout().lock();
    match args.format {
        TextOrJson::Json => write_json(&mut out, &report, false)?,
        TextOrJson::Text => {
            let fleet = global.fleet.display().to_string();
            write_text(&mut out, &report, &shown(&fleet))?
        }
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

fn write_text(out: &mut impl Write, report: &DiscoverReport, fleet: &str) -> std::io::Result<()> {
    let org = shown(&report.org);
    writeln!(
        out,
        "{org}: {} repositories listed, {} to add, {} already in the fleet, {} gone",
        report.listed,
        report.added.len(),
        report.existing.len(),
        report.gone.len()
    )?;
    for added in &report.added {
        writeln!(out, "  + [[repo]] name = \"{}\"", shown(&added.name))?;
    }
    for gone in &report.gone {
        let why = match gone.reason {
            GoneReason::NotFound => {
                "not found: deleted, or not visible to the credentials".to_string()
            }
            GoneReason::Archived => "archived".to_string(),
            GoneReason::Disabled => "disabled".to_string(),
            GoneReason::Renamed => format!(
                "renamed to {}",
                shown(gone.renamed_to.as_deref().unwrap_or("?"))
            ),
        };
        let what = match gone.reason {
            GoneReason::Renamed => "change its `name` in fleet.toml",
            _ => "its entry is kept",
        };
        writeln!(out, "  ! {} ({why}; {what})", shown(&gone.name))?;
    }
    let s = &report.skipped;
    let skipped = s.archived + s.disabled + s.forks + s.empty + s.filtered;
    if skipped > 0 {
        writeln!(
            out,
            "  skipped {skipped}: {} archived, {} disabled, {} forks, {} empty, {} filtered out",
            s.archived, s.disabled, s.forks, s.empty, s.filtered
        )?;
    }
    if report.written {
        writeln!(out, "wrote {} new entries to {fleet}", report.added.len())?;
    } else if !report.added.is_empty() {
        writeln!(out, "run with --write to add them to {fleet}")?;
    }
    Ok(())
}
