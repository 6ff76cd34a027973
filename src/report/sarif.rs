//! SARIF 2.1.0 for GitHub code scanning: one run, every rule of the catalogue
//! (`crate::catalogue`, passed in by the caller) in `tool.driver.rules` with its id, description
//! and help (naming the docs page that documents it, [`docs_page`]), one result
//! per finding with `ruleId`, `level`, `message` and a physical
//! location (relative `uri`, `region.startLine` ≥ 1). With one repository the `uri` is the path
//! in it (upload from that repository); with several it is prefixed with `owner/repo/`.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::CheckReport;
use crate::finding::Rule;

/// The page of drydock's docs whose rule table documents a rule, by its family. SARIF's
/// `helpUri` and `informationUri` must be absolute URIs and drydock has no public address, so
/// both are left out and the help names the page instead (a relative link would resolve against
/// the scanned repository). `tests/it/check.rs` holds every rule's page to containing its id.
pub fn docs_page(id: &str) -> &'static str {
    match id.split_once('/').map_or(id, |(family, _)| family) {
        "dependabot" => "docs/dependabot-rules.md",
        "drydock" => "docs/plan.md",
        "workflow" if id != "workflow/monitor-missing" => "docs/plan.md",
        _ => "docs/rules.md",
    }
}

/// `catalogue` is every rule drydock can report (`crate::catalogue::rules()`), passed in so
/// the renderer stays in the pure core.
pub fn render(report: &CheckReport, catalogue: &[&Rule]) -> String {
    let rules: Vec<Value> = catalogue
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.id.split(['/', '-']).map(|w| {
                    let mut c = w.chars();
                    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
                }).collect::<String>(),
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": r.summary },
                "help": {
                    "text": format!("{} Documented in {} (`{}`) of the drydock repository.", r.help, docs_page(r.id), r.id),
                    "markdown": format!("{}\n\n**Fix:** {}\n\n**Documentation:** `{}` in the drydock repository, rule `{}`.", r.summary, r.help, docs_page(r.id), r.id),
                },
                "defaultConfiguration": { "level": r.severity.as_str() },
                "properties": { "tags": ["security", "container", r.id.split('/').next().unwrap_or("policy")] },
            })
        })
        .collect();
    // Fleet repositories (`owner/repo`) get their name as a prefix when there are several;
    // `--path` targets and the Trivy report group keep plain relative paths.
    let fleet_names = report
        .repos
        .iter()
        .filter(|r| is_fleet_name(&r.name))
        .count();
    let prefix = |name: &str| fleet_names > 1 && is_fleet_name(name);
    let mut results = Vec::new();
    for repo in &report.repos {
        for f in &repo.findings {
            let uri = if prefix(&repo.name) {
                format!("{}/{}", repo.name, f.path)
            } else {
                f.path.clone()
            };
            let index = catalogue.iter().position(|r| r.id == f.rule);
            let mut text = f.message.clone();
            if let Some(fix) = &f.fix {
                text.push_str(&format!(". Fix: {fix}"));
            }
            let mut hasher = Sha256::new();
            hasher.update(format!(
                "{}\0{}\0{}\0{}",
                repo.name, f.rule, f.path, f.message
            ));
            let fingerprint: String = hasher
                .finalize()
                .iter()
                .take(16)
                .map(|b| format!("{b:02x}"))
                .collect();
            let mut region = json!({ "startLine": f.line.unwrap_or(1).max(1) });
            if let Some(c) = f.column {
                region["startColumn"] = json!(c.max(1));
            }
            let mut result = json!({
                "ruleId": f.rule,
                "level": f.severity.as_str(),
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri },
                        "region": region,
                    }
                }],
                "partialFingerprints": { "drydockFinding/v1": fingerprint },
            });
            if let Some(i) = index {
                result["ruleIndex"] = json!(i);
            }
            results.push(result);
        }
    }
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "drydock",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "automationDetails": { "id": "drydock/check/" },
            "results": results,
            "properties": { "data": { "source": report.data.source, "generated": report.data.generated.map(|d| d.to_string()), "stale": report.data.stale } },
        }]
    });
    let mut s = serde_json::to_string_pretty(&sarif).expect("SARIF serialises");
    s.push('\n');
    s
}

/// `owner/repo`, as fleet repositories are named.
fn is_fleet_name(name: &str) -> bool {
    name.split_once('/').is_some_and(|(owner, repo)| {
        let ok = |p: &str| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        ok(owner) && ok(repo)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample;

    #[test]
    fn results_follow_github_upload_rules() {
        let v: Value = serde_json::from_str(&render(
            &sample(),
            &crate::catalogue::rules().collect::<Vec<_>>(),
        ))
        .unwrap();
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert!(
            rules
                .iter()
                .all(|r| r["id"].is_string() && r["help"]["text"].is_string())
        );
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 3);
        for r in results {
            let idx = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[idx]["id"], r["ruleId"]);
            let loc = &r["locations"][0]["physicalLocation"];
            assert!(
                !loc["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .starts_with('/')
            );
            assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        }
        assert_eq!(
            results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "acme/api/Dockerfile"
        );
    }

    #[test]
    fn every_family_has_descriptors_and_results_point_at_them() {
        use crate::report::{CheckReport, RepoReport};
        let rule = |id| crate::catalogue::find(id).unwrap();
        let mut report = sample();
        report = CheckReport::new(
            vec![RepoReport {
                name: "acme/api".into(),
                findings: vec![
                    rule("dependabot/unknown-key")
                        .finding(".github/dependabot.yml", "unknown key `foo`")
                        .at(3, Some(5)),
                    rule("drydock/shadowed-file").finding(".github/dependabot.yaml", "both"),
                ],
                waived: vec![],
                error: None,
            }],
            report.data,
        );
        let v: Value = serde_json::from_str(&render(
            &report,
            &crate::catalogue::rules().collect::<Vec<_>>(),
        ))
        .unwrap();
        let run = &v["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), crate::catalogue::rules().count());
        for r in run["results"].as_array().unwrap() {
            let idx = r["ruleIndex"].as_u64().expect("a ruleIndex") as usize;
            assert_eq!(rules[idx]["id"], r["ruleId"]);
            assert!(rules[idx]["shortDescription"]["text"].is_string());
        }
    }
}
