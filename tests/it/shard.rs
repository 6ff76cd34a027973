//! `--shard I/N` and `drydock report merge` end to end: the real JSON of `check`, `plan` and
//! `scan` over a fixture fleet, run shard by shard and merged, equals the unsharded run's; the
//! shards are disjoint and cover the fleet; what cannot be merged is refused naming the file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

use crate::support::drydock;

const NOW: &str = "2026-11-27T12:00:00Z";

/// A fleet of 24 repositories (the eight examples under three owners), listed by name so an
/// unsharded run reports them in the order a merge sorts them.
fn fixture_fleet() -> (TempDir, PathBuf, Vec<String>) {
    let examples = &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let dirs = [
        ("shop", "shop-monorepo"),
        ("billing-api", "billing-api"),
        ("infra", "infra"),
        ("ledger", "ledger"),
        ("storefront", "storefront"),
        ("payments", "payments"),
        ("legacy-portal", "legacy-portal"),
        ("legacy-worker", "legacy-worker"),
    ];
    let mut repos: Vec<(String, PathBuf)> = ["acme", "globex", "initech"]
        .iter()
        .flat_map(|owner| {
            dirs.iter()
                .map(move |(name, dir)| (format!("{owner}/{name}"), examples.join(dir)))
        })
        .collect();
    repos.sort();
    let mut text = String::from(
        "[workflow]\ndrydock_image = \"ghcr.io/acme/drydock:0.1.0@sha256:6b3a2c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809\"\ndevops_team = \"acme/platform\"\n",
    );
    for (name, path) in &repos {
        text.push_str(&format!(
            "\n[[repo]]\nname = \"{name}\"\npath = \"{}\"\n",
            path.display()
        ));
    }
    let dir = TempDir::new().unwrap();
    let fleet = dir.path().join("fleet.toml");
    std::fs::write(&fleet, text).unwrap();
    (dir, fleet, repos.into_iter().map(|(n, _)| n).collect())
}

