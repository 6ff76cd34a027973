//! `drydock report`: commands over reports other runs wrote. `report merge` reads the JSON of
//! the shards of one run (`--shard I/N`) and prints the one report an unsharded run would have
//! written (`report::merge` does the merging). Each further report command (`report html`, the
//! dashboard) is one variant of [`ReportCommand`] and one arm in [`run`].

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};

use super::{ExitStatus, Global};
use crate::app::{self, UsageError};
use crate::report::merge::{Input, merge};

/// Work on reports other drydock runs wrote.
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub command: ReportCommand,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Merge the JSON reports of every shard of a run (check, plan, scan, apply or status) into one.
    Merge(MergeArgs),
    /// Write the fleet dashboard: one self-contained HTML file from check and status JSON reports.
    Html(super::report_html::HtmlArgs),
}

/// `drydock report merge FILE... [--format json]`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The JSON report of each shard (`--shard I/N --format json`), in any order.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Output format: the merged report in the format of the reports merged.
    #[arg(long, value_enum, default_value_t = MergeFormat::Json)]
    pub format: MergeFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MergeFormat {
    Json,
}

/// The largest report merged: a check of 50,000 repositories with findings is a few hundred
/// megabytes at most; a bigger file is not a report.
const MAX_REPORT_BYTES: u64 = 1 << 30;

pub fn run(global: &Global, args: ReportArgs) -> anyhow::Result<ExitStatus> {
    match args.command {
        ReportCommand::Merge(merge_args) => run_merge(global, &merge_args),
        ReportCommand::Html(html_args) => super::report_html::run(global, html_args),
    }
}

fn run_merge(global: &Global, args: &MergeArgs) -> anyhow::Result<ExitStatus> {
    let texts = args
        .files
        .iter()
        .map(|file| read_report(file))
        .collect::<Result<Vec<_>, _>>()?;
    let names: Vec<String> = args.files.iter().map(|f| f.display().to_string()).collect();
    let inputs: Vec<Input<'_>> = names
        .iter()
        .zip(&texts)
        .map(|(file, text)| Input { file, text })
        .collect();
    let merged = merge(&inputs).map_err(|e| {
        app::Error::Usage(UsageError::new(format!("report merge: {}", e.message)).with_help(e.help))
    })?;
    let MergeFormat::Json = args.format;
    let mut out = std::io::stdout().lock();
    out.write_all(merged.render().as_bytes())?;
    out.flush()?;
    if !global.quiet {
        eprintln!(
            "drydock: merged {} shards of a {} report: {} repositories",
            merged.shards, merged.kind, merged.repos
        );
    }
    Ok(ExitStatus::Success)
}

/// A report file: a regular file (a FIFO would block, a device never end) of at most
/// [`MAX_REPORT_BYTES`], UTF-8.
fn read_report(file: &Path) -> Result<String, app::Error> {
    let refuse = |message: String| {
        app::Error::Usage(
            UsageError::new(format!("report merge: {}: {message}", file.display()))
                .with_help("pass the JSON files the shards wrote (`--format json > FILE`)"),
        )
    };
    let meta = std::fs::metadata(file).map_err(|e| refuse(format!("cannot read it: {e}")))?;
    if !meta.is_file() {
        return Err(refuse("not a regular file".into()));
    }
    if meta.len() > MAX_REPORT_BYTES {
        return Err(refuse(format!(
            "{} bytes, more than the {MAX_REPORT_BYTES} a report can be",
            meta.len()
        )));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(file)
        .and_then(|f| f.take(MAX_REPORT_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| refuse(format!("cannot read it: {e}")))?;
    String::from_utf8(bytes).map_err(|_| refuse("not UTF-8 text".into()))
}
