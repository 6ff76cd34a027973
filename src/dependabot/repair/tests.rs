use super::*;
use crate::dependabot::settings::AddMissing;
use crate::dependabot::validate::rules::{INVALID_YAML, YAML_ALIAS};
use crate::detect::{Ecosystem, EcosystemDir, FoundFile};

/// A repository with a Dockerfile and a workflow at `/` and an npm project in `/web` (also the
/// generator's tests in `managed.rs` use it).
pub(crate) fn scan() -> RepoScan {
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

/// Repairs with `add-missing = "all"`, the behaviour these tests were written for.
fn run(text: &str) -> Repaired {
    let settings = Settings {
        add_missing: Some(crate::dependabot::settings::AddMissing::All),
        ..Settings::default()
    };
    let (scan, renderer) = (scan(), Renderer::builtin());
    repair(
        text,
        ".github/dependabot.yml",
        Inputs {
            scan: &scan,
            settings: &settings,
            renderer: &renderer,
            monitor_workflow: None,
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

/// kind-like: the maintainers configure github-actions only, with their own labels, day, time
/// and pull-request limit. The policy adds docker coverage in their style and nothing else.
const ACTIONS_ONLY: &str = "version: 2
updates:
  - package-ecosystem: github-actions
    directory: /
    schedule:
      interval: weekly
      day: tuesday
      time: \"09:00\"
    open-pull-requests-limit: 3
    labels:
      - area/dependency
      - ok-to-test
";

fn run_with(
    text: &str,
    add_missing: Option<AddMissing>,
    monitor_workflow: Option<&str>,
) -> Repaired {
    let mut scan = scan();
    scan.ecosystems.push(EcosystemDir {
        ecosystem: Ecosystem::Gomod,
        directory: "/".into(),
    });
    let settings = Settings {
        add_missing,
        ..Settings::default()
    };
    let renderer = Renderer::builtin();
    repair(
        text,
        ".github/dependabot.yml",
        Inputs {
            scan: &scan,
            settings: &settings,
            renderer: &renderer,
            monitor_workflow,
        },
    )
}

#[test]
fn policy_repair_adds_only_docker_coverage_in_the_files_style() {
    let r = run_with(ACTIONS_ONLY, None, None);
    assert_eq!(
        r.text,
        format!(
            "{ACTIONS_ONLY}  - package-ecosystem: \"docker\"
    directory: \"/\"
    schedule:
      interval: \"weekly\"
      day: \"tuesday\"
      time: \"09:00\"
    labels:
      - \"dependencies\"
      - \"docker\"
      - \"security\"
      - \"area/dependency\"
      - \"ok-to-test\"
    open-pull-requests-limit: 3
"
        )
    );
    assert_eq!(r.changes.len(), 1, "{:#?}", r.changes);
    assert!(
        r.changes[0].reason.starts_with("required by the policy"),
        "{:?}",
        r.changes[0]
    );
    // npm and gomod are the repository's choice: the validation reports them, in one finding.
    let findings = crate::dependabot::validate::validate(
        &r.text,
        ".github/dependabot.yml",
        Some(&{
            let mut s = scan();
            s.ecosystems.push(EcosystemDir {
                ecosystem: Ecosystem::Gomod,
                directory: "/".into(),
            });
            s
        }),
    );
    let missing: Vec<_> = findings
        .iter()
        .filter(|f| f.rule == "dependabot/missing-ecosystem")
        .collect();
    assert_eq!(missing.len(), 1, "{findings:#?}");
    assert!(
        missing[0].message.contains("`gomod` at `/`"),
        "{}",
        missing[0].message
    );
    assert!(
        missing[0].message.contains("`npm` at `/web`"),
        "{}",
        missing[0].message
    );
}

#[test]
fn add_missing_all_adds_every_ecosystem_and_says_why() {
    let r = run_with(ACTIONS_ONLY, Some(AddMissing::All), None);
    let added: Vec<&str> = r.changes.iter().map(|c| c.change.as_str()).collect();
    assert_eq!(
        added,
        [
            "added a docker entry for /",
            "added a gomod entry for /",
            "added a npm entry for /web"
        ]
    );
    assert!(
        r.changes[1].reason.contains("add-missing = \"all\""),
        "{:?}",
        r.changes[1]
    );
    assert!(r.changes[0].reason.starts_with("required by the policy"));
}

#[test]
fn the_monitor_workflow_makes_github_actions_required() {
    let text = "version: 2
updates:
  - package-ecosystem: docker
    directory: /
    schedule:
      interval: weekly
    labels: [dependencies, docker, security]
";
    let r = run_with(text, None, Some(".github/workflows/drydock-monitor.yml"));
    assert_eq!(r.changes.len(), 1, "{:#?}", r.changes);
    assert_eq!(r.changes[0].change, "added a github-actions entry for /");
    assert!(
        r.changes[0].reason.contains("monitor workflow"),
        "{:?}",
        r.changes[0]
    );
    // Without the workflow, github-actions is the repository's choice.
    assert!(run_with(text, None, None).changes.is_empty());
}

/// A maintainer's file where every entry groups all its updates into one pull request: the
/// docker entry the policy adds groups the same way, under the same group name.
const GROUPED: &str = "# Dependabot: one pull request per ecosystem and week.
version: 2
updates:
  # Workflows and composite actions
  - package-ecosystem: github-actions
    directory: /
    schedule:
      interval: weekly
      day: monday
    labels:
      - dependencies
    groups:
      all:   # everything in one PR
        patterns:
          - \"*\"

  # Go modules (tools/ has its own go.mod, pinned on purpose)
  - package-ecosystem: gomod
    directory: /
    schedule:
      interval: weekly
      day: monday
    labels: [dependencies, go]
    groups:
      all:
        patterns: [\"*\"]
";

#[test]
fn an_added_entry_takes_the_group_style_every_entry_shares() {
    let r = run_with(GROUPED, None, None);
    assert_eq!(r.findings, vec![]);
    assert_eq!(
        r.text,
        format!(
            "{GROUPED}  - package-ecosystem: \"docker\"
    directory: \"/\"
    schedule:
      interval: \"weekly\"
      day: \"monday\"
    labels:
      - \"dependencies\"
      - \"docker\"
      - \"security\"
    groups:
      all:
        patterns:
          - \"*\"
"
        )
    );
    assert_eq!(r.changes.len(), 1, "{:#?}", r.changes);
    assert_eq!(r.changes[0].change, "added a docker entry for /");
    assert!(
        r.changes[0].reason.starts_with("required by the policy"),
        "{:?}",
        r.changes[0]
    );
    let again = run_with(&r.text, None, None);
    assert_eq!(again.text, r.text, "idempotent");
    assert!(again.changes.is_empty(), "{:#?}", again.changes);
    let errors: Vec<_> =
        crate::dependabot::validate::validate(&r.text, ".github/dependabot.yml", Some(&scan()))
            .into_iter()
            .filter(|f| f.severity != Severity::Note && f.rule != "dependabot/missing-ecosystem")
            .collect();
    assert_eq!(errors, vec![]);
}

/// A group by update type, shared by every entry, is copied to each added entry; the entries
/// the fleet asked for (`add-missing = "all"`) say they are the repository's choice.
#[test]
fn an_update_types_group_is_copied_to_every_added_entry() {
    let text = "version: 2
updates:
  - package-ecosystem: github-actions
    directory: /
    schedule: {interval: weekly}
    groups:
      minor-and-patch:
        update-types: [minor, patch]
";
    let r = run_with(text, Some(AddMissing::All), None);
    assert_eq!(r.findings, vec![]);
    let added = &r.text[text.len()..];
    assert_eq!(
        added.matches("    groups:\n      minor-and-patch:\n        update-types:\n          - \"minor\"\n          - \"patch\"\n").count(),
        3,
        "{added}"
    );
    let reasons: Vec<(&str, bool)> = r
        .changes
        .iter()
        .map(|c| {
            (
                c.change.as_str(),
                c.reason.starts_with("required by the policy"),
            )
        })
        .collect();
    assert_eq!(
        reasons,
        [
            ("added a docker entry for /", true),
            ("added a gomod entry for /", false),
            ("added a npm entry for /web", false),
        ]
    );
    assert_eq!(run_with(&r.text, Some(AddMissing::All), None).text, r.text);
}

/// No groups anywhere, groups on some entries only, or different groups: nothing is copied.
#[test]
fn no_shared_group_style_adds_no_groups() {
    let without = GROUPED
        .replace("    groups:\n      all:   # everything in one PR\n        patterns:\n          - \"*\"\n", "")
        .replace("    groups:\n      all:\n        patterns: [\"*\"]\n", "");
    let some_only = GROUPED.replace("    groups:\n      all:\n        patterns: [\"*\"]\n", "");
    let different = GROUPED.replace(
        "      all:\n        patterns: [\"*\"]\n",
        "      go:\n        patterns: [\"golang.org/x/*\"]\n",
    );
    for text in [without, some_only, different] {
        let r = run_with(&text, None, None);
        assert_eq!(r.changes.len(), 1, "{:#?}", r.changes);
        let added = &r.text[text.len()..];
        assert!(
            added.starts_with("  - package-ecosystem: \"docker\""),
            "{added}"
        );
        assert!(!added.contains("groups"), "{added}");
    }
}

/// Entries in a multi-ecosystem group are the group's: they neither make a style nor break
/// one, and the added entry never joins the group.
#[test]
fn multi_ecosystem_group_members_are_left_alone() {
    let text = format!(
        "multi-ecosystem-groups:
  infra:
    schedule: {{interval: weekly}}
{}  - package-ecosystem: terraform
    directory: /infra
    schedule: {{interval: weekly}}
    multi-ecosystem-group: infra
    patterns: [\"*\"]
",
        GROUPED
    );
    let r = run_with(&text, None, None);
    assert_eq!(r.findings, vec![]);
    let added = &r.text[text.len()..];
    assert!(added.contains("    groups:\n      all:\n"), "{added}");
    assert!(!added.contains("multi-ecosystem-group"), "{added}");
}

/// Groups drydock cannot write back as they mean: a `dependency-type` group for an ecosystem
/// without dependency types, and groups in an order the template would change (the first
/// matching group takes an update).
#[test]
fn groups_that_would_change_meaning_are_not_copied() {
    let dev_only = "version: 2
updates:
  - package-ecosystem: npm
    directory: /web
    schedule: {interval: weekly}
    groups:
      dev:
        dependency-type: development
";
    let r = run_with(dev_only, Some(AddMissing::All), None);
    assert_eq!(r.findings, vec![]);
    let added = &r.text[dev_only.len()..];
    assert!(added.contains("package-ecosystem: \"docker\""), "{added}");
    assert!(!added.contains("groups"), "{added}");

    let unsorted = "version: 2
updates:
  - package-ecosystem: github-actions
    directory: /
    schedule: {interval: weekly}
    groups:
      security:
        applies-to: security-updates
        patterns: [\"*\"]
      all:
        patterns: [\"*\"]
";
    let r = run_with(unsorted, None, None);
    assert_eq!(r.changes.len(), 1, "{:#?}", r.changes);
    assert!(!r.text[unsorted.len()..].contains("groups"), "{}", r.text);
}
