//! From text to [`Dockerfile`]: `parse-dockerfile` does the syntax (directives, continuations,
//! heredocs, JSON forms); this module adds what it leaves out: global `ARG` evaluation,
//! `FROM` expansion, stage references, image references, line numbers and spans in the original
//! text (a UTF-8 BOM is skipped but counted).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use parse_dockerfile as pd;

use super::expand::{self, Value};
use super::{ArgDecl, Base, Dockerfile, FromImage, ImageRef, Instruction, ParseError, Stage};

const UTF8_BOM: &str = "\u{feff}";

/// Global ARGs the builder sets itself, different for each target platform.
pub const PLATFORM_ARGS: &[&str] = &[
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

/// BuildKit refuses stage names outside `^[a-z][a-z0-9-_.]*$` (after lower-casing).
fn valid_stage_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

struct Source<'t> {
    text: &'t str,
    /// Added to the parser's offsets to get offsets in `text` (the BOM length).
    offset: usize,
    line_starts: Vec<usize>,
    escape: char,
}

impl Source<'_> {
    fn span(&self, span: &Range<usize>) -> Range<usize> {
        span.start + self.offset..span.end + self.offset
    }

    fn line(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset)
    }

    fn column(&self, offset: usize) -> usize {
        let line = self.line(offset);
        self.text[self.line_starts[line - 1]..offset]
            .chars()
            .count()
            + 1
    }

    fn slice(&self, span: &Range<usize>) -> &str {
        &self.text[self.span(span)]
    }

    fn error(&self, offset: usize, message: String) -> ParseError {
        ParseError {
            line: self.line(offset),
            column: self.column(offset),
            message,
        }
    }
}

pub fn parse(text: &str, build_args: &BTreeMap<String, String>) -> Result<Dockerfile, ParseError> {
    let offset = if text.starts_with(UTF8_BOM) {
        UTF8_BOM.len()
    } else {
        0
    };
    let mut line_starts = vec![0];
    line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    let mut src = Source {
        text,
        offset,
        line_starts,
        escape: '\\',
    };
    let parsed = pd::parse(&text[offset..]).map_err(|e| ParseError {
        line: e.line().max(1),
        column: e.column().max(1),
        message: parse_message(&e.to_string()),
    })?;
    if let Some(escape) = &parsed.parser_directives.escape {
        src.escape = escape.value.value;
    }
    let syntax = parsed
        .parser_directives
        .syntax
        .as_ref()
        .map(|d| d.value.value.to_string());

    let starts: Vec<usize> = parsed
        .instructions
        .iter()
        .map(|i| src.span(&keyword_span(i)).start)
        .collect();
    let ends: Vec<usize> = (0..starts.len())
        .map(|i| {
            instruction_end(
                text,
                starts[i],
                starts.get(i + 1).copied().unwrap_or(text.len()),
            )
        })
        .collect();

    let mut global_args = Vec::new();
    let mut env: BTreeMap<String, Value> = BTreeMap::new();
    let mut stages: Vec<Stage> = Vec::new();
    for (i, instruction) in parsed.instructions.iter().enumerate() {
        let span = starts[i]..ends[i];
        match instruction {
            pd::Instruction::Arg(arg) if stages.is_empty() => {
                for decl in arg_decls(&src, arg)? {
                    let value = arg_value(&decl, &src, &env, build_args);
                    env.insert(decl.name.clone(), value);
                    global_args.push(decl);
                }
            }
            pd::Instruction::From(from) => {
                let stage = from_stage(&src, from, stages.len(), &stages, &env, build_args)?;
                stages.push(stage);
            }
            other => {
                let converted = convert(&src, other, span);
                if converted.keyword == "ENV"
                    && !converted.arguments.contains('=')
                    && converted.arguments.split_whitespace().count() < 2
                {
                    return Err(src.error(
                        starts[i],
                        format!(
                            "ENV `{}` has no value: write `ENV NAME=value`",
                            converted.arguments
                        ),
                    ));
                }
                match stages.last_mut() {
                    Some(stage) => stage.instructions.push(converted),
                    // parse-dockerfile already rejects instructions before the first FROM.
                    None => {
                        return Err(src.error(
                            starts[i],
                            format!("{} before the first FROM", converted.keyword),
                        ));
                    }
                }
            }
        }
    }
    Ok(Dockerfile {
        escape: src.escape,
        syntax,
        global_args,
        stages,
    })
}

fn parse_message(message: &str) -> String {
    match message {
        "expected at least one FROM instruction" => {
            "no FROM instruction: the file has no build stage (empty, or only comments and ARGs)"
                .to_string()
        }
        other => other.to_string(),
    }
}

