//! The Docker Registry HTTP API v2 / OCI distribution client `bump` uses: tag lists (with `Link`
//! pagination), manifest and index digests, the bearer-token and basic challenges, mirrors,
//! timeouts and bounded retries. The only async code in drydock: it waits on the network.
//!
//! A registry is not trusted. Every body is read with a size cap ([`ClientOptions::max_body_bytes`])
//! inside the per-request timeout, so a huge or dripping answer ends in a clear error. Credentials
//! and bearer tokens go only to the registry's own endpoint (scheme, host and port): a `Link` to
//! another host is followed anonymously, and a token realm on another host gets the credentials
//! only over HTTPS (as Docker's client does). A `Docker-Content-Digest` must be
//! `sha256:<64 hex digits>`, and when the manifest body is fetched it must be that body's digest.
//!
//! One tag-list fetch per image per run: results are cached in the [`Client`], and concurrent
//! callers for the same image wait for the first fetch. [`Stats`] counts every request so the
//! benchmark can check that.

pub mod auth;
pub mod config;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, LINK, RETRY_AFTER, WWW_AUTHENTICATE};
use tokio::sync::OnceCell;

pub use auth::{CredentialStore, Credentials};
pub use config::{RegistryConfig, RegistrySection};

use crate::docker::ImageRef;

/// Every manifest type a tag may point at: registries answer 404 when none matches.
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, \
application/vnd.docker.distribution.manifest.v2+json";

/// The page size every registry must accept (OCI distribution spec).
const SAFE_PAGE_SIZE: usize = 100;

/// Docker Hub's registry host; `docker.io` is only a name.
pub const DOCKER_HUB_ENDPOINT: &str = "https://registry-1.docker.io";

/// Where a registry host's requests go instead: `docker.io=http://127.0.0.1:5000`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mirrors(BTreeMap<String, String>);

impl Mirrors {
    /// Parses `HOST=URL`. Plain `http://` is allowed here because it is given explicitly.
    pub fn add(&mut self, spec: &str) -> Result<(), String> {
        let (host, url) = spec.split_once('=').ok_or_else(|| {
            format!(
                "registry mirror {spec:?} is not HOST=URL (e.g. docker.io=http://127.0.0.1:5000)"
            )
        })?;
        self.insert(host, url)
    }

    pub fn insert(&mut self, host: &str, url: &str) -> Result<(), String> {
        let host = auth::canonical_host(host.trim());
        let url = url.trim().trim_end_matches('/');
        if host.is_empty() {
            return Err(format!(
                "registry mirror for {url:?} names no registry host"
            ));
        }
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or_else(|| {
                format!(
                    "registry mirror URL {url:?} for {host} must start with http:// or https://"
                )
            })?;
        let parsed = reqwest::Url::parse(url).ok();
        if rest.is_empty()
            || rest.contains(['/', '?', '#', '@'])
            || rest.ends_with(':')
            || parsed.is_none_or(|u| u.host_str().is_none_or(str::is_empty))
        {
            return Err(format!(
                "registry mirror URL {url:?} for {host} must be scheme://host[:port] only"
            ));
        }
        self.0.insert(host, url.to_string());
        Ok(())
    }

    /// The base URL requests for `host` go to.
    pub fn endpoint(&self, host: &str) -> String {
        let host = auth::canonical_host(host);
        match self.0.get(&host) {
            Some(url) => url.clone(),
            None if host == "docker.io" => DOCKER_HUB_ENDPOINT.to_string(),
            None => format!("https://{host}"),
        }
    }
}

/// Timeouts and retries.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Whole-request timeout.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Attempts per request, including the first, on 429, 5xx and transport errors.
    pub attempts: u32,
    /// First back-off; doubled each retry.
    pub backoff: Duration,
    /// Longest wait between attempts, `Retry-After` included.
    pub max_backoff: Duration,
    /// Tags asked for per page (`?n=`).
    pub page_size: usize,
    /// Pages followed at most per tag list, so a looping `Link` cannot hang a run.
    pub max_pages: usize,
    /// Largest response body read, in bytes; a larger one is an error, never buffered whole.
    pub max_body_bytes: u64,
}

