//! `drydock fleet-workflow`: the fleet workflow rendered through the CLI from a fleet.toml, for 1,
//! 4 and 20 shards and both ways of installing drydock, passes actionlint (with shellcheck),
//! `zizmor --offline --persona=auditor` with no findings and the SchemaStore workflow schema;
//! what users read is snapshotted; bad flags and settings are clear errors.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::drydock;

const BINARY: &str = r#"[github]
app_id = 4242

[workflow]
drydock_url = "https://github.com/acme/drydock/releases/download/v0.1.0/drydock-x86_64-linux"
drydock_sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

[[repo]]
name = "acme/api"
"#;

fn container() -> String {
    format!(
        "[github]\napp_id = 4242\n\n[workflow]\ndrydock_image = \"ghcr.io/acme/drydock:0.1.0@sha256:{}\"\nprivate_key_secret = \"FLEET_APP_KEY\"\napp_id_var = \"FLEET_APP_ID\"\n\n[[repo]]\nname = \"acme/api\"\n",
        "ab".repeat(32)
    )
}

/// A platform repository holding `fleet_text` as fleet.toml.
fn platform_repo(fleet_text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fleet.toml"), fleet_text).unwrap();
    dir
}

/// Runs `drydock fleet-workflow ARGS` in `dir` with its fleet.toml.
fn fleet_workflow(dir: &Path, args: &[&str]) -> std::process::Output {
    drydock()
        .current_dir(dir)
        .arg("fleet-workflow")
        .args(args)
        .output()
        .unwrap()
}