fn keyword_span(instruction: &pd::Instruction<'_>) -> Range<usize> {
    use pd::Instruction as I;
    match instruction {
        I::Add(i) => i.add.span.clone(),
        I::Arg(i) => i.arg.span.clone(),
        I::Cmd(i) => i.cmd.span.clone(),
        I::Copy(i) => i.copy.span.clone(),
        I::Entrypoint(i) => i.entrypoint.span.clone(),
        I::Env(i) => i.env.span.clone(),
        I::Expose(i) => i.expose.span.clone(),
        I::From(i) => i.from.span.clone(),
        I::Healthcheck(i) => i.healthcheck.span.clone(),
        I::Label(i) => i.label.span.clone(),
        I::Maintainer(i) => i.maintainer.span.clone(),
        I::Onbuild(i) => i.onbuild.span.clone(),
        I::Run(i) => i.run.span.clone(),
        I::Shell(i) => i.shell.span.clone(),
        I::Stopsignal(i) => i.stopsignal.span.clone(),
        I::User(i) => i.user.span.clone(),
        I::Volume(i) => i.volume.span.clone(),
        I::Workdir(i) => i.workdir.span.clone(),
        _ => 0..0,
    }
}

fn flags<'b, 'a>(instruction: &'b pd::Instruction<'a>) -> &'b [pd::Flag<'a>] {
    use pd::Instruction as I;
    match instruction {
        I::Add(i) => &i.options,
        I::Copy(i) => &i.options,
        I::From(i) => &i.options,
        I::Run(i) => &i.options,
        I::Healthcheck(i) => &i.options,
        _ => &[],
    }
}

/// The end of an instruction that starts at `start`, given where the next one starts: trailing
/// blank and comment lines belong to no instruction.
fn instruction_end(text: &str, start: usize, next_start: usize) -> usize {
    let mut end = next_start;
    loop {
        let body = text[start..end].trim_end();
        end = start + body.len();
        let line_start = body.rfind('\n').map_or(0, |i| i + 1);
        if line_start == 0 || !body[line_start..].trim_start().starts_with('#') {
            return end;
        }
        end = start + line_start;
    }
}

/// Joins continuation lines as BuildKit does (the escape and the newline vanish, comment and
/// blank lines inside a continuation are dropped); heredoc lines stay on their own lines.
pub fn join_lines(raw: &str, escape: char) -> String {
    let mut out = String::new();
    let mut continuing = false;
    for (i, line) in raw.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if i > 0 {
            if continuing {
                let trimmed = line.trim_start();
                if trimmed.is_empty() || trimmed.starts_with('#') {
                    continue;
                }
            } else {
                out.push('\n');
            }
        }
        let trimmed = line.trim_end_matches([' ', '\t']);
        let continues = trimmed
            .strip_suffix(escape)
            .is_some_and(|before| !before.ends_with(escape) || before.is_empty());
        if continues {
            out.push_str(&trimmed[..trimmed.len() - escape.len_utf8()]);
        } else {
            out.push_str(line);
        }
        continuing = continues;
    }
    out.trim().to_string()
}

fn convert(src: &Source<'_>, instruction: &pd::Instruction<'_>, span: Range<usize>) -> Instruction {
    let keyword_span = src.span(&keyword_span(instruction));
    let keyword = src.text[keyword_span.clone()].to_ascii_uppercase();
    let flags = flags(instruction);
    let args_start = flags
        .last()
        .map_or(keyword_span.end, |f| src.span(&f.span()).end)
        .min(span.end);
    let mut arguments = join_lines(&src.text[args_start..span.end], src.escape);
    if let pd::Instruction::Onbuild(_) = instruction {
        arguments = arguments.trim().to_string();
    }
    Instruction {
        keyword,
        flags: flags
            .iter()
            .map(|f| join_lines(src.slice(&f.span()), src.escape))
            .collect(),
        arguments,
        line: src.line(span.start),
        span,
    }
}

