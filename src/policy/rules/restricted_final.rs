//! `base-image/restricted-final`: a restricted image (node, python, dotnet and the other official
//! language images) as the production stage of a multi-stage build.

use super::{FileCx, Hit, Rule, Scope, runtime, single_stage};
use crate::finding::{self, Severity};
use crate::policy::Category;
use crate::policy::lifecycle::display;

pub const RULE: Rule = Rule {
    meta: finding::Rule {
        id: "base-image/restricted-final",
        summary: "The production (final) stage runs on a restricted image (node, python, dotnet, other official language images); they belong in build stages.",
        severity: Severity::Warning,
        help: "Ship from a preferred runtime image (distroless, alpine, scratch) and copy the artefacts with COPY --from.",
    },
    production_only: true,
    scope: Scope::Dockerfile(check),
};

fn check(cx: &FileCx, out: &mut Vec<Hit>) {
    if single_stage::applies(cx) {
        return;
    }
    let Some(stage) = cx.final_stage() else {
        return;
    };
    let Some((image, _)) = cx.root_image(stage) else {
        return;
    };
    if cx.category(image) != Category::Restricted || is_distroless_dotnet(image) {
        return;
    }
    out.push(Hit {
        line: stage.line,
        message: format!(
            "the production stage runs on {}, a restricted image; restricted images are for build stages",
            display(image)
        ),
        fix: Some(runtime::suggestion(image, build_image(cx), cx.facts)),
    });
}

/// Microsoft's chiseled .NET images are distroless: no shell, no package manager, non-root.
fn is_distroless_dotnet(image: &crate::docker::ImageRef) -> bool {
    image.registry == "mcr.microsoft.com"
        && image.repository.starts_with("dotnet/")
        && image.tag.as_deref().is_some_and(|t| t.contains("chiseled"))
}

/// The image of the last build stage (the one the runtime hint should follow).
fn build_image<'a>(cx: &'a FileCx) -> Option<&'a crate::docker::ImageRef> {
    let last = cx.final_stage()?;
    cx.dockerfile
        .stages
        .iter()
        .rev()
        .filter(|s| s.index != last.index)
        .find_map(|s| cx.root_image(s).map(|(i, _)| i))
}

#[cfg(test)]
mod tests {
    use crate::policy::rules::testing::{findings, findings_at};

    #[test]
    fn restricted_final_stage_warns() {
        let got = findings("FROM node:26 AS build\nRUN true\nFROM node:26-slim\n");
        assert!(got.contains(&("base-image/restricted-final", 3)), "{got:?}");
        let got = findings("FROM golang:1.27 AS build\nFROM build\n");
        assert!(got.contains(&("base-image/restricted-final", 2)), "{got:?}");
    }

    #[test]
    fn preferred_final_single_stage_and_dev_pass() {
        let quiet = |text: &str| {
            !findings(text)
                .iter()
                .any(|(r, _)| *r == "base-image/restricted-final")
        };
        assert!(quiet(
            "FROM node:26 AS build\nFROM gcr.io/distroless/nodejs26-debian13\n"
        ));
        assert!(quiet("FROM python:3.14-slim\n"));
        assert!(
            findings_at("tests/Dockerfile.test", "FROM node:26 AS b\nFROM node:26\n")
                .iter()
                .all(|(r, _)| *r != "base-image/restricted-final")
        );
    }
}
