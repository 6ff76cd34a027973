//! `.github/dependabot.yml`: GitHub's server-side rules and the fleet policy as a validator
//! (`validate`); rendering and repair build on the same tables.

pub mod validate;
