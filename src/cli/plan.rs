//! `drydock plan`: the flags, and the plan (`app::plan`) printed for people or as JSON.
//! `--write` applies the changes to the working trees (never commits); `--exit-code` turns a
//! due change, or a managed file drydock cannot use, into exit 1.
//!
//! The text output reads top-down: first a summary of every repository (files to create,
//! update or leave, findings by severity, each finding with its fix), then the diffs. A created
//! file whose rendering matches one already shown for another repository is not repeated: only
//! the lines that differ (a workflow's schedule, say) are. `--stat` stops after the summary,
//! `--diff` repeats every diff in full, `--quiet` keeps only errors and the final line, which
//! counts repositories, files and findings.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::{ExitStatus, Global, TextOrJson, load, shown, write_json_in_shard};
use crate::app::plan::{PlanContext, PlanReport, plan};
use crate::finding::{Finding, Severity};
use crate::plan::{Action, RepoPlan};

/// Show the files drydock would create or change, as diffs, and the findings about them.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Plan this directory instead of the fleet (built-in defaults, or DIR/.github/drydock.toml,
    /// or --fleet FILE).
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
    /// Exit with status 1 when any repository has a change or an unusable managed file (for
    /// drift checks in CI).
    #[arg(long)]
    pub exit_code: bool,
    /// Apply the changes to the working trees (no commit).
    #[arg(long)]
    pub write: bool,
    /// Only the summary: no diffs.
    #[arg(long, conflicts_with = "diff")]
    pub stat: bool,
    /// Every diff in full, also of a new file whose rendering was already shown.
    #[arg(long)]
    pub diff: bool,
}

/// How much of the plan the text output shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Errors and the final line.
    Quiet,
    /// The summary, no diffs.
    Stat,
    /// The summary, then diffs, a repeated rendering shown by its differences only.
    Default,
    /// The summary, then every diff in full.
    FullDiff,
}

pub fn run(global: &Global, args: PlanArgs) -> anyhow::Result<ExitStatus> {
    let (fleet, targets) = load(global, args.path.clone())?;
    let report = plan(&PlanContext {
        fleet: &fleet,
        targets: &targets,
        write: args.write,
    });
    if let Some(warning) = &report.workflow_warning
        && !global.quiet
    {
        eprintln!("warning: {warning}");
    }
    let detail = match (global.quiet, args.stat, args.diff) {
        (true, _, _) => Detail::Quiet,
        (_, true, _) => Detail::Stat,
        (_, _, true) => Detail::FullDiff,
        _ => Detail::Default,
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        TextOrJson::Json => write_json_in_shard(&mut out, &report, global.shard, false)?,
        TextOrJson::Text => {
            let text = render_text(&report, super::colour(), args.write, detail);
            out.write_all(text.as_bytes())?;
        }
    }
    out.flush()?;
    let failed = report.failed();
    if failed > 0 {
        eprintln!(
            "error: {failed} of {} repositories could not be planned",
            report.repos.len()
        );
        return Ok(ExitStatus::RepoFailed);
    }
    if args.exit_code && report.drifted() {
        return Ok(ExitStatus::Findings);
    }
    Ok(ExitStatus::Success)
}

/// Wraps text in an SGR colour when colour is on.
struct Paint(bool);

impl Paint {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

/// The plan as text: the summary, the diffs (per `detail`), the final line.
pub fn render_text(report: &PlanReport, colour: bool, wrote: bool, detail: Detail) -> String {
    let paint = Paint(colour);
    let mut out = String::new();
    for repo in &report.repos {
        summary(&mut out, repo, &paint, wrote, detail);
    }
    if matches!(detail, Detail::Default | Detail::FullDiff) && report.has_changes() {
        diffs(&mut out, report, &paint, detail);
    }
    out.push_str(&final_line(report, wrote));
    out.push('\n');
    out
}

/// One repository's summary: its headline, each change with its reasons, each finding.
fn summary(out: &mut String, repo: &RepoPlan, paint: &Paint, wrote: bool, detail: Detail) {
    let quiet = detail == Detail::Quiet;
    let errors: Vec<&Finding> = repo
        .findings
        .iter()
        .filter(|f| !quiet || f.severity == Severity::Error)
        .collect();
    if quiet && repo.error.is_none() && errors.is_empty() {
        return;
    }
    let head = paint.paint("1", &format!("== {}", shown(&repo.name)));
    if let Some(e) = &repo.error {
        out.push_str(&format!("{head}: could not be planned\n"));
        out.push_str(&format!(
            "  {}: {}\n",
            paint.paint("31", "error"),
            shown(&e.to_string())
        ));
        return;
    }
    out.push_str(&format!(
        "{head}: {}; {}\n",
        file_counts(repo, wrote),
        severity_counts(&repo.findings, repo.waived.len())
    ));
    if !quiet {
        for c in &repo.changes {
            out.push_str(&format!("  {} {}\n", verb(c.action, wrote), shown(&c.path)));
            for r in &c.reasons {
                out.push_str(&format!("    - {}\n", shown(&r.to_string())));
            }
        }
    }
    for f in errors {
        let at = match (f.line, f.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", shown(&f.path)),
            (Some(l), None) => format!("{}:{l}", shown(&f.path)),
            _ => shown(&f.path).into_owned(),
        };
        let sev = match f.severity {
            Severity::Error => paint.paint("31", "error"),
            Severity::Warning => paint.paint("33", "warning"),
            Severity::Note => paint.paint("36", "note"),
        };
        out.push_str(&format!(
            "  {sev} {at}: {} [{}]\n",
            shown(&f.message),
            f.rule
        ));
        if let Some(fix) = &f.fix {
            out.push_str(&format!("    fix: {}\n", shown(fix)));
        }
    }
}

fn verb(action: Action, wrote: bool) -> &'static str {
    match (action, wrote) {
        (Action::Create, false) => "create",
        (Action::Update, false) => "update",
        (Action::Create, true) => "created",
        (Action::Update, true) => "updated",
    }
}

