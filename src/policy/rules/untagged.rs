//! `base-image/untagged`: an image without a tag, or with `latest`, cannot show a version.

use super::{FileCx, Hit, Rule, Scope, how};
use crate::finding::{self, Severity};
use crate::policy::lifecycle::{best_target, display, primary_product};

pub const RULE: Rule = Rule {
    meta: finding::Rule {
        id: "base-image/untagged",
        summary: "An image without a tag, with `latest`, or pinned by digest only: it cannot show which version it is.",
        severity: Severity::Error,
        help: "Name the version in the tag, e.g. `python:3.14-slim` (a digest may follow the tag).",
    },
    production_only: false,
    scope: Scope::Dockerfile(check),
};

/// Distroless images carry their version in the repository name (`nodejs26-debian13`) and are
/// documented with `latest`/`nonroot` tags only: POLICY.md's own example uses one untagged.
fn version_in_repository(image: &crate::docker::ImageRef) -> bool {
    image.registry == "gcr.io"
        && image
            .repository
            .strip_prefix("distroless/")
            .is_some_and(|r| {
                r.rsplit_once("-debian")
                    .is_some_and(|(_, v)| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
            })
}

fn check(cx: &FileCx, out: &mut Vec<Hit>) {
    for u in cx.uses() {
        if version_in_repository(&u.image) || super::forbidden::unknown_name(cx, u) {
            continue;
        }
        let shown = display(&u.image);
        let problem = match (u.image.tag.as_deref(), &u.image.digest) {
            (None, None) => {
                "has no tag, so it pulls whatever `latest` is at build time".to_string()
            }
            (None, Some(_)) => {
                "is pinned by digest only, so the version it holds is not visible".to_string()
            }
            (Some(t), _) if t.eq_ignore_ascii_case("latest") => {
                "uses `latest`, which does not say which version it is".to_string()
            }
            _ => continue,
        };
        let mut suggestion = u.image.clone();
        suggestion.digest = None;
        let fix = primary_product(&u.image, cx.facts)
            .and_then(|p| best_target(cx.facts.cycles(p), cx.today))
            .map(|c| {
                suggestion.tag = Some(c.name.clone());
                format!("name the version: `{}` → `{}`", shown, display(&suggestion))
            });
        out.push(Hit {
            line: u.line,
            message: format!(
                "{} {shown} {problem}; the policy requires a visible, current version",
                how(u.kind)
            ),
            fix,
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::rules::testing::{findings, hits};

    #[test]
    fn missing_tag_latest_and_bare_digest_are_untagged() {
        assert!(findings("FROM alpine\n").contains(&("base-image/untagged", 1)));
        assert!(findings("FROM alpine:latest\n").contains(&("base-image/untagged", 1)));
        let digest = format!("FROM alpine@sha256:{}\n", "a".repeat(64));
        assert!(findings(&digest).contains(&("base-image/untagged", 1)));
        let copy = "FROM alpine:3.22\nCOPY --from=busybox /bin/busybox /bin/\n";
        assert!(
            findings(copy).contains(&("base-image/untagged", 2)),
            "{:?}",
            findings(copy)
        );
    }

    #[test]
    fn tags_stages_and_scratch_pass() {
        let ok = "FROM golang:1.25 AS build\nFROM build AS again\nFROM scratch\nCOPY --from=build /a /a\n";
        assert!(
            !findings(ok)
                .iter()
                .any(|(r, _)| *r == "base-image/untagged")
        );
        let distroless = "FROM golang:1.27 AS b\nFROM gcr.io/distroless/static-debian13\nFROM gcr.io/distroless/base-debian13:latest\n";
        assert!(
            !findings(distroless)
                .iter()
                .any(|(r, _)| *r == "base-image/untagged")
        );
        assert!(findings("FROM gcr.io/distroless/static\n").contains(&("base-image/untagged", 1)));
        let pinned = format!("FROM alpine:3.22@sha256:{}\n", "b".repeat(64));
        assert!(
            !findings(&pinned)
                .iter()
                .any(|(r, _)| *r == "base-image/untagged")
        );
    }

    #[test]
    fn fix_names_the_newest_version() {
        let h = hits(
            "FROM node:latest AS build\nFROM gcr.io/distroless/nodejs26-debian13\n",
            "base-image/untagged",
        );
        assert!(h[0].fix.as_deref().unwrap().contains("`node:26`"), "{h:?}");
    }
}
