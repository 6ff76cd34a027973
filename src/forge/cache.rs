//! The on-disk cache of GET answers (`ETag` / `If-None-Match`), in the workspace under
//! `cache/github/`. A 304 costs no primary quota, so a second `discover` of an unchanged
//! organisation is nearly free. Entries are keyed by the URL and a hash of who asked (two
//! credentials may see different repositories); only GETs are ever cached, never a write or a
//! GraphQL POST (octocrab's cache ignores the method: forge.md §1.2 T9).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// One cached answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub url: String,
    pub etag: String,
    /// The `Link` header, for pagination from a 304.
    pub link: Option<String>,
    pub body: String,
}

/// The cache directory.
#[derive(Debug, Clone)]
pub struct EtagCache {
    dir: PathBuf,
}

impl EtagCache {
    pub fn new(dir: PathBuf) -> EtagCache {
        EtagCache { dir }
    }

    fn path(&self, who: &str, url: &str) -> PathBuf {
        let mut hash = Sha256::new();
        hash.update(who.as_bytes());
        hash.update([0]);
        hash.update(url.as_bytes());
        let digest = hash.finalize();
        let name: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("{name}.json"))
    }

    /// The cached answer for `url` asked by `who`, if any (a damaged entry is no entry).
    pub fn load(&self, who: &str, url: &str) -> Option<Entry> {
        let bytes = std::fs::read(self.path(who, url)).ok()?;
        serde_json::from_slice::<Entry>(&bytes)
            .ok()
            .filter(|e| e.url == url)
    }

    /// Stores an answer; a failure only costs the next run a full request.
    pub fn store(&self, who: &str, entry: &Entry) {
        let path = self.path(who, &entry.url);
        // The one safe writer: an unpredictable temporary name, never through a symlink.
        let result = std::fs::create_dir_all(&self.dir)
            .map_err(|e| format!("cannot create {}: {e}", self.dir.display()))
            .and_then(|()| serde_json::to_vec(entry).map_err(|e| e.to_string()))
            .and_then(|bytes| crate::fs::write_atomic(&path, &bytes).map_err(|e| e.to_string()));
        if let Err(e) = result {
            tracing::debug!("the GitHub cache entry was not stored: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_per_url_and_per_credential() {
        let dir = tempfile::tempdir().unwrap();
        let cache = EtagCache::new(dir.path().join("c"));
        let entry = Entry {
            url: "http://h/x".into(),
            etag: "W/\"1\"".into(),
            link: None,
            body: "[]".into(),
        };
        cache.store("a", &entry);
        assert_eq!(cache.load("a", "http://h/x").unwrap().etag, "W/\"1\"");
        assert!(cache.load("b", "http://h/x").is_none());
        assert!(cache.load("a", "http://h/y").is_none());
    }

    #[test]
    fn an_entry_planted_as_a_symlink_is_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let cache = EtagCache::new(dir.path().join("c"));
        std::fs::create_dir_all(dir.path().join("c")).unwrap();
        let outside = dir.path().join("outside");
        std::fs::write(&outside, "someone else's").unwrap();
        std::os::unix::fs::symlink(&outside, cache.path("a", "http://h/x")).unwrap();
        let entry = Entry {
            url: "http://h/x".into(),
            etag: "W/\"1\"".into(),
            link: None,
            body: "[]".into(),
        };
        cache.store("a", &entry);
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "someone else's");
    }
}
