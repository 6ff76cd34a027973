//! Detection fixtures: every ecosystem, every tricky case of `dependabot.md` §2.1 and the
//! monorepo layouts, each asserting the exact (ecosystem, directory) set.

use std::collections::BTreeSet;

use super::*;

/// Runs the core on in-memory files (`path`, `contents`).
fn scan(files: &[(&str, &str)]) -> RepoScan {
    let read = |path: &str| {
        files
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(_, text)| text.to_string())
    };
    detect(files.iter().map(|(p, _)| *p), &read)
}

/// The (ecosystem, directory) pairs found, as strings.
fn found(files: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    scan(files)
        .ecosystems
        .into_iter()
        .map(|e| (e.ecosystem.as_str().to_string(), e.directory))
        .collect()
}

fn expect(pairs: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    pairs
        .iter()
        .map(|(e, d)| (e.to_string(), d.to_string()))
        .collect()
}

/// Files whose contents do not matter.
fn names(paths: &[&'static str]) -> Vec<(&'static str, &'static str)> {
    paths.iter().map(|p| (*p, "")).collect()
}

#[test]
fn every_ecosystem_belongs_to_exactly_one_family() {
    let mut seen: Vec<Ecosystem> = FAMILIES
        .iter()
        .flat_map(|f| f.ecosystems.iter().copied())
        .collect();
    seen.sort();
    assert_eq!(seen, Ecosystem::ALL);
}

/// (ecosystem, file paths, expected (ecosystem, directory) pairs).
type Fixture = (
    Ecosystem,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

/// One minimal fixture per ecosystem, with the entries it must produce.
const PER_ECOSYSTEM: &[Fixture] = &[
    (
        Ecosystem::Bazel,
        &["MODULE.bazel", "tools/WORKSPACE.bazel", "legacy/WORKSPACE"],
        &[("bazel", "/"), ("bazel", "/legacy"), ("bazel", "/tools")],
    ),
    (
        Ecosystem::Bun,
        &["package.json", "bun.lock"],
        &[("bun", "/")],
    ),
    (
        Ecosystem::Bundler,
        &[
            "Gemfile",
            "Gemfile.lock",
            "gems/x/x.gemspec",
            "site/gems.rb",
        ],
        &[
            ("bundler", "/"),
            ("bundler", "/gems/x"),
            ("bundler", "/site"),
        ],
    ),
    (
        Ecosystem::Cargo,
        &["Cargo.toml", "Cargo.lock", "src/main.rs"],
        &[("cargo", "/")],
    ),
    (
        Ecosystem::Composer,
        &["web/composer.json", "web/composer.lock"],
        &[("composer", "/web")],
    ),
    (
        Ecosystem::Conda,
        &["environment.yml", "ml/environment.yaml"],
        &[("conda", "/"), ("conda", "/ml")],
    ),
    (
        Ecosystem::Deno,
        &["deno.json", "tools/deno.jsonc"],
        &[("deno", "/"), ("deno", "/tools")],
    ),
    (
        Ecosystem::Devcontainers,
        &[".devcontainer/devcontainer.json"],
        &[("devcontainers", "/")],
    ),
    (
        Ecosystem::Docker,
        &["Dockerfile", "services/api/Containerfile"],
        &[("docker", "/"), ("docker", "/services/api")],
    ),
    (
        Ecosystem::DockerCompose,
        &["compose.yaml", "deploy/docker-compose.override.yml"],
        &[("docker-compose", "/"), ("docker-compose", "/deploy")],
    ),
    (
        Ecosystem::DotnetSdk,
        &["global.json"],
        &[("dotnet-sdk", "/")],
    ),
    (
        Ecosystem::Elm,
        &["frontend/elm.json"],
        &[("elm", "/frontend")],
    ),
    (
        Ecosystem::GithubActions,
        &[".github/workflows/ci.yml"],
        &[("github-actions", "/")],
    ),
    (
        Ecosystem::Gitsubmodule,
        &[".gitmodules"],
        &[("gitsubmodule", "/")],
    ),
    (
        Ecosystem::Gomod,
        &["go.mod", "go.sum", "tools/go.mod"],
        &[("gomod", "/"), ("gomod", "/tools")],
    ),
    (Ecosystem::Gradle, &["build.gradle.kts"], &[("gradle", "/")]),
    (
        Ecosystem::Helm,
        &["charts/api/Chart.yaml", "charts/api/values.yaml"],
        &[("helm", "/charts/api")],
    ),
    (
        Ecosystem::Julia,
        &["Project.toml", "Manifest.toml"],
        &[("julia", "/")],
    ),
    (Ecosystem::Maven, &["pom.xml"], &[("maven", "/")]),
    (Ecosystem::Mix, &["mix.exs", "mix.lock"], &[("mix", "/")]),
    (
        Ecosystem::Nix,
        &["flake.nix", "flake.lock"],
        &[("nix", "/")],
    ),
    (
        Ecosystem::Npm,
        &["package.json", "package-lock.json"],
        &[("npm", "/")],
    ),
    (
        Ecosystem::Nuget,
        &["src/App/App.csproj"],
        &[("nuget", "/src/App")],
    ),
    (
        Ecosystem::Opentofu,
        &["infra/main.tofu"],
        &[("opentofu", "/infra")],
    ),
    (Ecosystem::Pip, &["requirements.txt"], &[("pip", "/")]),
    (
        Ecosystem::PreCommit,
        &[".pre-commit-config.yaml"],
        &[("pre-commit", "/")],
    ),
    (Ecosystem::Pub, &["app/pubspec.yaml"], &[("pub", "/app")]),
    (
        Ecosystem::RustToolchain,
        &["rust-toolchain.toml", "legacy/rust-toolchain"],
        &[("rust-toolchain", "/"), ("rust-toolchain", "/legacy")],
    ),
    (
        Ecosystem::Sbt,
        &["build.sbt", "project/plugins.sbt"],
        &[("sbt", "/")],
    ),
    (Ecosystem::Swift, &["Package.swift"], &[("swift", "/")]),
    (
        Ecosystem::Terraform,
        &["main.tf", "modules/vpc/main.tf"],
        &[("terraform", "/"), ("terraform", "/modules/vpc")],
    ),
    (
        Ecosystem::Uv,
        &["pyproject.toml", "uv.lock"],
        &[("uv", "/")],
    ),
    (
        Ecosystem::Vcpkg,
        &["vcpkg.json", "ports/vcpkg-configuration.json"],
        &[("vcpkg", "/"), ("vcpkg", "/ports")],
    ),
];

#[test]
fn every_ecosystem_is_detected() {
    let covered: Vec<Ecosystem> = PER_ECOSYSTEM.iter().map(|(e, _, _)| *e).collect();
    assert_eq!(
        covered,
        Ecosystem::ALL,
        "one fixture per ecosystem, in order"
    );
    for (ecosystem, paths, expected) in PER_ECOSYSTEM {
        assert_eq!(
            found(&names(paths)),
            expect(expected),
            "fixture for {ecosystem}"
        );
    }
}

#[test]
fn nothing_in_an_empty_or_unrelated_repository() {
    assert_eq!(scan(&[]), RepoScan::default());
    assert!(
        found(&names(&[
            "README.md",
            "LICENSE.txt",
            "docs/notes.txt",
            "src/lib.c",
            "Makefile.in"
        ]))
        .is_empty()
    );
}

// --- npm, bun, deno ---

#[test]
fn text_bun_lock_means_bun_never_both() {
    let files = names(&[
        "package.json",
        "bun.lock",
        "package-lock.json",
        "old/package.json",
        "old/bun.lockb",
        "y/package.json",
        "y/yarn.lock",
        "p/package.json",
        "p/pnpm-lock.yaml",
    ]);
    assert_eq!(
        found(&files),
        expect(&[("bun", "/"), ("npm", "/old"), ("npm", "/p"), ("npm", "/y")])
    );
}

#[test]
fn npm_workspaces_are_reported_at_their_root() {
    let files = [
        (
            "package.json",
            r#"{"name":"shop","workspaces":["packages/*","apps/web"]}"#,
        ),
        ("package-lock.json", "{}"),
        ("packages/ui/package.json", "{}"),
        ("packages/api-client/package.json", "{}"),
        ("apps/web/package.json", "{}"),
        ("apps/admin/package.json", "{}"),
        ("tools/release/package.json", "{}"),
    ];
    assert_eq!(
        found(&files),
        expect(&[
            ("npm", "/"),
            ("npm", "/apps/admin"),
            ("npm", "/tools/release")
        ])
    );
}

#[test]
fn yarn_workspaces_object_form_and_negation() {
    let files = [
        (
            "package.json",
            r#"{"private":true,"workspaces":{"packages":["packages/**","!packages/legacy"],"nohoist":["**/x"]}}"#,
        ),
        ("yarn.lock", ""),
        ("packages/a/package.json", "{}"),
        ("packages/group/b/package.json", "{}"),
        ("packages/legacy/package.json", "{}"),
    ];
    assert_eq!(
        found(&files),
        expect(&[("npm", "/"), ("npm", "/packages/legacy")])
    );
}

#[test]
fn pnpm_workspace_yaml_and_lerna() {
    let files = [
        ("package.json", "{}"),
        ("pnpm-lock.yaml", ""),
        (
            "pnpm-workspace.yaml",
            "packages:\n  - 'apps/*'\n  - \"libs/*\"\ncatalog:\n  react: ^18\n",
        ),
        ("apps/site/package.json", "{}"),
        ("libs/core/package.json", "{}"),
        ("tools/lerna-repo/package.json", "{}"),
        (
            "tools/lerna-repo/lerna.json",
            r#"{"packages":["modules/*"],"version":"1.0.0"}"#,
        ),
        ("tools/lerna-repo/modules/m/package.json", "{}"),
    ];
    assert_eq!(
        found(&files),
        expect(&[("npm", "/"), ("npm", "/tools/lerna-repo")])
    );
}

#[test]
fn bun_workspace_root_only() {
    let files = [
        ("package.json", r#"{"workspaces":["packages/*"]}"#),
        ("bun.lock", "{}"),
        ("packages/a/package.json", "{}"),
    ];
    assert_eq!(found(&files), expect(&[("bun", "/")]));
}

#[test]
fn deno_workspace_members_are_dropped() {
    let files = [
        (
            "deno.jsonc",
            "{\n  // the workspace\n  \"workspace\": [\"./add\", \"./subtract\"]\n}",
        ),
        ("add/deno.json", "{}"),
        ("subtract/deno.json", "{}"),
        ("scripts/deno.json", "{}"),
    ];
    assert_eq!(
        found(&files),
        expect(&[("deno", "/"), ("deno", "/scripts")])
    );
}

#[test]
fn unreadable_workspace_manifest_keeps_every_package() {
    let files = [("package.json", "{ not json"), ("a/package.json", "{}")];
    assert_eq!(found(&files), expect(&[("npm", "/"), ("npm", "/a")]));
}

// --- python ---

#[test]
fn uv_lock_beside_pyproject_means_uv() {
    let files = names(&[
        "pyproject.toml",
        "uv.lock",
        "requirements.txt",
        "lib/pyproject.toml",
        "lib/poetry.lock",
        "stray/uv.lock",
    ]);
    assert_eq!(found(&files), expect(&[("pip", "/lib"), ("uv", "/")]));
}

#[test]
fn pip_needs_requirements_files_not_any_txt() {
    let files = names(&[
        "LICENSE.txt",
        "docs/requirements.txt",
        "api/requirements-dev.txt",
        "api/notes.txt",
        "tests/dev-requirements.in",
        "svc/requirements/base.txt",
        "svc/requirements/prod.txt",
        "legacy/Pipfile",
        "pkg/setup.py",
        "data/words.txt",
    ]);
    assert_eq!(
        found(&files),
        expect(&[
            ("pip", "/api"),
            ("pip", "/docs"),
            ("pip", "/legacy"),
            ("pip", "/pkg"),
            ("pip", "/svc"),
            ("pip", "/tests")
        ])
    );
}

#[test]
fn uv_workspace_members_are_dropped() {
    let files = [
        (
            "pyproject.toml",
            "[project]\nname = \"app\"\n[tool.uv.workspace]\nmembers = [\"packages/*\"]\nexclude = [\"packages/seeds\"]\n",
        ),
        ("uv.lock", ""),
        ("packages/core/pyproject.toml", ""),
        ("packages/seeds/pyproject.toml", ""),
    ];
    assert_eq!(
        found(&files),
        expect(&[("pip", "/packages/seeds"), ("uv", "/")])
    );
}

#[test]
fn conda_beside_pip() {
    let files = names(&["environment.yml", "requirements.txt"]);
    assert_eq!(found(&files), expect(&[("conda", "/"), ("pip", "/")]));
}

// --- jvm ---

#[test]
fn maven_multi_module_at_the_aggregator() {
    let files = [
        (
            "pom.xml",
            "<project><modules><module>core</module><module>web</module><!-- <module>tools</module> --></modules></project>",
        ),
        ("core/pom.xml", "<project/>"),
        (
            "web/pom.xml",
            "<project><modules><module>ui</module></modules></project>",
        ),
        ("web/ui/pom.xml", "<project/>"),
        ("tools/pom.xml", "<project/>"),
    ];
    assert_eq!(
        found(&files),
        expect(&[("maven", "/"), ("maven", "/tools")])
    );
}

#[test]
fn gradle_multi_project_at_the_settings_root() {
    let files = [
        (
            "settings.gradle.kts",
            "pluginManagement {\n    includeBuild(\"build-logic\")\n}\nrootProject.name = \"shop\"\ninclude(\":app\", \":libs:core\")\n",
        ),
        ("build.gradle.kts", ""),
        (
            "build-logic/settings.gradle.kts",
            "include(\"conventions\")\n",
        ),
        ("build-logic/build.gradle.kts", ""),
        ("build-logic/conventions/build.gradle.kts", ""),
        ("app/build.gradle.kts", ""),
        ("libs/core/build.gradle.kts", ""),
        ("buildSrc/build.gradle.kts", ""),
        ("plugins/demo/build.gradle", ""),
        ("plugins/demo/settings.gradle", "include 'x'\n"),
        ("plugins/demo/x/build.gradle", ""),
    ];
    assert_eq!(
        found(&files),
        expect(&[("gradle", "/"), ("gradle", "/plugins/demo")])
    );
}

#[test]
fn gradle_root_with_settings_only() {
    let files = [
        ("settings.gradle", "include 'api'\n"),
        ("api/build.gradle", ""),
    ];
    assert_eq!(found(&files), expect(&[("gradle", "/")]));
}

#[test]
fn sbt_sub_builds_belong_to_their_parent() {
    let files = names(&[
        "build.sbt",
        "core/build.sbt",
        "project/plugins.sbt",
        "other/tool/build.sbt",
    ]);
    assert_eq!(
        found(&files),
        expect(&[("sbt", "/"), ("sbt", "/other/tool")])
    );
}

#[test]
fn jvm_repository_with_all_three() {
    let files = names(&["pom.xml", "gradle-app/build.gradle", "scala/build.sbt"]);
    assert_eq!(
        found(&files),
        expect(&[("gradle", "/gradle-app"), ("maven", "/"), ("sbt", "/scala")])
    );
}

// --- .NET ---

#[test]
fn nuget_solution_covers_its_projects() {
    let sln = "Microsoft Visual Studio Solution File, Format Version 12.00\n\
        Project(\"{FAE04EC0-301F-11D3-BF4B-00C04F79EFBC}\") = \"Api\", \"src\\Api\\Api.csproj\", \"{A}\"\nEndProject\n\
        Project(\"{F2A71F9B-5D33-465A-A702-920D77279786}\") = \"Tests\", \"tests\\Api.Tests\\Api.Tests.fsproj\", \"{B}\"\nEndProject\n";
    let files = [
        ("Shop.sln", sln),
        ("src/Api/Api.csproj", ""),
        ("tests/Api.Tests/Api.Tests.fsproj", ""),
        ("tools/Gen/Gen.vbproj", ""),
        ("global.json", "{\"sdk\":{\"version\":\"8.0.100\"}}"),
    ];
    assert_eq!(
        found(&files),
        expect(&[("dotnet-sdk", "/"), ("nuget", "/"), ("nuget", "/tools/Gen")])
    );
}

#[test]
fn nuget_slnx_and_other_entry_points() {
    let files = [
        (
            "app/App.slnx",
            "<Solution>\n  <Project Path=\"Web/Web.csproj\" />\n</Solution>\n",
        ),
        ("app/Web/Web.csproj", ""),
        ("legacy/packages.config", ""),
        ("ci/Build.proj", ""),
        ("tools/.config/dotnet-tools.json", "{}"),
        ("central/Directory.Packages.props", ""),
        ("Directory.Packages.props", ""),
        ("src/Lib/Lib.csproj", ""),
    ];
    assert_eq!(
        found(&files),
        expect(&[
            ("nuget", "/app"),
            ("nuget", "/central"),
            ("nuget", "/ci"),
            ("nuget", "/legacy"),
            ("nuget", "/src/Lib"),
            ("nuget", "/tools")
        ])
    );
}

#[test]
fn global_json_alone_is_dotnet_sdk_only() {
    assert_eq!(
        found(&names(&["global.json"])),
        expect(&[("dotnet-sdk", "/")])
    );
}

// --- IaC ---

#[test]
fn terraform_unless_opentofu_shows() {
    let tf = names(&[
        "envs/prod/main.tf",
        "envs/prod/.terraform.lock.hcl",
        "modules/net/variables.tf",
        "live/terragrunt.hcl",
        "packer/image.pkr.hcl",
        "vault/config.hcl",
    ]);
    assert_eq!(
        found(&tf),
        expect(&[
            ("terraform", "/envs/prod"),
            ("terraform", "/live"),
            ("terraform", "/modules/net")
        ])
    );
    // Decided per directory (and inherited by the directories below an OpenTofu one).
    let tofu_file = names(&[
        "envs/prod/main.tf",
        "modules/net/main.tofu",
        "modules/net/sub/variables.tf",
    ]);
    assert_eq!(
        found(&tofu_file),
        expect(&[
            ("opentofu", "/modules/net"),
            ("opentofu", "/modules/net/sub"),
            ("terraform", "/envs/prod")
        ])
    );
    let tofu_lock = [
        ("main.tf", ""),
        (
            ".terraform.lock.hcl",
            "provider \"registry.opentofu.org/hashicorp/aws\" {\n  version = \"5.0.0\"\n}\n",
        ),
    ];
    assert_eq!(found(&tofu_lock), expect(&[("opentofu", "/")]));
}

// --- containers ---

#[test]
fn dockerfiles_by_name_and_listed() {
    let files = names(&[
        "Dockerfile",
        "Dockerfile.dockerignore",
        ".dockerignore",
        "services/api/Dockerfile.prod",
        "services/api/worker.Dockerfile",
        "tools/build.containerfile",
        "docs/dockerfile-guide.md",
    ]);
    let scan = scan(&files);
    let paths: Vec<&str> = scan.dockerfiles.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "Dockerfile",
            "services/api/Dockerfile.prod",
            "services/api/worker.Dockerfile",
            "tools/build.containerfile"
        ]
    );
    assert_eq!(
        found(&files),
        expect(&[
            ("docker", "/"),
            ("docker", "/services/api"),
            ("docker", "/tools")
        ])
    );
}

#[test]
fn dockerfile_and_compose_in_one_directory_need_two_entries() {
    let files = names(&[
        "Dockerfile",
        "compose.yaml",
        "docker-compose.override.yml",
        "compose.json",
        "my-compose.yml",
    ]);
    let scan = scan(&files);
    let compose: Vec<&str> = scan.compose_files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(compose, ["compose.yaml", "docker-compose.override.yml"]);
    assert_eq!(
        found(&files),
        expect(&[("docker", "/"), ("docker-compose", "/")])
    );
}

#[test]
fn helm_at_each_chart() {
    let files = names(&[
        "charts/api/Chart.yaml",
        "charts/api/values.yaml",
        "charts/api/templates/deployment.yaml",
        "deploy/umbrella/Chart.yaml",
        "k8s/deployment.yaml",
    ]);
    assert_eq!(
        found(&files),
        expect(&[("helm", "/charts/api"), ("helm", "/deploy/umbrella")])
    );
}

#[test]
fn devcontainers_in_all_three_locations_mean_root() {
    for path in [
        ".devcontainer.json",
        ".devcontainer/devcontainer.json",
        ".devcontainer/python/devcontainer.json",
    ] {
        assert_eq!(
            found(&names(&[path])),
            expect(&[("devcontainers", "/")]),
            "{path}"
        );
    }
    assert!(
        found(&names(&[
            "config/devcontainer.json",
            "a/b/.devcontainer/x/y/devcontainer.json"
        ]))
        .is_empty()
    );
}

// --- github-actions ---

/// A composite action whose steps use other actions: something for Dependabot to update.
const COMPOSITE: &str = "runs:\n  using: composite\n  steps:\n    - uses: actions/setup-node@v4\n      with:\n        node-version: 22\n";

#[test]
fn github_actions_root_and_local_actions() {
    let files = [
        (".github/workflows/ci.yml", ""),
        (".github/workflows/release.yaml", ""),
        (".github/workflows/templates/nested.yml", ""),
        (".github/actions/setup/action.yml", COMPOSITE),
        (".github/actions/cache/action.yaml", COMPOSITE),
        ("tools/lint-action/action.yml", COMPOSITE),
    ];
    assert_eq!(
        found(&files),
        expect(&[
            ("github-actions", "/"),
            ("github-actions", "/.github/actions/cache"),
            ("github-actions", "/.github/actions/setup"),
            ("github-actions", "/tools/lint-action"),
        ])
    );
}

#[test]
fn github_actions_from_a_root_action_or_not_at_all() {
    assert_eq!(
        found(&[("action.yml", COMPOSITE)]),
        expect(&[("github-actions", "/")])
    );
    assert!(
        found(&names(&[
            ".github/workflows/README.md",
            ".github/workflows/sub/x.yml",
            ".github/dependabot.yml"
        ]))
        .is_empty()
    );
}

// --- the rest ---

#[test]
fn nix_needs_both_flake_files() {
    assert!(found(&names(&["flake.nix"])).is_empty());
    assert!(found(&names(&["flake.lock"])).is_empty());
    assert_eq!(
        found(&names(&["flake.nix", "flake.lock", "sub/flake.nix"])),
        expect(&[("nix", "/")])
    );
}

#[test]
fn gitsubmodule_only_at_the_root() {
    assert_eq!(
        found(&names(&[".gitmodules"])),
        expect(&[("gitsubmodule", "/")])
    );
    assert!(found(&names(&["vendored/.gitmodules"])).is_empty());
}

#[test]
fn cargo_workspace_at_its_root() {
    let files = [
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\"]\nexclude = [\"crates/experimental\"]\n",
        ),
        ("Cargo.lock", ""),
        ("crates/core/Cargo.toml", "[package]\nname = \"core\"\n"),
        ("crates/cli/Cargo.toml", "[package]\nname = \"cli\"\n"),
        (
            "crates/experimental/Cargo.toml",
            "[package]\nname = \"exp\"\n",
        ),
        ("xtask/Cargo.toml", "[package]\nname = \"xtask\"\n"),
        ("rust-toolchain.toml", ""),
    ];
    assert_eq!(
        found(&files),
        expect(&[
            ("cargo", "/"),
            ("cargo", "/crates/experimental"),
            ("rust-toolchain", "/")
        ])
    );
}

