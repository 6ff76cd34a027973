//! Credentials for libgit2: credentials written into the fleet URL (taken out of it by `url`),
//! the GitHub token over HTTPS, the SSH agent, then git's credential helpers. The token only ever
//! leaves through the credential callback, as user `x-access-token`, and only to the GitHub host
//! it belongs to; it is never put in a URL, an argument, a log line or an error.
//!
//! The token is either fixed (`GITHUB_TOKEN`) or asked for per repository owner from
//! [`OwnerTokens`] (a GitHub App's installation tokens, which the app layer mints through the
//! forge: git itself knows nothing of Apps).

use std::sync::{Arc, Mutex};

use git2::{Cred, CredentialType, Error, ErrorClass, ErrorCode};
use secrecy::{ExposeSecret, SecretString};

use super::url::UrlCredentials;

/// libgit2 calls the credential callback again after every refusal; past this many calls the
/// credentials on offer are not going to work.
const MAX_ATTEMPTS: u32 = 4;

/// Asks for the token of a repository owner: `(owner, refused)`, where `refused` is the token
/// the server just turned down (so a new one is wanted, not the cached one). The error says why
/// there is none ("the App is not installed on acme") and never holds a token.
pub type OwnerTokenFn =
    dyn Fn(&str, Option<&SecretString>) -> Result<SecretString, String> + Send + Sync;

/// Tokens per repository owner (a GitHub App's installation tokens), and every token handed out
/// so far, so that messages can be scrubbed of them.
#[derive(Clone)]
pub struct OwnerTokens {
    fetch: Arc<OwnerTokenFn>,
    issued: Arc<Mutex<Vec<SecretString>>>,
}

impl OwnerTokens {
    pub fn new(fetch: Arc<OwnerTokenFn>) -> OwnerTokens {
        OwnerTokens {
            fetch,
            issued: Arc::default(),
        }
    }

    fn get(&self, owner: &str, refused: Option<&SecretString>) -> Result<SecretString, String> {
        let token = (self.fetch)(owner, refused)?;
        let mut issued = self.issued.lock().unwrap_or_else(|p| p.into_inner());
        if !issued
            .iter()
            .any(|t| t.expose_secret() == token.expose_secret())
        {
            issued.push(token.clone());
        }
        Ok(token)
    }
}

/// What drydock can authenticate with.
#[derive(Clone, Default)]
pub struct Auth {
    /// `GITHUB_TOKEN` / `GH_TOKEN`.
    pub token: Option<SecretString>,
    /// The web host the token belongs to (`github.com` or a GitHub Enterprise host; any port is
    /// ignored over HTTPS; plain HTTP only to a loopback `host:port`, as the tests' stand-in).
    pub token_host: String,
    /// Tokens per owner (a GitHub App); when set, offered instead of `token`.
    pub owner_tokens: Option<OwnerTokens>,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("token_host", &self.token_host)
            .field("owner_tokens", &self.owner_tokens.as_ref().map(|_| "<app>"))
            .finish()
    }
}

impl Auth {
    /// The token, if any, as a string to scrub from messages.
    fn secret(&self) -> Option<&str> {
        self.token
            .as_ref()
            .map(|t| t.expose_secret())
            .filter(|t| !t.is_empty())
    }

    /// Every token that may have been offered, to scrub from messages.
    pub(crate) fn secrets(&self) -> Vec<String> {
        let mut out: Vec<String> = self.secret().map(str::to_string).into_iter().collect();
        if let Some(owner_tokens) = &self.owner_tokens {
            let issued = owner_tokens
                .issued
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            out.extend(
                issued
                    .iter()
                    .map(|t| t.expose_secret().to_string())
                    .filter(|t| !t.is_empty()),
            );
        }
        out
    }

    /// Whether a token may go to `url`: the host the token belongs to, over HTTPS; plain HTTP
    /// only when the token host is a loopback address and `url` has exactly its host and port.
    fn may_send_token(&self, url: &str) -> bool {
        let scheme = |s: &str| {
            url.get(..s.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(s))
        };
        if scheme("https://") {
            return host_of(url).eq_ignore_ascii_case(host_of(&self.token_host));
        }
        scheme("http://")
            && is_loopback(host_of(&self.token_host))
            && authority_of(url).eq_ignore_ascii_case(authority_of(&self.token_host))
    }

    /// The fixed token to offer to `url`, if it may go there.
    fn token_for(&self, url: &str) -> Option<&str> {
        self.secret().filter(|_| self.may_send_token(url))
    }

