//! Step 4: drydock's commit, built in the synced checkout's object database (git2): the
//! default branch's tip tree plus exactly the planned files, parent = that tip, author,
//! committer and message from `[apply]` and the rendered proposal (whose message ends with the
//! `Drydock-Content:` trailer). The worktree and its branches are not touched.

use super::fetch::Planned;
use crate::git::commit::{NewCommit, Person, build};
use crate::proposal::Identity;
use crate::repo::RepoFailure;

fn person(id: &Identity) -> Person {
    Person {
        name: id.name.clone(),
        email: id.email.clone(),
    }
}

/// Builds the commit; returns its SHA.
pub fn make(planned: &Planned, message: &str) -> Result<String, RepoFailure> {
    let files: Vec<(String, Vec<u8>)> = planned
        .files
        .iter()
        .map(|(p, c)| (p.clone(), c.as_bytes().to_vec()))
        .collect();
    build(
        &planned.checkout,
        &NewCommit {
            parent: &planned.tip,
            files: &files,
            author: &person(&planned.settings.author),
            committer: &person(&planned.settings.committer),
            message,
            branch: &planned.settings.branch,
        },
    )
}
