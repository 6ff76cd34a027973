//! The decision, pure: from the plan, what was observed and the flags, the one thing to do with
//! a repository. The table (the tests below hold it row by row):
//!
//! | plan | drydock's newest PR | branch head | → |
//! |---|---|---|---|
//! | any | - | - (archived / not visible) | `Archived` / `Missing`: nothing sent |
//! | empty | open | drydock's | `Close` (with a comment saying why) |
//! | empty | merged | any | `Merged` (done) |
//! | empty | none, closed | any | `Nothing` |
//! | changes | any | someone else's commit | `Blocked`: never pushed to |
//! | changes | open, same hash | on the current tip | `Unchanged`: no write at all |
//! | changes | open, same hash | on an older tip | `Refresh { rebase }`: new commit, same body |
//! | changes | open, other hash | drydock's / none | `Refresh`: new commit, new title and body |
//! | changes | closed unmerged, same hash | any | `Declined` (`--reopen`: `Reopen`) |
//! | changes | closed unmerged, other hash | any | `Open`: a new PR |
//! | changes | merged | any | `Open`: drift after a merge gets a new PR |
//! | changes | none | drydock's, same hash, current tip | `Open { push: false }` (a crashed run's branch) |
//! | changes | none | none / other | `Open` |
//!
//! `--prune` adds the deletion of drydock's own branch to `Merged`, `Declined` and `Nothing`
//! after a closed pull request.

use crate::forge::PrState;

/// Whose commit drydock's branch head is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Branch {
    Absent,
    /// drydock's commit: the content hash of its trailer, and its parent.
    Ours {
        hash: Option<String>,
        parent: Option<String>,
    },
    /// Someone else's commit is the head.
    Foreign {
        sha: String,
        author: String,
    },
}

/// drydock's newest pull request, as far as the decision needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pull {
    pub number: u64,
    pub state: PrState,
    /// The hash in the body's marker.
    pub hash: Option<String>,
}

/// Everything the decision looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// The content hash of the planned files; `None`: nothing planned.
    pub planned: Option<String>,
    pub archived: bool,
    pub missing: bool,
    /// The default branch's head now.
    pub tip: String,
    pub branch: Branch,
    pub pull: Option<Pull>,
    pub reopen: bool,
    pub prune: bool,
}

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Nothing,
    Archived,
    Missing,
    Blocked {
        sha: String,
        author: String,
    },
    Close {
        number: u64,
    },
    Merged {
        number: u64,
    },
    Declined {
        number: u64,
    },
    Unchanged {
        number: u64,
    },
    /// A new commit on the open PR's branch; `rebase`: same content, so the body stays.
    Refresh {
        number: u64,
        rebase: bool,
    },
    Reopen {
        number: u64,
        push: bool,
    },
    Open {
        push: bool,
    },
}

/// The decision and whether to prune drydock's branch after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub action: Action,
    pub prune: bool,
}

/// Decides. Pure.
pub fn decide(facts: &Facts) -> Decision {
    let action = action(facts);
    let ours = matches!(facts.branch, Branch::Ours { .. });
    let closed_pr = facts
        .pull
        .as_ref()
        .is_some_and(|p| p.state != PrState::Open);
    let prune = facts.prune
        && ours
        && closed_pr
        && matches!(
            action,
            Action::Merged { .. } | Action::Declined { .. } | Action::Nothing
        );
    Decision { action, prune }
}

