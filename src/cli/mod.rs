//! The command line: global flags, the subcommands, picking the output format, printing, the
//! progress display, and turning the use cases' typed reports into exit statuses. The only
//! module that knows about the terminal, and the only one allowed to print (lib.rs denies
//! `print_stdout`/`print_stderr` everywhere else).
//!
//! Every value printed as text that came from a repository, a registry or the configuration goes
//! through [`shown`] (control characters escaped, see [`crate::text::escape_terminal`]); errors
//! are escaped line by line, so their own line structure (a `help:` line) stays.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use serde::Serialize;

use crate::app::{self, Selection};
use crate::inventory::ConfigError;

pub mod apply;
pub mod bump;
pub mod check;
pub mod data;
pub mod discover;
pub mod fleet_workflow;
pub mod onboard;
pub mod plan;
pub mod report;
pub mod report_html;
pub mod scan;
pub mod status;
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
    about = "Roll a container base-image policy out across a fleet of repositories, and keep it there.",
    // Our own `help` subcommand, so that `drydock help --help` works like every other command.
    disable_help_subcommand = true
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
    /// The fleet inventory (with --path: read only when given).
    #[arg(long, global = true, value_name = "FILE", default_value = "fleet.toml")]
    pub fleet: PathBuf,
    /// Whether `--fleet` was on the command line rather than defaulted.
    #[arg(skip)]
    pub fleet_given: bool,
    /// Only this repository (owner/repo); repeatable.
    #[arg(long = "repo", global = true, value_name = "NAME")]
    pub repos: Vec<String>,
    /// Only shard I of N of the fleet (by a stable hash of each name; docs/shards.md), with
    /// 1/N of the GitHub budget: one job of a CI matrix.
    #[arg(long, global = true, value_name = "I/N")]
    pub shard: Option<crate::inventory::Shard>,
    /// Only errors and the final summary.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// More detail (repeat for debug output).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List an organisation's repositories on GitHub and show (or --write) how fleet.toml would change.
    Discover(discover::DiscoverArgs),
    /// Clone or fetch every repository of the fleet into the workspace.
    Sync(sync::SyncArgs),
    /// Show the package ecosystems, Dockerfiles and compose files of each repository.
    Scan(scan::ScanArgs),
    /// Show what drydock would create or change (dependabot.yml, the monitor workflow): a summary with the findings, then diffs.
    Plan(plan::PlanArgs),
    /// Check Dockerfiles against the base-image policy, dependabot.yml against GitHub's rules, and Trivy reports against the CVE deadlines.
    Check(check::CheckArgs),
    /// Open or update drydock's pull request in every repository that needs one (and close, rebase or leave alone the others).
    Apply(apply::ApplyArgs),
    /// Add a repository to fleet.toml, sync and plan it, and open its compliance pull request.
    Onboard(onboard::OnboardArgs),
    /// Move Dockerfile base images to the newest tag the policy allows (the monitor workflow's engine).
    Bump(bump::BumpArgs),
    /// Where the rollout stands: drydock's pull request in every repository (checks, mergeable, review) and whether each default branch is compliant.
    Status(status::StatusArgs),
    /// Refresh the image data `check` reads (`data update`).
    Data(data::DataArgs),
    /// Render the GitHub Actions workflow that syncs, checks and applies the fleet on a schedule, in shards.
    FleetWorkflow(fleet_workflow::FleetWorkflowArgs),
    /// Work on reports other runs wrote (`report merge`: the shards' JSON into one; `report html`: the fleet dashboard).
    Report(report::ReportArgs),
    /// Print this message or the help of the given subcommand.
    Help(HelpArgs),
}

/// `drydock help [COMMAND]...`.
#[derive(Debug, Args)]
pub struct HelpArgs {
    /// The subcommand to describe (`plan`, `data update`).
    #[arg(value_name = "COMMAND")]
    pub command: Vec<String>,
}

