//! Turns libgit2 errors into the typed failures `sync` reports: a kind, and a reason that is
//! short, actionable, and never carries a secret (the token and any credentials written into a
//! URL are scrubbed).
//!
//! The kind comes from libgit2's error class and code, never from digits found anywhere in the
//! message: an object id containing `403` is a missing object, not a refused credential. Only
//! an HTTP-class error's own `status code: N` and a server's `remote error:` text are read.

use std::time::Duration;

use git2::{ErrorClass, ErrorCode};

use super::auth::Auth;
use super::url::UrlCredentials;
use crate::repo::{FailureKind, RepoFailure};

/// The strings no message may carry: the token and the credentials from the URL.
#[derive(Default)]
pub(crate) struct Scrub {
    secrets: Vec<String>,
}

impl Scrub {
    pub fn new(auth: &Auth, from_url: Option<&UrlCredentials>) -> Scrub {
        let mut secrets: Vec<String> = auth.secrets();
        if let Some(c) = from_url {
            secrets.extend(c.secrets().map(str::to_string));
        }
        // Longest first, so a secret containing another is removed whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Scrub { secrets }
    }

    pub fn apply(&self, message: &str) -> String {
        self.secrets
            .iter()
            .fold(message.to_string(), |m, s| m.replace(s.as_str(), "***"))
    }
}

/// How a failure reads: its kind and the words that start the reason.
struct Class {
    kind: FailureKind,
    words: &'static str,
}

const fn class(kind: FailureKind, words: &'static str) -> Class {
    Class { kind, words }
}

/// Why a repository could not be synced: its kind, and the reason in words for the summary table.
/// `shown_url` is already redacted; `stalled` is how long the server had sent nothing when a
/// network error ended the transfer, if that was at least the stall limit.
pub(crate) fn classify(
    e: &git2::Error,
    shown_url: &str,
    scrub: &Scrub,
    stalled: Option<Duration>,
) -> RepoFailure {
    let message = scrub.apply(e.message().trim());
    let Class { kind, words } = match stalled {
        Some(_) if is_transport(e) => class(FailureKind::Network, "timed out"),
        _ => class_of(e),
    };
    let detail = match stalled {
        Some(idle) if words == "timed out" => format!(
            "the server sent nothing for {} s (`[git] stall_timeout`; libgit2 said: {message})",
            idle.as_secs()
        ),
        _ => message
            .strip_prefix(&format!("{words}: "))
            .unwrap_or(&message)
            .to_string(),
    };
    RepoFailure::new(kind, format!("{words}: {detail} ({shown_url})"))
}

/// Errors of the connection itself (as opposed to what the server said over it).
fn is_transport(e: &git2::Error) -> bool {
    matches!(
        e.class(),
        ErrorClass::Os | ErrorClass::Net | ErrorClass::Ssl | ErrorClass::Ssh | ErrorClass::Http
    ) && !matches!(e.code(), ErrorCode::Auth | ErrorCode::Certificate)
        && !e.message().starts_with("remote error:")
        && http_status(e).is_none()
}

/// The status of `unexpected http status code: N`, for HTTP-class errors only.
fn http_status(e: &git2::Error) -> Option<u16> {
    if e.class() != ErrorClass::Http {
        return None;
    }
    e.message()
        .trim()
        .strip_prefix("unexpected http status code: ")
        .and_then(|n| n.parse().ok())
}

