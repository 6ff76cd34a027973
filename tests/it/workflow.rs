//! The rendered base-image monitor workflow, for several configurations, passes actionlint (with
//! shellcheck), `zizmor --offline --persona=auditor` with no findings (not even suppressed ones), and the SchemaStore workflow schema.

use std::path::Path;
use std::process::Command;

use drydock::bump::select::Level;
use drydock::workflow::{self, AppToken, Frequency, Install, Settings};

fn configurations() -> Vec<(&'static str, Settings)> {
    let base = Settings {
        repo: "acme/api".into(),
        frequency: Frequency::Weekly,
        level: Level::Minor,
        auto_merge: false,
        devops_team: Some("acme/devops".into()),
        test_command: Some("make test\n./scripts/smoke.sh \"$PWD\"".into()),
        install: Install::Binary {
            url: "https://github.com/acme/drydock/releases/download/v0.1.0/drydock-x86_64-linux"
                .into(),
            sha256: "0123456789abcdef".repeat(4),
        },
        actions: workflow::default_actions(),
        trivy_version: workflow::DEFAULT_TRIVY_VERSION.into(),
        app: None,
    };
    let mut daily_automerge_container = base.clone();
    daily_automerge_container.repo = "acme/web".into();
    daily_automerge_container.frequency = Frequency::Daily;
    daily_automerge_container.auto_merge = true;
    daily_automerge_container.install = Install::Container {
        image: format!("ghcr.io/acme/drydock:0.1.0@sha256:{}", "ab".repeat(32)),
    };
    let mut no_tests_no_team = base.clone();
    no_tests_no_team.repo = "acme/tools".into();
    no_tests_no_team.test_command = None;
    no_tests_no_team.devops_team = None;
    no_tests_no_team.level = Level::Major;
    let mut automerge_binary = base.clone();
    automerge_binary.auto_merge = true;
    automerge_binary.devops_team = None;
    let app = AppToken {
        app_id_var: "DRYDOCK_APP_ID".into(),
        private_key_secret: "DRYDOCK_APP_PRIVATE_KEY".into(),
    };
    let mut app_review = base.clone();
    app_review.app = Some(app.clone());
    let mut app_automerge = daily_automerge_container.clone();
    app_automerge.app = Some(app.clone());
    let mut app_nomerge = no_tests_no_team.clone();
    app_nomerge.app = Some(app);
    vec![
        ("weekly-review-binary", base),
        ("daily-automerge-container", daily_automerge_container),
        ("weekly-nomerge-notests", no_tests_no_team),
        ("weekly-automerge-binary", automerge_binary),
        ("app-review-binary", app_review),
        ("app-automerge-container", app_automerge),
        ("app-nomerge-notests", app_nomerge),
    ]
}

