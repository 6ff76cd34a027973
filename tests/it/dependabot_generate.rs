//! Generating and repairing dependabot.yml, and `drydock plan` end to end: snapshots of the
//! generated files for fixture repositories, the repair corpus (tests/corpus/dependabot/repair-*),
//! property tests (render and repair idempotent, repair never drops an entry), the plan on the
//! example fleet, and check-jsonschema over everything drydock writes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use drydock::dependabot::desired::desired;
use drydock::dependabot::render::Renderer;
use drydock::dependabot::repair::{Inputs, Repaired, repair};
use drydock::dependabot::settings::{
    Allow, CommitMessage, Cooldown, Group, Ignore, Registry, Schedule, Settings,
};
use drydock::dependabot::validate::validate;
use drydock::detect::{Ecosystem, EcosystemDir, FoundFile, RepoScan};
use drydock::finding::Severity;
use proptest::prelude::*;

const PATH: &str = ".github/dependabot.yml";

fn scan(ecosystems: &[(Ecosystem, &str)], dockerfiles: &[&str]) -> RepoScan {
    let mut s = RepoScan {
        ecosystems: ecosystems
            .iter()
            .map(|(e, d)| EcosystemDir {
                ecosystem: *e,
                directory: d.to_string(),
            })
            .collect(),
        dockerfiles: dockerfiles
            .iter()
            .map(|p| FoundFile {
                path: p.to_string(),
            })
            .collect(),
        compose_files: Vec::new(),
    };
    s.ecosystems.sort();
    s
}

fn s(v: &str) -> String {
    v.to_string()
}

fn strings(v: &[&str]) -> Option<Vec<String>> {
    Some(v.iter().map(|x| x.to_string()).collect())
}

/// A repository with every ecosystem, each in its own directory (docker also at the root).
fn every_ecosystem() -> RepoScan {
    let dirs: Vec<(Ecosystem, String)> = Ecosystem::ALL
        .iter()
        .map(|e| match e {
            Ecosystem::GithubActions | Ecosystem::Gitsubmodule => (*e, s("/")),
            _ => (*e, format!("/{}", e.as_str())),
        })
        .collect();
    let refs: Vec<(Ecosystem, &str)> = dirs.iter().map(|(e, d)| (*e, d.as_str())).collect();
    scan(&refs, &["Dockerfile", "docker/Dockerfile"])
}

fn monorepo() -> RepoScan {
    use Ecosystem::*;
    scan(
        &[
            (Npm, "/"),
            (Npm, "/apps/web"),
            (Npm, "/apps/admin"),
            (Npm, "/packages/ui"),
            (Gomod, "/services/api"),
            (Gomod, "/services/worker"),
            (GithubActions, "/"),
            (GithubActions, "/.github/actions/setup"),
            (Terraform, "/infra/prod"),
            (Terraform, "/infra/staging"),
            (DockerCompose, "/"),
        ],
        &[
            "apps/web/Dockerfile",
            "apps/admin/Dockerfile",
            "services/api/Dockerfile",
            "services/worker/Containerfile",
        ],
    )
}