/// The default of [`ClientOptions::max_body_bytes`] and `[registry] max_response_bytes`: 16 MiB,
/// far above a tag list of 10,000 tags or a manifest index.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;

/// The default of [`ClientOptions::timeout`] and `[registry] timeout_seconds`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: Duration::from_secs(10),
            attempts: 4,
            backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            page_size: 1000,
            max_pages: 200,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

/// Why a registry request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Cause {
    #[error("not found in the registry (404): check the image name and tag")]
    NotFound,
    #[error(
        "access denied ({status}): the registry wants credentials (DRYDOCK_REGISTRY_HOST/USER/PASSWORD or docker login)"
    )]
    Unauthorized { status: u16 },
    #[error("rate limited (429) after {attempts} attempts: try again later or authenticate")]
    RateLimited { attempts: u32 },
    #[error("registry error {status} after {attempts} attempts")]
    Server { status: u16, attempts: u32 },
    #[error("unexpected status {status} from {url}")]
    Status { status: u16, url: String },
    #[error(
        "timed out after {attempts} attempt(s) of at most {seconds}s each ({url}): raise [registry] timeout_seconds or --timeout if the registry is just slow"
    )]
    Timeout {
        url: String,
        attempts: u32,
        seconds: u64,
    },
    #[error(
        "the response from {url} is larger than {limit} bytes: refused (raise [registry] max_response_bytes if it is genuine)"
    )]
    TooLarge { url: String, limit: u64 },
    #[error(
        "{url} is on another host than the registry and asks for credentials: drydock sends credentials and tokens only to the registry's own host"
    )]
    ForeignHost { url: String },
    #[error("refused the digest from {url}: {message}")]
    BadDigest { url: String, message: String },
    #[error("cannot connect to {url}: {message}")]
    Connect { url: String, message: String },
    #[error("bad response from {url}: {message}")]
    BadResponse { url: String, message: String },
    #[error("authentication failed at {realm}: {message}")]
    Token { realm: String, message: String },
}

/// A registry error for one image.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{image}: {cause}")]
pub struct RegistryError {
    /// The image as `registry/repository[:tag]`.
    pub image: String,
    pub cause: Cause,
}

/// Request counters, for `--stats` and the benchmark.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub tag_list_pages: AtomicU64,
    pub manifest_requests: AtomicU64,
    pub token_requests: AtomicU64,
    pub retries: AtomicU64,
    /// Tag-list fetches per image (`registry/repository`), not counting pages.
    per_image: Mutex<BTreeMap<String, u64>>,
}

/// A snapshot of [`Stats`].
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct StatsSnapshot {
    pub requests: u64,
    pub tag_list_pages: u64,
    pub manifest_requests: u64,
    pub token_requests: u64,
    pub retries: u64,
    pub images: usize,
    pub tag_list_fetches: u64,
    pub max_tag_list_fetches_per_image: u64,
}

impl Stats {
    pub fn snapshot(&self) -> StatsSnapshot {
        let per_image = self.per_image.lock().expect("stats lock");
        StatsSnapshot {
            requests: self.requests.load(Ordering::Relaxed),
            tag_list_pages: self.tag_list_pages.load(Ordering::Relaxed),
            manifest_requests: self.manifest_requests.load(Ordering::Relaxed),
            token_requests: self.token_requests.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            images: per_image.len(),
            tag_list_fetches: per_image.values().sum(),
            max_tag_list_fetches_per_image: per_image.values().copied().max().unwrap_or(0),
        }
    }
}

type TagCell = Arc<OnceCell<Result<Arc<Vec<String>>, RegistryError>>>;

