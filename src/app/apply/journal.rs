//! The run journal: `<workspace>/runs/<run-id>.jsonl`, one JSON object a line, appended and
//! fsynced before the effect it announces is sent. A run starts with a `run-started` line (the
//! repositories it covers) and ends with `run-finished`; each repository's steps come between,
//! ending with `done` (its result) or `failed`. A run without `run-finished` is unfinished:
//! `--resume` continues it (same id, same file), `--only-failed` retries the failures of the
//! newest run.
//!
//! ```text
//! {"run":"20261201T101500Z-3fa2","step":"run-started","at":"..","repos":["acme/web"]}
//! {"run":"..","repo":"acme/web","step":"planned","at":"..","hash":"9f..","tip":"1c.."}
//! {"run":"..","repo":"acme/web","step":"push","at":"..","sha":"77..","expected":null}
//! {"run":"..","repo":"acme/web","step":"pr-create","at":".."}
//! {"run":"..","repo":"acme/web","step":"done","at":"..","result":"opened","pr":{"number":1,"url":".."},"branch_sha":"77..","parent":"1c..","hash":"9f.."}
//! {"run":"..","step":"run-finished","at":".."}
//! ```
//!
//! A line cut short by a kill is skipped when the journal is read; no token is ever written
//! (messages come from the forge and git layers, which scrub them).

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{ApplyResult, PrRef, RepoOutcome};

/// Steps that end a repository's part of a run.
pub const DONE: &str = "done";
pub const STARTED: &str = "run-started";
pub const FINISHED: &str = "run-finished";

/// One journal line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub run: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    pub step: String,
    pub at: String,
    #[serde(flatten)]
    pub detail: Map<String, Value>,
}

impl Entry {
    fn str(&self, key: &str) -> Option<&str> {
        self.detail.get(key).and_then(Value::as_str)
    }
}

/// A new run's id: the UTC time (sortable) and a random suffix.
pub fn new_run_id() -> String {
    let mut bytes = [0u8; 2];
    let _ = getrandom::fill(&mut bytes);
    format!(
        "{}-{:02x}{:02x}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"),
        bytes[0],
        bytes[1]
    )
}

/// An open journal, shared by the workers.
pub struct Journal {
    run: String,
    path: PathBuf,
    file: Mutex<File>,
}

impl Journal {
    /// Starts a new run's journal.
    pub fn create(dir: &Path, run: &str, repos: &[String]) -> std::io::Result<Journal> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!("{run}.jsonl"));
        let file = OpenOptions::new()
            .create_new(true)
            .append(true)
            .open(&path)?;
        let journal = Journal {
            run: run.to_string(),
            path,
            file: Mutex::new(file),
        };
        journal.write(None, STARTED, serde_json::json!({ "repos": repos }))?;
        // The directory entry of a new file is only durable once the directory is synced.
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(journal)
    }

    /// Continues an earlier run's journal.
    pub fn reopen(dir: &Path, run: &str) -> std::io::Result<Journal> {
        let path = dir.join(format!("{run}.jsonl"));
        let mut file = OpenOptions::new().append(true).read(true).open(&path)?;
        // A kill in the middle of a line left it unterminated: end it, so the next line parses.
        let text = std::fs::read(&path)?;
        if text.last().is_some_and(|b| *b != b'\n') {
            file.write_all(b"\n")?;
            file.sync_data()?;
        }
        Ok(Journal {
            run: run.to_string(),
            path,
            file: Mutex::new(file),
        })
    }

    pub fn run(&self) -> &str {
        &self.run
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one step of a repository and fsyncs it.
    pub fn record(&self, repo: &str, step: &str, detail: Value) -> std::io::Result<()> {
        self.write(Some(repo), step, detail)
    }

    /// Ends the run.
    pub fn finish(&self) -> std::io::Result<()> {
        self.write(None, FINISHED, Value::Object(Map::new()))
    }

    fn write(&self, repo: Option<&str>, step: &str, detail: Value) -> std::io::Result<()> {
        let entry = Entry {
            run: self.run.clone(),
            repo: repo.map(str::to_string),
            step: step.to_string(),
            at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            detail: match detail {
                Value::Object(map) => map,
                _ => Map::new(),
            },
        };
        let mut line = serde_json::to_string(&entry).map_err(std::io::Error::other)?;
        line.push('\n');
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        file.write_all(line.as_bytes())?;
        file.sync_data()
    }
}

/// One run's journal as read back.
#[derive(Debug, Clone, Default)]
pub struct RunLog {
    pub run: String,
    /// The repositories the run covers, in order.
    pub repos: Vec<String>,
    pub finished: bool,
    /// Every step of each repository, in order.
    pub steps: BTreeMap<String, Vec<Entry>>,
}

