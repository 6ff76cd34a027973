//! Dependabot: the dependabot.yml drydock wants for a repository ([`desired`]), rendering it
//! from a template ([`render`]), repairing a file the owners already have ([`repair`]), and
//! GitHub's server-side rules plus the fleet policy as a validator ([`validate`]).
//! Pure: works on file contents, knows nothing of git or the terminal.

pub mod desired;
pub mod managed;
pub mod render;
pub mod repair;
pub mod settings;
pub mod validate;
pub mod yaml_text;

/// The paths Dependabot reads, in the order it tries them.
pub const CONFIG_PATHS: [&str; 2] = [".github/dependabot.yml", ".github/dependabot.yaml"];

/// This family's rules, for the catalogue: the validation table and the repair's own ids.
///
/// A stand-in until the dependabot rules are declared as `finding::Rule`s themselves (issue 8):
/// it maps the validation table onto `finding::Rule` and adds the two ids only the repair emits.
pub fn rules() -> impl Iterator<Item = &'static crate::finding::Rule> {
    use crate::finding::{Rule, Severity};
    static RULES: std::sync::LazyLock<Vec<Rule>> = std::sync::LazyLock::new(|| {
        let validation = validate::RULES.iter().map(|r| Rule {
            id: r.id,
            summary: r.doc,
            severity: r.severity,
            help: r.fix,
        });
        let repair = [
            Rule {
                id: repair::rules::REVIEWERS,
                summary: "The repair removed `reviewers`; the message names who was listed, so they can move to CODEOWNERS.",
                severity: Severity::Note,
                help: "add a CODEOWNERS line for the manifests of this entry",
            },
            Rule {
                id: repair::rules::NOT_REPAIRABLE,
                summary: "A change the policy wants that drydock does not make safely (a cron schedule, flow-style `updates`, mixed line endings, a key sharing its line).",
                severity: Severity::Warning,
                help: "make this change by hand; drydock does not edit this construct",
            },
        ];
        validation.chain(repair).collect()
    });
    RULES.iter()
}
