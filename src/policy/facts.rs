//! What the rules know about images, independent of where the knowledge comes from: which names
//! are Docker Official Images (current or removed) with their supported tags, and the release
//! cycles (LTS, end of life) of the products base images carry. Built from the shipped data
//! catalogue, or by hand in tests.

use std::collections::BTreeMap;

use chrono::NaiveDate;

/// A Docker Official Image (`docker.io/library/<name>`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OfficialImage {
    /// The supported tags (`Tags` ∪ `SharedTags` of its library file).
    pub tags: Vec<String>,
    /// Removed from the official images: still pullable, no longer maintained.
    pub removed: bool,
}

/// One release cycle of a product: `24.04`, `12`, `3.12`, `20`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    pub name: String,
    /// Lower-cased first word of the codename (`noble`, `bookworm`, `iron`), if it has one.
    pub codename: Option<String>,
    pub release: Option<NaiveDate>,
    /// The day it became (or becomes) LTS; `None` when it is never LTS.
    pub lts_from: Option<NaiveDate>,
    /// End of life: the end of all upstream support (Debian LTS included); `None` when unknown
    /// or not yet set.
    pub eol: Option<NaiveDate>,
    /// The end of regular security support, when an extended upstream phase (Debian LTS) follows
    /// it until `eol`.
    pub regular_until: Option<NaiveDate>,
}

impl Cycle {
    pub fn is_released(&self, today: NaiveDate) -> bool {
        self.release.is_some_and(|d| d <= today)
    }
    pub fn is_lts(&self, today: NaiveDate) -> bool {
        self.lts_from.is_some_and(|d| d <= today)
    }
    pub fn is_eol(&self, today: NaiveDate) -> bool {
        self.eol.is_some_and(|d| d <= today)
    }
    /// Past regular support, in the extended (LTS) phase, not yet at end of life.
    pub fn in_extended_phase(&self, today: NaiveDate) -> bool {
        !self.is_eol(today) && self.regular_until.is_some_and(|d| d <= today)
    }
}

/// Everything the rules may look up. Products are named as on endoflife.date (`ubuntu`,
/// `debian`, `alpine-linux`, `nodejs`, `python`, `dotnet`, `go`, ...).
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub official: BTreeMap<String, OfficialImage>,
    /// Cycles per product, newest first.
    pub products: BTreeMap<String, Vec<Cycle>>,
    /// Image (familiar name: `node`, `mcr.microsoft.com/dotnet/sdk`) → product, where the data
    /// has a mapping; `lifecycle` falls back to its own table.
    pub image_products: BTreeMap<String, String>,
    /// Supported tags of images outside Docker Hub (`mcr.microsoft.com/dotnet/aspnet`).
    pub registry_tags: BTreeMap<String, Vec<String>>,
    /// When the data was generated (reports say how old it is).
    pub generated: Option<NaiveDate>,
    /// Where it came from, for reports.
    pub source: String,
}

impl Facts {
    pub fn official(&self, name: &str) -> Option<&OfficialImage> {
        self.official.get(name)
    }

    /// The supported tags of an image, where the data lists them: a Docker Official Image's,
    /// or a listed image outside Docker Hub's (`mcr.microsoft.com/dotnet/aspnet`).
    pub fn supported_tags(&self, image: &crate::docker::ImageRef) -> Option<&[String]> {
        if let Some(name) = super::official_name(image) {
            return self
                .official(name)
                .filter(|o| !o.removed && !o.tags.is_empty())
                .map(|o| o.tags.as_slice());
        }
        self.registry_tags
            .get(&format!("{}/{}", image.registry, image.repository))
            .map(Vec::as_slice)
    }

    pub fn cycles(&self, product: &str) -> &[Cycle] {
        self.products.get(product).map_or(&[], Vec::as_slice)
    }

    /// Age of the data in days at `today`, when its date is known.
    pub fn age_days(&self, today: NaiveDate) -> Option<i64> {
        self.generated.map(|g| (today - g).num_days())
    }
}
