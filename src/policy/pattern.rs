//! Scout-style image patterns over normalised references: `docker.io/library/*`,
//! `gcr.io/distroless/*`, `docker.io/library/node:*-slim`. `*` matches any run of characters
//! (including `/`). A pattern with a tag part (a `:` after its last `/`) is matched against
//! `registry/repository:tag`; one without is matched against `registry/repository`, any tag.

use crate::docker::ImageRef;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagePattern {
    text: String,
    has_tag: bool,
}

impl ImagePattern {
    /// Parses a pattern; refuses empty ones and ones with a digest.
    pub fn new(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("an image pattern must not be empty".into());
        }
        if text.contains('@') {
            return Err(format!(
                "image pattern {text:?} has a digest; patterns match names and tags only"
            ));
        }
        if text.chars().any(char::is_whitespace) {
            return Err(format!("image pattern {text:?} contains white space"));
        }
        let last = text.rsplit('/').next().unwrap_or(text);
        Ok(ImagePattern {
            has_tag: text.contains('/') && last.contains(':'),
            text: text.to_string(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn matches(&self, image: &ImageRef) -> bool {
        let name = format!("{}/{}", image.registry, image.repository);
        if self.has_tag {
            let subject = format!("{name}:{}", image.tag.as_deref().unwrap_or("latest"));
            glob(self.text.as_bytes(), subject.as_bytes())
        } else {
            glob(self.text.as_bytes(), name.as_bytes())
        }
    }
}

/// `*`-only glob with backtracking; linear in practice for the short strings involved.
fn glob(pattern: &[u8], subject: &[u8]) -> bool {
    let (mut p, mut s) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while s < subject.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, s));
            p += 1;
        } else if p < pattern.len() && pattern[p] == subject[s] {
            p += 1;
            s += 1;
        } else if let Some((sp, ss)) = star {
            p = sp + 1;
            s = ss + 1;
            star = Some((sp, ss + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn img(registry: &str, repository: &str, tag: Option<&str>) -> ImageRef {
        ImageRef {
            registry: registry.into(),
            repository: repository.into(),
            tag: tag.map(Into::into),
            digest: None,
        }
    }

    #[test]
    fn namespace_patterns() {
        let p = ImagePattern::new("docker.io/library/*").unwrap();
        assert!(p.matches(&img("docker.io", "library/node", Some("20"))));
        assert!(!p.matches(&img("docker.io", "bitnami/node", Some("20"))));
        assert!(!p.matches(&img("ghcr.io", "library/node", None)));
        let d = ImagePattern::new("gcr.io/distroless/*").unwrap();
        assert!(d.matches(&img(
            "gcr.io",
            "distroless/static-debian12",
            Some("nonroot")
        )));
        assert!(!d.matches(&img("gcr.io", "distrolessx", None)));
    }

    #[test]
    fn exact_name_matches_any_tag() {
        let p = ImagePattern::new("docker.io/library/alpine").unwrap();
        assert!(p.matches(&img("docker.io", "library/alpine", Some("3.22"))));
        assert!(p.matches(&img("docker.io", "library/alpine", None)));
        assert!(!p.matches(&img("docker.io", "library/alpinex", None)));
    }

    #[test]
    fn tag_patterns() {
        let p = ImagePattern::new("docker.io/library/debian:*-slim").unwrap();
        assert!(p.matches(&img("docker.io", "library/debian", Some("bookworm-slim"))));
        assert!(!p.matches(&img("docker.io", "library/debian", Some("bookworm"))));
        assert!(!p.matches(&img("docker.io", "library/debian", None)));
        // A port is not a tag.
        let q = ImagePattern::new("registry.local:5000/*").unwrap();
        assert!(q.matches(&img("registry.local:5000", "team/app", Some("1"))));
    }

    #[test]
    fn rejects_bad_patterns() {
        assert!(ImagePattern::new("").is_err());
        assert!(ImagePattern::new("alpine@sha256:00").is_err());
    }
}
