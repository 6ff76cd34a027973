use super::*;
use crate::finding::Severity;
use crate::plan::Change;
use crate::proposal::{ApplySection, Identity};

fn change(path: &str, old: Option<&str>, new: &str, reasons: &[&str]) -> Change {
    Change {
        path: path.into(),
        action: if old.is_some() {
            Action::Update
        } else {
            Action::Create
        },
        diff: crate::plan::unified_diff(path, old, new),
        reasons: reasons.iter().map(|r| r.to_string()).collect(),
        content: new.into(),
    }
}

fn plan(changes: Vec<Change>) -> RepoPlan {
    RepoPlan {
        name: "acme/shop".into(),
        changes,
        ..RepoPlan::default()
    }
}

fn finding(rule: &str, severity: Severity, path: &str, line: usize, message: &str) -> Finding {
    Finding {
        rule: rule.into(),
        severity,
        path: path.into(),
        line: Some(line),
        column: None,
        message: message.into(),
        fix: None,
        suggestion: None,
    }
}

fn settings(toml_text: &str) -> ApplySettings {
    let section: ApplySection = toml::from_str(toml_text).unwrap();
    section.validate().unwrap();
    section.settings_for(None)
}

const DEPENDABOT_BEFORE: &str = "version: 2
updates:
  - package-ecosystem: \"npm\"
    directory: \"/web\"
    schedule:
      interval: \"monthly\"
";

const DEPENDABOT_AFTER: &str = "version: 2
updates:
  - package-ecosystem: \"npm\"
    directory: \"/web\"
    schedule:
      interval: \"monthly\"
  - package-ecosystem: \"gomod\"
    directory: \"/api\"
    schedule:
      interval: \"weekly\"
      day: \"monday\"
      time: \"05:00\"
      timezone: \"Europe/Berlin\"
  - package-ecosystem: \"docker\"
    directories:
      - \"/api\"
      - \"/web\"
    schedule:
      interval: \"weekly\"
    labels:
      - \"dependencies\"
";

const MONITOR: &str = "name: Base image monitor
on:
  schedule:
    - cron: \"17 4 * * 2\"
  workflow_dispatch: {}
jobs:
  monitor:
    runs-on: ubuntu-latest
    steps:
      - run: drydock monitor
";

fn monorepo_plan() -> RepoPlan {
    plan(vec![
        change(
            ".github/dependabot.yml",
            Some(DEPENDABOT_BEFORE),
            DEPENDABOT_AFTER,
            &[
                "adds the gomod ecosystem in /api",
                "adds the docker ecosystem in /api and /web (the policy's Dependabot Docker monitoring)",
            ],
        ),
        change(
            ".github/workflows/modules-docker-base-image-monitor.yml",
            None,
            MONITOR,
            &["the policy's automated base image monitoring, weekly"],
        ),
    ])
}

fn monorepo_input<'a>(settings: &'a ApplySettings, plan: &'a RepoPlan) -> Input<'a> {
    Input {
        repo: "acme/shop",
        default_branch: "main",
        settings,
        plan,
        ecosystems: vec![
            ("/web".into(), "npm".into()),
            ("/api".into(), "gomod".into()),
            ("/api".into(), "docker".into()),
            ("/web".into(), "docker".into()),
        ],
        dockerfiles: vec!["web/Dockerfile".into(), "api/Dockerfile".into()],
        human_findings: vec![
            finding(
                "base-image/single-stage",
                Severity::Warning,
                "web/Dockerfile",
                1,
                "node:22 is the final stage: the production image carries the whole toolchain",
            )
            .with_fix("build in a node stage, then copy the output into a distroless or alpine image"),
            finding(
                "base-image/forbidden",
                Severity::Error,
                "api/Dockerfile",
                3,
                "randomuser/golang:1.22 is neither a Docker Official Image nor from a verified publisher",
            )
            .with_fix("use golang:1.26-alpine (the official image)"),
        ],
    }
}

