//! Which tag an image moves to: the newest tag that keeps the current tag's shape (same prefix,
//! same number of version components, same variant/distro suffix), is not a pre-release, is
//! within the bump level, and that the image's own rule allows (Ubuntu: LTS releases only).
//!
//! Pure: works on tag strings. Tags whose version cannot be read (`latest`, `bookworm`,
//! `lts-slim`) are never moved; the caller reports why.

use std::cmp::Ordering;

use crate::docker::tag::{Tag, parse_version};
use crate::policy::data::Catalog;

/// How far a bump may go.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Default,
    serde::Deserialize,
    serde::Serialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Only the last component of a three-part version (`3.12.1` → `3.12.4`).
    Patch,
    /// Anything but the first component (`3.12` → `3.13`, `3.12.1` → `3.14.0`).
    #[default]
    Minor,
    /// Any newer version (`20-alpine` → `22-alpine`).
    Major,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Patch => "patch",
            Level::Minor => "minor",
            Level::Major => "major",
        }
    }
}

fn within(level: Level, current: &[u64], candidate: &[u64]) -> bool {
    let fixed = match level {
        Level::Major => 0,
        Level::Minor => 1,
        Level::Patch => current.len().saturating_sub(1).max(2),
    };
    let fixed = fixed.min(current.len());
    current[..fixed] == candidate[..fixed]
}

/// An image-specific rule on which versions are acceptable at all.
struct ImageRule {
    registry: &'static str,
    repository: &'static str,
    why: &'static str,
    allows: fn(&[u64]) -> bool,
}

/// Ubuntu: only LTS releases, from the shipped lifecycle catalogue (interim releases are out of
/// support after nine months).
fn ubuntu_lts(numbers: &[u64]) -> bool {
    Catalog::embedded()
        .ubuntu_lts_versions()
        .iter()
        .any(|v| parse_version(v).is_some_and(|lts| lts == numbers))
}

const IMAGE_RULES: &[ImageRule] = &[ImageRule {
    registry: "docker.io",
    repository: "library/ubuntu",
    why: "Ubuntu: LTS releases only",
    allows: ubuntu_lts,
}];

/// The rule text for an image, when one applies (for reports).
pub fn image_rule(registry: &str, repository: &str) -> Option<&'static str> {
    IMAGE_RULES
        .iter()
        .find(|r| r.registry == registry && r.repository == repository)
        .map(|r| r.why)
}

/// What [`pick`] decided for one image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// Move to this tag.
    Newer(String),
    /// The current tag is the newest allowed one.
    Current,
    /// The tag cannot be compared (no version, or a pre-release); it is left alone.
    NotComparable,
}

/// Orders candidates with equal versions: the newer Alpine release first, then by text.
fn distro_version(tag: &Tag) -> Vec<u64> {
    tag.distro()
        .and_then(|(_, v)| v)
        .and_then(|v| parse_version(&v))
        .unwrap_or_default()
}

