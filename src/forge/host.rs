//! The GitHub a fleet lives on (`[github] api_url`): github.com or an Enterprise Server, where
//! its REST and GraphQL APIs are, and which origin a token may be sent to (only this one).

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
        if let Some(rest) = url.strip_prefix("http://") {
            if !is_loopback(authority_host(rest)) {
                return Err(format!(
                    "`api_url` must use https://, got {url:?}: plain http:// is allowed only for \
                     a loopback address (127.0.0.1, ::1, localhost), as the tests' stand-in uses"
                ));
            }
        } else if !url.starts_with("https://") {
            return Err(format!("`api_url` must be an https:// URL, got {url:?}"));
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

/// `scheme://host[:port]` of a URL, lower-cased: what "the same host" means for tokens.
pub fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    Some(format!(
        "{}://{}",
        scheme.to_ascii_lowercase(),
        authority.to_ascii_lowercase()
    ))
}

impl GitHubHost {
    /// Whether a URL is on this host's API origin, the only place a token is sent.
    pub fn is_api_origin(&self, url: &str) -> bool {
        origin(url).is_some_and(|o| Some(o) == origin(self.api_url()))
    }
}

/// The host part of `host[:port]/...` (IPv6 in brackets kept without them).
fn authority_host(rest: &str) -> &str {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or(v6);
    }
    authority.split(':').next().unwrap_or(authority)
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
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
        let plain = GitHubHost::from_api_url("http://ghe.example.com/api/v3").unwrap_err();
        assert!(plain.contains("only for a loopback address"), "{plain}");
        assert!(GitHubHost::from_api_url("http://[::1]:9/api/v3").is_ok());
        assert!(GitHubHost::from_api_url("http://localhost:9").is_ok());
    }

    #[test]
    fn tokens_stay_on_the_api_origin() {
        let local = GitHubHost::from_api_url("http://127.0.0.1:8080/api/v3").unwrap();
        assert!(local.is_api_origin("http://127.0.0.1:8080/api/v3/orgs/a/repos?page=2"));
        assert!(!local.is_api_origin("http://127.0.0.1:8081/api/v3/orgs/a/repos"));
        assert!(!local.is_api_origin("https://127.0.0.1:8080/x"));
        assert!(!local.is_api_origin("http://evil.example@127.0.0.2:8080/"));
    }
}