fn all_settings() -> Settings {
    let mut registries = BTreeMap::new();
    let reg = |kind: &str, url: &str, extra: &[(&str, &str)]| Registry {
        kind: s(kind),
        url: Some(s(url)),
        other: extra
            .iter()
            .map(|(k, v)| (s(k), toml::Value::String(s(v))))
            .collect(),
    };
    registries.insert(
        s("npm-github"),
        reg(
            "npm-registry",
            "https://npm.pkg.github.com",
            &[("token", "${{secrets.NPM_TOKEN}}")],
        ),
    );
    registries.insert(
        s("ghcr"),
        reg(
            "docker-registry",
            "https://ghcr.io",
            &[
                ("username", "acme-bot"),
                ("password", "${{secrets.GHCR_TOKEN}}"),
            ],
        ),
    );
    registries.insert(
        s("maven-central-mirror"),
        reg("maven-repository", "https://maven.example.com", &[]),
    );
    let mut groups = BTreeMap::new();
    groups.insert(
        s("dev-dependencies"),
        Group {
            dependency_type: Some(s("development")),
            update_types: strings(&["minor", "patch"]),
            ..Group::default()
        },
    );
    groups.insert(
        s("everything"),
        Group {
            patterns: strings(&["*"]),
            exclude_patterns: strings(&["react*"]),
            ..Group::default()
        },
    );
    groups.insert(
        s("per-dependency"),
        Group {
            group_by: Some(s("dependency-name")),
            patterns: strings(&["*"]),
            ..Group::default()
        },
    );
    Settings {
        templates: None,
        schedule: Some(Schedule {
            interval: s("weekly"),
            day: Some(s("tuesday")),
            time: Some(s("14:30")),
            timezone: Some(s("Europe/Berlin")),
            cronjob: None,
        }),
        labels: strings(&["dependencies", "area: ui #1", "yes", "on"]),
        assignees: strings(&["octocat"]),
        milestone: Some(4),
        open_pull_requests_limit: Some(0),
        commit_message: Some(CommitMessage {
            prefix: Some(s("chore(deps)")),
            prefix_development: Some(s("chore(dev-deps)")),
            include: Some(s("scope")),
        }),
        groups: Some(groups),
        cooldown: Some(Cooldown {
            default_days: Some(3),
            semver_major_days: Some(30),
            semver_minor_days: Some(7),
            semver_patch_days: Some(2),
            include: strings(&["*"]),
            exclude: strings(&["@acme/*"]),
        }),
        ignore: Some(vec![
            Ignore {
                dependency_name: s("aws-sdk"),
                versions: None,
                update_types: strings(&["version-update:semver-patch"]),
                ecosystems: None,
            },
            Ignore {
                dependency_name: s("node"),
                versions: strings(&[">= 23"]),
                update_types: None,
                ecosystems: strings(&["docker"]),
            },
        ]),
        allow: Some(vec![Allow {
            dependency_name: None,
            dependency_type: Some(s("direct")),
            update_types: None,
            ecosystems: strings(&["npm", "gomod"]),
        }]),
        registries: Some(registries),
        // Not set: the validator reads entries with a target-branch as not covering the default
        // branch.
        target_branch: None,
        versioning_strategy: Some(s("increase")),
        directories_as_globs: Some(true),
        add_missing: None,
    }
}

/// The fixture repositories of the generator snapshots.
fn fixtures() -> Vec<(&'static str, RepoScan, Settings)> {
    use Ecosystem::*;
    let many: Vec<String> = (0..250).map(|i| format!("/packages/p{i:03}")).collect();
    let many_refs: Vec<(Ecosystem, &str)> = many.iter().map(|d| (Npm, d.as_str())).collect();
    vec![
        ("every-ecosystem", every_ecosystem(), Settings::default()),
        (
            "monorepo-one-entry-per-directory",
            monorepo(),
            Settings::default(),
        ),
        (
            "monorepo-directories-as-globs",
            monorepo(),
            Settings {
                directories_as_globs: Some(true),
                ..Settings::default()
            },
        ),
        ("monorepo-every-setting", monorepo(), all_settings()),
        (
            "docker-monthly-fleet-schedule",
            scan(&[(Pip, "/"), (Uv, "/tools")], &["Dockerfile"]),
            Settings {
                schedule: Some(Schedule {
                    interval: s("monthly"),
                    time: Some(s("06:00")),
                    ..Schedule::default()
                }),
                labels: strings(&["deps", "docker"]),
                ..Settings::default()
            },
        ),
        (
            "cron-schedule",
            scan(&[(Cargo, "/"), (RustToolchain, "/")], &["Dockerfile"]),
            Settings {
                schedule: Some(Schedule {
                    interval: s("cron"),
                    cronjob: Some(s("0 6 1 * *")),
                    timezone: Some(s("UTC")),
                    ..Schedule::default()
                }),
                ..Settings::default()
            },
        ),
        (
            "over-200-directories-fall-back-to-globs",
            scan(&many_refs, &[]),
            Settings::default(),
        ),
    ]
}

