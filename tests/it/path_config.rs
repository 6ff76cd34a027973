//! `--path DIR` and its configuration: the built-in defaults unless `--fleet` is given or DIR
//! holds `.github/drydock.toml`; a fleet.toml in the current directory is never read unasked;
//! a repository's own CI reaches green with `plan --path .` and `check --path .`.

use std::path::Path;

use crate::support::drydock;

const NOW: &str = "2026-11-27T12:00:00Z";

/// A repository with one policy-conforming Dockerfile.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM debian:trixie-slim\nCOPY api /usr/local/bin/api\nUSER nobody\nCMD [\"api\"]\n",
    )
    .unwrap();
    dir
}

fn repo_config(dir: &Path, text: &str) {
    std::fs::create_dir_all(dir.join(".github")).unwrap();
    std::fs::write(dir.join(".github/drydock.toml"), text).unwrap();
}

const OWN_CONFIG: &str = "[workflow]\ndrydock_image = \"ghcr.io/example/drydock:1.0.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"\n";

#[test]
fn path_never_reads_the_fleet_toml_of_the_current_directory() {
    let repo = repository();
    // The drydock clone's own fleet.toml (the example organisation) is in the current directory.
    let output = drydock()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["plan", "--stat", "--path"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        !stdout.contains("modules-docker-base-image-monitor"),
        "{stdout}"
    );
    assert!(
        stderr.contains("configuration from the built-in defaults"),
        "{stderr}"
    );
    assert!(!stderr.contains("fleet.toml:"), "{stderr}");
}

#[test]
fn path_reads_the_fleet_file_named_with_fleet() {
    let repo = repository();
    let output = drydock()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["plan", "--stat", "--fleet", "fleet.toml", "--path"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stdout.contains("create .github/workflows/modules-docker-base-image-monitor.yml"));
    assert!(
        stderr.contains("configuration from the fleet file fleet.toml"),
        "{stderr}"
    );
}

#[test]
fn repository_config_lets_its_ci_reach_green() {
    let repo = repository();
    repo_config(repo.path(), OWN_CONFIG);
    let run = |args: &[&str]| {
        drydock()
            .current_dir(repo.path())
            .args(args)
            .output()
            .unwrap()
    };
    let before = run(&["check", "--path", ".", "--now", NOW]);
    assert_eq!(before.status.code(), Some(1), "{before:?}");
    assert!(String::from_utf8_lossy(&before.stdout).contains("workflow/monitor-missing"));

    let write = run(&["plan", "--path", ".", "--write"]);
    assert_eq!(write.status.code(), Some(0), "{write:?}");
    assert!(
        String::from_utf8_lossy(&write.stderr)
            .contains("configuration from ./.github/drydock.toml"),
        "{write:?}"
    );
    assert!(
        repo.path()
            .join(".github/workflows/modules-docker-base-image-monitor.yml")
            .is_file()
    );

    let drift = run(&["plan", "--path", ".", "--exit-code"]);
    assert_eq!(drift.status.code(), Some(0), "{drift:?}");
    let check = run(&["check", "--path", ".", "--now", NOW]);
    assert_eq!(check.status.code(), Some(0), "{check:?}");
    assert!(
        String::from_utf8_lossy(&check.stdout).contains("0 errors"),
        "{check:?}"
    );
}

#[test]
fn repository_config_refuses_repo_tables() {
    let repo = repository();
    repo_config(
        repo.path(),
        "[[repo]]\nname = \"acme/other\"\npath = \".\"\n",
    );
    let output = drydock()
        .args(["plan", "--path"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains(".github/drydock.toml:1:1: a repository's own drydock.toml"),
        "{stderr}"
    );
}

#[test]
fn quiet_does_not_say_which_configuration() {
    let repo = repository();
    let output = drydock()
        .args(["plan", "--quiet", "--path"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(String::from_utf8(output.stderr).unwrap(), "");
}

#[test]
fn bump_path_takes_the_repository_config_not_the_fleet_toml_of_the_current_directory() {
    // The current directory holds another fleet's fleet.toml whose registry mirror would stop
    // bump (a mirror URL must be http or https); the repository's own config asks for `major`.
    let cwd = tempfile::tempdir().unwrap();
    std::fs::write(
        cwd.path().join("fleet.toml"),
        "[registry]\nmirrors = { \"docker.io\" = \"ftp://mirror.invalid\" }\n",
    )
    .unwrap();
    let repo = tempfile::tempdir().unwrap();
    std::fs::write(
        repo.path().join("Dockerfile"),
        "FROM scratch\nCOPY api /api\n",
    )
    .unwrap();
    repo_config(repo.path(), "[registry]\nlevel = \"major\"\n");

    let bump = |args: &[&str]| {
        drydock()
            .current_dir(cwd.path())
            .args(["bump", "--format", "json"])
            .args(args)
            .arg("--path")
            .arg(repo.path())
            .output()
            .unwrap()
    };
    let output = bump(&[]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["level"], "major", "{report}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    let own = repo.path().join(".github/drydock.toml");
    assert!(
        stderr.contains(&format!("configuration from {}", own.display())),
        "{stderr}"
    );
    assert!(!stderr.contains("fleet.toml"), "{stderr}");

    // Named with --fleet, the same fleet.toml is read, and its mirror is refused.
    let named = bump(&["--fleet", "fleet.toml"]);
    assert_eq!(named.status.code(), Some(2), "{named:?}");
    assert!(
        String::from_utf8_lossy(&named.stderr).contains("fleet.toml:"),
        "{named:?}"
    );
}

#[test]
fn bump_path_without_a_repository_config_takes_the_built_in_defaults() {
    let cwd = tempfile::tempdir().unwrap();
    std::fs::write(
        cwd.path().join("fleet.toml"),
        "[registry]\nlevel = \"patch\"\nmirrors = { \"docker.io\" = \"ftp://mirror.invalid\" }\n",
    )
    .unwrap();
    let repo = tempfile::tempdir().unwrap();
    let output = drydock()
        .current_dir(cwd.path())
        .args(["bump", "--format", "json", "--path"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["level"], "minor", "{report}");
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("configuration from the built-in defaults"),
        "{output:?}"
    );
}
