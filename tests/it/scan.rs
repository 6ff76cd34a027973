//! `drydock scan` end to end, and the walk's skip rules on real directory trees.

use std::fs;
use std::path::Path;

use drydock::detect::{ScanOptions, Skips, scan_dir};
use predicates::prelude::*;
use tempfile::TempDir;

use crate::support::drydock;

/// Creates `files` (relative path, contents) under `root`.
fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
}

/// `ecosystem directory` lines of a scan, plus `dockerfile path` lines. The default skips of
/// test and example trees are off: these tests are about the walk (the skips have their own).
fn summary(root: &Path, exclude: &[&str]) -> Vec<String> {
    let options = ScanOptions {
        exclude: exclude.iter().map(|s| s.to_string()).collect(),
        skips: Skips::none(),
    };
    let scan = scan_dir(root, &options).unwrap();
    let mut lines: Vec<String> = scan
        .ecosystems
        .iter()
        .map(|e| format!("{} {}", e.ecosystem, e.directory))
        .collect();
    lines.extend(
        scan.dockerfiles
            .iter()
            .map(|f| format!("dockerfile {}", f.path)),
    );
    lines
}

#[test]
fn built_in_skips() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        &[
            ("package.json", "{}"),
            ("node_modules/left-pad/package.json", "{}"),
            ("web/node_modules/x/Dockerfile", "FROM scratch"),
            ("vendor/github.com/x/y/go.mod", ""),
            ("third_party/lib/Cargo.toml", ""),
            ("infra/main.tf", ""),
            ("infra/.terraform/modules/vpc/main.tf", ""),
            (".venv/lib/requirements.txt", ""),
            (".git/config", ""),
            (".git/hooks/Dockerfile", ""),
        ],
    );
    assert_eq!(summary(dir.path(), &[]), ["npm /", "terraform /infra"]);
}

/// `build/`, `dist/` and `target/` are skipped only where the repository's `.gitignore` ignores
/// them: the Go layout's tracked `build/package/Dockerfile` and an action under `build/` count.
#[test]
fn build_output_is_skipped_only_where_git_ignores_it() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        &[
            (".gitignore", "/target\n/web/dist/\n"),
            ("Cargo.toml", ""),
            ("target/debug/build/x/Dockerfile", ""),
            ("web/package.json", "{}"),
            ("web/dist/package.json", "{}"),
            ("build/package/Dockerfile", "FROM scratch"),
            (".github/workflows/ci.yml", ""),
            (
                ".github/actions/build/ci/action.yml",
                "runs:\n  using: composite\n  steps:\n    - uses: actions/checkout@v4\n",
            ),
            ("dist/Dockerfile", ""),
        ],
    );
    assert_eq!(
        summary(dir.path(), &[]),
        [
            "cargo /",
            "docker /build/package",
            "docker /dist",
            "github-actions /",
            "github-actions /.github/actions/build/ci",
            "npm /web",
            "dockerfile build/package/Dockerfile",
            "dockerfile dist/Dockerfile",
        ]
    );
}

/// An ignore file with more patterns than the cap is not applied (its cost grows with patterns ×
/// paths): the scan lists what it would have ignored instead of stalling.
#[test]
fn an_oversized_gitignore_is_not_applied() {
    let dir = TempDir::new().unwrap();
    let mut ignore: String = (0..10_000).map(|i| format!("/generated-{i}/\n")).collect();
    ignore.push_str("/legacy/\n");
    write(
        dir.path(),
        &[
            (".gitignore", ignore.as_str()),
            ("Dockerfile", ""),
            ("legacy/Dockerfile", ""),
        ],
    );
    assert_eq!(
        summary(dir.path(), &[]),
        [
            "docker /",
            "docker /legacy",
            "dockerfile Dockerfile",
            "dockerfile legacy/Dockerfile"
        ]
    );
}

