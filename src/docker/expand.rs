//! Variable expansion in one word, with BuildKit's `shell/lex.go` semantics: quotes, the escape
//! character, `$V`, `${V}`, `${V:-w}`, `${V-w}`, `${V:+w}`, `${V+w}`, `${V:?m}`, `${V?m}` and the
//! pattern forms `${V#p}`, `${V##p}`, `${V%p}`, `${V%%p}`, `${V/p/r}`, `${V//p/r}`.
//!
//! Unlike BuildKit, a variable can also be *unknown* (an undeclared name, or a platform ARG the
//! builder sets per target): a word that needs its value is not guessed but reported.

use std::collections::BTreeSet;

/// What a variable holds for the expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Set(String),
    /// Declared without a value: empty for `$V`, "unset" for `${V-w}`.
    Unset,
    /// Its value cannot be known offline; the reason says why.
    Unknown(String),
}

/// A word that could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpandError {
    pub message: String,
    /// The variables the word referenced before it failed.
    pub used: BTreeSet<String>,
}

/// The expanded word and the variables it read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expanded {
    pub value: String,
    pub used: BTreeSet<String>,
}

/// Expands `word` (quotes removed, escapes applied) looking variables up with `lookup`.
pub fn expand(
    word: &str,
    escape: char,
    lookup: &dyn Fn(&str) -> Value,
) -> Result<Expanded, ExpandError> {
    let mut lexer = Lexer {
        chars: word.chars().collect(),
        pos: 0,
        escape,
        lookup,
        used: BTreeSet::new(),
        depth: 0,
    };
    match lexer.word(None) {
        Ok(value) => Ok(Expanded {
            value,
            used: lexer.used,
        }),
        Err(message) => Err(ExpandError {
            message,
            used: lexer.used,
        }),
    }
}

struct Lexer<'a> {
    chars: Vec<char>,
    pos: usize,
    escape: char,
    lookup: &'a dyn Fn(&str) -> Value,
    used: BTreeSet<String>,
    /// Nesting of `${...}`, bounded so a hostile file cannot exhaust the stack.
    depth: usize,
}

/// Deeper `${a:-${b:-...}}` nesting than this is refused.
const MAX_DEPTH: usize = 32;

