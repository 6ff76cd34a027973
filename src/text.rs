//! Text helpers every layer may use: did-you-mean suggestions for misspelt keys and names, byte
//! offsets as line and column, and [`Rejected`], the error a configuration section's validation
//! returns: what is wrong, what to do, and where the value is ([`KeyPath`], relative to the
//! section), so that the owning module can validate its section without knowing the file it came
//! from. `inventory` resolves the path to the value's span in fleet.toml.
//!
//! Also the escaping every text renderer applies to values that come from repositories,
//! registries or configuration: [`escape_terminal`] (control characters shown visibly, so a
//! directory name cannot move the cursor, set a window title or forge a line of output) and
//! [`markdown_code`] (a code span that no backtick in the value can close early).
//!
//! A leaf: imports nothing from the crate.

use std::borrow::Cow;
use std::fmt::Write as _;

/// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (distance(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| {
            *d <= (c.len().max(word.len()) / 3).max(1) || normalised(c) == normalised(word)
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// `commit_message` and `commit-message` are the same mistake away from each other.
fn normalised(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Edit distance counting a swap of two neighbouring characters as one edit (optimal string
/// alignment), since swapped letters are the most common typo.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j - 1] + cost)
                .min(d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The hint for a glob that does not compile (globset's syntax, as every glob in fleet.toml).
pub const GLOB_HELP: &str =
    "`*` matches within one path segment, `**` across segments; close every `[` and `{`";

/// One step into a configuration table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The value under a key.
    Key(String),
    /// An element of an array.
    Index(usize),
    /// The key itself, not its value (an unknown rule id in `[policy.severity]`); always last.
    Name(String),
}

/// Where a value is inside a configuration table, as the keys and indices leading to it:
/// `schedule.interval`, `ignore[2].update-types[0]`. Built by the module that validates the table,
/// resolved to a span in the file by `inventory`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPath(pub Vec<Step>);

impl KeyPath {
    /// The table itself.
    pub fn root() -> KeyPath {
        KeyPath::default()
    }

    /// The value under `key`.
    pub fn key(mut self, key: impl Into<String>) -> KeyPath {
        self.0.push(Step::Key(key.into()));
        self
    }

    /// Element `index` of the array here.
    pub fn index(mut self, index: usize) -> KeyPath {
        self.0.push(Step::Index(index));
        self
    }

    /// The key `key` of the table here, not its value.
    pub fn name(mut self, key: impl Into<String>) -> KeyPath {
        self.0.push(Step::Name(key.into()));
        self
    }

    /// `inner`, a path relative to the value at `self`.
    pub fn join(mut self, inner: KeyPath) -> KeyPath {
        self.0.extend(inner.0);
        self
    }
}

/// A configuration value that validation rejects: where it is, what is wrong, what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// Relative to the table the validating module was given.
    pub at: KeyPath,
    pub message: String,
    pub help: String,
}

impl Rejected {
    pub fn new(at: KeyPath, message: impl Into<String>, help: impl Into<String>) -> Rejected {
        Rejected {
            at,
            message: message.into(),
            help: help.into(),
        }
    }

    /// The same problem, seen from the table that holds this one's table under `outer`.
    pub fn within(mut self, outer: KeyPath) -> Rejected {
        self.at = outer.join(self.at);
        self
    }
}

/// `value` with every character that could drive a terminal or forge a line shown visibly:
/// C0 controls (newline as `\n`, carriage return `\r`, tab `\t`, the rest and ESC as `\x1b`),
/// DEL (`\x7f`), C1 controls (`\u{9b}`), the Unicode line and paragraph separators and the
/// bidirectional overrides and isolates (`\u{202e}`), which reorder what a reader sees.
/// Borrowed when nothing needs escaping, the common case. Backslashes are left as they are: the
/// output is for people, who can tell a name from its escape by context, not for parsing back.
pub fn escape_terminal(value: &str) -> Cow<'_, str> {
    if !value.chars().any(needs_escape) {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x80 && needs_escape(c) => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control() // C0, DEL and C1
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `value` as a Markdown code span, control characters escaped as by [`escape_terminal`]: the
/// fence is one backtick longer than the longest run of backticks inside, with a space on each
/// side when the value starts or ends with a backtick (CommonMark strips one such space), so a
/// path containing backticks cannot close the span and inject Markdown. A `|` is escaped as well
/// (GitHub's tables split cells on it even inside code spans). An empty value renders as
/// `` ` ` ``.
pub fn markdown_code(value: &str) -> String {
    let escaped = escape_terminal(value).replace('|', "\\|");
    if escaped.is_empty() {
        return "` `".to_owned();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in escaped.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if escaped.starts_with('`') || escaped.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{escaped}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_not_sent() {
        assert!(matches!(escape_terminal("apps/web"), Cow::Borrowed(_)));
        assert_eq!(escape_terminal("a\nb\rc\td"), "a\\nb\\rc\\td");
        assert_eq!(
            escape_terminal("\x1b]0;pwned\x07\x1b[2J"),
            "\\x1b]0;pwned\\x07\\x1b[2J"
        );
        assert_eq!(escape_terminal("\0\x7f"), "\\x00\\x7f");
        assert_eq!(escape_terminal("x\u{9b}31m"), "x\\u{9b}31m", "C1 CSI");
        assert_eq!(escape_terminal("\u{202e}txt.exe"), "\\u{202e}txt.exe");
        assert_eq!(escape_terminal("a\u{2028}b"), "a\\u{2028}b");
        assert_eq!(
            escape_terminal("café/日本"),
            "café/日本",
            "printable text untouched"
        );
        assert_eq!(escape_terminal("C:\\x"), "C:\\x", "backslashes untouched");
    }

    #[test]
    fn escaped_output_has_no_control_characters() {
        let all: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        let escaped = escape_terminal(&all);
        assert!(!escaped.chars().any(needs_escape));
        assert!(!escaped.contains('\n'));
    }

    #[test]
    fn markdown_code_spans_cannot_be_closed_early() {
        assert_eq!(markdown_code("apps/web"), "`apps/web`");
        assert_eq!(markdown_code("a`b"), "``a`b``");
        assert_eq!(markdown_code("a``b`"), "``` a``b` ```");
        assert_eq!(markdown_code("`x"), "`` `x ``");
        assert_eq!(markdown_code(""), "` `");
        assert_eq!(markdown_code("a|b\nc"), "`a\\|b\\nc`");
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            closest("commit_message", ["commit-message", "labels"]),
            Some("commit-message")
        );
        assert_eq!(closest("zzz", ["commit-message", "labels"]), None);
        assert_eq!(distance("wokspace", "workspace"), 1);
        assert_eq!(distance("brnach", "branch"), 1, "a swap is one edit");
    }

    #[test]
    fn lines_and_columns() {
        let text = "a = 1\nbé = \"x\"\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, text.find('"').unwrap()), (2, 6));
        assert_eq!(line_column(text, 10_000), (3, 1));
    }

    #[test]
    fn paths_nest() {
        let inner = Rejected::new(KeyPath::root().key("rule"), "m", "h");
        let outer = inner.within(KeyPath::root().key("waiver").index(2));
        assert_eq!(
            outer.at.0,
            [
                Step::Key("waiver".into()),
                Step::Index(2),
                Step::Key("rule".into())
            ]
        );
    }
}
