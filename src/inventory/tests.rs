use super::*;

fn parse(text: &str) -> Result<Fleet, ConfigError> {
    Fleet::parse(Path::new("/tmp/fleet.toml"), text)
}

fn err(text: &str) -> ConfigError {
    parse(text).expect_err("expected a configuration error")
}

#[test]
fn defaults() {
    let f = parse("[[repo]]\nname = \"acme/web\"\n").unwrap();
    assert_eq!(f.workspace, Path::new("/tmp/.drydock"));
    assert_eq!(f.github, GitHubHost::GitHubCom);
    assert_eq!(f.github.api_url(), DEFAULT_API_URL);
    assert!(f.jobs >= 1);
    assert_eq!(
        f.repos[0].source,
        Source::Remote {
            url: "https://github.com/acme/web.git".into()
        }
    );
    assert_eq!(
        f.checkout_dir(&f.repos[0]),
        Path::new("/tmp/.drydock/repos/acme/web")
    );
}

#[test]
fn enterprise_host_builds_default_urls() {
    let f = parse(
        "[github]\napi_url = \"https://ghe.example.com/api/v3/\"\n[[repo]]\nname = \"a/b\"\n",
    )
    .unwrap();
    assert_eq!(f.github.api_url(), "https://ghe.example.com/api/v3");
    assert_eq!(
        f.repos[0].source,
        Source::Remote {
            url: "https://ghe.example.com/a/b.git".into()
        }
    );
}

#[test]
fn unknown_key_has_line_and_suggestion() {
    let e = err("[fleet]\njobs = 2\nwokspace = \"x\"\n");
    assert_eq!((e.line, e.column), (3, 1));
    assert!(e.message.contains("unknown field `wokspace`"), "{e}");
    assert_eq!(
        e.help.as_deref(),
        Some("did you mean `workspace`? (see docs/fleet-toml.md)")
    );
    let shown = e.to_string();
    assert!(
        shown.starts_with("/tmp/fleet.toml:3:1: unknown field"),
        "{shown}"
    );
}

#[test]
fn unknown_repo_key_suggests() {
    let e = err("[[repo]]\nname = \"a/b\"\nbrnach = \"main\"\n");
    assert_eq!(e.line, 3);
    assert_eq!(
        e.help.as_deref(),
        Some("did you mean `branch`? (see docs/fleet-toml.md)")
    );
}

#[test]
fn broken_toml_is_located() {
    let e = err("[fleet\njobs = 1\n");
    assert_eq!(e.line, 1);
    let e = err("[fleet]\njobs = \"many\"\n");
    assert_eq!((e.line, e.column), (2, 8));
}

#[test]
fn duplicate_names_name_both_lines() {
    let e = err("[[repo]]\nname = \"a/b\"\n\n[[repo]]\nname = \"A/B\"\n");
    assert_eq!(e.line, 5);
    assert!(e.message.contains("first listed on line 2"), "{e}");
}

#[test]
fn bad_names() {
    for (name, needle) in [
        ("justone", "owner/repo"),
        ("/abs/x", "must not start"),
        ("a/..", "escape the workspace"),
        ("../x", "escape the workspace"),
        ("a/b/c", "more than one"),
        ("a/b c", "may only contain"),
    ] {
        let e = err(&format!("[[repo]]\nname = {name:?}\n"));
        assert_eq!(e.line, 2, "{name}");
        assert!(e.message.contains(needle), "{name}: {e}");
    }
}

#[test]
fn url_and_path_together() {
    let e = err("[[repo]]\nname = \"a/b\"\nurl = \"file:///x\"\npath = \".\"\n");
    assert_eq!(e.line, 4);
    assert!(e.message.contains("both `url` and `path`"));
}

#[test]
fn missing_path() {
    let e = err("[[repo]]\nname = \"a/b\"\npath = \"does/not/exist\"\n");
    assert_eq!((e.line, e.column), (3, 8));
    assert!(e.message.contains("is not a directory"));
}

#[test]
fn zero_jobs() {
    let e = err("[fleet]\njobs = 0\n");
    assert_eq!(e.line, 2);
}

#[test]
fn bad_exclude_glob() {
    let e = err("[scan]\nexclude = [\"a/[b\"]\n");
    assert_eq!(e.line, 2);
}

#[test]
fn select_skips_and_suggests() {
    let f = parse("[[repo]]\nname = \"a/web\"\n[[repo]]\nname = \"a/api\"\nskip = true\n").unwrap();
    assert_eq!(f.select(&[]).unwrap().len(), 1);
    assert_eq!(f.select(&["a/api".into()]).unwrap()[0].name, "a/api");
    let e = f.select(&["a/wbe".into()]).unwrap_err();
    assert_eq!(e.help.as_deref(), Some("did you mean \"a/web\"?"));
}