/// Pattern operations (`${V#p}`, `${V//p/r}`) are quadratic or worse; longer values are refused.
const MAX_PATTERN_VALUE: usize = 4096;

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    /// Reads up to `stop` (consumed) or the end.
    fn word(&mut self, stop: Option<char>) -> Result<String, String> {
        let mut out = String::new();
        loop {
            let Some(c) = self.next() else {
                return match stop {
                    Some(stop) => Err(format!("missing `{stop}` in a variable substitution")),
                    None => Ok(out),
                };
            };
            if Some(c) == stop {
                return Ok(out);
            }
            match c {
                c if c == self.escape => match self.next() {
                    Some(next) => out.push(next),
                    None => out.push(c),
                },
                '\'' => loop {
                    match self.next() {
                        Some('\'') => break,
                        Some(c) => out.push(c),
                        None => {
                            return Err(
                                "unexpected end of word while looking for matching `'`".to_string()
                            );
                        }
                    }
                },
                '"' => loop {
                    match self.next() {
                        Some('"') => break,
                        Some('$') => out.push_str(&self.dollar()?),
                        Some(c) if c == self.escape => match self.next() {
                            Some(next @ ('"' | '$')) => out.push(next),
                            Some(next) if next == self.escape => out.push(next),
                            Some(next) => {
                                out.push(c);
                                out.push(next);
                            }
                            None => {
                                return Err(
                                    "unexpected end of word while looking for matching `\"`"
                                        .to_string(),
                                );
                            }
                        },
                        Some(c) => out.push(c),
                        None => {
                            return Err("unexpected end of word while looking for matching `\"`"
                                .to_string());
                        }
                    }
                },
                '$' => out.push_str(&self.dollar()?),
                c => out.push(c),
            }
        }
    }

    fn name(&mut self) -> String {
        let mut name = String::new();
        match self.peek() {
            Some(c) if c.is_ascii_digit() => {
                while let Some(c) = self.peek().filter(char::is_ascii_digit) {
                    name.push(c);
                    self.pos += 1;
                }
            }
            _ => {
                while let Some(c) = self
                    .peek()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                {
                    name.push(c);
                    self.pos += 1;
                }
            }
        }
        name
    }

    fn value(&mut self, name: &str) -> Result<Option<String>, String> {
        self.used.insert(name.to_string());
        match (self.lookup)(name) {
            Value::Set(v) => Ok(Some(v)),
            Value::Unset => Ok(None),
            Value::Unknown(reason) => Err(reason),
        }
    }

    /// After a `$`.
    fn dollar(&mut self) -> Result<String, String> {
        if self.depth >= MAX_DEPTH {
            return Err(format!(
                "variable substitutions nested deeper than {MAX_DEPTH} levels"
            ));
        }
        self.depth += 1;
        let result = self.dollar_inner();
        self.depth -= 1;
        result
    }

    fn dollar_inner(&mut self) -> Result<String, String> {
        if self.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return Ok("$".to_string());
            }
            return Ok(self.value(&name)?.unwrap_or_default());
        }
        self.pos += 1;
        let name = self.name();
        if name.is_empty() {
            return Err("bad substitution: `${` must be followed by a variable name".to_string());
        }
        let Some(op) = self.next() else {
            return Err(format!("missing `}}` after `${{{name}`"));
        };
        match op {
            '}' => Ok(self.value(&name)?.unwrap_or_default()),
            ':' => {
                let Some(modifier) = self.next() else {
                    return Err(format!("missing `}}` after `${{{name}:`"));
                };
                let word = self.word(Some('}'))?;
                let value = self.value(&name)?.filter(|v| !v.is_empty());
                self.modify(&name, modifier, value, word, true)
            }
            '-' | '+' | '?' => {
                let word = self.word(Some('}'))?;
                let value = self.value(&name)?;
                self.modify(&name, op, value, word, false)
            }
            '#' | '%' => {
                let longest = self.peek() == Some(op);
                if longest {
                    self.pos += 1;
                }
                let pattern = self.word(Some('}'))?;
                let value = self.value(&name)?.unwrap_or_default();
                check_pattern_size(&name, &value, &pattern)?;
                Ok(trim_pattern(&value, &pattern, op == '#', longest))
            }
            '/' => {
                let all = self.peek() == Some('/');
                if all {
                    self.pos += 1;
                }
                let pattern = self.word_until_slash()?;
                let replacement = self.word(Some('}'))?;
                let value = self.value(&name)?.unwrap_or_default();
                check_pattern_size(&name, &value, &pattern)?;
                Ok(replace_pattern(&value, &pattern, &replacement, all))
            }
            other => Err(format!(
                "unsupported modifier `{other}` in `${{{name}{other}...}}`"
            )),
        }
    }

    /// The pattern of `${V/p/r}`: up to an unescaped `/` (consumed) or `}` (left for the caller).
    fn word_until_slash(&mut self) -> Result<String, String> {
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err("missing `}` in a variable substitution".to_string()),
                Some('/') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some('}') => return Ok(out),
                Some('$') => {
                    self.pos += 1;
                    out.push_str(&self.dollar()?);
                }
                Some(c) if c == self.escape => {
                    self.pos += 1;
                    if let Some(next) = self.next() {
                        out.push(next);
                    }
                }
                Some(c) => {
                    self.pos += 1;
                    out.push(c);
                }
            }
        }
    }

    fn modify(
        &self,
        name: &str,
        modifier: char,
        value: Option<String>,
        word: String,
        colon: bool,
    ) -> Result<String, String> {
        match (modifier, value) {
            ('-', Some(v)) => Ok(v),
            ('-', None) => Ok(word),
            ('+', Some(_)) => Ok(word),
            ('+', None) => Ok(String::new()),
            ('?', Some(v)) => Ok(v),
            ('?', None) => Err(if word.is_empty() {
                format!("`{name}` is not set")
            } else {
                format!("`{name}`: {word}")
            }),
            (other, _) => {
                let colon = if colon { ":" } else { "" };
                Err(format!(
                    "unsupported modifier `{colon}{other}` in `${{{name}...}}`"
                ))
            }
        }
    }
}

fn check_pattern_size(name: &str, value: &str, pattern: &str) -> Result<(), String> {
    if value.len() + pattern.len() > MAX_PATTERN_VALUE {
        return Err(format!(
            "`{name}` is too long for a pattern substitution ({} characters; drydock stops at {MAX_PATTERN_VALUE})",
            value.len() + pattern.len()
        ));
    }
    Ok(())
}

