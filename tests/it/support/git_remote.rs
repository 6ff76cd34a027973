//! Real git repositories for the sync tests: bare remotes built with the git CLI, a `git daemon`
//! on 127.0.0.1 that dies with the test, and ports nobody listens on.

#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Runs git with a fixed identity and no user or system configuration; panics on failure.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A bare repository `<root>/<name>.git` plus the work tree `<root>/<name>.work` that feeds it.
pub struct Remote {
    pub bare: PathBuf,
    pub work: PathBuf,
}

impl Remote {
    /// A remote whose `main` has `commits` commits, each adding a file.
    pub fn new(root: &Path, name: &str, commits: usize) -> Remote {
        let work = root.join(format!("{name}.work"));
        let bare = root.join(format!("{name}.git"));
        std::fs::create_dir_all(&work).unwrap();
        git(&work, &["init", "-q"]);
        let remote = Remote { bare, work };
        for i in 0..commits {
            remote.commit(&format!("file{i}.txt"), &format!("content {i}\n"));
        }
        git(
            root,
            &["init", "-q", "--bare", remote.bare.to_str().unwrap()],
        );
        git(
            &remote.work,
            &["remote", "add", "origin", remote.bare.to_str().unwrap()],
        );
        remote.push("main");
        remote
    }

    /// Commits one file on the current branch of the work tree (not pushed).
    pub fn commit(&self, file: &str, content: &str) -> String {
        let path = self.work.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        git(&self.work, &["add", "-A"]);
        git(&self.work, &["commit", "-q", "-m", &format!("add {file}")]);
        git(&self.work, &["rev-parse", "HEAD"])
    }

    pub fn push(&self, branch: &str) {
        git(&self.work, &["push", "-q", "origin", branch]);
    }

    pub fn file_url(&self) -> String {
        format!("file://{}", self.bare.display())
    }

    /// The commit a branch of the bare remote points at.
    pub fn tip(&self, branch: &str) -> String {
        git(&self.bare, &["rev-parse", &format!("refs/heads/{branch}")])
    }
}

/// A port on 127.0.0.1 that nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The `git-daemon` program itself: spawning it through the `git` wrapper would leave the daemon
/// running when the wrapper is killed. Found in git's exec path, else on PATH.
fn daemon_binary() -> PathBuf {
    let exec_path = git(Path::new("."), &["--exec-path"]);
    let candidate = Path::new(&exec_path).join("git-daemon");
    if candidate.exists() {
        candidate
    } else {
        PathBuf::from("git-daemon")
    }
}

/// `git daemon` serving `base` read-only on 127.0.0.1; killed when dropped.
pub struct GitDaemon {
    child: Child,
    pub port: u16,
}

impl GitDaemon {
    /// Starts the daemon and waits until it accepts connections. Panics (fails the test) when
    /// `git daemon` is not installed: these tests need it.
    pub fn start(base: &Path) -> GitDaemon {
        let port = closed_port();
        let mut child = Command::new(daemon_binary())
            .args([
                "--listen=127.0.0.1",
                &format!("--port={port}"),
                "--export-all",
                "--reuseaddr",
                &format!("--base-path={}", base.display()),
                base.to_str().unwrap(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("git runs");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                let mut err = String::new();
                use std::io::Read;
                child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut err)
                    .unwrap();
                panic!(
                    "git daemon exited ({status}): {err}\n(needs git-daemon: run scripts/test.sh)"
                );
            }
            assert!(
                Instant::now() < deadline,
                "git daemon did not listen on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        GitDaemon { child, port }
    }

    /// `git://127.0.0.1:<port>/<path below the base>`.
    pub fn url(&self, path: &str) -> String {
        format!("git://127.0.0.1:{}/{path}", self.port)
    }
}

impl Drop for GitDaemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
