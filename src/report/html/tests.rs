use chrono::TimeZone;

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 9, 30, 0).unwrap()
}

fn source(file: &str, text: &str) -> Source {
    Source {
        file: file.into(),
        written: Some("2026-11-27T12:00:00Z".into()),
        report: parse(file, text).unwrap_or_else(|e| panic!("{e}")),
    }
}

fn check_json() -> String {
    crate::report::json(&crate::report::tests::sample())
}

const STATUS: &str = r#"{"version":1,"repos":[
 {"name":"acme/api","pr":{"number":12,"url":"https://github.com/acme/api/pull/12","state":"open","checks":"failure","mergeable":false,"review":"REVIEW_REQUIRED","age_days":3},"compliant":false,"measured_at":"2026-11-27T08:00:00Z"},
 {"name":"acme/web","pr":null,"compliant":null,"measured_at":null,"attention":["failing_checks","conflict"]},
 {"name":"acme/old","pr":{"number":4,"url":"javascript:alert(1)","state":"merged","checks":"success","mergeable":null,"review":"APPROVED","age_days":40},"compliant":true,"measured_at":"2026-11-20T08:00:00Z"}
],"counts":{"open":1,"merged":1,"none":1}}"#;

fn dashboard(sources: &[Source]) -> Dashboard {
    Dashboard::build(sources, &Links::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// The text between `<script type="application/json" ...>` and its `</script>`.
fn embedded(page: &str) -> serde_json::Value {
    let start = page.find("id=\"drydock-data\">").unwrap() + "id=\"drydock-data\">".len();
    let end = start + page[start..].find("</script>").unwrap();
    serde_json::from_str(&page[start..end]).unwrap()
}

#[test]
fn totals_add_up_the_check_and_status_reports() {
    let d = dashboard(&[
        source("check.json", &check_json()),
        source("status.json", STATUS),
    ]);
    let t = &d.totals;
    assert_eq!(
        t.repositories, 3,
        "acme/api, acme/web from check; acme/old only in status"
    );
    assert_eq!((t.checked, t.errors, t.warnings, t.notes), (2, 2, 1, 0));
    assert_eq!((t.passing, t.check_failed), (0, 1));
    assert_eq!((t.monitor_missing, t.dependabot_gaps), (1, 0));
    assert_eq!(t.with_status, 3);
    assert_eq!(t.pr_states.get("open"), Some(&1));
    assert_eq!(t.pr_states.get("merged"), Some(&1));
    assert_eq!(t.pr_states.get("none"), Some(&1));
    assert_eq!(t.pr_checks.get("failure"), Some(&1));
    assert_eq!(t.compliant.get("no"), Some(&1));
    assert_eq!(t.compliant.get("unknown"), Some(&1));
    assert_eq!(t.needs_human, 1);
    assert_eq!(t.attention.get("conflict"), Some(&1));
    let page = render(&d, now());
    assert!(page.contains("data-total=\"errors\">2</dd>"), "{page}");
    assert!(page.contains("data-total=\"pr:open\">1</dd>"));
    assert!(page.contains("data-total=\"repositories\">3</dd>"));
    assert!(page.contains("data-total=\"needs_human\">1</dd>"));
    assert!(page.contains("<option value=\"failing_checks\">failing checks</option>"));
    // Findings by rule, worst first, with a link that filters the table.
    let eol = page.find("href=\"#rule=base-image/eol\"").unwrap();
    let slim = page.find("href=\"#rule=base-image/not-slim\"").unwrap();
    assert!(eol < slim);
}

#[test]
fn hostile_names_and_messages_are_escaped() {
    let hostile_name = "acme/<img src=x onerror=alert(1)>";
    let hostile_message = "FROM x</script><script>alert(1)</script><!-- \u{2028} & \"'";
    let check = serde_json::json!({
        "version": 1,
        "repos": [{"name": hostile_name, "findings": [{
            "rule": "base-image/eol\"><script>", "severity": "error", "path": "a/<b>/Dockerfile",
            "line": 3, "message": hostile_message, "fix": "</SCRIPT >"}]}],
        "data": {"source": "<b>data</b>", "generated": "2026-11-01", "age_days": 27, "stale": false},
        "summary": {"errors": 1, "warnings": 0, "notes": 0, "waived": 0, "repos_failed": 0}
    });
    let d = dashboard(&[source("in<put>.json", &check.to_string())]);
    let page = render(&d, now());
    let lower = page.to_ascii_lowercase();
    assert_eq!(
        lower.matches("<script").count(),
        2,
        "the data block and the script"
    );
    assert_eq!(lower.matches("</script").count(), 2);
    assert!(!page.contains("<!--"));
    assert!(!page.contains("<img"));
    assert!(!page.contains("<b>"));
    assert!(
        page.contains("&lt;b&gt;data&lt;/b&gt;"),
        "the image data source"
    );
    assert!(page.contains("in&lt;put&gt;.json"), "the file name");
    assert!(
        page.contains("base-image/eol&quot;&gt;&lt;script&gt;"),
        "the rule"
    );
    // The data comes back unchanged, and the hostile name gets no link.
    let rows = embedded(&page);
    assert_eq!(rows[0]["name"], hostile_name);
    assert!(rows[0].get("url").is_none());
    let finding = &rows[0]["check"]["findings"][0];
    assert_eq!(finding["message"], hostile_message);
    assert!(finding.get("url").is_none());
}

#[test]
fn the_policy_allows_exactly_the_inline_script_and_style() {
    let page = render(&dashboard(&[source("check.json", &check_json())]), now());
    let script_start = page.rfind("<script>").unwrap() + "<script>".len();
    let script_end = script_start + page[script_start..].find("</script>").unwrap();
    let style_start = page.find("<style>").unwrap() + "<style>".len();
    let style_end = style_start + page[style_start..].find("</style>").unwrap();
    let csp = format!(
        "default-src &#39;none&#39;; script-src &#39;sha256-{}&#39;; style-src &#39;sha256-{}&#39;",
        sha256_base64(&page[script_start..script_end]),
        sha256_base64(&page[style_start..style_end])
    );
    assert!(page.contains(&csp), "{}", &page[..600]);
    // Nothing to load: no src, no stylesheet or font link, no CSS import or url(); the only
    // URLs are the links in the data.
    let data_start = page.find("id=\"drydock-data\">").unwrap();
    let outside_data = format!("{}{}", &page[..data_start], &page[script_start..]);
    for external in ["src=", "<link", "@import", "url(", "http://", "https://"] {
        assert!(!outside_data.contains(external), "{external}");
    }
    assert!(!page.contains("<link"));
}

#[test]
fn links_point_at_the_finding_line_and_pr_urls_must_be_http() {
    let d = dashboard(&[
        source("check.json", &check_json()),
        source("status.json", STATUS),
    ]);
    let rows = embedded(&render(&d, now()));
    let api = &rows[0];
    assert_eq!(api["url"], "https://github.com/acme/api");
    assert_eq!(
        api["check"]["findings"][0]["url"],
        "https://github.com/acme/api/blob/HEAD/Dockerfile#L1"
    );
    assert_eq!(
        api["check"]["findings"][1]["url"],
        "https://github.com/acme/api/blob/HEAD/services/a%7Cb/Dockerfile#L7"
    );
    assert_eq!(
        api["status"]["pr"]["url"],
        "https://github.com/acme/api/pull/12"
    );
    let old = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "acme/old")
        .unwrap();
    assert_eq!(old["status"]["pr"]["number"], 4);
    assert!(
        old["status"]["pr"].get("url").is_none(),
        "javascript: dropped"
    );
}

#[test]
fn the_same_repository_twice_is_refused_naming_both_files() {
    let check = check_json();
    let e = Dashboard::build(
        &[
            source("shard-1.json", &check),
            source("shard-2.json", &check),
        ],
        &Links::default(),
    )
    .unwrap_err();
    assert_eq!(e.file, "shard-2.json");
    assert!(
        e.message.contains("acme/api is also in shard-1.json"),
        "{e}"
    );
    // A status report may name the same repositories as a check report.
    dashboard(&[source("check.json", &check), source("status.json", STATUS)]);
}

#[test]
fn a_missing_shard_is_said() {
    let shard = |i: u32, name: &str| {
        format!(
            r#"{{"version":1,"shard":{{"index":{i},"count":3}},"repos":[{{"name":"{name}","findings":[]}}],"data":{{"source":"d"}},"summary":{{"errors":0,"warnings":0,"notes":0}}}}"#
        )
    };
    let d = dashboard(&[
        source("1.json", &shard(1, "a/one")),
        source("3.json", &shard(3, "a/three")),
    ]);
    assert_eq!(d.missing_shards(), vec![("check", 3, vec![2])]);
    let page = render(&d, now());
    assert!(page.contains("miss shard 2 of 3"), "{page}");
    assert_eq!(d.totals.passing, 2);
}

#[test]
fn the_data_age_is_shown() {
    let d = dashboard(&[
        source("check.json", &check_json()),
        source("status.json", STATUS),
    ]);
    let page = render(&d, now());
    assert!(
        page.contains("Generated <time datetime=\"2026-11-28T09:30:00Z\""),
        "{page}"
    );
    assert!(page.contains("Image data: test from 2026-08-21 (98 days old when checked)"));
    assert!(page.contains("stale"));
    assert!(page.contains("between <time datetime=\"2026-11-20T08:00:00Z\" data-ago>"));
    assert!(page.contains("<time datetime=\"2026-11-27T08:00:00Z\" data-ago>"));
    assert!(page.contains("drydock sync"));
}

#[test]
fn two_thousand_repositories_fit() {
    let mut repos = Vec::new();
    for i in 0..2000 {
        repos.push(serde_json::json!({"name": format!("acme/r{i:04}"), "findings": [
            {"rule": "base-image/eol", "severity": "error", "path": "Dockerfile", "line": 1,
             "message": "FROM python:3.8: Python 3.8 reached end of life on 2024-10-07",
             "fix": "`python:3.8` → `python:3.14-slim`"},
            {"rule": "workflow/monitor-missing", "severity": "error", "path": ".github/workflows/x.yml", "message": "no monitor"}
        ]}));
    }
    let check = serde_json::json!({"version": 1, "repos": repos, "data": {"source": "d"},
        "summary": {"errors": 4000, "warnings": 0, "notes": 0}});
    let d = dashboard(&[source("check.json", &check.to_string())]);
    let page = render(&d, now());
    assert_eq!(d.totals.monitor_missing, 2000);
    assert!(page.len() < 2 * 1024 * 1024, "{} bytes", page.len());
    assert_eq!(embedded(&page).as_array().unwrap().len(), 2000);
}
