//! What the files around the Dockerfiles tell the policy: the `image:` references of compose
//! files (checked with the image rules, not the multi-stage ones) and the named build contexts
//! that docker-bake.hcl (`contexts = { name = "path" }`) and compose (`build.additional_contexts`)
//! define, so that `COPY --from=<context>` is not read as an image.
//!
//! Pure and line-based: these files are read for two keys only, not parsed in full. A context is
//! taken to apply to every Dockerfile of the repository (bake and compose name the Dockerfile in
//! ways drydock does not evaluate).

use std::sync::LazyLock;

use regex::Regex;

use crate::docker::{ImageRef, ImageUse, UseKind};

/// Names of bake files, as `docker buildx bake` looks for them.
pub const BAKE_FILES: &[&str] = &[
    "docker-bake.hcl",
    "docker-bake.json",
    "docker-bake.override.hcl",
    "docker-bake.override.json",
];

static COMPOSE_IMAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*(-\s+)?image:\s*["']?(?P<image>[^"'\s#]+)"#).expect("valid pattern")
});
static YAML_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?P<indent>\s*)(-\s+)?(?P<key>[\w.-]+):").expect("valid"));
static BAKE_CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["']?(?P<name>[A-Za-z0-9][\w.-]*)["']?\s*[=:]\s*["']"#).expect("valid pattern")
});

/// The `image:` references of a compose file, with their lines. Values with variables are left
/// out (compose expands them from the environment, which drydock does not see).
pub fn compose_images(text: &str) -> Vec<ImageUse> {
    let mut out = Vec::new();
    let mut offset = 0;
    for (i, line) in text.lines().enumerate() {
        if let Some(c) = COMPOSE_IMAGE.captures(line) {
            let m = c.name("image").expect("group");
            let raw = m.as_str();
            if !raw.contains('$')
                && let Ok(image) = ImageRef::parse(raw)
            {
                out.push(ImageUse {
                    kind: UseKind::From,
                    stage: 0,
                    line: i + 1,
                    image,
                    raw: raw.to_string(),
                    span: offset + m.start()..offset + m.end(),
                });
            }
        }
        offset += line.len() + 1;
    }
    out
}

/// The names under `additional_contexts:` of a compose file (map or `name=path` list form).
pub fn compose_contexts(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside: Option<usize> = None;
    for line in text.lines() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if let Some(level) = inside {
            if indent <= level {
                inside = None;
            } else {
                let item = line.trim().trim_start_matches('-').trim();
                let name = item
                    .split(['=', ':'])
                    .next()
                    .unwrap_or("")
                    .trim()
                    .trim_matches(['"', '\'']);
                if !name.is_empty() {
                    out.push(name.to_string());
                }
                continue;
            }
        }
        if let Some(c) = YAML_KEY.captures(line)
            && &c["key"] == "additional_contexts"
        {
            inside = Some(c["indent"].len());
        }
    }
    out
}

/// The names of `contexts = { ... }` blocks of a bake file (HCL or JSON).
pub fn bake_contexts(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("contexts") {
        let after = &rest[at + "contexts".len()..];
        let Some(open) = after.find('{') else { break };
        // Only `contexts = {` / `"contexts": {`.
        if !after[..open]
            .trim_matches(|c: char| c.is_whitespace() || c == '"')
            .trim_start_matches([':', '='])
            .trim()
            .is_empty()
        {
            rest = after;
            continue;
        }
        let body = &after[open + 1..];
        let close = body.find('}').unwrap_or(body.len());
        for c in BAKE_CONTEXT.captures_iter(&body[..close]) {
            out.push(c["name"].to_string());
        }
        rest = &body[close..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_images_with_lines() {
        let text = "services:\n  cache:\n    image: redis:latest\n  web:\n    image: \"${REG}/web:1\"\n    build: .\n  db:\n    image: 'postgres:18-alpine' # pinned\n";
        let got: Vec<(usize, String)> = compose_images(text)
            .into_iter()
            .map(|u| (u.line, u.raw))
            .collect();
        assert_eq!(
            got,
            [(3, "redis:latest".into()), (8, "postgres:18-alpine".into())]
        );
    }

    #[test]
    fn contexts_of_compose_and_bake() {
        let compose = "services:\n  app:\n    build:\n      context: .\n      additional_contexts:\n        templates: ../templates\n        - assets=./assets\n    image: app:1\n";
        assert_eq!(compose_contexts(compose), ["templates", "assets"]);
        let bake = "target \"app\" {\n  contexts = {\n    templates = \"../templates\"\n    \"base\" = \"docker-image://alpine:3.24\"\n  }\n}\n";
        assert_eq!(bake_contexts(bake), ["templates", "base"]);
        let json = r#"{"target": {"app": {"contexts": {"templates": "../templates"}}}}"#;
        assert_eq!(bake_contexts(json), ["templates"]);
    }
}
