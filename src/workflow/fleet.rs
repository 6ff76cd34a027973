//! The fleet workflow (`.github/workflows/drydock-fleet.yml`) of the platform team's own
//! repository, the one holding fleet.toml: the periodic drift correction on a GitHub Actions
//! matrix. N shard jobs each run `sync`, `check` and `apply` with `--shard I/N` and upload their
//! JSON reports; one job merges them (`report merge`), writes the `status` summary to the job
//! summary and publishes the `report html` dashboard. Rendered from
//! `templates/drydock-fleet.yml.hbs`.
//!
//! Pure, like the monitor's rendering ([`super::render`]): settings in, file contents out, every
//! interpolated value either validated to a safe alphabet (names inside `${{ }}`) or escaped as a
//! double-quoted YAML scalar, and nothing of the configuration inside a `run:` script (scripts
//! read it from `env:`).
//!
//! Credentials: drydock authenticates as the GitHub App of `[github] app_id` itself, its private
//! key read from a secret into `DRYDOCK_APP_PRIVATE_KEY`. Not `actions/create-github-app-token`
//! (which the monitor uses for its one repository): a fleet spans every repository of one or
//! more owners, so the minted token would be an owner-wide one (zizmor's `github-app` audit), it
//! covers one owner only, and it expires after an hour, while a rollout paced inside GitHub's
//! write limits takes longer. drydock's own App client mints a token per owner and renews it.

use std::collections::BTreeMap;

use handlebars::Handlebars;
use serde::Serialize;

use super::{Install, PinnedAction, SettingsError, check_pin};

/// Where the workflow lives in the platform team's repository.
pub const PATH: &str = ".github/workflows/drydock-fleet.yml";

/// The largest matrix GitHub runs in one workflow run ("a job matrix can generate a maximum of
/// 256 jobs per workflow run").
pub const MAX_SHARDS: u32 = 256;

/// Daily at 04:17 UTC: off the full hour, when GitHub's scheduler is busiest and delays runs.
pub const DEFAULT_SCHEDULE: &str = "17 4 * * *";

/// The secret holding the App's private key unless `[workflow] private_key_secret` names one.
pub const DEFAULT_PRIVATE_KEY_SECRET: &str = "DRYDOCK_APP_PRIVATE_KEY";

/// The environment whose secrets the jobs read: only jobs that name it can read its secrets, and
/// its protection rules (branches, reviewers) guard the App's key.
pub const ENVIRONMENT: &str = "drydock";

/// Actions the fleet workflow uses, by the key the template knows them under.
pub const ACTIONS: &[(&str, &str)] = &[
    ("checkout", "actions/checkout"),
    ("upload_artifact", "actions/upload-artifact"),
    ("download_artifact", "actions/download-artifact"),
];

const TEMPLATE: &str = include_str!("../../templates/drydock-fleet.yml.hbs");

/// Everything the fleet workflow depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FleetSettings {
    /// How many matrix jobs share the fleet, 1 to [`MAX_SHARDS`].
    pub shards: u32,
    /// The five-field cron line of the schedule (UTC).
    pub schedule: String,
    /// fleet.toml, relative to the repository root the workflow runs in.
    pub fleet_file: String,
    /// `[github] app_id`: the App drydock acts as.
    pub app_id: u64,
    /// The secret holding the App's private key.
    pub private_key_secret: String,
    pub install: Install,
    /// `owner/action` → pin; must cover every entry of [`ACTIONS`].
    pub actions: BTreeMap<String, PinnedAction>,
}

#[derive(Serialize)]
struct View<'a> {
    shards: u32,
    shard_list: String,
    schedule: &'a str,
    fleet_file: &'a str,
    app_id: u64,
    private_key_secret: &'a str,
    environment: &'static str,
    container_image: Option<&'a str>,
    binary_url: Option<&'a str>,
    binary_sha256: Option<&'a str>,
    actions: BTreeMap<&'static str, &'a PinnedAction>,
}

/// The container wrapper passes the App's key into the container (`--env NAME` copies it from
/// the step's environment, and only when it is set there); reports go to stdout, redirected on
/// the runner.
const INSTALL_CONTAINER: &str = r#"      - name: Install drydock (container image)
        env:
          DRYDOCK_IMAGE: {{container_image}}
        run: |
          docker pull "$DRYDOCK_IMAGE"
          {
            echo '#!/bin/sh'
            echo "exec docker run --rm --user \"\$(id -u):\$(id -g)\" --env DRYDOCK_APP_PRIVATE_KEY --volume \"\$PWD:\$PWD\" --workdir \"\$PWD\" \"$DRYDOCK_IMAGE\" \"\$@\""
          } > "$RUNNER_TEMP/drydock"
          sudo install -m 0755 "$RUNNER_TEMP/drydock" /usr/local/bin/drydock
"#;