#[test]
fn nested_cargo_projects_without_a_workspace_are_separate() {
    let files = [
        ("Cargo.toml", "[package]\nname = \"a\"\n"),
        ("fuzz/Cargo.toml", "[package]\nname = \"fuzz\"\n"),
    ];
    assert_eq!(found(&files), expect(&[("cargo", "/"), ("cargo", "/fuzz")]));
}

#[test]
fn go_work_at_the_workspace_root() {
    let files = [
        ("go.work", "go 1.23\n\nuse (\n\t./api\n\t./worker\n)\n"),
        ("api/go.mod", ""),
        ("worker/go.mod", ""),
        ("tools/go.mod", ""),
    ];
    assert_eq!(
        found(&files),
        expect(&[("gomod", "/"), ("gomod", "/tools")])
    );
}

#[test]
fn mix_umbrella_and_pub_workspace() {
    let files = [
        (
            "mix.exs",
            "defmodule Umbrella.MixProject do\n  def project do\n    [apps_path: \"apps\", deps: []]\n  end\nend\n",
        ),
        ("apps/web/mix.exs", ""),
        ("apps/core/mix.exs", ""),
        (
            "mobile/pubspec.yaml",
            "name: workspace\nworkspace:\n  - packages/app\n  - packages/models\n",
        ),
        (
            "mobile/packages/app/pubspec.yaml",
            "name: app\nresolution: workspace\n",
        ),
        ("mobile/packages/models/pubspec.yaml", ""),
        ("mobile/tool/pubspec.yaml", ""),
    ];
    assert_eq!(
        found(&files),
        expect(&[("mix", "/"), ("pub", "/mobile"), ("pub", "/mobile/tool")])
    );
}