/// The workflow for `shards` written with `--write` into a fresh platform repository.
fn written(fleet_text: &str, shards: u32) -> (tempfile::TempDir, PathBuf) {
    let dir = platform_repo(fleet_text);
    let out = drydock()
        .arg("--fleet")
        .arg(dir.path().join("fleet.toml"))
        .args(["fleet-workflow", "--shards", &shards.to_string(), "--write"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = dir.path().join(".github/workflows/drydock-fleet.yml");
    assert!(path.is_file());
    (dir, path)
}

/// Every configuration the linters see: 1, 4 and 20 shards, binary and container.
fn all_rendered() -> (Vec<tempfile::TempDir>, Vec<PathBuf>) {
    let mut dirs = Vec::new();
    let mut files = Vec::new();
    for (text, shards) in [
        (BINARY.to_string(), 1),
        (BINARY.to_string(), 4),
        (container(), 20),
        (container(), 4),
    ] {
        let (dir, path) = written(&text, shards);
        dirs.push(dir);
        files.push(path);
    }
    (dirs, files)
}

fn run_tool(tool: &str, args: &[&str], files: &[PathBuf]) -> (i32, String) {
    let out = Command::new(tool)
        .args(args)
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("{tool} is not on PATH ({e}): run scripts/test.sh"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// The path of `tool` on PATH, failing (never skipping) when it is missing.
pub fn which(tool: &str) -> String {
    let out = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .unwrap();
    let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        !path.is_empty(),
        "{tool} is not on PATH: run scripts/test.sh"
    );
    path
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn fleet_workflows_pass_actionlint_with_shellcheck() {
    let (_dirs, files) = all_rendered();
    let shellcheck = format!("-shellcheck={}", which("shellcheck"));
    let (code, out) = run_tool("actionlint", &[&shellcheck, "-pyflakes="], &files);
    assert_eq!(code, 0, "actionlint:\n{out}");
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn fleet_workflows_have_no_zizmor_findings() {
    let (_dirs, files) = all_rendered();
    let (code, out) = run_tool(
        "zizmor",
        &["--offline", "--persona=auditor", "--color=never"],
        &files,
    );
    assert_eq!(code, 0, "zizmor:\n{out}");
    assert!(out.contains("No findings"), "zizmor:\n{out}");
    assert!(!out.contains("suppressed"), "zizmor:\n{out}");
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn fleet_workflows_match_the_workflow_schema() {
    let (_dirs, files) = all_rendered();
    let (code, out) = run_tool(
        "check-jsonschema",
        &["--builtin-schema", "vendor.github-workflows"],
        &files,
    );
    assert_eq!(code, 0, "check-jsonschema:\n{out}");
}

#[test]
fn the_fleet_workflow_reads_as_snapshotted() {
    let dir = platform_repo(BINARY);
    let out = fleet_workflow(dir.path(), &["--shards", "4"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    insta::assert_snapshot!(
        "fleet-workflow-4-shards",
        String::from_utf8(out.stdout).unwrap()
    );
}

#[test]
fn each_shard_runs_its_part_and_the_last_job_merges_them() {
    for shards in [1u32, 4, 20] {
        let (_dir, path) = written(&container(), shards);
        let text = std::fs::read_to_string(path).unwrap();
        let list: Vec<String> = (1..=shards).map(|i| i.to_string()).collect();
        assert!(
            text.contains(&format!("        shard: [{}]\n", list.join(", "))),
            "{text}"
        );
        assert!(text.contains(&format!("SHARD: ${{{{ matrix.shard }}}}/{shards}\n")));
        for command in ["sync", "check --format json", "apply --format json"] {
            assert!(
                text.contains(&format!(
                    "drydock --fleet \"$DRYDOCK_FLEET\" --shard \"$SHARD\" {command}"
                )),
                "{shards}: {command}"
            );
        }
        assert!(text.contains(&format!("pattern: drydock-shard-*-of-{shards}\n")));
        assert!(text.contains("drydock report merge \"$@\""));
        assert!(text.contains("status --format markdown"));
        assert!(text.contains(">> \"$GITHUB_STEP_SUMMARY\""));
        assert!(text.contains("drydock report html --out"));
        assert!(
            text.contains("secrets.FLEET_APP_KEY"),
            "[workflow] names the secret"
        );
        assert!(
            text.contains("--env DRYDOCK_APP_PRIVATE_KEY"),
            "the key reaches the container"
        );
        assert_no_expression_in_scripts(&text);
        assert!(text.contains("permissions: {}\n"));
        assert!(
            !text.contains("write #"),
            "the workflow's own token stays read-only"
        );
    }
}

/// No `${{ }}` inside a `run:` script, every action pinned to a full SHA with its version.
fn assert_no_expression_in_scripts(text: &str) {
    let mut in_run = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.starts_with("run:") {
            in_run = true;
            assert!(!trimmed.contains("${{"), "expression in run: {line}");
            continue;
        }
        if in_run && !trimmed.is_empty() && indent <= 8 {
            in_run = false;
        }
        assert!(
            !(in_run && line.contains("${{")),
            "expression in a script: {line}"
        );
        if let Some(uses) = trimmed.strip_prefix("uses: ") {
            let (_, rest) = uses.split_once('@').expect("pinned");
            let (sha, comment) = rest.split_once(" # ").expect("version comment");
            assert_eq!(sha.len(), 40, "{line}");
            assert!(comment.starts_with('v'), "{line}");
        }
    }
}

#[test]
fn the_schedule_is_validated_and_passed_through() {
    let dir = platform_repo(BINARY);
    let out = fleet_workflow(dir.path(), &["--schedule", "0 3 * * MON-FRI"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("    - cron: \"0 3 * * MON-FRI\"\n"));
    for (schedule, needle) in [
        ("0 25 * * *", "hour field"),
        ("* * * * *", "every 5 minutes"),
        ("0 3 * *", "5 fields"),
    ] {
        let out = fleet_workflow(dir.path(), &["--schedule", schedule]);
        assert_eq!(out.status.code(), Some(2), "{schedule}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("--schedule") && err.contains(needle),
            "{schedule}: {err}"
        );
        assert!(out.stdout.is_empty());
    }
    for shards in ["0", "257"] {
        let out = fleet_workflow(dir.path(), &["--shards", shards]);
        assert_eq!(out.status.code(), Some(2), "{shards}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("1 to 256"));
    }
}

#[test]
fn the_fleet_needs_an_app_whose_key_is_a_secret_and_a_way_to_install_drydock() {
    let no_app = platform_repo(&BINARY.replace("[github]\napp_id = 4242\n", ""));
    let out = fleet_workflow(no_app.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("[github] app_id is not set"), "{err}");
    assert!(err.contains("help:"), "{err}");

    let key_file = platform_repo(&BINARY.replace(
        "app_id = 4242\n",
        "app_id = 4242\nprivate_key = \"app.pem\"\n",
    ));
    let out = fleet_workflow(key_file.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("remove private_key"));

    let no_install = platform_repo("[github]\napp_id = 4242\n");
    let out = fleet_workflow(no_install.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("drydock_image"));
}

#[test]
fn the_fleet_file_is_named_relative_to_the_repository_root() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("platform")).unwrap();
    std::fs::write(dir.path().join("platform/fleet.toml"), BINARY).unwrap();
    let out = drydock()
        .current_dir(dir.path())
        .args(["--fleet", "platform/fleet.toml", "fleet-workflow"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("DRYDOCK_FLEET: \"platform/fleet.toml\"")
    );

    let elsewhere = tempfile::tempdir().unwrap();
    let out = drydock()
        .current_dir(dir.path())
        .args([
            "--fleet",
            "platform/fleet.toml",
            "fleet-workflow",
            "--write",
        ])
        .arg(elsewhere.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not inside"));
    assert!(!elsewhere.path().join(".github").exists());
}

#[test]
fn write_refuses_a_symlinked_workflows_directory() {
    let dir = platform_repo(BINARY);
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join(".github")).unwrap();
    let out = fleet_workflow(dir.path(), &["--write", "."]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        std::fs::read_dir(outside.path()).unwrap().next().is_none(),
        "nothing written through the link"
    );
}
