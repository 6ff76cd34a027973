//! The base-image policy (`docs/policy/POLICY.md` in code): which images are preferred, allowed,
//! restricted or forbidden, which Dockerfiles are production images, rule severities, waivers,
//! and the rules themselves (one module each under `rules/`). Also the CVE patch deadlines
//! applied to Trivy reports.
//!
//! Pure: works on parsed Dockerfiles, the shipped facts and a given "today"; the CVE state file
//! is read and written at the edge (`cve::StateFile`).

pub mod build_files;
pub mod config;
pub mod cve;
pub mod data;
pub mod facts;
pub mod lifecycle;
pub mod pattern;
pub mod rules;
pub mod suggest;
pub mod waiver;

use std::collections::BTreeMap;

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::docker::ImageRef;
use crate::finding::{Filter, Finding, Severity};
use crate::text::{GLOB_HELP, KeyPath, Rejected, closest};
pub use config::{PolicySection, WaiverSection};
pub use facts::Facts;
pub use pattern::ImagePattern;

/// The policy's categories, from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    Preferred,
    Allowed,
    Restricted,
    Forbidden,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Preferred => "preferred",
            Category::Allowed => "allowed",
            Category::Restricted => "restricted",
            Category::Forbidden => "forbidden",
        }
    }
}

/// Default patterns (documented in docs/rules.md). Docker Official Images are additionally
/// checked against the shipped list, so `docker.io/library/<anything>` is not trusted blindly.
pub const DEFAULT_PREFERRED: &[&str] = &["docker.io/library/alpine", "gcr.io/distroless/*"];
pub const DEFAULT_ALLOWED: &[&str] = &[
    "docker.io/library/debian",
    "docker.io/library/ubuntu",
    // Microsoft's devcontainer images: an official source, used by non-production files.
    "mcr.microsoft.com/devcontainers/*",
];
pub const DEFAULT_RESTRICTED: &[&str] = &["docker.io/library/*", "mcr.microsoft.com/dotnet/*"];
/// Dockerfiles that are not production images: devcontainers, dev/test/CI variants, test data,
/// examples and documentation.
pub const DEFAULT_NON_PRODUCTION: &[&str] = &[
    "**/.devcontainer/**",
    "**/test/**",
    "**/tests/**",
    "**/testdata/**",
    "**/__fixtures__/**",
    "**/examples/**",
    "**/docs/**",
    "**/*.dev",
    "**/*.test",
    "**/Dockerfile.ci",
];
pub const DEFAULT_PRODUCTION: &[&str] = &["**"];

/// The validated policy.
#[derive(Debug, Clone)]
pub struct Policy {
    pub preferred: Vec<ImagePattern>,
    pub allowed: Vec<ImagePattern>,
    pub restricted: Vec<ImagePattern>,
    pub verified_publishers: Vec<ImagePattern>,
    production: GlobSet,
    non_production: GlobSet,
    /// `[policy.severity]` and the waivers, for every finding of `check` and `plan`.
    pub filter: Filter,
}

impl Default for Policy {
    fn default() -> Self {
        Policy::from_section(&PolicySection::default(), &[]).expect("the default policy is valid")
    }
}