#[test]
fn generated_files_match_snapshots_and_pass_validation() {
    let renderer = Renderer::builtin();
    for (name, scan, settings) in fixtures() {
        let d = desired(&scan, &settings);
        let text = renderer.render(&d).unwrap();
        assert_eq!(
            text,
            renderer.render(&desired(&scan, &settings)).unwrap(),
            "{name}: not deterministic"
        );
        assert!(
            !text.contains('&') || !text.contains("*"),
            "{name}: anchors"
        );
        assert!(
            !text.contains("reviewers") && !text.contains("\n    name:"),
            "{name}"
        );
        assert!(d.updates.len() <= 200, "{name}");
        serde_saphyr::from_str::<serde_json::Value>(&text)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let findings = validate(&text, PATH, Some(&scan));
        assert!(findings.is_empty(), "{name}: {findings:#?}\n{text}");
        // A generated file needs no repair.
        let r = repair(
            &text,
            PATH,
            Inputs {
                scan: &scan,
                settings: &settings,
                renderer: &renderer,
                monitor_workflow: None,
            },
        );
        assert_eq!(
            r.text, text,
            "{name}: repair changes a generated file: {:#?}",
            r.changes
        );
        insta::assert_snapshot!(format!("generate-{name}"), text);
    }
}

#[test]
fn yaml_sensitive_values_keep_their_meaning() {
    let settings = all_settings();
    let text = Renderer::builtin()
        .render(&desired(&monorepo(), &settings))
        .unwrap();
    let v: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    let npm = v["updates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["package-ecosystem"] == "npm")
        .unwrap();
    assert_eq!(
        npm["labels"],
        serde_json::json!(["dependencies", "area: ui #1", "yes", "on"])
    );
    assert_eq!(npm["schedule"]["time"], "14:30");
    assert_eq!(npm["open-pull-requests-limit"], 0);
    assert_eq!(npm["milestone"], 4);
    // SemVer cooldown days only where the ecosystem supports them.
    let tf = v["updates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["package-ecosystem"] == "terraform")
        .unwrap();
    assert!(tf["cooldown"].get("semver-major-days").is_none());
    assert!(tf.get("versioning-strategy").is_none());
    // The unused maven registry is left out: GitHub rejects unreferenced registries.
    assert!(v["registries"].get("maven-central-mirror").is_none());
}

#[test]
fn organisation_templates_override_the_builtin_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("dependabot.yml.hbs"),
        "# ACME standard\nversion: 2\nupdates:\n{{#each updates}}\n  - package-ecosystem: {{ecosystem}}\n    directory: {{directory}}\n    schedule:\n{{yaml schedule 6}}\n{{/each}}\n",
    )
    .unwrap();
    let r = Renderer::new(Some(dir.path())).unwrap();
    let text = r
        .render(&desired(
            &scan(&[(Ecosystem::Npm, "/")], &[]),
            &Settings::default(),
        ))
        .unwrap();
    assert_eq!(
        text,
        "# ACME standard\nversion: 2\nupdates:\n  - package-ecosystem: \"npm\"\n    directory: \"/\"\n    schedule:\n      interval: \"weekly\"\n"
    );
    std::fs::write(
        dir.path().join("dependabot.yml.hbs"),
        "version: 2\n{{typo}}\n",
    )
    .unwrap();
    let r = Renderer::new(Some(dir.path())).unwrap();
    let err = r
        .render(&desired(&RepoScan::default(), &Settings::default()))
        .unwrap_err();
    assert!(err.to_string().contains("typo"), "{err}");
}

// ----- the repair corpus -------------------------------------------------------------------

fn corpus_scan() -> RepoScan {
    use Ecosystem::*;
    scan(
        &[
            (Npm, "/"),
            (GithubActions, "/"),
            (Gomod, "/services/api"),
            (Docker, "/"),
            (Docker, "/services/api"),
        ],
        &["Dockerfile", "services/api/Dockerfile"],
    )
}

