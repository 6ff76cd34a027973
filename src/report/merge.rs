//! `drydock report merge`: the JSON reports of the shards of one run (`--shard I/N`, one per job
//! of a CI matrix) put back together into the report an unsharded run would have written. Pure:
//! documents in, one document out; the command line reads the files.
//!
//! **Which report a document is** follows from its top-level keys (besides `version` and
//! `shard`), so the unsharded formats stay exactly as they were:
//!
//! | keys | kind |
//! |---|---|
//! | `run`, `repos` | `apply` |
//! | `repos`, `counts` | `status` |
//! | `repos`, `data`, `summary` | `check` |
//! | `repos` only, entries with `changes` | `plan` |
//! | `repos` only, entries with `ecosystems` | `scan` |
//!
//! A `repos`-only document with no repositories (a shard can be empty) takes the kind of the
//! others.
//!
//! **What is refused**, each message naming the file: a document that is not JSON or not one of
//! these kinds, a report without `shard` (not from a sharded run), different `version`s, mixed
//! kinds, different shard counts, a shard given twice, a shard missing, a repository in two
//! shards (the shards were cut from different fleets), a `check` whose image data differs.
//!
//! **How the merged report is made**: the first file's keys in its order, without `shard`;
//! `repos` of every shard sorted by `name`; `check`'s `summary` recomputed from the findings;
//! `check`'s `data` is the shards' (same source and date; the largest age, stale if any is);
//! `apply`'s `run` is the shards' run id, or their distinct ids joined by `,` in shard order;
//! any other key (`status`'s `counts`, a key a newer report adds) merged by value: numbers
//! summed (every count is a count of repositories, and the shards are disjoint), objects key by
//! key, lists concatenated, anything else must be equal in every shard. An unsharded run over a
//! fleet listed by name writes exactly the merged document.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

use super::{JSON_VERSION, ShardRef};

/// A JSON value whose objects keep their keys in document order (`serde_json::Value` sorts
/// them), so a merged report reads like the reports it came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The value of `key` in an object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    fn keys(&self) -> Vec<&str> {
        match self {
            Json::Object(entries) => entries.iter().map(|(k, _)| k.as_str()).collect(),
            _ => Vec::new(),
        }
    }

    fn count(n: u64) -> Json {
        Json::Number(n.into())
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => s.serialize_unit(),
            Json::Bool(b) => s.serialize_bool(*b),
            Json::Number(n) => n.serialize(s),
            Json::String(text) => s.serialize_str(text),
            Json::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Object(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Json, D::Error> {
        struct JsonVisitor;
        impl<'de> Visitor<'de> for JsonVisitor {
            type Value = Json;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_none<E>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
                Json::deserialize(d)
            }
            fn visit_bool<E>(self, b: bool) -> Result<Json, E> {
                Ok(Json::Bool(b))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Json, E> {
                Ok(Json::Number(n.into()))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Json, E> {
                Ok(Json::Number(n.into()))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Json, E> {
                serde_json::Number::from_f64(n)
                    .map(Json::Number)
                    .ok_or_else(|| E::custom("a number that is not finite"))
            }
            fn visit_str<E>(self, s: &str) -> Result<Json, E> {
                Ok(Json::String(s.to_string()))
            }
            fn visit_string<E>(self, s: String) -> Result<Json, E> {
                Ok(Json::String(s))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Json::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
                let mut entries: Vec<(String, Json)> = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Json>()? {
                    match entries.iter_mut().find(|(key, _)| *key == k) {
                        // The last of a repeated key wins, as with serde_json.
                        Some(entry) => entry.1 = v,
                        None => entries.push((k, v)),
                    }
                }
                Ok(Json::Object(entries))
            }
        }
        d.deserialize_any(JsonVisitor)
    }
}

/// Which command wrote a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Check,
    Plan,
    Scan,
    Apply,
    Status,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Check => "check",
            Kind::Plan => "plan",
            Kind::Scan => "scan",
            Kind::Apply => "apply",
            Kind::Status => "status",
        })
    }
}

