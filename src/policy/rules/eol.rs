//! `base-image/eol`: a version past its end of life (the image's own version, or the OS release
//! beneath it), or an image removed from the Docker Official Images.

use super::{FileCx, Hit, Rule, Scope, how};
use crate::finding::{self, Severity};
use crate::policy::lifecycle::{display, label, read};
use crate::policy::official_name;

pub const RULE: Rule = Rule {
    meta: finding::Rule {
        id: "base-image/eol",
        summary: "A version past its end of life: the image's own (Python 3.9, Node.js 20, Ubuntu 20.04, ...) or the OS release beneath it (`-bullseye`, `-alpine3.19`, `distroless/*-debian11`), or an official image that was removed and gets no more updates (`centos`). End of life is the end of all upstream support (Debian LTS included). One finding per reference, naming every version past its end.",
        severity: Severity::Error,
        help: "Move to the newest LTS or stable version the data lists.",
    },
    production_only: false,
    scope: Scope::Dockerfile(check),
};

fn check(cx: &FileCx, out: &mut Vec<Hit>) {
    for u in cx.uses() {
        let shown = display(&u.image);
        if let Some(name) = official_name(&u.image)
            && cx.facts.official(name).is_some_and(|o| o.removed)
        {
            out.push(Hit {
                line: u.line,
                message: format!(
                    "{} {shown}: `{name}` was removed from the Docker Official Images and no longer gets updates",
                    how(u.kind)
                ),
                fix: None,
            });
            continue;
        }
        let dead: Vec<String> = read(&u.image, cx.facts)
            .into_iter()
            .filter(|r| r.cycle.is_eol(cx.today))
            .map(|r| {
                format!(
                    "{} {} reached end of life on {}",
                    label(r.product),
                    r.cycle.name,
                    r.cycle.eol.map(|d| d.to_string()).unwrap_or_default()
                )
            })
            .collect();
        if dead.is_empty() {
            continue;
        }
        out.push(Hit {
            line: u.line,
            message: format!("{} {shown}: {}", how(u.kind), dead.join("; ")),
            fix: None,
        });
    }
}

/// Whether any version the reference names is past end of life (other rules step aside then).
pub fn is_eol(cx: &FileCx, image: &crate::docker::ImageRef) -> bool {
    read(image, cx.facts)
        .iter()
        .any(|r| r.cycle.is_eol(cx.today))
}

#[cfg(test)]
mod tests {
    use crate::policy::rules::testing::{findings, hits};

    #[test]
    fn eol_versions_and_distros_fail() {
        assert!(findings("FROM python:3.8-slim\n").contains(&("base-image/eol", 1)));
        assert!(findings("FROM python:3.14-slim-buster\n").contains(&("base-image/eol", 1)));
        assert!(findings("FROM ubuntu:18.04\n").contains(&("base-image/eol", 1)));
        assert!(
            findings("FROM gcr.io/distroless/static-debian10\n").contains(&("base-image/eol", 1))
        );
        assert!(findings("FROM centos:7\n").contains(&("base-image/eol", 1)));
    }

    #[test]
    fn supported_versions_pass() {
        for ok in [
            "FROM python:3.14-slim\n",
            "FROM ubuntu:24.04\n",
            "FROM node:lts-alpine\n",
            "FROM alpine:3.22\n",
        ] {
            assert!(
                !findings(ok).iter().any(|(r, _)| *r == "base-image/eol"),
                "{ok}"
            );
        }
    }

    #[test]
    fn fix_rewrites_the_tag() {
        let h = hits("FROM python:3.8-slim\n", "base-image/eol");
        assert_eq!(
            h[0].fix.as_deref(),
            Some("`python:3.8-slim` → `python:3.14-slim`")
        );
    }
}