/// A registry client for one run: holds the tag cache, bearer tokens and counters.
pub struct Client {
    http: reqwest::Client,
    options: ClientOptions,
    mirrors: Mirrors,
    credentials: CredentialStore,
    tokens: Mutex<HashMap<(String, String), String>>,
    tags: Mutex<HashMap<(String, String), TagCell>>,
    pub stats: Stats,
}

enum Kind {
    TagList,
    Manifest,
}

impl Client {
    pub fn new(
        options: ClientOptions,
        mirrors: Mirrors,
        credentials: CredentialStore,
    ) -> anyhow::Result<Client> {
        let http = reqwest::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(options.connect_timeout)
            .user_agent(concat!("drydock/", env!("CARGO_PKG_VERSION")))
            // Redirects to blob storage are for blobs; tags and manifests answer directly.
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()?;
        Ok(Client {
            http,
            options,
            mirrors,
            credentials,
            tokens: Mutex::default(),
            tags: Mutex::default(),
            stats: Stats::default(),
        })
    }

    /// Every tag of the image's repository, fetched once per run (all pages).
    pub async fn tags(&self, image: &ImageRef) -> Result<Arc<Vec<String>>, RegistryError> {
        let key = (
            auth::canonical_host(&image.registry),
            image.repository.clone(),
        );
        let cell = {
            let mut tags = self.tags.lock().expect("tag cache lock");
            tags.entry(key).or_default().clone()
        };
        cell.get_or_init(|| async {
            *self
                .stats
                .per_image
                .lock()
                .expect("stats lock")
                .entry(format!("{}/{}", image.registry, image.repository))
                .or_default() += 1;
            self.fetch_tags(image).await.map(Arc::new)
        })
        .await
        .clone()
    }

    async fn fetch_tags(&self, image: &ImageRef) -> Result<Vec<String>, RegistryError> {
        let base = self.mirrors.endpoint(&image.registry);
        let mut url = format!(
            "{base}/v2/{}/tags/list?n={}",
            image.repository, self.options.page_size
        );
        let mut tags = Vec::new();
        for _ in 0..self.options.max_pages {
            self.stats.tag_list_pages.fetch_add(1, Ordering::Relaxed);
            let response = match self.get(image, &url, Kind::TagList).await {
                // Some registries (Quay) refuse a page size above 100 with 400; the spec asks
                // every registry to accept 100.
                Err(RegistryError {
                    cause: Cause::Status { status: 400, .. },
                    ..
                }) if tags.is_empty() && self.options.page_size > SAFE_PAGE_SIZE => {
                    url = format!(
                        "{base}/v2/{}/tags/list?n={SAFE_PAGE_SIZE}",
                        image.repository
                    );
                    self.stats.tag_list_pages.fetch_add(1, Ordering::Relaxed);
                    self.get(image, &url, Kind::TagList).await?
                }
                other => other?,
            };
            let next = response
                .headers()
                .get(LINK)
                .and_then(|l| l.to_str().ok())
                .and_then(next_link);
            let bytes = self
                .read_body(response, &url)
                .await
                .map_err(|cause| error(image, cause))?;
            let body: TagList = serde_json::from_slice(&bytes).map_err(|e| {
                error(
                    image,
                    Cause::BadResponse {
                        url: url.clone(),
                        message: format!("not a tag list: {e}"),
                    },
                )
            })?;
            tags.extend(body.tags.unwrap_or_default());
            match next {
                Some(next) => url = resolve(&base, &next),
                None => return Ok(tags),
            }
        }
        Err(error(
            image,
            Cause::BadResponse {
                url,
                message: format!("more than {} pages of tags", self.options.max_pages),
            },
        ))
    }

