//! `drydock apply` SIGKILLed at random points, then `drydock apply --resume`: the world must
//! equal the one an uninterrupted run leaves (same branches, trees, pull requests, labels), with
//! no orphan branch, no duplicate pull request and every repository in the resumed run's report.
//!
//! The stand-in holds each push and each pull-request creation back a little (`delay` faults),
//! so a run lasts long enough to be killed in, and kills land between the push and the pull
//! request: one trial in four waits for a push to finish and kills before its pull request is
//! answered. Bounded and not timed: a fixed number of kills in a bounded number of trials, the
//! kill points drawn below one measured run; a failure prints the seed to replay it.

use std::collections::BTreeSet;
use std::process::Child;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::apply_world::{Fleet, Spec};

const REPOS: usize = 4;
const KILLS: usize = 20;
const MAX_TRIALS: usize = 40;
/// How long the stand-in holds each pull-request creation, and each push, before serving it.
const PR_DELAY: f64 = 0.4;
const PUSH_DELAY: f64 = 0.2;

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

fn slow_github(fleet: &Fleet) {
    fleet.standin.faults(json!([
        {"route": "/repos/{owner}/{repo}/pulls", "method": "POST", "action": "delay", "delay": PR_DELAY, "times": -1},
        {"route": "^/.*\\.git/git-receive-pack$", "method": "POST", "action": "delay", "delay": PUSH_DELAY, "times": -1},
    ]));
}

fn is_push_done(e: &Value) -> bool {
    e["kind"] == "git-push" && e["method"] == "POST" && e["status"] == 200
}

/// Repositories whose push had been served and whose pull request had not been answered when
/// drydock was killed (from the log at that moment).
fn between_push_and_pr(log: &[Value]) -> usize {
    let pushed: BTreeSet<&str> = log
        .iter()
        .filter(|e| is_push_done(e))
        .filter_map(|e| e["repo"].as_str())
        .collect();
    let answered: BTreeSet<&str> = log
        .iter()
        .filter(|e| e["route"] == "/repos/{owner}/{repo}/pulls" && e["method"] == "POST")
        .filter_map(|e| e["repo"].as_str())
        .collect();
    pushed.difference(&answered).count()
}

