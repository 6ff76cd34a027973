//! `bump`: moves the base images of the Dockerfiles under a directory to the newest tag the
//! policy allows, optionally pinning digests; the engine of the base-image monitor workflow.
//! Asks the registries everything first and writes only when every answer came: a registry
//! error means nothing is written.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use serde::Serialize;

use super::{Error, UsageError, path_target};
use crate::bump::select::{self, Choice, Level};
use crate::bump::sites::{self, Site, SiteKind};
use crate::detect::{ScanOptions, scan_dir};
use crate::docker::ImageRef;
use crate::inventory::Fleet;
use crate::registry::{Client, ClientOptions, CredentialStore, RegistryError, StatsSnapshot};

/// What to bump, and how far.
#[derive(Debug, Clone)]
pub struct BumpOptions<'a> {
    pub fleet: &'a Fleet,
    /// The checkout whose Dockerfiles are bumped.
    pub path: &'a Path,
    /// How far a tag may move; `None` takes fleet.toml's `[registry] level`.
    pub level: Option<Level>,
    /// Rewrite the Dockerfiles (only the image references change).
    pub write: bool,
    /// Add `@sha256:` digests to references that have none.
    pub pin_digests: bool,
    /// `HOST=URL` mirrors on top of fleet.toml's.
    pub registry_mirrors: &'a [String],
    /// How long one registry request may take.
    pub timeout: Duration,
}

/// One reference that changes.
#[derive(Debug, Clone, Serialize)]
pub struct Update {
    /// Dockerfile path relative to `--path`.
    pub file: String,
    pub line: usize,
    pub kind: SiteKind,
    /// `registry/repository`.
    pub image: String,
    /// The text as written, and what replaces it.
    pub old: String,
    pub new: String,
    pub reason: String,
    #[serde(skip)]
    span: std::ops::Range<usize>,
}

/// A reference left alone, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Skip {
    pub file: String,
    pub line: usize,
    pub image: String,
    pub reason: String,
}

/// What bump decided. With registry `errors`, `updates` is empty and nothing was written.
#[derive(Debug, Serialize)]
pub struct BumpReport {
    pub level: Level,
    pub written: bool,
    pub updates: Vec<Update>,
    pub skipped: Vec<Skip>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// Registry request counts.
    #[serde(skip)]
    pub stats: StatsSnapshot,
}

/// One Dockerfile and the image sites in it.
struct FileSites {
    rel: String,
    path: PathBuf,
    text: String,
    sites: Vec<Site>,
}

/// A registry repository: `(registry, repository)`.
type ImageKey = (String, String);
/// An image tag whose digest is needed: `(registry, repository, tag)`.
type DigestKey = (String, String, String);

/// A site with a tag, its newest allowed tag, and whether its new reference carries a digest.
struct Planned<'a> {
    file: &'a FileSites,
    site: &'a Site,
    tag: String,
    newer: Option<String>,
    wants_digest: bool,
}

impl Planned<'_> {
    /// The tag the reference ends up with.
    fn new_tag(&self) -> &str {
        self.newer.as_deref().unwrap_or(&self.tag)
    }

    fn digest_key(&self) -> DigestKey {
        (
            self.site.image.registry.clone(),
            self.site.image.repository.clone(),
            self.new_tag().to_string(),
        )
    }
}

pub fn bump(options: &BumpOptions<'_>) -> Result<BumpReport, Error> {
    let mut mirrors = options.fleet.registry.mirrors.clone();
    for spec in options.registry_mirrors {
        mirrors.add(spec).map_err(|message| {
            UsageError::new(format!("--registry-mirror: {message}"))
                .with_help("write it as HOST=URL, e.g. docker.io=http://127.0.0.1:5000")
        })?;
    }
    let level = options.level.unwrap_or(options.fleet.registry.level);
    let root = path_target(options.path)?.root;
    let (files, mut skipped) = find_sites(&root, &options.fleet.scan.options())?;

    let credentials = CredentialStore::from_environment()?;
    let client_options = ClientOptions {
        timeout: options.timeout.max(Duration::from_secs(1)),
        ..ClientOptions::default()
    };
    let client = Arc::new(Client::new(client_options, mirrors, credentials)?);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)?;
    let (mut updates, more_skipped, errors) =
        runtime.block_on(decide(&client, &files, level, options.pin_digests));
    skipped.extend(more_skipped);
    updates.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    let stats = client.stats.snapshot();

    if !errors.is_empty() {
        return Ok(BumpReport {
            level,
            written: false,
            updates: Vec::new(),
            skipped,
            errors: errors.iter().map(ToString::to_string).collect(),
            stats,
        });
    }
    if options.write {
        write_updates(&files, &updates)?;
    }
    Ok(BumpReport {
        level,
        written: options.write,
        updates,
        skipped,
        errors: Vec::new(),
        stats,
    })
}