/// Prints the long help of `drydock` or of the subcommand `args` names.
fn help(args: &HelpArgs) -> anyhow::Result<ExitStatus> {
    use clap::CommandFactory;
    let mut command = Cli::command();
    command.build();
    let mut current = &mut command;
    for name in &args.command {
        let known: Vec<String> = current
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .collect();
        current = match current.find_subcommand_mut(name) {
            Some(sub) => sub,
            None => {
                return Err(app::Error::Usage(
                    app::UsageError::new(format!("drydock help: no subcommand {name:?}"))
                        .with_help(format!("one of: {}", known.join(", "))),
                )
                .into());
            }
        };
    }
    let mut out = std::io::stdout().lock();
    write!(out, "{}", current.render_long_help())?;
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = parse();
    init_tracing(&cli.global);
    let result = match cli.command {
        _ if let Some(refused) = shard_refused(&cli) => Err(refused.into()),
        Command::Check(args) => check::run(&cli.global, args),
        Command::Scan(args) => scan::run(&cli.global, args),
        Command::Bump(args) => bump::run(&cli.global, args),
        Command::Apply(args) => apply::run(&cli.global, args),
        Command::Plan(args) => plan::run(&cli.global, args),
        Command::Sync(args) => sync::run(&cli.global, args),
        Command::Discover(args) => discover::run(&cli.global, args),
        Command::Status(args) => status::run(&cli.global, args),
        Command::Onboard(args) => onboard::run(&cli.global, args),
        Command::Data(args) => data::run(&cli.global, args),
        Command::FleetWorkflow(args) => fleet_workflow::run(&cli.global, args),
        Command::Report(args) => report::run(&cli.global, args),
        Command::Help(args) => help(&args),
    };
    match result {
        Ok(status) => status.into(),
        Err(e) => report_error(&e).into(),
    }
}

/// `--shard` on a command that does not walk the fleet (`bump` works on one checkout,
/// `discover` on an organisation, `data` and `report` on files): refused rather than ignored.
fn shard_refused(cli: &Cli) -> Option<app::Error> {
    let shard = cli.global.shard?;
    let command = match &cli.command {
        Command::Discover(_) => "discover",
        Command::Bump(_) => "bump",
        Command::Data(_) => "data",
        Command::Report(_) => "report",
        Command::Onboard(_) => "onboard",
        Command::FleetWorkflow(_) => "fleet-workflow",
        Command::Help(_) => "help",
        Command::Sync(_)
        | Command::Scan(_)
        | Command::Plan(_)
        | Command::Check(_)
        | Command::Apply(_)
        | Command::Status(_) => return None,
    };
    Some(app::Error::Usage(
        app::UsageError::new(format!(
            "drydock {command} does not take --shard {shard}: it does not walk the fleet"
        ))
        .with_help("--shard applies to sync, scan, plan, check, apply and status (docs/shards.md); drop it here"),
    ))
}

/// Parses the command line, noting whether `--fleet` was given (clap's derive cannot tell a
/// default from a typed value).
fn parse() -> Cli {
    use clap::{CommandFactory, FromArgMatches};
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    cli.global.fleet_given = fleet_given(&matches);
    cli
}

/// Whether `--fleet` came from the command line, before or after the subcommand.
fn fleet_given(matches: &clap::ArgMatches) -> bool {
    let given = |m: &clap::ArgMatches| {
        m.value_source("fleet") == Some(clap::parser::ValueSource::CommandLine)
    };
    given(matches) || matches.subcommand().is_some_and(|(_, sub)| given(sub))
}

/// Prints an error that stopped a command, and the exit status it means. A reader that went
/// away (`drydock plan | head`) is not an error: drydock stops quietly.
fn report_error(e: &anyhow::Error) -> ExitStatus {
    if is_broken_pipe(e) {
        return ExitStatus::Success;
    }
    match e.downcast_ref::<app::Error>() {
        Some(app::Error::Config(config)) => {
            eprintln!("error: {}", shown_lines(&config.to_string()));
        }
        Some(app::Error::Usage(usage)) => eprintln!("error: {}", shown_lines(&usage.to_string())),
        Some(app::Error::Other(other)) => {
            eprintln!("error: {}", shown_lines(&format!("{other:#}")));
            return ExitStatus::RepoFailed;
        }
        None if e.downcast_ref::<ConfigError>().is_some() => {
            eprintln!("error: {}", shown_lines(&e.to_string()));
        }
        None => {
            eprintln!("error: {}", shown_lines(&format!("{e:#}")));
            return ExitStatus::RepoFailed;
        }
    }
    ExitStatus::Config
}

