//! The `[apply]` and `[repo.apply]` sections of fleet.toml as written, their validation, and the
//! [`ApplySettings`] of one repository they resolve to.

use serde::Deserialize;

use crate::text::{KeyPath, Rejected};

/// How drydock's commit reaches the branch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommitMode {
    /// A git2 push over the repository's URL (the default).
    #[default]
    Git,
    /// GraphQL `createCommitOnBranch`: GitHub signs the commit (Verified for an App).
    Api,
}

/// A git identity.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    pub name: String,
    pub email: String,
}

impl Default for Identity {
    fn default() -> Self {
        Identity {
            name: "drydock".into(),
            email: "drydock@users.noreply.github.com".into(),
        }
    }
}

/// The `[apply]` keys a repository may override in `[repo.apply]`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepoApplySection {
    pub labels: Option<Vec<String>>,
    pub assignees: Option<Vec<String>>,
    pub reviewers: Option<Vec<String>>,
    pub team_reviewers: Option<Vec<String>>,
    pub draft: Option<bool>,
}

/// `[apply]`: how compliance pull requests are made.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplySection {
    /// The branch drydock owns in every repository.
    pub branch: Option<String>,
    pub commit: Option<CommitMode>,
    pub author: Option<Identity>,
    /// Defaults to the author.
    pub committer: Option<Identity>,
    /// The commit message's first line.
    pub message: Option<String>,
    /// Appends `Signed-off-by: author` to the commit message.
    #[serde(default)]
    pub signoff: bool,
    /// Linked from every pull request body: the policy in full.
    pub policy_url: Option<String>,
    pub labels: Option<Vec<String>>,
    pub assignees: Option<Vec<String>>,
    pub reviewers: Option<Vec<String>>,
    pub team_reviewers: Option<Vec<String>>,
    pub draft: Option<bool>,
}

/// The apply settings of one repository: the fleet's `[apply]` overlaid with its `[repo.apply]`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApplySettings {
    pub branch: String,
    pub commit: CommitMode,
    pub author: Identity,
    pub committer: Identity,
    pub message: String,
    pub signoff: bool,
    pub policy_url: Option<String>,
    pub labels: Vec<String>,
    pub assignees: Vec<String>,
    pub reviewers: Vec<String>,
    pub team_reviewers: Vec<String>,
    pub draft: bool,
}

/// The commit message's first line unless `[apply] message` says otherwise.
pub const DEFAULT_MESSAGE: &str = "chore: apply the container base-image policy";

impl ApplySection {
    /// Checks the section as written.
    pub fn validate(&self) -> Result<(), Rejected> {
        if let Some(branch) = &self.branch {
            branch_problem(branch).map_err(|m| {
                Rejected::new(
                    KeyPath::root().key("branch"),
                    m,
                    "name a branch drydock alone writes to, such as \"drydock/policy\"",
                )
            })?;
        }
        if let Some(message) = &self.message
            && (message.trim().is_empty() || message.contains('\n'))
        {
            return Err(Rejected::new(
                KeyPath::root().key("message"),
                "message must be one non-empty line",
                "the first line of the commit message; drydock adds the details",
            ));
        }
        for (key, id) in [("author", &self.author), ("committer", &self.committer)] {
            if let Some(id) = id
                && (id.name.trim().is_empty() || !id.email.contains('@'))
            {
                return Err(Rejected::new(
                    KeyPath::root().key(key),
                    format!("{key} needs a name and an e-mail address"),
                    "for example { name = \"drydock\", email = \"drydock@example.com\" }",
                ));
            }
        }
        if let Some(url) = &self.policy_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err(Rejected::new(
                KeyPath::root().key("policy_url"),
                "policy_url must be an http(s) URL",
                "link the policy every pull request explains, e.g. a POLICY.md on GitHub",
            ));
        }
        Ok(())
    }

    /// The settings of one repository.
    pub fn settings_for(&self, over: Option<&RepoApplySection>) -> ApplySettings {
        let pick = |own: &Option<Vec<String>>, fleet: &Option<Vec<String>>| {
            own.clone().or_else(|| fleet.clone()).unwrap_or_default()
        };
        let none = RepoApplySection::default();
        let over = over.unwrap_or(&none);
        let author = self.author.clone().unwrap_or_default();
        ApplySettings {
            branch: self
                .branch
                .clone()
                .unwrap_or_else(|| super::DEFAULT_BRANCH.into()),
            commit: self.commit.unwrap_or_default(),
            committer: self.committer.clone().unwrap_or_else(|| author.clone()),
            author,
            message: self
                .message
                .clone()
                .unwrap_or_else(|| DEFAULT_MESSAGE.into()),
            signoff: self.signoff,
            policy_url: self.policy_url.clone(),
            labels: pick(&over.labels, &self.labels),
            assignees: pick(&over.assignees, &self.assignees),
            reviewers: pick(&over.reviewers, &self.reviewers),
            team_reviewers: pick(&over.team_reviewers, &self.team_reviewers),
            draft: over.draft.or(self.draft).unwrap_or(false),
        }
    }
}

/// Why a branch name cannot be drydock's branch (git's ref-name rules, and never a name people
/// use as a default branch).
fn branch_problem(branch: &str) -> Result<(), String> {
    let bad = branch.is_empty()
        || branch.starts_with('/')
        || branch.ends_with('/')
        || branch.ends_with(".lock")
        || branch.starts_with('-')
        || branch.contains("..")
        || branch.contains("//")
        || branch.contains("@{")
        || branch
            .chars()
            .any(|c| c.is_control() || " ~^:?*[\\".contains(c));
    if bad {
        return Err(format!("branch {branch:?} is not a valid git branch name"));
    }
    if matches!(branch, "main" | "master" | "develop" | "trunk" | "HEAD") {
        return Err(format!(
            "branch {branch:?} is a default branch name; drydock force-pushes its own branch"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_per_repo_overrides() {
        let fleet: ApplySection = toml::from_str(
            "labels = [\"policy\"]\ndraft = true\nauthor = { name = \"Bot\", email = \"bot@example.com\" }",
        )
        .unwrap();
        fleet.validate().unwrap();
        let plain = fleet.settings_for(None);
        assert_eq!(plain.branch, "drydock/policy");
        assert_eq!(plain.labels, ["policy"]);
        assert!(plain.draft);
        assert_eq!(plain.committer.name, "Bot");
        let over = RepoApplySection {
            labels: Some(vec![]),
            draft: Some(false),
            ..Default::default()
        };
        let own = fleet.settings_for(Some(&over));
        assert!(own.labels.is_empty());
        assert!(!own.draft);
    }

    #[test]
    fn a_default_branch_or_a_bad_ref_is_refused() {
        for branch in ["main", "a..b", "x y", "-x", "ref.lock", ""] {
            let section = ApplySection {
                branch: Some(branch.into()),
                ..Default::default()
            };
            assert!(section.validate().is_err(), "{branch}");
        }
    }
}
