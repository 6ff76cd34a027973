//! The one way a request reaches GitHub: credentials (per owner for an App), the pacer, the
//! ETag cache, and the retry policy, written here where it is implemented:
//!
//! - A rate-limited answer (403/429 with `x-ratelimit-remaining: 0`, a `retry-after`, or
//!   GitHub's "secondary rate limit" message) was not processed: it is sent again after
//!   `retry-after`, the primary reset, or the secondary backoff (`secondary_wait`, doubling),
//!   at most `rate_limit_retries` times and never for a wait longer than `max_wait`.
//! - A 5xx, reset or timeout of a GET (or a GraphQL query) is sent again up to `retries` times,
//!   1 s, 2 s, 4 s apart. The same failure of anything else is [`ErrorKind::Ambiguous`]: the
//!   caller looks whether it took effect before trying again.
//! - A 401 with an installation token drops the token and tries once more with a new one.
//! - Redirects are not followed, and no request (next pages included) leaves the API's origin:
//!   the token is never sent to another host.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::Utc;
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::forge::auth::{Credentials, InstallationToken, bearer};
use crate::forge::cache::{Entry, EtagCache};
use crate::forge::config::Limits;
use crate::forge::error::{ErrorKind, ForgeError, Operation};
use crate::forge::host::GitHubHost;
use crate::forge::pacer::{Pacer, WaitObserver, WaitReason};

/// How a request authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AuthAs<'a> {
    /// The token for this owner's repositories (the PAT, or the App's installation on it).
    Owner(&'a str),
    /// The App itself (its JWT): installation look-ups and token minting.
    App,
}

/// One request.
#[derive(Debug, Clone)]
pub(super) struct Call<'a> {
    pub method: Method,
    pub url: String,
    pub body: Option<serde_json::Value>,
    pub operation: Operation,
    /// `owner/repo` or the owner, for errors.
    pub target: Option<&'a str>,
    pub auth: AuthAs<'a>,
    /// A GraphQL query: a POST that is safe to repeat and creates nothing.
    pub graphql_query: bool,
}

impl<'a> Call<'a> {
    pub fn get(url: String, operation: Operation, target: &'a str, owner: &'a str) -> Self {
        Call {
            method: Method::GET,
            url,
            body: None,
            operation,
            target: Some(target),
            auth: AuthAs::Owner(owner),
            graphql_query: false,
        }
    }

    pub fn send(
        method: Method,
        url: String,
        body: serde_json::Value,
        operation: Operation,
        target: &'a str,
        owner: &'a str,
    ) -> Self {
        Call {
            method,
            url,
            body: Some(body),
            operation,
            target: Some(target),
            auth: AuthAs::Owner(owner),
            graphql_query: false,
        }
    }

    fn idempotent(&self) -> bool {
        self.method == Method::GET || self.graphql_query
    }

    fn content_creating(&self) -> bool {
        !self.idempotent() && self.auth != AuthAs::App
    }

    fn resource(&self) -> &'static str {
        if self.url.ends_with("/graphql") {
            "graphql"
        } else {
            "core"
        }
    }

    fn detail(&self) -> String {
        let path = self
            .url
            .split_once("://")
            .and_then(|(_, r)| r.find('/').map(|i| &r[i..]))
            .unwrap_or(&self.url);
        format!("{} {path}", self.method)
    }
}

/// A successful answer (a 304 turned into the cached 200).
#[derive(Debug, Clone)]
pub(super) struct Answer {
    pub body: String,
    pub link: Option<String>,
}

impl Answer {
    pub fn json<T: DeserializeOwned>(&self, call: &Call<'_>) -> Result<T, ForgeError> {
        serde_json::from_str(&self.body).map_err(|e| {
            ForgeError::new(
                ErrorKind::Decode,
                call.operation,
                format!("cannot read GitHub's answer to {}: {e}", call.detail()),
            )
            .on(call.target)
        })
    }
}

