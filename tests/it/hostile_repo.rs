//! Hostile repositories (issue 14, items 2, 3 and 8 for files): planted symlinks, hard links,
//! links to secrets and to `/dev/zero`, FIFOs and huge files. drydock reads repository files
//! only through `fs::read_repo_file` and writes only through `fs::write_atomic`; these run the
//! real binary over such trees and check that nothing outside is read, shown or written, and
//! that nothing hangs.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::Duration;

use tempfile::TempDir;

use crate::support::drydock;

/// A bound on every run here: a read that blocks (a FIFO) must fail the test, not hang it.
const BOUND: Duration = Duration::from_secs(60);

/// The secret a planted symlink points at; it must never reach any output.
const CANARY: &str = "CANARY-7f3a9c: drydock-must-not-print-this";

/// A repository with one Dockerfile, and a directory outside it with a file holding [`CANARY`].
fn repo_and_outside() -> (tempfile::TempDir, tempfile::TempDir) {
    let repo = tempfile::tempdir().unwrap();
    std::fs::write(repo.path().join("Dockerfile"), "FROM ubuntu:22.04\n").unwrap();
    std::fs::create_dir(repo.path().join(".github")).unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret"), format!("{CANARY}\n")).unwrap();
    (repo, outside)
}

struct Run {
    code: i32,
    out: String,
    err: String,
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let out = drydock()
        .args(args)
        .current_dir(dir)
        .timeout(BOUND)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `check --path repo` in every format, and `plan --path repo` in both.
fn every_output(repo: &Path) -> Vec<(String, Run)> {
    let path = repo.to_str().unwrap();
    let mut runs = Vec::new();
    for format in ["text", "json", "sarif", "markdown"] {
        let args = ["check", "--path", path, "--format", format];
        runs.push((format!("check {format}"), run(repo, &args)));
    }
    for format in ["text", "json"] {
        let args = ["plan", "--path", path, "--format", format];
        runs.push((format!("plan {format}"), run(repo, &args)));
    }
    runs
}

/// Every output of [`every_output`] says `says` and none contains `secret`.
fn assert_refused_everywhere(repo: &Path, secret: &str, says: &str) {
    for (what, r) in every_output(repo) {
        assert!(
            !r.out.contains(secret) && !r.err.contains(secret),
            "{what} printed the secret:\n{}{}",
            r.out,
            r.err
        );
        assert!(
            r.out.contains(says),
            "{what} does not say {says:?}:\n{}{}",
            r.out,
            r.err
        );
        assert!(
            r.out.contains("drydock/unusable-file"),
            "{what}:\n{}",
            r.out
        );
    }
}

#[test]
fn a_dependabot_yml_linked_to_a_file_outside_is_never_read_or_shown() {
    let (repo, outside) = repo_and_outside();
    symlink(
        outside.path().join("secret"),
        repo.path().join(".github/dependabot.yml"),
    )
    .unwrap();
    assert_refused_everywhere(repo.path(), "CANARY-7f3a9c", "is a symlink");
}

#[test]
fn a_dependabot_yml_linked_to_etc_passwd_is_never_read_or_shown() {
    let (repo, _outside) = repo_and_outside();
    symlink("/etc/passwd", repo.path().join(".github/dependabot.yml")).unwrap();
    assert_refused_everywhere(repo.path(), "root:x:0:0", "is a symlink");
}

#[test]
fn a_dependabot_yml_linked_to_dev_zero_is_a_bounded_clear_finding() {
    let (repo, _outside) = repo_and_outside();
    symlink("/dev/zero", repo.path().join(".github/dependabot.yml")).unwrap();
    let r = run(repo.path(), &["check", "--path", "."]);
    assert_eq!(r.code, 1, "{}{}", r.out, r.err);
    insta::assert_snapshot!(unusable_lines(&r.out), @r"
    .github/dependabot.yml  error    drydock/unusable-file  .github/dependabot.yml is a symlink; drydock does not follow symlinks in a repository
    fix: replace it with a regular file inside the repository
    ");
}

/// The unusable-file findings of a text output, each with its fix line.
fn unusable_lines(out: &str) -> String {
    let lines: Vec<&str> = out.lines().collect();
    let mut picked = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.contains("drydock/unusable-file") {
            picked.push(line.trim());
            if let Some(fix) = lines
                .get(i + 1)
                .filter(|l| l.trim_start().starts_with("fix:"))
            {
                picked.push(fix.trim());
            }
        }
    }
    picked.join("\n")
}

#[test]
fn a_fifo_dependabot_yml_does_not_hang_check_or_plan() {
    let (repo, _outside) = repo_and_outside();
    let fifo = repo.path().join(".github/dependabot.yml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    for command in ["check", "plan"] {
        let r = run(repo.path(), &[command, "--path", "."]);
        assert!(
            r.out
                .contains(".github/dependabot.yml is a FIFO, not a regular file"),
            "{command}: {}{}",
            r.out,
            r.err
        );
    }
}

#[test]
fn a_dependabot_yml_over_the_cap_is_a_finding_naming_the_cap() {
    let (repo, _outside) = repo_and_outside();
    let file = repo.path().join(".github/dependabot.yml");
    // Sparse: over the default cap (4 MiB) without writing it.
    std::fs::File::create(&file)
        .unwrap()
        .set_len((4 << 20) + 1)
        .unwrap();
    let r = run(repo.path(), &["check", "--path", "."]);
    assert!(
        r.out
            .contains("the file is larger than the cap of 4194304 bytes (`[scan] max_file_bytes`)"),
        "{}{}",
        r.out,
        r.err
    );
    assert!(r.out.contains("raise `[scan] max_file_bytes`"), "{}", r.out);

    // The setting moves the cap, for check and plan alike.
    std::fs::write(
        &file,
        format!("version: 2\nupdates: []\n{}", "#\n".repeat(600)),
    )
    .unwrap();
    std::fs::write(
        repo.path().join("fleet.toml"),
        "[scan]\nmax_file_bytes = 1000\n",
    )
    .unwrap();
    for command in ["check", "plan"] {
        // `--path` reads a fleet file only when `--fleet` names it.
        let r = run(
            repo.path(),
            &[command, "--fleet", "fleet.toml", "--path", "."],
        );
        assert!(
            r.out.contains("larger than the cap of 1000 bytes"),
            "{command}: {}{}",
            r.out,
            r.err
        );
    }
    std::fs::write(
        repo.path().join("fleet.toml"),
        "[scan]\nmax_file_bytes = 0\n",
    )
    .unwrap();
    let r = run(
        repo.path(),
        &["check", "--fleet", "fleet.toml", "--path", "."],
    );
    assert_eq!(r.code, 2, "{}{}", r.out, r.err);
    assert!(
        r.err.contains("max_file_bytes must be at least 1"),
        "{}",
        r.err
    );
}

#[test]
fn plan_exit_code_fails_on_a_symlinked_github_directory() {
    let (repo, outside) = repo_and_outside();
    std::fs::remove_dir(repo.path().join(".github")).unwrap();
    symlink(outside.path(), repo.path().join(".github")).unwrap();
    let r = run(repo.path(), &["plan", "--path", ".", "--exit-code"]);
    assert_eq!(r.code, 1, "{}{}", r.out, r.err);
    insta::assert_snapshot!(unusable_lines(&r.out), @r"
    error .github/dependabot.yml: .github is a symlink; drydock does not follow symlinks in a repository [drydock/unusable-file]
    fix: replace it with a regular file inside the repository
    ");
    let r = run(repo.path(), &["plan", "--path", ".", "--write"]);
    assert!(
        r.out.contains("drydock/unusable-file"),
        "{}{}",
        r.out,
        r.err
    );
    assert_eq!(
        std::fs::read_dir(outside.path()).unwrap().count(),
        1,
        "nothing written through the symlink"
    );
}

#[test]
fn plan_write_refuses_a_hard_linked_dependabot_yml() {
    let (repo, outside) = repo_and_outside();
    let file = repo.path().join(".github/dependabot.yml");
    let old = "version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directory: /\n    schedule:\n      interval: weekly\n";
    std::fs::write(&file, old).unwrap();
    let other = outside.path().join("linked");
    std::fs::hard_link(&file, &other).unwrap();
    let r = run(repo.path(), &["plan", "--path", ".", "--write"]);
    assert_eq!(r.code, 3, "{}{}", r.out, r.err);
    assert!(
        r.out
            .contains("it has 2 hard links, so it is also another file"),
        "{}{}",
        r.out,
        r.err
    );
    assert_eq!(std::fs::read_to_string(&other).unwrap(), old);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), old);
}

