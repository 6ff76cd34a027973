//! `drydock plan`: the files drydock would create or change in each repository, as unified
//! diffs with the reason for each change, plus the findings. Writes nothing unless `--write`,
//! which applies the changes to the working trees (never commits).

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::{Global, Target, TextOrJson, exit, load_fleet, targets};
use crate::dependabot::managed::DependabotFile;
use crate::dependabot::render::Renderer;
use crate::detect::{Ecosystem, EcosystemDir, ScanOptions, scan_dir};
use crate::inventory::Fleet;
use crate::plan::{Action, RepoPlan, plan_repo, write_changes};
use crate::workflow::managed::WorkflowFile;

/// Show the files drydock would create or change, as diffs, and the findings about them.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Plan this directory instead of the fleet (no fleet.toml needed).
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
    /// Exit with status 1 when any repository has a change (for drift checks in CI).
    #[arg(long)]
    pub exit_code: bool,
    /// Apply the changes to the working trees (no commit).
    #[arg(long)]
    pub write: bool,
}

#[derive(Debug, Serialize)]
struct Report {
    repos: Vec<RepoPlan>,
}

pub fn run(global: &Global, args: PlanArgs) -> anyhow::Result<u8> {
    let fleet = load_fleet(global, args.path.is_some())?;
    let targets = targets(global, &fleet, args.path.as_deref())?;
    let mut renderers: BTreeMap<Option<PathBuf>, Renderer> = BTreeMap::new();
    let mut repos = Vec::with_capacity(targets.len());
    for target in &targets {
        let mut plan = plan_target(&fleet, target, &mut renderers);
        if args.write
            && plan.error.is_none()
            && !plan.changes.is_empty()
            && let Err(e) = write_changes(&target.root, &plan)
        {
            plan.error = Some(format!("{e:#}"));
        }
        repos.push(plan);
    }
    let report = Report { repos };
    let mut out = std::io::stdout().lock();
    match args.format {
        TextOrJson::Json => {
            serde_json::to_writer(&mut out, &report)?;
            writeln!(out)?;
        }
        TextOrJson::Text => {
            let colour = std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            write_text(&mut out, &report, colour, args.write)?;
        }
    }
    out.flush()?;
    let failed = report.repos.iter().filter(|r| r.error.is_some()).count();
    if failed > 0 {
        eprintln!(
            "error: {failed} of {} repositories could not be planned",
            report.repos.len()
        );
        return Ok(exit::REPO_FAILED);
    }
    if args.exit_code && report.repos.iter().any(|r| !r.changes.is_empty()) {
        return Ok(exit::FINDINGS);
    }
    Ok(exit::OK)
}

fn plan_target(
    fleet: &Fleet,
    target: &Target,
    renderers: &mut BTreeMap<Option<PathBuf>, Renderer>,
) -> RepoPlan {
    let failed = |error: String| RepoPlan {
        name: target.name.clone(),
        error: Some(error),
        ..RepoPlan::default()
    };
    if !target.root.is_dir() {
        return failed(format!(
            "{} is not checked out; run `drydock sync` first",
            target.root.display()
        ));
    }
    let settings = fleet.dependabot_for(target.repo.as_ref());
    let renderer = match renderers.entry(settings.templates.clone()) {
        std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
        std::collections::btree_map::Entry::Vacant(e) => {
            match Renderer::new(settings.templates.as_deref()) {
                Ok(r) => e.insert(r),
                Err(err) => return failed(format!("{err:#}")),
            }
        }
    };
    let options = ScanOptions {
        exclude: fleet.scan.exclude.clone(),
    };
    let mut scan = match scan_dir(&target.root, &options) {
        Ok(s) => s,
        Err(e) => return failed(e.to_string()),
    };
    let workflow = monitor_workflow(fleet, target, !scan.dockerfiles.is_empty());
    if workflow.is_some() {
        // The workflow drydock writes is itself a github-actions manifest: plan dependabot.yml
        // as it will be, so one plan converges.
        let actions = EcosystemDir {
            ecosystem: Ecosystem::GithubActions,
            directory: "/".into(),
        };
        if !scan.ecosystems.contains(&actions) {
            scan.ecosystems.push(actions);
            scan.ecosystems.sort();
        }
    }
    let dependabot = DependabotFile {
        scan: &scan,
        settings: &settings,
        renderer,
    };
    let mut files: Vec<&dyn crate::plan::ManagedFile> = vec![&dependabot];
    files.extend(
        workflow
            .as_ref()
            .map(|w| w as &dyn crate::plan::ManagedFile),
    );
    plan_repo(
        &target.name,
        &target.root,
        &files,
        &fleet.policy.filter,
        chrono::Utc::now().date_naive(),
    )
}

