//! The Worker's request handlers: authenticate, route, pick the region, forward.
//!
//! Stateless by design: everything that must be remembered lives in a Durable Object. Each handler
//! returns `ApiResult<Response>`, and [`handle`] turns every error into its JSON answer.

use std::cell::RefCell;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use wasm_bindgen::JsValue;
use worker::{Env, Headers, Method, Request, RequestInit, Response, Stub};

use crate::auth;
use crate::bet_id;
use crate::catalog;
use crate::error::ApiError;
use crate::event_hub::{LOG_HEAD_HEADER, LOG_VERSION_HEADER};
use crate::http::{self, ApiResult, env_u64};
use crate::metrics::Metrics;
use crate::region::{self, Region};
use crate::region_relay::{self, EVENT_HEADER, REGION_HEADER, SHARD_HEADER, USER_HEADER};
use crate::route::{self, Route, is_valid_id};

/// Largest `POST /v1/feed` body.
pub const FEED_BODY_LIMIT: usize = 256 * 1024;
/// Most events in one feed batch.
pub const FEED_BATCH_LIMIT: usize = 1000;
/// Largest `POST /v1/events` body.
pub const CREATE_BODY_LIMIT: usize = 64 * 1024;
/// Largest bet body.
pub const BET_BODY_LIMIT: usize = 4 * 1024;
/// Largest suspend/resume body.
pub const MANUAL_BODY_LIMIT: usize = 4 * 1024;

thread_local! {
    /// Counters of this Worker isolate (refusals that never reach a hub).
    static WORKER_METRICS: RefCell<Metrics> = RefCell::new(Metrics::default());
}

fn count_refusal(route: &str, code: &str) {
    WORKER_METRICS.with(|m| {
        m.borrow_mut().inc(
            "inplay_requests_refused_total",
            "Requests refused by the Worker, by route and code (this isolate only).",
            &[("route", route), ("code", code)],
            1.0,
        )
    });
}

fn secret(env: &Env, name: &str) -> Option<String> {
    env.secret(name)
        .ok()
        .map(|s| s.to_string())
        .or_else(|| env.var(name).ok().map(|v| v.to_string()))
        .filter(|s| !s.is_empty())
}

fn header(req: &Request, name: &str) -> Option<String> {
    req.headers().get(name).ok().flatten()
}

fn hub(env: &Env, event_id: &str) -> ApiResult<Stub> {
    Ok(env.durable_object("EVENT_HUB")?.get_by_name(event_id)?)
}

fn catalog_stub(env: &Env) -> ApiResult<Stub> {
    Ok(env
        .durable_object("EVENT_CATALOG")?
        .get_by_name(catalog::NAME)?)
}

/// Pass a Durable Object's answer through (status and JSON body).
async fn forward(
    stub: &Stub,
    method: Method,
    path: &str,
    body: Option<Vec<u8>>,
) -> ApiResult<Response> {
    let mut resp = stub
        .fetch_with_request(http::internal_request(method, path, body)?)
        .await?;
    let status = resp.status_code();
    let bytes = resp.bytes().await?;
    if status >= 400 {
        return Err(http::error_from_body(status, &bytes));
    }
    let mut out = http::json_text(status, String::from_utf8_lossy(&bytes).into_owned());
    // Protocol headers the hub sets travel on to the client.
    for name in ["idempotent-replayed", "retry-after"] {
        if let Ok(Some(v)) = resp.headers().get(name) {
            let _ = out.headers_mut().set(name, &v);
        }
    }
    Ok(out)
}

fn require_admin(req: &Request, env: &Env) -> ApiResult<()> {
    let presented = header(req, "authorization");
    let Some(token) = auth::bearer(presented.as_deref()) else {
        return Err(ApiError::unauthorized(
            "admin_required",
            "this route needs the admin bearer token",
        ));
    };
    let admin = secret(env, "ADMIN_TOKEN").unwrap_or_default();
    if !auth::is_admin(&admin, Some(token)) {
        return Err(ApiError::forbidden("admin_required", "not the admin token"));
    }
    Ok(())
}

