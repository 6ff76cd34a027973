//! `drydock sync` end to end against real git remotes: `file://` bare repositories, a `git daemon`
//! on 127.0.0.1 (shallow clones), a port nobody listens on, and an HTTP server that refuses every
//! credential.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use crate::support::git_remote::{GitDaemon, Remote, closed_port, git};

/// A directory holding the remotes, a fleet.toml and the workspace `.drydock/` (also used by
/// `hostile_git`).
pub(super) struct Fixture {
    dir: tempfile::TempDir,
}

pub(super) struct Run {
    pub(super) code: i32,
    pub(super) stdout: String,
    pub(super) stderr: String,
}

impl Run {
    /// stdout and stderr together.
    pub(super) fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// The summary-table row of a repository: (result, reason).
    pub(super) fn row(&self, repo: &str) -> (String, String) {
        let line = self
            .stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(repo))
            .unwrap_or_else(|| {
                panic!(
                    "no row for {repo} in:\n{}\nstderr:\n{}",
                    self.stdout, self.stderr
                )
            });
        let rest = line[repo.len()..].trim_start();
        let result = rest.split_whitespace().next().unwrap_or("").to_string();
        let reason = rest[result.len()..].trim().to_string();
        (result, reason)
    }
}

impl Fixture {
    pub(super) fn new() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub(super) fn root(&self) -> &Path {
        self.dir.path()
    }

    pub(super) fn fleet(&self, toml: &str) {
        std::fs::write(self.root().join("fleet.toml"), toml).unwrap();
    }

    pub(super) fn checkout(&self, name: &str) -> PathBuf {
        self.root().join(".drydock/repos").join(name)
    }

    pub(super) fn sync(&self, args: &[&str]) -> Run {
        self.sync_with_env(args, &[])
    }

    /// Runs `drydock sync` ([`crate::support::drydock`]: no user git configuration, no SSH agent,
    /// no token) with `env` on top.
    pub(super) fn sync_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = crate::support::drydock();
        cmd.current_dir(self.root())
            .arg("sync")
            .args(args)
            .timeout(Duration::from_secs(120));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// What is left in `<workspace>/tmp`.
    pub(super) fn tmp_entries(&self) -> Vec<String> {
        match std::fs::read_dir(self.root().join(".drydock/tmp")) {
            Ok(d) => d
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect(),
            Err(_) => Vec::new(),
        }
    }
}

pub(super) fn head(checkout: &Path) -> String {
    git(checkout, &["rev-parse", "HEAD"])
}