/// A shell glob (`*`, `?`, `[...]` treated literally) matching `text` entirely.
fn glob_match(pattern: &[char], text: &[char]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

fn trim_pattern(value: &str, pattern: &str, prefix: bool, longest: bool) -> String {
    let chars: Vec<char> = value.chars().collect();
    let pattern: Vec<char> = pattern.chars().collect();
    let lengths: Box<dyn Iterator<Item = usize>> = if longest {
        Box::new((0..=chars.len()).rev())
    } else {
        Box::new(0..=chars.len())
    };
    for len in lengths {
        let (matched, rest) = if prefix {
            (&chars[..len], &chars[len..])
        } else {
            (&chars[chars.len() - len..], &chars[..chars.len() - len])
        };
        if glob_match(&pattern, matched) {
            return rest.iter().collect();
        }
    }
    value.to_string()
}

fn replace_pattern(value: &str, pattern: &str, replacement: &str, all: bool) -> String {
    let chars: Vec<char> = value.chars().collect();
    let pattern: Vec<char> = pattern.chars().collect();
    if pattern.is_empty() {
        return value.to_string();
    }
    let mut out = String::new();
    let mut i = 0;
    let mut replaced = false;
    while i < chars.len() {
        if !replaced || all {
            // Longest match starting at i.
            if let Some(len) = (1..=chars.len() - i)
                .rev()
                .find(|&len| glob_match(&pattern, &chars[i..i + len]))
            {
                out.push_str(replacement);
                i += len;
                replaced = true;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Value {
        match name {
            "SET" => Value::Set("val".into()),
            "EMPTY" => Value::Set(String::new()),
            "UNSET" => Value::Unset,
            "PATHY" => Value::Set("a/b/c.tar.gz".into()),
            _ => Value::Unknown(format!("`{name}` is unknown")),
        }
    }

    fn ex(word: &str) -> Result<String, String> {
        expand(word, '\\', &env)
            .map(|e| e.value)
            .map_err(|e| e.message)
    }

    #[test]
    fn buildkit_substitution_table() {
        let cases = [
            ("plain", "plain"),
            ("$SET", "val"),
            ("${SET}", "val"),
            ("x${SET}y", "xvaly"),
            ("$SET:1", "val:1"),
            ("${UNSET}", ""),
            ("a$UNSET", "a"),
            ("${SET:-d}", "val"),
            ("${EMPTY:-d}", "d"),
            ("${UNSET:-d}", "d"),
            ("${EMPTY-d}", ""),
            ("${UNSET-d}", "d"),
            ("${SET:+alt}", "alt"),
            ("${EMPTY:+alt}", ""),
            ("${EMPTY+alt}", "alt"),
            ("${UNSET+alt}", ""),
            ("${UNSET:-${SET}}", "val"),
            ("${UNSET:-}${UNSET:+/}img", "img"),
            ("${SET:-}${SET:+/}img", "val/img"),
            ("\\$SET", "$SET"),
            ("'$SET'", "$SET"),
            ("\"$SET\"", "val"),
            ("$", "$"),
            ("a$-b", "a$-b"),
            ("${PATHY#*/}", "b/c.tar.gz"),
            ("${PATHY##*/}", "c.tar.gz"),
            ("${PATHY%.*}", "a/b/c.tar"),
            ("${PATHY%%.*}", "a/b/c"),
            ("${PATHY/\\//-}", "a-b/c.tar.gz"),
            ("${PATHY//\\//-}", "a-b-c.tar.gz"),
        ];
        for (word, want) in cases {
            assert_eq!(ex(word), Ok(want.to_string()), "{word}");
        }
    }

    #[test]
    fn errors_and_unknowns() {
        assert!(ex("${UNSET:?need it}").unwrap_err().contains("need it"));
        assert!(ex("${UNSET?}").unwrap_err().contains("not set"));
        assert!(ex("${NOPE}").unwrap_err().contains("unknown"));
        assert!(ex("$NOPE").unwrap_err().contains("unknown"));
        assert!(ex("${SET").is_err());
        assert!(ex("${}").is_err());
        assert!(ex("${SET!x}").unwrap_err().contains("unsupported"));
        assert!(ex("'open").is_err());
        let used = expand("${SET}:${UNSET:-x}", '\\', &env).unwrap().used;
        assert_eq!(used.into_iter().collect::<Vec<_>>(), ["SET", "UNSET"]);
    }

    #[test]
    fn hostile_words_are_bounded() {
        let deep = format!("{}x{}", "${UNSET:-".repeat(1000), "}".repeat(1000));
        assert!(ex(&deep).unwrap_err().contains("nested"));
        let shallow = format!("{}x{}", "${UNSET:-".repeat(10), "}".repeat(10));
        assert_eq!(ex(&shallow), Ok("x".to_string()));
        let long = |name: &str| {
            if name == "LONG" {
                Value::Set("a".repeat(100_000))
            } else {
                Value::Unset
            }
        };
        let err = expand("${LONG//a*a/b}", '\\', &long).unwrap_err();
        assert!(err.message.contains("too long"));
    }

    #[test]
    fn backtick_escape() {
        assert_eq!(expand("`$SET", '`', &env).unwrap().value, "$SET");
        assert_eq!(expand("a\\b", '`', &env).unwrap().value, "a\\b");
    }
}
