//! `status`: where the rollout stands, one row per fleet repository. Two sources:
//!
//! - the forge, for drydock's pull request: the newest one whose head is the repository's
//!   `[apply] branch`, read for the whole fleet by [`Forge::pull_request_statuses`] (100
//!   repositories per GraphQL query: 1,000 repositories in 10 requests);
//! - the synced checkout, for "is the default branch compliant now": `plan` has nothing to
//!   change and `check` has no error finding, measured on the checkout as `drydock sync` last
//!   left it ([`last_synced`]: FETCH_HEAD's time, else the newest reflog entry). A repository
//!   that is not synced is not measured (`compliant: null`); one used in place (`path =`) is
//!   measured as it is now.
//!
//! One repository that cannot be read (renamed, no access, a failed query) is reported in its
//! row and never stops the others.

use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Utc};

use super::check::{CheckContext, check};
use super::plan::{PlanContext, plan};
use super::{Error, Target};
use crate::finding::Severity;
use crate::forge::{ErrorKind, Forge, ForgeError, PullRequestStatus, QueryCost};
use crate::inventory::{Fleet, Source};
use crate::plan::UNUSABLE_FILE;
use crate::repo::{FailureKind, RepoFailure};
use crate::report::status::{
    Attention, Checks, PrState, PrStatus, Review, StatusReport, StatusRow,
};

/// What to report on.
#[derive(Debug, Clone)]
pub struct StatusOptions<'a> {
    pub fleet: &'a Fleet,
    /// Fleet repositories (`--path` has no pull requests).
    pub targets: &'a [Target],
    /// The time ages are counted to.
    pub now: DateTime<Utc>,
}

/// The report and what reading the forge cost (for `-v` and the benchmark).
#[derive(Debug, Clone)]
pub struct StatusOutcome {
    pub report: StatusReport,
    pub cost: QueryCost,
}

/// Runs `status`: the forge on a fresh single-threaded runtime, then the checkouts on the
/// worker pool.
pub fn run<F: Forge>(forge: &F, options: &StatusOptions<'_>) -> Result<StatusOutcome, Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let keys = pull_keys(options);
    let statuses = runtime.block_on(forge.pull_request_statuses(&keys));
    let compliance = compliance(options)?;
    let (found, unreadable, cost) = match statuses {
        Ok(s) => (s.found, s.unreadable, s.cost),
        // The whole read failed: every repository says why.
        Err(e) => (
            Default::default(),
            keys.iter().map(|k| (k.clone(), e.clone())).collect(),
            QueryCost::default(),
        ),
    };
    let rows = options
        .targets
        .iter()
        .zip(&keys)
        .zip(compliance)
        .map(|((target, key), measured)| {
            let pr = found.get(key).map(|status| pr_status(status, options.now));
            let attention = pr.as_ref().map(Attention::of).unwrap_or_default();
            StatusRow {
                name: target.name.to_string(),
                pr,
                compliant: measured.compliant,
                measured_at: measured.at,
                changes_due: measured.changes,
                error_findings: measured.errors,
                compliance_error: measured.error,
                attention,
                error: unreadable.get(key).map(forge_failure),
            }
        })
        .collect();
    Ok(StatusOutcome {
        report: StatusReport::new(rows),
        cost,
    })
}

/// `(owner/repo, drydock's branch)` of every target, in order.
fn pull_keys(options: &StatusOptions<'_>) -> Vec<(String, String)> {
    options
        .targets
        .iter()
        .map(|t| {
            let branch = options.fleet.apply_for(t.repo.as_ref()).branch;
            (t.name.to_string(), branch)
        })
        .collect()
}

/// A pull request as the report shows it.
pub fn pr_status(s: &PullRequestStatus, now: DateTime<Utc>) -> PrStatus {
    let state = match s.state.to_ascii_uppercase().as_str() {
        "MERGED" => PrState::Merged,
        "CLOSED" => PrState::Declined,
        _ if s.draft => PrState::Draft,
        _ => PrState::Open,
    };
    let mergeable = match s.mergeable.as_deref() {
        Some("MERGEABLE") => Some(true),
        Some("CONFLICTING") => Some(false),
        _ => None,
    };
    PrStatus {
        number: s.number,
        url: s.url.clone(),
        state,
        checks: Checks::from_rollup(s.checks.as_deref()),
        mergeable,
        review: Review::from_decision(s.review_decision.as_deref()),
        age_days: (now - s.created_at).num_days().max(0),
    }
}

