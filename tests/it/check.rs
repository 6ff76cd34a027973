//! `drydock check` end to end: formats, exit statuses, CVE deadlines with a fixed clock, waivers,
//! bad input, and the external judges (the SARIF schema via check-jsonschema, hadolint's
//! DL3006/DL3007 against `base-image/untagged` over the fixture set).

use std::collections::{BTreeMap, BTreeSet};

use std::path::Path;

use predicates::prelude::*;
use tempfile::TempDir;

use crate::support::{self, drydock};

const NOW: &str = "2026-11-27T12:00:00Z";

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// A repository with one clean and one bad Dockerfile and no monitor workflow.
fn sample_repo() -> TempDir {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        &[
            (
                "good/Dockerfile",
                "FROM golang:1.27-alpine AS build\nRUN go build -o /app .\nFROM gcr.io/distroless/static-debian13:nonroot\nCOPY --from=build /app /app\n",
            ),
            (
                "bad/Dockerfile",
                "FROM python:3.12\nRUN pip install -r requirements.txt\nCOPY --from=ghcr.io/acme/tools:1 /t /t\n",
            ),
            ("broken/Dockerfile", "FROM alpine:3.24 AS\n"),
            (".devcontainer/Dockerfile", "FROM node:26\n"),
        ],
    );
    dir
}

/// `drydock check --path DIR --format json` at the fixed clock, expecting exit status `code`.
fn check_path_json(dir: &Path, code: i32) -> serde_json::Value {
    json_of(
        &[
            "check",
            "--path",
            dir.to_str().unwrap(),
            "--format",
            "json",
            "--now",
            NOW,
        ],
        dir,
        code,
    )
}

/// A dependabot.yml that satisfies the policy for a repository with a root Dockerfile and workflows.
const COMPLIANT_DEPENDABOT: &str = "version: 2\nupdates:\n  - package-ecosystem: docker\n    directory: /\n    schedule:\n      interval: weekly\n    labels: [dependencies, docker, security]\n  - package-ecosystem: github-actions\n    directory: /\n    schedule:\n      interval: weekly\n";

fn json_of(args: &[&str], dir: &Path, code: i32) -> serde_json::Value {
    let out = drydock()
        .current_dir(dir)
        .args(args)
        .assert()
        .code(code)
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out)))
}

fn findings(v: &serde_json::Value) -> Vec<(String, String, u64)> {
    v["repos"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["findings"].as_array().unwrap().iter())
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

#[test]
fn json_over_a_path_has_the_documented_shape_and_exit_1() {
    let repo = sample_repo();
    let root = repo.path().to_str().unwrap();
    let v = json_of(
        &["check", "--path", root, "--format", "json", "--now", NOW],
        repo.path(),
        1,
    );
    assert_eq!(v["repos"].as_array().unwrap().len(), 1);
    assert_eq!(v["repos"][0]["name"], root);
    let got = findings(&v);
    let want = [
        ("multi-stage/single-stage", "bad/Dockerfile", 1),
        ("multi-stage/build-tools-in-final", "bad/Dockerfile", 2),
        ("base-image/forbidden", "bad/Dockerfile", 3),
        ("dockerfile/unparseable", "broken/Dockerfile", 1),
        (
            "workflow/monitor-missing",
            ".github/workflows/modules-docker-base-image-monitor.yml",
            0,
        ),
    ];
    let want: Vec<(String, String, u64)> = want
        .iter()
        .map(|(r, p, l)| (r.to_string(), p.to_string(), *l))
        .collect();
    for w in &want {
        assert!(got.contains(w), "missing {w:?} in {got:?}");
    }
    // Nothing for the clean multi-stage build or the devcontainer.
    assert!(
        !got.iter()
            .any(|(_, p, _)| p.starts_with("good/") || p.starts_with(".devcontainer/")),
        "{got:?}"
    );
    let f = &v["repos"][0]["findings"][0];
    for key in ["rule", "severity", "path", "line", "message"] {
        assert!(!f[key].is_null(), "{key} missing in {f}");
    }
    let counted: u64 = ["errors", "warnings", "notes"]
        .iter()
        .map(|k| v["summary"][k].as_u64().unwrap())
        .sum();
    assert_eq!(counted as usize, got.len());
}

#[test]
fn markdown_and_text_formats() {
    let repo = sample_repo();
    let root = repo.path().to_str().unwrap();
    drydock()
        .args([
            "check", "--path", root, "--format", "markdown", "--now", NOW,
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("## drydock check\n"))
        .stdout(predicate::str::contains(
            "| 🔴 error | `base-image/forbidden` | `bad/Dockerfile:3` |",
        ));
    // Not a terminal: no colour, findings grouped under the repository with path:line, every
    // problem of one FROM on one line.
    drydock()
        .args(["check", "--path", root, "--now", NOW])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "  bad/Dockerfile:1  error    base-image/outdated, base-image/not-slim, multi-stage/single-stage",
        ))
        .stdout(predicate::str::contains("\u{1b}[").not());
}