    /// The digest (`sha256:...`) a tag points at: of the index for multi-platform images.
    ///
    /// A `Docker-Content-Digest` header is taken from a HEAD answer when it is a well-formed
    /// sha256 digest; when the body is fetched, its own digest is the answer and a header that
    /// disagrees with it is refused.
    pub async fn digest(&self, image: &ImageRef, tag: &str) -> Result<String, RegistryError> {
        let base = self.mirrors.endpoint(&image.registry);
        let url = format!("{base}/v2/{}/manifests/{tag}", image.repository);
        let with_tag = ImageRef {
            tag: Some(tag.to_string()),
            digest: None,
            ..image.clone()
        };
        self.stats.manifest_requests.fetch_add(1, Ordering::Relaxed);
        let response = self
            .send(&with_tag, reqwest::Method::HEAD, &url, Kind::Manifest)
            .await?;
        if let Some(d) = content_digest(response.headers()) {
            return checked_digest(d, &url).map_err(|cause| error(&with_tag, cause));
        }
        // Some registries leave the header off HEAD answers: hash the manifest body instead.
        self.stats.manifest_requests.fetch_add(1, Ordering::Relaxed);
        let response = self
            .send(&with_tag, reqwest::Method::GET, &url, Kind::Manifest)
            .await?;
        let header = content_digest(response.headers());
        let body = self
            .read_body(response, &url)
            .await
            .map_err(|cause| error(&with_tag, cause))?;
        let actual = crate::bump::reference::sha256_digest_of(&body);
        match header {
            Some(claimed) if claimed != actual => Err(error(
                &with_tag,
                Cause::BadDigest {
                    url,
                    message: format!(
                        "Docker-Content-Digest {claimed:?} is not the digest of the manifest it came with ({actual})"
                    ),
                },
            )),
            _ => Ok(actual),
        }
    }

    /// Reads a response body, at most [`ClientOptions::max_body_bytes`] of it, chunk by chunk: a
    /// larger body is refused as soon as it passes the cap (a declared `Content-Length` above it
    /// before anything is read), and a body that drips ends at the request timeout.
    async fn read_body(
        &self,
        mut response: reqwest::Response,
        url: &str,
    ) -> Result<Vec<u8>, Cause> {
        let limit = self.options.max_body_bytes;
        let too_large = || Cause::TooLarge {
            url: url.to_string(),
            limit,
        };
        if response.content_length().is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.transport(url, e, 1))?
        {
            if body.len() as u64 + chunk.len() as u64 > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    async fn get(
        &self,
        image: &ImageRef,
        url: &str,
        kind: Kind,
    ) -> Result<reqwest::Response, RegistryError> {
        self.send(image, reqwest::Method::GET, url, kind).await
    }

    /// One logical request: retries, then one authentication round when challenged.
    async fn send(
        &self,
        image: &ImageRef,
        method: reqwest::Method,
        url: &str,
        kind: Kind,
    ) -> Result<reqwest::Response, RegistryError> {
        let host = auth::canonical_host(&image.registry);
        let scope = format!("repository:{}:pull", image.repository);
        let endpoint = self.mirrors.endpoint(&image.registry);
        // A `Link` may point anywhere: only the registry's own endpoint sees credentials.
        let own_host = same_origin(url, &endpoint);
        let mut authorization = self
            .cached_token(&host, &scope)
            .filter(|_| own_host)
            .map(|t| format!("Bearer {t}"));
        let mut authenticated = false;
        loop {
            let response = self
                .send_with_retries(image, &method, url, &kind, authorization.as_deref())
                .await?;
            match response.status() {
                s if s.is_success() => return Ok(response),
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN if !own_host => {
                    return Err(error(
                        image,
                        Cause::ForeignHost {
                            url: url.to_string(),
                        },
                    ));
                }
                StatusCode::UNAUTHORIZED if !authenticated => {
                    authenticated = true;
                    let challenge = response
                        .headers()
                        .get(WWW_AUTHENTICATE)
                        .and_then(|v| v.to_str().ok())
                        .and_then(auth::parse_challenge);
                    authorization = match challenge {
                        Some(auth::Challenge::Bearer {
                            realm,
                            service,
                            scope: challenged,
                        }) => {
                            let scope = challenged.unwrap_or(scope.clone());
                            let token = self
                                .fetch_token(
                                    image,
                                    &host,
                                    &endpoint,
                                    &realm,
                                    service.as_deref(),
                                    &scope,
                                )
                                .await?;
                            Some(format!("Bearer {token}"))
                        }
                        Some(auth::Challenge::Basic) => match self.credentials.get(&host) {
                            Some(c) => Some(c.basic_header()),
                            None => return Err(error(image, Cause::Unauthorized { status: 401 })),
                        },
                        None => return Err(error(image, Cause::Unauthorized { status: 401 })),
                    };
                }
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                    return Err(error(
                        image,
                        Cause::Unauthorized {
                            status: response.status().as_u16(),
                        },
                    ));
                }
                StatusCode::NOT_FOUND => return Err(error(image, Cause::NotFound)),
                s => {
                    return Err(error(
                        image,
                        Cause::Status {
                            status: s.as_u16(),
                            url: url.to_string(),
                        },
                    ));
                }
            }
        }
    }

