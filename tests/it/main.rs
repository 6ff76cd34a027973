//! The integration tests, one binary (linked once, run in parallel), one module per area. Every
//! run of the binary goes through [`support::drydock`]; inputs live in tests/corpus and
//! tests/fixtures, insta snapshots in tests/it/snapshots.

mod support;

mod apply;
mod apply_faults;
mod apply_kill;
mod bump;
mod check;
mod data_update;
mod dependabot_generate;
mod dependabot_validate;
mod discover;
mod docker_parse;
mod exit_status;
mod fleet_workflow;
mod forge;
mod help;
mod hostile_git;
mod hostile_input;
mod hostile_registry;
mod hostile_repo;
mod onboard;
mod path_config;
mod plan_output;
mod policy_verdicts;
mod registry;
mod release;
mod rendered_findings;
mod report_html;
mod sarif_docs;
mod scan;
mod shard;
mod shard_forge;
mod status;
mod sync;
mod sync_app;
mod sync_kill;
mod workflow;
