//! The report of `drydock status` and its three renderers: a text table for people, Markdown for
//! a GitHub Actions job summary, and the versioned JSON (`cli` writes it through
//! [`super::Versioned`]). Pure: `app::status` fills a [`StatusReport`], these functions turn it
//! into strings.
//!
//! Every value that came from GitHub or fleet.toml (names, URLs) is escaped: control characters
//! in text through [`escape_terminal`], and in Markdown every value is a code span made by
//! [`markdown_code`] or a fixed word, so no value can end a table row or start a block.
//!
//! The Markdown stays under GitHub's 1 MiB step-summary limit whatever the fleet's size: a table
//! longer than [`OPEN_ROWS`] is collapsed in `<details>`, and rows past [`MARKDOWN_BUDGET`] are
//! left out with a line saying how many (the JSON report has them all).

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};

use crate::repo::RepoFailure;
use crate::text::{escape_terminal, markdown_code};

/// The state of drydock's pull request in a repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrState {
    Open,
    Draft,
    Merged,
    /// Closed without a merge.
    Declined,
}

impl PrState {
    pub fn as_str(self) -> &'static str {
        match self {
            PrState::Open => "open",
            PrState::Draft => "draft",
            PrState::Merged => "merged",
            PrState::Declined => "declined",
        }
    }
}

/// The head commit's status check rollup, in four words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Checks {
    Success,
    /// `FAILURE` or `ERROR`.
    Failure,
    /// `PENDING` or `EXPECTED`.
    Pending,
    /// Nothing reports on the head commit.
    None,
}

impl Checks {
    /// From GitHub's `StatusState` (`None`: no rollup).
    pub fn from_rollup(state: Option<&str>) -> Checks {
        match state.map(str::to_ascii_uppercase).as_deref() {
            Some("SUCCESS") => Checks::Success,
            Some("FAILURE" | "ERROR") => Checks::Failure,
            Some("PENDING" | "EXPECTED") => Checks::Pending,
            _ => Checks::None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Checks::Success => "success",
            Checks::Failure => "failure",
            Checks::Pending => "pending",
            Checks::None => "none",
        }
    }
}

/// GitHub's review decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Review {
    Approved,
    ChangesRequested,
    ReviewRequired,
}

impl Review {
    /// From GitHub's `PullRequestReviewDecision`; `None` for anything else (no review required).
    pub fn from_decision(decision: Option<&str>) -> Option<Review> {
        match decision.map(str::to_ascii_uppercase).as_deref() {
            Some("APPROVED") => Some(Review::Approved),
            Some("CHANGES_REQUESTED") => Some(Review::ChangesRequested),
            Some("REVIEW_REQUIRED") => Some(Review::ReviewRequired),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Review::Approved => "approved",
            Review::ChangesRequested => "changes requested",
            Review::ReviewRequired => "review required",
        }
    }
}

/// Why a repository needs a human before drydock can get further.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Attention {
    /// The open pull request's checks fail.
    FailingChecks,
    /// The open pull request conflicts with its base.
    Conflict,
    /// The pull request was closed without a merge.
    Declined,
    /// A reviewer asked for changes.
    Blocked,
}

impl Attention {
    pub fn as_str(self) -> &'static str {
        match self {
            Attention::FailingChecks => "failing checks",
            Attention::Conflict => "conflicts with its base",
            Attention::Declined => "declined",
            Attention::Blocked => "blocked: changes requested",
        }
    }

    /// What a pull request in this state needs, in a fixed order.
    pub fn of(pr: &PrStatus) -> Vec<Attention> {
        let mut out = Vec::new();
        match pr.state {
            PrState::Open | PrState::Draft => {
                if pr.checks == Checks::Failure {
                    out.push(Attention::FailingChecks);
                }
                if pr.mergeable == Some(false) {
                    out.push(Attention::Conflict);
                }
                if pr.review == Some(Review::ChangesRequested) {
                    out.push(Attention::Blocked);
                }
            }
            PrState::Declined => out.push(Attention::Declined),
            PrState::Merged => {}
        }
        out
    }
}

