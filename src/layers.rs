//! The import direction between top-level modules, held by a test: cli → app → core ← adapters.
//!
//! The test reads every file under `src/`, collects the `crate::<module>` (and root-reaching
//! `super::`) paths in code (not in comments, strings or test code: tests may assemble the whole
//! program), and checks them against [`LAYERS`]:
//!
//! - leaves (`finding`, `text`) import nothing from the crate;
//! - the pure core imports only leaves and other core modules: never `app`, `cli`, the
//!   composition modules (`inventory`, `catalogue`) or an adapter;
//! - composition modules put the core's sections and rules together and may use adapter types
//!   (`[registry]` is typed in `registry`);
//! - adapters (git, registry, forge, http, fs, state) import core types, never `app` or `cli`;
//! - `app` imports anything but `cli`, and only `cli` imports `cli`;
//! - no cycle between top-level modules, whatever their layers.
//!
//! A new top-level module fails the test until it has a row in [`LAYERS`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Where a top-level module sits; a module may import its own layer and the ones [`may_import`]
/// allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layer {
    Leaf,
    Core,
    Composition,
    Adapter,
    App,
    Cli,
}

const LAYERS: &[(&str, Layer)] = &[
    ("finding", Layer::Leaf),
    ("text", Layer::Leaf),
    ("repo", Layer::Leaf),
    ("bump", Layer::Core),
    ("dependabot", Layer::Core),
    ("detect", Layer::Core),
    ("docker", Layer::Core),
    ("plan", Layer::Core),
    ("policy", Layer::Core),
    ("report", Layer::Core),
    ("workflow", Layer::Core),
    ("proposal", Layer::Core),
    ("catalogue", Layer::Composition),
    ("inventory", Layer::Composition),
    ("forge", Layer::Adapter),
    ("fs", Layer::Adapter),
    ("git", Layer::Adapter),
    ("http", Layer::Adapter),
    ("registry", Layer::Adapter),
    ("state", Layer::Adapter),
    ("app", Layer::App),
    ("cli", Layer::Cli),
];

fn may_import(from: Layer, to: Layer) -> bool {
    use Layer::*;
    match from {
        Leaf => false,
        Core => matches!(to, Leaf | Core),
        Composition | Adapter => matches!(to, Leaf | Core | Composition | Adapter),
        App => to != Cli,
        Cli => true,
    }
}

/// One `crate::<to>` path in a file of module `from`.
#[derive(Debug, Clone)]
struct Edge {
    from: String,
    to: String,
    file: PathBuf,
    line: usize,
}

impl std::fmt::Display for Edge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} -> {} ({}:{})",
            self.from,
            self.to,
            self.file.display(),
            self.line
        )
    }
}

