//! `drydock sync`: the flags, the workspace lock, progress on stderr while `app::sync` clones or
//! fetches, then a table of what happened to each repository. Exit status 3 if any failed.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use clap::Args;
use indicatif::{HumanBytes, MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{ExitStatus, Global, load, shown};
use crate::app::sync::{Observer, RepoSync, SyncContext, git_auth, sync};
use crate::forge::pacer::Wait;
use crate::git::{Status, SyncOptions, Synced, Transfer, WorkspaceLock};
use crate::repo::RepoFailure;

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Repositories synced at once, at most 64 [default: `jobs` in fleet.toml].
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: Option<u16>,
    /// Commits of history to fetch (0 = full history). `file://` and local paths always fetch
    /// the full history: libgit2 cannot fetch shallow from them.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub depth: u32,
}

pub fn run(global: &Global, args: SyncArgs) -> anyhow::Result<ExitStatus> {
    let (fleet, targets) = load(global, None)?;
    let quiet = global.quiet;
    let auth = git_auth(
        &fleet,
        Arc::new(move |wait: &Wait| {
            if !quiet {
                eprintln!("{}", shown(&wait.to_string()));
            }
        }),
    )?;
    let options = SyncOptions {
        depth: args.depth,
        auth,
        git: fleet.git,
    };
    // Held until the end of the run: a second sync would delete this one's clones in progress.
    let _lock = WorkspaceLock::acquire(&fleet.workspace)?;
    // Names as printed: a repository's name comes from fleet.toml (or a `path =` directory).
    let (names, local): (Vec<String>, Vec<bool>) = crate::app::sync::jobs(&targets)
        .into_iter()
        .map(|(name, job)| (shown(&name.to_string()).into_owned(), job.is_local()))
        .unzip();
    let display = Display::new(global, names, local);
    let started = Instant::now();
    let report = sync(
        &SyncContext {
            workspace: &fleet.workspace,
            targets: &targets,
            jobs: args.jobs.map_or(fleet.jobs, usize::from),
            options: &options,
        },
        &display,
    );
    display.finish();

    let rows: Vec<&RepoSync> = report
        .repos
        .iter()
        .filter(|r| {
            !global.quiet
                || matches!(
                    r.result,
                    Err(_)
                        | Ok(Synced {
                            status: Status::SkippedLocalChanges,
                            ..
                        })
                )
        })
        .collect();
    let mut out = std::io::stdout().lock();
    write!(out, "{}", table(&rows))?;
    writeln!(
        out,
        "{}",
        summary(&report.repos, started.elapsed().as_secs_f64())
    )?;
    out.flush()?;
    Ok(if report.failed() > 0 {
        ExitStatus::RepoFailed
    } else {
        ExitStatus::Success
    })
}

/// The RESULT column of a repository, and its REASON as printed (it may quote a URL, a branch
/// or a message from the remote, so control characters are escaped).
fn result_words(result: &Result<Synced, RepoFailure>) -> (&'static str, std::borrow::Cow<'_, str>) {
    match result {
        Ok(synced) => (synced.status.as_str(), shown(&synced.reason)),
        Err(failure) => ("failed", shown(&failure.message)),
    }
}