fn forge_failure(e: &ForgeError) -> RepoFailure {
    let kind = match e.kind {
        ErrorKind::NotFound | ErrorKind::Moved => FailureKind::NotFound,
        ErrorKind::Unauthorized | ErrorKind::Forbidden | ErrorKind::NotInstalled => {
            FailureKind::Auth
        }
        ErrorKind::Setup => FailureKind::Io,
        ErrorKind::Decode | ErrorKind::Invalid => FailureKind::Internal,
        ErrorKind::RateLimited | ErrorKind::Unavailable | ErrorKind::Ambiguous => {
            FailureKind::Network
        }
    };
    RepoFailure::new(kind, e.to_string())
}

/// Compliance of one checkout, or why it was not measured.
#[derive(Debug, Clone, Default)]
struct Measured {
    compliant: Option<bool>,
    at: Option<DateTime<Utc>>,
    changes: Option<usize>,
    errors: Option<usize>,
    error: Option<RepoFailure>,
}

/// Plans and checks every synced target (nothing is written), in target order.
fn compliance(options: &StatusOptions<'_>) -> Result<Vec<Measured>, Error> {
    let fleet = options.fleet;
    let mut measured: Vec<Measured> = options
        .targets
        .iter()
        .map(|t| Measured {
            at: measured_at(t, options.now),
            ..Measured::default()
        })
        .collect();
    let synced: Vec<usize> = (0..options.targets.len())
        .filter(|&i| measured[i].at.is_some())
        .collect();
    if synced.is_empty() {
        return Ok(measured);
    }
    let targets: Vec<Target> = synced.iter().map(|&i| options.targets[i].clone()).collect();
    let plans = plan(&PlanContext {
        fleet,
        targets: &targets,
        write: false,
    });
    let checks = check(&CheckContext {
        fleet,
        targets: &targets,
        data_dir: None,
        trivy_reports: &[],
        now: options.now,
    })?;
    for ((&i, planned), checked) in synced.iter().zip(&plans.repos).zip(&checks.repos) {
        let m = &mut measured[i];
        if let Some(e) = planned.error.as_ref().or(checked.error.as_ref()) {
            m.error = Some(e.clone());
            continue;
        }
        let unusable = planned.findings.iter().any(|f| f.rule == UNUSABLE_FILE.id);
        let errors = checked
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        m.changes = Some(planned.changes.len());
        m.errors = Some(errors);
        m.compliant = Some(planned.changes.is_empty() && !unusable && errors == 0);
    }
    Ok(measured)
}

/// When the target's checkout was measured: a directory used in place is measured now; a
/// synced checkout as of its last sync; `None` when there is no checkout.
fn measured_at(target: &Target, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let local = target
        .repo
        .as_ref()
        .is_some_and(|r| matches!(r.source, Source::Local { .. }));
    if !target.root.is_dir() {
        return None;
    }
    if local {
        return Some(now);
    }
    last_synced(&target.root)
}