fn action(facts: &Facts) -> Action {
    if facts.missing {
        return Action::Missing;
    }
    if facts.archived {
        return Action::Archived;
    }
    let on_tip = |parent: &Option<String>| parent.as_deref() == Some(facts.tip.as_str());
    let Some(planned) = &facts.planned else {
        return match (&facts.pull, &facts.branch) {
            (Some(p), Branch::Foreign { sha, author }) if p.state == PrState::Open => {
                Action::Blocked {
                    sha: sha.clone(),
                    author: author.clone(),
                }
            }
            (Some(p), _) if p.state == PrState::Open => Action::Close { number: p.number },
            (Some(p), _) if p.state == PrState::Merged => Action::Merged { number: p.number },
            _ => Action::Nothing,
        };
    };
    if let Branch::Foreign { sha, author } = &facts.branch {
        return Action::Blocked {
            sha: sha.clone(),
            author: author.clone(),
        };
    }
    let same = |hash: &Option<String>| hash.as_deref() == Some(planned.as_str());
    match &facts.pull {
        Some(p) if p.state == PrState::Open => {
            let branch_current = match &facts.branch {
                Branch::Ours { hash, parent } => same(hash) && on_tip(parent),
                _ => false,
            };
            let branch_same_content =
                matches!(&facts.branch, Branch::Ours { hash, .. } if same(hash));
            if same(&p.hash) && branch_current {
                Action::Unchanged { number: p.number }
            } else {
                Action::Refresh {
                    number: p.number,
                    rebase: same(&p.hash) && branch_same_content,
                }
            }
        }
        Some(p) if p.state == PrState::Closed && same(&p.hash) => {
            if facts.reopen {
                let current = matches!(&facts.branch, Branch::Ours { hash, parent } if same(hash) && on_tip(parent));
                Action::Reopen {
                    number: p.number,
                    push: !current,
                }
            } else {
                Action::Declined { number: p.number }
            }
        }
        Some(_) => Action::Open { push: true },
        None => {
            let current = matches!(&facts.branch, Branch::Ours { hash, parent } if same(hash) && on_tip(parent));
            Action::Open { push: !current }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIP: &str = "t2";

    fn ours(hash: &str, parent: &str) -> Branch {
        Branch::Ours {
            hash: Some(hash.into()),
            parent: Some(parent.into()),
        }
    }

    fn pull(state: PrState, hash: &str) -> Option<Pull> {
        Some(Pull {
            number: 7,
            state,
            hash: Some(hash.into()),
        })
    }

    fn facts(planned: Option<&str>, branch: Branch, pull: Option<Pull>) -> Facts {
        Facts {
            planned: planned.map(str::to_string),
            archived: false,
            missing: false,
            tip: TIP.into(),
            branch,
            pull,
            reopen: false,
            prune: false,
        }
    }

    fn action_of(f: &Facts) -> Action {
        decide(f).action
    }

    #[test]
    fn the_table() {
        use Action as A;
        use PrState::{Closed, Merged, Open};
        let foreign = Branch::Foreign {
            sha: "f".into(),
            author: "Jo <jo@x>".into(),
        };
        let rows: Vec<(&str, Facts, Action)> = vec![
            (
                "nothing planned, no PR",
                facts(None, Branch::Absent, None),
                A::Nothing,
            ),
            (
                "plan empty, PR open: close",
                facts(None, ours("h", "t1"), pull(Open, "h")),
                A::Close { number: 7 },
            ),
            (
                "plan empty, merged: done",
                facts(None, ours("h", "t1"), pull(Merged, "h")),
                A::Merged { number: 7 },
            ),
            (
                "plan empty, closed: nothing",
                facts(None, ours("h", "t1"), pull(Closed, "h")),
                A::Nothing,
            ),
            (
                "plan empty, open with a foreign head: blocked",
                facts(None, foreign.clone(), pull(Open, "h")),
                A::Blocked {
                    sha: "f".into(),
                    author: "Jo <jo@x>".into(),
                },
            ),
            (
                "first rollout",
                facts(Some("h"), Branch::Absent, None),
                A::Open { push: true },
            ),
            (
                "rerun, same hash, current tip: unchanged",
                facts(Some("h"), ours("h", TIP), pull(Open, "h")),
                A::Unchanged { number: 7 },
            ),
            (
                "default branch moved: rebase",
                facts(Some("h"), ours("h", "t1"), pull(Open, "h")),
                A::Refresh {
                    number: 7,
                    rebase: true,
                },
            ),
            (
                "content changed: update",
                facts(Some("h2"), ours("h", TIP), pull(Open, "h")),
                A::Refresh {
                    number: 7,
                    rebase: false,
                },
            ),
            (
                "foreign commit: blocked",
                facts(Some("h"), foreign.clone(), pull(Open, "h")),
                A::Blocked {
                    sha: "f".into(),
                    author: "Jo <jo@x>".into(),
                },
            ),
            (
                "closed unmerged, same hash: declined",
                facts(Some("h"), ours("h", TIP), pull(Closed, "h")),
                A::Declined { number: 7 },
            ),
            (
                "closed unmerged, new content: new PR",
                facts(Some("h2"), ours("h", TIP), pull(Closed, "h")),
                A::Open { push: true },
            ),
            (
                "merged, drift: new PR",
                facts(Some("h"), ours("h", "t1"), pull(Merged, "h")),
                A::Open { push: true },
            ),
            (
                "crashed run: branch without PR",
                facts(Some("h"), ours("h", TIP), None),
                A::Open { push: false },
            ),
            (
                "stale branch without PR",
                facts(Some("h"), ours("h", "t1"), None),
                A::Open { push: true },
            ),
            (
                "PR open, branch deleted: push again",
                facts(Some("h"), Branch::Absent, pull(Open, "h")),
                A::Refresh {
                    number: 7,
                    rebase: false,
                },
            ),
        ];
        for (what, f, want) in rows {
            assert_eq!(action_of(&f), want, "{what}");
        }
    }

    #[test]
    fn reopen_archived_missing_and_prune() {
        let mut f = facts(Some("h"), ours("h", TIP), pull(PrState::Closed, "h"));
        f.reopen = true;
        assert_eq!(
            action_of(&f),
            Action::Reopen {
                number: 7,
                push: false
            }
        );
        f.branch = Branch::Absent;
        assert_eq!(
            action_of(&f),
            Action::Reopen {
                number: 7,
                push: true
            }
        );

        let mut f = facts(Some("h"), Branch::Absent, None);
        f.archived = true;
        assert_eq!(action_of(&f), Action::Archived);
        f.missing = true;
        assert_eq!(action_of(&f), Action::Missing);

        let mut f = facts(None, ours("h", "t1"), pull(PrState::Merged, "h"));
        assert!(!decide(&f).prune, "only with --prune");
        f.prune = true;
        assert!(decide(&f).prune);
        let mut declined = facts(Some("h"), ours("h", TIP), pull(PrState::Closed, "h"));
        declined.prune = true;
        assert!(decide(&declined).prune);
        let mut open = facts(None, ours("h", "t1"), pull(PrState::Open, "h"));
        open.prune = true;
        assert!(!decide(&open).prune, "an open PR's branch is never pruned");
        let mut foreign = facts(
            None,
            Branch::Foreign {
                sha: "f".into(),
                author: "a".into(),
            },
            pull(PrState::Merged, "h"),
        );
        foreign.prune = true;
        assert!(
            !decide(&foreign).prune,
            "never a branch with someone else's commit"
        );
    }
}