/// A registry stand-in on 127.0.0.1 that knows one repository and its tags (the tag list is all
/// `bump` asks for without `--pin-digests`). Serves until the test process ends.
fn tag_registry(repository: &'static str, tags: &'static [&'static str]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            // Headers, to the blank line (bounded: a request is small).
            for _ in 0..100 {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) <= 2 {
                    break;
                }
            }
            let path = request.split(' ').nth(1).unwrap_or("");
            let (status, body) = if path == "/v2/" {
                ("200 OK", "{}".to_string())
            } else if path.starts_with(&format!("/v2/{repository}/tags/list")) {
                let tags: Vec<String> = tags.iter().map(|t| format!("\"{t}\"")).collect();
                let body = format!(r#"{{"name":"{repository}","tags":[{}]}}"#, tags.join(","));
                ("200 OK", body)
            } else {
                (
                    "404 Not Found",
                    r#"{"errors":[{"code":"NAME_UNKNOWN"}]}"#.to_string(),
                )
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

#[test]
fn bump_write_never_writes_through_a_planted_temporary_file_symlink() {
    let url = tag_registry("library/ubuntu", &["22.04", "24.04"]);
    let (repo, outside) = repo_and_outside();
    let victim = outside.path().join("secret");
    let planted = repo.path().join(".Dockerfile.drydock-tmp");
    symlink(&victim, &planted).unwrap();
    let mirror = format!("docker.io={url}");
    let r = run(
        repo.path(),
        &[
            "bump",
            "--path",
            ".",
            "--registry-mirror",
            &mirror,
            "--level",
            "major",
            "--write",
        ],
    );
    assert!(r.out.contains("update(s) written"), "{}{}", r.out, r.err);
    let dockerfile = repo.path().join("Dockerfile");
    assert!(
        dockerfile.symlink_metadata().unwrap().file_type().is_file(),
        "the Dockerfile is still a regular file"
    );
    assert_eq!(
        std::fs::read_to_string(&dockerfile).unwrap(),
        "FROM ubuntu:24.04\n"
    );
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        format!("{CANARY}\n"),
        "the file outside is untouched"
    );
    assert_eq!(std::fs::read_link(&planted).unwrap(), victim);
}

#[test]
fn bump_write_refuses_a_hard_linked_dockerfile() {
    let url = tag_registry("library/ubuntu", &["22.04", "24.04"]);
    let (repo, outside) = repo_and_outside();
    let other = outside.path().join("linked");
    std::fs::hard_link(repo.path().join("Dockerfile"), &other).unwrap();
    let mirror = format!("docker.io={url}");
    let r = run(
        repo.path(),
        &[
            "bump",
            "--path",
            ".",
            "--registry-mirror",
            &mirror,
            "--level",
            "major",
            "--write",
        ],
    );
    assert_ne!(r.code, 0, "{}{}", r.out, r.err);
    assert!(r.err.contains("it has 2 hard links"), "{}{}", r.out, r.err);
    assert_eq!(
        std::fs::read_to_string(&other).unwrap(),
        "FROM ubuntu:22.04\n"
    );
}

/// `check --trivy-report` in a fleet whose workspace is `ws`, in `dir`.
fn check_with_trivy(dir: &Path) -> Run {
    let report =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/trivy/python-3.12-slim.json");
    run(
        dir,
        &[
            "check",
            "--trivy-report",
            report.to_str().unwrap(),
            "--now",
            "2026-11-23T09:30:00Z",
        ],
    )
}

#[test]
fn the_cve_state_file_is_never_read_or_written_through_a_symlink_or_a_hard_link() {
    let (repo, outside) = repo_and_outside();
    let dir = repo.path();
    // The workspace lies outside the checkout (drydock refuses one inside it).
    let workspace = TempDir::new().unwrap();
    std::fs::write(
        dir.join("fleet.toml"),
        format!(
            "[fleet]\nworkspace = \"{}\"\n\n[[repo]]\nname = \"acme/app\"\npath = \".\"\n",
            workspace.path().join("ws").display()
        ),
    )
    .unwrap();
    std::fs::create_dir_all(workspace.path().join("ws/state")).unwrap();
    let state = workspace.path().join("ws/state/cve-first-seen.json");
    let victim = outside.path().join("secret");
    symlink(&victim, &state).unwrap();
    let r = check_with_trivy(dir);
    assert_eq!(r.code, 2, "{}{}", r.out, r.err);
    assert!(
        r.err.contains("cve-first-seen.json is a symlink"),
        "{}",
        r.err
    );
    assert!(!r.err.contains("CANARY") && !r.out.contains("CANARY"));

    std::fs::remove_file(&state).unwrap();
    std::fs::write(&state, "{\"version\":1,\"seen\":{}}\n").unwrap();
    std::fs::hard_link(&state, outside.path().join("linked")).unwrap();
    let r = check_with_trivy(dir);
    assert_eq!(r.code, 3, "{}{}", r.out, r.err);
    assert!(r.err.contains("it has 2 hard links"), "{}", r.err);
    assert_eq!(
        std::fs::read_to_string(outside.path().join("linked")).unwrap(),
        "{\"version\":1,\"seen\":{}}\n"
    );
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        format!("{CANARY}\n")
    );
}

#[test]
fn a_symlinked_monitor_workflow_does_not_count_as_present() {
    let (repo, outside) = repo_and_outside();
    let workflows = repo.path().join(".github/workflows");
    std::fs::create_dir(&workflows).unwrap();
    symlink(
        outside.path().join("secret"),
        workflows.join("modules-docker-base-image-monitor.yml"),
    )
    .unwrap();
    let r = run(repo.path(), &["check", "--path", "."]);
    assert!(
        r.out.contains("workflow/monitor-missing"),
        "{}{}",
        r.out,
        r.err
    );
}

#[test]
fn a_trivy_report_that_never_ends_is_a_clear_error_not_a_hang() {
    let (repo, _outside) = repo_and_outside();
    let fifo = repo.path().join("report.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    for (report, says) in [
        (
            "/dev/zero",
            "/dev/zero: cannot read the Trivy report: /dev/zero is a character device, not a regular file",
        ),
        (
            "report.json",
            "report.json: cannot read the Trivy report: report.json is a FIFO, not a regular file",
        ),
    ] {
        let r = run(
            repo.path(),
            &["check", "--path", ".", "--trivy-report", report],
        );
        assert_eq!(r.code, 2, "{}{}", r.out, r.err);
        assert!(r.err.contains(says), "{}", r.err);
    }
}

#[test]
fn bump_reads_dockerfiles_through_the_capped_reader() {
    let (repo, _outside) = repo_and_outside();
    // No external image anywhere, so bump asks no registry: the test stays on this machine.
    std::fs::write(repo.path().join("Dockerfile"), "FROM scratch\n").unwrap();
    std::fs::create_dir_all(repo.path().join("big")).unwrap();
    std::fs::write(
        repo.path().join("big/Dockerfile"),
        format!("FROM scratch\n{}", "# padding\n".repeat(200)),
    )
    .unwrap();
    std::fs::write(
        repo.path().join(".github/drydock.toml"),
        "[scan]\nmax_file_bytes = 1000\n",
    )
    .unwrap();
    let r = run(repo.path(), &["bump", "--path", ".", "--format", "json"]);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    let report: serde_json::Value = serde_json::from_str(&r.out).expect(&r.err);
    let skipped = report["skipped"].as_array().unwrap();
    assert!(
        skipped.iter().any(|s| s["file"] == "big/Dockerfile"
            && s["reason"]
                .as_str()
                .is_some_and(|why| why.contains("larger than the cap of 1000 bytes"))),
        "{}{}",
        r.out,
        r.err
    );
}