/// Requests sent and 304s received, for `-v` and the benchmark.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub not_modified: AtomicU64,
    pub waits: AtomicU64,
}

pub(super) struct Inner {
    pub http: reqwest::Client,
    pub host: GitHubHost,
    pub credentials: Credentials,
    pub pacer: Pacer,
    pub cache: Option<EtagCache>,
    pub installations: tokio::sync::Mutex<HashMap<String, InstallationToken>>,
    /// The installation permissions of each owner's App token (`workflows` → `write`).
    pub permissions: std::sync::Mutex<HashMap<String, HashMap<String, String>>>,
    /// `X-OAuth-Scopes` of the last answer that had it (classic tokens only).
    pub oauth_scopes: std::sync::Mutex<Option<String>>,
    pub stats: Stats,
}

/// The GitHub client; cheap to clone (one shared state).
#[derive(Clone)]
pub struct GitHub {
    pub(super) inner: Arc<Inner>,
}

/// What a [`GitHub`] needs.
pub struct GitHubOptions {
    pub host: GitHubHost,
    pub credentials: Credentials,
    pub limits: Limits,
    /// Where the ETag cache lives (`<workspace>/cache/github`); `None`: no cache.
    pub cache_dir: Option<std::path::PathBuf>,
    /// Hears about every wait.
    pub on_wait: WaitObserver,
    /// How long one request may take.
    pub timeout: Duration,
}

impl GitHub {
    pub fn new(options: GitHubOptions) -> Result<GitHub, ForgeError> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("drydock/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .timeout(options.timeout)
            .build()
            .map_err(|e| {
                ForgeError::new(
                    ErrorKind::Setup,
                    Operation::ListRepositories,
                    format!("cannot set up the HTTP client: {e}"),
                )
            })?;
        let observer = options.on_wait.clone();
        let inner = Inner {
            http,
            host: options.host,
            credentials: options.credentials,
            pacer: Pacer::new(options.limits, observer),
            cache: options.cache_dir.map(EtagCache::new),
            installations: tokio::sync::Mutex::new(HashMap::new()),
            permissions: std::sync::Mutex::new(HashMap::new()),
            oauth_scopes: std::sync::Mutex::new(None),
            stats: Stats::default(),
        };
        Ok(GitHub {
            inner: Arc::new(inner),
        })
    }

    /// Requests sent so far and how many were answered 304.
    pub fn stats(&self) -> (u64, u64) {
        (
            self.inner.stats.requests.load(Ordering::Relaxed),
            self.inner.stats.not_modified.load(Ordering::Relaxed),
        )
    }

    pub(super) fn api(&self, path: &str) -> String {
        format!("{}{path}", self.inner.host.api_url())
    }

    pub(super) fn graphql_url(&self) -> String {
        self.inner.host.graphql_url()
    }

    /// The token for a call and the cache identity that goes with it.
    async fn credential(&self, call: &Call<'_>) -> Result<(SecretString, String), ForgeError> {
        match (&self.inner.credentials, call.auth) {
            (Credentials::Token(token), _) => {
                let digest = Sha256::digest(token.expose_secret().as_bytes());
                let who: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
                Ok((token.clone(), format!("token:{who}")))
            }
            (Credentials::App(app), AuthAs::App) => Ok((app.jwt(Utc::now())?, "app".into())),
            (Credentials::App(_), AuthAs::Owner(owner)) => {
                let token = Box::pin(self.installation_token(owner)).await?;
                Ok((
                    token,
                    format!("installation:{}", owner.to_ascii_lowercase()),
                ))
            }
        }
    }

