//! The GitHub a fleet lives on (`[github] api_url`) and the token drydock talks to it with.

use secrecy::SecretString;

/// github.com's REST API.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// github.com or a GitHub Enterprise Server, from `[github] api_url`: where the REST and GraphQL
/// APIs are, and the web host that default clone URLs and git credentials use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum GitHubHost {
    /// github.com: the API at `https://api.github.com`.
    #[default]
    GitHubCom,
    /// An Enterprise Server, by its REST API base without a trailing `/`
    /// (`https://HOST/api/v3`).
    Enterprise { api_url: String },
}

impl GitHubHost {
    /// The host of a REST API base URL; `https://api.github.com` is github.com.
    pub fn from_api_url(url: &str) -> Result<GitHubHost, String> {
        let url = url.trim_end_matches('/');
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(format!("`api_url` must be an http(s) URL, got {url:?}"));
        }
        Ok(if url == DEFAULT_API_URL {
            GitHubHost::GitHubCom
        } else {
            GitHubHost::Enterprise {
                api_url: url.to_string(),
            }
        })
    }

    /// The REST API base, without a trailing `/`.
    pub fn api_url(&self) -> &str {
        match self {
            GitHubHost::GitHubCom => DEFAULT_API_URL,
            GitHubHost::Enterprise { api_url } => api_url,
        }
    }

    /// The web host that goes with the API: `api.github.com` → `github.com`, an Enterprise
    /// Server keeps its host (and port).
    pub fn web_host(&self) -> String {
        let api = self.api_url();
        let rest = api.split_once("://").map_or(api, |(_, r)| r);
        let host = rest.split('/').next().unwrap_or(rest);
        host.strip_prefix("api.").unwrap_or(host).to_string()
    }

    /// The GraphQL endpoint: `https://api.github.com/graphql`, `https://HOST/api/graphql` on an
    /// Enterprise Server.
    pub fn graphql_url(&self) -> String {
        let api = self.api_url();
        match api.strip_suffix("/api/v3") {
            Some(base) => format!("{base}/api/graphql"),
            None => format!("{api}/graphql"),
        }
    }

    /// The default clone URL of `owner/repo`.
    pub fn clone_url(&self, repo: &str) -> String {
        format!("https://{}/{repo}.git", self.web_host())
    }
}

/// The token for GitHub, from `GITHUB_TOKEN` or `GH_TOKEN`. Never read from fleet.toml.
pub fn github_token() -> Option<SecretString> {
    ["GITHUB_TOKEN", "GH_TOKEN"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.trim().is_empty())
        .map(|v| SecretString::from(v.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_com_and_enterprise() {
        let com = GitHubHost::from_api_url("https://api.github.com/").unwrap();
        assert_eq!(com, GitHubHost::GitHubCom);
        assert_eq!(com.web_host(), "github.com");
        assert_eq!(com.graphql_url(), "https://api.github.com/graphql");
        assert_eq!(com.clone_url("a/b"), "https://github.com/a/b.git");

        let ghes = GitHubHost::from_api_url("https://ghe.example.com/api/v3/").unwrap();
        assert_eq!(ghes.api_url(), "https://ghe.example.com/api/v3");
        assert_eq!(ghes.web_host(), "ghe.example.com");
        assert_eq!(ghes.graphql_url(), "https://ghe.example.com/api/graphql");

        let local = GitHubHost::from_api_url("http://127.0.0.1:8080/api/v3").unwrap();
        assert_eq!(local.web_host(), "127.0.0.1:8080");
        assert!(GitHubHost::from_api_url("ghe.example.com").is_err());
    }
}
