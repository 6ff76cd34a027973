//! The base-image monitor workflow (`.github/workflows/modules-docker-base-image-monitor.yml`):
//! its settings, the shipped action SHA table, the spread of schedules over the week, and
//! rendering from `templates/modules-docker-base-image-monitor.yml.hbs`; with [`AppToken`] the
//! monitor pushes and opens its pull request as a GitHub App, so the repository's own required
//! checks run on it. The fleet workflow of the platform team's repository is [`fleet`].
//!
//! Pure: settings in, file contents out. Every value interpolated into the YAML is escaped as a
//! double-quoted YAML scalar; values that end up in shell scripts go through `env:`, never through
//! `${{ }}` inside `run:`.

pub mod config;
pub mod fleet;
pub mod managed;

pub use managed::rules;

use std::collections::BTreeMap;

use handlebars::Handlebars;
use serde::Serialize;
use sha2::Digest;

use crate::bump::select::Level;
pub use config::{ActionPin, RepoWorkflowSection, WorkflowSection};

/// Where the workflow lives in a repository.
pub const PATH: &str = ".github/workflows/modules-docker-base-image-monitor.yml";

/// The branch the update pull request lives on.
pub const BRANCH: &str = "drydock/base-image-update";

const TEMPLATE: &str = include_str!("../../templates/modules-docker-base-image-monitor.yml.hbs");

/// How often the monitor runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Frequency {
    Daily,
    #[default]
    Weekly,
}

/// How the workflow gets drydock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Install {
    /// A container image pinned by digest: `ghcr.io/org/drydock:1.2@sha256:...`.
    Container { image: String },
    /// A release binary, checked against its sha256 before it runs.
    Binary { url: String, sha256: String },
}

/// An action pinned to a commit, with the version it is for in the trailing comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PinnedAction {
    pub sha: String,
    pub version: String,
}

/// Actions the workflow uses, by the key the template knows them under.
pub const ACTIONS: &[(&str, &str)] = &[
    ("checkout", "actions/checkout"),
    ("setup_trivy", "aquasecurity/setup-trivy"),
    ("app_token", "actions/create-github-app-token"),
];

/// The shipped SHA table (overridable in fleet.toml `[workflow.actions]`).
pub fn default_actions() -> BTreeMap<String, PinnedAction> {
    let pin = |sha: &str, version: &str| PinnedAction {
        sha: sha.into(),
        version: version.into(),
    };
    BTreeMap::from([
        (
            "actions/checkout".to_string(),
            pin("08c6903cd8c0fde910a37f88322edcfb5dd907a8", "v5.0.0"),
        ),
        (
            "aquasecurity/setup-trivy".to_string(),
            pin("3fb12ec12f41e471780db15c232d5dd185dcb514", "v0.2.6"),
        ),
        (
            "actions/create-github-app-token".to_string(),
            pin("df432ceedc7162793a195dd1713ff69aefc7379e", "v2.0.6"),
        ),
        (
            "actions/upload-artifact".to_string(),
            pin("ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2"),
        ),
        (
            "actions/download-artifact".to_string(),
            pin("d3f86a106a0bac45b974a628896c90dbdf5c8093", "v4.3.0"),
        ),
    ])
}

/// Everything the workflow of one repository depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `owner/repo`: the schedule is derived from it.
    pub repo: String,
    pub frequency: Frequency,
    pub level: Level,
    pub auto_merge: bool,
    /// `org/team` asked for review when auto-merge is off.
    pub devops_team: Option<String>,
    /// The repository's test command, run after the scan.
    pub test_command: Option<String>,
    pub install: Install,
    /// `owner/action` → pin; must cover every entry of [`ACTIONS`].
    pub actions: BTreeMap<String, PinnedAction>,
    /// The Trivy release the scan installs (pinned: an unpinned scanner is a supply-chain risk).
    pub trivy_version: String,
    /// The GitHub App the monitor pushes and opens its pull request as; `None`: `GITHUB_TOKEN`.
    pub app: Option<AppToken>,
}

/// A GitHub App whose installation token a workflow mints with
/// `actions/create-github-app-token`: the names of the Actions variable holding its id and of
/// the secret holding its private key (the values never pass through drydock).
///
/// Why: a pull request pushed and opened with the workflow's `GITHUB_TOKEN` starts no other
/// workflow, so the repository's own required checks never run on it and auto-merge waits
/// forever. Pushed with an App's token, it is an ordinary pull request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppToken {
    pub app_id_var: String,
    pub private_key_secret: String,
}

