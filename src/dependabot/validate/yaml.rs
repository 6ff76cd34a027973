//! A located YAML tree for validation: every node knows its line and column, values are typed
//! with the YAML 1.2 core schema (only `true`/`false` are booleans), and the things GitHub
//! rejects or YAML hides (anchors, aliases, duplicate keys) are recorded instead of lost.
//!
//! Built from the event stream of `granit-parser` (the parser under serde-saphyr), because
//! serde's data model has no place for anchors or for repeated keys.

use serde_saphyr::granit_parser::{
    Event, Marker, Options, Parser, ScalarStyle, Span, StructureStyle,
};
use std::collections::HashMap;

/// A node of the document, with the 1-based line and column where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub line: usize,
    pub column: usize,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A string; `plain` is false when it was quoted or a block scalar.
    Str {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    /// Entries in document order; a repeated key appears twice (see [`Parsed::duplicate_keys`]).
    Map(Vec<(Node, Node)>),
}

/// Something in the file that is valid YAML but that the validator reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marked {
    pub line: usize,
    pub column: usize,
    pub name: String,
}

/// A parsed document plus what the parse noticed on the way.
#[derive(Debug)]
pub struct Parsed {
    pub root: Node,
    pub anchors: Vec<Marked>,
    pub aliases: Vec<Marked>,
    /// The second (and later) occurrence of a key in one mapping.
    pub duplicate_keys: Vec<Marked>,
    /// Lines that continue a scalar begun on an earlier line (quoted or block scalars), where
    /// whitespace is content.
    pub scalar_continuations: Vec<std::ops::RangeInclusive<usize>>,
    /// (line, column) of tabs right after a block indicator (`-\titem`, `?\tkey`).
    pub tabs_after_indicators: Vec<(usize, usize)>,
    /// The line where a second YAML document starts; it and everything after are not read.
    pub second_document: Option<usize>,
}

/// Why the text is not a YAML document drydock can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Aliases are expanded so that the rest of the validation sees what a YAML 1.2 reader sees; this
/// bounds the work an alias bomb can cause.
const MAX_EXPANDED_NODES: usize = 100_000;

pub fn parse(text: &str) -> Result<Parsed, SyntaxError> {
    let mut options = Options::default();
    options.emit_anchor_events = true;
    options.emit_comments = false;
    let parser = Parser::new_from_str_with_options(text, options);
    let mut builder = Builder {
        text,
        stack: Vec::new(),
        flow: Vec::new(),
        finished: None,
        anchored: HashMap::new(),
        anchors: Vec::new(),
        aliases: Vec::new(),
        duplicate_keys: Vec::new(),
        scalar_continuations: Vec::new(),
        tabs_after_indicators: Vec::new(),
        expanded: 0,
    };
    let mut documents = 0usize;
    let mut second_document = None;
    for event in parser {
        let (event, span) = event.map_err(|e| SyntaxError {
            line: e.marker().line(),
            column: e.marker().col() + 1,
            message: e.info(),
        })?;
        match event {
            Event::DocumentStart(..) => {
                documents += 1;
                if documents > 1 {
                    // Like Ruby's Psych.safe_load, read the first document only.
                    second_document = Some(span.start.line());
                    break;
                }
            }
            other => builder.event(other, span)?,
        }
    }
    let root = builder.finished.unwrap_or(Node {
        line: 1,
        column: 1,
        value: Value::Null,
    });
    Ok(Parsed {
        root,
        anchors: builder.anchors,
        aliases: builder.aliases,
        duplicate_keys: builder.duplicate_keys,
        scalar_continuations: builder.scalar_continuations,
        tabs_after_indicators: builder.tabs_after_indicators,
        second_document,
    })
}

enum Open {
    Seq(Node),
    /// The mapping, the key waiting for its value, and entries from `<<` merge keys, which
    /// apply at the end to the keys the mapping does not set itself.
    Map(Node, Option<Node>, Vec<(Node, Node)>),
}

