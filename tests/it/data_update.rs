//! `drydock data update` against a server on 127.0.0.1 that serves snapshot files in the shape
//! of the real sources (GitHub's API and raw files for docker-library/official-images,
//! endoflife.date API v1), made from the shipped data so the round trip can be compared.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};

use crate::support::drydock;

const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

/// A file server on 127.0.0.1: path (with query) → body; anything else is a 404. One request
/// per connection; stops when dropped.
struct Server {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl Server {
    fn start(files: BTreeMap<String, Vec<u8>>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        std::thread::spawn(move || {
            // Bounded: a run makes a few hundred requests.
            for stream in listener.incoming().take(10_000) {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    continue;
                }
                let mut header = String::new();
                while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                    header.clear();
                }
                let path = request_line.split(' ').nth(1).unwrap_or("").to_string();
                let (status, body) = match files.get(&path) {
                    Some(body) => ("200 OK", body.clone()),
                    None => ("404 Not Found", b"not found".to_vec()),
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(&body);
            }
        });
        Server { port, stop }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = std::net::TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn shipped(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The shipped data served as the sources would serve it.
fn snapshot_files() -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut put = |path: String, body: Value| {
        files.insert(path, serde_json::to_vec(&body).unwrap());
    };
    put(
        "/api/commits/master".into(),
        json!({"sha": SHA, "commit": {"committer": {"date": "2026-11-30T10:00:00Z"}}}),
    );
    let official = shipped("official-images.json");
    let images = official["images"].as_object().unwrap();
    let listing: Vec<Value> = images
        .keys()
        .map(|name| json!({"name": name, "type": "file"}))
        .chain([json!({"name": ".gitignore", "type": "file"})])
        .collect();
    put(
        format!("/api/contents/library?ref={SHA}"),
        Value::Array(listing),
    );
    let lifecycle = shipped("lifecycle.json");
    for (product, cycles) in lifecycle["products"].as_object().unwrap() {
        let releases: Vec<Value> = cycles
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let flag = |v: &Value| v.as_bool().unwrap_or(true);
                let date = |v: &Value| v.as_str().map(String::from);
                json!({
                    "name": c["cycle"], "codename": c.get("codename"),
                    "releaseDate": c.get("release"),
                    "isLts": flag(&c["lts"]), "ltsFrom": date(&c["lts"]),
                    "eoasFrom": c.get("support"),
                    "isEol": flag(&c["eol"]), "eolFrom": date(&c["eol"]),
                    "latest": c.get("latest").map(|l| json!({"name": l})),
                })
            })
            .collect();
        put(
            format!("/eol/products/{product}"),
            json!({"schema_version": "1.2.0", "result": {"name": product, "releases": releases}}),
        );
    }
    for (name, image) in images {
        let tags: Vec<&str> = image["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        let text = format!(
            "# this file is generated\nMaintainers: someone\nGitRepo: https://example.invalid/{name}.git\n\nTags: {}\nArchitectures: amd64\n",
            tags.join(",\n  ")
        );
        files.insert(format!("/raw/{SHA}/library/{name}"), text.into_bytes());
    }
    files
}

fn update(server: &Server, out: &Path) -> std::process::Output {
    drydock()
        .args(["data", "update", "--out"])
        .arg(out)
        .args(["--official-images-api", &server.url("/api")])
        .args(["--official-images-raw", &server.url("/raw")])
        .args(["--endoflife-api", &server.url("/eol")])
        .output()
        .unwrap()
}

#[test]
fn update_writes_a_data_dir_that_check_uses() {
    let server = Server::start(snapshot_files());
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("data");
    let output = update(&server, &out);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains(
            "official images (docker-library/official-images at 0123456789ab, 2026-11-30)"
        ),
        "{stdout}"
    );

    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("official-images.json")).unwrap())
            .unwrap();
    assert_eq!(written["source"]["commit"], SHA);
    assert_eq!(written["source"]["date"], "2026-11-30");
    assert!(written["source"]["url"].as_str().unwrap().contains("/raw/"));
    let shipped_images = shipped("official-images.json");
    assert_eq!(
        written["images"]["alpine"]["tags"],
        shipped_images["images"]["alpine"]["tags"]
    );
    assert!(written["images"].get(".gitignore").is_none());
    let lifecycle: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("lifecycle.json")).unwrap())
            .unwrap();
    assert_eq!(
        lifecycle["products"]["ubuntu"],
        shipped("lifecycle.json")["products"]["ubuntu"]
    );

    // `check --data-dir` reads it, and the data is no longer old.
    let repo = tmp.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    std::fs::write(
        repo.join("Dockerfile"),
        "FROM debian:trixie-slim\nUSER nobody\n",
    )
    .unwrap();
    let check = drydock()
        .args([
            "check",
            "--format",
            "json",
            "--now",
            "2026-12-02T00:00:00Z",
            "--path",
        ])
        .arg(&repo)
        .arg("--data-dir")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(!stderr.contains("days old"), "{stderr}");
    let report: Value = serde_json::from_slice(&check.stdout).unwrap();
    let data = report["data"]["source"].as_str().unwrap();
    assert!(
        data.contains("docker-library/official-images@0123456 (2026-11-30)"),
        "{report}"
    );
    assert_eq!(report["data"]["stale"], false);

    // `[policy] data_dir` in the repository's own configuration does the same.
    std::fs::create_dir(repo.join(".github")).unwrap();
    std::fs::write(
        repo.join(".github/drydock.toml"),
        format!("[policy]\ndata_dir = {:?}\n", out.to_str().unwrap()),
    )
    .unwrap();
    let check = drydock()
        .args([
            "check",
            "--format",
            "json",
            "--now",
            "2026-12-02T00:00:00Z",
            "--path",
        ])
        .arg(&repo)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&check.stdout).unwrap();
    let data = report["data"]["source"].as_str().unwrap();
    assert!(data.contains("official-images@0123456"), "{report}");
}

#[test]
fn a_failed_fetch_names_the_url_and_writes_nothing() {
    let mut files = snapshot_files();
    files.remove("/eol/products/ubuntu");
    let server = Server::start(files);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("data");
    let output = update(&server, &out);
    assert_eq!(output.status.code(), Some(3), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("/eol/products/ubuntu: HTTP 404"),
        "{stderr}"
    );
    assert!(!out.join("lifecycle.json").exists());
    assert!(!out.join("official-images.json").exists());
}

#[test]
fn plain_http_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let output = drydock()
        .args(["data", "update", "--out"])
        .arg(tmp.path())
        .args(["--endoflife-api", "http://endoflife.date/api/v1"])
        .output()
        .unwrap();
    assert_ne!(output.status.code(), Some(0));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("https:// only"), "{stderr}");
}
