//! The one fix for an image reference, computed from every rule that fires on it: the image's
//! own version moved to the newest LTS or stable cycle, a dead OS suffix replaced, a pinned patch
//! version moved to its supported tag, a version named where there was none, and (for the
//! production image) the slim or alpine variant of the same flavour. A suggestion is only made
//! when the resulting tag is among the image's supported tags in the shipped data (Docker
//! Official Images, the MCR .NET tag list); otherwise there is none, rather than a guess.

use chrono::NaiveDate;

use super::facts::{Cycle, Facts};
use super::lifecycle::{self, Reading, best_target, display, primary_product, read, targets};
use crate::docker::ImageRef;

/// Tag words that mean a Windows image: there is no Linux variant to move it to.
const WINDOWS: &[&str] = &["windowsservercore", "nanoserver", "ltsc", "windows"];

/// A better reference for `image`, if one exists in the data. `minimal`: also move a full variant
/// to its slim or alpine variant (the production image).
pub fn better(
    image: &ImageRef,
    facts: &Facts,
    today: NaiveDate,
    minimal: bool,
) -> Option<ImageRef> {
    if image.registry == "gcr.io" && image.repository.starts_with("distroless/") {
        return distroless(image, facts, today);
    }
    let tags = facts.supported_tags(image)?;
    let exists = |t: &str| tags.iter().any(|s| s == t);
    let tag = image
        .tag
        .as_deref()
        .filter(|t| !t.eq_ignore_ascii_case("latest"));
    let candidates: Vec<String> = match tag {
        None => {
            let product = primary_product(image, facts)?;
            good_cycles(facts.cycles(product), today)
                .into_iter()
                .flat_map(|c| [c.name.clone(), format!("{}.0", c.name)])
                .collect()
        }
        Some(tag) => rewritten(image, tag, facts, today),
    };
    let mut chosen = candidates.into_iter().find(|c| exists(c))?;
    if minimal && let Some(slim) = minimal_variant(&chosen, tags, facts) {
        chosen = slim;
    }
    if Some(chosen.as_str()) == image.tag.as_deref() && image.digest.is_none() {
        return None;
    }
    let mut out = image.clone();
    out.tag = Some(chosen);
    out.digest = None;
    Some(out)
}

/// Cycles to move to, best first: the targets (newest LTS, newest), then every other supported
/// released cycle, newest first.
fn good_cycles(cycles: &[Cycle], today: NaiveDate) -> Vec<&Cycle> {
    let mut out = targets(cycles, today);
    let mut rest: Vec<&Cycle> = cycles
        .iter()
        .filter(|c| c.is_released(today) && !c.is_eol(today) && !out.contains(c))
        .collect();
    rest.sort_by_key(|c| std::cmp::Reverse(c.release));
    out.extend(rest);
    out
}

/// Whether a reading needs moving: past end of life, or not the newest LTS/stable cycle.
fn needs_move(r: &Reading, facts: &Facts, today: NaiveDate) -> bool {
    let c = r.cycle;
    if c.is_eol(today) || c.in_extended_phase(today) {
        return true;
    }
    let goals = targets(facts.cycles(r.product), today);
    if r.product == "ubuntu" && c.lts_from.is_none() {
        return true;
    }
    !goals.is_empty() && !goals.contains(&c) && goals.iter().any(|g| g.release > c.release)
}

/// Candidate tags for a tagged reference, best first.
fn rewritten(image: &ImageRef, tag: &str, facts: &Facts, today: NaiveDate) -> Vec<String> {
    let parts: Vec<&str> = tag.split('-').collect();
    let readings = read(image, facts);
    // For every part of the tag: the values it may take, best first (`None`: drop the part).
    // A date or build suffix (`jammy-20260810`) may be dropped: a newer release's dated tags
    // differ.
    let mut options: Vec<Vec<Option<String>>> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if i > 0 && p.len() >= 6 && p.bytes().all(|b| b.is_ascii_digit()) {
                vec![Some(p.to_string()), None]
            } else {
                vec![Some(p.to_string())]
            }
        })
        .collect();
    for r in readings.iter().filter(|r| !r.in_repository) {
        let Some(i) = parts.iter().position(|p| *p == r.written) else {
            continue;
        };
        let style = |c: &Cycle| -> Vec<String> {
            if r.written.starts_with("alpine") {
                vec![format!("alpine{}", c.name)]
            } else if r.written.starts_with(|ch: char| ch.is_ascii_digit()) {
                vec![c.name.clone(), format!("{}.0", c.name)]
            } else {
                vec![c.codename.clone().unwrap_or_else(|| c.name.clone())]
            }
        };
        let mut values: Vec<Option<String>> = Vec::new();
        if !needs_move(r, facts, today) {
            values.extend(style(r.cycle).into_iter().map(Some));
            if r.primary && r.written != r.cycle.name {
                // A pinned patch version, kept only when its own tag is supported.
                values.insert(0, Some(r.written.clone()));
            }
        }
        for c in good_cycles(facts.cycles(r.product), today) {
            values.extend(style(c).into_iter().map(Some));
        }
        if !r.primary {
            values.push(None);
        }
        values.dedup();
        options[i] = values;
    }
    let mut out = Vec::new();
    combine(&options, 0, &mut Vec::new(), &mut out);
    out
}

