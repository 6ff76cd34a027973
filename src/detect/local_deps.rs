//! Local path dependencies: a project that depends on another directory of the repository by
//! path (Bundler `gem "x", path: "x"`, npm `"x": "file:../x"`, Cargo `x = { path = "../x" }`
//! outside a workspace, Go `replace m => ./x`) updates that directory's dependencies through its
//! own manifest and lock file. The depended-on directory gets no entry of its own: Dependabot
//! would open pull requests against a manifest no lock file pins.
//!
//! Only entries of the same ecosystem family are dropped, and only at directories strictly other
//! than the depending project; a path that leaves the repository is ignored.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use super::ecosystem::Ecosystem;
use super::files::{Files, resolve};
use super::{EcosystemDir, files};

/// The manifest each ecosystem's path dependencies are written in, and how to read them.
type PathsOf = fn(&str) -> Vec<String>;

fn table(eco: Ecosystem) -> Option<(&'static str, PathsOf)> {
    use Ecosystem::*;
    Some(match eco {
        Bundler => ("Gemfile", gemfile_paths),
        Npm | Bun => ("package.json", package_json_paths),
        Cargo => ("Cargo.toml", cargo_paths),
        Gomod => ("go.mod", go_replace_paths),
        _ => return None,
    })
}

/// Drops the entries that another entry of the same ecosystem depends on by path.
pub(super) fn drop_path_dependencies(files: &Files<'_>, ecosystems: &mut Vec<EcosystemDir>) {
    let mut dropped: HashSet<(Ecosystem, String)> = HashSet::new();
    for e in ecosystems.iter() {
        let Some((manifest, paths_of)) = table(e.ecosystem) else {
            continue;
        };
        // Only worth reading when another entry of the ecosystem exists.
        if !ecosystems
            .iter()
            .any(|o| o.ecosystem == e.ecosystem && o.directory != e.directory)
        {
            continue;
        }
        let dir = e.directory.trim_start_matches('/');
        if !files.has(dir, manifest) {
            continue;
        }
        let Some(text) = files.read(dir, manifest) else {
            continue;
        };
        for path in paths_of(&text) {
            if let Some(target) = resolve(dir, &path)
                && target != dir
            {
                dropped.insert((e.ecosystem, files::dependabot_dir(&target)));
            }
        }
    }
    if !dropped.is_empty() {
        ecosystems.retain(|e| !dropped.contains(&(e.ecosystem, e.directory.clone())));
    }
}

/// `gem "x", path: "x"`, `gem "x", :path => "x"`, `gemspec path: "x"`.
fn gemfile_paths(text: &str) -> Vec<String> {
    static PATH: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?m)^\s*(?:gem|gemspec)\b.*?(?:\bpath:|:path\s*=>)\s*["']([^"']+)["']"#)
            .expect("valid regex")
    });
    captures(&PATH, text)
}

/// `"x": "file:../x"` (or `link:`) in any dependency list of a package.json.
fn package_json_paths(text: &str) -> Vec<String> {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for key in [
        "dependencies",
        "devDependencies",
        "optionalDependencies",
        "peerDependencies",
    ] {
        if let Some(deps) = json.get(key).and_then(|d| d.as_object()) {
            for spec in deps.values().filter_map(|v| v.as_str()) {
                if let Some(path) = spec
                    .strip_prefix("file:")
                    .or_else(|| spec.strip_prefix("link:"))
                {
                    out.push(path.to_string());
                }
            }
        }
    }
    out
}

/// `path = "../x"` in a Cargo.toml's dependency tables (a `[lib]` or `[[bin]]` path names a
/// file, which never holds an entry).
fn cargo_paths(text: &str) -> Vec<String> {
    let Ok(doc) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    // A workspace's members are the workspace's business (workspace.rs); only dependencies here.
    let mut out = Vec::new();
    let mut visit = |deps: Option<&toml::Value>| {
        for dep in deps
            .and_then(|d| d.as_table())
            .into_iter()
            .flat_map(|t| t.values())
        {
            if let Some(path) = dep.get("path").and_then(|p| p.as_str()) {
                out.push(path.to_string());
            }
        }
    };
    for key in ["dependencies", "dev-dependencies", "build-dependencies"] {
        visit(doc.get(key));
        for target in doc
            .get("target")
            .and_then(|t| t.as_table())
            .into_iter()
            .flat_map(|t| t.values())
        {
            visit(target.get(key));
        }
    }
    out
}

/// The local targets of `replace` directives (`=> ./x`, `=> ../x`).
fn go_replace_paths(text: &str) -> Vec<String> {
    static REPLACE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"=>\s*(\.\.?/[^\s]*|\.\.?)\s*(?://.*)?$").expect("valid regex")
    });
    let mut out = Vec::new();
    let mut in_block = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if in_block {
            if trimmed.starts_with(')') {
                in_block = false;
                continue;
            }
        } else if let Some(rest) = trimmed.strip_prefix("replace") {
            if rest.trim_start().starts_with('(') {
                in_block = true;
                continue;
            }
        } else {
            continue;
        }
        if let Some(c) = REPLACE.captures(trimmed) {
            out.push(c[1].to_string());
        }
    }
    out
}

fn captures(re: &Regex, text: &str) -> Vec<String> {
    re.captures_iter(text).map(|c| c[1].to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_dependency_forms() {
        assert_eq!(
            gemfile_paths(
                "gem \"mylib\", path: \"mylib\"\ngem 'x', :path => '../x'\ngem 'rails'\n"
            ),
            ["mylib", "../x"]
        );
        assert_eq!(
            package_json_paths(
                r#"{"dependencies":{"a":"file:../a","b":"^1"},"devDependencies":{"c":"link:./c"}}"#
            ),
            ["../a", "./c"]
        );
        assert_eq!(
            cargo_paths(
                "[dependencies]\nx = { path = \"../x\" }\ny = \"1\"\n[lib]\npath = \"src/lib.rs\"\n"
            ),
            ["../x"]
        );
        assert_eq!(
            go_replace_paths(
                "module m\nreplace a => ./a\nreplace (\n\tb v1 => ../b // local\n\tc => example.com/c v1.0.0\n)\n"
            ),
            ["./a", "../b"]
        );
    }
}
