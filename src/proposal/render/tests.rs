use super::*;
use crate::finding::Severity;
use crate::plan::Change;
use crate::proposal::ApplySection;

fn change(path: &str, action: Action, old: Option<&str>, new: &str, reasons: &[&str]) -> Change {
    Change {
        path: path.into(),
        action,
        diff: crate::plan::unified_diff(path, old, new),
        reasons: reasons.iter().map(|r| r.to_string()).collect(),
        content: new.into(),
    }
}

fn plan(changes: Vec<Change>) -> RepoPlan {
    RepoPlan {
        name: "acme/web".into(),
        changes,
        ..RepoPlan::default()
    }
}

#[test]
fn a_small_body_renders() {
    let settings = ApplySection::default().settings_for(None);
    let plan = plan(vec![change(
        ".github/dependabot.yml",
        Action::Create,
        None,
        "version: 2\nupdates:\n  - package-ecosystem: \"docker\"\n    directory: \"/\"\n    schedule:\n      interval: \"weekly\"\n",
        &["Dependabot watches the docker ecosystem in /"],
    )]);
    let input = Input {
        repo: "acme/web",
        default_branch: "main",
        settings: &settings,
        plan: &plan,
        ecosystems: vec![("/".into(), "docker".into())],
        dockerfiles: vec!["Dockerfile".into()],
        human_findings: vec![Finding {
            rule: "base-image/forbidden".into(),
            severity: Severity::Error,
            path: "Dockerfile".into(),
            line: Some(1),
            column: None,
            message: "x".into(),
            fix: None,
            suggestion: None,
        }],
    };
    let out = render(&input).unwrap();
    assert_eq!(marker::read(&out.body), Some(out.content_hash.clone()));
}
