//! The words `apply` sends: the pull request's title and body, the commit message, the content
//! hash and its two carriers (the hidden marker at the end of the body, the `Drydock-Content:`
//! trailer of the commit message), and the comment that explains a close. The one place `apply`
//! turns a plan into text, so the proposal module's renderer plugs in here alone.

use sha2::{Digest, Sha256};

use crate::plan::RepoPlan;
use crate::proposal::ApplySettings;

/// The trailer by which `apply` recognises its own commits.
pub const TRAILER: &str = "Drydock-Content";

/// What one repository's proposal reads like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub title: String,
    /// Ends with the content marker.
    pub body: String,
    /// Ends with the `Drydock-Content:` trailer.
    pub commit_message: String,
    pub content_hash: String,
}

/// The hash of drydock's content: sha256 over the sorted paths and contents.
pub fn content_hash(files: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = files.iter().collect();
    sorted.sort();
    let mut hasher = Sha256::new();
    for (path, contents) in sorted {
        hasher.update(path.as_bytes());
        hasher.update([0]);
        hasher.update(contents.len().to_le_bytes());
        hasher.update(contents.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The hidden marker in a pull request body.
pub fn marker(hash: &str) -> String {
    format!("<!-- drydock:content={hash} -->")
}

/// The hash a pull request body's marker carries.
pub fn read_marker(body: &str) -> Option<String> {
    let start = body.rfind("<!-- drydock:content=")? + "<!-- drydock:content=".len();
    let rest = &body[start..];
    let end = rest.find(" -->")?;
    let hash = &rest[..end];
    hash.chars()
        .all(|c| c.is_ascii_hexdigit())
        .then(|| hash.to_string())
}

/// The hash a commit message's trailer carries.
pub fn read_trailer(message: &str) -> Option<String> {
    message.lines().rev().find_map(|line| {
        let value = line.strip_prefix(TRAILER)?.strip_prefix(':')?.trim();
        (!value.is_empty() && value.chars().all(|c| c.is_ascii_hexdigit()))
            .then(|| value.to_string())
    })
}

/// Title, body and commit message of one repository's proposal.
pub fn render(
    repo: &str,
    default_branch: &str,
    settings: &ApplySettings,
    plan: &RepoPlan,
) -> Rendered {
    let files = super::planned_files(plan);
    let hash = content_hash(&files);
    let title = settings.message.clone();
    let mut body = String::new();
    body.push_str(&format!(
        "drydock keeps the container base-image policy in every repository of the fleet; this pull request brings `{repo}` in line with it"
    ));
    match &settings.policy_url {
        Some(url) => body.push_str(&format!(" ([the policy]({url})).\n\n")),
        None => body.push_str(".\n\n"),
    }
    body.push_str("### What changes\n\n| file | change | why |\n|---|---|---|\n");
    for change in &plan.changes {
        let action = match change.action {
            crate::plan::Action::Create => "created",
            crate::plan::Action::Update => "updated",
        };
        body.push_str(&format!(
            "| `{}` | {action} | {} |\n",
            change.path,
            change.reasons.join("; ").replace('|', "\\|")
        ));
    }
    body.push_str("\n<details><summary>The diff</summary>\n\n");
    for change in &plan.changes {
        body.push_str(&format!("```diff\n{}```\n\n", change.diff));
    }
    body.push_str("</details>\n\n");
    let human: Vec<&crate::finding::Finding> = plan.findings.iter().collect();
    if !human.is_empty() {
        body.push_str("### Needs a person\n\ndrydock does not rewrite these:\n\n");
        for f in human {
            body.push_str(&format!("- `{}`: {} ({})\n", f.path, f.message, f.rule));
        }
        body.push('\n');
    }
    body.push_str(&format!(
        "### After merging\n\nDependabot opens update pull requests on its schedule. drydock opens a new pull request from `{}` into `{default_branch}` only when the policy's files drift again; closing this one unmerged declines it until its content changes.\n\n",
        settings.branch
    ));
    body.push_str(&marker(&hash));
    body.push('\n');
    let mut commit_message = format!("{}\n\n", settings.message);
    for change in &plan.changes {
        commit_message.push_str(&format!(
            "- {}: {}\n",
            change.path,
            change.reasons.join("; ")
        ));
    }
    commit_message.push('\n');
    if settings.signoff {
        commit_message.push_str(&format!(
            "Signed-off-by: {} <{}>\n",
            settings.author.name, settings.author.email
        ));
    }
    commit_message.push_str(&format!("{TRAILER}: {hash}\n"));
    Rendered {
        title,
        body,
        commit_message,
        content_hash: hash,
    }
}

/// The comment drydock leaves when it closes its pull request because the plan became empty.
pub fn close_comment(default_branch: &str, tip: &str) -> String {
    format!(
        "drydock closes this pull request: `{default_branch}` (at {}) already has everything it proposed, so there is nothing left to merge. If the policy's files drift again, drydock opens a new pull request.",
        &tip[..tip.len().min(12)]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_and_the_trailer_carry_the_hash() {
        let files = vec![("a".to_string(), "x".to_string())];
        let hash = content_hash(&files);
        assert_eq!(
            read_marker(&format!("body\n\n{}\n", marker(&hash))),
            Some(hash.clone())
        );
        assert_eq!(
            read_trailer(&format!("m\n\n{TRAILER}: {hash}\n")),
            Some(hash.clone())
        );
        assert_eq!(read_trailer("m\n\nno trailer\n"), None);
        assert_ne!(content_hash(&[("a".into(), "y".into())]), hash);
        // Path and contents are framed: moving a byte between them changes the hash.
        assert_ne!(
            content_hash(&[("ab".into(), "c".into())]),
            content_hash(&[("a".into(), "bc".into())])
        );
    }
}