fn class_of(e: &git2::Error) -> Class {
    use FailureKind as K;
    let message = e.message().trim();
    match e.code() {
        ErrorCode::Timeout => return class(K::Network, "timed out"),
        ErrorCode::Auth => return class(K::Auth, "authentication refused"),
        ErrorCode::Certificate => return class(K::Tls, "TLS certificate rejected"),
        _ => {}
    }
    match e.class() {
        ErrorClass::Http => match http_status(e) {
            Some(401 | 403) => class(K::Auth, "authentication refused"),
            Some(404 | 410) => class(K::NotFound, "not found"),
            Some(_) => class(K::Network, "server error"),
            None if message.contains("authentication replays") => {
                class(K::Auth, "authentication refused")
            }
            None => class(K::Network, "network unreachable"),
        },
        ErrorClass::Net if message.starts_with("remote error:") => {
            // What the server itself said, e.g. git daemon's "repository not exported".
            let lower = message.to_ascii_lowercase();
            if lower.contains("not exported")
                || lower.contains("not found")
                || lower.contains("does not appear to be a git repository")
                || lower.contains("no such repository")
            {
                class(K::NotFound, "not found")
            } else if lower.contains("upload-pack: not our ref") || lower.contains("not our ref") {
                class(K::Git, "object missing in the remote")
            } else {
                class(K::Git, "the server refused")
            }
        }
        ErrorClass::Net if message.starts_with("unsupported URL protocol") => {
            class(K::UnsupportedUrl, "unsupported URL")
        }
        ErrorClass::Net | ErrorClass::Ssh => class(K::Network, "network unreachable"),
        ErrorClass::Ssl if message.contains("certificate") => {
            class(K::Tls, "TLS certificate rejected")
        }
        ErrorClass::Ssl => class(K::Network, "network unreachable"),
        // The local transport names a missing path; anything else from the OS is the network.
        ErrorClass::Os if message.starts_with("failed to resolve path") => {
            class(K::NotFound, "not found")
        }
        ErrorClass::Os => class(K::Network, "network unreachable"),
        ErrorClass::Repository if e.code() == ErrorCode::NotFound => {
            class(K::NotFound, "not found")
        }
        ErrorClass::Odb | ErrorClass::Object | ErrorClass::Indexer | ErrorClass::Tree
            if e.code() == ErrorCode::NotFound || message.contains("missing") =>
        {
            class(K::Git, "object missing in the remote")
        }
        ErrorClass::Indexer if message.contains("early EOF") => {
            class(K::Network, "network unreachable")
        }
        _ => class(K::Git, "git error"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    #[test]
    fn reasons_come_from_class_and_code_and_are_scrubbed() {
        let auth = Auth {
            token: Some(SecretString::from("tok123".to_string())),
            token_host: "github.com".into(),
            ..Auth::default()
        };
        let scrub = Scrub::new(&auth, None);
        let cases = [
            (
                ErrorCode::GenericError,
                ErrorClass::Os,
                "failed to connect to 127.0.0.1: Connection refused",
                FailureKind::Network,
                "network unreachable",
            ),
            (
                ErrorCode::GenericError,
                ErrorClass::Net,
                "remote error: access denied or repository not exported: /x",
                FailureKind::NotFound,
                "not found",
            ),
            (
                ErrorCode::GenericError,
                ErrorClass::Http,
                "unexpected http status code: 404",
                FailureKind::NotFound,
                "not found",
            ),
            (
                ErrorCode::GenericError,
                ErrorClass::Http,
                "unexpected http status code: 403",
                FailureKind::Auth,
                "authentication refused",
            ),
            (
                ErrorCode::Auth,
                ErrorClass::Net,
                "authentication refused: nope tok123",
                FailureKind::Auth,
                "authentication refused",
            ),
            (
                ErrorCode::GenericError,
                ErrorClass::Net,
                "unsupported URL protocol",
                FailureKind::UnsupportedUrl,
                "unsupported URL",
            ),
            // An object id with 401, 403 and 404 in it is a missing object, nothing more.
            (
                ErrorCode::NotFound,
                ErrorClass::Odb,
                "object not found - no match for id (4034041401aa0000000000000000000000000000)",
                FailureKind::Git,
                "object missing in the remote",
            ),
            (
                ErrorCode::GenericError,
                ErrorClass::Reference,
                "could not lock ref 403-refs: permission denied 401",
                FailureKind::Git,
                "git error",
            ),
            (
                ErrorCode::Timeout,
                ErrorClass::Net,
                "could not read from socket: timed out",
                FailureKind::Network,
                "timed out",
            ),
        ];
        for (code, klass, msg, kind, words) in cases {
            let e = git2::Error::new(code, klass, msg);
            let failure = classify(&e, "https://github.com/o/r", &scrub, None);
            let reason = &failure.message;
            assert_eq!(failure.kind, kind, "{msg} → {reason}");
            assert!(reason.starts_with(words), "{msg} → {reason}");
            assert!(!reason.contains("tok123"), "{reason}");
            assert!(
                !reason[words.len()..].contains(&format!("{words}:")),
                "said twice: {reason}"
            );
        }
    }

    #[test]
    fn a_hang_reads_as_a_timeout_not_an_ssl_error() {
        let e = git2::Error::new(
            ErrorCode::GenericError,
            ErrorClass::Os,
            "SSL error: syscall failure",
        );
        let failure = classify(
            &e,
            "https://h/o/r",
            &Scrub::default(),
            Some(Duration::from_secs(60)),
        );
        assert_eq!(failure.kind, FailureKind::Network);
        assert!(
            failure
                .message
                .starts_with("timed out: the server sent nothing for 60 s (`[git] stall_timeout`"),
            "{}",
            failure.message
        );
        // Without the stall, it is what it says.
        let failure = classify(&e, "https://h/o/r", &Scrub::default(), None);
        assert!(
            failure.message.starts_with("network unreachable"),
            "{}",
            failure.message
        );
    }
}