#[test]
fn bad_api_url() {
    let e = err("[github]\napi_url = \"ghe.example.com\"\n");
    assert_eq!((e.line, e.column), (2, 11));
    assert_eq!(
        e.help.as_deref(),
        Some("for GitHub Enterprise Server use https://HOST/api/v3")
    );
}

// `[dependabot]` and `[repo.dependabot]`, typed in `dependabot::settings`.

#[test]
fn fleet_defaults_and_repo_overrides() {
    let f = parse(
        r#"
[dependabot]
labels = ["deps"]
open-pull-requests-limit = 3
schedule = { interval = "daily", time = "06:00", timezone = "Europe/Berlin" }
cooldown = { default-days = 3 }

[[repo]]
name = "a/b"
[repo.dependabot]
labels = ["team-b"]
directories-as-globs = true

[[repo]]
name = "a/c"
"#,
    )
    .unwrap();
    let b = f.dependabot_for(Some(&f.repos[0]));
    assert_eq!(b.labels.as_deref(), Some(&["team-b".to_string()][..]));
    assert_eq!(b.open_pull_requests_limit, Some(3));
    assert_eq!(b.directories_as_globs, Some(true));
    assert_eq!(b.schedule.as_ref().unwrap().interval, "daily");
    let c = f.dependabot_for(Some(&f.repos[1]));
    assert_eq!(c.labels.as_deref(), Some(&["deps".to_string()][..]));
    assert_eq!(c.directories_as_globs, None);
}

#[test]
fn values_github_rejects_are_located_config_errors() {
    let e =
        parse("[dependabot]\nschedule = { interval = \"weekly\", time = \"6:00\" }\n").unwrap_err();
    assert!(e.message.contains("not hh:mm"), "{e}");
    assert_eq!(e.line, 2);
    let e = parse("[dependabot]\nschedule = { interval = \"fortnightly\" }\n").unwrap_err();
    assert!(e.help.unwrap().contains("weekly"));
    let e = parse("[dependabot]\nregistries = { npm = { type = \"npm-registry\", url = \"https://r\", token = \"abc\" } }\n").unwrap_err();
    assert!(e.message.contains("literal `token`"), "{e}");
    let e = parse("[dependabot]\ncommit_message = { prefix = \"x\" }\n").unwrap_err();
    assert_eq!(
        e.help.as_deref(),
        Some("did you mean `commit-message`? (see docs/fleet-toml.md)")
    );
    let e =
        parse("[[repo]]\nname = \"a/b\"\n[repo.dependabot]\nversioning-strategy = \"newest\"\n")
            .unwrap_err();
    assert!(e.message.starts_with("[repo.dependabot] of \"a/b\""), "{e}");
}

