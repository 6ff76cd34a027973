//! Test helpers: run the rules over small Dockerfiles with the test facts and a fixed day.

use chrono::NaiveDate;

use super::{FileCx, check_file};
use crate::docker::Dockerfile;
use crate::finding::Finding;
use crate::policy::Policy;
use crate::policy::tests::{facts, parse, today};

fn policy_from(fleet: &str) -> Policy {
    let f = crate::inventory::Fleet::parse(std::path::Path::new("/tmp/fleet.toml"), fleet)
        .expect("valid fleet");
    f.policy
}

pub fn run(
    path: &str,
    text: &str,
    policy: &Policy,
    day: NaiveDate,
    mutate: impl FnOnce(&mut Dockerfile),
) -> Vec<Finding> {
    let mut df = parse(text);
    mutate(&mut df);
    let uses = crate::policy::tests::uses(&df);
    let facts = facts();
    let cx = FileCx {
        path,
        dockerfile: &df,
        production: policy.is_production(path),
        uses: &uses,
        policy,
        facts: &facts,
        today: day,
    };
    policy.filter.apply("acme/api", check_file(&cx), day).kept
}

fn short(findings: Vec<Finding>) -> Vec<(&'static str, usize)> {
    findings
        .into_iter()
        .map(|f| {
            (
                super::find(&f.rule).expect("known rule").id,
                f.line.unwrap_or(0),
            )
        })
        .collect()
}

/// (rule, line) of every finding for a production `Dockerfile` under the default policy.
pub fn findings(text: &str) -> Vec<(&'static str, usize)> {
    short(run("Dockerfile", text, &Policy::default(), today(), |_| {}))
}

pub fn findings_at(path: &str, text: &str) -> Vec<(&'static str, usize)> {
    short(run(path, text, &Policy::default(), today(), |_| {}))
}

pub fn findings_with(fleet: &str, text: &str) -> Vec<(&'static str, usize)> {
    short(run(
        "Dockerfile",
        text,
        &policy_from(fleet),
        today(),
        |_| {},
    ))
}

pub fn findings_parsed(
    text: &str,
    mutate: impl FnOnce(&mut Dockerfile),
) -> Vec<(&'static str, usize)> {
    short(run("Dockerfile", text, &Policy::default(), today(), mutate))
}

/// The full findings of one rule.
pub fn hits(text: &str, rule: &str) -> Vec<Finding> {
    run("Dockerfile", text, &Policy::default(), today(), |_| {})
        .into_iter()
        .filter(|f| f.rule == rule)
        .collect()
}
