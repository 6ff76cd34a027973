//! The pull request and commit that carry one repository's plan: title, body (through
//! `templates/pull-request.md.hbs`), commit message with its trailers, and the content hash that
//! ties them to the planned files. Pure: the caller gathers the inputs and sends the result.
//!
//! Everything that comes from a repository is escaped before it reaches the template (code spans,
//! plain text, fenced diffs; see [`super::markdown`]), so a hostile file name renders as the name
//! it is. The body stays under GitHub's size limit: diffs are shortened first, then long lists.

use handlebars::Handlebars;
use serde::{Deserialize, Serialize};

use super::config::ApplySettings;
use super::markdown;
use super::marker;
use crate::finding::Finding;
use crate::plan::{Action, RepoPlan};
use crate::text::{escape_terminal, markdown_code};

/// The template drydock ships, embedded in the binary.
pub const TEMPLATE: &str = include_str!("../../templates/pull-request.md.hbs");

/// GitHub refuses a pull-request body longer than this many characters.
pub const GITHUB_BODY_LIMIT: usize = 65_536;

/// The budget drydock renders to, in bytes (a byte count bounds the character count), leaving
/// room for a person's edit above the marker and for GitHub's `\r\n` line ends after one.
pub const BODY_BUDGET: usize = 60_000;

/// What [`render`] needs for one repository.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    /// `owner/repo`.
    pub repo: &'a str,
    /// The branch the pull request targets.
    pub default_branch: &'a str,
    pub settings: &'a ApplySettings,
    /// The plan; its changes are the commit.
    pub plan: &'a RepoPlan,
    /// What detection found: (directory, ecosystem) pairs.
    pub ecosystems: Vec<(String, String)>,
    /// The repository's Dockerfiles, repository-relative.
    pub dockerfiles: Vec<String>,
    /// Findings drydock does not fix (forbidden images, single-stage builds, unresolved FROMs).
    pub human_findings: Vec<Finding>,
}

/// The commit and pull request for one repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The pull-request title: the commit subject (a squash merge then keeps it).
    pub title: String,
    /// The pull-request body, ending with the marker line.
    pub body: String,
    /// Subject, blank line, one line per file, blank line, trailers.
    pub commit_message: String,
    /// [`marker::content_hash`] of the planned (path, contents).
    pub content_hash: String,
}

/// Why no pull request could be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("{repo}: the plan changes no file, so there is nothing to propose")]
    NothingToPropose { repo: String },
    #[error("{repo}: the pull-request template failed: {message}")]
    Template { repo: String, message: String },
    #[error(
        "{repo}: the pull-request body is {bytes} bytes even with diffs and lists shortened (GitHub allows {GITHUB_BODY_LIMIT} characters)"
    )]
    TooLong { repo: String, bytes: usize },
}

/// The title, body, commit message and content hash for `input`'s plan.
pub fn render(input: &Input<'_>) -> Result<Rendered, RenderError> {
    let plan = input.plan;
    if plan.changes.is_empty() {
        return Err(RenderError::NothingToPropose {
            repo: input.repo.to_string(),
        });
    }
    let files: Vec<(String, String)> = plan
        .changes
        .iter()
        .map(|c| (c.path.clone(), c.content.clone()))
        .collect();
    let content_hash = marker::content_hash(&files);
    let title = input.settings.message.trim().to_string();
    let commit_message = commit_message(input, &title, &content_hash);
    let hb = handlebars();
    let template_error = |e: handlebars::RenderError| RenderError::Template {
        repo: input.repo.to_string(),
        message: e.to_string(),
    };
    let mut body = String::new();
    for shape in SHAPES {
        let view = view_of(input, &content_hash, shape, None);
        body = finish(hb.render(NAME, &view).map_err(template_error)?);
        if body.len() <= BODY_BUDGET {
            break;
        }
        if shape.diffs {
            // The diffs get what the rest of the body leaves, down to whole lines.
            let without = view_of(input, &content_hash, shape, Some(0));
            let rest = finish(hb.render(NAME, &without).map_err(template_error)?).len();
            // Each shown diff adds its fence lines, and the omitted-lines count may grow a digit.
            let overhead = 64 * input.plan.changes.len();
            let room = BODY_BUDGET.saturating_sub(rest + overhead);
            let fitted = view_of(input, &content_hash, shape, Some(room));
            body = finish(hb.render(NAME, &fitted).map_err(template_error)?);
            if body.len() <= BODY_BUDGET {
                break;
            }
        }
    }
    if body.len() > BODY_BUDGET {
        return Err(RenderError::TooLong {
            repo: input.repo.to_string(),
            bytes: body.len(),
        });
    }
    Ok(Rendered {
        title,
        body,
        commit_message,
        content_hash,
    })
}

