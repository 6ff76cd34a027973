//! `drydock check`: runs the base-image policy over every Dockerfile of each repository (or of
//! `--path DIR`), the dependabot.yml validation, the monitor-workflow presence check, and the CVE patch deadlines over Trivy
//! reports; prints text, JSON, SARIF or Markdown. Exit 1 on an error-level finding.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::{Args, ValueEnum};

use super::{Global, Target, exit, load_fleet, targets};
use crate::detect::{ScanOptions, scan_dir};
use crate::docker::{ImageRef, ImageUse};
use crate::finding::{Finding, Severity};
use crate::inventory::{ConfigError, Fleet};
use crate::policy::data::Catalog;
use crate::policy::{self, Facts, Policy, cve, rules};
use crate::report::{self, CheckReport, DataInfo, RepoReport};

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

/// The group that holds CVEs of images no checked Dockerfile uses; paths are report file names.
const TRIVY_GROUP: &str = "trivy reports";

/// Where a Dockerfile image use is, for attaching CVE findings.
struct Located {
    repo: usize,
    path: String,
    uses: Vec<ImageUse>,
}

pub fn run(global: &Global, args: CheckArgs) -> anyhow::Result<u8> {
    let fleet = load_fleet(global, args.path.is_some())?;
    let targets = targets(global, &fleet, args.path.as_deref())?;
    let now = match &args.now {
        Some(t) => DateTime::parse_from_rfc3339(t)
            .map_err(|e| {
                config_error(
                    Path::new("--now"),
                    format!("--now {t:?} is not an RFC 3339 time: {e}"),
                )
            })?
            .with_timezone(&Utc),
        None => Utc::now(),
    };
    let today = now.date_naive();
    let (facts, source) = load_facts(args.data_dir.as_deref())?;
    let reports = args
        .trivy_reports
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p)
                .map_err(|e| config_error(p, format!("cannot read the Trivy report: {e}")))?;
            cve::parse_report(&text).map_err(|e| config_error(p, e))
        })
        .collect::<Result<Vec<_>, _>>()?;

    let mut repos = Vec::with_capacity(targets.len());
    let mut located = Vec::new();
    for (i, (repo, uses)) in check_all(&targets, &fleet, &facts, today)
        .into_iter()
        .enumerate()
    {
        located.extend(uses.into_iter().map(|(path, uses)| Located {
            repo: i,
            path,
            uses,
        }));
        repos.push(repo);
    }

    if !reports.is_empty() {
        let state_path = fleet.workspace.join("state").join("cve-first-seen.json");
        let mut state =
            cve::FirstSeen::load(&state_path).map_err(|e| config_error(&state_path, e))?;
        for (report, file) in reports.iter().zip(&args.trivy_reports) {
            let overdue = cve::overdue(report, &mut state, now);
            attach_cves(&overdue, file, &fleet.policy, &located, &mut repos);
        }
        state
            .save(&state_path)
            .with_context(|| format!("cannot write the CVE state file {}", state_path.display()))?;
    }

    for repo in &mut repos {
        let findings = std::mem::take(&mut repo.findings);
        let filtered = fleet.policy.filter.apply(&repo.name, findings, today);
        let (mut kept, waived) = (filtered.kept, filtered.waived);
        // File findings in file order; repository-level ones (no line) last.
        kept.sort_by(|a, b| {
            let key = |f: &Finding| (f.line.is_none(), f.path.clone(), f.line, rank(&f.rule));
            key(a).cmp(&key(b))
        });
        repo.findings = kept;
        repo.waived = waived;
    }

    let report = CheckReport::new(repos, DataInfo::new(source, facts.generated, today));
    let rendered = match args.format {
        Format::Text => {
            let colour = std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            if global.quiet {
                // Only errors, and the summary of everything.
                let mut errors = report.clone();
                for r in &mut errors.repos {
                    r.findings.retain(|f| f.severity == Severity::Error);
                    r.waived.clear();
                }
                report::text(&errors, colour)
            } else {
                report::text(&report, colour)
            }
        }
        Format::Json => report::json(&report),
        Format::Sarif => report::sarif(&report),
        Format::Markdown => report::markdown(&report),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(rendered.as_bytes())?;
    out.flush()?;
    if args.format != Format::Text && report.data.stale {
        eprintln!("{}", report.data.line());
    }
    Ok(if report.summary.errors > 0 {
        exit::FINDINGS
    } else if report.summary.repos_failed > 0 {
        exit::REPO_FAILED
    } else {
        exit::OK
    })
}