#[test]
fn swift_package_and_xcode_projects() {
    let files = names(&[
        "Package.swift",
        "ios/Shop.xcodeproj/project.pbxproj",
        "ios/Shop.xcodeproj/project.xcworkspace/xcshareddata/swiftpm/Package.resolved",
        "mac/Mac.xcworkspace/xcshareddata/swiftpm/Package.resolved",
        "other/Package.resolved",
    ]);
    assert_eq!(
        found(&files),
        expect(&[("swift", "/"), ("swift", "/ios"), ("swift", "/mac")])
    );
}

#[test]
fn pre_commit_names() {
    let files = names(&[
        ".pre-commit-config.yaml",
        "sub/.pre-commit-config.yml",
        "x/.pre-commit.yaml",
        "y/pre-commit-config.yaml",
    ]);
    assert_eq!(
        found(&files),
        expect(&[
            ("pre-commit", "/"),
            ("pre-commit", "/sub"),
            ("pre-commit", "/x")
        ])
    );
}

#[test]
fn julia_ignores_buildpacks_project_toml() {
    assert_eq!(
        found(&names(&["JuliaProject.toml", "cnb/project.toml"])),
        expect(&[("julia", "/")])
    );
}

// --- a whole monorepo ---

#[test]
fn monorepo_with_many_ecosystems() {
    let files = [
        ("package.json", r#"{"workspaces":["web/*"]}"#),
        ("package-lock.json", ""),
        ("web/shop/package.json", "{}"),
        ("web/shop/Dockerfile", ""),
        ("services/api/go.mod", ""),
        ("services/api/Dockerfile", ""),
        ("services/ml/pyproject.toml", ""),
        ("services/ml/uv.lock", ""),
        ("services/ml/Dockerfile", ""),
        ("compose.yaml", ""),
        ("infra/main.tf", ""),
        ("infra/charts/shop/Chart.yaml", ""),
        (".github/workflows/ci.yml", ""),
        (".github/actions/setup/action.yml", COMPOSITE),
        (".pre-commit-config.yaml", ""),
    ];
    assert_eq!(
        found(&files),
        expect(&[
            ("docker", "/services/api"),
            ("docker", "/services/ml"),
            ("docker", "/web/shop"),
            ("docker-compose", "/"),
            ("github-actions", "/"),
            ("github-actions", "/.github/actions/setup"),
            ("gomod", "/services/api"),
            ("helm", "/infra/charts/shop"),
            ("npm", "/"),
            ("pre-commit", "/"),
            ("terraform", "/infra"),
            ("uv", "/services/ml"),
        ])
    );
}

#[test]
fn output_is_sorted_and_deduplicated() {
    let scan = scan(&names(&[
        "b/Dockerfile",
        "a/Dockerfile",
        "a/Dockerfile",
        "./c/Dockerfile",
        "/d/package.json",
    ]));
    let dirs: Vec<&str> = scan
        .ecosystems
        .iter()
        .map(|e| e.directory.as_str())
        .collect();
    assert_eq!(dirs, ["/a", "/b", "/c", "/d"]);
    let mut sorted = scan.ecosystems.clone();
    sorted.sort();
    assert_eq!(sorted, scan.ecosystems);
}

// --- issue 9: what a team would commit ---

/// Go `testdata` and test fixtures are never projects of their own.
#[test]
fn testdata_and_fixtures_are_skipped() {
    let files = names(&[
        "go.mod",
        "internal/plugin/testdata/src/plugin1/go.mod",
        "test/fixtures/app/package.json",
        "spec/fixtures/rails/Gemfile",
        "src/__fixtures__/pkg/package.json",
        "testdata/Dockerfile",
    ]);
    assert_eq!(found(&files), expect(&[("gomod", "/")]));
    assert!(scan(&files).dockerfiles.is_empty());
}

/// `test`/`tests`/`e2e` and `examples`/`samples` trees are skipped below a project that has its
/// own manifest, kept where they are the only project there is.
#[test]
fn test_and_example_trees_below_a_project_are_skipped() {
    let files = names(&[
        "package.json",
        "e2e/package.json",
        "tests/integration/Dockerfile",
        "examples/basic/package.json",
        "samples/go/go.mod",
        "services/api/go.mod",
        "services/api/test/Dockerfile",
        "tools/examples/x/Cargo.toml",
        ".github/workflows/ci.yml",
    ]);
    assert_eq!(
        found(&files),
        expect(&[
            ("github-actions", "/"),
            ("gomod", "/services/api"),
            ("npm", "/"),
        ])
    );
    // No project above: the example or test tree is all there is (workflows are not a project).
    let alone = names(&[
        ".github/workflows/ci.yml",
        "examples/app/package.json",
        "test/Dockerfile",
    ]);
    assert_eq!(
        found(&alone),
        expect(&[
            ("docker", "/test"),
            ("github-actions", "/"),
            ("npm", "/examples/app"),
        ])
    );
}

#[test]
fn a_default_skip_can_be_turned_off() {
    let files = names(&["go.mod", "pkg/testdata/go.mod", "examples/a/go.mod"]);
    let read = |_: &str| None;
    let (scan, removed) = detect_with(
        files.iter().map(|(p, _)| *p),
        &read,
        &Skips::without(&["examples"]),
    );
    let dirs: Vec<&str> = scan
        .ecosystems
        .iter()
        .map(|e| e.directory.as_str())
        .collect();
    assert_eq!(dirs, ["/", "/examples/a"]);
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].0.directory, "/pkg/testdata");
    assert_eq!(removed[0].1, "testdata");
}

