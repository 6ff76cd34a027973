//! `bump`: moves the base images of the Dockerfiles under a directory to the newest tag the
//! policy allows, optionally pinning digests; the engine of the base-image monitor workflow.
//! Asks the registries everything first and writes only when every answer came: a registry
//! error means nothing is written. A registry's tags and digests are checked against the OCI
//! grammar ([`crate::bump::reference`]) before they can be chosen, and the refused ones are
//! reported; a Dockerfile that cannot be read as UTF-8 is skipped with its reason, the others
//! are still bumped.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use serde::Serialize;

use super::{Error, Selection, UsageError, path_target};
use crate::bump::reference;
use crate::bump::select::{self, Choice, Level};
use crate::bump::sites::{self, Site, SiteKind};
use crate::detect::{ScanOptions, scan_dir};
use crate::docker::ImageRef;
use crate::fs;
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
    /// How long one registry request may take; `None` takes `[registry] timeout_seconds`.
    pub timeout: Option<Duration>,
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

/// A tag or digest a registry answered with that is not a valid one, and so was never used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refused {
    /// `registry/repository`.
    pub image: String,
    /// The value as the registry sent it.
    pub value: String,
    pub reason: String,
}

/// What bump decided. With registry `errors`, `updates` is empty and nothing was written.
#[derive(Debug, Serialize)]
pub struct BumpReport {
    pub level: Level,
    pub written: bool,
    /// How many Dockerfiles were found under the directory.
    pub dockerfiles: usize,
    pub updates: Vec<Update>,
    pub skipped: Vec<Skip>,
    /// Registry answers that are not valid tags, never considered.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<Refused>,
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
    let (files, mut skipped, dockerfiles) = find_sites(
        &root,
        &options.fleet.scan.options(),
        options.fleet.scan.max_file_bytes,
    )?;

    let credentials = CredentialStore::from_environment()?;
    let client_options = ClientOptions {
        timeout: options
            .timeout
            .unwrap_or(options.fleet.registry.timeout)
            .max(Duration::from_secs(1)),
        max_body_bytes: options.fleet.registry.max_response_bytes,
        ..ClientOptions::default()
    };
    let client = Arc::new(Client::new(client_options, mirrors, credentials)?);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)?;
    let Decided {
        mut updates,
        skipped: more_skipped,
        refused,
        errors,
    } = runtime.block_on(decide(&client, &files, level, options.pin_digests));
    skipped.extend(more_skipped);
    updates.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    let stats = client.stats.snapshot();

    if !errors.is_empty() {
        return Ok(BumpReport {
            level,
            written: false,
            dockerfiles,
            updates: Vec::new(),
            skipped,
            refused,
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
        dockerfiles,
        updates,
        skipped,
        refused,
        errors: Vec::new(),
        stats,
    })
}

/// The checkout `bump` works on: `--path DIR`, or the one fleet repository `--repo` names (its
/// checkout in the workspace). `bump` rewrites one checkout per run, so several `--repo` or both
/// flags are a usage error.
pub fn checkout(fleet: &Fleet, repos: &[String], path: Option<&Path>) -> Result<PathBuf, Error> {
    match (repos, path) {
        ([], path) => Ok(path.unwrap_or(Path::new(".")).to_path_buf()),
        ([_], Some(_)) => Err(UsageError::new("bump takes --path or --repo, not both")
            .with_help("--repo NAME bumps the fleet checkout of NAME; --path DIR any directory")
            .into()),
        ([_], None) => {
            let selection = Selection {
                repos: repos.to_vec(),
                ..Selection::default()
            };
            let target = super::targets(fleet, &selection)?
                .into_iter()
                .next()
                .expect("one --repo selects one repository");
            if !target.root.is_dir() {
                return Err(UsageError::new(format!(
                    "{}: no checkout at {}",
                    target.name,
                    target.root.display()
                ))
                .with_help("run `drydock sync` first, or give the directory with --path")
                .into());
            }
            Ok(target.root)
        }
        _ => Err(UsageError::new(format!(
            "bump works on one checkout per run, and {} --repo were given",
            repos.len()
        ))
        .with_help("run bump once per repository (the monitor workflow runs it in each one)")
        .into()),
    }
}

/// The image sites of every Dockerfile under `root`, read through [`fs::read_repo_file`] (no
/// symlink on the path, regular files of at most `cap` bytes), the references that cannot be
/// bumped (and the Dockerfiles that cannot be read), and how many Dockerfiles there are.
fn find_sites(
    root: &Path,
    options: &ScanOptions,
    cap: u64,
) -> anyhow::Result<(Vec<FileSites>, Vec<Skip>, usize)> {
    let scan = scan_dir(root, options).with_context(|| format!("scanning {}", root.display()))?;
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for found in &scan.dockerfiles {
        let skip_file = |line: usize, reason: String| Skip {
            file: found.path.clone(),
            line,
            image: String::new(),
            reason,
        };
        let text = match fs::read_repo_file(root, Path::new(&found.path), cap) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(e) => {
                    let at = e.utf8_error().valid_up_to();
                    let bytes = e.as_bytes();
                    let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
                    skipped.push(skip_file(
                        line,
                        format!(
                            "the Dockerfile is not UTF-8 (byte {}); its images are left alone: save it as UTF-8",
                            at + 1
                        ),
                    ));
                    continue;
                }
            },
            Err(e) => {
                skipped.push(skip_file(
                    0,
                    format!("the Dockerfile cannot be read ({e}); its images are left alone"),
                ));
                continue;
            }
        };
        let found_sites = match sites::find(&text) {
            Ok(f) => f,
            Err(e) => {
                skipped.push(skip_file(
                    e.line,
                    format!("the Dockerfile cannot be parsed ({e}); its images are left alone"),
                ));
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
            path: root.join(&found.path),
            text,
            sites: found_sites.sites,
        });
    }
    Ok((files, skipped, scan.dockerfiles.len()))
}

