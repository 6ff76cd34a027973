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
            stdout.contains("svc\\x1b]0;pwned\\x07\\n== forged/repo\\x1b["),
            "{args:?} does not show the name escaped:\n{stdout}\n{stderr}"
        );
    }
}

/// What people read for a hostile directory name: the scan table and the check report.
#[test]
fn hostile_directory_names_as_people_read_them() {
    let dir = hostile_fleet();
    let (_, scan, _) = run(dir.path(), &["scan"]);
    let (_, check, _) = run(dir.path(), &["check", "--now", "2026-12-01T00:00:00Z"]);
    let check: String = check
        .lines()
        .filter(|l| !l.starts_with("image data:") && !l.starts_with("warning: the image data"))
        .map(|l| format!("{l}\n"))
        .collect();
    insta::assert_snapshot!("hostile-dir-scan", scan);
    insta::assert_snapshot!("hostile-dir-check", check);
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

/// `--fleet FILE` in a fresh directory; returns the exit status and stderr.
fn load(dir: &Path, fleet: &Path) -> (i32, String) {
    let (status, _, stderr) = run(dir, &["scan", "--fleet", fleet.to_str().unwrap()]);
    (status, stderr)
}

#[test]
fn a_device_or_a_fifo_as_fleet_file_is_refused_without_reading_it() {
    let dir = TempDir::new().unwrap();
    let (status, stderr) = load(dir.path(), Path::new("/dev/zero"));
    assert_eq!(status, 2, "{stderr}");
    assert!(
        stderr.contains("/dev/zero:0:0: the fleet file is not a regular file (it is a device)"),
        "{stderr}"
    );
    assert!(stderr.contains("help: pass --fleet"), "{stderr}");

    let fifo = dir.path().join("fleet.toml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    // Were the FIFO opened, drydock would block here forever.
    let (status, stderr) = load(dir.path(), &fifo);
    assert_eq!(status, 2, "{stderr}");
    assert!(
        stderr.contains("not a regular file (it is a FIFO)"),
        "{stderr}"
    );
}

#[test]
fn a_fleet_file_over_the_size_cap_is_refused() {
    let dir = TempDir::new().unwrap();
    let big = dir.path().join("fleet.toml");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(5 * 1024 * 1024).unwrap();
    let (status, stderr) = load(dir.path(), &big);
    assert_eq!(status, 2, "{stderr}");
    assert!(
        stderr.contains("the fleet file is 5242880 bytes, more than the limit of 4194304"),
        "{stderr}"
    );
}

#[test]
fn an_empty_fleet_is_a_configuration_error_that_says_how_to_add_a_repository() {
    let dir = TempDir::new().unwrap();
    for text in ["", "# nothing yet\n[fleet]\njobs = 2\n"] {
        write(dir.path(), &[("fleet.toml", text)]);
        for command in ["scan", "plan", "check", "sync"] {
            let (status, _, stderr) = run(dir.path(), &[command]);
            assert_eq!(status, 2, "{command}: {stderr}");
            assert!(
                stderr.contains("fleet.toml: no [[repo]] entries\n  help: add a repository: `[[repo]]` then `name = \"owner/repo\"`"),
                "{command}: {stderr}"
            );
        }
    }
}

#[test]
fn invalid_utf8_is_located_at_its_first_bad_byte() {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("fleet.toml");
    std::fs::write(&file, b"[[repo]]\nname = \"acme/caf\xe9\"\n").unwrap();
    let (status, stderr) = load(dir.path(), &file);
    assert_eq!(status, 2, "{stderr}");
    assert!(
        stderr.contains(
            "fleet.toml:2:17: the fleet file is not valid UTF-8\n  help: save the file as UTF-8"
        ),
        "{stderr}"
    );
}

#[test]
fn jobs_beyond_the_cap_is_refused_and_says_the_limit() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        &[(
            "fleet.toml",
            "[fleet]\njobs = 100000\n[[repo]]\nname = \"acme/api\"\n",
        )],
    );
    let (status, _, stderr) = run(dir.path(), &["scan"]);
    assert_eq!(status, 2, "{stderr}");
    assert!(
        stderr.contains("fleet.toml:2:8: `jobs` is 100000, more than the limit of 64\n  help: set `jobs` to at most 64"),
        "{stderr}"
    );
}

