//! `[[repo]]` entries: names, where each repository's files come from, and its overrides of the
//! fleet's `[dependabot]` and `[workflow]`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::raw::RawRepo;
use super::{ConfigError, GitHubHost};
use crate::dependabot::settings::Settings as DependabotSettings;
use crate::text::{KeyPath, line_column};
use crate::workflow::RepoWorkflowSection;

/// Where a repository's files come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Cloned into, and fetched in, the workspace.
    Remote { url: String },
    /// A local directory used in place, never cloned or written by `sync`.
    Local { path: PathBuf },
}

/// One `[[repo]]` entry, validated.
#[derive(Debug, Clone)]
pub struct Repo {
    /// `owner/repo`.
    pub name: String,
    pub source: Source,
    /// The branch to track; `None` means the remote's HEAD.
    pub branch: Option<String>,
    pub skip: bool,
    /// `[repo.dependabot]`: this repository's overrides of the fleet's `[dependabot]`.
    pub dependabot: Option<DependabotSettings>,
    /// `[repo.workflow]`: this repository's overrides of the fleet's `[workflow]`.
    pub workflow: Option<RepoWorkflowSection>,
    /// `[repo.apply]`: this repository's overrides of the fleet's `[apply]`.
    pub apply: Option<crate::proposal::RepoApplySection>,
    /// `--build-arg`s the repository's Dockerfiles are built with, for resolving `FROM ${ARG}`.
    pub build_args: BTreeMap<String, String>,
}

/// What the `[[repo]]` entries are checked against.
pub(super) struct Context<'a> {
    pub file: &'a Path,
    pub text: &'a str,
    /// The directory relative paths start from.
    pub base: &'a Path,
    pub github: &'a GitHubHost,
}

/// Validates the `[[repo]]` entries: names unique and well-formed, one source each, and the
/// overrides GitHub or the workflow would reject.
pub(super) fn validate(cx: &Context<'_>, raw: Vec<RawRepo>) -> Result<Vec<Repo>, ConfigError> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut repos = Vec::with_capacity(raw.len());
    for (index, r) in raw.into_iter().enumerate() {
        let name = r.name.get_ref().clone();
        let at = |offset: usize, msg: String| ConfigError::at(cx.file, cx.text, offset, msg);
        if let Some(problem) = name_problem(&name) {
            return Err(
                at(r.name.span().start, format!("repo name {name:?} {problem}"))
                    .with_help("write the name as \"owner/repo\", as on GitHub"),
            );
        }
        let key = name.to_ascii_lowercase();
        if let Some(first) = seen.get(&key) {
            let (first_line, _) = line_column(cx.text, *first);
            return Err(at(
                r.name.span().start,
                format!("duplicate repo {name:?} (first listed on line {first_line})"),
            )
            .with_help("remove one of the two [[repo]] entries"));
        }
        seen.insert(key, r.name.span().start);
        let source = match (r.url, r.path) {
            (Some(_), Some(p)) => {
                return Err(at(p.span().start, format!("repo {name:?} has both `url` and `path`"))
                    .with_help("keep `url` to clone into the workspace, or `path` to use a local directory in place"));
            }
            (Some(u), None) => {
                let url = u.get_ref().trim();
                if url.is_empty() {
                    return Err(
                        at(u.span().start, format!("repo {name:?} has an empty `url`")).with_help(
                            "remove `url` to clone from the fleet's GitHub, or write the clone URL",
                        ),
                    );
                }
                Source::Remote {
                    url: url.to_string(),
                }
            }
            (None, Some(p)) => {
                let path = cx.base.join(p.get_ref());
                if !path.is_dir() {
                    return Err(at(p.span().start, format!("repo {name:?}: path {:?} is not a directory", p.get_ref()))
                        .with_help("paths are relative to the fleet file; create the directory or fix the path"));
                }
                Source::Local { path }
            }
            (None, None) => Source::Remote {
                url: cx.github.clone_url(&name),
            },
        };
        let entry = KeyPath::root().key("repo").index(index);
        let mut dependabot = r.dependabot;
        if let Some(d) = &mut dependabot {
            let section = format!("[repo.dependabot] of {name:?}");
            d.check().map_err(|mut e| {
                e.message = format!("{section}: {}", e.message);
                ConfigError::rejected(cx.file, cx.text, &entry.clone().key("dependabot"), e)
            })?;
            if let Some(dir) = &d.templates {
                d.templates = Some(cx.base.join(dir));
            }
        }
        if let Some(w) = &r.workflow {
            w.check(&format!("[repo.workflow] of {name:?}"))
                .map_err(|e| {
                    ConfigError::rejected(cx.file, cx.text, &entry.clone().key("workflow"), e)
                })?;
        }
        if let Some(a) = &r.apply {
            a.check(&format!("[repo.apply] of {name:?}"))
                .map_err(|e| ConfigError::rejected(cx.file, cx.text, &entry.key("apply"), e))?;
        }
        repos.push(Repo {
            name,
            source,
            branch: r.branch,
            skip: r.skip,
            dependabot,
            workflow: r.workflow,
            apply: r.apply,
            build_args: r.build_args,
        });
    }
    Ok(repos)
}

fn name_problem(name: &str) -> Option<&'static str> {
    if name.starts_with('/') {
        return Some("must not start with `/`");
    }
    let Some((owner, repo)) = name.split_once('/') else {
        return Some("is not of the form owner/repo");
    };
    if repo.contains('/') {
        return Some("has more than one `/`");
    }
    for part in [owner, repo] {
        if part.is_empty() {
            return Some("has an empty owner or repository part");
        }
        if part == "." || part == ".." {
            return Some("would escape the workspace (`.` or `..`)");
        }
        if !part
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Some("may only contain letters, digits, `-`, `_` and `.`");
        }
    }
    None
}