/// Test fixtures and Go `testdata` are skipped by default; `[scan] unskip` turns a skip off.
#[test]
fn default_skips_and_unskip_through_fleet_toml() {
    let dir = TempDir::new().unwrap();
    let repo = dir.path().join("repo");
    write(
        &repo,
        &[
            ("go.mod", "module example.com/x\n"),
            ("internal/plugin/testdata/src/plugin1/go.mod", ""),
            ("test/fixtures/app/package.json", "{}"),
        ],
    );
    let scan = |fleet: &str| {
        fs::write(dir.path().join("fleet.toml"), fleet).unwrap();
        let out = drydock()
            .current_dir(dir.path())
            .args(["scan", "--format", "json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        json["repos"][0]["ecosystems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                format!(
                    "{} {}",
                    e["ecosystem"].as_str().unwrap(),
                    e["directory"].as_str().unwrap()
                )
            })
            .collect::<Vec<_>>()
    };
    let repo_toml = "[[repo]]\nname = \"acme/x\"\npath = \"repo\"\n";
    assert_eq!(scan(repo_toml), ["gomod /"]);
    assert_eq!(
        scan(&format!("[scan]\nunskip = [\"testdata\"]\n\n{repo_toml}")),
        ["gomod /", "gomod /internal/plugin/testdata/src/plugin1"]
    );
    fs::write(
        dir.path().join("fleet.toml"),
        format!("[scan]\nunskip = [\"testdata\", \"fixture\"]\n\n{repo_toml}"),
    )
    .unwrap();
    let out = drydock()
        .current_dir(dir.path())
        .args(["scan"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("unknown default skip \"fixture\""),
        "{stderr}"
    );
}

#[test]
fn gitignored_files_are_skipped_even_outside_a_git_checkout() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        &[
            (".gitignore", "generated/\n*.tmp.Dockerfile\n"),
            ("Dockerfile", ""),
            ("generated/Dockerfile", ""),
            ("api/x.tmp.Dockerfile", ""),
            ("api/.gitignore", "fixtures\n"),
            ("api/go.mod", ""),
            ("api/fixtures/go.mod", ""),
            ("other/fixtures/go.mod", ""),
        ],
    );
    assert_eq!(
        summary(dir.path(), &[]),
        [
            "docker /",
            "gomod /api",
            "gomod /other/fixtures",
            "dockerfile Dockerfile"
        ]
    );
}

#[test]
fn gitignore_negation_anchoring_and_precedence() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        &[
            (".gitignore", "*.Dockerfile\n!keep.Dockerfile\n/rootonly/\n"),
            ("a/x.Dockerfile", ""),
            ("a/keep.Dockerfile", ""),
            ("rootonly/Dockerfile", ""),
            ("a/rootonly/Dockerfile", ""),
            ("b/.gitignore", "!y.Dockerfile\n"),
            ("b/y.Dockerfile", ""),
            ("b/z.Dockerfile", ""),
        ],
    );
    assert_eq!(
        summary(dir.path(), &[]),
        [
            "docker /a",
            "docker /a/rootonly",
            "docker /b",
            "dockerfile a/keep.Dockerfile",
            "dockerfile a/rootonly/Dockerfile",
            "dockerfile b/y.Dockerfile",
        ]
    );
}

#[test]
fn git_info_exclude_is_honoured() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        &[
            (".git/info/exclude", "scratch/\n"),
            ("scratch/Dockerfile", ""),
            ("Dockerfile", ""),
        ],
    );
    assert_eq!(
        summary(dir.path(), &[]),
        ["docker /", "dockerfile Dockerfile"]
    );
}

#[test]
fn ignore_files_above_the_root_do_not_apply() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        &[(".gitignore", "*\n"), ("repo/Dockerfile", "")],
    );
    assert_eq!(
        summary(&dir.path().join("repo"), &[]),
        ["docker /", "dockerfile Dockerfile"]
    );
}

#[test]
fn exclude_globs_match_relative_paths() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        &[
            ("Dockerfile", ""),
            ("legacy/app/Dockerfile", ""),
            ("docs/examples/package.json", "{}"),
            ("services/a/testdata/go.mod", ""),
            ("services/a/go.mod", ""),
            ("tools/x/Dockerfile.dev", ""),
        ],
    );
    assert_eq!(
        summary(
            dir.path(),
            &["legacy/", "/docs/**", "**/testdata", "tools/*/*.dev"]
        ),
        ["docker /", "gomod /services/a", "dockerfile Dockerfile"]
    );
    // `*` does not cross a `/`.
    assert_eq!(
        summary(dir.path(), &["*/Dockerfile"]),
        [
            "docker /",
            "docker /legacy/app",
            "docker /tools/x",
            "gomod /services/a",
            "gomod /services/a/testdata",
            "npm /docs/examples",
            "dockerfile Dockerfile",
            "dockerfile legacy/app/Dockerfile",
            "dockerfile tools/x/Dockerfile.dev",
        ]
    );
}

