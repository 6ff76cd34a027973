//! `scan`: which Dependabot ecosystems live in which directories of each repository, and where
//! its Dockerfiles and compose files are.

use serde::Serialize;

use super::{Target, TargetName, internal, pool};
use crate::detect::{EcosystemDir, FoundFile, RepoScan, ScanOptions, scan_dir};
use crate::repo::{FailureKind, RepoFailure};

/// How to scan.
#[derive(Debug, Clone)]
pub struct ScanContext<'a> {
    pub targets: &'a [Target],
    pub options: ScanOptions,
    /// Repositories scanned at once.
    pub jobs: usize,
}

/// What a scan found, repository by repository in the order of the targets.
#[derive(Debug, Serialize)]
pub struct ScanReport {
    pub repos: Vec<RepoScanReport>,
}

/// One repository; `error` is set when it could not be scanned.
#[derive(Debug, Serialize)]
pub struct RepoScanReport {
    pub name: TargetName,
    pub ecosystems: Vec<EcosystemDir>,
    pub dockerfiles: Vec<FoundFile>,
    pub compose_files: Vec<FoundFile>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<RepoFailure>,
}

impl ScanReport {
    /// How many repositories could not be scanned.
    pub fn failed(&self) -> usize {
        self.repos.iter().filter(|r| r.error.is_some()).count()
    }
}

pub fn scan(ctx: &ScanContext<'_>) -> ScanReport {
    let results = pool::run(ctx.targets, ctx.jobs, |_, target| {
        scan_target(target, &ctx.options)
    });
    let repos = ctx
        .targets
        .iter()
        .zip(results)
        .map(|(target, result)| {
            let name = target.name.clone();
            match result.map_err(internal).and_then(|r| r) {
                Ok(scan) => RepoScanReport {
                    name,
                    ecosystems: scan.ecosystems,
                    dockerfiles: scan.dockerfiles,
                    compose_files: scan.compose_files,
                    error: None,
                },
                Err(error) => RepoScanReport {
                    name,
                    ecosystems: Vec::new(),
                    dockerfiles: Vec::new(),
                    compose_files: Vec::new(),
                    error: Some(error),
                },
            }
        })
        .collect();
    ScanReport { repos }
}

fn scan_target(target: &Target, options: &ScanOptions) -> Result<RepoScan, RepoFailure> {
    if !target.root.exists() {
        let failure = target.missing(String::new());
        let message = match failure.kind {
            FailureKind::NotSynced => format!(
                "not synced: run `drydock sync` (no checkout at {})",
                target.root.display()
            ),
            _ => format!("{} does not exist", target.root.display()),
        };
        return Err(RepoFailure { message, ..failure });
    }
    let scan = scan_dir(&target.root, options)
        .map_err(|e| RepoFailure::new(FailureKind::Io, e.to_string()))?;
    tracing::info!(
        "{}: {} ecosystem entries, {} Dockerfiles",
        target.name,
        scan.ecosystems.len(),
        scan.dockerfiles.len()
    );
    Ok(scan)
}