fn image_name(image: &ImageRef) -> String {
    format!("{}/{}", image.registry, image.repository)
}

fn image_key(image: &ImageRef) -> ImageKey {
    (image.registry.clone(), image.repository.clone())
}

/// Everything [`decide`] found.
struct Decided {
    updates: Vec<Update>,
    skipped: Vec<Skip>,
    refused: Vec<Refused>,
    errors: Vec<RegistryError>,
}

/// Asks the registries and decides every site. Registry errors are collected, never partial.
async fn decide(
    client: &Arc<Client>,
    files: &[FileSites],
    level: Level,
    pin_digests: bool,
) -> Decided {
    let mut errors = Vec::new();
    let (tag_lists, refused) = valid_tags(fetch_tag_lists(client, files, &mut errors).await);
    let (planned, mut skipped) = plan_sites(files, &tag_lists, level, pin_digests);
    let digests = fetch_digests(client, &planned, &mut errors).await;
    let mut updates = Vec::new();
    for p in &planned {
        match update(p, &digests, level) {
            Ok(Some(u)) => updates.push(u),
            Ok(None) => {}
            Err(skip) => skipped.push(skip),
        }
    }
    Decided {
        updates,
        skipped,
        refused,
        errors,
    }
}

/// The tag lists with only the tags of the OCI grammar; the others, refused, per image.
fn valid_tags(
    lists: HashMap<ImageKey, Arc<Vec<String>>>,
) -> (HashMap<ImageKey, Arc<Vec<String>>>, Vec<Refused>) {
    let mut refused = Vec::new();
    let valid = lists
        .into_iter()
        .map(|(key, list)| {
            if list.iter().all(|t| reference::is_tag(t)) {
                return (key, list);
            }
            let (good, bad): (Vec<String>, Vec<String>) =
                list.iter().cloned().partition(|t| reference::is_tag(t));
            refused.extend(bad.into_iter().map(|value| Refused {
                image: format!("{}/{}", key.0, key.1),
                value,
                reason: "not a tag ([A-Za-z0-9_][A-Za-z0-9._-]{0,127}): never written".into(),
            }));
            (key, Arc::new(good))
        })
        .collect();
    refused.sort_by(|a, b| (&a.image, &a.value).cmp(&(&b.image, &b.value)));
    (valid, refused)
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
/// not be fetched: that error is reported). A tag or digest outside the grammar is never
/// written: the site is skipped with the reason.
fn update(
    p: &Planned<'_>,
    digests: &HashMap<DigestKey, String>,
    level: Level,
) -> Result<Option<Update>, Skip> {
    let site = p.site;
    let skip = |reason: String| Skip {
        file: p.file.rel.clone(),
        line: site.line,
        image: site.written.clone(),
        reason,
    };
    let digest = if p.wants_digest {
        match digests.get(&p.digest_key()) {
            Some(d) => Some(d.as_str()),
            None => return Ok(None),
        }
    } else {
        None
    };
    let Some(new) = sites::rewrite(&site.written, site.kind, p.new_tag(), digest) else {
        return Err(skip(format!(
            "the registry's tag {:?} or digest {:?} is not valid: refused",
            p.new_tag(),
            digest.unwrap_or("")
        )));
    };
    if new == site.written {
        return Ok(None);
    }
    let reason = match (&p.newer, &site.image.digest, digest) {
        (Some(_), _, _) => format!("newer {} tag", level.as_str()),
        (None, Some(_), Some(_)) => "the tag now points at a new digest".into(),
        _ => "digest pinned".into(),
    };
    Ok(Some(Update {
        file: p.file.rel.clone(),
        line: site.line,
        kind: site.kind,
        image: image_name(&site.image),
        old: site.written.clone(),
        new,
        reason,
        span: site.span.clone(),
    }))
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

/// Rewrites only the spans of the updates, file by file, each through the one safe writer
/// ([`crate::fs::write_repo_file`]): a temporary file with an unpredictable name, created
/// exclusively, renamed over the Dockerfile; never through a symlink (a committed
/// `.Dockerfile.drydock-tmp` symlink, a symlinked directory) nor into a hard-linked file.
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
        // `path` is `root/rel`: the repository root is that many components up.
        let rel = Path::new(&file.rel);
        let root = file
            .path
            .ancestors()
            .nth(rel.components().count())
            .unwrap_or(Path::new("."));
        fs::write_repo_file(root, rel, text.as_bytes())?;
    }
    Ok(())
}
