//! The `[workflow]` and `[repo.workflow]` sections of fleet.toml as written, their validation, and
//! the [`Settings`] of one repository they resolve to.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{
    AppToken, DEFAULT_TRIVY_VERSION, Frequency, Install, PinnedAction, Settings, SettingsError,
    default_actions, is_release, pin_problem,
};
use crate::bump::select::Level;
use crate::text::{KeyPath, Rejected};

/// The `[workflow]` keys a repository may override in `[repo.workflow]`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepoWorkflowSection {
    pub enabled: Option<bool>,
    pub schedule: Option<Frequency>,
    pub auto_merge: Option<bool>,
    pub devops_team: Option<String>,
    pub test_command: Option<String>,
}

/// `[workflow]`: the base-image monitor workflow.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowSection {
    pub enabled: Option<bool>,
    pub schedule: Option<Frequency>,
    pub auto_merge: Option<bool>,
    pub devops_team: Option<String>,
    pub test_command: Option<String>,
    /// A drydock container image pinned by digest.
    pub drydock_image: Option<String>,
    /// A drydock release binary (https) and its sha256.
    pub drydock_url: Option<String>,
    pub drydock_sha256: Option<String>,
    pub trivy_version: Option<String>,
    /// The repository (or organisation) variable holding the id of the GitHub App the monitor
    /// pushes and opens its pull request as; with `private_key_secret`, or neither.
    pub app_id_var: Option<String>,
    /// The secret holding that App's private key (PEM).
    pub private_key_secret: Option<String>,
    /// `owner/action` → `{ sha, version }`, over the shipped table.
    #[serde(default)]
    pub actions: BTreeMap<String, ActionPin>,
}

/// A pinned action as written in `[workflow.actions]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionPin {
    pub sha: String,
    pub version: String,
}

impl RepoWorkflowSection {
    /// Checks the keys a repository may override; `section` names the table in messages.
    pub fn check(&self, section: &str) -> Result<(), Rejected> {
        check_overridable(
            self.devops_team.as_deref(),
            self.test_command.as_deref(),
            section,
        )
    }
}

/// Checks the name of a GitHub Actions variable or secret as GitHub accepts it: letters, digits
/// and `_`, not starting with a digit or `GITHUB_`. The name is interpolated into `${{ vars.NAME
/// }}`, so anything else would also be an expression injection.
fn check_actions_name(name: &str, key: &str, kind: &str) -> Result<(), Rejected> {
    if super::fleet::is_actions_name(name) {
        return Ok(());
    }
    Err(Rejected::new(
        KeyPath::root().key(key),
        format!("[workflow] {key} {name:?} is not a GitHub Actions {kind} name"),
        format!(
            "use letters, digits and `_`, not starting with a digit or GITHUB_ (the {kind} as named in the repository's or organisation's settings)"
        ),
    ))
}

/// The checks of the keys `[workflow]` and `[repo.workflow]` share.
fn check_overridable(
    devops_team: Option<&str>,
    test_command: Option<&str>,
    section: &str,
) -> Result<(), Rejected> {
    if let Some(team) = devops_team {
        let ok = team.split_once('/').is_some_and(|(org, slug)| {
            !org.is_empty()
                && !slug.is_empty()
                && format!("{org}{slug}")
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        });
        if !ok {
            return Err(Rejected::new(
                KeyPath::root().key("devops_team"),
                format!("{section}: devops_team {team:?} is not \"org/team-slug\""),
                "write the team as on GitHub, e.g. \"acme/devops\"",
            ));
        }
    }
    if let Some(cmd) = test_command
        && cmd.trim().is_empty()
    {
        return Err(Rejected::new(
            KeyPath::root().key("test_command"),
            format!("{section}: test_command is empty"),
            "remove the key to run no tests",
        ));
    }
    Ok(())
}