#[test]
fn file_remote_is_cloned_then_updated_then_unchanged() {
    let f = Fixture::new();
    let remote = Remote::new(f.root(), "r", 2);
    f.fleet(&format!(
        "[[repo]]\nname = \"o/r\"\nurl = \"{}\"\n",
        remote.file_url()
    ));

    let run = f.sync(&[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let (result, reason) = run.row("o/r");
    assert_eq!(result, "cloned");
    assert!(
        reason.contains("full history: libgit2 cannot fetch shallow"),
        "{reason}"
    );
    let checkout = f.checkout("o/r");
    assert_eq!(head(&checkout), remote.tip("main"));
    assert_eq!(
        git(&checkout, &["rev-parse", "--abbrev-ref", "HEAD"]),
        "main"
    );
    assert_eq!(
        git(&checkout, &["rev-parse", "--abbrev-ref", "@{upstream}"]),
        "origin/main"
    );
    assert_eq!(git(&checkout, &["status", "--porcelain"]), "");
    assert!(run.stdout.contains("1 repositories in"), "{}", run.stdout);

    let new_tip = remote.commit("later.txt", "later\n");
    remote.push("main");
    let run = f.sync(&[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.row("o/r").0, "updated");
    assert_eq!(head(&checkout), new_tip);
    assert_eq!(
        std::fs::read_to_string(checkout.join("later.txt")).unwrap(),
        "later\n"
    );
    assert_eq!(git(&checkout, &["status", "--porcelain"]), "");

    let run = f.sync(&[]);
    assert_eq!(run.row("o/r").0, "unchanged");
    assert!(f.tmp_entries().is_empty(), "{:?}", f.tmp_entries());
}

#[test]
fn configured_branch_is_checked_out_and_tracked() {
    let f = Fixture::new();
    let remote = Remote::new(f.root(), "r", 1);
    git(&remote.work, &["checkout", "-q", "-b", "dev"]);
    remote.commit("dev.txt", "dev\n");
    remote.push("dev");
    git(&remote.work, &["checkout", "-q", "main"]);
    let url = remote.file_url();
    f.fleet(&format!(
        "[[repo]]\nname = \"o/r\"\nurl = \"{url}\"\nbranch = \"dev\"\n"
    ));

    let run = f.sync(&[]);
    assert_eq!(run.row("o/r").0, "cloned", "{}", run.stderr);
    let checkout = f.checkout("o/r");
    assert_eq!(head(&checkout), remote.tip("dev"));
    assert_eq!(
        git(&checkout, &["rev-parse", "--abbrev-ref", "@{upstream}"]),
        "origin/dev"
    );
    assert!(checkout.join("dev.txt").exists());

    // Dropping `branch` goes back to the remote's default branch.
    f.fleet(&format!("[[repo]]\nname = \"o/r\"\nurl = \"{url}\"\n"));
    let run = f.sync(&[]);
    assert_eq!(run.row("o/r").0, "updated", "{}", run.stdout);
    assert_eq!(
        git(&checkout, &["rev-parse", "--abbrev-ref", "HEAD"]),
        "main"
    );
    assert_eq!(head(&checkout), remote.tip("main"));
    assert!(!checkout.join("dev.txt").exists());
}

#[test]
fn failing_repos_do_not_stop_the_others() {
    let f = Fixture::new();
    let good = Remote::new(f.root(), "good", 1);
    let port = closed_port();
    f.fleet(&format!(
        "[fleet]\njobs = 2\n\n\
         [[repo]]\nname = \"o/missing\"\nurl = \"file://{}/nope.git\"\n\n\
         [[repo]]\nname = \"o/down\"\nurl = \"git://127.0.0.1:{port}/o/down.git\"\n\n\
         [[repo]]\nname = \"o/good\"\nurl = \"{}\"\n",
        f.root().display(),
        good.file_url()
    ));
    let run = f.sync(&[]);
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.row("o/good").0, "cloned");
    let (result, reason) = run.row("o/missing");
    assert_eq!(result, "failed");
    assert!(reason.starts_with("not found:"), "{reason}");
    let (result, reason) = run.row("o/down");
    assert_eq!(result, "failed");
    assert!(reason.starts_with("network unreachable:"), "{reason}");
    assert!(f.checkout("o/good").join("file0.txt").exists());
    assert!(!f.checkout("o/missing").exists());
    assert!(!f.checkout("o/down").exists());
    assert!(f.tmp_entries().is_empty(), "{:?}", f.tmp_entries());
    // Without a terminal, one plain line per repository goes to stderr.
    assert!(
        run.stderr.contains("o/down: failed network unreachable"),
        "{}",
        run.stderr
    );

    // --quiet: only the failures and the summary.
    let run = f.sync(&["--quiet"]);
    assert_eq!(run.code, 3);
    assert!(!run.stdout.contains("o/good"), "{}", run.stdout);
    assert!(run.stdout.contains("o/down"), "{}", run.stdout);
    assert!(!run.stderr.contains("o/good"), "{}", run.stderr);

    // --repo selects; the good one alone succeeds.
    let run = f.sync(&["--repo", "o/good"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("o/down"));
}

#[test]
fn a_checkout_with_local_changes_is_left_alone() {
    let f = Fixture::new();
    let remote = Remote::new(f.root(), "r", 1);
    remote.commit(".gitignore", "build/\n");
    remote.push("main");
    f.fleet(&format!(
        "[[repo]]\nname = \"o/r\"\nurl = \"{}\"\n",
        remote.file_url()
    ));
    assert_eq!(f.sync(&[]).code, 0);
    let checkout = f.checkout("o/r");
    let cloned_at = head(&checkout);
    remote.commit("upstream.txt", "new\n");
    remote.push("main");

    // A modified tracked file.
    std::fs::write(checkout.join("file0.txt"), "my edit\n").unwrap();
    let run = f.sync(&[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let (result, reason) = run.row("o/r");
    assert_eq!(result, "skipped-local-changes");
    assert!(reason.starts_with("local changes: left alone"), "{reason}");
    assert!(reason.contains("file0.txt"), "{reason}");
    assert_eq!(
        std::fs::read_to_string(checkout.join("file0.txt")).unwrap(),
        "my edit\n"
    );
    assert_eq!(head(&checkout), cloned_at);
    git(&checkout, &["checkout", "--", "file0.txt"]);

    // An untracked file.
    std::fs::write(checkout.join("notes.txt"), "mine\n").unwrap();
    assert_eq!(f.sync(&[]).row("o/r").0, "skipped-local-changes");
    assert!(checkout.join("notes.txt").exists());
    std::fs::remove_file(checkout.join("notes.txt")).unwrap();

    // A local commit the remote does not have.
    std::fs::write(checkout.join("local.txt"), "local\n").unwrap();
    git(&checkout, &["add", "local.txt"]);
    git(&checkout, &["commit", "-q", "-m", "local work"]);
    let local_commit = head(&checkout);
    let run = f.sync(&[]);
    let (result, reason) = run.row("o/r");
    assert_eq!(result, "skipped-local-changes");
    assert!(reason.contains("is not on the remote"), "{reason}");
    assert_eq!(head(&checkout), local_commit);
    git(&checkout, &["reset", "-q", "--hard", &cloned_at]);

    // Ignored files are not local changes.
    std::fs::create_dir_all(checkout.join("build")).unwrap();
    std::fs::write(checkout.join("build/out.o"), "obj").unwrap();
    let run = f.sync(&[]);
    assert_eq!(run.row("o/r").0, "updated", "{}", run.stdout);
    assert_eq!(head(&checkout), remote.tip("main"));
    assert!(checkout.join("build/out.o").exists());
}

#[test]
fn an_interrupted_or_failed_clone_does_not_break_the_next_run() {
    let f = Fixture::new();
    let remote = Remote::new(f.root(), "r", 2);
    let url = remote.file_url();
    // What a killed clone leaves behind: a half-written repository in the workspace's tmp/.
    let stale = f.root().join(".drydock/tmp/o@r.4242");
    std::fs::create_dir_all(stale.join(".git/objects/pack")).unwrap();
    std::fs::write(stale.join(".git/objects/pack/tmp_pack_xyz"), "partial").unwrap();
    std::fs::write(stale.join("file0.txt"), "half").unwrap();

    // A clone that fails after fetching objects: the branch does not exist.
    f.fleet(&format!(
        "[[repo]]\nname = \"o/r\"\nurl = \"{url}\"\nbranch = \"nope\"\n"
    ));
    let run = f.sync(&[]);
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    let (result, reason) = run.row("o/r");
    assert_eq!(result, "failed");
    assert!(reason.contains("\"nope\""), "{reason}");
    assert!(!f.checkout("o/r").exists());
    assert!(f.tmp_entries().is_empty(), "{:?}", f.tmp_entries());

    f.fleet(&format!("[[repo]]\nname = \"o/r\"\nurl = \"{url}\"\n"));
    let run = f.sync(&[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.row("o/r").0, "cloned");
    assert_eq!(head(&f.checkout("o/r")), remote.tip("main"));
}

/// An HTTP server on 127.0.0.1 that answers every request with 401, counting them. Stops when
/// the returned flag is set; handles at most 200 connections.
fn refusing_http_server() -> (
    u16,
    Arc<AtomicUsize>,
    Arc<AtomicBool>,
    std::thread::JoinHandle<()>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let requests = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let (count, done) = (requests.clone(), stop.clone());
    let handle = std::thread::spawn(move || {
        while !done.load(Ordering::Relaxed) && count.load(Ordering::Relaxed) < 200 {
            match listener.accept() {
                Ok((mut stream, _)) => {
                    count.fetch_add(1, Ordering::Relaxed);
                    stream.set_nonblocking(false).unwrap();
                    stream
                        .set_read_timeout(Some(Duration::from_secs(2)))
                        .unwrap();
                    let mut buf = [0u8; 4096];
                    let _ = stream.read(&mut buf);
                    let _ = stream.write_all(
                        b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"test\"\r\n\
                          Content-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                }
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    });
    (port, requests, stop, handle)
}

#[test]
fn the_token_is_never_printed_and_refused_credentials_are_bounded() {
    const TOKEN: &str = "ghp_drydockTestSecret0123456789abcdef";
    let f = Fixture::new();
    let (http_port, requests, stop, server) = refusing_http_server();
    let closed = closed_port();
    // The token is eligible for 127.0.0.1 (the fleet's GitHub host) over HTTPS; one repo even
    // has it written into its URL.
    f.fleet(&format!(
        "[github]\napi_url = \"https://127.0.0.1:{closed}/api/v3\"\n\n\
         [[repo]]\nname = \"o/https\"\nurl = \"https://127.0.0.1:{closed}/o/https.git\"\n\n\
         [[repo]]\nname = \"o/inurl\"\nurl = \"https://x-access-token:{TOKEN}@127.0.0.1:{closed}/o/inurl.git\"\n\n\
         [[repo]]\nname = \"o/refused\"\nurl = \"http://127.0.0.1:{http_port}/o/refused.git\"\n"
    ));
    let run = f.sync_with_env(&["-vv"], &[("GITHUB_TOKEN", TOKEN)]);
    stop.store(true, Ordering::Relaxed);
    server.join().unwrap();
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    assert!(
        !run.stdout.contains(TOKEN),
        "token in stdout:\n{}",
        run.stdout
    );
    assert!(
        !run.stderr.contains(TOKEN),
        "token in stderr:\n{}",
        run.stderr
    );
    assert!(
        run.row("o/https").1.starts_with("network unreachable"),
        "{}",
        run.stdout
    );
    assert_eq!(run.row("o/inurl").0, "failed");
    let (result, reason) = run.row("o/refused");
    assert_eq!(result, "failed");
    assert!(reason.starts_with("authentication refused"), "{reason}");
    let n = requests.load(Ordering::Relaxed);
    assert!(
        (1..20).contains(&n),
        "{n} requests: credential attempts must be bounded"
    );
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn git_daemon_clones_shallow_and_fetches() {
    let f = Fixture::new();
    let base = f.root().join("served");
    let remote = Remote::new(&base.join("o"), "r", 3);
    let full = Remote::new(&base.join("o"), "full", 3);
    let daemon = GitDaemon::start(&base);
    f.fleet(&format!(
        "[[repo]]\nname = \"o/r\"\nurl = \"{}\"\n\n\
         [[repo]]\nname = \"o/missing\"\nurl = \"{}\"\n",
        daemon.url("o/r.git"),
        daemon.url("o/missing.git"),
    ));

    let run = f.sync(&[]);
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    let (result, reason) = run.row("o/r");
    assert_eq!(result, "cloned");
    assert!(reason.contains("(shallow)"), "{reason}");
    let (result, reason) = run.row("o/missing");
    assert_eq!(result, "failed");
    assert!(reason.starts_with("not found"), "{reason}");
    let checkout = f.checkout("o/r");
    assert_eq!(
        git(&checkout, &["rev-parse", "--is-shallow-repository"]),
        "true"
    );
    assert_eq!(git(&checkout, &["rev-list", "--count", "HEAD"]), "1");
    assert_eq!(head(&checkout), remote.tip("main"));

    let new_tip = remote.commit("next.txt", "next\n");
    remote.push("main");
    let run = f.sync(&["--repo", "o/r"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.row("o/r").0, "updated");
    assert_eq!(head(&checkout), new_tip);
    assert_eq!(
        git(&checkout, &["rev-parse", "--is-shallow-repository"]),
        "true"
    );
    assert_eq!(f.sync(&["--repo", "o/r"]).row("o/r").0, "unchanged");

    // --depth 0 fetches the whole history.
    f.fleet(&format!(
        "[[repo]]\nname = \"o/full\"\nurl = \"{}\"\n",
        daemon.url("o/full.git")
    ));
    let run = f.sync(&["--depth", "0"]);
    assert_eq!(run.row("o/full").0, "cloned", "{}", run.stderr);
    let checkout = f.checkout("o/full");
    assert_eq!(git(&checkout, &["rev-list", "--count", "HEAD"]), "3");
    assert_eq!(head(&checkout), full.tip("main"));
}

#[test]
fn path_repos_are_reported_local_and_never_touched() {
    let f = Fixture::new();
    let local = f.root().join("checkout");
    std::fs::create_dir_all(&local).unwrap();
    std::fs::write(local.join("Dockerfile"), "FROM debian:12\n").unwrap();
    f.fleet("[[repo]]\nname = \"o/here\"\npath = \"checkout\"\n");
    let run = f.sync(&[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.row("o/here").0, "local");
    assert!(!local.join(".git").exists());
    assert!(!f.root().join(".drydock/repos").exists());
}
