//! `base-image/unsupported-tag`: an official image tag that is no longer in the image's
//! supported set (Docker Scout's "only supported tags"), so it is no longer rebuilt with fixes.

use super::{FileCx, Hit, Rule, Scope, eol::is_eol, how};
use crate::finding::{self, Severity};
use crate::policy::lifecycle::{display, read};
use crate::policy::official_name;

pub const RULE: Rule = Rule {
    meta: finding::Rule {
        id: "base-image/unsupported-tag",
        summary: "An official image tag that is not in the image's supported tags (typically a pinned patch version), so it no longer receives rebuilds with security fixes; not reported when `base-image/eol` is.",
        severity: Severity::Warning,
        help: "Use one of the supported tags listed on the image's Docker Hub page (usually the shorter `MAJOR.MINOR` form).",
    },
    production_only: false,
    scope: Scope::Dockerfile(check),
};

fn check(cx: &FileCx, out: &mut Vec<Hit>) {
    for u in cx.uses() {
        let (Some(name), Some(tag)) = (official_name(&u.image), u.image.tag.as_deref()) else {
            continue;
        };
        if tag.eq_ignore_ascii_case("latest") {
            continue;
        }
        let Some(official) = cx.facts.official(name) else {
            continue;
        };
        if official.removed
            || official.tags.is_empty()
            || official.tags.iter().any(|t| t == tag)
            || is_eol(cx, &u.image)
        {
            continue;
        }
        let shown = display(&u.image);
        // The same tag with the cycle instead of the full version, if that one is supported.
        let fix = read(&u.image, cx.facts)
            .into_iter()
            .find(|r| r.primary)
            .and_then(|r| {
                let candidate = tag.replacen(&r.written, &r.cycle.name, 1);
                official.tags.contains(&candidate).then(|| {
                    let mut img = u.image.clone();
                    img.tag = Some(candidate);
                    img.digest = None;
                    format!(
                        "`{shown}` → `{}` (a supported tag that follows patch releases)",
                        display(&img)
                    )
                })
            });
        out.push(Hit {
            line: u.line,
            message: format!("{} {shown}: `{tag}` is not among the supported tags of the official `{name}` image, so it gets no more rebuilds", how(u.kind)),
            fix,
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::rules::testing::{findings, hits};

    #[test]
    fn unsupported_tag_warns() {
        assert!(
            findings("FROM python:3.14.0-slim AS b\nFROM scratch\n")
                .contains(&("base-image/unsupported-tag", 1))
        );
        let h = hits(
            "FROM python:3.14.0-slim AS b\nFROM scratch\n",
            "base-image/unsupported-tag",
        );
        assert!(
            h[0].fix.as_deref().unwrap().contains("`python:3.14-slim`"),
            "{h:?}"
        );
    }

    #[test]
    fn supported_eol_and_unofficial_tags_pass() {
        for ok in [
            "FROM python:3.14-slim\n",
            "FROM python:3.8-slim\n",
            "FROM gcr.io/distroless/base-debian13:whatever\n",
        ] {
            assert!(
                !findings(ok)
                    .iter()
                    .any(|(r, _)| *r == "base-image/unsupported-tag"),
                "{ok}"
            );
        }
    }
}
