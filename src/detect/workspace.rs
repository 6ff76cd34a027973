//! Workspace membership shared by the families whose package managers manage monorepos: member
//! patterns as written in a root manifest (`packages/*`, `./crates/**`, `!skipped`) matched
//! against directories relative to the workspace root.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use super::files::strictly_under;

/// The member patterns of one workspace root.
pub(super) struct Members {
    root: String,
    include: GlobSet,
    exclude: GlobSet,
}

impl Members {
    /// `patterns` starting with `!` exclude, as do all of `excludes` (Cargo's and uv's separate
    /// lists). `./` prefixes and trailing `/` are ignored; patterns that are not valid globs are
    /// dropped (the package manager would reject them too).
    pub(super) fn new<S: AsRef<str>, T: AsRef<str>>(
        root: &str,
        patterns: impl IntoIterator<Item = S>,
        excludes: impl IntoIterator<Item = T>,
    ) -> Self {
        let mut include = GlobSetBuilder::new();
        let mut exclude = GlobSetBuilder::new();
        for pattern in patterns {
            match pattern.as_ref().trim().strip_prefix('!') {
                Some(p) => add(&mut exclude, p),
                None => add(&mut include, pattern.as_ref()),
            }
        }
        for pattern in excludes {
            add(&mut exclude, pattern.as_ref());
        }
        Members {
            root: root.to_string(),
            include: include.build().unwrap_or_else(|_| GlobSet::empty()),
            exclude: exclude.build().unwrap_or_else(|_| GlobSet::empty()),
        }
    }

    /// Whether `dir` (repository-relative) is a member of this workspace.
    pub(super) fn contains(&self, dir: &str) -> bool {
        strictly_under(dir, &self.root).is_some_and(|rel| self.include.is_match(rel))
            && !self.is_excluded(dir)
    }

    /// Whether `dir` lies at or below an excluded pattern.
    pub(super) fn is_excluded(&self, dir: &str) -> bool {
        let Some(mut rel) = strictly_under(dir, &self.root) else {
            return false;
        };
        loop {
            if self.exclude.is_match(rel) {
                return true;
            }
            match rel.rsplit_once('/') {
                Some((up, _)) => rel = up,
                None => return false,
            }
        }
    }
}

fn add(set: &mut GlobSetBuilder, pattern: &str) {
    let mut p = pattern.trim();
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    let p = p.trim_end_matches('/');
    if p.is_empty() {
        return;
    }
    if let Ok(glob) = GlobBuilder::new(p).literal_separator(true).build() {
        set.add(glob);
    }
}

/// Strips `//` and `/* */` comments (JSONC: `deno.jsonc`, `tsconfig`-style files) outside strings.
pub(super) fn strip_json_comments(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut start = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match (b, bytes.get(i + 1)) {
            (b'"', _) => in_string = true,
            (b'/', Some(b'/')) => {
                out.push_str(&text[start..i]);
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                start = i;
                continue;
            }
            (b'/', Some(b'*')) => {
                out.push_str(&text[start..i]);
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i = (i + 2).min(bytes.len());
                start = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out.push_str(&text[start.min(text.len())..]);
    out
}

/// The string items of a JSON value that is either a list of strings or an object with a list of
/// strings under `key` (`"workspaces": [...]` or `"workspaces": {"packages": [...]}`).
pub(super) fn string_list(value: Option<&serde_json::Value>, key: &str) -> Vec<String> {
    let list = match value {
        Some(serde_json::Value::Array(items)) => items,
        Some(serde_json::Value::Object(map)) => match map.get(key) {
            Some(serde_json::Value::Array(items)) => items,
            _ => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    list.iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_match_relative_globs() {
        let m = Members::new(
            "web",
            ["packages/*", "./apps/**", "!packages/legacy"],
            ["apps/old"],
        );
        assert!(m.contains("web/packages/ui"));
        assert!(!m.contains("web/packages/ui/nested"));
        assert!(m.contains("web/apps/a/b"));
        assert!(!m.contains("web/packages/legacy"));
        assert!(!m.contains("web/apps/old/x"));
        assert!(!m.contains("web"));
        assert!(!m.contains("other/packages/ui"));
    }

    #[test]
    fn comments_are_stripped_outside_strings() {
        let text = "{\n // c\n \"a\": \"http://x\", /* b */ \"w\": [\"./p\"] }";
        let v: serde_json::Value = serde_json::from_str(&strip_json_comments(text)).unwrap();
        assert_eq!(v["a"], "http://x");
        assert_eq!(string_list(v.get("w"), "members"), ["./p"]);
    }
}
