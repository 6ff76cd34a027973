//! `data update`: fetches the Docker Official Images library and endoflife.date over HTTPS,
//! turns them into the two data files drydock reads (`official-images.json`, `lifecycle.json`,
//! the format `scripts/gen-data.py` writes and `policy::data::Catalog` loads), validates them
//! by loading them, and writes them to a directory for `check --data-dir`. Each file's `source`
//! records where it came from (repository, commit, URL) and when (the snapshot date).
//!
//! The sources, each a base URL (the defaults are the public services; tests point them at a
//! server on 127.0.0.1):
//! - `{official_images_api}/commits/master`: the commit the snapshot is taken at, and its date;
//!   `{official_images_api}/contents/library?ref=COMMIT`: the list of library files (GitHub's
//!   REST API, two unauthenticated requests);
//! - `{official_images_raw}/COMMIT/library/NAME`: each library file, pinned to that commit;
//! - `{endoflife_api}/products/PRODUCT`: the release cycles of every product the shipped data
//!   knows (endoflife.date API v1).
//!
//! Only `https://` URLs are fetched, except on the loopback address (tests). Every response is
//! capped in size; the client has a connect and a total timeout; nothing is written until every
//! fetch succeeded and the result loaded as a catalogue.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::policy::data::{Catalog, LIFECYCLE_FILE, OFFICIAL_IMAGES_FILE};

/// The public sources.
pub const DEFAULT_OFFICIAL_IMAGES_API: &str =
    "https://api.github.com/repos/docker-library/official-images";
pub const DEFAULT_OFFICIAL_IMAGES_RAW: &str =
    "https://raw.githubusercontent.com/docker-library/official-images";
pub const DEFAULT_ENDOFLIFE_API: &str = "https://endoflife.date/api/v1";

/// The largest response accepted (the biggest library file is well under 1 MiB).
const BODY_CAP: usize = 8 << 20;
/// Fewer official images than this is a truncated listing, not the library.
const MIN_IMAGES: usize = 50;

/// Where to fetch from.
#[derive(Debug, Clone)]
pub struct Sources {
    pub official_images_api: String,
    pub official_images_raw: String,
    pub endoflife_api: String,
}

impl Default for Sources {
    fn default() -> Self {
        Sources {
            official_images_api: DEFAULT_OFFICIAL_IMAGES_API.into(),
            official_images_raw: DEFAULT_OFFICIAL_IMAGES_RAW.into(),
            endoflife_api: DEFAULT_ENDOFLIFE_API.into(),
        }
    }
}

/// What `data update` wrote.
#[derive(Debug, Clone)]
pub struct Updated {
    pub dir: PathBuf,
    pub images: usize,
    pub products: usize,
    pub commit: String,
    pub date: NaiveDate,
}

