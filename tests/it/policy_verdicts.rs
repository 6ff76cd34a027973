//! Issue 10's verdicts that need a whole repository: compose `image:` references checked with
//! file and line, named build contexts of docker-bake.hcl and compose, templates skipped, and the
//! suggestion carried as data in `--format json`.

use std::path::Path;

use tempfile::TempDir;

use crate::support::drydock;

const NOW: &str = "2026-11-27T12:00:00Z";

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

fn check_json(dir: &Path) -> serde_json::Value {
    let out = drydock()
        .current_dir(dir)
        .args([
            "check",
            "--path",
            dir.to_str().unwrap(),
            "--format",
            "json",
            "--now",
            NOW,
        ])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

/// (rule, path, line) of the Dockerfile and compose findings (not dependabot's or the monitor's).
fn image_findings(v: &serde_json::Value) -> Vec<(String, String, u64)> {
    v["repos"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            let rule = f["rule"].as_str().unwrap();
            rule.starts_with("base-image/")
                || rule.starts_with("multi-stage/")
                || rule.starts_with("dockerfile/")
        })
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn own(rule: &str, path: &str, line: u64) -> (String, String, u64) {
    (rule.to_string(), path.to_string(), line)
}

#[test]
fn compose_image_references_are_checked_with_file_and_line() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        &[(
            "compose.yaml",
            "services:\n  cache:\n    image: redis:latest\n  db:\n    image: postgres:18-alpine\n  tool:\n    image: ghcr.io/acme/tool:1.2\n",
        )],
    );
    let v = check_json(dir.path());
    assert_eq!(
        image_findings(&v),
        [
            own("base-image/untagged", "compose.yaml", 3),
            own("base-image/forbidden", "compose.yaml", 7),
        ],
        "{v:#}"
    );
}

#[test]
fn bake_and_compose_contexts_are_not_images() {
    let dir = TempDir::new().unwrap();
    let dockerfile = "FROM golang:1.27-alpine AS build\nRUN go build -o /app .\nFROM gcr.io/distroless/static-debian13:nonroot\nCOPY --from=templates /t /t\nCOPY --from=assets /a /a\nCOPY --from=build /app /app\nCOPY --from=nosuchthing /x /x\n";
    write(
        dir.path(),
        &[
            ("Dockerfile", dockerfile),
            (
                "docker-bake.hcl",
                "target \"app\" {\n  context = \".\"\n  contexts = {\n    templates = \"../templates\"\n  }\n}\n",
            ),
            (
                "compose.yaml",
                "services:\n  app:\n    build:\n      context: .\n      additional_contexts:\n        assets: ./assets\n",
            ),
        ],
    );
    let v = check_json(dir.path());
    assert_eq!(
        image_findings(&v),
        [own("base-image/forbidden", "Dockerfile", 7)],
        "{v:#}"
    );
    let message = v["repos"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "base-image/forbidden")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains(
            "neither a stage of this Dockerfile, an official image nor a named build context"
        ),
        "{message}"
    );
}

#[test]
fn templates_are_skipped_under_every_name() {
    let dir = TempDir::new().unwrap();
    let template = "FROM {{ .Base }}\nRUN {{ .Install }}\n";
    write(
        dir.path(),
        &[
            ("a/Dockerfile.template", template),
            ("b/Dockerfile", template),
        ],
    );
    let v = check_json(dir.path());
    assert_eq!(image_findings(&v), [], "{v:#}");
}

#[test]
fn json_carries_the_suggestion_as_written() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        &[(
            "Dockerfile",
            "FROM golang:1.16-buster AS build\nRUN go build -o /app .\nFROM gcr.io/distroless/static-debian13:nonroot\nCOPY --from=build /app /app\n",
        )],
    );
    let v = check_json(dir.path());
    let eol: Vec<&serde_json::Value> = v["repos"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["line"] == 1)
        .collect();
    assert_eq!(eol.len(), 1, "one finding per reference: {v:#}");
    assert_eq!(eol[0]["rule"], "base-image/eol");
    assert_eq!(
        eol[0]["suggestion"],
        serde_json::json!({"from": "golang:1.16-buster", "to": "golang:1.27-trixie"})
    );
}