#[test]
fn clean_repository_exits_0() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        &[
            ("Dockerfile", "FROM alpine:3.24\nCOPY app /app\n"),
            (".github/dependabot.yml", COMPLIANT_DEPENDABOT),
            (
                ".github/workflows/modules-docker-base-image-monitor.yml",
                "name: monitor\non: workflow_dispatch\njobs: {}\n",
            ),
        ],
    );
    let v = check_path_json(dir.path(), 0);
    assert!(
        findings(&v)
            .iter()
            .all(|(r, _, _)| r == "base-image/outdated" || r == "base-image/eol"),
        "{v}"
    );
}

#[test]
fn configuration_errors_exit_2() {
    let repo = sample_repo();
    write(
        repo.path(),
        &[(
            "fleet.toml",
            "[policy.severity]\n\"base-image/latest\" = \"off\"\n",
        )],
    );
    drydock()
        .current_dir(repo.path())
        .args(["check"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("fleet.toml:2:"))
        .stderr(predicate::str::contains("unknown rule"));
    drydock()
        .args([
            "check",
            "--path",
            repo.path().to_str().unwrap(),
            "--trivy-report",
            "/nonexistent/report.json",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read the Trivy report"));
}

#[test]
fn fleet_with_waivers_build_args_and_an_unsynced_repo() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        &[
            ("svc/Dockerfile", "ARG BASE\nFROM ${BASE}\nCOPY app /app\n"),
            ("svc/.github/dependabot.yml", COMPLIANT_DEPENDABOT),
            (
                "svc/.github/workflows/modules-docker-base-image-monitor.yml",
                "on: push\n",
            ),
            ("old/Dockerfile", "FROM alpine\n"),
            (
                "fleet.toml",
                r#"[[repo]]
name = "acme/remote"
url = "https://example.invalid/acme/remote.git"

[[repo]]
name = "acme/svc"
path = "svc"
build_args = { BASE = "alpine:3.24" }

[[repo]]
name = "acme/old"
path = "old"

[[policy.waiver]]
repo = "acme/old"
rule = "workflow/monitor-missing"
reason = "OPS-1: archived next month"
expires = 2026-12-31

[[policy.waiver]]
repo = "acme/old"
path = "Dockerfile"
rule = "base-image/untagged"
reason = "OPS-2"
expires = 2026-11-01
"#,
            ),
        ],
    );
    let v = json_of(&["check", "--format", "json", "--now", NOW], dir.path(), 1);
    let repos = v["repos"].as_array().unwrap();
    assert!(
        repos[0]["error"].as_str().unwrap().contains("drydock sync"),
        "{}",
        repos[0]
    );
    // The build arg resolves FROM ${BASE}: no finding at all.
    assert_eq!(repos[1]["findings"], serde_json::json!([]), "{}", repos[1]);
    // A live waiver moves the finding to `waived`; an expired one says so.
    assert_eq!(repos[2]["waived"][0]["rule"], "workflow/monitor-missing");
    let untagged = &repos[2]["findings"][0];
    assert_eq!(untagged["rule"], "base-image/untagged");
    assert!(
        untagged["message"]
            .as_str()
            .unwrap()
            .contains("expired on 2026-11-01"),
        "{untagged}"
    );
    assert_eq!(v["summary"]["repos_failed"], 1);
}

#[test]
fn trivy_deadlines_with_a_fixed_clock_and_state_file() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        &[
            (
                "app/Dockerfile",
                "FROM python:3.12-slim AS build\nRUN pip wheel -w /w .\nFROM gcr.io/distroless/python3-debian13\nCOPY --from=build /w /w\n",
            ),
            (
                "fleet.toml",
                "[fleet]\nworkspace = \"ws\"\n\n[[repo]]\nname = \"acme/app\"\npath = \"app\"\n",
            ),
        ],
    );
    let report =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/trivy/python-3.12-slim.json");
    let report = report.to_str().unwrap();
    // Three days after the report: the CRITICAL CVE is a day late, on the FROM that uses the image.
    let v = json_of(
        &[
            "check",
            "--format",
            "json",
            "--trivy-report",
            report,
            "--now",
            "2026-11-23T09:30:00Z",
        ],
        dir.path(),
        1,
    );
    let cves: Vec<&serde_json::Value> = v["repos"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "cve/deadline-exceeded")
        .collect();
    assert_eq!(cves.len(), 1, "{v}");
    assert_eq!(cves[0]["path"], "Dockerfile");
    assert_eq!(cves[0]["line"], 1);
    let msg = cves[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("CVE-2026-10001") && msg.contains("48 h") && msg.contains("exceeded by 1 day"),
        "{msg}"
    );
    let state = std::fs::read_to_string(dir.path().join("ws/state/cve-first-seen.json")).unwrap();
    assert!(state.contains("CVE-2026-10002"), "{state}");
    // Forty days on: CRITICAL, HIGH and MEDIUM are late; LOW never is.
    let v = json_of(
        &[
            "check",
            "--format",
            "json",
            "--trivy-report",
            report,
            "--now",
            "2026-12-30T09:30:00Z",
        ],
        dir.path(),
        1,
    );
    let late: Vec<&str> = v["repos"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "cve/deadline-exceeded")
        .map(|f| f["message"].as_str().unwrap().split(' ').next().unwrap())
        .collect();
    assert_eq!(
        late,
        ["CVE-2026-10001", "CVE-2026-10002", "CVE-2026-10003"],
        "{v}"
    );
}

