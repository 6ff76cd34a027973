//! GitHub App installations: which installation serves an owner
//! (`/orgs/{org}/installation`, else `/users/{user}/installation`) and its access tokens
//! (`POST /app/installations/{id}/access_tokens`), both with the App's JWT.

use chrono::{DateTime, Utc};
use reqwest::Method;
use secrecy::SecretString;
use serde::Deserialize;

use super::client::{AuthAs, Call, GitHub};
use crate::forge::auth::InstallationToken;
use crate::forge::error::{ErrorKind, ForgeError, Operation};

#[derive(Deserialize)]
struct WireInstallation {
    id: u64,
}

#[derive(Deserialize)]
struct WireToken {
    token: String,
    expires_at: DateTime<Utc>,
    #[serde(default)]
    permissions: std::collections::HashMap<String, String>,
}

fn app_call<'a>(method: Method, url: String, operation: Operation, owner: &'a str) -> Call<'a> {
    Call {
        method,
        url,
        body: None,
        operation,
        target: Some(owner),
        auth: AuthAs::App,
        graphql_query: false,
    }
}

/// The App's installation on an owner (organisation or user).
pub(super) async fn find_installation(gh: &GitHub, owner: &str) -> Result<u64, ForgeError> {
    for kind in ["orgs", "users"] {
        let call = app_call(
            Method::GET,
            gh.api(&format!("/{kind}/{owner}/installation")),
            Operation::FindInstallation,
            owner,
        );
        match gh.get_json::<WireInstallation>(&call).await {
            Ok(i) => return Ok(i.id),
            Err(e) if e.kind == ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        }
    }
    Err(ForgeError::new(
        ErrorKind::NotInstalled,
        Operation::FindInstallation,
        format!("the App is not installed on {owner}"),
    )
    .on(Some(owner))
    .with_hint(format!(
        "install the GitHub App on {owner} (its settings page, \"Install App\"), or unset `[github] app_id` to use GITHUB_TOKEN"
    )))
}

/// A new installation token, and the installation's permissions (`workflows` → `write`).
pub(super) async fn mint_token(
    gh: &GitHub,
    owner: &str,
    installation: u64,
) -> Result<(InstallationToken, std::collections::HashMap<String, String>), ForgeError> {
    let call = app_call(
        Method::POST,
        gh.api(&format!("/app/installations/{installation}/access_tokens")),
        Operation::MintInstallationToken,
        owner,
    );
    let token: WireToken = gh.get_json(&call).await?;
    Ok((
        InstallationToken {
            installation,
            token: SecretString::from(token.token),
            expires_at: token.expires_at,
        },
        token.permissions,
    ))
}
