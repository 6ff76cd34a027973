//! drydock: rolls a container base-image policy out across a fleet of repositories.
//!
//! The pipeline and where each concern lives is described in `ARCHITECTURE.md`.

// Only the command line prints (`cli` allows these); everything else returns what it has to say.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod app;
pub mod bump;
pub mod catalogue;
pub mod cli;
pub mod dependabot;
pub mod detect;
pub mod docker;
pub mod finding;
pub mod forge;
pub mod fs;
pub mod git;
pub mod inventory;
pub mod plan;
pub mod policy;
pub mod proposal;
pub mod registry;
pub mod repo;
pub mod report;
pub mod text;
pub mod workflow;

#[cfg(test)]
mod layers;
