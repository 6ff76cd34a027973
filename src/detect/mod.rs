//! Ecosystem and container-file detection: given the files of a repository, which Dependabot
//! package ecosystems live in which directories, and where the Dockerfiles and compose files are.
//!
//! The core ([`detect`]) is pure: it works on a list of repository-relative paths plus a way to
//! read a few of them (workspace manifests), and never touches the disk itself. Walking a checkout
//! is done by [`scan_dir`] at the edge ([`walk`]).
//!
//! Detection is table-driven: [`FAMILIES`] lists one detector per ecosystem family (js, python,
//! jvm, ...). Adding an ecosystem means a variant in `ecosystem.rs` and a line in its family's
//! detector. Decisions where Dependabot itself is ambiguous (see `dependabot.md` §2.1):
//!
//! - **npm vs bun**: a text `bun.lock` beside `package.json` means `bun`, anything else `npm`;
//!   never both for one directory. `deno.json(c)` means `deno`, also beside a `package.json`
//!   (Deno projects may keep npm dependencies there; both entries are reported).
//! - **pip vs uv**: `pyproject.toml` with `uv.lock` beside it means `uv`; otherwise `pyproject.toml`,
//!   `Pipfile`, `setup.py` (not inside a package), files named `*requirements*.txt|.in`, any
//!   `.txt`/`.in` inside a `requirements/` directory (reported at the directory holding
//!   `requirements/`) and any other `.txt`/`.in` whose lines are pinned requirement specifiers
//!   mean `pip`.
//! - **terraform vs opentofu** is decided per directory: `opentofu` where `*.tofu` files are or
//!   a `.terraform.lock.hcl` names `registry.opentofu.org`, and below such a directory. Directories count when they hold
//!   `*.tf`, `*.tofu`, `terragrunt.hcl` or `.terraform.lock.hcl`; other `*.hcl` (Packer, Nomad,
//!   Vault) do not.
//! - **nuget**: entry points are `*.sln`, `*.slnx`, `*.proj`, `*.csproj`, `*.vbproj`, `*.fsproj`,
//!   `packages.config`, `Directory.Packages.props` and `.config/dotnet-tools.json`. A solution's
//!   directory is one entry covering every project the solution references (Dependabot walks up to
//!   it), projects outside every solution get their own entry, and `Directory.Packages.props`
//!   counts only where no other entry point lies at or below it. `global.json` is `dotnet-sdk`.
//! - **github-actions**: `/` when `.github/workflows` holds YAML or the root has an
//!   `action.y(a)ml` that uses other actions, plus every other directory holding one (local
//!   composite actions with `uses:`).
//! - **docker**: directories holding a Dockerfile (`dockerfile` or `containerfile` in the name,
//!   case-insensitive, as Dependabot matches; not source files, data or templates such as
//!   `dockerfile.go`, `dockerfile.json`, `Dockerfile.tmpl`); Kubernetes YAML is not read. **devcontainers**: the project directory of `.devcontainer.json`,
//!   `.devcontainer/devcontainer.json` or `.devcontainer/<sub>/devcontainer.json` (`/` at the root).
//! - **Workspaces** are reported at their root only, members dropped, for npm/yarn/pnpm/bun
//!   (`workspaces`, `pnpm-workspace.yaml`, `lerna.json`), deno, uv, Cargo (every package under the
//!   root except `exclude`d ones), go.work, Maven `<modules>`, Gradle `settings.gradle`
//!   `include`s, `includeBuild`s and `buildSrc` (Dependabot reads them all from the root; a
//!   `settings.gradle` alone makes a root), sbt sub-builds one level down, mix umbrellas and pub
//!   workspaces. Nested projects outside a workspace are reported on their own. A
//!   manifest is read only when another manifest of its kind lies below it, so single-project
//!   repositories are detected from names alone.
//! - **Path dependencies** (Bundler `path:`, npm `file:`, Cargo `path =`, Go `replace => ./x`):
//!   the depended-on directory gets no entry ([`local_deps`]).
//! - **Default skips** (`testdata`, fixtures, test and example trees below a project) are applied
//!   last ([`skips`], `docs/scan.md`), overridable with `[scan] unskip`.

