//! The registry client against a small HTTP stand-in on 127.0.0.1, for what the real registry
//! cannot produce: the bearer-token challenge, Basic auth, 401/404/429/500, `Retry-After`, slow
//! answers, `Link` pagination, manifests without a digest header.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use drydock::docker::ImageRef;
use drydock::registry::{Cause, Client, ClientOptions, CredentialStore, Credentials, Mirrors};
use secrecy::SecretString;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::support::http::{Seen, head_complete, parse_head};

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
    delay: Duration,
}

fn reply(status: u16, body: &str) -> Reply {
    Reply {
        status,
        headers: Vec::new(),
        body: body.into(),
        delay: Duration::ZERO,
    }
}

impl Reply {
    fn header(mut self, k: &str, v: &str) -> Reply {
        self.headers.push((k.into(), v.into()));
        self
    }
}

type Handler = Arc<dyn Fn(&Seen, &str) -> Reply + Send + Sync>;

/// Starts the stand-in; returns its base URL and the log of requests. The server task ends with
/// the test's runtime.
async fn stand_in(
    handler: impl Fn(&Seen, &str) -> Reply + Send + Sync + 'static,
) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let log = Arc::new(Mutex::new(Vec::new()));
    let handler: Handler = Arc::new(handler);
    let (log2, base2) = (log.clone(), base.clone());
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let (handler, log, base) = (handler.clone(), log2.clone(), base2.clone());
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !head_complete(&buf) {
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let seen = parse_head(&buf);
                log.lock().unwrap().push(seen.clone());
                let r = handler(&seen, &base);
                tokio::time::sleep(r.delay).await;
                let mut head = format!(
                    "HTTP/1.1 {} X\r\nConnection: close\r\nContent-Length: {}\r\n",
                    r.status,
                    r.body.len()
                );
                for (k, v) in &r.headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                let _ = socket.write_all(head.as_bytes()).await;
                if seen.method != "HEAD" {
                    let _ = socket.write_all(r.body.as_bytes()).await;
                }
                let _ = socket.shutdown().await;
            });
        }
    });
    (base, log)
}

fn python() -> ImageRef {
    ImageRef {
        registry: "docker.io".into(),
        repository: "library/python".into(),
        tag: Some("3.12".into()),
        digest: None,
    }
}

fn client(base: &str, credentials: CredentialStore) -> Client {
    let mut mirrors = Mirrors::default();
    mirrors.add(&format!("docker.io={base}")).unwrap();
    let options = ClientOptions {
        timeout: Duration::from_millis(700),
        attempts: 3,
        backoff: Duration::from_millis(20),
        max_backoff: Duration::from_secs(2),
        page_size: 2,
        max_pages: 5,
        ..ClientOptions::default()
    };
    Client::new(options, mirrors, credentials).unwrap()
}

const TAGS: &str = r#"{"name":"library/python","tags":["3.12","3.13"]}"#;
const DIGEST: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

