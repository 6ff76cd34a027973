//! drydock's own release: its Dockerfile passes drydock's own policy (`drydock check --path .` on
//! this repository: no error) and hadolint, the repository's own dependabot.yml is what drydock
//! plans for it, and the release workflow and the install action pass actionlint (with
//! shellcheck), `zizmor --offline --persona=auditor` and their schemas.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::fleet_workflow::which;
use crate::support::drydock;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn drydock_check_on_its_own_repository_reports_no_error() {
    let scan = drydock()
        .current_dir(root())
        .args(["scan", "--path", ".", "--format", "json"])
        .output()
        .unwrap();
    let dockerfiles = &json(&scan)["repos"][0]["dockerfiles"];
    assert_eq!(
        dockerfiles,
        &serde_json::json!([{ "path": "Dockerfile" }]),
        "the check below covers drydock's own Dockerfile"
    );
    let out = drydock()
        .current_dir(root())
        .args(["check", "--path", ".", "--format", "json"])
        .output()
        .unwrap();
    let report = json(&out);
    assert_eq!(out.status.code(), Some(0), "{report:#}");
    assert_eq!(report["summary"]["errors"], 0, "{report:#}");
    let findings = report["repos"][0]["findings"].as_array().unwrap();
    assert!(
        findings.iter().all(|f| f["path"] != "Dockerfile"),
        "the Dockerfile meets the policy without warnings: {findings:#?}"
    );
    let waived: Vec<&str> = report["repos"][0]["waived"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        waived,
        ["workflow/monitor-missing"],
        "only the monitor waits for the first release (.github/drydock.toml)"
    );
}

#[test]
fn the_repositorys_dependabot_yml_is_what_drydock_plans() {
    let out = drydock()
        .current_dir(root())
        .args(["plan", "--path", ".", "--exit-code", "--stat"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_dockerfile_builds_a_static_binary_into_a_non_root_distroless_image() {
    let text = std::fs::read_to_string(root().join("Dockerfile")).unwrap();
    let froms: Vec<&str> = text.lines().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(froms.len(), 3, "{froms:?}");
    assert!(froms[0].contains("-alpine") && froms[0].ends_with(" AS build"));
    assert_eq!(froms[1], "FROM scratch AS binary");
    assert!(froms[2].starts_with("FROM gcr.io/distroless/static-"));
    assert!(froms[2].ends_with(":nonroot"));
    let last_stage = &text[text.rfind("\nFROM ").unwrap()..];
    assert!(last_stage.contains("\nUSER 65532:65532\n"), "{last_stage}");
    assert!(
        !last_stage.contains("RUN "),
        "no build tooling in the final stage"
    );
    assert!(text.contains("OPENSSL_STATIC=1"));
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn the_dockerfile_passes_hadolint() {
    let out = Command::new(which("hadolint"))
        .arg(root().join("Dockerfile"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "hadolint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn release_files() -> Vec<PathBuf> {
    vec![
        root().join(".github/workflows/release.yml"),
        root().join("action.yml"),
    ]
}

fn run_tool(tool: &str, args: &[&str], files: &[PathBuf]) -> (bool, String) {
    let out = Command::new(which(tool))
        .args(args)
        .args(files)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn the_release_workflow_passes_actionlint_with_shellcheck() {
    let shellcheck = format!("-shellcheck={}", which("shellcheck"));
    let (ok, out) = run_tool(
        "actionlint",
        &[&shellcheck, "-pyflakes="],
        &release_files()[..1],
    );
    assert!(ok, "actionlint:\n{out}");
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn the_release_workflow_and_the_action_have_no_zizmor_findings() {
    let (ok, out) = run_tool(
        "zizmor",
        &["--offline", "--persona=auditor", "--color=never"],
        &release_files(),
    );
    assert!(ok, "zizmor:\n{out}");
    assert!(out.contains("No findings"), "zizmor:\n{out}");
    assert!(!out.contains("suppressed"), "zizmor:\n{out}");
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn the_release_workflow_and_the_action_match_their_schemas() {
    let files = release_files();
    let (ok, out) = run_tool(
        "check-jsonschema",
        &["--builtin-schema", "vendor.github-workflows"],
        &files[..1],
    );
    assert!(ok, "check-jsonschema (workflow):\n{out}");
    let (ok, out) = run_tool(
        "check-jsonschema",
        &["--builtin-schema", "vendor.github-actions"],
        &files[1..],
    );
    assert!(ok, "check-jsonschema (action):\n{out}");
}

#[test]
fn the_release_pins_every_action_and_keeps_expressions_out_of_scripts() {
    for file in release_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut in_run = false;
        let mut run_indent = 0;
        for line in text.lines() {
            let trimmed = line.trim_start();
            let indent = line.len() - trimmed.len();
            if in_run && !trimmed.is_empty() && indent <= run_indent {
                in_run = false;
            }
            if trimmed.starts_with("run:") {
                in_run = true;
                run_indent = indent;
                assert!(!trimmed.contains("${{"), "{}: {line}", file.display());
                continue;
            }
            assert!(
                !(in_run && line.contains("${{")),
                "{}: expression in a script: {line}",
                file.display()
            );
            if let Some(uses) = trimmed
                .strip_prefix("uses: ")
                .or_else(|| trimmed.strip_prefix("- uses: "))
            {
                let (_, rest) = uses.split_once('@').expect("pinned");
                let (sha, _) = rest.split_once(" # ").expect("version comment");
                assert_eq!(sha.len(), 40, "{}: {line}", file.display());
            }
        }
    }
    let workflow = std::fs::read_to_string(&release_files()[0]).unwrap();
    assert!(workflow.contains("permissions: {}\n"));
    for arch in ["x86_64", "aarch64"] {
        assert!(
            workflow.contains(&format!("drydock-{arch}-linux")),
            "{arch}"
        );
    }
    assert!(workflow.contains("SHA256SUMS"));
    assert!(workflow.contains("imagetools create"));
}
