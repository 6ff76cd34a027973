//! `--shard I/N` and `drydock report merge` on the real output of `apply` and `status` against
//! the GitHub stand-in (tests/it/shard.rs does the same for `check`, `plan` and `scan` without
//! GitHub): a fleet of 12 repositories rolled out shard by shard (3 shards) leaves the world an
//! unsharded rollout leaves, one pull request per repository; the shards' merged apply report
//! is the unsharded run's but for the run id; the shards' merged status report is byte for
//! byte the unsharded `status --format json`; a merge with a shard missing is refused. The
//! stand-in checks every request against GitHub's descriptions (no violation allowed).

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::{Value, json};

use crate::support::apply_world::{Fleet, Run, Spec};

const REPOS: usize = 12;
const SHARDS: u32 = 3;

/// `drydock ARGS` in the fleet directory (with the fleet's token), its output checked for
/// secrets.
fn run(fleet: &Fleet, args: &[&str]) -> Run {
    let run = Run::from_output(fleet.drydock(args).output().expect("drydock runs"));
    fleet.check_secrets(&run);
    run
}

fn names(report: &Value) -> Vec<String> {
    report["repos"]
        .as_array()
        .unwrap_or_else(|| panic!("no repos in {report}"))
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

/// `command --shard I/3` for every shard: each exits `code`, says which shard it covers as its
/// second key, and the shards are disjoint, none empty, and cover the fleet. Returns the
/// reports' files (in the fleet directory, named `prefix-I.json`) and the parsed reports.
fn run_shards(fleet: &Fleet, command: &[&str], prefix: &str) -> (Vec<PathBuf>, Vec<Value>) {
    let mut files = Vec::new();
    let mut reports = Vec::new();
    let mut seen = BTreeSet::new();
    for index in 1..=SHARDS {
        let shard = format!("{index}/{SHARDS}");
        let mut args = command.to_vec();
        args.extend(["--shard", &shard]);
        let out = run(fleet, &args);
        assert_eq!(
            out.code,
            Some(0),
            "{args:?}\n{}\n{}",
            out.stdout,
            out.stderr
        );
        let report = out.report();
        assert_eq!(
            report["shard"],
            json!({"index": index, "count": SHARDS}),
            "{args:?}"
        );
        assert!(
            out.stdout.replace(['\n', ' '], "").starts_with(&format!(
                "{{\"version\":1,\"shard\":{{\"index\":{index},\"count\":{SHARDS}}},"
            )),
            "`shard` follows `version`: {}",
            out.stdout
        );
        let shard_names = names(&report);
        assert!(
            !shard_names.is_empty(),
            "{args:?}: an empty shard tests no merge"
        );
        for name in shard_names {
            assert!(seen.insert(name.clone()), "{name} is in two shards");
        }
        let file = fleet.root().join(format!("{prefix}-{index}.json"));
        std::fs::write(&file, &out.stdout).unwrap();
        files.push(file);
        reports.push(report);
    }
    assert_eq!(
        seen,
        fleet.names.iter().cloned().collect::<BTreeSet<_>>(),
        "the shards cover the fleet"
    );
    (files, reports)
}

/// `drydock report merge FILES`, in the order given.
fn merge(fleet: &Fleet, files: &[&PathBuf]) -> Run {
    let mut args = vec!["report", "merge"];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    run(fleet, &args)
}

/// A merge of all shards but shard 2 is refused, exit 2, nothing on stdout.
fn assert_refuses_missing_shard(fleet: &Fleet, files: &[PathBuf]) {
    let out = merge(fleet, &[&files[2], &files[0]]);
    assert_eq!(out.code, Some(2), "{}\n{}", out.stdout, out.stderr);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .contains("error: report merge: shard 2/3 missing: 2 of 3 reports given"),
        "{}",
        out.stderr
    );
}

