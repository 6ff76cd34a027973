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

impl RepoApplySection {
    /// Checks the keys a repository may override; `section` names the table in messages.
    pub fn check(&self, section: &str) -> Result<(), Rejected> {
        check_people(
            [
                ("labels", &self.labels),
                ("assignees", &self.assignees),
                ("reviewers", &self.reviewers),
                ("team_reviewers", &self.team_reviewers),
            ],
            section,
        )
    }
}

/// What GitHub accepts in each list of names: labels (any text up to 50 characters, which may
/// contain spaces), logins (assignees, reviewers: letters, digits, single hyphens not at either
/// end, up to 39 characters; `_` for Enterprise Managed Users' `_shortcode`), teams (a slug, or
/// `org/slug`). Commas are never allowed: GitHub's list filters split on them.
fn check_people(lists: [(&str, &Option<Vec<String>>); 4], section: &str) -> Result<(), Rejected> {
    for (key, names) in lists {
        for (index, name) in names.iter().flatten().enumerate() {
            let problem = match key {
                "labels" => label_problem(name),
                "team_reviewers" => team_problem(name),
                _ => login_problem(name),
            };
            if let Some((problem, help)) = problem {
                return Err(Rejected::new(
                    KeyPath::root().key(key).index(index),
                    format!("{section}: {key} entry {name:?} {problem}"),
                    help,
                ));
            }
        }
    }
    Ok(())
}

type Problem = Option<(&'static str, &'static str)>;

fn label_problem(label: &str) -> Problem {
    const HELP: &str = "write the label as it appears on GitHub, e.g. \"dependencies\"";
    if label.trim().is_empty() {
        Some(("is empty", HELP))
    } else if label.trim() != label {
        Some(("starts or ends with whitespace", HELP))
    } else if label.contains(',') {
        Some(("contains a comma", "give each label as its own list entry"))
    } else if label.chars().any(char::is_control) {
        Some(("contains a control character", HELP))
    } else if label.chars().count() > 50 {
        Some(("is longer than GitHub's 50 characters", HELP))
    } else {
        None
    }
}

fn login_problem(login: &str) -> Problem {
    const HELP: &str = "write the GitHub login alone, e.g. \"octocat\"";
    if login.is_empty() {
        Some(("is empty", HELP))
    } else if login.starts_with('@') {
        Some((
            "starts with @",
            "write the login without the @, e.g. \"octocat\"",
        ))
    } else if login.contains(',') {
        Some(("contains a comma", "give each login as its own list entry"))
    } else if login.chars().any(char::is_whitespace) {
        Some(("contains whitespace", HELP))
    } else if login.contains('/') {
        Some(("is a team", "request teams in team_reviewers"))
    } else if !login
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        || login.starts_with('-')
        || login.ends_with('-')
        || login.contains("--")
    {
        Some((
            "is not a GitHub login (letters, digits and single hyphens)",
            HELP,
        ))
    } else if login.len() > 39 && !login.contains('_') {
        Some(("is longer than GitHub's 39 characters", HELP))
    } else {
        None
    }
}