/// Each error points at the value it is about, not at the first place its text appears
/// (`text.find` located them once: an invalid `interval` in a `[repo.dependabot]` on line 12 was
/// reported on line 2, where `[dependabot]` sets a valid one).
#[test]
fn errors_point_at_the_value_not_the_first_mention() {
    let located = |text: &str| {
        let e = err(text);
        assert!(e.help.is_some(), "no hint: {e}");
        (e.line, e.column)
    };
    let repo_interval = "[dependabot]
schedule = { interval = \"weekly\" }

[[repo]]
name = \"a/b\"

[[repo]]
name = \"a/c\"
branch = \"main\"

[repo.dependabot]
schedule = { interval = \"fortnightly\" }
";
    assert_eq!(located(repo_interval), (12, 25));
    let e = err(repo_interval);
    assert!(
        e.message
            .starts_with("[repo.dependabot] of \"a/c\": schedule interval \"fortnightly\""),
        "{e}"
    );

    // The same key in the fleet table and in a repository's: each table's own value.
    assert_eq!(
        located(
            "# the time below is UTC\n[dependabot]\nschedule = { interval = \"daily\", time = \"6:00\" }\n"
        ),
        (3, 41)
    );
    assert_eq!(
        located(
            "[dependabot]\nignore = [\n  { dependency-name = \"a\", update-types = [\"version-update:semver-major\"] },\n  { dependency-name = \"b\", update-types = [\"major\"] },\n]\n"
        ),
        (4, 44)
    );
    assert_eq!(
        located("[dependabot]\ngroups = { ok = {}, \"9bad\" = {} }\n"),
        (2, 21),
        "a bad group name points at the name"
    );
    assert_eq!(
        located("# templates: see below\n[dependabot]\ntemplates = \"missing\"\n"),
        (3, 13)
    );
    assert_eq!(
        located("# keep the test_command short\n[workflow]\ntest_command = \" \"\n"),
        (3, 16)
    );
    assert_eq!(
        located("[[repo]]\nname = \"acme/web\"\n[repo.workflow]\ndevops_team = \"acme\"\n"),
        (4, 15)
    );
    assert_eq!(
        located("[scan]\n# not \"a/[b\": ok\nexclude = [\"ok\", \"a/[b\"]\n"),
        (3, 18)
    );
    assert_eq!(
        located(
            "[registry]\n# \"ftp://m\" is the old mirror\nmirrors = { \"docker.io\" = \"ftp://m\" }\n"
        ),
        (3, 27)
    );
    assert_eq!(
        located(
            "[policy.severity]\n\"base-image/eol\" = \"off\"\n[[policy.waiver]]\nrule = \"base-image/eol\"\nreason = \" \"\nexpires = 2027-01-01\n"
        ),
        (5, 10),
        "an empty reason points at the reason"
    );
    assert_eq!(
        located("# louder than \"loud\"\n[policy.severity]\n\"base-image/eol\" = \"loud\"\n"),
        (3, 20)
    );
    assert_eq!(
        located("[policy.severity]\n\"base-image/outdate\" = \"off\"\n"),
        (2, 1),
        "an unknown rule points at the key"
    );
    assert_eq!(
        located("[policy]\n# not \"a[\"\nproduction = [\"**\", \"a[\"]\n"),
        (3, 21)
    );
    assert_eq!(
        located(
            "[workflow]\ndrydock_url = \"https://x\"\ndrydock_sha256 = \"abc\"\n[workflow.actions]\n\"actions/checkout\" = { sha = \"08c6903cd8c0fde910a37f88322edcfb5dd907a8\", version = \"v 5\" }\n"
        ),
        (3, 18)
    );
    assert_eq!(
        located("[workflow]\ndrydock_url = \"https://x\"\ndrydock_sha256 = \"ABC\"\n"),
        (3, 18)
    );
}

/// Configuration errors that had no hint have one now.
#[test]
fn every_error_has_a_hint() {
    for text in [
        "[fleet\n",
        "[fleet]\njobs = \"many\"\n",
        "[[repo]]\nname = \"a/b\"\nurl = \" \"\n",
        "[scan]\nexclude = [\"a/[b\"]\n",
        "[policy]\nproduction = [\"a[\"]\n",
        "[policy.severity]\n\"base-image/eol\" = \"loud\"\n",
        "[[policy.waiver]]\nrule = \"base-image/eol\"\nreason = \"x\"\nrepo = \"a[\"\nexpires = 2027-01-01\n",
        "[workflow]\ndevops_team = \"acme\"\n",
        "[workflow]\ndrydock_url = \"http://x\"\ndrydock_sha256 = \"x\"\n",
        "[workflow]\ndrydock_sha256 = \"x\"\n",
        "[workflow]\ntrivy_version = \"latest\"\n",
        "[workflow.actions]\n\"actions/checkout\" = { sha = \"v5\", version = \"v5\" }\n",
    ] {
        let e = err(text);
        assert!(e.help.is_some(), "{text:?}: {e}");
    }
    let f = parse("[[repo]]\nname = \"a/web\"\n").unwrap();
    let e = f.select(&["zzz/qqq".into()]).unwrap_err();
    assert_eq!(
        e.help.as_deref(),
        Some("--repo takes the `name` of a [[repo]] in /tmp/fleet.toml")
    );
}

#[test]
fn toml_errors_say_what_to_write() {
    let cases = [
        (
            "[fleet]\njobs = \"x\"\n",
            "write the value as a whole number",
        ),
        (
            "[[repo]]\nname = 1\n",
            "write the value as text in double quotes",
        ),
        (
            "[[repo]]\nbranch = \"x\"\n",
            "add `name = ...` to this table",
        ),
        ("[fleet]\n[fleet]\n", "may appear only once"),
        ("x = [\n", "fix the TOML syntax here"),
        ("[dependabot]\nlabels = \"x\"\n", "an array in brackets"),
        (
            "[[repo]]\nname = \"a/b\"\nskip = \"yes\"\n",
            "`true` or `false`",
        ),
        ("jobs = 3\n", "`jobs` belongs in the [fleet] table"),
    ];
    for (text, help) in cases {
        let e = err(text);
        assert!(
            e.help.as_deref().unwrap_or("").contains(help),
            "{text:?}: {e}"
        );
    }
}

#[test]
fn jobs_are_capped() {
    let e = err("[fleet]\njobs = 65\n[[repo]]\nname = \"a/b\"\n");
    assert!(e.message.contains("more than the limit of 64"), "{e}");
    assert_eq!((e.line, e.column), (2, 8));
    assert_eq!(
        parse("[fleet]\njobs = 64\n[[repo]]\nname = \"a/b\"\n")
            .unwrap()
            .jobs,
        64
    );
}
