//! Image references (`[registry[:port]/]path[:tag][@digest]`) normalised as Docker does
//! (`docker.io`, `library/`, `index.docker.io`, `registry-1.docker.io`), keeping "no tag" apart
//! from an explicit `:latest`.
//!
//! The grammar and normalisation follow `distribution/reference` (`ParseNormalizedNamed`), with
//! one deliberate addition: `registry-1.docker.io` and `registry.hub.docker.com` are aliases of
//! `docker.io`, because they name the same registry and a policy must not be bypassed by them.

use std::fmt;

/// The registry host Docker Hub images are normalised to.
pub const DOCKER_HUB: &str = "docker.io";

/// Host names that are Docker Hub under another name.
const DOCKER_HUB_ALIASES: &[&str] = &[
    "index.docker.io",
    "registry-1.docker.io",
    "registry.hub.docker.com",
];

/// Longest repository name (`registry/path`) `distribution/reference` accepts.
const MAX_NAME_LEN: usize = 255;

/// A normalised image reference.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ImageRef {
    /// Registry host (and port): `docker.io`, `ghcr.io`, `localhost:5000`.
    pub registry: String,
    /// Repository path: `library/python`, `distroless/static-debian12`.
    pub repository: String,
    /// The tag as written; `None` when omitted (not the same as `latest`).
    pub tag: Option<String>,
    /// `sha256:...` when pinned.
    pub digest: Option<String>,
}

/// A string that is not a valid image reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid image reference `{input}`: {message}")]
pub struct RefError {
    pub input: String,
    pub message: String,
}

impl ImageRef {
    /// Parses and normalises a reference as `docker pull` would understand it.
    pub fn parse(input: &str) -> Result<ImageRef, RefError> {
        let fail = |message: &str| RefError {
            input: input.to_string(),
            message: message.to_string(),
        };
        if input.is_empty() {
            return Err(fail("the reference is empty"));
        }
        if input.len() == 64
            && input
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        {
            return Err(fail(
                "a 64-character hexadecimal string is an image id, not a reference",
            ));
        }
        let (name_tag, digest) = match input.split_once('@') {
            Some((name_tag, digest)) => {
                validate_digest(digest).map_err(|m| fail(&m))?;
                (name_tag, Some(digest.to_string()))
            }
            None => (input, None),
        };
        let last_slash = name_tag.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name_tag[last_slash..].rfind(':') {
            Some(colon) => {
                let colon = last_slash + colon;
                let tag = &name_tag[colon + 1..];
                validate_tag(tag).map_err(|m| fail(&m))?;
                (&name_tag[..colon], Some(tag.to_string()))
            }
            None => (name_tag, None),
        };
        if name.is_empty() {
            return Err(fail("the repository name is empty"));
        }
        if name.len() > MAX_NAME_LEN {
            return Err(fail("the repository name is longer than 255 characters"));
        }
        let (registry, path) = split_domain(name);
        if let Some(registry) = registry {
            validate_domain(registry).map_err(|m| fail(&m))?;
        }
        validate_path(path).map_err(|m| fail(&m))?;
        let registry = match registry {
            None => DOCKER_HUB.to_string(),
            Some(r) if DOCKER_HUB_ALIASES.contains(&r) => DOCKER_HUB.to_string(),
            Some(r) => r.to_string(),
        };
        let repository = if registry == DOCKER_HUB && !path.contains('/') {
            format!("library/{path}")
        } else {
            path.to_string()
        };
        Ok(ImageRef {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// `registry/repository`, without tag or digest: `docker.io/library/python`.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The short form people write: `python:3.12`, `bitnami/redis:7`, `ghcr.io/o/app@sha256:..`.
    pub fn familiar(&self) -> String {
        let mut out = self.familiar_name();
        if let Some(tag) = &self.tag {
            out.push(':');
            out.push_str(tag);
        }
        if let Some(digest) = &self.digest {
            out.push('@');
            out.push_str(digest);
        }
        out
    }

    /// The short repository name: `python`, `bitnami/redis`, `gcr.io/distroless/static-debian12`.
    pub fn familiar_name(&self) -> String {
        if self.is_docker_hub() {
            self.repository
                .strip_prefix("library/")
                .unwrap_or(&self.repository)
                .to_string()
        } else {
            self.name()
        }
    }

    /// Whether the image is on Docker Hub (any of its host names).
    pub fn is_docker_hub(&self) -> bool {
        self.registry == DOCKER_HUB
    }

    /// For a Docker Official Image (`docker.io/library/<name>`), its name: `Some("python")`.
    pub fn official_name(&self) -> Option<&str> {
        if !self.is_docker_hub() {
            return None;
        }
        self.repository
            .strip_prefix("library/")
            .filter(|name| !name.contains('/'))
    }

    /// Whether no tag was written (Docker then pulls `latest`, unless a digest pins it).
    pub fn tag_omitted(&self) -> bool {
        self.tag.is_none()
    }

    /// The tag Docker pulls: the written one, or `latest` when omitted.
    pub fn effective_tag(&self) -> &str {
        self.tag.as_deref().unwrap_or("latest")
    }

    /// The same image with another tag (and no digest, since it pinned the old tag).
    pub fn with_tag(&self, tag: &str) -> ImageRef {
        ImageRef {
            tag: Some(tag.to_string()),
            digest: None,
            ..self.clone()
        }
    }
}

/// Fully qualified: `docker.io/library/python:3.12`; an omitted tag stays omitted.
impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for ImageRef {
    type Err = RefError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ImageRef::parse(s)
    }
}

/// `splitDockerDomain`: the first component is a registry when it looks like a host.
fn split_domain(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((first, rest))
            if first == "localhost"
                || first.contains('.')
                || first.contains(':')
                || first.bytes().any(|b| b.is_ascii_uppercase()) =>
        {
            (Some(first), rest)
        }
        _ => (None, name),
    }
}

fn validate_domain(domain: &str) -> Result<(), String> {
    let bad = || Err(format!("`{domain}` is not a valid registry host"));
    let (host, port) = if let Some(rest) = domain.strip_prefix('[') {
        // [IPv6]:port
        let Some((addr, after)) = rest.split_once(']') else {
            return bad();
        };
        if addr.is_empty()
            || !addr
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        {
            return bad();
        }
        match after {
            "" => return Ok(()),
            _ => match after.strip_prefix(':') {
                Some(port) => (None, Some(port)),
                None => return bad(),
            },
        }
    } else {
        match domain.split_once(':') {
            Some((host, port)) => (Some(host), Some(port)),
            None => (Some(domain), None),
        }
    };
    if let Some(host) = host {
        let component_ok = |c: &str| {
            !c.is_empty()
                && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !c.starts_with('-')
                && !c.ends_with('-')
        };
        if !host.split('.').all(component_ok) {
            return bad();
        }
    }
    if let Some(port) = port
        && (port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()))
    {
        return bad();
    }
    Ok(())
}