/// The summary table: repo, result, reason.
fn table(rows: &[&RepoSync]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let names: Vec<String> = rows
        .iter()
        .map(|r| shown(&r.name.to_string()).into_owned())
        .collect();
    let name_width = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(0)
        .max("REPO".len());
    let status_width = rows
        .iter()
        .map(|r| result_words(&r.result).0.len())
        .max()
        .unwrap_or(0)
        .max("RESULT".len());
    let mut out = format!(
        "{:name_width$}  {:status_width$}  REASON\n",
        "REPO", "RESULT"
    );
    for (name, row) in names.iter().zip(rows) {
        let (status, reason) = result_words(&row.result);
        let line = format!("{name:name_width$}  {status:status_width$}  {reason}");
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn summary(repos: &[RepoSync], seconds: f64) -> String {
    let results = [
        "cloned",
        "updated",
        "unchanged",
        "skipped-local-changes",
        "local",
        "failed",
    ];
    let counts: Vec<String> = results
        .iter()
        .map(|s| {
            let n = repos
                .iter()
                .filter(|r| result_words(&r.result).0 == *s)
                .count();
            (s, n)
        })
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    let counts = if counts.is_empty() {
        "nothing to sync".to_string()
    } else {
        counts.join(", ")
    };
    format!("{} repositories in {seconds:.1}s: {counts}", repos.len())
}

/// Progress on stderr: bars on a terminal, one line per finished repository otherwise.
struct Display {
    names: Vec<String>,
    /// `path =` repositories: nothing to connect to, so no "connecting" bar.
    local: Vec<bool>,
    quiet: bool,
    verbose: bool,
    bars: Option<Bars>,
    started: Mutex<Vec<Option<Instant>>>,
}

struct Bars {
    multi: MultiProgress,
    overall: ProgressBar,
    active: Mutex<Vec<Option<ProgressBar>>>,
}

impl Display {
    fn new(global: &Global, names: Vec<String>, local: Vec<bool>) -> Self {
        let bars = (!global.quiet && std::io::stderr().is_terminal()).then(|| {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
            let overall = multi.add(ProgressBar::new(names.len() as u64));
            overall.set_style(
                ProgressStyle::with_template(
                    "{prefix:.bold} [{bar:30}] {pos}/{len} repositories, {elapsed}",
                )
                .expect("static template")
                .progress_chars("=> "),
            );
            overall.set_prefix("sync");
            Bars {
                multi,
                overall,
                active: Mutex::new(vec![None; names.len()]),
            }
        });
        Display {
            started: Mutex::new(vec![None; names.len()]),
            names,
            local,
            quiet: global.quiet,
            verbose: global.verbose > 0,
            bars,
        }
    }

    fn finish(&self) {
        if let Some(bars) = &self.bars {
            bars.overall.finish_and_clear();
        }
    }

    fn line(&self, index: usize, result: &Result<Synced, RepoFailure>) -> String {
        let (status, reason) = result_words(result);
        let mut line = format!("{}: {status} {reason}", self.names[index]);
        if self.verbose
            && let Some(t) = self.started.lock().expect("display lock")[index]
        {
            line.push_str(&format!(" [{:.1}s]", t.elapsed().as_secs_f64()));
        }
        line.trim_end().to_string()
    }
}

impl Observer for Display {
    fn started(&self, index: usize) {
        self.started.lock().expect("display lock")[index] = Some(Instant::now());
        if self.local[index] {
            // Reported as `local` when it finishes, at once; there is no connection to show.
        } else if let Some(bars) = &self.bars {
            let bar = bars
                .multi
                .insert_before(&bars.overall, ProgressBar::new_spinner());
            bar.set_style(
                ProgressStyle::with_template("  {prefix} {spinner} {msg}")
                    .expect("static template"),
            );
            bar.set_prefix(self.names[index].clone());
            bar.set_message("connecting");
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bars.active.lock().expect("display lock")[index] = Some(bar);
        } else if self.verbose {
            eprintln!("{}: syncing", self.names[index]);
        }
    }

    fn transfer(&self, index: usize, transfer: Transfer) {
        if let Some(bars) = &self.bars
            && let Some(bar) = &bars.active.lock().expect("display lock")[index]
        {
            bar.set_message(format!(
                "{}/{} objects, {}",
                transfer.received_objects,
                transfer.total_objects,
                HumanBytes(transfer.received_bytes as u64)
            ));
        }
    }

    fn finished(&self, index: usize, result: &Result<Synced, RepoFailure>) {
        let failed = result.is_err();
        if let Some(bars) = &self.bars {
            if let Some(bar) = bars.active.lock().expect("display lock")[index].take() {
                bar.finish_and_clear();
                bars.multi.remove(&bar);
            }
            bars.overall.inc(1);
            if failed || self.verbose {
                let _ = bars.multi.println(self.line(index, result));
            }
        } else if !self.quiet || failed {
            eprintln!("{}", self.line(index, result));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_and_summary_counts() {
        let ok = RepoSync {
            name: "o/a".parse().unwrap(),
            result: Ok(Synced {
                status: Status::Cloned,
                reason: "main at abc (shallow)".into(),
            }),
        };
        let bad = RepoSync {
            name: "owner/long".parse().unwrap(),
            result: Err(RepoFailure::new(
                crate::repo::FailureKind::NotFound,
                "not found: x",
            )),
        };
        let t = table(&[&ok, &bad]);
        assert_eq!(
            t,
            "REPO        RESULT  REASON\no/a         cloned  main at abc (shallow)\nowner/long  failed  not found: x\n"
        );
        assert_eq!(
            summary(&[ok, bad], 1.31),
            "2 repositories in 1.3s: 1 cloned, 1 failed"
        );
    }
}