/// drydock's pull request in one repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrStatus {
    pub number: u64,
    pub url: String,
    pub state: PrState,
    pub checks: Checks,
    /// `None`: GitHub has not computed it yet (or the pull request is closed).
    pub mergeable: Option<bool>,
    pub review: Option<Review>,
    /// Whole days since it was opened.
    pub age_days: i64,
}

/// One repository of the fleet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusRow {
    /// `owner/repo`.
    pub name: String,
    /// `None`: no pull request from drydock's branch (or the repository could not be read).
    pub pr: Option<PrStatus>,
    /// Whether the default branch needs nothing: no change planned and no error finding.
    /// `None`: not measured (not synced, or the checkout could not be planned or checked).
    pub compliant: Option<bool>,
    /// When the checkout compliance was measured on was last synced.
    #[serde(serialize_with = "rfc3339")]
    pub measured_at: Option<DateTime<Utc>>,
    /// Files `plan` would create or change, when measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes_due: Option<usize>,
    /// Error-level findings of `check`, when measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_findings: Option<usize>,
    /// Why the synced checkout could not be planned or checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compliance_error: Option<RepoFailure>,
    /// Why a human is needed first, if so.
    pub attention: Vec<Attention>,
    /// Why the repository's pull requests could not be read on GitHub.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<RepoFailure>,
}

impl StatusRow {
    /// Whether the pull-request state could not be read.
    pub fn unreadable(&self) -> bool {
        self.error.is_some()
    }

    /// Whether anything about the repository could not be read (exit status 3).
    pub fn failed(&self) -> bool {
        self.error.is_some() || self.compliance_error.is_some()
    }

    /// The COMPLIANT column: `yes`, `no`, `not synced`, or `error`.
    pub fn compliant_word(&self) -> &'static str {
        match self.compliant {
            Some(true) => "yes",
            Some(false) => "no",
            None if self.compliance_error.is_some() => "error",
            None => "not synced",
        }
    }

    /// The state word of the PR column: `none`, `open`, ..., or `unreadable`.
    pub fn state_word(&self) -> &'static str {
        match &self.pr {
            Some(pr) => pr.state.as_str(),
            None if self.unreadable() => "unreadable",
            None => "none",
        }
    }
}

/// Seconds-precision UTC, `2026-12-01T10:00:00Z`.
fn rfc3339<S: Serializer>(at: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => s.collect_str(&at.format("%Y-%m-%dT%H:%M:%SZ")),
        None => s.serialize_none(),
    }
}

/// How many repositories are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub repos: usize,
    /// No pull request from drydock's branch.
    pub none: usize,
    pub open: usize,
    pub draft: usize,
    pub merged: usize,
    pub declined: usize,
    /// The pull-request state could not be read.
    pub unreadable: usize,
    pub compliant: usize,
    pub not_compliant: usize,
    /// Compliance not measured (not synced, or not plannable).
    pub not_measured: usize,
    pub needs_human: usize,
}

impl Counts {
    pub fn of(rows: &[StatusRow]) -> Counts {
        let mut c = Counts {
            repos: rows.len(),
            ..Counts::default()
        };
        for row in rows {
            match row.pr.as_ref().map(|p| p.state) {
                Some(PrState::Open) => c.open += 1,
                Some(PrState::Draft) => c.draft += 1,
                Some(PrState::Merged) => c.merged += 1,
                Some(PrState::Declined) => c.declined += 1,
                None if row.unreadable() => c.unreadable += 1,
                None => c.none += 1,
            }
            match row.compliant {
                Some(true) => c.compliant += 1,
                Some(false) => c.not_compliant += 1,
                None => c.not_measured += 1,
            }
            c.needs_human += usize::from(!row.attention.is_empty());
        }
        c
    }

    /// `3 open, 1 draft, ...` (states with no repository left out).
    pub fn states_line(&self) -> String {
        let parts: Vec<String> = [
            (self.open, "open"),
            (self.draft, "draft"),
            (self.merged, "merged"),
            (self.declined, "declined"),
            (self.none, "without a pull request"),
            (self.unreadable, "unreadable"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, word)| format!("{n} {word}"))
        .collect();
        if parts.is_empty() {
            "no repositories".into()
        } else {
            parts.join(", ")
        }
    }

