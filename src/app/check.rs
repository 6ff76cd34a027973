//! `check`: runs the base-image policy over every Dockerfile of each repository, the
//! dependabot.yml validation, the monitor-workflow presence check, and the CVE patch deadlines
//! over Trivy reports; applies waivers and returns a [`CheckReport`]. Writes only the CVE
//! first-seen state file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};

use super::{Error, Target, UsageError, internal, pool};
use crate::detect::scan_dir;
use crate::docker::{ImageRef, ImageUse};
use crate::finding::Finding;
use crate::inventory::{ConfigError, Fleet};
use crate::policy::data::Catalog;
use crate::policy::{self, Facts, cve, rules};
use crate::repo::{FailureKind, RepoFailure};
use crate::report::{CheckReport, DataInfo, RepoReport};

/// What to check, and against what.
#[derive(Debug, Clone)]
pub struct CheckContext<'a> {
    pub fleet: &'a Fleet,
    pub targets: &'a [Target],
    /// `--data-dir`: newer image data than the data drydock ships.
    pub data_dir: Option<&'a Path>,
    /// Trivy JSON reports whose CVEs are held against the patch deadlines.
    pub trivy_reports: &'a [PathBuf],
    /// The time the check is evaluated at.
    pub now: DateTime<Utc>,
}

/// The group that holds CVEs of images no checked Dockerfile uses; paths are report file names.
const TRIVY_GROUP: &str = "trivy reports";

/// The Dockerfiles of one repository and the images each uses, for attaching CVE findings.
type ImageUses = Vec<(String, Vec<ImageUse>)>;

/// Where a Dockerfile image use is, for attaching CVE findings.
struct Located {
    repo: usize,
    path: String,
    uses: Vec<ImageUse>,
}

/// Checks every target (on up to `fleet.jobs` threads), attaches the CVE findings, applies the
/// waivers and orders each repository's findings.
pub fn check(ctx: &CheckContext<'_>) -> Result<CheckReport, Error> {
    let fleet = ctx.fleet;
    let today = ctx.now.date_naive();
    let (facts, source) = load_facts(ctx.data_dir)?;
    let reports = ctx
        .trivy_reports
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p)
                .map_err(|e| file_error(p, format!("cannot read the Trivy report: {e}")))?;
            cve::parse_report(&text).map_err(|e| file_error(p, e))
        })
        .collect::<Result<Vec<_>, _>>()?;

    let mut repos = Vec::with_capacity(ctx.targets.len());
    let mut located = Vec::new();
    for (i, (repo, uses)) in check_all(ctx.targets, fleet, &facts, today)
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
        for (report, file) in reports.iter().zip(ctx.trivy_reports) {
            let overdue = cve::overdue(report, &mut state, ctx.now);
            attach_cves(&overdue, file, &located, &mut repos);
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
    Ok(CheckReport::new(
        repos,
        DataInfo::new(source, facts.generated, today),
    ))
}

fn rank(rule: &str) -> usize {
    rules::RULES
        .iter()
        .position(|r| r.id == rule)
        .unwrap_or(usize::MAX)
}

/// A file named by a flag (a Trivy report, a data file) that cannot be used.
fn file_error(file: &Path, message: String) -> UsageError {
    UsageError::new(format!("{}: {message}", file.display()))
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
fn load_facts(data_dir: Option<&Path>) -> Result<(Facts, String), UsageError> {
    let (catalog, origin) = match data_dir {
        Some(dir) if !dir.is_dir() => {
            return Err(file_error(dir, "--data-dir must name a directory".into()));
        }
        Some(dir) => (
            Catalog::load_dir(dir).map_err(|e| file_error(dir, e.to_string()))?,
            format!("{}: ", dir.display()),
        ),
        None => (Catalog::embedded().clone(), "shipped data: ".to_string()),
    };
    let facts = Facts::from(&catalog);
    let source = format!("{origin}{}", facts.source);
    Ok((facts, source))
}

/// Checks every target on up to `fleet.jobs` threads; results in the order of `targets`. A
/// repository whose check panicked is reported as failed.
fn check_all(
    targets: &[Target],
    fleet: &Fleet,
    facts: &Facts,
    today: NaiveDate,
) -> Vec<(RepoReport, ImageUses)> {
    pool::run(targets, fleet.jobs, |_, target| {
        check_target(target, fleet, facts, today)
    })
    .into_iter()
    .zip(targets)
    .map(|(result, target)| {
        result.unwrap_or_else(|panicked| {
            let mut repo = empty_report(target.name.to_string());
            repo.error = Some(internal(panicked));
            (repo, Vec::new())
        })
    })
    .collect()
}

fn empty_report(name: String) -> RepoReport {
    RepoReport {
        name,
        findings: Vec::new(),
        waived: Vec::new(),
        error: None,
    }
}

/// Checks one repository; also returns its Dockerfiles' image uses for the CVE findings.
fn check_target(
    target: &Target,
    fleet: &Fleet,
    facts: &Facts,
    today: NaiveDate,
) -> (RepoReport, ImageUses) {
    let mut repo = empty_report(target.name.to_string());
    if !target.root.is_dir() {
        repo.error = Some(target.missing(format!(
            "{} is not there: run `drydock sync` first",
            target.root.display()
        )));
        return (repo, Vec::new());
    }
    let scan = match scan_dir(&target.root, &fleet.scan.options()) {
        Ok(s) => s,
        Err(e) => {
            repo.error = Some(RepoFailure::new(FailureKind::Io, e.to_string()));
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
            Err(e) => repo.findings.push(
                rules::UNPARSEABLE
                    .finding(path.clone(), format!("cannot read the Dockerfile: {e}"))
                    .without_fix(),
            ),
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
    repo.findings.extend(policy::check_monitor(
        &paths,
        crate::workflow::PATH,
        has_monitor,
    ));
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
    located: &[Located],
    repos: &mut Vec<RepoReport>,
) {
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
                    .push(cve_finding(o, &l.path, Some(u.line)));
                placed = true;
            }
        }
        if !placed {
            let name = TRIVY_GROUP.to_string();
            let idx = match repos.iter().position(|r| r.name == name) {
                Some(i) => i,
                None => {
                    repos.push(empty_report(name));
                    repos.len() - 1
                }
            };
            let path = file.file_name().map_or_else(
                || file.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            repos[idx].findings.push(cve_finding(o, &path, None));
        }
    }
}

/// At the rule's default severity: the finding filter applies `[policy.severity]` later.
fn cve_finding(o: &cve::Overdue, path: &str, line: Option<usize>) -> Finding {
    let finding = rules::CVE_DEADLINE
        .finding(path, o.message())
        .with_fix(format!(
            "rebuild {} on a patched base image and release; {}",
            o.artifact,
            rules::CVE_DEADLINE.help
        ));
    match line {
        Some(line) => finding.at(line, None),
        None => finding,
    }
}
