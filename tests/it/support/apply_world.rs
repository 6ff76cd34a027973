//! A fleet for the `drydock apply` fault, kill and load tests: N repositories in the GitHub
//! stand-in with real Dockerfiles and package manifests (so every plan has a change), a
//! fleet.toml whose `[github]` points at the stand-in with lowered `[github.limits]`, one way to
//! run `drydock apply` on it, and [`World`]: what GitHub holds afterwards (branches, pull
//! requests, labels, read through `GET /_standin/repos/O/R` and the bare repositories), in a form
//! that compares equal between two stand-ins that ran the same fleet.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use super::standin::{Standin, app_key_pair};
use super::{drydock_process, files_under};

/// The personal access token of every PAT fleet: a value that must never show up anywhere.
pub const CANARY: &str = "ghp_CANARYapply0123456789abcdefCANARY";
/// Every installation token the stand-in mints starts so (`ghs_` and 36 hex digits).
pub const INSTALLATION_TOKEN_PREFIX: &str = "ghs_";
/// The organisation every repository lives in.
pub const OWNER: &str = "acme";
/// drydock's branch (`[apply] branch` is left at its default).
pub const BRANCH: &str = "drydock/policy";
/// The labels `[apply]` asks for.
pub const LABELS: [&str; 2] = ["dependencies", "drydock"];

/// How the fleet authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// `GITHUB_TOKEN` = [`CANARY`].
    Token,
    /// A GitHub App installed on [`OWNER`] (contents, pull requests, issues: write).
    App,
}

/// What to build.
#[derive(Debug, Clone)]
pub struct Spec {
    pub repos: usize,
    pub auth: Auth,
    /// drydock's `[github.limits] writes_per_minute`; the stand-in enforces the same number, so
    /// a write over it is answered with a secondary limit (and shows in [`Fleet::rate_limited`]).
    pub writes_per_minute: u32,
    /// `[github.limits] write_interval`, seconds.
    pub write_interval: f64,
    /// `[github] concurrency`.
    pub concurrency: u32,
    /// Extra lines for `[github.limits]`.
    pub limits_extra: String,
}

impl Spec {
    pub fn new(repos: usize) -> Spec {
        Spec {
            repos,
            auth: Auth::Token,
            writes_per_minute: 60,
            write_interval: 0.05,
            concurrency: 4,
            limits_extra: "secondary_wait = 0.5\nmax_wait = 120\n".into(),
        }
    }

    pub fn app(mut self) -> Spec {
        self.auth = Auth::App;
        self
    }

    pub fn writes_per_minute(mut self, n: u32) -> Spec {
        self.writes_per_minute = n;
        self
    }
}

/// The name of repository `i`.
pub fn repo_name(i: usize) -> String {
    format!("{OWNER}/svc-{i:03}")
}

/// The files of repository `i`: three kinds of service (npm, pip, Go), each with a Dockerfile,
/// none with a dependabot.yml, so drydock proposes one to every repository.
pub fn repo_files(i: usize) -> Value {
    match i % 3 {
        0 => json!({
            "README.md": format!("# svc-{i:03}\n"),
            "package.json": format!("{{\"name\": \"svc-{i:03}\", \"version\": \"1.0.0\"}}\n"),
            "Dockerfile": "FROM node:20-alpine AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n\nFROM nginx:1.27-alpine\nCOPY --from=build /app/dist /usr/share/nginx/html\n",
        }),
        1 => json!({
            "README.md": format!("# svc-{i:03}\n"),
            "requirements.txt": "flask==3.0.3\n",
            "Dockerfile": "FROM python:3.12-slim AS build\nCOPY requirements.txt .\nRUN pip wheel -r requirements.txt -w /wheels\n\nFROM python:3.12-slim\nCOPY --from=build /wheels /wheels\n",
        }),
        _ => json!({
            "README.md": format!("# svc-{i:03}\n"),
            "go.mod": format!("module example.com/svc-{i:03}\n\ngo 1.22\n"),
            "main.go": "package main\n\nfunc main() {}\n",
            "Dockerfile": "FROM golang:1.22 AS build\nCOPY . .\nRUN go build -o /app .\n\nFROM gcr.io/distroless/static-debian12\nCOPY --from=build /app /app\n",
        }),
    }
}