fn user_from(req: &Request, env: &Env, token: Option<&str>) -> ApiResult<String> {
    let token = token.ok_or_else(|| {
        ApiError::unauthorized(
            "token_required",
            "Authorization: Bearer <user token> required",
        )
    })?;
    let key = secret(env, "TOKEN_SECRET")
        .ok_or_else(|| ApiError::internal("TOKEN_SECRET is not configured"))?;
    let _ = req;
    auth::verify_token(key.as_bytes(), token, http::now_ms())
}

fn parse_json(bytes: &[u8]) -> ApiResult<Value> {
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_request("invalid_json", format!("body is not valid JSON: {e}")))
}

/// `POST /v1/feed`.
async fn feed(mut req: Request, env: &Env) -> ApiResult<Response> {
    let source = header(&req, auth::SOURCE_HEADER).unwrap_or_default();
    let secret_name = match source.as_str() {
        "primary" => "FEED_SECRET_PRIMARY",
        "backup" => "FEED_SECRET_BACKUP",
        _ => {
            return Err(ApiError::unauthorized(
                "unknown_source",
                "X-Inplay-Source must be primary or backup",
            ));
        }
    };
    let key = secret(env, secret_name)
        .ok_or_else(|| ApiError::unauthorized("unknown_source", "source not configured"))?;
    let body = http::read_body(&mut req, FEED_BODY_LIMIT).await?;
    let window = env_u64(env, "FEED_SIGNATURE_WINDOW_MS", 30_000);
    let verified = auth::verify_feed(
        key.as_bytes(),
        header(&req, auth::TIMESTAMP_HEADER).as_deref(),
        header(&req, auth::SIGNATURE_HEADER).as_deref(),
        &body,
        http::now_ms(),
        window,
    )?;
    let events = match parse_json(&body)? {
        Value::Array(a) => a,
        v @ Value::Object(_) => vec![v],
        _ => {
            return Err(ApiError::bad_request(
                "invalid_body",
                "body must be an event object or an array of them",
            ));
        }
    };
    if events.len() > FEED_BATCH_LIMIT {
        return Err(ApiError::new(
            413,
            "batch_too_large",
            format!("at most {FEED_BATCH_LIMIT} events per request"),
        ));
    }

    // Group by match, keeping each event's position for the answer.
    let mut results: Vec<Value> = vec![Value::Null; events.len()];
    let mut groups: Vec<(String, Vec<usize>, Vec<Value>)> = Vec::new();
    for (i, ev) in events.into_iter().enumerate() {
        let event_id = ev
            .get("event_id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let claimed = ev.get("source").and_then(Value::as_str).unwrap_or("");
        if !is_valid_id(&event_id) {
            results[i] = json!({ "index": i, "result": "rejected", "reason": "malformed", "message": "event_id missing or invalid" });
            continue;
        }
        if claimed != source {
            // The signature authenticates one source; it cannot vouch for the other's events.
            results[i] = json!({ "index": i, "event_id": event_id, "result": "rejected", "reason": "source_mismatch" });
            continue;
        }
        match groups.iter_mut().find(|(id, ..)| *id == event_id) {
            Some((_, idx, evs)) => {
                idx.push(i);
                evs.push(ev);
            }
            None => groups.push((event_id, vec![i], vec![ev])),
        }
    }
    let signature = auth::hex(&verified.signature);
    let calls = groups.iter().map(|(event_id, _, evs)| {
        let body = json!({ "signature": signature, "remember_until_ms": verified.remember_until_ms, "events": evs });
        let event_id = event_id.clone();
        let env = env.clone();
        async move {
            let stub = hub(&env, &event_id)?;
            http::call_json::<Value>(&stub, Method::Post, "/feed", Some(serde_json::to_vec(&body).unwrap_or_default())).await
        }
    });
    let answers = futures_util::future::join_all(calls).await;
    for ((event_id, idx, _), answer) in groups.iter().zip(answers) {
        match answer {
            Ok((_, v)) => {
                let rs = v
                    .get("results")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                for (k, &i) in idx.iter().enumerate() {
                    let mut r = rs
                        .get(k)
                        .cloned()
                        .unwrap_or_else(|| json!({ "result": "rejected", "reason": "internal" }));
                    if let Some(o) = r.as_object_mut() {
                        o.insert("index".into(), json!(i));
                        o.insert("event_id".into(), json!(event_id));
                    }
                    results[i] = r;
                }
            }
            Err(e) if e.code == "signature_replayed" => return Err(e),
            Err(e) => {
                let reason = if e.code == "event_not_found" {
                    "event_not_found"
                } else {
                    e.code
                };
                for &i in idx {
                    results[i] = json!({ "index": i, "event_id": event_id, "result": "rejected", "reason": reason });
                }
            }
        }
    }
    let count = |what: &str| {
        results
            .iter()
            .filter(|r| r.get("result").and_then(Value::as_str) == Some(what))
            .count()
    };
    let summary = json!({
        "accepted": count("accepted") + count("held"),
        "duplicate": count("duplicate"),
        "rejected": count("rejected"),
    });
    Ok(http::json(
        200,
        &json!({ "results": results, "summary": summary }),
    ))
}

/// `POST /v1/events`.
async fn create_event(mut req: Request, env: &Env) -> ApiResult<Response> {
    require_admin(&req, env)?;
    let body = http::read_body(&mut req, CREATE_BODY_LIMIT).await?;
    let value = parse_json(&body)?;
    let event_id = value
        .get("event_id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if !is_valid_id(&event_id) {
        return Err(ApiError::bad_request(
            "invalid_event_id",
            "event_id must be 1-64 of [A-Za-z0-9_-]",
        ));
    }
    let stub = hub(env, &event_id)?;
    let (status, created) =
        http::call_json::<Value>(&stub, Method::Post, "/open", Some(body)).await?;
    let fixture = value.get("fixture").cloned().unwrap_or(Value::Null);
    let summary = json!({
        "home": fixture.get("home"),
        "away": fixture.get("away"),
        "kickoff_ms": fixture.get("kickoff_ms"),
    });
    let reg = json!({ "event_id": event_id, "summary": summary });
    http::call_json::<Value>(
        &catalog_stub(env)?,
        Method::Post,
        "/register",
        Some(serde_json::to_vec(&reg).unwrap_or_default()),
    )
    .await?;
    let mut out = created;
    if let Some(o) = out.as_object_mut() {
        o.insert("event_id".into(), json!(event_id));
    }
    Ok(http::json(status, &out))
}

async fn event_ids(env: &Env) -> ApiResult<Vec<String>> {
    let (_, list) =
        http::call_json::<Value>(&catalog_stub(env)?, Method::Get, "/list", None).await?;
    Ok(list
        .get("events")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|e| e.get("event_id").and_then(Value::as_str).map(String::from))
                .collect()
        })
        .unwrap_or_default())
}

