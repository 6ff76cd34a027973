//! SARIF's rule descriptors point at drydock's own documentation, not at an invented address:
//! no `informationUri`/`helpUri` (drydock has no public URL and SARIF needs absolute ones), and
//! each rule's help names the docs page whose table documents that rule.

use std::path::Path;

use crate::support::drydock;

#[test]
fn every_rule_help_names_the_page_that_documents_it() {
    let repo = tempfile::tempdir().unwrap();
    std::fs::write(repo.path().join("Dockerfile"), "FROM alpine\n").unwrap();
    let output = drydock()
        .args([
            "check",
            "--format",
            "sarif",
            "--now",
            "2026-11-27T12:00:00Z",
            "--path",
        ])
        .arg(repo.path())
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let driver = &sarif["runs"][0]["tool"]["driver"];
    assert!(driver.get("informationUri").is_none(), "{driver}");
    let rules = driver["rules"].as_array().unwrap();
    assert!(rules.len() > 20);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        assert!(rule.get("helpUri").is_none(), "{rule}");
        let text = rule["help"]["text"].as_str().unwrap();
        let page = text
            .split_whitespace()
            .find(|w| w.starts_with("docs/"))
            .unwrap_or_else(|| panic!("{id}: no docs page in {text:?}"));
        let docs = std::fs::read_to_string(root.join(page)).unwrap();
        assert!(
            docs.contains(&format!("| `{id}` |")),
            "{id} is not in the table of {page}"
        );
    }
}