mod actions;
mod containers;
mod dotnet;
mod ecosystem;
mod files;
mod go;
mod iac;
mod js;
mod jvm;
mod local_deps;
mod other;
mod python;
mod rust;
mod skips;
mod walk;
mod workspace;

#[cfg(test)]
mod tests;

pub use containers::{is_compose_file, is_dockerfile};
pub use ecosystem::Ecosystem;
pub use skips::{DEFAULT_SKIPS, DefaultSkip, Skips, default_skip_ids};
pub use walk::{ScanError, ScanOptions, scan_dir};

use files::Files;
use serde::Serialize;

/// An ecosystem configured at a directory, in Dependabot's form (`/`, `/web`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct EcosystemDir {
    pub ecosystem: Ecosystem,
    pub directory: String,
}

/// A file found by the scan, relative to the repository root, `/`-separated.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct FoundFile {
    pub path: String,
}

/// What a repository contains, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RepoScan {
    pub ecosystems: Vec<EcosystemDir>,
    pub dockerfiles: Vec<FoundFile>,
    pub compose_files: Vec<FoundFile>,
}

/// `[scan]` of fleet.toml: what the ecosystem scan leaves out besides its built-in skips, and
/// the largest repository file drydock reads.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanSection {
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Default skips turned off, by id (`testdata`, `fixtures`, `tests`, `examples`).
    #[serde(default)]
    pub unskip: Vec<String>,
    /// The cap on a repository file read whole (Dockerfiles, dependabot.yml, the managed files).
    #[serde(default = "default_max_file_bytes")]
    pub max_file_bytes: u64,
}

/// The default `[scan] max_file_bytes`: far above any real Dockerfile or dependabot.yml.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 4 << 20;

fn default_max_file_bytes() -> u64 {
    DEFAULT_MAX_FILE_BYTES
}

impl Default for ScanSection {
    fn default() -> Self {
        ScanSection {
            exclude: Vec::new(),
            unskip: Vec::new(),
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
        }
    }
}

impl ScanSection {
    pub fn check(&self) -> Result<(), crate::text::Rejected> {
        if self.max_file_bytes == 0 {
            return Err(crate::text::Rejected::new(
                crate::text::KeyPath::root().key("max_file_bytes"),
                "max_file_bytes must be at least 1".to_string(),
                "give the largest file size to read in bytes, e.g. 4194304 (the default, 4 MiB)",
            ));
        }
        for (i, pattern) in self.exclude.iter().enumerate() {
            if let Err(e) = globset::Glob::new(pattern) {
                return Err(crate::text::Rejected::new(
                    crate::text::KeyPath::root().key("exclude").index(i),
                    format!("invalid exclude glob {pattern:?}: {e}"),
                    crate::text::GLOB_HELP,
                ));
            }
        }
        for (i, id) in self.unskip.iter().enumerate() {
            if !DEFAULT_SKIPS.iter().any(|s| s.id == id) {
                return Err(crate::text::Rejected::new(
                    crate::text::KeyPath::root().key("unskip").index(i),
                    format!("unknown default skip {id:?}"),
                    UNSKIP_HELP,
                ));
            }
        }
        Ok(())
    }

    /// The scan options this section asks for.
    pub fn options(&self) -> ScanOptions {
        ScanOptions {
            exclude: self.exclude.clone(),
            skips: Skips::without(&self.unskip),
        }
    }
}

const UNSKIP_HELP: &str = "`unskip` takes the ids of default skips: \"testdata\", \"fixtures\", \
                           \"tests\", \"examples\" (see docs/scan.md)";

