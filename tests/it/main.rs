//! The integration tests, one binary (linked once, run in parallel), one module per area. Every
//! run of the binary goes through [`support::drydock`]; inputs live in tests/corpus and
//! tests/fixtures, insta snapshots in tests/it/snapshots.

mod support;

mod bump;
mod check;
mod dependabot_generate;
mod dependabot_validate;
mod discover;
mod docker_parse;
mod exit_status;
mod forge;
mod registry;
mod rendered_findings;
mod scan;
mod sync;
mod workflow;