impl WorkflowSection {
    pub fn check(&self) -> Result<(), Rejected> {
        check_overridable(
            self.devops_team.as_deref(),
            self.test_command.as_deref(),
            "[workflow]",
        )?;
        let at = |key: &str| KeyPath::root().key(key);
        let is_hex = |s: &str, n: usize| {
            s.len() == n
                && s.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        };
        if let Some(image) = &self.drydock_image {
            let pinned = image
                .split_once("@sha256:")
                .is_some_and(|(name, hex)| !name.is_empty() && is_hex(hex, 64));
            if !pinned
                || !image
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"./:@_-".contains(&b))
            {
                return Err(Rejected::new(
                    at("drydock_image"),
                    format!("[workflow] drydock_image {image:?} must be pinned by digest"),
                    "write it as registry/org/drydock:TAG@sha256:<64 hex>",
                ));
            }
            if self.drydock_url.is_some() || self.drydock_sha256.is_some() {
                return Err(Rejected::new(
                    at("drydock_image"),
                    "[workflow] has both drydock_image and drydock_url/drydock_sha256",
                    "keep one way of installing drydock",
                ));
            }
        }
        match (&self.drydock_url, &self.drydock_sha256) {
            (Some(url), Some(sha)) => {
                if !url.starts_with("https://")
                    || url.contains(char::is_whitespace)
                    || url.contains(['"', '\'', '$', '`'])
                {
                    return Err(Rejected::new(
                        at("drydock_url"),
                        format!("[workflow] drydock_url {url:?} must be a plain https:// URL"),
                        "use the https:// download URL of the release binary, without spaces, quotes or `$`",
                    ));
                }
                if !is_hex(sha, 64) {
                    return Err(Rejected::new(
                        at("drydock_sha256"),
                        "[workflow] drydock_sha256 must be 64 lower-case hex digits",
                        "sha256sum of the release binary",
                    ));
                }
            }
            (Some(_), None) => {
                return Err(Rejected::new(
                    at("drydock_url"),
                    "[workflow] drydock_url needs drydock_sha256",
                    "the workflow verifies the binary before running it",
                ));
            }
            (None, Some(_)) => {
                return Err(Rejected::new(
                    at("drydock_sha256"),
                    "[workflow] drydock_sha256 without drydock_url",
                    "add drydock_url, the release binary this is the checksum of, or remove drydock_sha256",
                ));
            }
            (None, None) => {}
        }
        for (name, pin) in &self.actions {
            let pin = PinnedAction {
                sha: pin.sha.clone(),
                version: pin.version.clone(),
            };
            if let Some((field, message)) = pin_problem(name, &pin) {
                let help = if field == "sha" {
                    "pin the full commit SHA the release tag points at (git ls-remote https://github.com/OWNER/ACTION TAG)"
                } else {
                    "write the release tag the SHA is for, e.g. v5.0.0"
                };
                return Err(Rejected::new(
                    at("actions").key(name).key(field),
                    message,
                    help,
                ));
            }
        }
        match (&self.app_id_var, &self.private_key_secret) {
            (Some(var), Some(secret)) => {
                check_actions_name(var, "app_id_var", "variable")?;
                check_actions_name(secret, "private_key_secret", "secret")?;
            }
            (Some(_), None) => {
                return Err(Rejected::new(
                    at("app_id_var"),
                    "[workflow] app_id_var needs private_key_secret",
                    "name the secret holding the App's private key too (private_key_secret = \"DRYDOCK_APP_PRIVATE_KEY\"), or remove app_id_var to keep GITHUB_TOKEN",
                ));
            }
            (None, Some(_)) => {
                return Err(Rejected::new(
                    at("private_key_secret"),
                    "[workflow] private_key_secret without app_id_var",
                    "name the variable holding the App's id too (app_id_var = \"DRYDOCK_APP_ID\"), or remove private_key_secret to keep GITHUB_TOKEN",
                ));
            }
            (None, None) => {}
        }
        if let Some(v) = &self.trivy_version
            && !is_release(v)
        {
            return Err(Rejected::new(
                at("trivy_version"),
                format!("[workflow] trivy_version {v:?} must be a release such as v0.76.0"),
                "use the tag of a Trivy release (github.com/aquasecurity/trivy/releases)",
            ));
        }
        Ok(())
    }

    /// The App the monitor mints its token from, when `app_id_var` and `private_key_secret` are
    /// set (validated by [`WorkflowSection::check`]).
    pub fn app_token(&self) -> Option<AppToken> {
        match (&self.app_id_var, &self.private_key_secret) {
            (Some(id), Some(key)) => Some(AppToken {
                app_id_var: id.clone(),
                private_key_secret: key.clone(),
            }),
            _ => None,
        }
    }

    /// How a workflow gets drydock: the image, or the binary and its checksum.
    pub fn install(&self) -> Result<Install, SettingsError> {
        match (&self.drydock_image, &self.drydock_url, &self.drydock_sha256) {
            (Some(image), None, None) => Ok(Install::Container {
                image: image.clone(),
            }),
            (None, Some(url), Some(sha256)) => Ok(Install::Binary {
                url: url.clone(),
                sha256: sha256.clone(),
            }),
            _ => Err(SettingsError(
                "[workflow] says nowhere to install drydock from: set drydock_image (pinned by digest) or drydock_url and drydock_sha256".into(),
            )),
        }
    }

    /// The shipped action pins with `[workflow.actions]` over them.
    pub fn actions(&self) -> BTreeMap<String, PinnedAction> {
        let mut actions = default_actions();
        for (name, pin) in &self.actions {
            actions.insert(
                name.clone(),
                PinnedAction {
                    sha: pin.sha.clone(),
                    version: pin.version.clone(),
                },
            );
        }
        actions
    }

    /// The workflow settings for repository `repo` with its `[repo.workflow]` overrides; `None`
    /// when it opted out (or the fleet did). `level` is `[registry] level`.
    pub fn settings_for(
        &self,
        repo: &str,
        over: Option<&RepoWorkflowSection>,
        level: Level,
    ) -> Result<Option<Settings>, SettingsError> {
        let over = over.cloned().unwrap_or_default();
        if !over.enabled.or(self.enabled).unwrap_or(true) {
            return Ok(None);
        }
        let install = self.install()?;
        let actions = self.actions();
        Ok(Some(Settings {
            repo: repo.to_string(),
            frequency: over.schedule.or(self.schedule).unwrap_or_default(),
            level,
            auto_merge: over.auto_merge.or(self.auto_merge).unwrap_or(false),
            devops_team: over.devops_team.or(self.devops_team.clone()),
            test_command: over.test_command.or(self.test_command.clone()),
            install,
            actions,
            trivy_version: self
                .trivy_version
                .clone()
                .unwrap_or_else(|| DEFAULT_TRIVY_VERSION.into()),
            app: self.app_token(),
        }))
    }
}
