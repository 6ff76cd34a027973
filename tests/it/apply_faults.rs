//! `drydock apply` under faults, against the GitHub stand-in: 500 and 502 on every write route
//! the rollout uses, 429 with `retry-after`, secondary-limit 403s with and without headers, a
//! connection reset after GitHub created the pull request, a foreign push racing drydock's, the
//! App's installation token expiring mid-run, and a `[github.limits]` low enough to bind.
//!
//! After each fault the same assertions (`converges_after`): one more run ends with every
//! repository in the report and none failed, the world equals the one an uninterrupted run
//! leaves (same branches, trees, pull requests, labels), three more runs change nothing and send
//! no write, the stand-in's log shows the pacer never exceeded the configured per-minute limit
//! and met no rate limit of its own making, and the token (a canary value) is in no output,
//! journal, report or file (checked on every run by `Fleet::apply`).

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::support::apply_world::{BRANCH, Fleet, Run, Spec, World, repo_name};

const NEEDS_TOOLS: &str = "needs external tools: run scripts/test.sh";
/// Repositories per fault fleet: enough that a fault in one leaves others to go on.
const REPOS: usize = 4;
const SECONDARY: &str =
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// Log entries since `since` (epoch seconds).
fn log_since(fleet: &Fleet, since: f64) -> Vec<Value> {
    fleet
        .standin
        .log()
        .into_iter()
        .filter(|e| e["t"].as_f64().unwrap_or(0.0) >= since)
        .collect()
}

/// Whether a logged request changes something on GitHub: a REST write, a GraphQL mutation or a
/// git push (its `info/refs` advertisement is a GET and changes nothing).
fn is_write(e: &Value) -> bool {
    e["content_creating"] == true || (e["kind"] == "git-push" && e["method"] == "POST")
}

/// The repositories a fault was injected into.
fn faulted_repos(entries: &[Value]) -> BTreeSet<String> {
    entries
        .iter()
        .filter(|e| !e["fault"].is_null())
        .filter_map(|e| e["repo"].as_str().map(str::to_string))
        .collect()
}

/// A run that met a fault: exit 0 (recovered) or 3 (some repository failed, with a reason), every
/// repository in the report, and none failed that no fault touched.
fn assert_contained(run: &Run, fleet: &Fleet, faulted: &BTreeSet<String>, context: &str) {
    assert!(
        matches!(run.code, Some(0 | 3)),
        "{context}: exit {:?}\n{}\n{}",
        run.code,
        run.stdout,
        run.stderr
    );
    let report = run.report();
    let repos = report["repos"].as_array().unwrap();
    let reported: BTreeSet<&str> = repos.iter().map(|r| r["name"].as_str().unwrap()).collect();
    let expected: BTreeSet<&str> = fleet.names.iter().map(String::as_str).collect();
    assert_eq!(
        reported, expected,
        "{context}: every repository is reported"
    );
    for r in repos {
        if r["result"] == "failed" {
            let name = r["name"].as_str().unwrap();
            assert!(
                faulted.contains(name),
                "{context}: {name} failed though no fault touched it: {r}\n{}",
                run.stderr
            );
            assert!(
                r["reason"].as_str().is_some_and(|s| !s.trim().is_empty()),
                "{context}: a failure says why: {r}"
            );
        }
    }
}

/// After a run that met a fault: `recovery` (a plain rerun, or `--resume`) ends clean and leaves
/// `expected`; three more runs leave it too, report every repository unchanged and send no write;
/// the pacer stayed inside the limits throughout.
fn converges_after(fleet: &Fleet, expected: &World, recovery: &[&str], context: &str) {
    let rerun = fleet.apply(recovery);
    rerun.assert_clean(&fleet.names);
    fleet
        .world()
        .assert_same_as(expected, &format!("{context}, after the rerun"));
    for round in 1..=3 {
        let since = now();
        let again = fleet.apply(&[]);
        again.assert_clean(&fleet.names);
        let results = again.results();
        assert!(
            results.values().all(|r| r == "unchanged"),
            "{context}, rerun {round}: {results:?}"
        );
        let writes: Vec<Value> = log_since(fleet, since)
            .into_iter()
            .filter(is_write)
            .collect();
        assert_eq!(
            writes,
            Vec::<Value>::new(),
            "{context}, rerun {round}: no write"
        );
        fleet
            .world()
            .assert_same_as(expected, &format!("{context}, rerun {round}"));
    }
    fleet.assert_paced();
}

