//! `drydock fleet-workflow`: the fleet workflow (`workflow::fleet`) for the repository that holds
//! fleet.toml, from the fleet's `[workflow]` (how drydock is installed, action pins, the key's
//! secret) and `[github] app_id`; printed, or written with `--write DIR` into
//! `DIR/.github/workflows/drydock-fleet.yml` through `fs::write_repo_file`.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use super::{ExitStatus, Global};
use crate::app::{self, UsageError};
use crate::inventory::Fleet;
use crate::workflow::fleet::{
    DEFAULT_PRIVATE_KEY_SECRET, DEFAULT_SCHEDULE, FleetSettings, MAX_SHARDS, PATH, render,
};

/// Render the GitHub Actions workflow that syncs, checks and applies the fleet on a schedule, in shards.
#[derive(Debug, Args)]
pub struct FleetWorkflowArgs {
    /// How many matrix jobs share the fleet (1-256); each runs `--shard I/N`.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub shards: u32,
    /// When the workflow runs: a five-field cron line (UTC), at most every 5 minutes.
    #[arg(long, value_name = "CRON", default_value = DEFAULT_SCHEDULE)]
    pub schedule: String,
    /// Write .github/workflows/drydock-fleet.yml into this repository checkout (the one holding
    /// fleet.toml) instead of printing it.
    #[arg(long, value_name = "DIR")]
    pub write: Option<PathBuf>,
}

pub fn run(global: &Global, args: FleetWorkflowArgs) -> anyhow::Result<ExitStatus> {
    let fleet = Fleet::load(&global.fleet).map_err(app::Error::Config)?;
    let root = match &args.write {
        Some(dir) => dir.clone(),
        None => std::env::current_dir()?,
    };
    let settings = settings(&fleet, &args, &root)?;
    let text = render(&settings).map_err(|e| {
        app::Error::Usage(
            UsageError::new(format!("drydock fleet-workflow: {e}")).with_help(format!(
                "--shards takes 1 to {MAX_SHARDS}; --schedule a cron line such as {DEFAULT_SCHEDULE:?}; pins come from [workflow.actions]"
            )),
        )
    })?;
    match &args.write {
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
        Some(dir) => {
            crate::fs::write_repo_file(dir, Path::new(PATH), text.as_bytes())?;
            if !global.quiet {
                eprintln!(
                    "wrote {} ({} shard(s), schedule {:?})",
                    super::shown(&dir.join(PATH).display().to_string()),
                    settings.shards,
                    settings.schedule
                );
            }
        }
    }
    Ok(ExitStatus::Success)
}

/// The settings from the fleet and the flags; `root` is the repository the workflow runs in.
fn settings(
    fleet: &Fleet,
    args: &FleetWorkflowArgs,
    root: &Path,
) -> Result<FleetSettings, app::Error> {
    let file = fleet.file.display().to_string();
    let usage =
        |message: String, help: &str| app::Error::Usage(UsageError::new(message).with_help(help));
    let Some(app) = &fleet.forge.app else {
        return Err(usage(
            format!("{file}: the fleet workflow needs a GitHub App: [github] app_id is not set"),
            "set [github] app_id to the id of the App installed on the fleet's owners (GITHUB_TOKEN reaches only the repository the workflow runs in); its private key goes into a secret, see docs/fleet-workflow.md",
        ));
    };
    if app.private_key.is_some() {
        return Err(usage(
            format!(
                "{file}: [github] private_key names a key file, which the workflow does not have"
            ),
            "remove private_key from [github]: in the workflow drydock reads the key from DRYDOCK_APP_PRIVATE_KEY, filled from a secret ([workflow] private_key_secret)",
        ));
    }
    let install = fleet.workflow.install().map_err(|e| {
        usage(
            format!("{file}: {e}"),
            "see [workflow] in docs/fleet-toml.md",
        )
    })?;
    Ok(FleetSettings {
        shards: args.shards,
        schedule: args.schedule.trim().to_string(),
        fleet_file: fleet_file_in(&fleet.file, root)?,
        app_id: app.app_id,
        private_key_secret: fleet
            .workflow
            .private_key_secret
            .clone()
            .unwrap_or_else(|| DEFAULT_PRIVATE_KEY_SECRET.to_string()),
        install,
        actions: fleet.workflow.actions(),
    })
}

/// fleet.toml as the workflow names it: relative to the repository root, with `/`.
fn fleet_file_in(fleet: &Path, root: &Path) -> Result<String, app::Error> {
    let outside = || {
        app::Error::Usage(
            UsageError::new(format!(
                "{} is not inside {}: the workflow runs from the root of the repository holding fleet.toml",
                fleet.display(),
                root.display()
            ))
            .with_help("run drydock fleet-workflow from that repository's root, or pass --write with its path"),
        )
    };
    let fleet = fleet.canonicalize().map_err(|_| outside())?;
    let root = root.canonicalize().map_err(|e| {
        app::Error::Usage(UsageError::new(format!("--write {}: {e}", root.display())))
    })?;
    let relative = fleet.strip_prefix(&root).map_err(|_| outside())?;
    let parts: Option<Vec<&str>> = relative
        .components()
        .map(|c| c.as_os_str().to_str())
        .collect();
    parts
        .map(|p| p.join("/"))
        .filter(|p| !p.is_empty())
        .ok_or_else(outside)
}
