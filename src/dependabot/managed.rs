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
                format!(
                    "{} in {}: the repository has {} manifests there",
                    u.ecosystem,
                    u.dirs().join(", "),
                    u.ecosystem
                )
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
