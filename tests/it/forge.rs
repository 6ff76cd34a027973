//! The forge adapter's operations against the GitHub stand-in, through the library: the pull
//! request life cycle, a commit through `createCommitOnBranch`, bulk status, a create that may
//! or may not have landed (never sent twice blindly), GraphQL's `RATE_LIMITED` inside a 200,
//! and proof that a request GitHub would reject (a PR without `base`) is caught.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use drydock::forge::auth::Credentials;
use drydock::forge::config::Limits;
use drydock::forge::github::{GitHub, GitHubOptions};
use drydock::forge::host::GitHubHost;
use drydock::forge::pacer::Wait;
use drydock::forge::{ErrorKind, FileChange, Forge, NewCommit, NewPullRequest, PullRequestUpdate};
use serde_json::json;

use crate::support::standin::Standin;

const TOKEN: &str = "ghp_forgeTestToken0123456789";

fn client(standin: &Standin) -> (GitHub, Arc<Mutex<Vec<String>>>) {
    client_with(
        standin,
        Limits {
            write_interval: Duration::from_millis(50),
            ..Limits::default()
        },
    )
}

fn client_with(standin: &Standin, limits: Limits) -> (GitHub, Arc<Mutex<Vec<String>>>) {
    let waits = Arc::new(Mutex::new(Vec::new()));
    let sink = waits.clone();
    let gh = GitHub::new(GitHubOptions {
        host: GitHubHost::from_api_url(&standin.base).unwrap(),
        credentials: Credentials::Token(secrecy::SecretString::from(TOKEN.to_string())),
        limits,
        cache_dir: None,
        on_wait: Arc::new(move |w: &Wait| sink.lock().unwrap().push(w.to_string())),
        timeout: Duration::from_secs(30),
    })
    .unwrap();
    (gh, waits)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn world(standin: &Standin) -> String {
    standin.token(TOKEN, "octo");
    standin.org(
        "acme",
        vec![json!({"name": "web", "files": {"Dockerfile": "FROM alpine:3.19\n"}})],
    );
    standin.control("GET", "repos/acme/web", json!({}))["branches"]["main"]
        .as_str()
        .unwrap()
        .to_string()
}

fn new_pr() -> NewPullRequest {
    NewPullRequest {
        head: "drydock/base-images".into(),
        base: "main".into(),
        title: "drydock: base images".into(),
        body: "Managed by drydock.".into(),
        draft: false,
    }
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn branch_commit_pull_request_labels_reviewers_status_update() {
    let standin = Standin::start();
    let main = world(&standin);
    // GitHub's defaults: content-creating requests at least 1 s apart.
    let (gh, waits) = client_with(&standin, Limits::default());
    runtime().block_on(async {
        let repo = gh.repository("acme/web").await.unwrap();
        assert_eq!(repo.default_branch.as_deref(), Some("main"));
        gh.create_branch("acme/web", "drydock/base-images", &main)
            .await
            .unwrap();
        let sha = gh
            .create_commit(
                "acme/web",
                &NewCommit {
                    body: None,
                    branch: "drydock/base-images".into(),
                    expected_head: main.clone(),
                    headline: "drydock: base images".into(),
                    changes: vec![FileChange {
                        path: "Dockerfile".into(),
                        contents: Some(b"FROM alpine:3.20\n".to_vec()),
                    }],
                },
            )
            .await
            .unwrap();
        assert_eq!(sha.len(), 40);
        let stale = gh
            .create_commit(
                "acme/web",
                &NewCommit {
                    body: None,
                    branch: "drydock/base-images".into(),
                    expected_head: main.clone(),
                    headline: "again".into(),
                    changes: vec![FileChange {
                        path: "x".into(),
                        contents: Some(b"y".to_vec()),
                    }],
                },
            )
            .await
            .unwrap_err();
        assert!(stale.to_string().contains("the branch moved"), "{stale}");

        assert_eq!(
            gh.find_pull_request("acme/web", "drydock/base-images")
                .await
                .unwrap(),
            None
        );
        let pr = gh.create_pull_request("acme/web", &new_pr()).await.unwrap();
        assert_eq!(
            gh.find_pull_request("acme/web", "drydock/base-images")
                .await
                .unwrap(),
            Some(pr.clone())
        );
        gh.add_labels("acme/web", pr.number, &["dependencies".into()])
            .await
            .unwrap();
        gh.request_reviewers("acme/web", pr.number, &["alice".into()], &[])
            .await
            .unwrap();
        let status = gh
            .pull_request_statuses(&[
                ("acme/web".into(), "drydock/base-images".into()),
                ("acme/nope".into(), "drydock/base-images".into()),
            ])
            .await
            .unwrap();
        assert_eq!(
            status.len(),
            1,
            "the missing repository does not lose the other"
        );
        let web = &status[&("acme/web".to_string(), "drydock/base-images".to_string())];
        assert_eq!((web.number, web.state.as_str()), (pr.number, "OPEN"));
        let updated = gh
            .update_pull_request(
                "acme/web",
                pr.number,
                &PullRequestUpdate {
                    title: Some("drydock: newer".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(updated.title, "drydock: newer");
    });
    let summary = standin.summary();
    assert!(
        summary["content_creating"].as_u64().unwrap() >= 6,
        "{summary}"
    );
    assert!(
        summary["min_content_gap_s"].as_f64().unwrap() >= 0.95,
        "{summary}"
    );
    assert!(
        waits
            .lock()
            .unwrap()
            .iter()
            .any(|w| w.contains("spacing writes")),
        "the spacing is reported"
    );
    let state = standin.control("GET", "repos/acme/web", json!({}));
    let pull = &state["pulls"][0];
    assert_eq!(pull["labels"], json!(["dependencies"]), "{pull}");
    assert_eq!(pull["requested_reviewers"], json!(["alice"]), "{pull}");
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn a_create_that_may_have_landed_is_looked_up_not_sent_twice() {
    let standin = Standin::start();
    let main = world(&standin);
    let (gh, _) = client(&standin);
    standin.faults(json!([{"route": "/repos/{owner}/{repo}/pulls", "method": "POST", "action": "reset_after", "times": 1}]));
    let pr = runtime().block_on(async {
        gh.create_branch("acme/web", "drydock/base-images", &main)
            .await
            .unwrap();
        gh.create_commit(
            "acme/web",
            &NewCommit {
                body: None,
                branch: "drydock/base-images".into(),
                expected_head: main.clone(),
                headline: "c".into(),
                changes: vec![FileChange {
                    path: "Dockerfile".into(),
                    contents: Some(b"FROM alpine:3.20\n".to_vec()),
                }],
            },
        )
        .await
        .unwrap();
        gh.create_pull_request("acme/web", &new_pr()).await.unwrap()
    });
    let state = standin.control("GET", "repos/acme/web", json!({}));
    assert_eq!(
        state["pulls"].as_array().unwrap().len(),
        1,
        "one pull request, not two"
    );
    assert_eq!(state["pulls"][0]["number"], pr.number);
    let creates = standin
        .log()
        .into_iter()
        .filter(|e| e["operation"] == "pulls/create")
        .count();
    assert_eq!(
        creates, 1,
        "the POST was not re-sent: the head branch was looked up instead"
    );
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn graphql_rate_limited_inside_a_200_is_waited_out() {
    let standin = Standin::start();
    world(&standin);
    let (gh, waits) = client(&standin);
    standin.limits(json!({"graphql_limit": 1, "primary_window": 2, "reset_counters": true}));
    runtime().block_on(async {
        for _ in 0..2 {
            let found = gh.look_up(&["acme/web".into()]).await.unwrap();
            assert!(matches!(
                found["acme/web"],
                drydock::forge::Lookup::Found(_)
            ));
        }
    });
    let waits = waits.lock().unwrap();
    assert!(waits.iter().any(|w| w.contains("rate limit")), "{waits:?}");
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn an_invalid_request_is_caught_by_the_stand_in() {
    let mut standin = Standin::start();
    world(&standin);
    standin.expect_violations();
    let (gh, _) = client(&standin);
    let err = runtime()
        .block_on(gh.create_pull_request_raw("acme/web", json!({"title": "no base", "head": "x"})))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Invalid, "{err}");
    let violations = standin.violations();
    let text = violations["violations"].to_string();
    assert!(
        text.contains("base"),
        "the missing `base` is a violation: {violations}"
    );
}
