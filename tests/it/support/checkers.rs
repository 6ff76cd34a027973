//! Running the external checkers (check-jsonschema, ...) on a string, for tests marked
//! `#[ignore = "needs external tools: run scripts/test.sh"]`. A missing tool is a test failure,
//! never a skip: scripts/test.sh installs them and puts them on PATH.

use std::path::Path;
use std::process::Command;

/// What a checker said.
#[derive(Debug)]
pub struct Outcome {
    /// The checker accepted the input (exit status 0).
    pub ok: bool,
    /// stdout and stderr, for assertion messages.
    pub output: String,
}

/// Run `command` with `args`, the last argument being a file holding `text` named `file_name`
/// (some checkers look at the name, e.g. `dependabot.yml` or `.github/workflows/x.yml`).
pub fn run_on_text(command: &str, args: &[&str], file_name: &str, text: &str) -> Outcome {
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join(file_name);
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent).expect("create directories");
    }
    std::fs::write(&file, text).expect("write the input");
    let output = Command::new(command)
        .args(args)
        .arg(&file)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run `{command}` ({e}): run the tests through scripts/test.sh")
        });
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    Outcome {
        ok: output.status.success(),
        output: text,
    }
}

/// `check-jsonschema --builtin-schema <schema>` (e.g. `vendor.dependabot`) on `text`.
pub fn check_jsonschema_builtin(schema: &str, file_name: &str, text: &str) -> Outcome {
    run_on_text(
        "check-jsonschema",
        &["--builtin-schema", schema],
        file_name,
        text,
    )
}

/// `check-jsonschema --schemafile <schema>` on `text`.
pub fn check_jsonschema_file(schema: &Path, file_name: &str, text: &str) -> Outcome {
    let schema = schema.to_str().expect("UTF-8 schema path");
    run_on_text(
        "check-jsonschema",
        &["--schemafile", schema],
        file_name,
        text,
    )
}

/// check-jsonschema with `schema_args` (`["--builtin-schema", "vendor.dependabot"]` or
/// `["--schemafile", path]`) on many texts in one run (it starts slowly): one [`Outcome`] per
/// text, in order. Each text is written as `<n>/<file_name>`.
pub fn check_jsonschema_many(
    schema_args: &[&str],
    file_name: &str,
    texts: &[&str],
) -> Vec<Outcome> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let files: Vec<std::path::PathBuf> = texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let file = dir.path().join(i.to_string()).join(file_name);
            std::fs::create_dir_all(file.parent().unwrap()).expect("create directories");
            std::fs::write(&file, text).expect("write the input");
            file
        })
        .collect();
    if files.is_empty() {
        return Vec::new();
    }
    let output = Command::new("check-jsonschema")
        .args(schema_args)
        .args(["--output-format", "json"])
        .args(&files)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run `check-jsonschema` ({e}): run the tests through scripts/test.sh")
        });
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "check-jsonschema did not print JSON ({e}): {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let problems: Vec<(String, String)> = ["errors", "parse_errors"]
        .iter()
        .flat_map(|kind| report[kind].as_array().cloned().unwrap_or_default())
        .map(|e| {
            let file = e["filename"].as_str().unwrap_or_default().to_string();
            let path = e["path"].as_str().unwrap_or("$");
            (
                file,
                format!("{path}: {}", e["message"].as_str().unwrap_or_default()),
            )
        })
        .collect();
    files
        .iter()
        .map(|file| {
            let file = file.to_string_lossy();
            let mine: Vec<&str> = problems
                .iter()
                .filter(|(f, _)| *f == file)
                .map(|(_, m)| m.as_str())
                .collect();
            Outcome {
                ok: mine.is_empty(),
                output: mine.join("\n"),
            }
        })
        .collect()
}
