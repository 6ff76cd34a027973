//! Suggested production runtime images for a restricted final image, used in fix hints: the
//! runtime follows the language and version of the build (Temurin 25 → a Java 25 runtime), and
//! never recommends what `restricted-final` flags.

use crate::docker::ImageRef;
use crate::policy::Facts;
use crate::policy::lifecycle::read;
use crate::policy::official_name;

/// The version of the language an image carries (`25` for `eclipse-temurin:25-jdk`), if the data
/// reads one.
fn version(image: &ImageRef, facts: &Facts) -> Option<String> {
    read(image, facts)
        .into_iter()
        .find(|r| r.primary)
        .map(|r| r.cycle.name.clone())
}

/// Java releases distroless publishes (`gcr.io/distroless/java<N>-debian13`).
const DISTROLESS_JAVA: &[&str] = &["17", "21", "25"];

/// A minimal runtime for what the final (restricted) image runs, following the build stage's
/// language and version where there is one (POLICY.md's multi-stage example).
pub fn suggestion(image: &ImageRef, build: Option<&ImageRef>, facts: &Facts) -> String {
    let name = official_name(image).unwrap_or("");
    let java = |img: &ImageRef| {
        version(img, facts)
            .or_else(|| {
                // `maven:3.9-eclipse-temurin-25`, `gradle:9-jdk25`: the JDK is in the tag.
                img.tag.as_deref().and_then(|t| {
                    t.rsplit(['-', 'k'])
                        .next()
                        .filter(|v| DISTROLESS_JAVA.contains(v))
                        .map(str::to_string)
                })
            })
            .filter(|v| DISTROLESS_JAVA.contains(&v.as_str()))
    };
    let runtime = match name {
        "node" => {
            let v = version(image, facts).unwrap_or_else(|| "<version>".into());
            format!("gcr.io/distroless/nodejs{v}-debian13 (or node:{v}-alpine)")
        }
        "python" | "pypy" => {
            "gcr.io/distroless/python3-debian13 (or python:<version>-slim)".to_string()
        }
        "golang" | "rust" | "gcc" => "gcr.io/distroless/static-debian13 (gcr.io/distroless/cc-debian13 for glibc binaries) or scratch".to_string(),
        "eclipse-temurin" | "openjdk" | "maven" | "gradle" | "amazoncorretto" | "tomcat" => {
            let v = java(image)
                .or_else(|| build.and_then(java))
                .unwrap_or_else(|| "25".into());
            format!("gcr.io/distroless/java{v}-debian13")
        }
        "php" => "php:<version>-fpm-alpine behind nginx:<version>-alpine (the official images have no distroless PHP)".to_string(),
        "nginx" | "httpd" | "caddy" => {
            return format!(
                "{name} is the runtime of a server image: keep it on its alpine variant ({name}:<version>-alpine) with a non-root USER, and waive the rule for this file in [[policy.waiver]] if the server is the product"
            );
        }
        "postgres" | "mysql" | "mariadb" | "redis" | "mongo" => {
            return format!(
                "{name} is a server image: run it as a service on its alpine variant ({name}:<version>-alpine) rather than as an application's base, or waive the rule for this file"
            );
        }
        _ if image.registry == "mcr.microsoft.com" => {
            "a chiseled runtime: mcr.microsoft.com/dotnet/aspnet:<version>-noble-chiseled, or mcr.microsoft.com/dotnet/runtime-deps:<version>-noble-chiseled for self-contained apps".to_string()
        }
        _ => "alpine, distroless or scratch".to_string(),
    };
    format!(
        "build in a stage FROM this image, then ship from {runtime}, copying only the artefacts with COPY --from"
    )
}
