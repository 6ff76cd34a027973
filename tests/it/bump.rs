//! `drydock bump` end to end against the real CNCF distribution registry (Debian
//! `docker-registry`) started on 127.0.0.1 with a config in a temp dir, seeded with minimal OCI
//! manifests pushed over HTTP. Docker Hub and GHCR names reach it through `--registry-mirror`.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sha2::Digest;

struct Registry {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Registry {
    fn start() -> Registry {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = dir.path().join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
                dir.path().join("storage").display()
            ),
        )
        .unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect(
                "docker-registry is not on PATH: run scripts/test.sh (apt package docker-registry)",
            );
        let registry = Registry {
            child,
            port,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "docker-registry did not start on 127.0.0.1:{port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        registry
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Pushes one minimal OCI image per tag; `generation` changes the manifest (a moved tag).
    /// Returns the digests, in tag order.
    fn push(&self, repo: &str, tags: &[&str], generation: u32) -> Vec<String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let http = reqwest::Client::new();
            let base = self.url();
            let config = br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"config":{}}"#.to_vec();
            let cfg = blob(&http, &base, repo, config.clone()).await;
            let mut digests = Vec::new();
            for tag in tags {
                let manifest = format!(
                    r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{cfg}","size":{}}},"layers":[],"annotations":{{"org.opencontainers.image.version":"{tag}","generation":"{generation}"}}}}"#,
                    config.len()
                );
                let r = http
                    .put(format!("{base}/v2/{repo}/manifests/{tag}"))
                    .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                    .body(manifest.clone())
                    .send()
                    .await
                    .unwrap();
                assert!(r.status().is_success(), "push {repo}:{tag}: {}", r.status());
                digests.push(sha256(manifest.as_bytes()));
            }
            digests
        })
    }
}