/// The (method, route) of every write the uninterrupted rollout sent.
fn write_routes(fleet: &Fleet) -> Vec<(String, String)> {
    let routes: BTreeSet<(String, String)> = fleet
        .standin
        .log()
        .iter()
        .filter(|e| is_write(e))
        .map(|e| {
            (
                e["method"].as_str().unwrap().to_string(),
                e["route"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    routes.into_iter().collect()
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn server_errors_on_every_write_route_then_a_rerun_converges() {
    let _ = NEEDS_TOOLS;
    let fleet = Fleet::new(Spec::new(REPOS));
    fleet.rebuild();
    let baseline = fleet.apply(&[]);
    baseline.assert_clean(&fleet.names);
    let routes = write_routes(&fleet);
    assert!(
        routes
            .iter()
            .any(|(m, r)| m == "POST" && r == "/repos/{owner}/{repo}/pulls"),
        "the rollout opens pull requests: {routes:?}"
    );
    assert!(
        routes.iter().any(|(_, r)| r == "git" || r == "graphql"),
        "the rollout delivers a commit: {routes:?}"
    );
    let expected = fleet.world();
    expected.assert_converged("the uninterrupted run");

    for (method, route) in &routes {
        // A 500 on the route's first request, recovered by a plain rerun; a 502 on its second,
        // by `--only-failed`.
        for (status, skip, recovery) in [(500, 0, &[][..]), (502, 1, &["--only-failed"][..])] {
            let context = format!("{status} on {method} {route} (occurrence {})", skip + 1);
            fleet.rebuild();
            fleet.standin.faults(json!([{
                "route": route, "method": method, "status": status, "times": 1, "skip": skip,
                "body": {"message": "Server Error"},
            }]));
            let since = now();
            let run = fleet.apply(&[]);
            let entries = log_since(&fleet, since);
            let faulted = faulted_repos(&entries);
            assert!(
                entries.iter().any(|e| !e["fault"].is_null()),
                "{context}: the fault was never hit"
            );
            assert_contained(&run, &fleet, &faulted, &context);
            fleet.standin.faults(json!([]));
            converges_after(&fleet, &expected, recovery, &context);
        }
    }
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn rate_limits_are_waited_out_within_the_run() {
    let fleet = Fleet::new(Spec::new(REPOS));
    let (expected, _) = fleet.baseline();
    let pulls = "/repos/{owner}/{repo}/pulls";
    fleet.standin.faults(json!([
        {"route": pulls, "method": "POST", "status": 429, "headers": {"Retry-After": "1"}, "body": {"message": SECONDARY}, "times": 1},
        {"route": pulls, "method": "POST", "status": 403, "headers": {"Retry-After": "1"}, "body": {"message": SECONDARY}, "times": 1},
        {"route": pulls, "method": "POST", "status": 403, "body": {"message": SECONDARY}, "times": 1},
        {"route": "/repos/{owner}/{repo}/issues/{issue_number}/labels", "method": "POST", "status": 403, "body": {"message": SECONDARY}, "times": 1},
    ]));
    let run = fleet.apply(&[]);
    // Each limit is waited out and the request sent again: nothing fails.
    run.assert_clean(&fleet.names);
    assert!(
        run.results().values().all(|r| r == "opened"),
        "{:?}",
        run.results()
    );
    for wait in [
        "GitHub asked to retry later (retry-after)",
        "GitHub's secondary rate limit",
    ] {
        assert!(
            run.stderr.contains(wait),
            "no wait for {wait:?}:\n{}",
            run.stderr
        );
    }
    let faults = fleet.standin.control("GET", "faults", json!({}));
    let hits: Vec<u64> = faults["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["hits"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(&hits[..3], [1, 1, 1], "{faults:#}");
    fleet.world().assert_same_as(&expected, "rate limits");
    fleet.standin.faults(json!([]));
    converges_after(&fleet, &expected, &[], "rate limits");
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn a_reset_after_github_created_the_pull_request_makes_no_duplicate() {
    let fleet = Fleet::new(Spec::new(REPOS));
    let (expected, _) = fleet.baseline();
    let pulls = "/repos/{owner}/{repo}/pulls";
    for (action, context) in [
        ("reset_after", "reset after POST pulls was processed"),
        ("reset", "reset before POST pulls was processed"),
    ] {
        fleet.rebuild();
        // The first and the third pull-request creation GitHub receives (a repository's second
        // attempt among them, when the writes interleave so).
        fleet.standin.faults(json!([
            {"route": pulls, "method": "POST", "action": action, "times": 1},
            {"route": pulls, "method": "POST", "action": action, "times": 1, "skip": 1},
        ]));
        let since = now();
        let run = fleet.apply(&[]);
        let entries = log_since(&fleet, since);
        let faulted = faulted_repos(&entries);
        let resets = entries.iter().filter(|e| !e["fault"].is_null()).count();
        assert_eq!(resets, 2, "{context}: {entries:#?}");
        assert_contained(&run, &fleet, &faulted, context);
        // Whatever the run made of the reset, GitHub has at most one pull request per repository.
        for (name, repo) in &fleet.world().0 {
            assert!(
                repo.pulls.len() <= 1,
                "{context}: {name}: {:#?}",
                repo.pulls
            );
        }
        fleet.standin.faults(json!([]));
        converges_after(&fleet, &expected, &[], context);
    }
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn a_foreign_push_racing_drydocks_is_not_overwritten() {
    let fleet = Fleet::new(Spec::new(REPOS));
    let (expected, _) = fleet.baseline();
    let victim = repo_name(1);
    // drydock's push of the victim's branch is held 3 s on arrival; meanwhile a person pushes
    // their own commit to that branch, so drydock's push is no longer a fast-forward (nor a
    // creation) when git processes it.
    fleet.standin.faults(json!([{
        "route": format!("^/{victim}\\.git/git-receive-pack$"), "method": "POST",
        "action": "delay", "delay": 3, "times": 1,
    }]));
    let child = fleet.command(&[]).spawn().unwrap();
    let advertised = fleet.wait_for_log(500, |e| {
        e["repo"] == victim.as_str()
            && e["kind"] == "git-push"
            && e["method"] == "GET"
            && e["status"] == 200
    });
    assert!(advertised, "drydock never started pushing {victim}");
    std::thread::sleep(Duration::from_millis(300));
    let foreign = fleet.standin.control(
        "POST",
        &format!("repos/{victim}/commits"),
        json!({"branch": BRANCH, "create_from": "main", "files": {"NOTES.md": "mine\n"},
               "message": "my own change", "author": {"name": "Jane Doe", "email": "jane@example.com"}}),
    );
    let foreign_sha = foreign["sha"].as_str().unwrap().to_string();
    let run = Run::from_output(child.wait_with_output().unwrap());
    fleet.check_secrets(&run);
    let faulted = BTreeSet::from([victim.clone()]);
    assert_contained(&run, &fleet, &faulted, "foreign push");

    let world = fleet.world();
    let victim_raw = fleet
        .standin
        .control("GET", &format!("repos/{victim}"), json!({}));
    assert_eq!(
        victim_raw["branches"][BRANCH], foreign_sha,
        "the person's commit is not overwritten"
    );
    assert!(
        world.0[&victim].pulls.len() <= 1,
        "{:#?}",
        world.0[&victim].pulls
    );
    for name in fleet.names.iter().filter(|n| **n != victim) {
        assert_eq!(world.0[name], expected.0[name], "{name} goes on");
    }

    // Every rerun: the victim is blocked, naming who and which commit; nothing is pushed there.
    for round in 1..=3 {
        let since = now();
        let again = fleet.apply(&[]);
        assert_eq!(again.code, Some(0), "{}\n{}", again.stdout, again.stderr);
        let report = again.report();
        let row = report["repos"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == victim.as_str())
            .unwrap()
            .clone();
        assert_eq!(row["result"], "blocked", "rerun {round}: {row}");
        let reason = row["reason"].as_str().unwrap_or_default();
        assert!(
            reason.contains("Jane Doe") || reason.contains("jane@example.com"),
            "rerun {round}: who: {reason}"
        );
        assert!(
            reason.contains(&foreign_sha[..7]),
            "rerun {round}: which commit: {reason}"
        );
        let writes: Vec<Value> = log_since(&fleet, since)
            .into_iter()
            .filter(is_write)
            .collect();
        assert_eq!(writes, Vec::<Value>::new(), "rerun {round}");
    }

    // The person deletes their branch: the next run gives the victim drydock's pull request.
    fleet.delete_branch(&victim, BRANCH);
    converges_after(&fleet, &expected, &[], "foreign push, branch deleted");
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn the_installation_token_expiring_mid_run_is_renewed() {
    let fleet = Fleet::new(Spec::new(REPOS).app());
    let (expected, _) = fleet.baseline();
    // The second pull request is held 3 s on arrival; meanwhile every installation token is
    // expired, so it and everything after it (API and git) meet "Bad credentials" first.
    fleet.standin.faults(json!([{
        "route": "/repos/{owner}/{repo}/pulls", "method": "POST",
        "action": "delay", "delay": 3, "times": 1, "skip": 1,
    }]));
    let child = fleet.command(&[]).spawn().unwrap();
    let first_pr = fleet.wait_for_log(1_000, |e| {
        e["route"] == "/repos/{owner}/{repo}/pulls" && e["method"] == "POST" && e["status"] == 201
    });
    assert!(first_pr, "the first pull request was never created");
    std::thread::sleep(Duration::from_millis(300));
    let expired = fleet
        .standin
        .control("POST", "tokens/expire", json!({"installation": true}));
    assert!(expired["expired"].as_u64().unwrap() >= 1, "{expired}");
    let run = Run::from_output(child.wait_with_output().unwrap());
    fleet.check_secrets(&run);
    // The expired token is refused once and renewed: the run itself ends clean.
    run.assert_clean(&fleet.names);
    let log = fleet.standin.log();
    assert!(
        log.iter().any(|e| e["status"] == 401),
        "the expired token was refused"
    );
    let mints = log
        .iter()
        .filter(|e| e["route"] == "/app/installations/{installation_id}/access_tokens")
        .count();
    assert!(mints >= 2, "a new installation token after the expiry");
    fleet
        .world()
        .assert_same_as(&expected, "token expired mid-run");
    fleet.standin.faults(json!([]));
    converges_after(&fleet, &expected, &[], "token expired mid-run");
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn a_lowered_per_minute_limit_is_never_exceeded() {
    // Writes per repository in a rollout, from a run with the default (loose) test limits.
    let probe = Fleet::new(Spec::new(2));
    probe.rebuild();
    let run = probe.apply(&[]);
    run.assert_clean(&probe.names);
    let writes_per_repo = probe
        .standin
        .log()
        .iter()
        .filter(|e| e["content_creating"] == true)
        .count()
        / 2;
    assert!(writes_per_repo >= 1);
    drop(probe);

    // A limit the rollout must wait for once: more writes than one minute allows, fewer than two.
    let repos = 3;
    let limit = u32::try_from((repos * writes_per_repo).div_ceil(2).max(1)).unwrap();
    let fleet = Fleet::new(Spec::new(repos).writes_per_minute(limit));
    let run = fleet.apply(&[]);
    run.assert_clean(&fleet.names);
    assert!(
        run.stderr
            .contains("at most the configured writes per minute"),
        "the pacer waited for the per-minute limit:\n{}",
        run.stderr
    );
    fleet.assert_paced();
    let summary = fleet.standin.summary();
    assert_eq!(
        summary["content_creating"].as_u64().unwrap(),
        (repos * writes_per_repo) as u64,
        "no write was sent twice: {summary:#}"
    );
    fleet.world().assert_converged("a lowered per-minute limit");
}