/// SARIF of the sample repository plus an overdue CVE of an image it does not use.
fn sample_sarif(repo: &TempDir) -> Vec<u8> {
    let report =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/trivy/python-3.12-slim.json");
    drydock()
        .current_dir(repo.path())
        .args([
            "check",
            "--path",
            ".",
            "--format",
            "sarif",
            "--now",
            NOW,
            "--trivy-report",
            report.to_str().unwrap(),
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone()
}

#[test]
fn sarif_shape() {
    let repo = sample_repo();
    let v: serde_json::Value = serde_json::from_slice(&sample_sarif(&repo)).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    let uris: Vec<&str> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(
        uris.contains(&"bad/Dockerfile") && uris.contains(&"python-3.12-slim.json"),
        "{uris:?}"
    );
    for r in results {
        let loc = &r["locations"][0]["physicalLocation"];
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(
            !loc["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .starts_with('/')
        );
        assert!(
            r["ruleId"].is_string() && r["level"].is_string() && r["message"]["text"].is_string()
        );
    }
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn sarif_passes_the_sarif_2_1_0_schema() {
    let repo = sample_repo();
    let out = sample_sarif(&repo);
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-2.1.0.json");
    let outcome = support::checkers::run_on_text(
        "check-jsonschema",
        &["--schemafile", schema.to_str().unwrap()],
        "drydock.sarif",
        &String::from_utf8(out).unwrap(),
    );
    assert!(outcome.ok, "{}", outcome.output);
}

/// Fixtures where hadolint (DL3006/DL3007) and drydock (`base-image/untagged`) disagree, with
/// (hadolint lines, drydock lines). Each is a case docs/rules.md explains.
const KNOWN_DIFFERENCES: &[(&str, &[u64], &[u64])] = &[
    // ARG ALPINE_VERSION=latest / FROM alpine:${ALPINE_VERSION}: the build pulls latest.
    ("28-arg-latest", &[], &[2]),
    // FROM node@sha256:...: pinned, but no visible version (line 1); the distroless image on line 4
    // has its version in the repository name (below).
    ("32-digest-only", &[4], &[1]),
    // gcr.io/distroless/<runtime>-debianNN without a tag: the version is in the repository name,
    // and distroless documents only `latest`/`nonroot` tags (POLICY.md's own example).
    ("01-node-distroless", &[9], &[]),
    ("06-go-outdated-builder", &[6], &[]),
    ("07-rust-cc", &[7], &[]),
    ("27-arg-default-modifier", &[6], &[]),
    ("29-arg-after-from-not-visible", &[6], &[]),
    ("37-mount-from-image", &[6], &[]),
    ("43-stage-by-index", &[3], &[]),
    ("50-python-buster-eol", &[4], &[]),
    ("54-python-unsupported-tag", &[4], &[]),
    ("60-onbuild-and-healthcheck", &[4], &[]),
    ("67-arg-whole-image", &[5], &[]),
    ("104-pinned-patch", &[6], &[]),
    ("117-go-service-4", &[10], &[]),
    ("119-go-service-6", &[10], &[]),
    ("124-rust-service-5", &[7], &[]),
    ("127-java-app-3", &[6], &[]),
    ("138-node-app-1", &[10], &[]),
    ("149-python-app-3", &[7], &[]),
    ("182-bitnami-unofficial", &[3], &[]),
    ("183-dhi-hardened", &[2], &[]),
    ("201-lowercase-stages", &[3], &[]),
    // FROM binary-$TARGETOS / base-${TARGETARCH}: every platform value names a stage of the file.
    ("99-from-targetos-stages", &[14], &[]),
    ("100-from-targetarch-stages", &[5], &[]),
    // `from alpine:3.24 as Build` ... `from build`: stage names are case-insensitive, so this is
    // the earlier stage, not an untagged image named `build`.
    ("42-lowercase-keywords", &[4], &[]),
    // COPY --from=busybox: an image pulled without a tag.
    ("36-copy-from-image", &[], &[8]),
    // FROM alpine:latest@sha256:...: still `latest`.
    ("68-latest-digest", &[], &[1]),
];

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn hadolint_tag_rules_agree_with_untagged() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dockerfiles");
    let dir = TempDir::new().unwrap();
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|x| x == "Dockerfile") {
            let name = p.file_stem().unwrap().to_str().unwrap().to_string();
            std::fs::create_dir_all(dir.path().join(&name)).unwrap();
            std::fs::copy(&p, dir.path().join(&name).join("Dockerfile")).unwrap();
            names.push(name);
        }
    }
    names.sort();
    // One hadolint process over every file.
    let mut cmd = std::process::Command::new("hadolint");
    cmd.args(["--format", "json", "--no-fail"])
        .current_dir(dir.path());
    for n in &names {
        cmd.arg(format!("{n}/Dockerfile"));
    }
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("cannot run hadolint ({e}): run the tests through scripts/test.sh")
    });
    let hadolint: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let mut theirs: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    for d in hadolint.as_array().unwrap() {
        if d["code"] == "DL3006" || d["code"] == "DL3007" {
            let file = d["file"]
                .as_str()
                .unwrap()
                .trim_end_matches("/Dockerfile")
                .to_string();
            theirs
                .entry(file)
                .or_default()
                .insert(d["line"].as_u64().unwrap());
        }
    }
    let v = check_path_json(dir.path(), 1);
    let mut ours: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    for (rule, path, line) in findings(&v) {
        if rule == "base-image/untagged" {
            ours.entry(path.trim_end_matches("/Dockerfile").to_string())
                .or_default()
                .insert(line);
        }
    }
    let mut agreed = 0;
    let mut problems = Vec::new();
    for n in &names {
        let h = theirs.get(n).cloned().unwrap_or_default();
        let d = ours.get(n).cloned().unwrap_or_default();
        match KNOWN_DIFFERENCES.iter().find(|(name, _, _)| name == n) {
            Some((_, hl, dl)) => {
                assert_eq!(h, hl.iter().copied().collect(), "{n}: hadolint changed");
                assert_eq!(d, dl.iter().copied().collect(), "{n}: drydock changed");
                assert_ne!(h, d, "{n} is listed as a difference but they agree now");
            }
            None if h != d => problems.push(format!("(\"{n}\", &{h:?}, &{d:?}),")),
            None => agreed += usize::from(!h.is_empty()),
        }
    }
    assert!(
        problems.is_empty(),
        "hadolint DL3006/DL3007 lines vs drydock untagged lines:\n{}",
        problems.join("\n")
    );
    assert!(
        agreed >= 3,
        "too few fixtures where both report a missing tag: {agreed}"
    );
}

