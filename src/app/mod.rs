//! The use cases: `sync`, `scan`, `plan`, `check` and `bump`, one module each. Each takes an
//! options struct and returns a typed report; none parses flags or prints (the command line does
//! both). What they share lives here: loading the fleet, picking the repositories a command
//! walks ([`Target`]: `--repo`, then `--shard`), the errors that stop a whole command ([`Error`]), and the worker pool
//! ([`pool`]) every use case runs its repositories on.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Serialize, Serializer};

use crate::inventory::{ConfigError, Fleet, Repo, Shard};
use crate::repo::{FailureKind, RepoFailure, RepoName};

pub mod apply;
pub mod bump;
pub mod check;
pub mod data;
pub mod discover;
pub mod onboard;
pub mod plan;
pub mod pool;
pub mod scan;
pub mod status;
pub mod sync;

/// What stops a whole command, before or apart from any one repository.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// fleet.toml (or another configuration file) is wrong, at a location in it.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A flag's value is wrong.
    #[error(transparent)]
    Usage(#[from] UsageError),
    /// Anything else: a registry, a file the command must read or write.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// A wrong flag value: no file location, the flag named in the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}{}", help.as_deref().map(|h| format!("\n  help: {h}")).unwrap_or_default())]
pub struct UsageError {
    pub message: String,
    pub help: Option<String>,
}

impl UsageError {
    pub fn new(message: impl Into<String>) -> Self {
        UsageError {
            message: message.into(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Which repositories a command walks: the fleet (all, or those named with `--repo`; with
/// `--shard`, only those of that shard), or the one directory `--path` names.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// The fleet file.
    pub fleet: PathBuf,
    /// `--repo` names; empty means every repository that is not skipped.
    pub repos: Vec<String>,
    /// `--path DIR`: this directory instead of the fleet.
    pub path: Option<PathBuf>,
    /// Whether `--fleet` was given on the command line (with `--path`, only then is the fleet
    /// file read).
    pub fleet_given: bool,
    /// `--shard I/N`: only the repositories of this shard ([`crate::inventory::shard_of`]).
    pub shard: Option<Shard>,
}

/// What reports call a target: a fleet repository, or the directory given with `--path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetName {
    Repo(RepoName),
    Path(PathBuf),
}

impl fmt::Display for TargetName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetName::Repo(name) => name.fmt(f),
            TargetName::Path(dir) => dir.display().fmt(f),
        }
    }
}

impl Serialize for TargetName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A repository a command works on: from the fleet, or a directory given with `--path`.
#[derive(Debug, Clone)]
pub struct Target {
    pub name: TargetName,
    /// Where its files are.
    pub root: PathBuf,
    /// The fleet entry, when it came from the fleet.
    pub repo: Option<Repo>,
}

impl Target {
    /// The failure of a target whose directory is not there: `not_synced` for a fleet
    /// repository that `drydock sync` would bring, else not found.
    fn missing(&self, message: String) -> RepoFailure {
        let remote = self
            .repo
            .as_ref()
            .is_some_and(|r| matches!(r.source, crate::inventory::Source::Remote { .. }));
        let kind = if remote {
            FailureKind::NotSynced
        } else {
            FailureKind::NotFound
        };
        RepoFailure::new(kind, message)
    }
}

/// Where a `--path` directory keeps its own configuration: a fleet file without `[[repo]]`.
pub const REPO_CONFIG: &str = ".github/drydock.toml";

/// The configuration a command ran with, so the command line can say which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    /// A fleet file: the fleet's, or the one `--fleet` named for `--path`.
    FleetFile(PathBuf),
    /// The `--path` directory's own [`REPO_CONFIG`].
    RepoConfig(PathBuf),
    /// No file: the built-in defaults (`--path` without `--fleet` and without a
    /// [`REPO_CONFIG`]).
    BuiltIn,
}

impl fmt::Display for ConfigSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigSource::FleetFile(file) => write!(f, "the fleet file {}", file.display()),
            ConfigSource::RepoConfig(file) => write!(f, "{}", file.display()),
            ConfigSource::BuiltIn => write!(
                f,
                "the built-in defaults (no --fleet, no {REPO_CONFIG} in the directory)"
            ),
        }
    }
}