/// `drydock --fleet FLEET ARGS`, expecting exit status `code`; stdout.
fn run(fleet: &Path, args: &[&str], code: i32) -> String {
    let output = drydock()
        .arg("--fleet")
        .arg(fleet)
        .args(args)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(code), "{args:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

fn names(report: &serde_json::Value) -> Vec<String> {
    report["repos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

/// Runs `command` over every shard of `count` into files, checks each report's `shard` and the
/// partition, merges them, and compares the merge with the unsharded run.
fn merged_equals_unsharded(command: &[&str], code: i32, count: u32) {
    let (dir, fleet, fleet_names) = fixture_fleet();
    let whole = run(&fleet, command, code);
    let mut files = Vec::new();
    let mut seen = BTreeSet::new();
    for index in 1..=count {
        let shard = format!("{index}/{count}");
        let mut args = command.to_vec();
        args.extend(["--shard", &shard]);
        let (status, text) = run_any(&fleet, &args);
        let report: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(status, code_of(command, &report), "{args:?}");
        assert_eq!(
            report["shard"],
            serde_json::json!({"index": index, "count": count}),
            "{text}"
        );
        // `shard` follows `version`, before the report's own keys.
        assert!(
            text.trim_start_matches(['{', ' ', '\n'])
                .replace(['\n', ' '], "")
                .starts_with(&format!(
                    "\"version\":1,\"shard\":{{\"index\":{index},\"count\":{count}}},"
                )),
            "{text}"
        );
        for name in names(&report) {
            assert!(seen.insert(name.clone()), "{name} is in two shards");
        }
        let file = dir.path().join(format!("shard-{index}.json"));
        std::fs::write(&file, &text).unwrap();
        files.push(file);
    }
    assert_eq!(seen, fleet_names.iter().cloned().collect::<BTreeSet<_>>());
    // In reverse: the order of the files does not matter.
    files.reverse();
    let mut args = vec!["report", "merge"];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    let merged = run(&fleet, &args, 0);
    let merged: serde_json::Value = serde_json::from_str(&merged).unwrap();
    let whole: serde_json::Value = serde_json::from_str(&whole).unwrap();
    assert_eq!(whole.get("shard"), None);
    assert_eq!(names(&whole), fleet_names);
    assert_eq!(merged, whole);
}

/// `drydock --fleet FLEET ARGS` whatever its exit status: the status and stdout.
fn run_any(fleet: &Path, args: &[&str]) -> (i32, String) {
    let output = drydock()
        .arg("--fleet")
        .arg(fleet)
        .args(args)
        .output()
        .unwrap();
    let code = output.status.code().expect("drydock exits");
    (code, String::from_utf8(output.stdout).unwrap())
}

/// The exit status a shard's report owes: `check` 1 with an error finding, else 0.
fn code_of(command: &[&str], report: &serde_json::Value) -> i32 {
    i32::from(command[0] == "check" && report["summary"]["errors"].as_u64().unwrap() > 0)
}

#[test]
fn check_shards_merge_into_the_unsharded_report() {
    let command = ["check", "--format", "json", "--now", NOW];
    merged_equals_unsharded(&command, 1, 3);
    merged_equals_unsharded(&command, 1, 7);
}

#[test]
fn plan_shards_merge_into_the_unsharded_report() {
    merged_equals_unsharded(&["plan", "--format", "json"], 0, 4);
}

#[test]
fn scan_shards_merge_into_the_unsharded_report() {
    merged_equals_unsharded(&["scan", "--format", "json"], 0, 5);
}

#[test]
fn one_shard_is_the_whole_fleet_and_an_unsharded_report_has_no_shard_key() {
    let (_dir, fleet, fleet_names) = fixture_fleet();
    let whole = run(&fleet, &["scan", "--format", "json"], 0);
    let one = run(&fleet, &["scan", "--format", "json", "--shard", "1/1"], 0);
    let one: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(names(&one), fleet_names);
    assert!(!whole.contains("\"shard\""), "{whole}");
}

#[test]
fn a_bad_shard_is_a_usage_error() {
    let (_dir, fleet, _) = fixture_fleet();
    let output = drydock()
        .arg("--fleet")
        .arg(&fleet)
        .args(["scan", "--shard", "4/3"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("invalid value '4/3' for '--shard <I/N>'")
            && stderr.contains("the shard must be between 1 and 3")
            && stderr.contains("e.g. --shard 3/20"),
        "{stderr}"
    );

    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/infra");
    let output = drydock()
        .args(["check", "--shard", "1/2", "--path"])
        .arg(&examples)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("--shard 1/2 splits a fleet, and --path names one directory"),
        "{stderr}"
    );

    let output = drydock()
        .arg("--fleet")
        .arg(&fleet)
        .args(["bump", "--repo", "acme/infra", "--shard", "1/2"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("drydock bump does not take --shard 1/2"),
        "{stderr}"
    );
}

#[test]
fn merge_refuses_a_missing_shard_and_mixed_reports_naming_the_file() {
    let (dir, fleet, _) = fixture_fleet();
    let write = |name: &str, text: String| {
        let file = dir.path().join(name);
        std::fs::write(&file, text).unwrap();
        file.to_str().unwrap().to_string()
    };
    let plan_1 = write(
        "plan-1.json",
        run_any(&fleet, &["plan", "--format", "json", "--shard", "1/2"]).1,
    );
    let scan_2 = write(
        "scan-2.json",
        run_any(&fleet, &["scan", "--format", "json", "--shard", "2/2"]).1,
    );
    let merge = |files: &[&str]| {
        let output = drydock()
            .args(["report", "merge"])
            .args(files)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{output:?}");
        assert!(output.stdout.is_empty());
        String::from_utf8(output.stderr).unwrap()
    };
    let stderr = merge(&[&plan_1]);
    assert!(
        stderr.contains("error: report merge: shard 2/2 missing: 1 of 2 reports given"),
        "{stderr}"
    );
    let stderr = merge(&[&plan_1, &scan_2]);
    assert!(
        stderr.contains(&format!(
            "error: report merge: {scan_2}: a scan report, but {plan_1} is a plan report"
        )),
        "{stderr}"
    );
    let missing = dir.path().join("nope.json");
    let stderr = merge(&[missing.to_str().unwrap()]);
    assert!(
        stderr.contains(&format!("{}: cannot read it", missing.display())),
        "{stderr}"
    );
}
