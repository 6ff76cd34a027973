//! Where a Dockerfile names external images, as byte spans `bump` can rewrite without touching
//! any other byte: `FROM` images, `COPY --from=<image>`, and global `ARG` defaults that feed a
//! `FROM` (`FROM ${BASE}` or `FROM python:${PY}`). Knows the escape directive, continuations
//! (with comment lines inside them), quoted ARG values and heredoc bodies.
//!
//! Pure: works on the file's text.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::docker::ImageRef;

/// What part of a reference a site's span holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SiteKind {
    /// `FROM image`: the whole reference.
    From,
    /// `COPY --from=image`: the whole reference.
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

struct Token {
    text: String,
    span: Range<usize>,
}

struct Instruction {
    keyword: String,
    tokens: Vec<Token>,
    line: usize,
}

/// Finds the image sites of a Dockerfile.
pub fn find(text: &str) -> Sites {
    let mut out = Sites::default();
    let mut args: BTreeMap<String, (Option<Token>, usize)> = BTreeMap::new();
    let mut stages: Vec<String> = Vec::new();
    let mut seen_from = false;
    let mut arg_sites: BTreeMap<usize, ()> = BTreeMap::new();
    for ins in instructions(text) {
        match ins.keyword.as_str() {
            "ARG" if !seen_from => {
                for t in &ins.tokens[1..] {
                    let (name, value) = match t.text.split_once('=') {
                        Some((n, _)) => {
                            let start = t.span.start + n.len() + 1;
                            let mut v = Token {
                                text: text[start..t.span.end].to_string(),
                                span: start..t.span.end,
                            };
                            let quoted = v.text.len() >= 2
                                && (v.text.starts_with('"') && v.text.ends_with('"')
                                    || v.text.starts_with('\'') && v.text.ends_with('\''));
                            if quoted {
                                v = Token {
                                    text: v.text[1..v.text.len() - 1].to_string(),
                                    span: v.span.start + 1..v.span.end - 1,
                                };
                            }
                            (n.to_string(), Some(v))
                        }
                        None => (t.text.clone(), None),
                    };
                    args.insert(name, (value, ins.line));
                }
            }
            "FROM" => {
                seen_from = true;
                let operands: Vec<&Token> = ins.tokens[1..]
                    .iter()
                    .filter(|t| !t.text.starts_with("--"))
                    .collect();
                let Some(image) = operands.first() else {
                    continue;
                };
                if operands.len() >= 3 && operands[1].text.eq_ignore_ascii_case("as") {
                    stages.push(operands[2].text.to_ascii_lowercase());
                } else {
                    stages.push(String::new());
                }
                let lowered = image.text.to_ascii_lowercase();
                if lowered == "scratch" || stages[..stages.len() - 1].contains(&lowered) {
                    continue;
                }
                from_site(text, image, ins.line, &args, &mut arg_sites, &mut out);
            }
            "COPY" => {
                for t in &ins.tokens[1..] {
                    let Some(value) = t.text.strip_prefix("--from=") else {
                        continue;
                    };
                    let lowered = value.to_ascii_lowercase();
                    if stages.contains(&lowered) || value.bytes().all(|b| b.is_ascii_digit()) {
                        continue;
                    }
                    let token = Token {
                        text: value.to_string(),
                        span: t.span.start + 7..t.span.end,
                    };
                    if value.contains('$') {
                        out.skipped.push(Skipped {
                            line: ins.line,
                            text: value.to_string(),
                            reason: "COPY --from with a variable is not rewritten".into(),
                        });
                        continue;
                    }
                    push_whole(&token, SiteKind::CopyFrom, ins.line, value, &mut out);
                }
            }
            _ => {}
        }
    }
    for site in &mut out.sites {
        site.line = text[..site.span.start].matches('\n').count() + 1;
    }
    out
}

fn push_whole(token: &Token, kind: SiteKind, line: usize, resolved: &str, out: &mut Sites) {
    match parse_reference(resolved) {
        Ok(image) => out.sites.push(Site {
            kind,
            line,
            span: token.span.clone(),
            written: token.text.clone(),
            image,
        }),
        Err(reason) => out.skipped.push(Skipped {
            line,
            text: resolved.to_string(),
            reason,
        }),
    }
}

