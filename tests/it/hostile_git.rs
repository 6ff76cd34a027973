//! `drydock sync` against hostile or broken git servers and checkouts: credentials written into
//! URLs, servers that stall or drip, a second sync on the same workspace, and checkouts an
//! interrupted sync left half-updated. Servers are on 127.0.0.1; every loop is bounded.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::sync::{Fixture, Run, head};
use crate::support::git_remote::{GitDaemon, Remote, git};

const TOKEN: &str = "ghp_hostileTestToken0123456789abcdefXYZ";

/// `drydock sync` in the fixture with the canary token in the environment.
fn sync(f: &Fixture, args: &[&str]) -> Run {
    f.sync_with_env(args, &[("GITHUB_TOKEN", TOKEN)])
}

/// A TCP server on 127.0.0.1 that runs `serve` on each connection (at most 20), each on its own
/// thread, until dropped.
struct Server {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl Server {
    fn start(serve: impl Fn(TcpStream, &AtomicBool) + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let done = stop.clone();
        let serve = Arc::new(serve);
        std::thread::spawn(move || {
            let mut accepted = 0;
            // Bounded: 20 connections, or 6,000 polls of 10 ms.
            for _ in 0..6_000 {
                if done.load(Ordering::Relaxed) || accepted >= 20 {
                    break;
                }
                match listener.accept() {
                    Ok((stream, _)) => {
                        accepted += 1;
                        stream.set_nonblocking(false).unwrap();
                        let (serve, done) = (serve.clone(), done.clone());
                        std::thread::spawn(move || serve(stream, &done));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Server { port, stop }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

#[test]
fn a_token_in_the_url_user_name_is_handed_to_the_server_and_shown_nowhere() {
    let f = Fixture::new();
    // An HTTP server that refuses every request, recording the Authorization headers it got.
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let record = seen.clone();
    let server = Server::start(move |mut stream, _| {
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut buf = [0u8; 8192];
        let n = stream.read(&mut buf).unwrap_or(0);
        let request = String::from_utf8_lossy(&buf[..n]).into_owned();
        if let Some(auth) = request
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("authorization:"))
        {
            record.lock().unwrap().push(auth.to_string());
        }
        let _ = stream.write_all(
            b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"t\"\r\n\
              Content-Length: 0\r\nConnection: close\r\n\r\n",
        );
    });
    let url = format!("http://{TOKEN}@127.0.0.1:{}/o/r.git", server.port);
    f.fleet(&format!("[[repo]]\nname = \"o/r\"\nurl = \"{url}\"\n"));
    let run = sync(&f, &["-vv"]);
    assert_eq!(run.code, 3, "{}", run.all());
    let (result, reason) = run.row("o/r");
    assert_eq!(result, "failed");
    assert!(reason.starts_with("authentication refused"), "{reason}");
    assert!(reason.contains("http://***@127.0.0.1:"), "{reason}");
    assert!(!run.all().contains(TOKEN), "token shown:\n{}", run.all());
    assert!(!run.all().contains("ghp_"), "token shown:\n{}", run.all());
    // The credentials went to the server through the credential callback (Basic TOKEN:).
    let expected = format!("Basic {}", base64(format!("{TOKEN}:").as_bytes()));
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.iter().any(|h| h.ends_with(&expected)),
        "Authorization headers: {seen:?}"
    );
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn credentials_in_a_url_never_reach_git_config() {
    let f = Fixture::new();
    let base = f.root().join("served");
    let remote = Remote::new(&base.join("o"), "r", 1);
    let daemon = GitDaemon::start(&base);
    let url = daemon
        .url("o/r.git")
        .replace("git://", &format!("git://x-access-token:{TOKEN}@"));
    f.fleet(&format!("[[repo]]\nname = \"o/r\"\nurl = \"{url}\"\n"));
    let run = sync(&f, &["-vv"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(run.row("o/r").0, "cloned");
    assert!(!run.all().contains(TOKEN), "{}", run.all());
    let checkout = f.checkout("o/r");
    let config = || std::fs::read_to_string(checkout.join(".git/config")).unwrap();
    assert!(!config().contains(TOKEN), "{}", config());
    assert!(config().contains(&daemon.url("o/r.git")), "{}", config());

    // A checkout whose config has credentials (written by an earlier drydock) is cleaned.
    git(&checkout, &["remote", "set-url", "origin", &url]);
    remote.commit("next.txt", "next\n");
    remote.push("main");
    let run = sync(&f, &[]);
    assert_eq!(run.row("o/r").0, "updated", "{}", run.all());
    assert!(!config().contains(TOKEN), "{}", config());
    assert_eq!(head(&checkout), remote.tip("main"));
}

/// Standard base64, for the expected Basic header.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn a_server_dripping_bytes_is_stopped_by_the_deadline() {
    let f = Fixture::new();
    // Announces a long pkt-line, then sends one byte of it every 200 ms (at most 3,000).
    let server = Server::start(|mut stream, stop| {
        let mut buf = [0u8; 1024];
        let _ = stream.read(&mut buf);
        let _ = stream.write_all(b"fff0");
        for _ in 0..3_000 {
            if stop.load(Ordering::Relaxed) || stream.write_all(b"a").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    // The same over TLS: a handshake record announced long, then dripped. The abandoned
    // transfer is still inside OpenSSL when drydock exits, which must exit cleanly.
    let tls = Server::start(|mut stream, stop| {
        let mut buf = [0u8; 1024];
        let _ = stream.read(&mut buf);
        let _ = stream.write_all(&[0x16, 0x03, 0x03, 0x3f, 0xff]);
        for _ in 0..3_000 {
            if stop.load(Ordering::Relaxed) || stream.write_all(&[0x02]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    f.fleet(&format!(
        "[git]\ntimeout = 2\nstall_timeout = 30\n\n\
         [[repo]]\nname = \"o/drip\"\nurl = \"git://127.0.0.1:{}/o/drip.git\"\n\n\
         [[repo]]\nname = \"o/tlsdrip\"\nurl = \"https://127.0.0.1:{}/o/tlsdrip.git\"\n",
        server.port, tls.port
    ));
    let run = sync(&f, &[]);
    assert_eq!(run.code, 3, "{}", run.all());
    for repo in ["o/drip", "o/tlsdrip"] {
        let (result, reason) = run.row(repo);
        assert_eq!(result, "failed");
        assert!(
            reason.starts_with("timed out after 2 s (`[git] timeout`)"),
            "{repo}: {reason}"
        );
    }
}

#[test]
fn a_silent_server_reads_as_a_timeout_not_an_ssl_error() {
    let f = Fixture::new();
    // Accepts, reads what the client sends, and says nothing until the test ends.
    let silent = || {
        Server::start(|mut stream, stop| {
            stream
                .set_read_timeout(Some(Duration::from_millis(100)))
                .unwrap();
            let mut buf = [0u8; 1024];
            for _ in 0..1_200 {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                if let Ok(0) = stream.read(&mut buf) {
                    return;
                }
            }
        })
    };
    let (https, plain) = (silent(), silent());
    f.fleet(&format!(
        "[git]\nstall_timeout = 1\n\n\
         [[repo]]\nname = \"o/tls\"\nurl = \"https://127.0.0.1:{}/o/tls.git\"\n\n\
         [[repo]]\nname = \"o/plain\"\nurl = \"git://127.0.0.1:{}/o/plain.git\"\n",
        https.port, plain.port
    ));
    let run = sync(&f, &[]);
    assert_eq!(run.code, 3, "{}", run.all());
    for repo in ["o/tls", "o/plain"] {
        let (result, reason) = run.row(repo);
        assert_eq!(result, "failed");
        assert!(reason.starts_with("timed out"), "{repo}: {reason}");
        assert!(
            !reason.starts_with("network unreachable"),
            "{repo}: {reason}"
        );
    }
    let (_, tls) = run.row("o/tls");
    assert!(
        tls.starts_with("timed out: the server sent nothing for 1 s (`[git] stall_timeout`"),
        "{tls}"
    );
}

#[test]
fn a_second_sync_on_the_workspace_is_refused_naming_the_holder() {
    let f = Fixture::new();
    let remote = Remote::new(f.root(), "r", 1);
    f.fleet(&format!(
        "[[repo]]\nname = \"o/r\"\nurl = \"{}\"\n",
        remote.file_url()
    ));
    let workspace = f.root().join(".drydock");
    std::fs::create_dir_all(&workspace).unwrap();
    let lock_path = workspace.join("sync.lock");
    // A running sync: holds the lock and wrote its pid.
    let held = std::fs::File::create(&lock_path).unwrap();
    held.try_lock().unwrap();
    std::fs::write(&lock_path, "4242\n").unwrap();
    let run = sync(&f, &[]);
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(
        run.stderr
            .contains("another drydock sync (pid 4242) is working in"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("sync.lock"), "{}", run.stderr);
    assert!(!f.checkout("o/r").exists());

    // A killed sync leaves the file but not the lock: the next sync goes ahead.
    drop(held);
    let run = sync(&f, &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(run.row("o/r").0, "cloned");
}

#[test]
fn path_repos_are_local_at_once_not_connecting() {
    let f = Fixture::new();
    let local = f.root().join("checkout");
    std::fs::create_dir_all(&local).unwrap();
    f.fleet("[[repo]]\nname = \"o/here\"\npath = \"checkout\"\n");
    let run = sync(&f, &["-v"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(!run.stderr.contains("o/here: syncing"), "{}", run.stderr);
    assert!(run.stderr.contains("o/here: local"), "{}", run.stderr);
}

/// A clone of a remote whose next push changes, adds and removes files: the checkout at the
/// first commit, and the remote's new tip.
fn cloned_then_pushed(f: &Fixture) -> (Remote, PathBuf, String, String) {
    let remote = Remote::new(f.root(), "r", 3);
    f.fleet(&format!(
        "[[repo]]\nname = \"o/r\"\nurl = \"{}\"\n",
        remote.file_url()
    ));
    assert_eq!(sync(f, &[]).code, 0);
    let checkout = f.checkout("o/r");
    let from = head(&checkout);
    std::fs::write(
        remote.work.join("file0.txt"),
        "changed upstream, and longer\n",
    )
    .unwrap();
    std::fs::remove_file(remote.work.join("file1.txt")).unwrap();
    let to = remote.commit("sub/new.txt", "new upstream\n");
    remote.push("main");
    (remote, checkout, from, to)
}

/// What drydock's update record says while it moves a checkout from `from` to `to`.
fn write_record(checkout: &Path, commits: &[&str]) {
    let text: String = commits.iter().map(|c| format!("commit {c}\n")).collect();
    std::fs::write(checkout.join(".git/drydock-sync"), text).unwrap();
}

/// The worktree as a checkout killed half-way leaves it: the new file written, a changed file cut
/// short, a removed file gone, the index not yet written (its lock left behind).
fn half_update(remote: &Remote, checkout: &Path, to: &str) {
    git(checkout, &["fetch", "-q", "origin"]);
    std::fs::create_dir_all(checkout.join("sub")).unwrap();
    std::fs::write(
        checkout.join("sub/new.txt"),
        git(&remote.bare, &["show", &format!("{to}:sub/new.txt")]) + "\n",
    )
    .unwrap();
    std::fs::write(checkout.join("file0.txt"), "changed up").unwrap();
    std::fs::remove_file(checkout.join("file1.txt")).unwrap();
    std::fs::write(checkout.join(".git/index.lock"), "").unwrap();
}

#[test]
fn an_interrupted_update_is_finished_by_the_next_sync() {
    let f = Fixture::new();
    let (remote, checkout, from, to) = cloned_then_pushed(&f);
    write_record(&checkout, &[&from, &to]);
    half_update(&remote, &checkout, &to);

    let run = sync(&f, &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    let (result, reason) = run.row("o/r");
    assert_eq!(result, "updated", "{reason}");
    assert!(
        reason.contains("finished a sync that was interrupted"),
        "{reason}"
    );
    assert_eq!(head(&checkout), remote.tip("main"));
    assert_eq!(git(&checkout, &["status", "--porcelain"]), "");
    assert!(!checkout.join(".git/drydock-sync").exists());
    assert!(!checkout.join(".git/index.lock").exists());
    assert_eq!(sync(&f, &[]).row("o/r").0, "unchanged");
}

#[test]
fn a_persons_edits_beside_an_interrupted_update_are_left_alone() {
    let f = Fixture::new();
    let (remote, checkout, from, to) = cloned_then_pushed(&f);
    write_record(&checkout, &[&from, &to]);
    half_update(&remote, &checkout, &to);
    std::fs::write(checkout.join("file2.txt"), "my own edit\n").unwrap();

    let run = sync(&f, &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    let (result, reason) = run.row("o/r");
    assert_eq!(result, "skipped-local-changes");
    assert!(reason.contains("interrupted sync"), "{reason}");
    assert!(reason.contains("file2.txt"), "{reason}");
    assert_eq!(
        std::fs::read_to_string(checkout.join("file2.txt")).unwrap(),
        "my own edit\n"
    );
    assert_eq!(head(&checkout), from);

    // Once the person's edit is gone, the update is finished.
    git(&checkout, &["checkout", "--", "file2.txt"]);
    let run = sync(&f, &[]);
    assert_eq!(run.row("o/r").0, "updated", "{}", run.all());
    assert_eq!(head(&checkout), remote.tip("main"));
    assert_eq!(git(&checkout, &["status", "--porcelain"]), "");
}

#[test]
fn a_force_push_between_fetch_and_checkout_converges() {
    let f = Fixture::new();
    let remote = Remote::new(f.root(), "r", 2);
    f.fleet(&format!(
        "[[repo]]\nname = \"o/r\"\nurl = \"{}\"\n",
        remote.file_url()
    ));
    assert_eq!(sync(&f, &[]).code, 0);
    let checkout = f.checkout("o/r");
    let from = head(&checkout);
    // The remote's history is rewritten: the checkout's commit is no longer on it.
    git(&remote.work, &["reset", "-q", "--hard", "HEAD~1"]);
    remote.commit("rewritten.txt", "rewritten\n");
    git(&remote.work, &["push", "-q", "--force", "origin", "main"]);
    // A sync fetched the rewritten branch and was killed before its checkout.
    write_record(&checkout, &[&from]);
    git(&checkout, &["fetch", "-q", "origin"]);

    let run = sync(&f, &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(run.row("o/r").0, "updated", "{}", run.all());
    assert_eq!(head(&checkout), remote.tip("main"));
    assert_eq!(git(&checkout, &["status", "--porcelain"]), "");
}

#[test]
fn a_failed_fetch_is_not_taken_for_an_interrupted_update() {
    let f = Fixture::new();
    let remote = Remote::new(f.root(), "r", 1);
    let url = remote.file_url();
    f.fleet(&format!("[[repo]]\nname = \"o/r\"\nurl = \"{url}\"\n"));
    assert_eq!(sync(&f, &[]).code, 0);
    let checkout = f.checkout("o/r");
    f.fleet(&format!(
        "[[repo]]\nname = \"o/r\"\nurl = \"{url}\"\nbranch = \"nope\"\n"
    ));
    let run = sync(&f, &[]);
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(!checkout.join(".git/drydock-sync").exists());

    remote.commit("next.txt", "next\n");
    remote.push("main");
    f.fleet(&format!("[[repo]]\nname = \"o/r\"\nurl = \"{url}\"\n"));
    let run = sync(&f, &[]);
    let (result, reason) = run.row("o/r");
    assert_eq!(result, "updated", "{reason}");
    assert!(!reason.contains("interrupted"), "{reason}");
    assert_eq!(head(&checkout), remote.tip("main"));
}
