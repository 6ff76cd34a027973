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
use crate::fs::{self, ReadError};
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

/// The cap on a `--trivy-report` file: the reports of large images are a few megabytes.
const TRIVY_REPORT_MAX_BYTES: u64 = 256 << 20;

/// The CVE first-seen state, in `<workspace>/state/`.
const CVE_STATE_FILE: &str = "cve-first-seen.json";

/// The cap on the CVE state file: about 100 bytes an (image, CVE), so room for 600,000.
const CVE_STATE_MAX_BYTES: u64 = 64 << 20;

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
    let (facts, source) = load_facts(ctx.data_dir.or(fleet.data_dir.as_deref()))?;
    let reports = ctx
        .trivy_reports
        .iter()
        .map(|p| {
            let text = read_trivy_report(p).map_err(|e| file_error(p, e))?;
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
        let state_dir = fleet.workspace.join("state");
        let state_path = state_dir.join(CVE_STATE_FILE);
        let mut state = load_cve_state(&state_dir).map_err(|e| config_error(&state_path, e))?;
        for (report, file) in reports.iter().zip(ctx.trivy_reports) {
            let overdue = cve::overdue(report, &mut state, ctx.now);
            attach_cves(&overdue, file, &located, &mut repos);
        }
        std::fs::create_dir_all(&state_dir)
            .with_context(|| format!("cannot create {}", state_dir.display()))?;
        fs::write_atomic(&state_path, state.to_json().as_bytes())
            .context("cannot write the CVE state file")?;
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

/// The text of a `--trivy-report` file, at most [`TRIVY_REPORT_MAX_BYTES`].
fn read_trivy_report(path: &Path) -> Result<String, String> {
    let bytes = fs::read_named_file(path, TRIVY_REPORT_MAX_BYTES).map_err(|e| match e {
        ReadError::TooLarge { cap } => format!(
            "the Trivy report is larger than {cap} bytes, more than any image's report; pass the report of one image"
        ),
        ReadError::NotFound => "cannot read the Trivy report: the file does not exist".into(),
        e => format!("cannot read the Trivy report: {e}"),
    })?;
    String::from_utf8(bytes).map_err(|_| "not a Trivy JSON report: not UTF-8".into())
}

/// The CVE first-seen state in `state_dir`; a missing file is an empty state. Read as a
/// repository file is (no symlink, a regular file, capped): the workspace is drydock's, but a
/// state file that is a symlink or endless is nothing drydock wrote.
fn load_cve_state(state_dir: &Path) -> Result<cve::FirstSeen, String> {
    match fs::read_repo_file(state_dir, Path::new(CVE_STATE_FILE), CVE_STATE_MAX_BYTES) {
        Ok(bytes) => {
            let text = String::from_utf8(bytes)
                .map_err(|_| "not a drydock CVE state file: not UTF-8".to_string())?;
            cve::FirstSeen::from_json(&text)
        }
        Err(fs::ReadError::NotFound) => Ok(cve::FirstSeen::empty()),
        Err(e) => Err(format!(
            "{e}; delete the file to start the CVE clocks afresh"
        )),
    }
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
    let cap = fleet.scan.max_file_bytes;
    // Compose files are read once: for their named contexts and for their `image:` checks.
    let compose: Vec<(String, String)> = scan
        .compose_files
        .iter()
        .filter_map(|f| Some((f.path.clone(), read_build_file(&target.root, &f.path, cap)?)))
        .collect();
    let contexts = named_contexts(&target.root, &compose, &paths, cap);
    for path in &paths {
        match fs::read_repo_file(&target.root, Path::new(path), cap) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                let (findings, file_uses) = policy::check_dockerfile_in(
                    path,
                    &text,
                    build_args,
                    &contexts,
                    &fleet.policy,
                    facts,
                    today,
                );
                repo.findings.extend(findings);
                uses.push((path.clone(), file_uses));
            }
            Err(e) => {
                let finding = rules::UNPARSEABLE
                    .finding(path.clone(), format!("cannot read the Dockerfile: {e}"));
                repo.findings.push(match too_large_fix(&e) {
                    Some(fix) => finding.with_fix(fix),
                    None => finding.without_fix(),
                });
            }
        }
    }
    check_compose_files(&compose, fleet, facts, today, &mut repo, &mut uses);
    let dependabot_findings = match read_dependabot(&target.root, cap) {
        DependabotYml::Present(name, text) => {
            crate::dependabot::validate::validate(&text, name, Some(&scan))
        }
        DependabotYml::Absent => missing_dependabot_findings(&scan),
        DependabotYml::Unusable(finding) => vec![finding],
    };
    repo.findings.extend(dependabot_findings);
    // Only a regular file reached without symlinks counts (plan reports any other as unusable).
    let has_monitor =
        fs::read_repo_file(&target.root, Path::new(crate::workflow::PATH), cap).is_ok();
    repo.findings.extend(policy::check_monitor(
        &paths,
        crate::workflow::PATH,
        has_monitor,
    ));
    (repo, uses)
}