/// `ARG a=1 b="x y" c`: one declaration per word.
fn arg_decls(src: &Source<'_>, arg: &pd::ArgInstruction<'_>) -> Result<Vec<ArgDecl>, ParseError> {
    let span = src.span(&arg.arguments.span);
    let raw = &src.text[span.clone()];
    let line = src.line(src.span(&arg.arg.span).start);
    // A declaration spread over continuation lines has no simple span; keep its value only.
    if raw.contains('\n') {
        let words =
            split_words(&arg.arguments.value, src.escape).map_err(|m| src.error(span.start, m))?;
        return Ok(words
            .into_iter()
            .map(|(word, _)| {
                let (name, default) = split_name_value(&word);
                ArgDecl {
                    name,
                    default: default.map(|(d, _)| unquote(d)),
                    line,
                    default_span: None,
                }
            })
            .collect());
    }
    let words = split_words(raw, src.escape).map_err(|m| src.error(span.start, m))?;
    let mut decls = Vec::new();
    for (word, word_start) in words {
        let (name, default) = split_name_value(&word);
        if name.is_empty() {
            return Err(src.error(span.start + word_start, format!("ARG `{word}` has no name")));
        }
        let (default, default_span) = match default {
            Some((value, value_offset)) => {
                let start = span.start + word_start + value_offset;
                let quoted = value.len() >= 2
                    && (value.starts_with('"') && value.ends_with('"')
                        || value.starts_with('\'') && value.ends_with('\''));
                let inner = if quoted {
                    start + 1..start + value.len() - 1
                } else {
                    start..start + value.len()
                };
                (Some(unquote(value)), Some(inner))
            }
            None => (None, None),
        };
        decls.push(ArgDecl {
            name,
            default,
            line,
            default_span,
        });
    }
    Ok(decls)
}

/// Splits on unquoted whitespace, keeping quotes; each word with its byte offset in `raw`.
fn split_words(raw: &str, escape: char) -> Result<Vec<(String, usize)>, String> {
    let mut words = Vec::new();
    let mut current: Option<(String, usize)> = None;
    let mut quote: Option<char> = None;
    let mut chars = raw.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if quote.is_none() && c.is_whitespace() {
            if let Some(word) = current.take() {
                words.push(word);
            }
            continue;
        }
        let word = current.get_or_insert_with(|| (String::new(), i));
        word.0.push(c);
        match (quote, c) {
            (_, c) if c == escape && quote != Some('\'') => {
                if let Some((_, next)) = chars.next() {
                    word.0.push(next);
                }
            }
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
    }
    if let Some(q) = quote {
        return Err(format!("unterminated {q} quote in ARG"));
    }
    words.extend(current);
    Ok(words)
}

/// `name=value` → (name, Some((value, offset of value in word))).
fn split_name_value(word: &str) -> (String, Option<(&str, usize)>) {
    match word.split_once('=') {
        Some((name, value)) => (name.to_string(), Some((value, name.len() + 1))),
        None => (word.to_string(), None),
    }
}

fn unquote(value: &str) -> String {
    let quoted = value.len() >= 2
        && (value.starts_with('"') && value.ends_with('"')
            || value.starts_with('\'') && value.ends_with('\''));
    if quoted {
        value[1..value.len() - 1].to_string()
    } else {
        value.to_string()
    }
}

fn builder_arg_reason(name: &str) -> String {
    format!(
        "`{name}` is set by the builder for each target platform: give it as a build arg to check one platform"
    )
}

/// A global ARG's value: a build arg overrides the default; the default sees the ARGs above it.
fn arg_value(
    decl: &ArgDecl,
    src: &Source<'_>,
    env: &BTreeMap<String, Value>,
    build_args: &BTreeMap<String, String>,
) -> Value {
    if let Some(value) = build_args.get(&decl.name) {
        return Value::Set(value.clone());
    }
    let Some(default) = &decl.default else {
        return if PLATFORM_ARGS.contains(&decl.name.as_str()) {
            Value::Unknown(builder_arg_reason(&decl.name))
        } else {
            Value::Unset
        };
    };
    // Expand the default as written (quotes and escapes are the lexer's business).
    let raw = match &decl.default_span {
        Some(span) => {
            let quoted =
                span.start > 0 && matches!(src.text.as_bytes()[span.start - 1], b'"' | b'\'');
            if quoted {
                src.text[span.start - 1..span.end + 1].to_string()
            } else {
                src.text[span.clone()].to_string()
            }
        }
        None => default.clone(),
    };
    let lookup = |name: &str| lookup_global(name, env, build_args);
    match expand::expand(&raw, src.escape, &lookup) {
        Ok(expanded) => Value::Set(expanded.value),
        Err(e) => Value::Unknown(format!(
            "the default of ARG {} cannot be evaluated: {}",
            decl.name, e.message
        )),
    }
}

fn lookup_global(
    name: &str,
    env: &BTreeMap<String, Value>,
    build_args: &BTreeMap<String, String>,
) -> Value {
    if let Some(value) = env.get(name) {
        return value.clone();
    }
    if PLATFORM_ARGS.contains(&name) {
        return match build_args.get(name) {
            Some(value) => Value::Set(value.clone()),
            None => Value::Unknown(builder_arg_reason(name)),
        };
    }
    Value::Unknown(format!(
        "`{name}` is not declared by an ARG before the first FROM (only those are visible to FROM)"
    ))
}

