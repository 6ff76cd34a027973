//! Dependabot: the dependabot.yml drydock wants for a repository ([`desired`]), rendering it
//! from a template ([`render`]), repairing a file the owners already have ([`repair`]), and
//! GitHub's server-side rules plus the fleet policy as a validator ([`validate`]). The facts all
//! of them must agree on (the docker policy, GitHub's limits) are in [`policy`]; every rule id
//! the module reports is in [`rules`].
//! Pure: works on file contents, knows nothing of git or the terminal.

pub mod desired;
pub mod managed;
pub mod policy;
pub mod render;
pub mod repair;
pub mod settings;
pub mod validate;
pub mod yaml_text;

/// The paths Dependabot reads, in the order it tries them.
pub const CONFIG_PATHS: [&str; 2] = [".github/dependabot.yml", ".github/dependabot.yaml"];

/// Every rule the dependabot module reports: the validation's, in the order they run, then the
/// repair's own (the repair also reports `invalid-yaml` and `yaml-alias`, listed once).
pub fn rules() -> impl Iterator<Item = &'static crate::finding::Rule> {
    validate::RULES
        .iter()
        .map(|check| &check.rule)
        .chain(repair::RULES.iter().copied())
}

#[cfg(test)]
mod tests {
    #[test]
    fn rules_are_unique_and_include_the_repairs() {
        let mut seen = std::collections::BTreeSet::new();
        for rule in super::rules() {
            assert!(rule.id.starts_with("dependabot/"), "{}", rule.id);
            assert!(seen.insert(rule.id), "duplicate {}", rule.id);
            assert!(
                !rule.summary.is_empty() && !rule.help.is_empty(),
                "{}",
                rule.id
            );
        }
        assert_eq!(seen.len(), 36);
        assert!(seen.contains("dependabot/not-repairable"));
        assert!(seen.contains("dependabot/reviewers"));
    }
}
