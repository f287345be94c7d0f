//! HTTP to the Worker: signed feed posts, admin calls, bets. A keep-alive HTTP/1.1 client (hyper,
//! no TLS: the tools only ever talk to a local `wrangler dev` or a URL the operator gives).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use inplay_engine::live::Source;
use inplay_engine::signing::{SIGNATURE_HEADER, SOURCE_HEADER, TIMESTAMP_HEADER, sign_feed};
use serde_json::Value;

/// Unix ms now.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// One answer: status, headers, body.
#[derive(Debug, Clone)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// Raw body.
    pub body: Bytes,
}

impl Answer {
    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    /// `error.code` of an error answer.
    pub fn error_code(&self) -> Option<String> {
        self.json()
            .pointer("/error/code")
            .and_then(Value::as_str)
            .map(String::from)
    }
    /// One header as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    }
}

/// A client for one Worker base URL (`http://127.0.0.1:8787`).
#[derive(Clone)]
pub struct Http {
    client: Client<HttpConnector, Full<Bytes>>,
    base: String,
    timeout: Duration,
}

impl Http {
    /// A client with a pool of keep-alive connections.
    pub fn new(base: &str) -> Result<Http> {
        let base = base.trim_end_matches('/').to_string();
        if !base.starts_with("http://") {
            return Err(anyhow!(
                "--url must be http://host:port (the tools do not speak TLS): {base}"
            ));
        }
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(512)
            .build(connector);
        Ok(Http {
            client,
            base,
            timeout: Duration::from_secs(30),
        })
    }

    /// The WebSocket URL of a path.
    pub fn ws_url(&self, path: &str) -> String {
        format!("ws://{}{path}", self.base.trim_start_matches("http://"))
    }

    /// Any request.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, String)],
        body: Option<Vec<u8>>,
    ) -> Result<Answer> {
        let mut req = Request::builder()
            .method(method.clone())
            .uri(format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.header(
                HeaderName::from_bytes(k.as_bytes())?,
                HeaderValue::from_str(v)?,
            );
        }
        let has_body = body.is_some();
        let mut req = req.body(Full::new(Bytes::from(body.unwrap_or_default())))?;
        if has_body && !req.headers().contains_key("content-type") {
            req.headers_mut()
                .insert("content-type", HeaderValue::from_static("application/json"));
        }
        let call = async {
            let resp = self.client.request(req).await?;
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let body = resp.into_body().collect().await?.to_bytes();
            anyhow::Ok(Answer {
                status,
                headers,
                body,
            })
        };
        tokio::time::timeout(self.timeout, call)
            .await
            .map_err(|_| anyhow!("{method} {path}: no answer within {:?}", self.timeout))?
            .with_context(|| format!("{method} {path} on {}", self.base))
    }

    /// `GET path` as JSON.
    pub async fn get(&self, path: &str) -> Result<Answer> {
        self.send(Method::GET, path, &[], None).await
    }

    /// Waits until `GET /healthz` answers 200.
    pub async fn wait_healthy(&self, within: Duration) -> Result<()> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Ok(a) = self.get("/healthz").await
                && a.status == 200
            {
                return Ok(());
            }
            if tokio::time::Instant::now() > deadline {
                return Err(anyhow!(
                    "{} did not answer /healthz within {within:?}",
                    self.base
                ));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// `POST /v1/events` with the admin token.
    pub async fn create_event(&self, admin: &str, opening: &Value) -> Result<Answer> {
        self.send(
            Method::POST,
            "/v1/events",
            &[("authorization", format!("Bearer {admin}"))],
            Some(serde_json::to_vec(opening)?),
        )
        .await
    }

    /// `POST /v1/feed`, signed as `source` at the current time.
    pub async fn post_feed(&self, source: Source, secret: &str, body: Vec<u8>) -> Result<Answer> {
        let headers = feed_headers(source, secret, now_ms(), &body);
        self.send(Method::POST, "/v1/feed", &headers, Some(body))
            .await
    }
}

/// The three signature headers for a feed body.
pub fn feed_headers(
    source: Source,
    secret: &str,
    timestamp_ms: u64,
    body: &[u8],
) -> Vec<(&'static str, String)> {
    vec![
        (SOURCE_HEADER, source.as_str().to_string()),
        (TIMESTAMP_HEADER, timestamp_ms.to_string()),
        (
            SIGNATURE_HEADER,
            sign_feed(secret.as_bytes(), timestamp_ms, body),
        ),
    ]
}

/// Runs one async command on a multi-threaded runtime (the rest of the CLI is synchronous).
pub fn block_on<F: std::future::Future<Output = Result<()>>>(f: F) -> Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?
        .block_on(f)
}
