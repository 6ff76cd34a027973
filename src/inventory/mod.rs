//! The fleet inventory: reads `fleet.toml`, validates it, and says where each repository lives.
//!
//! A composition module: each section is typed and validated by the module that owns it
//! (`[scan]` by `detect`, `[dependabot]` by `dependabot::settings`, `[policy]` by `policy`,
//! `[registry]` by `registry::config`, `[workflow]` by `workflow::config`, `[git]` by
//! `git::config`); the inventory reads the file ([`raw`]), validates its own `[fleet]`,
//! `[github]` ([`github`]) and `[[repo]]` ([`repo`]) tables, and turns every section's
//! [`crate::text::Rejected`] into a [`ConfigError`] located through the document's spans
//! ([`locate`]).
//!
//! Every error names the file, line and column and says what to do; configuration errors map to
//! exit status 2. The GitHub token never comes from the file, only from the environment.
//!
//! The file itself is distrusted as much as its contents: it must be a regular file of at most
//! [`MAX_FLEET_FILE_BYTES`] (never a device or a FIFO, which would be read until memory runs out or
//! forever), valid UTF-8 (the first bad byte located), and name at least one `[[repo]]`. The
//! workspace ([`workspace`]) may not be a system directory nor lie inside a checkout.
//!
//! [`Shard`] (`--shard I/N`, [`shard`]) partitions the fleet by a stable hash of each name.

pub mod edit;
mod github;
mod locate;
mod raw;
mod repo;
mod shard;
mod workspace;

use std::path::{Path, PathBuf};

use crate::dependabot::settings::Settings as DependabotSettings;
use crate::detect::ScanSection;
use crate::registry::RegistryConfig;
use crate::text::{KeyPath, Rejected, closest, line_column};
use crate::workflow::{self, WorkflowSection};

pub use github::{DEFAULT_API_URL, GitHubHost, github_token};
pub use repo::{Repo, Source};
pub use shard::{MAX_SHARDS, Shard, ShardError, shard_of};

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

/// A validated `fleet.toml`.
#[derive(Debug, Clone)]
pub struct Fleet {
    /// The file it was read from.
    pub file: PathBuf,
    /// Absolute workspace directory.
    pub workspace: PathBuf,
    /// How many repositories are worked on at once.
    pub jobs: usize,
    /// `[github]`: github.com or an Enterprise Server.
    pub github: GitHubHost,
    /// The rest of `[github]`: the App, concurrency and `[github.limits]`.
    pub forge: crate::forge::config::GithubConfig,
    pub scan: ScanSection,
    /// `[dependabot]`: what every generated dependabot.yml contains.
    pub dependabot: DependabotSettings,
    /// `[registry]`: mirrors and the default bump level.
    pub registry: RegistryConfig,
    /// `[workflow]`: the base-image monitor workflow every repository with a Dockerfile gets.
    pub workflow: WorkflowSection,
    pub policy: crate::policy::Policy,
    /// `[policy] data_dir`, resolved against the fleet file's directory.
    pub data_dir: Option<PathBuf>,
    /// `[git]`: the deadline and stall limit of each repository's sync.
    pub git: crate::git::GitSettings,
    /// `[apply]`: how compliance pull requests are made.
    pub apply: crate::proposal::ApplySection,
    pub repos: Vec<Repo>,
}

/// The most fleet.toml may hold; a fleet of ten thousand repositories fits in a tenth of it.
pub const MAX_FLEET_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// The most repositories worked on at once (`jobs`, `--jobs`): beyond this, parallel clones
/// from one host get their connections reset and the machine runs out of file descriptors.
pub const MAX_JOBS: usize = 64;

/// The default number of repositories worked on at once.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(4, |n| (n.get() * 2).clamp(4, 16))
}

/// Every rule id `[policy.severity]` and waivers may name: every rule in the catalogue, so
/// `check` and `plan` findings alike can be remapped or waived.
fn check_rule_ids() -> Vec<&'static str> {
    crate::catalogue::ids().collect()
}

impl Fleet {
    /// Reads and validates a fleet file.
    pub fn load(file: &Path) -> Result<Fleet, ConfigError> {
        let text = read_fleet_file(file)?;
        Fleet::parse(file, &text)
    }

