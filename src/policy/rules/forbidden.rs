//! `base-image/forbidden`: an image that is neither a Docker Official Image nor from an
//! allowlisted official source or verified publisher, in any stage.

use super::{FileCx, Hit, Rule, Scope, how};
use crate::docker::{ImageUse, UseKind};
use crate::finding::{self, Severity};
use crate::policy::{Category, lifecycle::display, official_name};

pub const RULE: Rule = Rule {
    meta: finding::Rule {
        id: "base-image/forbidden",
        summary: "An image (in any stage, `COPY --from` or `RUN --mount from`) that is not a Docker Official Image nor from an allowlisted official source or verified publisher (\"cannot be verified\"); a `docker.io/library/<name>` the shipped list of official images does not know is forbidden too.",
        severity: Severity::Error,
        help: "Use a Docker Official Image, distroless or another allowlisted source; if the publisher is a Docker Verified Publisher, add it to [policy] verified_publishers in fleet.toml.",
    },
    production_only: false,
    scope: Scope::Dockerfile(check),
};

fn check(cx: &FileCx, out: &mut Vec<Hit>) {
    for u in cx.uses() {
        if cx.category(&u.image) != Category::Forbidden {
            continue;
        }
        let shown = display(&u.image);
        let bare = unknown_name(cx, u);
        let message = match official_name(&u.image) {
            // `COPY --from=templates`: most likely a named build context drydock was not told of.
            _ if bare => format!(
                "{} {}: `{}` is neither a stage of this Dockerfile, an official image nor a named build context of docker-bake.hcl (`contexts`) or compose (`additional_contexts`)",
                how(u.kind),
                u.raw,
                u.raw
            ),
            Some(name) => format!(
                "{} {shown}: docker.io/library/{name} is not a Docker Official Image, so its source cannot be verified",
                how(u.kind)
            ),
            None => format!(
                "{} {shown}: {}/{} is neither a Docker Official Image nor from an allowlisted source or verified publisher, so it cannot be verified",
                how(u.kind),
                u.image.registry,
                u.image.repository
            ),
        };
        out.push(Hit {
            line: u.line,
            message,
            fix: None,
        });
    }
}

/// `COPY --from=<name>` (or a mount `from=`) with a bare name that is neither a stage, an
/// official image nor a known build context: reported once, as exactly that.
pub fn unknown_name(cx: &FileCx, u: &ImageUse) -> bool {
    u.kind != UseKind::From
        && !u.raw.contains(['/', ':', '@'])
        && official_name(&u.image).is_some_and(|n| cx.facts.official(n).is_none())
}

#[cfg(test)]
mod tests {
    use crate::policy::rules::testing::{findings, findings_with};

    #[test]
    fn unofficial_images_are_forbidden_in_any_stage() {
        let got = findings(
            "FROM bitnami/python:3.12 AS build\nFROM alpine:3.24\nCOPY --from=build /a /a\n",
        );
        assert_eq!(got, [("base-image/forbidden", 1)]);
        let got = findings("FROM ghcr.io/acme/base:1.0\n");
        assert!(got.contains(&("base-image/forbidden", 1)));
        let got = findings("FROM docker.io/library/notanimage:1\n");
        assert!(got.contains(&("base-image/forbidden", 1)));
    }

    #[test]
    fn official_and_allowlisted_images_pass() {
        for ok in [
            "FROM alpine:3.22\n",
            "FROM gcr.io/distroless/static-debian13:nonroot\n",
            "FROM scratch\n",
        ] {
            assert!(
                !findings(ok)
                    .iter()
                    .any(|(r, _)| *r == "base-image/forbidden"),
                "{ok}"
            );
        }
    }

    #[test]
    fn verified_publishers_are_allowed() {
        let got = findings_with(
            "[policy]\nverified_publishers = [\"docker.io/bitnami/*\"]\n",
            "FROM bitnami/redis:7.4\n",
        );
        assert!(
            !got.iter().any(|(r, _)| *r == "base-image/forbidden"),
            "{got:?}"
        );
    }
}