#[tokio::test]
async fn bearer_challenge_anonymous_token_is_fetched_once_and_reused() {
    let (base, log) = stand_in(|req, base| {
        if req.target.starts_with("/token") {
            return reply(200, r#"{"token":"tok-123"}"#);
        }
        if req.header("authorization") != Some("Bearer tok-123") {
            return reply(401, "").header(
                "WWW-Authenticate",
                &format!(r#"Bearer realm="{base}/token",service="registry.test",scope="repository:library/python:pull""#),
            );
        }
        if req.method == "HEAD" {
            return reply(200, "").header("Docker-Content-Digest", DIGEST);
        }
        reply(200, TAGS)
    })
    .await;
    let c = client(&base, CredentialStore::anonymous());
    assert_eq!(*c.tags(&python()).await.unwrap(), vec!["3.12", "3.13"]);
    assert_eq!(c.digest(&python(), "3.13").await.unwrap(), DIGEST);
    let log = log.lock().unwrap();
    let tokens: Vec<&Seen> = log
        .iter()
        .filter(|r| r.target.starts_with("/token"))
        .collect();
    assert_eq!(tokens.len(), 1, "{log:?}");
    assert_eq!(
        tokens[0].target,
        "/token?service=registry.test&scope=repository%3Alibrary%2Fpython%3Apull"
    );
    assert_eq!(tokens[0].header("authorization"), None, "anonymous");
    let head = log.iter().find(|r| r.method == "HEAD").unwrap();
    let accept = head.header("accept").unwrap();
    for t in [
        "oci.image.index.v1",
        "oci.image.manifest.v1",
        "manifest.list.v2",
        "distribution.manifest.v2",
    ] {
        assert!(accept.contains(t), "{accept}");
    }
    assert_eq!(c.stats.snapshot().token_requests, 1);
}

#[tokio::test]
async fn credentials_go_to_the_token_realm_and_never_into_errors() {
    let (base, log) = stand_in(|req, base| {
        if req.target.starts_with("/token") {
            // dXNlcjpzM2NyZXQ= is user:s3cret
            return if req.header("authorization") == Some("Basic dXNlcjpzM2NyZXQ=") {
                reply(200, r#"{"access_token":"tok"}"#)
            } else {
                reply(401, "")
            };
        }
        if req.header("authorization") == Some("Bearer tok") {
            return reply(200, TAGS);
        }
        reply(401, "").header(
            "WWW-Authenticate",
            &format!(r#"Bearer realm="{base}/token",service="s""#),
        )
    })
    .await;
    let mut creds = CredentialStore::anonymous();
    creds.insert(
        "docker.io",
        Credentials {
            username: "user".into(),
            password: SecretString::from("s3cret".to_string()),
        },
    );
    assert_eq!(client(&base, creds).tags(&python()).await.unwrap().len(), 2);

    let mut wrong = CredentialStore::anonymous();
    wrong.insert(
        "docker.io",
        Credentials {
            username: "user".into(),
            password: SecretString::from("wrong-pw".to_string()),
        },
    );
    let err = client(&base, wrong).tags(&python()).await.unwrap_err();
    assert!(
        matches!(err.cause, Cause::Unauthorized { status: 401 }),
        "{err}"
    );
    let text = format!("{err} {err:?}");
    assert!(
        text.contains("docker.io/library/python") && !text.contains("wrong-pw"),
        "{text}"
    );
    assert!(log.lock().unwrap().len() >= 4);
}

#[tokio::test]
async fn basic_challenge_is_answered_with_credentials() {
    let (base, _) = stand_in(|req, _| match req.header("authorization") {
        Some("Basic dXNlcjpwYXNz") => reply(200, TAGS),
        _ => reply(401, "").header("WWW-Authenticate", r#"Basic realm="Registry Realm""#),
    })
    .await;
    let mut creds = CredentialStore::anonymous();
    creds.insert(
        "https://index.docker.io/v1/",
        Credentials {
            username: "user".into(),
            password: SecretString::from("pass".to_string()),
        },
    );
    assert_eq!(client(&base, creds).tags(&python()).await.unwrap().len(), 2);
    let err = client(&base, CredentialStore::anonymous())
        .tags(&python())
        .await
        .unwrap_err();
    assert!(matches!(err.cause, Cause::Unauthorized { .. }), "{err}");
    assert!(err.to_string().contains("DRYDOCK_REGISTRY_HOST"), "{err}");
}

#[tokio::test]
async fn not_found_names_the_image() {
    let (base, _) = stand_in(|_, _| reply(404, r#"{"errors":[{"code":"NAME_UNKNOWN"}]}"#)).await;
    let err = client(&base, CredentialStore::anonymous())
        .tags(&python())
        .await
        .unwrap_err();
    assert_eq!(err.cause, Cause::NotFound);
    assert!(
        err.to_string()
            .starts_with("docker.io/library/python:3.12: not found"),
        "{err}"
    );
}

#[tokio::test]
async fn rate_limit_honours_retry_after_then_succeeds() {
    let calls = Arc::new(Mutex::new(0));
    let calls2 = calls.clone();
    let (base, _) = stand_in(move |_, _| {
        let mut n = calls2.lock().unwrap();
        *n += 1;
        if *n == 1 {
            reply(429, "").header("Retry-After", "1")
        } else {
            reply(200, TAGS)
        }
    })
    .await;
    let c = client(&base, CredentialStore::anonymous());
    let start = Instant::now();
    assert_eq!(c.tags(&python()).await.unwrap().len(), 2);
    assert!(
        start.elapsed() >= Duration::from_millis(950),
        "waited {:?}",
        start.elapsed()
    );
    assert_eq!(c.stats.snapshot().retries, 1);
}

#[tokio::test]
async fn server_errors_and_rate_limits_give_up_after_the_bounded_attempts() {
    let (base, log) = stand_in(|_, _| reply(500, "")).await;
    let err = client(&base, CredentialStore::anonymous())
        .tags(&python())
        .await
        .unwrap_err();
    assert_eq!(
        err.cause,
        Cause::Server {
            status: 500,
            attempts: 3
        }
    );
    assert_eq!(log.lock().unwrap().len(), 3);

    let (base, log) = stand_in(|_, _| reply(429, "").header("Retry-After", "0")).await;
    let err = client(&base, CredentialStore::anonymous())
        .tags(&python())
        .await
        .unwrap_err();
    assert_eq!(err.cause, Cause::RateLimited { attempts: 3 });
    assert_eq!(log.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn slow_answers_time_out() {
    let (base, log) = stand_in(|_, _| Reply {
        delay: Duration::from_secs(5),
        ..reply(200, TAGS)
    })
    .await;
    let start = Instant::now();
    let err = client(&base, CredentialStore::anonymous())
        .tags(&python())
        .await
        .unwrap_err();
    assert!(
        matches!(err.cause, Cause::Timeout { attempts: 3, .. }),
        "{err}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(log.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn follows_link_pagination_and_caches_the_list() {
    let (base, log) = stand_in(|req, _| {
        let t = req.target.as_str();
        if t == "/v2/library/python/tags/list?n=2" {
            reply(200, r#"{"tags":["3.10","3.11"]}"#).header(
                "Link",
                r#"</v2/library/python/tags/list?n=2&last=3.11>; rel="next""#,
            )
        } else if t == "/v2/library/python/tags/list?n=2&last=3.11" {
            reply(200, r#"{"tags":["3.12","3.13"]}"#).header(
                "Link",
                r#"</v2/library/python/tags/list?n=2&last=3.13>; rel="next""#,
            )
        } else if t == "/v2/library/python/tags/list?n=2&last=3.13" {
            reply(200, r#"{"tags":["3.14"]}"#)
        } else {
            // A registry whose Link points at itself forever.
            reply(200, r#"{"tags":["x"]}"#)
                .header("Link", r#"</v2/library/loop/tags/list?n=2>; rel="next""#)
        }
    })
    .await;
    let c = client(&base, CredentialStore::anonymous());
    let image = python();
    let (a, b) = tokio::join!(c.tags(&image), c.tags(&image));
    assert_eq!(*a.unwrap(), vec!["3.10", "3.11", "3.12", "3.13", "3.14"]);
    assert_eq!(b.unwrap().len(), 5);
    assert_eq!(log.lock().unwrap().len(), 3, "one fetch of three pages");
    let s = c.stats.snapshot();
    assert_eq!(
        (
            s.tag_list_fetches,
            s.tag_list_pages,
            s.max_tag_list_fetches_per_image
        ),
        (1, 3, 1)
    );

    let looping = ImageRef {
        repository: "library/loop".into(),
        ..python()
    };
    let err = c.tags(&looping).await.unwrap_err();
    assert!(err.to_string().contains("more than 5 pages"), "{err}");
}

#[tokio::test]
async fn digest_from_the_body_when_the_header_is_missing() {
    let body = r#"{"schemaVersion":2}"#;
    let (base, _) = stand_in(move |_, _| reply(200, body)).await;
    let d = client(&base, CredentialStore::anonymous())
        .digest(&python(), "3.12")
        .await
        .unwrap();
    use sha2::Digest;
    let want: String = sha2::Sha256::digest(body.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(d, format!("sha256:{want}"));
}

#[tokio::test]
async fn connection_refused_is_reported_with_the_url() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let err = client(&base, CredentialStore::anonymous())
        .tags(&python())
        .await
        .unwrap_err();
    assert!(matches!(err.cause, Cause::Connect { .. }), "{err}");
    assert!(err.to_string().contains(&base), "{err}");
}

#[tokio::test]
async fn a_refused_large_page_size_falls_back_to_100() {
    let (base, log) = stand_in(|req, _| {
        if req.target.ends_with("n=1000") {
            reply(400, r#"{"errors":[{"code":"TOO_MANY_TAGS_REQUESTED"}]}"#)
        } else {
            reply(200, TAGS)
        }
    })
    .await;
    let mut mirrors = Mirrors::default();
    mirrors.add(&format!("docker.io={base}")).unwrap();
    let c = Client::new(
        ClientOptions::default(),
        mirrors,
        CredentialStore::anonymous(),
    )
    .unwrap();
    assert_eq!(c.tags(&python()).await.unwrap().len(), 2);
    let targets: Vec<String> = log
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.target.clone())
        .collect();
    assert_eq!(
        targets,
        [
            "/v2/library/python/tags/list?n=1000",
            "/v2/library/python/tags/list?n=100"
        ]
    );
}

#[tokio::test]
async fn a_declared_length_over_the_cap_is_refused_before_reading() {
    let big = format!(r#"{{"tags":["{}"]}}"#, "1".repeat(5000));
    let (base, _) = stand_in(move |_, _| reply(200, &big)).await;
    let mut mirrors = Mirrors::default();
    mirrors.add(&format!("docker.io={base}")).unwrap();
    let options = ClientOptions {
        max_body_bytes: 1024,
        ..ClientOptions::default()
    };
    let err = Client::new(options, mirrors, CredentialStore::anonymous())
        .unwrap()
        .tags(&python())
        .await
        .unwrap_err();
    assert!(
        matches!(err.cause, Cause::TooLarge { limit: 1024, .. }),
        "{err}"
    );
}
