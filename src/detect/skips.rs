//! The default skips: trees that hold manifests nobody wants Dependabot pull requests for (test
//! fixtures, Go `testdata`, example projects), removed from what detection reports unless
//! `[scan] unskip` turns a skip off. Why each one exists is in `docs/scan.md` ("Default skips").
//!
//! A skip names directory names. An entry (or Dockerfile, or compose file) is removed when a
//! directory on its path has one of those names; skips marked `below_project` remove it only when
//! a project of the repository (any entry but github-actions, which comes from the workflows and
//! not from a manifest) sits at or above that directory, so a repository whose only project lives
//! in `examples/` or `test/` keeps it.

use super::ecosystem::Ecosystem;
use super::files::at_or_under;
use super::{EcosystemDir, FoundFile};

/// One default skip.
#[derive(Debug)]
pub struct DefaultSkip {
    /// The name `[scan] unskip` uses.
    pub id: &'static str,
    /// Directory names (exact, case-sensitive) that start a skipped tree.
    names: &'static [&'static str],
    /// Whether the tree is skipped only below a project that has its own manifest.
    below_project: bool,
}

/// Every default skip, in the order `docs/scan.md` explains them.
pub const DEFAULT_SKIPS: &[DefaultSkip] = &[
    DefaultSkip {
        id: "testdata",
        names: &["testdata"],
        below_project: false,
    },
    DefaultSkip {
        id: "fixtures",
        names: &["fixtures", "__fixtures__"],
        below_project: false,
    },
    DefaultSkip {
        id: "tests",
        names: &["test", "tests", "e2e", "__tests__"],
        below_project: true,
    },
    DefaultSkip {
        id: "examples",
        names: &["examples", "example", "_examples", "samples"],
        below_project: true,
    },
];

/// The ids of every default skip, for messages.
pub fn default_skip_ids() -> Vec<&'static str> {
    DEFAULT_SKIPS.iter().map(|s| s.id).collect()
}

/// Which default skips are in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skips {
    active: Vec<&'static DefaultSkip>,
}

impl Default for Skips {
    fn default() -> Self {
        Skips {
            active: DEFAULT_SKIPS.iter().collect(),
        }
    }
}

impl PartialEq for DefaultSkip {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for DefaultSkip {}

impl Skips {
    /// Every default skip except those named in `unskip` (unknown ids are refused by
    /// [`ScanSection::check`](super::ScanSection::check) before this is built).
    pub fn without<S: AsRef<str>>(unskip: &[S]) -> Self {
        Skips {
            active: DEFAULT_SKIPS
                .iter()
                .filter(|s| !unskip.iter().any(|u| u.as_ref() == s.id))
                .collect(),
        }
    }

    /// No default skip at all.
    pub fn none() -> Self {
        Skips { active: Vec::new() }
    }
}

/// What the skips removed: one line per entry, with the id of the skip that removed it.
pub(super) type Removed = Vec<(EcosystemDir, &'static str)>;

/// Removes the skipped entries and files; returns the removed entries.
pub(super) fn apply(
    skips: &Skips,
    ecosystems: &mut Vec<EcosystemDir>,
    dockerfiles: &mut Vec<FoundFile>,
    compose_files: &mut Vec<FoundFile>,
) -> Removed {
    if skips.active.is_empty() {
        return Vec::new();
    }
    // Repository-relative project directories ("" for the root).
    let projects: Vec<String> = ecosystems
        .iter()
        .filter(|e| e.ecosystem != Ecosystem::GithubActions)
        .map(|e| e.directory.trim_start_matches('/').to_string())
        .collect();
    let mut removed = Vec::new();
    ecosystems.retain(|e| {
        match skipped_by(skips, e.directory.trim_start_matches('/'), &projects) {
            Some(id) => {
                removed.push((e.clone(), id));
                false
            }
            None => true,
        }
    });
    for files in [dockerfiles, compose_files] {
        files.retain(|f| {
            let dir = f.path.rsplit_once('/').map_or("", |(d, _)| d);
            skipped_by(skips, dir, &projects).is_none()
        });
    }
    removed
}

/// The skip that removes what lives in `dir` (repository-relative), if one does.
fn skipped_by(skips: &Skips, dir: &str, projects: &[String]) -> Option<&'static str> {
    if dir.is_empty() {
        return None;
    }
    let mut start = 0;
    for segment in dir.split('/') {
        // The directory holding this segment: `a/b` for the segment `test` of `a/b/test/x`.
        let above = dir[..start].trim_end_matches('/');
        start += segment.len() + 1;
        for skip in &skips.active {
            if !skip.names.contains(&segment) {
                continue;
            }
            if !skip.below_project || projects.iter().any(|p| at_or_under(above, p)) {
                return Some(skip.id);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn projects(dirs: &[&str]) -> Vec<String> {
        dirs.iter().map(|d| (*d).to_string()).collect()
    }

    #[test]
    fn a_segment_anywhere_on_the_path_decides() {
        let all = Skips::default();
        let p = projects(&[""]);
        assert_eq!(skipped_by(&all, "a/testdata/b", &p), Some("testdata"));
        assert_eq!(skipped_by(&all, "spec/fixtures/app", &p), Some("fixtures"));
        assert_eq!(skipped_by(&all, "test", &p), Some("tests"));
        assert_eq!(skipped_by(&all, "mytest", &p), None);
        assert_eq!(skipped_by(&all, "", &p), None);
    }

    #[test]
    fn tests_and_examples_only_below_a_project() {
        let all = Skips::default();
        assert_eq!(skipped_by(&all, "examples/app", &projects(&[])), None);
        assert_eq!(
            skipped_by(&all, "lib/examples/app", &projects(&["lib"])),
            Some("examples")
        );
        assert_eq!(
            skipped_by(&all, "lib/examples/app", &projects(&["other"])),
            None
        );
    }

    #[test]
    fn unskip_turns_one_default_off() {
        let some = Skips::without(&["testdata"]);
        assert_eq!(skipped_by(&some, "testdata/x", &projects(&[""])), None);
        assert_eq!(
            skipped_by(&some, "fixtures/x", &projects(&[""])),
            Some("fixtures")
        );
    }
}