/// The configuration of a command: the fleet file, or for `--path DIR` (in this order) the
/// fleet file `--fleet` names, `DIR/.github/drydock.toml`, or the built-in defaults. A
/// `fleet.toml` in the current directory is never read for `--path` unless named: it belongs
/// to another fleet.
///
/// With `--shard I/N`, the fleet's `[github.limits]` become this shard's share of them
/// ([`crate::forge::config::Limits::shared_by`]): every shard of a matrix uses the same
/// credential, whose budget GitHub counts once. `shared_by_shards = false` keeps them whole.
pub fn load_config(selection: &Selection) -> Result<(Fleet, ConfigSource), ConfigError> {
    let Some(dir) = &selection.path else {
        let mut fleet = Fleet::load(&selection.fleet)?;
        if let Some(shard) = selection.shard
            && fleet.forge.shared_by_shards
        {
            fleet.forge.limits = fleet.forge.limits.shared_by(shard.count);
        }
        return Ok((fleet, ConfigSource::FleetFile(selection.fleet.clone())));
    };
    if selection.fleet_given {
        let fleet = Fleet::load(&selection.fleet)?;
        return Ok((fleet, ConfigSource::FleetFile(selection.fleet.clone())));
    }
    let own = dir.join(REPO_CONFIG);
    if own.is_file() {
        let fleet = Fleet::load_repo_config(&own)?;
        return Ok((fleet, ConfigSource::RepoConfig(own)));
    }
    // Messages about settings name the file that would hold them.
    Ok((Fleet::parse(&own, "")?, ConfigSource::BuiltIn))
}

/// Loads the fleet file. With `--path`, a missing default fleet file is fine: the built-in
/// defaults apply.
pub fn load_fleet(file: &Path, path_mode: bool) -> Result<Fleet, ConfigError> {
    if path_mode && !file.exists() && file == Path::new("fleet.toml") {
        return Fleet::parse(Path::new("fleet.toml"), "");
    }
    Fleet::load(file)
}

/// The repositories a command works on: the one `--path` names, or the fleet's selection
/// (`--repo`, all when none), then of those the ones in `--shard`. A shard may hold none.
pub fn targets(fleet: &Fleet, selection: &Selection) -> Result<Vec<Target>, UsageError> {
    if let Some(dir) = &selection.path {
        if let Some(shard) = selection.shard {
            return Err(UsageError::new(format!(
                "--shard {shard} splits a fleet, and --path names one directory"
            ))
            .with_help("drop --shard, or drop --path to work on the fleet of fleet.toml"));
        }
        return Ok(vec![path_target(dir)?]);
    }
    let chosen = fleet.select(&selection.repos).map_err(|e| UsageError {
        message: e.message,
        help: e.help,
    })?;
    Ok(chosen
        .into_iter()
        .filter(|r| selection.shard.is_none_or(|s| s.contains(&r.name)))
        .map(|r| Target {
            name: TargetName::Repo(fleet_name(r)),
            root: fleet.checkout_dir(r),
            repo: Some(r.clone()),
        })
        .collect())
}

/// `--path DIR` as a target; it must be a directory.
pub fn path_target(dir: &Path) -> Result<Target, UsageError> {
    if !dir.is_dir() {
        return Err(
            UsageError::new(format!("{}: --path must name a directory", dir.display()))
                .with_help("pass the root of a repository checkout"),
        );
    }
    Ok(Target {
        name: TargetName::Path(dir.to_path_buf()),
        root: dir.to_path_buf(),
        repo: None,
    })
}

/// The name of a fleet repository; fleet.toml validation guarantees `owner/repo`.
pub fn fleet_name(repo: &Repo) -> RepoName {
    repo.name
        .parse()
        .expect("fleet.toml validation accepts only owner/repo names")
}

