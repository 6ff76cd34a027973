use std::path::Path;

use super::*;
use crate::app::plan::write_changes;

struct Fixed;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
}

fn planned(root: &Path) -> RepoPlan {
    plan_repo("o/r", &reader(root), &[&Fixed], &Filter::default(), today())
}

/// The repository at `root` read as `app::plan` reads it.
fn reader(root: &Path) -> impl Fn(&str) -> Found + '_ {
    move |rel| crate::app::plan::read_managed(root, rel, 1 << 20)
}

/// The filter of a fleet.toml with this `[policy]` text.
fn filter(policy: &str) -> Filter {
    crate::inventory::Fleet::parse(Path::new("/tmp/fleet.toml"), policy)
        .expect("a valid fleet.toml")
        .policy
        .filter
}

impl ManagedFile for Fixed {
    fn paths(&self) -> &[&str] {
        &[".github/x.yml", ".github/x.yaml"]
    }
    fn generate(&self) -> anyhow::Result<Option<Proposal>> {
        Ok(Some(Proposal {
            text: "a: 1\n".into(),
            reasons: vec!["new".into()],
            findings: vec![],
        }))
    }
    fn repair(&self, _path: &str, existing: &str) -> Proposal {
        let text = if existing.contains("a: 1") {
            existing.to_string()
        } else {
            format!("{existing}a: 1\n")
        };
        Proposal {
            text,
            reasons: vec!["added a".into()],
            findings: vec![],
        }
    }
}

#[test]
fn absent_file_is_created_with_a_dev_null_diff() {
    let dir = tempfile::tempdir().unwrap();
    let plan = planned(dir.path());
    assert_eq!(plan.changes.len(), 1);
    let c = &plan.changes[0];
    assert_eq!(
        (c.path.as_str(), c.action),
        (".github/x.yml", Action::Create)
    );
    assert!(
        c.diff.starts_with("--- /dev/null\n+++ b/.github/x.yml\n"),
        "{}",
        c.diff
    );
    write_changes(dir.path(), &plan).unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".github/x.yml")).unwrap(),
        "a: 1\n"
    );
    assert!(planned(dir.path()).changes.is_empty());
}

#[test]
fn second_path_is_updated_in_place() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".github")).unwrap();
    std::fs::write(dir.path().join(".github/x.yaml"), "b: 2\n").unwrap();
    let plan = planned(dir.path());
    let c = &plan.changes[0];
    assert_eq!(
        (c.path.as_str(), c.action),
        (".github/x.yaml", Action::Update)
    );
    assert!(
        c.diff
            .contains("--- a/.github/x.yaml\n+++ b/.github/x.yaml\n")
    );
    assert!(c.diff.contains("\n+a: 1\n"));
}

#[cfg(unix)]
#[test]
fn symlinked_github_dir_is_never_followed() {
    let outside = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join(".github")).unwrap();
    let plan = planned(dir.path());
    assert!(plan.changes.is_empty());
    assert_eq!(plan.findings[0].rule, "drydock/unusable-file");
    let forged = RepoPlan {
        changes: vec![Change {
            path: ".github/x.yml".into(),
            action: Action::Create,
            diff: String::new(),
            reasons: vec![],
            content: "x".into(),
        }],
        ..RepoPlan::default()
    };
    assert!(write_changes(dir.path(), &forged).is_err());
    assert!(std::fs::read_dir(outside.path()).unwrap().next().is_none());
}

#[test]
fn a_shadowed_second_path_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".github")).unwrap();
    std::fs::write(dir.path().join(".github/x.yml"), "a: 1\n").unwrap();
    std::fs::write(dir.path().join(".github/x.yaml"), "b: 2\n").unwrap();
    let plan = planned(dir.path());
    assert!(plan.changes.is_empty());
    assert_eq!(plan.findings[0].rule, "drydock/shadowed-file");
    assert_eq!(plan.findings[0].path, ".github/x.yaml");
}

#[test]
fn the_plan_applies_severity_overrides_and_waivers() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".github")).unwrap();
    std::fs::write(dir.path().join(".github/x.yml"), "a: 1\n").unwrap();
    std::fs::write(dir.path().join(".github/x.yaml"), "b: 2\n").unwrap();
    let read = reader(dir.path());
    let with = |policy: &str| plan_repo("o/r", &read, &[&Fixed], &filter(policy), today());

    let off = with("[policy.severity]\n\"drydock/shadowed-file\" = \"off\"\n");
    assert!(off.findings.is_empty(), "{:?}", off.findings);

    let note = with("[policy.severity]\n\"drydock/shadowed-file\" = \"note\"\n");
    assert_eq!(note.findings[0].severity, Severity::Note);

    let waived = with(
        "[[policy.waiver]]\nrepo = \"o/*\"\nrule = \"drydock/shadowed-file\"\nreason = \"OPS-7\"\nexpires = 2027-01-01\n",
    );
    assert!(waived.findings.is_empty(), "{:?}", waived.findings);
    assert_eq!(waived.waived.len(), 1);
    assert!(
        waived.waived[0]
            .message
            .ends_with("(waived until 2027-01-01: OPS-7)")
    );
}
