//! Reads the release cycles an image tag carries: `python:3.12-slim-bookworm` is Python 3.12 on
//! Debian 12, `node:iron-alpine3.19` is Node.js 20 on Alpine 3.19, `ubuntu:jammy` is Ubuntu
//! 22.04, `gcr.io/distroless/static-debian11` is Debian 11. Moving tags (`3`, `lts`, `stable`)
//! and versions the data does not know name no cycle: nothing is guessed.

use chrono::NaiveDate;

use super::facts::{Cycle, Facts};
use super::official_name;
use crate::docker::ImageRef;

/// Which product an image's main version belongs to, for images the data covers.
const PRODUCTS: &[(&str, &str)] = &[
    ("ubuntu", "ubuntu"),
    ("debian", "debian"),
    ("alpine", "alpine-linux"),
    ("node", "nodejs"),
    ("python", "python"),
    ("golang", "go"),
    ("rust", "rust"),
    ("eclipse-temurin", "eclipse-temurin"),
    ("php", "php"),
    ("ruby", "ruby"),
    ("nginx", "nginx"),
    ("postgres", "postgresql"),
    ("redis", "redis"),
];

/// Display names of products, for messages.
pub fn label(product: &str) -> &str {
    match product {
        "ubuntu" => "Ubuntu",
        "debian" => "Debian",
        "alpine-linux" => "Alpine",
        "nodejs" => "Node.js",
        "python" => "Python",
        "go" => "Go",
        "rust" => "Rust",
        "eclipse-temurin" => "Eclipse Temurin",
        "php" => "PHP",
        "ruby" => "Ruby",
        "nginx" => "nginx",
        "postgresql" => "PostgreSQL",
        "redis" => "Redis",
        "dotnet" => ".NET",
        other => other,
    }
}

/// A release cycle found in a reference, and where in the tag (or repository) it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading<'f> {
    pub product: &'static str,
    pub cycle: &'f Cycle,
    /// The text naming it (`3.12.4`, `bookworm`, `alpine3.19`, `debian11`).
    pub written: String,
    /// In the repository name (distroless), not the tag.
    pub in_repository: bool,
    /// The image's own version (`python 3.12`) rather than the OS beneath it (`bookworm`).
    pub primary: bool,
}

/// The product an image's primary version belongs to.
pub fn primary_product(image: &ImageRef) -> Option<&'static str> {
    if let Some(name) = official_name(image) {
        return PRODUCTS.iter().find(|(n, _)| *n == name).map(|(_, p)| *p);
    }
    if image.registry == "mcr.microsoft.com" && image.repository.starts_with("dotnet/") {
        return Some("dotnet");
    }
    None
}

/// Every cycle the reference names that the data knows.
pub fn read<'f>(image: &ImageRef, facts: &'f Facts) -> Vec<Reading<'f>> {
    let mut out = Vec::new();
    if image.registry == "gcr.io"
        && let Some(rest) = image.repository.strip_prefix("distroless/")
        && let Some((_, version)) = rest.rsplit_once("-debian")
        && let Some(cycle) = cycle_for_version(facts.cycles("debian"), version)
    {
        out.push(Reading {
            product: "debian",
            cycle,
            written: format!("debian{version}"),
            in_repository: true,
            primary: false,
        });
    }
    let Some(tag) = image.tag.as_deref() else {
        return out;
    };
    let primary = primary_product(image);
    let parts: Vec<&str> = tag.split('-').collect();
    let mut rest = &parts[..];
    if let Some(product) = primary
        && let Some(first) = rest.first()
    {
        let found = if product == "nodejs" || product == "ubuntu" || product == "debian" {
            cycle_for_version(facts.cycles(product), first)
                .or_else(|| cycle_for_codename(facts.cycles(product), first))
        } else {
            cycle_for_version(facts.cycles(product), first)
        };
        if let Some(cycle) = found {
            out.push(Reading {
                product,
                cycle,
                written: first.to_string(),
                in_repository: false,
                primary: true,
            });
            rest = &rest[1..];
        } else if primary == Some("alpine-linux")
            || primary == Some("debian")
            || primary == Some("ubuntu")
        {
            // An OS image whose version we cannot read: do not read its suffixes as another OS.
            return out;
        }
    }
    for part in rest {
        if let Some(v) = part.strip_prefix("alpine")
            && !v.is_empty()
            && let Some(cycle) = cycle_for_version(facts.cycles("alpine-linux"), v)
        {
            out.push(Reading {
                product: "alpine-linux",
                cycle,
                written: part.to_string(),
                in_repository: false,
                primary: false,
            });
        } else if let Some(cycle) = cycle_for_codename(facts.cycles("debian"), part) {
            out.push(Reading {
                product: "debian",
                cycle,
                written: part.to_string(),
                in_repository: false,
                primary: false,
            });
        } else if let Some(cycle) = cycle_for_codename(facts.cycles("ubuntu"), part) {
            out.push(Reading {
                product: "ubuntu",
                cycle,
                written: part.to_string(),
                in_repository: false,
                primary: false,
            });
        }
    }
    out
}

/// The cycle a version string belongs to: `3.12.4` → `3.12`, `12.5` → `12`, `20` → `20`. A
/// version less specific than the cycles (`3` for Python) names none: it moves.
pub fn cycle_for_version<'f>(cycles: &'f [Cycle], version: &str) -> Option<&'f Cycle> {
    if !version.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    cycles
        .iter()
        .filter(|c| {
            version == c.name
                || (version.starts_with(c.name.as_str())
                    && version[c.name.len()..].starts_with('.'))
        })
        .max_by_key(|c| c.name.len())
}

