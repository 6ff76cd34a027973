//! `base-image/not-slim`: the production image runs on a full variant of an official image that
//! has slim or alpine variants ("minimal size: prefer slim/alpine").

use super::{FileCx, Hit, Rule, Scope};
use crate::finding::{self, Severity};
use crate::policy::lifecycle::display;
use crate::policy::official_name;
use crate::policy::suggest::minimal_variant;

pub const RULE: Rule = Rule {
    meta: finding::Rule {
        id: "base-image/not-slim",
        summary: "The production stage uses a full variant of an official image that publishes a slim or alpine variant of the same version and flavour (`php:8.5-fpm` → `8.5-fpm-alpine`; no finding for `php:8.5-apache` or Windows images, which have none).",
        severity: Severity::Warning,
        help: "Use the `-slim` or `-alpine` variant of the same version and flavour.",
    },
    production_only: true,
    scope: Scope::Dockerfile(check),
};

fn check(cx: &FileCx, out: &mut Vec<Hit>) {
    let Some(stage) = cx.final_stage() else {
        return;
    };
    let Some((image, line)) = cx.root_image(stage) else {
        return;
    };
    let (Some(_), Some(tag)) = (official_name(image), image.tag.as_deref()) else {
        return;
    };
    // Only a slim or alpine variant of the same image, version and flavour counts, and only
    // when the data lists it.
    let Some(tags) = cx.facts.supported_tags(image) else {
        return;
    };
    if minimal_variant(tag, tags, cx.facts).is_none() {
        return;
    }
    let shown = display(image);
    out.push(Hit {
        line,
        message: format!("the production image is built on {shown}, a full variant; the policy prefers slim or alpine variants for a minimal size"),
        fix: None,
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
