//! The ecosystems that need no family logic beyond a file name, plus the small workspace rules
//! of `mix` umbrellas and `pub` workspaces.

use super::Found;
use super::ecosystem::Ecosystem;
use super::files::{Files, ends_with_ci, split, strictly_under};
use super::workspace::Members;

type NameTest = fn(&str) -> bool;

/// An ecosystem present in every directory holding a file whose name satisfies the test.
const BY_NAME: &[(Ecosystem, NameTest)] = &[
    (Ecosystem::Bazel, |n| {
        n == "WORKSPACE" || n == "WORKSPACE.bazel" || n.ends_with("MODULE.bazel")
    }),
    (Ecosystem::Bundler, |n| {
        n == "Gemfile" || n == "gems.rb" || n.ends_with(".gemspec")
    }),
    (Ecosystem::Composer, |n| n == "composer.json"),
    (Ecosystem::Elm, |n| n == "elm.json"),
    // Dependabot ignores case here, but lowercase `project.toml` is a Cloud Native Buildpacks file.
    (Ecosystem::Julia, |n| {
        n == "Project.toml" || n == "JuliaProject.toml"
    }),
    (Ecosystem::PreCommit, |n| {
        [
            ".pre-commit.yml",
            ".pre-commit.yaml",
            ".pre-commit-config.yml",
            ".pre-commit-config.yaml",
        ]
        .iter()
        .any(|c| n.eq_ignore_ascii_case(c))
    }),
    (Ecosystem::Swift, |n| n == "Package.swift"),
    (Ecosystem::Vcpkg, |n| {
        n == "vcpkg.json" || n == "vcpkg-configuration.json"
    }),
];

pub(super) fn detect(files: &Files<'_>, out: &mut Found) {
    for (ecosystem, matches) in BY_NAME {
        for dir in files.dirs_with(matches) {
            out.add(*ecosystem, dir);
        }
    }
    if files.has("", ".gitmodules") {
        out.add(Ecosystem::Gitsubmodule, "");
    }
    for dir in files.dirs_with(|n| n == "flake.nix") {
        if files.has(dir, "flake.lock") {
            out.add(Ecosystem::Nix, dir);
        }
    }
    for (dir, name) in files.iter() {
        if name == "Package.resolved"
            && let Some(project_dir) = xcode_project_dir(dir)
        {
            out.add(Ecosystem::Swift, project_dir);
        }
    }
    with_workspaces(files, out, Ecosystem::Mix, "mix.exs", mix_umbrella);
    with_workspaces(files, out, Ecosystem::Pub, "pubspec.yaml", pub_workspace);
}

/// Reports `ecosystem` at every directory holding `manifest`, except members of a workspace that
/// `members` reads from a root manifest.
fn with_workspaces(
    files: &Files<'_>,
    out: &mut Found,
    ecosystem: Ecosystem,
    manifest: &str,
    members: fn(&str, &str) -> Option<Members>,
) {
    let dirs = files.dirs_with(|n| n == manifest);
    let workspaces: Vec<Members> = dirs
        .iter()
        .filter(|root| dirs.iter().any(|d| strictly_under(d, root).is_some()))
        .filter_map(|root| members(root, &files.read(root, manifest)?))
        .collect();
    for dir in dirs {
        if !workspaces.iter().any(|w| w.contains(dir)) {
            out.add(ecosystem, dir);
        }
    }
}

/// The directory holding an `.xcodeproj`/`.xcworkspace` whose `Package.resolved` lies in `dir`.
fn xcode_project_dir(dir: &str) -> Option<&str> {
    let mut rest = dir;
    while !rest.is_empty() {
        let (up, last) = split(rest);
        if ends_with_ci(last, ".xcodeproj") || ends_with_ci(last, ".xcworkspace") {
            // An `.xcworkspace` inside an `.xcodeproj` belongs to the project.
            let (up2, last2) = split(up);
            return Some(if ends_with_ci(last2, ".xcodeproj") {
                up2
            } else {
                up
            });
        }
        rest = up;
    }
    None
}

/// An umbrella project's `apps_path: "apps"`: every app directly below it is a member.
fn mix_umbrella(root: &str, text: &str) -> Option<Members> {
    let at = text.find("apps_path:")?;
    let value = text[at + "apps_path:".len()..].trim_start();
    let value = value.strip_prefix('"')?;
    let path = &value[..value.find('"')?];
    Some(Members::new(root, [format!("{path}/*")], None::<&str>))
}

/// A Dart pub workspace: the `workspace:` list of the root `pubspec.yaml`.
fn pub_workspace(root: &str, text: &str) -> Option<Members> {
    #[derive(serde::Deserialize)]
    struct Pubspec {
        workspace: Option<Vec<String>>,
    }
    let workspace = serde_saphyr::from_str::<Pubspec>(text).ok()?.workspace?;
    Some(Members::new(root, workspace, None::<&str>))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xcode_projects() {
        assert_eq!(
            xcode_project_dir("ios/App.xcodeproj/project.xcworkspace/xcshareddata/swiftpm"),
            Some("ios")
        );
        assert_eq!(
            xcode_project_dir("App.xcworkspace/xcshareddata/swiftpm"),
            Some("")
        );
        assert_eq!(xcode_project_dir("Sources/swiftpm"), None);
        assert_eq!(xcode_project_dir(""), None);
    }
}
