//! The base-image monitor workflow as a [`ManagedFile`] of the plan. drydock owns the whole
//! file: a missing one is created, any drift from the rendering for the repository's settings is
//! shown as a diff and replaced.

use super::{PATH, Settings, render};
use crate::finding::Rule;
use crate::plan::{ManagedFile, Proposal, RENDER_FAILED};

/// The workflow family's own rules, for the catalogue: none. A rendering that fails is the
/// plan's `drydock/render-failed`, and `workflow/monitor-missing` is a base-image policy rule
/// (`crate::policy::rules`), checked where the policy looks at a repository.
pub fn rules() -> impl Iterator<Item = &'static Rule> {
    std::iter::empty()
}

const PATHS: [&str; 2] = [
    PATH,
    ".github/workflows/modules-docker-base-image-monitor.yaml",
];

/// The monitor workflow of one repository.
#[derive(Debug)]
pub struct WorkflowFile {
    pub settings: Settings,
}

impl ManagedFile for WorkflowFile {
    fn paths(&self) -> &[&str] {
        &PATHS
    }

    fn generate(&self) -> anyhow::Result<Option<Proposal>> {
        let text = render(&self.settings)?;
        Ok(Some(Proposal {
            text,
            reasons: vec![format!(
                "the repository has Dockerfiles: the base-image policy requires the monitor workflow ({:?} schedule)",
                super::cron(&self.settings.repo, self.settings.frequency)
            )],
            findings: Vec::new(),
        }))
    }

    fn repair(&self, path: &str, existing: &str) -> Proposal {
        match render(&self.settings) {
            Ok(text) if text == existing => Proposal {
                text,
                ..Proposal::default()
            },
            Ok(text) => Proposal {
                text,
                reasons: vec![
                    "the workflow differs from drydock's rendering for this repository's settings"
                        .into(),
                ],
                findings: Vec::new(),
            },
            Err(e) => Proposal {
                text: existing.to_string(),
                reasons: Vec::new(),
                findings: vec![
                    RENDER_FAILED
                        .finding(path, e.to_string())
                        .with_fix("fix the [workflow] settings in fleet.toml"),
                ],
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bump::select::Level;
    use crate::plan::{Action, Existing, plan_file};
    use crate::workflow::{DEFAULT_TRIVY_VERSION, Frequency, Install, default_actions};

    fn file() -> WorkflowFile {
        WorkflowFile {
            settings: Settings {
                repo: "acme/api".into(),
                frequency: Frequency::Daily,
                level: Level::Minor,
                auto_merge: true,
                devops_team: None,
                test_command: None,
                install: Install::Container {
                    image: format!("ghcr.io/acme/drydock:1@sha256:{}", "0".repeat(64)),
                },
                actions: default_actions(),
                trivy_version: DEFAULT_TRIVY_VERSION.into(),
                app: None,
            },
        }
    }

    #[test]
    fn creates_then_shows_drift_as_a_diff_then_is_idempotent() {
        let f = file();
        let (change, findings) = plan_file(&f, &Existing::Absent);
        let change = change.unwrap();
        assert!(findings.is_empty());
        assert_eq!(
            (change.action, change.path.as_str()),
            (Action::Create, PATH)
        );
        let edited = change
            .content
            .replace("timeout-minutes: 20", "timeout-minutes: 99");
        let (drift, _) = plan_file(
            &f,
            &Existing::Present {
                path: PATH.into(),
                text: edited,
            },
        );
        let drift = drift.unwrap();
        assert_eq!(drift.action, Action::Update);
        assert!(
            drift
                .diff
                .contains("-    timeout-minutes: 99\n+    timeout-minutes: 20"),
            "{}",
            drift.diff
        );
        let (none, _) = plan_file(
            &f,
            &Existing::Present {
                path: PATH.into(),
                text: change.content,
            },
        );
        assert!(none.is_none());
    }
}