#[test]
fn a_system_directory_or_a_symlink_to_one_is_no_workspace() {
    let dir = TempDir::new().unwrap();
    std::os::unix::fs::symlink("/etc", dir.path().join("etc-link")).unwrap();
    for (workspace, expected) in [
        (
            "/",
            "the workspace / is a directory shared with other programs",
        ),
        (
            "/etc",
            "the workspace /etc is inside the system directory /etc",
        ),
        (
            "etc-link",
            "resolves to /etc) is inside the system directory /etc",
        ),
    ] {
        write(
            dir.path(),
            &[(
                "fleet.toml",
                &format!("[fleet]\nworkspace = \"{workspace}\"\n[[repo]]\nname = \"acme/api\"\n"),
            )],
        );
        let (status, _, stderr) = run(dir.path(), &["sync"]);
        assert_eq!(status, 2, "{workspace}: {stderr}");
        assert!(stderr.contains(":2:13: "), "{workspace}: {stderr}");
        assert!(stderr.contains(expected), "{workspace}: {stderr}");
        assert!(
            stderr.contains("help: set `workspace` in [fleet] to a directory of its own"),
            "{stderr}"
        );
    }
}

#[test]
fn a_workspace_inside_a_checkout_of_the_fleet_is_refused() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        &[
            (
                "fleet.toml",
                "[fleet]\nworkspace = \"api/.drydock\"\n[[repo]]\nname = \"acme/api\"\npath = \"api\"\n",
            ),
            ("api/Dockerfile", "FROM python:3.12\n"),
        ],
    );
    let (status, _, stderr) = run(dir.path(), &["scan"]);
    assert_eq!(status, 2, "{stderr}");
    assert!(
        stderr.contains("is inside the checkout of acme/api"),
        "{stderr}"
    );
}

/// Directories whose names hold glob characters, rendered one entry each and collapsed into
/// globs, must pass drydock's own validator (no glob in `directory`, every directory covered).
#[test]
fn directories_with_glob_characters_render_a_valid_dependabot_yml() {
    use drydock::dependabot::desired::desired;
    use drydock::dependabot::render::Renderer;
    use drydock::dependabot::settings::Settings;
    use drydock::dependabot::validate::validate;
    use drydock::detect::{Ecosystem, EcosystemDir, FoundFile, RepoScan};

    let dirs = [
        "/a[1]",
        "/b{x,y}",
        "/c*",
        "/d?",
        "/svc/[ops]/web",
        "/svc/[ops]/api",
    ];
    let mut scan = RepoScan {
        ecosystems: dirs
            .iter()
            .map(|d| EcosystemDir {
                ecosystem: Ecosystem::Npm,
                directory: d.to_string(),
            })
            .collect(),
        dockerfiles: vec![FoundFile {
            path: "x{1}/Dockerfile".into(),
        }],
        compose_files: Vec::new(),
    };
    scan.ecosystems.sort();
    for globs in [false, true] {
        let settings = Settings {
            directories_as_globs: Some(globs),
            ..Settings::default()
        };
        let text = Renderer::builtin()
            .render(&desired(&scan, &settings))
            .unwrap();
        let findings = validate(&text, ".github/dependabot.yml", Some(&scan));
        assert!(
            findings.is_empty(),
            "globs = {globs}: {findings:#?}\n{text}"
        );
        let expected = if globs { "/svc/[[]ops]/*" } else { "/a[[]1]" };
        assert!(text.contains(expected), "{text}");
    }
}

#[test]
fn log_lines_to_a_pipe_carry_no_colour_codes() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        &[
            (
                "fleet.toml",
                "[[repo]]\nname = \"acme/api\"\npath = \"api\"\n",
            ),
            ("api/Dockerfile", "FROM python:3.12\n"),
        ],
    );
    let (status, _, stderr) = run(dir.path(), &["-vv", "scan"]);
    assert_eq!(status, 0, "{stderr}");
    assert!(stderr.contains("INFO"), "{stderr}");
    assert!(!stderr.contains('\x1b'), "{stderr:?}");
}

/// A `.gitignore` past the bounds (too many patterns, too many bytes) is applied up to them, with
/// a warning naming the file, instead of stalling the scan.
#[test]
fn ignore_files_past_their_bounds_are_not_applied_and_say_so() {
    let fillers = [
        (0..6000)
            .map(|i| format!("filler{i}\n"))
            .collect::<String>(),
        "# a comment line that pads the file past its byte bound\n".repeat(6000),
    ];
    for filler in fillers {
        let dir = TempDir::new().unwrap();
        let gitignore = format!("early/\n{filler}late/\n");
        write(
            dir.path(),
            &[
                (
                    "fleet.toml",
                    "[[repo]]\nname = \"acme/api\"\npath = \"api\"\n",
                ),
                ("api/.gitignore", &gitignore),
                ("api/early/package.json", "{}"),
                ("api/late/package.json", "{}"),
            ],
        );
        let (status, stdout, stderr) = run(dir.path(), &["scan"]);
        assert_eq!(status, 0, "{stderr}");
        // Not applied at all: a file applied in part could miss a later `!` and hide files.
        assert!(stdout.contains("/early"), "{stdout}");
        assert!(stdout.contains("/late"), "{stdout}");
        assert!(
            stderr.contains(".gitignore: ") && stderr.contains("its rules are not applied"),
            "{stderr}"
        );
    }
}

