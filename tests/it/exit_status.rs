//! Exit statuses and the errors that stop a command: a wrong flag value is a usage error named
//! by its flag (no fake `file:0:0:` location), and a reader that closes the pipe early
//! (`drydock plan | head -c1`) makes drydock stop quietly with status 0.

use std::path::Path;
use std::process::Stdio;

use tempfile::TempDir;

use crate::support::drydock_process as drydock;

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// A fleet of one local repository with a Dockerfile and a package manifest.
fn fleet() -> TempDir {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        &[
            (
                "fleet.toml",
                "[[repo]]\nname = \"acme/api\"\npath = \"api\"\n",
            ),
            ("api/Dockerfile", "FROM python:3.12\n"),
            ("api/package.json", "{}"),
        ],
    );
    dir
}

/// Runs drydock in `dir`; returns the exit status and stderr.
fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = drydock().current_dir(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn flag_errors_name_the_flag_without_a_fake_location() {
    let dir = fleet();
    let root = dir.path();
    let cases: [(&[&str], &str); 4] = [
        (
            &["check", "--now", "yesterday"],
            "error: --now \"yesterday\" is not an RFC 3339 time: ",
        ),
        (
            &["scan", "--repo", "acme/apl"],
            "error: --repo \"acme/apl\" is not in the fleet\n  help: did you mean \"acme/api\"?\n",
        ),
        (
            &["scan", "--path", "missing"],
            "error: missing: --path must name a directory\n  help: pass the root of a repository checkout\n",
        ),
        (
            &[
                "bump",
                "--quiet",
                "--path",
                "api",
                "--registry-mirror",
                "docker.io",
            ],
            "error: --registry-mirror: registry mirror \"docker.io\" is not HOST=URL",
        ),
    ];
    for (args, expected) in cases {
        let (code, stderr) = run(root, args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.starts_with(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains(":0:0:"), "{args:?}: {stderr}");
    }
}

/// Runs drydock with its stdout on a pipe whose reading end is already closed.
fn run_into_closed_pipe(dir: &Path, args: &[&str]) -> (i32, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = drydock()
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_stdout_is_a_quiet_success() {
    let dir = fleet();
    for args in [
        &["plan"][..],
        &["plan", "--format", "json"],
        &["scan"],
        &["check"],
        &["sync"],
    ] {
        let (code, stderr) = run_into_closed_pipe(dir.path(), args);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn json_documents_start_with_their_version() {
    let dir = fleet();
    for args in [
        &["scan", "--format", "json"][..],
        &["plan", "--format", "json"],
        &["check", "--format", "json"],
    ] {
        let out = drydock()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let start = stdout.trim_start_matches(['{', ' ', '\n']);
        assert!(
            start.starts_with("\"version\": 1") || start.starts_with("\"version\":1"),
            "{args:?}: {stdout}"
        );
    }
}
