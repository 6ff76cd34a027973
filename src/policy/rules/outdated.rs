//! `base-image/outdated`: a supported version that is not the newest LTS or stable one.

use super::{FileCx, Hit, Rule, Scope, eol::is_eol, how};
use crate::finding::{self, Severity};
use crate::policy::lifecycle::{display, label, read, targets};

pub const RULE: Rule = Rule {
    meta: finding::Rule {
        id: "base-image/outdated",
        summary: "A supported version that is not the newest LTS or stable release, or an OS release past regular support in its long-term support phase (Debian 12 in Debian LTS); not reported where `base-image/eol` is, nor for an OS suffix the image publishes no newer variant of.",
        severity: Severity::Warning,
        help: "Move to the newest LTS or stable version before the current one reaches end of life.",
    },
    production_only: false,
    scope: Scope::Dockerfile(check),
};

fn check(cx: &FileCx, out: &mut Vec<Hit>) {
    for u in cx.uses() {
        if is_eol(cx, &u.image) {
            // `base-image/eol` already reports it, with the same combined fix.
            continue;
        }
        let shown = display(&u.image);
        // One finding per reference, naming every cycle that is behind.
        let mut behind = Vec::new();
        for r in read(&u.image, cx.facts) {
            let c = r.cycle;
            if c.in_extended_phase(cx.today) {
                behind.push(format!(
                    "{} {} is past its regular security support (ended {}) and in its long-term support phase until {}",
                    label(r.product),
                    c.name,
                    c.regular_until.map(|d| d.to_string()).unwrap_or_default(),
                    c.eol.map(|d| d.to_string()).unwrap_or_default()
                ));
                continue;
            }
            if c.is_eol(cx.today)
                || !c.is_released(cx.today)
                || (r.product == "ubuntu" && c.lts_from.is_none())
            {
                continue;
            }
            let goals = targets(cx.facts.cycles(r.product), cx.today);
            if goals.is_empty()
                || goals.contains(&c)
                || goals.iter().all(|g| g.release <= c.release)
            {
                continue;
            }
            let best = goals[0];
            if !r.primary && !published_on(cx, &u.image, &r, best) {
                // The publisher has no variant on the newer OS yet (`.NET 10.0-noble`, no
                // `-resolute`): nothing to move to.
                continue;
            }
            let until = c
                .eol
                .map(|d| format!(" (supported until {d})"))
                .unwrap_or_default();
            let kind = if best.is_lts(cx.today) {
                "LTS"
            } else {
                "stable"
            };
            behind.push(format!(
                "{} {}{until} is not the newest {kind} release ({})",
                label(r.product),
                c.name,
                best.name
            ));
        }
        if !behind.is_empty() {
            out.push(Hit {
                line: u.line,
                message: format!("{} {shown}: {}", how(u.kind), behind.join("; ")),
                fix: None,
            });
        }
    }
}

/// Whether the image publishes a tag on the `target` release of the OS a reading names, where
/// the data lists the image's tags (unknown tag lists count as published).
fn published_on(
    cx: &FileCx,
    image: &crate::docker::ImageRef,
    r: &crate::policy::lifecycle::Reading,
    target: &crate::policy::facts::Cycle,
) -> bool {
    let Some(tags) = cx.facts.supported_tags(image) else {
        return true;
    };
    let word = if r.written.starts_with("alpine") {
        format!("alpine{}", target.name)
    } else {
        target
            .codename
            .clone()
            .unwrap_or_else(|| target.name.clone())
    };
    tags.iter().any(|t| t.split('-').any(|p| p == word))
}

#[cfg(test)]
mod tests {
    use crate::policy::rules::testing::{findings, hits};

    #[test]
    fn older_supported_versions_warn() {
        assert!(findings("FROM python:3.12-slim\n").contains(&("base-image/outdated", 1)));
        assert!(findings("FROM ubuntu:22.04\n").contains(&("base-image/outdated", 1)));
        assert!(
            findings("FROM node:24-alpine AS b\nFROM scratch\n")
                .contains(&("base-image/outdated", 1))
        );
        let h = hits("FROM alpine:3.22\n", "base-image/outdated");
        assert_eq!(h[0].fix.as_deref(), Some("`alpine:3.22` → `alpine:3.24`"));
    }

    #[test]
    fn newest_lts_or_stable_passes() {
        for ok in [
            "FROM python:3.14-slim\n",
            "FROM ubuntu:26.04\n",
            "FROM node:26-alpine AS b\nFROM scratch\n",
            "FROM debian:trixie-slim\n",
            "FROM python:3.8\n",
        ] {
            assert!(
                !findings(ok)
                    .iter()
                    .any(|(r, _)| *r == "base-image/outdated"),
                "{ok}"
            );
        }
    }
}
