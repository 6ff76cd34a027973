//! `drydock apply` end to end: real git over the stand-in's smart HTTP, the stand-in's API
//! (every request checked against GitHub's descriptions; violations fail the test on drop), a
//! canary token that must never show up. The human cases: a rerun that sends nothing, drift
//! after a merge, new content, a moved default branch, a foreign commit, a declined pull
//! request and `--reopen`, a plan that became empty, a branch without its pull request, labels
//! added by hand, an archived repository, no workflow permission, `--dry-run`, `--prune`, and
//! labels, assignees, reviewers and team reviewers from `[apply]` with a `[repo.apply]` override.

use std::path::Path;

use serde_json::{Value, json};

use crate::support::git_remote::git;
use crate::support::standin::{Standin, app_key_pair};
use crate::support::{drydock, files_under};

const CANARY: &str = "ghp_CANARYapply0123456789abcdefCANARY";
const BRANCH: &str = "drydock/policy";
const DEPENDABOT: &str = ".github/dependabot.yml";

fn fleet(standin: &Standin, names: &[&str], github_extra: &str, rest: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let base = &standin.base;
    let repos: String = names
        .iter()
        .map(|n| format!("[[repo]]\nname = \"acme/{n}\"\nurl = \"{base}/acme/{n}.git\"\n\n"))
        .collect();
    std::fs::write(
        dir.path().join("fleet.toml"),
        format!(
            "[fleet]\nworkspace = \"ws\"\n\n[github]\napi_url = \"{base}\"\n{github_extra}\n{rest}\n{repos}"
        ),
    )
    .unwrap();
    dir
}

fn apply(dir: &Path, args: &[&str]) -> std::process::Output {
    drydock()
        .current_dir(dir)
        .env("GITHUB_TOKEN", CANARY)
        .env("DRYDOCK_LOG", "drydock=debug")
        .arg("apply")
        .args(args)
        .output()
        .unwrap()
}

/// `apply --format json`, its report and exit status; the canary is in neither stream.
fn apply_json(dir: &Path, args: &[&str]) -> (Value, i32) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = apply(dir, &all);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stdout.contains(CANARY) && !stderr.contains(CANARY),
        "the token leaked"
    );
    let report: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("JSON output ({e}): {stdout}\nstderr: {stderr}"));
    (report, out.status.code().unwrap_or(-1))
}

fn result_of<'a>(report: &'a Value, repo: &str) -> &'a Value {
    report["repos"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == repo)
        .unwrap_or_else(|| panic!("{repo} not in {report}"))
}

