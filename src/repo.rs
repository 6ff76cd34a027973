//! Leaf types about one fleet repository that every layer passes around: its name
//! ([`RepoName`], `owner/repo`) and why working on it failed ([`RepoFailure`], a kind a program
//! can match on plus the words people read). Imports nothing from drydock.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

/// A GitHub repository name, `owner/repo`. Serialised and displayed as `owner/repo`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RepoName {
    pub owner: String,
    pub repo: String,
}

/// Why a string is not an `owner/repo` name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not of the form owner/repo")]
pub struct BadRepoName(pub String);

impl FromStr for RepoName {
    type Err = BadRepoName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once('/') {
            Some((owner, repo)) if !owner.is_empty() && !repo.is_empty() && !repo.contains('/') => {
                Ok(RepoName {
                    owner: owner.to_string(),
                    repo: repo.to_string(),
                })
            }
            _ => Err(BadRepoName(s.to_string())),
        }
    }
}

impl fmt::Display for RepoName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner, self.repo)
    }
}

impl Serialize for RepoName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// What kind of trouble stopped drydock working on a repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// The fleet repository has no checkout yet: `drydock sync` first.
    NotSynced,
    /// The repository, its branch or its directory does not exist.
    NotFound,
    /// The server refused the credentials.
    Auth,
    /// The server could not be reached, or the connection broke.
    Network,
    /// The server's TLS certificate was rejected.
    Tls,
    /// libgit2 has no transport for the URL.
    UnsupportedUrl,
    /// Any other git error.
    Git,
    /// Reading or writing local files failed.
    Io,
    /// A template could not be loaded or rendered.
    Template,
    /// drydock itself failed (a panic while working on this repository): a bug.
    Internal,
}

/// Why one repository could not be worked on. `message` is what people read, whole (it names
/// the kind in words where that helps); `kind` is for programs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoFailure {
    pub kind: FailureKind,
    pub message: String,
}

impl RepoFailure {
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        RepoFailure {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for RepoFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RepoFailure {}

/// Serialised as its message, the string reports have always carried under `error`.
impl Serialize for RepoFailure {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_names_parse_and_print_as_owner_slash_repo() {
        let name: RepoName = "acme/api".parse().unwrap();
        assert_eq!((name.owner.as_str(), name.repo.as_str()), ("acme", "api"));
        assert_eq!(name.to_string(), "acme/api");
        assert_eq!(serde_json::to_string(&name).unwrap(), "\"acme/api\"");
        for bad in ["acme", "/api", "acme/", "a/b/c", ""] {
            assert!(bad.parse::<RepoName>().is_err(), "{bad}");
        }
    }

    #[test]
    fn failures_serialise_as_their_message() {
        let f = RepoFailure::new(FailureKind::NotSynced, "not synced");
        assert_eq!(serde_json::to_string(&f).unwrap(), "\"not synced\"");
        assert_eq!(
            serde_json::to_string(&FailureKind::UnsupportedUrl).unwrap(),
            "\"unsupported-url\""
        );
    }
}
