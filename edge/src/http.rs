//! Small helpers shared by the Worker and the Durable Objects: JSON answers, errors, internal calls.

use serde::Serialize;
use worker::{Headers, Method, Request, RequestInit, Response, Stub};

use crate::error::ApiError;

impl From<worker::Error> for ApiError {
    fn from(e: worker::Error) -> Self {
        worker::console_error!("internal error: {e}");
        ApiError::internal("internal error")
    }
}

/// A numeric `[vars]` setting from wrangler.toml, or `default` when absent or not a number.
pub fn env_u64(env: &worker::Env, name: &str, default: u64) -> u64 {
    env.var(name)
        .ok()
        .and_then(|v| v.to_string().trim().parse().ok())
        .unwrap_or(default)
}

/// Result type of every handler: an API error becomes a JSON answer, never a thrown exception.
pub type ApiResult<T> = Result<T, ApiError>;

/// A JSON answer with a status.
pub fn json_text(status: u16, body: String) -> Response {
    let headers = Headers::new();
    let _ = headers.set("content-type", "application/json");
    let _ = headers.set("cache-control", "no-store");
    Response::builder()
        .with_status(status)
        .with_headers(headers)
        .fixed(body.into_bytes())
}

/// Serialize `value` as a JSON answer.
pub fn json<T: Serialize>(status: u16, value: &T) -> Response {
    match serde_json::to_string(value) {
        Ok(s) => json_text(status, s),
        Err(e) => error(&ApiError::internal(format!("encoding failed: {e}"))),
    }
}

/// The JSON error answer.
pub fn error(e: &ApiError) -> Response {
    json_text(e.status, e.to_json())
}

/// Turn a handler result into a response.
pub fn respond(r: ApiResult<Response>) -> Response {
    r.unwrap_or_else(|e| error(&e))
}

/// An internal request to a Durable Object.
pub fn internal_request(method: Method, path: &str, body: Option<Vec<u8>>) -> ApiResult<Request> {
    let mut init = RequestInit::new();
    init.with_method(method);
    if let Some(b) = body {
        let arr = js_sys::Uint8Array::from(b.as_slice());
        init.with_body(Some(arr.into()));
    }
    Ok(Request::new_with_init(
        &format!("https://internal{path}"),
        &init,
    )?)
}

/// Call a Durable Object and return `(status, body bytes)`.
pub async fn call(
    stub: &Stub,
    method: Method,
    path: &str,
    body: Option<Vec<u8>>,
) -> ApiResult<(u16, Vec<u8>)> {
    let req = internal_request(method, path, body)?;
    let mut resp = stub.fetch_with_request(req).await?;
    let status = resp.status_code();
    let bytes = resp.bytes().await?;
    Ok((status, bytes))
}

/// Call a Durable Object that answers JSON; pass its errors through unchanged.
pub async fn call_json<T: serde::de::DeserializeOwned>(
    stub: &Stub,
    method: Method,
    path: &str,
    body: Option<Vec<u8>>,
) -> ApiResult<(u16, T)> {
    let (status, bytes) = call(stub, method, path, body).await?;
    if status >= 400 {
        return Err(error_from_body(status, &bytes));
    }
    let value = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::internal(format!("bad internal answer: {e}")))?;
    Ok((status, value))
}

/// Rebuild an [`ApiError`] a Durable Object answered with.
pub fn error_from_body(status: u16, bytes: &[u8]) -> ApiError {
    #[derive(serde::Deserialize)]
    struct Body {
        error: Inner,
    }
    #[derive(serde::Deserialize)]
    struct Inner {
        code: String,
        message: String,
    }
    match serde_json::from_slice::<Body>(bytes) {
        // Codes are a closed set of &'static str; map known ones back, keep the message.
        Ok(b) => ApiError::new(status, intern(&b.error.code), b.error.message),
        Err(_) => ApiError::internal("internal call failed"),
    }
}

/// Every code a Durable Object may answer with, so errors cross the hop with their code intact.
fn intern(code: &str) -> &'static str {
    const CODES: &[&str] = &[
        "event_not_found",
        "event_exists",
        "invalid_opening",
        "invalid_body",
        "invalid_bet",
        "bet_not_found",
        "rate_limited",
        "idempotency_conflict",
        "signature_replayed",
        "replay_failed",
        "internal",
    ];
    CODES
        .iter()
        .copied()
        .find(|c| *c == code)
        .unwrap_or("internal")
}

/// Read a request body, refusing more than `limit` bytes with 413.
pub async fn read_body(req: &mut Request, limit: usize) -> ApiResult<Vec<u8>> {
    if let Ok(Some(len)) = req.headers().get("content-length")
        && len.trim().parse::<usize>().is_ok_and(|n| n > limit)
    {
        return Err(too_large(limit));
    }
    let bytes = req
        .bytes()
        .await
        .map_err(|_| ApiError::bad_request("invalid_body", "could not read the body"))?;
    if bytes.len() > limit {
        return Err(too_large(limit));
    }
    Ok(bytes)
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        413,
        "payload_too_large",
        format!("body exceeds {limit} bytes"),
    )
}

/// Current wall time, ms.
pub fn now_ms() -> u64 {
    worker::Date::now().as_millis()
}
