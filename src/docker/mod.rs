//! Dockerfiles: parsing (directives, continuations, heredocs), global `ARG` expansion as BuildKit
//! does it, stages and the images each stage uses, and image references.
//!
//! Pure: works on the file's text. The types below are the interface the policy rules and `bump`
//! build on.

pub mod reference;

use std::ops::Range;

pub use reference::ImageRef;

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    /// The escape character from `# escape=` (default `\`).
    pub escape: char,
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
    /// The arguments after the flags, continuations joined with a space; heredoc bodies appended.
    pub arguments: String,
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
}

/// A Dockerfile that cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}
