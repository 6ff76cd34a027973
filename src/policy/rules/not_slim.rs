//! `base-image/not-slim`: the production image runs on a full variant of an official image that
//! has slim or alpine variants ("minimal size: prefer slim/alpine").

use super::{FileCx, Hit, Rule, Scope};
use crate::finding::{self, Severity};
use crate::policy::lifecycle::display;
use crate::policy::official_name;

pub const RULE: Rule = Rule {
    meta: finding::Rule {
        id: "base-image/not-slim",
        summary: "The production stage uses a full variant of an official image that has slim or alpine variants.",
        severity: Severity::Warning,
        help: "Use the `-slim` or `-alpine` variant of the same version.",
    },
    production_only: true,
    scope: Scope::Dockerfile(check),
};

/// Words in a tag that already mean a minimal variant.
const MINIMAL: &[&str] = &[
    "slim",
    "alpine",
    "distroless",
    "chiseled",
    "minimal",
    "busybox",
    "nanoserver",
];

/// Minimal variants of a tag, in order of preference: `3.12` → `3.12-slim`, `3.12-alpine`;
/// `3.12-bookworm` → `3.12-slim-bookworm`; `bookworm` → `bookworm-slim`.
pub fn slim_candidates(tag: &str) -> Vec<String> {
    let (first, rest) = tag
        .split_once('-')
        .map_or((tag, None), |(a, b)| (a, Some(b)));
    let mut out = vec![format!("{tag}-slim")];
    if let Some(rest) = rest {
        out.push(format!("{first}-slim-{rest}"));
    }
    out.push(format!("{first}-alpine"));
    out
}

fn check(cx: &FileCx, out: &mut Vec<Hit>) {
    let Some(stage) = cx.final_stage() else {
        return;
    };
    let Some((image, line)) = cx.root_image(stage) else {
        return;
    };
    let (Some(name), Some(tag)) = (official_name(image), image.tag.as_deref()) else {
        return;
    };
    if tag.eq_ignore_ascii_case("latest")
        || tag
            .split(['-', '.'])
            .any(|w| MINIMAL.iter().any(|m| w.starts_with(m)))
    {
        return;
    }
    let Some(official) = cx.facts.official(name) else {
        return;
    };
    let Some(candidate) = slim_candidates(tag)
        .into_iter()
        .find(|c| official.tags.contains(c))
    else {
        return;
    };
    let shown = display(image);
    let mut better = image.clone();
    better.tag = Some(candidate);
    better.digest = None;
    out.push(Hit {
        line,
        message: format!("the production image is built on {shown}, a full variant; the policy prefers slim or alpine variants for a minimal size"),
        fix: Some(format!("`{shown}` → `{}`", display(&better))),
    });
}

#[cfg(test)]
mod tests {
    use crate::policy::rules::testing::{findings, findings_at, hits};

    #[test]
    fn full_variant_in_production_warns() {
        assert!(findings("FROM python:3.14\n").contains(&("base-image/not-slim", 1)));
        assert!(findings("FROM debian:trixie\n").contains(&("base-image/not-slim", 1)));
        let h = hits(
            "FROM golang:1.27 AS build\nFROM python:3.14-trixie\n",
            "base-image/not-slim",
        );
        assert_eq!(
            h[0].fix.as_deref(),
            Some("`python:3.14-trixie` → `python:3.14-slim-trixie`")
        );
        assert_eq!(h[0].line, Some(2));
    }

    #[test]
    fn slim_build_stages_and_dev_files_pass() {
        assert!(
            !findings("FROM python:3.14-slim\n")
                .iter()
                .any(|(r, _)| *r == "base-image/not-slim")
        );
        assert!(
            !findings("FROM python:3.14 AS b\nFROM alpine:3.24\n")
                .iter()
                .any(|(r, _)| *r == "base-image/not-slim")
        );
        assert!(
            !findings("FROM ubuntu:26.04\n")
                .iter()
                .any(|(r, _)| *r == "base-image/not-slim")
        );
        assert!(
            !findings_at(".devcontainer/Dockerfile", "FROM python:3.14\n")
                .iter()
                .any(|(r, _)| *r == "base-image/not-slim")
        );
    }
}
