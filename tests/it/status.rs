//! `drydock status` end to end against the GitHub stand-in: 200 repositories with drydock's
//! pull request in every state (open with failing, pending and passing checks, conflicting,
//! draft, merged, declined, none, and a fork's pull request on the same branch name that is not
//! drydock's), one fleet entry GitHub does not know, two synced checkouts. Asserts the rows, the
//! counts, the request count from the stand-in's log (3 GraphQL queries for 201 repositories,
//! nothing else), the Markdown under the step-summary limit, and a JSON snapshot. The stand-in
//! validates every query against GitHub's schema; its drop fails the test on any violation.

use std::path::Path;

use serde_json::{Value, json};

use crate::support::drydock;
use crate::support::standin::Standin;

const TOKEN: &str = "ghp_status0123456789abcdefSTATUS";
const BRANCH: &str = "drydock/policy";
const REPOS: usize = 200;

/// What the test makes of repository `i`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Made {
    None,
    Failing,
    Pending,
    Passing,
    Conflicting,
    Draft,
    Merged,
    Declined,
}

fn made(i: usize) -> Made {
    [
        Made::None,
        Made::Failing,
        Made::Pending,
        Made::Passing,
        Made::Conflicting,
        Made::Draft,
        Made::Merged,
        Made::Declined,
    ][i % 8]
}

fn name(i: usize) -> String {
    format!("svc-{i:04}")
}

/// A pull request from drydock's branch, opened as the stand-in's control API does.
fn open_pr(standin: &Standin, repo: &str, draft: bool) -> u64 {
    standin.control(
        "POST",
        &format!("repos/acme/{repo}/commits"),
        json!({"branch": BRANCH, "create_from": "main", "files": {".github/dependabot.yml": "version: 2\nupdates: []\n"}, "message": "drydock: policy"}),
    );
    let pr = standin.control(
        "POST",
        &format!("repos/acme/{repo}/pulls"),
        json!({"head": BRANCH, "base": "main", "title": "drydock: policy", "author": "drydock[bot]", "draft": draft}),
    );
    pr["number"].as_u64().expect("a PR number")
}

fn patch(standin: &Standin, repo: &str, number: u64, body: Value) {
    standin.control("PATCH", &format!("repos/acme/{repo}/pulls/{number}"), body);
}

/// The stand-in's world: 200 repositories in every state.
fn world(standin: &Standin) {
    standin.token(TOKEN, "octo");
    standin.org(
        "acme",
        (0..REPOS)
            .map(|i| match i {
                // Synced, and not compliant: its Dockerfile wants a dependabot.yml.
                8 => json!({"name": name(i), "files": {"Dockerfile": "FROM python:3.8\n"}}),
                _ => json!({"name": name(i)}),
            })
            .collect(),
    );
    for i in 0..REPOS {
        let repo = name(i);
        match made(i) {
            Made::None => {
                if i % 16 == 0 {
                    // A fork's pull request from a branch of the same name is not drydock's.
                    standin.control(
                        "POST",
                        &format!("repos/acme/{repo}/commits"),
                        json!({"branch": BRANCH, "create_from": "main", "files": {"x": "fork\n"}}),
                    );
                    standin.control(
                        "POST",
                        &format!("repos/acme/{repo}/pulls"),
                        json!({"head": BRANCH, "base": "main", "title": "fork", "head_owner": "someone"}),
                    );
                }
            }
            Made::Failing => {
                let n = open_pr(standin, &repo, false);
                patch(
                    standin,
                    &repo,
                    n,
                    json!({"checks": "FAILURE", "mergeable": true}),
                );
            }
            Made::Pending => {
                let n = open_pr(standin, &repo, false);
                patch(
                    standin,
                    &repo,
                    n,
                    json!({"checks": "PENDING", "mergeable": true, "review_decision": "REVIEW_REQUIRED"}),
                );
            }
            Made::Passing => {
                let n = open_pr(standin, &repo, false);
                patch(
                    standin,
                    &repo,
                    n,
                    json!({"checks": "SUCCESS", "mergeable": true, "review_decision": "APPROVED"}),
                );
            }
            Made::Conflicting => {
                let n = open_pr(standin, &repo, false);
                patch(
                    standin,
                    &repo,
                    n,
                    json!({"checks": "SUCCESS", "mergeable": false, "review_decision": "CHANGES_REQUESTED"}),
                );
            }
            Made::Draft => {
                open_pr(standin, &repo, true);
            }
            Made::Merged => {
                let n = open_pr(standin, &repo, false);
                patch(standin, &repo, n, json!({"checks": "SUCCESS"}));
                standin.control(
                    "POST",
                    &format!("repos/acme/{repo}/pulls/{n}/merge"),
                    json!({"delete_branch": false}),
                );
            }
            Made::Declined => {
                let n = open_pr(standin, &repo, false);
                standin.control(
                    "POST",
                    &format!("repos/acme/{repo}/pulls/{n}/close"),
                    json!({}),
                );
            }
        }
    }
}

