//! `base-image/not-lts`: Ubuntu is allowed in its LTS releases only.

use super::{FileCx, Hit, Rule, Scope, how};
use crate::finding::{self, Severity};
use crate::policy::lifecycle::{display, read, rewrite};
use crate::policy::official_name;

pub const RULE: Rule = Rule {
    meta: finding::Rule {
        id: "base-image/not-lts",
        summary: "An Ubuntu release that is not LTS (including `rolling` and `devel`): the policy allows Ubuntu LTS only.",
        severity: Severity::Error,
        help: "Use the newest Ubuntu LTS release.",
    },
    production_only: false,
    scope: Scope::Dockerfile(check),
};

fn check(cx: &FileCx, out: &mut Vec<Hit>) {
    let newest_lts = cx
        .facts
        .cycles("ubuntu")
        .iter()
        .filter(|c| c.is_lts(cx.today) && c.is_released(cx.today))
        .max_by(|a, b| a.release.cmp(&b.release));
    for u in cx.uses() {
        let shown = display(&u.image);
        if official_name(&u.image) == Some("ubuntu")
            && let Some(tag @ ("rolling" | "devel")) = u.image.tag.as_deref()
        {
            out.push(Hit {
                line: u.line,
                message: format!("{} {shown}: `{tag}` follows the newest (non-LTS) Ubuntu release; the policy allows Ubuntu LTS only", how(u.kind)),
                fix: newest_lts.map(|c| format!("`{shown}` → `ubuntu:{}`", c.name)),
            });
            continue;
        }
        for r in read(&u.image, cx.facts) {
            if r.product != "ubuntu" || r.cycle.lts_from.is_some() {
                continue;
            }
            out.push(Hit {
                line: u.line,
                message: format!("{} {shown}: Ubuntu {} is not an LTS release; the policy allows Ubuntu LTS only", how(u.kind), r.cycle.name),
                fix: newest_lts.map(|t| format!("`{shown}` → `{}`", display(&rewrite(&u.image, &r, t)))),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::rules::testing::{findings, hits};

    #[test]
    fn non_lts_ubuntu_fails() {
        assert!(findings("FROM ubuntu:25.10\n").contains(&("base-image/not-lts", 1)));
        assert!(findings("FROM ubuntu:stonking\n").contains(&("base-image/not-lts", 1)));
        assert!(findings("FROM ubuntu:rolling\n").contains(&("base-image/not-lts", 1)));
        assert!(
            findings("FROM eclipse-temurin:21-jre-questing AS x\nFROM scratch\n")
                .contains(&("base-image/not-lts", 1))
        );
    }

    #[test]
    fn lts_ubuntu_passes() {
        for ok in [
            "FROM ubuntu:24.04\n",
            "FROM ubuntu:noble\n",
            "FROM ubuntu:22.04\n",
        ] {
            assert!(
                !findings(ok).iter().any(|(r, _)| *r == "base-image/not-lts"),
                "{ok}"
            );
        }
    }

    #[test]
    fn fix_keeps_the_style() {
        let h = hits("FROM ubuntu:stonking\n", "base-image/not-lts");
        assert_eq!(
            h[0].fix.as_deref(),
            Some("`ubuntu:stonking` → `ubuntu:resolute`")
        );
    }
}
