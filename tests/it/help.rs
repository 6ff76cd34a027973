//! `drydock help`: like every other subcommand, it answers `--help`, and it describes nested
//! subcommands.

use crate::support::drydock;

#[test]
fn help_answers_help() {
    let output = drydock().args(["help", "--help"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(
        String::from_utf8(output.stdout)
            .unwrap()
            .contains("Usage: drydock help")
    );
}

#[test]
fn help_describes_a_nested_subcommand() {
    let output = drydock().args(["help", "data", "update"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("Usage: drydock data update"), "{stdout}");
    assert!(stdout.contains("--endoflife-api"), "{stdout}");
}

#[test]
fn help_of_an_unknown_subcommand_lists_the_known_ones() {
    let output = drydock().args(["help", "plna"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("one of: discover, sync, scan, plan"),
        "{stderr}"
    );
}