/// Renders the fleet workflow.
pub fn render(settings: &FleetSettings) -> Result<String, SettingsError> {
    if !(1..=MAX_SHARDS).contains(&settings.shards) {
        return Err(SettingsError(format!(
            "--shards {}: a workflow runs 1 to {MAX_SHARDS} matrix jobs",
            settings.shards
        )));
    }
    check_cron(&settings.schedule)
        .map_err(|e| SettingsError(format!("--schedule {:?}: {e}", settings.schedule)))?;
    if !is_actions_name(&settings.private_key_secret) {
        return Err(SettingsError(format!(
            "secret name {:?}: letters, digits and `_` only, not starting with a digit or GITHUB_",
            settings.private_key_secret
        )));
    }
    if settings.fleet_file.is_empty() || settings.fleet_file.contains(['\n', '\r']) {
        return Err(SettingsError(format!(
            "fleet file {:?} cannot be named in the workflow",
            settings.fleet_file
        )));
    }
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
    let (container_image, binary_url, binary_sha256) = match &settings.install {
        Install::Container { image } => (Some(image.as_str()), None, None),
        Install::Binary { url, sha256 } => (None, Some(url.as_str()), Some(sha256.as_str())),
    };
    let view = View {
        shards: settings.shards,
        shard_list: (1..=settings.shards)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        schedule: &settings.schedule,
        fleet_file: &settings.fleet_file,
        app_id: settings.app_id,
        private_key_secret: &settings.private_key_secret,
        environment: ENVIRONMENT,
        container_image,
        binary_url,
        binary_sha256,
        actions,
    };
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(crate::dependabot::yaml_text::quote);
    let install = if container_image.is_some() {
        INSTALL_CONTAINER
    } else {
        super::INSTALL_BINARY
    };
    hb.register_partial("install", install)
        .and_then(|()| hb.register_template_string("workflow", TEMPLATE))
        .map_err(|e| SettingsError(format!("fleet workflow template: {e}")))?;
    hb.render("workflow", &view)
        .map_err(|e| SettingsError(format!("rendering the fleet workflow: {e}")))
}

/// Whether `name` is a GitHub Actions secret or variable name: letters, digits and `_`, not
/// starting with a digit or `GITHUB_` (GitHub's rule; it is also what keeps `${{ secrets.NAME }}`
/// an expression that names one secret).
pub fn is_actions_name(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.as_bytes()[0].is_ascii_digit()
        && !name.to_ascii_uppercase().starts_with("GITHUB_")
}

/// One field of a cron line: its name, its range, and the names it accepts for values.
struct CronField {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const CRON_FIELDS: [CronField; 5] = [
    CronField {
        name: "minute",
        min: 0,
        max: 59,
        names: &[],
    },
    CronField {
        name: "hour",
        min: 0,
        max: 23,
        names: &[],
    },
    CronField {
        name: "day of the month",
        min: 1,
        max: 31,
        names: &[],
    },
    CronField {
        name: "month",
        min: 1,
        max: 12,
        names: &[
            "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
        ],
    },
    CronField {
        name: "day of the week",
        min: 0,
        max: 6,
        names: &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
    },
];

/// Checks a schedule as GitHub Actions reads it (POSIX cron, five fields: minute, hour, day of
/// the month, month, day of the week; `*`, `N`, `A-B`, `*/S`, `A-B/S` and lists of them; month
/// and weekday names). GitHub runs a schedule at most every 5 minutes, so a shorter interval is
/// refused rather than silently stretched.
pub fn check_cron(line: &str) -> Result<(), String> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!(
            "a schedule has 5 fields (minute hour day-of-month month day-of-week), this one has {}",
            fields.len()
        ));
    }
    for (text, field) in fields.iter().zip(&CRON_FIELDS) {
        for item in text.split(',') {
            check_cron_item(item, field)
                .map_err(|e| format!("{} field {text:?}: {e}", field.name))?;
        }
    }
    let minutes = fields[0];
    let every_minute = minutes == "*" || minutes.starts_with("*/") || minutes.contains('-');
    if every_minute && minute_step(minutes) < 5 {
        return Err(
            "GitHub Actions runs a schedule at most every 5 minutes: use */5 or a longer interval"
                .into(),
        );
    }
    Ok(())
}

/// The step of a minute field that repeats within the hour (`*` is 1, `*/10` is 10, `0-30/2`
/// is 2).
fn minute_step(field: &str) -> u32 {
    field
        .split(',')
        .map(|item| {
            item.split_once('/')
                .and_then(|(_, s)| s.parse().ok())
                .unwrap_or(if item.contains('-') || item == "*" {
                    1
                } else {
                    60
                })
        })
        .min()
        .unwrap_or(60)
}

