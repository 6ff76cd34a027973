//! Image tags taken apart: `3.12.4-slim-bookworm` is version `[3, 12, 4]` with suffix
//! `slim-bookworm`; `jammy-20240627` is the word `jammy` with suffix `20240627`; `3.15.0rc1` is a
//! pre-release. Pure string work; what a word or version *means* (a codename, an LTS) is the data
//! catalog's business.
//!
//! **Same shape** (what `bump` may move a tag to, [`Tag::same_shape`]): both tags have a version
//! with the same number of components (precision is kept: `3.12` → `3.13`, never `3.13.1`), or
//! both are the same kind of word; neither is a pre-release unless both are; and the suffixes are
//! equal, except that the version of an `alpine` suffix may differ (`-alpine3.20` → `-alpine3.21`,
//! the image's own Alpine follows its release). A Debian or Ubuntu codename in the suffix must stay
//! the same: moving from `bookworm` to `trixie` changes the whole OS and is a decision, not a bump.

use std::cmp::Ordering;

/// Words and word prefixes that mark a pre-release.
const PRERELEASE_MARKERS: &[&str] = &[
    "rc", "beta", "alpha", "dev", "nightly", "preview", "pre", "snapshot", "canary", "edge",
];

/// A tag split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// The tag as given.
    pub raw: String,
    /// Numeric version components (`3.12.4` → `[3, 12, 4]`); empty when the tag starts with a word.
    pub version: Vec<u64>,
    /// The leading word when there is no version: `bookworm`, `jammy`, `lts`, `latest`.
    pub word: Option<String>,
    /// The pre-release marker, `rc1`, `beta`, `rc`, `dev`.
    pub prerelease: Option<String>,
    /// Everything after the version (or word) and pre-release: `slim-bookworm`, `alpine3.20`.
    pub suffix: String,
}

impl Tag {
    pub fn parse(tag: &str) -> Tag {
        let mut parts = tag.split('-');
        let first = parts.next().unwrap_or_default();
        let mut out = Tag {
            raw: tag.to_string(),
            version: Vec::new(),
            word: None,
            prerelease: None,
            suffix: String::new(),
        };
        let numeric = first
            .strip_prefix('v')
            .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
            .unwrap_or(first);
        if numeric.starts_with(|c: char| c.is_ascii_digit()) {
            let end = numeric
                .find(|c: char| !c.is_ascii_digit() && c != '.')
                .unwrap_or(numeric.len());
            let digits = numeric[..end].trim_end_matches('.');
            out.version = digits.split('.').filter_map(|p| p.parse().ok()).collect();
            let rest = &numeric[end..];
            if is_prerelease_marker(rest) {
                out.prerelease = Some(rest.to_string());
            }
            // Anything else glued to the version (`21.0.4_7`) is build metadata, kept in `raw` only.
        } else {
            out.word = Some(first.to_string());
        }
        let mut suffix = Vec::new();
        for part in parts {
            if out.prerelease.is_none() && suffix.is_empty() && is_prerelease_marker(part) {
                out.prerelease = Some(part.to_string());
            } else {
                suffix.push(part);
            }
        }
        out.suffix = suffix.join("-");
        out
    }

    /// The suffix's `-`-separated parts (the leading word counts as a part too).
    fn variant_parts(&self) -> impl Iterator<Item = &str> {
        self.word
            .as_deref()
            .into_iter()
            .chain(self.suffix.split('-').filter(|p| !p.is_empty()))
    }

    pub fn is_prerelease(&self) -> bool {
        self.prerelease.is_some() || self.word.as_deref().is_some_and(is_prerelease_marker)
    }

    /// A `slim` variant: `3.12-slim`, `bookworm-slim`, `slim-bookworm`.
    pub fn is_slim(&self) -> bool {
        self.variant_parts().any(|p| p == "slim")
    }

    /// An Alpine-based variant: `alpine`, `alpine3.20`, `3.12-alpine3.20`.
    pub fn is_alpine(&self) -> bool {
        self.variant_parts().any(|p| p.starts_with("alpine"))
    }

