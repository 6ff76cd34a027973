//! The rule catalogue: every rule id drydock can emit, gathered from the families that declare
//! them (base-image policy, dependabot validation and repair, the plan's `drydock/*`, the
//! monitor workflow). Configuration checks `[policy.severity]` keys and waiver rules against it,
//! SARIF describes every rule from it, and the rule tables in `docs/` are generated from it (the
//! test below; `UPDATE_DOCS=1 cargo test --lib catalogue` rewrites them).
//!
//! A new family of rules adds its `rules()` to [`rules`] and a table to the docs test.

use crate::finding::Rule;

/// Every rule, family by family: policy, dependabot, plan, workflow.
pub fn rules() -> impl Iterator<Item = &'static Rule> {
    crate::policy::rules::rules()
        .chain(crate::dependabot::rules())
        .chain(crate::plan::rules())
        .chain(crate::workflow::rules())
}

/// The rule with this id.
pub fn find(id: &str) -> Option<&'static Rule> {
    rules().find(|r| r.id == id)
}

/// Every rule id, for did-you-mean hints.
pub fn ids() -> impl Iterator<Item = &'static str> {
    rules().map(|r| r.id)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn ids_are_unique_and_every_rule_is_documented() {
        let mut seen = BTreeSet::new();
        for r in rules() {
            assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
            let (family, name) = r.id.split_once('/').expect("ids are family/name");
            assert!(!family.is_empty() && !name.is_empty(), "{}", r.id);
            assert!(
                !r.summary.is_empty() && !r.help.is_empty(),
                "{} needs a summary and a help",
                r.id
            );
        }
        assert_eq!(
            find("drydock/shadowed-file").unwrap().id,
            "drydock/shadowed-file"
        );
        assert!(find("base-image/nope").is_none());
    }

    /// One generated rule table in a docs page: the rules it lists and how a row reads.
    struct Table {
        file: &'static str,
        header: &'static str,
        rules: Vec<&'static Rule>,
        row: fn(&Rule) -> String,
    }

    const BEGIN: &str = "<!-- rule table: generated from the rule catalogue (src/catalogue.rs); `UPDATE_DOCS=1 cargo test --lib catalogue` rewrites it -->\n";
    const END: &str = "<!-- end of rule table -->\n";

    fn cell(s: &str) -> String {
        s.replace('|', "\\|")
    }

    fn plain_row(r: &Rule) -> String {
        format!(
            "| `{}` | {} | {} | {} |\n",
            r.id,
            r.severity,
            cell(r.summary),
            cell(r.help)
        )
    }

    fn policy_row(r: &Rule) -> String {
        use crate::policy::rules::Scope;
        let rule = crate::policy::rules::find(r.id).expect("a policy rule");
        let production = match rule.scope {
            Scope::Dockerfile(_) | Scope::Parse if rule.production_only => "yes",
            Scope::Dockerfile(_) | Scope::Parse => "no",
            Scope::Repository | Scope::Report => "—",
        };
        format!(
            "| `{}` | {} | {production} | {} | {} |\n",
            r.id,
            r.severity,
            cell(r.summary),
            cell(r.help)
        )
    }

    fn tables() -> Vec<Table> {
        vec![
            Table {
                file: "docs/rules.md",
                header: "| id | default | production only | what it reports | fix |\n|---|---|---|---|---|\n",
                rules: crate::policy::rules::rules().collect(),
                row: policy_row,
            },
            Table {
                file: "docs/dependabot-rules.md",
                header: "| rule | severity | checks | fix |\n|---|---|---|---|\n",
                rules: crate::dependabot::rules().collect(),
                row: plain_row,
            },
            Table {
                file: "docs/plan.md",
                header: "| rule | severity | meaning | fix |\n|---|---|---|---|\n",
                rules: crate::plan::rules()
                    .chain(crate::workflow::rules())
                    .collect(),
                row: plain_row,
            },
        ]
    }

    /// `text` with the generated table between its markers replaced by `table`.
    fn with_table(file: &str, text: &str, table: &str) -> String {
        let start = text
            .find(BEGIN)
            .unwrap_or_else(|| panic!("{file} has no line {BEGIN:?}"))
            + BEGIN.len();
        let end = start
            + text[start..]
                .find(END)
                .unwrap_or_else(|| panic!("{file} has no line {END:?}"));
        format!("{}{table}{}", &text[..start], &text[end..])
    }

    #[test]
    fn docs_rule_tables_are_generated_from_the_catalogue() {
        let tables = tables();
        let listed: Vec<&str> = tables.iter().flat_map(|t| &t.rules).map(|r| r.id).collect();
        let catalogue: Vec<&str> = ids().collect();
        assert_eq!(
            listed.iter().collect::<BTreeSet<_>>(),
            catalogue.iter().collect::<BTreeSet<_>>(),
            "every rule is listed in exactly one docs table"
        );
        assert_eq!(listed.len(), catalogue.len());

        let update = std::env::var_os("UPDATE_DOCS").is_some_and(|v| v == "1");
        let mut stale = Vec::new();
        for t in &tables {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(t.file);
            let text = std::fs::read_to_string(&path).unwrap();
            let table: String = std::iter::once(t.header.to_string())
                .chain(t.rules.iter().map(|r| (t.row)(r)))
                .collect();
            let want = with_table(t.file, &text, &table);
            if want == text {
                continue;
            }
            if update {
                std::fs::write(&path, want).unwrap();
            } else {
                stale.push(format!("{}:\n{table}", t.file));
            }
        }
        assert!(
            stale.is_empty(),
            "out of date (UPDATE_DOCS=1 cargo test --lib catalogue rewrites them):\n{}",
            stale.join("\n")
        );
    }
}