#[test]
fn bad_exclude_glob_is_an_error() {
    let dir = TempDir::new().unwrap();
    let options = ScanOptions {
        exclude: vec!["a[".into()],
        ..ScanOptions::default()
    };
    let err = scan_dir(dir.path(), &options).unwrap_err();
    assert!(err.to_string().contains("a["), "{err}");
}

#[cfg(unix)]
#[test]
fn symlinks_are_never_followed() {
    let outside = TempDir::new().unwrap();
    write(
        outside.path(),
        &[("Dockerfile", ""), ("pkg/package.json", "{}")],
    );
    let dir = TempDir::new().unwrap();
    write(dir.path(), &[("real/Cargo.toml", "")]);
    std::os::unix::fs::symlink(outside.path(), dir.path().join("escape")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("Dockerfile"),
        dir.path().join("Dockerfile"),
    )
    .unwrap();
    std::os::unix::fs::symlink(dir.path().join("real"), dir.path().join("loop")).unwrap();
    assert_eq!(summary(dir.path(), &[]), ["cargo /real"]);
}

#[test]
fn nested_git_repositories_are_skipped() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        &[
            ("go.mod", ""),
            ("modules/shared/.git", "gitdir: ../../.git/modules/shared\n"),
            ("modules/shared/package.json", "{}"),
            ("checkouts/other/.git/HEAD", "ref: refs/heads/main\n"),
            ("checkouts/other/Dockerfile", ""),
            ("checkouts/other-not-a-repo/Dockerfile", ""),
        ],
    );
    assert_eq!(
        summary(dir.path(), &[]),
        [
            "docker /checkouts/other-not-a-repo",
            "gomod /",
            "dockerfile checkouts/other-not-a-repo/Dockerfile"
        ]
    );
}

#[test]
fn scanning_a_missing_directory_fails() {
    let dir = TempDir::new().unwrap();
    assert!(scan_dir(&dir.path().join("nope"), &ScanOptions::default()).is_err());
}

#[test]
fn scan_path_json_is_exact() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        &[
            ("web/package.json", "{}"),
            ("web/bun.lock", "{}"),
            ("services/api/Dockerfile", "FROM alpine:3.20"),
            ("services/api/go.mod", ""),
            ("docker-compose.yml", ""),
            ("node_modules/x/package.json", "{}"),
        ],
    );
    let output = drydock()
        .current_dir(dir.path())
        .args(["scan", "--path", ".", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        String::from_utf8(output).unwrap(),
        concat!(
            r#"{"version":1,"repos":[{"name":".","ecosystems":["#,
            r#"{"ecosystem":"bun","directory":"/web"},"#,
            r#"{"ecosystem":"docker","directory":"/services/api"},"#,
            r#"{"ecosystem":"docker-compose","directory":"/"},"#,
            r#"{"ecosystem":"gomod","directory":"/services/api"}],"#,
            r#""dockerfiles":[{"path":"services/api/Dockerfile"}],"#,
            r#""compose_files":[{"path":"docker-compose.yml"}]}]}"#,
            "\n"
        )
    );
}

