//! From text to [`Dockerfile`]: [`syntax`] splits the file into instructions; this module checks
//! them as BuildKit does, evaluates the global `ARG`s, expands each `FROM`, resolves stage
//! references and image references. Spans are offsets in the original text (a UTF-8 BOM is
//! skipped but counted).

use std::collections::{BTreeMap, BTreeSet};

use super::expand::{self, Value};
use super::syntax::{self, RawInstruction};
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

pub fn parse(text: &str, build_args: &BTreeMap<String, String>) -> Result<Dockerfile, ParseError> {
    let start = if text.starts_with(UTF8_BOM) {
        UTF8_BOM.len()
    } else {
        0
    };
    let parsed = syntax::parse(text, start)?;
    let escape = parsed.escape;
    let error = |offset: usize, message: String| {
        let (line, column) = syntax::locate(text, offset);
        ParseError {
            line,
            column,
            message,
        }
    };
    if !parsed.instructions.iter().any(|i| i.keyword == "FROM") {
        return Err(ParseError {
            line: 1,
            column: 1,
            message: "no FROM instruction: the file has no build stage (empty, or only comments and ARGs)".to_string(),
        });
    }

    let mut global_args = Vec::new();
    let mut env: BTreeMap<String, Value> = BTreeMap::new();
    let mut stages: Vec<Stage> = Vec::new();
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    for raw in &parsed.instructions {
        let line = line_starts.partition_point(|&start| start <= raw.keyword_span.start);
        validate(raw).map_err(|m| error(raw.keyword_span.start, m))?;
        match raw.keyword.as_str() {
            "ARG" if stages.is_empty() => {
                for decl in arg_decls(raw, line) {
                    let value = arg_value(&decl, text, escape, &env, build_args);
                    env.insert(decl.name.clone(), value);
                    global_args.push(decl);
                }
            }
            "FROM" => {
                let stage = from_stage(text, raw, line, escape, &stages, &env, build_args)
                    .map_err(|(at, m)| error(at, m))?;
                stages.push(stage);
            }
            keyword => match stages.last_mut() {
                Some(stage) => stage.instructions.push(convert(raw, line)),
                None => {
                    return Err(error(
                        raw.keyword_span.start,
                        format!("{keyword} before the first FROM: only ARG may come before it"),
                    ));
                }
            },
        }
    }
    Ok(Dockerfile {
        escape,
        syntax: parsed.syntax.map(|d| d.value),
        global_args,
        stages,
    })
}

/// The checks BuildKit makes when it turns a line into an instruction.
fn validate(raw: &RawInstruction) -> Result<(), String> {
    let keyword = raw.keyword.as_str();
    let words = &raw.words;
    match keyword {
        "ENV" | "LABEL" => {
            let Some(first) = words.first() else {
                return Err(format!("{keyword} needs at least one `NAME=value`"));
            };
            if first.text.contains('=') {
                if let Some(bad) = words.iter().find(|w| !w.text.contains('=')) {
                    return Err(format!(
                        "{keyword} `{}` has no `=`: write `NAME=value`",
                        bad.text
                    ));
                }
                if let Some(blank) = words.iter().find(|w| w.text.starts_with('=')) {
                    return Err(format!("{keyword} `{}` has no name", blank.text));
                }
            } else if words.len() < 2 {
                return Err(format!(
                    "{keyword} `{}` has no value: write `{keyword} {}=value`",
                    first.text, first.text
                ));
            }
        }
        "FROM"
            if !(words.len() == 1
                || words.len() == 3 && words[1].text.eq_ignore_ascii_case("as")) =>
        {
            return Err("FROM takes an image and optionally `AS name`: FROM [--platform=...] image [AS name]".to_string());
        }
        "ARG" | "USER" | "WORKDIR" | "STOPSIGNAL" | "EXPOSE" | "VOLUME" | "MAINTAINER"
        | "SHELL" | "RUN"
            if raw.arguments.is_empty() =>
        {
            return Err(format!("{keyword} needs at least one argument"));
        }
        "COPY" | "ADD" if words.len() < 2 && raw.heredocs.is_empty() => {
            return Err(format!("{keyword} needs a source and a destination"));
        }
        "ONBUILD" => {
            let inner = words
                .first()
                .map(|w| w.text.to_ascii_uppercase())
                .unwrap_or_default();
            if inner.is_empty() {
                return Err("ONBUILD needs an instruction".to_string());
            }
            if matches!(inner.as_str(), "ONBUILD" | "FROM" | "MAINTAINER") {
                return Err(format!("ONBUILD {inner} is not allowed"));
            }
        }
        _ => {}
    }
    Ok(())
}

fn convert(raw: &RawInstruction, line: usize) -> Instruction {
    let mut arguments = raw.arguments.clone();
    for heredoc in &raw.heredocs {
        arguments.push('\n');
        arguments.push_str(&heredoc.body);
        arguments.push_str(&heredoc.delimiter);
    }
    Instruction {
        keyword: raw.keyword.clone(),
        flags: raw.flags.iter().map(|f| f.text.clone()).collect(),
        flag_spans: raw.flags.iter().map(|f| f.span.clone()).collect(),
        exec: raw.json.clone(),
        arguments,
        line,
        span: raw.span.clone(),
    }
}

/// `ARG a=1 b="x y" c`: one declaration per word.
fn arg_decls(raw: &RawInstruction, line: usize) -> Vec<ArgDecl> {
    raw.words
        .iter()
        .map(|word| {
            let (name, default) = match word.text.split_once('=') {
                Some((name, value)) => (name.to_string(), Some(value)),
                None => (word.text.clone(), None),
            };
            let default_span = match default {
                Some(value) if !word.multiline => {
                    let start = word.span.end - value.len();
                    Some(if is_quoted(value) {
                        start + 1..word.span.end - 1
                    } else {
                        start..word.span.end
                    })
                }
                _ => None,
            };
            ArgDecl {
                name,
                default: default.map(unquote),
                line,
                default_span,
            }
        })
        .collect()
}