    /// A fresh credential callback for one connection: each source is tried at most once.
    /// `from_url` are the credentials the fleet wrote into the URL, offered first.
    pub(crate) fn callback<'a>(
        &'a self,
        from_url: Option<&'a UrlCredentials>,
    ) -> impl FnMut(&str, Option<&str>, CredentialType) -> Result<Cred, Error> + 'a {
        let mut attempts = 0;
        let (mut tried_url, mut tried_token, mut tried_agent, mut tried_helper, mut tried_default) =
            (false, false, false, false, false);
        // The owner's token last offered; refused once, a new one is asked for, once.
        let mut offered: Option<SecretString> = None;
        let mut renewed = false;
        move |url, user_from_url, allowed| {
            attempts += 1;
            if attempts > MAX_ATTEMPTS {
                return Err(refused("the server refused every credential offered"));
            }
            let user = user_from_url
                .or(from_url.map(|c| c.user.as_str()))
                .unwrap_or("git");
            if allowed.contains(CredentialType::USERNAME) {
                return Cred::username(user);
            }
            if allowed.contains(CredentialType::USER_PASS_PLAINTEXT)
                && !tried_url
                && let Some(c) = from_url
                && host_of(url).eq_ignore_ascii_case(&c.host)
            {
                tried_url = true;
                // A token written as the user name alone (`https://TOKEN@host/..`) goes with an
                // empty password, as git sends it.
                let password = c.password.as_ref().map_or("", |p| p.expose_secret());
                return Cred::userpass_plaintext(&c.user, password);
            }
            if allowed.contains(CredentialType::SSH_KEY) && !tried_agent {
                tried_agent = true;
                if let Ok(cred) = Cred::ssh_key_from_agent(user) {
                    return Ok(cred);
                }
            }
            if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
                if let Some(owner_tokens) = &self.owner_tokens
                    && self.may_send_token(url)
                    && (!tried_token || (offered.is_some() && !renewed))
                {
                    let refused_token = if tried_token {
                        renewed = true;
                        offered.as_ref()
                    } else {
                        tried_token = true;
                        None
                    };
                    let owner = owner_of(url);
                    let token = owner_tokens
                        .get(owner, refused_token)
                        .map_err(|why| refused(&why))?;
                    let cred = Cred::userpass_plaintext("x-access-token", token.expose_secret());
                    offered = Some(token);
                    return cred;
                }
                if !tried_token {
                    tried_token = true;
                    if let Some(token) = self.token_for(url) {
                        return Cred::userpass_plaintext("x-access-token", token);
                    }
                }
                if !tried_helper {
                    tried_helper = true;
                    if let Ok(config) = git2::Config::open_default()
                        && let Ok(cred) = Cred::credential_helper(&config, url, user_from_url)
                    {
                        return Ok(cred);
                    }
                }
            }
            if allowed.contains(CredentialType::DEFAULT) && !tried_default {
                tried_default = true;
                return Cred::default();
            }
            Err(refused(if allowed.contains(CredentialType::SSH_KEY) {
                "no usable SSH key (is ssh-agent running with the key loaded?)"
            } else {
                "no credentials accepted (set GITHUB_TOKEN or configure a git credential helper)"
            }))
        }
    }
}

fn refused(why: &str) -> Error {
    Error::new(
        ErrorCode::Auth,
        ErrorClass::Net,
        format!("authentication refused: {why}"),
    )
}

/// `host[:port]` of a URL (user info dropped), or the string itself when it has no scheme.
fn authority_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    authority.rsplit_once('@').map_or(authority, |(_, h)| h)
}

