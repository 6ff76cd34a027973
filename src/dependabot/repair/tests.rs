use super::*;
use crate::dependabot::validate::rules::{INVALID_YAML, YAML_ALIAS};
use crate::detect::{Ecosystem, EcosystemDir, FoundFile};

fn scan() -> RepoScan {
    RepoScan {
        ecosystems: vec![
            EcosystemDir {
                ecosystem: Ecosystem::Docker,
                directory: "/".into(),
            },
            EcosystemDir {
                ecosystem: Ecosystem::GithubActions,
                directory: "/".into(),
            },
            EcosystemDir {
                ecosystem: Ecosystem::Npm,
                directory: "/web".into(),
            },
        ],
        dockerfiles: vec![FoundFile {
            path: "Dockerfile".into(),
        }],
        compose_files: vec![],
    }
}

fn run(text: &str) -> Repaired {
    let (scan, settings, renderer) = (scan(), Settings::default(), Renderer::builtin());
    repair(
        text,
        ".github/dependabot.yml",
        Inputs {
            scan: &scan,
            settings: &settings,
            renderer: &renderer,
        },
    )
}

const STALE: &str = "# Dependabot config, owned by the platform team
version: 2
updates:
  # containers
  - package-ecosystem: docker
    directory: \"/\"
    schedule:
      interval: monthly   # too slow?
    reviewers:
      - octocat
      - acme/platform
  - package-ecosystem: 'github-actions'
    directory: /
    schedule: {interval: weekly}
# end of file
";

#[test]
fn stale_file_gets_minimal_edits() {
    let r = run(STALE);
    assert_eq!(
        r.text,
        "# Dependabot config, owned by the platform team
version: 2
updates:
  # containers
  - package-ecosystem: docker
    directory: \"/\"
    schedule:
      interval: weekly   # too slow?
    labels:
      - \"dependencies\"
      - \"docker\"
      - \"security\"
  - package-ecosystem: 'github-actions'
    directory: /
    schedule: {interval: weekly}
  - package-ecosystem: \"npm\"
    directory: \"/web\"
    schedule:
      interval: \"weekly\"
# end of file
"
    );
    assert_eq!(r.reviewers, ["octocat", "acme/platform"]);
    assert_eq!(r.changes.len(), 4, "{:#?}", r.changes);
    assert_eq!(run(&r.text).text, r.text, "idempotent");
    assert!(run(&r.text).changes.is_empty());
}

#[test]
fn crlf_and_bom_are_kept() {
    let text = format!("\u{feff}{}", STALE.replace('\n', "\r\n"));
    let r = run(&text);
    assert!(r.text.starts_with('\u{feff}'));
    assert!(!r.text.replace("\r\n", "").contains('\n'));
    assert_eq!(
        r.text,
        format!("\u{feff}{}", run(STALE).text.replace('\n', "\r\n"))
    );
}

#[test]
fn invalid_yaml_is_a_located_finding_and_untouched() {
    let text = "version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: \"/\n";
    let r = run(text);
    assert_eq!(r.text, text);
    assert_eq!(r.findings[0].rule, INVALID_YAML.id);
    assert!(r.findings[0].line.is_some());
}

#[test]
fn aliases_are_a_finding_and_untouched() {
    let text = "version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    schedule: &s\n      interval: weekly\n  - package-ecosystem: docker\n    directory: /\n    schedule: *s\n";
    let r = run(text);
    assert_eq!(r.text, text);
    assert_eq!(r.findings[0].rule, YAML_ALIAS.id);
    assert_eq!(r.findings[0].line, Some(5));
}

/// "Runs at least weekly" is one reading: a docker entry on a cron that fires every three
/// days passes `check` and is left alone by `plan`.
#[test]
fn every_third_day_cron_is_weekly_for_check_and_plan_alike() {
    let text = "version: 2\nupdates:\n  - package-ecosystem: docker\n    directory: /\n    schedule: {interval: cron, cronjob: \"0 6 */3 * *\"}\n    labels: [dependencies, docker, security]\n  - package-ecosystem: github-actions\n    directory: /\n    schedule: {interval: weekly}\n  - package-ecosystem: npm\n    directory: /web\n    schedule: {interval: weekly}\n";
    assert_eq!(
        crate::dependabot::validate::validate(text, ".github/dependabot.yml", Some(&scan())),
        vec![]
    );
    let r = run(text);
    assert_eq!(r.findings, vec![]);
    assert_eq!(r.text, text);
}

#[test]
fn flow_labels_grow_in_place() {
    let text = "version: 2\nupdates:\n  - {package-ecosystem: docker, directory: /, schedule: {interval: daily}, labels: [ci]}\n  - package-ecosystem: github-actions\n    directories: [\"/\"]\n    schedule:\n      interval: daily\n  - package-ecosystem: npm\n    directory: /web\n    schedule:\n      interval: daily\n";
    let r = run(text);
    assert_eq!(
        r.text.lines().nth(2).unwrap(),
        "  - {package-ecosystem: docker, directory: /, schedule: {interval: daily}, labels: [ci, \"dependencies\", \"docker\", \"security\"]}"
    );
    assert_eq!(run(&r.text).text, r.text);
}
