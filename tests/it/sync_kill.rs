//! Convergence after interrupted syncs: `drydock sync` over real `git daemon` remotes is killed
//! with SIGKILL at random points (while the remotes move on, and sometimes are force-pushed), and
//! one more sync must then leave every checkout equal to its remote, clean, and not "skipped".
//!
//! Bounded and not timed: a fixed number of kills, a bounded number of trials, and the kill
//! delays drawn below the duration of one measured sync (they only decide where the kills land;
//! nothing asserts how long anything takes).

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::git_remote::{GitDaemon, Remote, git};

const REPOS: usize = 3;
/// Files each commit rewrites, so that checkouts take long enough to be killed in.
const FILES: usize = 200;
const KILLS: usize = 20;
const MAX_TRIALS: usize = 60;

/// xorshift64*: deterministic, so a failing run can be replayed from the printed seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Rewrites every file of the remote's work tree and pushes; now and then rewrites history and
/// force-pushes instead.
fn advance(remote: &Remote, round: usize, force: bool) {
    if force {
        git(&remote.work, &["reset", "-q", "--hard", "HEAD~1"]);
    }
    for i in 0..FILES {
        let dir = remote.work.join(format!("d{}", i % 10));
        std::fs::create_dir_all(&dir).unwrap();
        let body = format!("round {round} file {i}\n").repeat(40 + (round + i) % 50);
        std::fs::write(dir.join(format!("f{i}.txt")), body).unwrap();
    }
    // Files come and go too.
    let _ = std::fs::remove_file(
        remote
            .work
            .join(format!("gone{}.txt", round.wrapping_sub(1))),
    );
    std::fs::write(remote.work.join(format!("gone{round}.txt")), "x\n").unwrap();
    git(&remote.work, &["add", "-A"]);
    git(
        &remote.work,
        &["commit", "-q", "-m", &format!("round {round}")],
    );
    if force {
        git(&remote.work, &["push", "-q", "--force", "origin", "main"]);
    } else {
        remote.push("main");
    }
}

fn sync_command(root: &Path) -> std::process::Command {
    let mut cmd = crate::support::drydock_process();
    cmd.current_dir(root)
        .args(["sync", "--quiet"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn syncs_killed_at_random_points_converge() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let served = root.join("served");
    let remotes: Vec<Remote> = (0..REPOS)
        .map(|i| Remote::new(&served.join("o"), &format!("r{i}"), 2))
        .collect();
    let daemon = GitDaemon::start(&served);
    let fleet: String = (0..REPOS)
        .map(|i| {
            format!(
                "[[repo]]\nname = \"o/r{i}\"\nurl = \"{}\"\n\n",
                daemon.url(&format!("o/r{i}.git"))
            )
        })
        .collect();
    std::fs::write(
        root.join("fleet.toml"),
        format!("[fleet]\njobs = 2\n\n{fleet}"),
    )
    .unwrap();
    let checkout = |i: usize| root.join(format!(".drydock/repos/o/r{i}"));

    // One whole sync of moved remotes: how long a run takes here, to aim the kills.
    assert!(sync_command(root).status().unwrap().success());
    for r in &remotes {
        advance(r, 0, false);
    }
    let started = Instant::now();
    assert!(sync_command(root).status().unwrap().success());
    let span = started.elapsed().as_millis().max(20) as u64;

    let seed = 0x5eed_d0c4_u64 ^ u64::from(std::process::id());
    eprintln!("seed {seed:#x}, one sync takes about {span} ms");
    let mut rng = Rng(seed);
    let (mut kills, mut trials) = (0, 0);
    while kills < KILLS && trials < MAX_TRIALS {
        trials += 1;
        for r in &remotes {
            advance(r, trials, rng.below(4) == 0);
        }
        // Now and then a checkout is gone, so the kill may land in a clone.
        if rng.below(5) == 0 {
            let _ = std::fs::remove_dir_all(checkout(rng.below(REPOS as u64) as usize));
        }
        let mut child = sync_command(root).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(rng.below(span)));
        if child.try_wait().unwrap().is_none() {
            kills += 1;
        }
        child.kill().unwrap_or(()); // SIGKILL
        child.wait().unwrap();
    }
    eprintln!("{kills} kills in {trials} trials");
    assert!(
        kills >= KILLS,
        "only {kills} of {trials} syncs were still running when killed"
    );

    let out = crate::support::drydock()
        .current_dir(root)
        .arg("sync")
        .timeout(Duration::from_secs(300))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(!stdout.contains("skipped-local-changes"), "{stdout}");
    for (i, remote) in remotes.iter().enumerate() {
        let c = checkout(i);
        assert_eq!(
            git(&c, &["rev-parse", "HEAD"]),
            remote.tip("main"),
            "o/r{i}\n{stdout}"
        );
        assert_eq!(git(&c, &["status", "--porcelain"]), "", "o/r{i} not clean");
        assert_eq!(
            git(&c, &["rev-parse", "--abbrev-ref", "HEAD"]),
            "main",
            "o/r{i}"
        );
        assert!(!c.join(".git/drydock-sync").exists(), "o/r{i}: record left");
    }
    assert!(
        std::fs::read_dir(root.join(".drydock/tmp")).map_or(true, |d| d.count() == 0),
        "leftovers in tmp/"
    );
}