    async fn send_with_retries(
        &self,
        image: &ImageRef,
        method: &reqwest::Method,
        url: &str,
        kind: &Kind,
        authorization: Option<&str>,
    ) -> Result<reqwest::Response, RegistryError> {
        let mut delay = self.options.backoff;
        for attempt in 1..=self.options.attempts {
            let mut request = self.http.request(method.clone(), url);
            if let Kind::Manifest = kind {
                request = request.header(ACCEPT, MANIFEST_ACCEPT);
            } else {
                request = request.header(ACCEPT, "application/json");
            }
            if let Some(a) = authorization {
                request = request.header(AUTHORIZATION, a);
            }
            self.stats.requests.fetch_add(1, Ordering::Relaxed);
            let last = attempt == self.options.attempts;
            let wait = match request.send().await {
                Ok(r)
                    if r.status() == StatusCode::TOO_MANY_REQUESTS
                        || r.status().is_server_error() =>
                {
                    if last {
                        let status = r.status().as_u16();
                        return Err(error(
                            image,
                            if status == 429 {
                                Cause::RateLimited { attempts: attempt }
                            } else {
                                Cause::Server {
                                    status,
                                    attempts: attempt,
                                }
                            },
                        ));
                    }
                    retry_after(r.headers()).unwrap_or(delay)
                }
                Ok(r) => return Ok(r),
                Err(e) if last || !(e.is_timeout() || e.is_connect() || e.is_request()) => {
                    return Err(error(image, self.transport(url, e, attempt)));
                }
                Err(_) => delay,
            };
            self.stats.retries.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(url, attempt, ?wait, "registry: retrying");
            tokio::time::sleep(wait.min(self.options.max_backoff)).await;
            delay = (delay * 2).min(self.options.max_backoff);
        }
        unreachable!("the last attempt returns")
    }

    fn cached_token(&self, host: &str, scope: &str) -> Option<String> {
        self.tokens
            .lock()
            .expect("token lock")
            .get(&(host.to_string(), scope.to_string()))
            .cloned()
    }