/// `text` with comments, string and character literals blanked out (newlines kept), so that
/// only code is searched and braces balance.
fn code_only(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = c.clone();
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let blank = |out: &mut Vec<char>, from: usize, to: usize| {
        for ch in &mut out[from..to.min(c.len())] {
            if *ch != '\n' {
                *ch = ' ';
            }
        }
    };
    let mut i = 0;
    while i < c.len() {
        let prev_ident = i > 0 && ident(c[i - 1]);
        let start = i;
        if c[i] == '/' && c.get(i + 1) == Some(&'/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if c[i] == '/' && c.get(i + 1) == Some(&'*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if !prev_ident && (c[i] == 'r' || (c[i] == 'b' && c.get(i + 1) == Some(&'r'))) && {
            let r = if c[i] == 'b' { i + 1 } else { i };
            let hashes = c[r + 1..].iter().take_while(|&&h| h == '#').count();
            c.get(r + 1 + hashes) == Some(&'"')
        } {
            let r = if c[i] == 'b' { i + 1 } else { i };
            let hashes = c[r + 1..].iter().take_while(|&&h| h == '#').count();
            i = r + 1 + hashes + 1;
            while i < c.len() {
                if c[i] == '"' && c[i + 1..].iter().take_while(|&&h| h == '#').count() >= hashes {
                    i += 1 + hashes;
                    break;
                }
                i += 1;
            }
        } else if c[i] == '"' {
            i += 1;
            while i < c.len() && c[i] != '"' {
                i += if c[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if c[i] == '\'' {
            if c.get(i + 1) == Some(&'\\') {
                i += 2;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if c.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1; // a lifetime
                continue;
            }
        } else {
            i += 1;
            continue;
        }
        blank(&mut out, start, i);
    }
    out.into_iter().collect()
}

/// `code` with every item under `#[cfg(test)]` blanked out; the files of `#[cfg(test)] mod x;`
/// declarations are returned as module names.
fn without_tests(code: &str) -> (String, Vec<String>) {
    let c: Vec<char> = code.chars().collect();
    let mut out = c.clone();
    let mut test_mods = Vec::new();
    let marker: Vec<char> = "#[cfg(test)]".chars().collect();
    let mut i = 0;
    while i + marker.len() <= c.len() {
        if c[i..i + marker.len()] != marker[..] {
            i += 1;
            continue;
        }
        let start = i;
        i += marker.len();
        // The item: up to a `;` or the end of its first `{ ... }` block.
        let mut depth = 0usize;
        let item_start = i;
        while i < c.len() {
            match c[i] {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        i += 1;
                        break;
                    }
                }
                ';' if depth == 0 => {
                    i += 1;
                    break;
                }
                _ => {}
            }
            i += 1;
        }
        let item: String = c[item_start..i].iter().collect();
        let words: Vec<&str> = item
            .split(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
            .filter(|w| !w.is_empty())
            .collect();
        if item.trim_end().ends_with(';')
            && let Some(pos) = words.iter().position(|w| *w == "mod")
            && let Some(name) = words.get(pos + 1)
        {
            test_mods.push((*name).to_string());
        }
        for ch in &mut out[start..i] {
            if *ch != '\n' {
                *ch = ' ';
            }
        }
    }
    (out.into_iter().collect(), test_mods)
}

/// The module path of a file under `src/`: `policy/rules/eol.rs` → `[policy, rules, eol]`.
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    parts
}

/// The top-level modules a file's code names: `crate::x`, `crate::{x, y::z}`, and `super::x`
/// where the `super`s reach the crate root. Returns `(module, line)` pairs.
fn targets(code: &str, module: &[String]) -> Vec<(String, usize)> {
    let c: Vec<char> = code.chars().collect();
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let word_at = |i: usize| -> String { c[i..].iter().take_while(|&&ch| ident(ch)).collect() };
    let line_of = |i: usize| c[..i].iter().filter(|&&ch| ch == '\n').count() + 1;
    let mut found = Vec::new();
    let group = |i: usize, found: &mut Vec<(String, usize)>| {
        // After `crate::`: one name, or a `{ ... }` group of paths.
        if c.get(i) == Some(&'{') {
            let mut depth = 0;
            let mut j = i;
            let mut expect_name = true;
            while j < c.len() {
                match c[j] {
                    '{' => {
                        depth += 1;
                        expect_name = depth == 1;
                    }
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => expect_name = true,
                    ch if expect_name && depth == 1 && ident(ch) => {
                        found.push((word_at(j), line_of(j)));
                        expect_name = false;
                    }
                    _ => {}
                }
                j += 1;
            }
        } else {
            let w = word_at(i);
            if !w.is_empty() {
                found.push((w, line_of(i)));
            }
        }
    };
    let mut i = 0;
    while i < c.len() {
        let boundary = i == 0 || !ident(c[i - 1]);
        let rest = &c[i..];
        if boundary && rest.starts_with(&['c', 'r', 'a', 't', 'e', ':', ':']) {
            group(i + 7, &mut found);
            i += 7;
        } else if boundary && rest.starts_with(&['s', 'u', 'p', 'e', 'r', ':', ':']) {
            let mut j = i;
            let mut ups = 0;
            while c[j..].starts_with(&['s', 'u', 'p', 'e', 'r', ':', ':']) {
                ups += 1;
                j += 7;
            }
            if ups == module.len() {
                group(j, &mut found);
            }
            i = j;
        } else {
            i += 1;
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("src/ is readable")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every import edge between two different top-level modules, in production code.
fn edges() -> Vec<Edge> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut skipped: BTreeSet<PathBuf> = BTreeSet::new();
    let mut parsed = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).expect("under src/").to_path_buf();
        let text = std::fs::read_to_string(file).expect("a readable source file");
        let (code, test_mods) = without_tests(&code_only(&text));
        // `#[cfg(test)] mod x;` in `a/mod.rs` or `a.rs` is `a/x.rs` or `a/x/`.
        let module = module_path(&rel);
        let dir = module.iter().fold(src.clone(), |d, m| d.join(m));
        for m in test_mods {
            skipped.insert(dir.join(format!("{m}.rs")));
            skipped.insert(dir.join(&m));
        }
        parsed.push((file.clone(), rel, module, code));
    }
    let mut edges = Vec::new();
    for (file, rel, module, code) in parsed {
        if module.is_empty()
            || rel == Path::new("main.rs")
            || skipped.iter().any(|s| file.starts_with(s))
        {
            continue;
        }
        for (to, line) in targets(&code, &module) {
            if to != module[0] && to != "self" {
                edges.push(Edge {
                    from: module[0].clone(),
                    to,
                    file: Path::new("src").join(&rel),
                    line,
                });
            }
        }
    }
    edges
}

fn layer(module: &str) -> Option<Layer> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

#[test]
fn every_top_level_module_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("src/lib.rs");
    let (code, test_mods) = without_tests(&code_only(&lib));
    assert!(test_mods.contains(&"layers".to_string()));
    let declared: Vec<&str> = code
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';'))
        .collect();
    let missing: Vec<&&str> = declared.iter().filter(|m| layer(m).is_none()).collect();
    assert!(
        missing.is_empty(),
        "add these modules to LAYERS in src/layers.rs: {missing:?}"
    );
}

