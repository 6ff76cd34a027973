//! `discover`: which repositories of an organisation the fleet should hold. Lists them through
//! the [`Forge`], drops archived, disabled, forked and empty ones (archived and forks only unless
//! asked), applies `--topic`, `--property`, `--match` and `--exclude`, and compares with the
//! fleet's entries of that owner: repositories to add, entries already there, and entries that
//! are gone (not found, archived, disabled, renamed), which are reported, never deleted.
//!
//! `--write` appends the additions as `[[repo]]` tables at the end of fleet.toml: every byte
//! already there stays, and the result is checked (toml_edit, then the fleet's own validation)
//! before it replaces the file. A second run after `--write` changes nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::Context;
use regex::Regex;
use serde::Serialize;

use super::{Error, UsageError};
use crate::forge::{Forge, Lookup, RemoteRepo};
use crate::inventory::Fleet;

/// What to discover.
#[derive(Debug, Clone)]
pub struct DiscoverOptions<'a> {
    pub fleet: &'a Fleet,
    /// fleet.toml as it is on disk (for `--write`).
    pub fleet_text: &'a str,
    pub org: String,
    /// Every one of these topics.
    pub topics: Vec<String>,
    /// `NAME=VALUE` custom properties; every name must match one of its values.
    pub properties: Vec<(String, String)>,
    /// Only repository names (without the owner) this matches.
    pub matches: Option<Regex>,
    /// No repository name this matches.
    pub exclude: Option<Regex>,
    pub include_forks: bool,
    pub include_archived: bool,
    pub write: bool,
}

/// `NAME=VALUE` of `--property`.
pub fn parse_property(text: &str) -> Result<(String, String), UsageError> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.trim().to_string()))
        }
        _ => Err(
            UsageError::new(format!("--property {text:?} is not NAME=VALUE"))
                .with_help("for example --property team=platform"),
        ),
    }
}

/// A repository to add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Added {
    pub name: String,
}

/// Why a fleet entry is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GoneReason {
    /// Deleted, or not visible to the credentials.
    NotFound,
    Archived,
    Disabled,
    Renamed,
}

/// A fleet entry that no longer matches a live repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gone {
    pub name: String,
    pub reason: GoneReason,
    /// The new name, for `renamed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_to: Option<String>,
}

/// How many listed repositories were left out, and why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub archived: usize,
    pub disabled: usize,
    pub forks: usize,
    pub empty: usize,
    /// By `--topic`, `--property`, `--match` or `--exclude`.
    pub filtered: usize,
}

/// What `discover` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiscoverReport {
    pub org: String,
    /// Repositories the organisation has listed (before any filter).
    pub listed: usize,
    pub added: Vec<Added>,
    /// Fleet entries of the organisation that are there.
    pub existing: Vec<String>,
    pub gone: Vec<Gone>,
    pub skipped: Skipped,
    /// Whether fleet.toml was written.
    pub written: bool,
}

/// Runs `discover` on a fresh single-threaded runtime.
pub fn run<F: Forge>(forge: &F, options: &DiscoverOptions<'_>) -> Result<DiscoverReport, Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(discover(forge, options))
}

