//! dependabot.yml as a [`ManagedFile`] of the plan: generated from the scan and settings when
//! absent, repaired when present.

use super::CONFIG_PATHS;
use super::desired::desired;
use super::render::Renderer;
use super::repair::{Inputs, repair};
use super::settings::Settings;
use super::validate::rules::{INVALID_YAML, YAML_ALIAS};
use super::validate::validate;
use crate::detect::RepoScan;
use crate::finding::Finding;
use crate::plan::{ManagedFile, Proposal};

/// The dependabot.yml of one repository.
#[derive(Debug)]
pub struct DependabotFile<'a> {
    pub scan: &'a RepoScan,
    pub settings: &'a Settings,
    pub renderer: &'a Renderer,
    /// The monitor workflow's path when the plan manages it (it needs github-actions `/`).
    pub monitor_workflow: Option<&'a str>,
}

impl ManagedFile for DependabotFile<'_> {
    fn paths(&self) -> &[&str] {
        &CONFIG_PATHS
    }

    fn generate(&self) -> anyhow::Result<Option<Proposal>> {
        let d = desired(self.scan, self.settings);
        if d.updates.is_empty() {
            return Ok(None); // nothing for Dependabot to update
        }
        let text = self.renderer.render(&d)?;
        let reasons = d
            .updates
            .iter()
            .map(|u| {
                let why = match u.ecosystem.as_str() {
                    "docker" => "required by the policy: every directory with a Dockerfile is covered by a docker entry".to_string(),
                    "github-actions"
                        if let Some(path) = self.monitor_workflow
                            && u.dirs().iter().any(|d| d == "/") =>
                    {
                        format!(
                            "required by the policy: the base-image monitor workflow drydock adds ({path}) uses actions Dependabot keeps up to date"
                        )
                    }
                    eco => format!("the repository has {eco} manifests there"),
                };
                format!("{} in {}: {why}", u.ecosystem, u.dirs().join(", "))
            })
            .collect();
        Ok(Some(Proposal {
            text,
            reasons,
            findings: Vec::new(),
        }))
    }

    fn repair(&self, path: &str, existing: &str) -> Proposal {
        let r = repair(
            existing,
            path,
            Inputs {
                scan: self.scan,
                settings: self.settings,
                renderer: self.renderer,
                monitor_workflow: self.monitor_workflow,
            },
        );
        Proposal {
            text: r.text,
            reasons: r
                .changes
                .iter()
                .map(|c| format!("line {}: {} ({})", c.line, c.change, c.reason))
                .collect(),
            // The validator reports these on the (unchanged) file itself.
            findings: r
                .findings
                .into_iter()
                .filter(|f| f.rule != INVALID_YAML.id && f.rule != YAML_ALIAS.id)
                .collect(),
        }
    }

    fn validate(&self, path: &str, text: &str) -> Vec<Finding> {
        validate(text, path, Some(self.scan))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A github-actions entry there only because of the monitor workflow says so, and docker
    /// entries say the policy requires them.
    #[test]
    fn generated_reasons_say_which_entries_the_policy_requires() {
        let scan = crate::dependabot::repair::tests::scan();
        let (settings, renderer) = (Settings::default(), Renderer::builtin());
        let file = DependabotFile {
            scan: &scan,
            settings: &settings,
            renderer: &renderer,
            monitor_workflow: Some(".github/workflows/monitor.yml"),
        };
        let reasons = file.generate().unwrap().unwrap().reasons;
        assert_eq!(
            reasons,
            [
                "docker in /: required by the policy: every directory with a Dockerfile is covered by a docker entry",
                "github-actions in /: required by the policy: the base-image monitor workflow drydock adds (.github/workflows/monitor.yml) uses actions Dependabot keeps up to date",
                "npm in /web: the repository has npm manifests there",
            ]
        );
    }
}