/// Every combination of the options, in order of preference (earlier parts vary slowest), at
/// most a few hundred.
fn combine(
    options: &[Vec<Option<String>>],
    i: usize,
    acc: &mut Vec<String>,
    out: &mut Vec<String>,
) {
    if out.len() > 400 {
        return;
    }
    if i == options.len() {
        if !acc.is_empty() {
            out.push(acc.join("-"));
        }
        return;
    }
    for value in &options[i] {
        if let Some(v) = value {
            acc.push(v.clone());
            combine(options, i + 1, acc, out);
            acc.pop();
        } else {
            combine(options, i + 1, acc, out);
        }
    }
}

/// Words in a tag that already mean a minimal variant.
pub const MINIMAL: &[&str] = &[
    "slim",
    "alpine",
    "distroless",
    "chiseled",
    "minimal",
    "busybox",
    "nanoserver",
];

/// Whether a tag already names a minimal variant, or a Windows image (no Linux variant counts).
pub fn is_minimal_or_windows(tag: &str) -> bool {
    tag.split(['-', '.'])
        .any(|w| MINIMAL.iter().chain(WINDOWS).any(|m| w.starts_with(m)))
}

/// The slim or alpine variant of the same version and flavour, if the image publishes it:
/// `3.14` → `3.14-slim`, `3.14-trixie` → `3.14-slim-trixie`, `8.4-fpm` → `8.4-fpm-alpine`,
/// `25-jre-noble` → `25-jre-alpine`, `trixie` → `trixie-slim`.
pub fn minimal_variant(tag: &str, supported: &[String], facts: &Facts) -> Option<String> {
    if tag.eq_ignore_ascii_case("latest") || is_minimal_or_windows(tag) {
        return None;
    }
    let parts: Vec<&str> = tag.split('-').collect();
    let mut candidates = vec![format!("{tag}-slim")];
    let is_os = |word: &str| {
        ["debian", "ubuntu"]
            .iter()
            .any(|p| super::lifecycle::cycle_for_codename(facts.cycles(p), word).is_some())
    };
    if parts.len() > 1
        && let Some((last, init)) = parts.split_last()
        && is_os(last)
    {
        let head = init.join("-");
        // `3.14-trixie` → `3.14-slim-trixie`; `25-jre-noble` → `25-jre-alpine`.
        candidates.push(format!("{head}-slim-{last}"));
        candidates.push(format!("{head}-slim"));
        candidates.push(format!("{head}-alpine"));
    }
    candidates.push(format!("{tag}-alpine"));
    candidates.into_iter().find(|c| supported.contains(c))
}

/// Distroless carries its Debian release in the repository name.
fn distroless(image: &ImageRef, facts: &Facts, today: NaiveDate) -> Option<ImageRef> {
    let r = read(image, facts).into_iter().find(|r| r.in_repository)?;
    if !needs_move(&r, facts, today) {
        return None;
    }
    let target = best_target(facts.cycles("debian"), today)?;
    Some(lifecycle::rewrite(image, &r, target))
}

/// The reference as written, and the suggestion written the same way: the tag replaced in the
/// text when the text ends with it, the short form otherwise.
pub fn as_written(raw: &str, image: &ImageRef, better: &ImageRef) -> (String, String) {
    let shown = display(image);
    if raw.contains('$') || raw.is_empty() {
        return (shown, display(better));
    }
    let cut = raw.find('@').unwrap_or(raw.len());
    let name_end = match raw[..cut].rfind(':') {
        Some(i) if !raw[i..cut].contains('/') => i,
        _ => cut,
    };
    let mut to = raw[..name_end].to_string();
    if better.repository != image.repository || better.registry != image.registry {
        return (raw.to_string(), display(better));
    }
    if let Some(t) = &better.tag {
        to.push(':');
        to.push_str(t);
    }
    (raw.to_string(), to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Facts {
        Facts::from(crate::policy::data::Catalog::embedded())
    }

    fn better_of(r: &str, minimal: bool) -> Option<String> {
        let img = ImageRef::parse(r).unwrap();
        better(&img, &shipped(), crate::policy::tests::today(), minimal).map(|b| display(&b))
    }

    #[test]
    fn combined_fixes_name_supported_tags() {
        assert_eq!(
            better_of("golang:1.16-buster", false).as_deref(),
            Some("golang:1.27-trixie")
        );
        assert_eq!(
            better_of("python:3.8-slim", false).as_deref(),
            Some("python:3.14-slim")
        );
        assert_eq!(
            better_of("mcr.microsoft.com/dotnet/aspnet:6.0-jammy", false).as_deref(),
            Some("mcr.microsoft.com/dotnet/aspnet:10.0-noble")
        );
        assert_eq!(
            better_of("php:8.4-fpm", true).as_deref(),
            Some("php:8.5-fpm-alpine")
        );
        assert_eq!(
            better_of("eclipse-temurin:25-jre-noble", true).as_deref(),
            Some("eclipse-temurin:25-jre-alpine")
        );
        assert_eq!(
            better_of("php:8.4-apache", true).as_deref(),
            Some("php:8.5-apache")
        );
    }

    #[test]
    fn written_like_the_reference() {
        let img = ImageRef::parse("docker.io/library/golang:1.16-buster").unwrap();
        let b = ImageRef::parse("golang:1.26-trixie").unwrap();
        assert_eq!(
            as_written("docker.io/library/golang:1.16-buster", &img, &b),
            (
                "docker.io/library/golang:1.16-buster".to_string(),
                "docker.io/library/golang:1.26-trixie".to_string()
            )
        );
    }
}