fn check_cron_item(item: &str, field: &CronField) -> Result<(), String> {
    let (range, step) = match item.split_once('/') {
        Some((range, step)) => (range, Some(step)),
        None => (item, None),
    };
    if let Some(step) = step {
        let step: u32 = step
            .parse()
            .map_err(|_| format!("step {step:?} is not a number"))?;
        if step == 0 || step > field.max {
            return Err(format!("step {step} is out of 1-{}", field.max));
        }
    }
    if range == "*" {
        return Ok(());
    }
    let value = |v: &str| -> Result<u32, String> {
        let n = match v.parse::<u32>() {
            Ok(n) => n,
            Err(_) => field
                .names
                .iter()
                .position(|name| name.eq_ignore_ascii_case(v))
                .map(|i| i as u32 + field.min)
                .ok_or_else(|| format!("{v:?} is not a value"))?,
        };
        if n < field.min || n > field.max {
            return Err(format!("{n} is out of {}-{}", field.min, field.max));
        }
        Ok(n)
    };
    match range.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (value(a)?, value(b)?);
            if a > b {
                return Err(format!("the range {range:?} runs backwards"));
            }
        }
        None => {
            value(range)?;
            if step.is_some() {
                return Err(format!(
                    "write a step after * or a range, not after {range:?}"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::default_actions;

    fn settings(shards: u32) -> FleetSettings {
        FleetSettings {
            shards,
            schedule: DEFAULT_SCHEDULE.into(),
            fleet_file: "fleet.toml".into(),
            app_id: 12345,
            private_key_secret: DEFAULT_PRIVATE_KEY_SECRET.into(),
            install: Install::Binary {
                url: "https://example.com/drydock".into(),
                sha256: "a".repeat(64),
            },
            actions: default_actions(),
        }
    }

    #[test]
    fn cron_lines_github_accepts_pass() {
        for line in [
            "17 4 * * *",
            "0 0 * * 0",
            "*/5 * * * *",
            "0 */6 * * 1-5",
            "30 2 1,15 * *",
            "0 9 * JAN-MAR MON",
            "0 9 * * sun",
            "0-50/10 1 * * *",
        ] {
            assert_eq!(check_cron(line), Ok(()), "{line}");
        }
    }

    #[test]
    fn bad_cron_lines_say_what_is_wrong() {
        for (line, needle) in [
            ("17 4 * *", "5 fields"),
            ("17 4 * * * *", "5 fields"),
            ("60 4 * * *", "minute field"),
            ("17 24 * * *", "out of 0-23"),
            ("17 4 0 * *", "day of the month"),
            ("17 4 * 13 *", "month"),
            ("17 4 * * 7", "day of the week"),
            ("17 4 * * FUN", "not a value"),
            ("5-1 4 * * *", "backwards"),
            ("*/0 4 * * *", "step 0"),
            ("5/10 4 * * *", "step after"),
            ("* * * * *", "every 5 minutes"),
            ("*/2 * * * *", "every 5 minutes"),
            ("@daily", "5 fields"),
        ] {
            let err = check_cron(line).unwrap_err();
            assert!(err.contains(needle), "{line}: {err}");
        }
    }

    #[test]
    fn renders_a_matrix_of_n_shards_and_refuses_impossible_ones() {
        let text = render(&settings(4)).unwrap();
        assert!(text.contains("        shard: [1, 2, 3, 4]\n"), "{text}");
        assert!(text.contains("SHARD: ${{ matrix.shard }}/4\n"));
        assert!(text.contains("pattern: drydock-shard-*-of-4\n"));
        assert!(text.contains("DRYDOCK_APP_PRIVATE_KEY: ${{ secrets.DRYDOCK_APP_PRIVATE_KEY }}"));
        assert!(text.contains("    - cron: \"17 4 * * *\"\n"));
        assert!(render(&settings(1)).unwrap().contains("shard: [1]\n"));
        for bad in [0, MAX_SHARDS + 1] {
            assert!(render(&settings(bad)).unwrap_err().0.contains("1 to 256"));
        }
        let mut s = settings(2);
        s.schedule = "* * * * *".into();
        assert!(render(&s).unwrap_err().0.contains("--schedule"));
        let mut s = settings(2);
        s.private_key_secret = "KEY }} ${{ github.token".into();
        assert!(render(&s).unwrap_err().0.contains("secret name"));
        let mut s = settings(2);
        s.actions.remove("actions/upload-artifact");
        assert!(
            render(&s)
                .unwrap_err()
                .0
                .contains("actions/upload-artifact")
        );
    }

    #[test]
    fn names_in_expressions_follow_githubs_rule() {
        assert!(is_actions_name("DRYDOCK_APP_ID"));
        assert!(is_actions_name("key_2"));
        for bad in ["", "2KEY", "GITHUB_TOKEN", "github_x", "A-B", "A B", "A}}"] {
            assert!(!is_actions_name(bad), "{bad}");
        }
    }
}
