//! `multi-stage/build-tools-in-final`: the production stage builds software: it runs a compiler,
//! a build tool or a language package manager, or installs a build toolchain with the OS package
//! manager. POLICY.md: "build tools stay out of the production image". Installing runtime OS
//! packages (`apk add ca-certificates tzdata`) is not building and passes.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileCx, Hit, Rule, Scope};
use crate::docker::{Base, Stage};
use crate::finding::{self, Severity};

pub const RULE: Rule = Rule {
    meta: finding::Rule {
        id: "multi-stage/build-tools-in-final",
        summary: "The production stage compiles, runs a build tool or language package manager (npm ci, go build, cargo build, mvn, dotnet publish, pip install, ...) or installs a build toolchain.",
        severity: Severity::Error,
        help: "Move the build into an earlier stage and COPY --from it only the artefacts the image needs.",
    },
    production_only: true,
    scope: Scope::Dockerfile(check),
};

/// (what it is, pattern over a RUN command). Order matters only for the message.
static TOOLS: LazyLock<Vec<(&str, Regex)>> = LazyLock::new(|| {
    [
        ("npm ci/install", r"\bnpm\s+(ci|install|i|run\s+build)\b"),
        ("pnpm install", r"\bpnpm\s+(install|i|run\s+build)\b"),
        (
            "yarn install",
            r"\byarn(\s+(install|build|--frozen-lockfile|--immutable)\b|\s*($|&&|;))",
        ),
        ("go build", r"\bgo\s+(build|install)\b"),
        ("cargo build", r"\bcargo\s+(build|install)\b"),
        ("mvn", r"(^|[\s;&|/])(mvn|mvnw)\b"),
        ("gradle", r"(^|[\s;&|/])(gradle|gradlew)\b"),
        (
            "dotnet publish/build",
            r"\bdotnet\s+(publish|build|restore)\b",
        ),
        ("pip install", r"\b(pip3?|python3?\s+-m\s+pip)\s+install\b"),
        ("poetry install", r"\bpoetry\s+install\b"),
        ("uv sync", r"\buv\s+(sync|pip\s+install)\b"),
        ("pipenv install", r"\bpipenv\s+install\b"),
        ("bundle install", r"\bbundle\s+install\b"),
        ("gem install", r"\bgem\s+install\b"),
        ("composer install", r"\bcomposer\s+install\b"),
        ("bun install", r"\bbun\s+(install|i|run\s+build|build)\b"),
        ("mix deps.get", r"\bmix\s+(deps\.get|compile|release)\b"),
        (
            "conda/mamba install",
            r"\b(conda|mamba|micromamba)\s+(install|create|env\s+create)\b",
        ),
        (
            "a `curl | sh` installer",
            r"\b(curl|wget)\s[^|;&]*\|\s*(sudo\s+)?(ba|z|da)?sh\b",
        ),
        ("make", r"(^|&&|\|\||;|\()\s*(make|cmake)(\s|$)"),
        (
            "a compiler",
            r"(^|&&|\|\||;|\()\s*(gcc|g\+\+|clang|cc|javac|rustc)\s",
        ),
    ]
    .into_iter()
    .map(|(what, re)| (what, Regex::new(re).expect("valid pattern")))
    .collect()
});

/// OS package installs, and the packages that make them a build toolchain.
static OS_INSTALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(apt-get|apt|apk|yum|dnf|microdnf|zypper)\s+(-\S+\s+)*(install|add)\b(?P<pkgs>[^;&|]*)",
    )
    .expect("valid pattern")
});
static TOOLCHAIN_PACKAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(build-essential|build-base|alpine-sdk|gcc(-\d+)?|g\+\+(-\d+)?|gcc-c\+\+|clang(-\d+)?|make|cmake|autoconf|automake|libtool|git|golang|golang-go|go|cargo|rustc|maven|gradle|nodejs-dev|(default|openjdk)-jdk(-headless)?|openjdk-\d+-jdk(-headless)?|[a-z0-9.+]+-(dev|devel))$")
        .expect("valid pattern")
});

/// OS package removals in the same `RUN`: what they remove (package names and `--virtual` group
/// names).
static OS_REMOVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(apt-get|apt|apk|yum|dnf|microdnf|zypper)\s+(-\S+\s+)*(del|remove|purge|autoremove|erase)\b(?P<pkgs>[^;&|]*)",
    )
    .expect("valid pattern")
});

/// `--virtual NAME` / `-t NAME` of `apk add`: the group the packages are installed as.
static VIRTUAL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(--virtual|-t)[=\s]+(?P<name>\S+)").expect("valid pattern"));

/// A command that only prints a version (`javac --version`, `go version`, `rustc -V`): a smoke
/// test, not a build.
static SMOKE_TEST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(\S+/)?[\w.+-]+\s+(--version|-version|-v|-V|version|--help|-h)\s*$")
        .expect("valid pattern")
});

/// The package words of an install or removal command.
fn package_words(pkgs: &str) -> Vec<&str> {
    pkgs.split_whitespace()
        .filter(|p| !p.starts_with('-'))
        .map(|p| p.split(['=', '>', '<']).next().unwrap_or(p))
        .collect()
}

/// The command with its smoke tests (`javac --version; rustc --version`) taken out.
fn without_smoke_tests(command: &str) -> String {
    let mut out = String::new();
    for segment in command.split_inclusive(['\n', ';', '&', '|']) {
        let body = segment.trim_end_matches(['\n', ';', '&', '|']);
        if SMOKE_TEST.is_match(body) {
            out.push_str(&segment[body.len()..]);
        } else {
            out.push_str(segment);
        }
    }
    out
}