fn corpus() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/dependabot");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("repair-")
        })
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn repair_corpus_file(name: &str, text: &str) -> Repaired {
    let path = if name.ends_with(".yaml") {
        ".github/dependabot.yaml"
    } else {
        PATH
    };
    // Every ecosystem, as repairs did before `add-missing` (the corpus snapshots show them all).
    let settings = Settings {
        add_missing: Some(drydock::dependabot::settings::AddMissing::All),
        ..Settings::default()
    };
    let (scan, renderer) = (corpus_scan(), Renderer::builtin());
    repair(
        text,
        path,
        Inputs {
            scan: &scan,
            settings: &settings,
            renderer: &renderer,
            monitor_workflow: None,
        },
    )
}

fn error_rules(text: &str) -> std::collections::BTreeSet<String> {
    validate(text, PATH, Some(&corpus_scan()))
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.rule)
        .collect()
}

#[test]
fn repair_corpus() {
    let files = corpus();
    assert!(files.len() >= 20, "the corpus has {} files", files.len());
    for (name, text) in &files {
        let r = repair_corpus_file(name, text);
        // Idempotent.
        let again = repair_corpus_file(name, &r.text);
        assert_eq!(
            again.text, r.text,
            "{name}: a second repair changes the file"
        );
        assert!(again.changes.is_empty(), "{name}: {:#?}", again.changes);
        // Comments are kept byte for byte: whole comment lines, and the comment part of a line
        // whose value was edited (except inside a removed `reviewers` block).
        for line in text
            .split_inclusive('\n')
            .filter(|l| l.contains('#') && !l.contains("reviewers"))
        {
            let kept = if line.trim_start().starts_with('#') {
                line
            } else {
                &line[line.rfind(" #").or_else(|| line.rfind("\t#")).unwrap_or(0)..]
            };
            assert!(r.text.contains(kept), "{name}: lost {kept:?}");
        }
        // Line endings and BOM as they were.
        assert_eq!(
            r.text.starts_with('\u{feff}'),
            text.starts_with('\u{feff}'),
            "{name}: BOM"
        );
        assert_eq!(
            r.text.contains("\r\n"),
            text.contains("\r\n"),
            "{name}: CRLF"
        );
        // Every entry the owners wrote is still there.
        let entries = |t: &str| -> Vec<serde_json::Value> {
            serde_saphyr::from_str::<serde_json::Value>(t.trim_start_matches('\u{feff}'))
                .map_or(Vec::new(), |v| {
                    v["updates"].as_array().cloned().unwrap_or_default()
                })
        };
        let (before, after) = (entries(text), entries(&r.text));
        for e in &before {
            let key = (&e["package-ecosystem"], &e["target-branch"]);
            assert!(
                after
                    .iter()
                    .any(|a| (&a["package-ecosystem"], &a["target-branch"]) == key),
                "{name}: lost {e}"
            );
        }
        // The repair never adds an error, and every repaired file passes validation.
        let (was, now) = (error_rules(text), error_rules(&r.text));
        assert!(
            now.is_subset(&was),
            "{name}: new errors {now:?} (was {was:?})"
        );
        let gave_up = r
            .findings
            .iter()
            .any(|f| f.rule == "dependabot/not-repairable");
        if !r.changes.is_empty() && !gave_up {
            assert!(
                now.is_empty(),
                "{name}: still has errors after repair: {:#?}",
                validate(&r.text, PATH, Some(&corpus_scan()))
            );
        }
        let mut report = String::new();
        for c in &r.changes {
            report.push_str(&format!(
                "change line {}: {} ({})\n",
                c.line, c.change, c.reason
            ));
        }
        for f in &r.findings {
            report.push_str(&format!("finding {} {:?}: {}\n", f.rule, f.line, f.message));
        }
        let diff = similar::TextDiff::from_lines(text.as_str(), r.text.as_str())
            .unified_diff()
            .context_radius(1)
            .header("before", "after")
            .to_string();
        insta::assert_snapshot!(
            format!("repair-{}", name.trim_start_matches("repair-")),
            format!("{report}---\n{diff}")
        );
    }
}