    /// A minimal variant, as the policy prefers: slim or Alpine (distroless images are named by
    /// their repository, not their tag).
    pub fn is_minimal(&self) -> bool {
        self.is_slim() || self.is_alpine()
    }

    /// A Windows variant (`windowsservercore-ltsc2022`, `nanoserver`).
    pub fn is_windows(&self) -> bool {
        self.variant_parts()
            .any(|p| p.starts_with("windowsservercore") || p.starts_with("nanoserver"))
    }

    /// The OS named in the suffix: `("alpine", Some("3.20"))`, `("bookworm", None)`.
    pub fn distro(&self) -> Option<(String, Option<String>)> {
        self.suffix.split('-').find_map(|part| {
            if let Some(version) = part.strip_prefix("alpine") {
                return Some((
                    "alpine".to_string(),
                    Some(version.to_string()).filter(|v| !v.is_empty()),
                ));
            }
            (part.len() > 3
                && part.bytes().all(|b| b.is_ascii_lowercase())
                && !matches!(part, "slim" | "full" | "jre" | "jdk"))
            .then(|| (part.to_string(), None))
        })
    }

    /// The suffix with the Alpine version and build dates blurred: what must match for
    /// [`Tag::same_shape`].
    pub fn shape(&self) -> String {
        self.suffix
            .split('-')
            .map(|part| {
                if part.starts_with("alpine") && part != "alpine" {
                    "alpine*"
                } else if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
                    "#"
                } else {
                    part
                }
            })
            .collect::<Vec<_>>()
            .join("-")
    }

    /// Whether `other` is a tag of the same kind (see the module documentation).
    pub fn same_shape(&self, other: &Tag) -> bool {
        let kind_matches = match (&self.word, &other.word) {
            (None, None) => self.version.len() == other.version.len() && !self.version.is_empty(),
            (Some(_), Some(_)) => true,
            _ => false,
        };
        kind_matches
            && self.is_prerelease() == other.is_prerelease()
            && self.shape() == other.shape()
    }

    /// Orders by version (numerically), then pre-releases before releases.
    pub fn cmp_version(&self, other: &Tag) -> Ordering {
        self.version
            .cmp(&other.version)
            .then_with(|| match (&self.prerelease, &other.prerelease) {
                (None, None) => Ordering::Equal,
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some(a), Some(b)) => a.cmp(b),
            })
    }

    /// Whether the version starts with `prefix` (`3.12.4` starts with `3.12`).
    pub fn version_starts_with(&self, prefix: &[u64]) -> bool {
        !prefix.is_empty()
            && self.version.len() >= prefix.len()
            && self.version[..prefix.len()] == *prefix
    }
}

/// Parses `3.12` or `24.04` into numbers; `None` if any part is not a number.
pub fn parse_version(version: &str) -> Option<Vec<u64>> {
    version.split('.').map(|p| p.parse().ok()).collect()
}