fn render_all(dir: &Path) -> Vec<std::path::PathBuf> {
    configurations()
        .into_iter()
        .map(|(name, settings)| {
            let text = workflow::render(&settings).unwrap_or_else(|e| panic!("{name}: {e}"));
            let path = dir.join(".github/workflows").join(format!("{name}.yml"));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect()
}

fn run(tool: &str, args: &[&str], files: &[std::path::PathBuf]) -> (i32, String) {
    let out = Command::new(tool)
        .args(args)
        .args(files)
        .env("ZIZMOR_OFFLINE", "1")
        .output()
        .unwrap_or_else(|e| panic!("{tool} is not on PATH ({e}): run scripts/test.sh"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn which(tool: &str) -> String {
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
fn rendered_workflows_pass_actionlint_with_shellcheck() {
    let dir = tempfile::tempdir().unwrap();
    let files = render_all(dir.path());
    let shellcheck = format!("-shellcheck={}", which("shellcheck"));
    let (code, out) = run("actionlint", &[&shellcheck, "-pyflakes="], &files);
    assert_eq!(code, 0, "actionlint:\n{out}");
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn rendered_workflows_have_no_zizmor_findings() {
    let dir = tempfile::tempdir().unwrap();
    let files = render_all(dir.path());
    let (code, out) = run(
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
fn rendered_workflows_match_the_workflow_schema() {
    let dir = tempfile::tempdir().unwrap();
    let files = render_all(dir.path());
    let (code, out) = run(
        "check-jsonschema",
        &["--builtin-schema", "vendor.github-workflows"],
        &files,
    );
    assert_eq!(code, 0, "check-jsonschema:\n{out}");
}

#[test]
fn rendered_workflows_keep_untrusted_input_out_of_scripts() {
    for (name, settings) in configurations() {
        let text = workflow::render(&settings).unwrap();
        assert!(!text.contains("pull_request_target"), "{name}");
        assert!(
            text.contains("permissions: {}"),
            "{name}: read-only at the top"
        );
        let mut in_run = false;
        for line in text.lines() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("run:") {
                in_run = true;
                assert!(
                    !trimmed.contains("${{"),
                    "{name}: expression in run: {line}"
                );
                continue;
            }
            let indent = line.len() - trimmed.len();
            if in_run && !trimmed.is_empty() && indent <= 8 {
                in_run = false;
            }
            if in_run {
                assert!(
                    !line.contains("${{"),
                    "{name}: expression in a script: {line}"
                );
            }
            if let Some(uses) = trimmed
                .strip_prefix("uses: ")
                .or_else(|| trimmed.strip_prefix("- uses: "))
            {
                let (_, rest) = uses.split_once('@').expect("pinned");
                let (sha, comment) = rest.split_once(" # ").expect("version comment");
                assert_eq!(sha.len(), 40, "{name}: {line}");
                assert!(comment.starts_with('v'), "{name}: {line}");
            }
        }
    }
}

fn fleet(text: &str) -> Result<drydock::inventory::Fleet, drydock::inventory::ConfigError> {
    drydock::inventory::Fleet::parse(std::path::Path::new("/tmp/fleet.toml"), text)
}

#[test]
fn fleet_settings_overlay_per_repository_and_opt_out() {
    let sha = "ab".repeat(32);
    let f = fleet(&format!(
        r#"
[registry]
level = "major"
mirrors = {{ "docker.io" = "http://127.0.0.1:5000" }}

[workflow]
drydock_url = "https://github.com/acme/drydock/releases/download/v1/drydock"
drydock_sha256 = "{sha}"
devops_team = "acme/devops"
test_command = "make test"
actions = {{ "actions/checkout" = {{ sha = "{sha40}", version = "v5.0.1" }} }}

[[repo]]
name = "acme/api"
[repo.workflow]
schedule = "daily"
auto_merge = true

[[repo]]
name = "acme/old"
[repo.workflow]
enabled = false
"#,
        sha40 = "c".repeat(40)
    ))
    .unwrap();
    assert_eq!(f.registry.level, Level::Major);
    assert_eq!(
        f.registry.mirrors.endpoint("docker.io"),
        "http://127.0.0.1:5000"
    );
    let api = f
        .workflow_for("acme/api", Some(&f.repos[0]))
        .unwrap()
        .unwrap();
    assert_eq!(
        (api.frequency, api.auto_merge, api.level),
        (Frequency::Daily, true, Level::Major)
    );
    assert_eq!(api.devops_team.as_deref(), Some("acme/devops"));
    assert_eq!(api.actions["actions/checkout"].version, "v5.0.1");
    assert!(
        api.actions.contains_key("aquasecurity/setup-trivy"),
        "shipped pins stay"
    );
    assert!(
        f.workflow_for("acme/old", Some(&f.repos[1]))
            .unwrap()
            .is_none(),
        "opted out"
    );
    let text = workflow::render(&api).unwrap();
    assert!(text.contains(&format!("actions/checkout@{} # v5.0.1", "c".repeat(40))));
}

#[test]
fn bad_workflow_settings_are_located_errors() {
    for (text, needle) in [
        (
            "[workflow]\ndrydock_image = \"ghcr.io/acme/drydock:1\"\n",
            "pinned by digest",
        ),
        (
            "[workflow]\ndrydock_url = \"http://x/drydock\"\ndrydock_sha256 = \"00\"\n",
            "https://",
        ),
        (
            "[workflow]\ndrydock_url = \"https://x/drydock\"\n",
            "needs drydock_sha256",
        ),
        ("[workflow]\ndevops_team = \"devops\"\n", "org/team-slug"),
        (
            "[workflow.actions]\n\"actions/checkout\" = { sha = \"v5\", version = \"v5\" }\n",
            "40-character",
        ),
        ("[workflow]\nschedule = \"hourly\"\n", "hourly"),
        (
            "[registry]\nmirrors = { \"docker.io\" = \"ftp://m\" }\n",
            "http:// or https://",
        ),
        ("[registry]\nlevel = \"huge\"\n", "huge"),
    ] {
        let err = fleet(text).unwrap_err();
        assert!(err.to_string().contains(needle), "{text}: {err}");
        assert!(err.line >= 1, "{text}: {err}");
    }
    let f = fleet("[[repo]]\nname = \"acme/api\"\n").unwrap();
    let err = f.workflow_for("acme/api", Some(&f.repos[0])).unwrap_err();
    assert!(err.0.contains("drydock_image"), "{err}");
}

#[test]
fn plan_creates_the_workflow_then_reports_no_drift_and_honours_the_opt_out() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join("svc")).unwrap();
    std::fs::write(repo.join("svc/Dockerfile"), "FROM python:3.12-slim\n").unwrap();
    let fleet = |extra: &str| {
        let path = dir.path().join("fleet.toml");
        std::fs::write(
            &path,
            format!(
                "[workflow]\ndrydock_image = \"ghcr.io/acme/drydock:1@sha256:{}\"\n\n[[repo]]\nname = \"acme/api\"\npath = \"repo\"\n{extra}",
                "0".repeat(64)
            ),
        )
        .unwrap();
        path
    };
    let plan = |fleet_file: &Path, args: &[&str]| {
        crate::support::drydock()
            .arg("--fleet")
            .arg(fleet_file)
            .arg("plan")
            .args(args)
            .output()
            .unwrap()
    };
    let on = fleet("");
    let out = plan(&on, &["--write"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read_to_string(repo.join(workflow::PATH)).unwrap();
    assert!(written.starts_with("# Managed by drydock"));
    assert!(written.contains("Install drydock (container image)"));
    let out = plan(&on, &["--exit-code"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    std::fs::write(
        repo.join(workflow::PATH),
        written.replace("timeout-minutes: 60", "timeout-minutes: 5"),
    )
    .unwrap();
    let out = plan(&on, &["--exit-code"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("-    timeout-minutes: 5") && text.contains("+    timeout-minutes: 60"),
        "{text}"
    );

    std::fs::remove_file(repo.join(workflow::PATH)).unwrap();
    let off = fleet("[repo.workflow]\nenabled = false\n");
    let out = plan(&off, &["--write"]);
    assert!(out.status.success());
    assert!(!repo.join(workflow::PATH).exists(), "opted out");
}

#[test]
fn the_app_token_replaces_github_token_for_every_write_and_the_default_stays_github_token() {
    for (name, settings) in configurations() {
        let text = workflow::render(&settings).unwrap();
        match &settings.app {
            None => {
                assert!(!text.contains("create-github-app-token"), "{name}");
                assert!(!text.contains("environment:"), "{name}");
                assert!(text.contains("GH_TOKEN: ${{ github.token }}"), "{name}");
                assert!(text.contains("contents: write # push the update branch"));
            }
            Some(app) => {
                assert!(
                    !text.contains("github.token"),
                    "{name}: every write goes through the App's token"
                );
                assert!(!text.contains("      contents: write"), "{name}: {text}");
                assert!(!text.contains("pull-requests: write #"), "{name}");
                let mint = format!(
                    "uses: actions/create-github-app-token@df432ceedc7162793a195dd1713ff69aefc7379e # v2.0.6\n        with:\n          app-id: ${{{{ vars.{} }}}}\n          private-key: ${{{{ secrets.{} }}}}\n          permission-contents: write\n",
                    app.app_id_var, app.private_key_secret
                );
                assert!(text.contains(&mint), "{name}: {text}");
                assert!(text.contains("GH_TOKEN: ${{ steps.app-token.outputs.token }}"));
                assert!(text.contains("    environment: \"drydock\"\n"), "{name}");
                assert!(
                    !text.contains("owner:"),
                    "{name}: the token is for this repository only"
                );
                let pushes = text.find("git push").unwrap();
                let mints = text.find("id: app-token").unwrap();
                assert!(mints < pushes, "{name}: minted before the push");
            }
        }
    }
}

#[test]
fn the_monitor_app_is_read_from_fleet_toml_both_keys_or_neither() {
    let install = format!(
        "[workflow]\ndrydock_image = \"ghcr.io/acme/drydock:1@sha256:{}\"\n",
        "0".repeat(64)
    );
    let f = fleet(&format!(
        "{install}app_id_var = \"DRYDOCK_APP_ID\"\nprivate_key_secret = \"DRYDOCK_KEY\"\n[[repo]]\nname = \"acme/api\"\n"
    ))
    .unwrap();
    let api = f
        .workflow_for("acme/api", Some(&f.repos[0]))
        .unwrap()
        .unwrap();
    assert_eq!(
        api.app,
        Some(AppToken {
            app_id_var: "DRYDOCK_APP_ID".into(),
            private_key_secret: "DRYDOCK_KEY".into()
        })
    );
    assert!(
        workflow::render(&api)
            .unwrap()
            .contains("secrets.DRYDOCK_KEY")
    );
    let plain = fleet(&format!("{install}[[repo]]\nname = \"acme/api\"\n")).unwrap();
    assert_eq!(
        plain
            .workflow_for("acme/api", Some(&plain.repos[0]))
            .unwrap()
            .unwrap()
            .app,
        None,
        "the default stays GITHUB_TOKEN"
    );
    for (keys, needle, line) in [
        ("app_id_var = \"ID\"\n", "needs private_key_secret", 3),
        ("private_key_secret = \"KEY\"\n", "without app_id_var", 3),
        (
            "app_id_var = \"ID\"\nprivate_key_secret = \"GITHUB_KEY\"\n",
            "not a GitHub Actions secret name",
            4,
        ),
        (
            "app_id_var = \"vars.X }} ${{ github.token\"\nprivate_key_secret = \"KEY\"\n",
            "not a GitHub Actions variable name",
            3,
        ),
        (
            "app_id_var = \"1ID\"\nprivate_key_secret = \"KEY\"\n",
            "variable name",
            3,
        ),
    ] {
        let err = fleet(&format!("{install}{keys}")).unwrap_err();
        assert!(err.to_string().contains(needle), "{keys}: {err}");
        assert_eq!(err.line, line, "{keys}: {err}");
    }
}