fn assert_no_violations(fleet: &Fleet) {
    let v = fleet.standin.violations();
    assert_eq!(v["violations"], json!([]), "{v:#}");
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn apply_shards_leave_the_unsharded_world_and_merge_into_its_report() {
    let fleet = Fleet::new(Spec::new(REPOS));
    // The unsharded rollout from scratch: every repository `opened`, the world it leaves; then
    // the same world as before it, without a workspace.
    let (expected_world, whole) = fleet.baseline();
    let whole = whole.report();
    assert_eq!(whole.get("shard"), None, "{whole}");

    let (files, reports) = run_shards(&fleet, &["apply", "--format", "json"], "apply");
    let world = fleet.world();
    world.assert_converged("after the sharded rollout");
    world.assert_same_as(&expected_world, "after the sharded rollout");
    for (name, repo) in &world.0 {
        assert_eq!(repo.pulls.len(), 1, "{name}: exactly one pull request");
    }
    fleet.assert_paced();

    // In reverse: the order of the files does not matter.
    let merged = merge(&fleet, &[&files[2], &files[1], &files[0]]);
    assert_eq!(merged.code, Some(0), "{}", merged.stderr);
    assert!(
        merged.stderr.contains(&format!(
            "drydock: merged 3 shards of a apply report: {REPOS} repositories"
        )),
        "{}",
        merged.stderr
    );
    let mut merged = merged.report();
    assert_eq!(
        names(&merged),
        fleet.names,
        "every repository once, by name"
    );
    // Every shard is a run of its own: the merged run id is their ids in shard order.
    let mut ids: Vec<&str> = Vec::new();
    for report in &reports {
        let id = report["run"].as_str().expect("a run id");
        assert!(
            fleet.root().join(format!("ws/runs/{id}.jsonl")).is_file(),
            "the journal of {id}"
        );
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    assert_eq!(ids.len(), 3, "three runs, three ids: {ids:?}");
    assert_eq!(merged["run"], json!(ids.join(",")));
    // The rest, every repository's result, pull request (number and URL) and reason, is the
    // unsharded run's.
    let mut whole = whole;
    merged.as_object_mut().unwrap().remove("run");
    whole.as_object_mut().unwrap().remove("run");
    assert_eq!(merged, whole);
    assert!(
        merged["repos"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["result"] == "opened" && r["pr"]["number"] == 1),
        "{merged}"
    );

    assert_refuses_missing_shard(&fleet, &files);
    assert_no_violations(&fleet);
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn status_shards_merge_into_the_unsharded_status() {
    let fleet = Fleet::new(Spec::new(REPOS));
    let rollout = fleet.apply(&[]);
    rollout.assert_clean(&fleet.names);
    // A pull request in more than one state, so the merged counts are more than one sum: one
    // merged and one declined (by a human, in the stand-in), one with failing checks.
    fleet.standin.control(
        "POST",
        &format!("repos/{}/pulls/1/merge", fleet.names[0]),
        json!({"delete_branch": false}),
    );
    fleet.standin.control(
        "POST",
        &format!("repos/{}/pulls/1/close", fleet.names[1]),
        json!({}),
    );
    fleet.standin.control(
        "PATCH",
        &format!("repos/{}/pulls/1", fleet.names[2]),
        json!({"checks": "FAILURE", "mergeable": true}),
    );

    let whole = run(&fleet, &["status", "--format", "json"]);
    assert_eq!(whole.code, Some(0), "{}\n{}", whole.stdout, whole.stderr);
    let whole_report = whole.report();
    assert_eq!(whole_report.get("shard"), None);
    assert_eq!(names(&whole_report), fleet.names);
    let counts = &whole_report["counts"];
    assert_eq!(
        (
            &counts["repos"],
            &counts["open"],
            &counts["merged"],
            &counts["declined"],
            &counts["needs_human"]
        ),
        (
            &json!(REPOS),
            &json!(REPOS - 2),
            &json!(1),
            &json!(1),
            &json!(2)
        ),
        "{whole_report:#}"
    );

    let (files, _) = run_shards(&fleet, &["status", "--format", "json"], "status");
    let merged = merge(&fleet, &[&files[1], &files[2], &files[0]]);
    assert_eq!(merged.code, Some(0), "{}", merged.stderr);
    // Compared as JSON, no field ignored: `measured_at` is the time of the checkouts' last
    // fetch (none since the rollout) and `age_days` whole days, the same in every run here.
    assert_eq!(merged.report(), whole_report);
    // And as text: the merge writes status the way status does.
    assert_eq!(merged.stdout, whole.stdout);

    assert_refuses_missing_shard(&fleet, &files);
    assert_no_violations(&fleet);
}
