//! Turns libgit2 errors into the typed failures `sync` reports: a kind, and a reason that is
//! short, actionable, and never carries a secret (the token and any credentials written into a
//! URL are scrubbed).

use super::auth::Auth;
use crate::repo::{FailureKind, RepoFailure};

/// Why a repository could not be synced: its kind, and the reason in words for the summary table.
pub(crate) fn classify(e: &git2::Error, url: &str, auth: &Auth) -> RepoFailure {
    let message = scrub(e.message().trim(), auth);
    let lower = message.to_ascii_lowercase();
    let kind = kind_of(e, &lower);
    let words = words(kind);
    let message = message
        .strip_prefix(&format!("{words}: "))
        .unwrap_or(&message);
    RepoFailure::new(
        kind,
        format!(
            "{words}: {message} ({})",
            scrub(&redact_userinfo(url), auth)
        ),
    )
}

/// The kind of a libgit2 error, from its code and its (lowercased) message.
fn kind_of(e: &git2::Error, lower: &str) -> FailureKind {
    if e.code() == git2::ErrorCode::Auth
        || lower.contains("authentication")
        || lower.contains("401")
        || lower.contains("403")
        || lower.contains("permission denied")
    {
        FailureKind::Auth
    } else if e.code() == git2::ErrorCode::Certificate || lower.contains("certificate") {
        FailureKind::Tls
    } else if lower.contains("not found")
        || lower.contains("404")
        || lower.contains("does not appear to be a git repository")
        || lower.contains("repository not exported")
        || lower.contains("could not find repository")
        || lower.contains("failed to resolve path")
        || lower.contains("no such file or directory")
    {
        FailureKind::NotFound
    } else if lower.contains("failed to connect")
        || lower.contains("connection refused")
        || lower.contains("could not resolve")
        || lower.contains("failed to resolve address")
        || lower.contains("timed out")
        || lower.contains("network is unreachable")
        || lower.contains("no route to host")
        || lower.contains("connection reset")
        || lower.contains("early eof")
        || lower.contains("unexpected eof")
    {
        FailureKind::Network
    } else if lower.contains("unsupported url protocol") || lower.contains("unsupported transport")
    {
        FailureKind::UnsupportedUrl
    } else {
        FailureKind::Git
    }
}

/// How the summary table names each kind of git failure.
fn words(kind: FailureKind) -> &'static str {
    match kind {
        FailureKind::Auth => "authentication refused",
        FailureKind::Tls => "TLS certificate rejected",
        FailureKind::NotFound => "not found",
        FailureKind::Network => "network unreachable",
        FailureKind::UnsupportedUrl => "unsupported URL",
        _ => "git error",
    }
}

/// Removes the token from a message, whatever put it there.
pub(crate) fn scrub(message: &str, auth: &Auth) -> String {
    match auth.secret() {
        Some(token) => message.replace(token, "***"),
        None => message.to_string(),
    }
}

/// `https://user:secret@host/x` → `https://***@host/x`: credentials in a URL are never echoed.
pub(crate) fn redact_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) if rest[..at].contains(':') => format!("{scheme}://***@{}", &rest[at + 1..]),
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    #[test]
    fn userinfo_is_redacted() {
        assert_eq!(
            redact_userinfo("https://u:pw@github.com/o/r"),
            "https://***@github.com/o/r"
        );
        assert_eq!(
            redact_userinfo("ssh://git@github.com/o/r"),
            "ssh://git@github.com/o/r"
        );
        assert_eq!(redact_userinfo("/srv/git/r"), "/srv/git/r");
    }

    #[test]
    fn reasons_are_classified_and_scrubbed() {
        let auth = Auth {
            token: Some(SecretString::from("tok123".to_string())),
            token_host: "github.com".into(),
        };
        let cases = [
            (
                "failed to connect to 127.0.0.1: Connection refused",
                FailureKind::Network,
                "network unreachable",
            ),
            (
                "remote error: access denied or repository not exported: /x",
                FailureKind::NotFound,
                "not found",
            ),
            (
                "unexpected http status code: 404",
                FailureKind::NotFound,
                "not found",
            ),
            (
                "authentication refused: nope tok123",
                FailureKind::Auth,
                "authentication refused",
            ),
            (
                "unsupported transport: foo",
                FailureKind::UnsupportedUrl,
                "unsupported URL",
            ),
            ("object not readable", FailureKind::Git, "git error"),
        ];
        for (msg, kind, words) in cases {
            let e = git2::Error::from_str(msg);
            let failure = classify(&e, "https://github.com/o/r", &auth);
            let reason = &failure.message;
            assert_eq!(failure.kind, kind, "{msg} → {reason}");
            assert!(reason.starts_with(words), "{msg} → {reason}");
            assert!(!reason.contains("tok123"), "{reason}");
            assert!(
                !reason[words.len()..].contains(words),
                "said twice: {reason}"
            );
        }
    }
}