pub fn cycle_for_codename<'f>(cycles: &'f [Cycle], word: &str) -> Option<&'f Cycle> {
    let word = word.to_ascii_lowercase();
    cycles
        .iter()
        .find(|c| c.codename.as_deref() == Some(word.as_str()))
}

/// The cycles a supported image should be on: the newest released LTS (when the product has
/// LTS releases) and the newest released cycle. Pre-releases do not count.
pub fn targets(cycles: &[Cycle], today: NaiveDate) -> Vec<&Cycle> {
    let released = || {
        cycles
            .iter()
            .filter(|c| c.is_released(today) && !c.is_eol(today))
    };
    let mut out = Vec::new();
    if let Some(lts) = released()
        .filter(|c| c.is_lts(today))
        .max_by(|a, b| a.release.cmp(&b.release))
    {
        out.push(lts);
    }
    if let Some(newest) = released().max_by(|a, b| a.release.cmp(&b.release))
        && !out.contains(&newest)
    {
        out.push(newest);
    }
    out
}

/// The newest released LTS cycle, else the newest released one.
pub fn best_target(cycles: &[Cycle], today: NaiveDate) -> Option<&Cycle> {
    targets(cycles, today).into_iter().next()
}

/// The reference's tag (or repository) rewritten to name `target` instead of the reading's
/// cycle, in the same style (codename for codename, version for version).
pub fn rewrite(image: &ImageRef, reading: &Reading, target: &Cycle) -> ImageRef {
    let replacement = if reading.written.starts_with("alpine") {
        format!("alpine{}", target.name)
    } else if reading.written.starts_with("debian") && reading.in_repository {
        format!("debian{}", target.name)
    } else if reading.written.starts_with(|c: char| c.is_ascii_digit()) {
        target.name.clone()
    } else {
        target
            .codename
            .clone()
            .unwrap_or_else(|| target.name.clone())
    };
    let mut out = image.clone();
    if reading.in_repository {
        out.repository = image.repository.replacen(&reading.written, &replacement, 1);
    } else if let Some(tag) = &image.tag {
        let parts: Vec<String> = tag
            .split('-')
            .map(|p| {
                if p == reading.written {
                    replacement.clone()
                } else {
                    p.to_string()
                }
            })
            .collect();
        out.tag = Some(parts.join("-"));
    }
    out.digest = None;
    out
}

/// How a reference is written back for a fix hint: the short form for Docker Hub.
pub fn display(image: &ImageRef) -> String {
    let name = if image.registry == "docker.io" {
        image
            .repository
            .strip_prefix("library/")
            .unwrap_or(&image.repository)
            .to_string()
    } else {
        format!("{}/{}", image.registry, image.repository)
    };
    let mut s = name;
    if let Some(t) = &image.tag {
        s.push(':');
        s.push_str(t);
    }
    if let Some(d) = &image.digest {
        s.push('@');
        s.push_str(d);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::tests::{facts, image, today};

    #[test]
    fn reads_versions_and_distros() {
        let f = facts();
        let r = read(&image("python:3.12.4-slim-bookworm"), &f);
        let got: Vec<(&str, &str)> = r
            .iter()
            .map(|r| (r.product, r.cycle.name.as_str()))
            .collect();
        assert_eq!(got, [("python", "3.12"), ("debian", "12")]);
        let r = read(&image("node:iron-alpine3.19"), &f);
        let got: Vec<(&str, &str)> = r
            .iter()
            .map(|r| (r.product, r.cycle.name.as_str()))
            .collect();
        assert_eq!(got, [("nodejs", "20"), ("alpine-linux", "3.19")]);
        let r = read(&image("ubuntu:jammy-20240101"), &f);
        assert_eq!(r[0].cycle.name, "22.04");
        let r = read(&image("gcr.io/distroless/static-debian11:nonroot"), &f);
        assert_eq!((r[0].product, r[0].cycle.name.as_str()), ("debian", "11"));
    }

    #[test]
    fn moving_and_unknown_versions_name_no_cycle() {
        let f = facts();
        assert!(read(&image("python:3"), &f).is_empty());
        assert!(read(&image("node:lts-slim"), &f).is_empty());
        assert!(read(&image("debian:stable-slim"), &f).is_empty());
        assert!(read(&image("python:9.99"), &f).is_empty());
        assert!(read(&image("alpine"), &f).is_empty());
    }

    #[test]
    fn targets_are_newest_lts_and_newest_stable() {
        let f = facts();
        let names = |p: &str| {
            targets(f.cycles(p), today())
                .iter()
                .map(|c| c.name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(names("ubuntu"), ["26.04", "26.10"]);
        assert_eq!(names("python"), ["3.14"]);
        assert_eq!(names("nodejs"), ["26"]);
    }

    #[test]
    fn rewrites_in_the_same_style() {
        let f = facts();
        let img = image("python:3.12-slim-bookworm");
        let r = read(&img, &f);
        let py = f
            .cycles("python")
            .iter()
            .find(|c| c.name == "3.14")
            .unwrap();
        assert_eq!(
            display(&rewrite(&img, &r[0], py)),
            "python:3.14-slim-bookworm"
        );
        let deb = f.cycles("debian").iter().find(|c| c.name == "13").unwrap();
        assert_eq!(
            display(&rewrite(&img, &r[1], deb)),
            "python:3.12-slim-trixie"
        );
        let distroless = image("gcr.io/distroless/static-debian11:nonroot");
        let r = read(&distroless, &f);
        assert_eq!(
            display(&rewrite(&distroless, &r[0], deb)),
            "gcr.io/distroless/static-debian13:nonroot"
        );
    }
}
