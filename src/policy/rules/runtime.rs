//! Suggested production runtime images for a restricted build image, used in fix hints.

use crate::docker::ImageRef;
use crate::policy::official_name;

/// A minimal runtime for what a restricted image builds, per POLICY.md's multi-stage example.
pub fn suggestion(image: &ImageRef) -> String {
    let name = official_name(image).unwrap_or("");
    let runtime = match name {
        "node" => "gcr.io/distroless/nodejs24-debian13 (or node:<version>-alpine)",
        "python" | "pypy" => "gcr.io/distroless/python3-debian13 (or python:<version>-slim)",
        "golang" | "rust" | "gcc" => {
            "gcr.io/distroless/static-debian13 (gcr.io/distroless/cc-debian13 for glibc binaries) or scratch"
        }
        "eclipse-temurin" | "openjdk" | "maven" | "gradle" | "amazoncorretto" => {
            "gcr.io/distroless/java21-debian13"
        }
        _ if image.registry == "mcr.microsoft.com" => {
            "a chiseled or alpine runtime (mcr.microsoft.com/dotnet/runtime-deps:<version>-alpine for self-contained apps)"
        }
        _ => "alpine, distroless or scratch",
    };
    format!(
        "build in a stage FROM this image, then ship from {runtime}, copying only the artefacts with COPY --from"
    )
}