/// The image sites of every Dockerfile under `root` (symlinks are left alone), and the
/// references that cannot be bumped.
fn find_sites(root: &Path, options: &ScanOptions) -> anyhow::Result<(Vec<FileSites>, Vec<Skip>)> {
    let scan = scan_dir(root, options).with_context(|| format!("scanning {}", root.display()))?;
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for found in &scan.dockerfiles {
        let path = root.join(&found.path);
        if path
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink())
        {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let found_sites = match sites::find(&text) {
            Ok(f) => f,
            Err(e) => {
                skipped.push(Skip {
                    file: found.path.clone(),
                    line: e.line,
                    image: String::new(),
                    reason: format!(
                        "the Dockerfile cannot be parsed ({e}); its images are left alone"
                    ),
                });
                continue;
            }
        };
        skipped.extend(found_sites.skipped.into_iter().map(|s| Skip {
            file: found.path.clone(),
            line: s.line,
            image: s.text,
            reason: s.reason,
        }));
        files.push(FileSites {
            rel: found.path.clone(),
            path,
            text,
            sites: found_sites.sites,
        });
    }
    Ok((files, skipped))
}

fn image_name(image: &ImageRef) -> String {
    format!("{}/{}", image.registry, image.repository)
}

fn image_key(image: &ImageRef) -> ImageKey {
    (image.registry.clone(), image.repository.clone())
}

/// Asks the registries and decides every site. Registry errors are collected, never partial.
async fn decide(
    client: &Arc<Client>,
    files: &[FileSites],
    level: Level,
    pin_digests: bool,
) -> (Vec<Update>, Vec<Skip>, Vec<RegistryError>) {
    let mut errors = Vec::new();
    let tag_lists = fetch_tag_lists(client, files, &mut errors).await;
    let (planned, skipped) = plan_sites(files, &tag_lists, level, pin_digests);
    let digests = fetch_digests(client, &planned, &mut errors).await;
    let updates = planned
        .iter()
        .filter_map(|p| update(p, &digests, level))
        .collect();
    (updates, skipped, errors)
}

/// The tag list of every tagged image: one request per repository, run concurrently.
async fn fetch_tag_lists(
    client: &Arc<Client>,
    files: &[FileSites],
    errors: &mut Vec<RegistryError>,
) -> HashMap<ImageKey, Arc<Vec<String>>> {
    let mut images: BTreeMap<ImageKey, ImageRef> = BTreeMap::new();
    for site in files.iter().flat_map(|f| &f.sites) {
        if site.image.tag.is_some() {
            images
                .entry(image_key(&site.image))
                .or_insert_with(|| site.image.clone());
        }
    }
    let results = fetch_all(
        client,
        images.into_values().collect(),
        |c, image| async move { c.tags(&image).await.map(|t| (image_key(&image), t)) },
    )
    .await;
    collect_ok(results, errors)
}

/// Each site's target tag (or why it is skipped), from the tag lists.
fn plan_sites<'a>(
    files: &'a [FileSites],
    tag_lists: &HashMap<ImageKey, Arc<Vec<String>>>,
    level: Level,
    pin_digests: bool,
) -> (Vec<Planned<'a>>, Vec<Skip>) {
    let mut skipped = Vec::new();
    let mut planned = Vec::new();
    for file in files {
        for site in &file.sites {
            let skip = |reason: String| Skip {
                file: file.rel.clone(),
                line: site.line,
                image: site.written.clone(),
                reason,
            };
            let Some(tag) = &site.image.tag else {
                skipped.push(skip(
                    "no tag: bump keeps the pinned image; add a tag to let it move".into(),
                ));
                continue;
            };
            let Some(list) = tag_lists.get(&image_key(&site.image)) else {
                continue; // its registry error is reported
            };
            let newer = match select::pick(
                &site.image.registry,
                &site.image.repository,
                tag,
                list,
                level,
            ) {
                Choice::Newer(t) => Some(t),
                Choice::Current => None,
                Choice::NotComparable => {
                    if site.image.digest.is_none() {
                        skipped.push(skip(format!("tag {tag:?} has no version to compare")));
                        continue;
                    }
                    None
                }
            };
            let from_arg = site.kind == SiteKind::ArgTag;
            if pin_digests && from_arg {
                skipped.push(skip(
                    "the tag comes from an ARG: its digest cannot be pinned there".into(),
                ));
            }
            planned.push(Planned {
                file,
                site,
                tag: tag.clone(),
                newer,
                wants_digest: site.image.digest.is_some() || (pin_digests && !from_arg),
            });
        }
    }
    (planned, skipped)
}