/// The fleet's GitHub client, as every use case that talks to the API builds it: the fleet's
/// host, its token or App (`[github]`), its (shard's share of the) limits, the REST ETag cache
/// in the workspace, and `on_wait` told of every pacer wait.
pub fn github_client(
    fleet: &Fleet,
    on_wait: crate::forge::pacer::WaitObserver,
    timeout: std::time::Duration,
) -> anyhow::Result<crate::forge::github::GitHub> {
    use crate::forge::auth::Credentials;
    use crate::forge::github::{GitHub, GitHubOptions};
    let credentials = Credentials::resolve(fleet.forge.app.as_ref())?;
    Ok(GitHub::new(GitHubOptions {
        host: fleet.github.clone(),
        credentials,
        limits: fleet.forge.limits.clone(),
        cache_dir: Some(fleet.workspace.join("cache").join("github")),
        on_wait,
        timeout,
    })?)
}

/// The failure of a repository whose work panicked (a bug in drydock, not in the repository).
pub(crate) fn internal(panicked: pool::Panicked) -> RepoFailure {
    RepoFailure::new(
        FailureKind::Internal,
        format!(
            "drydock failed on this repository (a bug, please report it): {}",
            panicked.message
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fleet_file(dir: &Path, limits: &str) -> PathBuf {
        let mut text = format!("[github.limits]\n{limits}\n");
        for i in 0..40 {
            std::fs::create_dir_all(dir.join(format!("r{i}"))).unwrap();
            text.push_str(&format!(
                "[[repo]]\nname = \"acme/r{i}\"\npath = \"r{i}\"\n"
            ));
        }
        let file = dir.join("fleet.toml");
        std::fs::write(&file, text).unwrap();
        file
    }

    fn sharded(file: &Path, shard: Option<Shard>) -> Selection {
        Selection {
            fleet: file.to_path_buf(),
            shard,
            ..Selection::default()
        }
    }

    #[test]
    fn a_shard_gets_its_share_of_the_limits_and_of_the_fleet() {
        let dir = tempfile::tempdir().unwrap();
        let file = fleet_file(dir.path(), "");
        let (whole, _) = load_config(&sharded(&file, None)).unwrap();
        assert_eq!(whole.forge.limits.writes_per_minute, 80);
        let mut union = Vec::new();
        for index in 1..=20 {
            let selection = sharded(&file, Some(Shard::new(index, 20).unwrap()));
            let (fleet, _) = load_config(&selection).unwrap();
            assert_eq!(fleet.forge.limits.writes_per_minute, 4);
            assert_eq!(fleet.forge.limits.writes_per_hour, 25);
            union.extend(
                targets(&fleet, &selection)
                    .unwrap()
                    .into_iter()
                    .map(|t| t.name.to_string()),
            );
        }
        union.sort();
        let mut all: Vec<String> = (0..40).map(|i| format!("acme/r{i}")).collect();
        all.sort();
        assert_eq!(union, all);
    }

    #[test]
    fn shared_by_shards_false_keeps_the_limits_whole() {
        let dir = tempfile::tempdir().unwrap();
        let file = fleet_file(
            dir.path(),
            "shared_by_shards = false\nwrites_per_minute = 40",
        );
        let (fleet, _) = load_config(&sharded(&file, Some(Shard::new(3, 20).unwrap()))).unwrap();
        assert_eq!(fleet.forge.limits.writes_per_minute, 40);
        assert_eq!(fleet.forge.limits.writes_per_hour, 500);
    }

    #[test]
    fn repo_then_shard_selects_the_named_repositories_of_the_shard() {
        let dir = tempfile::tempdir().unwrap();
        let file = fleet_file(dir.path(), "");
        let (fleet, _) = load_config(&sharded(&file, None)).unwrap();
        let shard = Shard::new(1, 2).unwrap();
        let named: Vec<String> = (0..10).map(|i| format!("acme/r{i}")).collect();
        let selection = Selection {
            repos: named.clone(),
            ..sharded(&file, Some(shard))
        };
        let chosen: Vec<String> = targets(&fleet, &selection)
            .unwrap()
            .into_iter()
            .map(|t| t.name.to_string())
            .collect();
        let expected: Vec<String> = named.into_iter().filter(|n| shard.contains(n)).collect();
        assert_eq!(chosen, expected);
        assert!(!chosen.is_empty() && chosen.len() < 10, "{chosen:?}");
    }
}