fn validate_path(path: &str) -> Result<(), String> {
    if path.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err("repository name must be lowercase".to_string());
    }
    for component in path.split('/') {
        if !path_component_ok(component) {
            return Err(format!(
                "`{component}` is not a valid path component (lowercase letters, digits and single separators `.`, `_`, `__`, `-`)"
            ));
        }
    }
    Ok(())
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
fn path_component_ok(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if bytes.is_empty() || !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let sep = &component[start..i];
        let ok = matches!(sep, "." | "_" | "__") || sep.bytes().all(|b| b == b'-');
        if !ok {
            return false;
        }
    }
    true
}

/// `[\w][\w.-]{0,127}`
fn validate_tag(tag: &str) -> Result<(), String> {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = tag.as_bytes();
    if bytes.is_empty() {
        return Err("the tag after `:` is empty".to_string());
    }
    if bytes.len() > 128 {
        return Err("the tag is longer than 128 characters".to_string());
    }
    if !word(bytes[0]) || !bytes.iter().all(|&b| word(b) || b == b'.' || b == b'-') {
        return Err(format!(
            "`{tag}` is not a valid tag (letters, digits, `_`, `.`, `-`; not starting with `.` or `-`)"
        ));
    }
    Ok(())
}

/// `algorithm:hex`, with the exact length for the sha2 family.
fn validate_digest(digest: &str) -> Result<(), String> {
    let Some((algorithm, encoded)) = digest.split_once(':') else {
        return Err(format!(
            "`{digest}` is not a digest (expected `sha256:<64 hex>`)"
        ));
    };
    let algorithm_ok = !algorithm.is_empty()
        && algorithm.as_bytes()[0].is_ascii_alphabetic()
        && algorithm.split(['-', '_', '+', '.']).all(|part| {
            !part.is_empty()
                && part.as_bytes()[0].is_ascii_alphabetic()
                && part.bytes().all(|b| b.is_ascii_alphanumeric())
        });
    if !algorithm_ok {
        return Err(format!("`{algorithm}` is not a digest algorithm"));
    }
    let expected = match algorithm {
        "sha256" => Some(64),
        "sha384" => Some(96),
        "sha512" => Some(128),
        _ => None,
    };
    let hex_ok = encoded.bytes().all(|b| b.is_ascii_hexdigit());
    let len_ok = match expected {
        Some(n) => encoded.len() == n,
        None => encoded.len() >= 32,
    };
    if !hex_ok || !len_ok {
        return Err(format!(
            "`{digest}` is not a valid {algorithm} digest (expected {} hexadecimal characters)",
            expected.map_or("at least 32".to_string(), |n| n.to_string())
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn parts(s: &str) -> (String, String, Option<String>, Option<String>) {
        let r = ImageRef::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        (r.registry, r.repository, r.tag, r.digest)
    }

    fn p(
        r: &str,
        path: &str,
        tag: Option<&str>,
        digest: Option<&str>,
    ) -> (String, String, Option<String>, Option<String>) {
        (
            r.into(),
            path.into(),
            tag.map(Into::into),
            digest.map(Into::into),
        )
    }

    /// The vectors of dockerfile.md §3.2, plus more from `normalize_test.go`/`reference_test.go`.
    #[test]
    fn reference_vectors() {
        assert_eq!(
            parts("alpine"),
            p("docker.io", "library/alpine", None, None)
        );
        assert_eq!(
            parts("alpine:3.24"),
            p("docker.io", "library/alpine", Some("3.24"), None)
        );
        assert_eq!(
            parts("docker.io/alpine"),
            p("docker.io", "library/alpine", None, None)
        );
        assert_eq!(
            parts("index.docker.io/alpine"),
            p("docker.io", "library/alpine", None, None)
        );
        assert_eq!(
            parts("registry-1.docker.io/alpine:3"),
            p("docker.io", "library/alpine", Some("3"), None)
        );
        assert_eq!(
            parts("registry.hub.docker.com/library/alpine"),
            p("docker.io", "library/alpine", None, None)
        );
        assert_eq!(
            parts("docker.io/library/alpine"),
            p("docker.io", "library/alpine", None, None)
        );
        assert_eq!(
            parts("bitnami/redis:7"),
            p("docker.io", "bitnami/redis", Some("7"), None)
        );
        assert_eq!(parts("localhost/foo"), p("localhost", "foo", None, None));
        assert_eq!(
            parts("localhost:5000/foo:1"),
            p("localhost:5000", "foo", Some("1"), None)
        );
        assert_eq!(
            parts("localhost:5000"),
            p("docker.io", "library/localhost", Some("5000"), None)
        );
        assert_eq!(
            parts("myreg:5000/team/app:1.2"),
            p("myreg:5000", "team/app", Some("1.2"), None)
        );
        assert_eq!(
            parts("gcr.io/distroless/static-debian12:nonroot"),
            p(
                "gcr.io",
                "distroless/static-debian12",
                Some("nonroot"),
                None
            )
        );
        let with_digest = format!("python:3.12-slim@sha256:{HEX}");
        assert_eq!(
            parts(&with_digest),
            p(
                "docker.io",
                "library/python",
                Some("3.12-slim"),
                Some(&format!("sha256:{HEX}"))
            )
        );
        assert_eq!(
            parts(&format!("ghcr.io/o/a@sha256:{HEX}")),
            p("ghcr.io", "o/a", None, Some(&format!("sha256:{HEX}")))
        );
        assert_eq!(parts("Foo/bar"), p("Foo", "bar", None, None));
        assert_eq!(
            parts("ubuntu:Noble"),
            p("docker.io", "library/ubuntu", Some("Noble"), None)
        );
        assert_eq!(parts("[::1]:5000/foo"), p("[::1]:5000", "foo", None, None));
        assert_eq!(
            parts("127.0.0.1:5000/a/b/c:t"),
            p("127.0.0.1:5000", "a/b/c", Some("t"), None)
        );
        assert_eq!(
            parts("mcr.microsoft.com/dotnet/aspnet:8.0"),
            p("mcr.microsoft.com", "dotnet/aspnet", Some("8.0"), None)
        );
        assert_eq!(
            parts("a__b/c--d.e_f"),
            p("docker.io", "a__b/c--d.e_f", None, None)
        );
    }

    #[test]
    fn latest_is_kept_apart_from_omitted() {
        let omitted = ImageRef::parse("alpine").unwrap();
        let latest = ImageRef::parse("alpine:latest").unwrap();
        assert!(omitted.tag_omitted());
        assert!(!latest.tag_omitted());
        assert_eq!(omitted.effective_tag(), "latest");
        assert_ne!(omitted, latest);
    }

    #[test]
    fn invalid_references() {
        for bad in [
            "UBUNTU",
            "docker.io/Library/ubuntu",
            "",
            ":tag",
            "alpine:",
            "alpine:-x",
            "alpine@sha256:abc",
            "alpine@sha256:",
            "a//b",
            "-a/b",
            "a-/b",
            "a...b",
            "alpine:3 ",
            "rust:${VAR}",
            "ghcr.io/",
            "exa mple.com/a",
            HEX,
            "foo:5000:1/bar",
        ] {
            assert!(ImageRef::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        let err = ImageRef::parse("UBUNTU").unwrap_err();
        assert!(err.to_string().contains("lowercase"), "{err}");
    }

    #[test]
    fn short_forms() {
        let r = ImageRef::parse("docker.io/library/python:3.12").unwrap();
        assert_eq!(r.familiar(), "python:3.12");
        assert_eq!(r.official_name(), Some("python"));
        assert_eq!(r.to_string(), "docker.io/library/python:3.12");
        let r = ImageRef::parse("index.docker.io/bitnami/redis").unwrap();
        assert_eq!(r.familiar(), "bitnami/redis");
        assert_eq!(r.official_name(), None);
        assert!(r.is_docker_hub());
        let r = ImageRef::parse("ghcr.io/library/python:3").unwrap();
        assert_eq!(r.official_name(), None);
        assert_eq!(r.familiar(), "ghcr.io/library/python:3");
        assert_eq!(r.with_tag("4").familiar(), "ghcr.io/library/python:4");
    }
}