struct Builder<'t> {
    text: &'t str,
    stack: Vec<(Open, usize)>,
    /// Whether each open collection is in flow style (`[...]`, `{...}`).
    flow: Vec<bool>,
    finished: Option<Node>,
    anchored: HashMap<usize, Node>,
    anchors: Vec<Marked>,
    aliases: Vec<Marked>,
    duplicate_keys: Vec<Marked>,
    scalar_continuations: Vec<std::ops::RangeInclusive<usize>>,
    tabs_after_indicators: Vec<(usize, usize)>,
    expanded: usize,
}

fn at(marker: &Marker) -> (usize, usize) {
    (marker.line(), marker.col() + 1)
}

impl Builder<'_> {
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), SyntaxError> {
        let (line, column) = at(&span.start);
        let starts_node = matches!(
            event,
            Event::Scalar(..)
                | Event::SequenceStart(..)
                | Event::MappingStart(..)
                | Event::Alias(_)
        );
        if starts_node && self.flow.last() != Some(&true) {
            self.note_tab_after_indicator(&span);
        }
        match &event {
            Event::SequenceStart(style, ..) | Event::MappingStart(style, ..) => {
                self.flow.push(*style == StructureStyle::Flow);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.flow.pop();
            }
            _ => {}
        }
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                if span.end.line() > line {
                    self.scalar_continuations.push(line + 1..=span.end.line());
                }
                let tag_suffix = tag
                    .as_ref()
                    .filter(|t| t.is_yaml_core_schema())
                    .map(|t| t.suffix().to_string());
                let value = scalar_value(&text, style, tag_suffix.as_deref());
                self.complete(
                    Node {
                        line,
                        column,
                        value,
                    },
                    anchor,
                )?;
            }
            Event::SequenceStart(_, anchor, _) => {
                self.stack.push((
                    Open::Seq(Node {
                        line,
                        column,
                        value: Value::Seq(Vec::new()),
                    }),
                    anchor,
                ));
            }
            Event::MappingStart(_, anchor, _) => {
                self.stack.push((
                    Open::Map(
                        Node {
                            line,
                            column,
                            value: Value::Map(Vec::new()),
                        },
                        None,
                        Vec::new(),
                    ),
                    anchor,
                ));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((open, anchor)) = self.stack.pop() {
                    let node = match open {
                        Open::Seq(node) => node,
                        Open::Map(mut node, _, merged) => {
                            if let Value::Map(entries) = &mut node.value {
                                for (key, value) in merged {
                                    if !entries.iter().any(|(k, _)| {
                                        k.as_key().is_some() && k.as_key() == key.as_key()
                                    }) {
                                        entries.push((key, value));
                                    }
                                }
                            }
                            node
                        }
                    };
                    self.complete(node, anchor)?;
                }
            }
            Event::Anchor(_, name) => {
                self.anchors.push(Marked {
                    line,
                    column,
                    name: name.into_owned(),
                });
            }
            Event::Alias(id) => {
                self.aliases.push(Marked {
                    line,
                    column,
                    name: alias_name(self.text, &span),
                });
                let mut node = self.anchored.get(&id).cloned().unwrap_or(Node {
                    line,
                    column,
                    value: Value::Null,
                });
                self.expanded += count_nodes(&node);
                if self.expanded > MAX_EXPANDED_NODES {
                    return Err(SyntaxError {
                        line,
                        column,
                        message: format!("aliases expand to more than {MAX_EXPANDED_NODES} nodes"),
                    });
                }
                node.line = line;
                node.column = column;
                self.complete(node, 0)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// A tab between a block indicator (`-`, `?`) and the node after it, which libyaml (GitHub's
    /// reader) rejects ("found character that cannot start any token") though YAML 1.2 allows it.
    /// After `:` libyaml accepts a tab.
    fn note_tab_after_indicator(&mut self, span: &Span) {
        let Some(start) = span.start.byte_offset() else {
            return;
        };
        let before = &self.text.as_bytes()[..start.min(self.text.len())];
        let gap = before
            .iter()
            .rev()
            .take_while(|b| **b == b' ' || **b == b'\t')
            .count();
        let indicator = before.len().checked_sub(gap + 1).map(|i| before[i]);
        if gap > 0 && matches!(indicator, Some(b'-' | b'?')) {
            let gap_start = before.len() - gap;
            if let Some(tab) = before[gap_start..].iter().position(|b| *b == b'\t') {
                let line_start = before[..gap_start]
                    .iter()
                    .rposition(|b| *b == b'\n')
                    .map_or(0, |i| i + 1);
                let column = self.text[line_start..gap_start + tab].chars().count() + 1;
                self.tabs_after_indicators.push((span.start.line(), column));
            }
        }
    }

    fn complete(&mut self, node: Node, anchor: usize) -> Result<(), SyntaxError> {
        if anchor != 0 {
            self.anchored.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.finished = Some(node),
            Some((Open::Seq(seq), _)) => {
                if let Value::Seq(items) = &mut seq.value {
                    items.push(node);
                }
            }
            Some((Open::Map(map, pending, merged), _)) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => {
                    if let Value::Map(entries) = &mut map.value {
                        if is_merge_key(&key) {
                            merge_into(merged, node);
                        } else {
                            if let Some(name) = key.as_key()
                                && entries.iter().any(|(k, _)| k.as_key() == Some(name))
                            {
                                self.duplicate_keys.push(Marked {
                                    line: key.line,
                                    column: key.column,
                                    name: name.to_string(),
                                });
                            }
                            entries.push((key, node));
                        }
                    }
                }
            },
        }
        Ok(())
    }
}

