//! The pure core of `bump`, the engine of the base-image monitor workflow: where a Dockerfile
//! names images as rewritable byte spans ([`sites`]), which tag each image moves to
//! ([`select`]), and the grammar a registry's tags and digests must match before they are
//! written ([`reference`]). The registry client (`crate::registry`, an adapter) fetches the tag
//! lists these work on; the use case that ties them together lives above both.

pub mod reference;
pub mod select;
pub mod sites;
