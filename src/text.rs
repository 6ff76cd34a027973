//! Text helpers every layer may use: did-you-mean suggestions for misspelt keys and names, byte
//! offsets as line and column, and [`Rejected`], the error a configuration section's validation
//! returns: what is wrong, what to do, and where the value is ([`KeyPath`], relative to the
//! section), so that the owning module can validate its section without knowing the file it came
//! from. `inventory` resolves the path to the value's span in fleet.toml.
//!
//! A leaf: imports nothing from the crate.

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

#[cfg(test)]
mod tests {
    use super::*;

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