#[test]
fn shipped_data_and_data_dir() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The shipped data knows Python 3.9 reached end of life (2025-10-31).
    let v = json_of(
        &[
            "check",
            "--repo",
            "acme/legacy-worker",
            "--format",
            "json",
            "--now",
            NOW,
        ],
        root,
        1,
    );
    let got = findings(&v);
    for want in [
        "base-image/eol",
        "multi-stage/single-stage",
        "multi-stage/build-tools-in-final",
        "base-image/forbidden",
        "workflow/monitor-missing",
    ] {
        assert!(
            got.iter().any(|(r, _, _)| r == want),
            "{want} missing: {got:?}"
        );
    }
    assert!(
        v["data"]["source"]
            .as_str()
            .unwrap()
            .starts_with("shipped data: "),
        "{}",
        v["data"]
    );
    // --data-dir: newer data is used and its date reported; a bad one is a configuration error.
    let data = TempDir::new().unwrap();
    for f in ["official-images.json", "lifecycle.json"] {
        std::fs::copy(root.join("data").join(f), data.path().join(f)).unwrap();
    }
    let v = json_of(
        &[
            "check",
            "--repo",
            "acme/legacy-worker",
            "--format",
            "json",
            "--now",
            NOW,
            "--data-dir",
            data.path().to_str().unwrap(),
        ],
        root,
        1,
    );
    assert!(
        v["data"]["source"]
            .as_str()
            .unwrap()
            .starts_with(data.path().to_str().unwrap())
    );
    assert_eq!(v["data"]["stale"], true);
    std::fs::write(data.path().join("lifecycle.json"), "{").unwrap();
    drydock()
        .current_dir(root)
        .args([
            "check",
            "--repo",
            "acme/legacy-worker",
            "--data-dir",
            data.path().to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("lifecycle.json"));
}

#[test]
fn missing_dependabot_yml_is_a_docker_coverage_error() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        &[("api/Dockerfile", "FROM alpine:3.24\nCOPY app /app\n")],
    );
    let v = check_path_json(dir.path(), 1);
    let findings = v["repos"][0]["findings"].as_array().unwrap();
    let coverage: Vec<_> = findings
        .iter()
        .filter(|f| f["rule"] == "dependabot/docker-coverage")
        .collect();
    assert_eq!(coverage.len(), 1, "{findings:#?}");
    assert_eq!(coverage[0]["path"], ".github/dependabot.yml");
    assert_eq!(coverage[0]["severity"], "error");
    let message = coverage[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("there is no .github/dependabot.yml"),
        "{message}"
    );
    assert!(message.contains("/api"), "{message}");
}