fn from_stage(
    src: &Source<'_>,
    from: &pd::FromInstruction<'_>,
    index: usize,
    earlier: &[Stage],
    env: &BTreeMap<String, Value>,
    build_args: &BTreeMap<String, String>,
) -> Result<Stage, ParseError> {
    let keyword_start = src.span(&from.from.span).start;
    let name = match &from.as_ {
        Some((_, name)) => {
            let lower = name.value.to_ascii_lowercase();
            if !valid_stage_name(&lower) {
                return Err(src.error(
                    src.span(&name.span).start,
                    format!(
                        "invalid stage name `{}`: it must match [a-z][a-z0-9-_.]*",
                        name.value
                    ),
                ));
            }
            if earlier.iter().any(|s| s.name.as_deref() == Some(&lower)) {
                return Err(src.error(
                    src.span(&name.span).start,
                    format!("duplicate stage name `{lower}`"),
                ));
            }
            Some(lower)
        }
        None => None,
    };
    let platform = from
        .options
        .iter()
        .find(|f| f.name.value.eq_ignore_ascii_case("platform"))
        .and_then(|f| f.value.as_ref())
        .map(|v| v.value.to_string());
    let span = src.span(&from.image.span);
    let raw = src.text[span.clone()].to_string();
    let word = if raw.contains('\n') {
        from.image.value.to_string()
    } else {
        raw.clone()
    };
    let lookup = |name: &str| lookup_global(name, env, build_args);
    let (base, used) = match expand::expand(&word, src.escape, &lookup) {
        Err(e) => (
            Base::Unresolved {
                expression: raw.clone(),
                reason: e.message,
            },
            e.used,
        ),
        Ok(expanded) => (
            resolve_base(&raw, &expanded.value, &expanded.used, earlier, env),
            expanded.used,
        ),
    };
    let args_used = global_names_in_order(&used, env);
    Ok(Stage {
        index,
        name,
        platform,
        from: FromImage {
            raw,
            span,
            base,
            args_used,
        },
        line: src.line(keyword_start),
        instructions: Vec::new(),
    })
}

fn global_names_in_order(used: &BTreeSet<String>, env: &BTreeMap<String, Value>) -> Vec<String> {
    used.iter()
        .filter(|name| env.contains_key(*name))
        .cloned()
        .collect()
}

fn resolve_base(
    raw: &str,
    value: &str,
    used: &BTreeSet<String>,
    earlier: &[Stage],
    env: &BTreeMap<String, Value>,
) -> Base {
    let without_default: Vec<&str> = used
        .iter()
        .filter(|n| matches!(env.get(*n), Some(Value::Unset)))
        .map(String::as_str)
        .collect();
    let hint = if without_default.is_empty() {
        String::new()
    } else {
        format!(
            " (ARG {} has no default: give it as a build arg)",
            without_default.join(", ")
        )
    };
    if value.is_empty() {
        return Base::Unresolved {
            expression: raw.to_string(),
            reason: format!("the image name expands to nothing{hint}"),
        };
    }
    if value == "scratch" {
        return Base::Scratch;
    }
    if let Some(stage) = earlier.iter().find(|s| {
        s.name
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case(value))
    }) {
        return Base::Stage(stage.index);
    }
    match ImageRef::parse(value) {
        Ok(image) => Base::Image(image),
        Err(e) if raw == value => Base::Unresolved {
            expression: raw.to_string(),
            reason: e.message,
        },
        Err(e) => Base::Unresolved {
            expression: raw.to_string(),
            reason: format!("expands to `{value}`: {}{hint}", e.message),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_like_buildkit() {
        assert_eq!(
            join_lines("echo hello \\\ngoodbye\\\nfrog", '\\'),
            "echo hello goodbyefrog"
        );
        assert_eq!(
            join_lines("echo hi \\\n \\\n world \\\n\\\n good\\\n\\\nnight", '\\'),
            "echo hi   world  goodnight"
        );
        assert_eq!(join_lines("a \\\n# comment\n\nb", '\\'), "a b");
        assert_eq!(join_lines("a `\r\nb", '`'), "a b");
        assert_eq!(join_lines("<<EOF\nbody\nEOF", '\\'), "<<EOF\nbody\nEOF");
        assert_eq!(join_lines("foo \\\\", '\\'), "foo \\\\");
    }

    #[test]
    fn instruction_end_drops_trailing_comments() {
        let text = "RUN a\n# c\n\nFROM b";
        assert_eq!(instruction_end(text, 0, 11), 5);
    }

    #[test]
    fn words_keep_offsets() {
        assert_eq!(
            split_words("A=1  B=\"x y\" C", '\\').unwrap(),
            vec![
                ("A=1".to_string(), 0),
                ("B=\"x y\"".to_string(), 5),
                ("C".to_string(), 13)
            ]
        );
    }
}
