//! Dependabot: the dependabot.yml drydock wants for a repository ([`desired`]), rendering it
//! from a template ([`render`]), repairing a file the owners already have ([`repair`]), and
//! GitHub's server-side rules plus the fleet policy as a validator ([`validate`]).
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
