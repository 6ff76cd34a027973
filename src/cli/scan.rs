//! `drydock scan`: the flags, and what `app::scan` found (ecosystems per directory, Dockerfiles,
//! compose files) printed as a table or JSON.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::{ExitStatus, Global, TextOrJson, load, shown, write_json_in_shard};
use crate::app::scan::{ScanContext, ScanReport, scan};

/// Scan repositories for package ecosystems, Dockerfiles and compose files.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Scan this directory instead of the fleet (no fleet.toml needed).
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

pub fn run(global: &Global, args: ScanArgs) -> anyhow::Result<ExitStatus> {
    let (fleet, targets) = load(global, args.path)?;
    let report = scan(&ScanContext {
        targets: &targets,
        options: fleet.scan.options(),
        jobs: fleet.jobs,
    });

    let mut out = std::io::stdout().lock();
    match args.format {
        TextOrJson::Json => write_json_in_shard(&mut out, &report, global.shard, false)?,
        TextOrJson::Text => write_text(&mut out, &report)?,
    }
    out.flush()?;
    let failed = report.failed();
    if failed > 0 {
        eprintln!(
            "error: {failed} of {} repositories could not be scanned",
            report.repos.len()
        );
        return Ok(ExitStatus::RepoFailed);
    }
    Ok(ExitStatus::Success)
}

fn write_text(out: &mut impl Write, report: &ScanReport) -> std::io::Result<()> {
    for (i, repo) in report.repos.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        if let Some(error) = &repo.error {
            writeln!(
                out,
                "{}: {}",
                shown(&repo.name.to_string()),
                shown(&error.to_string())
            )?;
            continue;
        }
        writeln!(out, "{}", shown(&repo.name.to_string()))?;
        if repo.ecosystems.is_empty() {
            writeln!(out, "  no package ecosystems found")?;
        } else {
            let width = repo
                .ecosystems
                .iter()
                .map(|e| e.ecosystem.as_str().len())
                .max()
                .unwrap_or(0)
                .max("ECOSYSTEM".len());
            writeln!(out, "  {:width$}  DIRECTORY", "ECOSYSTEM")?;
            for e in &repo.ecosystems {
                writeln!(
                    out,
                    "  {:width$}  {}",
                    e.ecosystem.as_str(),
                    shown(&e.directory)
                )?;
            }
        }
        for (title, list) in [
            ("Dockerfiles", &repo.dockerfiles),
            ("Compose files", &repo.compose_files),
        ] {
            if !list.is_empty() {
                writeln!(out, "  {title}:")?;
                for file in list {
                    writeln!(out, "    {}", shown(&file.path))?;
                }
            }
        }
    }
    Ok(())
}