/// The Trivy release the workflow installs unless fleet.toml says otherwise.
pub const DEFAULT_TRIVY_VERSION: &str = "v0.76.0";

/// A problem with the settings that makes the workflow impossible to render.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SettingsError(pub String);

/// The cron line for a repository: minute, hour and (weekly) weekday from a hash of its name, so
/// a fleet's runs spread over the week instead of all starting at once.
pub fn cron(repo: &str, frequency: Frequency) -> String {
    let hash = sha2::Sha256::digest(repo.to_ascii_lowercase().as_bytes());
    let minute = u16::from_be_bytes([hash[0], hash[1]]) % 60;
    let hour = hash[2] % 24;
    match frequency {
        Frequency::Daily => format!("{minute} {hour} * * *"),
        Frequency::Weekly => format!("{minute} {hour} * * {}", hash[3] % 7),
    }
}

/// Checks a pin: a full 40-hex commit and a one-line version.
pub fn check_pin(action: &str, pin: &PinnedAction) -> Result<(), SettingsError> {
    match pin_problem(action, pin) {
        Some((_, message)) => Err(SettingsError(message)),
        None => Ok(()),
    }
}

/// What is wrong with a pin, and in which of its two fields (`sha` or `version`).
fn pin_problem(action: &str, pin: &PinnedAction) -> Option<(&'static str, String)> {
    if pin.sha.len() != 40
        || !pin
            .sha
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Some((
            "sha",
            format!(
                "action {action}: {:?} is not a full 40-character lower-case commit SHA",
                pin.sha
            ),
        ));
    }
    if pin.version.is_empty() || !pin.version.chars().all(|c| c.is_ascii_graphic()) {
        return Some((
            "version",
            format!(
                "action {action}: version {:?} must be one word such as v5.0.0",
                pin.version
            ),
        ));
    }
    None
}

/// Whether `version` names a Trivy release: `v` and dot-separated numbers.
fn is_release(version: &str) -> bool {
    version.starts_with('v')
        && version[1..]
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

#[derive(Serialize)]
struct View<'a> {
    cron: String,
    branch: &'static str,
    level: &'static str,
    auto_merge: bool,
    merge: bool,
    devops_team: Option<&'a str>,
    test_command: Option<&'a str>,
    container_image: Option<&'a str>,
    binary_url: Option<&'a str>,
    binary_sha256: Option<&'a str>,
    actions: BTreeMap<&'static str, &'a PinnedAction>,
    trivy_version: &'a str,
    app: Option<&'a AppToken>,
    environment: &'static str,
}

const INSTALL_CONTAINER: &str = r#"      - name: Install drydock (container image)
        env:
          DRYDOCK_IMAGE: {{container_image}}
        run: |
          docker pull "$DRYDOCK_IMAGE"
          {
            echo '#!/bin/sh'
            echo "exec docker run --rm --user \"\$(id -u):\$(id -g)\" --volume \"\$PWD:\$PWD\" --workdir \"\$PWD\" \"$DRYDOCK_IMAGE\" \"\$@\""
          } > "$RUNNER_TEMP/drydock"
          sudo install -m 0755 "$RUNNER_TEMP/drydock" /usr/local/bin/drydock
"#;

const INSTALL_BINARY: &str = r#"      - name: Install drydock (release binary)
        env:
          DRYDOCK_URL: {{binary_url}}
          DRYDOCK_SHA256: {{binary_sha256}}
        run: |
          curl -fsSL --proto '=https' --retry 3 -o "$RUNNER_TEMP/drydock" "$DRYDOCK_URL"
          echo "$DRYDOCK_SHA256  $RUNNER_TEMP/drydock" | sha256sum --check --strict -
          sudo install -m 0755 "$RUNNER_TEMP/drydock" /usr/local/bin/drydock
"#;

