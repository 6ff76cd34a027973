//! Containers: `docker` (directories with Dockerfiles), `docker-compose`, `helm` charts and
//! `devcontainers`; also lists every Dockerfile and compose file.

use std::sync::LazyLock;

use regex::Regex;

use super::ecosystem::Ecosystem;
use super::files::{Files, ends_with_ci, join_name, split, starts_with_ci};
use super::{Found, FoundFile};

/// A Dockerfile by name: `Dockerfile`, `Containerfile`, `Dockerfile.*`, `Containerfile.*`,
/// `*.Dockerfile`, `*.containerfile`, any case; never `*.dockerignore`.
pub fn is_dockerfile(name: &str) -> bool {
    if ends_with_ci(name, ".dockerignore") {
        return false;
    }
    ["dockerfile", "containerfile"].iter().any(|stem| {
        name.eq_ignore_ascii_case(stem)
            || (starts_with_ci(name, stem) && name.as_bytes().get(stem.len()) == Some(&b'.'))
            || (ends_with_ci(name, stem)
                && name.len() > stem.len()
                && name.as_bytes()[name.len() - stem.len() - 1] == b'.')
    })
}

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
        ] {
            assert!(is_dockerfile(yes), "{yes}");
        }
        for no in [
            "Dockerfile.dockerignore",
            ".dockerignore",
            "Dockerfiles",
            "mydockerfile",
            "Dockerfile-dev",
            "docker-compose.yml",
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
