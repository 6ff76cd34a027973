//! A located YAML tree for validation: every node knows its line and column, values are typed
//! with the YAML 1.2 core schema (only `true`/`false` are booleans), and the things GitHub
//! rejects or YAML hides (anchors, aliases, duplicate keys) are recorded instead of lost.
//!
//! Built from the event stream of `granit-parser` (the parser under serde-saphyr), because
//! serde's data model has no place for anchors or for repeated keys.

use serde_saphyr::granit_parser::{Event, Marker, Options, Parser, ScalarStyle, Span};
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
        finished: None,
        anchored: HashMap::new(),
        anchors: Vec::new(),
        aliases: Vec::new(),
        duplicate_keys: Vec::new(),
        expanded: 0,
    };
    let mut documents = 0usize;
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
                    return Err(SyntaxError {
                        line: span.start.line(),
                        column: span.start.col() + 1,
                        message: "a second YAML document starts here; dependabot.yml must hold exactly one".into(),
                    });
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
    finished: Option<Node>,
    anchored: HashMap<usize, Node>,
    anchors: Vec<Marked>,
    aliases: Vec<Marked>,
    duplicate_keys: Vec<Marked>,
    expanded: usize,
}

fn at(marker: &Marker) -> (usize, usize) {
    (marker.line(), marker.col() + 1)
}

impl Builder<'_> {
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), SyntaxError> {
        let (line, column) = at(&span.start);
        match event {
            Event::Scalar(text, style, anchor, tag) => {
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
    if let Some(oct) = text.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8).ok().filter(|_| !oct.is_empty());
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16)
            .ok()
            .filter(|_| !hex.is_empty());
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
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