/// `POST /v1/events/{id}/suspend|resume`.
async fn manual(mut req: Request, env: &Env, event_id: &str, path: &str) -> ApiResult<Response> {
    require_admin(&req, env)?;
    let body = http::read_body(&mut req, MANUAL_BODY_LIMIT).await?;
    if !body.iter().all(u8::is_ascii_whitespace) {
        parse_json(&body)?;
    }
    forward(&hub(env, event_id)?, Method::Post, path, Some(body)).await
}

/// `POST /v1/events/{id}/bets`.
async fn place_bet(mut req: Request, env: &Env, event_id: &str) -> ApiResult<Response> {
    let authz = header(&req, "authorization");
    let user_id = user_from(&req, env, auth::bearer(authz.as_deref()))?;
    let key = header(&req, "idempotency-key").ok_or_else(|| {
        ApiError::bad_request(
            "idempotency_key_required",
            "Idempotency-Key header required",
        )
    })?;
    if !bet_id::is_valid_idempotency_key(&key) {
        return Err(ApiError::bad_request(
            "idempotency_key_invalid",
            "Idempotency-Key must be 1-128 printable characters",
        ));
    }
    let body = http::read_body(&mut req, BET_BODY_LIMIT).await?;
    let bet = parse_json(&body)?;
    if !bet.is_object() {
        return Err(ApiError::bad_request(
            "invalid_bet",
            "bet must be a JSON object",
        ));
    }
    let id = bet_id::derive(event_id, &user_id, &key);
    let body_sha = auth::hex(&Sha256::digest(&body));
    let call = json!({ "bet_id": id, "user_id": user_id, "body_sha": body_sha, "bet": bet });
    forward(
        &hub(env, event_id)?,
        Method::Post,
        "/bet",
        Some(serde_json::to_vec(&call).unwrap_or_default()),
    )
    .await
}