const NAME: &str = "pull-request.md";

/// The built-in template, compiled once per process.
fn handlebars() -> &'static Handlebars<'static> {
    static COMPILED: std::sync::LazyLock<Handlebars<'static>> = std::sync::LazyLock::new(|| {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        // Every value in the view is Markdown already; a `{{x}}` slip is escaped once more
        // rather than let through.
        hb.register_escape_fn(markdown::text);
        hb.register_template_string(NAME, TEMPLATE)
            .expect("the built-in pull-request template compiles (tested)");
        hb
    });
    &COMPILED
}

/// Outside code blocks: trailing spaces trimmed and one blank line at most between blocks (the
/// template's conditionals leave gaps); inside them, every line as it is. One newline at the end.
fn finish(text: String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut fence: Option<(char, usize)> = None;
    let mut blank = true;
    for line in text.lines() {
        if let Some(open) = fence {
            if marker::closes(line, open) {
                fence = None;
            }
            out.push_str(line);
            out.push('\n');
            continue;
        }
        fence = marker::fence_of(line);
        let line = line.trim_end();
        if line.is_empty() {
            if blank {
                continue;
            }
            blank = true;
        } else {
            blank = false;
        }
        out.push_str(line);
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// How much of the body to show: the first that fits wins.
#[derive(Debug, Clone, Copy)]
struct Shape {
    diffs: bool,
    /// At most this many rows in each list (detections, findings).
    list_cap: usize,
}

const SHAPES: [Shape; 4] = [
    Shape {
        diffs: true,
        list_cap: usize::MAX,
    },
    Shape {
        diffs: true,
        list_cap: 100,
    },
    Shape {
        diffs: false,
        list_cap: 50,
    },
    Shape {
        diffs: false,
        list_cap: 10,
    },
];

fn commit_message(input: &Input<'_>, subject: &str, hash: &str) -> String {
    let mut lines = vec![subject.to_string(), String::new()];
    for change in &input.plan.changes {
        let verb = match change.action {
            Action::Create => "Create",
            Action::Update => "Update",
        };
        lines.push(format!("{verb} {}", escape_terminal(&change.path)));
    }
    lines.push(String::new());
    lines.push(format!("{}: {hash}", marker::TRAILER));
    if input.settings.signoff {
        let author = &input.settings.author;
        lines.push(format!(
            "Signed-off-by: {} <{}>",
            escape_terminal(&author.name),
            escape_terminal(&author.email)
        ));
    }
    let mut message = lines.join("\n");
    message.push('\n');
    message
}

// ---------------------------------------------------------------------------------------------
// The view the template renders: every string in it is Markdown, escaped here.

#[derive(Serialize)]
struct View {
    repo: String,
    default_branch: String,
    branch: String,
    policy_url: Option<String>,
    files: Vec<FileRow>,
    /// `None` when the diffs were left out to fit the size limit.
    diffs: Option<Vec<DiffView>>,
    ecosystems: Vec<EcosystemRow>,
    ecosystems_more: Option<usize>,
    dockerfiles: Vec<String>,
    dockerfiles_more: Option<usize>,
    findings: Vec<FindingRow>,
    findings_more: Option<usize>,
    dependabot: Option<DependabotView>,
    monitors: Vec<MonitorView>,
    draft: bool,
    /// A `[[repo]]` entry with `[repo.apply]`, as a fenced TOML block.
    example: String,
    marker: String,
}

#[derive(Serialize)]
struct FileRow {
    path: String,
    action: &'static str,
    reasons: String,
}

#[derive(Serialize)]
struct DiffView {
    path: String,
    action: &'static str,
    /// `None` when none of it fits.
    block: Option<String>,
    /// Set when the diff was cut short.
    omitted_lines: Option<usize>,
}

#[derive(Serialize)]
struct EcosystemRow {
    directory: String,
    ecosystems: String,
}

#[derive(Serialize)]
struct FindingRow {
    location: String,
    rule: String,
    severity: &'static str,
    message: String,
    fix: Option<String>,
}

#[derive(Serialize)]
struct DependabotView {
    path: String,
    updates: Vec<UpdateRow>,
    updates_more: Option<usize>,
}

#[derive(Serialize)]
struct UpdateRow {
    ecosystem: String,
    directories: String,
    schedule: String,
}

#[derive(Serialize)]
struct MonitorView {
    path: String,
    schedules: Vec<String>,
}

/// The view for `shape`; `diff_room` caps the bytes of all diffs together (`None`: no cap).
fn view_of(input: &Input<'_>, hash: &str, shape: Shape, diff_room: Option<usize>) -> View {
    let plan = input.plan;
    let files = plan
        .changes
        .iter()
        .map(|c| FileRow {
            path: markdown_code(&c.path),
            action: action_word(c.action),
            reasons: if c.reasons.is_empty() {
                "—".to_string()
            } else {
                c.reasons
                    .iter()
                    .map(|r| markdown::text(r))
                    .collect::<Vec<_>>()
                    .join("<br>")
            },
        })
        .collect();
    let diffs = shape.diffs.then(|| {
        let mut room = diff_room;
        plan.changes
            .iter()
            .map(|c| {
                let (shown, omitted) = cut(&c.diff, room);
                if let Some(r) = &mut room {
                    *r = r.saturating_sub(shown.len());
                }
                DiffView {
                    path: markdown::code(&c.path),
                    action: action_word(c.action),
                    block: (!shown.is_empty()).then(|| markdown::fenced("diff", shown)),
                    omitted_lines: omitted,
                }
            })
            .collect()
    });
    // One row per directory, its ecosystems together.
    let mut by_dir: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for (dir, eco) in &input.ecosystems {
        by_dir.entry(dir).or_default().push(eco);
    }
    let ecosystems: Vec<(&str, Vec<&str>)> = by_dir
        .into_iter()
        .map(|(dir, mut ecos)| {
            ecos.sort_unstable();
            ecos.dedup();
            (dir, ecos)
        })
        .collect();
    let mut dockerfiles: Vec<&String> = input.dockerfiles.iter().collect();
    dockerfiles.sort();
    dockerfiles.dedup();
    let (ecosystems, ecosystems_more) = capped(ecosystems, shape.list_cap);
    let (dockerfiles, dockerfiles_more) = capped(dockerfiles, shape.list_cap);
    let mut findings: Vec<&Finding> = input.human_findings.iter().collect();
    findings.sort_by(|a, b| {
        (b.severity, &a.path, a.line, &a.rule).cmp(&(a.severity, &b.path, b.line, &b.rule))
    });
    let (findings, findings_more) = capped(findings, shape.list_cap);
    View {
        repo: markdown::code(input.repo),
        default_branch: markdown::code(input.default_branch),
        branch: markdown::code(&input.settings.branch),
        policy_url: input.settings.policy_url.as_deref().map(link_target),
        files,
        diffs,
        ecosystems: ecosystems
            .into_iter()
            .map(|(dir, ecos)| EcosystemRow {
                directory: markdown_code(dir),
                ecosystems: ecos
                    .iter()
                    .map(|e| markdown_code(e))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect(),
        ecosystems_more,
        dockerfiles: dockerfiles.into_iter().map(|d| markdown::code(d)).collect(),
        dockerfiles_more,
        findings: findings.into_iter().map(finding_row).collect(),
        findings_more,
        dependabot: dependabot_view(plan, shape.list_cap),
        monitors: monitor_views(plan),
        draft: input.settings.draft,
        example: markdown::fenced(
            "toml",
            &format!(
                "[[repo]]\nname = {}\n\n[repo.apply]\nlabels = [\"dependencies\"]\nreviewers = [\"octocat\"]\ndraft = true\n",
                toml::Value::String(input.repo.to_string())
            ),
        ),
        marker: marker::marker(hash),
    }
}

fn action_word(action: Action) -> &'static str {
    match action {
        Action::Create => "created",
        Action::Update => "updated",
    }
}

/// The first `cap` items and how many were left out.
fn capped<T>(mut items: Vec<T>, cap: usize) -> (Vec<T>, Option<usize>) {
    if items.len() <= cap {
        return (items, None);
    }
    let more = items.len() - cap;
    items.truncate(cap);
    (items, Some(more))
}

/// `diff` cut at a line boundary to fit `room` bytes, and how many lines were left out.
fn cut(diff: &str, room: Option<usize>) -> (&str, Option<usize>) {
    let Some(room) = room else {
        return (diff, None);
    };
    if diff.len() <= room {
        return (diff, None);
    }
    let mut end = 0;
    for (i, _) in diff.match_indices('\n') {
        if i + 1 > room {
            break;
        }
        end = i + 1;
    }
    let shown = &diff[..end];
    (shown, Some(diff[end..].lines().count()))
}

/// A URL as a Markdown link destination: `<...>` with the characters that could end it escaped.
/// `[apply] policy_url` is checked to be http(s) when the fleet file is read.
fn link_target(url: &str) -> String {
    let mut out = String::from("<");
    for c in url.chars() {
        match c {
            '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() || c == ' ' => {
                out.push_str(&format!("%{:02X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('>');
    out
}

fn finding_row(f: &Finding) -> FindingRow {
    let location = match f.line {
        Some(line) => format!("{}:{line}", f.path),
        None => f.path.clone(),
    };
    FindingRow {
        location: markdown_code(&location),
        rule: markdown_code(&f.rule),
        severity: f.severity.as_str(),
        message: markdown::text(&f.message),
        fix: f.fix.as_deref().map(markdown::text),
    }
}

/// What Dependabot will do once the planned dependabot.yml is merged: read back from the file.
fn dependabot_view(plan: &RepoPlan, list_cap: usize) -> Option<DependabotView> {
    let change = plan
        .changes
        .iter()
        .find(|c| crate::dependabot::CONFIG_PATHS.contains(&c.path.as_str()))?;
    let file: DependabotFile = serde_saphyr::from_str(&change.content).ok()?;
    let (updates, updates_more) = capped(file.updates.iter().collect(), list_cap);
    let updates = updates
        .into_iter()
        .map(|u| {
            let mut dirs: Vec<&str> = u.directory.iter().map(String::as_str).collect();
            dirs.extend(u.directories.iter().map(String::as_str));
            UpdateRow {
                ecosystem: markdown_code(&u.ecosystem),
                directories: dirs
                    .iter()
                    .map(|d| markdown_code(d))
                    .collect::<Vec<_>>()
                    .join(", "),
                schedule: u
                    .schedule
                    .as_ref()
                    .map(Schedule::describe)
                    .unwrap_or_else(|| "—".into()),
            }
        })
        .collect();
    Some(DependabotView {
        path: markdown::code(&change.path),
        updates,
        updates_more,
    })
}

#[derive(Deserialize)]
struct DependabotFile {
    #[serde(default)]
    updates: Vec<Update>,
}

#[derive(Deserialize)]
struct Update {
    #[serde(rename = "package-ecosystem")]
    ecosystem: String,
    directory: Option<String>,
    #[serde(default)]
    directories: Vec<String>,
    schedule: Option<Schedule>,
}

#[derive(Deserialize)]
struct Schedule {
    interval: Option<String>,
    day: Option<String>,
    time: Option<String>,
    timezone: Option<String>,
    cronjob: Option<String>,
}

impl Schedule {
    /// "weekly, on monday at 05:00 (Europe/Berlin)", escaped.
    fn describe(&self) -> String {
        let mut out = match (&self.interval, &self.cronjob) {
            (Some(i), _) if i == "cron" => match &self.cronjob {
                Some(c) => format!("cron {}", markdown_code(c)),
                None => "cron".into(),
            },
            (Some(i), _) => markdown::text(i),
            (None, Some(c)) => format!("cron {}", markdown_code(c)),
            (None, None) => return "—".into(),
        };
        if let Some(day) = &self.day {
            out.push_str(&format!(", on {}", markdown::text(day)));
        }
        if let Some(time) = &self.time {
            out.push_str(&format!(" at {}", markdown::text(time)));
        }
        if let Some(tz) = &self.timezone {
            out.push_str(&format!(" ({})", markdown::text(tz)));
        }
        out
    }
}

/// The scheduled workflows the plan adds or changes, with their schedules in words.
fn monitor_views(plan: &RepoPlan) -> Vec<MonitorView> {
    plan.changes
        .iter()
        .filter(|c| c.path.starts_with(".github/workflows/"))
        .filter_map(|c| {
            let schedules: Vec<String> = c
                .content
                .lines()
                .filter_map(|l| l.trim().strip_prefix("- cron:"))
                .map(|v| v.trim().trim_matches(|q| q == '"' || q == '\''))
                .map(describe_cron)
                .collect();
            (!schedules.is_empty()).then(|| MonitorView {
                path: markdown::code(&c.path),
                schedules,
            })
        })
        .collect()
}

/// A cron expression in words where it is one of the shapes drydock writes (`M H * * *` daily,
/// `M H * * D` weekly), always followed by the expression itself.
fn describe_cron(cron: &str) -> String {
    const DAYS: [&str; 7] = [
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
    ];
    let fields: Vec<&str> = cron.split_whitespace().collect();
    let number = |s: &str, max: u32| s.parse::<u32>().ok().filter(|n| *n < max);
    let words = match fields.as_slice() {
        [m, h, "*", "*", day] => match (number(m, 60), number(h, 24)) {
            (Some(m), Some(h)) if *day == "*" => Some(format!("daily at {h:02}:{m:02} UTC")),
            (Some(m), Some(h)) => number(day, 8)
                .map(|d| format!("every {} at {h:02}:{m:02} UTC", DAYS[d as usize % 7])),
            _ => None,
        },
        _ => None,
    };
    match words {
        Some(w) => format!("{w} ({})", markdown_code(cron)),
        None => markdown_code(cron),
    }
}

#[cfg(test)]
mod tests;
