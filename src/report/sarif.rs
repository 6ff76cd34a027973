//! SARIF 2.1.0 for GitHub code scanning: one run, every rule in `tool.driver.rules` with its id,
//! description and help, one result per finding with `ruleId`, `level`, `message` and a physical
//! location (relative `uri`, `region.startLine` ≥ 1). With one repository the `uri` is the path
//! in it (upload from that repository); with several it is prefixed with `owner/repo/`.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::CheckReport;
use crate::policy::rules::RULES;

pub fn render(report: &CheckReport) -> String {
    let rules: Vec<Value> = RULES
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
                    "text": r.help,
                    "markdown": format!("{}\n\n**Fix:** {}\n\nSee docs/rules.md in drydock.", r.summary, r.help),
                },
                "defaultConfiguration": { "level": r.severity.as_str() },
                "properties": { "tags": ["security", "container", r.id.split('/').next().unwrap_or("policy")] },
            })
        })
        .collect();
    let prefix = report.repos.len() > 1;
    let mut results = Vec::new();
    for repo in &report.repos {
        for f in &repo.findings {
            let uri = if prefix {
                format!("{}/{}", repo.name, f.path)
            } else {
                f.path.clone()
            };
            let index = RULES.iter().position(|r| r.id == f.rule);
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
                    "informationUri": "https://github.com/drydock-dev/drydock",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample;

    #[test]
    fn results_follow_github_upload_rules() {
        let v: Value = serde_json::from_str(&render(&sample())).unwrap();
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
}