/// The repository owner of a GitHub web URL: the first part of its path
/// (`https://github.com/acme/web.git` → `acme`).
fn owner_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split('/').nth(1).unwrap_or("")
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The host part of a URL (`https://user@host:443/x` → `host`), or of scp-like `git@host:path`.
pub(crate) fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or(rest);
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    authority.split(':').next().unwrap_or(authority)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_of_urls() {
        assert_eq!(host_of("https://github.com/o/r.git"), "github.com");
        assert_eq!(host_of("https://x:y@ghe.example:8443/o/r"), "ghe.example");
        assert_eq!(host_of("git@github.com:o/r.git"), "github.com");
        assert_eq!(host_of("ssh://git@github.com/o/r"), "github.com");
    }

    #[test]
    fn token_goes_only_to_its_host_and_only_once() {
        let auth = Auth {
            token: Some(SecretString::from("s3cr3t".to_string())),
            token_host: "github.com".into(),
            owner_tokens: None,
        };
        let mut cb = auth.callback(None);
        assert!(
            cb(
                "https://github.com/o/r.git",
                None,
                CredentialType::USER_PASS_PLAINTEXT
            )
            .is_ok()
        );
        // A second refusal must not replay the token forever: the attempts run out.
        let mut outcomes = Vec::new();
        for _ in 0..6 {
            outcomes.push(
                cb(
                    "https://github.com/o/r.git",
                    None,
                    CredentialType::USER_PASS_PLAINTEXT,
                )
                .is_ok(),
            );
        }
        assert!(outcomes.iter().skip(1).all(|ok| !ok), "{outcomes:?}");

        assert_eq!(auth.token_for("https://github.com/o/r.git"), Some("s3cr3t"));
        assert_eq!(auth.token_for("https://GitHub.com/o/r.git"), Some("s3cr3t"));
        assert_eq!(auth.token_for("https://evil.example/o/r.git"), None);
        assert_eq!(auth.token_for("http://github.com/o/r.git"), None);
        assert_eq!(
            auth.token_for("https://github.com.evil.example/o/r.git"),
            None
        );
        assert!(!format!("{auth:?}").contains("s3cr3t"));
    }

    #[test]
    fn plain_http_only_to_a_loopback_token_host_and_its_port() {
        let auth = Auth {
            token: Some(SecretString::from("s3cr3t".to_string())),
            token_host: "127.0.0.1:8080".into(),
            owner_tokens: None,
        };
        assert_eq!(
            auth.token_for("http://127.0.0.1:8080/o/r.git"),
            Some("s3cr3t")
        );
        assert_eq!(auth.token_for("http://127.0.0.1:8081/o/r.git"), None);
        assert_eq!(auth.token_for("http://127.0.0.2:8080/o/r.git"), None);
        let remote = Auth {
            token_host: "ghe.example.com".into(),
            ..auth.clone()
        };
        assert_eq!(remote.token_for("http://ghe.example.com/o/r.git"), None);
        assert_eq!(
            remote.token_for("https://ghe.example.com/o/r.git"),
            Some("s3cr3t")
        );
    }

    #[test]
    fn owner_tokens_per_owner_renewed_once_after_a_refusal_and_scrubbed() {
        let asked: Arc<Mutex<Vec<(String, bool)>>> = Arc::default();
        let log = asked.clone();
        let fetch: Arc<OwnerTokenFn> = Arc::new(move |owner, refused| {
            let mut log = log.lock().unwrap();
            log.push((owner.to_string(), refused.is_some()));
            if owner == "stranger" {
                return Err("the App is not installed on stranger".into());
            }
            Ok(SecretString::from(format!("ghs_{owner}_{}", log.len())))
        });
        let auth = Auth {
            token: None,
            token_host: "github.com".into(),
            owner_tokens: Some(OwnerTokens::new(fetch)),
        };
        let plain = CredentialType::USER_PASS_PLAINTEXT;
        let mut cb = auth.callback(None);
        assert!(cb("https://github.com/acme/web.git", None, plain).is_ok());
        // Refused: one new token, then no more.
        assert!(cb("https://github.com/acme/web.git", None, plain).is_ok());
        let third = cb("https://github.com/acme/web.git", None, plain);
        assert_eq!(
            asked.lock().unwrap().clone(),
            vec![("acme".to_string(), false), ("acme".to_string(), true)]
        );
        drop(third);

        // Another host never asks for (or gets) a token.
        let mut cb = auth.callback(None);
        let _ = cb("https://evil.example/acme/web.git", None, plain);
        assert_eq!(asked.lock().unwrap().len(), 2);

        // No installation: the reason, not a token.
        let mut cb = auth.callback(None);
        let Err(e) = cb("https://github.com/stranger/x.git", None, plain) else {
            panic!("a token for an owner without an installation");
        };
        assert!(e.message().contains("not installed on stranger"), "{e}");

        let secrets = auth.secrets();
        assert_eq!(secrets, vec!["ghs_acme_1", "ghs_acme_2"]);
        assert!(!format!("{auth:?}").contains("ghs_"));
        assert_eq!(owner_of("http://127.0.0.1:9/beta/tool.git"), "beta");
    }
}