/// `<<: *defaults` (YAML 1.1 merge keys), which people use together with anchors.
fn is_merge_key(key: &Node) -> bool {
    matches!(&key.value, Value::Str { text, plain: true } if text == "<<")
}

fn merge_into(merged: &mut Vec<(Node, Node)>, source: Node) {
    let sources = match source.value {
        Value::Seq(items) => items,
        _ => vec![source],
    };
    for source in sources {
        if let Value::Map(entries) = source.value {
            for (key, value) in entries {
                // With several sources, the first one that sets a key wins.
                if !merged
                    .iter()
                    .any(|(k, _)| k.as_key().is_some() && k.as_key() == key.as_key())
                {
                    merged.push((key, value));
                }
            }
        }
    }
}

/// The name in `*name`, from the source text the span covers.
fn alias_name(text: &str, span: &Span) -> String {
    let (Some(start), Some(end)) = (span.start.byte_offset(), span.end.byte_offset()) else {
        return String::new();
    };
    text.get(start..end)
        .unwrap_or("")
        .trim_start_matches('*')
        .to_string()
}

fn count_nodes(node: &Node) -> usize {
    1 + match &node.value {
        Value::Seq(items) => items.iter().map(count_nodes).sum(),
        Value::Map(entries) => entries
            .iter()
            .map(|(k, v)| count_nodes(k) + count_nodes(v))
            .sum(),
        _ => 0,
    }
}

