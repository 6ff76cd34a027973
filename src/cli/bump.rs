//! `drydock bump`: the flags, and the decisions of `app::bump` printed as lines or JSON (the
//! base-image monitor workflow reads the JSON with jq: `.updates[]`).
//!
//! Exit status: 0 nothing to update, 1 updates proposed (or, with `--write`, written), 2 bad
//! configuration, 3 a registry or file error (nothing written).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

use super::{ExitStatus, Global, TextOrJson, shown, shown_lines, write_json};
use crate::app;
use crate::app::bump::{BumpOptions, BumpReport, bump, checkout};
use crate::bump::select::Level;
use crate::inventory::Fleet;

/// Update the base images of the Dockerfiles under a directory.
#[derive(Debug, Args)]
pub struct BumpArgs {
    /// The checkout whose Dockerfiles are bumped (default: the current directory, or the fleet
    /// checkout of the one `--repo` given).
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,
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
    /// Seconds before a registry request gives up (default: fleet.toml [registry]
    /// timeout_seconds, else 30).
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
    /// Print registry request counts to stderr (one JSON line).
    #[arg(long)]
    pub stats: bool,
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

pub fn run(global: &Global, args: BumpArgs) -> anyhow::Result<ExitStatus> {
    let fleet = configuration(global, args.path.as_deref())?;
    let path = checkout(&fleet, &global.repos, args.path.as_deref())?;
    let report = bump(&BumpOptions {
        fleet: &fleet,
        path: &path,
        level: args.level,
        write: args.write,
        pin_digests: args.pin_digests,
        registry_mirrors: &args.registry_mirrors,
        timeout: args.timeout.map(Duration::from_secs),
    })?;
    if args.stats {
        eprintln!("stats: {}", serde_json::to_string(&report.stats)?);
    }
    write_refused(&report);
    let mut out = std::io::stdout().lock();
    if !report.errors.is_empty() {
        if args.format == TextOrJson::Json {
            write_json(&mut out, &report, true)?;
            out.flush()?;
        }
        for m in &report.errors {
            eprintln!("error: {}", shown_lines(m));
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

/// The configuration bump runs with. `--path DIR` chooses it as `plan` and `check` do
/// ([`app::load_config`]: `--fleet` if given, else `DIR/.github/drydock.toml`, else the built-in
/// defaults, and a note says which); a `fleet.toml` in the current directory belongs to another
/// fleet and is not read for it. `--repo` needs the fleet (its workspace); neither flag works on
/// the current directory with its fleet file when there is one.
fn configuration(global: &Global, path: Option<&Path>) -> Result<Fleet, app::Error> {
    match path {
        Some(dir) if global.repos.is_empty() => {
            let selection = super::selection(global, Some(dir.to_path_buf()));
            let (fleet, source) = app::load_config(&selection)?;
            if !global.quiet {
                eprintln!("drydock: {}: configuration from {source}", dir.display());
            }
            Ok(fleet)
        }
        _ => Ok(app::load_fleet(&global.fleet, global.repos.is_empty())?),
    }
}

fn write_text(out: &mut impl Write, global: &Global, report: &BumpReport) -> std::io::Result<()> {
    for u in &report.updates {
        writeln!(
            out,
            "{}:{}: {} → {} ({})",
            shown(&u.file),
            u.line,
            shown(&u.old),
            shown(&u.new),
            shown(&u.reason)
        )?;
    }
    if !global.quiet {
        for s in &report.skipped {
            if s.image.is_empty() {
                eprintln!(
                    "skipped {}:{}: {}",
                    shown(&s.file),
                    s.line,
                    shown(&s.reason)
                );
            } else {
                eprintln!(
                    "skipped {}:{}: {}: {}",
                    shown(&s.file),
                    s.line,
                    shown(&s.image),
                    shown(&s.reason)
                );
            }
        }
    }
    match (report.updates.len(), report.written) {
        (0, _) if report.dockerfiles == 0 => {
            writeln!(out, "no Dockerfile found: nothing to bump")
        }
        (0, _) => writeln!(out, "all base images are up to date"),
        (n, true) => writeln!(out, "{n} update(s) written"),
        (n, false) => writeln!(out, "{n} update(s) proposed; run with --write to apply"),
    }
}

/// The registry answers that were refused, always shown (even with `--quiet`): a registry that
/// sends them is broken or hostile. Debug quoting shows the value's control characters as
/// escapes; the image and the reason go through [`shown`].
fn write_refused(report: &BumpReport) {
    for r in &report.refused {
        eprintln!(
            "warning: {}: refused {:?} from the registry: {}",
            shown(&r.image),
            r.value,
            shown(&r.reason)
        );
    }
}
