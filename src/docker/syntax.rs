//! The Dockerfile syntax layer, modelled on BuildKit's `parser/parser.go`: parser directives,
//! logical lines (continuations with the escape character, comment and blank lines inside them
//! dropped), heredocs (several per line, `<<-`, quoted delimiters, never scanned for
//! instructions), flags, and JSON versus shell form. Every piece keeps its byte span in the file.
//!
//! Own code rather than `parse-dockerfile` because that crate only recognises a heredoc at the
//! very start of a `RUN` (so `RUN cat <<EOF >file` fails on the body) and rejects BuildKit's own
//! `HEALTHCHECK` test file.

use std::ops::Range;

use super::ParseError;

/// Instructions BuildKit knows.
const KEYWORDS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// A parser directive (`# syntax=...`), with the span of its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub value: String,
    pub span: Range<usize>,
}

/// A heredoc attached to an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    pub delimiter: String,
    pub body: String,
}

/// A word of an instruction's logical line and where it is in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// As written (quotes kept), continuations joined.
    pub text: String,
    pub span: Range<usize>,
    /// Whether the word is spread over several physical lines (its span then covers them).
    pub multiline: bool,
}

/// One instruction, before any interpretation of its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawInstruction {
    /// Upper-cased.
    pub keyword: String,
    pub keyword_span: Range<usize>,
    /// From the keyword to the end of its last line (heredoc terminators included).
    pub span: Range<usize>,
    pub flags: Vec<Word>,
    /// The arguments after the flags, continuations joined, trimmed.
    pub arguments: String,
    /// The argument words (quote-aware, whitespace-separated), with spans.
    pub words: Vec<Word>,
    /// `Some` when the arguments are a JSON string array (exec form).
    pub json: Option<Vec<String>>,
    pub heredocs: Vec<Heredoc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Syntax {
    pub escape: char,
    pub syntax: Option<Directive>,
    pub check: Option<Directive>,
    pub instructions: Vec<RawInstruction>,
}

/// The file as lines: content without the line break, and the offset of its start.
struct Lines<'t> {
    text: &'t str,
    lines: Vec<(usize, usize)>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str, start: usize) -> Lines<'t> {
        let mut lines = Vec::new();
        let mut pos = start;
        while pos < text.len() {
            let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
            let content_end = if end > pos && text.as_bytes()[end - 1] == b'\r' {
                end - 1
            } else {
                end
            };
            lines.push((pos, content_end));
            pos = end + 1;
        }
        Lines { text, lines }
    }

    fn get(&self, i: usize) -> &'t str {
        let (start, end) = self.lines[i];
        &self.text[start..end]
    }
}