/// The YAML 1.2 core schema (what serde-saphyr calls `strict_booleans`): `yes`, `on` and friends
/// stay strings, and a quoted scalar is always a string.
fn scalar_value(text: &str, style: ScalarStyle, tag: Option<&str>) -> Value {
    let string = |plain| Value::Str {
        text: text.to_string(),
        plain,
    };
    match tag {
        Some("str") => return string(false),
        Some("int") => {
            return text
                .parse()
                .map(Value::Int)
                .unwrap_or_else(|_| string(false));
        }
        _ => {}
    }
    if style != ScalarStyle::Plain {
        return string(false);
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    if let Some(int) = parse_int(text) {
        return Value::Int(int);
    }
    if is_float(text)
        && let Ok(f) = text.parse()
    {
        return Value::Float(f);
    }
    string(true)
}

fn parse_int(text: &str) -> Option<i64> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let radix = [("0o", 8), ("0x", 16), ("0b", 2)]
        .into_iter()
        .find_map(|(p, r)| body.strip_prefix(p).map(|d| (d, r)));
    let magnitude = match radix {
        Some((digits, radix)) => {
            if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
                return None;
            }
            i64::from_str_radix(digits, radix).ok()?
        }
        None => {
            // Underscores between digits (`1_000`), as serde-saphyr and YAML 1.1 readers accept.
            let groups_ok = body
                .split('_')
                .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()));
            if !groups_ok || (body.contains('_') && body.starts_with('0')) {
                return None;
            }
            body.replace('_', "").parse::<i64>().ok()?
        }
    };
    Some(if negative { -magnitude } else { magnitude })
}

fn is_float(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match fraction {
        Some(f) => digits(whole) && digits(f) && !(whole.is_empty() && f.is_empty()),
        None => !whole.is_empty() && digits(whole),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

impl Node {
    /// The text of a scalar used as a mapping key (numbers and booleans keep their spelling).
    pub fn as_key(&self) -> Option<&str> {
        match &self.value {
            Value::Str { text, .. } => Some(text),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str { text, .. } => Some(text),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The value of `key` in a mapping; with a repeated key, the last one (as GitHub's reader
    /// does).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node and value of `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.as_map()?
            .iter()
            .rev()
            .find(|(k, _)| k.as_key() == Some(key))
            .map(|(k, v)| (k, v))
    }

    /// A short description of what the node is, for messages ("a string", "a list").
    pub fn kind(&self) -> &'static str {
        match &self.value {
            Value::Null => "null (an empty value)",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str { .. } => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

/// What GitHub's YAML 1.1 reader (Ruby's Psych) makes of a plain scalar that YAML 1.2 reads as a
/// string, when that is not a string: `09:00` is the sexagesimal integer 540, `yes` a boolean,
/// `2024-01-31` a date, `1,000` an integer. GitHub then reports "of type integer did not match the
/// following type: string" (dependabot-core#3263).
pub fn yaml11_reading(text: &str) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    if matches!(lower.as_str(), "yes" | "no" | "on" | "off") {
        return Some("a boolean");
    }
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    // Sexagesimal: [0-9][0-9_]*(:[0-5]?[0-9]){1,2}, optionally with a fraction.
    let (whole, fraction) = match body.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (body, None),
    };
    let mut parts = whole.split(':');
    let head = parts.next().unwrap_or("");
    let tail: Vec<&str> = parts.collect();
    let base60 = |p: &&str| {
        (1..=2).contains(&p.len())
            && p.bytes().all(|b| b.is_ascii_digit())
            && (p.len() == 1 || p.as_bytes()[0] <= b'5')
    };
    if head.starts_with(|c: char| c.is_ascii_digit())
        && digits(head)
        && (1..=2).contains(&tail.len())
        && tail.iter().all(base60)
    {
        return match fraction {
            None => Some("an integer"),
            Some(f) if f.bytes().all(|b| b.is_ascii_digit() || b == b'_') => Some("a number"),
            Some(_) => None,
        };
    }
    let date: Vec<&str> = text.split('-').collect();
    if date.len() == 3
        && date[0].len() == 4
        && (1..=2).contains(&date[1].len())
        && (1..=2).contains(&date[2].len())
        && date.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Some("a date");
    }
    let groups: Vec<&str> = body.split(',').collect();
    if groups.len() > 1
        && groups.iter().all(|g| digits(g))
        && body.starts_with(|c: char| c.is_ascii_digit())
    {
        return Some("an integer");
    }
    None
}