fn rank(rule: &str) -> usize {
    rules::RULES
        .iter()
        .position(|r| r.id == rule)
        .unwrap_or(usize::MAX)
}

fn config_error(file: &Path, message: String) -> ConfigError {
    ConfigError {
        file: file.to_path_buf(),
        line: 0,
        column: 0,
        message,
        help: None,
    }
}

/// The image facts: the data shipped in this release, or `--data-dir`.
fn load_facts(data_dir: Option<&Path>) -> Result<(Facts, String), ConfigError> {
    let (catalog, origin) = match data_dir {
        Some(dir) if !dir.is_dir() => {
            return Err(config_error(dir, "--data-dir must name a directory".into()));
        }
        Some(dir) => (
            Catalog::load_dir(dir).map_err(|e| config_error(dir, e.to_string()))?,
            format!("{}: ", dir.display()),
        ),
        None => (Catalog::embedded().clone(), "shipped data: ".to_string()),
    };
    let facts = Facts::from(&catalog);
    let source = format!("{origin}{}", facts.source);
    Ok((facts, source))
}

/// Checks every target on up to `fleet.jobs` threads; results in the order of `targets`.
#[allow(clippy::type_complexity)]
fn check_all(
    targets: &[Target],
    fleet: &Fleet,
    facts: &Facts,
    today: chrono::NaiveDate,
) -> Vec<(RepoReport, Vec<(String, Vec<ImageUse>)>)> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let threads = fleet.jobs.clamp(1, targets.len().max(1));
    let mut done: Vec<(usize, (RepoReport, Vec<(String, Vec<ImageUse>)>))> =
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let mut mine = Vec::new();
                        loop {
                            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let Some(target) = targets.get(i) else { break };
                            mine.push((i, check_target(target, fleet, facts, today)));
                        }
                        mine
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().expect("a check thread panicked"))
                .collect()
        });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// Checks one repository; also returns its Dockerfiles' image uses for the CVE findings.
fn check_target(
    target: &Target,
    fleet: &Fleet,
    facts: &Facts,
    today: chrono::NaiveDate,
) -> (RepoReport, Vec<(String, Vec<ImageUse>)>) {
    let mut repo = RepoReport {
        name: target.name.clone(),
        findings: Vec::new(),
        waived: Vec::new(),
        error: None,
    };
    if !target.root.is_dir() {
        repo.error = Some(format!(
            "{} is not there: run `drydock sync` first",
            target.root.display()
        ));
        return (repo, Vec::new());
    }
    let scan = match scan_dir(
        &target.root,
        &ScanOptions {
            exclude: fleet.scan.exclude.clone(),
        },
    ) {
        Ok(s) => s,
        Err(e) => {
            repo.error = Some(e.to_string());
            return (repo, Vec::new());
        }
    };
    let no_args = BTreeMap::new();
    let build_args = target.repo.as_ref().map_or(&no_args, |r| &r.build_args);
    let mut uses = Vec::new();
    let paths: Vec<String> = scan.dockerfiles.iter().map(|f| f.path.clone()).collect();
    for path in &paths {
        match std::fs::read(target.root.join(path)) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                let (findings, file_uses) =
                    policy::check_dockerfile(path, &text, build_args, &fleet.policy, facts, today);
                repo.findings.extend(findings);
                uses.push((path.clone(), file_uses));
            }
            Err(e) => repo.findings.push(Finding {
                rule: rules::UNPARSEABLE.id.into(),
                severity: Severity::Error,
                path: path.clone(),
                line: None,
                column: None,
                message: format!("cannot read the Dockerfile: {e}"),
                fix: None,
            }),
        }
    }
    let dependabot = [".github/dependabot.yml", ".github/dependabot.yaml"]
        .into_iter()
        .find_map(|name| Some((name, std::fs::read_to_string(target.root.join(name)).ok()?)));
    let dependabot_findings = match &dependabot {
        Some((name, text)) => crate::dependabot::validate::validate(text, name, Some(&scan)),
        None => missing_dependabot_findings(&scan),
    };
    repo.findings.extend(dependabot_findings);
    let has_monitor = target.root.join(crate::workflow::PATH).is_file();
    repo.findings
        .extend(policy::check_monitor(&paths, has_monitor));
    (repo, uses)
}