fn results(report: &Value) -> Vec<(String, String)> {
    report["repos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_string(),
                r["result"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn repo_state(standin: &Standin, name: &str) -> Value {
    standin.control("GET", &format!("repos/acme/{name}"), json!({}))
}

fn pulls(standin: &Standin, name: &str) -> Vec<Value> {
    repo_state(standin, name)["pulls"]
        .as_array()
        .unwrap()
        .clone()
}

fn writes(standin: &Standin) -> Vec<Value> {
    standin
        .log()
        .into_iter()
        .filter(|e| {
            matches!(
                e["kind"].as_str(),
                Some("write" | "graphql-mutation" | "git-push")
            )
        })
        .collect()
}

fn api_reads(standin: &Standin) -> usize {
    standin
        .log()
        .into_iter()
        .filter(|e| matches!(e["kind"].as_str(), Some("read" | "graphql-query")))
        .count()
}

/// A commit on a stand-in branch, by someone else.
fn human_commit(standin: &Standin, name: &str, branch: &str, files: Value) -> String {
    let out = standin.control(
        "POST",
        &format!("repos/acme/{name}/commits"),
        json!({"branch": branch, "files": files, "message": "a person's change",
               "author": {"name": "Pat Person", "email": "pat@example.com"}}),
    );
    out["sha"].as_str().unwrap().to_string()
}

/// Files drydock's branch changes against the default branch, per the stand-in's git.
fn changed_files(standin: &Standin, name: &str) -> Vec<String> {
    let gitdir = repo_state(standin, name)["gitdir"]
        .as_str()
        .unwrap()
        .to_string();
    git(
        Path::new(&gitdir),
        &["diff", "--name-only", &format!("main...{BRANCH}")],
    )
    .lines()
    .map(str::to_string)
    .collect()
}

fn show(standin: &Standin, name: &str, spec: &str) -> String {
    let gitdir = repo_state(standin, name)["gitdir"]
        .as_str()
        .unwrap()
        .to_string();
    let mut args = vec!["show"];
    args.extend(spec.split(' '));
    git(Path::new(&gitdir), &args)
}

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

fn docker_repo(name: &str) -> Value {
    json!({"name": name, "files": {"Dockerfile": "FROM alpine:3.20\n", "README.md": "hi\n"}})
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn rollout_rerun_rebase_new_content_merge_and_drift() {
    let standin = Standin::start();
    standin.token(CANARY, "octo");
    standin.org("acme", vec![docker_repo("web"), docker_repo("api")]);
    let dir = fleet(
        &standin,
        &["web", "api"],
        "",
        "[apply]\nlabels = [\"drydock\"]\npolicy_url = \"https://example.com/policy\"\n",
    );

    // First rollout: one pull request per repository, with exactly the planned files.
    let (report, code) = apply_json(dir.path(), &[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        results(&report),
        [
            ("acme/web".to_string(), "opened".to_string()),
            ("acme/api".to_string(), "opened".to_string())
        ]
    );
    for name in ["web", "api"] {
        let prs = pulls(&standin, name);
        assert_eq!(prs.len(), 1, "{prs:?}");
        assert_eq!(prs[0]["head"], BRANCH);
        assert_eq!(prs[0]["labels"], json!(["drydock"]));
        assert!(
            prs[0]["body"]
                .as_str()
                .unwrap()
                .contains("<!-- drydock:content=")
        );
        assert_eq!(changed_files(&standin, name), [DEPENDABOT]);
        let message = show(&standin, name, &format!("-s --format=%B {BRANCH}"));
        assert!(message.contains("Drydock-Content: "), "{message}");
        let pr = &result_of(&report, &format!("acme/{name}"))["pr"];
        assert_eq!(pr["number"], prs[0]["number"]);
    }
    let journal_dir = dir.path().join("ws/runs");
    assert_eq!(std::fs::read_dir(&journal_dir).unwrap().count(), 1);

    // Labels a person adds stay.
    let web_pr = pulls(&standin, "web")[0]["number"].as_u64().unwrap();
    standin.control(
        "PATCH",
        &format!("repos/acme/web/pulls/{web_pr}"),
        json!({"labels": ["drydock", "keep-me"]}),
    );

    // A rerun with nothing new: no write at all, one GraphQL read for both repositories.
    standin.clear_log();
    let (report, code) = apply_json(dir.path(), &[]);
    assert_eq!(code, 0);
    assert!(
        results(&report).iter().all(|(_, r)| r == "unchanged"),
        "{report}"
    );
    assert_eq!(writes(&standin), Vec::<Value>::new());
    assert!(api_reads(&standin) <= 1, "{:#?}", standin.log());
    let labels = pulls(&standin, "web")[0]["labels"].clone();
    assert_eq!(labels, json!(["drydock", "keep-me"]));

    // The default branch moved: drydock's commit is rebased onto the new tip, body unchanged.
    let body_before = pulls(&standin, "web")[0]["body"].clone();
    let tip = human_commit(&standin, "web", "main", json!({"README.md": "moved\n"}));
    let (report, _) = apply_json(dir.path(), &["--repo", "acme/web"]);
    assert_eq!(
        result_of(&report, "acme/web")["result"],
        "updated",
        "{report}"
    );
    let parent = show(&standin, "web", &format!("-s --format=%P {BRANCH}"));
    assert_eq!(parent.trim(), tip);
    assert_eq!(pulls(&standin, "web")[0]["body"], body_before);
    assert_eq!(pulls(&standin, "web").len(), 1);

    // New content (a second Dockerfile): a new commit and a new body on the same PR.
    human_commit(
        &standin,
        "web",
        "main",
        json!({"svc/Dockerfile": "FROM alpine:3.20\n"}),
    );
    let (report, _) = apply_json(dir.path(), &["--repo", "acme/web"]);
    assert_eq!(result_of(&report, "acme/web")["result"], "updated");
    let prs = pulls(&standin, "web");
    assert_eq!(prs.len(), 1);
    assert_ne!(prs[0]["body"], body_before);
    assert!(show(&standin, "web", &format!("{BRANCH}:{DEPENDABOT}")).contains("/svc"));

    // Merged: done. Then drift on the default branch: a new pull request.
    standin.control(
        "POST",
        &format!("repos/acme/web/pulls/{web_pr}/merge"),
        json!({}),
    );
    let (report, _) = apply_json(dir.path(), &["--repo", "acme/web"]);
    assert_eq!(
        result_of(&report, "acme/web")["result"],
        "merged",
        "{report}"
    );
    human_commit(&standin, "web", "main", json!({DEPENDABOT: null}));
    let (report, _) = apply_json(dir.path(), &["--repo", "acme/web"]);
    assert_eq!(
        result_of(&report, "acme/web")["result"],
        "opened",
        "{report}"
    );
    let prs = pulls(&standin, "web");
    assert_eq!(prs.len(), 2);
    assert_eq!(prs[1]["state"], "open");

    // Three more reruns: no duplicate pull request or branch.
    for _ in 0..3 {
        let (report, _) = apply_json(dir.path(), &[]);
        assert!(
            results(&report).iter().all(|(_, r)| r == "unchanged"),
            "{report}"
        );
    }
    assert_eq!(pulls(&standin, "web").len(), 2);
    assert_eq!(pulls(&standin, "api").len(), 1);
    assert_no_canary_in_files(dir.path());
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn humans_foreign_commit_declined_reopen_empty_plan_crashed_branch_archived_prune() {
    let standin = Standin::start();
    standin.token(CANARY, "octo");
    let names = ["foreign", "declined", "fixed", "crashed", "archived"];
    standin.org("acme", names.iter().map(|n| docker_repo(n)).collect());
    let dir = fleet(&standin, &names, "", "");
    // crashed: its pull request cannot be created this time, after the push.
    standin.faults(json!([{"route": "^/repos/acme/crashed/pulls$", "method": "POST", "status": 403,
                           "body": {"message": "Resource not accessible by integration"}, "times": 1}]));
    let (report, code) = apply_json(dir.path(), &[]);
    assert_eq!(code, 3, "{report}");
    assert_eq!(
        result_of(&report, "acme/crashed")["result"],
        "failed",
        "{report}"
    );
    assert!(repo_state(&standin, "crashed")["branches"][BRANCH].is_string());
    assert!(
        results(&report)
            .iter()
            .all(|(n, r)| r == "opened" || n == "acme/crashed"),
        "{report}"
    );

    // A branch without its pull request (the first run's PR creation failed after the push)
    // gets its pull request from `--only-failed`, and nothing is pushed again.
    standin.clear_log();
    let (report, code) = apply_json(dir.path(), &["--only-failed"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        result_of(&report, "acme/crashed")["result"],
        "opened",
        "{report}"
    );
    assert_eq!(
        result_of(&report, "acme/fixed")["result"],
        "opened",
        "carried over: {report}"
    );
    assert_eq!(pulls(&standin, "crashed").len(), 1);
    assert!(
        writes(&standin).iter().all(|w| w["kind"] != "git-push"),
        "{:#?}",
        writes(&standin)
    );

    // foreign: someone commits on drydock's branch; the default branch then moves.
    let theirs = human_commit(&standin, "foreign", BRANCH, json!({"notes.txt": "mine\n"}));
    human_commit(&standin, "foreign", "main", json!({"README.md": "moved\n"}));
    // declined: closed without merging.
    let declined_pr = pulls(&standin, "declined")[0]["number"].as_u64().unwrap();
    standin.control(
        "POST",
        &format!("repos/acme/declined/pulls/{declined_pr}/close"),
        json!({}),
    );
    // fixed: someone commits the planned file to the default branch themselves.
    let planned = show(&standin, "fixed", &format!("{BRANCH}:{DEPENDABOT}"));
    human_commit(&standin, "fixed", "main", json!({DEPENDABOT: planned}));
    // archived since the last run.
    standin.control("PATCH", "repos/acme/archived", json!({"archived": true}));

    standin.clear_log();
    let (report, code) = apply_json(dir.path(), &[]);
    assert_eq!(code, 0, "{report}");
    let foreign = result_of(&report, "acme/foreign");
    assert_eq!(foreign["result"], "blocked", "{report}");
    let reason = foreign["reason"].as_str().unwrap();
    assert!(
        reason.contains(&theirs[..12]) && reason.contains("pat@example.com"),
        "{reason}"
    );
    assert_eq!(
        repo_state(&standin, "foreign")["branches"][BRANCH],
        theirs.as_str()
    );
    assert_eq!(result_of(&report, "acme/declined")["result"], "declined");
    assert_eq!(result_of(&report, "acme/fixed")["result"], "closed");
    let fixed = &pulls(&standin, "fixed")[0];
    assert_eq!(fixed["state"], "closed");
    assert!(
        fixed["comments"][0]
            .as_str()
            .unwrap()
            .contains("nothing left to merge")
    );
    assert_eq!(result_of(&report, "acme/archived")["result"], "blocked");
    assert!(
        result_of(&report, "acme/archived")["reason"]
            .as_str()
            .unwrap()
            .contains("archived")
    );
    let sent: Vec<Value> = writes(&standin);
    assert!(
        sent.iter().all(|w| w["repo"] == "acme/fixed"),
        "only the close of acme/fixed writes: {sent:#?}"
    );

    // --reopen reopens the declined one; nothing else changes.
    let (report, _) = apply_json(dir.path(), &["--reopen", "--repo", "acme/declined"]);
    assert_eq!(
        result_of(&report, "acme/declined")["result"],
        "opened",
        "{report}"
    );
    assert_eq!(pulls(&standin, "declined")[0]["state"], "open");
    assert_eq!(pulls(&standin, "declined").len(), 1);

    // --prune deletes drydock's branch of the merged PR, never the blocked one's.
    let fixed_branch = repo_state(&standin, "fixed")["branches"][BRANCH].clone();
    assert!(fixed_branch.is_string());
    let (report, _) = apply_json(dir.path(), &["--prune"]);
    assert_eq!(
        result_of(&report, "acme/fixed")["result"],
        "no-change",
        "{report}"
    );
    assert!(repo_state(&standin, "fixed")["branches"][BRANCH].is_null());
    assert_eq!(
        repo_state(&standin, "foreign")["branches"][BRANCH],
        theirs.as_str()
    );
    assert_no_canary_in_files(dir.path());
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn dry_run_sends_nothing_and_the_report_has_its_shape() {
    let standin = Standin::start();
    standin.token(CANARY, "octo");
    standin.org("acme", vec![docker_repo("web")]);
    let dir = fleet(&standin, &["web"], "", "");
    standin.clear_log();
    let out = apply(dir.path(), &["--dry-run"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("would open a pull request"), "{stdout}");
    assert!(
        stdout.contains(&format!("--- file {DEPENDABOT}")),
        "{stdout}"
    );
    assert!(stdout.contains("Drydock-Content: "), "{stdout}");
    assert!(stdout.contains("<!-- drydock:content="), "{stdout}");
    assert_eq!(writes(&standin), Vec::<Value>::new());
    assert!(pulls(&standin, "web").is_empty());
    assert!(
        !dir.path().join("ws/runs").exists(),
        "a dry run writes no journal"
    );

    let (report, code) = apply_json(dir.path(), &[]);
    assert_eq!(code, 0, "{report}");
    let run = report["run"].as_str().unwrap().to_string();
    assert!(dir.path().join(format!("ws/runs/{run}.jsonl")).is_file());
    let mut shape = report.clone();
    shape["run"] = json!("<run>");
    shape["repos"][0]["pr"]["url"] = json!("<url>");
    insta::assert_json_snapshot!("apply_json_report", shape);

    // The journal: one line per step, run-started first, run-finished last.
    let text = std::fs::read_to_string(dir.path().join(format!("ws/runs/{run}.jsonl"))).unwrap();
    let steps: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["step"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        steps,
        [
            "run-started",
            "planned",
            "decided",
            "commit",
            "push",
            "pr-create",
            "done",
            "run-finished"
        ]
    );
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn an_app_without_workflows_permission_is_told_per_repository_and_the_others_go_on() {
    let standin = Standin::start();
    let (private, public) = app_key_pair();
    standin.control(
        "POST",
        "app",
        json!({"id": 42, "slug": "drydock-test", "public_key": public, "token_lifetime": 3600}),
    );
    let permissions = json!({"metadata": "read", "contents": "write", "pull_requests": "write"});
    standin.control(
        "POST",
        "installations",
        json!({"owner": "acme", "permissions": permissions}),
    );
    standin.org(
        "acme",
        vec![
            docker_repo("web"),
            json!({"name": "docs", "files": {"package.json": "{}\n"}}),
        ],
    );
    let dir = fleet(
        &standin,
        &["web", "docs"],
        "app_id = 42\nprivate_key = \"app.pem\"\n",
        &format!(
            "[workflow]\ndrydock_image = \"ghcr.io/acme/drydock:1.2.0@sha256:{}\"\n",
            "a".repeat(64)
        ),
    );
    std::fs::write(dir.path().join("app.pem"), &private).unwrap();
    let (report, code) = apply_json(dir.path(), &[]);
    assert_eq!(code, 3, "{report}");
    let web = result_of(&report, "acme/web");
    assert_eq!(web["result"], "failed");
    assert!(
        web["reason"].as_str().unwrap().contains("workflows: write"),
        "{web}"
    );
    assert_eq!(
        result_of(&report, "acme/docs")["result"],
        "opened",
        "{report}"
    );
    assert!(
        repo_state(&standin, "web")["branches"][BRANCH].is_null(),
        "nothing pushed"
    );
    assert!(pulls(&standin, "web").is_empty());
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn api_commits_open_converge_and_rebase() {
    let standin = Standin::start();
    standin.token(CANARY, "octo");
    standin.org("acme", vec![docker_repo("web")]);
    let dir = fleet(&standin, &["web"], "", "[apply]\ncommit = \"api\"\n");
    let (report, code) = apply_json(dir.path(), &[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(result_of(&report, "acme/web")["result"], "opened");
    assert_eq!(changed_files(&standin, "web"), [DEPENDABOT]);
    assert!(writes(&standin).iter().all(|w| w["kind"] != "git-push"));
    let message = show(&standin, "web", &format!("-s --format=%B {BRANCH}"));
    assert!(message.contains("Drydock-Content: "), "{message}");

    standin.clear_log();
    let (report, _) = apply_json(dir.path(), &[]);
    assert_eq!(
        result_of(&report, "acme/web")["result"],
        "unchanged",
        "{report}"
    );
    assert_eq!(writes(&standin), Vec::<Value>::new());

    let tip = human_commit(&standin, "web", "main", json!({"README.md": "moved\n"}));
    let (report, _) = apply_json(dir.path(), &[]);
    assert_eq!(
        result_of(&report, "acme/web")["result"],
        "updated",
        "{report}"
    );
    let parent = show(&standin, "web", &format!("-s --format=%P {BRANCH}"));
    assert_eq!(parent.trim(), tip);
    assert_eq!(pulls(&standin, "web").len(), 1);
    assert_no_canary_in_files(dir.path());
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn labels_assignees_reviewers_and_teams_from_apply_and_repo_apply_converge() {
    let standin = Standin::start();
    standin.token(CANARY, "octo");
    standin.org("acme", vec![docker_repo("web"), docker_repo("shop")]);
    let dir = fleet(
        &standin,
        &["web"],
        "",
        "[apply]\nlabels = [\"drydock\", \"deps\"]\nassignees = [\"alice\", \"bob\"]\n\
         reviewers = [\"carol\"]\nteam_reviewers = [\"platform\"]\n",
    );
    // acme/shop overrides every list: each replaces the fleet's.
    let fleet_toml = dir.path().join("fleet.toml");
    let mut text = std::fs::read_to_string(&fleet_toml).unwrap();
    text.push_str(&format!(
        "[[repo]]\nname = \"acme/shop\"\nurl = \"{}/acme/shop.git\"\n\n[repo.apply]\n\
         labels = [\"shop-policy\"]\nassignees = [\"dave\"]\nreviewers = [\"erin\", \"frank\"]\n\
         team_reviewers = [\"shop-maintainers\"]\n",
        standin.base
    ));
    std::fs::write(&fleet_toml, text).unwrap();

    let (report, code) = apply_json(dir.path(), &[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        results(&report),
        [
            ("acme/web".to_string(), "opened".to_string()),
            ("acme/shop".to_string(), "opened".to_string())
        ]
    );
    let expected = [
        (
            "web",
            json!({"labels": ["drydock", "deps"], "assignees": ["alice", "bob"],
                   "requested_reviewers": ["carol"], "requested_teams": ["platform"]}),
        ),
        (
            "shop",
            json!({"labels": ["shop-policy"], "assignees": ["dave"],
                   "requested_reviewers": ["erin", "frank"],
                   "requested_teams": ["shop-maintainers"]}),
        ),
    ];
    let carried = |name: &str| {
        let prs = pulls(&standin, name);
        assert_eq!(prs.len(), 1, "{prs:?}");
        let pr = &prs[0];
        json!({"labels": pr["labels"], "assignees": pr["assignees"],
               "requested_reviewers": pr["requested_reviewers"],
               "requested_teams": pr["requested_teams"]})
    };
    for (name, want) in &expected {
        assert_eq!(&carried(name), want, "acme/{name}");
    }

    // A person labels web's pull request; the rerun sends nothing and the label stays.
    let web_pr = pulls(&standin, "web")[0]["number"].as_u64().unwrap();
    standin.control(
        "PATCH",
        &format!("repos/acme/web/pulls/{web_pr}"),
        json!({"labels": ["drydock", "deps", "keep-me"]}),
    );
    standin.clear_log();
    let (report, code) = apply_json(dir.path(), &[]);
    assert_eq!(code, 0, "{report}");
    assert!(
        results(&report).iter().all(|(_, r)| r == "unchanged"),
        "{report}"
    );
    assert_eq!(writes(&standin), Vec::<Value>::new());
    let mut web_now = expected[0].1.clone();
    web_now["labels"] = json!(["drydock", "deps", "keep-me"]);
    assert_eq!(carried("web"), web_now);
    assert_eq!(carried("shop"), expected[1].1);
    assert_eq!(standin.violations()["violations"], json!([]));
    assert_no_canary_in_files(dir.path());
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn a_review_request_github_refuses_is_a_note_not_a_failure() {
    let standin = Standin::start();
    standin.token(CANARY, "octo");
    standin.org("acme", vec![docker_repo("web")]);
    // The token's own login as reviewer: GitHub refuses to request a review from the author.
    let dir = fleet(&standin, &["web"], "", "[apply]\nreviewers = [\"octo\"]\n");
    standin.faults(json!([{
        "route": "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers",
        "method": "POST",
        "status": 422,
        "body": {"message": "Review cannot be requested from pull request author."},
        "times": -1
    }]));
    let (report, code) = apply_json(dir.path(), &[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        results(&report),
        [("acme/web".to_string(), "opened".to_string())]
    );
    let reason = report["repos"][0]["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("review not requested") && reason.contains("pull request author"),
        "{report}"
    );
    assert_eq!(pulls(&standin, "web").len(), 1);
    // The next run does not ask again, and does not fail.
    standin.clear_log();
    let (report, code) = apply_json(dir.path(), &[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        results(&report),
        [("acme/web".to_string(), "unchanged".to_string())]
    );
    assert_eq!(writes(&standin), Vec::<Value>::new());
    assert_no_canary_in_files(dir.path());
}