    /// Reads a repository's own configuration (`.github/drydock.toml`, for `--path`): a fleet
    /// file that configures that one directory, so `[[repo]]` tables are refused.
    pub fn load_repo_config(file: &Path) -> Result<Fleet, ConfigError> {
        // Refuse `[[repo]]` before validating the rest: its paths would be judged (a workspace
        // "inside a checkout") against repositories the file must not list at all.
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let has_repos = toml::from_str::<toml::Table>(&text).is_ok_and(|t| t.contains_key("repo"));
        if has_repos {
            let offset = text.find("[[repo]]").unwrap_or(0);
            return Err(ConfigError::at(
                file,
                &text,
                offset,
                "a repository's own drydock.toml configures that repository: [[repo]] is not allowed",
            )
            .with_help("remove the [[repo]] tables; list repositories in a fleet.toml instead"));
        }
        Fleet::load(file)
    }

    /// Validates the contents of a fleet file; `file` is used for messages and relative paths.
    pub fn parse(file: &Path, text: &str) -> Result<Fleet, ConfigError> {
        let raw: raw::RawFleet =
            toml::from_str(text).map_err(|e| locate::toml_error(file, text, &e))?;
        let base = file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let base = std::path::absolute(base).unwrap_or_else(|_| base.to_path_buf());
        let in_section = |key: &str, e: Rejected| {
            ConfigError::rejected(file, text, &KeyPath::root().key(key), e)
        };

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
            Some(j) if *j.get_ref() > MAX_JOBS => {
                return Err(ConfigError::at(
                    file,
                    text,
                    j.span().start,
                    format!("`jobs` is {}, more than the limit of {MAX_JOBS}", j.get_ref()),
                )
                .with_help(format!(
                    "set `jobs` to at most {MAX_JOBS} (more parallel clones from one host get their connections reset), or remove the key for the default"
                )));
            }
            Some(j) => *j.get_ref(),
            None => default_jobs(),
        };
        let github = match &raw.github.api_url {
            Some(u) => GitHubHost::from_api_url(u.get_ref()).map_err(|message| {
                ConfigError::at(file, text, u.span().start, message)
                    .with_help("for GitHub Enterprise Server use https://HOST/api/v3")
            })?,
            None => GitHubHost::GitHubCom,
        };
        let forge = raw
            .github
            .validate(&base)
            .map_err(|e| in_section("github", e))?;
        raw.scan.check().map_err(|e| in_section("scan", e))?;

        let mut dependabot = raw.dependabot;
        dependabot.check().map_err(|mut e| {
            e.message = format!("[dependabot]: {}", e.message);
            in_section("dependabot", e)
        })?;
        if let Some(dir) = &dependabot.templates {
            let dir = base.join(dir);
            if !dir.is_dir() {
                return Err(in_section(
                    "dependabot",
                    Rejected::new(
                        KeyPath::root().key("templates"),
                        format!(
                            "templates directory {:?} does not exist",
                            dir.display().to_string()
                        ),
                        "paths are relative to the fleet file; it should hold dependabot.yml.hbs",
                    ),
                ));
            }
            dependabot.templates = Some(dir);
        }
        let policy = crate::policy::Policy::from_section(&raw.policy, &check_rule_ids())
            .map_err(|e| in_section("policy", e))?;

