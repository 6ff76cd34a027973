//! The 33 `package-ecosystem` values Dependabot accepts, and what the service knows about each.

use serde::{Serialize, Serializer};

macro_rules! ecosystems {
    ($($variant:ident => $value:literal, semver_cooldown: $semver:literal;)*) => {
        /// A Dependabot `package-ecosystem` value.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Ecosystem { $($variant,)* }

        impl Ecosystem {
            /// Every value, in alphabetical order of the value.
            pub const ALL: &'static [Ecosystem] = &[$(Ecosystem::$variant,)*];

            /// The value as written in dependabot.yml.
            pub fn as_str(self) -> &'static str {
                match self { $(Ecosystem::$variant => $value,)* }
            }

            /// Whether `cooldown.semver-{major,minor,patch}-days` is accepted (otherwise only
            /// `default-days`).
            pub fn supports_semver_cooldown(self) -> bool {
                match self { $(Ecosystem::$variant => $semver,)* }
            }
        }
    };
}

ecosystems! {
    Bazel => "bazel", semver_cooldown: false;
    Bun => "bun", semver_cooldown: true;
    Bundler => "bundler", semver_cooldown: true;
    Cargo => "cargo", semver_cooldown: true;
    Composer => "composer", semver_cooldown: true;
    Conda => "conda", semver_cooldown: true;
    Deno => "deno", semver_cooldown: true;
    Devcontainers => "devcontainers", semver_cooldown: false;
    Docker => "docker", semver_cooldown: false;
    DockerCompose => "docker-compose", semver_cooldown: false;
    DotnetSdk => "dotnet-sdk", semver_cooldown: true;
    Elm => "elm", semver_cooldown: true;
    GithubActions => "github-actions", semver_cooldown: false;
    Gitsubmodule => "gitsubmodule", semver_cooldown: false;
    Gomod => "gomod", semver_cooldown: true;
    Gradle => "gradle", semver_cooldown: true;
    Helm => "helm", semver_cooldown: false;
    Julia => "julia", semver_cooldown: true;
    Maven => "maven", semver_cooldown: true;
    Mix => "mix", semver_cooldown: true;
    Nix => "nix", semver_cooldown: false;
    Npm => "npm", semver_cooldown: true;
    Nuget => "nuget", semver_cooldown: true;
    Opentofu => "opentofu", semver_cooldown: false;
    Pip => "pip", semver_cooldown: true;
    PreCommit => "pre-commit", semver_cooldown: false;
    Pub => "pub", semver_cooldown: true;
    RustToolchain => "rust-toolchain", semver_cooldown: true;
    Sbt => "sbt", semver_cooldown: true;
    Swift => "swift", semver_cooldown: true;
    Terraform => "terraform", semver_cooldown: false;
    Uv => "uv", semver_cooldown: true;
    Vcpkg => "vcpkg", semver_cooldown: false;
}

impl std::str::FromStr for Ecosystem {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Ecosystem::ALL
            .iter()
            .copied()
            .find(|e| e.as_str() == s)
            .ok_or(())
    }
}

impl std::fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Ecosystem {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_33_values_round_trip_in_order() {
        assert_eq!(Ecosystem::ALL.len(), 33);
        let values: Vec<&str> = Ecosystem::ALL.iter().map(|e| e.as_str()).collect();
        let mut sorted = values.clone();
        sorted.sort();
        assert_eq!(values, sorted);
        for e in Ecosystem::ALL {
            assert_eq!(e.as_str().parse::<Ecosystem>(), Ok(*e));
        }
    }
}