fn sha256(bytes: &[u8]) -> String {
    format!(
        "sha256:{}",
        sha2::Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}

async fn blob(http: &reqwest::Client, base: &str, repo: &str, bytes: Vec<u8>) -> String {
    let digest = sha256(&bytes);
    let r = http
        .post(format!("{base}/v2/{repo}/blobs/uploads/"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 202, "start upload");
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let location = if location.starts_with("http") {
        location
    } else {
        format!("{base}{location}")
    };
    let sep = if location.contains('?') { '&' } else { '?' };
    let r = http
        .put(format!("{location}{sep}digest={digest}"))
        .header("Content-Type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "upload blob: {}", r.status());
    digest
}

fn seed(reg: &Registry) {
    reg.push(
        "library/python",
        &[
            "3.12-slim-bookworm",
            "3.13-slim-bookworm",
            "3.13-slim-trixie",
            "3.14-slim-bookworm",
            "3.15.0rc1-slim-bookworm",
            "3.14",
            "4.0-slim-bookworm",
            "latest",
        ],
        0,
    );
    reg.push(
        "library/node",
        &[
            "20-alpine3.20",
            "21-alpine3.20",
            "22-alpine3.20",
            "22-alpine3.21",
            "22-bookworm",
            "23.0.0-alpine3.20",
        ],
        0,
    );
    reg.push(
        "library/ubuntu",
        &[
            "22.04", "22.10", "23.04", "24.04", "24.10", "25.04", "26.04", "26.10", "jammy",
        ],
        0,
    );
    reg.push("acme/tools", &["1.4.0", "1.4.2", "1.5.0", "2.0.0"], 0);
}

const DOCKERFILE: &str = "# syntax=docker/dockerfile:1\n\
# The build stage: python from an ARG default.\n\
ARG PY=\"python:3.12-slim-bookworm\"\n\
ARG NODE_VERSION=20-alpine3.20\n\
\n\
FROM ${PY} AS build\n\
RUN pip install --no-cache-dir \\\n    # a comment inside a continuation\n    requests\n\
\n\
FROM   node:${NODE_VERSION}\tAS web\n\
COPY --from=build /app /app\n\
COPY --link --from=ghcr.io/acme/tools:1.4.0 /bin/tool /usr/local/bin/tool\n\
\n\
FROM \\\n  ubuntu:22.04 AS final\r\n\
COPY --from=web /app /app\n";

fn drydock(reg: &Registry, dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = crate::support::drydock()
        .arg("bump")
        .arg("--path")
        .arg(dir)
        .arg("--registry-mirror")
        .arg(format!("docker.io={}", reg.url()))
        .arg("--registry-mirror")
        .arg(format!("ghcr.io={}", reg.url()))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn repo_with(dockerfile: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    dir
}

fn updates(json: &str) -> Vec<(String, String)> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    v["updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["old"].as_str().unwrap().to_string(),
                u["new"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn picks_tags_per_variant_level_and_lts_in_a_multi_stage_dockerfile() {
    let reg = Registry::start();
    seed(&reg);
    let repo = repo_with(DOCKERFILE);
    let (code, out, err) = drydock(&reg, repo.path(), &["--format", "json", "--stats"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.starts_with("{\n  \"version\": 1,\n"), "{out}");
    // minor: python keeps slim-bookworm and skips the rc; node's one-part version and ubuntu stay.
    assert_eq!(
        updates(&out),
        pairs(&[
            ("python:3.12-slim-bookworm", "python:3.14-slim-bookworm"),
            ("ghcr.io/acme/tools:1.4.0", "ghcr.io/acme/tools:1.5.0")
        ])
    );
    let stats: serde_json::Value =
        serde_json::from_str(err.lines().find_map(|l| l.strip_prefix("stats: ")).unwrap()).unwrap();
    assert_eq!(stats["images"], 4, "{err}");
    assert_eq!(stats["max_tag_list_fetches_per_image"], 1, "{err}");
    assert_eq!(stats["tag_list_pages"], 4, "{err}");

    let (code, out, _) = drydock(&reg, repo.path(), &["--format", "json", "--level", "major"]);
    assert_eq!(code, 1);
    assert_eq!(
        updates(&out),
        pairs(&[
            ("python:3.12-slim-bookworm", "python:4.0-slim-bookworm"),
            ("20-alpine3.20", "22-alpine3.21"),
            ("ghcr.io/acme/tools:1.4.0", "ghcr.io/acme/tools:2.0.0"),
            ("ubuntu:22.04", "ubuntu:26.04"),
        ]),
        "ubuntu only to an LTS (26.04, not 26.10); node stays on Alpine, following its release"
    );
    let (code, out, _) = drydock(&reg, repo.path(), &["--format", "json", "--level", "patch"]);
    assert_eq!(code, 1);
    assert_eq!(
        updates(&out),
        pairs(&[("ghcr.io/acme/tools:1.4.0", "ghcr.io/acme/tools:1.4.2")])
    );
    assert_eq!(
        std::fs::read_to_string(repo.path().join("Dockerfile")).unwrap(),
        DOCKERFILE,
        "no --write: untouched"
    );
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn write_changes_only_the_references_and_pins_and_refreshes_digests() {
    let reg = Registry::start();
    seed(&reg);
    let repo = repo_with(DOCKERFILE);
    let (code, out, err) = drydock(
        &reg,
        repo.path(),
        &["--write", "--level", "major", "--pin-digests"],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("update(s) written"), "{out}");
    let d = |repo: &str, tag: &str| reg.push(repo, &[tag], 0).remove(0);
    let written = std::fs::read_to_string(repo.path().join("Dockerfile")).unwrap();
    let expected = DOCKERFILE
        .replace(
            "\"python:3.12-slim-bookworm\"",
            &format!(
                "\"python:4.0-slim-bookworm@{}\"",
                d("library/python", "4.0-slim-bookworm")
            ),
        )
        .replace("NODE_VERSION=20-alpine3.20", "NODE_VERSION=22-alpine3.21")
        .replace(
            "ghcr.io/acme/tools:1.4.0",
            &format!("ghcr.io/acme/tools:2.0.0@{}", d("acme/tools", "2.0.0")),
        )
        .replace(
            "ubuntu:22.04",
            &format!("ubuntu:26.04@{}", d("library/ubuntu", "26.04")),
        );
    assert_eq!(written, expected, "every other byte kept");
    assert!(err.contains("comes from an ARG"), "{err}");

    // Nothing newer: exit 0, file untouched.
    let (code, out, _) = drydock(&reg, repo.path(), &["--write", "--level", "major"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        std::fs::read_to_string(repo.path().join("Dockerfile")).unwrap(),
        expected
    );

    // The ubuntu tag moves to new content: its digest is refreshed, the tag kept.
    let before = d("library/ubuntu", "26.04");
    let moved = reg.push("library/ubuntu", &["26.04"], 1).remove(0);
    assert_ne!(before, moved);
    let (code, out, _) = drydock(
        &reg,
        repo.path(),
        &["--write", "--format", "json", "--level", "major"],
    );
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["updates"].as_array().unwrap().len(), 1, "{out}");
    assert_eq!(v["updates"][0]["new"], format!("ubuntu:26.04@{moved}"));
    assert_eq!(
        v["updates"][0]["reason"],
        "the tag now points at a new digest"
    );
    let after = std::fs::read_to_string(repo.path().join("Dockerfile")).unwrap();
    assert_eq!(after, expected.replace(&before, &moved));
}

#[test]
#[ignore = "needs external tools: run scripts/test.sh"]
fn a_registry_error_names_the_image_and_leaves_every_file_untouched() {
    let reg = Registry::start();
    seed(&reg);
    let text = "FROM python:3.12-slim-bookworm\nFROM acme/missing:1.0\n";
    let repo = repo_with(text);
    std::fs::create_dir(repo.path().join("svc")).unwrap();
    std::fs::write(
        repo.path().join("svc/Dockerfile"),
        "FROM node:20-alpine3.20\n",
    )
    .unwrap();
    let (code, out, err) = drydock(&reg, repo.path(), &["--write", "--level", "major"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        err.contains("docker.io/acme/missing:1.0: not found"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(repo.path().join("Dockerfile")).unwrap(),
        text
    );
    assert_eq!(
        std::fs::read_to_string(repo.path().join("svc/Dockerfile")).unwrap(),
        "FROM node:20-alpine3.20\n"
    );
}
