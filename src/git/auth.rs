//! Credentials for libgit2: credentials written into the fleet URL (taken out of it by `url`),
//! the GitHub token over HTTPS, the SSH agent, then git's credential helpers. The token only ever leaves through the credential callback, and only to the GitHub
//! host it belongs to; it is never put in a URL, an argument, a log line or an error.

use git2::{Cred, CredentialType, Error, ErrorClass, ErrorCode};
use secrecy::{ExposeSecret, SecretString};

use super::url::UrlCredentials;

/// libgit2 calls the credential callback again after every refusal; past this many calls the
/// credentials on offer are not going to work.
const MAX_ATTEMPTS: u32 = 4;

/// What drydock can authenticate with.
#[derive(Clone, Default)]
pub struct Auth {
    /// `GITHUB_TOKEN` / `GH_TOKEN`.
    pub token: Option<SecretString>,
    /// The web host the token belongs to (`github.com` or a GitHub Enterprise host; any port is
    /// ignored).
    pub token_host: String,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("token_host", &self.token_host)
            .finish()
    }
}

impl Auth {
    /// The token, if any, as a string to scrub from messages.
    pub(crate) fn secret(&self) -> Option<&str> {
        self.token
            .as_ref()
            .map(|t| t.expose_secret())
            .filter(|t| !t.is_empty())
    }

    /// The token to offer to `url`: only over HTTPS, and only to the host the token belongs to.
    fn token_for(&self, url: &str) -> Option<&str> {
        let https = url
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"));
        self.secret()
            .filter(|_| https && host_of(url).eq_ignore_ascii_case(host_of(&self.token_host)))
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
}