    /// The bearer-token exchange: anonymous, or with the host's credentials as Basic. The
    /// credentials go to a realm on the registry's own endpoint, or on another host over HTTPS;
    /// a realm on another host over plain HTTP is refused when there are credentials to send.
    async fn fetch_token(
        &self,
        image: &ImageRef,
        host: &str,
        endpoint: &str,
        realm: &str,
        service: Option<&str>,
        scope: &str,
    ) -> Result<String, RegistryError> {
        let token_error = |message: String| {
            error(
                image,
                Cause::Token {
                    realm: realm.to_string(),
                    message,
                },
            )
        };
        let mut url = reqwest::Url::parse(realm)
            .map_err(|e| token_error(format!("realm is not a URL: {e}")))?;
        {
            let mut q = url.query_pairs_mut();
            if let Some(s) = service {
                q.append_pair("service", s);
            }
            q.append_pair("scope", scope);
        }
        let mut request = self.http.get(url.clone());
        if let Some(c) = self.credentials.get(host) {
            if !realm_may_get_credentials(&url, endpoint) {
                return Err(token_error(
                    "the token realm is another host over plain HTTP: the registry credentials are sent to another host only over HTTPS".into(),
                ));
            }
            request = request.header(AUTHORIZATION, c.basic_header());
        }
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        self.stats.token_requests.fetch_add(1, Ordering::Relaxed);
        let response = request
            .send()
            .await
            .map_err(|e| error(image, self.transport(realm, e, 1)))?;
        match response.status() {
            s if s.is_success() => {}
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                return Err(error(
                    image,
                    Cause::Unauthorized {
                        status: response.status().as_u16(),
                    },
                ));
            }
            s => return Err(token_error(format!("status {}", s.as_u16()))),
        }
        let bytes = self
            .read_body(response, realm)
            .await
            .map_err(|cause| error(image, cause))?;
        let body: TokenResponse = serde_json::from_slice(&bytes)
            .map_err(|e| token_error(format!("not a token response: {e}")))?;
        let token = body
            .token
            .or(body.access_token)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| token_error("the response has no token".into()))?;
        self.tokens
            .lock()
            .expect("token lock")
            .insert((host.to_string(), scope.to_string()), token.clone());
        Ok(token)
    }
}

#[derive(serde::Deserialize)]
struct TagList {
    tags: Option<Vec<String>>,
}

#[derive(serde::Deserialize)]
struct TokenResponse {
    token: Option<String>,
    access_token: Option<String>,
}

fn error(image: &ImageRef, cause: Cause) -> RegistryError {
    let mut name = format!("{}/{}", image.registry, image.repository);
    if let Some(t) = &image.tag {
        name = format!("{name}:{t}");
    }
    RegistryError { image: name, cause }
}

impl Client {
    /// A transport error as a [`Cause`]: a timeout says so (with the limit), whether it struck
    /// while connecting, waiting or reading the body.
    fn transport(&self, url: &str, e: reqwest::Error, attempts: u32) -> Cause {
        // The URL never carries credentials; the error's own text may repeat it, so build our own.
        if e.is_timeout() {
            Cause::Timeout {
                url: url.to_string(),
                attempts,
                seconds: self.options.timeout.as_secs().max(1),
            }
        } else if e.is_connect() {
            Cause::Connect {
                url: url.to_string(),
                message: innermost(&e).to_string(),
            }
        } else {
            Cause::BadResponse {
                url: url.to_string(),
                message: e.without_url().to_string(),
            }
        }
    }
}

fn innermost<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> &'a (dyn std::error::Error + 'static) {
    let mut source = e;
    while let Some(s) = source.source() {
        source = s;
    }
    source
}

/// Whether a token realm may be sent the registry's credentials: when it is the registry's own
/// endpoint (scheme, host and port), or any host over HTTPS (Docker Hub's realm is
/// `auth.docker.io`), as Docker's client does.
fn realm_may_get_credentials(realm: &reqwest::Url, endpoint: &str) -> bool {
    realm.scheme() == "https" || same_origin(realm.as_str(), endpoint)
}

/// Whether `url` has the scheme, host and port of `base`.
fn same_origin(url: &str, base: &str) -> bool {
    match (reqwest::Url::parse(url), reqwest::Url::parse(base)) {
        (Ok(a), Ok(b)) => {
            a.scheme() == b.scheme()
                && a.host_str().map(str::to_ascii_lowercase)
                    == b.host_str().map(str::to_ascii_lowercase)
                && a.port_or_known_default() == b.port_or_known_default()
        }
        _ => false,
    }
}

