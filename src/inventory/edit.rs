//! Adding one `[[repo]]` entry to fleet.toml (`drydock onboard`), keeping every byte already
//! there: each line, comment and blank line stays where it is, and the new entry goes right
//! after the last `[[repo]]` (after its `[repo.*]` tables too, which would otherwise attach to
//! the new entry), or at the end of a file without one.
//!
//! The document is edited with toml_edit, and the result is held to three checks before it may
//! replace the file: the old text is the new text with one contiguous insertion taken out; as
//! data it is the old fleet with exactly one more `[[repo]]` (the new one, last, nothing else
//! moved between entries); and it is a valid [`Fleet`]. A name already in the fleet (GitHub
//! names are case-insensitive, so in any case) is refused with the line of the entry that has
//! it. The file is replaced through [`crate::fs::write_atomic`].

use std::path::{Path, PathBuf};

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

use super::{ConfigError, Fleet};
use crate::text::line_column;

/// The `[[repo]]` entry to add; `url`, `path` and `branch` are written only when given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewRepo {
    /// `owner/repo`.
    pub name: String,
    pub url: Option<String>,
    /// Relative to the fleet file's directory, as fleet.toml takes it.
    pub path: Option<String>,
    pub branch: Option<String>,
}

/// fleet.toml before and after the addition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub before: String,
    pub after: String,
}

