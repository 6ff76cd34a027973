//! `drydock discover` end to end against the GitHub stand-in: PAT and App auth, GHES layout,
//! pagination over 1,000+ repositories, every filter, `--write` byte for byte, rate limits,
//! faults, the ETag cache, and a canary token that must never show up anywhere.

use std::path::Path;

use serde_json::{Value, json};

use crate::support::standin::{Standin, app_key_pair};
use crate::support::{drydock, files_under};

const NEEDS_TOOLS: &str = "needs external tools: run scripts/test.sh";
const CANARY: &str = "ghp_CANARYcanary0123456789abcdefCANARY";

/// A directory with a fleet.toml whose `[github]` points at the stand-in.
fn fleet(standin: &Standin, api_suffix: &str, github_extra: &str, rest: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "# the fleet\n[fleet]\nworkspace = \"ws\" # next to this file\n\n[github]\napi_url = \"{}{api_suffix}\"\n{github_extra}\n{rest}",
        standin.base
    );
    std::fs::write(dir.path().join("fleet.toml"), text).unwrap();
    dir
}

fn discover(dir: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    drydock()
        .current_dir(dir)
        .env("GITHUB_TOKEN", CANARY)
        .env("DRYDOCK_LOG", "drydock=debug")
        .arg("discover")
        .args(args)
        .assert()
}

fn json_of(assert: &assert_cmd::assert::Assert) -> Value {
    serde_json::from_slice(&assert.get_output().stdout).expect("JSON output")
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v.get("name").unwrap_or(v).as_str().unwrap().to_string())
        .collect()
}

/// No file under `dir` contains the canary.
fn assert_no_canary_in_files(dir: &Path) {
    for entry in files_under(dir) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(CANARY),
            "the token is in {}",
            entry.display()
        );
    }
}

fn many(prefix: &str, n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| json!({"name": format!("{prefix}{i:04}")}))
        .collect()
}