/// `GET /v1/events/{id}/log`: the hub's audit log as JSON lines (admin), for `inplay replay --log`.
async fn export_log(req: Request, env: &Env, event_id: &str) -> ApiResult<Response> {
    require_admin(&req, env)?;
    let mut resp = hub(env, event_id)?
        .fetch_with_request(http::internal_request(Method::Get, "/log", None)?)
        .await?;
    let status = resp.status_code();
    let bytes = resp.bytes().await?;
    if status >= 400 {
        return Err(http::error_from_body(status, &bytes));
    }
    let headers = Headers::new();
    headers.set("content-type", "application/x-ndjson")?;
    for name in [LOG_HEAD_HEADER, LOG_VERSION_HEADER] {
        if let Ok(Some(v)) = resp.headers().get(name) {
            headers.set(name, &v)?;
        }
    }
    Ok(Response::builder().with_headers(headers).fixed(bytes))
}

/// `GET /v1/bets/{id}`: the bettor's own bets (or any, for the admin).
async fn get_bet(req: Request, env: &Env, id: &str) -> ApiResult<Response> {
    let authz = header(&req, "authorization");
    let token = auth::bearer(authz.as_deref());
    let admin = secret(env, "ADMIN_TOKEN").is_some_and(|a| auth::is_admin(&a, token));
    let user = if admin {
        None
    } else {
        Some(user_from(&req, env, token)?)
    };
    let event_id =
        bet_id::event_of(id).ok_or_else(|| ApiError::not_found("bet_not_found", "no such bet"))?;
    let path = format!("/bet?id={id}");
    let (status, answer) =
        http::call_json::<Value>(&hub(env, event_id)?, Method::Get, &path, None).await?;
    let owner = answer.pointer("/decision/user_id").and_then(Value::as_str);
    if let Some(user) = user
        && owner != Some(user.as_str())
    {
        // Same answer as a missing bet: ids of other users' bets are not confirmed.
        return Err(ApiError::not_found("bet_not_found", "no such bet"));
    }
    Ok(http::json(status, &answer))
}