fn kill(child: &mut Child) -> bool {
    let running = child.try_wait().unwrap().is_none();
    child.kill().unwrap_or(()); // SIGKILL
    child.wait().unwrap();
    running
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn applies_killed_at_random_points_resume_to_the_uninterrupted_world() {
    let fleet = Fleet::new(Spec::new(REPOS));
    let (expected, _) = fleet.baseline();

    // One whole run against the slowed stand-in: how long a run takes here, to aim the kills.
    slow_github(&fleet);
    let started = Instant::now();
    let run = fleet.apply(&[]);
    let span = u64::try_from(started.elapsed().as_millis())
        .unwrap()
        .max(50);
    run.assert_clean(&fleet.names);
    fleet.world().assert_same_as(&expected, "the slowed run");

    let seed = 0xa991_c0de_u64 ^ u64::from(std::process::id());
    eprintln!("seed {seed:#x}, one slowed run takes about {span} ms");
    let mut rng = Rng(seed);
    let (mut kills, mut trials, mut kills_between) = (0, 0, 0);
    while kills < KILLS && trials < MAX_TRIALS {
        trials += 1;
        let context = format!("seed {seed:#x}, trial {trials}");
        fleet.rebuild();
        slow_github(&fleet);
        let mut child = fleet.command(&[]).spawn().unwrap();
        if trials % 4 == 0 {
            // After a push, before its pull request is answered.
            assert!(
                fleet.wait_for_log(2_000, is_push_done),
                "{context}: no push finished"
            );
            let ms = (PR_DELAY * 1000.0) as u64;
            std::thread::sleep(Duration::from_millis(rng.below(ms / 2)));
        } else {
            std::thread::sleep(Duration::from_millis(rng.below(span)));
        }
        let killed = kill(&mut child);
        let in_between = between_push_and_pr(&fleet.standin.log());
        // What a killed client sent is still served (as GitHub would): let it land first.
        std::thread::sleep(Duration::from_secs_f64(PR_DELAY + PUSH_DELAY + 0.3));
        fleet.standin.faults(json!([]));
        let at_kill = fleet.world();
        for (name, repo) in &at_kill.0 {
            assert!(
                repo.pulls.len() <= 1,
                "{context}: {name}: {:#?}",
                repo.pulls
            );
        }
        if !killed {
            // The run ended before the kill: it must have converged on its own.
            at_kill.assert_same_as(&expected, &format!("{context}, not killed"));
            continue;
        }
        kills += 1;
        if in_between > 0 {
            kills_between += 1;
        }

        let resumed = if fleet.journals().is_empty() {
            // Killed before the run's journal existed: there is nothing to resume, and
            // `--resume` says so (a usage error); a plain run starts over.
            let refused = fleet.apply(&["--resume"]);
            assert_eq!(refused.code, Some(2), "{context}: {refused:?}");
            assert!(refused.stderr.contains("no unfinished run"), "{refused:?}");
            fleet.apply(&[])
        } else {
            fleet.apply(&["--resume"])
        };
        resumed.assert_clean(&fleet.names);
        let world = fleet.world();
        world.assert_converged(&context);
        world.assert_same_as(&expected, &format!("{context}, resumed"));

        // And a plain run after it finds nothing to do.
        let again = fleet.apply(&[]);
        again.assert_clean(&fleet.names);
        assert!(
            again.results().values().all(|r| r == "unchanged"),
            "{context}: {:?}",
            again.results()
        );
        fleet
            .world()
            .assert_same_as(&expected, &format!("{context}, rerun"));
        fleet.assert_paced();
    }
    eprintln!(
        "{kills} kills in {trials} trials, {kills_between} between a push and its pull request"
    );
    assert!(
        kills >= KILLS,
        "seed {seed:#x}: only {kills} of {trials} runs were still running when killed"
    );
    assert!(
        kills_between >= 1,
        "seed {seed:#x}: no kill landed between a push and its pull request"
    );
}

/// What a kill inside git's ref update leaves: a `.lock` beside drydock's own refs in a
/// checkout (`refs/drydock/<branch>`, where the commit is kept, and `refs/drydock-remote/<branch>`,
/// where the remote branch is fetched to). The next run clears them instead of failing on them.
#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn locks_a_killed_run_left_on_drydocks_refs_do_not_fail_the_next() {
    let fleet = Fleet::new(Spec::new(2));
    let (expected, _) = fleet.baseline();
    let sync = fleet.drydock(&["sync"]).output().unwrap();
    assert!(sync.status.success(), "{sync:?}");
    for name in &fleet.names {
        let refs = fleet.root().join("ws/repos").join(name).join(".git/refs");
        for dir in ["drydock", "drydock-remote"] {
            let lock = refs.join(dir).join("drydock/policy.lock");
            std::fs::create_dir_all(lock.parent().unwrap()).unwrap();
            std::fs::write(&lock, "").unwrap();
        }
    }
    let run = fleet.apply(&[]);
    run.assert_clean(&fleet.names);
    fleet.world().assert_same_as(&expected, "stale ref locks");
}

/// Killed after a pull request was opened and before its labels were answered (the stand-in
/// holds that request for a minute, longer than the test): `--resume` adds them.
#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn a_run_killed_between_its_pull_request_and_the_labels_resumes_with_them() {
    let fleet = Fleet::new(Spec::new(2));
    let (expected, _) = fleet.baseline();
    fleet.standin.faults(json!([{
        "route": "/repos/{owner}/{repo}/issues/{issue_number}/labels", "method": "POST",
        "action": "delay", "delay": 60, "times": 1,
    }]));
    let mut child = fleet.command(&[]).spawn().unwrap();
    assert!(
        fleet.wait_for_log(1_000, |e| {
            e["route"] == "/repos/{owner}/{repo}/pulls" && e["status"] == 201
        }),
        "no pull request was opened"
    );
    std::thread::sleep(Duration::from_secs(1));
    assert!(kill(&mut child), "the run ended before the kill");
    fleet.standin.faults(json!([]));
    let resumed = fleet.apply(&["--resume"]);
    resumed.assert_clean(&fleet.names);
    fleet
        .world()
        .assert_same_as(&expected, "resumed after the kill");
}