/// A family of related ecosystems and the detector that decides between them.
struct Family {
    name: &'static str,
    ecosystems: &'static [Ecosystem],
    detect: fn(&Files<'_>, &mut Found),
}

/// Every detector. Each ecosystem belongs to exactly one family (a test checks it).
const FAMILIES: &[Family] = {
    use Ecosystem::*;
    &[
        Family {
            name: "js",
            ecosystems: &[Npm, Bun, Deno],
            detect: js::detect,
        },
        Family {
            name: "python",
            ecosystems: &[Pip, Uv, Conda],
            detect: python::detect,
        },
        Family {
            name: "jvm",
            ecosystems: &[Maven, Gradle, Sbt],
            detect: jvm::detect,
        },
        Family {
            name: "dotnet",
            ecosystems: &[Nuget, DotnetSdk],
            detect: dotnet::detect,
        },
        Family {
            name: "iac",
            ecosystems: &[Terraform, Opentofu],
            detect: iac::detect,
        },
        Family {
            name: "containers",
            ecosystems: &[Docker, DockerCompose, Helm, Devcontainers],
            detect: containers::detect,
        },
        Family {
            name: "github-actions",
            ecosystems: &[GithubActions],
            detect: actions::detect,
        },
        Family {
            name: "rust",
            ecosystems: &[Cargo, RustToolchain],
            detect: rust::detect,
        },
        Family {
            name: "go",
            ecosystems: &[Gomod],
            detect: go::detect,
        },
        Family {
            name: "other",
            ecosystems: &[
                Bazel,
                Bundler,
                Composer,
                Elm,
                Gitsubmodule,
                Julia,
                Mix,
                Nix,
                PreCommit,
                Pub,
                Swift,
                Vcpkg,
            ],
            detect: other::detect,
        },
    ]
};

/// What the detectors report, collected before sorting.
#[derive(Default)]
struct Found {
    ecosystems: Vec<EcosystemDir>,
    dockerfiles: Vec<FoundFile>,
    compose_files: Vec<FoundFile>,
}

impl Found {
    /// Records `ecosystem` at `dir` (repository-relative, `""` for the root).
    fn add(&mut self, ecosystem: Ecosystem, dir: &str) {
        self.ecosystems.push(EcosystemDir {
            ecosystem,
            directory: files::dependabot_dir(dir),
        });
    }
}

/// Detects the ecosystems, Dockerfiles and compose files of a repository from its file paths
/// (repository-relative, `/`-separated, already filtered by the walk). `read` returns the text of
/// one of those files; it is called only for the few workspace manifests that need reading.
pub fn detect<'a>(
    paths: impl IntoIterator<Item = &'a str>,
    read: &dyn Fn(&str) -> Option<String>,
) -> RepoScan {
    detect_with(paths, read, &Skips::default()).0
}

/// [`detect`] with the default skips in `skips`; also returns what each skip removed.
pub fn detect_with<'a>(
    paths: impl IntoIterator<Item = &'a str>,
    read: &dyn Fn(&str) -> Option<String>,
    skips: &Skips,
) -> (RepoScan, Vec<(EcosystemDir, &'static str)>) {
    let files = Files::new(paths.into_iter().map(|p| -> &str { p }), read);
    let mut found = Found::default();
    for family in FAMILIES {
        let before = found.ecosystems.len();
        (family.detect)(&files, &mut found);
        debug_assert!(
            found.ecosystems[before..]
                .iter()
                .all(|e| family.ecosystems.contains(&e.ecosystem)),
            "family {} reported an ecosystem it does not own",
            family.name
        );
    }
    local_deps::drop_path_dependencies(&files, &mut found.ecosystems);
    let Found {
        mut ecosystems,
        mut dockerfiles,
        mut compose_files,
    } = found;
    ecosystems.sort_unstable();
    ecosystems.dedup();
    let removed = skips::apply(skips, &mut ecosystems, &mut dockerfiles, &mut compose_files);
    dockerfiles.sort_unstable();
    dockerfiles.dedup();
    compose_files.sort_unstable();
    compose_files.dedup();
    (
        RepoScan {
            ecosystems,
            dockerfiles,
            compose_files,
        },
        removed,
    )
}
