//! Image references (`[registry[:port]/]path[:tag][@digest]`) normalised as Docker does
//! (`docker.io`, `library/`, `index.docker.io`, `registry-1.docker.io`), keeping "no tag" apart
//! from an explicit `:latest`.

/// A normalised image reference.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ImageRef {
    /// Registry host (and port): `docker.io`, `ghcr.io`, `localhost:5000`.
    pub registry: String,
    /// Repository path: `library/python`, `distroless/static-debian12`.
    pub repository: String,
    /// The tag as written; `None` when omitted (not the same as `latest`).
    pub tag: Option<String>,
    /// `sha256:...` when pinned.
    pub digest: Option<String>,
}