/// fleet.toml: the 200 repositories (three with a clone URL, to be synced) and one GitHub does
/// not know.
fn fleet(standin: &Standin) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let base = &standin.base;
    let mut text = format!("[fleet]\nworkspace = \"ws\"\n\n[github]\napi_url = \"{base}\"\n");
    for i in 0..REPOS {
        let repo = name(i);
        text.push_str(&format!("\n[[repo]]\nname = \"acme/{repo}\"\n"));
        if [0, 6, 8].contains(&i) {
            text.push_str(&format!("url = \"{base}/acme/{repo}.git\"\n"));
        }
    }
    text.push_str("\n[[repo]]\nname = \"acme/deleted\"\n");
    std::fs::write(dir.path().join("fleet.toml"), text).unwrap();
    dir
}

fn status(dir: &Path, args: &[&str]) -> std::process::Output {
    drydock()
        .current_dir(dir)
        .env("GITHUB_TOKEN", TOKEN)
        .arg("status")
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The row of a repository in the JSON report.
fn row<'a>(report: &'a Value, repo: &str) -> &'a Value {
    report["repos"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == format!("acme/{repo}"))
        .unwrap_or_else(|| panic!("no row for {repo}"))
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn every_pr_state_across_200_repositories_in_three_queries() {
    let standin = Standin::start();
    world(&standin);
    let dir = fleet(&standin);
    let synced = drydock()
        .current_dir(dir.path())
        .env("GITHUB_TOKEN", TOKEN)
        .args(["sync", "--repo", "acme/svc-0000", "--repo", "acme/svc-0006"])
        .args(["--repo", "acme/svc-0008"])
        .output()
        .unwrap();
    assert!(synced.status.success(), "{}", text(&synced.stderr));

    standin.clear_log();
    let out = status(dir.path(), &["--format", "json", "-v"]);
    let stderr = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(3),
        "acme/deleted is unreadable\n{stderr}"
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");

    // 201 repositories of one owner, 100 a query: 3 GraphQL queries and no other request.
    let summary = standin.summary();
    assert_eq!(summary["requests"], 3, "{summary}");
    assert_eq!(
        summary["per_kind"],
        json!({"graphql-query": 3}),
        "{summary}"
    );
    assert!(
        stderr.contains("GitHub: 3 requests (3 status queries) for 201 repositories; GraphQL cost"),
        "-v shows the cost: {stderr}"
    );

    assert_eq!(report["version"], 1);
    let repos = report["repos"].as_array().unwrap();
    assert_eq!(repos.len(), REPOS + 1);
    for i in 0..REPOS {
        let r = row(&report, &name(i));
        let pr = &r["pr"];
        let (state, checks, mergeable) = match made(i) {
            Made::None => {
                assert_eq!(pr, &Value::Null, "{r}");
                continue;
            }
            Made::Failing => ("open", "failure", json!(true)),
            Made::Pending => ("open", "pending", json!(true)),
            Made::Passing => ("open", "success", json!(true)),
            Made::Conflicting => ("open", "success", json!(false)),
            Made::Draft => ("draft", "none", Value::Null),
            Made::Merged => ("merged", "success", Value::Null),
            Made::Declined => ("declined", "none", Value::Null),
        };
        assert_eq!(
            (&pr["state"], &pr["checks"], &pr["mergeable"]),
            (&json!(state), &json!(checks), &mergeable),
            "{r}"
        );
        assert_eq!(pr["age_days"], 0);
        assert!(
            pr["url"].as_str().unwrap().ends_with(&format!(
                "/acme/{}/pull/{}",
                name(i),
                pr["number"]
            )),
            "{r}"
        );
    }
    assert_eq!(row(&report, "svc-0003")["pr"]["review"], "approved");
    assert_eq!(
        row(&report, "svc-0004")["attention"],
        json!(["conflict", "blocked"])
    );
    assert_eq!(
        row(&report, "svc-0001")["attention"],
        json!(["failing_checks"])
    );
    assert_eq!(row(&report, "svc-0007")["attention"], json!(["declined"]));
    let deleted = &report["repos"][REPOS];
    assert_eq!(deleted["name"], "acme/deleted");
    assert_eq!(deleted["pr"], Value::Null);
    assert!(
        deleted["error"]
            .as_str()
            .unwrap()
            .contains("acme/deleted: GitHub does not resolve it"),
        "{deleted}"
    );

    // 25 of each state; 13 of the 25 "none" had a fork's pull request, ignored.
    assert_eq!(
        report["counts"],
        json!({"repos": 201, "none": 25, "open": 100, "draft": 25, "merged": 25, "declined": 25,
               "unreadable": 1, "compliant": 2, "not_compliant": 1, "not_measured": 198,
               "needs_human": 75})
    );

    // The synced checkouts are measured, as of their sync; the others are not.
    let dockerfile = row(&report, "svc-0008");
    assert_eq!(dockerfile["compliant"], false, "{dockerfile}");
    assert!(
        dockerfile["changes_due"].as_u64().unwrap() > 0,
        "{dockerfile}"
    );
    for repo in ["svc-0000", "svc-0006", "svc-0008"] {
        let r = row(&report, repo);
        let compliant = r["compliant"].as_bool().expect("measured");
        let due = r["changes_due"].as_u64().unwrap();
        let errors = r["error_findings"].as_u64().unwrap();
        assert_eq!(compliant, due == 0 && errors == 0, "{r}");
        assert!(r["measured_at"].as_str().unwrap().ends_with('Z'), "{r}");
    }
    assert_eq!(row(&report, "svc-0001")["measured_at"], Value::Null);
    assert_eq!(row(&report, "svc-0001")["compliant"], Value::Null);

    // A snapshot of the first state of each kind, the counts, and the unreadable entry.
    let mut shown: Vec<Value> = repos[..9].to_vec();
    shown.push(deleted.clone());
    let snapshot =
        serde_json::to_string_pretty(&json!({"repos": shown, "counts": report["counts"]}))
            .unwrap()
            .replace(&standin.base, "http://standin");
    let snapshot = regex_lite_measured(&snapshot);
    insta::assert_snapshot!(snapshot);

    // Markdown for a job summary: under 1 MiB, the long table collapsed.
    let md = status(dir.path(), &["--format", "markdown"]);
    assert_eq!(md.status.code(), Some(3));
    let md = text(&md.stdout);
    assert!(md.len() < 1024 * 1024, "{} bytes", md.len());
    assert!(md.starts_with("## drydock status\n"), "{md:.200}");
    assert!(md.contains("<details><summary>201 repositories</summary>"));
    assert!(md.contains("### Needs a human first (75)"));
    assert!(md.contains("- `acme/deleted`: "));
    assert_eq!(
        md.lines().filter(|l| l.starts_with("| `acme/")).count(),
        201
    );

    // Text, for a part of the fleet that GitHub knows entirely: exit 0.
    let t = status(
        dir.path(),
        &[
            "--repo",
            "acme/svc-0001",
            "--repo",
            "acme/svc-0008",
            "--repo",
            "acme/svc-0006",
        ],
    );
    let t_out = text(&t.stdout);
    assert_eq!(t.status.code(), Some(0), "{t_out}\n{}", text(&t.stderr));
    assert!(t_out.starts_with("REPOSITORY "), "{t_out}");
    assert!(
        t_out.contains("3 repositories: 1 open, 1 merged, 1 without a pull request"),
        "{t_out}"
    );
    assert!(
        t_out.contains("needs a human first (1):\n  acme/svc-0001 #"),
        "{t_out}"
    );
    assert!(t_out.contains("`drydock sync` refreshes it"), "{t_out}");
    for output in [&out.stdout, &out.stderr, &t.stdout, &t.stderr] {
        assert!(!text(output).contains(TOKEN));
    }
}

/// The report with the sync times of the measured rows replaced (they are the test's clock).
fn regex_lite_measured(json: &str) -> String {
    json.lines()
        .map(|l| {
            if l.trim_start().starts_with("\"measured_at\": \"") {
                let indent = &l[..l.len() - l.trim_start().len()];
                format!("{indent}\"measured_at\": \"[sync time]\",")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
