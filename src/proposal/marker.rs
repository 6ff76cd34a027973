//! The content hash that ties a pull request to the exact files drydock planned, and the hidden
//! marker that carries it in the pull-request body (`<!-- drydock:content=HEX -->`, the body's
//! last line). A rerun compares the marker of the open PR (or the `Drydock-Content:` trailer of
//! the branch's commit) with the hash of the new plan: equal means nothing to send.

use sha2::{Digest, Sha256};

/// What opens the marker comment; the hash and ` -->` follow.
pub const MARKER_PREFIX: &str = "<!-- drydock:content=";
const MARKER_SUFFIX: &str = " -->";

/// The trailer key of drydock's commit message that carries the same hash.
pub const TRAILER: &str = "Drydock-Content";

/// The SHA-256 (lowercase hex, 64 digits) of the planned files: the (path, contents) pairs in
/// path order, so the order the plan lists them in does not matter, each part length-prefixed so
/// no two different sets of files hash alike (`("ab", "c")` is not `("a", "bc")`).
pub fn content_hash(files: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = files.iter().collect();
    sorted.sort();
    let mut hasher = Sha256::new();
    hasher.update(b"drydock-content-v1\0");
    hasher.update((sorted.len() as u64).to_be_bytes());
    for (path, contents) in sorted {
        for part in [path, contents] {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part.as_bytes());
        }
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The marker line for `hash`.
pub fn marker(hash: &str) -> String {
    format!("{MARKER_PREFIX}{hash}{MARKER_SUFFIX}")
}

/// The hash a commit message's `Drydock-Content:` trailer carries (the last one), when it is a
/// hash drydock writes (64 lowercase hex digits, as [`read`] requires of the marker).
pub fn read_trailer(message: &str) -> Option<String> {
    message.lines().rev().find_map(|line| {
        let value = line.strip_prefix(TRAILER)?.strip_prefix(':')?.trim();
        is_hash(value).then(|| value.to_string())
    })
}

/// The hash in a pull-request body's marker, when it has one.
///
/// People edit PR bodies, so the marker is looked for on any line (GitHub's editor returns
/// `\r\n` line ends; surrounding spaces are ignored) and the last one wins: drydock writes it
/// last, and text a person adds goes above or below it. A marker line inside a fenced code
/// block is not drydock's (someone quoting an old body, or a diff) and is ignored, as is one
/// whose hash is not 64 lowercase hex digits.
pub fn read(body: &str) -> Option<String> {
    let mut fence: Option<(char, usize)> = None;
    let mut found = None;
    for line in body.lines() {
        let line = line.trim_end_matches('\r');
        let trimmed = line.trim();
        match fence {
            Some(open) => {
                if closes(line, open) {
                    fence = None;
                }
                continue;
            }
            None => {
                if let Some(open) = fence_of(line) {
                    fence = Some(open);
                    continue;
                }
            }
        }
        if let Some(hash) = trimmed
            .strip_prefix(MARKER_PREFIX)
            .and_then(|rest| rest.strip_suffix(MARKER_SUFFIX))
            .filter(|hash| is_hash(hash))
        {
            found = Some(hash.to_string());
        }
    }
    found
}

/// The fence character and length when `line` opens or closes a CommonMark code fence (at most
/// three spaces of indentation, three or more backticks or tildes).
pub(super) fn fence_of(line: &str) -> Option<(char, usize)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let c = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = rest.chars().take_while(|x| *x == c).count();
    // A backtick fence's info string cannot contain a backtick.
    (n >= 3 && !(c == '`' && rest[n..].contains('`'))).then_some((c, n))
}

/// Whether `line` closes the code block `open` opened: the same character, at least as many,
/// and nothing else on the line.
pub(super) fn closes(line: &str, open: (char, usize)) -> bool {
    let line = line.trim_end_matches('\r');
    let Some((c, n)) = fence_of(line) else {
        return false;
    };
    c == open.0 && n >= open.1 && line.trim().chars().all(|x| x == c)
}

