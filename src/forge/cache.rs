//! The on-disk cache of GET answers (`ETag` / `If-None-Match`), in the workspace under
//! `cache/github/`. A 304 costs no primary quota, so a second `discover` of an unchanged
//! organisation is nearly free. Entries are keyed by the URL and a hash of who asked (two
//! credentials may see different repositories); only GETs are ever cached, never a write or a
//! GraphQL POST (octocrab's cache ignores the method: forge.md §1.2 T9).

use std::path::{Path, PathBuf};

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
        let result = std::fs::create_dir_all(&self.dir)
            .and_then(|()| serde_json::to_vec(entry).map_err(std::io::Error::other))
            .and_then(|bytes| write_atomic(&path, &bytes));
        if let Err(e) = result {
            tracing::debug!(
                "cannot write the GitHub cache entry {}: {e}",
                path.display()
            );
        }
    }
}

/// Writes through a temporary file in the same directory and a rename.
// TODO(h14-fs): replace with `crate::fs::write_atomic` once src/fs.rs is on main.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let nonce: u64 = rand_nonce();
    let tmp = dir.join(format!(".tmp-{}-{nonce:016x}", std::process::id()));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)?;
    let result = file.write_all(bytes).and_then(|()| file.sync_all());
    drop(file);
    match result.and_then(|()| std::fs::rename(&tmp, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

fn rand_nonce() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish()
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
}