/// When `drydock sync` last fetched the checkout at `root`: the time of `.git/FETCH_HEAD`
/// (every fetch rewrites it, also when nothing changed), else the newest entry of HEAD's reflog.
/// `None` for a directory that is not a git checkout.
pub fn last_synced(root: &Path) -> Option<DateTime<Utc>> {
    let git_dir = root.join(".git");
    // Not followed: a symlinked FETCH_HEAD is nothing sync wrote.
    if let Ok(meta) = std::fs::symlink_metadata(git_dir.join("FETCH_HEAD"))
        && meta.is_file()
        && let Ok(modified) = meta.modified()
    {
        return Some(DateTime::<Utc>::from(modified));
    }
    let repo = git2::Repository::open(root).ok()?;
    let reflog = repo.reflog("HEAD").ok()?;
    let newest = reflog
        .iter()
        .map(|e| e.committer().when().seconds())
        .max()?;
    DateTime::from_timestamp(newest, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forge::memory::{MemoryForge, PullFacts, repo};
    use crate::forge::{Forge, NewPullRequest};

    fn fleet(dir: &Path, names: &[&str]) -> Fleet {
        let mut text = String::from("[fleet]\nworkspace = \"ws\"\n");
        for n in names {
            text.push_str(&format!("\n[[repo]]\nname = \"{n}\"\n"));
        }
        let file = dir.join("fleet.toml");
        std::fs::write(&file, &text).unwrap();
        Fleet::load(&file).unwrap()
    }

    fn open(forge: &MemoryForge, name: &str, draft: bool) -> u64 {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let new = NewPullRequest {
            head: crate::proposal::DEFAULT_BRANCH.into(),
            base: "main".into(),
            title: "t".into(),
            body: String::new(),
            draft,
        };
        runtime
            .block_on(forge.create_pull_request(name, &new))
            .unwrap()
            .number
    }

    #[test]
    fn every_state_from_the_forge() {
        let dir = tempfile::tempdir().unwrap();
        let names = [
            "acme/open",
            "acme/draft",
            "acme/merged",
            "acme/closed",
            "acme/none",
            "acme/gone",
        ];
        let fleet = fleet(dir.path(), &names);
        let mut forge = MemoryForge::new();
        for n in &names[..5] {
            forge = forge.with_repo(repo(n));
        }
        let now = Utc::now();
        let n = open(&forge, "acme/open", false);
        forge.set_pull_facts(
            "acme/open",
            n,
            PullFacts {
                mergeable: Some(false),
                checks: Some("FAILURE".into()),
                review_decision: Some("CHANGES_REQUESTED".into()),
                created_at: Some(now - chrono::Duration::days(4)),
                ..PullFacts::default()
            },
        );
        open(&forge, "acme/draft", true);
        let n = open(&forge, "acme/merged", false);
        forge.set_pull_facts(
            "acme/merged",
            n,
            PullFacts {
                merged: true,
                ..PullFacts::default()
            },
        );
        let n = open(&forge, "acme/closed", false);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime
            .block_on(forge.update_pull_request(
                "acme/closed",
                n,
                &crate::forge::PullRequestUpdate {
                    close: true,
                    ..Default::default()
                },
            ))
            .unwrap();
        let targets = super::super::targets(&fleet, &super::super::Selection::default()).unwrap();
        let outcome = run(
            &forge,
            &StatusOptions {
                fleet: &fleet,
                targets: &targets,
                now,
            },
        )
        .unwrap();
        let words: Vec<&str> = outcome
            .report
            .repos
            .iter()
            .map(StatusRow::state_word)
            .collect();
        assert_eq!(
            words,
            ["open", "draft", "merged", "declined", "none", "unreadable"]
        );
        let open_row = &outcome.report.repos[0];
        let pr = open_row.pr.as_ref().unwrap();
        assert_eq!(
            (pr.checks, pr.mergeable, pr.review, pr.age_days),
            (
                Checks::Failure,
                Some(false),
                Some(Review::ChangesRequested),
                4
            )
        );
        assert_eq!(
            open_row.attention,
            [
                Attention::FailingChecks,
                Attention::Conflict,
                Attention::Blocked
            ]
        );
        assert_eq!(open_row.compliant, None, "not synced");
        assert_eq!(open_row.measured_at, None);
        let gone = &outcome.report.repos[5];
        assert_eq!(gone.error.as_ref().unwrap().kind, FailureKind::NotFound);
        assert_eq!(outcome.cost.requests, 1);
        assert_eq!(outcome.report.counts.needs_human, 2);
    }

    #[test]
    fn a_checkout_is_measured_as_of_its_last_fetch() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(last_synced(dir.path()), None);
        let repo = git2::Repository::init(dir.path()).unwrap();
        drop(repo);
        let fetch_head = dir.path().join(".git/FETCH_HEAD");
        std::fs::write(&fetch_head, "").unwrap();
        let when =
            std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000);
        std::fs::File::options()
            .write(true)
            .open(&fetch_head)
            .unwrap()
            .set_modified(when)
            .unwrap();
        assert_eq!(
            last_synced(dir.path()),
            DateTime::from_timestamp(1_800_000_000, 0)
        );
    }
}
