//! `drydock sync`: clones or fetches every selected repository into the workspace, showing
//! progress, then prints a table of what happened to each. Exit status 3 if any failed.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Instant;

use clap::Args;
use indicatif::{HumanBytes, MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{Global, exit, load_fleet, targets};
use crate::git::{self, Auth, Job, Observer, Outcome, Status, SyncOptions, Transfer};
use crate::inventory::github_token;

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Repositories synced at once [default: `jobs` in fleet.toml].
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Commits of history to fetch (0 = full history). `file://` and local paths always fetch
    /// the full history: libgit2 cannot fetch shallow from them.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub depth: u32,
}

pub fn run(global: &Global, args: SyncArgs) -> anyhow::Result<u8> {
    let fleet = load_fleet(global, false)?;
    let work: Vec<Job> = targets(global, &fleet, None)?
        .into_iter()
        .filter_map(|t| {
            Some(Job {
                repo: t.repo?,
                checkout: t.root,
            })
        })
        .collect();
    let jobs = args.jobs.map_or(fleet.jobs, usize::from);
    let options = SyncOptions {
        depth: args.depth,
        auth: Auth {
            token: github_token(),
            token_host: fleet.github.web_host(),
        },
    };
    let display = Display::new(global, &work);
    let started = Instant::now();
    let outcomes = git::sync_all(&fleet.workspace, &work, jobs, &options, &display);
    display.finish();

    let rows: Vec<(&str, &Outcome)> = work
        .iter()
        .map(|j| j.repo.name.as_str())
        .zip(&outcomes)
        .filter(|(_, o)| {
            !global.quiet || matches!(o.status, Status::Failed | Status::SkippedLocalChanges)
        })
        .collect();
    print!("{}", table(&rows));
    println!("{}", summary(&outcomes, started.elapsed().as_secs_f64()));
    Ok(if outcomes.iter().any(|o| o.status == Status::Failed) {
        exit::REPO_FAILED
    } else {
        exit::OK
    })
}

/// The summary table: repo, result, reason.
fn table(rows: &[(&str, &Outcome)]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let name_width = rows
        .iter()
        .map(|(n, _)| n.len())
        .max()
        .unwrap_or(0)
        .max("REPO".len());
    let status_width = rows
        .iter()
        .map(|(_, o)| o.status.as_str().len())
        .max()
        .unwrap_or(0)
        .max("RESULT".len());
    let mut out = format!(
        "{:name_width$}  {:status_width$}  REASON\n",
        "REPO", "RESULT"
    );
    for (name, outcome) in rows {
        let line = format!(
            "{name:name_width$}  {:status_width$}  {}",
            outcome.status.as_str(),
            outcome.reason
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn summary(outcomes: &[Outcome], seconds: f64) -> String {
    let statuses = [
        Status::Cloned,
        Status::Updated,
        Status::Unchanged,
        Status::SkippedLocalChanges,
        Status::Local,
        Status::Failed,
    ];
    let counts: Vec<String> = statuses
        .iter()
        .map(|s| (s, outcomes.iter().filter(|o| o.status == *s).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {}", s.as_str()))
        .collect();
    let counts = if counts.is_empty() {
        "nothing to sync".to_string()
    } else {
        counts.join(", ")
    };
    format!("{} repositories in {seconds:.1}s: {counts}", outcomes.len())
}

/// Progress on stderr: bars on a terminal, one line per finished repository otherwise.
struct Display<'a> {
    names: Vec<&'a str>,
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

impl<'a> Display<'a> {
    fn new(global: &Global, work: &'a [Job]) -> Self {
        let bars = (!global.quiet && std::io::stderr().is_terminal()).then(|| {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
            let overall = multi.add(ProgressBar::new(work.len() as u64));
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
                active: Mutex::new(vec![None; work.len()]),
            }
        });
        Display {
            names: work.iter().map(|j| j.repo.name.as_str()).collect(),
            quiet: global.quiet,
            verbose: global.verbose > 0,
            bars,
            started: Mutex::new(vec![None; work.len()]),
        }
    }

    fn finish(&self) {
        if let Some(bars) = &self.bars {
            bars.overall.finish_and_clear();
        }
    }

    fn line(&self, index: usize, outcome: &Outcome) -> String {
        let mut line = format!(
            "{}: {} {}",
            self.names[index],
            outcome.status.as_str(),
            outcome.reason
        );
        if self.verbose
            && let Some(t) = self.started.lock().expect("display lock")[index]
        {
            line.push_str(&format!(" [{:.1}s]", t.elapsed().as_secs_f64()));
        }
        line.trim_end().to_string()
    }
}

impl Observer for Display<'_> {
    fn started(&self, index: usize) {
        self.started.lock().expect("display lock")[index] = Some(Instant::now());
        if let Some(bars) = &self.bars {
            let bar = bars
                .multi
                .insert_before(&bars.overall, ProgressBar::new_spinner());
            bar.set_style(
                ProgressStyle::with_template("  {prefix} {spinner} {msg}")
                    .expect("static template"),
            );
            bar.set_prefix(self.names[index].to_string());
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

    fn finished(&self, index: usize, outcome: &Outcome) {
        let failed = outcome.status == Status::Failed;
        if let Some(bars) = &self.bars {
            if let Some(bar) = bars.active.lock().expect("display lock")[index].take() {
                bar.finish_and_clear();
                bars.multi.remove(&bar);
            }
            bars.overall.inc(1);
            if failed || self.verbose {
                let _ = bars.multi.println(self.line(index, outcome));
            }
        } else if !self.quiet || failed {
            eprintln!("{}", self.line(index, outcome));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_and_summary_counts() {
        let ok = Outcome {
            status: Status::Cloned,
            reason: "main at abc (shallow)".into(),
        };
        let bad = Outcome {
            status: Status::Failed,
            reason: "not found: x".into(),
        };
        let t = table(&[("o/a", &ok), ("owner/long", &bad)]);
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
