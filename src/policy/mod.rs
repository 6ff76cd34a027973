//! The base-image policy: which images are preferred, allowed, restricted or forbidden, the rules
//! that check Dockerfiles against it, and the data they need (`data`: official images, supported
//! tags, release cycles).

pub mod data;