    /// Sends a call under the retry policy of this module's doc comment.
    pub(super) async fn send(&self, call: &Call<'_>) -> Result<Answer, ForgeError> {
        let inner = &self.inner;
        let limits = inner.pacer.limits().clone();
        let detail = call.detail();
        let error = |kind: ErrorKind, message: String| {
            ForgeError::new(kind, call.operation, message).on(call.target)
        };
        if !inner.host.is_api_origin(&call.url) {
            return Err(error(
                ErrorKind::Setup,
                format!(
                    "refusing to send the credentials to {}: not the API's host {}",
                    crate::forge::host::origin(&call.url).unwrap_or_default(),
                    inner.host.api_url()
                ),
            ));
        }
        let mut renewed_after_401 = false;
        let mut rate_limited = 0u32;
        let mut transient = 0u32;
        let mut secondary_wait = limits.secondary_wait;
        // Bounded: every pass either returns or spends one of the retry budgets above.
        for _ in 0..(2 + limits.rate_limit_retries + limits.retries) {
            let (token, who) = self.credential(call).await?;
            // Held until the answer is read: reads share `concurrency` slots, writes go one at
            // a time.
            let (_write_slot, _read_slot) = if call.content_creating() {
                (Some(inner.pacer.write_slot(&detail).await), None)
            } else {
                (None, Some(inner.pacer.read_slot().await))
            };
            // Checked while holding the slot: requests queued behind it see this one's answer.
            if let Err(wait) = inner.pacer.before_request(call.resource(), &detail).await {
                return Err(error(
                    ErrorKind::RateLimited,
                    format!("GitHub's rate limit resets in {} s, longer than `[github.limits] max_wait`", wait.as_secs()),
                ).with_hint("run again after the reset, or raise `[github.limits] max_wait`"));
            }
            let cached = match (&inner.cache, call.method == Method::GET) {
                (Some(cache), true) => cache.load(&who, &call.url),
                _ => None,
            };
            let mut request = inner
                .http
                .request(call.method.clone(), &call.url)
                .header("Accept", "application/vnd.github+json")
                .header("X-GitHub-Api-Version", "2022-11-28")
                .header("Authorization", bearer(&token));
            if let Some(entry) = &cached
                && let Ok(value) = HeaderValue::from_str(&entry.etag)
            {
                request = request.header("If-None-Match", value);
            }
            if let Some(body) = &call.body {
                request = request.json(body);
            }
            inner.stats.requests.fetch_add(1, Ordering::Relaxed);
            let outcome = match request.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let headers = response.headers().clone();
                    response.text().await.map(|body| (status, headers, body))
                }
                Err(e) => Err(e),
            };
            let (status, headers, body) = match outcome {
                Ok(answer) => answer,
                Err(e) => {
                    let what = transport_failure(&e);
                    if call.idempotent() && transient < limits.retries {
                        transient += 1;
                        inner
                            .pacer
                            .wait(WaitReason::Transient, backoff(transient), &detail)
                            .await;
                        continue;
                    }
                    return Err(self.failure(call, None, what));
                }
            };
            inner.pacer.observe(&headers);
            if call.auth != AuthAs::App
                && let Some(scopes) = header(&headers, "x-oauth-scopes")
            {
                *inner
                    .oauth_scopes
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(scopes);
            }
            let link = header(&headers, "link");
            match status {
                304 if cached.is_some() => {
                    inner.stats.not_modified.fetch_add(1, Ordering::Relaxed);
                    let entry = cached.expect("checked");
                    return Ok(Answer {
                        body: entry.body,
                        link: entry.link,
                    });
                }
                200..=299 => {
                    if let (Some(cache), true, Some(etag)) = (
                        &inner.cache,
                        call.method == Method::GET,
                        header(&headers, "etag"),
                    ) {
                        cache.store(
                            &who,
                            &Entry {
                                url: call.url.clone(),
                                etag,
                                link: link.clone(),
                                body: body.clone(),
                            },
                        );
                    }
                    return Ok(Answer { body, link });
                }
                401 if !renewed_after_401 && self.drop_installation_token(call).await => {
                    renewed_after_401 = true;
                    continue;
                }
                403 | 429 if is_rate_limited(&headers, &body) => {
                    rate_limited += 1;
                    let (reason, wait) = if let Some(after) = retry_after(&headers) {
                        (WaitReason::RetryAfter, after)
                    } else if header(&headers, "x-ratelimit-remaining").as_deref() == Some("0") {
                        let resource = header(&headers, "x-ratelimit-resource")
                            .unwrap_or_else(|| "core".into());
                        (
                            WaitReason::PrimaryLimit,
                            inner.pacer.until_reset(&resource).unwrap_or(secondary_wait),
                        )
                    } else {
                        let wait = secondary_wait;
                        secondary_wait = (secondary_wait * 2).min(limits.max_wait);
                        (WaitReason::SecondaryLimit, wait)
                    };
                    if rate_limited > limits.rate_limit_retries || wait > limits.max_wait {
                        return Err(ForgeError::from_status(
                            call.operation,
                            call.target,
                            status,
                            &message(&body),
                        )
                        .with_hint(format!(
                            "GitHub's rate limit: gave up after {} waits (next wait {} s); run again later or lower `[github] concurrency`",
                            rate_limited - 1,
                            wait.as_secs()
                        ))
                        .kind_as(ErrorKind::RateLimited));
                    }
                    inner.stats.waits.fetch_add(1, Ordering::Relaxed);
                    inner.pacer.wait(reason, wait, &detail).await;
                    continue;
                }
                500..=599 => {
                    if call.idempotent() && transient < limits.retries {
                        transient += 1;
                        inner
                            .pacer
                            .wait(WaitReason::Transient, backoff(transient), &detail)
                            .await;
                        continue;
                    }
                    return Err(self.failure(call, Some(status), message(&body)));
                }
                300..=399 => {
                    let to = header(&headers, "location").unwrap_or_default();
                    return Err(error(
                        ErrorKind::Moved,
                        format!("GitHub answered {status}, moved to {to}; redirects are not followed"),
                    )
                    .with_hint("the repository was probably renamed or transferred: update its fleet entry"));
                }
                _ => {
                    let mut e = ForgeError::from_status(
                        call.operation,
                        call.target,
                        status,
                        &message(&body),
                    );
                    if status == 401
                        && matches!(self.inner.credentials, Credentials::App(_))
                        && call.auth == AuthAs::App
                    {
                        e = e.with_hint("GitHub refused the App's JWT: check `[github] app_id` and that the private key belongs to that App");
                    }
                    return Err(e);
                }
            }
        }
        Err(error(
            ErrorKind::Unavailable,
            "gave up after the retries `[github.limits]` allows".into(),
        ))
    }

    /// A 5xx or transport failure after the retries: `Unavailable` when safe to repeat, else
    /// `Ambiguous` (it may have taken effect).
    fn failure(&self, call: &Call<'_>, status: Option<u16>, message: String) -> ForgeError {
        let (kind, hint) = if call.idempotent() {
            (
                ErrorKind::Unavailable,
                "GitHub is failing or unreachable; try again later",
            )
        } else {
            (
                ErrorKind::Ambiguous,
                "the change may or may not have been made; drydock looks before trying again",
            )
        };
        let mut e = ForgeError::new(kind, call.operation, message)
            .on(call.target)
            .with_hint(hint);
        e.status = status;
        e
    }

    /// Forgets the installation token of a call's owner after a 401; whether there was one.
    async fn drop_installation_token(&self, call: &Call<'_>) -> bool {
        match (&self.inner.credentials, call.auth) {
            (Credentials::App(_), AuthAs::Owner(owner)) => self
                .inner
                .installations
                .lock()
                .await
                .remove(&owner.to_ascii_lowercase())
                .is_some(),
            _ => false,
        }
    }

    /// The token git offers for an owner's repositories over HTTPS: the PAT, or the App's
    /// installation token on the owner (the same cache and renewal as the API's). `refused` is
    /// a token the git server just turned down: if it is the cached one, a new one is minted.
    pub async fn git_token(
        &self,
        owner: &str,
        refused: Option<&SecretString>,
    ) -> Result<SecretString, ForgeError> {
        match &self.inner.credentials {
            Credentials::Token(token) => Ok(token.clone()),
            Credentials::App(_) => {
                if let Some(refused) = refused {
                    let mut tokens = self.inner.installations.lock().await;
                    let key = owner.to_ascii_lowercase();
                    if tokens
                        .get(&key)
                        .is_some_and(|t| t.token.expose_secret() == refused.expose_secret())
                    {
                        tokens.remove(&key);
                    }
                }
                self.installation_token(owner).await
            }
        }
    }

    /// The installation token for an owner, minted when there is none or it expires within
    /// five minutes.
    async fn installation_token(&self, owner: &str) -> Result<SecretString, ForgeError> {
        let key = owner.to_ascii_lowercase();
        let mut tokens = self.inner.installations.lock().await;
        if let Some(t) = tokens.get(&key)
            && t.is_fresh(Utc::now())
        {
            return Ok(t.token.clone());
        }
        let installation = match tokens.get(&key) {
            Some(t) => t.installation,
            None => super::apps::find_installation(self, owner).await?,
        };
        let (token, permissions) = super::apps::mint_token(self, owner, installation).await?;
        self.inner
            .permissions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key.clone(), permissions);
        let secret = token.token.clone();
        tokens.insert(key, token);
        Ok(secret)
    }

    /// Whether the credentials for `owner` may write `.github/workflows/*`.
    pub(super) async fn workflow_permission(
        &self,
        owner: &str,
    ) -> Result<crate::forge::WorkflowPermission, ForgeError> {
        use crate::forge::WorkflowPermission;
        match &self.inner.credentials {
            Credentials::App(_) => {
                self.installation_token(owner).await?;
                let key = owner.to_ascii_lowercase();
                let permissions = self
                    .inner
                    .permissions
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let level = permissions.get(&key).and_then(|p| p.get("workflows"));
                Ok(match level.map(String::as_str) {
                    Some("write") => WorkflowPermission::Granted,
                    _ => WorkflowPermission::Denied(format!(
                        "the GitHub App's installation on {owner} lacks the `workflows: write` permission, which GitHub requires to create or change .github/workflows/*; grant it in the App's settings (Permissions, Workflows: Read and write) and accept the change on the installation"
                    )),
                })
            }
            Credentials::Token(_) => {
                let scopes: Option<String> = self
                    .inner
                    .oauth_scopes
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .clone();
                Ok(match scopes {
                    Some(s) if s.split(',').any(|x| x.trim() == "workflow") => {
                        WorkflowPermission::Granted
                    }
                    Some(_) => WorkflowPermission::Denied(
                        "the token (a classic personal access token) lacks the `workflow` scope, which GitHub requires to create or change .github/workflows/*; add the scope to the token".into(),
                    ),
                    // Fine-grained tokens send no scopes: only GitHub's answer will tell.
                    None => WorkflowPermission::Unknown,
                })
            }
        }
    }

    /// GET and decode.
    pub(super) async fn get_json<T: DeserializeOwned>(
        &self,
        call: &Call<'_>,
    ) -> Result<T, ForgeError> {
        self.send(call).await?.json(call)
    }

    /// Every page of a list, following `Link: rel="next"`; when the first page names the last
    /// one (`page=N`), pages 2..N are fetched concurrently within `[github] concurrency`.
    pub(super) async fn get_pages<T: DeserializeOwned + Send + 'static>(
        &self,
        call: &Call<'_>,
    ) -> Result<Vec<T>, ForgeError> {
        let first = self.send(call).await?;
        let mut items: Vec<T> = first.json(call)?;
        let next = first.link.as_deref().and_then(|l| link_rel(l, "next"));
        let last = first.link.as_deref().and_then(|l| link_rel(l, "last"));
        if let (Some(next), Some(last)) = (&next, &last)
            && let (Some(2), Some(n)) = (page_of(next), page_of(last))
            && n <= 10_000
        {
            let mut set = tokio::task::JoinSet::new();
            for page in 2..=n {
                let url = with_page(next, page);
                let this = self.clone();
                let (operation, target, owner) = (
                    call.operation,
                    call.target.map(str::to_string),
                    match call.auth {
                        AuthAs::Owner(o) => o.to_string(),
                        AuthAs::App => String::new(),
                    },
                );
                set.spawn(async move {
                    let target = target.unwrap_or_default();
                    let page_call = Call::get(url, operation, &target, &owner);
                    let answer = this.send(&page_call).await?;
                    answer.json::<Vec<T>>(&page_call).map(|v| (page, v))
                });
            }
            let mut pages = Vec::new();
            while let Some(joined) = set.join_next().await {
                let result = joined.map_err(|e| {
                    ForgeError::new(
                        ErrorKind::Decode,
                        call.operation,
                        format!("a page request failed: {e}"),
                    )
                })?;
                pages.push(result?);
            }
            pages.sort_by_key(|(page, _)| *page);
            items.extend(pages.into_iter().flat_map(|(_, v)| v));
            return Ok(items);
        }
        let mut next = next;
        // Bounded: GitHub lists at most a few hundred thousand repositories.
        for _ in 0..10_000 {
            let Some(url) = next.take() else { break };
            let mut page_call = call.clone();
            page_call.url = url;
            let answer = self.send(&page_call).await?;
            items.extend(answer.json::<Vec<T>>(&page_call)?);
            next = answer.link.as_deref().and_then(|l| link_rel(l, "next"));
        }
        Ok(items)
    }
}