/// One finished `drydock apply`.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from_output(output: Output) -> Run {
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// The `--format json` report.
    pub fn report(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "not a JSON report ({e}), exit {:?}:\n{}\n{}",
                self.code, self.stdout, self.stderr
            )
        })
    }

    /// `{repo: result}` of the JSON report.
    pub fn results(&self) -> BTreeMap<String, String> {
        let report = self.report();
        report["repos"]
            .as_array()
            .unwrap_or_else(|| panic!("no repos in {report}"))
            .iter()
            .map(|r| {
                (
                    r["name"].as_str().unwrap().to_string(),
                    r["result"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    /// Exit 0 with every repository in the report and none failed.
    pub fn assert_clean(&self, names: &[String]) {
        assert_eq!(self.code, Some(0), "{}\n{}", self.stdout, self.stderr);
        let results = self.results();
        let reported: Vec<&String> = results.keys().collect();
        let mut expected: Vec<&String> = names.iter().collect();
        expected.sort();
        assert_eq!(reported, expected, "every repository is in the report");
        assert!(
            results.values().all(|r| r != "failed"),
            "{results:?}\n{}",
            self.stderr
        );
    }
}

/// The stand-in, the fleet directory and the repositories' names.
pub struct Fleet {
    pub standin: Standin,
    pub dir: tempfile::TempDir,
    pub names: Vec<String>,
    pub spec: Spec,
    /// The App's (private, public) PEM keys.
    app_keys: Option<(String, String)>,
}

impl Fleet {
    /// A fresh stand-in holding `spec.repos` repositories and a fleet.toml listing them.
    pub fn new(spec: Spec) -> Fleet {
        let standin = Standin::start();
        let app_keys = (spec.auth == Auth::App).then(app_key_pair);
        let names: Vec<String> = (0..spec.repos).map(repo_name).collect();
        let dir = tempfile::tempdir().unwrap();
        let base = &standin.base;
        let auth = match &app_keys {
            None => String::new(),
            Some((private, _)) => {
                std::fs::write(dir.path().join("app.pem"), private).unwrap();
                "app_id = 42\nprivate_key = \"app.pem\"\n".to_string()
            }
        };
        let repos: String = names
            .iter()
            .map(|n| format!("[[repo]]\nname = \"{n}\"\nurl = \"{base}/{n}.git\"\n\n"))
            .collect();
        let labels = LABELS.map(|l| format!("\"{l}\"")).join(", ");
        let text = format!(
            "[fleet]\nworkspace = \"ws\"\njobs = 2\n\n\
             [github]\napi_url = \"{base}\"\nconcurrency = {concurrency}\n{auth}\n\
             [github.limits]\nwrites_per_minute = {wpm}\nwrite_interval = {interval}\n{extra}\n\
             [apply]\nlabels = [{labels}]\npolicy_url = \"https://example.com/policy\"\n\n{repos}",
            concurrency = spec.concurrency,
            wpm = spec.writes_per_minute,
            interval = spec.write_interval,
            extra = spec.limits_extra,
        );
        std::fs::write(dir.path().join("fleet.toml"), text).unwrap();
        let fleet = Fleet {
            standin,
            dir,
            names,
            spec,
            app_keys,
        };
        fleet.populate();
        fleet
    }

    /// The credentials, the organisation and its repositories, the limits: the world before
    /// drydock's first run.
    fn populate(&self) {
        match &self.app_keys {
            None => self.standin.token(CANARY, "octo"),
            Some((_, public)) => {
                self.standin.control(
                    "POST",
                    "app",
                    json!({"id": 42, "slug": "drydock-test", "public_key": public, "token_lifetime": 3600}),
                );
                self.standin.control(
                    "POST",
                    "installations",
                    json!({"owner": OWNER, "permissions": {"metadata": "read", "contents": "write", "pull_requests": "write", "issues": "write", "workflows": "write"}}),
                );
            }
        }
        self.standin.org(
            OWNER,
            (0..self.spec.repos)
                .map(|i| json!({"name": format!("svc-{i:03}"), "files": repo_files(i)}))
                .collect(),
        );
        self.standin
            .limits(json!({"per_minute": self.spec.writes_per_minute, "reset_counters": true}));
    }

    /// The same stand-in and fleet.toml, the world as before drydock's first run: an empty
    /// stand-in (log, faults and counters too) populated again, and no workspace.
    pub fn rebuild(&self) {
        self.standin.control("POST", "reset", json!({}));
        self.populate();
        let ws = self.root().join("ws");
        if ws.exists() {
            std::fs::remove_dir_all(&ws).unwrap();
        }
    }

    /// The world after an uninterrupted `drydock apply` of this fleet from scratch (it must open
    /// a pull request in every repository, within the limits), and that run; then [`rebuild`]s,
    /// so the test starts from the same world.
    ///
    /// [`rebuild`]: Fleet::rebuild
    pub fn baseline(&self) -> (World, Run) {
        self.rebuild();
        let run = self.apply(&[]);
        run.assert_clean(&self.names);
        assert!(
            run.results().values().all(|r| r == "opened"),
            "{:?}\n{}",
            run.results(),
            run.stderr
        );
        let world = self.world();
        world.assert_converged("the uninterrupted run");
        self.assert_paced();
        self.rebuild();
        (world, run)
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// `drydock -vv apply --format json ARGS` in the fleet directory, with the fleet's
    /// credentials, every pipe captured by the caller.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut all = vec!["apply", "--format", "json"];
        all.extend_from_slice(args);
        self.drydock(&all)
    }

    /// `drydock -vv ARGS` in the fleet directory, with the fleet's credentials.
    pub fn drydock(&self, args: &[&str]) -> Command {
        let mut cmd = drydock_process();
        cmd.current_dir(self.root())
            .arg("-vv")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if self.spec.auth == Auth::Token {
            cmd.env("GITHUB_TOKEN", CANARY);
        }
        cmd
    }

    /// Runs `drydock apply ARGS` to the end.
    pub fn apply(&self, args: &[&str]) -> Run {
        let run = Run::from_output(self.command(args).output().expect("drydock runs"));
        self.check_secrets(&run);
        run
    }

    /// The journals of every run so far (`ws/runs/*.jsonl`).
    pub fn journals(&self) -> Vec<PathBuf> {
        let runs = self.root().join("ws/runs");
        let mut out: Vec<PathBuf> = std::fs::read_dir(&runs)
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        out.retain(|p| p.extension().is_some_and(|e| e == "jsonl"));
        out.sort();
        out
    }

    /// The secrets that must never appear: the PAT, or every installation token minted and the
    /// App's private key.
    fn secrets(&self) -> Vec<String> {
        let mut out = vec![CANARY.to_string()];
        if let Some((key, _)) = &self.app_keys {
            // Any line of the key body is enough to tell it leaked.
            out.extend(
                key.lines()
                    .filter(|l| !l.starts_with("-----"))
                    .take(2)
                    .map(str::to_string),
            );
        }
        out
    }

    /// No secret in the run's stdout (the JSON report) or stderr (the `-vv` log), nor in any
    /// file of the fleet directory (the workspace, the journals, the checkouts' `.git/config`).
    pub fn check_secrets(&self, run: &Run) {
        for secret in self.secrets() {
            for (what, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
                assert!(!text.contains(&secret), "a secret in {what}:\n{text}");
            }
        }
        if self.spec.auth == Auth::App {
            for (what, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
                assert!(
                    !text.contains(INSTALLATION_TOKEN_PREFIX),
                    "an installation token in {what}:\n{text}"
                );
            }
        }
        for file in files_under(self.root()) {
            if file.file_name().is_some_and(|n| n == "app.pem") {
                continue;
            }
            let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
            for secret in self.secrets() {
                assert!(!text.contains(&secret), "a secret in {}", file.display());
            }
            if self.spec.auth == Auth::App {
                assert!(
                    !text.contains(INSTALLATION_TOKEN_PREFIX),
                    "an installation token in {}",
                    file.display()
                );
            }
        }
    }

    /// What GitHub holds now.
    pub fn world(&self) -> World {
        World(
            self.names
                .iter()
                .map(|name| (name.clone(), self.repo_state(name)))
                .collect(),
        )
    }

    fn repo_state(&self, name: &str) -> RepoState {
        let raw = self
            .standin
            .control("GET", &format!("repos/{name}"), json!({}));
        let gitdir = PathBuf::from(raw["gitdir"].as_str().expect("gitdir"));
        let default = raw["default_branch"].as_str().unwrap().to_string();
        let default_tip = raw["branches"][&default].as_str().unwrap_or("").to_string();
        let branches = raw["branches"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(branch, sha)| {
                let sha = sha.as_str().unwrap();
                let state = if branch == &default {
                    BranchState::Default
                } else {
                    BranchState::Other {
                        tree: git_in(&gitdir, &["rev-parse", &format!("{sha}^{{tree}}")]),
                        parent_is_default_tip: git_in(&gitdir, &["rev-parse", &format!("{sha}^")])
                            == default_tip,
                        subject: git_in(&gitdir, &["log", "-1", "--format=%s", sha]),
                        author: git_in(&gitdir, &["log", "-1", "--format=%an <%ae>", sha]),
                    }
                };
                (branch.clone(), state)
            })
            .collect();
        let mut pulls: Vec<PullState> = raw["pulls"]
            .as_array()
            .unwrap()
            .iter()
            .map(PullState::from)
            .collect();
        pulls.sort_by_key(|p| p.number);
        RepoState {
            branches,
            labels: strings(&raw["labels"]),
            pulls,
        }
    }

    /// Deletes `branch` of `repo` in the stand-in's bare repository, as its owner would.
    pub fn delete_branch(&self, repo: &str, branch: &str) {
        let raw = self
            .standin
            .control("GET", &format!("repos/{repo}"), json!({}));
        let gitdir = PathBuf::from(raw["gitdir"].as_str().expect("gitdir"));
        git_in(
            &gitdir,
            &["update-ref", "-d", &format!("refs/heads/{branch}")],
        );
    }

    /// Log entries answered with a rate limit that no injected fault produced: a primary or
    /// secondary limit drydock ran into.
    pub fn rate_limited(&self) -> Vec<Value> {
        self.standin
            .log()
            .into_iter()
            .filter(|e| {
                e["fault"].is_null()
                    && (e["status"] == 429
                        || (e["status"] == 403
                            && e["kind"] != "git-push"
                            && e["kind"] != "git-fetch"))
            })
            .collect()
    }

    /// The stand-in's summary shows the pacer kept inside the configured per-minute limit, and
    /// nothing drydock sent was rate-limited.
    pub fn assert_paced(&self) {
        let summary = self.standin.summary();
        let max = summary["max_content_60s"].as_u64().unwrap();
        assert!(
            max <= u64::from(self.spec.writes_per_minute),
            "{max} content-creating requests in 60 s, over the configured {}: {summary:#}",
            self.spec.writes_per_minute
        );
        assert_eq!(self.rate_limited(), Vec::<Value>::new(), "{summary:#}");
        assert_eq!(summary["violations"], 0, "{summary:#}");
    }

    /// Polls the stand-in's log (bounded: `tries` × 20 ms) until `pred` holds for an entry.
    pub fn wait_for_log(&self, tries: usize, pred: impl Fn(&Value) -> bool) -> bool {
        for _ in 0..tries {
            if self.standin.log().iter().any(&pred) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }
}

fn git_in(gitdir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("--git-dir")
        .arg(gitdir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn strings(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| x.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// A branch as compared between two stand-ins: the default branch's commits differ in time
/// stamps, so it is only named; another branch is its tree, whether it sits on the default
/// branch's tip, and its commit's subject and author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BranchState {
    Default,
    Other {
        tree: String,
        parent_is_default_tip: bool,
        subject: String,
        author: String,
    },
}

/// A pull request, without what differs between two stand-ins (times, SHAs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullState {
    pub number: u64,
    pub head: String,
    pub base: String,
    pub state: String,
    pub merged: bool,
    pub draft: bool,
    pub title: String,
    pub body: String,
    pub labels: Vec<String>,
    pub reviewers: Vec<String>,
    pub teams: Vec<String>,
    pub comments: Vec<String>,
}

impl PullState {
    fn from(v: &Value) -> PullState {
        PullState {
            number: v["number"].as_u64().unwrap(),
            head: v["head"].as_str().unwrap_or_default().to_string(),
            base: v["base"].as_str().unwrap_or_default().to_string(),
            state: v["state"].as_str().unwrap_or_default().to_string(),
            merged: v["merged"].as_bool().unwrap_or(false),
            draft: v["draft"].as_bool().unwrap_or(false),
            title: v["title"].as_str().unwrap_or_default().to_string(),
            body: v["body"].as_str().unwrap_or_default().to_string(),
            labels: strings(&v["labels"]),
            reviewers: strings(&v["requested_reviewers"]),
            teams: strings(&v["requested_teams"]),
            comments: strings(&v["comments"]),
        }
    }
}

/// One repository as GitHub holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoState {
    pub branches: BTreeMap<String, BranchState>,
    pub labels: Vec<String>,
    pub pulls: Vec<PullState>,
}

/// Every repository of the fleet as GitHub holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct World(pub BTreeMap<String, RepoState>);

impl World {
    /// Converged: in every repository exactly one pull request, open, from drydock's branch on
    /// the default branch's tip, with the labels asked for; no other branch (no orphan).
    pub fn assert_converged(&self, context: &str) {
        for (name, repo) in &self.0 {
            let name = format!("{context}: {name}");
            let branches: Vec<&String> = repo.branches.keys().collect();
            let mut expected = vec![BRANCH, "main"];
            expected.sort_unstable();
            assert_eq!(branches, expected, "{name}: no other branch: {repo:#?}");
            assert!(
                matches!(
                    repo.branches[BRANCH],
                    BranchState::Other {
                        parent_is_default_tip: true,
                        ..
                    }
                ),
                "{name}: drydock's commit is not on main's tip: {repo:#?}"
            );
            assert_eq!(repo.pulls.len(), 1, "{name}: one pull request: {repo:#?}");
            let pr = &repo.pulls[0];
            assert_eq!(
                (pr.head.as_str(), pr.base.as_str(), pr.state.as_str()),
                (BRANCH, "main", "open"),
                "{name}: {pr:#?}"
            );
            assert_eq!(pr.labels, LABELS, "{name}: {pr:#?}");
        }
    }

    /// Equal to `expected` (the uninterrupted run's), repository by repository, so a failure
    /// names the first one that differs.
    pub fn assert_same_as(&self, expected: &World, context: &str) {
        let names: Vec<&String> = self.0.keys().collect();
        let expected_names: Vec<&String> = expected.0.keys().collect();
        assert_eq!(names, expected_names, "{context}");
        for (name, repo) in &self.0 {
            assert_eq!(repo, &expected.0[name], "{context}: {name} differs");
        }
    }
}
