//! The GitHub stand-in (tests/standin/, see its README) for the forge and discover tests:
//! [`Standin::start`] runs `standin-python tests/standin/github_standin.py` on 127.0.0.1, reads
//! the base URL from its first stdout line, and kills it on drop. Unless a test declared that it
//! sends invalid requests on purpose, drop fails the test when the stand-in recorded a
//! violation (a request GitHub's OpenAPI description or GraphQL schema rejects).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

/// A running stand-in.
pub struct Standin {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    addr: String,
    _state: tempfile::TempDir,
    violations_expected: bool,
}

impl Standin {
    /// Starts a stand-in; fails (never skips) when the test tools are missing.
    pub fn start() -> Standin {
        let state = tempfile::tempdir().expect("stand-in state dir");
        let script =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/standin/github_standin.py");
        let mut child = Command::new("standin-python")
            .arg(&script)
            .arg("--state")
            .arg(state.path())
            .args(["--port", "0", "--max-seconds", "600"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("standin-python not found: the stand-in needs the test tools (run scripts/test.sh, or put /work/tools/bin on PATH)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the stand-in's first line");
        let base = line.trim().to_string();
        assert!(
            base.starts_with("http://127.0.0.1:"),
            "stand-in said {base:?}"
        );
        let addr = base.trim_start_matches("http://").to_string();
        Standin {
            child,
            base,
            addr,
            _state: state,
            violations_expected: false,
        }
    }

    /// The test sends invalid requests on purpose and checks [`Standin::violations`] itself.
    pub fn expect_violations(&mut self) {
        self.violations_expected = true;
    }

    /// One HTTP request to the stand-in (control API or API), JSON in and out.
    pub fn request(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut stream = TcpStream::connect(&self.addr).expect("connect to the stand-in");
        stream
            .set_read_timeout(Some(Duration::from_secs(120)))
            .expect("timeout");
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        )
        .expect("send to the stand-in");
        let mut raw = Vec::new();
        stream
            .read_to_end(&mut raw)
            .expect("read the stand-in's answer");
        let text = String::from_utf8_lossy(&raw);
        let (head, payload) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let payload = if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            dechunk(payload)
        } else {
            payload.to_string()
        };
        (
            status,
            serde_json::from_str(&payload).unwrap_or(Value::Null),
        )
    }

    /// A control call that must succeed.
    pub fn control(&self, method: &str, path: &str, body: Value) -> Value {
        let (status, out) = self.request(method, &format!("/_standin/{path}"), Some(&body));
        assert!(
            (200..300).contains(&status),
            "control {method} {path}: {status} {out}"
        );
        out
    }

    /// A personal access token for `login`.
    pub fn token(&self, token: &str, login: &str) {
        self.control("POST", "tokens", json!({"token": token, "login": login}));
    }

    /// An organisation with repositories (`{"name": .., ...}` specs without `owner`).
    pub fn org(&self, login: &str, repos: Vec<Value>) {
        self.control(
            "POST",
            "orgs",
            json!({"login": login, "type": "Organization"}),
        );
        let repos: Vec<Value> = repos
            .into_iter()
            .map(|mut r| {
                r["owner"] = json!(login);
                if r.get("files").is_none() && r.get("empty").is_none() {
                    r["files"] = json!({"README.md": "hello\n"});
                }
                if let Some(obj) = r.as_object_mut() {
                    obj.remove("empty");
                }
                r
            })
            .collect();
        self.control("POST", "repos", json!({"repos": repos}));
    }

    pub fn faults(&self, rules: Value) {
        self.control("POST", "faults", json!({"rules": rules, "replace": true}));
    }

    pub fn limits(&self, limits: Value) {
        self.control("POST", "limits", limits);
    }

    /// Every logged request.
    pub fn log(&self) -> Vec<Value> {
        let out = self.control("GET", "log", json!({}));
        out.get("entries")
            .or(Some(&out))
            .and_then(|v| v.as_array())
            .cloned()
            .unwrap_or_default()
    }

    pub fn summary(&self) -> Value {
        self.control("GET", "log/summary", json!({}))
    }

    pub fn clear_log(&self) {
        self.control("POST", "log/clear", json!({}));
    }

    pub fn violations(&self) -> Value {
        self.control("GET", "violations", json!({}))
    }
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || tail.len() < n {
            break;
        }
        out.push_str(&tail[..n]);
        rest = tail[n..].trim_start_matches("\r\n");
    }
    out
}

impl Drop for Standin {
    fn drop(&mut self) {
        let violations = if std::thread::panicking() || self.violations_expected {
            None
        } else {
            Some(self.violations())
        };
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(v) = violations {
            assert_eq!(
                v["violations"],
                json!([]),
                "the stand-in saw requests GitHub would reject: {v:#}"
            );
        }
    }
}

/// An RSA key pair for a test GitHub App: (private PEM, public PEM), made by the tools' Python.
pub fn app_key_pair() -> (String, String) {
    let script = r#"
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
print(k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()).decode(), end="")
print("----SPLIT----")
print(k.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode(), end="")
"#;
    let out = Command::new("standin-python")
        .args(["-c", script])
        .output()
        .expect("standin-python not found: run scripts/test.sh");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let (private, public) = text.split_once("----SPLIT----\n").expect("two keys");
    (private.to_string(), public.to_string())
}