/// Dependabot's rule (`dockerfile|containerfile` anywhere in the name, any case), without the
/// source files, data and templates that only carry the word.
#[test]
fn dockerfile_names_as_dependabot_matches_them() {
    let files = names(&[
        "Dockerfile-alpine",
        "build/Dockerfile_ci",
        "deploy/api.containerfile",
        "deploy/Containerfile-fedora",
        "pkg/dockerfile/dockerfile.go",
        "pkg/dockerfile/dockerfile_test.go",
        "pkg/dockerfile/testcases/dockerfile.json",
        "templates/Dockerfile.tmpl",
        "templates/Dockerfile-arm64.tmpl",
        "docs/Dockerfile.md",
    ]);
    let paths: Vec<String> = scan(&files)
        .dockerfiles
        .into_iter()
        .map(|f| f.path)
        .collect();
    assert_eq!(
        paths,
        [
            "Dockerfile-alpine",
            "build/Dockerfile_ci",
            "deploy/Containerfile-fedora",
            "deploy/api.containerfile",
        ]
    );
    assert_eq!(
        found(&files),
        expect(&[("docker", "/"), ("docker", "/build"), ("docker", "/deploy")])
    );
}

/// Only composite actions that use other actions get an entry; a workflow named `action.yaml`
/// adds nothing beyond `/`.
#[test]
fn only_composite_actions_with_uses_are_entries() {
    let files = [
        (".github/workflows/ci.yml", ""),
        (".github/workflows/action.yaml", "on: push\njobs: {}\n"),
        (".github/actions/setup/action.yml", COMPOSITE),
        (
            ".github/actions/js/action.yml",
            "name: js\nruns:\n  using: node20\n  main: dist/index.js\n",
        ),
        (
            ".github/actions/img/action.yml",
            "name: img\nruns:\n  using: docker\n  image: Dockerfile\n",
        ),
        (
            ".github/actions/shell/action.yaml",
            "runs:\n  using: composite\n  steps:\n    - run: echo hi\n      shell: bash\n",
        ),
    ];
    assert_eq!(
        found(&files),
        expect(&[
            ("github-actions", "/"),
            ("github-actions", "/.github/actions/setup"),
        ])
    );
    // A root action without `uses:` and no workflows: nothing to update.
    assert!(found(&[("action.yml", "runs:\n  using: node20\n  main: x.js\n")]).is_empty());
}