#[test]
fn a_monorepo_body() {
    let settings = settings(
        "policy_url = \"https://github.com/acme/policies/blob/main/base-images.md\"\nlabels = [\"policy\"]\n",
    );
    let plan = monorepo_plan();
    let out = render(&monorepo_input(&settings, &plan)).unwrap();
    insta::assert_snapshot!("monorepo_body", out.body);
    assert_eq!(out.title, "chore: apply the container base-image policy");
    assert_eq!(marker::read(&out.body), Some(out.content_hash.clone()));
    assert!(
        out.body
            .ends_with(&format!("{}\n", marker::marker(&out.content_hash)))
    );
}

#[test]
fn a_small_body() {
    let settings = settings("draft = true\n");
    let plan = plan(vec![change(
        ".github/dependabot.yml",
        None,
        "version: 2\nupdates:\n  - package-ecosystem: \"docker\"\n    directory: \"/\"\n    schedule:\n      interval: \"weekly\"\n",
        &["Dependabot watches the docker ecosystem in /"],
    )]);
    let input = Input {
        repo: "acme/tiny",
        default_branch: "trunk",
        settings: &settings,
        plan: &plan,
        ecosystems: vec![("/".into(), "docker".into())],
        dockerfiles: vec!["Dockerfile".into()],
        human_findings: vec![],
    };
    let out = render(&input).unwrap();
    insta::assert_snapshot!("small_body", out.body);
}

#[test]
fn the_commit_message_with_and_without_signoff() {
    let plan = monorepo_plan();
    let plain = settings("");
    let out = render(&monorepo_input(&plain, &plan)).unwrap();
    insta::assert_snapshot!("commit_message", out.commit_message);
    let signed = settings(
        "signoff = true\nmessage = \"ci: container policy\"\nauthor = { name = \"Policy Bot\", email = \"policy-bot@acme.example\" }\n",
    );
    let out = render(&monorepo_input(&signed, &plan)).unwrap();
    insta::assert_snapshot!("commit_message_signoff", out.commit_message);
    assert_eq!(out.title, "ci: container policy");
}

#[test]
fn the_hash_is_the_planned_files() {
    let plain = settings("");
    let plan = monorepo_plan();
    let out = render(&monorepo_input(&plain, &plan)).unwrap();
    let files: Vec<(String, String)> = plan
        .changes
        .iter()
        .map(|c| (c.path.clone(), c.content.clone()))
        .collect();
    assert_eq!(out.content_hash, marker::content_hash(&files));
    let trailer = format!("\nDrydock-Content: {}\n", out.content_hash);
    assert!(out.commit_message.contains(&trailer));
    // The same files in another order: the same hash, message aside.
    let mut reversed = plan.clone();
    reversed.changes.reverse();
    let again = render(&monorepo_input(&plain, &reversed)).unwrap();
    assert_eq!(again.content_hash, out.content_hash);
    // One byte more in one file: another hash.
    let mut edited = plan.clone();
    edited.changes[1].content.push('\n');
    let other = render(&monorepo_input(&plain, &edited)).unwrap();
    assert_ne!(other.content_hash, out.content_hash);
}

#[test]
fn an_empty_plan_proposes_nothing() {
    let plain = settings("");
    let plan = plan(vec![]);
    let err = render(&monorepo_input(&plain, &plan)).unwrap_err();
    assert!(matches!(err, RenderError::NothingToPropose { .. }), "{err}");
}

/// A line-by-line view of the body that the tests below read: every line that is neither in a
/// fenced block nor the marker.
fn prose(body: &str) -> Vec<&str> {
    let mut fence = None;
    let mut out = Vec::new();
    for line in body.lines() {
        match fence {
            Some(open) => {
                if marker::closes(line, open) {
                    fence = None;
                }
            }
            None => match marker::fence_of(line) {
                Some(open) => fence = Some(open),
                None if !line.starts_with(marker::MARKER_PREFIX) => out.push(line),
                None => {}
            },
        }
    }
    out
}

