//! `drydock bump`: moves the base images of the Dockerfiles under a directory to the newest tag
//! the policy allows, optionally pinning digests; the engine of the base-image monitor workflow.
//!
//! Exit status: 0 nothing to update, 1 updates proposed (or, with `--write`, written), 2 bad
//! configuration, 3 a registry or file error (nothing written).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use super::{Global, TextOrJson, exit, load_fleet};
use crate::bump::select::{self, Choice, Level};
use crate::bump::sites::{self, Site, SiteKind};
use crate::detect::{ScanOptions, scan_dir};
use crate::docker::ImageRef;
use crate::inventory::ConfigError;
use crate::registry::{Client, ClientOptions, CredentialStore, RegistryError};

/// Update the base images of the Dockerfiles under a directory.
#[derive(Debug, Args)]
pub struct BumpArgs {
    /// The checkout whose Dockerfiles are bumped.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub path: PathBuf,
    /// How far a tag may move (default: fleet.toml [registry] level, else minor).
    #[arg(long, value_enum)]
    pub level: Option<Level>,
    /// Rewrite the Dockerfiles (only the image references change).
    #[arg(long)]
    pub write: bool,
    /// Add `@sha256:` digests to references that have none (existing digests are always refreshed).
    #[arg(long)]
    pub pin_digests: bool,
    /// Send a registry's requests to a mirror: HOST=URL, e.g. docker.io=http://127.0.0.1:5000
    /// (repeatable; plain http only when given like this).
    #[arg(long = "registry-mirror", value_name = "HOST=URL")]
    pub registry_mirrors: Vec<String>,
    /// Seconds before a registry request gives up.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
    /// Print registry request counts to stderr (one JSON line).
    #[arg(long)]
    pub stats: bool,
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
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

#[derive(Debug, Serialize)]
struct Report<'a> {
    level: Level,
    written: bool,
    updates: &'a [Update],
    skipped: &'a [Skip],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<String>,
}

struct FileSites {
    rel: String,
    path: PathBuf,
    text: String,
    sites: Vec<Site>,
}