/// The digest of every image tag a planned reference will carry; each asked once.
async fn fetch_digests(
    client: &Arc<Client>,
    planned: &[Planned<'_>],
    errors: &mut Vec<RegistryError>,
) -> HashMap<DigestKey, String> {
    let keys: BTreeSet<DigestKey> = planned
        .iter()
        .filter(|p| p.wants_digest)
        .map(Planned::digest_key)
        .collect();
    let results = fetch_all(
        client,
        keys.into_iter().collect(),
        |c, (registry, repository, tag)| async move {
            let image = ImageRef {
                registry: registry.clone(),
                repository: repository.clone(),
                tag: None,
                digest: None,
            };
            c.digest(&image, &tag)
                .await
                .map(|d| ((registry, repository, tag), d))
        },
    )
    .await;
    collect_ok(results, errors)
}

/// The update of one planned site, if its reference changes (`None` also when its digest could
/// not be fetched: that error is reported).
fn update(p: &Planned<'_>, digests: &HashMap<DigestKey, String>, level: Level) -> Option<Update> {
    let site = p.site;
    let digest = if p.wants_digest {
        Some(digests.get(&p.digest_key())?.as_str())
    } else {
        None
    };
    let new = sites::rewrite(&site.written, site.kind, p.new_tag(), digest);
    if new == site.written {
        return None;
    }
    let reason = match (&p.newer, &site.image.digest, digest) {
        (Some(_), _, _) => format!("newer {} tag", level.as_str()),
        (None, Some(_), Some(_)) => "the tag now points at a new digest".into(),
        _ => "digest pinned".into(),
    };
    Some(Update {
        file: p.file.rel.clone(),
        line: site.line,
        kind: site.kind,
        image: image_name(&site.image),
        old: site.written.clone(),
        new,
        reason,
        span: site.span.clone(),
    })
}

/// The answers as a map; the errors appended to `errors`.
fn collect_ok<K: std::hash::Hash + Eq, V>(
    results: Vec<Result<(K, V), RegistryError>>,
    errors: &mut Vec<RegistryError>,
) -> HashMap<K, V> {
    let mut map = HashMap::new();
    for r in results {
        match r {
            Ok((k, v)) => {
                map.insert(k, v);
            }
            Err(e) => errors.push(e),
        }
    }
    map
}

/// Runs `f` over `items` with at most 8 requests in flight.
async fn fetch_all<I, T, F, Fut>(
    client: &Arc<Client>,
    items: Vec<I>,
    f: F,
) -> Vec<Result<T, RegistryError>>
where
    I: Send + 'static,
    T: Send + 'static,
    F: Fn(Arc<Client>, I) -> Fut,
    Fut: std::future::Future<Output = Result<T, RegistryError>> + Send + 'static,
{
    let limit = Arc::new(tokio::sync::Semaphore::new(8));
    let mut set = tokio::task::JoinSet::new();
    for item in items {
        let fut = f(client.clone(), item);
        let limit = limit.clone();
        set.spawn(async move {
            let _permit = limit.acquire_owned().await.expect("semaphore open");
            fut.await
        });
    }
    let mut out = Vec::new();
    while let Some(r) = set.join_next().await {
        out.push(r.expect("registry task panicked"));
    }
    out
}

/// Rewrites only the spans of the updates, file by file, each via a temporary file and rename.
fn write_updates(files: &[FileSites], updates: &[Update]) -> anyhow::Result<()> {
    for file in files {
        let mut edits: Vec<&Update> = updates.iter().filter(|u| u.file == file.rel).collect();
        if edits.is_empty() {
            continue;
        }
        edits.sort_by_key(|u| std::cmp::Reverse(u.span.start));
        let mut text = file.text.clone();
        for u in edits {
            anyhow::ensure!(
                text.get(u.span.clone()) == Some(u.old.as_str()),
                "{}: line {} changed while drydock ran",
                file.rel,
                u.line
            );
            text.replace_range(u.span.clone(), &u.new);
        }
        write_atomically(&file.path, &text)?;
    }
    Ok(())
}

fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("Dockerfile");
    let tmp = dir.join(format!(".{name}.drydock-tmp"));
    std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&tmp, meta.permissions());
    }
    std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))
}