/// What a document's shape says it is: a kind, or a `repos`-only document without repositories
/// (a plan or a scan of an empty shard), or nothing drydock wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Known(Kind),
    EmptyRepos,
}

fn shape(document: &Json) -> Option<Shape> {
    let keys: Vec<&str> = document
        .keys()
        .into_iter()
        .filter(|k| !matches!(*k, "version" | "shard"))
        .collect();
    let has = |key: &str| keys.contains(&key);
    if !has("repos") || document.get("repos")?.as_array().is_none() {
        return None;
    }
    if has("run") {
        return Some(Shape::Known(Kind::Apply));
    }
    if has("counts") {
        return Some(Shape::Known(Kind::Status));
    }
    if has("summary") && has("data") {
        return Some(Shape::Known(Kind::Check));
    }
    if keys.len() != 1 {
        return None;
    }
    let repos = document.get("repos")?.as_array()?;
    let any = |key: &str| repos.iter().any(|r| r.get(key).is_some());
    if any("changes") {
        Some(Shape::Known(Kind::Plan))
    } else if any("ecosystems") {
        Some(Shape::Known(Kind::Scan))
    } else if repos.is_empty() {
        Some(Shape::EmptyRepos)
    } else {
        None
    }
}

/// Why the reports cannot be merged: what is wrong, in which file, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct MergeError {
    pub message: String,
    pub help: String,
}

fn refuse(message: impl Into<String>, help: impl Into<String>) -> MergeError {
    MergeError {
        message: message.into(),
        help: help.into(),
    }
}

/// One report to merge: a name for messages (the file) and its text.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    pub file: &'a str,
    pub text: &'a str,
}

/// The merged report.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    pub kind: Kind,
    /// How many shards went in.
    pub shards: u32,
    pub repos: usize,
    pub document: Json,
}

impl Merged {
    /// The document as its command writes it: `check` and `status` pretty-printed, the others
    /// on one line; a newline at the end.
    pub fn render(&self) -> String {
        let mut text = if matches!(self.kind, Kind::Check | Kind::Status) {
            serde_json::to_string_pretty(&self.document)
        } else {
            serde_json::to_string(&self.document)
        }
        .expect("a JSON value serialises");
        text.push('\n');
        text
    }
}

/// One input, read and checked on its own.
struct Part<'a> {
    file: &'a str,
    shard: ShardRef,
    shape: Shape,
    document: Json,
}

/// Merges the reports of every shard of one run (see the module documentation).
pub fn merge(inputs: &[Input<'_>]) -> Result<Merged, MergeError> {
    if inputs.is_empty() {
        return Err(refuse(
            "no reports to merge",
            "pass the JSON report of every shard: drydock report merge shard-*.json",
        ));
    }
    let parts = inputs.iter().map(part).collect::<Result<Vec<_>, _>>()?;
    let first = &parts[0];
    let kind = kind_of_all(&parts)?;
    let count = first.shard.count;
    let mut by_index: BTreeMap<u32, &Part<'_>> = BTreeMap::new();
    for p in &parts {
        if p.shard.count != count {
            return Err(refuse(
                format!(
                    "{}: shard {}/{}, but {} is a shard of {count}",
                    p.file, p.shard.index, p.shard.count, first.file
                ),
                "merge the reports of one run: every shard of it has the same --shard I/N count",
            ));
        }
        if let Some(earlier) = by_index.insert(p.shard.index, p) {
            return Err(refuse(
                format!(
                    "{}: shard {}/{count} again (it is also {})",
                    p.file, p.shard.index, earlier.file
                ),
                "pass each shard's report once",
            ));
        }
    }
    let missing: Vec<String> = (1..=count)
        .filter(|i| !by_index.contains_key(i))
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(refuse(
            format!(
                "shard{} {} missing: {} of {count} reports given",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", "),
                parts.len()
            ),
            "pass the report of every shard (a failed CI job still uploads one; rerun it if not)",
        ));
    }
    // In shard order from here on, so "the first" is shard 1.
    let ordered: Vec<&Part<'_>> = by_index.into_values().collect();
    let repos = merged_repos(&ordered)?;
    let repo_count = repos.len();
    let mut out: Vec<(String, Json)> = Vec::new();
    for key in ordered[0].document.keys() {
        let value = match key {
            "shard" => continue,
            "version" => Json::count(u64::from(JSON_VERSION)),
            "repos" => Json::Array(repos.clone()),
            "summary" if kind == Kind::Check => check_summary(&repos, &ordered)?,
            "data" if kind == Kind::Check => check_data(&ordered)?,
            "run" if kind == Kind::Apply => apply_run(&ordered)?,
            key => merged_value(key, &ordered)?,
        };
        out.push((key.to_string(), value));
    }
    // A key the first shard's report leaves out (an empty list skipped) but another has.
    for p in &ordered[1..] {
        for key in p.document.keys() {
            if !out.iter().any(|(k, _)| k == key) && key != "shard" {
                out.push((key.to_string(), merged_value(key, &ordered)?));
            }
        }
    }
    Ok(Merged {
        kind,
        shards: count,
        repos: repo_count,
        document: Json::Object(out),
    })
}

