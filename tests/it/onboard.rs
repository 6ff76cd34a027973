//! `drydock onboard` end to end against the GitHub stand-in and real git: a new repository gets
//! exactly one fleet.toml entry (comments kept) and drydock's pull request; a duplicate, a
//! missing, a forbidden, a renamed, an archived and an empty repository are refused with
//! fleet.toml untouched; a compliant one gets its entry and no pull request; `--dry-run` writes
//! nothing anywhere; a failure after the entry was written keeps it and says what to run next;
//! a local checkout (`--path`) is written relative to the fleet file.

use std::path::Path;

use serde_json::{Value, json};

use crate::support::drydock;
use crate::support::standin::Standin;

const TOKEN: &str = "ghp_onboardONBOARD0123456789abcdefONBOARD";

/// What drydock renders for a repository with an npm manifest at its root.
const NPM_DEPENDABOT: &str = "# Managed by drydock from the repository's ecosystems and fleet.toml ([dependabot]).\n# Edits here are kept: drydock only adds what is missing and fixes what GitHub would reject.\nversion: 2\nupdates:\n  - package-ecosystem: \"npm\"\n    directory: \"/\"\n    schedule:\n      interval: \"weekly\"\n";

/// A fleet directory whose fleet.toml points at the stand-in, with comments to keep.
fn fleet(standin: &Standin) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "# the fleet\n[fleet]\nworkspace = \"ws\" # next to this file\n\n[github]\napi_url = \"{}\"\n\n# our repositories\n[[repo]]\nname = \"acme/api\" # the API\nskip = true\n\n# pull requests\n[apply]\nlabels = [\"dependencies\"]\n",
        standin.base
    );
    std::fs::write(dir.path().join("fleet.toml"), text).unwrap();
    dir
}

fn world(standin: &Standin) {
    standin.token(TOKEN, "octo");
    standin.org(
        "acme",
        vec![
            json!({"name": "web", "files": {"package.json": "{\"name\": \"web\"}\n"}}),
            json!({"name": "ready", "files": {"package.json": "{\"name\": \"ready\"}\n", ".github/dependabot.yml": NPM_DEPENDABOT}}),
            json!({"name": "frozen", "archived": true, "files": {"package.json": "{}\n"}}),
            json!({"name": "blank", "empty": true}),
        ],
    );
}

fn onboard(dir: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    drydock()
        .current_dir(dir)
        .env("GITHUB_TOKEN", TOKEN)
        .arg("onboard")
        .args(args)
        .assert()
}

fn read(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("fleet.toml")).unwrap()
}

fn stdout(assert: &assert_cmd::assert::Assert, standin: &Standin) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).replace(&standin.base, "BASE")
}

fn stderr(assert: &assert_cmd::assert::Assert, standin: &Standin) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).replace(&standin.base, "BASE")
}

/// Requests that change something on the forge (REST writes, mutations, pushes).
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

fn pulls(standin: &Standin, repo: &str) -> Vec<Value> {
    let state = standin.control("GET", &format!("repos/{repo}"), json!({}));
    state["pulls"].as_array().cloned().unwrap_or_default()
}