/// The build tool a command runs, if any. Version checks build nothing; a toolchain installed
/// and removed again in the same command (`apk add --virtual .build-deps ... && apk del
/// .build-deps`, `apt-get purge`) does not ship, and neither does what it compiled with it.
pub fn build_tool(command: &str) -> Option<String> {
    let command = without_smoke_tests(command);
    let command = command.as_str();
    let removed: Vec<&str> = OS_REMOVE
        .captures_iter(command)
        .flat_map(|c| package_words(c.name("pkgs").map_or("", |m| m.as_str())))
        .collect();
    let mut cleaned_up = false;
    for cap in OS_INSTALL.captures_iter(command) {
        let pkgs = cap.name("pkgs").map_or("", |m| m.as_str());
        if VIRTUAL
            .captures(pkgs)
            .is_some_and(|v| removed.contains(&&v["name"]))
        {
            cleaned_up = true;
            continue;
        }
        let toolchain: Vec<&str> = package_words(pkgs)
            .into_iter()
            .filter(|p| TOOLCHAIN_PACKAGE.is_match(p))
            .collect();
        if !toolchain.is_empty() && toolchain.iter().all(|p| removed.contains(p)) {
            cleaned_up = true;
            continue;
        }
        if !toolchain.is_empty() {
            return Some(format!(
                "installs the build toolchain `{}` with {}",
                toolchain.join(" "),
                &cap[1]
            ));
        }
    }
    TOOLS
        .iter()
        // What a removed toolchain compiled leaves no compiler behind.
        .filter(|(what, _)| !(cleaned_up && (*what == "make" || *what == "a compiler")))
        .find(|(_, re)| re.is_match(command))
        .map(|(what, _)| format!("runs {what}"))
}

fn check(cx: &FileCx, out: &mut Vec<Hit>) {
    let Some(last) = cx.final_stage() else { return };
    // The final stage and the stages it is built on with `FROM <stage>`: all ship to production.
    let mut chain: Vec<&Stage> = vec![last];
    while let Base::Stage(i) = chain.last().expect("non-empty").from.base {
        match cx.dockerfile.stages.get(i) {
            Some(s) if !chain.iter().any(|c| c.index == s.index) => chain.push(s),
            _ => break,
        }
    }
    for stage in chain.into_iter().rev() {
        for ins in stage.instructions.iter().filter(|i| i.keyword == "RUN") {
            if let Some(what) = build_tool(&ins.arguments) {
                let inherited = if stage.index == last.index {
                    String::new()
                } else {
                    format!(
                        " (in stage {}, which the production stage is built FROM)",
                        stage.name.as_deref().unwrap_or("?")
                    )
                };
                out.push(Hit {
                    line: ins.line,
                    message: format!("the production stage {what}{inherited}: build tools must stay out of the production image"),
                    fix: None,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::build_tool;
    use crate::policy::rules::testing::{findings, findings_at};

    #[test]
    fn recognises_build_tools() {
        for cmd in [
            "npm ci && npm run build",
            "go build -o /app ./cmd/app",
            "cargo build --release",
            "./mvnw -B package",
            "mvn -q package",
            "dotnet publish -c Release -o /out",
            "pip install --no-cache-dir -r requirements.txt",
            "python3 -m pip install .",
            "apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev",
            "apk add --no-cache gcc musl-dev",
            "make -j4 && make install",
            "yarn install --frozen-lockfile",
            "bundle install",
            "bun install --frozen-lockfile",
            "gem install bundler rails",
            "mix deps.get --only prod",
            "conda install -y numpy",
            "mamba install -y -c conda-forge gdal",
            "curl -fsSL https://bun.sh/install | bash",
            "apt-get install -y openjdk-21-jdk-headless",
            "apt-get install -y gcc-12",
            "apk add alpine-sdk",
            "apt-get install -y golang-go",
        ] {
            assert!(build_tool(cmd).is_some(), "{cmd}");
        }
    }

    #[test]
    fn runtime_commands_are_not_build_tools() {
        for cmd in [
            "apk add --no-cache ca-certificates tzdata",
            "apt-get update && apt-get install -y --no-install-recommends curl libpq5 && rm -rf /var/lib/apt/lists/*",
            "addgroup -S app && adduser -S app -G app",
            "mkdir -p /data && chown app /data",
            "npm --version",
            "echo make sure",
            "javac --version; rustc --version",
            "go version && gcc -v",
            "apk add --no-cache --virtual .build-deps gcc musl-dev && pip wheel . && apk del .build-deps",
            "apk add --virtual .build-deps build-base && make && make install && apk del .build-deps",
            "apt-get install -y gcc libc6-dev && cc -o /x x.c && apt-get purge -y gcc libc6-dev",
        ] {
            assert_eq!(build_tool(cmd), None, "{cmd}");
        }
    }

    #[test]
    fn only_the_production_stage_counts() {
        let got = findings(
            "FROM node:26 AS build\nRUN npm ci\nFROM gcr.io/distroless/nodejs26-debian13\nCOPY --from=build /app /app\n",
        );
        assert!(
            !got.iter()
                .any(|(r, _)| *r == "multi-stage/build-tools-in-final"),
            "{got:?}"
        );
        let got = findings(
            "FROM alpine:3.24 AS base\nRUN apk add --no-cache build-base\nFROM base\nRUN make\n",
        );
        assert!(
            got.contains(&("multi-stage/build-tools-in-final", 2))
                && got.contains(&("multi-stage/build-tools-in-final", 4)),
            "{got:?}"
        );
        assert!(
            findings_at("Dockerfile.ci", "FROM alpine:3.24\nRUN apk add make\n")
                .iter()
                .all(|(r, _)| !r.starts_with("multi-stage/"))
        );
    }
}
