//! Snapshots of what users read for the two corpora: `drydock check --path .` in a repository
//! holding one corpus file, as text (message and fix hint) and as JSON (the repository's entry),
//! with the exit status. One snapshot per corpus file, in tests/it/snapshots/
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

/// What [`render`] prints for every corpus file of `dir` whose name starts with or has the
/// extension `selector` (`.expected` and `.findings` files excluded), keyed by file name; the
/// runs are spread over the available cores. `place` says where the file goes in the repository.
fn render_each(
    dir: &Path,
    selector: &str,
    place: impl Fn(&Path) -> String + Sync,
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
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = files.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(chunk)
            .map(|mine| {
                let place = &place;
                scope.spawn(move || {
                    mine.iter()
                        .map(|file| (file_name(file), render(file, &place(file))))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    })
}

/// `drydock check --path .` on a repository holding only `file` at `path`: the exit status, the
/// text report, and the repository's entry of the JSON report, pretty-printed.
fn render(file: &Path, path: &str) -> String {
    let repo = tempfile::tempdir().unwrap();
    let target = repo.path().join(path);
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::copy(file, &target).unwrap();
    let run = |format: &str| {
        let out = drydock()
            .current_dir(repo.path())
            .args(["check", "--path", ".", "--now", NOW, "--format", format])
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        (out.status.code().expect("an exit status"), stdout)
    };
    let (code, text) = run("text");
    let (json_code, json) = run("json");
    assert_eq!(
        code,
        json_code,
        "{}: text and JSON exit statuses",
        file.display()
    );
    let report: serde_json::Value =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{}: {e}: {json}", file.display()));
    let entry = serde_json::to_string_pretty(&report["repos"][0]).unwrap();
    format!("exit status {code}\n\n{text}\n{entry}\n")
}