/// What a repository has for dependabot.yml.
enum DependabotYml {
    Absent,
    Present(&'static str, String),
    Unusable(Finding),
}

/// The first of `.github/dependabot.yml` and `.github/dependabot.yaml` that exists, read through
/// [`crate::fs`]; one that is a symlink (to `/etc/passwd`, say), not a regular file, over the
/// cap or not UTF-8 is an unusable-file finding that says nothing of what it points to.
fn read_dependabot(root: &Path, cap: u64) -> DependabotYml {
    let unusable = |name: &str, message: String| crate::plan::UNUSABLE_FILE.finding(name, message);
    for name in [".github/dependabot.yml", ".github/dependabot.yaml"] {
        match fs::read_repo_file(root, Path::new(name), cap) {
            Ok(bytes) => {
                return match String::from_utf8(bytes) {
                    Ok(text) => DependabotYml::Present(name, text),
                    Err(_) => {
                        DependabotYml::Unusable(unusable(name, "the file is not UTF-8 text".into()))
                    }
                };
            }
            Err(ReadError::NotFound) => {}
            Err(e) => {
                let finding = unusable(name, e.to_string());
                return DependabotYml::Unusable(match too_large_fix(&e) {
                    Some(fix) => finding.with_fix(fix),
                    None => finding,
                });
            }
        }
    }
    DependabotYml::Absent
}

/// The fix for a file over `[scan] max_file_bytes`.
fn too_large_fix(e: &ReadError) -> Option<&'static str> {
    matches!(e, ReadError::TooLarge { .. }).then_some(
        "shrink the file, or raise `[scan] max_file_bytes` in fleet.toml if it is meant to be this large",
    )
}

/// A build file beside the Dockerfiles (compose, bake), as text; `None` when it cannot be read
/// (the scan found it, so a failure here is a race and the file is skipped).
fn read_build_file(root: &Path, rel: &str, cap: u64) -> Option<String> {
    let bytes = fs::read_repo_file(root, Path::new(rel), cap).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// The named build contexts the repository's bake files (at the root and beside each
/// Dockerfile) and compose files define: `COPY --from=<name>` names one of them, not an image.
fn named_contexts(
    root: &Path,
    compose: &[(String, String)],
    dockerfiles: &[String],
    cap: u64,
) -> Vec<String> {
    let mut dirs: std::collections::BTreeSet<String> = dockerfiles
        .iter()
        .map(|p| {
            p.rsplit_once('/')
                .map_or(String::new(), |(d, _)| format!("{d}/"))
        })
        .collect();
    dirs.insert(String::new());
    let mut contexts = Vec::new();
    for dir in &dirs {
        for name in policy::build_files::BAKE_FILES {
            let rel = format!("{dir}{name}");
            if let Some(text) = read_build_file(root, &rel, cap) {
                contexts.extend(policy::build_files::bake_contexts(&text));
            }
        }
    }
    for (_, text) in compose {
        contexts.extend(policy::build_files::compose_contexts(text));
    }
    contexts.sort();
    contexts.dedup();
    contexts
}

/// The image rules over every compose file's `image:` references, with file and line.
fn check_compose_files(
    compose: &[(String, String)],
    fleet: &Fleet,
    facts: &Facts,
    today: NaiveDate,
    repo: &mut RepoReport,
    uses: &mut ImageUses,
) {
    for (path, text) in compose {
        let (findings, file_uses) = policy::check_compose(path, text, &fleet.policy, facts, today);
        repo.findings.extend(findings);
        uses.push((path.clone(), file_uses));
    }
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