fn is_hash(hash: &str) -> bool {
    hash.len() == 64
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trailer_carries_the_hash_the_marker_does() {
        let hash = content_hash(&[("a".to_string(), "x".to_string())]);
        let message = format!("m\n\n{TRAILER}: {hash}\nSigned-off-by: A <a@example.com>\n");
        assert_eq!(read_trailer(&message), Some(hash.clone()));
        assert_eq!(read_trailer("m\n\nno trailer\n"), None);
        assert_eq!(read_trailer(&format!("m\n\n{TRAILER}: abc123\n")), None);
        assert_eq!(read(&format!("body\n\n{}\n", marker(&hash))), Some(hash));
    }

    fn files(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(p, c)| (p.to_string(), c.to_string()))
            .collect()
    }

    #[test]
    fn the_hash_ignores_order_and_sees_every_byte() {
        let a = content_hash(&files(&[("a.yml", "x\n"), ("b.yml", "y\n")]));
        let b = content_hash(&files(&[("b.yml", "y\n"), ("a.yml", "x\n")]));
        assert_eq!(a, b);
        assert_eq!(a.len(), 64);
        assert!(is_hash(&a));
        for other in [
            files(&[("a.yml", "x\n"), ("b.yml", "y")]),
            files(&[("a.yml", "x\n"), ("c.yml", "y\n")]),
            files(&[("a.yml", "x\n")]),
            files(&[("a.yml", "x\n"), ("b.yml", "y\n"), ("c.yml", "")]),
        ] {
            assert_ne!(a, content_hash(&other), "{other:?}");
        }
        assert_ne!(
            content_hash(&files(&[("ab", "c")])),
            content_hash(&files(&[("a", "bc")])),
            "the boundary between path and contents counts"
        );
    }

    #[test]
    fn the_hash_is_stable_across_versions() {
        // Open pull requests carry this hash: changing the function re-proposes every PR. (The
        // values were computed independently, with Python's hashlib.)
        assert_eq!(
            content_hash(&files(&[(".github/dependabot.yml", "version: 2\n")])),
            "6f3734c3d0d1b289b37cde4f7d6730c431710b7bb928edba2679d0267f0f14e7"
        );
        assert_eq!(
            content_hash(&[]),
            "e51a7904178ffc06b2dcbab920dc83c4e4442d14110d2975a1be1ba24ad054c7"
        );
    }

    #[test]
    fn the_marker_round_trips() {
        let hash = content_hash(&files(&[("a", "b")]));
        let body = format!("# Title\n\ntext\n\n{}\n", marker(&hash));
        assert_eq!(read(&body).as_deref(), Some(hash.as_str()));
        assert_eq!(read(&marker(&hash)).as_deref(), Some(hash.as_str()));
    }

    #[test]
    fn an_edited_body_still_has_its_marker() {
        let hash = "0".repeat(64);
        let crlf = format!(
            "Intro\r\n\r\n  {}  \r\nA note someone added\r\n",
            marker(&hash)
        );
        assert_eq!(read(&crlf).as_deref(), Some(hash.as_str()));
        let older = "1".repeat(64);
        let two = format!("{}\n\nquoted\n\n{}\n", marker(&older), marker(&hash));
        assert_eq!(read(&two).as_deref(), Some(hash.as_str()), "the last wins");
    }

    #[test]
    fn markers_in_code_blocks_or_malformed_are_ignored() {
        let real = "a".repeat(64);
        let forged = "b".repeat(64);
        for fence in ["```", "~~~~", "````diff"] {
            let close = &fence[..fence
                .find(|c: char| c.is_alphabetic())
                .unwrap_or(fence.len())];
            let body = format!(
                "{}\n\n{fence}\n{}\n{close}\n",
                marker(&real),
                marker(&forged)
            );
            assert_eq!(read(&body).as_deref(), Some(real.as_str()), "{fence}");
        }
        // A shorter fence inside a longer one does not close it.
        let nested = format!("````\n```\n{}\n````\n", marker(&forged));
        assert_eq!(read(&nested), None);
        for bad in [
            format!("{MARKER_PREFIX}{} -->", "A".repeat(64)),
            format!("{MARKER_PREFIX}{} -->", "a".repeat(63)),
            format!("{MARKER_PREFIX}{}-->", "a".repeat(64)),
            format!("text {}", marker(&real)),
        ] {
            assert_eq!(read(&bad), None, "{bad}");
        }
        assert_eq!(read("no marker"), None);
    }
}
