//! What drydock proposes to one repository: the `[apply]` settings (branch, commit identity and
//! message, pull-request metadata), and (pure, from contents) the commit and pull request that
//! carry a plan. `app::apply` does the I/O; this module only decides what to send.

pub mod config;

pub use config::{ApplySection, ApplySettings, CommitMode, Identity, RepoApplySection};

/// The branch drydock's pull requests come from, unless `[apply] branch` says otherwise.
pub const DEFAULT_BRANCH: &str = "drydock/policy";
