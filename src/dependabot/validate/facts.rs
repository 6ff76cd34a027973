//! Ecosystem facts the validator needs beyond [`crate::detect::Ecosystem`]: names people write
//! for an ecosystem, and directories an entry covers implicitly.

use crate::detect::Ecosystem;

/// What people write as `package-ecosystem`, and the value they mean.
pub const ECOSYSTEM_ALIASES: &[(&str, Ecosystem)] = &[
    ("yarn", Ecosystem::Npm),
    ("pnpm", Ecosystem::Npm),
    ("node", Ecosystem::Npm),
    ("nodejs", Ecosystem::Npm),
    ("javascript", Ecosystem::Npm),
    ("pipenv", Ecosystem::Pip),
    ("poetry", Ecosystem::Pip),
    ("pip-compile", Ecosystem::Pip),
    ("python", Ecosystem::Pip),
    ("go", Ecosystem::Gomod),
    ("golang", Ecosystem::Gomod),
    ("go-modules", Ecosystem::Gomod),
    ("rust", Ecosystem::Cargo),
    ("ruby", Ecosystem::Bundler),
    ("rubygems", Ecosystem::Bundler),
    ("gem", Ecosystem::Bundler),
    ("actions", Ecosystem::GithubActions),
    ("github-action", Ecosystem::GithubActions),
    ("github_actions", Ecosystem::GithubActions),
    ("gha", Ecosystem::GithubActions),
    ("dockerfile", Ecosystem::Docker),
    ("compose", Ecosystem::DockerCompose),
    ("docker_compose", Ecosystem::DockerCompose),
    ("dotnet", Ecosystem::Nuget),
    ("csharp", Ecosystem::Nuget),
    ("java", Ecosystem::Maven),
    ("kotlin", Ecosystem::Gradle),
    ("scala", Ecosystem::Sbt),
    ("elixir", Ecosystem::Mix),
    ("hex", Ecosystem::Mix),
    ("dart", Ecosystem::Pub),
    ("flutter", Ecosystem::Pub),
    ("php", Ecosystem::Composer),
    ("submodule", Ecosystem::Gitsubmodule),
    ("git-submodule", Ecosystem::Gitsubmodule),
    ("gitsubmodules", Ecosystem::Gitsubmodule),
    ("terragrunt", Ecosystem::Terraform),
    ("tofu", Ecosystem::Opentofu),
    ("devcontainer", Ecosystem::Devcontainers),
    ("precommit", Ecosystem::PreCommit),
    ("swiftpm", Ecosystem::Swift),
];

/// Directories an entry at `directory` also covers: github-actions at `/` reads
/// `.github/workflows`, so `/` and `/.github/workflows` overlap (mozilla/addons#15550).
pub fn implied_directories(ecosystem: &str, directory: &str) -> &'static [&'static str] {
    if ecosystem == Ecosystem::GithubActions.as_str() && super::dirs::normalise(directory) == "/" {
        &["/.github/workflows"]
    } else {
        &[]
    }
}

/// The time zone names GitHub's schedule accepts: the IANA list as SchemaStore carries it
/// (SchemaStore/schemastore@3b6446ad, Apache-2.0).
pub fn timezones() -> impl Iterator<Item = &'static str> {
    include_str!("timezones.txt").lines()
}

/// Options that only some ecosystems honour (GitHub's options reference, `dependabot.md` §1.3):
/// (where the option is, the value it applies to or `None` for any value, the ecosystems).
/// Elsewhere the option is silently ignored, which is worth a warning.
pub const OPTION_SUPPORT: &[(&str, Option<&str>, &[&str])] = &[
    ("vendor", None, &["bundler", "gomod"]),
    (
        "versioning-strategy",
        None,
        &[
            "bundler", "cargo", "composer", "helm", "mix", "npm", "pip", "pub", "uv",
        ],
    ),
    (
        "insecure-external-code-execution",
        None,
        &["bundler", "mix", "pip"],
    ),
    (
        "commit-message.prefix-development",
        None,
        &["bundler", "composer", "mix", "maven", "npm", "pip", "uv"],
    ),
    (
        "allow.dependency-type",
        Some("indirect"),
        &["bundler", "pip", "composer", "cargo", "gomod", "uv"],
    ),
    (
        "allow.dependency-type",
        Some("production"),
        &["bundler", "composer", "mix", "maven", "npm", "pip", "uv"],
    ),
    (
        "allow.dependency-type",
        Some("development"),
        &["bundler", "composer", "mix", "maven", "npm", "pip", "uv"],
    ),
    (
        "groups.dependency-type",
        None,
        &["bundler", "composer", "mix", "maven", "npm", "pip", "uv"],
    ),
];

/// The placeholders `pull-request-branch-name.template` may use; `{package_manager}` is not
/// allowed in a multi-ecosystem group's template.
pub const BRANCH_TEMPLATE_PLACEHOLDERS: &[&str] = &[
    "prefix",
    "package_manager",
    "directory",
    "target_branch",
    "dependency",
    "version",
    "group_name",
    "name",
];