fn is_quoted(value: &str) -> bool {
    value.len() >= 2
        && (value.starts_with('"') && value.ends_with('"')
            || value.starts_with('\'') && value.ends_with('\''))
}

fn unquote(value: &str) -> String {
    if is_quoted(value) {
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
    text: &str,
    escape: char,
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
    // Expand the default as written: quotes and escapes are the lexer's business.
    let raw = match &decl.default_span {
        Some(span) => {
            let quoted = span.start > 0 && matches!(text.as_bytes()[span.start - 1], b'"' | b'\'');
            if quoted {
                text[span.start - 1..span.end + 1].to_string()
            } else {
                text[span.clone()].to_string()
            }
        }
        None => default.clone(),
    };
    let lookup = |name: &str| lookup_global(name, env, build_args);
    match expand::expand(&raw, escape, &lookup) {
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
    text: &str,
    raw: &RawInstruction,
    line: usize,
    escape: char,
    earlier: &[Stage],
    env: &BTreeMap<String, Value>,
    build_args: &BTreeMap<String, String>,
) -> Result<Stage, (usize, String)> {
    let name = match raw.words.get(2) {
        Some(word) => {
            let lower = word.text.to_ascii_lowercase();
            if !valid_stage_name(&lower) {
                return Err((
                    word.span.start,
                    format!(
                        "invalid stage name `{}`: it must match [a-z][a-z0-9-_.]*",
                        word.text
                    ),
                ));
            }
            if earlier.iter().any(|s| s.name.as_deref() == Some(&lower)) {
                return Err((word.span.start, format!("duplicate stage name `{lower}`")));
            }
            Some(lower)
        }
        None => None,
    };
    let platform = raw.flags.iter().find_map(|f| {
        let (key, value) = f.text.strip_prefix("--")?.split_once('=')?;
        key.eq_ignore_ascii_case("platform")
            .then(|| value.to_string())
    });
    let image = &raw.words[0];
    let written = text[image.span.clone()].to_string();
    let lookup = |name: &str| lookup_global(name, env, build_args);
    let (base, used) = match expand::expand(&image.text, escape, &lookup) {
        Err(e) if platform_stage(&image.text, escape, earlier, env, build_args).is_some() => (
            Base::Stage(
                platform_stage(&image.text, escape, earlier, env, build_args)
                    .expect("checked above"),
            ),
            e.used,
        ),
        Err(e) => (
            Base::Unresolved {
                expression: image.text.clone(),
                reason: e.message,
            },
            e.used,
        ),
        Ok(expanded) => (
            resolve_base(&image.text, &expanded.value, &expanded.used, earlier, env),
            expanded.used,
        ),
    };
    let args_used = global_names_in_order(&used, env);
    Ok(Stage {
        index: earlier.len(),
        name,
        platform,
        from: FromImage {
            raw: if image.multiline {
                image.text.clone()
            } else {
                written
            },
            span: image.span.clone(),
            base,
            args_used,
        },
        line,
        instructions: Vec::new(),
    })
}

/// The values the builder gives the platform ARGs, as far as a `FROM` can tell them apart.
const PLATFORM_VALUES: &[(&str, &[&str])] = &[
    ("TARGETOS", &["linux", "darwin", "windows", "freebsd"]),
    ("BUILDOS", &["linux", "darwin", "windows", "freebsd"]),
    (
        "TARGETARCH",
        &[
            "amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64", "mips64le",
        ],
    ),
    (
        "BUILDARCH",
        &[
            "amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64", "mips64le",
        ],
    ),
    ("TARGETVARIANT", &["", "v5", "v6", "v7", "v8"]),
];

/// `FROM binary-$TARGETOS` where the platform values name earlier stages (`binary-linux`,
/// `binary-darwin`): the first stage one of them names. Values that name no stage are platforms
/// the file does not build for. `None` when no value names a stage.
fn platform_stage(
    expression: &str,
    escape: char,
    earlier: &[Stage],
    env: &BTreeMap<String, Value>,
    build_args: &BTreeMap<String, String>,
) -> Option<usize> {
    let used: Vec<&(&str, &[&str])> = PLATFORM_VALUES
        .iter()
        .filter(|(name, _)| expression.contains(name) && !build_args.contains_key(*name))
        .collect();
    if used.is_empty() || used.len() > 3 {
        return None;
    }
    let mut found: Option<usize> = None;
    let mut choice = vec![0usize; used.len()];
    loop {
        let lookup = |name: &str| match used.iter().position(|(n, _)| *n == name) {
            Some(i) => Value::Set(used[i].1[choice[i]].to_string()),
            None => lookup_global(name, env, build_args),
        };
        if let Ok(expanded) = expand::expand(expression, escape, &lookup)
            && let Some(stage) = earlier.iter().find(|s| {
                s.name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&expanded.value))
            })
        {
            found = Some(found.map_or(stage.index, |f| f.min(stage.index)));
        }
        // The next combination, odometer style (at most 8 × 8 × 5 steps).
        let mut i = 0;
        loop {
            if i == used.len() {
                return found;
            }
            choice[i] += 1;
            if choice[i] < used[i].1.len() {
                break;
            }
            choice[i] = 0;
            i += 1;
        }
    }
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
    fn stage_names() {
        assert!(valid_stage_name("build-env_1.x"));
        assert!(!valid_stage_name("1build"));
        assert!(!valid_stage_name(""));
    }
}