/// A `setup.py` module inside a package and bingo's placeholder `go.mod` are not projects.
#[test]
fn setup_py_in_a_package_and_bingo_placeholder_are_not_projects() {
    let files = [
        ("pyproject.toml", ""),
        ("src/mylib/__init__.py", ""),
        ("src/mylib/setup.py", "def setup(): ...\n"),
        ("tools/legacy/setup.py", "from setuptools import setup\n"),
        ("go.mod", "module example.com/x\n"),
        (
            ".bingo/go.mod",
            "module _ // Fake go.mod auto-created by 'bingo' for go -moddir compatibility.\n",
        ),
        (".bingo/golangci-lint.mod", "module _\n"),
    ];
    assert_eq!(
        found(&files),
        expect(&[("gomod", "/"), ("pip", "/"), ("pip", "/tools/legacy")])
    );
}

/// A directory another project depends on by path is updated through that project.
#[test]
fn path_dependencies_are_not_projects_of_their_own() {
    let files = [
        (
            "Gemfile",
            "source \"https://rubygems.org\"\ngem \"mylib\", path: \"mylib\"\n",
        ),
        ("mylib/mylib.gemspec", ""),
        (
            "web/package.json",
            r#"{"dependencies":{"ui":"file:../packages/ui"}}"#,
        ),
        ("packages/ui/package.json", "{}"),
        (
            "tool/Cargo.toml",
            "[package]\nname = \"tool\"\n[dependencies]\ncore = { path = \"../core\" }\n",
        ),
        ("core/Cargo.toml", "[package]\nname = \"core\"\n"),
        (
            "go.mod",
            "module example.com/x\n\nreplace example.com/y => ./y\n",
        ),
        ("y/go.mod", "module example.com/y\n"),
        ("other/go.mod", "module example.com/other\n"),
    ];
    assert_eq!(
        found(&files),
        expect(&[
            ("bundler", "/"),
            ("cargo", "/tool"),
            ("gomod", "/"),
            ("gomod", "/other"),
            ("npm", "/web"),
        ])
    );
}

