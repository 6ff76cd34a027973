//! Containers: `docker` (directories with Dockerfiles), `docker-compose`, `helm` charts and
//! `devcontainers`; also lists every Dockerfile and compose file.

use std::sync::LazyLock;

use regex::Regex;

use super::ecosystem::Ecosystem;
use super::files::{Files, join_name, split, starts_with_ci};
use super::{Found, FoundFile};

/// A Dockerfile by name, as Dependabot finds them: `dockerfile` or `containerfile` anywhere in
/// the name, any case (`Dockerfile`, `Dockerfile.prod`, `Dockerfile-dev`, `Dockerfile_ci`,
/// `api.Dockerfile`, `x.containerfile`), except names whose last extension says they are
/// something else: source code or data (`dockerfile.go`, `dockerfile_test.go`,
/// `dockerfile.json`), templates (`Dockerfile.tmpl`, `Dockerfile.j2`), documentation, backups and
/// `*.dockerignore`. Dependabot would try to parse those and fail; `bump` would edit them.
pub fn is_dockerfile(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let Some(stem_at) = ["dockerfile", "containerfile"]
        .iter()
        .find_map(|stem| lower.find(stem).map(|at| at + stem.len()))
    else {
        return false;
    };
    // Only an extension after the stem can say what the file really is (`api.Dockerfile` is one).
    match lower[stem_at..].rsplit_once('.') {
        Some((_, extension)) => !NOT_A_DOCKERFILE.contains(&extension),
        None => true,
    }
}

/// Last extensions of names that contain `dockerfile` but are not Dockerfiles.
const NOT_A_DOCKERFILE: &[&str] = &[
    // ignore files
    "dockerignore",
    // source code and scripts
    "go",
    "rs",
    "py",
    "js",
    "mjs",
    "cjs",
    "ts",
    "java",
    "kt",
    "rb",
    "cs",
    "c",
    "h",
    "sh",
    "bash",
    "ps1",
    "php",
    "swift",
    "scala",
    // data and test expectations
    "json",
    "yaml",
    "yml",
    "toml",
    "xml",
    "golden",
    "snap",
    "txt",
    "lock",
    "csv",
    // templates
    "tmpl",
    "tpl",
    "template",
    "j2",
    "jinja",
    "jinja2",
    "erb",
    "mustache",
    "hbs",
    "liquid",
    "gotmpl",
    "in",
    // documentation
    "md",
    "rst",
    "adoc",
    "html",
    // backups and patches
    "bak",
    "orig",
    "swp",
    "old",
    "patch",
    "diff",
];

/// A compose file by name, as Dependabot matches it: `(docker-)?compose(-\w+)?(\.[\w-]+)?\.ya?ml`.
pub fn is_compose_file(name: &str) -> bool {
    static COMPOSE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(docker-)?compose(-\w+)?(\.[\w-]+)?\.ya?ml$").expect("valid regex")
    });
    // The regex only runs on the few names that can match.
    (starts_with_ci(name, "compose") || starts_with_ci(name, "docker-compose"))
        && COMPOSE.is_match(name)
}

pub(super) fn detect(files: &Files<'_>, out: &mut Found) {
    for (dir, name) in files.iter() {
        if is_dockerfile(name) {
            out.dockerfiles.push(FoundFile {
                path: join_name(dir, name),
            });
            out.add(Ecosystem::Docker, dir);
        } else if is_compose_file(name) {
            out.compose_files.push(FoundFile {
                path: join_name(dir, name),
            });
            out.add(Ecosystem::DockerCompose, dir);
        } else if name == "Chart.yaml" {
            out.add(Ecosystem::Helm, dir);
        } else if let Some(project) = devcontainer_project(dir, name) {
            out.add(Ecosystem::Devcontainers, project);
        }
    }
}

/// The project directory a devcontainer configuration belongs to, for the three locations the
/// spec defines: `.devcontainer.json`, `.devcontainer/devcontainer.json` and
/// `.devcontainer/<sub>/devcontainer.json`.
fn devcontainer_project<'a>(dir: &'a str, name: &str) -> Option<&'a str> {
    match name {
        ".devcontainer.json" => Some(dir),
        "devcontainer.json" => {
            let (up, last) = split(dir);
            if last == ".devcontainer" {
                return Some(up);
            }
            let (up2, second) = split(up);
            (second == ".devcontainer").then_some(up2)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_names() {
        for yes in [
            "Dockerfile",
            "dockerfile",
            "Containerfile",
            "Dockerfile.prod",
            "api.Dockerfile",
            "x.containerfile",
            "DOCKERFILE.dev",
            "Dockerfile-dev",
            "Dockerfile_ci",
            "dockerfile-alpine.arm64",
            "Containerfile-fedora",
            "build.dockerfile.prod",
        ] {
            assert!(is_dockerfile(yes), "{yes}");
        }
        for no in [
            "Dockerfile.dockerignore",
            ".dockerignore",
            "docker-compose.yml",
            "dockerfile.go",
            "dockerfile_test.go",
            "dockerfile.json",
            "Dockerfile.tmpl",
            "Dockerfile.prod.tmpl",
            "Dockerfile-arm.j2",
            "dockerfile-guide.md",
            "Dockerfile.orig",
        ] {
            assert!(!is_dockerfile(no), "{no}");
        }
    }

    #[test]
    fn compose_names() {
        for yes in [
            "compose.yaml",
            "docker-compose.yml",
            "docker-compose.override.yml",
            "compose-dev.yaml",
            "Docker-Compose.prod-eu.YML",
        ] {
            assert!(is_compose_file(yes), "{yes}");
        }
        for no in [
            "compose.json",
            "my-compose.yml",
            "composer.yaml",
            "docker-compose.yml.bak",
        ] {
            assert!(!is_compose_file(no), "{no}");
        }
    }

    #[test]
    fn devcontainer_locations() {
        assert_eq!(devcontainer_project("", ".devcontainer.json"), Some(""));
        assert_eq!(
            devcontainer_project(".devcontainer", "devcontainer.json"),
            Some("")
        );
        assert_eq!(
            devcontainer_project(".devcontainer/python", "devcontainer.json"),
            Some("")
        );
        assert_eq!(
            devcontainer_project("web/.devcontainer", "devcontainer.json"),
            Some("web")
        );
        assert_eq!(devcontainer_project("config", "devcontainer.json"), None);
        assert_eq!(devcontainer_project("a/b/c", "devcontainer.json"), None);
    }
}
