//! Dockerfiles: parsing (directives, continuations, heredocs), global `ARG` expansion as BuildKit
//! does it, stages and the images each stage uses, and image references.
//!
//! Pure: works on the file's text. The types below are the interface the policy rules and `bump`
//! build on.

mod expand;
mod parse;
pub mod reference;
mod syntax;
pub mod tag;

use std::collections::BTreeMap;
use std::ops::Range;

pub use parse::PLATFORM_ARGS;
pub use reference::{ImageRef, RefError};

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    /// The escape character from `# escape=` (default `\`).
    pub escape: char,
    /// The frontend image from `# syntax=`, as written.
    pub syntax: Option<String>,
    /// `ARG`s declared before the first `FROM`: the only ones a `FROM` can see.
    pub global_args: Vec<ArgDecl>,
    pub stages: Vec<Stage>,
}

/// An `ARG name[=default]` declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgDecl {
    pub name: String,
    /// The default as written (quotes removed), if any.
    pub default: Option<String>,
    /// 1-based line of the `ARG`.
    pub line: usize,
    /// Byte range of the default value in the file, for rewriting it in place.
    pub default_span: Option<Range<usize>>,
}

/// One build stage: a `FROM` and the instructions up to the next `FROM`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// 0-based position in the file.
    pub index: usize,
    /// The `AS` name, lower-cased (stage names are case-insensitive).
    pub name: Option<String>,
    /// `--platform=...` as written, if given.
    pub platform: Option<String>,
    pub from: FromImage,
    /// 1-based line of the `FROM`.
    pub line: usize,
    pub instructions: Vec<Instruction>,
}

/// The image a `FROM` names, as written and as resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FromImage {
    /// The image argument as written, e.g. `${BASE}:3.12-slim`.
    pub raw: String,
    /// Byte range of `raw` in the file.
    pub span: Range<usize>,
    pub base: Base,
    /// Names of the global ARGs the reference used, for rewriting their defaults.
    pub args_used: Vec<String>,
}

/// What a stage starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    Scratch,
    /// An earlier stage, by index.
    Stage(usize),
    Image(ImageRef),
    /// An expression that cannot be resolved from the global ARG defaults and build args.
    Unresolved {
        expression: String,
        reason: String,
    },
}

/// An instruction inside a stage, with continuations joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// Upper-cased keyword: `RUN`, `COPY`, ...
    pub keyword: String,
    /// Flags such as `--from=builder` or `--mount=type=cache,from=img`, as written.
    pub flags: Vec<String>,
    /// Byte range of each flag in the file (parallel to `flags`).
    pub flag_spans: Vec<Range<usize>>,
    /// The arguments after the flags, continuation lines joined as BuildKit joins them (escape and
    /// newline removed, comment lines inside the continuation dropped); heredoc bodies follow on
    /// their own lines.
    pub arguments: String,
    /// The exec form's words when the arguments are a JSON string array (`CMD ["app", "-v"]`).
    pub exec: Option<Vec<String>>,
    /// 1-based line where the instruction starts.
    pub line: usize,
    /// Byte range of the whole instruction.
    pub span: Range<usize>,
}

/// How an external image is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UseKind {
    From,
    CopyFrom,
    MountFrom,
}

/// An external image a Dockerfile pulls: by `FROM`, `COPY --from=<image>` or `RUN --mount=...,from=<image>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageUse {
    pub kind: UseKind,
    /// The stage it occurs in.
    pub stage: usize,
    pub line: usize,
    pub image: ImageRef,
    /// The reference as written in the file (for `FROM`, before ARG expansion).
    pub raw: String,
    /// Byte range of `raw` in the file: the `FROM` image argument, the `--from=`/`from=` value;
    /// for `ONBUILD COPY --from` the whole instruction.
    pub span: Range<usize>,
}

/// A `--from=` (or `--mount=...,from=`) value of an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FromValue {
    pub kind: UseKind,
    /// Unquoted.
    pub value: String,
    /// Where it is written (the whole flag when the flag spans lines; the whole instruction
    /// under `ONBUILD`).
    pub span: Range<usize>,
}