impl ForgeError {
    fn kind_as(mut self, kind: ErrorKind) -> Self {
        self.kind = kind;
        self
    }
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    header(headers, "retry-after")?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// A 403/429 that is a rate limit, not a permission problem.
fn is_rate_limited(headers: &HeaderMap, body: &str) -> bool {
    let text = message(body).to_ascii_lowercase();
    headers.contains_key("retry-after")
        || header(headers, "x-ratelimit-remaining").as_deref() == Some("0")
        || text.contains("secondary rate limit")
        || text.contains("abuse detection")
        || text.contains("rate limit exceeded")
}

/// GitHub's `message` of an error body, or the body's start.
pub(super) fn message(body: &str) -> String {
    #[derive(serde::Deserialize)]
    struct Message {
        message: String,
    }
    serde_json::from_str::<Message>(body)
        .map(|m| m.message)
        .unwrap_or_else(|_| body.chars().take(200).collect())
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_secs(1 << (attempt - 1).min(5))
}

fn transport_failure(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "the request timed out".into()
    } else if e.is_connect() {
        "cannot connect to GitHub".into()
    } else {
        // reqwest's message names the URL only, never headers.
        format!("the connection failed: {e}")
    }
}

/// The URL of a `Link` header's relation.
pub(super) fn link_rel(link: &str, rel: &str) -> Option<String> {
    let wanted = format!("rel=\"{rel}\"");
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params.split(';').any(|p| p.trim() == wanted).then(|| {
            url.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
    })
}

fn page_of(url: &str) -> Option<u32> {
    let query = url.split_once('?')?.1;
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("page="))
        .and_then(|v| v.parse().ok())
}

fn with_page(url: &str, page: u32) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return format!("{url}?page={page}");
    };
    let query: Vec<String> = query
        .split('&')
        .map(|kv| {
            if kv.starts_with("page=") {
                format!("page={page}")
            } else {
                kv.to_string()
            }
        })
        .collect();
    format!("{base}?{}", query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_relations_and_pages() {
        let link = r#"<http://h/orgs/a/repos?per_page=100&page=2>; rel="next", <http://h/orgs/a/repos?per_page=100&page=7>; rel="last""#;
        let next = link_rel(link, "next").unwrap();
        assert_eq!(next, "http://h/orgs/a/repos?per_page=100&page=2");
        assert_eq!(page_of(&link_rel(link, "last").unwrap()), Some(7));
        assert_eq!(
            with_page(&next, 5),
            "http://h/orgs/a/repos?per_page=100&page=5"
        );
        assert_eq!(link_rel(link, "prev"), None);
    }
}