/// Fetches, validates and writes the data directory `out`.
pub fn update(sources: &Sources, out: &Path, today: NaiveDate) -> anyhow::Result<Updated> {
    for url in [
        &sources.official_images_api,
        &sources.official_images_raw,
        &sources.endoflife_api,
    ] {
        check_url(url)?;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (official, lifecycle) = runtime.block_on(fetch(sources, today))?;
    let images = official["images"].as_object().map_or(0, |m| m.len());
    let products = lifecycle["products"].as_object().map_or(0, |m| m.len());
    let commit = official["source"]["commit"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let date = official["source"]["date"]
        .as_str()
        .and_then(|d| d.parse().ok())
        .unwrap_or(today);
    write_dir(out, &official, &lifecycle)?;
    Ok(Updated {
        dir: out.to_path_buf(),
        images,
        products,
        commit,
        date,
    })
}

/// Only HTTPS, except to this machine.
fn check_url(url: &str) -> anyhow::Result<()> {
    let parsed = reqwest::Url::parse(url).with_context(|| format!("{url:?} is not a URL"))?;
    let local = matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if parsed.scheme() != "https" && !(parsed.scheme() == "http" && local) {
        bail!("{url}: data is fetched over https:// only");
    }
    Ok(())
}

#[derive(Deserialize)]
struct CommitInfo {
    sha: String,
    commit: CommitDetail,
}

#[derive(Deserialize)]
struct CommitDetail {
    committer: Person,
}

#[derive(Deserialize)]
struct Person {
    date: String,
}

#[derive(Deserialize)]
struct ContentEntry {
    name: String,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct ProductResponse {
    result: ProductResult,
}

#[derive(Deserialize)]
struct ProductResult {
    releases: Vec<Release>,
}

/// An endoflife.date v1 release cycle (the fields drydock uses).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Release {
    name: String,
    codename: Option<String>,
    release_date: Option<NaiveDate>,
    #[serde(default)]
    is_lts: bool,
    lts_from: Option<NaiveDate>,
    eoas_from: Option<NaiveDate>,
    #[serde(default)]
    is_eol: bool,
    eol_from: Option<NaiveDate>,
    latest: Option<Latest>,
}

#[derive(Deserialize)]
struct Latest {
    name: String,
}

struct Fetcher {
    http: reqwest::Client,
}

impl Fetcher {
    async fn get(&self, url: &str) -> anyhow::Result<Vec<u8>> {
        let fail = |e: &dyn std::fmt::Display| anyhow!("cannot fetch {url}: {e}");
        let mut response = self.http.get(url).send().await.map_err(|e| fail(&e))?;
        if !response.status().is_success() {
            bail!("cannot fetch {url}: HTTP {}", response.status());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| fail(&e))? {
            if body.len() + chunk.len() > BODY_CAP {
                bail!("cannot fetch {url}: the response is larger than {BODY_CAP} bytes");
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    async fn json<T: serde::de::DeserializeOwned>(&self, url: &str) -> anyhow::Result<T> {
        let body = self.get(url).await?;
        serde_json::from_slice(&body)
            .with_context(|| format!("{url}: not the JSON drydock expects"))
    }
}

async fn fetch(sources: &Sources, today: NaiveDate) -> anyhow::Result<(Value, Value)> {
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .user_agent(concat!("drydock/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()?;
    let fetcher = Fetcher { http };
    let official = fetch_official_images(&fetcher, sources).await?;
    let lifecycle = fetch_lifecycle(&fetcher, sources, today).await?;
    Ok((official, lifecycle))
}

async fn fetch_official_images(fetcher: &Fetcher, sources: &Sources) -> anyhow::Result<Value> {
    let api = sources.official_images_api.trim_end_matches('/');
    let raw = sources.official_images_raw.trim_end_matches('/');
    let head: CommitInfo = fetcher.json(&format!("{api}/commits/master")).await?;
    if !head.sha.bytes().all(|b| b.is_ascii_hexdigit()) || head.sha.len() < 7 {
        bail!("{api}/commits/master: {:?} is not a commit id", head.sha);
    }
    let date: NaiveDate = head
        .commit
        .committer
        .date
        .get(..10)
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| anyhow!("{api}/commits/master: no commit date"))?;
    let listing: Vec<ContentEntry> = fetcher
        .json(&format!("{api}/contents/library?ref={}", head.sha))
        .await?;
    let names: Vec<String> = listing
        .into_iter()
        .filter(|e| e.kind == "file" && is_image_name(&e.name))
        .map(|e| e.name)
        .collect();
    if names.len() < MIN_IMAGES {
        bail!(
            "{api}/contents/library lists {} images, fewer than the {MIN_IMAGES} a whole library has",
            names.len()
        );
    }
    let mut images = serde_json::Map::new();
    for name in &names {
        let url = format!("{raw}/{}/library/{name}", head.sha);
        let text =
            String::from_utf8(fetcher.get(&url).await?).map_err(|_| anyhow!("{url}: not UTF-8"))?;
        let tag_lists = library_tag_lists(&text);
        let tags: BTreeSet<&String> = tag_lists.iter().flatten().collect();
        images.insert(
            name.clone(),
            json!({"tags": tags, "aliases": aliases_of(&tag_lists)}),
        );
    }
    // Images the shipped data knows that are gone now: removed as of this snapshot.
    let shipped = &Catalog::embedded().official;
    let mut removed: BTreeMap<String, String> = shipped
        .removed
        .images
        .iter()
        .filter(|(name, _)| !images.contains_key(*name))
        .map(|(n, d)| (n.clone(), d.clone()))
        .collect();
    for name in shipped.images.keys() {
        if !images.contains_key(name) {
            removed
                .entry(name.clone())
                .or_insert_with(|| date.to_string());
        }
    }
    Ok(json!({
        "source": {
            "repository": "docker-library/official-images",
            "commit": head.sha,
            "date": date.to_string(),
            "license": "Apache-2.0",
            "url": format!("{raw}/{}/library/", head.sha),
        },
        "images": images,
        "removed": {
            "source": format!("the shipped data's list, and images it had that {} lacks", &head.sha[..7]),
            "images": removed,
        },
    }))
}

/// A library file name: `python`, `eclipse-temurin` (not `.gitignore` or a README).
fn is_image_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-._".contains(&b))
        && !name.starts_with('.')
}

/// The tags of each entry of a library file (RFC 2822-like: blank-line separated entries of
/// `Key: value`, indented continuation lines, `#` comments): `Tags` then `SharedTags`.
pub fn library_tag_lists(text: &str) -> Vec<Vec<String>> {
    let mut lists = Vec::new();
    let mut entry: BTreeMap<String, String> = BTreeMap::new();
    let mut last_key: Option<String> = None;
    let mut finish = |entry: &mut BTreeMap<String, String>| {
        let tags: Vec<String> = ["Tags", "SharedTags"]
            .iter()
            .filter_map(|k| entry.get(*k))
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(String::from)
            .collect();
        if !tags.is_empty() {
            lists.push(tags);
        }
        entry.clear();
    };
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        if line.trim().is_empty() {
            finish(&mut entry);
            last_key = None;
            continue;
        }
        if line.starts_with([' ', '\t'])
            && let Some(key) = &last_key
        {
            let value = entry.entry(key.clone()).or_default();
            value.push(' ');
            value.push_str(line.trim());
            continue;
        }
        let (key, value) = line.split_once(':').unwrap_or((line, ""));
        last_key = Some(key.trim().to_string());
        entry.insert(key.trim().to_string(), value.trim().to_string());
    }
    finish(&mut entry);
    lists
}

fn is_version(s: &str) -> bool {
    !s.is_empty()
        && s.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

fn is_word(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase())
}

/// Words that stand for a version in the same entry (`jammy` → `22.04`, `latest` → `3.14.7`):
/// the same reading as `scripts/gen-data.py`'s `aliases_of`.
pub fn aliases_of(tag_lists: &[Vec<String>]) -> BTreeMap<String, String> {
    let mut aliases = BTreeMap::new();
    for tags in tag_lists {
        // A word that is also a suffix (`trixie` next to `26-trixie`) is a variant.
        let suffixes: BTreeSet<&str> = tags.iter().flat_map(|t| t.split('-').skip(1)).collect();
        let mut by_rest: Vec<(&str, Vec<&str>)> = Vec::new();
        for tag in tags {
            let (head, rest) = tag.split_once('-').unwrap_or((tag, ""));
            match by_rest.iter_mut().find(|(r, _)| *r == rest) {
                Some((_, heads)) => heads.push(head),
                None => by_rest.push((rest, vec![head])),
            }
        }
        for (_, heads) in &by_rest {
            let Some(version) = heads
                .iter()
                .filter(|h| is_version(h))
                .max_by_key(|v| (v.split('.').count(), **v))
            else {
                continue;
            };
            for head in heads {
                if is_word(head) && !suffixes.contains(head) && !aliases.contains_key(*head) {
                    aliases.insert((*head).to_string(), (*version).to_string());
                }
            }
        }
    }
    aliases
}

async fn fetch_lifecycle(
    fetcher: &Fetcher,
    sources: &Sources,
    today: NaiveDate,
) -> anyhow::Result<Value> {
    let api = sources.endoflife_api.trim_end_matches('/');
    let shipped = &Catalog::embedded().lifecycle;
    let mut products = serde_json::Map::new();
    for product in shipped.products.keys() {
        let url = format!("{api}/products/{product}");
        let response: ProductResponse = fetcher.json(&url).await?;
        if response.result.releases.is_empty() {
            bail!("{url}: no release cycles");
        }
        let mut cycles: Vec<(Option<NaiveDate>, CycleKey, Value)> = response
            .result
            .releases
            .into_iter()
            .map(|r| {
                let key = cycle_key(&r.name);
                let mut cycle = serde_json::Map::new();
                cycle.insert("cycle".into(), json!(r.name));
                if let Some(c) = r.codename.filter(|c| !c.is_empty()) {
                    cycle.insert("codename".into(), json!(c));
                }
                cycle.insert(
                    "lts".into(),
                    r.lts_from.map_or(json!(r.is_lts), |d| json!(d.to_string())),
                );
                if let Some(d) = r.release_date {
                    cycle.insert("release".into(), json!(d.to_string()));
                }
                if let Some(d) = r.eoas_from {
                    cycle.insert("support".into(), json!(d.to_string()));
                }
                cycle.insert(
                    "eol".into(),
                    r.eol_from.map_or(json!(r.is_eol), |d| json!(d.to_string())),
                );
                if let Some(latest) = r.latest {
                    cycle.insert("latest".into(), json!(latest.name));
                }
                (r.release_date, key, Value::Object(cycle))
            })
            .collect();
        // Newest release first, as gen-data.py orders them.
        cycles.sort_by(|a, b| (&b.0, &b.1).cmp(&(&a.0, &a.1)));
        products.insert(
            product.clone(),
            Value::Array(cycles.into_iter().map(|(_, _, c)| c).collect()),
        );
    }
    Ok(json!({
        "source": {
            "repository": "endoflife-date/endoflife.date",
            "commit": "api-v1",
            "date": today.to_string(),
            "license": "MIT",
            "url": format!("{api}/products/"),
        },
        "products": products,
        "images": shipped.images,
    }))
}

/// A cycle name as numbers and words, for ordering: `24.04` → 24, 4; words sort after numbers.
type CycleKey = Vec<(u8, u64, String)>;

fn cycle_key(cycle: &str) -> CycleKey {
    let mut key = Vec::new();
    let lower = cycle.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(start) = rest.find(|c: char| c.is_ascii_alphanumeric()) {
        rest = &rest[start..];
        let digits = rest.starts_with(|c: char| c.is_ascii_digit());
        let end = rest
            .find(|c: char| {
                !(if digits {
                    c.is_ascii_digit()
                } else {
                    c.is_ascii_lowercase()
                })
            })
            .unwrap_or(rest.len());
        let part = &rest[..end];
        key.push(if digits {
            (0, part.parse().unwrap_or(u64::MAX), String::new())
        } else {
            (1, 0, part.to_string())
        });
        rest = &rest[end..];
    }
    key
}

/// Writes both files into a staging directory beside `out`, loads them as a catalogue (the
/// validation `check --data-dir` would do), then moves them into `out`.
fn write_dir(out: &Path, official: &Value, lifecycle: &Value) -> anyhow::Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let staging = out.join(format!(".drydock-data-{}-{nanos}", std::process::id()));
    std::fs::create_dir(&staging).with_context(|| format!("cannot write in {}", out.display()))?;
    let result = stage_and_move(&staging, out, official, lifecycle);
    let _ = std::fs::remove_dir_all(&staging);
    result
}

fn stage_and_move(
    staging: &Path,
    out: &Path,
    official: &Value,
    lifecycle: &Value,
) -> anyhow::Result<()> {
    for (name, value) in [
        (OFFICIAL_IMAGES_FILE, official),
        (LIFECYCLE_FILE, lifecycle),
    ] {
        let mut text = serde_json::to_string(value)?;
        text.push('\n');
        std::fs::write(staging.join(name), text)?;
    }
    let catalog = Catalog::load_dir(staging)
        .map_err(|e| anyhow!("the fetched data does not load, nothing written: {e}"))?;
    for image in ["alpine", "debian", "ubuntu"] {
        if !catalog.is_official(image) {
            bail!("the fetched library has no {image}: nothing written");
        }
    }
    for product in ["ubuntu", "debian", "alpine-linux"] {
        if catalog.cycles(product).is_empty() {
            bail!("the fetched lifecycle data has no {product} cycles: nothing written");
        }
    }
    for name in [OFFICIAL_IMAGES_FILE, LIFECYCLE_FILE] {
        std::fs::rename(staging.join(name), out.join(name))
            .with_context(|| format!("cannot write {}", out.join(name).display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_match_gen_data() {
        let lists = vec![vec![
            "22.04".to_string(),
            "jammy".into(),
            "22.04-slim".into(),
            "jammy-slim".into(),
        ]];
        let aliases = aliases_of(&lists);
        assert_eq!(aliases.get("jammy").map(String::as_str), Some("22.04"));
        let variant = vec![vec!["26".to_string(), "26-trixie".into(), "trixie".into()]];
        assert!(aliases_of(&variant).is_empty());
    }

    #[test]
    fn library_entries_with_continuations_and_comments() {
        let text = "# comment\nMaintainers: a\n\nTags: 3.12, 3.12.4,\n  3\nSharedTags: latest\n\nTags: 3.11\n";
        assert_eq!(
            library_tag_lists(text),
            vec![
                vec![
                    "3.12".to_string(),
                    "3.12.4".into(),
                    "3".into(),
                    "latest".into()
                ],
                vec!["3.11".to_string()]
            ]
        );
    }

    #[test]
    fn only_https_or_loopback() {
        assert!(check_url("https://endoflife.date/api/v1").is_ok());
        assert!(check_url("http://127.0.0.1:8080/x").is_ok());
        assert!(check_url("http://endoflife.date/api/v1").is_err());
    }

    #[test]
    fn cycle_keys_order_numbers() {
        assert!(cycle_key("3.10") > cycle_key("3.9"));
    }
}