/// Why the entry cannot be added.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// The fleet has an entry of that name already (`as_listed` is its spelling there).
    #[error("{}:{line}: {}", file.display(), duplicate_message(name, as_listed))]
    Duplicate {
        file: PathBuf,
        line: usize,
        name: String,
        as_listed: String,
    },
    /// The file lists repositories in a form an entry cannot be appended to, or the edit
    /// would not keep it as it is.
    #[error("cannot add {name} to {}: {reason}\n  help: {help}", file.display())]
    Unsupported {
        file: PathBuf,
        name: String,
        reason: String,
        help: String,
    },
    /// The file as it is, or with the entry, is not a valid fleet.
    #[error(transparent)]
    Invalid(#[from] ConfigError),
    #[error(transparent)]
    Write(#[from] crate::fs::WriteError),
}

fn duplicate_message(name: &str, as_listed: &str) -> String {
    if name == as_listed {
        format!("{name} is already in the fleet")
    } else {
        format!(
            "{name} is already in the fleet, as {as_listed:?} (GitHub names are case-insensitive)"
        )
    }
}

/// The line of the `name` of the entry that lists `name` (in any case), and its spelling.
pub fn find_repo(text: &str, name: &str) -> Option<(usize, String)> {
    let doc = toml_edit::Document::parse(text).ok()?;
    let entries: Vec<&Table> = match doc.get("repo")? {
        Item::ArrayOfTables(array) => array.iter().collect(),
        _ => return None,
    };
    entries.into_iter().find_map(|entry| {
        let item = entry.get("name")?;
        let listed = item.as_str()?;
        if !listed.eq_ignore_ascii_case(name) {
            return None;
        }
        let offset = item.span().or_else(|| entry.span()).map_or(0, |s| s.start);
        Some((line_column(text, offset).0, listed.to_string()))
    })
}

/// fleet.toml `text` (the contents of `file`) with `new` added; see the module documentation
/// for what is checked. Writes nothing.
pub fn with_repo(file: &Path, text: &str, new: &NewRepo) -> Result<String, EditError> {
    if let Some((line, as_listed)) = find_repo(text, &new.name) {
        return Err(EditError::Duplicate {
            file: file.to_path_buf(),
            line,
            name: new.name.clone(),
            as_listed,
        });
    }
    let before = Fleet::parse(file, text)?;
    let unsupported = |reason: &str, help: &str| EditError::Unsupported {
        file: file.to_path_buf(),
        name: new.name.clone(),
        reason: reason.to_string(),
        help: help.to_string(),
    };
    let mut doc: DocumentMut = text.parse().map_err(|_| {
        unsupported(
            "toml_edit cannot read the file",
            "add the [[repo]] entry by hand",
        )
    })?;
    let mut entry = Table::new();
    entry["name"] = value(new.name.as_str());
    for (key, given) in [
        ("url", &new.url),
        ("path", &new.path),
        ("branch", &new.branch),
    ] {
        if let Some(given) = given {
            entry[key] = value(given.as_str());
        }
    }
    let at = match doc.get("repo") {
        Some(Item::ArrayOfTables(repos)) => max_position(repos),
        None => None,
        Some(_) => {
            return Err(unsupported(
                "it lists repositories as an inline array (`repo = [...]`), not as [[repo]] tables",
                "rewrite the list as [[repo]] tables (docs/fleet-toml.md), or add the entry by hand",
            ));
        }
    }
    .or_else(|| max_table_position(doc.as_table()));
    let last = max_table_position(doc.as_table());
    // Right after `at`: every table after it moves one place down, so the new one is the only
    // table in between (a later `[repo.x]` can then only be the new entry's, which the checks
    // below would catch).
    let position = at.map_or(0, |at| {
        shift_after(doc.as_table_mut(), at);
        at + 1
    });
    entry.set_position(Some(position));
    let prefix = if at == last {
        // The new entry ends the file: what follows the last table (comments, blank lines)
        // stays before it rather than moving below it.
        let mut prefix = doc.trailing().as_str().unwrap_or_default().to_string();
        doc.set_trailing("");
        if !prefix.is_empty() && !prefix.ends_with('\n') {
            prefix.push('\n');
        }
        let blank_already =
            text.trim().is_empty() || text.trim_end_matches([' ', '\t']).ends_with("\n\n");
        if !blank_already {
            prefix.push('\n');
        }
        prefix
    } else {
        "\n".to_string()
    };
    entry.decor_mut().set_prefix(prefix);
    match doc.get_mut("repo") {
        Some(Item::ArrayOfTables(repos)) => repos.push(entry),
        _ => {
            let mut repos = ArrayOfTables::new();
            repos.push(entry);
            doc.insert("repo", Item::ArrayOfTables(repos));
        }
    }
    let mut after = doc.to_string();
    // toml_edit ends every line it writes; a file that had no final newline keeps not having one.
    if !text.ends_with('\n') && !is_one_insertion(text, &after) && after.ends_with('\n') {
        after.pop();
    }

    if !is_one_insertion(text, &after) {
        return Err(unsupported(
            "the edit would not keep the rest of the file byte for byte",
            "add the [[repo]] entry by hand (and please report this file's layout)",
        ));
    }
    if !adds_exactly(text, &after, new) {
        return Err(unsupported(
            "the new entry would change what the other entries hold",
            "add the [[repo]] entry by hand, after the last [[repo]] and its tables",
        ));
    }
    let fleet = Fleet::parse(file, &after)?;
    if fleet.repos.len() != before.repos.len() + 1
        || fleet.repos.last().map(|r| r.name.as_str()) != Some(new.name.as_str())
    {
        return Err(unsupported(
            "the result would not list it as the last of one more [[repo]]",
            "add the [[repo]] entry by hand",
        ));
    }
    Ok(after)
}

/// The text of the fleet file, read as [`Fleet::load`] reads it (a regular file, at most
/// [`super::MAX_FLEET_FILE_BYTES`], UTF-8).
pub fn read(file: &Path) -> Result<String, ConfigError> {
    super::read_fleet_file(file)
}

/// Adds `new` to the fleet file `file` and replaces it atomically; returns both texts. The file
/// is read again here, so what is written is checked against what is there now.
pub fn add_repo(file: &Path, new: &NewRepo) -> Result<Edit, EditError> {
    let before = read(file)?;
    let after = with_repo(file, &before, new)?;
    crate::fs::write_atomic(file, after.as_bytes())?;
    Ok(Edit { before, after })
}

/// The last position taken by the `[[repo]]` tables and every table inside them.
fn max_position(repos: &ArrayOfTables) -> Option<isize> {
    repos.iter().filter_map(max_table_position).max()
}

/// The largest position of `table` and the tables nested in it.
fn max_table_position(table: &Table) -> Option<isize> {
    let nested = table.iter().filter_map(|(_, item)| match item {
        Item::Table(t) => max_table_position(t),
        Item::ArrayOfTables(a) => max_position(a),
        _ => None,
    });
    table.position().into_iter().chain(nested).max()
}

/// Moves every table positioned after `at` one place down.
fn shift_after(table: &mut Table, at: isize) {
    if let Some(p) = table.position()
        && p > at
    {
        table.set_position(Some(p + 1));
    }
    for (_, item) in table.iter_mut() {
        match item {
            Item::Table(t) => shift_after(t, at),
            Item::ArrayOfTables(a) => a.iter_mut().for_each(|t| shift_after(t, at)),
            _ => {}
        }
    }
}

/// Whether `after` is `before` with one contiguous run of text inserted.
fn is_one_insertion(before: &str, after: &str) -> bool {
    if after.len() <= before.len() {
        return false;
    }
    let mut common = before
        .bytes()
        .zip(after.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !before.is_char_boundary(common) {
        common -= 1;
    }
    after.ends_with(&before[common..])
}

/// Whether `after`, as data, is `before` with `new` appended to `repo` and nothing else changed.
fn adds_exactly(before: &str, after: &str, new: &NewRepo) -> bool {
    let (Ok(mut expected), Ok(got)) = (
        toml::from_str::<toml::Table>(before),
        toml::from_str::<toml::Table>(after),
    ) else {
        return false;
    };
    let mut entry = toml::Table::new();
    entry.insert("name".into(), new.name.clone().into());
    for (key, given) in [
        ("url", &new.url),
        ("path", &new.path),
        ("branch", &new.branch),
    ] {
        if let Some(given) = given {
            entry.insert(key.into(), given.clone().into());
        }
    }
    match expected
        .entry("repo")
        .or_insert_with(|| toml::Value::Array(Vec::new()))
    {
        toml::Value::Array(repos) => repos.push(toml::Value::Table(entry)),
        _ => return false,
    }
    expected == got
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(text: &str, new: &NewRepo) -> Result<String, EditError> {
        with_repo(Path::new("fleet.toml"), text, new)
    }

    fn named(name: &str) -> NewRepo {
        NewRepo {
            name: name.into(),
            ..NewRepo::default()
        }
    }

    #[test]
    fn goes_after_the_last_repo_and_its_tables_before_later_sections() {
        let text = "# the fleet\n[fleet]\njobs = 2 # two\n\n[[repo]]\nname = \"acme/web\" # shop\n\n[[repo]]\nname = \"acme/api\"\n\n[repo.build_args]\nV = \"1\"\n\n# pull requests\n[apply]\nlabels = [\"x\"]\n";
        let new = NewRepo {
            name: "acme/new".into(),
            url: Some("https://git.example.com/acme/new.git".into()),
            path: None,
            branch: Some("trunk".into()),
        };
        let after = add(text, &new).unwrap();
        let expected = "# the fleet\n[fleet]\njobs = 2 # two\n\n[[repo]]\nname = \"acme/web\" # shop\n\n[[repo]]\nname = \"acme/api\"\n\n[repo.build_args]\nV = \"1\"\n\n[[repo]]\nname = \"acme/new\"\nurl = \"https://git.example.com/acme/new.git\"\nbranch = \"trunk\"\n\n# pull requests\n[apply]\nlabels = [\"x\"]\n";
        assert_eq!(after, expected);
    }

    #[test]
    fn a_repo_table_placed_late_still_belongs_to_its_entry() {
        // TOML lets `[repo.build_args]` of the last entry come after another section: the new
        // entry must go after it, or it would take those build args.
        let text = "[[repo]]\nname = \"acme/web\"\n\n[apply]\nlabels = [\"x\"]\n\n[repo.build_args]\nV = \"1\"\n";
        let after = add(text, &named("acme/new")).unwrap();
        assert_eq!(after, format!("{text}\n[[repo]]\nname = \"acme/new\"\n"));
    }

    #[test]
    fn a_fleet_without_repos_or_a_final_newline() {
        assert_eq!(
            add("[fleet]\njobs = 2", &named("acme/new")).unwrap(),
            "[fleet]\njobs = 2\n\n[[repo]]\nname = \"acme/new\"\n"
        );
        assert_eq!(
            add("", &named("acme/new")).unwrap(),
            "[[repo]]\nname = \"acme/new\"\n"
        );
        assert_eq!(
            add("# only a comment\n", &named("acme/new")).unwrap(),
            "# only a comment\n\n[[repo]]\nname = \"acme/new\"\n"
        );
        let text = "[[repo]]\nname = \"acme/web\" # no newline";
        let after = add(text, &named("acme/new")).unwrap();
        assert!(after.starts_with(text), "{after}");
    }

    #[test]
    fn a_duplicate_names_the_line_in_any_case() {
        let text = "# fleet\n\n[[repo]]\nname = \"acme/api\"\n\n[[repo]]\n# the shop\nname = \"Acme/Web\"\n";
        let e = add(text, &named("acme/web")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "fleet.toml:8: acme/web is already in the fleet, as \"Acme/Web\" (GitHub names are case-insensitive)"
        );
        let e = add(text, &named("acme/api")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "fleet.toml:4: acme/api is already in the fleet"
        );
    }

    #[test]
    fn an_inline_repo_array_is_refused() {
        let e = add("repo = [{ name = \"acme/web\" }]\n", &named("acme/new")).unwrap_err();
        assert!(
            e.to_string()
                .contains("as an inline array (`repo = [...]`)"),
            "{e}"
        );
    }

    #[test]
    fn an_invalid_result_is_refused_with_the_fleets_own_error() {
        let e = add(
            "[[repo]]\nname = \"acme/web\"\n",
            &NewRepo {
                name: "acme/new".into(),
                path: Some("no/such/dir".into()),
                ..NewRepo::default()
            },
        )
        .unwrap_err();
        assert!(matches!(e, EditError::Invalid(_)), "{e}");
        assert!(e.to_string().contains("is not a directory"), "{e}");
    }

    #[test]
    fn add_repo_writes_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("fleet.toml");
        std::fs::write(&file, "# keep me\n[[repo]]\nname = \"acme/web\"\n").unwrap();
        let edit = add_repo(&file, &named("acme/new")).unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), edit.after);
        assert!(edit.after.starts_with(&edit.before));
        // A second time is a duplicate, and the file stays as it is.
        let e = add_repo(&file, &named("ACME/new")).unwrap_err();
        assert!(
            e.to_string()
                .contains(":6: ACME/new is already in the fleet, as \"acme/new\""),
            "{e}"
        );
        assert_eq!(std::fs::read_to_string(&file).unwrap(), edit.after);
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        /// One block of a fleet file: comments, blank lines, other sections, repo entries.
        fn block() -> impl Strategy<Value = String> {
            prop_oneof![
                "# [a-z ]{0,12}\n",
                Just("\n".to_string()),
                Just("[fleet]\njobs = 3 # three\n".to_string()),
                Just("[scan]\nexclude = [\"legacy\"]\n\n".to_string()),
                Just("[apply]\nlabels = [\"dependencies\"] # ours\n".to_string()),
                ("[a-z]{1,6}", any::<bool>(), any::<bool>()).prop_map(|(n, comment, args)| {
                    let mut s = format!("[[repo]]\nname = \"acme/{n}\"");
                    if comment {
                        s.push_str(" # a comment");
                    }
                    s.push('\n');
                    if args {
                        s.push_str("\n[repo.build_args]\nV = \"1\"\n");
                    }
                    s
                }),
            ]
        }

        /// A valid fleet file: blocks with unique repository names, sections at most once.
        fn fleet_text() -> impl Strategy<Value = String> {
            (prop::collection::vec(block(), 0..12), any::<bool>()).prop_map(|(blocks, trim)| {
                let mut seen = std::collections::BTreeSet::new();
                let mut text = String::new();
                for b in blocks {
                    let key = b.lines().next().unwrap_or_default().to_string();
                    let key = if key.starts_with("[[repo]]") {
                        b.lines().nth(1).unwrap_or_default().to_string()
                    } else {
                        key
                    };
                    if (key.starts_with('[') || key.starts_with("name")) && !seen.insert(key) {
                        continue;
                    }
                    text.push_str(&b);
                }
                if trim {
                    text.truncate(text.trim_end().len());
                }
                text
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(128))]

            #[test]
            fn old_lines_stay_in_order_and_one_repo_is_added(
                text in fleet_text(),
                url in proptest::option::of("https://git\\.example\\.com/[a-z]{1,5}\\.git"),
                branch in proptest::option::of("[a-z]{1,5}"),
            ) {
                let file = Path::new("fleet.toml");
                let before = Fleet::parse(file, &text).unwrap();
                let new = NewRepo { name: "other/new-one".into(), url, path: None, branch };
                let after = with_repo(file, &text, &new).unwrap();
                let mut new_lines = after.lines();
                for old in text.lines() {
                    prop_assert!(new_lines.any(|l| l == old), "{old:?} lost or moved in {after:?}");
                }
                let fleet = Fleet::parse(file, &after).unwrap();
                prop_assert_eq!(fleet.repos.len(), before.repos.len() + 1);
                prop_assert_eq!(fleet.repos.last().unwrap().name.as_str(), "other/new-one");
                prop_assert_eq!(
                    fleet.repos.last().unwrap().branch.as_deref(),
                    new.branch.as_deref()
                );
                prop_assert!(fleet.repos.last().unwrap().build_args.is_empty());
                for (old, now) in before.repos.iter().zip(&fleet.repos) {
                    prop_assert_eq!(&old.name, &now.name);
                    prop_assert_eq!(&old.build_args, &now.build_args);
                }
            }
        }
    }
}
