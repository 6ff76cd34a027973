//! Shared test data: hand-built facts mirroring the shipped data on 2026-11-27, and helpers.

use chrono::NaiveDate;

use super::facts::{Cycle, Facts, OfficialImage};
use super::*;
use crate::docker::{Dockerfile, ImageUse};

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
}

fn d(s: &str) -> Option<NaiveDate> {
    Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
}

fn cycle(
    name: &str,
    codename: Option<&str>,
    release: &str,
    lts: Option<&str>,
    eol: Option<&str>,
) -> Cycle {
    Cycle {
        name: name.into(),
        codename: codename.map(Into::into),
        release: d(release),
        lts_from: lts.and_then(d),
        eol: eol.and_then(d),
        regular_until: None,
    }
}

/// The data drydock ships, as the rules see it.
pub fn shipped_facts() -> Facts {
    Facts::from(crate::policy::data::Catalog::embedded())
}

pub fn facts() -> Facts {
    let mut f = Facts {
        generated: d("2026-08-21"),
        source: "test facts".into(),
        ..Facts::default()
    };
    let products: [(&str, Vec<Cycle>); 7] = [
        (
            "ubuntu",
            vec![
                cycle(
                    "26.10",
                    Some("stonking"),
                    "2026-10-15",
                    None,
                    Some("2027-07-15"),
                ),
                cycle(
                    "26.04",
                    Some("resolute"),
                    "2026-04-23",
                    Some("2026-04-23"),
                    Some("2031-04-30"),
                ),
                cycle(
                    "25.10",
                    Some("questing"),
                    "2025-10-09",
                    None,
                    Some("2026-07-01"),
                ),
                cycle(
                    "24.04",
                    Some("noble"),
                    "2024-04-25",
                    Some("2024-04-25"),
                    Some("2029-05-31"),
                ),
                cycle(
                    "22.04",
                    Some("jammy"),
                    "2022-04-21",
                    Some("2022-04-21"),
                    Some("2027-04-01"),
                ),
                cycle(
                    "20.04",
                    Some("focal"),
                    "2020-04-23",
                    Some("2020-04-23"),
                    Some("2025-05-31"),
                ),
                cycle(
                    "18.04",
                    Some("bionic"),
                    "2018-04-26",
                    Some("2018-04-26"),
                    Some("2023-05-31"),
                ),
            ],
        ),
        (
            "debian",
            vec![
                cycle("13", Some("trixie"), "2025-08-09", None, Some("2028-08-09")),
                Cycle {
                    regular_until: d("2026-07-11"),
                    ..cycle(
                        "12",
                        Some("bookworm"),
                        "2023-06-10",
                        None,
                        Some("2028-06-30"),
                    )
                },
                Cycle {
                    regular_until: d("2024-08-14"),
                    ..cycle(
                        "11",
                        Some("bullseye"),
                        "2021-08-14",
                        None,
                        Some("2026-08-31"),
                    )
                },
                cycle("10", Some("buster"), "2019-07-06", None, Some("2022-09-10")),
            ],
        ),
        (
            "alpine-linux",
            vec![
                cycle("3.24", None, "2026-06-09", None, Some("2028-06-01")),
                cycle("3.23", None, "2025-12-04", None, Some("2027-11-01")),
                cycle("3.22", None, "2025-05-30", None, Some("2027-05-01")),
                cycle("3.21", None, "2024-12-05", None, Some("2026-11-01")),
                cycle("3.19", None, "2023-12-07", None, Some("2025-11-01")),
            ],
        ),
        (
            "nodejs",
            vec![
                cycle(
                    "26",
                    None,
                    "2026-05-05",
                    Some("2026-10-28"),
                    Some("2029-04-30"),
                ),
                cycle("25", None, "2025-10-15", None, Some("2026-06-01")),
                cycle(
                    "24",
                    Some("krypton"),
                    "2025-05-06",
                    Some("2025-10-28"),
                    Some("2028-04-30"),
                ),
                cycle(
                    "22",
                    Some("jod"),
                    "2024-04-24",
                    Some("2024-10-29"),
                    Some("2027-04-30"),
                ),
                cycle(
                    "20",
                    Some("iron"),
                    "2023-04-18",
                    Some("2023-10-24"),
                    Some("2026-04-30"),
                ),
            ],
        ),
        (
            "python",
            vec![
                cycle("3.14", None, "2025-10-07", None, Some("2030-10-31")),
                cycle("3.13", None, "2024-10-07", None, Some("2029-10-31")),
                cycle("3.12", None, "2023-10-02", None, Some("2028-10-31")),
                cycle("3.10", None, "2021-10-04", None, Some("2026-10-31")),
                cycle("3.8", None, "2019-10-14", None, Some("2024-10-07")),
            ],
        ),
        (
            "go",
            vec![
                cycle("1.27", None, "2026-08-19", None, None),
                cycle("1.26", None, "2026-02-10", None, None),
                cycle("1.25", None, "2025-08-12", None, Some("2026-08-19")),
            ],
        ),
        (
            "dotnet",
            vec![
                cycle(
                    "10.0",
                    None,
                    "2025-11-11",
                    Some("2025-11-11"),
                    Some("2028-11-14"),
                ),
                cycle("9.0", None, "2024-11-12", None, Some("2026-11-10")),
                cycle(
                    "8.0",
                    None,
                    "2023-11-14",
                    Some("2023-11-14"),
                    Some("2026-11-10"),
                ),
            ],
        ),
    ];
    for (p, cycles) in products {
        f.products.insert(p.into(), cycles);
    }
    let tags = |list: &[&str]| OfficialImage {
        tags: list.iter().map(|s| s.to_string()).collect(),
        removed: false,
    };
    f.official.insert(
        "alpine".into(),
        tags(&[
            "3.24.1", "3.24", "3", "latest", "3.23.4", "3.23", "3.22.3", "3.22", "edge",
        ]),
    );
    f.official.insert(
        "python".into(),
        tags(&[
            "3.14.2",
            "3.14",
            "3",
            "latest",
            "3.14-trixie",
            "3.14-slim",
            "3.14-slim-trixie",
            "3.14-alpine",
            "3.14-alpine3.24",
            "3.13",
            "3.13-slim",
            "3.13-alpine",
            "3.12",
            "3.12-slim",
            "3.12-alpine",
            "3.12-bookworm",
            "3.12-slim-bookworm",
        ]),
    );
    f.official.insert(
        "node".into(),
        tags(&[
            "26",
            "26-slim",
            "26-alpine",
            "26-trixie",
            "26-trixie-slim",
            "lts",
            "lts-slim",
            "lts-alpine",
            "24",
            "24-slim",
            "24-alpine",
            "22",
            "22-slim",
            "22-alpine",
            "krypton",
            "latest",
        ]),
    );
    f.official.insert(
        "ubuntu".into(),
        tags(&[
            "26.04",
            "resolute",
            "latest",
            "24.04",
            "noble",
            "22.04",
            "jammy",
            "jammy-20260810",
            "26.10",
            "stonking",
            "rolling",
            "devel",
        ]),
    );
    f.official.insert(
        "debian".into(),
        tags(&[
            "trixie",
            "trixie-slim",
            "13",
            "13-slim",
            "bookworm",
            "bookworm-slim",
            "12",
            "12-slim",
            "stable",
            "stable-slim",
        ]),
    );
    f.official.insert(
        "golang".into(),
        tags(&["1.27", "1.27-alpine", "1.27-trixie", "1.26", "1.26-alpine"]),
    );
    f.official.insert(
        "eclipse-temurin".into(),
        tags(&["21-jre", "21-jdk", "21-jre-noble", "21-jdk-jammy", "25-jre"]),
    );
    f.official
        .insert("busybox".into(), tags(&["1.37", "latest"]));
    f.official.insert(
        "nginx".into(),
        tags(&["1.29", "1.29-alpine", "stable", "stable-alpine"]),
    );
    f.official
        .insert("rust".into(), tags(&["1.91", "1.91-slim", "1.91-alpine"]));
    for (name, list) in [
        (
            "php",
            &[
                "8.4-fpm-alpine",
                "8.4-fpm",
                "8.4-apache",
                "8.4-cli",
                "8.4-cli-alpine",
                "8.3-fpm-alpine",
            ][..],
        ),
        ("composer", &["2", "2.8", "latest"][..]),
        (
            "ruby",
            &["3.4", "3.4-slim", "3.4-alpine", "3.3-slim", "3.3"][..],
        ),
        (
            "maven",
            &[
                "3.9-eclipse-temurin-21",
                "3.9-eclipse-temurin-25",
                "3-eclipse-temurin-21",
            ][..],
        ),
        ("gradle", &["8.14-jdk21", "9-jdk21", "jdk21"][..]),
        ("postgres", &["18", "18-alpine", "17", "17-alpine"][..]),
        ("redis", &["8.2", "8.2-alpine", "7.4", "7.4-alpine"][..]),
        ("elixir", &["1.18", "1.18-alpine", "1.18-slim"][..]),
        ("amazoncorretto", &["21", "21-alpine", "25"][..]),
    ] {
        f.official.insert(name.into(), tags(list));
    }
    f.official.insert(
        "centos".into(),
        OfficialImage {
            tags: vec![],
            removed: true,
        },
    );
    f
}

