//! `drydock plan` text output on the example fleet: the summary of every repository before any
//! diff, a new file rendered once per fleet, `--stat`, `--diff`, `--quiet` and a final line that
//! counts findings too.

use crate::support::drydock;

/// `drydock plan ARGS` in the repository root (the example fleet), stdout as text.
fn plan(args: &[&str]) -> String {
    let output = drydock()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("plan")
        .args(args)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

const WORKFLOW_DIFF: &str = "+++ b/.github/workflows/modules-docker-base-image-monitor.yml";

#[test]
fn summary_of_every_repository_comes_before_the_first_diff() {
    let text = plan(&[]);
    let first_diff = text.find("+++ b/").expect("the plan has diffs");
    let broken_yaml = text
        .find("[dependabot/invalid-yaml]")
        .expect("the broken-YAML finding is reported");
    assert!(broken_yaml < first_diff, "{text}");
    let legacy_worker = text.find("== acme/legacy-worker:").unwrap();
    assert!(legacy_worker < first_diff, "{text}");
}

#[test]
fn a_new_file_rendered_alike_is_shown_once_then_by_its_differences() {
    let text = plan(&[]);
    assert_eq!(text.matches(WORKFLOW_DIFF).count(), 1, "{text}");
    // The six other repositories that get the workflow: only their schedule differs.
    assert_eq!(
        text.matches(".yml: the new file of acme/shop, except:")
            .count(),
        6,
        "{text}"
    );
    assert!(text.lines().count() < 600, "{} lines", text.lines().count());
}

#[test]
fn diff_flag_repeats_every_diff_in_full() {
    let text = plan(&["--diff"]);
    assert_eq!(text.matches(WORKFLOW_DIFF).count(), 7, "{text}");
    assert!(!text.contains("except:"));
}

#[test]
fn stat_is_the_summary_only() {
    let text = plan(&["--stat"]);
    assert!(!text.contains("+++ b/"), "{text}");
    insta::assert_snapshot!("plan_stat_example_fleet", text);
}

#[test]
fn quiet_keeps_errors_and_the_final_line() {
    let text = plan(&["--quiet"]);
    insta::assert_snapshot!("plan_quiet_example_fleet", text);
}

#[test]
fn final_line_counts_files_and_findings() {
    let text = plan(&["--stat"]);
    assert_eq!(
        text.lines().last().unwrap(),
        "8 of 8 repositories would change (14 files); 1 error, 2 notes"
    );
}
