//! Go: `gomod` at every module, except those a `go.work` workspace uses (reported at the
//! workspace root).

use std::collections::HashSet;

use super::Found;
use super::ecosystem::Ecosystem;
use super::files::{Files, resolve};

pub(super) fn detect(files: &Files<'_>, out: &mut Found) {
    let workspaces = files.dirs_with(|n| n == "go.work");
    let mut used: HashSet<String> = HashSet::new();
    for &root in &workspaces {
        let Some(text) = files.read(root, "go.work") else {
            continue;
        };
        used.extend(
            go_work_uses(&text)
                .into_iter()
                .filter_map(|u| resolve(root, u))
                .filter(|d| d != root),
        );
    }
    for dir in files.dirs_with(|n| n == "go.mod" || n == "go.work") {
        if !used.contains(dir) && !is_bingo_placeholder(files, dir) {
            out.add(Ecosystem::Gomod, dir);
        }
    }
}

/// bingo's `.bingo/go.mod` (`module _`) only keeps `go` commands working in that directory; the
/// tools are pinned in the `*.mod` files beside it, which Dependabot does not read.
fn is_bingo_placeholder(files: &Files<'_>, dir: &str) -> bool {
    super::files::base_name(dir) == ".bingo"
        && files.has(dir, "go.mod")
        && files.read(dir, "go.mod").is_some_and(|text| {
            text.lines()
                .any(|l| l.split("//").next().unwrap_or("").trim() == "module _")
        })
}

/// The module directories of a `go.work`: `use ./a` and `use ( ./b ./c )`.
fn go_work_uses(text: &str) -> Vec<&str> {
    let mut uses = Vec::new();
    let mut in_block = false;
    for line in text.lines() {
        let line = line.split("//").next().unwrap_or("").trim();
        if in_block {
            if line.starts_with(')') {
                in_block = false;
            } else if !line.is_empty() {
                uses.push(line.trim_matches('"'));
            }
        } else if let Some(rest) = line.strip_prefix("use") {
            let rest = rest.trim();
            if let Some(inner) = rest.strip_prefix('(') {
                in_block = true;
                let inner = inner.trim();
                if let Some(single) = inner.strip_suffix(')') {
                    in_block = false;
                    uses.extend(single.split_whitespace().map(|u| u.trim_matches('"')));
                }
            } else if !rest.is_empty() {
                uses.push(rest.trim_matches('"'));
            }
        }
    }
    uses
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_work_use_forms() {
        let text = "go 1.23\n\nuse ./tools\nuse (\n\t./api // the API\n\t\"./worker\"\n)\n";
        assert_eq!(go_work_uses(text), ["./tools", "./api", "./worker"]);
    }
}
