//! Helpers shared by the integration tests: [`drydock`], the one way to run the binary, and the
//! external checkers and git remotes some modules need.

#![allow(dead_code)]

pub mod apply_world;
pub mod checkers;
pub mod git_remote;
pub mod http;
pub mod standin;

use std::path::PathBuf;
use std::sync::OnceLock;

/// Variables of the developer's shell that change what drydock does: colour, log level, the
/// GitHub and registry credentials, the Docker config, SSH and git configuration found through
/// the environment, and proxies (every server the tests talk to is on 127.0.0.1).
const LEAKY_VARIABLES: &[&str] = &[
    "NO_COLOR",
    "DRYDOCK_LOG",
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "DRYDOCK_APP_PRIVATE_KEY",
    "DOCKER_CONFIG",
    "DRYDOCK_REGISTRY_HOST",
    "DRYDOCK_REGISTRY_USER",
    "DRYDOCK_REGISTRY_PASSWORD",
    "XDG_CONFIG_HOME",
    "SSH_AUTH_SOCK",
    "GIT_CONFIG_GLOBAL",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
];

/// `drydock` with an environment of its own: none of [`LEAKY_VARIABLES`], no system git
/// configuration, and `HOME` an empty directory under cargo's target/tmp, so `~/.docker`,
/// `~/.gitconfig` and `~/.ssh` of whoever runs the tests are never read. A test that needs one
/// of these sets it on the command it gets (`drydock().env("DRYDOCK_LOG", "error")`).
pub fn drydock() -> assert_cmd::Command {
    assert_cmd::Command::from_std(drydock_process())
}

/// [`drydock`] as a plain `std::process::Command`, for tests that wire its pipes themselves
/// (a reader that closes stdout early, a process killed mid-run).
pub fn drydock_process() -> std::process::Command {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("drydock"));
    for variable in LEAKY_VARIABLES {
        command.env_remove(variable);
    }
    command
        .env("HOME", empty_home())
        .env("GIT_CONFIG_NOSYSTEM", "1");
    command
}

/// The `HOME` of every [`drydock`] run. Shared by all tests: drydock only reads from `HOME`, and a
/// test that wants a file there gives its command a `HOME` of its own.
fn empty_home() -> &'static PathBuf {
    static HOME: OnceLock<PathBuf> = OnceLock::new();
    HOME.get_or_init(|| {
        let home = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("empty-home");
        std::fs::create_dir_all(&home).expect("create the tests' HOME");
        home
    })
}

/// Every file below `dir`, for tests that look for a leaked secret in everything a run left
/// behind.
pub fn files_under(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}