/// A repository without dependabot.yml: what an empty configuration would be told (docker
/// coverage, missing ecosystems), pointed at the file that should exist.
fn missing_dependabot_findings(scan: &crate::detect::RepoScan) -> Vec<Finding> {
    const EMPTY: &str = "version: 2\nupdates: []\n";
    crate::dependabot::validate::validate(EMPTY, ".github/dependabot.yml", Some(scan))
        .into_iter()
        .map(|f| Finding {
            line: None,
            column: None,
            message: format!("there is no .github/dependabot.yml: {}", f.message),
            fix: Some("run `drydock plan --write` to create it".into()),
            ..f
        })
        .collect()
}

/// Whether a report's artefact is the image a Dockerfile uses (same name and tag; an omitted
/// tag is `latest`).
fn same_image(artifact: &ImageRef, used: &ImageRef) -> bool {
    artifact.registry == used.registry
        && artifact.repository == used.repository
        && (artifact.effective_tag() == used.effective_tag()
            || artifact.digest.is_some() && artifact.digest == used.digest)
}

/// Puts each overdue CVE on every `FROM`/`COPY --from` that uses the scanned image; CVEs of
/// images no Dockerfile uses go into a group named after the report.
fn attach_cves(
    overdue: &[cve::Overdue],
    file: &Path,
    policy: &Policy,
    located: &[Located],
    repos: &mut Vec<RepoReport>,
) {
    let Some(severity) = policy.severity(&rules::CVE_DEADLINE) else {
        return;
    };
    for o in overdue {
        let artifact = ImageRef::parse(&o.artifact).ok();
        let mut placed = false;
        for l in located {
            for u in l
                .uses
                .iter()
                .filter(|u| artifact.as_ref().is_some_and(|a| same_image(a, &u.image)))
            {
                repos[l.repo]
                    .findings
                    .push(finding(o, severity, &l.path, Some(u.line)));
                placed = true;
            }
        }
        if !placed {
            let name = TRIVY_GROUP.to_string();
            let idx = match repos.iter().position(|r| r.name == name) {
                Some(i) => i,
                None => {
                    repos.push(RepoReport {
                        name,
                        findings: Vec::new(),
                        waived: Vec::new(),
                        error: None,
                    });
                    repos.len() - 1
                }
            };
            let path = file.file_name().map_or_else(
                || file.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            repos[idx].findings.push(finding(o, severity, &path, None));
        }
    }
}

fn finding(o: &cve::Overdue, severity: Severity, path: &str, line: Option<usize>) -> Finding {
    Finding {
        rule: rules::CVE_DEADLINE.id.into(),
        severity,
        path: path.into(),
        line,
        column: None,
        message: o.message(),
        fix: Some(format!(
            "rebuild {} on a patched base image and release; {}",
            o.artifact,
            rules::CVE_DEADLINE.help
        )),
    }
}