#[test]
fn aliases_and_invalid_yaml_are_left_untouched() {
    let files = corpus();
    let (_, anchors) = files.iter().find(|(n, _)| n.contains("anchors")).unwrap();
    let r = repair_corpus_file("anchors.yml", anchors);
    assert_eq!(&r.text, anchors);
    assert_eq!(r.findings[0].rule, "dependabot/yaml-alias");
    let broken = "version: 2\nupdates:\n  - package-ecosystem: npm\n\tdirectory: /\n";
    let r = repair_corpus_file("broken.yml", broken);
    assert_eq!(r.text, broken);
    assert_eq!(r.findings[0].rule, "dependabot/invalid-yaml");
    // The parser stops where the plain scalar `npm` runs into the tab.
    assert_eq!(
        (r.findings[0].line, r.findings[0].column),
        (Some(3), Some(24))
    );
}

// ----- properties --------------------------------------------------------------------------

fn arb_scan() -> impl Strategy<Value = RepoScan> {
    let eco = prop::sample::select(vec![
        Ecosystem::Npm,
        Ecosystem::Docker,
        Ecosystem::Gomod,
        Ecosystem::Pip,
        Ecosystem::GithubActions,
        Ecosystem::Cargo,
    ]);
    let dir = prop::sample::select(vec!["/", "/a", "/b", "/svc/x", "/svc/y", "/svc/z"]);
    prop::collection::vec((eco, dir), 1..10).prop_map(|v| {
        let mut s = scan(&v, &[]);
        s.ecosystems.dedup();
        s
    })
}

