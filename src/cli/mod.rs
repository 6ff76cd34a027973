//! The command line: global flags, the subcommands, and the glue that loads the fleet, picks the
//! repositories a command walks and turns results into output and exit statuses. The only module
//! that knows about the terminal.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::inventory::{ConfigError, Fleet, Repo};

pub mod bump;
pub mod check;
pub mod plan;
pub mod scan;
pub mod sync;

/// Exit statuses, documented in the README.
pub mod exit {
    /// Nothing to report.
    pub const OK: u8 = 0;
    /// `check`: an error-level finding; `plan --exit-code`: a change is due.
    pub const FINDINGS: u8 = 1;
    /// The configuration (fleet.toml, flags) is wrong.
    pub const CONFIG: u8 = 2;
    /// At least one repository could not be worked on.
    pub const REPO_FAILED: u8 = 3;
}

#[derive(Debug, Parser)]
#[command(
    name = "drydock",
    version,
    about = "Roll a container base-image policy out across a fleet of repositories, and keep it there."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every subcommand accepts.
#[derive(Debug, Args)]
pub struct Global {
    /// The fleet inventory.
    #[arg(long, global = true, value_name = "FILE", default_value = "fleet.toml")]
    pub fleet: PathBuf,
    /// Only this repository (owner/repo); repeatable.
    #[arg(long = "repo", global = true, value_name = "NAME")]
    pub repos: Vec<String>,
    /// Only errors and the final summary.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// More detail (repeat for debug output).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Clone or fetch every repository of the fleet into the workspace.
    Sync(sync::SyncArgs),
    /// Show the package ecosystems, Dockerfiles and compose files of each repository.
    Scan(scan::ScanArgs),
    /// Show what drydock would create or change (dependabot.yml, the monitor workflow) as diffs, with findings.
    Plan(plan::PlanArgs),
    /// Check Dockerfiles against the base-image policy, dependabot.yml against GitHub's rules, and Trivy reports against the CVE deadlines.
    Check(check::CheckArgs),
    /// Move Dockerfile base images to the newest tag the policy allows (the monitor workflow's engine).
    Bump(bump::BumpArgs),
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(&cli.global);
    let result: anyhow::Result<u8> = match cli.command {
        Command::Check(args) => check::run(&cli.global, args),
        Command::Scan(args) => scan::run(&cli.global, args),
        Command::Bump(args) => bump::run(&cli.global, args),
        Command::Plan(args) => plan::run(&cli.global, args),
        Command::Sync(args) => sync::run(&cli.global, args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => report_error(&e),
    }
}

fn report_error(e: &anyhow::Error) -> ExitCode {
    if let Some(config) = e.downcast_ref::<ConfigError>() {
        eprintln!("error: {config}");
        return ExitCode::from(exit::CONFIG);
    }
    eprintln!("error: {e:#}");
    ExitCode::from(exit::REPO_FAILED)
}

fn init_tracing(global: &Global) {
    let level = match (global.quiet, global.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("DRYDOCK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("drydock={level}")));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .without_time()
        .try_init();
}

/// `--format` of the commands whose output is a table for people or JSON for programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TextOrJson {
    Text,
    Json,
}

/// A repository a command works on: from the fleet, or a directory given with `--path`.
#[derive(Debug, Clone)]
pub struct Target {
    /// `owner/repo`, or the directory as given for `--path`.
    pub name: String,
    /// Where its files are.
    pub root: PathBuf,
    /// The fleet entry, when it came from the fleet.
    pub repo: Option<Repo>,
}

/// Loads the fleet file named by `--fleet`. With `--path`, a missing default fleet file is fine:
/// the built-in defaults apply.
pub fn load_fleet(global: &Global, path_mode: bool) -> Result<Fleet, ConfigError> {
    if path_mode && !global.fleet.exists() && global.fleet == Path::new("fleet.toml") {
        return Fleet::parse(Path::new("fleet.toml"), "");
    }
    Fleet::load(&global.fleet)
}

/// The repositories a fleet-walking command works on, or the one `--path` names.
pub fn targets(
    global: &Global,
    fleet: &Fleet,
    path: Option<&Path>,
) -> Result<Vec<Target>, ConfigError> {
    if let Some(dir) = path {
        if !dir.is_dir() {
            return Err(ConfigError {
                file: dir.to_path_buf(),
                line: 0,
                column: 0,
                message: "--path must name a directory".into(),
                help: Some("pass the root of a repository checkout".into()),
            });
        }
        return Ok(vec![Target {
            name: dir.display().to_string(),
            root: dir.to_path_buf(),
            repo: None,
        }]);
    }
    Ok(fleet
        .select(&global.repos)?
        .into_iter()
        .map(|r| Target {
            name: r.name.clone(),
            root: fleet.checkout_dir(r),
            repo: Some(r.clone()),
        })
        .collect())
}
