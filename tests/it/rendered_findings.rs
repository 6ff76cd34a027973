//! Snapshots of what users read for the two corpora: what `drydock check` says about a repository
//! holding one corpus file, as text (message and fix hint) and as JSON (the repository's entry).
//! One snapshot per corpus file, in tests/it/snapshots/
//! (`*@<file>.snap`); the `.expected` and `.findings` files beside the corpora keep checking
//! `rule line` on their own. `cargo insta review` shows what a change did to the wording.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::drydock;

/// The clock every run sees, so EOL and support verdicts do not move with the calendar.
const NOW: &str = "2026-11-27T12:00:00Z";

/// The Dockerfile fixtures (tests/fixtures/dockerfiles), each at the path its `.expected` file
/// names (`path P`, default `Dockerfile`) in an otherwise empty repository.
#[test]
fn dockerfile_fixtures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dockerfiles");
    let rendered = render_each(&dir, "Dockerfile", |file| {
        let expected = std::fs::read_to_string(file.with_extension("expected")).unwrap_or_default();
        expected
            .lines()
            .find_map(|l| l.strip_prefix("path "))
            .unwrap_or("Dockerfile")
            .to_string()
    });
    insta::glob!("../fixtures/dockerfiles", "*.Dockerfile", |file| {
        insta::assert_snapshot!(rendered[&file_name(file)]);
    });
    assert_no_stale_snapshots("dockerfile_fixtures", &rendered);
}

/// The invalid dependabot.yml files (tests/corpus/dependabot/invalid-*) as the repository's
/// `.github/dependabot.yml` (or `.yaml`, after the corpus file's extension).
#[test]
fn invalid_dependabot_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/dependabot");
    let rendered = render_each(&dir, "invalid-", |file| {
        let extension = file.extension().unwrap().to_str().unwrap();
        format!(".github/dependabot.{extension}")
    });
    insta::glob!("../corpus/dependabot", "invalid-*.{yml,yaml}", |file| {
        insta::assert_snapshot!(rendered[&file_name(file)]);
    });
    assert_no_stale_snapshots("invalid_dependabot_files", &rendered);
}

/// Every snapshot of `test` belongs to a corpus file that still exists (insta never deletes one).
fn assert_no_stale_snapshots(test: &str, rendered: &BTreeMap<String, String>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/snapshots");
    let prefix = format!("it__rendered_findings__{test}@");
    let stale: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| file_name(&e.unwrap().path()))
        .filter(|name| {
            name.strip_prefix(&prefix)
                .and_then(|rest| rest.strip_suffix(".snap"))
                .is_some_and(|corpus_file| !rendered.contains_key(corpus_file))
        })
        .collect();
    assert!(
        stale.is_empty(),
        "snapshots without a corpus file: {stale:?}"
    );
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_str().unwrap().to_string()
}

/// The rendered findings of every corpus file of `dir` whose name starts with or has the
/// extension `selector` (`.expected` and `.findings` files excluded), keyed by file name: its
/// section of the text report, then its entry of the JSON report, pretty-printed. `place` says
/// where the file goes in its repository.
///
/// One `drydock check` per format over a fleet of one path repository per corpus file, named
/// `corpus/<file name>`: the same rendering as `check --path` on each, in two runs instead of
/// two per file (200 runs of the debug binary cost about ten seconds).
fn render_each(
    dir: &Path,
    selector: &str,
    place: impl Fn(&Path) -> String,
) -> BTreeMap<String, String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = file_name(p);
            let corpus = name.starts_with(selector) || p.extension().is_some_and(|x| x == selector);
            corpus && !name.ends_with(".expected") && !name.ends_with(".findings")
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no corpus files in {}", dir.display());

    let fleet = tempfile::tempdir().unwrap();
    let mut fleet_toml = String::new();
    for file in &files {
        let name = file_name(file);
        let target = fleet.path().join(&name).join(place(file));
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(file, &target).unwrap();
        fleet_toml.push_str(&format!(
            "[[repo]]\nname = \"corpus/{name}\"\npath = \"{name}\"\n\n"
        ));
    }
    std::fs::write(fleet.path().join("fleet.toml"), fleet_toml).unwrap();
    let run = |format: &str| {
        let out = drydock()
            .current_dir(fleet.path())
            .args(["check", "--now", NOW, "--format", format])
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "drydock check --format {format}: {:?}\n{stdout}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };

    let mut text = text_sections(&run("text"));
    let json = run("json");
    let report: serde_json::Value =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    let entries = report["repos"].as_array().unwrap();
    assert_eq!(entries.len(), files.len(), "one JSON entry per corpus file");
    let rendered: BTreeMap<String, String> = entries
        .iter()
        .map(|entry| {
            let name = entry["name"]
                .as_str()
                .unwrap()
                .strip_prefix("corpus/")
                .unwrap();
            let section = text
                .remove(name)
                .unwrap_or_else(|| panic!("no text section for {name}"));
            let entry = serde_json::to_string_pretty(entry).unwrap();
            (name.to_string(), format!("{section}\n{entry}\n"))
        })
        .collect();
    assert!(
        text.is_empty(),
        "text sections without a JSON entry: {:?}",
        text.keys()
    );
    rendered
}

/// The text report cut into repositories: a section starts at a line naming a repository
/// (`corpus/<file>`, followed by ` ok` when it has nothing to say) and runs to the next; the
/// summary after the blank line belongs to none.
fn text_sections(text: &str) -> BTreeMap<String, String> {
    let mut sections = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines() {
        if line.is_empty() {
            break;
        }
        if let Some(header) = line.strip_prefix("corpus/") {
            let name = header.split(' ').next().unwrap().to_string();
            sections.extend(current.replace((name, String::new())));
        }
        let (_, section) = current
            .as_mut()
            .expect("the report starts with a repository");
        section.push_str(line);
        section.push('\n');
    }
    sections.extend(current);
    sections
}