/// A reference, parsed by the real normaliser.
pub fn image(text: &str) -> ImageRef {
    ImageRef::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// A Dockerfile, parsed by the real parser without build args.
pub fn parse(text: &str) -> Dockerfile {
    Dockerfile::parse(text, &std::collections::BTreeMap::new())
        .unwrap_or_else(|e| panic!("{text}: {e}"))
}

pub fn uses(df: &Dockerfile) -> Vec<ImageUse> {
    df.external_images()
}

#[test]
fn default_categories_follow_the_policy() {
    let p = Policy::default();
    let f = facts();
    let cat = |s: &str| p.category(&image(s), &f);
    assert_eq!(cat("alpine:3.24"), Category::Preferred);
    assert_eq!(
        cat("gcr.io/distroless/static-debian13"),
        Category::Preferred
    );
    assert_eq!(cat("debian:trixie-slim"), Category::Allowed);
    assert_eq!(cat("ubuntu:24.04"), Category::Allowed);
    assert_eq!(cat("node:26"), Category::Restricted);
    assert_eq!(cat("golang:1.27"), Category::Restricted);
    assert_eq!(
        cat("mcr.microsoft.com/dotnet/sdk:10.0"),
        Category::Restricted
    );
    assert_eq!(cat("bitnami/node:26"), Category::Forbidden);
    assert_eq!(cat("ghcr.io/acme/base:1"), Category::Forbidden);
    assert_eq!(cat("library/unknownthing:1"), Category::Forbidden);
}

#[test]
fn production_globs() {
    let p = Policy::default();
    for prod in [
        "Dockerfile",
        "services/api/Dockerfile",
        "Dockerfile.prod",
        "api.Dockerfile",
    ] {
        assert!(p.is_production(prod), "{prod}");
    }
    for dev in [
        ".devcontainer/Dockerfile",
        "Dockerfile.dev",
        "docker/Dockerfile.test",
        "Dockerfile.ci",
        "a/.devcontainer/x/Dockerfile",
    ] {
        assert!(!p.is_production(dev), "{dev}");
    }
}

#[test]
fn fleet_toml_changes_the_policy() {
    let text = r#"
[policy]
preferred = ["docker.io/library/alpine", "gcr.io/distroless/*", "cgr.dev/chainguard/*"]
verified_publishers = ["docker.io/bitnami/*"]
non_production = ["**/Dockerfile.local"]
[policy.severity]
"base-image/outdated" = "off"
"base-image/not-slim" = "error"
[[policy.waiver]]
repo = "acme/*"
rule = "base-image/eol"
reason = "JIRA-1"
expires = 2027-01-01
"#;
    let fleet =
        crate::inventory::Fleet::parse(std::path::Path::new("/tmp/fleet.toml"), text).unwrap();
    let p = &fleet.policy;
    let f = facts();
    assert_eq!(
        p.category(&image("cgr.dev/chainguard/static:latest"), &f),
        Category::Preferred
    );
    assert_eq!(p.category(&image("bitnami/redis:7"), &f), Category::Allowed);
    assert!(p.is_production("Dockerfile.dev"));
    assert!(!p.is_production("x/Dockerfile.local"));
    assert_eq!(
        p.severity(rules::find("base-image/outdated").unwrap()),
        None
    );
    assert_eq!(
        p.severity(rules::find("base-image/not-slim").unwrap()),
        Some(Severity::Error)
    );
    assert_eq!(p.filter.waivers().len(), 1);
}

#[test]
fn severities_and_waivers_accept_every_catalogued_rule() {
    // docs/plan.md documents `drydock/*` ids; `[policy.severity]` used to reject them.
    let text = r#"
[policy.severity]
"drydock/shadowed-file" = "off"
"dependabot/not-repairable" = "error"
[[policy.waiver]]
rule = "drydock/unusable-file"
reason = "OPS-7"
expires = 2027-01-01
"#;
    let fleet = crate::inventory::Fleet::parse(std::path::Path::new("/tmp/fleet.toml"), text)
        .expect("catalogued rules are accepted");
    let policy = &fleet.policy;
    assert_eq!(policy.severity(&crate::plan::SHADOWED_FILE), None);
    let e = crate::inventory::Fleet::parse(
        std::path::Path::new("/tmp/fleet.toml"),
        "[policy.severity]\n\"drydock/shadowed-files\" = \"off\"\n",
    )
    .unwrap_err();
    assert!(e.help.unwrap().contains("\"drydock/shadowed-file\""));
}

#[test]
fn bad_policy_sections_are_located_errors() {
    let parse = |t: &str| {
        crate::inventory::Fleet::parse(std::path::Path::new("/tmp/fleet.toml"), t).unwrap_err()
    };
    let e = parse("[policy.severity]\n\"base-image/outdate\" = \"off\"\n");
    assert_eq!(e.line, 2);
    assert!(e.help.unwrap().contains("base-image/outdated"));
    let e = parse("[policy]\nallowed = [\"alpine@sha256:00\"]\n");
    assert_eq!(e.line, 2);
    let e = parse("[policy.severity]\n\"base-image/outdated\" = \"loud\"\n");
    assert!(e.message.contains("loud"));
    let e =
        parse("[[policy.waiver]]\nrule = \"base-image/eol\"\nreason = \"x\"\nexpires = \"soon\"\n");
    assert_eq!(e.line, 4, "{e}");
    let e = parse("[policy]\nprefered = []\n");
    assert!(e.help.unwrap().contains("preferred"));
}

/// The fixture set: `tests/fixtures/dockerfiles/NN-name.Dockerfile` with `NN-name.expected`
/// listing `rule line` per finding, then ` -> fix` when the finding has a suggestion (`path P`
/// sets the path it is checked under; default `Dockerfile`; `context NAME` declares a named
/// build context). Checked against the shipped data. `DRYDOCK_BLESS=1` rewrites the expected
/// files (review the diff!).
#[test]
fn fixture_dockerfiles_have_exactly_the_expected_findings() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dockerfiles");
    let bless = std::env::var_os("DRYDOCK_BLESS").is_some();
    let policy = Policy::default();
    let facts = shipped_facts();
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "Dockerfile"))
        .collect();
    names.sort();
    assert!(names.len() >= 60, "only {} fixtures", names.len());
    let mut failures = Vec::new();
    for file in names {
        let text = std::fs::read_to_string(&file).unwrap();
        let expected_file = file.with_extension("expected");
        let expected_text = std::fs::read_to_string(&expected_file).unwrap_or_default();
        let path = expected_text
            .lines()
            .find_map(|l| l.strip_prefix("path "))
            .unwrap_or("Dockerfile")
            .to_string();
        let contexts: Vec<String> = expected_text
            .lines()
            .filter_map(|l| l.strip_prefix("context "))
            .map(str::to_string)
            .collect();
        let (findings, _) = check_dockerfile_in(
            &path,
            &text,
            &BTreeMap::new(),
            &contexts,
            &policy,
            &facts,
            today(),
        );
        let line_of = |f: &Finding| match &f.suggestion {
            Some(s) => format!("{} {} -> {}", f.rule, f.line.unwrap_or(0), s.to),
            None => format!("{} {}", f.rule, f.line.unwrap_or(0)),
        };
        let mut got: Vec<String> = findings.iter().map(line_of).collect();
        got.sort();
        let mut want: Vec<String> = expected_text
            .lines()
            .filter(|l| {
                !l.starts_with("path ")
                    && !l.starts_with("context ")
                    && !l.starts_with('#')
                    && !l.trim().is_empty()
            })
            .map(|l| l.trim().to_string())
            .collect();
        want.sort();
        if bless {
            let mut out = String::new();
            for l in expected_text.lines().filter(|l| l.starts_with('#')) {
                out.push_str(&format!("{l}\n"));
            }
            if path != "Dockerfile" {
                out.push_str(&format!("path {path}\n"));
            }
            for c in &contexts {
                out.push_str(&format!("context {c}\n"));
            }
            for f in &findings {
                out.push_str(&format!("{}\n", line_of(f)));
            }
            std::fs::write(&expected_file, out).unwrap();
        } else if got != want {
            let detail: Vec<String> = findings
                .iter()
                .map(|f| format!("  {} {}: {}", f.rule, f.line.unwrap_or(0), f.message))
                .collect();
            failures.push(format!(
                "{}:\n want {want:?}\n got  {got:?}\n{}",
                file.display(),
                detail.join("\n")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every suggestion of every fixture, written into the Dockerfile in place of the reference it
/// replaces, passes: no image rule fires on that line any more.
#[test]
fn every_fixture_suggestion_passes_the_policy() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dockerfiles");
    let policy = Policy::default();
    let facts = shipped_facts();
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "Dockerfile"))
        .collect();
    names.sort();
    for file in names {
        let text = std::fs::read_to_string(&file).unwrap();
        let expected = std::fs::read_to_string(file.with_extension("expected")).unwrap_or_default();
        let path = expected
            .lines()
            .find_map(|l| l.strip_prefix("path "))
            .unwrap_or("Dockerfile")
            .to_string();
        let (findings, _) =
            check_dockerfile(&path, &text, &BTreeMap::new(), &policy, &facts, today());
        let mut seen = std::collections::BTreeSet::new();
        for f in &findings {
            let (Some(s), Some(line)) = (&f.suggestion, f.line) else {
                continue;
            };
            if !seen.insert((line, s.to.clone())) {
                continue;
            }
            // On its line; a reference built from ARGs is written in the ARG's default.
            let on_line = text
                .lines()
                .nth(line - 1)
                .is_some_and(|l| l.contains(&s.from));
            let fixed = if on_line {
                let lines: Vec<String> = text
                    .lines()
                    .enumerate()
                    .map(|(i, l)| {
                        if i + 1 == line {
                            l.replacen(&s.from, &s.to, 1)
                        } else {
                            l.to_string()
                        }
                    })
                    .collect();
                lines.join("\n") + "\n"
            } else {
                let (_, tag_from) = s.from.rsplit_once(':').unwrap_or(("", &s.from));
                let (_, tag_to) = s.to.rsplit_once(':').unwrap_or(("", &s.to));
                text.replacen(&s.from, &s.to, 1).replacen(
                    &format!("={tag_from}"),
                    &format!("={tag_to}"),
                    1,
                )
            };
            if fixed == text {
                // Built from an ARG that holds only part of the tag: not written back here.
                continue;
            }
            let (after, _) =
                check_dockerfile(&path, &fixed, &BTreeMap::new(), &policy, &facts, today());
            let left: Vec<String> = after
                .iter()
                .filter(|a| {
                    a.line == Some(line) && rules::IMAGE_RULES.contains(&a.rule.as_str())
                        || a.line == Some(line) && a.rule == "base-image/not-slim"
                })
                .map(|a| format!("{}: {}", a.rule, a.message))
                .collect();
            checked += 1;
            if !left.is_empty() {
                failures.push(format!(
                    "{}:{line}: {} -> {} still has {left:?}",
                    file.display(),
                    s.from,
                    s.to
                ));
            }
        }
    }
    assert!(checked >= 30, "only {checked} suggestions");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

mod robustness {
    use super::*;
    use proptest::prelude::*;

    static FIXTURES: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(fixture_texts);
    static FACTS: std::sync::LazyLock<Facts> = std::sync::LazyLock::new(facts);

    fn fixture_texts() -> Vec<String> {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dockerfiles");
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "Dockerfile"))
            .map(|e| std::fs::read_to_string(e.path()).unwrap())
            .collect();
        v.sort();
        v
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Arbitrary text never panics the parser or the rules.
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
            let _ = check_dockerfile("Dockerfile", &text, &BTreeMap::new(), &Policy::default(), &FACTS, today());
        }

        /// Fixtures with a cut, a duplicated span or an inserted character never panic.
        #[test]
        fn mutated_fixtures_never_panic(pick in 0usize..1000, at in 0usize..2000, len in 0usize..40, c in any::<char>()) {
            let text = &FIXTURES[pick % FIXTURES.len()];
            let at = text.floor_char_boundary(at.min(text.len()));
            let end = text.floor_char_boundary((at + len).min(text.len()));
            for mutated in [
                format!("{}{}", &text[..at], &text[end..]),
                format!("{}{}{}", &text[..end], &text[at..end], &text[end..]),
                format!("{}{c}{}", &text[..at], &text[at..]),
            ] {
                let _ = check_dockerfile("Dockerfile", &mutated, &BTreeMap::new(), &Policy::default(), &FACTS, today());
            }
        }
    }
}
