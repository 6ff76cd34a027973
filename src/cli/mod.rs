//! The command line: global flags, the subcommands, picking the output format, printing, the
//! progress display, and turning the use cases' typed reports into exit statuses. The only
//! module that knows about the terminal, and the only one allowed to print (lib.rs denies
//! `print_stdout`/`print_stderr` everywhere else).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use serde::Serialize;

use crate::app::{self, Selection};
use crate::inventory::ConfigError;

pub mod bump;
pub mod check;
pub mod discover;
pub mod plan;
pub mod scan;
pub mod sync;

/// Exit statuses, documented in the README's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Nothing to report.
    Success,
    /// `check`: an error-level finding; `plan --exit-code`: a change is due (drift); `bump`:
    /// updates proposed or written.
    Findings,
    /// The configuration (fleet.toml, flags) is wrong.
    Config,
    /// At least one repository could not be worked on.
    RepoFailed,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(match status {
            ExitStatus::Success => 0,
            ExitStatus::Findings => 1,
            ExitStatus::Config => 2,
            ExitStatus::RepoFailed => 3,
        })
    }
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
    /// List an organisation's repositories on GitHub and show (or --write) how fleet.toml would change.
    Discover(discover::DiscoverArgs),
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(&cli.global);
    let result = match cli.command {
        Command::Check(args) => check::run(&cli.global, args),
        Command::Scan(args) => scan::run(&cli.global, args),
        Command::Bump(args) => bump::run(&cli.global, args),
        Command::Plan(args) => plan::run(&cli.global, args),
        Command::Sync(args) => sync::run(&cli.global, args),
        Command::Discover(args) => discover::run(&cli.global, args),
    };
    match result {
        Ok(status) => status.into(),
        Err(e) => report_error(&e).into(),
    }
}

/// Prints an error that stopped a command, and the exit status it means. A reader that went
/// away (`drydock plan | head`) is not an error: drydock stops quietly.
fn report_error(e: &anyhow::Error) -> ExitStatus {
    if is_broken_pipe(e) {
        return ExitStatus::Success;
    }
    match e.downcast_ref::<app::Error>() {
        Some(app::Error::Config(config)) => eprintln!("error: {config}"),
        Some(app::Error::Usage(usage)) => eprintln!("error: {usage}"),
        Some(app::Error::Other(other)) => {
            eprintln!("error: {other:#}");
            return ExitStatus::RepoFailed;
        }
        None if e.downcast_ref::<ConfigError>().is_some() => eprintln!("error: {e}"),
        None => {
            eprintln!("error: {e:#}");
            return ExitStatus::RepoFailed;
        }
    }
    ExitStatus::Config
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
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

/// Which repositories a command walks, from the global flags and `--path`.
fn selection(global: &Global, path: Option<PathBuf>) -> Selection {
    Selection {
        fleet: global.fleet.clone(),
        repos: global.repos.clone(),
        path,
    }
}

/// Loads the fleet and the targets of a fleet-walking command (or of `--path`).
fn load(
    global: &Global,
    path: Option<PathBuf>,
) -> Result<(crate::inventory::Fleet, Vec<app::Target>), app::Error> {
    let selection = selection(global, path);
    let fleet = app::load_fleet(&selection.fleet, selection.path.is_some())?;
    let targets = app::targets(&fleet, &selection)?;
    Ok((fleet, targets))
}

/// Writes a report as one versioned JSON document (`{"version": 1, ..}`), compact or pretty,
/// and a newline. Rendered first, so a closed stdout surfaces as the `io::Error` it is.
fn write_json(out: &mut impl Write, report: &impl Serialize, pretty: bool) -> anyhow::Result<()> {
    let document = crate::report::Versioned::new(report);
    let text = if pretty {
        serde_json::to_string_pretty(&document)?
    } else {
        serde_json::to_string(&document)?
    };
    writeln!(out, "{text}")?;
    Ok(())
}

/// Whether text output is coloured: stdout is a terminal and `NO_COLOR` is unset or empty.
fn colour() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
