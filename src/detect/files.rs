//! The file index the detectors query: every path split into (directory, name), sorted so that
//! the files of one directory are a contiguous run, plus the path helpers they share.

/// The files of a repository, indexed by directory.
pub(super) struct Files<'a> {
    /// `(directory, file name)`, sorted; the root directory is `""`.
    entries: Vec<(&'a str, &'a str)>,
    read: &'a dyn Fn(&str) -> Option<String>,
}

impl<'a> Files<'a> {
    pub(super) fn new(
        paths: impl IntoIterator<Item = &'a str>,
        read: &'a dyn Fn(&str) -> Option<String>,
    ) -> Self {
        let mut entries: Vec<(&str, &str)> = paths
            .into_iter()
            .map(|p| split(p.trim_start_matches("./").trim_start_matches('/')))
            .filter(|(_, name)| !name.is_empty())
            .collect();
        entries.sort_unstable();
        entries.dedup();
        Files { entries, read }
    }

    /// Every file as `(directory, name)`.
    pub(super) fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.entries.iter().copied()
    }

    /// The names of the files directly in `dir`.
    pub(super) fn names_in(&self, dir: &str) -> impl Iterator<Item = &'a str> {
        let start = self.entries.partition_point(|(d, _)| *d < dir);
        self.entries[start..]
            .iter()
            .take_while(move |(d, _)| *d == dir)
            .map(|(_, n)| *n)
    }

    /// Whether `dir` holds a file called `name`.
    pub(super) fn has(&self, dir: &str, name: &str) -> bool {
        self.entries.binary_search(&(dir, name)).is_ok()
    }

    /// Whether `dir` holds a file whose name satisfies `pred`.
    pub(super) fn has_any(&self, dir: &str, pred: impl Fn(&str) -> bool) -> bool {
        self.names_in(dir).any(pred)
    }

    /// The directories holding a file whose name satisfies `pred`, sorted and deduplicated.
    pub(super) fn dirs_with(&self, pred: impl Fn(&str) -> bool) -> Vec<&'a str> {
        let mut dirs: Vec<&str> = self
            .iter()
            .filter(|(_, n)| pred(n))
            .map(|(d, _)| d)
            .collect();
        dirs.dedup();
        dirs
    }

    /// The text of the file `name` in `dir`, if it can be read.
    pub(super) fn read(&self, dir: &str, name: &str) -> Option<String> {
        (self.read)(&join_name(dir, name))
    }
}

/// Splits a relative path into its directory (`""` for the root) and file name.
pub(super) fn split(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

/// The parent of a directory; the root has none.
pub(super) fn parent(dir: &str) -> Option<&str> {
    if dir.is_empty() {
        None
    } else {
        Some(dir.rsplit_once('/').map_or("", |(p, _)| p))
    }
}

/// The last component of a directory.
pub(super) fn base_name(dir: &str) -> &str {
    dir.rsplit_once('/').map_or(dir, |(_, b)| b)
}

/// `dir/name`, or `name` at the root.
pub(super) fn join_name(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// A directory in Dependabot's form: `/` for the root, `/web` otherwise.
pub(super) fn dependabot_dir(dir: &str) -> String {
    format!("/{dir}")
}

/// `dir` relative to `root` when it lies strictly below it.
pub(super) fn strictly_under<'d>(dir: &'d str, root: &str) -> Option<&'d str> {
    if root.is_empty() {
        return (!dir.is_empty()).then_some(dir);
    }
    dir.strip_prefix(root)?
        .strip_prefix('/')
        .filter(|rest| !rest.is_empty())
}

/// Whether `dir` is `root` or lies below it.
pub(super) fn at_or_under(dir: &str, root: &str) -> bool {
    dir == root || strictly_under(dir, root).is_some()
}

/// Resolves `rel` (a path written in a manifest: `./a`, `../b`, `c\d`) against `base`; `None`
/// when it climbs out of the repository.
pub(super) fn resolve(base: &str, rel: &str) -> Option<String> {
    let rel = rel.trim();
    let mut parts: Vec<&str> = if rel.starts_with('/') {
        Vec::new()
    } else {
        base.split('/').filter(|s| !s.is_empty()).collect()
    };
    for part in rel.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Case-insensitive ASCII suffix test, without allocating.
pub(super) fn ends_with_ci(name: &str, suffix: &str) -> bool {
    name.len() >= suffix.len()
        && name.as_bytes()[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// Case-insensitive ASCII prefix test, without allocating.
pub(super) fn starts_with_ci(name: &str, prefix: &str) -> bool {
    name.len() >= prefix.len()
        && name.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_handles_dots_and_backslashes() {
        assert_eq!(resolve("src", "./a/b").as_deref(), Some("src/a/b"));
        assert_eq!(
            resolve("src/x", "..\\y\\Y.csproj").as_deref(),
            Some("src/y/Y.csproj")
        );
        assert_eq!(resolve("", "a/"), Some("a".into()));
        assert_eq!(resolve("", "../a"), None);
    }

    #[test]
    fn under_and_parent() {
        assert_eq!(strictly_under("a/b", "a"), Some("b"));
        assert_eq!(strictly_under("ab/c", "a"), None);
        assert_eq!(strictly_under("a", "a"), None);
        assert_eq!(strictly_under("a", ""), Some("a"));
        assert_eq!(strictly_under("", ""), None);
        assert_eq!(parent("a/b"), Some("a"));
        assert_eq!(parent("a"), Some(""));
        assert_eq!(parent(""), None);
    }

    #[test]
    fn files_of_a_directory_are_found() {
        let read = |_: &str| None;
        let files = Files::new(["a/x", "a/y", "a-b/z", "a/b/w", "r"], &read);
        assert_eq!(files.names_in("a").collect::<Vec<_>>(), ["x", "y"]);
        assert_eq!(files.names_in("").collect::<Vec<_>>(), ["r"]);
        assert!(files.has("a/b", "w"));
        assert!(!files.has("a", "w"));
    }
}