#[test]
fn scan_path_that_is_not_a_directory_is_a_configuration_error() {
    let dir = TempDir::new().unwrap();
    drydock()
        .current_dir(dir.path())
        .args(["scan", "--path", "missing"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--path must name a directory"));
}

/// The example repositories this test owns, exactly (`--repo` keeps examples added later for
/// other commands out of the comparison).
#[test]
fn embedded_example_fleet_json_is_exact() {
    let output = drydock()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["scan", "--format", "json"])
        .args(["--repo", "acme/shop", "--repo", "acme/billing-api"])
        .args(["--repo", "acme/infra", "--repo", "acme/ledger"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&output).unwrap();
    let expected = serde_json::json!({"version": 1, "repos": [
        {
            "name": "acme/shop",
            "ecosystems": [
                {"ecosystem": "docker", "directory": "/services/api"},
                {"ecosystem": "docker", "directory": "/services/web"},
                {"ecosystem": "docker-compose", "directory": "/"},
                {"ecosystem": "github-actions", "directory": "/"},
                {"ecosystem": "github-actions", "directory": "/.github/actions/setup-workspace"},
                {"ecosystem": "gomod", "directory": "/services/api"},
                {"ecosystem": "npm", "directory": "/"}
            ],
            "dockerfiles": [{"path": "services/api/Dockerfile"}, {"path": "services/web/Dockerfile"}],
            "compose_files": [{"path": "compose.yaml"}]
        },
        {
            "name": "acme/billing-api",
            "ecosystems": [
                {"ecosystem": "docker", "directory": "/"},
                {"ecosystem": "github-actions", "directory": "/"},
                {"ecosystem": "pre-commit", "directory": "/"},
                {"ecosystem": "uv", "directory": "/"}
            ],
            "dockerfiles": [{"path": "Dockerfile"}],
            "compose_files": []
        },
        {
            "name": "acme/infra",
            "ecosystems": [
                {"ecosystem": "github-actions", "directory": "/"},
                {"ecosystem": "helm", "directory": "/charts/gateway"},
                {"ecosystem": "terraform", "directory": "/terraform/environments/prod"},
                {"ecosystem": "terraform", "directory": "/terraform/modules/network"}
            ],
            "dockerfiles": [],
            "compose_files": []
        },
        {
            "name": "acme/ledger",
            "ecosystems": [
                {"ecosystem": "devcontainers", "directory": "/"},
                {"ecosystem": "docker", "directory": "/src/Ledger.Api"},
                {"ecosystem": "dotnet-sdk", "directory": "/"},
                {"ecosystem": "github-actions", "directory": "/"},
                {"ecosystem": "nuget", "directory": "/"}
            ],
            "dockerfiles": [{"path": "src/Ledger.Api/Dockerfile"}],
            "compose_files": []
        }
    ]});
    assert_eq!(json, expected);
}

/// Every repository of the embedded fleet scans cleanly, in fleet order.
#[test]
fn whole_embedded_fleet_scans() {
    let output = drydock()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["scan", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&output).unwrap();
    let names: Vec<&str> = json["repos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    let fleet =
        drydock::inventory::Fleet::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fleet.toml"))
            .unwrap();
    let expected: Vec<&str> = fleet
        .repos
        .iter()
        .filter(|r| !r.skip)
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(names, expected);
    assert!(
        json["repos"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r.get("error").is_none())
    );
}

#[test]
fn repo_filter_and_text_table() {
    drydock()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["scan", "--repo", "acme/billing-api"])
        .assert()
        .success()
        .stdout(concat!(
            "acme/billing-api\n",
            "  ECOSYSTEM       DIRECTORY\n",
            "  docker          /\n",
            "  github-actions  /\n",
            "  pre-commit      /\n",
            "  uv              /\n",
            "  Dockerfiles:\n",
            "    Dockerfile\n",
        ));
}

#[test]
fn unsynced_repo_is_reported_and_the_others_continue() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        &[
            ("local/Dockerfile", ""),
            (
                "fleet.toml",
                "[fleet]\njobs = 2\n\n[scan]\nexclude = [\"skip/**\"]\n\n[[repo]]\nname = \"acme/remote\"\nurl = \"https://example.invalid/acme/remote.git\"\n\n[[repo]]\nname = \"acme/local\"\npath = \"local\"\n",
            ),
            ("local/skip/Dockerfile", ""),
        ],
    );
    let assert = drydock()
        .current_dir(dir.path())
        .args(["scan", "--format", "json"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "1 of 2 repositories could not be scanned",
        ));
    let json: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    assert_eq!(json["repos"][0]["name"], "acme/remote");
    assert!(
        json["repos"][0]["error"]
            .as_str()
            .unwrap()
            .starts_with("not synced: run `drydock sync`")
    );
    assert_eq!(json["repos"][0]["ecosystems"], serde_json::json!([]));
    assert_eq!(
        json["repos"][1],
        serde_json::json!({
            "name": "acme/local",
            "ecosystems": [{"ecosystem": "docker", "directory": "/"}],
            "dockerfiles": [{"path": "Dockerfile"}],
            "compose_files": []
        })
    );

    drydock()
        .current_dir(dir.path())
        .arg("scan")
        .assert()
        .code(3)
        .stdout(predicate::str::contains(
            "acme/remote: not synced: run `drydock sync`",
        ))
        .stdout(predicate::str::contains(
            "acme/local\n  ECOSYSTEM  DIRECTORY\n  docker     /\n",
        ));
}

#[test]
fn unknown_repo_is_a_configuration_error() {
    drydock()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["scan", "--repo", "acme/shpo"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean \"acme/shop\"?"));
}
