use super::*;
use crate::finding::Severity;

fn rules_of(text: &str) -> Vec<(String, usize)> {
    validate(text, ".github/dependabot.yml", None)
        .into_iter()
        .map(|f| (f.rule, f.line.unwrap_or(0)))
        .collect()
}

fn ids(text: &str) -> Vec<String> {
    rules_of(text).into_iter().map(|(r, _)| r).collect()
}

const GOOD: &str = "version: 2
updates:
  - package-ecosystem: npm
    directory: /
    schedule:
      interval: weekly
      day: monday
      time: \"06:00\"
      timezone: Europe/Berlin
    labels: [dependencies]
";

#[test]
fn a_good_file_has_no_findings() {
    assert_eq!(rules_of(GOOD), vec![]);
}

#[test]
fn rule_ids_are_unique_and_prefixed() {
    let mut seen = std::collections::BTreeSet::new();
    for rule in RULES {
        assert!(rule.id.starts_with("dependabot/"), "{}", rule.id);
        assert!(seen.insert(rule.id), "duplicate {}", rule.id);
        assert!(!rule.summary.is_empty() && !rule.help.is_empty());
    }
    assert_eq!(RULES[0].id, "dependabot/invalid-yaml");
}

#[test]
fn invalid_yaml_is_the_only_finding() {
    let found = validate(
        "version: 2\nupdates:\n\t- package-ecosystem: npm\n",
        "x.yml",
        None,
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule, "dependabot/invalid-yaml");
    assert_eq!(found[0].line, Some(3));
    assert!(found[0].column.is_some());
}

#[test]
fn version_is_required_and_must_be_2() {
    assert_eq!(
        rules_of("updates: []\n"),
        vec![("dependabot/version".into(), 1)]
    );
    assert_eq!(
        rules_of("version: \"2\"\nupdates: []\n"),
        vec![("dependabot/version".into(), 1)]
    );
    assert_eq!(
        rules_of("version: 1\nupdates: []\n"),
        vec![("dependabot/version".into(), 1)]
    );
}

#[test]
fn unknown_keys_get_did_you_mean() {
    let text = GOOD.replace(
        "    labels:",
        "    commit_message: {prefix: deps}\n    labels:",
    );
    let found = validate(&text, "x", None);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].rule, "dependabot/unknown-key");
    assert_eq!(found[0].line, Some(10));
    assert_eq!(
        found[0].fix.as_deref(),
        Some("did you mean `commit-message`?")
    );
}

#[test]
fn cooldown_days_and_update_level_default_days() {
    let text = GOOD.replace(
        "    labels:",
        "    default-days: 3\n    cooldown:\n      days: 2\n    labels:",
    );
    let found = validate(&text, "x", None);
    let fixes: Vec<_> = found
        .iter()
        .map(|f| (f.rule.as_str(), f.line, f.fix.clone().unwrap()))
        .collect();
    assert_eq!(fixes.len(), 2, "{fixes:?}");
    assert!(fixes[0].2.contains("under `cooldown:`"));
    assert_eq!(fixes[1].2, "did you mean `default-days`?");
}

#[test]
fn yes_where_a_boolean_belongs_is_a_warning_and_where_a_string_belongs_an_error() {
    let text = GOOD
        .replace("    labels: [dependencies]", "    vendor: yes")
        .replace("npm", "bundler");
    assert_eq!(ids(&text), vec!["dependabot/ambiguous-boolean"]);
    let text = GOOD.replace("[dependencies]", "[dependencies, on]");
    assert_eq!(rules_of(&text), vec![("dependabot/yaml11-type".into(), 10)]);
}

#[test]
fn unquoted_times_are_integers_to_github() {
    let text = GOOD.replace("\"06:00\"", "06:00");
    let found = validate(&text, "x", None);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].rule.as_str(), found[0].line),
        ("dependabot/yaml11-type", Some(8))
    );
    assert_eq!(found[0].fix.as_deref(), Some("Quote it: \"06:00\"."));
    for (scalar, reads_as) in [
        ("09:00", Some("an integer")),
        ("1:30:15", Some("an integer")),
        ("190:20:30.15", Some("a number")),
        ("2024-01-31", Some("a date")),
        ("1,000", Some("an integer")),
        ("On", Some("a boolean")),
        ("6:60", None),
        ("v1:2", None),
        ("12:3x", None),
        ("dependencies", None),
    ] {
        assert_eq!(yaml::yaml11_reading(scalar), reads_as, "{scalar}");
    }
}

