//! What went wrong talking to the forge, said so a person can act on it: the repository (or
//! owner), the operation, GitHub's status and message, and what to do ("the token lacks
//! `pull_requests: write` on acme/web", "the App is not installed on acme").

use std::fmt;

/// The operations drydock performs, with the permission each needs (GitHub App names; a classic
/// token needs the `repo` scope, `workflow` for workflow files).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    GetRepository,
    ListRepositories,
    CustomProperties,
    FindPullRequest,
    CreatePullRequest,
    UpdatePullRequest,
    AddLabels,
    RequestReviewers,
    PullRequestStatus,
    CreateBranch,
    CreateCommit,
    LookUpRepositories,
    FindInstallation,
    MintInstallationToken,
    Observe,
    UpdateBranch,
    DeleteBranch,
    Comment,
    AddAssignees,
}

impl Operation {
    pub fn describe(self) -> &'static str {
        match self {
            Operation::GetRepository => "read the repository",
            Operation::ListRepositories => "list the repositories",
            Operation::CustomProperties => "read the custom property values",
            Operation::FindPullRequest => "look up the pull request",
            Operation::CreatePullRequest => "create the pull request",
            Operation::UpdatePullRequest => "update the pull request",
            Operation::AddLabels => "add labels",
            Operation::RequestReviewers => "request reviewers",
            Operation::PullRequestStatus => "read pull request status",
            Operation::CreateBranch => "create the branch",
            Operation::CreateCommit => "create the commit",
            Operation::LookUpRepositories => "look up fleet repositories",
            Operation::FindInstallation => "find the App's installation",
            Operation::MintInstallationToken => "get an installation token",
            Operation::Observe => "observe drydock's branches and pull requests",
            Operation::UpdateBranch => "move the branch",
            Operation::DeleteBranch => "delete the branch",
            Operation::Comment => "comment on the pull request",
            Operation::AddAssignees => "add assignees",
        }
    }

    /// The GitHub App permission the operation needs.
    pub fn permission(self) -> &'static str {
        match self {
            Operation::GetRepository
            | Operation::ListRepositories
            | Operation::LookUpRepositories => "metadata: read",
            Operation::CustomProperties => "organization_custom_properties: read",
            Operation::FindPullRequest | Operation::PullRequestStatus | Operation::Observe => {
                "pull_requests: read"
            }
            Operation::CreatePullRequest
            | Operation::UpdatePullRequest
            | Operation::AddLabels
            | Operation::RequestReviewers
            | Operation::Comment
            | Operation::AddAssignees => "pull_requests: write",
            Operation::CreateBranch
            | Operation::CreateCommit
            | Operation::UpdateBranch
            | Operation::DeleteBranch => "contents: write",
            Operation::FindInstallation | Operation::MintInstallationToken => "the App's key",
        }
    }
}

/// Which kind of failure, for callers that decide what to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The credentials were refused (401).
    Unauthorized,
    /// Authenticated, not allowed (403 without a rate limit).
    Forbidden,
    NotFound,
    /// GitHub answered with a redirect, which drydock does not follow (the token stays on
    /// the API's host).
    Moved,
    /// GitHub refused the request's content (422, 400).
    Invalid,
    /// A rate limit that drydock would not (or could no longer) wait out.
    RateLimited,
    /// 5xx, a reset connection or a timeout on a request that is safe to repeat, after retries.
    Unavailable,
    /// A request that creates or changes something failed in a way that does not say whether it
    /// took effect (timeout, reset, 5xx): look before trying again.
    Ambiguous,
    /// The App has no installation on the owner.
    NotInstalled,
    /// drydock's own set-up: no token, an unreadable key, a URL on another host.
    Setup,
    /// GitHub answered something drydock cannot read.
    Decode,
}

/// One failed forge operation.
#[derive(Debug, Clone, thiserror::Error)]
pub struct ForgeError {
    pub kind: ErrorKind,
    pub operation: Operation,
    /// `owner/repo`, or the owner alone.
    pub target: Option<String>,
    pub status: Option<u16>,
    /// GitHub's message, or the transport's.
    pub message: String,
    /// What to do.
    pub hint: Option<String>,
}

impl ForgeError {
    pub fn new(kind: ErrorKind, operation: Operation, message: impl Into<String>) -> Self {
        ForgeError {
            kind,
            operation,
            target: None,
            status: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn on(mut self, target: Option<&str>) -> Self {
        self.target = target.map(str::to_string);
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// An error answer of GitHub's, classified, with the hint for its operation.
    pub fn from_status(
        operation: Operation,
        target: Option<&str>,
        status: u16,
        message: &str,
    ) -> Self {
        let on = target.unwrap_or("the owner");
        let (kind, hint) = match status {
            401 => (
                ErrorKind::Unauthorized,
                "GitHub refused the credentials: check GITHUB_TOKEN / GH_TOKEN (or the App's id and key) and that they have not expired".to_string(),
            ),
            403 if message.contains("archived") => (
                ErrorKind::Forbidden,
                format!("{on} is archived and read-only: unarchive it or mark its fleet entry `skip = true`"),
            ),
            403 => (
                ErrorKind::Forbidden,
                format!("the token lacks `{}` on {on}", operation.permission()),
            ),
            404 => (
                ErrorKind::NotFound,
                format!(
                    "{on} does not exist or the token cannot see it (it needs `{}`)",
                    operation.permission()
                ),
            ),
            400 | 422 => (
                ErrorKind::Invalid,
                "GitHub refused the request's content; the message says why".to_string(),
            ),
            s if s >= 500 => (
                ErrorKind::Unavailable,
                "GitHub is failing; try again later".to_string(),
            ),
            _ => (ErrorKind::Decode, "unexpected answer from GitHub".to_string()),
        };
        ForgeError {
            kind,
            operation,
            target: target.map(str::to_string),
            status: Some(status),
            message: message.to_string(),
            hint: Some(hint),
        }
    }
}

impl fmt::Display for ForgeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot {}", self.operation.describe())?;
        if let Some(target) = &self.target {
            write!(f, " of {target}")?;
        }
        match self.status {
            Some(status) => write!(f, ": GitHub answered {status}: {}", self.message)?,
            None => write!(f, ": {}", self.message)?,
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  help: {hint}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_write_names_the_permission_and_the_repository() {
        let e = ForgeError::from_status(
            Operation::CreatePullRequest,
            Some("acme/web"),
            403,
            "Resource not accessible by integration",
        );
        assert_eq!(e.kind, ErrorKind::Forbidden);
        assert_eq!(
            e.to_string(),
            "cannot create the pull request of acme/web: GitHub answered 403: Resource not accessible by integration\n  help: the token lacks `pull_requests: write` on acme/web"
        );
    }
}