/// `FROM` operand: a literal, `${ARG}` (the ARG holds the reference) or `name:${ARG}` (the ARG
/// holds the tag).
fn from_site(
    text: &str,
    image: &Token,
    line: usize,
    args: &BTreeMap<String, (Option<Token>, usize)>,
    arg_sites: &mut BTreeMap<usize, ()>,
    out: &mut Sites,
) {
    if !image.text.contains('$') {
        push_whole(image, SiteKind::From, line, &image.text, out);
        return;
    }
    let skip = |out: &mut Sites, reason: &str| {
        out.skipped.push(Skipped {
            line,
            text: image.text.clone(),
            reason: reason.into(),
        })
    };
    let (prefix, var) = match image.text.rfind('$') {
        Some(i) => (&image.text[..i], variable_name(&image.text[i..])),
        None => unreachable!(),
    };
    let Some(var) = var else {
        return skip(
            out,
            "the image uses a variable form drydock does not rewrite (only $NAME or ${NAME})",
        );
    };
    if prefix.contains('$') {
        return skip(out, "the image uses more than one variable");
    }
    let Some((Some(value), arg_line)) = args.get(var) else {
        return skip(
            out,
            &format!("ARG {var} has no default before the first FROM"),
        );
    };
    if value.text.contains('$') {
        return skip(
            out,
            &format!("the default of ARG {var} uses another variable"),
        );
    }
    if text[value.span.clone()] != value.text {
        return skip(
            out,
            &format!("the default of ARG {var} spans a line continuation"),
        );
    }
    let (kind, resolved) = if prefix.is_empty() {
        (SiteKind::ArgImage, value.text.clone())
    } else if let Some(name) = prefix.strip_suffix(':') {
        (SiteKind::ArgTag, format!("{name}:{}", value.text))
    } else {
        return skip(
            out,
            "the variable is neither the whole image nor its whole tag",
        );
    };
    if arg_sites.insert(value.span.start, ()).is_some() {
        return; // Another FROM already uses this ARG: one rewrite serves both.
    }
    match parse_reference(&resolved) {
        Ok(image) => out.sites.push(Site {
            kind,
            line: *arg_line,
            span: value.span.clone(),
            written: value.text.clone(),
            image,
        }),
        Err(reason) => out.skipped.push(Skipped {
            line,
            text: resolved,
            reason,
        }),
    }
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

/// Parses and normalises an image reference as Docker does.
pub fn parse_reference(s: &str) -> Result<ImageRef, String> {
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => {
            let ok = d
                .strip_prefix("sha256:")
                .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
            if !ok {
                return Err(format!("invalid digest {d:?}"));
            }
            (r, Some(d.to_string()))
        }
        None => (s, None),
    };
    let (name, tag) = match rest.rsplit_once(':') {
        Some((n, t)) if !t.contains('/') => (n, Some(t.to_string())),
        _ => (rest, None),
    };
    if let Some(t) = &tag {
        let ok = !t.is_empty()
            && t.len() <= 128
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
        if !ok || t.starts_with(['.', '-']) {
            return Err(format!("invalid tag {t:?}"));
        }
    }
    let (registry, path) = match name.split_once('/') {
        Some((first, rest))
            if first == "localhost"
                || first.contains(['.', ':'])
                || first.bytes().any(|b| b.is_ascii_uppercase()) =>
        {
            (first.to_string(), rest.to_string())
        }
        _ => ("docker.io".to_string(), name.to_string()),
    };
    let registry = match registry.as_str() {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => {
            "docker.io".to_string()
        }
        _ => registry,
    };
    let path = if registry == "docker.io" && !path.contains('/') {
        format!("library/{path}")
    } else {
        path
    };
    let ok = !path.is_empty()
        && path.split('/').all(|c| {
            !c.is_empty()
                && c.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        });
    if !ok {
        return Err(format!("invalid image name {name:?}"));
    }
    Ok(ImageRef {
        registry,
        repository: path,
        tag,
        digest,
    })
}

/// The reference text with a new tag and digest, keeping the name as written.
pub fn rewrite(written: &str, kind: SiteKind, tag: &str, digest: Option<&str>) -> String {
    if kind == SiteKind::ArgTag {
        return tag.to_string();
    }
    let name = written.split_once('@').map_or(written, |(n, _)| n);
    let name = match name.rsplit_once(':') {
        Some((n, t)) if !t.contains('/') => n,
        _ => name,
    };
    match digest {
        Some(d) => format!("{name}:{tag}@{d}"),
        None => format!("{name}:{tag}"),
    }
}