fn team_problem(team: &str) -> Problem {
    const HELP: &str = "write the team's slug, e.g. \"platform\" or \"acme/platform\"";
    if team.is_empty() {
        return Some(("is empty", HELP));
    }
    if team.starts_with('@') {
        return Some((
            "starts with @",
            "write the team without the @, e.g. \"acme/platform\"",
        ));
    }
    if team.contains(',') {
        return Some(("contains a comma", "give each team as its own list entry"));
    }
    if team.chars().any(char::is_whitespace) {
        return Some((
            "contains whitespace",
            "use the team's slug (as in its URL), not its display name",
        ));
    }
    let (org, slug) = team.split_once('/').unwrap_or(("", team));
    let slug_ok = !slug.is_empty()
        && slug
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    let org_ok = !team.contains('/') || login_problem(org).is_none();
    if !(slug_ok && org_ok) {
        return Some(("is not a team slug or \"org/slug\"", HELP));
    }
    None
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
                && (id.name.trim().is_empty()
                    || !id.email.contains('@')
                    || [&id.name, &id.email]
                        .iter()
                        .any(|v| v.chars().any(|c| c.is_control() || c == '<' || c == '>')))
            {
                return Err(Rejected::new(
                    KeyPath::root().key(key),
                    format!("{key} needs a name and an e-mail address (one line each, no < or >)"),
                    "for example { name = \"drydock\", email = \"drydock@example.com\" }",
                ));
            }
        }
        if let Some(url) = &self.policy_url
            && (!(url.starts_with("https://") || url.starts_with("http://"))
                || url.chars().any(|c| c.is_whitespace() || c.is_control()))
        {
            return Err(Rejected::new(
                KeyPath::root().key("policy_url"),
                "policy_url must be an http(s) URL without spaces",
                "link the policy every pull request explains, e.g. a POLICY.md on GitHub",
            ));
        }
        check_people(
            [
                ("labels", &self.labels),
                ("assignees", &self.assignees),
                ("reviewers", &self.reviewers),
                ("team_reviewers", &self.team_reviewers),
            ],
            "[apply]",
        )
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
    fn names_github_would_refuse_are_rejected_where_they_are() {
        let good = RepoApplySection {
            labels: Some(vec!["dependencies".into(), "good first issue".into()]),
            assignees: Some(vec![
                "octocat".into(),
                "mona-lisa".into(),
                "ada_acme".into(),
            ]),
            reviewers: Some(vec!["a1".into()]),
            team_reviewers: Some(vec!["platform".into(), "acme/dev-ops".into()]),
            draft: None,
        };
        good.check("[repo.apply] of \"acme/web\"").unwrap();
        let cases: [(&str, &str, &str); 16] = [
            ("labels", "", "is empty"),
            ("labels", " policy", "whitespace"),
            ("labels", "a,b", "comma"),
            ("labels", "a\nb", "control"),
            ("labels", &"x".repeat(51), "50"),
            ("assignees", "@octocat", "@"),
            ("assignees", "octo cat", "whitespace"),
            ("assignees", "a,b", "comma"),
            ("assignees", "-octo", "not a GitHub login"),
            ("assignees", "oc--to", "not a GitHub login"),
            ("reviewers", "acme/platform", "is a team"),
            ("reviewers", &"a".repeat(40), "39"),
            ("team_reviewers", "Platform Team", "whitespace"),
            ("team_reviewers", "acme/", "not a team slug"),
            ("team_reviewers", "/x", "not a team slug"),
            ("team_reviewers", "@acme/x", "@"),
        ];
        for (key, value, expect) in cases {
            let mut section = good.clone();
            let list = Some(vec!["fine".to_string(), value.to_string()]);
            match key {
                "labels" => section.labels = list,
                "assignees" => section.assignees = list,
                "reviewers" => section.reviewers = list,
                _ => section.team_reviewers = list,
            }
            let err = section.check("[repo.apply]").unwrap_err();
            assert!(
                err.message.contains(expect),
                "{key}={value:?}: {}",
                err.message
            );
            assert!(err.message.starts_with("[repo.apply]: "), "{}", err.message);
            assert_eq!(err.at, KeyPath::root().key(key).index(1), "{key}={value:?}");
            // The fleet-wide section applies the same rules.
            let fleet = ApplySection {
                labels: section.labels.clone(),
                assignees: section.assignees.clone(),
                reviewers: section.reviewers.clone(),
                team_reviewers: section.team_reviewers.clone(),
                ..Default::default()
            };
            assert!(fleet.validate().is_err(), "[apply] {key}={value:?}");
        }
    }

    #[test]
    fn the_fleet_file_reports_a_bad_repo_apply_at_its_line() {
        let text = "[apply]\nlabels = [\"policy\"]\n\n[[repo]]\nname = \"acme/web\"\n\n[[repo]]\nname = \"acme/api\"\n[repo.apply]\nreviewers = [\"ok\", \"@mona\"]\n";
        let e = crate::inventory::Fleet::parse(std::path::Path::new("/tmp/fleet.toml"), text)
            .expect_err("a login with @ is refused");
        assert_eq!((e.line, e.column), (10, 20), "{e}");
        assert!(
            e.message
                .starts_with("[repo.apply] of \"acme/api\": reviewers entry \"@mona\""),
            "{e}"
        );
        assert!(
            e.help.as_deref().unwrap_or("").contains("without the @"),
            "{e}"
        );
        let fleet_level = "[apply]\nteam_reviewers = [\"Dev Ops\"]\n";
        let e =
            crate::inventory::Fleet::parse(std::path::Path::new("/tmp/fleet.toml"), fleet_level)
                .expect_err("a team display name is refused");
        assert_eq!(e.line, 2, "{e}");
    }

    #[test]
    fn an_identity_must_fit_a_commit_header() {
        for (name, email) in [
            ("", "a@b"),
            ("Bot", "bot"),
            ("Bot\nEvil", "a@b"),
            ("Bot <x>", "a@b"),
            ("Bot", "a@b>"),
        ] {
            let section = ApplySection {
                author: Some(Identity {
                    name: name.into(),
                    email: email.into(),
                }),
                ..Default::default()
            };
            assert!(section.validate().is_err(), "{name:?} {email:?}");
        }
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