/// An example build that includes the repository root (`includeBuild '..'`) does not own it.
#[test]
fn gradle_include_build_of_the_includer_is_not_membership() {
    let files = [
        (
            "settings.gradle",
            "rootProject.name = 'lib'\ninclude ':core'\n",
        ),
        ("build.gradle", ""),
        ("core/build.gradle", ""),
        (
            "samples-app/settings.gradle",
            "includeBuild '..'\ninclude ':app'\n",
        ),
        ("samples-app/build.gradle", ""),
        ("samples-app/app/build.gradle", ""),
    ];
    assert_eq!(
        found(&files),
        expect(&[("gradle", "/"), ("gradle", "/samples-app")])
    );
}

/// Pinned tool files named after the tool are requirements files; prose `.txt` files are not.
#[test]
fn pip_requirement_files_by_content() {
    let files = [
        ("tools/black.txt", "black==24.1.0\n"),
        (
            "tools/lint.in",
            "# linters\nruff>=0.4,<0.5\nflake8[docs] == 7.0.0 ; python_version >= \"3.9\"\n",
        ),
        (
            "docs/LICENSE.txt",
            "MIT License\n\nPermission is hereby granted\n",
        ),
        ("docs/words.txt", "black\nruff\n"),
        ("notes/plan.txt", "Install black==24 first, then run it.\n"),
    ];
    assert_eq!(found(&files), expect(&[("pip", "/tools")]));
}