#[test]
fn imports_follow_the_layers() {
    let wrong: Vec<String> = edges()
        .into_iter()
        .filter(|e| match (layer(&e.from), layer(&e.to)) {
            (Some(from), Some(to)) => !may_import(from, to),
            _ => true,
        })
        .map(|e| e.to_string())
        .collect();
    assert!(
        wrong.is_empty(),
        "imports against the layers (cli → app → core ← adapters; leaves import nothing):\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_cycle_between_top_level_modules() {
    let edges = edges();
    let mut reach: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for e in &edges {
        reach.entry(&e.from).or_default().insert(&e.to);
    }
    // Transitive closure: a handful of modules, so the simple way.
    loop {
        let mut grew = false;
        let snapshot = reach.clone();
        for (_, targets) in reach.iter_mut() {
            let more: BTreeSet<&str> = targets
                .iter()
                .flat_map(|t| snapshot.get(t).into_iter().flatten().copied())
                .collect();
            let before = targets.len();
            targets.extend(more);
            grew |= targets.len() != before;
        }
        if !grew {
            break;
        }
    }
    let in_cycle = |e: &Edge| {
        reach
            .get(e.to.as_str())
            .is_some_and(|r| r.contains(e.from.as_str()))
    };
    let cyclic: Vec<String> = edges
        .iter()
        .filter(|e| in_cycle(e))
        .map(|e| e.to_string())
        .collect();
    assert!(
        cyclic.is_empty(),
        "imports that close a cycle between top-level modules:\n{}",
        cyclic.join("\n")
    );
}

#[test]
fn edges_come_from_code_only() {
    let text = r##"
//! See [`crate::cli`].
use crate::{docker::ImageRef, text::{closest, line_column}};
use super::finding::Finding;
let s = "crate::app";
let r = r#"crate::git "quoted""#;
let c = '"'; let l: &'static str = "x"; /* crate::forge /* nested */ */
fn f() { crate::plan::x() }
#[cfg(test)]
mod tests {
    use crate::inventory::Fleet;
}
#[cfg(test)]
mod testing;
"##;
    let (code, test_mods) = without_tests(&code_only(text));
    assert_eq!(test_mods, ["testing"]);
    let found: Vec<String> = targets(&code, &["policy".to_string()])
        .into_iter()
        .map(|(m, _)| m)
        .collect();
    assert_eq!(found, ["docker", "text", "finding", "plan"]);
}
