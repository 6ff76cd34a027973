//! `drydock bump`: the flags, and the decisions of `app::bump` printed as lines or JSON (the
//! base-image monitor workflow reads the JSON with jq: `.updates[]`).
//!
//! Exit status: 0 nothing to update, 1 updates proposed (or, with `--write`, written), 2 bad
//! configuration, 3 a registry or file error (nothing written).

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::{ExitStatus, Global, TextOrJson, write_json};
use crate::app::bump::{BumpOptions, BumpReport, bump};
use crate::app::load_fleet;
use crate::bump::select::Level;

/// Update the base images of the Dockerfiles under a directory.
#[derive(Debug, Args)]
pub struct BumpArgs {
    /// The checkout whose Dockerfiles are bumped.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub path: PathBuf,
    /// How far a tag may move (default: fleet.toml [registry] level, else minor).
    #[arg(long, value_enum)]
    pub level: Option<Level>,
    /// Rewrite the Dockerfiles (only the image references change).
    #[arg(long)]
    pub write: bool,
    /// Add `@sha256:` digests to references that have none (existing digests are always refreshed).
    #[arg(long)]
    pub pin_digests: bool,
    /// Send a registry's requests to a mirror: HOST=URL, e.g. docker.io=http://127.0.0.1:5000
    /// (repeatable; plain http only when given like this).
    #[arg(long = "registry-mirror", value_name = "HOST=URL")]
    pub registry_mirrors: Vec<String>,
    /// Seconds before a registry request gives up.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
    /// Print registry request counts to stderr (one JSON line).
    #[arg(long)]
    pub stats: bool,
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

pub fn run(global: &Global, args: BumpArgs) -> anyhow::Result<ExitStatus> {
    let fleet = load_fleet(&global.fleet, true).map_err(crate::app::Error::from)?;
    let report = bump(&BumpOptions {
        fleet: &fleet,
        path: &args.path,
        level: args.level,
        write: args.write,
        pin_digests: args.pin_digests,
        registry_mirrors: &args.registry_mirrors,
        timeout: Duration::from_secs(args.timeout),
    })?;
    if args.stats {
        eprintln!("stats: {}", serde_json::to_string(&report.stats)?);
    }
    let mut out = std::io::stdout().lock();
    if !report.errors.is_empty() {
        if args.format == TextOrJson::Json {
            write_json(&mut out, &report, true)?;
            out.flush()?;
        }
        for m in &report.errors {
            eprintln!("error: {m}");
        }
        eprintln!("error: registry errors: no Dockerfile was changed");
        return Ok(ExitStatus::RepoFailed);
    }
    match args.format {
        TextOrJson::Json => write_json(&mut out, &report, true)?,
        TextOrJson::Text => write_text(&mut out, global, &report)?,
    }
    out.flush()?;
    Ok(if report.updates.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Findings
    })
}

fn write_text(out: &mut impl Write, global: &Global, report: &BumpReport) -> std::io::Result<()> {
    for u in &report.updates {
        writeln!(
            out,
            "{}:{}: {} → {} ({})",
            u.file, u.line, u.old, u.new, u.reason
        )?;
    }
    if !global.quiet {
        for s in &report.skipped {
            eprintln!("skipped {}:{}: {}: {}", s.file, s.line, s.image, s.reason);
        }
    }
    match (report.updates.len(), report.written) {
        (0, _) => writeln!(out, "all base images are up to date"),
        (n, true) => writeln!(out, "{n} update(s) written"),
        (n, false) => writeln!(out, "{n} update(s) proposed; run with --write to apply"),
    }
}