impl Policy {
    /// Validates `[policy]`. `rule_ids` are the rules `[policy.severity]` and waivers may name:
    /// every rule of `drydock check`, which the caller gathers (the policy's own and the
    /// dependabot validation's), so that the policy does not depend on other rule families.
    pub fn from_section(section: &PolicySection, rule_ids: &[&str]) -> Result<Policy, Rejected> {
        let patterns = |key: &str,
                        given: &Option<Vec<String>>,
                        default: &[&str]|
         -> Result<Vec<ImagePattern>, Rejected> {
            let list: Vec<String> = match given {
                Some(v) => v.clone(),
                None => default.iter().map(|s| s.to_string()).collect(),
            };
            list.iter()
                .enumerate()
                .map(|(i, p)| {
                    ImagePattern::new(p).map_err(|message| {
                        Rejected::new(
                            KeyPath::root().key(key).index(i),
                            message,
                            "write a normalised reference such as \"docker.io/library/*\" or \"gcr.io/distroless/*\"",
                        )
                    })
                })
                .collect()
        };
        let globs = |key: &str,
                     given: &Option<Vec<String>>,
                     default: &[&str]|
         -> Result<GlobSet, Rejected> {
            let mut builder = GlobSetBuilder::new();
            let list: Vec<String> = match given {
                Some(v) => v.clone(),
                None => default.iter().map(|s| s.to_string()).collect(),
            };
            for (i, g) in list.iter().enumerate() {
                let glob = globset::GlobBuilder::new(g)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| {
                        Rejected::new(
                            KeyPath::root().key(key).index(i),
                            format!("invalid glob {g:?}: {e}"),
                            GLOB_HELP,
                        )
                    })?;
                builder.add(glob);
                // `**/x` should also match `x` at the root: globset does this already.
                let _ = Glob::new(g);
            }
            builder.build().map_err(|e| {
                Rejected::new(
                    KeyPath::root().key(key),
                    format!("invalid globs: {e}"),
                    GLOB_HELP,
                )
            })
        };
        let mut severities = BTreeMap::new();
        for (rule, level) in &section.severity {
            if !rule_ids.contains(&rule.as_str()) {
                return Err(Rejected::new(
                    KeyPath::root().key("severity").name(rule),
                    format!("unknown rule {rule:?} in [policy.severity]"),
                    unknown_rule_help(rule, rule_ids),
                ));
            }
            let value = match level.as_str() {
                "error" => Some(Severity::Error),
                "warning" => Some(Severity::Warning),
                "note" => Some(Severity::Note),
                "off" => None,
                other => {
                    return Err(Rejected::new(
                        KeyPath::root().key("severity").key(rule),
                        format!(
                            "severity {other:?} for {rule:?} is not one of error, warning, note, off"
                        ),
                        "write \"error\", \"warning\", \"note\" or \"off\"",
                    ));
                }
            };
            severities.insert(rule.clone(), value);
        }
        let waivers = section
            .waiver
            .iter()
            .enumerate()
            .map(|(i, w)| {
                waiver::from_section(w, rule_ids)
                    .map_err(|e| e.within(KeyPath::root().key("waiver").index(i)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Policy {
            preferred: patterns("preferred", &section.preferred, DEFAULT_PREFERRED)?,
            allowed: patterns("allowed", &section.allowed, DEFAULT_ALLOWED)?,
            restricted: patterns("restricted", &section.restricted, DEFAULT_RESTRICTED)?,
            verified_publishers: patterns(
                "verified_publishers",
                &Some(section.verified_publishers.clone()),
                &[],
            )?,
            production: globs("production", &section.production, DEFAULT_PRODUCTION)?,
            non_production: globs(
                "non_production",
                &section.non_production,
                DEFAULT_NON_PRODUCTION,
            )?,
            filter: Filter::new(severities, waivers),
        })
    }

    /// The category of an external image. Names under `docker.io/library/` only count as
    /// official when the shipped list knows them (if it has any data at all).
    pub fn category(&self, image: &ImageRef, facts: &Facts) -> Category {
        if let Some(name) = official_name(image)
            && !facts.official.is_empty()
            && facts.official(name).is_none()
        {
            return Category::Forbidden;
        }
        let image = canonical(image);
        let image = image.as_ref();
        let hit = |list: &[ImagePattern]| list.iter().any(|p| p.matches(image));
        if hit(&self.preferred) {
            Category::Preferred
        } else if hit(&self.allowed) || hit(&self.verified_publishers) {
            Category::Allowed
        } else if hit(&self.restricted) {
            Category::Restricted
        } else {
            Category::Forbidden
        }
    }

    /// Whether a repository-relative Dockerfile path is a production image.
    pub fn is_production(&self, path: &str) -> bool {
        self.production.is_match(path) && !self.non_production.is_match(path)
    }

    /// The severity of a rule under this policy; `None` when switched off.
    pub fn severity(&self, rule: &crate::finding::Rule) -> Option<Severity> {
        self.filter.severity(rule)
    }
}

/// The hint for a rule id that is not among `rule_ids`: a did-you-mean when one is close.
pub fn unknown_rule_help(rule: &str, rule_ids: &[&str]) -> String {
    match closest(rule, rule_ids.iter().copied()) {
        Some(s) => format!("did you mean {s:?}? docs/rules.md lists every rule"),
        None => "docs/rules.md lists every rule".into(),
    }
}

/// The architecture namespaces of Docker Hub: `arm64v8/alpine` is the official `alpine` image
/// built for one architecture (the official-images README lists them).
pub const ARCH_NAMESPACES: &[&str] = &[
    "amd64",
    "arm32v5",
    "arm32v6",
    "arm32v7",
    "arm64v8",
    "i386",
    "mips64le",
    "ppc64le",
    "riscv64",
    "s390x",
    "windows-amd64",
    "winamd64",
];

/// `node` for `docker.io/library/node` (and for `docker.io/arm64v8/node`, the same official
/// image for one architecture); `None` for anything that is not in the official namespace.
pub fn official_name(image: &ImageRef) -> Option<&str> {
    if image.registry != "docker.io" {
        return None;
    }
    let (namespace, name) = image.repository.split_once('/')?;
    (!name.contains('/') && (namespace == "library" || ARCH_NAMESPACES.contains(&namespace)))
        .then_some(name)
}

/// The reference with an architecture namespace replaced by `library/`, so that patterns over
/// `docker.io/library/*` apply to `arm64v8/alpine` too.
fn canonical(image: &ImageRef) -> std::borrow::Cow<'_, ImageRef> {
    match official_name(image) {
        Some(name) if !image.repository.starts_with("library/") => {
            let mut out = image.clone();
            out.repository = format!("library/{name}");
            std::borrow::Cow::Owned(out)
        }
        _ => std::borrow::Cow::Borrowed(image),
    }
}

#[cfg(test)]
mod tests;

/// Parses one Dockerfile and runs the rules over it. A file that does not parse is one
/// `dockerfile/unparseable` finding, not an error. Findings are at their rules' default
/// severities: `policy.filter` applies `[policy.severity]` and the waivers.
pub fn check_dockerfile(
    path: &str,
    text: &str,
    build_args: &BTreeMap<String, String>,
    policy: &Policy,
    facts: &Facts,
    today: chrono::NaiveDate,
) -> (Vec<Finding>, Vec<crate::docker::ImageUse>) {
    check_dockerfile_in(path, text, build_args, &[], policy, facts, today)
}

/// Whether a file is a template that renders into a Dockerfile (`Dockerfile.template`,
/// `Dockerfile.j2`, or text with `{{ }}` placeholders): it is not checked, under any name.
pub fn is_template(path: &str, text: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    [
        ".template",
        ".tmpl",
        ".tpl",
        ".j2",
        ".jinja",
        ".jinja2",
        ".mustache",
        ".hbs",
        ".erb",
    ]
    .iter()
    .any(|ext| name.ends_with(ext))
        || (text.contains("{{") && text.contains("}}"))
}

/// [`check_dockerfile`] for a Dockerfile built with named build contexts (`contexts` of
/// docker-bake.hcl, compose `additional_contexts`): `COPY --from=<context>` names one of them,
/// not an image.
#[allow(clippy::too_many_arguments)]
pub fn check_dockerfile_in(
    path: &str,
    text: &str,
    build_args: &BTreeMap<String, String>,
    contexts: &[String],
    policy: &Policy,
    facts: &Facts,
    today: chrono::NaiveDate,
) -> (Vec<Finding>, Vec<crate::docker::ImageUse>) {
    if is_template(path, text) {
        return (Vec::new(), Vec::new());
    }
    let dockerfile = match crate::docker::Dockerfile::parse(text, build_args) {
        Ok(d) => d,
        Err(e) => {
            let finding = rules::UNPARSEABLE
                .finding(path, format!("cannot parse the Dockerfile: {}", e.message))
                .at(e.line.max(1), (e.column > 0).then_some(e.column));
            return (vec![finding], Vec::new());
        }
    };
    let mut uses = dockerfile.external_images();
    uses.retain(|u| {
        u.kind == crate::docker::UseKind::From
            || !contexts.iter().any(|c| c.eq_ignore_ascii_case(&u.raw))
    });
    let cx = rules::FileCx {
        path,
        dockerfile: &dockerfile,
        production: policy.is_production(path),
        uses: &uses,
        policy,
        facts,
        today,
    };
    (rules::check_file(&cx), uses)
}

/// The image rules over the `image:` references of a compose file (not the multi-stage rules: a
/// compose file builds nothing itself).
pub fn check_compose(
    path: &str,
    text: &str,
    policy: &Policy,
    facts: &Facts,
    today: chrono::NaiveDate,
) -> (Vec<Finding>, Vec<crate::docker::ImageUse>) {
    let uses = build_files::compose_images(text);
    let dockerfile = crate::docker::Dockerfile {
        escape: '\\',
        syntax: None,
        global_args: Vec::new(),
        stages: Vec::new(),
    };
    let cx = rules::FileCx {
        path,
        dockerfile: &dockerfile,
        production: false,
        uses: &uses,
        policy,
        facts,
        today,
    };
    (rules::check_images(&cx), uses)
}

/// `workflow/monitor-missing` for a repository: `dockerfiles` are its Dockerfile paths,
/// `monitor` the workflow's path (`crate::workflow::PATH`, passed in so the policy does not
/// depend on the workflow module, which depends on the policy's data through `bump`).
pub fn check_monitor(dockerfiles: &[String], monitor: &str, has_monitor: bool) -> Option<Finding> {
    if dockerfiles.is_empty() || has_monitor {
        return None;
    }
    Some(rules::MONITOR_MISSING.finding(
        monitor,
        format!(
            "the repository has {} Dockerfile{} ({}) but no base-image monitor workflow {monitor}",
            dockerfiles.len(),
            if dockerfiles.len() == 1 { "" } else { "s" },
            dockerfiles
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
                + if dockerfiles.len() > 3 { ", ..." } else { "" }
        ),
    ))
}