/// Parses and checks one input: JSON, a drydock report of this version, from a sharded run.
fn part<'a>(input: &Input<'a>) -> Result<Part<'a>, MergeError> {
    let file = input.file;
    let document: Json = serde_json::from_str(input.text).map_err(|e| {
        refuse(
            format!("{file}: not JSON: {e}"),
            "pass the files `drydock check|plan|scan|apply|status --shard I/N --format json` wrote",
        )
    })?;
    if !matches!(document, Json::Object(_)) {
        return Err(refuse(
            format!("{file}: not a drydock report (not a JSON object)"),
            "pass the files `--format json` wrote",
        ));
    }
    match document.get("version").and_then(Json::as_u64) {
        Some(v) if v == u64::from(JSON_VERSION) => {}
        Some(v) => {
            return Err(refuse(
                format!(
                    "{file}: report version {v}, and this drydock reads version {JSON_VERSION}"
                ),
                "merge with the drydock version that wrote the reports",
            ));
        }
        None => {
            return Err(refuse(
                format!("{file}: not a drydock report (no \"version\")"),
                "pass the files `--format json` wrote",
            ));
        }
    }
    let shape = shape(&document).ok_or_else(|| {
        refuse(
            format!(
                "{file}: not a report of check, plan, scan, apply or status (its keys: {})",
                document.keys().join(", ")
            ),
            "pass the files `--format json` of those commands wrote",
        )
    })?;
    let shard = document.get("shard").ok_or_else(|| {
        refuse(
            format!("{file}: not from a sharded run (no \"shard\")"),
            "merge the reports of `--shard I/N` runs; an unsharded report is already whole",
        )
    })?;
    let number = |key: &str| {
        shard
            .get(key)
            .and_then(Json::as_u64)
            .and_then(|n| u32::try_from(n).ok())
    };
    let shard = match (number("index"), number("count")) {
        (Some(index), Some(count)) if (1..=count).contains(&index) => ShardRef { index, count },
        _ => {
            return Err(refuse(
                format!(
                    "{file}: \"shard\" is not {{\"index\":I,\"count\":N}} with 1 ≤ I ≤ N: {}",
                    serde_json::to_string(shard).unwrap_or_default()
                ),
                "pass the reports drydock wrote, unedited",
            ));
        }
    };
    Ok(Part {
        file,
        shard,
        shape,
        document,
    })
}

