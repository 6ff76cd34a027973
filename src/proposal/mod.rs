//! What drydock proposes to one repository: the `[apply]` settings (branch, commit identity and
//! message, pull-request metadata), and (pure, from contents) the commit and pull request that
//! carry a plan: [`render`] gives the title, body and commit message, [`marker`] the content
//! hash that ties them to the planned files. `app::apply` does the I/O; this module only
//! decides what to send.

pub mod config;
mod markdown;
pub mod marker;
mod render;

pub use config::{ApplySection, ApplySettings, CommitMode, Identity, RepoApplySection};
pub use render::{BODY_BUDGET, GITHUB_BODY_LIMIT, Input, RenderError, Rendered, TEMPLATE, render};

/// The branch drydock's pull requests come from, unless `[apply] branch` says otherwise.
pub const DEFAULT_BRANCH: &str = "drydock/policy";
