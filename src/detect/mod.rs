//! Ecosystem and container-file detection: given the files of a repository, which Dependabot
//! package ecosystems live in which directories, and where the Dockerfiles and compose files are.
//!
//! The core works on a list of repository-relative paths plus a way to read a few of them
//! (workspace manifests); walking the tree on disk is done by [`walk`] at the edge.

mod ecosystem;

pub use ecosystem::Ecosystem;

use serde::Serialize;

/// An ecosystem configured at a directory, in Dependabot's form (`/`, `/web`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct EcosystemDir {
    pub ecosystem: Ecosystem,
    pub directory: String,
}

/// A file found by the scan, relative to the repository root, `/`-separated.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct FoundFile {
    pub path: String,
}

/// What a repository contains, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RepoScan {
    pub ecosystems: Vec<EcosystemDir>,
    pub dockerfiles: Vec<FoundFile>,
    pub compose_files: Vec<FoundFile>,
}