/// A `sha256:` digest header, refused unless it is `sha256:<64 lowercase hex digits>`.
fn checked_digest(digest: String, url: &str) -> Result<String, Cause> {
    if crate::bump::reference::is_sha256_digest(&digest) {
        Ok(digest)
    } else {
        Err(Cause::BadDigest {
            url: url.to_string(),
            message: format!(
                "Docker-Content-Digest {digest:?} is not sha256: and 64 lowercase hex digits"
            ),
        })
    }
}

fn content_digest(headers: &HeaderMap) -> Option<String> {
    headers
        .get("docker-content-digest")
        .and_then(|v| v.to_str().ok())
        .filter(|d| d.starts_with("sha256:"))
        .map(str::to_string)
}

/// `Retry-After` in seconds (the HTTP-date form is treated as absent).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// The `rel="next"` target of a `Link` header.
pub fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        params
            .split(';')
            .any(|p| {
                let p = p.trim().replace(' ', "");
                p == "rel=\"next\"" || p == "rel=next"
            })
            .then(|| target.to_string())
    })
}

/// A `Link` target is relative to the registry's base URL unless absolute.
fn resolve(base: &str, target: &str) -> String {
    if target.starts_with("http://") || target.starts_with("https://") {
        target.to_string()
    } else {
        format!("{base}/{}", target.trim_start_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_next_link() {
        assert_eq!(
            next_link(r#"</v2/library/python/tags/list?last=3.12&n=2>; rel="next""#).as_deref(),
            Some("/v2/library/python/tags/list?last=3.12&n=2")
        );
        assert_eq!(
            next_link(r#"<https://x/a>; rel="prev", <https://x/b>; rel="next""#).as_deref(),
            Some("https://x/b")
        );
        assert_eq!(next_link(r#"<https://x/a>; rel="prev""#), None);
        assert_eq!(
            resolve("http://127.0.0.1:5000", "/v2/a?n=1"),
            "http://127.0.0.1:5000/v2/a?n=1"
        );
    }

    #[test]
    fn credentials_go_only_to_the_registrys_origin_or_an_https_realm() {
        let url = |u: &str| reqwest::Url::parse(u).unwrap();
        let hub = DOCKER_HUB_ENDPOINT;
        assert!(realm_may_get_credentials(
            &url("https://auth.docker.io/token"),
            hub
        ));
        assert!(realm_may_get_credentials(
            &url("http://127.0.0.1:5000/token"),
            "http://127.0.0.1:5000"
        ));
        assert!(!realm_may_get_credentials(
            &url("http://127.0.0.1:5001/token"),
            "http://127.0.0.1:5000"
        ));
        assert!(!realm_may_get_credentials(
            &url("http://auth.docker.io/token"),
            hub
        ));
        assert!(same_origin("https://registry-1.docker.io:443/v2/x", hub));
        assert!(same_origin("https://REGISTRY-1.docker.io/v2/x", hub));
        assert!(!same_origin("http://registry-1.docker.io/v2/x", hub));
        assert!(!same_origin(
            "https://registry-1.docker.io.evil.example/v2/x",
            hub
        ));
        assert!(!same_origin(
            "https://evil.example/v2/x?registry-1.docker.io",
            hub
        ));
        assert!(!same_origin("not a url", hub));
    }

    #[test]
    fn mirrors_and_docker_hub_endpoint() {
        let mut m = Mirrors::default();
        assert_eq!(m.endpoint("docker.io"), "https://registry-1.docker.io");
        assert_eq!(m.endpoint("ghcr.io"), "https://ghcr.io");
        m.add("docker.io=http://127.0.0.1:5000/").unwrap();
        assert_eq!(m.endpoint("index.docker.io"), "http://127.0.0.1:5000");
        assert!(m.add("docker.io").is_err());
        assert!(m.add("docker.io=ftp://x").is_err());
        assert!(m.add("docker.io=http://u:p@x").is_err());
        assert!(m.add("docker.io=http://127.0.0.1:").is_err());
        assert!(m.add("docker.io=http://:5000").is_err());
        assert!(m.add("docker.io=http://127.0.0.1:notaport").is_err());
    }
}
