//! `multi-stage/single-stage`: a production Dockerfile whose only stage is a restricted image.

use super::{FileCx, Hit, Rule, Scope, runtime};
use crate::finding::{self, Severity};
use crate::policy::Category;
use crate::policy::lifecycle::display;

pub const RULE: Rule = Rule {
    meta: finding::Rule {
        id: "multi-stage/single-stage",
        summary: "A production Dockerfile with a single stage on a restricted image (node, python, dotnet, ...): production images are built in several stages.",
        severity: Severity::Error,
        help: "Split it: build in a stage on the restricted image, ship from a preferred runtime image.",
    },
    production_only: true,
    scope: Scope::Dockerfile(check),
};

fn check(cx: &FileCx, out: &mut Vec<Hit>) {
    let [stage] = cx.dockerfile.stages.as_slice() else {
        return;
    };
    let Some((image, line)) = cx.root_image(stage) else {
        return;
    };
    if cx.category(image) != Category::Restricted {
        return;
    }
    // A server image configured with COPY (nginx serving files, postgres with init scripts)
    // builds nothing: there is no build to split off.
    let builds = stage.instructions.iter().any(|i| {
        i.keyword == "RUN" && super::build_tools_in_final::build_tool(&i.arguments).is_some()
    });
    if crate::policy::official_name(image).is_some_and(|n| SERVER_IMAGES.contains(&n)) && !builds {
        return;
    }
    out.push(Hit {
        line,
        message: format!(
            "the production image is built in a single stage on {}, a restricted image: build tools ship to production",
            display(image)
        ),
        fix: Some(runtime::suggestion(image, None, cx.facts)),
    });
}

/// Official server images: run as configured, not as an application's build base.
pub const SERVER_IMAGES: &[&str] = &[
    "nginx",
    "httpd",
    "caddy",
    "traefik",
    "haproxy",
    "postgres",
    "mysql",
    "mariadb",
    "redis",
    "mongo",
    "memcached",
    "rabbitmq",
    "tomcat",
];

/// Whether this rule fires for the file (the restricted-final rule then stays quiet).
pub fn applies(cx: &FileCx) -> bool {
    let mut hits = Vec::new();
    check(cx, &mut hits);
    !hits.is_empty()
}

#[cfg(test)]
mod tests {
    use crate::policy::rules::testing::{findings, findings_at};

    #[test]
    fn single_restricted_stage_fails() {
        assert!(
            findings("FROM python:3.14-slim\nCOPY . /app\n")
                .contains(&("multi-stage/single-stage", 1))
        );
        assert!(
            findings("FROM mcr.microsoft.com/dotnet/aspnet:10.0\n")
                .contains(&("multi-stage/single-stage", 1))
        );
    }

    #[test]
    fn multi_stage_preferred_and_dev_pass() {
        for ok in [
            "FROM alpine:3.24\n",
            "FROM node:26 AS b\nFROM gcr.io/distroless/nodejs26-debian13\n",
            "FROM scratch\n",
        ] {
            assert!(
                !findings(ok)
                    .iter()
                    .any(|(r, _)| *r == "multi-stage/single-stage"),
                "{ok}"
            );
        }
        assert!(
            findings_at("Dockerfile.dev", "FROM python:3.14-slim\n")
                .iter()
                .all(|(r, _)| *r != "multi-stage/single-stage")
        );
    }
}