/// A Dockerfile that cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Dockerfile {
    /// Parses `text` and resolves each `FROM` with the global ARG defaults, overridden by
    /// `build_args` (which only apply to ARGs the file declares, plus the platform ARGs).
    pub fn parse(
        text: &str,
        build_args: &BTreeMap<String, String>,
    ) -> Result<Dockerfile, ParseError> {
        parse::parse(text, build_args)
    }

    /// The stage `docker build` produces without `--target`: the last one.
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// A stage by its `AS` name (case-insensitive).
    pub fn stage(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| {
            s.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    }

    /// Every external image the build pulls, in file order: resolved `FROM` images,
    /// `COPY --from=<image>` (also `ADD --from` and inside `ONBUILD`) and
    /// `RUN --mount=...,from=<image>`. Stage names and indexes, `scratch` and values with
    /// variables (BuildKit does not expand `--from`) are not images.
    pub fn external_images(&self) -> Vec<ImageUse> {
        let mut uses = Vec::new();
        for stage in &self.stages {
            if let Base::Image(image) = &stage.from.base {
                uses.push(ImageUse {
                    kind: UseKind::From,
                    stage: stage.index,
                    line: stage.line,
                    image: image.clone(),
                    raw: stage.from.raw.clone(),
                    span: stage.from.span.clone(),
                });
            }
            for instruction in &stage.instructions {
                for from in instruction.from_references() {
                    if let Some(image) = self.image_source(&from.value) {
                        uses.push(ImageUse {
                            kind: from.kind,
                            stage: stage.index,
                            line: instruction.line,
                            image,
                            raw: from.value,
                            span: from.span,
                        });
                    }
                }
            }
        }
        uses
    }

    /// What a `--from=` value names when it is not a stage: an image, if it parses as one.
    fn image_source(&self, value: &str) -> Option<ImageRef> {
        if value.is_empty()
            || value.contains('$')
            || value == "scratch"
            || value.parse::<usize>().is_ok()
        {
            return None;
        }
        if self.stage(value).is_some() {
            return None;
        }
        ImageRef::parse(value).ok()
    }
}

impl Instruction {
    /// The `--from=` values of `COPY`/`ADD` (also under `ONBUILD`) and the `from=` of
    /// `RUN --mount`, as written.
    pub fn from_values(&self) -> Vec<(UseKind, String)> {
        self.from_references()
            .into_iter()
            .map(|f| (f.kind, f.value))
            .collect()
    }

    /// The `--from=` values with where they are written.
    pub fn from_references(&self) -> Vec<FromValue> {
        let mut values = Vec::new();
        let flags = self.flags.iter().zip(&self.flag_spans);
        match self.keyword.as_str() {
            "COPY" | "ADD" => {
                for (flag, span) in flags {
                    if let Some(value) = strip_flag(flag, "from") {
                        let offset = flag.len() - value.len();
                        values.push(FromValue {
                            kind: UseKind::CopyFrom,
                            value: unquote(value),
                            span: value_span(flag, span, offset, value),
                        });
                    }
                }
            }
            "RUN" => {
                for (flag, span) in flags {
                    let Some(mount) = strip_flag(flag, "mount") else {
                        continue;
                    };
                    let mut offset = flag.len() - mount.len();
                    for option in mount.split(',') {
                        if let Some((key, value)) = option.split_once('=')
                            && key.trim().eq_ignore_ascii_case("from")
                        {
                            let value_offset = offset + key.len() + 1;
                            values.push(FromValue {
                                kind: UseKind::MountFrom,
                                value: unquote(value.trim()),
                                span: value_span(flag, span, value_offset, value),
                            });
                        }
                        offset += option.len() + 1;
                    }
                }
            }
            "ONBUILD" => {
                let inner = self.arguments.trim_start();
                let keyword_len = inner.find(char::is_whitespace).unwrap_or(inner.len());
                let keyword = inner[..keyword_len].to_ascii_uppercase();
                if keyword == "COPY" || keyword == "ADD" {
                    for word in inner[keyword_len..].split_whitespace() {
                        if !word.starts_with("--") {
                            break;
                        }
                        if let Some(value) = strip_flag(word, "from") {
                            values.push(FromValue {
                                kind: UseKind::CopyFrom,
                                value: unquote(value),
                                span: self.span.clone(),
                            });
                        }
                    }
                }
            }
            _ => {}
        }
        values
    }

    /// The value of `--name=value` flags, in order.
    pub fn flag(&self, name: &str) -> Option<String> {
        flag_values(&self.flags, name).next()
    }
}

/// The file span of `value`, found at byte `offset` of `flag` (whose file span is `span`), without
/// surrounding quotes; the whole flag when the flag is not written verbatim on one line.
fn value_span(flag: &str, span: &Range<usize>, offset: usize, value: &str) -> Range<usize> {
    if span.len() != flag.len() {
        return span.clone();
    }
    let trimmed = value.trim();
    let lead = value.len() - value.trim_start().len();
    let quoted = trimmed.len() >= 2
        && (trimmed.starts_with('"') && trimmed.ends_with('"')
            || trimmed.starts_with('\'') && trimmed.ends_with('\''));
    let (start, len) = if quoted {
        (offset + lead + 1, trimmed.len() - 2)
    } else {
        (offset + lead, trimmed.len())
    };
    span.start + start..span.start + start + len
}

fn strip_flag<'a>(flag: &'a str, name: &str) -> Option<&'a str> {
    let rest = flag.strip_prefix("--")?;
    let (key, value) = rest.split_once('=')?;
    key.eq_ignore_ascii_case(name).then_some(value)
}

fn flag_values<'a>(flags: &'a [String], name: &'a str) -> impl Iterator<Item = String> + 'a {
    flags
        .iter()
        .filter_map(move |f| strip_flag(f, name).map(unquote))
}

fn unquote(value: &str) -> String {
    let v = value.trim();
    let quoted = v.len() >= 2
        && (v.starts_with('"') && v.ends_with('"') || v.starts_with('\'') && v.ends_with('\''));
    if quoted {
        v[1..v.len() - 1].to_string()
    } else {
        v.to_string()
    }
}