pub fn run(global: &Global, args: BumpArgs) -> anyhow::Result<u8> {
    let fleet = load_fleet(global, true)?;
    let mut mirrors = fleet.registry.mirrors.clone();
    for spec in &args.registry_mirrors {
        mirrors.add(spec).map_err(|message| ConfigError {
            file: PathBuf::from("--registry-mirror"),
            line: 0,
            column: 0,
            message,
            help: Some("write it as HOST=URL, e.g. docker.io=http://127.0.0.1:5000".into()),
        })?;
    }
    let level = args.level.unwrap_or(fleet.registry.level);
    if !args.path.is_dir() {
        return Err(ConfigError {
            file: args.path.clone(),
            line: 0,
            column: 0,
            message: "--path must name a directory".into(),
            help: Some("pass the root of a repository checkout".into()),
        }
        .into());
    }

    let scan = scan_dir(
        &args.path,
        &ScanOptions {
            exclude: fleet.scan.exclude.clone(),
        },
    )
    .with_context(|| format!("scanning {}", args.path.display()))?;
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for found in &scan.dockerfiles {
        let path = args.path.join(&found.path);
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

    let credentials = CredentialStore::from_environment()?;
    let options = ClientOptions {
        timeout: Duration::from_secs(args.timeout.max(1)),
        ..ClientOptions::default()
    };
    let client = Arc::new(Client::new(options, mirrors, credentials)?);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let outcome = runtime.block_on(decide(&client, &files, level, args.pin_digests));
    if args.stats {
        eprintln!(
            "stats: {}",
            serde_json::to_string(&client.stats.snapshot())?
        );
    }
    let (mut updates, more_skipped, errors) = outcome;
    skipped.extend(more_skipped);
    updates.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));

    if !errors.is_empty() {
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        if args.format == TextOrJson::Json {
            let report = Report {
                level,
                written: false,
                updates: &[],
                skipped: &skipped,
                errors: messages.clone(),
            };
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
        for m in &messages {
            eprintln!("error: {m}");
        }
        eprintln!("error: registry errors: no Dockerfile was changed");
        return Ok(exit::REPO_FAILED);
    }

    if args.write {
        write_updates(&files, &updates)?;
    }
    match args.format {
        TextOrJson::Json => {
            let report = Report {
                level,
                written: args.write,
                updates: &updates,
                skipped: &skipped,
                errors: Vec::new(),
            };
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
        TextOrJson::Text => print_text(global, &args, &updates, &skipped),
    }
    Ok(if updates.is_empty() {
        exit::OK
    } else {
        exit::FINDINGS
    })
}

fn print_text(global: &Global, args: &BumpArgs, updates: &[Update], skipped: &[Skip]) {
    for u in updates {
        println!(
            "{}:{}: {} → {} ({})",
            u.file, u.line, u.old, u.new, u.reason
        );
    }
    if !global.quiet {
        for s in skipped {
            eprintln!("skipped {}:{}: {}: {}", s.file, s.line, s.image, s.reason);
        }
    }
    match (updates.len(), args.write) {
        (0, _) => println!("all base images are up to date"),
        (n, true) => println!("{n} update(s) written"),
        (n, false) => println!("{n} update(s) proposed; run with --write to apply"),
    }
}

fn image_name(image: &ImageRef) -> String {
    format!("{}/{}", image.registry, image.repository)
}

/// Asks the registries and decides every site. Registry errors are collected, never partial.
async fn decide(
    client: &Arc<Client>,
    files: &[FileSites],
    level: Level,
    pin_digests: bool,
) -> (Vec<Update>, Vec<Skip>, Vec<RegistryError>) {
    let mut errors = Vec::new();
    // Tag lists: one per repository, fetched concurrently.
    let mut images: BTreeMap<(String, String), ImageRef> = BTreeMap::new();
    for site in files.iter().flat_map(|f| &f.sites) {
        if site.image.tag.is_some() {
            let key = (site.image.registry.clone(), site.image.repository.clone());
            images.entry(key).or_insert_with(|| site.image.clone());
        }
    }
    let tags = fetch_all(
        client,
        images.into_values().collect(),
        |c, image| async move {
            c.tags(&image)
                .await
                .map(|t| ((image.registry.clone(), image.repository.clone()), t))
        },
    )
    .await;
    let mut tag_lists = HashMap::new();
    for r in tags {
        match r {
            Ok((k, v)) => {
                tag_lists.insert(k, v);
            }
            Err(e) => errors.push(e),
        }
    }

    // Targets per site, then the digests they need (each image:tag asked once).
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
            let Some(list) =
                tag_lists.get(&(site.image.registry.clone(), site.image.repository.clone()))
            else {
                continue; // its registry error is reported
            };
            let target = match select::pick(
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
            let wants_digest =
                site.image.digest.is_some() || (pin_digests && site.kind != SiteKind::ArgTag);
            if pin_digests && site.kind == SiteKind::ArgTag {
                skipped.push(skip(
                    "the tag comes from an ARG: its digest cannot be pinned there".into(),
                ));
            }
            planned.push((file, site, tag.clone(), target, wants_digest));
        }
    }
    let digest_keys: BTreeSet<(String, String, String)> = planned
        .iter()
        .filter(|p| p.4)
        .map(|(_, site, tag, target, _)| {
            (
                site.image.registry.clone(),
                site.image.repository.clone(),
                target.clone().unwrap_or(tag.clone()),
            )
        })
        .collect();
    let digests = fetch_all(
        client,
        digest_keys.into_iter().collect(),
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
    let mut digest_of = HashMap::new();
    for r in digests {
        match r {
            Ok((k, d)) => {
                digest_of.insert(k, d);
            }
            Err(e) => errors.push(e),
        }
    }

    let mut updates = Vec::new();
    for (file, site, tag, target, wants_digest) in planned {
        let new_tag = target.clone().unwrap_or(tag.clone());
        let digest = if wants_digest {
            let key = (
                site.image.registry.clone(),
                site.image.repository.clone(),
                new_tag.clone(),
            );
            match digest_of.get(&key) {
                Some(d) => Some(d.clone()),
                None => continue,
            }
        } else {
            None
        };
        let new = sites::rewrite(&site.written, site.kind, &new_tag, digest.as_deref());
        if new == site.written {
            continue;
        }
        let reason = match (&target, &site.image.digest, &digest) {
            (Some(_), _, _) => format!("newer {} tag", level.as_str()),
            (None, Some(_), Some(_)) => "the tag now points at a new digest".into(),
            _ => "digest pinned".into(),
        };
        updates.push(Update {
            file: file.rel.clone(),
            line: site.line,
            kind: site.kind,
            image: image_name(&site.image),
            old: site.written.clone(),
            new,
            reason,
            span: site.span.clone(),
        });
    }
    (updates, skipped, errors)
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