        let cx = repo::Context {
            file,
            text,
            base: &base,
            github: &github,
        };
        let repos = repo::validate(&cx, raw.repo)?;
        let workspace_at = raw.fleet.workspace.as_ref().map_or(0, |w| w.span().start);
        workspace::check(&workspace, &repos).map_err(|(message, help)| {
            ConfigError::at(file, text, workspace_at, message).with_help(help)
        })?;
        let registry = raw
            .registry
            .validate()
            .map_err(|e| in_section("registry", e))?;
        raw.workflow
            .check()
            .map_err(|e| in_section("workflow", e))?;
        let git = raw.git.validate().map_err(|e| in_section("git", e))?;
        raw.apply.validate().map_err(|e| in_section("apply", e))?;
        Ok(Fleet {
            file: file.to_path_buf(),
            workspace,
            jobs,
            github,
            forge,
            scan: raw.scan,
            dependabot,
            registry,
            workflow: raw.workflow,
            policy,
            data_dir: raw.policy.data_dir.as_ref().map(|d| base.join(d)),
            git,
            apply: raw.apply,
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
        if self.repos.is_empty() {
            return Err(ConfigError {
                file: self.file.clone(),
                line: 1,
                column: 1,
                message: format!("{}: no [[repo]] entries", self.file.display()),
                help: Some(
                    "add a repository: `[[repo]]` then `name = \"owner/repo\"` (cloned from GitHub) or `path = \"DIR\"` (a local checkout); see docs/fleet-toml.md"
                        .into(),
                ),
            });
        }
        if names.is_empty() {
            return Ok(self.repos.iter().filter(|r| !r.skip).collect());
        }
        let mut out = Vec::new();
        for n in names {
            match self.repos.iter().find(|r| r.name.eq_ignore_ascii_case(n)) {
                Some(r) => out.push(r),
                None => {
                    let known: Vec<&str> = self.repos.iter().map(|r| r.name.as_str()).collect();
                    let help = match closest(n, known.iter().copied()) {
                        Some(s) => format!("did you mean {s:?}?"),
                        None => format!(
                            "--repo takes the `name` of a [[repo]] in {}",
                            self.file.display()
                        ),
                    };
                    return Err(ConfigError {
                        file: self.file.clone(),
                        line: 0,
                        column: 0,
                        message: format!("--repo {n:?} is not in the fleet"),
                        help: Some(help),
                    });
                }
            }
        }
        Ok(out)
    }

    /// The `[dependabot]` settings for one repository: the fleet's, overlaid with its own.
    pub fn dependabot_for(&self, repo: Option<&Repo>) -> DependabotSettings {
        match repo.and_then(|r| r.dependabot.as_ref()) {
            Some(over) => self.dependabot.overlay(over),
            None => self.dependabot.clone(),
        }
    }

    /// The `[apply]` settings for one repository: the fleet's, overlaid with its `[repo.apply]`.
    pub fn apply_for(&self, repo: Option<&Repo>) -> crate::proposal::ApplySettings {
        self.apply.settings_for(repo.and_then(|r| r.apply.as_ref()))
    }

    /// The workflow settings for a repository, `None` when it opted out (or the fleet did).
    pub fn workflow_for(
        &self,
        repo_name: &str,
        repo: Option<&Repo>,
    ) -> Result<Option<workflow::Settings>, workflow::SettingsError> {
        let over = repo.and_then(|r| r.workflow.as_ref());
        self.workflow
            .settings_for(repo_name, over, self.registry.level)
            .map_err(|e| workflow::SettingsError(format!("{}: {}", self.file.display(), e.0)))
    }
}

/// The contents of the fleet file: a regular file (a device such as /dev/zero would be read
/// until memory runs out, a FIFO would block forever), at most [`MAX_FLEET_FILE_BYTES`], UTF-8.
fn read_fleet_file(file: &Path) -> Result<String, ConfigError> {
    use std::io::Read;
    let error = |line, column, message: String, help: &str| ConfigError {
        file: file.to_path_buf(),
        line,
        column,
        message,
        help: Some(help.into()),
    };
    let unreadable = |e: std::io::Error| {
        error(
            0,
            0,
            format!("cannot read the fleet file: {e}"),
            "pass --fleet FILE, or run in a directory with a fleet.toml (or use --path DIR for one checkout)",
        )
    };
    // stat before open: opening a FIFO blocks until a writer comes.
    let meta = std::fs::metadata(file).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(error(
            0,
            0,
            format!(
                "the fleet file is not a regular file (it is {})",
                kind_of(&meta.file_type())
            ),
            "pass --fleet with the path of a fleet.toml file",
        ));
    }
    let too_big = |size: u64| {
        error(
            0,
            0,
            format!(
                "the fleet file is {size} bytes, more than the limit of {MAX_FLEET_FILE_BYTES}"
            ),
            "a fleet file is a few kilobytes per hundred repositories: check that --fleet names the right file",
        )
    };
    if meta.len() > MAX_FLEET_FILE_BYTES {
        return Err(too_big(meta.len()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    std::fs::File::open(file)
        .map_err(unreadable)?
        // One byte more than the cap: a file that grew after the stat is still refused.
        .take(MAX_FLEET_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_FLEET_FILE_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let prefix = std::str::from_utf8(valid).unwrap_or_default();
        let (line, column) = line_column(prefix, prefix.len());
        error(
            line,
            column,
            "the fleet file is not valid UTF-8".into(),
            "save the file as UTF-8 (the position is that of the first byte that is not)",
        )
    })
}

#[cfg(not(unix))]
fn kind_of(file_type: &std::fs::FileType) -> &'static str {
    if file_type.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

#[cfg(unix)]
fn kind_of(file_type: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_fifo() {
        "a FIFO"
    } else if file_type.is_char_device() || file_type.is_block_device() {
        "a device"
    } else if file_type.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

#[cfg(test)]
mod tests;
