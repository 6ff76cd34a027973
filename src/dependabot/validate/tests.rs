use super::*;

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
        assert!(!rule.doc.is_empty() && !rule.fix.is_empty());
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
fn yes_is_a_string_under_yaml_1_2() {
    let text = GOOD
        .replace("    labels: [dependencies]", "    vendor: yes")
        .replace("npm", "bundler");
    assert_eq!(
        ids(&text),
        vec!["dependabot/ambiguous-boolean", "dependabot/invalid-value"]
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
fn the_rules_document_lists_every_rule() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/dependabot-rules.md");
    let written = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        written == rules_markdown(),
        "docs/dependabot-rules.md is out of date; write this into it:\n{}",
        rules_markdown()
    );
}

#[test]
fn branch_templates() {
    use super::checks::template_problem;
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
