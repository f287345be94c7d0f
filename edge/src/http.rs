//! Small helpers shared by the Worker and the Durable Objects: JSON answers and errors, bodies read
//! within a limit, typed calls between objects with a timeout.
//!
//! Between objects a call is `POST https://do/call` with a postcard body; the answer is the
//! postcard `Result<Answer, ApiError>` with the error's status. A stub that throws, a status without
//! a decodable answer, or no answer within the timeout is `hub_unavailable` / `relay_unavailable`
//! (503): the call may be retried.

use std::future::Future;
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::future::{Either, select};
use inplay_protocol::{ApiError, ErrorCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use worker::{Delay, Headers, Method, Request, RequestInit, Response, Stub};

/// Result type of every handler: an API error becomes a JSON answer, never a thrown exception.
pub type ApiResult<T> = Result<T, ApiError>;

/// A runtime failure (a binding missing, a JS exception): logged, answered without internals.
pub fn runtime(e: worker::Error) -> ApiError {
    worker::console_error!("runtime error: {e}");
    ApiError::internal()
}

/// A numeric `[vars]` setting from wrangler.toml, or `default` when absent or not a number.
pub fn env_u64(env: &worker::Env, name: &str, default: u64) -> u64 {
    env.var(name)
        .ok()
        .and_then(|v| v.to_string().trim().parse().ok())
        .unwrap_or(default)
}

/// Whether a `[vars]` flag is `"1"`.
pub fn env_flag(env: &worker::Env, name: &str) -> bool {
    env.var(name).is_ok_and(|v| v.to_string().trim() == "1")
}

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
        Err(_) => error(&ApiError::internal()),
    }
}

/// The JSON error answer, with `Retry-After` when the error says when.
pub fn error(e: &ApiError) -> Response {
    let resp = json_text(e.status(), e.to_json());
    if let Some(secs) = e.retry_after_secs() {
        let _ = resp.headers().set("retry-after", &secs.to_string());
    }
    resp
}

/// Turn a handler result into a response.
pub fn respond(r: ApiResult<Response>) -> Response {
    r.unwrap_or_else(|e| error(&e))
}

/// Reads a request body, stopping at `limit` bytes (413): a body without a `Content-Length`
/// is read only as far as the limit, never whole.
pub async fn read_body(req: &mut Request, limit: usize) -> ApiResult<Vec<u8>> {
    let too_large = || {
        ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("body exceeds {limit} bytes"),
        )
    };
    if let Ok(Some(len)) = req.headers().get("content-length")
        && len.trim().parse::<usize>().is_ok_and(|n| n > limit)
    {
        return Err(too_large());
    }
    let unreadable = || ApiError::new(ErrorCode::InvalidBody, "could not read the body");
    let mut body = Vec::new();
    let Ok(mut stream) = req.stream() else {
        return Ok(body); // no body at all
    };
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| unreadable())?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// `f`, or `None` if it has not finished within `ms`.
pub async fn within<F: Future>(ms: u64, f: F) -> Option<F::Output> {
    let f = std::pin::pin!(f);
    let timer = std::pin::pin!(Delay::from(Duration::from_millis(ms)));
    match select(f, timer).await {
        Either::Left((out, _)) => Some(out),
        Either::Right(_) => None,
    }
}

/// A postcard answer to an internal call.
pub fn answer<T: Serialize>(r: &Result<T, ApiError>) -> Response {
    let status = match r {
        Ok(_) => 200,
        Err(e) => e.status(),
    };
    Response::builder()
        .with_status(status)
        .fixed(inplay_protocol::encode(r))
}

/// Calls another object with a postcard body and reads its postcard answer, within `timeout_ms`.
/// Any failure to get an answer is `unavailable`.
pub async fn call<T: DeserializeOwned>(
    stub: &Stub,
    body: Vec<u8>,
    timeout_ms: u64,
    unavailable: ErrorCode,
) -> ApiResult<T> {
    let down = |why: &str| {
        worker::console_warn!("internal call failed: {why}");
        ApiError::new(unavailable, "the service did not answer; retry")
    };
    let mut init = RequestInit::new();
    init.with_method(Method::Post);
    let arr = js_sys::Uint8Array::from(body.as_slice());
    init.with_body(Some(arr.into()));
    let req = Request::new_with_init("https://do/call", &init).map_err(runtime)?;
    let exchange = async {
        let mut resp = stub.fetch_with_request(req).await?;
        let bytes = resp.bytes().await?;
        Ok::<_, worker::Error>(bytes)
    };
    let bytes = match within(timeout_ms, exchange).await {
        None => return Err(down("timeout")),
        Some(Err(e)) => return Err(down(&e.to_string())),
        Some(Ok(bytes)) => bytes,
    };
    postcard::from_bytes::<Result<T, ApiError>>(&bytes).map_err(|_| down("bad answer"))?
}

/// A query parameter of the request, decoded. Reads the URL the host already serialised rather
/// than parsing it again (`Request::url` would pull the `url` crate's whole parser into the Worker).
pub fn query_param(req: &Request, name: &str) -> Option<String> {
    let url = req.inner().url();
    let query = url.split_once('?')?.1;
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Completes a socket's closing handshake with the code the client sent (1005 and 1006 say no code
/// was given and may not be sent back: 1000 instead).
pub fn close_handshake(ws: &worker::WebSocket, code: usize) {
    let code = if code == 1005 || code == 1006 {
        1000
    } else {
        code as u16
    };
    let _ = ws.close(Some(code), Some("bye"));
}

/// Current wall time, ms.
pub fn now_ms() -> u64 {
    worker::Date::now().as_millis()
}