    pub fn compliance_line(&self) -> String {
        format!(
            "{} compliant, {} not compliant, {} not measured",
            self.compliant, self.not_compliant, self.not_measured
        )
    }
}

/// `drydock status`: one row per repository, in fleet order, and the counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusReport {
    pub repos: Vec<StatusRow>,
    pub counts: Counts,
}

impl StatusReport {
    pub fn new(repos: Vec<StatusRow>) -> StatusReport {
        let counts = Counts::of(&repos);
        StatusReport { repos, counts }
    }

    /// The repositories that need a human first, in fleet order.
    pub fn needs_human(&self) -> impl Iterator<Item = &StatusRow> {
        self.repos.iter().filter(|r| !r.attention.is_empty())
    }

    /// The oldest and newest sync the compliance column was measured on.
    pub fn measured_span(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let times = self.repos.iter().filter_map(|r| r.measured_at);
        let oldest = times.clone().min()?;
        Some((oldest, times.max()?))
    }
}

fn yes_no(v: Option<bool>, none: &str) -> String {
    match v {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => none.into(),
    }
}

fn minute(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// What the text and Markdown say about when compliance was measured.
fn measured_note(report: &StatusReport) -> String {
    let span = match report.measured_span() {
        Some((old, new)) if old == new => format!("as synced at {}", minute(old)),
        Some((old, new)) => format!(
            "as last synced (oldest {}, newest {})",
            minute(old),
            minute(new)
        ),
        None => "nowhere yet: no repository is synced".into(),
    };
    format!("compliance is measured on the checkouts {span}; `drydock sync` refreshes it")
}

/// The cells of one row, for text (escaped for the terminal).
fn text_cells(row: &StatusRow) -> [String; 8] {
    let name = escape_terminal(&row.name).into_owned();
    let compliant = row.compliant_word().to_string();
    match &row.pr {
        Some(pr) => [
            name,
            format!("#{}", pr.number),
            pr.state.as_str().into(),
            pr.checks.as_str().into(),
            yes_no(pr.mergeable, "unknown"),
            pr.review.map_or("-", Review::as_str).into(),
            format!("{}d", pr.age_days),
            compliant,
        ],
        None => [
            name,
            "-".into(),
            row.state_word().into(),
            "-".into(),
            "-".into(),
            "-".into(),
            "-".into(),
            compliant,
        ],
    }
}

/// The text format: a table, the counts, the repositories that need a human first (with their
/// pull request's URL), those that could not be read, and when compliance was measured.
pub fn text(report: &StatusReport) -> String {
    const HEAD: [&str; 8] = [
        "REPOSITORY",
        "PR",
        "STATE",
        "CHECKS",
        "MERGEABLE",
        "REVIEW",
        "AGE",
        "COMPLIANT",
    ];
    let rows: Vec<[String; 8]> = report.repos.iter().map(text_cells).collect();
    let mut widths = HEAD.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[&str]| {
        let mut l = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                l.push_str(cell);
            } else {
                let pad = w - cell.chars().count();
                let _ = write!(l, "{cell}{}  ", " ".repeat(pad));
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&HEAD);
    for row in &rows {
        line(&row.each_ref().map(String::as_str));
    }
    let c = &report.counts;
    let _ = writeln!(
        out,
        "\n{} repositories: {}; {}",
        c.repos,
        c.states_line(),
        c.compliance_line()
    );
    if c.needs_human > 0 {
        let _ = writeln!(out, "\nneeds a human first ({}):", c.needs_human);
        for row in report.needs_human() {
            let why: Vec<&str> = row.attention.iter().map(|a| a.as_str()).collect();
            let (number, url) = row
                .pr
                .as_ref()
                .map(|p| {
                    (
                        format!("#{}", p.number),
                        escape_terminal(&p.url).into_owned(),
                    )
                })
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {} {number}: {} {url}",
                escape_terminal(&row.name),
                why.join(", ")
            );
        }
    }
    let failed: Vec<&StatusRow> = report.repos.iter().filter(|r| r.failed()).collect();
    if !failed.is_empty() {
        let _ = writeln!(out, "\ncould not be read ({}):", failed.len());
        for row in failed {
            for e in row.error.iter().chain(&row.compliance_error) {
                let _ = writeln!(
                    out,
                    "  {}: {}",
                    escape_terminal(&row.name),
                    escape_terminal(&e.message)
                );
            }
        }
    }
    let _ = writeln!(out, "\n{}", measured_note(report));
    out
}

