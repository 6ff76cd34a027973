//! Hostile inputs the inventory and the text renderers must survive: directory names carrying
//! terminal escape sequences and newlines (shown escaped, forging no line), backticks in paths in
//! Markdown, and fleet.toml files that are huge, endless, empty, not UTF-8 or in the wrong place.

use std::path::Path;

use tempfile::TempDir;

use crate::support::drydock;

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// Runs drydock in `dir`; returns the exit status, stdout and stderr.
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = drydock().current_dir(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A directory name that sets the window title, clears the screen and, through its newline,
/// would print a line of its own.
const HOSTILE_DIR: &str = "svc\x1b]0;pwned\x07\n== forged/repo\x1b[2J";

fn hostile_fleet() -> TempDir {
    let dir = TempDir::new().unwrap();
    let dockerfile = format!("api/{HOSTILE_DIR}/Dockerfile");
    let manifest = format!("api/{HOSTILE_DIR}/package.json");
    write(
        dir.path(),
        &[
            (
                "fleet.toml",
                "[[repo]]\nname = \"acme/api\"\npath = \"api\"\n",
            ),
            (&dockerfile, "FROM python:3.8\n"),
            (&manifest, "{}"),
        ],
    );
    dir
}

fn assert_no_raw_controls(output: &str) {
    assert!(
        !output.contains('\x1b') && !output.contains('\x07'),
        "raw control characters in:\n{output}"
    );
    assert!(
        !output
            .lines()
            .any(|l| l.trim_start().starts_with("== forged")),
        "a forged line in:\n{output}"
    );
}

#[test]
fn control_characters_in_directory_names_are_shown_escaped_in_plan_check_and_scan() {
    let dir = hostile_fleet();
    for args in [&["plan"][..], &["check"], &["scan"]] {
        let (_, stdout, stderr) = run(dir.path(), args);
        assert_no_raw_controls(&stdout);
        assert_no_raw_controls(&stderr);
        assert!(
            stdout.contains("svc\\x1b]0;pwned\\x07\\n== forged/repo\\x1b[2J"),
            "{args:?} does not show the name escaped:\n{stdout}\n{stderr}"
        );
    }
}

#[test]
fn a_backtick_in_a_path_stays_inside_its_markdown_code_span() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        &[
            (
                "fleet.toml",
                "[[repo]]\nname = \"acme/api\"\npath = \"api\"\n",
            ),
            ("api/a`b/Dockerfile", "FROM python:3.8\n"),
        ],
    );
    let (_, stdout, _) = run(dir.path(), &["check", "--format", "markdown"]);
    assert!(stdout.contains("| ``a`b/Dockerfile:1`` |"), "{stdout}");
}