/// The use case.
pub async fn discover<F: Forge>(
    forge: &F,
    options: &DiscoverOptions<'_>,
) -> Result<DiscoverReport, Error> {
    let org = options.org.as_str();
    let listed = forge
        .list_repositories(org)
        .await
        .map_err(|e| Error::Other(e.into()))?;
    let properties = if options.properties.is_empty() {
        BTreeMap::new()
    } else {
        forge
            .custom_properties(org)
            .await
            .map_err(|e| Error::Other(e.into()))?
    };

    let key = |s: &str| s.to_ascii_lowercase();
    let in_fleet: BTreeMap<String, &str> = options
        .fleet
        .repos
        .iter()
        .filter(|r| {
            r.name
                .split_once('/')
                .is_some_and(|(owner, _)| owner.eq_ignore_ascii_case(org))
        })
        .map(|r| (key(&r.name), r.name.as_str()))
        .collect();
    let by_name: BTreeMap<String, &RemoteRepo> =
        listed.iter().map(|r| (key(&r.full_name), r)).collect();

    let mut skipped = Skipped::default();
    let mut added = Vec::new();
    for repo in &listed {
        if in_fleet.contains_key(&key(&repo.full_name)) {
            continue;
        }
        if !wanted(repo, options, &properties, &mut skipped) {
            continue;
        }
        added.push(Added {
            name: repo.full_name.clone(),
        });
    }
    added.sort_by_key(|a| key(&a.name));

    let mut existing = Vec::new();
    let mut gone = Vec::new();
    let mut unlisted = Vec::new();
    for (k, name) in &in_fleet {
        match by_name.get(k) {
            Some(r) if r.disabled => gone.push(gone_entry(name, GoneReason::Disabled, None)),
            Some(r) if r.archived && !options.include_archived => {
                gone.push(gone_entry(name, GoneReason::Archived, None));
            }
            Some(_) => existing.push(name.to_string()),
            None => unlisted.push(name.to_string()),
        }
    }
    if !unlisted.is_empty() {
        let looked = forge
            .look_up(&unlisted)
            .await
            .map_err(|e| Error::Other(e.into()))?;
        for name in unlisted {
            match looked.get(&name) {
                Some(Lookup::Found(_)) => existing.push(name),
                Some(Lookup::Renamed(to)) => {
                    gone.push(gone_entry(&name, GoneReason::Renamed, Some(&to.full_name)));
                }
                Some(Lookup::Missing) | None => {
                    gone.push(gone_entry(&name, GoneReason::NotFound, None));
                }
            }
        }
    }
    existing.sort_by_key(|n| key(n));
    gone.sort_by_key(|a| key(&a.name));
    // A repository a fleet entry was renamed to is that entry, not a new repository: adding it
    // would put the same repository in the fleet twice. The report says to rename the entry.
    let renamed_to: std::collections::BTreeSet<String> = gone
        .iter()
        .filter_map(|g| g.renamed_to.as_deref().map(key))
        .collect();
    added.retain(|a| !renamed_to.contains(&key(&a.name)));

    let mut written = false;
    if options.write && !added.is_empty() {
        let names: Vec<&str> = added.iter().map(|a| a.name.as_str()).collect();
        let text = with_additions(options.fleet_text, &names);
        check_written(&options.fleet.file, &text, &names)?;
        // The error names the file; a symlinked or hard-linked fleet.toml is refused, not
        // replaced by a copy that silently detaches from the file it pointed to.
        crate::fs::write_atomic(&options.fleet.file, text.as_bytes())
            .map_err(anyhow::Error::from)?;
        written = true;
    }
    Ok(DiscoverReport {
        org: org.to_string(),
        listed: listed.len(),
        added,
        existing,
        gone,
        skipped,
        written,
    })
}

fn gone_entry(name: &str, reason: GoneReason, renamed_to: Option<&str>) -> Gone {
    Gone {
        name: name.to_string(),
        reason,
        renamed_to: renamed_to.map(str::to_string),
    }
}

/// Whether a listed repository belongs in the fleet, counting why not.
fn wanted(
    repo: &RemoteRepo,
    options: &DiscoverOptions<'_>,
    properties: &BTreeMap<String, BTreeMap<String, String>>,
    skipped: &mut Skipped,
) -> bool {
    if repo.disabled {
        skipped.disabled += 1;
        return false;
    }
    if repo.archived && !options.include_archived {
        skipped.archived += 1;
        return false;
    }
    if repo.fork && !options.include_forks {
        skipped.forks += 1;
        return false;
    }
    if repo.empty {
        skipped.empty += 1;
        return false;
    }
    let topics_ok = options
        .topics
        .iter()
        .all(|t| repo.topics.iter().any(|have| have.eq_ignore_ascii_case(t)));
    let props_ok = {
        let mut wanted: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (name, value) in &options.properties {
            wanted.entry(name).or_default().insert(value);
        }
        let have = properties
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(&repo.full_name))
            .map(|(_, v)| v);
        wanted.iter().all(|(name, values)| {
            have.and_then(|h| h.get(*name)).is_some_and(|v| {
                // Multi-select values arrive comma-joined: any of them counts.
                v.split(',').any(|one| values.contains(one))
            })
        })
    };
    let name = repo.name();
    let match_ok = options.matches.as_ref().is_none_or(|re| re.is_match(name));
    let exclude_ok = options.exclude.as_ref().is_none_or(|re| !re.is_match(name));
    if topics_ok && props_ok && match_ok && exclude_ok {
        true
    } else {
        skipped.filtered += 1;
        false
    }
}