/// A table longer than this is collapsed in `<details>`.
pub const OPEN_ROWS: usize = 20;

/// GitHub refuses a step summary over 1 MiB; the Markdown stops adding rows before this many
/// bytes, leaving room for the closing lines.
pub const MARKDOWN_BUDGET: usize = 1_000_000;

/// One Markdown table row: every value a code span or a fixed word.
fn markdown_row(row: &StatusRow) -> String {
    let compliant = match row.compliant {
        Some(true) => "✅ yes",
        Some(false) => "❌ no",
        None => row.compliant_word(),
    };
    match &row.pr {
        Some(pr) => format!(
            "| {} | [#{}]({}) | {} | {} | {} | {} | {}d | {} |\n",
            markdown_code(&row.name),
            pr.number,
            link_target(&pr.url),
            pr.state.as_str(),
            pr.checks.as_str(),
            yes_no(pr.mergeable, "unknown"),
            pr.review.map_or("—", Review::as_str),
            pr.age_days,
            compliant
        ),
        None => format!(
            "| {} | — | {} | — | — | — | — | {} |\n",
            markdown_code(&row.name),
            row.state_word(),
            compliant
        ),
    }
}

/// A URL as a Markdown link target: `<`, `>`, spaces, parentheses and control characters
/// percent-encoded, so the value cannot end the link or the row.
fn link_target(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            '<' | '>' | '(' | ')' | ' ' | '|' | '[' | ']' | '`' | '\\' | '"' => {
                let _ = write!(out, "%{:02X}", c as u32);
            }
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "%{b:02X}");
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Appends a bullet list of `total` items, collapsed when long, within the budget.
fn markdown_list(out: &mut String, total: usize, lines: impl Iterator<Item = String>) {
    let collapsed = total > OPEN_ROWS;
    if collapsed {
        let _ = writeln!(out, "<details><summary>{total} repositories</summary>\n");
    }
    let mut shown = 0;
    for line in lines {
        if out.len() + line.len() > MARKDOWN_BUDGET / 2 {
            break;
        }
        out.push_str(&line);
        shown += 1;
    }
    if shown < total {
        let _ = writeln!(
            out,
            "- … and more: `drydock status --format json` lists them all"
        );
    }
    out.push('\n');
    if collapsed {
        out.push_str("</details>\n\n");
    }
}

const TABLE_HEAD: &str = "| Repository | PR | State | Checks | Mergeable | Review | Age | Compliant |\n|---|---|---|---|---|---|---|---|\n";

/// Appends a table of `rows`, collapsed when long, within the budget; says how many rows did not
/// fit.
fn markdown_table<'a>(
    out: &mut String,
    summary: &str,
    rows: impl ExactSizeIterator<Item = &'a StatusRow>,
) {
    let total = rows.len();
    let collapsed = total > OPEN_ROWS;
    if collapsed {
        let _ = writeln!(out, "<details><summary>{summary}</summary>\n");
    }
    out.push_str(TABLE_HEAD);
    let mut shown = 0;
    for row in rows {
        let line = markdown_row(row);
        if out.len() + line.len() > MARKDOWN_BUDGET {
            break;
        }
        out.push_str(&line);
        shown += 1;
    }
    out.push('\n');
    if shown < total {
        let _ = writeln!(
            out,
            "{} more rows did not fit in a job summary; `drydock status --format json` lists every repository.\n",
            total - shown
        );
    }
    if collapsed {
        out.push_str("</details>\n\n");
    }
}

