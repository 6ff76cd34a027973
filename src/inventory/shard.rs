//! `--shard I/N`: which part of the fleet one process works on, so a fleet too big for one
//! runner is split over a GitHub Actions matrix of N jobs.
//!
//! A repository belongs to shard `I` of `N` when
//!
//! ```text
//! u64::from_be_bytes(sha256(lowercase("owner/name"))[0..8]) % N == I - 1
//! ```
//!
//! (the first eight bytes of the SHA-256 of the lower-cased `owner/name`, as a big-endian
//! integer, modulo `N`; shards are numbered from 1). Any tool can compute it, e.g.
//! `printf %s acme/api | sha256sum | cut -c1-16` gives the hex of that integer. The partition
//! depends on the name only, never on the repository's position in fleet.toml, so adding or
//! removing a repository moves no other one between shards, and the same name lands in the same
//! shard on every machine (std's `HashMap` hasher is randomised per process, so it is not used).
//! Lower-casing follows GitHub, where `Acme/API` and `acme/api` are one repository.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// The most shards a fleet can be split into: far beyond GitHub's 256 jobs per matrix, low
/// enough that a typo (`--shard 1/100000`) is caught.
pub const MAX_SHARDS: u32 = 1000;

/// One part of a partition of the fleet into `count` disjoint shards: `index` is 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

/// Why a `--shard` value was refused (clap names the flag and the value); the message says what
/// to pass instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}; pass I/N with 1 ≤ I ≤ N ≤ {MAX_SHARDS}, e.g. --shard 3/20")]
pub struct ShardError {
    pub reason: String,
}

impl Shard {
    /// The shard `index` of `count`, checked like the command-line form.
    pub fn new(index: u32, count: u32) -> Result<Shard, ShardError> {
        let refuse = |reason: String| ShardError { reason };
        if count == 0 || count > MAX_SHARDS {
            return Err(refuse(format!(
                "the number of shards must be between 1 and {MAX_SHARDS}"
            )));
        }
        if index == 0 || index > count {
            return Err(refuse(format!(
                "the shard must be between 1 and {count} (shards are numbered from 1)"
            )));
        }
        Ok(Shard { index, count })
    }

    /// Whether the repository `name` (`owner/name`, any case) belongs to this shard.
    pub fn contains(&self, name: &str) -> bool {
        shard_of(name, self.count) == self.index
    }
}

/// The shard (1-based) of `count` that `name` belongs to; see the module documentation.
pub fn shard_of(name: &str, count: u32) -> u32 {
    let digest = Sha256::digest(name.to_lowercase().as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    let bucket = u64::from_be_bytes(first) % u64::from(count.max(1));
    u32::try_from(bucket).expect("a bucket is below the shard count, a u32") + 1
}

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(text: &str) -> Result<Shard, ShardError> {
        let refuse = |reason: &str| ShardError {
            reason: reason.to_string(),
        };
        let (index, count) = text
            .split_once('/')
            .ok_or_else(|| refuse("not of the form I/N"))?;
        let number = |part: &str, what: &str| {
            part.trim()
                .parse::<u32>()
                .map_err(|_| refuse(&format!("{what} {part:?} is not a whole number")))
        };
        let (index, count) = (number(index, "the shard")?, number(count, "the count")?);
        Shard::new(index, count)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl From<Shard> for crate::report::ShardRef {
    fn from(shard: Shard) -> Self {
        crate::report::ShardRef {
            index: shard.index,
            count: shard.count,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("acme/repo-{i:05}")).collect()
    }

    #[test]
    fn parses_i_of_n_and_refuses_the_rest_clearly() {
        assert_eq!(
            "3/20".parse(),
            Ok(Shard {
                index: 3,
                count: 20
            })
        );
        assert_eq!(" 1 / 1 ".parse(), Ok(Shard { index: 1, count: 1 }));
        assert_eq!(Shard::new(1000, 1000).unwrap().to_string(), "1000/1000");
        for (given, reason) in [
            ("3", "not of the form I/N"),
            ("0/4", "numbered from 1"),
            ("5/4", "between 1 and 4"),
            ("1/0", "between 1 and 1000"),
            ("1/1001", "between 1 and 1000"),
            ("a/4", "\"a\" is not a whole number"),
            ("-1/4", "not a whole number"),
            ("1/4/2", "not a whole number"),
        ] {
            let e = given.parse::<Shard>().unwrap_err();
            assert!(e.to_string().contains(reason), "{given}: {e}");
            assert!(e.to_string().contains("e.g. --shard 3/20"), "{e}");
        }
    }

    #[test]
    fn the_hash_is_the_documented_one() {
        // `printf %s acme/api | sha256sum`: the first 16 hex digits as an integer, modulo N.
        let digest = Sha256::digest(b"acme/api");
        let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        let value = u64::from_str_radix(&hex, 16).unwrap();
        assert_eq!(shard_of("acme/api", 7), (value % 7) as u32 + 1);
        assert_eq!(shard_of("Acme/API", 7), shard_of("acme/api", 7));
    }

    #[test]
    fn adding_a_repository_moves_only_that_one() {
        let fleet = names(2000);
        let count = 20;
        let before: Vec<u32> = fleet.iter().map(|n| shard_of(n, count)).collect();
        let mut grown = fleet.clone();
        grown.insert(700, "acme/newcomer".into());
        let after: Vec<u32> = grown
            .iter()
            .filter(|n| *n != "acme/newcomer")
            .map(|n| shard_of(n, count))
            .collect();
        assert_eq!(before, after);
    }

    #[test]
    fn shards_are_roughly_balanced() {
        let fleet = names(10_000);
        let count = 20;
        let mut sizes = vec![0usize; count as usize];
        for n in &fleet {
            sizes[shard_of(n, count) as usize - 1] += 1;
        }
        // 500 expected per shard; a binomial standard deviation is ~22: ±20% is far outside it.
        assert!(sizes.iter().all(|&s| (400..=600).contains(&s)), "{sizes:?}");
    }

    proptest! {
        #[test]
        fn shards_are_disjoint_and_cover_the_fleet(
            fleet in prop::collection::btree_set("[a-zA-Z0-9-]{1,12}/[a-zA-Z0-9._-]{1,20}", 0..200),
            count in 1u32..=40,
        ) {
            let mut seen = BTreeSet::new();
            for index in 1..=count {
                let shard = Shard::new(index, count).unwrap();
                for name in fleet.iter().filter(|n| shard.contains(n)) {
                    prop_assert!(seen.insert(name.clone()), "{name} is in two shards");
                }
            }
            prop_assert_eq!(seen, fleet);
        }
    }
}