/// fleet.toml with `[[repo]]` tables for `names` appended; everything before stays byte for byte.
pub fn with_additions(text: &str, names: &[&str]) -> String {
    let mut out = String::from(text);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    for name in names {
        let value = toml_edit::Value::from(*name);
        out.push_str(&format!(
            "\n[[repo]]\nname = {}\n",
            value.to_string().trim()
        ));
    }
    out
}

/// The new text must parse (toml_edit), list every addition under `repo`, and be a valid fleet.
fn check_written(file: &Path, text: &str, names: &[&str]) -> Result<(), Error> {
    let doc: toml_edit::DocumentMut = text.parse().map_err(|e| {
        Error::Usage(
            UsageError::new(format!(
                "cannot add the repositories to {}: {e}",
                file.display()
            ))
            .with_help("fleet.toml must list repositories as [[repo]] tables; add them by hand"),
        )
    })?;
    let listed: BTreeSet<&str> = doc
        .get("repo")
        .and_then(|r| r.as_array_of_tables())
        .map(|a| a.iter().filter_map(|t| t.get("name")?.as_str()).collect())
        .unwrap_or_default();
    if let Some(missing) = names.iter().find(|n| !listed.contains(*n)) {
        return Err(Error::Usage(UsageError::new(format!(
            "cannot add {missing} to {}: the result would not list it under [[repo]]",
            file.display()
        ))));
    }
    Fleet::parse(file, text)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forge::memory::{MemoryForge, repo};

    fn fleet(text: &str) -> Fleet {
        Fleet::parse(Path::new("fleet.toml"), text).unwrap()
    }

    fn options<'a>(fleet: &'a Fleet, text: &'a str) -> DiscoverOptions<'a> {
        DiscoverOptions {
            fleet,
            fleet_text: text,
            org: "acme".into(),
            topics: vec![],
            properties: vec![],
            matches: None,
            exclude: None,
            include_forks: false,
            include_archived: false,
            write: false,
        }
    }

    #[tokio::test]
    async fn adds_the_new_reports_the_gone_and_skips_what_it_should() {
        let text = "[[repo]]\nname = \"acme/web\"\n\n[[repo]]\nname = \"acme/old\"\n\n[[repo]]\nname = \"acme/frozen\"\n";
        let fleet = fleet(text);
        let mut archived = repo("acme/frozen");
        archived.archived = true;
        let mut fork = repo("acme/fork");
        fork.fork = true;
        let mut empty = repo("acme/empty");
        empty.empty = true;
        let forge = MemoryForge::new()
            .with_repo(repo("acme/web"))
            .with_repo(repo("acme/api"))
            .with_repo(archived)
            .with_repo(fork)
            .with_repo(empty)
            .with_repo(repo("other/x"));
        let report = discover(&forge, &options(&fleet, text)).await.unwrap();
        assert_eq!(
            report.added,
            vec![Added {
                name: "acme/api".into()
            }]
        );
        assert_eq!(report.existing, vec!["acme/web".to_string()]);
        assert_eq!(
            report.gone,
            vec![
                gone_entry("acme/frozen", GoneReason::Archived, None),
                gone_entry("acme/old", GoneReason::NotFound, None)
            ]
        );
        assert_eq!(report.skipped.forks, 1);
        assert_eq!(report.skipped.empty, 1);
    }

    #[tokio::test]
    async fn properties_and_topics_filter() {
        let fleet = fleet("");
        let mut tagged = repo("acme/a");
        tagged.topics = vec!["docker".into()];
        let forge = MemoryForge::new()
            .with_repo(tagged)
            .with_repo(repo("acme/b"))
            .with_property("acme/a", "team", "platform")
            .with_property("acme/b", "team", "web");
        let mut o = options(&fleet, "");
        o.properties = vec![("team".into(), "platform".into())];
        let report = discover(&forge, &o).await.unwrap();
        assert_eq!(
            report.added,
            vec![Added {
                name: "acme/a".into()
            }]
        );
        o.properties.clear();
        o.topics = vec!["docker".into()];
        assert_eq!(discover(&forge, &o).await.unwrap().added.len(), 1);
    }

    #[test]
    fn additions_keep_every_byte() {
        let text = "# fleet\n[fleet]\njobs = 2 # two\n\n[[repo]]\nname = \"acme/web\"";
        let out = with_additions(text, &["acme/api"]);
        assert!(out.starts_with(text));
        assert_eq!(&out[text.len()..], "\n\n[[repo]]\nname = \"acme/api\"\n");
    }
}