/// "2 to create, 1 to update, 1 unchanged" (only the non-zero parts; "no changes" when none).
fn file_counts(repo: &RepoPlan, wrote: bool) -> String {
    let count = |action| repo.changes.iter().filter(|c| c.action == action).count();
    let (create, update) = (count(Action::Create), count(Action::Update));
    let mut parts = Vec::new();
    if create > 0 {
        parts.push(format!(
            "{create} {}",
            if wrote { "created" } else { "to create" }
        ));
    }
    if update > 0 {
        parts.push(format!(
            "{update} {}",
            if wrote { "updated" } else { "to update" }
        ));
    }
    if parts.is_empty() {
        parts.push("no changes".to_string());
    }
    if !repo.unchanged.is_empty() {
        parts.push(format!("{} unchanged", repo.unchanged.len()));
    }
    parts.join(", ")
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// "1 error, 2 notes" (only the non-zero severities; "no findings" when none), plus waived ones.
fn severity_counts(findings: &[Finding], waived: usize) -> String {
    let count = |s| findings.iter().filter(|f| f.severity == s).count();
    let mut parts: Vec<String> = [
        (Severity::Error, "error"),
        (Severity::Warning, "warning"),
        (Severity::Note, "note"),
    ]
    .into_iter()
    .filter_map(|(s, word)| {
        let n = count(s);
        (n > 0).then(|| plural(n, word))
    })
    .collect();
    if parts.is_empty() {
        parts.push("no findings".to_string());
    }
    if waived > 0 {
        parts.push(format!("{waived} waived"));
    }
    parts.join(", ")
}

/// The diffs of every change. With [`Detail::Default`], a created file whose path was already
/// shown as created for another repository is shown as its differences from that rendering.
fn diffs(out: &mut String, report: &PlanReport, paint: &Paint, detail: Detail) {
    out.push('\n');
    // The first rendering shown of each new file, by path: (repository, content).
    let mut first_shown: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
    for repo in report.repos.iter().filter(|r| r.error.is_none()) {
        for c in &repo.changes {
            let title = paint.paint(
                "1",
                &format!("== {}: {}", shown(&repo.name), shown(&c.path)),
            );
            let first = (detail == Detail::Default && c.action == Action::Create)
                .then(|| first_shown.get(c.path.as_str()).copied())
                .flatten();
            match first {
                Some((first_repo, first_content)) if first_content == c.content => {
                    out.push_str(&format!(
                        "{title}: the same new file as in {}\n",
                        shown(first_repo)
                    ));
                }
                Some((first_repo, first_content))
                    if let Some(differences) = few_differences(first_content, &c.content) =>
                {
                    out.push_str(&format!(
                        "{title}: the new file of {}, except:\n",
                        shown(first_repo)
                    ));
                    diff_lines(out, &differences, paint);
                }
                _ => {
                    out.push_str(&format!("{title}\n"));
                    diff_lines(out, &c.diff, paint);
                    if c.action == Action::Create {
                        first_shown.insert(&c.path, (&repo.name, &c.content));
                    }
                }
            }
        }
    }
    out.push('\n');
}

/// The lines in which `new` differs from `shown` (hunk headers, removed and added lines, no
/// context), when they are few: at most a tenth of the file's lines. `None` when the two are
/// different files in substance, which are better read in full.
fn few_differences(shown: &str, new: &str) -> Option<String> {
    let diff = similar::TextDiff::from_lines(shown, new);
    let changed = diff
        .iter_all_changes()
        .filter(|c| c.tag() != similar::ChangeTag::Equal)
        .count();
    if changed * 10 > new.lines().count().max(1) {
        return None;
    }
    let text = diff.unified_diff().context_radius(0).to_string();
    Some(
        text.lines()
            .filter(|l| !l.starts_with("+++") && !l.starts_with("---"))
            .map(|l| format!("{l}\n"))
            .collect(),
    )
}

fn diff_lines(out: &mut String, diff: &str, paint: &Paint) {
    for line in diff.lines() {
        let line = &*shown(line);
        let painted = match line.as_bytes().first() {
            _ if line.starts_with("+++") || line.starts_with("---") => paint.paint("1", line),
            Some(b'+') => paint.paint("32", line),
            Some(b'-') => paint.paint("31", line),
            Some(b'@') => paint.paint("36", line),
            _ => line.to_string(),
        };
        out.push_str(&format!("    {painted}\n"));
    }
}

/// "3 of 8 repositories would change (5 files); 1 error, 2 notes; 1 could not be planned".
fn final_line(report: &PlanReport, wrote: bool) -> String {
    let changed = report
        .repos
        .iter()
        .filter(|r| !r.changes.is_empty())
        .count();
    let files: usize = report.repos.iter().map(|r| r.changes.len()).sum();
    let findings: Vec<Finding> = report
        .repos
        .iter()
        .flat_map(|r| r.findings.iter().cloned())
        .collect();
    let waived = report.repos.iter().map(|r| r.waived.len()).sum();
    let mut line = format!(
        "{changed} of {} repositories {} ({}); {}",
        report.repos.len(),
        if wrote { "changed" } else { "would change" },
        plural(files, "file"),
        severity_counts(&findings, waived)
    );
    let failed = report.failed();
    if failed > 0 {
        line.push_str(&format!("; {failed} could not be planned"));
    }
    line
}
