//! Step 2: what is there now. One [`Forge::observe`] call for every repository (GraphQL, 50 a
//! query), skipped for a repository with nothing planned whose last run left no pull request
//! open (a compliant fleet's rerun reads nothing). Then, per repository, whose commit drydock's
//! branch head is: known from the journal when drydock left it there, else read from the
//! checkout (fetched if need be): drydock's own carries the `Drydock-Content:` trailer and the
//! configured author (with `[apply] commit = "api"`, GitHub sets the author).

use std::collections::BTreeMap;

use super::decide::Branch;
use super::engine::Engine;
use super::fetch::Planned;
use super::journal::Known;
use crate::forge::{Forge, Observation};
use crate::git::commit::{CommitFacts, facts, fetch_branch};
use crate::proposal::marker::read_trailer;
use crate::proposal::{ApplySettings, CommitMode};
use crate::repo::RepoFailure;

/// Observes `repos` (`(name, branch)`) in bulk; a failed query fails the repositories it named,
/// with its error, and no other.
pub fn observe_all<F: Forge>(
    engine: &Engine<'_, F>,
    repos: &[(String, String)],
) -> BTreeMap<String, Result<Observation, String>> {
    if repos.is_empty() {
        return BTreeMap::new();
    }
    match engine.runtime.block_on(engine.forge.observe(repos)) {
        Ok(found) => repos
            .iter()
            .map(|(name, _)| {
                let observed = found.get(name).cloned().unwrap_or(Observation {
                    missing: true,
                    ..Observation::default()
                });
                (name.clone(), Ok(observed))
            })
            .collect(),
        Err(e) => {
            let message = e.to_string().replace("\n  help: ", "; ");
            repos
                .iter()
                .map(|(name, _)| (name.clone(), Err(message.clone())))
                .collect()
        }
    }
}

/// Whose commit drydock's branch head is.
pub fn branch_state(
    engine_auth: &crate::git::Auth,
    planned: &Planned,
    head: Option<&str>,
    known: &Known,
) -> Result<Branch, RepoFailure> {
    let Some(sha) = head else {
        return Ok(Branch::Absent);
    };
    if sha == planned.tip {
        // A branch created at the tip, its commit not made yet (the API mode's first step).
        return Ok(Branch::Ours {
            hash: None,
            parent: None,
        });
    }
    if known.branch_sha.as_deref() == Some(sha) {
        return Ok(Branch::Ours {
            hash: known.hash.clone(),
            parent: known.parent.clone(),
        });
    }
    let read = match facts(&planned.checkout, sha) {
        Some(f) => f,
        None => {
            fetch_branch(
                &planned.checkout,
                &planned.url,
                &planned.settings.branch,
                engine_auth,
            )?;
            match facts(&planned.checkout, sha) {
                Some(f) => f,
                // The branch moved again between the observation and the fetch.
                None => {
                    return Err(RepoFailure::new(
                        crate::repo::FailureKind::Git,
                        format!(
                            "drydock's branch {} moved while apply read it; run apply again",
                            planned.settings.branch
                        ),
                    ));
                }
            }
        }
    };
    Ok(classify(&read, &planned.settings))
}

/// drydock's own commit, or someone else's.
pub fn classify(commit: &CommitFacts, settings: &ApplySettings) -> Branch {
    let hash = read_trailer(&commit.message);
    let author_ok = settings.commit == CommitMode::Api
        || commit
            .author
            .email
            .eq_ignore_ascii_case(&settings.author.email);
    if hash.is_some() && author_ok && commit.parents.len() == 1 {
        Branch::Ours {
            hash,
            parent: commit.parents.first().cloned(),
        }
    } else {
        Branch::Foreign {
            sha: commit.sha.clone(),
            author: format!("{} <{}>", commit.author.name, commit.author.email),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::commit::Person;

    fn commit(message: &str, email: &str, parents: usize) -> CommitFacts {
        CommitFacts {
            sha: "abc".into(),
            parents: (0..parents).map(|i| format!("p{i}")).collect(),
            author: Person {
                name: "Jo".into(),
                email: email.into(),
            },
            message: message.into(),
        }
    }

    #[test]
    fn drydocks_commit_has_the_trailer_the_author_and_one_parent() {
        let settings = crate::proposal::ApplySection::default().settings_for(None);
        let me = settings.author.email.clone();
        let hash = "ab12".repeat(16);
        let trailer = format!("m\n\nDrydock-Content: {hash}\n");
        let ours = commit(&trailer, &me, 1);
        assert_eq!(
            classify(&ours, &settings),
            Branch::Ours {
                hash: Some(hash.clone()),
                parent: Some("p0".into())
            }
        );
        for (what, c) in [
            ("no trailer", commit("fix\n", &me, 1)),
            (
                "a trailer drydock does not write",
                commit("m\n\nDrydock-Content: ab12\n", &me, 1),
            ),
            ("another author", commit(&trailer, "jo@x", 1)),
            ("a merge", commit(&trailer, &me, 2)),
        ] {
            assert!(
                matches!(classify(&c, &settings), Branch::Foreign { .. }),
                "{what}"
            );
        }
    }
}