fn arb_settings() -> impl Strategy<Value = Settings> {
    let label = prop::sample::select(vec![
        "yes",
        "on",
        "14:30",
        "area: ui #1",
        "a\"b",
        "- x",
        "dependencies",
        "~",
        "ünï",
    ]);
    let interval = prop::sample::select(vec!["daily", "weekly", "monthly", "yearly"]);
    (
        prop::collection::vec(label, 0..4),
        interval,
        any::<bool>(),
        prop::option::of(0u32..20),
    )
        .prop_map(|(labels, interval, globs, limit)| Settings {
            labels: (!labels.is_empty()).then(|| labels.iter().map(|l| l.to_string()).collect()),
            schedule: Some(Schedule {
                interval: interval.to_string(),
                ..Schedule::default()
            }),
            directories_as_globs: Some(globs),
            open_pull_requests_limit: limit,
            ..Settings::default()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn render_is_idempotent_and_valid(scan in arb_scan(), settings in arb_settings()) {
        let r = Renderer::builtin();
        let text = r.render(&desired(&scan, &settings)).unwrap();
        prop_assert_eq!(&text, &r.render(&desired(&scan, &settings)).unwrap());
        let errors: Vec<_> = validate(&text, PATH, Some(&scan)).into_iter().filter(|f| f.severity == Severity::Error).collect();
        prop_assert!(errors.is_empty(), "{:#?}\n{}", errors, text);
    }

    #[test]
    fn repair_is_idempotent_and_keeps_entries(old in arb_scan(), new in arb_scan(), settings in arb_settings()) {
        // A file generated for an older state of the repository, repaired for the current one.
        let r = Renderer::builtin();
        let text = r.render(&desired(&old, &Settings { directories_as_globs: Some(false), ..settings.clone() })).unwrap();
        let inputs = Inputs { scan: &new, settings: &settings, renderer: &r, monitor_workflow: None };
        let once = repair(&text, PATH, inputs);
        let twice = repair(&once.text, PATH, inputs);
        prop_assert_eq!(&twice.text, &once.text);
        let entries = |t: &str| -> Vec<(String, String)> {
            let v: serde_json::Value = serde_saphyr::from_str(t).unwrap();
            v["updates"].as_array().unwrap().iter().map(|u| (u["package-ecosystem"].to_string(), u["directory"].to_string())).collect()
        };
        let after = entries(&once.text);
        for e in entries(&text) {
            prop_assert!(after.contains(&e), "lost {:?}", e);
        }
    }
}

// ----- drydock plan end to end ----------------------------------------------------------------

/// [`crate::support::drydock`] in the repository root, where the example fleet.toml is.
fn drydock() -> assert_cmd::Command {
    let mut c = crate::support::drydock();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn plan_json(args: &[&str]) -> (serde_json::Value, i32) {
    let out = drydock()
        .arg("plan")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (v, out.status.code().unwrap())
}

#[test]
fn plan_on_the_example_fleet() {
    let (v, code) = plan_json(&[
        "--repo",
        "acme/storefront",
        "--repo",
        "acme/payments",
        "--repo",
        "acme/legacy-portal",
    ]);
    assert_eq!(code, 0);
    let repos = v["repos"].as_array().unwrap();
    let by_name = |n: &str| repos.iter().find(|r| r["name"] == n).unwrap().clone();

    let store = by_name("acme/storefront");
    assert_eq!(store["changes"][0]["path"], PATH);
    assert_eq!(store["changes"][0]["action"], "create");
    assert!(
        store["changes"][0]["diff"]
            .as_str()
            .unwrap()
            .starts_with("--- /dev/null\n+++ b/.github/dependabot.yml\n")
    );
    assert_eq!(store["findings"], serde_json::json!([]));

    let pay = by_name("acme/payments");
    assert_eq!(pay["changes"][0]["action"], "update");
    let diff = pay["changes"][0]["diff"].as_str().unwrap();
    assert!(diff.contains("\n-      interval: \"monthly\"\n"), "{diff}");
    assert!(diff.contains("\n+      interval: \"weekly\"\n"), "{diff}");
    assert!(diff.contains("-    reviewers:\n"), "{diff}");
    let reasons = pay["changes"][0]["reasons"].to_string();
    for why in [
        "reviewers",
        "CODEOWNERS",
        "/docker/worker",
        "github-actions",
        "weekly",
        "security",
    ] {
        assert!(reasons.contains(why), "{why} not in {reasons}");
    }
    assert!(
        pay["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "dependabot/reviewers"
                && f["message"].as_str().unwrap().contains("jdoe"))
    );

    // The broken dependabot.yml is left alone; the only change is the monitor workflow, which
    // the example fleet's [workflow] settings manage.
    let legacy = by_name("acme/legacy-portal");
    let changed: Vec<&str> = legacy["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        changed,
        [".github/workflows/modules-docker-base-image-monitor.yml"]
    );
    let f = &legacy["findings"][0];
    assert_eq!(
        (
            f["rule"].as_str(),
            f["severity"].as_str(),
            f["path"].as_str(),
            f["line"].as_u64()
        ),
        (
            Some("dependabot/invalid-yaml"),
            Some("error"),
            Some(PATH),
            Some(7)
        )
    );

    let (_, code) = plan_json(&["--exit-code", "--repo", "acme/storefront"]);
    assert_eq!(code, 1);
    let (v, code) = plan_json(&["--exit-code", "--repo", "acme/legacy-portal"]);
    assert_eq!(
        (code, v["repos"][0]["changes"].as_array().unwrap().len()),
        (1, 1)
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

#[test]
fn plan_write_applies_and_then_nothing_is_left() {
    let tmp = tempfile::tempdir().unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    for name in ["storefront", "payments", "legacy-portal"] {
        copy_dir(&examples.join(name), &tmp.path().join(name));
    }
    let before: Vec<(PathBuf, String)> = ["payments", "legacy-portal"]
        .iter()
        .map(|n| {
            let p = tmp.path().join(n).join(PATH);
            let t = std::fs::read_to_string(&p).unwrap();
            (p, t)
        })
        .collect();
    // plan alone writes nothing.
    for n in ["storefront", "payments"] {
        let dir = tmp.path().join(n);
        let (_, code) = plan_json(&["--path", dir.to_str().unwrap(), "--exit-code"]);
        assert_eq!(code, 1);
    }
    assert!(!tmp.path().join("storefront").join(PATH).exists());
    for (p, t) in &before {
        assert_eq!(&std::fs::read_to_string(p).unwrap(), t);
    }
    for n in ["storefront", "payments", "legacy-portal"] {
        let dir = tmp.path().join(n);
        drydock()
            .args(["plan", "--write", "--path", dir.to_str().unwrap()])
            .assert()
            .success();
        let (v, code) = plan_json(&["--path", dir.to_str().unwrap(), "--exit-code"]);
        assert_eq!(
            (code, &v["repos"][0]["changes"]),
            (0, &serde_json::json!([])),
            "{n}"
        );
    }
    let written = std::fs::read_to_string(tmp.path().join("storefront").join(PATH)).unwrap();
    assert!(written.contains("package-ecosystem: \"docker\""));
    // The broken file is untouched.
    assert_eq!(std::fs::read_to_string(&before[1].0).unwrap(), before[1].1);
}

#[test]
fn plan_text_output_is_readable() {
    let out = drydock()
        .args(["plan", "--repo", "acme/payments"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\x1b'), "NO_COLOR is respected");
    assert!(
        text.contains(
            "== acme/payments: 1 to create, 1 to update; 2 notes\n  update .github/dependabot.yml\n"
        ),
        "{text}"
    );
    assert!(text.contains("1 of 1 repositories would change (2 files); 2 notes"));
}

// ----- external schema check -----------------------------------------------------------------

/// Every generated and repaired file, with whether it uses ecosystems the vendored schema lacks.
fn everything_drydock_writes() -> Vec<(String, String)> {
    let renderer = Renderer::builtin();
    let mut out = Vec::new();
    for (name, scan, settings) in fixtures() {
        out.push((
            format!("generate-{name}.yml"),
            renderer.render(&desired(&scan, &settings)).unwrap(),
        ));
    }
    for (name, text) in corpus() {
        let r = repair_corpus_file(&name, &text);
        let gave_up = r
            .findings
            .iter()
            .any(|f| f.rule == "dependabot/not-repairable");
        if !r.changes.is_empty() && !gave_up {
            let ext = if name.ends_with(".yaml") {
                "yaml"
            } else {
                "yml"
            };
            out.push((
                format!(
                    "repaired-{}.{ext}",
                    name.trim_end_matches(".yml").trim_end_matches(".yaml")
                ),
                r.text,
            ));
        }
    }
    out
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn check_jsonschema_accepts_everything_drydock_writes() {
    let dir = tempfile::tempdir().unwrap();
    let (mut vendored, mut newer) = (Vec::new(), Vec::new());
    for (name, text) in everything_drydock_writes() {
        let p = dir.path().join(&name);
        std::fs::write(&p, text.trim_start_matches('\u{feff}')).unwrap();
        // The vendored schema lacks `sbt` (dependabot.md §5.2): use SchemaStore's newer copy there.
        if text.contains("\"sbt\"") {
            newer.push(p)
        } else {
            vendored.push(p)
        }
    }
    let schemastore =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/dependabot-2.0.json");
    let runs: [(Vec<&str>, &Vec<PathBuf>); 2] = [
        (vec!["--builtin-schema", "vendor.dependabot"], &vendored),
        (vec!["--schemafile", schemastore.to_str().unwrap()], &newer),
    ];
    for (schema, files) in runs {
        if files.is_empty() {
            continue;
        }
        let out = std::process::Command::new("check-jsonschema")
            .args(&schema)
            .args(files.iter())
            .output()
            .expect("check-jsonschema is not installed: run scripts/test.sh");
        assert!(
            out.status.success(),
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn plan_goes_on_when_a_repository_is_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    copy_dir(&examples.join("storefront"), &tmp.path().join("storefront"));
    let fleet = tmp.path().join("fleet.toml");
    std::fs::write(&fleet, "[[repo]]\nname = \"acme/not-cloned\"\n\n[[repo]]\nname = \"acme/storefront\"\npath = \"storefront\"\n\n[dependabot]\nlabels = [\"deps\"]\n").unwrap();
    let out = drydock()
        .args([
            "plan",
            "--format",
            "json",
            "--fleet",
            fleet.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["repos"][0]["error"]
            .as_str()
            .unwrap()
            .contains("drydock sync"),
        "{v}"
    );
    let diff = v["repos"][1]["changes"][0]["diff"].as_str().unwrap();
    assert!(
        diff.contains("+      - \"deps\"\n"),
        "fleet settings are used: {diff}"
    );
    // A bad [dependabot] value is a configuration error (exit 2) naming the line.
    std::fs::write(
        &fleet,
        "[dependabot]\nschedule = { interval = \"sometimes\" }\n",
    )
    .unwrap();
    let out = drydock()
        .args(["plan", "--fleet", fleet.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("fleet.toml:2:"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
