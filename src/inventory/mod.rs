//! The fleet inventory: reads `fleet.toml`, validates it, and says where each repository lives.
//!
//! Every error names the file, line and column and says what to do; configuration errors map to
//! exit status 2. The GitHub token never comes from the file, only from the environment.

mod suggest;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use secrecy::SecretString;

use crate::dependabot::settings::Settings as DependabotSettings;
use serde::Deserialize;
use toml::Spanned;

pub use suggest::closest;

/// A configuration error, located in the file it came from.
#[derive(Debug, thiserror::Error)]
#[error("{}:{line}:{column}: {message}{}", file.display(), help.as_deref().map(|h| format!("\n  help: {h}")).unwrap_or_default())]
pub struct ConfigError {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub help: Option<String>,
}

impl ConfigError {
    /// An error at a byte offset of `text`, the contents of `file`.
    pub fn at(file: &Path, text: &str, offset: usize, message: impl Into<String>) -> Self {
        let (line, column) = line_column(text, offset);
        ConfigError {
            file: file.to_path_buf(),
            line,
            column,
            message: message.into(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The raw file, as serde reads it. Sections owned by later stages are typed in their modules.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFleet {
    #[serde(default)]
    fleet: FleetSection,
    #[serde(default)]
    github: GithubSection,
    #[serde(default)]
    scan: ScanSection,
    #[serde(default)]
    dependabot: DependabotSettings,
    #[serde(default)]
    policy: PolicySection,
    #[serde(default)]
    repo: Vec<RawRepo>,
}

/// `[policy]`: the base-image policy's patterns, production globs and severities. Unset lists
/// keep the defaults (`crate::policy::DEFAULT_*`); set lists replace them, except
/// `verified_publishers`, which adds to the allowed category.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySection {
    pub preferred: Option<Vec<String>>,
    pub allowed: Option<Vec<String>>,
    pub restricted: Option<Vec<String>>,
    #[serde(default)]
    pub verified_publishers: Vec<String>,
    pub production: Option<Vec<String>>,
    pub non_production: Option<Vec<String>>,
    /// Rule id → `error` | `warning` | `note` | `off`.
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
    #[serde(default)]
    pub waiver: Vec<WaiverSection>,
}

/// `[[policy.waiver]]`: exempts one rule's findings in matching repositories and paths until
/// `expires`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaiverSection {
    pub repo: Option<String>,
    pub path: Option<String>,
    pub rule: String,
    pub reason: String,
    pub expires: toml::value::Datetime,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FleetSection {
    workspace: Option<Spanned<String>>,
    jobs: Option<Spanned<usize>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct GithubSection {
    api_url: Option<Spanned<String>>,
}

/// `[scan]`: what the ecosystem scan leaves out besides its built-in skips.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanSection {
    #[serde(default)]
    pub exclude: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRepo {
    name: Spanned<String>,
    url: Option<Spanned<String>>,
    path: Option<Spanned<String>>,
    branch: Option<String>,
    #[serde(default)]
    skip: bool,
    dependabot: Option<DependabotSettings>,
    #[serde(default)]
    build_args: BTreeMap<String, String>,
}

/// Where a repository's files come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Cloned into, and fetched in, the workspace.
    Remote { url: String },
    /// A local directory used in place, never cloned or written by `sync`.
    Local { path: PathBuf },
}

/// One `[[repo]]` entry, validated.
#[derive(Debug, Clone)]
pub struct Repo {
    /// `owner/repo`.
    pub name: String,
    pub source: Source,
    /// The branch to track; `None` means the remote's HEAD.
    pub branch: Option<String>,
    pub skip: bool,
    /// `[repo.dependabot]`: this repository's overrides of the fleet's `[dependabot]`.
    pub dependabot: Option<DependabotSettings>,
    /// `--build-arg`s the repository's Dockerfiles are built with, for resolving `FROM ${ARG}`.
    pub build_args: BTreeMap<String, String>,
}

/// A validated `fleet.toml`.
#[derive(Debug, Clone)]
pub struct Fleet {
    /// The file it was read from.
    pub file: PathBuf,
    /// Absolute workspace directory.
    pub workspace: PathBuf,
    /// How many repositories are worked on at once.
    pub jobs: usize,
    pub api_url: String,
    pub scan: ScanSection,
    /// `[dependabot]`: what every generated dependabot.yml contains.
    pub dependabot: DependabotSettings,
    pub policy: crate::policy::Policy,
    pub repos: Vec<Repo>,
}

pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// The default number of repositories worked on at once.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(4, |n| (n.get() * 2).clamp(4, 16))
}

impl Fleet {
    /// Reads and validates a fleet file.
    pub fn load(file: &Path) -> Result<Fleet, ConfigError> {
        let text = std::fs::read_to_string(file).map_err(|e| ConfigError {
            file: file.to_path_buf(),
            line: 0,
            column: 0,
            message: format!("cannot read the fleet file: {e}"),
            help: Some(
                "pass --fleet FILE, or run in a directory with a fleet.toml (or use --path DIR for one checkout)"
                    .into(),
            ),
        })?;
        Fleet::parse(file, &text)
    }

    /// Validates the contents of a fleet file; `file` is used for messages and relative paths.
    pub fn parse(file: &Path, text: &str) -> Result<Fleet, ConfigError> {
        let raw: RawFleet = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
        let base = file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let base = std::path::absolute(base).unwrap_or_else(|_| base.to_path_buf());

        let workspace = match &raw.fleet.workspace {
            Some(w) => base.join(w.get_ref()),
            None => base.join(".drydock"),
        };
        let jobs = match &raw.fleet.jobs {
            Some(j) if *j.get_ref() == 0 => {
                return Err(ConfigError::at(
                    file,
                    text,
                    j.span().start,
                    "`jobs` must be at least 1",
                )
                .with_help("remove the key to use the default, or set a positive number"));
            }
            Some(j) => *j.get_ref(),
            None => default_jobs(),
        };
        let api_url = match &raw.github.api_url {
            Some(u) => {
                let url = u.get_ref().trim_end_matches('/');
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    return Err(ConfigError::at(
                        file,
                        text,
                        u.span().start,
                        format!("`api_url` must be an http(s) URL, got {url:?}"),
                    )
                    .with_help("for GitHub Enterprise Server use https://HOST/api/v3"));
                }
                url.to_string()
            }
            None => DEFAULT_API_URL.to_string(),
        };
        for pattern in &raw.scan.exclude {
            if let Err(e) = globset::Glob::new(pattern) {
                let offset = text.find(pattern.as_str()).unwrap_or(0);
                return Err(ConfigError::at(
                    file,
                    text,
                    offset,
                    format!("invalid exclude glob {pattern:?}: {e}"),
                ));
            }
        }

        let mut dependabot = raw.dependabot;
        check_dependabot(file, text, &dependabot, "[dependabot]")?;
        if let Some(dir) = &dependabot.templates {
            let dir = base.join(dir);
            if !dir.is_dir() {
                let offset = text.find("templates").unwrap_or(0);
                return Err(ConfigError::at(
                    file,
                    text,
                    offset,
                    format!(
                        "templates directory {:?} does not exist",
                        dir.display().to_string()
                    ),
                )
                .with_help(
                    "paths are relative to the fleet file; it should hold dependabot.yml.hbs",
                ));
            }
            dependabot.templates = Some(dir);
        }
        let policy = crate::policy::Policy::from_section(&raw.policy).map_err(|e| {
            let offset = if e.near.is_empty() {
                text.find("[policy").unwrap_or(0)
            } else {
                text.find(e.near.as_str()).unwrap_or(0)
            };
            let err = ConfigError::at(file, text, offset, e.message);
            match e.help {
                Some(h) => err.with_help(h),
                None => err,
            }
        })?;

        let host = web_host(&api_url);
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut repos = Vec::with_capacity(raw.repo.len());
        for r in raw.repo {
            let name = r.name.get_ref().clone();
            let at = |offset: usize, msg: String| ConfigError::at(file, text, offset, msg);
            if let Some(problem) = name_problem(&name) {
                return Err(
                    at(r.name.span().start, format!("repo name {name:?} {problem}"))
                        .with_help("write the name as \"owner/repo\", as on GitHub"),
                );
            }
            let key = name.to_ascii_lowercase();
            if let Some(first) = seen.get(&key) {
                let (first_line, _) = line_column(text, *first);
                return Err(at(
                    r.name.span().start,
                    format!("duplicate repo {name:?} (first listed on line {first_line})"),
                )
                .with_help("remove one of the two [[repo]] entries"));
            }
            seen.insert(key, r.name.span().start);
            let source = match (r.url, r.path) {
                (Some(_), Some(p)) => {
                    return Err(at(p.span().start, format!("repo {name:?} has both `url` and `path`"))
                        .with_help("keep `url` to clone into the workspace, or `path` to use a local directory in place"));
                }
                (Some(u), None) => {
                    let url = u.get_ref().trim();
                    if url.is_empty() {
                        return Err(at(
                            u.span().start,
                            format!("repo {name:?} has an empty `url`"),
                        ));
                    }
                    Source::Remote {
                        url: url.to_string(),
                    }
                }
                (None, Some(p)) => {
                    let path = base.join(p.get_ref());
                    if !path.is_dir() {
                        return Err(at(p.span().start, format!("repo {name:?}: path {:?} is not a directory", p.get_ref()))
                            .with_help("paths are relative to the fleet file; create the directory or fix the path"));
                    }
                    Source::Local { path }
                }
                (None, None) => Source::Remote {
                    url: format!("https://{host}/{name}.git"),
                },
            };
            let mut repo_dependabot = r.dependabot;
            if let Some(d) = &mut repo_dependabot {
                check_dependabot(file, text, d, &format!("[repo.dependabot] of {name:?}"))?;
                if let Some(dir) = &d.templates {
                    d.templates = Some(base.join(dir));
                }
            }
            repos.push(Repo {
                name,
                source,
                branch: r.branch,
                skip: r.skip,
                dependabot: repo_dependabot,
                build_args: r.build_args,
            });
        }
        Ok(Fleet {
            file: file.to_path_buf(),
            workspace,
            jobs,
            api_url,
            scan: raw.scan,
            dependabot,
            policy,
            repos,
        })
    }

    /// Where a repository's files are on disk.
    pub fn checkout_dir(&self, repo: &Repo) -> PathBuf {
        match &repo.source {
            Source::Local { path } => path.clone(),
            Source::Remote { .. } => self.workspace.join("repos").join(&repo.name),
        }
    }

    /// The repositories a command walks: those named with `--repo` (all when none), never skipped
    /// ones unless named explicitly. Unknown names are an error, with a did-you-mean.
    pub fn select(&self, names: &[String]) -> Result<Vec<&Repo>, ConfigError> {
        if names.is_empty() {
            return Ok(self.repos.iter().filter(|r| !r.skip).collect());
        }
        let mut out = Vec::new();
        for n in names {
            match self.repos.iter().find(|r| r.name.eq_ignore_ascii_case(n)) {
                Some(r) => out.push(r),
                None => {
                    let known: Vec<&str> = self.repos.iter().map(|r| r.name.as_str()).collect();
                    let mut err = ConfigError {
                        file: self.file.clone(),
                        line: 0,
                        column: 0,
                        message: format!("--repo {n:?} is not in the fleet"),
                        help: None,
                    };
                    if let Some(s) = closest(n, known.iter().copied()) {
                        err = err.with_help(format!("did you mean {s:?}?"));
                    }
                    return Err(err);
                }
            }
        }
        Ok(out)
    }
}

impl Fleet {
    /// The `[dependabot]` settings for one repository: the fleet's, overlaid with its own.
    pub fn dependabot_for(&self, repo: Option<&Repo>) -> DependabotSettings {
        match repo.and_then(|r| r.dependabot.as_ref()) {
            Some(over) => self.dependabot.overlay(over),
            None => self.dependabot.clone(),
        }
    }
}

fn check_dependabot(
    file: &Path,
    text: &str,
    settings: &DependabotSettings,
    section: &str,
) -> Result<(), ConfigError> {
    settings.check().map_err(|p| {
        let offset = text.find(p.key).unwrap_or(0);
        ConfigError::at(file, text, offset, format!("{section}: {}", p.message)).with_help(p.help)
    })
}

/// The web host that goes with an API URL: `api.github.com` → `github.com`, GHES keeps its host.
pub fn web_host(api_url: &str) -> String {
    let rest = api_url.split_once("://").map_or(api_url, |(_, r)| r);
    let host = rest.split('/').next().unwrap_or(rest);
    host.strip_prefix("api.").unwrap_or(host).to_string()
}

/// The token for GitHub, from `GITHUB_TOKEN` or `GH_TOKEN`. Never read from fleet.toml.
pub fn github_token() -> Option<SecretString> {
    ["GITHUB_TOKEN", "GH_TOKEN"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.trim().is_empty())
        .map(|v| SecretString::from(v.trim().to_string()))
}

fn name_problem(name: &str) -> Option<&'static str> {
    if name.starts_with('/') {
        return Some("must not start with `/`");
    }
    let Some((owner, repo)) = name.split_once('/') else {
        return Some("is not of the form owner/repo");
    };
    if repo.contains('/') {
        return Some("has more than one `/`");
    }
    for part in [owner, repo] {
        if part.is_empty() {
            return Some("has an empty owner or repository part");
        }
        if part == "." || part == ".." {
            return Some("would escape the workspace (`.` or `..`)");
        }
        if !part
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Some("may only contain letters, digits, `-`, `_` and `.`");
        }
    }
    None
}

fn toml_error(file: &Path, text: &str, e: &toml::de::Error) -> ConfigError {
    let offset = e.span().map_or(0, |s| s.start);
    let message = e.message().trim().to_string();
    let mut err = ConfigError::at(file, text, offset, message.clone());
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some((unknown, expected)) = rest.split_once("`, expected ")
    {
        let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        err = match closest(unknown, candidates.iter().copied()) {
            Some(s) => err.with_help(format!("did you mean `{s}`? (see docs/fleet-toml.md)")),
            None => err.with_help("remove the key; docs/fleet-toml.md lists every key"),
        };
    }
    err
}

#[cfg(test)]
mod tests;
