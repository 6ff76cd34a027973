//! Who drydock is on GitHub: a token from `GITHUB_TOKEN` / `GH_TOKEN`, or a GitHub App
//! (`[github] app_id` with `private_key` or `DRYDOCK_APP_PRIVATE_KEY`). Tokens are
//! [`SecretString`]s from the moment they are read: no `Debug`, no `Display`, never in a URL.
//!
//! An App signs a JWT (RS256, `iat = now - 60` against clock drift, `exp = now + 9 min`, under
//! GitHub's 10-minute cap) for the App-level calls: the installation per owner and its token.
//! Installation tokens are cached per owner and renewed [`RENEW_BEFORE`] before `expires_at`
//! (and once on a 401), so a run longer than the token's hour keeps going.

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use secrecy::{ExposeSecret, SecretString};

use super::config::AppSettings;
use super::error::{ErrorKind, ForgeError, Operation};

/// How long before `expires_at` an installation token is replaced.
pub const RENEW_BEFORE: Duration = Duration::minutes(5);

/// The environment variable holding the App's PEM when `private_key` is not set.
pub const APP_KEY_VARIABLE: &str = "DRYDOCK_APP_PRIVATE_KEY";

/// The token for GitHub, from `GITHUB_TOKEN` or `GH_TOKEN`. Never read from fleet.toml.
pub fn token_from_env() -> Option<SecretString> {
    ["GITHUB_TOKEN", "GH_TOKEN"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.trim().is_empty())
        .map(|v| SecretString::from(v.trim().to_string()))
}

/// What drydock authenticates with.
pub enum Credentials {
    /// A personal access token (or any token GitHub takes as a bearer).
    Token(SecretString),
    /// A GitHub App; each owner's installation gets its own token.
    App(App),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Token(_) => f.write_str("Credentials::Token(<redacted>)"),
            Credentials::App(app) => write!(f, "Credentials::App({})", app.id),
        }
    }
}

impl Credentials {
    /// The App when `[github] app_id` is set, else the environment's token.
    pub fn resolve(app: Option<&AppSettings>) -> Result<Credentials, ForgeError> {
        if let Some(app) = app {
            return App::load(app).map(Credentials::App);
        }
        token_from_env().map(Credentials::Token).ok_or_else(|| {
            ForgeError::new(
                ErrorKind::Setup,
                Operation::ListRepositories,
                "no GitHub credentials",
            )
            .with_hint("set GITHUB_TOKEN (or GH_TOKEN), or `[github] app_id` and `private_key` for a GitHub App")
        })
    }
}

/// A GitHub App: its id and signing key.
pub struct App {
    pub id: u64,
    key: jsonwebtoken::EncodingKey,
}

impl App {
    /// Reads the key from `private_key` or [`APP_KEY_VARIABLE`].
    pub fn load(settings: &AppSettings) -> Result<App, ForgeError> {
        let setup = |m: String, h: &str| {
            ForgeError::new(ErrorKind::Setup, Operation::MintInstallationToken, m).with_hint(h)
        };
        let pem = match &settings.private_key {
            Some(path) => std::fs::read(path).map_err(|e| {
                setup(
                    format!("cannot read the App's private key {}: {e}", path.display()),
                    "`[github] private_key` is a path relative to fleet.toml",
                )
            })?,
            None => std::env::var(APP_KEY_VARIABLE)
                .map_err(|_| {
                    setup(
                        "`[github] app_id` is set but there is no private key".into(),
                        "set `[github] private_key = \"PATH\"` or put the PEM in DRYDOCK_APP_PRIVATE_KEY",
                    )
                })?
                .into_bytes(),
        };
        let key = jsonwebtoken::EncodingKey::from_rsa_pem(&pem).map_err(|e| {
            setup(
                format!("the App's private key is not an RSA PEM key: {e}"),
                "download a new private key from the App's settings page",
            )
        })?;
        Ok(App {
            id: settings.app_id,
            key,
        })
    }

    /// The App's JWT at `now`.
    pub fn jwt(&self, now: DateTime<Utc>) -> Result<SecretString, ForgeError> {
        #[derive(serde::Serialize)]
        struct Claims {
            iat: i64,
            exp: i64,
            iss: String,
        }
        let claims = Claims {
            iat: (now - Duration::seconds(60)).timestamp(),
            exp: (now + Duration::minutes(9)).timestamp(),
            iss: self.id.to_string(),
        };
        let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        jsonwebtoken::encode(&header, &claims, &self.key)
            .map(SecretString::from)
            .map_err(|e| {
                ForgeError::new(
                    ErrorKind::Setup,
                    Operation::MintInstallationToken,
                    format!("cannot sign the App's JWT: {e}"),
                )
            })
    }
}

/// An installation token and when it stops working.
#[derive(Clone)]
pub struct InstallationToken {
    pub installation: u64,
    pub token: SecretString,
    pub expires_at: DateTime<Utc>,
}

impl InstallationToken {
    /// Whether it is still good for [`RENEW_BEFORE`] at `now`.
    pub fn is_fresh(&self, now: DateTime<Utc>) -> bool {
        self.expires_at - now > RENEW_BEFORE
    }
}

/// `Authorization` header value of a token, marked sensitive.
pub(crate) fn bearer(token: &SecretString) -> reqwest::header::HeaderValue {
    let mut value =
        reqwest::header::HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
            .unwrap_or_else(|_| reqwest::header::HeaderValue::from_static("Bearer invalid"));
    value.set_sensitive(true);
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_renewed_five_minutes_before_they_expire() {
        let now = Utc::now();
        let token = |mins| InstallationToken {
            installation: 1,
            token: SecretString::from("t".to_string()),
            expires_at: now + Duration::minutes(mins),
        };
        assert!(token(6).is_fresh(now));
        assert!(!token(5).is_fresh(now));
        assert!(!token(-1).is_fresh(now));
    }
}