/// Renders the workflow for one repository.
pub fn render(settings: &Settings) -> Result<String, SettingsError> {
    let mut actions = BTreeMap::new();
    for (key, name) in ACTIONS {
        let pin = settings.actions.get(*name).ok_or_else(|| {
            SettingsError(format!(
                "no pinned SHA for action {name}: add it to [workflow.actions]"
            ))
        })?;
        check_pin(name, pin)?;
        actions.insert(*key, pin);
    }
    if !settings.auto_merge && settings.devops_team.is_none() {
        tracing::debug!(
            repo = settings.repo,
            "no auto-merge and no DevOps team: the pull request waits for anyone"
        );
    }
    let version = &settings.trivy_version;
    if !is_release(version) {
        return Err(SettingsError(format!(
            "trivy_version {version:?} must be a release such as {DEFAULT_TRIVY_VERSION}"
        )));
    }
    let (container_image, binary_url, binary_sha256) = match &settings.install {
        Install::Container { image } => (Some(image.as_str()), None, None),
        Install::Binary { url, sha256 } => (None, Some(url.as_str()), Some(sha256.as_str())),
    };
    let view = View {
        cron: cron(&settings.repo, settings.frequency),
        branch: BRANCH,
        level: settings.level.as_str(),
        auto_merge: settings.auto_merge,
        merge: settings.auto_merge || settings.devops_team.is_some(),
        devops_team: settings.devops_team.as_deref(),
        test_command: settings
            .test_command
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty()),
        container_image,
        binary_url,
        binary_sha256,
        actions,
        trivy_version: &settings.trivy_version,
        app: settings.app.as_ref(),
        environment: fleet::ENVIRONMENT,
    };
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(crate::dependabot::yaml_text::quote);
    hb.register_helper("indent", Box::new(indent_helper));
    let install = if container_image.is_some() {
        INSTALL_CONTAINER
    } else {
        INSTALL_BINARY
    };
    hb.register_partial("install", install)
        .and_then(|()| hb.register_template_string("workflow", TEMPLATE))
        .map_err(|e| SettingsError(format!("workflow template: {e}")))?;
    hb.render("workflow", &view)
        .map_err(|e| SettingsError(format!("rendering the workflow: {e}")))
}

/// `{{{indent text N}}}`: every non-empty line indented by N spaces, for a `run: |` block.
fn indent_helper(
    h: &handlebars::Helper,
    _: &Handlebars,
    _: &handlebars::Context,
    _: &mut handlebars::RenderContext,
    out: &mut dyn handlebars::Output,
) -> handlebars::HelperResult {
    let text = h
        .param(0)
        .and_then(|p| p.value().as_str())
        .ok_or_else(|| handlebars::RenderErrorReason::ParamNotFoundForIndex("indent", 0))?;
    let width = h
        .param(1)
        .and_then(|p| p.value().as_u64())
        .ok_or_else(|| handlebars::RenderErrorReason::ParamNotFoundForIndex("indent", 1))?;
    let pad = " ".repeat(width as usize);
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            if l.trim().is_empty() {
                String::new()
            } else {
                format!("{pad}{}", l.trim_end())
            }
        })
        .collect();
    out.write(&lines.join("\n"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            repo: "acme/api".into(),
            frequency: Frequency::Weekly,
            level: Level::Minor,
            auto_merge: false,
            devops_team: Some("acme/devops".into()),
            test_command: Some("make test".into()),
            install: Install::Binary {
                url: "https://example.com/drydock".into(),
                sha256: "a".repeat(64),
            },
            actions: default_actions(),
            trivy_version: DEFAULT_TRIVY_VERSION.into(),
            app: None,
        }
    }

    #[test]
    fn schedules_spread_deterministically() {
        assert_eq!(
            cron("acme/api", Frequency::Weekly),
            cron("ACME/api", Frequency::Weekly)
        );
        let crons: std::collections::BTreeSet<String> = (0..50)
            .map(|i| cron(&format!("acme/repo{i}"), Frequency::Weekly))
            .collect();
        assert!(crons.len() > 40, "{crons:?}");
        let daily = cron("acme/api", Frequency::Daily);
        assert!(daily.ends_with(" * * *"), "{daily}");
        let fields: Vec<u32> = daily
            .split(' ')
            .take(2)
            .map(|f| f.parse().unwrap())
            .collect();
        assert!(fields[0] < 60 && fields[1] < 24);
    }

    #[test]
    fn renders_with_the_header_pins_and_no_untrusted_expansion_in_scripts() {
        let text = render(&settings()).unwrap();
        assert!(text.starts_with("# Managed by drydock"));
        assert!(
            text.contains(
                "uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0"
            )
        );
        assert!(text.contains("TEAM: \"acme/devops\""));
        assert!(text.contains("          make test\n"));
        assert!(!text.contains("pull_request_target"));
        assert!(!text.contains("auto --squash"));
    }

    #[test]
    fn refuses_bad_pins() {
        let mut s = settings();
        s.actions.get_mut("actions/checkout").unwrap().sha = "v5".into();
        assert!(render(&s).unwrap_err().0.contains("actions/checkout"));
        s.actions.remove("actions/checkout");
        assert!(render(&s).unwrap_err().0.contains("[workflow.actions]"));
    }
}
