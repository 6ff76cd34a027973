//! `drydock report html`: the dashboard from real `drydock check --format json` output on a
//! fixture fleet and a status report in issue 13's shape: what the page says without a browser,
//! the errors people read, the links of `--fleet`; and the page in headless Chromium (Debian's
//! `chromium`): it loads with no console message and no network request, its totals equal the
//! reports', and a filter given in `location.hash` shows exactly the matching rows.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use tempfile::TempDir;

use crate::support::drydock;

const NOW: &str = "2026-11-27T12:00:00Z";

/// How many repositories the fixture fleet has: more than one page of the table (100 rows).
const REPOS: usize = 130;

const PR_STATES: [&str; 5] = ["open", "draft", "merged", "declined", "none"];
const CHECKS: [&str; 3] = ["success", "failure", "pending"];

/// A status-only repository whose name tries to become markup.
const HOSTILE: &str = "acme/<img src=x onerror=alert(1)></script><!--";

fn write(root: &Path, path: &str, text: &str) {
    let p = root.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn name(i: usize) -> String {
    format!("acme/r{i:03}")
}

/// A fleet of [`REPOS`] local repositories in four kinds (end-of-life base, untagged base,
/// multi-stage distroless, no Dockerfile), its `check --format json` and a status report.
struct Fixture {
    dir: TempDir,
    check: Value,
    status: Value,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = TempDir::new().unwrap();
        let mut fleet = String::new();
        for i in 0..REPOS {
            let repo = format!("r{i:03}");
            match i % 4 {
                0 => write(
                    dir.path(),
                    &format!("{repo}/Dockerfile"),
                    "FROM python:3.8\n",
                ),
                1 => write(
                    dir.path(),
                    &format!("{repo}/svc/Dockerfile"),
                    "FROM alpine\n",
                ),
                2 => write(
                    dir.path(),
                    &format!("{repo}/Dockerfile"),
                    "FROM golang:1.27-alpine AS build\nRUN go build -o /app .\nFROM gcr.io/distroless/static-debian13:nonroot\nCOPY --from=build /app /app\n",
                ),
                _ => write(dir.path(), &format!("{repo}/README.md"), "docs only\n"),
            }
            fleet.push_str(&format!(
                "[[repo]]\nname = \"{}\"\npath = \"{repo}\"\n\n",
                name(i)
            ));
        }
        write(dir.path(), "fleet.toml", &fleet);
        let out = drydock()
            .current_dir(dir.path())
            .args(["check", "--format", "json", "--now", NOW])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let check: Value = serde_json::from_slice(&out.stdout).unwrap();
        std::fs::write(dir.path().join("check.json"), &out.stdout).unwrap();

        let mut repos: Vec<Value> = (0..REPOS)
            .map(|i| {
                let state = PR_STATES[i % PR_STATES.len()];
                let pr = (state != "none").then(|| {
                    json!({"number": i + 1, "url": format!("https://github.com/{}/pull/{}", name(i), i + 1),
                           "state": state, "checks": CHECKS[i % CHECKS.len()],
                           "mergeable": i % 7 != 0, "review": "REVIEW_REQUIRED", "age_days": i % 30})
                });
                // What status says needs a human first (issue 13), in its order.
                let open = matches!(state, "open" | "draft");
                let mut attention = Vec::new();
                if open && CHECKS[i % CHECKS.len()] == "failure" {
                    attention.push("failing_checks");
                }
                if open && i % 7 == 0 {
                    attention.push("conflict");
                }
                if state == "declined" {
                    attention.push("declined");
                }
                json!({"name": name(i), "pr": pr, "compliant": (i % 4 == 3),
                       "measured_at": format!("2026-11-{:02}T08:00:00Z", 1 + i % 26),
                       "attention": attention})
            })
            .collect();
        repos.push(
            json!({"name": HOSTILE, "pr": {"number": 1, "url": "javascript:alert(1)",
            "state": "open", "checks": "none", "mergeable": null, "review": null, "age_days": 0},
            "compliant": null, "measured_at": null}),
        );
        let status = json!({"version": 1, "repos": repos, "counts": {}});
        std::fs::write(dir.path().join("status.json"), status.to_string()).unwrap();
        Fixture { dir, check, status }
    }

    fn path(&self, file: &str) -> PathBuf {
        self.dir.path().join(file)
    }

    /// `report html --out dashboard.html check.json status.json`, the page.
    fn page(&self) -> String {
        drydock()
            .current_dir(self.dir.path())
            .args(["report", "html", "--out", "dashboard.html", "--now", NOW])
            .args(["check.json", "status.json"])
            .assert()
            .success();
        std::fs::read_to_string(self.path("dashboard.html")).unwrap()
    }

    fn check_repos(&self) -> &[Value] {
        self.check["repos"].as_array().unwrap()
    }

    fn status_repos(&self) -> &[Value] {
        self.status["repos"].as_array().unwrap()
    }

    /// Every repository name the page has a row for.
    fn all_names(&self) -> BTreeSet<String> {
        self.check_repos()
            .iter()
            .chain(self.status_repos())
            .map(|r| r["name"].as_str().unwrap().to_string())
            .collect()
    }

    /// The totals the page must show, from the reports themselves (check's own summary).
    fn expected_totals(&self) -> Vec<(String, u64)> {
        let summary = &self.check["summary"];
        let mut totals = vec![
            ("repositories".to_string(), self.all_names().len() as u64),
            ("errors".into(), summary["errors"].as_u64().unwrap()),
            ("warnings".into(), summary["warnings"].as_u64().unwrap()),
            ("notes".into(), summary["notes"].as_u64().unwrap()),
            ("waived".into(), summary["waived"].as_u64().unwrap()),
            (
                "check_failed".into(),
                summary["repos_failed"].as_u64().unwrap(),
            ),
        ];
        for state in PR_STATES {
            let n = self
                .status_repos()
                .iter()
                .filter(|r| r["pr"]["state"].as_str().unwrap_or("none") == state)
                .count();
            totals.push((format!("pr:{state}"), n as u64));
        }
        let needs_human = self
            .status_repos()
            .iter()
            .filter(|r| r["attention"].as_array().is_some_and(|a| !a.is_empty()))
            .count();
        totals.push(("needs_human".into(), needs_human as u64));
        totals
    }
}