/// Picks the tag `current` should move to among `tags`, for an image at `registry/repository`:
/// the same shape ([`Tag::same_shape`]: same number of version parts, same variant and distro,
/// an Alpine suffix may follow the image's Alpine release), no pre-release, within `level`.
pub fn pick(
    registry: &str,
    repository: &str,
    current: &str,
    tags: &[String],
    level: Level,
) -> Choice {
    let now = Tag::parse(current);
    if now.version.is_empty() || now.is_prerelease() {
        return Choice::NotComparable;
    }
    // `3` must not jump to a date tag such as `20260805`.
    let date_like = |t: &Tag| t.version[0] >= 1000;
    let rule = IMAGE_RULES
        .iter()
        .find(|r| r.registry == registry && r.repository == repository);
    let best = tags
        .iter()
        .map(|t| Tag::parse(t))
        .filter(|c| !c.is_prerelease() && now.same_shape(c) && date_like(c) == date_like(&now))
        .filter(|c| within(level, &now.version, &c.version))
        .filter(|c| rule.is_none_or(|r| (r.allows)(&c.version)))
        .filter(|c| c.cmp_version(&now) == Ordering::Greater)
        .max_by(|a, b| {
            a.cmp_version(b)
                .then_with(|| distro_version(a).cmp(&distro_version(b)))
                .then_with(|| b.raw.cmp(&a.raw))
        });
    match best {
        Some(tag) => Choice::Newer(tag.raw),
        None => Choice::Current,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(list: &str) -> Vec<String> {
        list.split_whitespace().map(String::from).collect()
    }

    fn newer(repo: &str, current: &str, list: &str, level: Level) -> Option<String> {
        match pick("docker.io", repo, current, &tags(list), level) {
            Choice::Newer(t) => Some(t),
            _ => None,
        }
    }

    const PYTHON: &str = "3.12-slim-bookworm 3.13-slim-bookworm 3.13-slim-trixie 3.13 3.13.1-slim-bookworm \
        3.14-slim-bookworm 3.15.0rc1-slim-bookworm 3.15-rc-slim-bookworm 4.0-slim 3.12-alpine3.20 3.13-alpine3.20 3.13-alpine3.21 latest slim";

    #[test]
    fn keeps_the_variant_and_distro() {
        assert_eq!(
            newer("library/python", "3.12-slim-bookworm", PYTHON, Level::Minor).as_deref(),
            Some("3.14-slim-bookworm")
        );
        assert_eq!(
            newer("library/python", "3.12-alpine3.20", PYTHON, Level::Minor).as_deref(),
            Some("3.13-alpine3.21"),
            "the Alpine suffix follows the image's Alpine release"
        );
        assert_eq!(
            newer("library/python", "3.14-slim-bookworm", PYTHON, Level::Major),
            None,
            "no pre-releases"
        );
    }

    #[test]
    fn keeps_the_number_of_components_and_the_level() {
        let list =
            "20 20.1 20.11.1 20.12.0 21 22 22.1.0 24.0.1 20-alpine 22-alpine 23-alpine 20260805";
        assert_eq!(
            newer("library/node", "20", list, Level::Minor),
            None,
            "one component moves only at major"
        );
        assert_eq!(
            newer("library/node", "20", list, Level::Major).as_deref(),
            Some("22")
        );
        assert_eq!(
            newer("library/node", "20-alpine", list, Level::Major).as_deref(),
            Some("23-alpine")
        );
        assert_eq!(
            newer("library/node", "20.11.0", list, Level::Patch).as_deref(),
            Some("20.11.1")
        );
        assert_eq!(
            newer("library/node", "20.11.0", list, Level::Minor).as_deref(),
            Some("20.12.0")
        );
        assert_eq!(
            newer("library/node", "20.11.0", list, Level::Major).as_deref(),
            Some("24.0.1")
        );
        assert_eq!(
            newer("library/alpine", "3", "3 4 20260805", Level::Major).as_deref(),
            Some("4"),
            "never to a date tag"
        );
        assert_eq!(newer("library/x", "3.12", "3.13", Level::Patch), None);
    }

    #[test]
    fn ubuntu_moves_only_to_lts() {
        let list = "20.04 22.04 22.10 23.04 24.04 24.10 25.04 26.04 26.10 jammy noble latest";
        assert_eq!(
            newer("library/ubuntu", "22.04", list, Level::Major).as_deref(),
            Some("26.04")
        );
        assert_eq!(newer("library/ubuntu", "22.04", list, Level::Minor), None);
        assert_eq!(
            newer("library/ubuntu", "23.04", list, Level::Major).as_deref(),
            Some("26.04")
        );
        assert_eq!(
            newer("someone/ubuntu", "22.04", list, Level::Major).as_deref(),
            Some("26.10"),
            "only the official image"
        );
        assert_eq!(
            pick(
                "docker.io",
                "library/ubuntu",
                "jammy",
                &tags(list),
                Level::Major
            ),
            Choice::NotComparable
        );
    }

    #[test]
    fn unreadable_tags_are_left_alone() {
        for t in [
            "latest",
            "bookworm",
            "lts-slim",
            "3.15.0rc1",
            "3.15-rc-slim",
        ] {
            assert_eq!(
                pick(
                    "docker.io",
                    "library/python",
                    t,
                    &tags(PYTHON),
                    Level::Major
                ),
                Choice::NotComparable,
                "{t}"
            );
        }
    }
}