/// The base-image monitor workflow for a repository with Dockerfiles, unless it opted out. A
/// fleet that does not say how the workflow installs drydock does not get it: one warning per run.
fn monitor_workflow(fleet: &Fleet, target: &Target, has_dockerfiles: bool) -> Option<WorkflowFile> {
    static WARNED: std::sync::Once = std::sync::Once::new();
    if !has_dockerfiles {
        return None;
    }
    match fleet.workflow_for(&target.name, target.repo.as_ref()) {
        Ok(settings) => settings.map(|settings| WorkflowFile { settings }),
        Err(e) => {
            WARNED.call_once(|| {
                eprintln!("warning: the base-image monitor workflow is not managed: {e} (docs/fleet-toml.md, [workflow])")
            });
            None
        }
    }
}

fn write_text(
    out: &mut impl Write,
    report: &Report,
    colour: bool,
    wrote: bool,
) -> std::io::Result<()> {
    let paint = |code: &str, s: &str| {
        if colour {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    for repo in &report.repos {
        writeln!(out, "{}", paint("1", &format!("== {}", repo.name)))?;
        if let Some(e) = &repo.error {
            writeln!(out, "  {}: {e}", paint("31", "error"))?;
            continue;
        }
        if repo.changes.is_empty() {
            writeln!(out, "  no changes")?;
        }
        for c in &repo.changes {
            let verb = match (c.action, wrote) {
                (Action::Create, false) => "would create",
                (Action::Update, false) => "would update",
                (Action::Create, true) => "created",
                (Action::Update, true) => "updated",
            };
            writeln!(out, "  {verb} {}", c.path)?;
            for r in &c.reasons {
                writeln!(out, "    - {r}")?;
            }
            for line in c.diff.lines() {
                let painted = match line.as_bytes().first() {
                    _ if line.starts_with("+++") || line.starts_with("---") => paint("1", line),
                    Some(b'+') => paint("32", line),
                    Some(b'-') => paint("31", line),
                    Some(b'@') => paint("36", line),
                    _ => line.to_string(),
                };
                writeln!(out, "    {painted}")?;
            }
        }
        for f in &repo.findings {
            let at = match (f.line, f.column) {
                (Some(l), Some(c)) => format!("{}:{l}:{c}", f.path),
                (Some(l), None) => format!("{}:{l}", f.path),
                _ => f.path.clone(),
            };
            let sev = match f.severity {
                crate::finding::Severity::Error => paint("31", "error"),
                crate::finding::Severity::Warning => paint("33", "warning"),
                crate::finding::Severity::Note => paint("36", "note"),
            };
            writeln!(out, "  {sev} {at}: {} [{}]", f.message, f.rule)?;
            if let Some(fix) = &f.fix {
                writeln!(out, "    fix: {fix}")?;
            }
        }
    }
    let changed = report
        .repos
        .iter()
        .filter(|r| !r.changes.is_empty())
        .count();
    writeln!(
        out,
        "{changed} of {} repositories {}",
        report.repos.len(),
        if wrote { "changed" } else { "would change" }
    )?;
    Ok(())
}