/// `data-total="KEY">N<` of a page or DOM.
fn totals_on(page: &str, key: &str) -> Option<u64> {
    let marker = format!("data-total=\"{key}\">");
    let start = page.find(&marker)? + marker.len();
    let end = start + page[start..].find('<')?;
    page[start..end].parse().ok()
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The `data-repo` of every table row in a dumped DOM, in order.
fn rows_in(dom: &str) -> Vec<String> {
    dom.split("<tr data-repo=\"")
        .skip(1)
        .map(|rest| unescape(&rest[..rest.find('"').unwrap()]))
        .collect()
}

#[test]
fn the_page_shows_the_reports_totals_without_a_browser() {
    let fixture = Fixture::new();
    let page = fixture.page();
    for (key, expected) in fixture.expected_totals() {
        assert_eq!(totals_on(&page, &key), Some(expected), "{key}");
    }
    assert!(page.contains("Content-Security-Policy"));
    // The hostile name is data, never markup.
    assert!(!page.contains("<img"));
    assert!(!page.contains("<!--"));
    assert_eq!(page.matches("</script>").count(), 2);
    // Findings by rule link to the filtered table.
    assert!(page.contains("href=\"#rule=base-image/eol\""), "{page}");
}

#[test]
fn links_follow_the_fleets_github_and_branch() {
    let fixture = Fixture::new();
    let fleet = std::fs::read_to_string(fixture.path("fleet.toml")).unwrap();
    let fleet = fleet.replacen(
        "path = \"r000\"\n",
        "path = \"r000\"\nbranch = \"release/1\"\n",
        1,
    );
    write(
        fixture.dir.path(),
        "ghe.toml",
        &format!("[github]\napi_url = \"https://ghe.example.com/api/v3\"\n\n{fleet}"),
    );
    let out = drydock()
        .current_dir(fixture.dir.path())
        .args(["--fleet", "ghe.toml", "report", "html", "check.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(
        page.contains("\"url\":\"https://ghe.example.com/acme/r000/blob/release/1/Dockerfile#L1\""),
        "{page}"
    );
    assert!(
        page.contains("\"url\":\"https://ghe.example.com/acme/r001/blob/HEAD/svc/Dockerfile#L1\"")
    );
    // Without --fleet: github.com and the default branch.
    let out = drydock()
        .current_dir(fixture.dir.path())
        .args(["report", "html", "check.json"])
        .output()
        .unwrap();
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains("\"url\":\"https://github.com/acme/r000/blob/HEAD/Dockerfile#L1\""));
}

#[test]
fn bad_inputs_are_refused_saying_which_file_and_what_to_do() {
    let fixture = Fixture::new();
    let dir = fixture.dir.path();
    write(
        dir,
        "apply.json",
        "{\"version\":1,\"run\":\"r1\",\"repos\":[]}",
    );
    write(dir, "broken.json", "{\"version\":1,\n\"repos\": [}");
    std::fs::copy(dir.join("check.json"), dir.join("shard-copy.json")).unwrap();
    let mut said = String::new();
    for args in [
        &["check.json", "check.json"][..],
        &["check.json", "shard-copy.json"],
        &["apply.json"],
        &["broken.json"],
        &["missing.json"],
    ] {
        let out = drydock()
            .current_dir(dir)
            .args(["report", "html"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty());
        said.push_str(&format!(
            "$ drydock report html {}\n{}\n",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    insta::assert_snapshot!("report-html-refused-inputs", said);
}

// ---------------------------------------------------------------- headless Chromium

/// What Chromium made of the page at `url`: the DOM after the scripts ran, its log on stderr,
/// and the network log.
struct Loaded {
    dom: String,
    console: Vec<String>,
    page_requests: Vec<String>,
}

/// Runs `chromium --headless --dump-dom` on `url` with a profile of its own and a net log. The
/// console lines are Chromium's `INFO:CONSOLE` log lines (every level: the page logs nothing);
/// the page's requests are the net-log events whose network isolation key is a `file://`
/// page (Chromium's own background requests carry other keys).
fn load(url: &str) -> Loaded {
    let profile = TempDir::new().unwrap();
    let net_log = profile.path().join("net-log.json");
    let output = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().join("p").display()))
        .arg(format!("--log-net-log={}", net_log.display()))
        .arg("--dump-dom")
        .arg(url)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run `chromium` ({e}): run the tests through scripts/test.sh, which installs it")
        });
    assert!(output.status.success(), "chromium failed: {output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    let log: Value = serde_json::from_str(&std::fs::read_to_string(&net_log).unwrap())
        .expect("chromium writes its net log as JSON");
    let page_requests = log["events"]
        .as_array()
        .expect("net-log events")
        .iter()
        .filter(|e| {
            e["params"]["network_isolation_key"]
                .as_str()
                .is_some_and(|k| k.starts_with("file://"))
        })
        .map(|e| e["params"].to_string())
        .collect();
    Loaded {
        dom: String::from_utf8(output.stdout).unwrap(),
        console,
        page_requests,
    }
}

fn file_url(path: &Path, hash: &str) -> String {
    format!("file://{}#{hash}", path.display())
}

/// Loads the page with `hash` and asserts it ran clean: no console line, no request, the
/// script's ready mark and no error it caught.
fn load_clean(page: &Path, hash: &str) -> Loaded {
    let loaded = load(&file_url(page, hash));
    assert_eq!(loaded.console, Vec::<String>::new(), "console at #{hash}");
    assert_eq!(
        loaded.page_requests,
        Vec::<String>::new(),
        "requests at #{hash}"
    );
    assert!(
        loaded.dom.contains("data-ready=\"yes\""),
        "the script did not finish at #{hash}"
    );
    assert!(
        !loaded.dom.contains("data-errors"),
        "the page caught an error at #{hash}"
    );
    loaded
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn in_chromium_the_page_loads_clean_and_the_hash_filters_the_rows() {
    let fixture = Fixture::new();
    fixture.page();
    let page = fixture.path("dashboard.html");

    // The detector sees a page's request (a closed loopback port, so nothing leaves the
    // machine): the clean runs below are not clean for want of looking.
    let control = fixture.path("control.html");
    std::fs::write(&control, "<!DOCTYPE html><img src=\"http://127.0.0.1:9/x.png\"><script>console.log('control')</script>").unwrap();
    let seen = load(&file_url(&control, ""));
    assert!(
        !seen.page_requests.is_empty(),
        "the net log shows no page request"
    );
    assert!(
        seen.console.iter().any(|l| l.contains("control")),
        "{:?}",
        seen.console
    );

    // An open-PR filter: exactly the repositories whose PR is open, hostile one included.
    let open = load_clean(&page, "state=open");
    for (key, expected) in fixture.expected_totals() {
        assert_eq!(totals_on(&open.dom, &key), Some(expected), "{key}");
    }
    let expected: BTreeSet<String> = fixture
        .status_repos()
        .iter()
        .filter(|r| r["pr"]["state"] == "open")
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect();
    let shown: BTreeSet<String> = rows_in(&open.dom).into_iter().collect();
    assert_eq!(shown, expected);
    assert!(shown.contains(HOSTILE));
    assert!(!open.dom.contains("<img"), "the hostile name stays text");
    assert!(open.dom.contains(&format!(
        "<span id=\"shown-count\">{}</span>",
        expected.len()
    )));

    // Severity and rule together, then a text search: the same semantics computed here.
    let has = |r: &Value, pred: &dyn Fn(&Value) -> bool| {
        r["findings"].as_array().unwrap().iter().any(pred)
    };
    let filtered = load_clean(&page, "severity=error&rule=base-image%2Funtagged");
    let expected: BTreeSet<String> = fixture
        .check_repos()
        .iter()
        .filter(|r| {
            has(r, &|f| f["severity"] == "error") && has(r, &|f| f["rule"] == "base-image/untagged")
        })
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(
        rows_in(&filtered.dom).into_iter().collect::<BTreeSet<_>>(),
        expected
    );

    let conflicts = load_clean(&page, "attention=conflict");
    let expected: BTreeSet<String> = fixture
        .status_repos()
        .iter()
        .filter(|r| {
            r["attention"]
                .as_array()
                .is_some_and(|a| a.contains(&json!("conflict")))
        })
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(
        rows_in(&conflicts.dom).into_iter().collect::<BTreeSet<_>>(),
        expected
    );

    let searched = load_clean(&page, "q=ACME%2FR01");
    let expected: BTreeSet<String> = fixture
        .all_names()
        .into_iter()
        .filter(|n| n.starts_with("acme/r01"))
        .collect();
    assert_eq!(expected.len(), 10);
    assert_eq!(
        rows_in(&searched.dom).into_iter().collect::<BTreeSet<_>>(),
        expected
    );

    // Sorted by name, second page: rows 101 to the end, in order.
    let second = load_clean(&page, "sort=name&dir=asc&page=2");
    let all: Vec<String> = fixture.all_names().into_iter().collect();
    assert_eq!(rows_in(&second.dom), all[100..].to_vec());
    assert!(second.dom.contains("page 2 of 2"));
}
