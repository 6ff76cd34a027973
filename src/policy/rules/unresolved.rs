//! `base-image/unresolved`: a `FROM` whose image cannot be resolved from the global ARG defaults
//! and the repository's build args. drydock reports it instead of guessing.

use super::{FileCx, Hit, Rule, Scope};
use crate::docker::Base;
use crate::finding::{self, Severity};

pub const RULE: Rule = Rule {
    meta: finding::Rule {
        id: "base-image/unresolved",
        summary: "A FROM whose image cannot be resolved from the ARGs declared before the first FROM and the configured build args, so the policy cannot check it.",
        severity: Severity::Error,
        help: "Give the ARG a default before the first FROM, or set `build_args` for the repository in fleet.toml.",
    },
    production_only: false,
    scope: Scope::Dockerfile(check),
};

fn check(cx: &FileCx, out: &mut Vec<Hit>) {
    for stage in &cx.dockerfile.stages {
        if let Base::Unresolved { expression, reason } = &stage.from.base {
            out.push(Hit {
                line: stage.line,
                message: format!("FROM {expression} cannot be resolved ({reason}), so its image cannot be checked"),
                fix: None,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::docker::Base;
    use crate::policy::rules::testing::findings_parsed;

    #[test]
    fn unresolved_from_is_reported_and_resolved_is_not() {
        let got = findings_parsed("FROM alpine:3.22\n", |df| {
            df.stages[0].from.base = Base::Unresolved {
                expression: "${BASE}".into(),
                reason: "BASE has no default".into(),
            };
        });
        assert_eq!(got, [("base-image/unresolved", 1)]);
        assert!(findings_parsed("FROM alpine:3.24\n", |_| {}).is_empty());
    }
}