/// The one kind of every part; an empty `repos`-only report fits a plan or a scan.
fn kind_of_all(parts: &[Part<'_>]) -> Result<Kind, MergeError> {
    let known = parts.iter().find_map(|p| match p.shape {
        Shape::Known(kind) => Some((kind, p.file)),
        Shape::EmptyRepos => None,
    });
    // Only empty repos-only reports: a plan and a scan of an empty fleet write the same.
    let Some((kind, from)) = known else {
        return Ok(Kind::Plan);
    };
    for p in parts {
        let fits = match p.shape {
            Shape::Known(k) => k == kind,
            Shape::EmptyRepos => matches!(kind, Kind::Plan | Kind::Scan),
        };
        if !fits {
            let this = match p.shape {
                Shape::Known(k) => format!("a {k} report"),
                Shape::EmptyRepos => "an empty plan or scan report".to_string(),
            };
            return Err(refuse(
                format!("{}: {this}, but {from} is a {kind} report", p.file),
                "merge the reports of one command at a time",
            ));
        }
    }
    Ok(kind)
}

/// Every shard's repositories, sorted by name; a name in two shards is refused.
fn merged_repos(parts: &[&Part<'_>]) -> Result<Vec<Json>, MergeError> {
    let mut seen: BTreeMap<String, (&str, Json)> = BTreeMap::new();
    for p in parts {
        let repos = p
            .document
            .get("repos")
            .and_then(Json::as_array)
            .unwrap_or_default();
        for (i, repo) in repos.iter().enumerate() {
            let name = repo.get("name").and_then(Json::as_str).ok_or_else(|| {
                refuse(
                    format!("{}: repos[{i}] has no \"name\"", p.file),
                    "pass the reports drydock wrote, unedited",
                )
            })?;
            if let Some((other, _)) = seen.get(name) {
                return Err(refuse(
                    format!("{}: {name} is also in {other}", p.file),
                    "merge the shards of one run: shards cut from the same fleet.toml never share a repository",
                ));
            }
            seen.insert(name.to_string(), (p.file, repo.clone()));
        }
    }
    Ok(seen.into_values().map(|(_, repo)| repo).collect())
}

/// `check`'s summary, recomputed from the merged repositories: errors, warnings and notes by
/// severity, waived findings, repositories that could not be checked. Any other counter is
/// summed over the shards.
fn check_summary(repos: &[Json], parts: &[&Part<'_>]) -> Result<Json, MergeError> {
    let mut counted: BTreeMap<&str, u64> = BTreeMap::new();
    for repo in repos {
        for finding in repo
            .get("findings")
            .and_then(Json::as_array)
            .unwrap_or_default()
        {
            let key = match finding.get("severity").and_then(Json::as_str) {
                Some("error") => "errors",
                Some("warning") => "warnings",
                Some("note") => "notes",
                _ => continue,
            };
            *counted.entry(key).or_default() += 1;
        }
        let waived = repo
            .get("waived")
            .and_then(Json::as_array)
            .map_or(0, <[_]>::len);
        *counted.entry("waived").or_default() += waived as u64;
        let failed = repo.get("error").is_some_and(|e| *e != Json::Null);
        *counted.entry("repos_failed").or_default() += u64::from(failed);
    }
    let summed = merged_value("summary", parts)?;
    let Json::Object(entries) = summed else {
        return Ok(summed);
    };
    Ok(Json::Object(
        entries
            .into_iter()
            .map(|(k, v)| match counted.get(k.as_str()) {
                Some(n) => (k, Json::count(*n)),
                None if matches!(
                    k.as_str(),
                    "errors" | "warnings" | "notes" | "waived" | "repos_failed"
                ) =>
                {
                    (k, Json::count(0))
                }
                None => (k, v),
            })
            .collect(),
    ))
}

/// `check`'s `data`: the shards must have read the same image data (source and date); the
/// merged age is the largest, stale when any shard's was.
fn check_data(parts: &[&Part<'_>]) -> Result<Json, MergeError> {
    let first = parts[0];
    let of = |p: &Part<'_>| p.document.get("data").cloned().unwrap_or(Json::Null);
    let same_data = |a: &Json, b: &Json| {
        a.get("source") == b.get("source") && a.get("generated") == b.get("generated")
    };
    let base = of(first);
    let mut age = base.get("age_days").and_then(Json::as_u64);
    let mut stale = base.get("stale") == Some(&Json::Bool(true));
    for p in &parts[1..] {
        let data = of(p);
        if !same_data(&base, &data) {
            return Err(refuse(
                format!(
                    "{}: checked with other image data ({}) than {} ({})",
                    p.file,
                    data_label(&data),
                    first.file,
                    data_label(&base)
                ),
                "run every shard with the same drydock and --data-dir, then merge",
            ));
        }
        age = age.max(data.get("age_days").and_then(Json::as_u64));
        stale |= data.get("stale") == Some(&Json::Bool(true));
    }
    let Json::Object(entries) = base else {
        return Ok(base);
    };
    Ok(Json::Object(
        entries
            .into_iter()
            .map(|(k, v)| match k.as_str() {
                "age_days" => (k, age.map_or(Json::Null, Json::count)),
                "stale" => (k, Json::Bool(stale)),
                _ => (k, v),
            })
            .collect(),
    ))
}

fn data_label(data: &Json) -> String {
    let text = |key: &str| match data.get(key) {
        Some(Json::String(s)) => s.clone(),
        _ => "no date".to_string(),
    };
    format!("{} from {}", text("source"), text("generated"))
}

/// `apply`'s run id: the shards', or their distinct ids in shard order, joined by `,`.
fn apply_run(parts: &[&Part<'_>]) -> Result<Json, MergeError> {
    let mut ids: Vec<&str> = Vec::new();
    for p in parts {
        let id = p
            .document
            .get("run")
            .and_then(Json::as_str)
            .ok_or_else(|| {
                refuse(
                    format!("{}: \"run\" is not a run id", p.file),
                    "pass the reports drydock apply wrote, unedited",
                )
            })?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(Json::String(ids.join(",")))
}

/// `key` of every part that has it, merged by value (see the module documentation).
fn merged_value(key: &str, parts: &[&Part<'_>]) -> Result<Json, MergeError> {
    let mut merged: Option<(Json, &str)> = None;
    for p in parts {
        let Some(value) = p.document.get(key) else {
            continue;
        };
        merged = Some(match merged {
            None => (value.clone(), p.file),
            Some((acc, first)) => (
                combine(acc, value).map_err(|path| {
                    refuse(
                        format!(
                            "{}: \"{key}{path}\" differs from {first}'s, and drydock cannot add the two up",
                            p.file
                        ),
                        "merge the reports of one run of one drydock version",
                    )
                })?,
                first,
            ),
        });
    }
    Ok(merged.map_or(Json::Null, |(v, _)| v))
}

/// Two shards' values of one key: numbers added, objects key by key, lists concatenated, other
/// values equal. `Err` holds the path below the key where they disagree.
fn combine(acc: Json, next: &Json) -> Result<Json, String> {
    match (acc, next) {
        (Json::Number(a), Json::Number(b)) => match (a.as_u64(), b.as_u64()) {
            (Some(a), Some(b)) => Ok(Json::count(a + b)),
            _ if a.as_f64() == b.as_f64() => Ok(Json::Number(a)),
            _ => Err(String::new()),
        },
        (Json::Object(mut entries), Json::Object(more)) => {
            for (k, v) in more {
                match entries.iter_mut().find(|(key, _)| key == k) {
                    Some(entry) => {
                        let acc = std::mem::replace(&mut entry.1, Json::Null);
                        entry.1 = combine(acc, v).map_err(|path| format!(".{k}{path}"))?;
                    }
                    None => entries.push((k.clone(), v.clone())),
                }
            }
            Ok(Json::Object(entries))
        }
        (Json::Array(mut items), Json::Array(more)) => {
            items.extend(more.iter().cloned());
            Ok(Json::Array(items))
        }
        (a, b) if a == *b => Ok(a),
        _ => Err(String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_shard(index: u32, count: u32, repos: &str) -> String {
        format!(
            r#"{{"version":1,"shard":{{"index":{index},"count":{count}}},"repos":[{repos}],"data":{{"source":"shipped","generated":"2026-11-01","age_days":{index},"stale":false}},"summary":{{"errors":9,"warnings":9,"notes":9,"waived":9,"repos_failed":9}}}}"#
        )
    }

    fn merged(inputs: &[(&str, &str)]) -> Result<Merged, MergeError> {
        let inputs: Vec<Input<'_>> = inputs
            .iter()
            .map(|(file, text)| Input { file, text })
            .collect();
        merge(&inputs)
    }

    const API: &str = r#"{"name":"acme/api","findings":[{"rule":"r","severity":"error"},{"rule":"r","severity":"note"}]}"#;
    const WEB: &str =
        r#"{"name":"acme/web","findings":[],"error":{"kind":"not_synced","message":"m"}}"#;
    const CLI: &str = r#"{"name":"acme/cli","findings":[{"rule":"r","severity":"warning"}],"waived":[{"rule":"w"}]}"#;

    #[test]
    fn a_check_is_merged_sorted_with_its_summary_recomputed() {
        let one = check_shard(1, 2, &format!("{WEB},{API}"));
        let two = check_shard(2, 2, CLI);
        let m = merged(&[("b.json", &two), ("a.json", &one)]).unwrap();
        assert_eq!((m.kind, m.shards, m.repos), (Kind::Check, 2, 3));
        let v: serde_json::Value = serde_json::from_str(&m.render()).unwrap();
        assert_eq!(v.get("shard"), None);
        let names: Vec<&str> = v["repos"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["acme/api", "acme/cli", "acme/web"]);
        assert_eq!(
            v["summary"],
            serde_json::json!({"errors":1,"warnings":1,"notes":1,"waived":1,"repos_failed":1})
        );
        assert_eq!(v["data"]["age_days"], 2);
        // Keys in the reports' order, and pretty like `check --format json`.
        assert!(
            m.render()
                .starts_with("{\n  \"version\": 1,\n  \"repos\": ["),
            "{}",
            m.render()
        );
    }

    #[test]
    fn plans_scans_and_empty_shards_merge() {
        let plan = |i, repos: &str| {
            format!(r#"{{"version":1,"shard":{{"index":{i},"count":3}},"repos":[{repos}]}}"#)
        };
        let a = plan(1, r#"{"name":"b/b","changes":[],"findings":[]}"#);
        let b = plan(2, "");
        let c = plan(3, r#"{"name":"a/a","changes":[],"findings":[]}"#);
        let m = merged(&[("1", &a), ("2", &b), ("3", &c)]).unwrap();
        assert_eq!(m.kind, Kind::Plan);
        assert_eq!(
            m.render(),
            "{\"version\":1,\"repos\":[{\"name\":\"a/a\",\"changes\":[],\"findings\":[]},{\"name\":\"b/b\",\"changes\":[],\"findings\":[]}]}\n"
        );
        let scan = plan(1, r#"{"name":"a/a","ecosystems":[]}"#);
        let mixed = merged(&[("scan.json", &scan), ("2", &b), ("plan.json", &c)]).unwrap_err();
        assert_eq!(
            mixed.message,
            "plan.json: a plan report, but scan.json is a scan report"
        );
    }

    #[test]
    fn apply_runs_and_status_counts_are_combined() {
        let apply = |i, run: &str, repo: &str| {
            format!(
                r#"{{"version":1,"shard":{{"index":{i},"count":2}},"run":"{run}","repos":[{{"name":"{repo}","result":"opened","pr":null,"reason":null}}]}}"#
            )
        };
        let m = merged(&[("1", &apply(1, "r1", "a/x")), ("2", &apply(2, "r2", "a/y"))]).unwrap();
        assert_eq!(m.kind, Kind::Apply);
        assert_eq!(m.document.get("run"), Some(&Json::String("r1,r2".into())));
        let same = merged(&[("1", &apply(1, "r", "a/x")), ("2", &apply(2, "r", "a/y"))]).unwrap();
        assert_eq!(same.document.get("run"), Some(&Json::String("r".into())));

        let status = |i, repo: &str, counts: &str| {
            format!(
                r#"{{"version":1,"shard":{{"index":{i},"count":2}},"repos":[{{"name":"{repo}","pr":null}}],"counts":{counts}}}"#
            )
        };
        let m = merged(&[
            (
                "1",
                &status(1, "a/x", r#"{"open":2,"none":1,"checks":{"failure":1}}"#),
            ),
            (
                "2",
                &status(2, "a/y", r#"{"open":1,"merged":4,"checks":{"failure":2}}"#),
            ),
        ])
        .unwrap();
        assert_eq!(m.kind, Kind::Status);
        // Pretty like `status --format json`.
        assert!(
            m.render()
                .starts_with("{\n  \"version\": 1,\n  \"repos\": ["),
            "{}",
            m.render()
        );
        let v: serde_json::Value = serde_json::from_str(&m.render()).unwrap();
        assert_eq!(
            v["counts"],
            serde_json::json!({"open":3,"none":1,"checks":{"failure":3},"merged":4})
        );
    }

    #[test]
    fn what_cannot_be_merged_is_refused_naming_the_file() {
        let c = |i, n, repos: &str| check_shard(i, n, repos);
        let api_1 = c(1, 2, API);
        let web_2 = c(2, 2, WEB);
        let cases: Vec<(Vec<(&str, String)>, &str)> = vec![
            (vec![], "no reports to merge"),
            (vec![("x.json", "{".into())], "x.json: not JSON: EOF while parsing"),
            (vec![("x.json", "[1]".into())], "x.json: not a drydock report (not a JSON object)"),
            (
                vec![("x.json", r#"{"version":2,"repos":[]}"#.into())],
                "x.json: report version 2, and this drydock reads version 1",
            ),
            (
                vec![("x.json", r#"{"version":1,"org":"acme"}"#.into())],
                "x.json: not a report of check, plan, scan, apply or status (its keys: version, org)",
            ),
            (
                vec![("x.json", r#"{"version":1,"repos":[]}"#.into())],
                "x.json: not from a sharded run (no \"shard\")",
            ),
            (
                vec![("x.json", r#"{"version":1,"shard":{"index":3,"count":2},"repos":[]}"#.into())],
                "x.json: \"shard\" is not {\"index\":I,\"count\":N} with 1 ≤ I ≤ N: {\"index\":3,\"count\":2}",
            ),
            (vec![("a", api_1.clone())], "shard 2/2 missing: 1 of 2 reports given"),
            (
                vec![("a", api_1.clone()), ("b", c(2, 3, WEB))],
                "b: shard 2/3, but a is a shard of 2",
            ),
            (
                vec![("a", api_1.clone()), ("b", c(1, 2, WEB))],
                "b: shard 1/2 again (it is also a)",
            ),
            (
                vec![("a", api_1.clone()), ("b", c(2, 2, API))],
                "b: acme/api is also in a",
            ),
            (
                vec![
                    ("a", api_1.clone()),
                    ("b", web_2.replace("\"shipped\"", "\"/data\"")),
                ],
                "b: checked with other image data (/data from 2026-11-01) than a (shipped from 2026-11-01)",
            ),
            (
                vec![
                    ("a", api_1.clone()),
                    (
                        "b",
                        r#"{"version":1,"shard":{"index":2,"count":2},"repos":[{"name":"a/p","changes":[]}]}"#.into(),
                    ),
                ],
                "b: a plan report, but a is a check report",
            ),
        ];
        for (inputs, expected) in cases {
            let inputs: Vec<(&str, &str)> = inputs.iter().map(|(f, t)| (*f, t.as_str())).collect();
            let e = merged(&inputs).unwrap_err();
            assert!(
                e.message.starts_with(expected),
                "{} vs {expected}",
                e.message
            );
            assert!(!e.help.is_empty());
        }
    }

    #[test]
    fn ordered_json_round_trips() {
        let text = r#"{"z":1,"a":[true,null,-2,1.5,"s"],"m":{"y":{},"b":[]}}"#;
        let json: Json = serde_json::from_str(text).unwrap();
        assert_eq!(serde_json::to_string(&json).unwrap(), text);
    }
}