impl RunLog {
    /// Reads a journal; lines that do not parse (a line cut short by a kill) are skipped.
    pub fn read(path: &Path) -> std::io::Result<RunLog> {
        let text = std::fs::read_to_string(path)?;
        let mut log = RunLog::default();
        for line in text.lines() {
            let Ok(entry) = serde_json::from_str::<Entry>(line) else {
                continue;
            };
            log.run.clone_from(&entry.run);
            match (entry.step.as_str(), &entry.repo) {
                (STARTED, None) => {
                    log.repos = entry
                        .detail
                        .get("repos")
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(|v| v.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default();
                }
                (FINISHED, None) => log.finished = true,
                (_, Some(repo)) => log.steps.entry(repo.clone()).or_default().push(entry),
                _ => {}
            }
        }
        Ok(log)
    }

    /// The last `done` line of a repository, if it got that far.
    pub fn done(&self, repo: &str) -> Option<&Entry> {
        self.steps.get(repo)?.iter().rev().find(|e| e.step == DONE)
    }

    /// The outcome a repository's `done` line records.
    pub fn outcome(&self, repo: &str) -> Option<RepoOutcome> {
        let done = self.done(repo)?;
        let result: ApplyResult =
            serde_json::from_value(done.detail.get("result")?.clone()).ok()?;
        let pr = done
            .detail
            .get("pr")
            .and_then(|v| serde_json::from_value::<PrRef>(v.clone()).ok());
        Some(RepoOutcome {
            name: repo.to_string(),
            result,
            pr,
            reason: done.str("reason").map(str::to_string),
        })
    }

    /// Repositories of the run without a `done` line.
    pub fn unfinished(&self) -> Vec<String> {
        self.repos
            .iter()
            .filter(|r| self.done(r).is_none())
            .cloned()
            .collect()
    }

    /// Repositories whose `done` line says `failed`.
    pub fn failures(&self) -> Vec<String> {
        self.repos
            .iter()
            .filter(|r| {
                self.outcome(r)
                    .is_some_and(|o| o.result == ApplyResult::Failed)
            })
            .cloned()
            .collect()
    }
}

/// The journals in `dir`, newest first (run ids sort by time).
fn journals(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    paths.reverse();
    paths
}

/// The newest run (the newest unfinished one with `unfinished_only`).
pub fn newest(dir: &Path, unfinished_only: bool) -> Option<RunLog> {
    journals(dir)
        .iter()
        .filter_map(|p| RunLog::read(p).ok())
        .find(|log| !unfinished_only || !log.finished)
}

/// What earlier runs left for each repository: its newest `done` line, and whether its newest
/// attempt got that far (a run killed after opening a pull request but before its labels did
/// not). Reads at most the `limit` newest journals.
#[derive(Debug, Default)]
pub struct History {
    last: BTreeMap<String, (Option<Entry>, bool)>,
}

/// What an earlier run knew of a repository when it was done with it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Known {
    pub result: Option<ApplyResult>,
    /// drydock's branch head and its parent, as drydock left them.
    pub branch_sha: Option<String>,
    pub parent: Option<String>,
    pub hash: Option<String>,
    pub tip: Option<String>,
}

impl History {
    pub fn load(dir: &Path, except: &str, limit: usize) -> History {
        let mut last: BTreeMap<String, (Option<Entry>, bool)> = BTreeMap::new();
        for path in journals(dir).into_iter().take(limit) {
            let Ok(log) = RunLog::read(&path) else {
                continue;
            };
            if log.run == except {
                continue;
            }
            for (repo, steps) in &log.steps {
                if last.contains_key(repo) {
                    continue;
                }
                let done = steps.iter().rev().find(|e| e.step == DONE).cloned();
                let complete = steps.last().is_some_and(|e| e.step == DONE);
                last.insert(repo.clone(), (done, complete));
            }
        }
        History { last }
    }

    /// What the newest run that reached `done` for `repo` recorded.
    pub fn known(&self, repo: &str) -> Known {
        let Some((Some(done), _)) = self.last.get(repo) else {
            return Known::default();
        };
        let get = |k: &str| done.str(k).map(str::to_string);
        Known {
            result: done
                .detail
                .get("result")
                .and_then(|v| serde_json::from_value(v.clone()).ok()),
            branch_sha: get("branch_sha"),
            parent: get("parent"),
            hash: get("hash"),
            tip: get("tip"),
        }
    }

    /// Whether the newest attempt on `repo` stopped before its `done` line (killed, crashed).
    pub fn interrupted(&self, repo: &str) -> bool {
        self.last.get(repo).is_some_and(|(_, complete)| !complete)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_killed_run_is_unfinished_and_a_torn_line_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let repos = vec!["acme/web".to_string(), "acme/api".to_string()];
        let journal = Journal::create(dir.path(), "20260101T000000.000Z-0001", &repos).unwrap();
        journal
            .record("acme/web", "planned", serde_json::json!({"hash": "h"}))
            .unwrap();
        journal
            .record(
                "acme/web",
                DONE,
                serde_json::json!({"result": "opened", "pr": {"number": 1, "url": "u"}}),
            )
            .unwrap();
        journal
            .record("acme/api", "push", serde_json::json!({"sha": "s"}))
            .unwrap();
        // A kill in the middle of a line.
        let mut f = OpenOptions::new()
            .append(true)
            .open(journal.path())
            .unwrap();
        f.write_all(b"{\"run\":\"20260101T0").unwrap();
        let log = newest(dir.path(), true).unwrap();
        assert!(!log.finished);
        assert_eq!(log.unfinished(), ["acme/api"]);
        let web = log.outcome("acme/web").unwrap();
        assert_eq!(web.result, ApplyResult::Opened);
        assert_eq!(web.pr.unwrap().number, 1);
        let history = History::load(dir.path(), "", 10);
        assert!(history.interrupted("acme/api"));
        assert!(!history.interrupted("acme/web"));
        assert_eq!(history.known("acme/web").result, Some(ApplyResult::Opened));
        drop(journal);
        let journal = Journal::reopen(dir.path(), &log.run).unwrap();
        journal.finish().unwrap();
        assert!(newest(dir.path(), true).is_none());
        assert!(newest(dir.path(), false).unwrap().finished);
    }
}
