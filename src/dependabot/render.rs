//! Rendering a [`Desired`] file through the Handlebars template: the built-in
//! `templates/dependabot.yml.hbs`, or `dependabot.yml.hbs` from the organisation's templates
//! directory. Strict mode makes a misspelt variable an error instead of an empty value.

use std::path::Path;

use handlebars::{
    Context, Handlebars, Helper, HelperResult, JsonRender, Output, RenderContext, RenderErrorReason,
};

use super::desired::Desired;
use super::yaml_text;

/// The template drydock ships, embedded in the binary.
pub const BUILTIN_TEMPLATE: &str = include_str!("../../templates/dependabot.yml.hbs");

/// The file name looked up in a templates directory.
pub const TEMPLATE_FILE: &str = "dependabot.yml.hbs";

const NAME: &str = "dependabot.yml";

/// A compiled template, ready to render many repositories.
pub struct Renderer {
    hb: Handlebars<'static>,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Renderer")
    }
}

impl Renderer {
    /// The built-in template.
    pub fn builtin() -> Renderer {
        Renderer::from_source(BUILTIN_TEMPLATE).expect("the built-in template compiles")
    }

    /// `dir/dependabot.yml.hbs` when `dir` is given and has one, else the built-in template.
    pub fn new(templates: Option<&Path>) -> anyhow::Result<Renderer> {
        let Some(dir) = templates else {
            return Ok(Renderer::builtin());
        };
        let path = dir.join(TEMPLATE_FILE);
        if !path.exists() {
            return Ok(Renderer::builtin());
        }
        let source = std::fs::read_to_string(&path)
            .map_err(|e| anyhow::anyhow!("{}: cannot read template: {e}", path.display()))?;
        Renderer::from_source(&source).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    /// Compiles a template source.
    pub fn from_source(source: &str) -> Result<Renderer, handlebars::TemplateError> {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        hb.register_escape_fn(yaml_text::quote);
        hb.register_helper("yaml", Box::new(yaml_helper));
        hb.register_template_string(NAME, source)?;
        Ok(Renderer { hb })
    }

    /// The file text. Always ends with one newline.
    pub fn render(&self, desired: &Desired) -> Result<String, handlebars::RenderError> {
        let mut text = self.hb.render(NAME, desired)?;
        while text.ends_with("\n\n") {
            text.pop();
        }
        if !text.ends_with('\n') {
            text.push('\n');
        }
        Ok(text)
    }
}

/// `{{yaml value}}` inline, `{{yaml value indent}}` in block style.
fn yaml_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let value = h
        .param(0)
        .ok_or_else(|| RenderErrorReason::ParamNotFoundForIndex("yaml", 0))?
        .value();
    let text = match h.param(1) {
        Some(indent) => {
            let n = indent.value().as_u64().ok_or_else(|| {
                RenderErrorReason::InvalidParamType("yaml: the indent must be a number")
            })?;
            yaml_text::block(value, n as usize)
        }
        None if value.is_object() || value.is_array() => {
            return Err(RenderErrorReason::Other(format!(
                "yaml: {} is a collection; give an indent: {{{{yaml value 4}}}}",
                value.render()
            ))
            .into());
        }
        None => yaml_text::inline(value),
    };
    out.write(&text)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dependabot::desired::desired;
    use crate::dependabot::settings::Settings;
    use crate::detect::{Ecosystem, EcosystemDir, FoundFile, RepoScan};

    #[test]
    fn renders_policy_docker_entry_and_is_idempotent() {
        let scan = RepoScan {
            ecosystems: vec![EcosystemDir {
                ecosystem: Ecosystem::Npm,
                directory: "/".into(),
            }],
            dockerfiles: vec![FoundFile {
                path: "Dockerfile".into(),
            }],
            compose_files: vec![],
        };
        let settings = Settings {
            labels: Some(vec!["yes".into(), "area: ui #1".into()]),
            ..Settings::default()
        };
        let r = Renderer::builtin();
        let text = r.render(&desired(&scan, &settings)).unwrap();
        assert_eq!(text, r.render(&desired(&scan, &settings)).unwrap());
        let expected =
            "# Managed by drydock from the repository's ecosystems and fleet.toml ([dependabot]).
# Edits here are kept: drydock only adds what is missing and fixes what GitHub would reject.
version: 2
updates:
  - package-ecosystem: \"docker\"
    directory: \"/\"
    schedule:
      interval: \"weekly\"
    labels:
      - \"yes\"
      - \"area: ui #1\"
      - \"dependencies\"
      - \"docker\"
      - \"security\"
  - package-ecosystem: \"npm\"
    directory: \"/\"
    schedule:
      interval: \"weekly\"
    labels:
      - \"yes\"
      - \"area: ui #1\"
";
        assert_eq!(text, expected);
    }

    #[test]
    fn strict_mode_rejects_unknown_variables() {
        let r = Renderer::from_source("version: 2\n{{nope}}\n").unwrap();
        let d = desired(&RepoScan::default(), &Settings::default());
        assert!(r.render(&d).is_err());
    }
}