/// Line and column (1-based, in characters) of a byte offset.
pub fn locate(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

fn error(text: &str, offset: usize, message: impl Into<String>) -> ParseError {
    let (line, column) = locate(text, offset);
    ParseError {
        line,
        column,
        message: message.into(),
    }
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// BuildKit's continuation regex, `([^\\])\\[ \t]*$|^\\[ \t]*$` for the escape character: the
/// content before the escape when `line` continues.
fn continued(line: &str, escape: char) -> Option<&str> {
    let trimmed = line.trim_end_matches([' ', '\t']);
    let before = trimmed.strip_suffix(escape)?;
    if before.is_empty() || !before.ends_with(escape) {
        Some(before)
    } else {
        None
    }
}

/// `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` after the `#`.
fn directive(line: &str) -> Option<(String, &str, usize)> {
    let rest = line.trim_start().strip_prefix('#')?;
    let body = rest.trim_start();
    let (key, value) = body.split_once('=')?;
    let key = key.trim_end();
    let mut chars = key.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        || !chars.all(|c| c.is_ascii_alphanumeric())
    {
        return None;
    }
    let value_trimmed = value.trim();
    if value_trimmed.is_empty() {
        return None;
    }
    let value_offset = line.len() - value.len() + (value.len() - value.trim_start().len());
    Some((key.to_ascii_lowercase(), value_trimmed, value_offset))
}

pub fn parse(text: &str, start: usize) -> Result<Syntax, ParseError> {
    let lines = Lines::new(text, start);
    let mut syntax = Syntax {
        escape: '\\',
        syntax: None,
        check: None,
        instructions: Vec::new(),
    };
    let mut i = 0;
    let mut escape_seen = false;
    while i < lines.lines.len() {
        let line = lines.get(i);
        let Some((key, value, value_offset)) = directive(line) else {
            break;
        };
        let span = lines.lines[i].0 + value_offset..lines.lines[i].0 + value_offset + value.len();
        let seen = match key.as_str() {
            "syntax" => syntax.syntax.is_some(),
            "check" => syntax.check.is_some(),
            "escape" => escape_seen,
            _ => break,
        };
        if seen {
            return Err(error(
                text,
                span.start,
                format!("only one {key} parser directive can be used"),
            ));
        }
        let directive = Some(Directive {
            value: value.to_string(),
            span: span.clone(),
        });
        match key.as_str() {
            "syntax" => syntax.syntax = directive,
            "check" => syntax.check = directive,
            _ => {
                escape_seen = true;
                syntax.escape = match value {
                    "\\" => '\\',
                    "`" => '`',
                    _ => {
                        return Err(error(
                            text,
                            span.start,
                            format!(
                                "invalid escape token `{value}` in the escape directive: only \\ and ` are allowed"
                            ),
                        ));
                    }
                };
            }
        }
        i += 1;
    }
    let escape = syntax.escape;
    while i < lines.lines.len() {
        let line = lines.get(i);
        if is_blank(line) || is_comment(line) {
            i += 1;
            continue;
        }
        let (instruction, next) = instruction(text, &lines, i, escape)
            .map_err(|e| with_frontend_hint(e, syntax.syntax.as_ref()))?;
        syntax.instructions.push(instruction);
        i = next;
    }
    Ok(syntax)
}

/// A file written for a custom frontend (`# syntax=edrevo/dockerfile-plus`) may use instructions
/// only that frontend knows: say so rather than just "unknown instruction".
fn with_frontend_hint(mut error: ParseError, syntax: Option<&Directive>) -> ParseError {
    let standard = |image: &str| {
        let name = image.split(['@', ':']).next().unwrap_or(image);
        matches!(
            name,
            "docker/dockerfile" | "docker/dockerfile-upstream" | "docker.io/docker/dockerfile"
        )
    };
    if let Some(directive) = syntax
        && error.message.starts_with("unknown instruction")
        && !standard(&directive.value)
    {
        error.message.push_str(&format!(
            " (the file asks for the frontend `{}` in `# syntax=`; drydock reads only the standard Dockerfile syntax)",
            directive.value
        ));
    }
    error
}

/// The logical line: joined text and, for each byte of it, its offset in the file.
struct Logical {
    text: String,
    offsets: Vec<usize>,
}

impl Logical {
    fn push(&mut self, s: &str, at: usize) {
        self.text.push_str(s);
        self.offsets.extend((0..s.len()).map(|i| at + i));
    }

    /// The file span of `self.text[range]` and whether it crosses a line break.
    fn span(&self, range: Range<usize>) -> (Range<usize>, bool) {
        if range.is_empty() {
            let at = self
                .offsets
                .get(range.start)
                .copied()
                .unwrap_or_else(|| self.offsets.last().map_or(0, |o| o + 1));
            return (at..at, false);
        }
        let start = self.offsets[range.start];
        let end = self.offsets[range.end - 1] + 1;
        (start..end, end - start != range.len())
    }
}

fn instruction(
    text: &str,
    lines: &Lines<'_>,
    first: usize,
    escape: char,
) -> Result<(RawInstruction, usize), ParseError> {
    let (line_start, _) = lines.lines[first];
    let raw = lines.get(first);
    let indent = raw.len() - raw.trim_start().len();
    let mut logical = Logical {
        text: String::new(),
        offsets: Vec::new(),
    };
    let mut i = first;
    let mut content = &raw[indent..];
    let mut content_start = line_start + indent;
    let mut last_end = lines.lines[first].1;
    loop {
        match continued(content, escape) {
            Some(before) => {
                logical.push(before, content_start);
                i += 1;
                while i < lines.lines.len() && (is_blank(lines.get(i)) || is_comment(lines.get(i)))
                {
                    i += 1;
                }
                if i >= lines.lines.len() {
                    break;
                }
                content = lines.get(i);
                content_start = lines.lines[i].0;
                last_end = lines.lines[i].1;
            }
            None => {
                logical.push(content, content_start);
                i += 1;
                break;
            }
        }
    }

    let keyword_len = logical
        .text
        .find(char::is_whitespace)
        .unwrap_or(logical.text.len());
    let keyword = logical.text[..keyword_len].to_ascii_uppercase();
    let keyword_span = logical.span(0..keyword_len).0;
    if !KEYWORDS.contains(&keyword.as_str()) {
        return Err(error(
            text,
            keyword_span.start,
            format!("unknown instruction `{}`", &logical.text[..keyword_len]),
        ));
    }
    // BuildKit splits name=value instructions quote-aware, all others on whitespace only.
    let quote_aware = matches!(keyword.as_str(), "ARG" | "ENV" | "LABEL");
    let all_words = split_words(&logical.text[keyword_len..], escape, quote_aware)
        .map_err(|m| error(text, keyword_span.start, format!("{keyword}: {m}")))?;
    let mut flags = Vec::new();
    let mut args_from = logical.text.len();
    let mut rest_words = Vec::new();
    let mut in_flags = true;
    for (word, range) in all_words {
        let range = range.start + keyword_len..range.end + keyword_len;
        if in_flags && word == "--" {
            in_flags = false;
            continue;
        }
        if in_flags && word.starts_with("--") {
            let (span, multiline) = logical.span(range);
            flags.push(Word {
                text: word,
                span,
                multiline,
            });
            continue;
        }
        if in_flags {
            in_flags = false;
        }
        if rest_words.is_empty() {
            args_from = range.start;
        }
        let (span, multiline) = logical.span(range);
        rest_words.push(Word {
            text: word,
            span,
            multiline,
        });
    }
    let arguments = logical.text[args_from..].trim().to_string();

    let json = json_form(&arguments).map_err(|m| {
        error(
            text,
            logical.span(args_from..args_from).0.start,
            format!("{keyword}: {m}"),
        )
    })?;

    // Heredocs: RUN, COPY, ADD (also under ONBUILD), shell form only.
    let heredoc_keyword = match keyword.as_str() {
        "ONBUILD" => rest_words
            .first()
            .map(|w| w.text.to_ascii_uppercase())
            .unwrap_or_default(),
        k => k.to_string(),
    };
    let mut heredocs = Vec::new();
    if matches!(heredoc_keyword.as_str(), "RUN" | "COPY" | "ADD") && json.is_none() {
        for word in &rest_words {
            let Some((delimiter, chomp)) = heredoc_marker(&word.text) else {
                continue;
            };
            let mut body = String::new();
            loop {
                if i >= lines.lines.len() {
                    return Err(error(
                        text,
                        word.span.start,
                        format!("unterminated heredoc: no line `{delimiter}` ends it"),
                    ));
                }
                let line = lines.get(i);
                last_end = lines.lines[i].1;
                i += 1;
                let stripped = if chomp {
                    line.trim_start_matches('\t')
                } else {
                    line
                };
                if stripped == delimiter {
                    break;
                }
                body.push_str(stripped);
                body.push('\n');
            }
            heredocs.push(Heredoc { delimiter, body });
        }
    }
    let span = keyword_span.start..last_end.max(keyword_span.end);
    Ok((
        RawInstruction {
            keyword,
            keyword_span,
            span,
            flags,
            arguments,
            words: rest_words,
            json,
            heredocs,
        },
        i,
    ))
}

/// `^(\d*)<<(-?)\s*([^<]*)$` on a word, the delimiter unquoted: (delimiter, strip tabs).
fn heredoc_marker(word: &str) -> Option<(String, bool)> {
    let rest = word
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .strip_prefix("<<")?;
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let delimiter: String = rest.chars().filter(|c| *c != '"' && *c != '\'').collect();
    if delimiter.is_empty() {
        return None;
    }
    Some((delimiter, chomp))
}

/// BuildKit's `parseMaybeJSON`: a JSON array of strings is the exec form; invalid JSON falls back
/// to the shell form; valid JSON that is not a string array is an error.
fn json_form(arguments: &str) -> Result<Option<Vec<String>>, String> {
    if !arguments.starts_with('[') {
        return Ok(None);
    }
    match serde_json::from_str::<serde_json::Value>(arguments) {
        Ok(serde_json::Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                serde_json::Value::String(s) => Ok(s),
                _ => Err("the JSON array may only contain strings".to_string()),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        _ => Ok(None),
    }
}

/// Splits on (with `quote_aware`, unquoted and unescaped) whitespace, keeping quotes and
/// escapes; each word with its byte range.
pub fn split_words(
    raw: &str,
    escape: char,
    quote_aware: bool,
) -> Result<Vec<(String, Range<usize>)>, String> {
    let mut words = Vec::new();
    let mut current: Option<(String, usize)> = None;
    let mut quote: Option<char> = None;
    let mut chars = raw.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if quote.is_none() && c.is_whitespace() {
            if let Some((word, start)) = current.take() {
                words.push((word, start..i));
            }
            continue;
        }
        let word = current.get_or_insert_with(|| (String::new(), i));
        word.0.push(c);
        if !quote_aware {
            continue;
        }
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
    // An unbalanced quote stays part of the last word, as BuildKit keeps it in most instructions.
    if let Some((word, start)) = current {
        words.push((word, start..raw.len()));
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instructions(text: &str) -> Vec<RawInstruction> {
        parse(text, 0).unwrap().instructions
    }

    #[test]
    fn continuation_rules() {
        assert_eq!(continued("a \\", '\\'), Some("a "));
        assert_eq!(continued("a \\  \t", '\\'), Some("a "));
        assert_eq!(continued("\\", '\\'), Some(""));
        assert_eq!(continued("a \\\\", '\\'), None);
        assert_eq!(continued("a `", '`'), Some("a "));
        assert_eq!(continued("a \\", '`'), None);
    }

    #[test]
    fn heredoc_markers() {
        assert_eq!(heredoc_marker("<<EOF"), Some(("EOF".into(), false)));
        assert_eq!(heredoc_marker("<<-EOT"), Some(("EOT".into(), true)));
        assert_eq!(heredoc_marker("3<<\"END\""), Some(("END".into(), false)));
        assert_eq!(heredoc_marker("<<'x'"), Some(("x".into(), false)));
        assert_eq!(heredoc_marker("<<<x"), None);
        assert_eq!(heredoc_marker("a<<x"), None);
        assert_eq!(heredoc_marker("<<"), None);
    }

    #[test]
    fn heredoc_after_a_command() {
        let ins = instructions("FROM a\nRUN cat <<EOF > /x\nFROM b\nEOF\nUSER u\n");
        assert_eq!(ins.len(), 3);
        assert_eq!(
            ins[1].heredocs,
            vec![Heredoc {
                delimiter: "EOF".into(),
                body: "FROM b\n".into()
            }]
        );
        assert_eq!(ins[2].keyword, "USER");
    }

    #[test]
    fn spans_of_words_and_flags() {
        let text = "FROM  --platform=$X  img:1 AS b\n";
        let ins = &instructions(text)[0];
        assert_eq!(&text[ins.flags[0].span.clone()], "--platform=$X");
        assert_eq!(&text[ins.words[0].span.clone()], "img:1");
        assert_eq!(&text[ins.span.clone()], "FROM  --platform=$X  img:1 AS b");
    }

    #[test]
    fn custom_frontend_is_named_in_errors() {
        let err = parse(
            "# syntax=edrevo/dockerfile-plus\nFROM a\nINCLUDE+ Dockerfile.common\n",
            0,
        )
        .unwrap_err();
        assert_eq!(err.line, 3);
        assert!(
            err.message.contains("edrevo/dockerfile-plus"),
            "{}",
            err.message
        );
        let err = parse("# syntax=docker/dockerfile:1\nFROM a\nBOGUS x\n", 0).unwrap_err();
        assert!(!err.message.contains("frontend"), "{}", err.message);
    }

    #[test]
    fn directives() {
        let s = parse("#  Syntax = docker/dockerfile:1 \n#escape=`\nFROM a\n", 0).unwrap();
        assert_eq!(s.syntax.unwrap().value, "docker/dockerfile:1");
        assert_eq!(s.escape, '`');
        assert!(parse("# syntax=a\n# syntax=b\nFROM a\n", 0).is_err());
        assert!(parse("# escape=`\n# escape=\\\nFROM a\n", 0).is_err());
    }
}
