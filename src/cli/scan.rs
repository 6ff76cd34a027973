//! `drydock scan`: which Dependabot ecosystems live in which directories of each repository, and
//! where its Dockerfiles and compose files are.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::{Global, Target, exit, load_fleet, targets};
use crate::detect::{EcosystemDir, FoundFile, RepoScan, ScanOptions, scan_dir};
use crate::inventory::Source;

/// Scan repositories for package ecosystems, Dockerfiles and compose files.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Scan this directory instead of the fleet (no fleet.toml needed).
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// One repository in the output; `error` is set when it could not be scanned.
#[derive(Debug, Serialize)]
struct RepoReport {
    name: String,
    ecosystems: Vec<EcosystemDir>,
    dockerfiles: Vec<FoundFile>,
    compose_files: Vec<FoundFile>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct Report {
    repos: Vec<RepoReport>,
}

pub fn run(global: &Global, args: ScanArgs) -> anyhow::Result<u8> {
    let fleet = load_fleet(global, args.path.is_some())?;
    let targets = targets(global, &fleet, args.path.as_deref())?;
    let options = ScanOptions {
        exclude: fleet.scan.exclude.clone(),
    };
    let results = scan_all(&targets, &options, fleet.jobs);
    let repos: Vec<RepoReport> = targets
        .iter()
        .zip(results)
        .map(|(target, result)| match result {
            Ok(scan) => RepoReport {
                name: target.name.clone(),
                ecosystems: scan.ecosystems,
                dockerfiles: scan.dockerfiles,
                compose_files: scan.compose_files,
                error: None,
            },
            Err(error) => RepoReport {
                name: target.name.clone(),
                ecosystems: Vec::new(),
                dockerfiles: Vec::new(),
                compose_files: Vec::new(),
                error: Some(error),
            },
        })
        .collect();
    let failed = repos.iter().filter(|r| r.error.is_some()).count();
    let report = Report { repos };

    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer(&mut out, &report)?;
            writeln!(out)?;
        }
        Format::Text => write_text(&mut out, &report)?,
    }
    out.flush()?;
    if failed > 0 {
        eprintln!(
            "error: {failed} of {} repositories could not be scanned",
            report.repos.len()
        );
        return Ok(exit::REPO_FAILED);
    }
    Ok(exit::OK)
}

/// Scans every target on up to `jobs` threads; results come back in the order of `targets`.
fn scan_all(
    targets: &[Target],
    options: &ScanOptions,
    jobs: usize,
) -> Vec<Result<RepoScan, String>> {
    let next = AtomicUsize::new(0);
    let threads = jobs.clamp(1, targets.len().max(1));
    let mut done: Vec<(usize, Result<RepoScan, String>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(target) = targets.get(i) else { break };
                        mine.push((i, scan_target(target, options)));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, result)| result).collect()
}

fn scan_target(target: &Target, options: &ScanOptions) -> Result<RepoScan, String> {
    if !target.root.exists() {
        let remote = target
            .repo
            .as_ref()
            .is_some_and(|r| matches!(r.source, Source::Remote { .. }));
        return Err(if remote {
            format!(
                "not synced: run `drydock sync` (no checkout at {})",
                target.root.display()
            )
        } else {
            format!("{} does not exist", target.root.display())
        });
    }
    let scan = scan_dir(&target.root, options).map_err(|e| e.to_string())?;
    tracing::info!(
        "{}: {} ecosystem entries, {} Dockerfiles",
        target.name,
        scan.ecosystems.len(),
        scan.dockerfiles.len()
    );
    Ok(scan)
}

fn write_text(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    for (i, repo) in report.repos.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        if let Some(error) = &repo.error {
            writeln!(out, "{}: {error}", repo.name)?;
            continue;
        }
        writeln!(out, "{}", repo.name)?;
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
                writeln!(out, "  {:width$}  {}", e.ecosystem.as_str(), e.directory)?;
            }
        }
        for (title, list) in [
            ("Dockerfiles", &repo.dockerfiles),
            ("Compose files", &repo.compose_files),
        ] {
            if !list.is_empty() {
                writeln!(out, "  {title}:")?;
                for file in list {
                    writeln!(out, "    {}", file.path)?;
                }
            }
        }
    }
    Ok(())
}