/// `after` is `before` with exactly `entry` inserted at one place, which is returned.
fn inserted_once(before: &str, after: &str, entry: &str) -> usize {
    (0..=before.len())
        .filter(|&i| before.is_char_boundary(i))
        .find(|&i| format!("{}{entry}{}", &before[..i], &before[i..]) == after)
        .unwrap_or_else(|| panic!("not one insertion of {entry:?}:\n{after}"))
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn a_new_repository_gets_one_entry_and_its_pull_request() {
    let standin = Standin::start();
    world(&standin);
    let dir = fleet(&standin);
    let before = read(dir.path());

    let url = format!("{}/acme/web.git", standin.base);
    let out = onboard(dir.path(), &["Acme/Web", "--url", &url]).success();
    let after = read(dir.path());
    // GitHub's spelling, right after the last [[repo]] (before `# pull requests` and [apply]).
    let entry = format!("\n[[repo]]\nname = \"acme/web\"\nurl = \"{url}\"\n");
    let at = inserted_once(&before, &after, &entry);
    assert!(before[..at].ends_with("skip = true\n"), "{after}");
    for comment in [
        "# the fleet",
        "# next to this file",
        "# the API",
        "# pull requests",
    ] {
        assert!(after.contains(comment), "{comment} kept");
    }

    let prs = pulls(&standin, "acme/web");
    assert_eq!(prs.len(), 1, "{prs:?}");
    assert_eq!(prs[0]["state"], "open");
    assert_eq!(prs[0]["head"], "drydock/policy");
    assert_eq!(
        prs[0]["labels"],
        json!(["dependencies"]),
        "[apply] of the fleet"
    );
    insta::assert_snapshot!(stdout(&out, &standin), @r###"
    fleet.toml:14: added acme/web
    acme/web: opened drydock's pull request #1: BASE/acme/web/pull/1
    "###);
    assert!(!stdout(&out, &standin).contains(TOKEN));
    assert!(!stderr(&out, &standin).contains(TOKEN));

    // A second time it is a duplicate, and nothing more is sent.
    standin.clear_log();
    let again = onboard(dir.path(), &["acme/web"]).code(2);
    assert!(stderr(&again, &standin).contains("fleet.toml:14: acme/web is already in the fleet"));
    assert_eq!(read(dir.path()), after);
    assert_eq!(standin.log(), Vec::<Value>::new());
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn a_duplicate_names_its_line_and_leaves_the_file_as_it_was() {
    let standin = Standin::start();
    world(&standin);
    let dir = fleet(&standin);
    let before = std::fs::read(dir.path().join("fleet.toml")).unwrap();
    let out = onboard(dir.path(), &["ACME/api"]).code(2);
    insta::assert_snapshot!(stderr(&out, &standin), @r###"
    error: fleet.toml:10: ACME/api is already in the fleet, as "acme/api" (GitHub names are case-insensitive)
      help: it is onboarded already: `drydock plan --repo acme/api` shows what it still needs, `drydock apply --repo acme/api` proposes it
    "###);
    assert_eq!(
        std::fs::read(dir.path().join("fleet.toml")).unwrap(),
        before
    );
    assert_eq!(standin.log(), Vec::<Value>::new(), "GitHub is not asked");
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn missing_forbidden_renamed_archived_and_empty_repositories_are_refused_before_anything_is_written()
 {
    let standin = Standin::start();
    world(&standin);
    let dir = fleet(&standin);
    let before = std::fs::read(dir.path().join("fleet.toml")).unwrap();
    let mut messages = String::new();
    for name in ["acme/nope", "acme/frozen", "acme/blank"] {
        let out = onboard(dir.path(), &[name]).code(3);
        messages.push_str(&format!(
            "$ drydock onboard {name}\n{}",
            stderr(&out, &standin)
        ));
        assert_eq!(
            std::fs::read(dir.path().join("fleet.toml")).unwrap(),
            before,
            "{name}: fleet.toml untouched"
        );
    }
    // Renamed on GitHub: the REST path redirects (not followed), the GraphQL look-up says where.
    standin.org("beta", vec![json!({"name": "old-name"})]);
    standin.control("PATCH", "repos/beta/old-name", json!({"name": "new-name"}));
    // No access: GitHub refuses the token on this repository.
    standin.faults(json!([{"route": "/repos/{owner}/{repo}", "method": "GET", "status": 403, "body": {"message": "Resource not accessible by personal access token"}, "times": 1}]));
    for name in ["acme/web", "beta/old-name"] {
        let out = onboard(dir.path(), &[name]).code(3);
        messages.push_str(&format!(
            "$ drydock onboard {name}\n{}",
            stderr(&out, &standin)
        ));
        assert_eq!(
            std::fs::read(dir.path().join("fleet.toml")).unwrap(),
            before,
            "{name}: fleet.toml untouched"
        );
    }
    insta::assert_snapshot!(messages, @r###"
    $ drydock onboard acme/nope
    acme/nope: looking it up on GitHub
    error: acme/nope was not found on GitHub (or the credentials cannot see it)
      help: check the spelling; for a private repository, the token (or the App's installation) needs `metadata: read` on it
    $ drydock onboard acme/frozen
    acme/frozen: looking it up on GitHub
    error: acme/frozen is archived, so it is read-only and cannot get a pull request
      help: unarchive it on GitHub first, then run onboard again
    $ drydock onboard acme/blank
    acme/blank: looking it up on GitHub
    error: acme/blank is empty: it has no commits, so there is nothing to plan and no branch to open a pull request against
      help: push a first commit (a README will do), then run onboard again
    $ drydock onboard acme/web
    acme/web: looking it up on GitHub
    error: acme/web: no access: GitHub answered 403: Resource not accessible by personal access token
      help: the token lacks `metadata: read` on acme/web
    $ drydock onboard beta/old-name
    beta/old-name: looking it up on GitHub
    error: beta/old-name was renamed to beta/new-name
      help: onboard it under its new name: `drydock onboard beta/new-name`
    "###);
    assert_eq!(writes(&standin), Vec::<Value>::new());
    assert!(!dir.path().join("ws/repos").exists(), "nothing cloned");
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn a_compliant_repository_gets_its_entry_and_no_pull_request() {
    let standin = Standin::start();
    world(&standin);
    let dir = fleet(&standin);
    let before = read(dir.path());
    let url = format!("{}/acme/ready.git", standin.base);
    let out = onboard(dir.path(), &["acme/ready", "--url", &url]).success();
    let entry = format!("\n[[repo]]\nname = \"acme/ready\"\nurl = \"{url}\"\n");
    inserted_once(&before, &read(dir.path()), &entry);
    insta::assert_snapshot!(stdout(&out, &standin), @r###"
    fleet.toml:14: added acme/ready
    acme/ready is compliant: nothing to change, no pull request
    "###);
    assert_eq!(pulls(&standin, "acme/ready"), Vec::<Value>::new());
    assert_eq!(writes(&standin), Vec::<Value>::new());
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn dry_run_shows_the_diff_and_what_apply_would_send_and_writes_nothing() {
    let standin = Standin::start();
    world(&standin);
    let dir = fleet(&standin);
    let before = std::fs::read(dir.path().join("fleet.toml")).unwrap();
    let url = format!("{}/acme/web.git", standin.base);
    let out = onboard(
        dir.path(),
        &["acme/web", "--url", &url, "--branch", "main", "--dry-run"],
    )
    .success();
    let printed = stdout(&out, &standin);
    // The fleet.toml diff and the head of what apply would send; the words of the commit and
    // the pull request are apply's and the proposal's, snapshotted in their tests.
    insta::assert_snapshot!(printed.lines().take(17).collect::<Vec<_>>().join("\n"), @r###"
    --- fleet.toml
    +++ fleet.toml
    @@ -10,6 +10,11 @@
     name = "acme/api" # the API
     skip = true
     
    +[[repo]]
    +name = "acme/web"
    +url = "BASE/acme/web.git"
    +branch = "main"
    +
     # pull requests
     [apply]
     labels = ["dependencies"]
    == acme/web: would open a pull request
    branch: drydock/policy
    --- file .github/dependabot.yml (285 bytes)
    "###);
    for part in [
        "--- commit message\n",
        "--- pull request: ",
        "<!-- drydock:content=",
    ] {
        assert!(printed.contains(part), "{part:?} in {printed}");
    }
    assert!(
        printed.ends_with("\ndry run: fleet.toml unchanged, nothing sent to GitHub\n"),
        "{printed}"
    );
    assert_eq!(
        std::fs::read(dir.path().join("fleet.toml")).unwrap(),
        before
    );
    assert_eq!(writes(&standin), Vec::<Value>::new());
    assert_eq!(pulls(&standin, "acme/web"), Vec::<Value>::new());
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn a_failure_after_the_entry_was_written_keeps_it_and_says_what_to_run() {
    let standin = Standin::start();
    world(&standin);
    let dir = fleet(&standin);
    standin.faults(json!([{"route": "/repos/{owner}/{repo}/pulls", "method": "POST", "status": 403, "body": {"message": "Resource not accessible by integration"}, "times": -1}]));
    let url = format!("{}/acme/web.git", standin.base);
    let out = onboard(dir.path(), &["acme/web", "--url", &url]).code(3);
    assert!(
        read(dir.path()).contains("name = \"acme/web\""),
        "the entry stays"
    );
    insta::assert_snapshot!(stderr(&out, &standin), @r###"
    acme/web: looking it up on GitHub
    acme/web: adding it to the fleet file
    acme/web: syncing
    acme/web: planning
    acme/web: applying
    error: acme/web is in fleet.toml now, but opening its pull request failed: cannot create the pull request of acme/web: GitHub answered 403: Resource not accessible by integration; the token lacks `pull_requests: write` on acme/web
      help: the entry is correct and stays; once the cause is fixed, run `drydock apply --repo acme/web`
    "###);

    // What the message says to run finishes the job.
    standin.faults(json!([]));
    drydock()
        .current_dir(dir.path())
        .env("GITHUB_TOKEN", TOKEN)
        .args(["apply", "--repo", "acme/web"])
        .assert()
        .success();
    let prs = pulls(&standin, "acme/web");
    assert_eq!(prs.len(), 1, "{prs:?}");
    assert_eq!(prs[0]["state"], "open");
}

#[test]
fn a_local_checkout_is_written_relative_to_the_fleet_and_needs_no_lookup() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = "# the fleet\n[fleet]\nworkspace = \"ws\"\n\n[[repo]]\nname = \"acme/api\" # the API\nskip = true\n";
    std::fs::write(dir.path().join("fleet.toml"), fleet).unwrap();
    let checkout = dir.path().join("checkouts/ready");
    std::fs::create_dir_all(checkout.join(".github")).unwrap();
    std::fs::write(checkout.join("package.json"), "{}\n").unwrap();
    std::fs::write(checkout.join(".github/dependabot.yml"), NPM_DEPENDABOT).unwrap();

    let dry = drydock()
        .current_dir(dir.path())
        .args([
            "onboard",
            "acme/ready",
            "--path",
            "checkouts/ready",
            "--dry-run",
            "-q",
        ])
        .assert()
        .success();
    insta::assert_snapshot!(String::from_utf8_lossy(&dry.get_output().stdout), @r###"
    --- fleet.toml
    +++ fleet.toml
    @@ -5,3 +5,7 @@
     [[repo]]
     name = "acme/api" # the API
     skip = true
    +
    +[[repo]]
    +name = "acme/ready"
    +path = "checkouts/ready"
    acme/ready would be compliant: nothing to change, no pull request
    dry run: fleet.toml unchanged, nothing sent to GitHub
    "###);
    assert_eq!(read(dir.path()), fleet);

    let out = drydock()
        .current_dir(dir.path())
        .args(["onboard", "acme/ready", "--path", "checkouts/ready"])
        .assert()
        .success();
    insta::assert_snapshot!(String::from_utf8_lossy(&out.get_output().stdout), @r###"
    fleet.toml:10: added acme/ready
    acme/ready is compliant: nothing to change, no pull request
    "###);
    assert_eq!(
        read(dir.path()),
        format!("{fleet}\n[[repo]]\nname = \"acme/ready\"\npath = \"checkouts/ready\"\n")
    );
}