#[test]
fn tabs_in_indentation_are_errors_but_not_inside_scalars() {
    let text = "version: 2\nupdates:\n\t# a tab before a comment\n  - package-ecosystem: npm\t# after a value is fine\n    directory: /\n    schedule: {interval: weekly}\n    commit-message:\n      prefix: \"a\n\tb\"\n";
    assert_eq!(
        rules_of(text),
        vec![("dependabot/tab-whitespace".into(), 3)]
    );
}

#[test]
fn aliases_are_reported_and_expanded() {
    let text = "version: 2
updates:
  - package-ecosystem: npm
    directory: /
    schedule: &weekly
      interval: weekly
  - package-ecosystem: pip
    directory: /
    schedule: *weekly
";
    assert_eq!(
        rules_of(text),
        vec![
            ("dependabot/yaml-alias".into(), 5),
            ("dependabot/yaml-alias".into(), 9)
        ]
    );
}

#[test]
fn overlap_and_duplicates_respect_target_branch() {
    let text = "version: 2
updates:
  - package-ecosystem: npm
    directory: /apps/web
    schedule: {interval: weekly}
  - package-ecosystem: npm
    directories: [\"/apps/*\"]
    schedule: {interval: weekly}
  - package-ecosystem: npm
    directories: [\"/apps/*\"]
    target-branch: develop
    schedule: {interval: weekly}
  - package-ecosystem: npm
    directory: /apps/web/
    schedule: {interval: daily}
";
    assert_eq!(
        rules_of(text),
        vec![
            ("dependabot/overlapping-directories".into(), 7),
            ("dependabot/duplicate-update".into(), 13),
            ("dependabot/overlapping-directories".into(), 14),
        ]
    );
}

#[test]
fn github_actions_root_overlaps_workflows_dir() {
    let text = "version: 2
updates:
  - package-ecosystem: github-actions
    directory: /
    schedule: {interval: weekly}
  - package-ecosystem: github-actions
    directory: /.github/workflows
    schedule: {interval: weekly}
";
    assert_eq!(
        rules_of(text),
        vec![("dependabot/overlapping-directories".into(), 7)]
    );
}

fn scan(ecosystems: &[(crate::detect::Ecosystem, &str)], dockerfiles: &[&str]) -> RepoScan {
    RepoScan {
        ecosystems: ecosystems
            .iter()
            .map(|(e, d)| crate::detect::EcosystemDir {
                ecosystem: *e,
                directory: d.to_string(),
            })
            .collect(),
        dockerfiles: dockerfiles
            .iter()
            .map(|p| crate::detect::FoundFile {
                path: p.to_string(),
            })
            .collect(),
        compose_files: Vec::new(),
    }
}

#[test]
fn docker_coverage_says_what_is_missing() {
    use crate::detect::Ecosystem;
    let text = "version: 2
updates:
  - package-ecosystem: docker
    directories: [\"/services/*\"]
    schedule:
      interval: monthly
    labels: [dependencies, docker]
";
    let s = scan(
        &[
            (Ecosystem::Docker, "/services/api"),
            (Ecosystem::Docker, "/"),
            (Ecosystem::Cargo, "/"),
        ],
        &["services/api/Dockerfile", "Dockerfile"],
    );
    let found = validate(text, "x", Some(&s));
    let got: Vec<_> = found
        .iter()
        .map(|f| (f.rule.as_str(), f.line.unwrap(), f.message.as_str()))
        .collect();
    assert_eq!(got.len(), 4, "{got:#?}");
    assert_eq!((got[0].0, got[0].1), ("dependabot/docker-coverage", 2));
    assert!(got[0].2.contains("`/`"));
    assert_eq!((got[1].0, got[1].1), ("dependabot/missing-ecosystem", 2));
    assert!(got[1].2.contains("cargo"));
    assert_eq!((got[2].0, got[2].1), ("dependabot/docker-coverage", 6));
    assert_eq!((got[3].0, got[3].1), ("dependabot/docker-coverage", 7));
    assert!(got[3].2.contains("`security`"));
    // Without a scan, the policy rules are skipped.
    assert_eq!(ids(text), Vec::<String>::new());
}

/// A fleet whose updates all go to another branch (for example `develop`) still monitors its
/// base images, so such an entry covers the directory; its schedule and labels are still checked.
#[test]
fn docker_entry_with_a_target_branch_covers_the_directory() {
    use crate::detect::Ecosystem;
    let s = scan(&[(Ecosystem::Docker, "/")], &["Dockerfile"]);
    let covered = "version: 2
updates:
  - package-ecosystem: docker
    directory: /
    target-branch: develop
    schedule:
      interval: weekly
    labels: [dependencies, docker, security]
";
    assert_eq!(validate(covered, "x", Some(&s)), Vec::new());
    let unlabelled = covered.replace("    labels: [dependencies, docker, security]\n", "");
    let rules: Vec<_> = validate(&unlabelled, "x", Some(&s))
        .into_iter()
        .map(|f| f.rule)
        .collect();
    assert_eq!(rules, ["dependabot/docker-coverage"]);
}

#[test]
fn weekly_cron_counts_as_weekly() {
    use crate::detect::Ecosystem;
    let text = "version: 2
updates:
  - package-ecosystem: docker
    directory: /
    schedule:
      interval: cron
      cronjob: \"0 6 * * 1\"
    labels: [dependencies, docker, security]
";
    let s = scan(&[(Ecosystem::Docker, "/")], &["Dockerfile"]);
    assert_eq!(validate(text, "x", Some(&s)), vec![]);
    let monthly = text.replace("0 6 * * 1", "0 6 1 * *");
    assert_eq!(validate(&monthly, "x", Some(&s)).len(), 1);
}

#[test]
fn branch_templates() {
    use super::rules::template_problem;
    assert_eq!(
        template_problem("{prefix}/{package_manager}/{dependency}-{version}", false),
        None
    );
    assert!(template_problem("{prefix}/{package_manager}", true).is_some());
    assert!(
        template_problem("{prefix}/{dep}", false)
            .unwrap()
            .contains("unknown placeholder")
    );
    assert!(template_problem("a}b", false).is_some());
    assert!(
        template_problem("deps/{dependency} x", false)
            .unwrap()
            .contains("git branch")
    );
    assert!(template_problem("deps..{dependency}", false).is_some());
}

/// How a scalar reads, in the validator's tree and in serde-saphyr with `strict_booleans`.
fn both_typings(scalar: &str) -> (String, String) {
    let text = format!("k: {scalar}\n");
    let ours = match yaml::parse(&text).map(|p| p.root.get("k").map(|n| n.value.clone())) {
        Ok(Some(yaml::Value::Null)) => "null".to_string(),
        Ok(Some(yaml::Value::Bool(b))) => format!("bool {b}"),
        Ok(Some(yaml::Value::Int(i))) => format!("number {}", i as f64),
        Ok(Some(yaml::Value::Float(f))) => format!("number {f}"),
        Ok(Some(yaml::Value::Str { text, .. })) => format!("string {text}"),
        other => format!("{other:?}"),
    };
    let options = serde_saphyr::options! { strict_booleans: true };
    let theirs = match serde_saphyr::from_str_with_options::<serde_json::Value>(&text, options) {
        Ok(v) => match &v["k"] {
            serde_json::Value::Null => "null".to_string(),
            serde_json::Value::Bool(b) => format!("bool {b}"),
            serde_json::Value::Number(n) => format!("number {}", n.as_f64().unwrap()),
            serde_json::Value::String(s) => format!("string {s}"),
            other => format!("{other:?}"),
        },
        Err(e) => format!("error {e}"),
    };
    (ours, theirs)
}

/// (`.inf` and `.nan` are left out: serde-saphyr rejects them by policy, the validator reads them
/// as numbers; neither is a valid value anywhere in dependabot.yml.)
#[test]
fn scalars_are_typed_like_serde_saphyr_with_strict_booleans() {
    let scalars = [
        "2",
        "\"2\"",
        "'2'",
        "-7",
        "+3",
        "0x1F",
        "0o17",
        "1.5",
        ".5",
        "1e3",
        "2.0",
        "true",
        "True",
        "FALSE",
        "yes",
        "no",
        "on",
        "off",
        "y",
        "~",
        "null",
        "",
        "06:00",
        "6:00",
        "0900",
        "\"06:00\"",
        "weekly",
        "1_000",
        "!!str 2",
        "v1.2",
        "'* * * * *'",
        "'*'",
        "\"\"",
        "1_",
        "_1",
        "0b101",
        "1__0",
    ];
    let mut differences = Vec::new();
    for scalar in scalars {
        let (ours, theirs) = both_typings(scalar);
        if ours != theirs {
            differences.push(format!("{scalar:?}: ours {ours}, serde-saphyr {theirs}"));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

proptest::proptest! {
    #[test]
    fn any_plain_scalar_is_typed_like_serde_saphyr(scalar in "[-+0-9a-fA-FxoOeE._:~]{1,8}|[a-zA-Z]{1,6}") {
        let (ours, theirs) = both_typings(&scalar);
        // serde-saphyr rejects non-finite floats by policy; both failing to parse is agreement.
        if !theirs.starts_with("error") {
            proptest::prop_assert_eq!(ours, theirs, "scalar {:?}", scalar);
        }
    }
}

#[test]
fn an_entry_at_the_workflows_directory_covers_github_actions_at_the_root() {
    use crate::detect::Ecosystem;
    let text = "version: 2
updates:
  - package-ecosystem: github-actions
    directory: /.github/workflows
    schedule: {interval: weekly}
";
    let s = scan(
        &[
            (Ecosystem::GithubActions, "/"),
            (Ecosystem::GithubActions, "/.github/actions/setup"),
        ],
        &[],
    );
    let found = validate(text, "x", Some(&s));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].rule, "dependabot/missing-ecosystem");
    assert!(found[0].message.contains("/.github/actions/setup"));
}

#[test]
fn a_reserved_indicator_is_invalid_yaml() {
    // elastic/apm-agent-nodejs#2966: GitHub said "found character that cannot start any token".
    let text = GOOD.replace(
        "    labels: [dependencies]",
        "    ignore:\n      - dependency-name: @babel/core",
    );
    assert_eq!(
        rules_of(&text),
        vec![("dependabot/invalid-yaml".into(), 11)]
    );
}

/// Checked against libyaml (PyYAML's CSafeLoader): it rejects a tab after `-` and accepts one
/// after `:` or inside flow style.
#[test]
fn tabs_after_block_indicators_are_errors_but_not_in_flow_style() {
    let text = "version: 2\nupdates:\n  - package-ecosystem:\tnpm\n    directory: /\n    schedule: {interval:\tweekly}\n    labels:\n      -\tdependencies\n      - \"a\tb\" \t# fine\n";
    let found = validate(text, "x", None);
    let got: Vec<_> = found
        .iter()
        .map(|f| (f.rule.as_str(), f.line.unwrap(), f.column.unwrap()))
        .collect();
    assert_eq!(got, vec![("dependabot/tab-whitespace", 7, 8)]);
}

#[test]
fn enumerations_suggest_the_closest_value() {
    let fix_of = |text: &str| {
        validate(text, "x", None)
            .into_iter()
            .map(|f| f.fix.unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        fix_of(&GOOD.replace("interval: weekly", "interval: weekley")),
        vec!["did you mean `weekly`?"]
    );
    assert_eq!(
        fix_of(&GOOD.replace("day: monday", "day: Monday")),
        vec!["did you mean `monday`?"]
    );
}

#[test]
fn empty_directories_and_patterns_are_invalid() {
    let text = GOOD.replace("directory: /", "directories: []");
    assert_eq!(
        rules_of(&text),
        vec![("dependabot/invalid-value".into(), 4)]
    );
}

#[test]
fn reviewers_name_who_moves_to_codeowners() {
    let text = GOOD.replace(
        "    labels:",
        "    reviewers: [octocat, acme/web]\n    labels:",
    );
    let found = validate(&text, "x", None);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].rule, "dependabot/removed-key");
    assert_eq!(found[0].severity, Severity::Error);
    assert!(
        found[0]
            .fix
            .as_deref()
            .unwrap()
            .contains("octocat, acme/web to .github/CODEOWNERS"),
        "{:?}",
        found[0].fix
    );
}
