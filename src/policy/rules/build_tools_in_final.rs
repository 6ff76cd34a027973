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
        ("composer install", r"\bcomposer\s+install\b"),
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
    Regex::new(r"^(build-essential|build-base|gcc|g\+\+|gcc-c\+\+|clang|make|cmake|autoconf|automake|libtool|git|golang|cargo|rustc|maven|gradle|nodejs-dev|[a-z0-9.+]+-(dev|devel))$")
        .expect("valid pattern")
});

/// The build tool a command runs, if any.
pub fn build_tool(command: &str) -> Option<String> {
    for cap in OS_INSTALL.captures_iter(command) {
        let pkgs = cap.name("pkgs").map_or("", |m| m.as_str());
        let toolchain: Vec<&str> = pkgs
            .split_whitespace()
            .filter(|p| !p.starts_with('-'))
            .map(|p| p.split(['=', '>', '<']).next().unwrap_or(p))
            .filter(|p| TOOLCHAIN_PACKAGE.is_match(p))
            .collect();
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
