//! Registry authentication: parsing `WWW-Authenticate` challenges and finding credentials.
//!
//! Credentials come, in this order, from `DRYDOCK_REGISTRY_USER` / `DRYDOCK_REGISTRY_PASSWORD`
//! (only for the host named by `DRYDOCK_REGISTRY_HOST`, so a token is never sent to another
//! registry) and from the `auths` table of `$DOCKER_CONFIG/config.json` or
//! `~/.docker/config.json` (`auth` = base64 `user:password`, or `username`/`password`).
//! They are held as [`SecretString`] and never appear in output or logs.

use std::collections::BTreeMap;
use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};

/// A user name and password (or token) for one registry.
#[derive(Clone)]
pub struct Credentials {
    pub username: String,
    pub password: SecretString,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// The value of an `Authorization: Basic` header.
    pub fn basic_header(&self) -> String {
        let raw = format!("{}:{}", self.username, self.password.expose_secret());
        format!("Basic {}", base64_encode(raw.as_bytes()))
    }
}

/// Credentials per registry host, as found in the environment and the Docker config.
#[derive(Debug, Clone, Default)]
pub struct CredentialStore {
    by_host: BTreeMap<String, Credentials>,
}

impl CredentialStore {
    /// An empty store: every request is anonymous.
    pub fn anonymous() -> Self {
        Self::default()
    }

    /// Reads the environment and the Docker config file. A config file that cannot be read or
    /// parsed is an error naming the file; a missing one is fine.
    pub fn from_environment() -> anyhow::Result<Self> {
        let mut store = CredentialStore::default();
        if let Some(path) = docker_config_path() {
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    store.by_host = parse_docker_config(&text)
                        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => anyhow::bail!("{}: cannot read the Docker config: {e}", path.display()),
            }
        }
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        if let (Some(host), Some(username), Some(password)) = (
            env("DRYDOCK_REGISTRY_HOST"),
            env("DRYDOCK_REGISTRY_USER"),
            env("DRYDOCK_REGISTRY_PASSWORD"),
        ) {
            store.insert(
                &host,
                Credentials {
                    username,
                    password: SecretString::from(password),
                },
            );
        }
        Ok(store)
    }

    pub fn insert(&mut self, host: &str, credentials: Credentials) {
        self.by_host.insert(canonical_host(host), credentials);
    }

    /// The credentials for a registry host (`docker.io`, `ghcr.io`, `localhost:5000`).
    pub fn get(&self, host: &str) -> Option<&Credentials> {
        self.by_host.get(&canonical_host(host))
    }
}

fn docker_config_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker").join("config.json"))
}

/// The `auths` table of a Docker `config.json`, keyed by canonical host.
pub fn parse_docker_config(text: &str) -> Result<BTreeMap<String, Credentials>, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let mut out = BTreeMap::new();
    let Some(auths) = value.get("auths").and_then(|a| a.as_object()) else {
        return Ok(out);
    };
    for (key, entry) in auths {
        let host = canonical_host(key);
        let field = |k: &str| {
            entry
                .get(k)
                .and_then(|v| v.as_str())
                .filter(|s| !s.is_empty())
        };
        let credentials = if let Some(auth) = field("auth") {
            let decoded = base64_decode(auth.trim())
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| format!("auths.{key:?}.auth is not base64 of user:password"))?;
            let (username, password) = decoded
                .split_once(':')
                .ok_or_else(|| format!("auths.{key:?}.auth does not decode to user:password"))?;
            Credentials {
                username: username.to_string(),
                password: SecretString::from(password.to_string()),
            }
        } else if let (Some(u), Some(p)) = (field("username"), field("password")) {
            Credentials {
                username: u.to_string(),
                password: SecretString::from(p.to_string()),
            }
        } else {
            continue;
        };
        out.insert(host, credentials);
    }
    Ok(out)
}

/// `https://index.docker.io/v1/`, `registry-1.docker.io`, `index.docker.io` → `docker.io`;
/// other keys lose their scheme and path.
pub fn canonical_host(key: &str) -> String {
    let rest = key.split_once("://").map_or(key, |(_, r)| r);
    let host = rest.split('/').next().unwrap_or(rest).to_ascii_lowercase();
    match host.as_str() {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => {
            "docker.io".into()
        }
        _ => host,
    }
}

/// A parsed `WWW-Authenticate` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    Bearer {
        realm: String,
        service: Option<String>,
        scope: Option<String>,
    },
    Basic,
}

/// Parses the first challenge we understand from a `WWW-Authenticate` header value.
pub fn parse_challenge(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, params) = header
        .split_once(char::is_whitespace)
        .unwrap_or((header, ""));
    let params = parse_params(params);
    match scheme.to_ascii_lowercase().as_str() {
        "bearer" => Some(Challenge::Bearer {
            realm: params.get("realm")?.clone(),
            service: params.get("service").cloned(),
            scope: params.get("scope").cloned(),
        }),
        "basic" => Some(Challenge::Basic),
        _ => None,
    }
}

/// `k="v",k2=v2` with quoted values that may contain commas.
fn parse_params(s: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if key.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            while let Some(c) = chars.peek().copied() {
                if c == ',' {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        out.insert(key.trim().to_ascii_lowercase(), value.trim().to_string());
    }
    out
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (chunk[0] as u32) << 16
            | (*chunk.get(1).unwrap_or(&0) as u32) << 8
            | *chunk.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter(|c| *c != b'=') {
        let v = B64.iter().position(|b| *b == c)? as u32;
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_docker_hub_challenge() {
        let c = parse_challenge(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/python:pull""#,
        );
        assert_eq!(
            c,
            Some(Challenge::Bearer {
                realm: "https://auth.docker.io/token".into(),
                service: Some("registry.docker.io".into()),
                scope: Some("repository:library/python:pull".into()),
            })
        );
        assert_eq!(
            parse_challenge(r#"Basic realm="Registry Realm""#),
            Some(Challenge::Basic)
        );
        assert_eq!(parse_challenge("Negotiate"), None);
        assert_eq!(
            parse_challenge("Bearer service=x"),
            None,
            "a bearer challenge needs a realm"
        );
    }

    #[test]
    fn base64_round_trips() {
        for s in ["", "a", "ab", "abc", "user:pa:ss", "ünïcode"] {
            assert_eq!(
                base64_decode(&base64_encode(s.as_bytes())).unwrap(),
                s.as_bytes()
            );
        }
        assert_eq!(base64_encode(b"user:pass"), "dXNlcjpwYXNz");
    }

    #[test]
    fn reads_docker_config_auths() {
        let creds = parse_docker_config(
            r#"{"auths":{"https://index.docker.io/v1/":{"auth":"dXNlcjpwYXNz"},"ghcr.io":{"username":"u","password":"p"},"quay.io":{}}}"#,
        )
        .unwrap();
        assert_eq!(creds["docker.io"].username, "user");
        assert_eq!(creds["docker.io"].password.expose_secret(), "pass");
        assert_eq!(creds["ghcr.io"].username, "u");
        assert!(!creds.contains_key("quay.io"));
        assert!(parse_docker_config(r#"{"auths":{"x":{"auth":"!!"}}}"#).is_err());
        let debug = format!("{:?}", creds["docker.io"]);
        assert!(!debug.contains("pass"), "{debug}");
    }
}