fn is_prerelease_marker(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let lower = lower.trim_start_matches('.');
    if lower.is_empty() {
        return false;
    }
    // Short forms glued to a version: 3.15.0rc1, 3.13.0b2, 3.13.0a1.
    let short = ["a", "b"].iter().any(|m| {
        lower
            .strip_prefix(m)
            .is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit()))
    });
    short
        || PRERELEASE_MARKERS.iter().any(|m| {
            lower.strip_prefix(m).is_some_and(|rest| {
                rest.trim_start_matches('.')
                    .bytes()
                    .all(|b| b.is_ascii_digit())
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Tag {
        Tag::parse(s)
    }

    /// tag, version, word, pre-release, suffix
    type Case<'a> = (
        &'a str,
        &'a [u64],
        Option<&'a str>,
        Option<&'a str>,
        &'a str,
    );

    #[test]
    fn decomposition() {
        let cases: &[Case] = &[
            (
                "3.12.4-slim-bookworm",
                &[3, 12, 4],
                None,
                None,
                "slim-bookworm",
            ),
            ("20-alpine3.20", &[20], None, None, "alpine3.20"),
            ("bookworm-slim", &[], Some("bookworm"), None, "slim"),
            ("jammy-20240627", &[], Some("jammy"), None, "20240627"),
            ("8.0-alpine", &[8, 0], None, None, "alpine"),
            ("lts-alpine", &[], Some("lts"), None, "alpine"),
            (
                "3.15.0rc1-slim-trixie",
                &[3, 15, 0],
                None,
                Some("rc1"),
                "slim-trixie",
            ),
            ("3.15-rc-trixie", &[3, 15], None, Some("rc"), "trixie"),
            ("24.04", &[24, 4], None, None, ""),
            ("latest", &[], Some("latest"), None, ""),
            ("v1.2.3", &[1, 2, 3], None, None, ""),
            ("21.0.4_7-jre-jammy", &[21, 0, 4], None, None, "jre-jammy"),
            ("9.0-preview", &[9, 0], None, Some("preview"), ""),
            ("1.24-dev", &[1, 24], None, Some("dev"), ""),
            ("", &[], Some(""), None, ""),
        ];
        for (tag, version, word, pre, suffix) in cases {
            let parsed = t(tag);
            assert_eq!(parsed.version, *version, "{tag}");
            assert_eq!(parsed.word.as_deref(), *word, "{tag}");
            assert_eq!(parsed.prerelease.as_deref(), *pre, "{tag}");
            assert_eq!(parsed.suffix, *suffix, "{tag}");
        }
    }

    #[test]
    fn markers() {
        assert!(t("3.12-slim").is_slim() && t("bookworm-slim").is_slim() && t("slim").is_slim());
        assert!(!t("3.12-bookworm").is_minimal());
        assert!(
            t("20-alpine3.20").is_alpine()
                && t("alpine").is_alpine()
                && t("alpine3.20").is_minimal()
        );
        assert!(
            t("3.15.0rc1").is_prerelease()
                && t("3.13.0b2").is_prerelease()
                && t("nightly").is_prerelease()
        );
        assert!(t("edge").is_prerelease() && t("1.24-dev").is_prerelease());
        assert!(
            !t("3.12.4").is_prerelease()
                && !t("bookworm").is_prerelease()
                && !t("lts-alpine").is_prerelease()
        );
        assert!(t("3.12-windowsservercore-ltsc2022").is_windows());
        assert_eq!(
            t("20-alpine3.20").distro(),
            Some(("alpine".into(), Some("3.20".into())))
        );
        assert_eq!(
            t("3.12-slim-bookworm").distro(),
            Some(("bookworm".into(), None))
        );
        assert_eq!(t("3.12-slim").distro(), None);
    }

    #[test]
    fn shapes() {
        assert!(t("3.12-slim-bookworm").same_shape(&t("3.13-slim-bookworm")));
        assert!(!t("3.12-slim-bookworm").same_shape(&t("3.13-slim-trixie")));
        assert!(!t("3.12-slim").same_shape(&t("3.13.1-slim")));
        assert!(t("20-alpine3.19").same_shape(&t("22-alpine3.20")));
        assert!(!t("20-alpine").same_shape(&t("22-alpine3.20")));
        assert!(!t("3.12").same_shape(&t("3.13-slim")));
        assert!(!t("3.13").same_shape(&t("3.14.0rc1")) && !t("3.13").same_shape(&t("3.14-rc")));
        assert!(t("jammy").same_shape(&t("noble")));
        assert!(!t("jammy").same_shape(&t("24.04")));
        assert!(t("jammy-20240627").same_shape(&t("noble-20240801")));
        assert!(!t("jammy-20240627").same_shape(&t("noble")));
    }

    #[test]
    fn ordering() {
        assert_eq!(t("3.12.10").cmp_version(&t("3.12.9")), Ordering::Greater);
        assert_eq!(t("3.15.0rc1").cmp_version(&t("3.15.0")), Ordering::Less);
        assert!(t("3.12.4-slim").version_starts_with(&[3, 12]));
        assert!(!t("3.1").version_starts_with(&[3, 12]));
        assert_eq!(parse_version("24.04"), Some(vec![24, 4]));
        assert_eq!(parse_version("x"), None);
    }
}