#[test]
fn the_jobs_flag_is_capped_too() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        &[("fleet.toml", "[[repo]]\nname = \"acme/api\"\n")],
    );
    let (status, _, stderr) = run(dir.path(), &["sync", "--jobs", "65"]);
    assert_eq!(status, 2, "{stderr}");
    assert!(stderr.contains("65 is not in 1..=64"), "{stderr}");
}

/// Repair adds a directory named with `[` to an existing file as the glob that matches only it,
/// and the glob characters of directories already listed do not hide them from repair.
#[test]
fn repair_adds_directories_with_glob_characters_as_literal_globs() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        &[
            ("a[1]/package.json", "{}"),
            ("b{x}/package.json", "{}"),
            ("c[2]/package.json", "{}"),
            // `add-missing = "all"`: npm is not what the policy requires, and the test is about
            // how a directory with glob characters is added, not about which entries are.
            (
                ".github/drydock.toml",
                "[dependabot]\nadd-missing = \"all\"\n",
            ),
            (
                ".github/dependabot.yml",
                "version: 2\nupdates:\n  - package-ecosystem: \"npm\"\n    directories:\n      - \"/a[[]1]\"\n      - \"/b[{]x}\"\n    schedule:\n      interval: \"weekly\"\n",
            ),
        ],
    );
    let root = dir.path().to_str().unwrap();
    let (status, stdout, stderr) = run(dir.path(), &["plan", "--path", root, "--write"]);
    assert_eq!(status, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("added /c[2] to the `directories`"),
        "{stdout}"
    );
    let text = std::fs::read_to_string(dir.path().join(".github/dependabot.yml")).unwrap();
    assert!(text.contains("      - \"/c[[]2]\"\n"), "{text}");
    let (_, check, _) = run(dir.path(), &["check", "--path", root]);
    assert!(!check.contains("dependabot/"), "{check}");
}

/// `sync` prints the `path =` of a local repository in its table and its progress lines: both
/// show the directory's control characters escaped.
#[test]
fn a_hostile_local_repository_path_is_shown_escaped_by_sync() {
    let dir = TempDir::new().unwrap();
    std::fs::create_dir_all(dir.path().join(HOSTILE_DIR)).unwrap();
    write(
        dir.path(),
        &[(
            "fleet.toml",
            "[[repo]]\nname = \"acme/api\"\npath = \"svc\\u001b]0;pwned\\u0007\\n== forged/repo\\u001b[2J\"\n",
        )],
    );
    let (status, stdout, stderr) = run(dir.path(), &["sync"]);
    assert_eq!(status, 0, "{stdout}\n{stderr}");
    assert_no_raw_controls(&stdout);
    assert_no_raw_controls(&stderr);
    for output in [&stdout, &stderr] {
        assert!(
            output.contains("svc\\x1b]0;pwned\\x07\\n== forged/repo\\x1b[2J"),
            "the path is not shown escaped:\n{stdout}\n{stderr}"
        );
    }
}

/// `bump --path` names a Dockerfile it skips (here: not UTF-8, so no registry is asked) by its
/// path, which shows the directory's control characters escaped.
#[test]
fn a_hostile_directory_name_is_shown_escaped_by_bump() {
    let dir = TempDir::new().unwrap();
    let sub = dir.path().join(HOSTILE_DIR);
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(sub.join("Dockerfile"), b"FROM scratch\n# caf\xe9\n").unwrap();
    let (status, stdout, stderr) = run(
        dir.path(),
        &["bump", "--path", &dir.path().display().to_string()],
    );
    assert_eq!(status, 0, "{stdout}\n{stderr}");
    assert_no_raw_controls(&stdout);
    assert_no_raw_controls(&stderr);
    assert!(
        stderr.contains(
            "skipped svc\\x1b]0;pwned\\x07\\n== forged/repo\\x1b[2J/Dockerfile:2: the Dockerfile is not UTF-8"
        ),
        "the path is not shown escaped:\n{stdout}\n{stderr}"
    );
}