/// The logical instructions of a Dockerfile with their tokens' byte spans.
fn instructions(text: &str) -> Vec<Instruction> {
    let escape = escape_char(text);
    let mut out = Vec::new();
    let mut lines = line_starts(text).into_iter().enumerate().peekable();
    let mut heredoc: Option<(String, bool)> = None;
    while let Some((index, start)) = lines.next() {
        let line = line_at(text, start);
        if let Some((word, strip)) = &heredoc {
            let candidate = if *strip {
                line.trim_start_matches('\t')
            } else {
                line
            };
            if candidate.trim_end_matches('\r') == word {
                heredoc = None;
            }
            continue;
        }
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        // Characters of the logical line with their byte offsets.
        let mut chars: Vec<(usize, char)> = Vec::new();
        let mut current = (start, line);
        loop {
            let (offset, body) = current;
            let body_trimmed = body.trim_end_matches(['\r', ' ', '\t']);
            let continued = body_trimmed.ends_with(escape);
            let keep = if continued {
                &body_trimmed[..body_trimmed.len() - escape.len_utf8()]
            } else {
                body
            };
            chars.extend(keep.char_indices().map(|(i, c)| (offset + i, c)));
            if !continued {
                break;
            }
            chars.push((usize::MAX, ' '));
            // Comment and empty lines inside a continuation are dropped, as BuildKit does.
            loop {
                match lines.next() {
                    Some((_, s)) => {
                        let l = line_at(text, s);
                        let t = l.trim_start();
                        if t.starts_with('#') || t.trim_end().is_empty() {
                            continue;
                        }
                        current = (s, l);
                        break;
                    }
                    None => {
                        current = (text.len(), "");
                        break;
                    }
                }
            }
            if current.1.is_empty() {
                break;
            }
        }
        let tokens = tokenize(text, &chars);
        let Some(first) = tokens.first() else {
            continue;
        };
        let keyword = first.text.to_ascii_uppercase();
        if matches!(keyword.as_str(), "RUN" | "COPY" | "ADD") {
            heredoc = tokens.iter().find_map(|t| heredoc_word(&t.text));
        }
        out.push(Instruction {
            keyword,
            tokens,
            line: index + 1,
        });
    }
    out
}

fn tokenize(text: &str, chars: &[(usize, char)]) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].1.is_whitespace() {
            i += 1;
            continue;
        }
        let begin = i;
        while i < chars.len() && !chars[i].1.is_whitespace() {
            i += 1;
        }
        let word: String = chars[begin..i].iter().map(|(_, c)| c).collect();
        let (first, last) = (chars[begin], chars[i - 1]);
        let span = first.0..last.0 + last.1.len_utf8();
        // A token broken by a continuation has no single span: give it one that cannot match.
        let span = if text.get(span.clone()) == Some(word.as_str()) {
            span
        } else {
            0..0
        };
        tokens.push(Token { text: word, span });
    }
    tokens
}

fn heredoc_word(token: &str) -> Option<(String, bool)> {
    let rest = token.strip_prefix("<<")?;
    let (rest, strip) = match rest.strip_prefix('-') {
        Some(r) => (r, true),
        None => (rest, false),
    };
    let word = rest.trim_matches(['"', '\'']);
    (!word.is_empty() && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        .then(|| (word.to_string(), strip))
}

fn escape_char(text: &str) -> char {
    for line in text.lines() {
        let t = line.trim();
        let Some(directive) = t.strip_prefix('#') else {
            break;
        };
        if let Some((key, value)) = directive.split_once('=') {
            if key.trim().eq_ignore_ascii_case("escape") && value.trim() == "`" {
                return '`';
            }
            continue;
        }
        break;
    }
    '\\'
}

fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(
        text.match_indices('\n')
            .map(|(i, _)| i + 1)
            .filter(|i| *i < text.len()),
    );
    starts
}

fn line_at(text: &str, start: usize) -> &str {
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    &text[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_from_copy_and_arg_sites() {
        let text = "# escape=\\\nARG BASE=python:3.12-slim\nARG NODE_TAG=\"20-alpine\"\nFROM ${BASE} AS build\nRUN <<EOF\nFROM not:this\nEOF\nFROM node:${NODE_TAG} AS web\nCOPY --from=build /a /b\nCOPY --from=busybox:1.36 /bin/sh /sh\nFROM --platform=$BUILDPLATFORM \\\n  # comment\n  gcr.io/distroless/static-debian12:nonroot@sha256:0000000000000000000000000000000000000000000000000000000000000000\nFROM build\nFROM scratch\n";
        let found = find(text);
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
        let text = "# escape=`\nFROM `\n  python:3.12 AS a\nFROM ${UNSET}\nFROM ${A}${B}\n";
        let found = find(text);
        assert_eq!(found.sites.len(), 1);
        assert_eq!(&text[found.sites[0].span.clone()], "python:3.12");
        assert_eq!(found.skipped.len(), 2);
    }

    #[test]
    fn normalises_references() {
        let r = parse_reference("python:3.12").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str()),
            ("docker.io", "library/python")
        );
        let r = parse_reference("localhost:5000/team/app:1.2").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag.as_deref()),
            ("localhost:5000", "team/app", Some("1.2"))
        );
        assert!(parse_reference("UBUNTU").is_err());
        assert_eq!(
            parse_reference("index.docker.io/alpine")
                .unwrap()
                .repository,
            "library/alpine"
        );
    }

    #[test]
    fn rewrites_keep_the_name_as_written() {
        assert_eq!(
            rewrite(
                "docker.io/python:3.12@sha256:ab",
                SiteKind::From,
                "3.13",
                Some("sha256:cd")
            ),
            "docker.io/python:3.13@sha256:cd"
        );
        assert_eq!(
            rewrite("localhost:5000/x:1", SiteKind::From, "2", None),
            "localhost:5000/x:2"
        );
        assert_eq!(
            rewrite("20-alpine", SiteKind::ArgTag, "22-alpine", None),
            "22-alpine"
        );
    }
}