fn requests_of(standin: &Standin, route: &str) -> Vec<Value> {
    standin
        .log()
        .into_iter()
        .filter(|e| e["route"] == route)
        .collect()
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn pat_pagination_write_second_run_and_etags() {
    let _ = NEEDS_TOOLS;
    let standin = Standin::start();
    standin.token(CANARY, "octo");
    let mut repos = many("svc-", 1_050);
    repos.push(json!({"name": "web", "topics": ["docker"]}));
    standin.org("acme", repos);
    let fleet_rest = "# our repositories\n[[repo]]\nname = \"acme/web\" # the shop\nskip = false\n\n[[repo]]\nname = \"acme/deleted\"\n";
    let dir = fleet(&standin, "", "", fleet_rest);
    let before = std::fs::read_to_string(dir.path().join("fleet.toml")).unwrap();

    let dry = discover(dir.path(), &["--org", "acme", "--format", "json"]).success();
    let report = json_of(&dry);
    assert_eq!(report["version"], 1);
    assert_eq!(report["org"], "acme");
    assert_eq!(names(&report["added"]).len(), 1_050);
    assert_eq!(names(&report["existing"]), ["acme/web"]);
    assert_eq!(
        report["gone"],
        json!([{"name": "acme/deleted", "reason": "not_found"}])
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("fleet.toml")).unwrap(),
        before
    );
    // 1,051 repositories, 100 a page: 11 list requests and one GraphQL look-up.
    assert_eq!(requests_of(&standin, "/orgs/{org}/repos").len(), 11);

    standin.clear_log();
    let wrote = discover(dir.path(), &["--org", "acme", "--write"]).success();
    let stdout = String::from_utf8_lossy(&wrote.get_output().stdout).to_string();
    assert!(stdout.contains("wrote 1050 new entries"), "{stdout}");
    let after = std::fs::read_to_string(dir.path().join("fleet.toml")).unwrap();
    assert!(after.starts_with(&before), "every existing byte stays");
    let added = &after[before.len()..];
    assert!(
        added.starts_with("\n[[repo]]\nname = \"acme/svc-0000\"\n"),
        "{added:.80}"
    );
    assert_eq!(added.matches("[[repo]]").count(), 1_050);
    let log = requests_of(&standin, "/orgs/{org}/repos");
    assert_eq!(
        log.iter().filter(|e| e["status"] == 304).count(),
        11,
        "the second run's pages all answered 304"
    );

    let again = discover(
        dir.path(),
        &["--org", "acme", "--write", "--format", "json"],
    )
    .success();
    let report = json_of(&again);
    assert_eq!(report["added"], json!([]));
    assert_eq!(report["written"], false);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("fleet.toml")).unwrap(),
        after
    );

    for output in [dry.get_output(), wrote.get_output(), again.get_output()] {
        assert!(!String::from_utf8_lossy(&output.stdout).contains(CANARY));
        assert!(!String::from_utf8_lossy(&output.stderr).contains(CANARY));
    }
    assert_no_canary_in_files(dir.path());
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn every_filter() {
    let standin = Standin::start();
    standin.token(CANARY, "octo");
    standin.org(
        "acme",
        vec![
            json!({"name": "svc-a", "topics": ["docker", "go"], "custom_properties": {"team": "platform"}}),
            json!({"name": "svc-b", "topics": ["docker"], "custom_properties": {"team": "web"}}),
            json!({"name": "svc-legacy", "topics": ["docker"], "custom_properties": {"team": "platform"}}),
            json!({"name": "tool", "topics": []}),
            json!({"name": "old", "archived": true}),
            json!({"name": "gone-dark", "disabled": true}),
            json!({"name": "copy", "fork": true}),
            json!({"name": "nothing", "empty": true}),
        ],
    );
    standin.control(
        "POST",
        "repos",
        json!({"owner": "acme", "name": "frozen", "archived": true, "files": {"a": "b"}}),
    );
    let dir = fleet(&standin, "", "", "[[repo]]\nname = \"acme/frozen\"\n");
    let added = |args: &[&str]| {
        let mut all = vec!["--org", "acme", "--format", "json"];
        all.extend_from_slice(args);
        names(&json_of(&discover(dir.path(), &all).success())["added"])
    };
    assert_eq!(
        added(&[]),
        ["acme/svc-a", "acme/svc-b", "acme/svc-legacy", "acme/tool"]
    );
    assert_eq!(
        added(&["--topic", "docker", "--topic", "go"]),
        ["acme/svc-a"]
    );
    assert_eq!(
        added(&["--property", "team=platform"]),
        ["acme/svc-a", "acme/svc-legacy"]
    );
    assert_eq!(
        added(&["--match", "^svc-", "--exclude", "legacy"]),
        ["acme/svc-a", "acme/svc-b"]
    );
    assert!(added(&["--include-forks"]).contains(&"acme/copy".to_string()));
    let with_archived = added(&["--include-archived"]);
    assert!(with_archived.contains(&"acme/old".to_string()));
    let report = json_of(&discover(dir.path(), &["--org", "acme", "--format", "json"]).success());
    assert_eq!(
        report["gone"],
        json!([{"name": "acme/frozen", "reason": "archived"}])
    );
    assert_eq!(report["skipped"]["disabled"], 1);
    assert_eq!(report["skipped"]["empty"], 1);

    let text = discover(dir.path(), &["--org", "acme"]).success();
    insta::assert_snapshot!(
        String::from_utf8_lossy(&text.get_output().stdout),
        @r###"
    acme: 9 repositories listed, 4 to add, 0 already in the fleet, 1 gone
      + [[repo]] name = "acme/svc-a"
      + [[repo]] name = "acme/svc-b"
      + [[repo]] name = "acme/svc-legacy"
      + [[repo]] name = "acme/tool"
      ! acme/frozen (archived; its entry is kept)
      skipped 4: 1 archived, 1 disabled, 1 forks, 1 empty, 0 filtered out
    run with --write to add them to fleet.toml
    "###
    );

    let bad = drydock()
        .current_dir(dir.path())
        .env("GITHUB_TOKEN", CANARY)
        .args(["discover", "--org", "acme", "--property", "team"])
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&bad.get_output().stderr).contains("is not NAME=VALUE"));
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn ghes_api_url_keeps_the_prefix_on_every_page() {
    let standin = Standin::start();
    standin.token(CANARY, "octo");
    standin.org("acme", many("r", 250));
    let dir = fleet(
        &standin,
        "/api/v3",
        "",
        "[[repo]]\nname = \"acme/missing\"\n",
    );
    let out = discover(dir.path(), &["--org", "acme", "--format", "json"]).success();
    let out = json_of(&out);
    assert_eq!(names(&out["added"]).len(), 250);
    // The stand-in serves GHES paths under /api/v3 (next-page links keep the prefix) and
    // GraphQL only at /api/graphql; /api/v3/graphql would be an undocumented REST path.
    assert_eq!(
        out["gone"],
        json!([{"name": "acme/missing", "reason": "not_found"}])
    );
    let log = standin.log();
    assert_eq!(log.iter().filter(|e| e["route"] == "graphql").count(), 1);
    assert_eq!(
        log.iter()
            .filter(|e| e["route"] == "/orgs/{org}/repos")
            .count(),
        3
    );
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn github_app_installation_tokens_renewed_and_after_a_401() {
    let standin = Standin::start();
    let (private, public) = app_key_pair();
    // A token that expires within drydock's five-minute margin is renewed before every use.
    standin.control(
        "POST",
        "app",
        json!({"id": 42, "slug": "drydock-test", "public_key": public, "token_lifetime": 299}),
    );
    standin.control("POST", "installations", json!({"owner": "acme", "permissions": {"metadata": "read", "contents": "write", "pull_requests": "write"}}));
    standin.org("acme", many("r", 120));
    let dir = fleet(
        &standin,
        "",
        "app_id = 42\nprivate_key = \"app.pem\"\nconcurrency = 1",
        "",
    );
    std::fs::write(dir.path().join("app.pem"), &private).unwrap();
    let run = drydock()
        .current_dir(dir.path())
        .args(["discover", "--org", "acme", "--format", "json"])
        .assert()
        .success();
    assert_eq!(names(&json_of(&run)["added"]).len(), 120);
    let mints = requests_of(
        &standin,
        "/app/installations/{installation_id}/access_tokens",
    );
    assert_eq!(
        mints.len(),
        2,
        "one token per page: each expires within five minutes"
    );

    // A long-lived token, refused once mid-run (as an expired one is): renewed, run goes on.
    standin.control(
        "POST",
        "app",
        json!({"id": 42, "slug": "drydock-test", "public_key": public, "token_lifetime": 3600}),
    );
    standin.clear_log();
    standin.faults(json!([{"route": "/orgs/{org}/repos", "status": 401, "body": {"message": "Bad credentials"}, "times": 1, "skip": 1}]));
    let run = drydock()
        .current_dir(dir.path())
        .env("DRYDOCK_APP_PRIVATE_KEY", &private)
        .args(["discover", "--org", "acme", "--format", "json"])
        .assert()
        .success();
    assert_eq!(names(&json_of(&run)["added"]).len(), 120);
    let mints = requests_of(
        &standin,
        "/app/installations/{installation_id}/access_tokens",
    );
    assert_eq!(mints.len(), 2, "a new token after the 401");

    // A token that really expires mid-run: page 2 is held back until the test has expired
    // every installation token, so it arrives with an expired one (401 "Bad credentials").
    standin.clear_log();
    standin.faults(json!([{"route": "/orgs/{org}/repos", "action": "delay", "delay": 5, "times": 1, "skip": 1}]));
    let child = crate::support::drydock_process()
        .current_dir(dir.path())
        .env("DRYDOCK_APP_PRIVATE_KEY", &private)
        .args(["discover", "--org", "acme", "--format", "json"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first_page_done = false;
    for _ in 0..400 {
        if standin.log().iter().any(|e| {
            e["route"] == "/orgs/{org}/repos" && (e["status"] == 200 || e["status"] == 304)
        }) {
            first_page_done = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(
        first_page_done,
        "the first page was never answered: {:?}",
        standin.log()
    );
    standin.control("POST", "tokens/expire", json!({"installation": true}));
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(names(&report["added"]).len(), 120);
    let log = standin.log();
    assert!(
        log.iter().any(|e| e["status"] == 401),
        "the expired token was refused once"
    );
    let mints = log
        .iter()
        .filter(|e| e["route"] == "/app/installations/{installation_id}/access_tokens")
        .count();
    assert_eq!(mints, 2, "and renewed");
    standin.faults(json!([]));

    // Not installed: the error says so.
    let missing = drydock()
        .current_dir(dir.path())
        .args(["discover", "--org", "other"])
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&missing.get_output().stderr).to_string();
    assert!(
        stderr.contains("the App is not installed on other"),
        "{stderr}"
    );
    assert!(!stderr.contains("BEGIN RSA"));
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn rate_limits_with_and_without_retry_after_and_the_primary_limit() {
    let standin = Standin::start();
    standin.token(CANARY, "octo");
    standin.org("acme", many("r", 350));
    let limits = "\n[github.limits]\nsecondary_wait = 0.2\nprimary_reserve = 1\n";
    let dir = fleet(&standin, "", &format!("concurrency = 1{limits}"), "");
    let secondary =
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";
    standin.faults(json!([
        {"route": "/orgs/{org}/repos", "status": 403, "headers": {"Retry-After": "1"}, "body": {"message": secondary}, "times": 1},
        {"route": "/orgs/{org}/repos", "status": 429, "body": {"message": secondary}, "times": 2, "skip": 0},
    ]));
    let out = discover(dir.path(), &["--org", "acme", "--format", "json"]).success();
    assert_eq!(names(&json_of(&out)["added"]).len(), 350);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("waiting 1.0 s: GitHub asked to retry later (retry-after)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("waiting 0.2 s: GitHub's secondary rate limit"),
        "{stderr}"
    );
    assert!(
        stderr.contains("waiting 0.4 s: GitHub's secondary rate limit"),
        "{stderr}"
    );

    // The primary limit: 3 requests per 2-second window; drydock pauses before it runs out.
    standin.faults(json!([]));
    standin.limits(json!({"core_limit": 3, "primary_window": 2, "reset_counters": true}));
    standin.clear_log();
    // A fresh workspace: with the ETag cache every page would be a free 304.
    let dir = fleet(&standin, "", &format!("concurrency = 1{limits}"), "");
    let out = discover(dir.path(), &["--org", "acme", "--format", "json"]).success();
    assert_eq!(names(&json_of(&out)["added"]).len(), 350);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("GitHub's rate limit is nearly used up"),
        "{stderr}"
    );
    let refused: Vec<_> = standin
        .log()
        .into_iter()
        .filter(|e| e["status"] == 403 || e["status"] == 429)
        .collect();
    assert!(
        refused.is_empty(),
        "paused before the limit, not after: {refused:?}"
    );
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn server_errors_and_resets_are_retried_for_reads() {
    let standin = Standin::start();
    standin.token(CANARY, "octo");
    standin.org("acme", many("r", 150));
    let dir = fleet(&standin, "", "concurrency = 1", "");
    standin.faults(json!([
        {"route": "/orgs/{org}/repos", "status": 502, "times": 1},
        {"route": "/orgs/{org}/repos", "action": "reset", "times": 1},
    ]));
    let out = discover(dir.path(), &["--org", "acme", "--format", "json"]).success();
    assert_eq!(names(&json_of(&out)["added"]).len(), 150);
    let faults: Vec<_> = standin
        .log()
        .into_iter()
        .filter(|e| !e["fault"].is_null())
        .collect();
    assert_eq!(faults.len(), 2, "{faults:?}");
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("GitHub failed; retrying"), "{stderr}");
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn the_token_never_goes_to_another_host() {
    let standin = Standin::start();
    standin.token(CANARY, "octo");
    standin.org("acme", many("r", 3));
    let spy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    spy.set_nonblocking(true).unwrap();
    let elsewhere = format!("http://{}/orgs/acme/repos", spy.local_addr().unwrap());
    standin.faults(json!([{"route": "/orgs/{org}/repos", "status": 302, "headers": {"Location": elsewhere}, "body": {"message": "moved"}, "times": -1}]));
    let dir = fleet(&standin, "", "", "");
    let out = discover(dir.path(), &["--org", "acme"]).failure();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("redirects are not followed"), "{stderr}");
    assert!(spy.accept().is_err(), "nothing connected to the other host");

    // An http:// API on a non-loopback host is refused before anything is sent.
    std::fs::write(
        dir.path().join("fleet.toml"),
        "[github]\napi_url = \"http://ghe.example.com/api/v3\"\n",
    )
    .unwrap();
    let out = discover(dir.path(), &["--org", "acme"]).code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("plain http:// is allowed only for a loopback address"),
        "{stderr}"
    );
}

#[test]
fn a_wrong_github_setting_is_a_located_config_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fleet.toml"), "[github]\nconcurrency = 0\n").unwrap();
    let out = drydock()
        .current_dir(dir.path())
        .args(["discover", "--org", "acme"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("fleet.toml:2:"), "{stderr}");
    assert!(
        stderr.contains("`concurrency` must be between 1 and 100"),
        "{stderr}"
    );

    std::fs::write(
        dir.path().join("fleet.toml"),
        "[github]\nprivate_key = \"k.pem\"\n",
    )
    .unwrap();
    let out = drydock()
        .current_dir(dir.path())
        .args(["discover", "--org", "acme"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("`private_key` is set but `app_id` is not"),
        "{stderr}"
    );
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn a_renamed_entry_is_reported_kept_and_not_added_again() {
    let standin = Standin::start();
    standin.token(CANARY, "octo");
    standin.org("acme", vec![json!({"name": "old-name"})]);
    standin.control("PATCH", "repos/acme/old-name", json!({"name": "new-name"}));
    let dir = fleet(
        &standin,
        "",
        "",
        "[[repo]]\nname = \"acme/old-name\" # renamed on GitHub\n",
    );
    let before = std::fs::read_to_string(dir.path().join("fleet.toml")).unwrap();

    let report = json_of(&discover(dir.path(), &["--org", "acme", "--format", "json"]).success());
    assert_eq!(
        report["gone"],
        json!([{"name": "acme/old-name", "reason": "renamed", "renamed_to": "acme/new-name"}])
    );
    assert_eq!(report["existing"], json!([]));
    // The new name is the renamed entry, not a repository to add: the fleet would list it twice.
    assert_eq!(report["added"], json!([]));
    // The old name is not listed any more: the look-up asked GraphQL to follow renames.
    let looked_up: Vec<Value> = standin
        .log()
        .into_iter()
        .filter(|e| e["route"] == "graphql")
        .collect();
    assert_eq!(looked_up.len(), 1, "{looked_up:?}");

    let text = discover(dir.path(), &["--org", "acme"]).success();
    insta::assert_snapshot!(
        String::from_utf8_lossy(&text.get_output().stdout),
        @r###"
    acme: 1 repositories listed, 0 to add, 0 already in the fleet, 1 gone
      ! acme/old-name (renamed to acme/new-name; change its `name` in fleet.toml)
    "###
    );

    let wrote = discover(
        dir.path(),
        &["--org", "acme", "--write", "--format", "json"],
    )
    .success();
    let report = json_of(&wrote);
    assert_eq!(report["gone"][0]["renamed_to"], "acme/new-name");
    let after = std::fs::read_to_string(dir.path().join("fleet.toml")).unwrap();
    assert_eq!(
        after, before,
        "the old entry is neither deleted nor rewritten, and the new name is not added"
    );
    assert_no_canary_in_files(dir.path());
}