/// `line` without its code spans (a backtick run up to the next run of the same length), which
/// GitHub shows as they are.
fn outside_code_spans(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let run = rest[start..].chars().take_while(|c| *c == '`').count();
        let after = &rest[start + run..];
        let fence = "`".repeat(run);
        let mut search = 0;
        let end = loop {
            match after[search..].find(&fence) {
                Some(i) => {
                    let at = search + i;
                    let longer = after[at + run..].starts_with('`');
                    if !longer && (at == 0 || !after[..at].ends_with('`')) {
                        break Some(at);
                    }
                    search = at + after[at..].chars().take_while(|c| *c == '`').count();
                }
                None => break None,
            }
        };
        match end {
            Some(at) => rest = &after[at + run..],
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn hostile_names_render_as_the_names_they_are() {
    let hostile_path = "we`ird``|name|<!-- drydock:content=x -->\n# Heading @everyone.yml";
    let forged = marker::marker(&"b".repeat(64));
    let hostile_content = format!("````\n</details>\n{forged}\n```\n");
    let plain = settings("");
    let plan = plan(vec![change(
        hostile_path,
        None,
        &hostile_content,
        &["<img src=x onerror=alert(1)> [click](https://evil.example) @acme/all"],
    )]);
    let input = Input {
        repo: "acme/shop",
        default_branch: "main",
        settings: &plain,
        plan: &plan,
        ecosystems: vec![("/a|b".into(), "npm`".into())],
        dockerfiles: vec!["x\n- [ ] task".into()],
        human_findings: vec![finding(
            "base-image/forbidden",
            Severity::Error,
            "a<b>|c",
            1,
            "*bold* <script> $x$ #1",
        )],
    };
    let out = render(&input).unwrap();
    // The real marker is found, the forged one in the diff is not.
    assert_eq!(marker::read(&out.body), Some(out.content_hash.clone()));
    let text = prose(&out.body);
    for line in &text {
        let line = &outside_code_spans(line);
        // What GitHub would read as HTML or a link: outside code, unescaped.
        let live = line
            .replace("\\<", "")
            .replace("\\]", "")
            .replace("\\*", "");
        assert!(!line.starts_with('#') || line.starts_with("### "), "{line}");
        assert!(
            !live.contains("<img") && !live.contains("<script") && !live.contains("*bold*"),
            "{line}"
        );
        assert!(
            !line.contains("@everyone") && !line.contains("@acme"),
            "{line}"
        );
        assert!(!live.contains("<!--"), "an HTML comment opened: {line}");
        assert!(!live.contains("](https://evil"), "{line}");
        assert!(!live.contains("$x$"), "math: {line}");
        assert!(!line.contains("- [ ]"), "{line}");
        if line.starts_with('|') {
            // A table row has exactly its columns: no `|` from a value splits a cell.
            let cells = line.replace("\\|", "").matches('|').count();
            assert!(
                cells == 3 || cells == 4 || cells == 6,
                "{cells} cells: {line}"
            );
        }
    }
    // The only `<details>`/`</details>` outside the diff are the template's own.
    let closing = text.iter().filter(|l| l.contains("</details>")).count();
    assert_eq!(closing, 1, "{}", out.body);
    // The file's row and the diff heading show the name, backticks and all.
    assert!(
        out.body.contains(
            "| ```we`ird``\\|name\\|<!-- drydock:content=x -->\\n# Heading @everyone.yml``` |"
        ),
        "{}",
        out.body
    );
    assert!(
        out.body.contains("\n```we`ird``|name|<!-- drydock:content=x -->\\n# Heading @everyone.yml``` (created):\n"),
        "{}",
        out.body
    );
    // The commit message keeps one line per file.
    assert!(
        out.commit_message.contains(
            "Create we`ird``|name|<!-- drydock:content=x -->\\n# Heading @everyone.yml\n"
        ),
        "{}",
        out.commit_message
    );
}

#[test]
fn a_huge_plan_stays_under_githubs_limit() {
    let plain = settings("");
    // A dependabot.yml with thousands of directories and a diff to match, findings for every
    // Dockerfile of a monorepo with hundreds of services.
    let mut big = String::from("version: 2\nupdates:\n");
    for i in 0..4000 {
        big.push_str(&format!(
            "  - package-ecosystem: \"npm\"\n    directory: \"/services/s{i}\"\n    schedule:\n      interval: \"weekly\"\n"
        ));
    }
    let plan = plan(vec![
        change(
            ".github/dependabot.yml",
            None,
            &big,
            &["adds 4000 npm directories"],
        ),
        change(
            ".github/workflows/modules-docker-base-image-monitor.yml",
            None,
            MONITOR,
            &["monitor"],
        ),
    ]);
    assert!(plan.changes[0].diff.len() > 4 * GITHUB_BODY_LIMIT);
    let input = Input {
        repo: "acme/mono",
        default_branch: "main",
        settings: &plain,
        plan: &plan,
        ecosystems: (0..4000)
            .map(|i| (format!("/services/s{i}"), "npm".to_string()))
            .collect(),
        dockerfiles: (0..800).map(|i| format!("services/s{i}/Dockerfile")).collect(),
        human_findings: (0..800)
            .map(|i| {
                finding(
                    "base-image/forbidden",
                    Severity::Error,
                    &format!("services/s{i}/Dockerfile"),
                    1,
                    "someone/node:22 is neither a Docker Official Image nor from a verified publisher",
                )
            })
            .collect(),
    };
    let out = render(&input).unwrap();
    assert!(out.body.len() <= BODY_BUDGET, "{} bytes", out.body.len());
    assert!(out.body.chars().count() < GITHUB_BODY_LIMIT);
    assert_eq!(marker::read(&out.body), Some(out.content_hash.clone()));
    assert!(out.body.contains("…and "), "lists are cut with a count");
    assert!(
        out.body.contains("the Files changed tab"),
        "the reader is told where the rest is"
    );
    // The files table is always whole.
    assert!(
        out.body
            .contains("`.github/workflows/modules-docker-base-image-monitor.yml` | created")
    );
}

#[test]
fn a_long_diff_is_cut_at_a_line_and_says_so() {
    let plain = settings("");
    let mut big = String::from("version: 2\nupdates:\n");
    for i in 0..3000 {
        big.push_str(&format!("  # comment line {i}\n"));
    }
    let plan = plan(vec![change(".github/dependabot.yml", None, &big, &["x"])]);
    let input = Input {
        repo: "acme/web",
        default_branch: "main",
        settings: &plain,
        plan: &plan,
        ecosystems: vec![],
        dockerfiles: vec![],
        human_findings: vec![],
    };
    let out = render(&input).unwrap();
    assert!(out.body.len() <= BODY_BUDGET);
    assert!(
        out.body.contains("<summary>The diffs</summary>"),
        "the diff is kept, shortened"
    );
    let shown = out.body.matches("+  # comment line ").count();
    assert!(shown > 100 && shown < 3000, "{shown} lines shown");
    assert!(
        out.body.contains(&format!(
            "*{} more lines of this diff are not shown",
            3000 - shown
        )),
        "{}",
        &out.body[out.body.len() - 2000..]
    );
    // Every fence that opens closes.
    assert_eq!(out.body.matches("\n```diff\n").count(), 1);
    assert!(out.body.contains("\n```\n\n"));
}

#[test]
fn the_author_signs_off_escaped() {
    let mut s = settings("signoff = true\n");
    s.author = Identity {
        name: "Bot".into(),
        email: "bot@example.com".into(),
    };
    let plan = monorepo_plan();
    let out = render(&monorepo_input(&s, &plan)).unwrap();
    let last: Vec<&str> = out.commit_message.lines().rev().take(2).collect();
    assert_eq!(last[0], "Signed-off-by: Bot <bot@example.com>");
    assert!(last[1].starts_with("Drydock-Content: "));
}