fn cf_field(req: &Request, name: &str) -> Option<JsValue> {
    let cf = js_sys::Reflect::get(req.inner(), &JsValue::from_str("cf")).ok()?;
    if cf.is_undefined() || cf.is_null() {
        return None;
    }
    js_sys::Reflect::get(&cf, &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// The region a request is served from.
pub fn region_of(req: &Request, env: &Env) -> Region {
    let continent = cf_field(req, "continent").and_then(|v| v.as_string());
    let country = cf_field(req, "country").and_then(|v| v.as_string());
    let longitude = cf_field(req, "longitude").and_then(|v| {
        v.as_string()
            .and_then(|s| s.parse().ok())
            .or(v.as_f64().map(|f| f as f32))
    });
    let located = region::from_location(continent.as_deref(), country.as_deref(), longitude);
    let allow = env
        .var("ALLOW_REGION_OVERRIDE")
        .map(|v| v.to_string() == "1")
        .unwrap_or(false);
    region::choose(
        header(req, region::OVERRIDE_HEADER).as_deref(),
        allow,
        located,
    )
}

/// `GET /v1/events/{id}/live`: forward the upgrade to the relay for this client's region and shard.
async fn live(req: Request, env: &Env, event_id: &str) -> ApiResult<Response> {
    if !header(&req, "upgrade").is_some_and(|u| u.eq_ignore_ascii_case("websocket")) {
        return Err(ApiError::new(
            426,
            "upgrade_required",
            "this route is a WebSocket: send Upgrade: websocket",
        ));
    }
    let url = req.url()?;
    let q = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let authz = header(&req, "authorization");
    let token = q("token").or_else(|| auth::bearer(authz.as_deref()).map(String::from));
    let user = match token {
        Some(t) => Some(user_from(&req, env, Some(&t))?),
        None => None,
    };
    let format = q("format").unwrap_or_else(|| "bin".into());
    if format != "bin" && format != "json" {
        return Err(ApiError::bad_request(
            "invalid_format",
            "format must be bin or json",
        ));
    }
    let since = q("since");
    if since
        .as_deref()
        .is_some_and(|s| s.parse::<crate::wire::Version>().is_err())
    {
        return Err(ApiError::bad_request(
            "invalid_since",
            "since must be epoch:seq",
        ));
    }
    let region = region_of(&req, env);
    let shards = env_u64(env, "RELAY_SHARDS", 2).clamp(1, 64) as u32;
    // A stable key sends a reconnecting client back to the relay holding its resume ring.
    let client_key = q("client")
        .or_else(|| user.clone())
        .unwrap_or_else(|| format!("{}", js_sys::Math::random()));
    let shard = region::shard_for(&client_key, shards);

    let name = region_relay::relay_name(event_id, region.as_str(), shard);
    let stub = env
        .durable_object("REGION_RELAY")?
        .get_by_name_with_location_hint(&name, region.as_str())?;
    let headers = Headers::new();
    headers.set("upgrade", "websocket")?;
    headers.set(EVENT_HEADER, event_id)?;
    headers.set(REGION_HEADER, region.as_str())?;
    headers.set(SHARD_HEADER, &shard.to_string())?;
    if let Some(u) = &user {
        headers.set(USER_HEADER, u)?;
    }
    let mut relay_url = format!("https://relay/live?format={format}");
    if let Some(s) = since {
        relay_url.push_str(&format!("&since={s}"));
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers);
    let forwarded = Request::new_with_init(&relay_url, &init)?;
    let resp = stub.fetch_with_request(forwarded).await?;
    if resp.status_code() != 101 {
        let mut resp = resp;
        let bytes = resp.bytes().await.unwrap_or_default();
        return Err(http::error_from_body(resp.status_code(), &bytes));
    }
    Ok(resp)
}

/// `GET /metrics`: every hub's counters (which include its relays'), plus this isolate's.
async fn metrics(env: &Env) -> ApiResult<Response> {
    let mut all = WORKER_METRICS.with(|m| m.borrow().clone());
    let ids = event_ids(env).await?;
    let calls =
        ids.iter().map(|id| {
            let env = env.clone();
            let id = id.clone();
            async move {
                http::call_json::<Metrics>(&hub(&env, &id)?, Method::Get, "/metrics", None).await
            }
        });
    for answer in futures_util::future::join_all(calls).await {
        match answer {
            Ok((_, m)) => all.merge(&m),
            Err(e) => worker::console_error!("metrics: {e}"),
        }
    }
    all.set(
        "inplay_events",
        "Matches in the catalog.",
        &[],
        ids.len() as f64,
    );
    let headers = Headers::new();
    headers.set("content-type", "text/plain; version=0.0.4")?;
    Ok(Response::builder()
        .with_headers(headers)
        .fixed(all.render().into_bytes()))
}

async fn dispatch(req: Request, env: &Env) -> ApiResult<Response> {
    let method = req.method();
    let path = req.path();
    let method_name = method.to_string();
    let route = route::route(&method_name, &path)?;
    match route {
        Route::Healthz => Ok(http::json(
            200,
            &json!({ "status": "ok", "server_ms": http::now_ms() }),
        )),
        Route::Metrics => metrics(env).await,
        Route::Feed => feed(req, env).await,
        Route::CreateEvent => create_event(req, env).await,
        Route::ListEvents => forward(&catalog_stub(env)?, Method::Get, "/list", None).await,
        Route::GetEvent(id) => forward(&hub(env, id)?, Method::Get, "/event", None).await,
        Route::Suspend(id) => manual(req, env, id, "/suspend").await,
        Route::Resume(id) => manual(req, env, id, "/resume").await,
        Route::Live(id) => live(req, env, id).await,
        Route::Log(id) => export_log(req, env, id).await,
        Route::PlaceBet(id) => place_bet(req, env, id).await,
        Route::GetBet(id) => get_bet(req, env, id).await,
    }
}

/// Handle one request; never fails, never panics on bad input.
pub async fn handle(req: Request, env: Env) -> Response {
    let path = req.path();
    match dispatch(req, &env).await {
        Ok(r) => r,
        Err(e) => {
            let route_label = if path.starts_with("/v1/feed") {
                "feed"
            } else if path.contains("/bets") {
                "bets"
            } else {
                "other"
            };
            count_refusal(route_label, e.code);
            http::error(&e)
        }
    }
}
