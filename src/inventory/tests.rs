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
    assert_eq!(f.api_url, DEFAULT_API_URL);
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
    assert_eq!(f.api_url, "https://ghe.example.com/api/v3");
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
fn web_hosts() {
    assert_eq!(web_host("https://api.github.com"), "github.com");
    assert_eq!(web_host("http://127.0.0.1:8080/api/v3"), "127.0.0.1:8080");
}

#[test]
fn suggestions() {
    assert_eq!(
        closest("commit_message", ["commit-message", "labels"]),
        Some("commit-message")
    );
    assert_eq!(closest("zzz", ["commit-message", "labels"]), None);
}