/// The Markdown format, for `$GITHUB_STEP_SUMMARY`: the counts, the repositories that need a
/// human first, then every repository (collapsed when long), under [`MARKDOWN_BUDGET`] bytes.
pub fn markdown(report: &StatusReport) -> String {
    let c = &report.counts;
    let mut out = String::from("## drydock status\n\n");
    let _ = writeln!(
        out,
        "**{} repositories**: {}; {}\n",
        c.repos,
        c.states_line(),
        c.compliance_line()
    );
    out.push_str("| open | draft | merged | declined | none | unreadable | compliant | needs a human |\n|---|---|---|---|---|---|---|---|\n");
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
        c.open, c.draft, c.merged, c.declined, c.none, c.unreadable, c.compliant, c.needs_human
    );
    if c.needs_human > 0 {
        let _ = writeln!(out, "### Needs a human first ({})\n", c.needs_human);
        let lines = report.needs_human().map(|row| {
            let why: Vec<&str> = row.attention.iter().map(|a| a.as_str()).collect();
            let pr = row.pr.as_ref().map_or_else(String::new, |p| {
                format!(" [#{}]({})", p.number, link_target(&p.url))
            });
            format!("- {}{pr}: {}\n", markdown_code(&row.name), why.join(", "))
        });
        markdown_list(&mut out, c.needs_human, lines);
    }
    let failed: Vec<&StatusRow> = report.repos.iter().filter(|r| r.failed()).collect();
    if !failed.is_empty() {
        let _ = writeln!(out, "### Could not be read ({})\n", failed.len());
        let lines = failed.iter().flat_map(|row| {
            row.error.iter().chain(&row.compliance_error).map(|e| {
                format!(
                    "- {}: {}\n",
                    markdown_code(&row.name),
                    markdown_code(&e.message)
                )
            })
        });
        markdown_list(&mut out, failed.len(), lines);
    }
    let _ = writeln!(out, "### Every repository ({})\n", c.repos);
    markdown_table(
        &mut out,
        &format!("{} repositories", c.repos),
        report.repos.iter(),
    );
    let _ = writeln!(out, "<sub>{}</sub>", measured_note(report));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::FailureKind;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn pr(number: u64, state: PrState, checks: Checks, mergeable: Option<bool>) -> PrStatus {
        PrStatus {
            number,
            url: format!("https://github.com/acme/web/pull/{number}"),
            state,
            checks,
            mergeable,
            review: Some(Review::ReviewRequired),
            age_days: 3,
        }
    }

    fn row(name: &str, pr: Option<PrStatus>, compliant: Option<bool>) -> StatusRow {
        let attention = pr.as_ref().map(Attention::of).unwrap_or_default();
        StatusRow {
            name: name.into(),
            pr,
            compliant,
            measured_at: compliant.map(|_| at("2026-12-01T10:00:00Z")),
            changes_due: compliant.map(|c| usize::from(!c)),
            error_findings: compliant.map(|_| 0),
            compliance_error: None,
            attention,
            error: None,
        }
    }

    fn sample() -> StatusReport {
        let mut blocked = pr(4, PrState::Open, Checks::Success, Some(true));
        blocked.review = Some(Review::ChangesRequested);
        let mut unreadable = row("acme/gone", None, None);
        unreadable.error = Some(RepoFailure::new(
            FailureKind::NotFound,
            "not found on GitHub",
        ));
        StatusReport::new(vec![
            row(
                "acme/web",
                Some(pr(1, PrState::Open, Checks::Failure, Some(false))),
                Some(false),
            ),
            row(
                "acme/api",
                Some(pr(2, PrState::Merged, Checks::Success, None)),
                Some(true),
            ),
            row(
                "acme/old",
                Some(pr(3, PrState::Declined, Checks::None, None)),
                None,
            ),
            row("acme/blocked", Some(blocked), None),
            row("acme/new\u{1b}[31m", None, None),
            unreadable,
        ])
    }

    #[test]
    fn attention_lists_what_needs_a_human() {
        let report = sample();
        let needs: Vec<(&str, &[Attention])> = report
            .needs_human()
            .map(|r| (r.name.as_str(), r.attention.as_slice()))
            .collect();
        assert_eq!(
            needs,
            [
                (
                    "acme/web",
                    &[Attention::FailingChecks, Attention::Conflict][..]
                ),
                ("acme/old", &[Attention::Declined][..]),
                ("acme/blocked", &[Attention::Blocked][..]),
            ]
        );
        let c = report.counts;
        assert_eq!(
            (
                c.open,
                c.merged,
                c.declined,
                c.none,
                c.unreadable,
                c.needs_human
            ),
            (2, 1, 1, 1, 1, 3)
        );
        assert_eq!((c.compliant, c.not_compliant, c.not_measured), (1, 1, 4));
    }

    #[test]
    fn checks_and_reviews_from_github_words() {
        assert_eq!(Checks::from_rollup(Some("ERROR")), Checks::Failure);
        assert_eq!(Checks::from_rollup(Some("EXPECTED")), Checks::Pending);
        assert_eq!(Checks::from_rollup(None), Checks::None);
        assert_eq!(
            Review::from_decision(Some("CHANGES_REQUESTED")),
            Some(Review::ChangesRequested)
        );
        assert_eq!(Review::from_decision(None), None);
    }

    #[test]
    fn text_is_a_table_with_counts_and_escapes_control_characters() {
        let t = text(&sample());
        insta::assert_snapshot!(t);
        assert!(!t.contains('\u{1b}'));
    }

    #[test]
    fn markdown_escapes_every_value() {
        let mut report = sample();
        report.repos[0].name = "acme/pipe|`tick`\n## heading".into();
        report.repos[0].pr.as_mut().unwrap().url = "https://x/(a) [b]|c\n".into();
        let m = markdown(&report);
        insta::assert_snapshot!(m);
        assert!(!m.contains("\n## heading"));
        // Every row has exactly its 9 cell borders: no value adds an unescaped pipe.
        for line in m
            .lines()
            .filter(|l| l.starts_with('|') && !l.starts_with("|---"))
        {
            let borders = line
                .char_indices()
                .filter(|&(i, c)| c == '|' && !line[..i].ends_with('\\'))
                .count();
            assert_eq!(borders, 9, "{line}");
        }
    }

    #[test]
    fn markdown_stays_under_the_step_summary_limit() {
        let rows: Vec<StatusRow> = (0..20_000)
            .map(|i| {
                row(
                    &format!("acme/{}-{i}", "x".repeat(60)),
                    Some(pr(i, PrState::Open, Checks::Failure, Some(false))),
                    Some(false),
                )
            })
            .collect();
        let m = markdown(&StatusReport::new(rows));
        assert!(m.len() < 1024 * 1024, "{} bytes", m.len());
        assert!(m.contains("<details><summary>20000 repositories</summary>"));
        assert!(
            m.contains("more rows did not fit in a job summary"),
            "rows are cut"
        );
        assert!(m.trim_end().ends_with("</sub>"));
    }

    #[test]
    fn short_tables_stay_open() {
        let m = markdown(&sample());
        assert!(!m.contains("<details>"), "{m}");
    }

    #[test]
    fn json_has_the_documented_shape() {
        let v = serde_json::to_value(super::super::Versioned::new(&sample())).unwrap();
        assert_eq!(v["version"], 1);
        let web = &v["repos"][0];
        assert_eq!(web["name"], "acme/web");
        assert_eq!(
            web["pr"],
            serde_json::json!({"number": 1, "url": "https://github.com/acme/web/pull/1", "state": "open", "checks": "failure", "mergeable": false, "review": "review_required", "age_days": 3})
        );
        assert_eq!(web["compliant"], false);
        assert_eq!(web["measured_at"], "2026-12-01T10:00:00Z");
        assert_eq!(
            web["attention"],
            serde_json::json!(["failing_checks", "conflict"])
        );
        assert_eq!(v["repos"][4]["pr"], serde_json::Value::Null);
        assert_eq!(v["repos"][4]["measured_at"], serde_json::Value::Null);
        assert_eq!(v["counts"]["open"], 2);
        assert_eq!(v["counts"]["unreadable"], 1);
    }
}