/// A value as printed in text output: control characters escaped.
pub(crate) fn shown(value: &str) -> std::borrow::Cow<'_, str> {
    crate::text::escape_terminal(value)
}

/// A message of several lines as printed: each line escaped, the line breaks kept.
pub(crate) fn shown_lines(message: &str) -> String {
    message
        .split('\n')
        .map(shown)
        .collect::<Vec<_>>()
        .join("\n")
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
        .with_writer(|| LogLines)
        .with_ansi(stderr_colour())
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
        fleet_given: global.fleet_given,
        shard: global.shard,
    }
}

/// Loads the fleet and the targets of a fleet-walking command (or of `--path`).
fn load(
    global: &Global,
    path: Option<PathBuf>,
) -> Result<(crate::inventory::Fleet, Vec<app::Target>), app::Error> {
    let selection = selection(global, path);
    let (fleet, source) = app::load_config(&selection)?;
    let targets = app::targets(&fleet, &selection)?;
    if let Some(dir) = &selection.path
        && !global.quiet
    {
        eprintln!("drydock: {}: configuration from {source}", dir.display());
    }
    Ok((fleet, targets))
}

/// Writes a report as one versioned JSON document (`{"version": 1, ..}`), compact or pretty,
/// and a newline. Rendered first, so a closed stdout surfaces as the `io::Error` it is.
fn write_json(out: &mut impl Write, report: &impl Serialize, pretty: bool) -> anyhow::Result<()> {
    write_json_in_shard(out, report, None, pretty)
}

/// [`write_json`] of a report made by a run over `shard` (`global.shard`): a sharded run's
/// document says so (`"shard":{"index":I,"count":N}`), which `report merge` relies on. Every
/// command that walks `app::targets` writes its JSON through this.
fn write_json_in_shard(
    out: &mut impl Write,
    report: &impl Serialize,
    shard: Option<crate::inventory::Shard>,
    pretty: bool,
) -> anyhow::Result<()> {
    let document = crate::report::Versioned::new(report).in_shard(shard.map(Into::into));
    let text = if pretty {
        serde_json::to_string_pretty(&document)?
    } else {
        serde_json::to_string(&document)?
    };
    writeln!(out, "{text}")?;
    Ok(())
}

/// stderr for log lines. tracing escapes ESC in the values it logs but not line breaks, so a
/// path with a newline could forge a log line: every line break but the one ending the event is
/// written as `\n` (`\r` likewise). tracing writes each event in one call.
struct LogLines;

impl Write for LogLines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        std::io::stderr().write_all(&one_log_line(buf))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

fn one_log_line(event: &[u8]) -> Vec<u8> {
    let body = event.strip_suffix(b"\n").unwrap_or(event);
    let mut out = Vec::with_capacity(event.len() + 4);
    for &b in body {
        match b {
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
    if body.len() < event.len() {
        out.push(b'\n');
    }
    out
}

/// Whether log lines on stderr are coloured: stderr is a terminal and `NO_COLOR` is unset or
/// empty. A file or a CI log gets plain text.
fn stderr_colour() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Whether text output is coloured: stdout is a terminal and `NO_COLOR` is unset or empty.
fn colour() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_log_event_stays_one_line() {
        assert_eq!(
            super::one_log_line(b" WARN x: a\nFAKE\r/b\n"),
            b" WARN x: a\\nFAKE\\r/b\n"
        );
        assert_eq!(super::one_log_line(b"no newline"), b"no newline");
    }
}
