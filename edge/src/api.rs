//! The Worker's request handlers: authenticate, parse the public JSON into the protocol's types,
//! route to the object that owns the answer, and write its answer back as JSON.
//!
//! Stateless by design: everything that must be remembered lives in a Durable Object. Each handler
//! returns `ApiResult<Response>`, and [`handle`] turns every error into its JSON answer with the
//! code's status (and `Retry-After` for 429/503).

use std::cell::RefCell;

use inplay_engine::live::{FeedEvent, Opening, Source};
use inplay_engine::market::MarketKey;
use inplay_protocol::bets::{BetBody, BetCall, BetView, PlacedBet};
use inplay_protocol::catalog::{CatalogCall, CatalogEntry};
use inplay_protocol::feed::{FeedAnswer, FeedBatch, FeedItem, FeedReport};
use inplay_protocol::hub::{
    AdminAction, AdminAnswer, BetQuery, EventPage, EventQuery, EventView, HubCall, HubRequest,
    LogExport, LogQuery,
};
use inplay_protocol::ids::{self, RelayName};
use inplay_protocol::metrics::Metrics;
use inplay_protocol::relay::{Fault, RelayCall};
use inplay_protocol::{ApiError, ErrorCode};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use wasm_bindgen::JsValue;
use worker::{Env, Headers, Method, Request, RequestInit, Response, Stub};

use crate::auth;
use crate::catalog;
use crate::http::{self, ApiResult, env_flag, env_u64};
use crate::rate_limit::RateLimiter;
use crate::read_cache::ReadCache;
use crate::region::{self, Region};
use crate::region_relay::{EXPIRY_HEADER, RELAY_HEADER, USER_HEADER};
use crate::route::{self, AdminRoute, Route};

/// Largest `POST /v1/feed` body.
pub const FEED_BODY_LIMIT: usize = 256 * 1024;
/// Most events in one feed batch.
pub const FEED_BATCH_LIMIT: usize = 1000;
/// Largest `POST /v1/events` body.
pub const CREATE_BODY_LIMIT: usize = 64 * 1024;
/// Largest bet body.
pub const BET_BODY_LIMIT: usize = 4 * 1024;
/// Largest body of a trader's action.
pub const ADMIN_BODY_LIMIT: usize = 16 * 1024;

/// How long the Worker waits for a Durable Object.
const CALL_TIMEOUT_MS: u64 = 10_000;

thread_local! {
    /// Counters of this Worker isolate (refusals that never reach a hub).
    static WORKER_METRICS: RefCell<Metrics> = RefCell::new(Metrics::default());
    /// Public reads of matches, cached (configured on first use from `READ_CACHE_MS`).
    static READ_CACHE: RefCell<Option<ReadCache>> = const { RefCell::new(None) };
    /// Public reads per client address (configured on first use from `READ_RATE_*`).
    static READ_LIMIT: RefCell<Option<RateLimiter>> = const { RefCell::new(None) };
}

fn count_refusal(route: &str, code: ErrorCode) {
    WORKER_METRICS.with(|m| {
        m.borrow_mut().inc(
            "inplay_requests_refused_total",
            "Requests refused by the Worker, by route and code (this isolate only).",
            &[("route", route), ("code", code.as_str())],
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
    env.durable_object("EVENT_HUB")
        .and_then(|ns| ns.get_by_name(event_id))
        .map_err(http::runtime)
}

fn catalog_stub(env: &Env) -> ApiResult<Stub> {
    env.durable_object("EVENT_CATALOG")
        .and_then(|ns| ns.get_by_name(catalog::NAME))
        .map_err(http::runtime)
}

/// A typed call to a match's hub.
async fn call_hub<R: HubRequest>(env: &Env, event_id: &str, request: R) -> ApiResult<R::Answer> {
    let call: HubCall = request.into();
    http::call(
        &hub(env, event_id)?,
        inplay_protocol::encode(&call),
        CALL_TIMEOUT_MS,
        ErrorCode::HubUnavailable,
    )
    .await
}

/// A call to the catalog.
async fn call_catalog<T: serde::de::DeserializeOwned>(
    env: &Env,
    call: &CatalogCall,
) -> ApiResult<T> {
    http::call(
        &catalog_stub(env)?,
        inplay_protocol::encode(call),
        CALL_TIMEOUT_MS,
        ErrorCode::Internal,
    )
    .await
}

fn require_admin(req: &Request, env: &Env) -> ApiResult<()> {
    let presented = header(req, "authorization");
    let Some(token) = auth::bearer(presented.as_deref()) else {
        return Err(ApiError::new(
            ErrorCode::AdminRequired,
            "this route needs the admin bearer token",
        ));
    };
    let admin = secret(env, "ADMIN_TOKEN").unwrap_or_default();
    if !auth::is_admin(&admin, Some(token)) {
        return Err(ApiError::new(
            ErrorCode::AdminForbidden,
            "not the admin token",
        ));
    }
    Ok(())
}

/// The token keys active now: `TOKEN_SECRET` (id `TOKEN_KID`, default `k1`) and, during a
/// rotation, `TOKEN_SECRET_PREVIOUS` (id `TOKEN_PREVIOUS_KID`, default `k0`).
fn token_keys(env: &Env) -> Vec<(String, String)> {
    let kid = |name: &str, default: &str| {
        env.var(name)
            .map(|v| v.to_string())
            .ok()
            .filter(|k| inplay_engine::signing::is_valid_kid(k))
            .unwrap_or_else(|| default.to_string())
    };
    let mut keys = Vec::new();
    if let Some(s) = secret(env, "TOKEN_SECRET") {
        keys.push((kid("TOKEN_KID", "k1"), s));
    }
    if let Some(s) = secret(env, "TOKEN_SECRET_PREVIOUS") {
        keys.push((kid("TOKEN_PREVIOUS_KID", "k0"), s));
    }
    keys
}

fn claims_from(env: &Env, token: Option<&str>) -> ApiResult<inplay_engine::signing::TokenClaims> {
    let token = token.ok_or_else(|| {
        ApiError::new(
            ErrorCode::TokenRequired,
            "Authorization: Bearer <user token> required",
        )
    })?;
    let keys = token_keys(env);
    if keys.is_empty() {
        worker::console_error!("TOKEN_SECRET is not configured");
        return Err(ApiError::internal());
    }
    let keys: Vec<inplay_engine::signing::TokenKey<'_>> = keys
        .iter()
        .map(|(kid, s)| inplay_engine::signing::TokenKey {
            kid,
            secret: s.as_bytes(),
        })
        .collect();
    auth::verify_token_with(&keys, token, http::now_ms())
}

fn user_from(env: &Env, token: Option<&str>) -> ApiResult<String> {
    claims_from(env, token).map(|c| c.user_id)
}

fn invalid_json(e: serde_json::Error) -> ApiError {
    if e.is_syntax() || e.is_eof() {
        ApiError::new(ErrorCode::InvalidJson, "body is not valid JSON")
    } else {
        ApiError::new(
            ErrorCode::InvalidBody,
            format!("body is not the expected shape: {e}"),
        )
    }
}

/// The match's state with every price at the server's time, computed here from the snapshot:
/// readers do not load the match's single writer with pricing.
fn page(view: EventView) -> EventPage {
    let prices = view.snapshot.image.prices(view.server_ms).ok();
    EventPage { view, prices }
}

/// `POST /v1/feed`.
async fn feed(mut req: Request, env: &Env) -> ApiResult<Response> {
    let source = match header(&req, auth::SOURCE_HEADER).as_deref() {
        Some("primary") => Source::Primary,
        Some("backup") => Source::Backup,
        _ => {
            return Err(ApiError::new(
                ErrorCode::UnknownSource,
                "X-Inplay-Source must be primary or backup",
            ));
        }
    };
    let name = match source {
        Source::Primary => "FEED_SECRET_PRIMARY",
        Source::Backup => "FEED_SECRET_BACKUP",
    };
    // During a rotation the source's previous secret verifies too.
    let keys: Vec<(&str, String)> = [
        ("current", name.to_string()),
        ("previous", format!("{name}_PREVIOUS")),
    ]
    .into_iter()
    .filter_map(|(which, n)| secret(env, &n).map(|s| (which, s)))
    .collect();
    if keys.is_empty() {
        return Err(ApiError::new(
            ErrorCode::UnknownSource,
            "source not configured",
        ));
    }
    let body = http::read_body(&mut req, FEED_BODY_LIMIT).await?;
    let window = env_u64(env, "FEED_SIGNATURE_WINDOW_MS", 30_000);
    let timestamp = header(&req, auth::TIMESTAMP_HEADER);
    let signature = header(&req, auth::SIGNATURE_HEADER);
    let now = http::now_ms();
    let mut outcome = Err(ApiError::internal());
    for (which, key) in &keys {
        outcome = auth::verify_feed(
            key.as_bytes(),
            timestamp.as_deref(),
            signature.as_deref(),
            &body,
            now,
            window,
        )
        .map(|v| (v, *which));
        // Only a mismatch is worth another key; a missing or stale signature is refused as is.
        if !matches!(&outcome, Err(e) if e.code == ErrorCode::SignatureInvalid) {
            break;
        }
    }
    let (verified, which) = outcome?;
    WORKER_METRICS.with(|m| {
        m.borrow_mut().inc(
            "inplay_feed_signatures_total",
            "Feed posts whose signature verified, by source and by key (current or previous).",
            &[("source", source.as_str()), ("key", which)],
            1.0,
        )
    });
    // JSON ends here: each event is decoded into the engine's type once.
    // One event or an array of them; each kept as its own JSON text so that one malformed event
    // is refused alone.
    let events: Vec<Box<RawValue>> = match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => serde_json::from_slice(&body).map_err(invalid_json)?,
        Some(b'{') => vec![serde_json::from_slice(&body).map_err(invalid_json)?],
        _ => {
            return Err(ApiError::new(
                ErrorCode::InvalidBody,
                "body must be an event object or an array of them",
            ));
        }
    };
    if events.len() > FEED_BATCH_LIMIT {
        return Err(ApiError::new(
            ErrorCode::BatchTooLarge,
            format!("at most {FEED_BATCH_LIMIT} events per request"),
        ));
    }
    let mut results: Vec<Option<FeedItem>> = vec![None; events.len()];
    // Grouped by match, keeping each event's position for the answer.
    let mut groups: Vec<(String, Vec<usize>, Vec<FeedEvent>)> = Vec::new();
    for (i, raw) in events.into_iter().enumerate() {
        let ev = match FeedEvent::from_json(raw.get().as_bytes()) {
            Ok(ev) => ev,
            Err(e) => {
                results[i] = Some(FeedItem::refused(i, None, e.code(), Some(e.to_string())));
                continue;
            }
        };
        if !ids::is_valid_event_id(&ev.event_id) {
            results[i] = Some(FeedItem::refused(
                i,
                None,
                "malformed",
                Some("event_id missing or invalid".into()),
            ));
            continue;
        }
        if ev.source != source {
            // The signature authenticates one source; it cannot vouch for the other's events.
            results[i] = Some(FeedItem::refused(
                i,
                Some(&ev.event_id),
                "source_mismatch",
                None,
            ));
            continue;
        }
        match groups.iter_mut().find(|(id, ..)| *id == ev.event_id) {
            Some((_, idx, evs)) => {
                idx.push(i);
                evs.push(ev);
            }
            None => groups.push((ev.event_id.clone(), vec![i], vec![ev])),
        }
    }
    let calls = groups.iter().map(|(event_id, _, evs)| {
        let batch = FeedBatch {
            signature: verified.signature.clone(),
            remember_until_ms: verified.remember_until_ms,
            events: evs.clone(),
        };
        call_hub(env, event_id, batch)
    });
    let answers: Vec<ApiResult<FeedAnswer>> = futures_util::future::join_all(calls).await;
    for ((event_id, idx, _), answer) in groups.iter().zip(answers) {
        match answer {
            Ok(a) => {
                for (k, &i) in idx.iter().enumerate() {
                    results[i] = Some(match a.results.get(k) {
                        Some(r) => FeedItem::judged(i, event_id, r),
                        None => FeedItem::refused(i, Some(event_id), "internal", None),
                    });
                }
            }
            Err(e) if e.code == ErrorCode::SignatureReplayed => return Err(e),
            Err(e) => {
                for &i in idx {
                    results[i] = Some(FeedItem::refused(i, Some(event_id), e.code.as_str(), None));
                }
            }
        }
    }
    let results = results
        .into_iter()
        .enumerate()
        .map(|(i, r)| r.unwrap_or_else(|| FeedItem::refused(i, None, "internal", None)))
        .collect();
    Ok(http::json(200, &FeedReport::new(results)))
}

/// What a client may say about the timing rules when creating a match: only whether it set the
/// stale bound (absent, the Worker's `FEED_STALE_MS` applies).
#[derive(Deserialize)]
struct OpeningProbe {
    #[serde(default)]
    config: Option<ConfigProbe>,
}

#[derive(Deserialize)]
struct ConfigProbe {
    #[serde(default)]
    stale_after_ms: Option<u64>,
}

/// `POST /v1/events`.
async fn create_event(mut req: Request, env: &Env) -> ApiResult<Response> {
    require_admin(&req, env)?;
    let body = http::read_body(&mut req, CREATE_BODY_LIMIT).await?;
    let mut opening: Opening = serde_json::from_slice(&body).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            ApiError::new(ErrorCode::InvalidJson, "body is not valid JSON")
        } else {
            ApiError::new(ErrorCode::InvalidOpening, format!("invalid opening: {e}"))
        }
    })?;
    if !ids::is_valid_event_id(&opening.event_id) {
        return Err(ApiError::new(
            ErrorCode::InvalidEventId,
            "event_id must be 1-64 of [A-Za-z0-9_-]",
        ));
    }
    let probe: OpeningProbe = serde_json::from_slice(&body).map_err(invalid_json)?;
    if probe.config.and_then(|c| c.stale_after_ms).is_none() {
        opening.config.stale_after_ms =
            env_u64(env, "FEED_STALE_MS", opening.config.stale_after_ms);
    }
    let event_id = opening.event_id.clone();
    let fixture = opening.fixture.clone();
    let view = call_hub(env, &event_id, opening).await?;
    let entry = CatalogEntry {
        event_id,
        home: fixture.home,
        away: fixture.away,
        kickoff_ms: fixture.kickoff_ms,
        created_ms: view.server_ms,
    };
    call_catalog::<()>(env, &CatalogCall::Register(entry)).await?;
    Ok(http::json(201, &page(view)))
}

#[derive(Serialize)]
struct EventList {
    events: Vec<CatalogEntry>,
}

/// The answer to a trader's action: the match as `GET /v1/events/{id}` shows it, and what the
/// action decided and settled.
#[derive(Serialize)]
struct AdminPage {
    #[serde(flatten)]
    page: EventPage,
    applied: bool,
    decisions: Vec<inplay_engine::live::BetDecision>,
    settlements: Vec<inplay_engine::live::Settlement>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct MarketBody {
    #[serde(default)]
    market: Option<MarketKey>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceBody {
    source: Source,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CancelGoalBody {
    team: inplay_engine::market::Team,
    /// The team's goals as the trader saw them (a retry then cancels nothing more).
    goals: Option<u8>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedGoalsBody {
    home_xg: Option<f64>,
    away_xg: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServeBody {
    serve_a: Option<f64>,
    serve_b: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VoidBody {
    bet_id: String,
}

/// A trader's action on a match.
async fn admin(
    mut req: Request,
    env: &Env,
    event_id: &str,
    route: AdminRoute,
) -> ApiResult<Response> {
    require_admin(&req, env)?;
    let body = http::read_body(&mut req, ADMIN_BODY_LIMIT).await?;
    let empty = body.iter().all(u8::is_ascii_whitespace);
    // Empty means every market; anything else must be exactly `{"market": …}` (a body that
    // cannot be read is refused, never taken for "all markets").
    let parse = |b: &[u8]| -> ApiResult<MarketBody> {
        if empty {
            return Ok(MarketBody::default());
        }
        match b.iter().find(|c| !c.is_ascii_whitespace()) {
            Some(b'{') => serde_json::from_slice(b).map_err(invalid_json),
            _ => Err(ApiError::new(
                ErrorCode::InvalidBody,
                "body must be empty (every market) or {\"market\": …}",
            )),
        }
    };
    let action = match route {
        AdminRoute::Suspend => AdminAction::Suspend {
            market: parse(&body)?.market,
        },
        AdminRoute::Resume => AdminAction::Resume {
            market: parse(&body)?.market,
        },
        AdminRoute::Abandon => AdminAction::Abandon,
        AdminRoute::Resettle => {
            AdminAction::Resettle(serde_json::from_slice(&body).map_err(|e| {
                if e.is_syntax() || e.is_eof() {
                    ApiError::new(ErrorCode::InvalidJson, "body is not valid JSON")
                } else {
                    ApiError::new(
                        ErrorCode::InvalidCorrection,
                        format!(
                            "body must be {{\"goals\":[{{\"team\",\"half\",\"clock_ms\"}}]}}: {e}"
                        ),
                    )
                }
            })?)
        }
        AdminRoute::ConfirmSource => AdminAction::ConfirmSource {
            source: serde_json::from_slice::<SourceBody>(&body)
                .map_err(invalid_json)?
                .source,
        },
        AdminRoute::CancelGoal => {
            let b: CancelGoalBody = serde_json::from_slice(&body).map_err(invalid_json)?;
            AdminAction::CancelGoal {
                team: b.team,
                goals: b.goals,
            }
        }
        AdminRoute::ExpectedGoals => {
            let b: ExpectedGoalsBody = serde_json::from_slice(&body).map_err(invalid_json)?;
            if b.home_xg.is_none() && b.away_xg.is_none() {
                return Err(ApiError::new(
                    ErrorCode::InvalidBody,
                    "give home_xg, away_xg or both",
                ));
            }
            AdminAction::SetExpectedGoals {
                home_xg: b.home_xg,
                away_xg: b.away_xg,
            }
        }
        AdminRoute::ServeProbabilities => {
            let b: ServeBody = serde_json::from_slice(&body).map_err(invalid_json)?;
            if b.serve_a.is_none() && b.serve_b.is_none() {
                return Err(ApiError::new(
                    ErrorCode::InvalidBody,
                    "give serve_a, serve_b or both",
                ));
            }
            AdminAction::SetServeProbabilities {
                serve_a: b.serve_a,
                serve_b: b.serve_b,
            }
        }
        AdminRoute::Trading => {
            AdminAction::AdjustTrading(serde_json::from_slice(&body).map_err(invalid_json)?)
        }
        AdminRoute::VoidBet => AdminAction::VoidBet {
            bet_id: serde_json::from_slice::<VoidBody>(&body)
                .map_err(invalid_json)?
                .bet_id,
        },
        AdminRoute::EndMatch => AdminAction::EndMatch,
    };
    let answer: AdminAnswer = call_hub(env, event_id, action).await?;
    Ok(http::json(
        200,
        &AdminPage {
            page: page(answer.event),
            applied: answer.applied,
            decisions: answer.decisions,
            settlements: answer.settlements,
        },
    ))
}

/// `GET /v1/events/{id}`: the match with every price now, from the isolate's read cache when it
/// is fresh (the hub, the match's single writer, is asked at most once per `READ_CACHE_MS`), and
/// limited per client address.
async fn read_event(req: &Request, env: &Env, event_id: &str) -> ApiResult<Response> {
    let client = header(req, "cf-connecting-ip").unwrap_or_else(|| "local".into());
    let now = http::now_ms();
    let allowed = READ_LIMIT.with(|l| {
        l.borrow_mut()
            .get_or_insert_with(|| {
                RateLimiter::new(
                    env_u64(env, "READ_RATE_BURST", 60) as u32,
                    env_u64(env, "READ_RATE_PER_SEC", 30) as f64,
                )
            })
            .take(&client, now)
    });
    if let Err(retry_ms) = allowed {
        return Err(
            ApiError::new(ErrorCode::RateLimited, "too many reads; retry later")
                .retry_after(retry_ms),
        );
    }
    let render = |view: &EventView, at: u64| {
        let mut v = view.clone();
        v.server_ms = at;
        serde_json::to_string(&page(v)).unwrap_or_default()
    };
    let cached = READ_CACHE.with(|c| {
        c.borrow_mut()
            .get_or_insert_with(|| ReadCache::new(env_u64(env, "READ_CACHE_MS", 250), 250))
            .page(event_id, now, render)
    });
    if let Some(json) = cached {
        return Ok(http::json_text(200, json));
    }
    let view: EventView = call_hub(env, event_id, EventQuery).await?;
    let json = render(&view, view.server_ms);
    READ_CACHE.with(|c| {
        if let Some(c) = c.borrow_mut().as_mut() {
            c.store(view, now);
        }
    });
    Ok(http::json_text(200, json))
}

/// `POST /v1/events/{id}/bets`.
async fn place_bet(mut req: Request, env: &Env, event_id: &str) -> ApiResult<Response> {
    let authz = header(&req, "authorization");
    let user_id = user_from(env, auth::bearer(authz.as_deref()))?;
    let key = header(&req, "idempotency-key").ok_or_else(|| {
        ApiError::new(
            ErrorCode::IdempotencyKeyRequired,
            "Idempotency-Key header required",
        )
    })?;
    if !ids::is_valid_idempotency_key(&key) {
        return Err(ApiError::new(
            ErrorCode::IdempotencyKeyInvalid,
            "Idempotency-Key must be 1-128 printable characters",
        ));
    }
    let body = http::read_body(&mut req, BET_BODY_LIMIT).await?;
    let call = BetCall {
        bet_id: ids::bet_id(event_id, &user_id, &key),
        user_id,
        body: BetBody::from_json(&body)?,
    };
    let placed: PlacedBet = call_hub(env, event_id, call).await?;
    let status = if placed.decision.status == inplay_engine::live::BetStatus::Pending {
        202
    } else {
        200
    };
    let resp = http::json(status, &placed.decision);
    if placed.replayed {
        let _ = resp.headers().set("idempotent-replayed", "true");
    }
    Ok(resp)
}

/// `GET /v1/events/{id}/log`: the hub's audit log as JSON lines (admin), for `inplay replay --log`.
async fn export_log(req: Request, env: &Env, event_id: &str) -> ApiResult<Response> {
    require_admin(&req, env)?;
    let tail = http::query_param(&req, "tail")
        .map(|v| {
            v.parse::<u64>()
                .map_err(|_| ApiError::new(ErrorCode::InvalidBody, "tail must be a number"))
        })
        .transpose()?;
    let log: LogExport = call_hub(env, event_id, LogQuery { tail }).await?;
    let headers = Headers::new();
    let set = |k: &str, v: &str| headers.set(k, v).map_err(http::runtime);
    set("content-type", "application/x-ndjson")?;
    set(LOG_HEAD_HEADER, &log.head.to_string())?;
    set(LOG_VERSION_HEADER, &log.version.to_string())?;
    Ok(Response::builder().with_headers(headers).fixed(log.ndjson))
}

/// Response header of `GET /log`: the hex hash of the last entry (the hub's audit head).
pub const LOG_HEAD_HEADER: &str = "x-inplay-audit-head";
/// Response header of `GET /log`: the hub's version `epoch:seq` when the log was read.
pub const LOG_VERSION_HEADER: &str = "x-inplay-version";

/// `GET /v1/bets/{id}`: the bettor's own bets (or any, for the admin).
async fn get_bet(req: Request, env: &Env, id: &str) -> ApiResult<Response> {
    let authz = header(&req, "authorization");
    let token = auth::bearer(authz.as_deref());
    let admin = secret(env, "ADMIN_TOKEN").is_some_and(|a| auth::is_admin(&a, token));
    let user = if admin {
        None
    } else {
        Some(user_from(env, token)?)
    };
    let not_found = || ApiError::new(ErrorCode::BetNotFound, "no such bet");
    let event_id = ids::event_of_bet(id).ok_or_else(not_found)?;
    let view: BetView = call_hub(
        env,
        event_id,
        BetQuery {
            bet_id: id.to_string(),
        },
    )
    .await
    .map_err(|e| {
        if e.code == ErrorCode::EventNotFound {
            not_found()
        } else {
            e
        }
    })?;
    if let Some(user) = user
        && view.decision.user_id != user
    {
        // Same answer as a missing bet: ids of other users' bets are not confirmed.
        return Err(not_found());
    }
    Ok(http::json(200, &view))
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
    region::choose(
        header(req, region::OVERRIDE_HEADER).as_deref(),
        env_flag(env, "ALLOW_REGION_OVERRIDE"),
        located,
    )
}

/// `GET /v1/events/{id}/live`: forward the upgrade to the relay for this client's region and shard.
async fn live(req: Request, env: &Env, event_id: &str) -> ApiResult<Response> {
    if !header(&req, "upgrade").is_some_and(|u| u.eq_ignore_ascii_case("websocket")) {
        return Err(ApiError::new(
            ErrorCode::UpgradeRequired,
            "this route is a WebSocket: send Upgrade: websocket",
        ));
    }
    let q = |name: &str| http::query_param(&req, name);
    // The token: offered as the subprotocol `bearer.<token>` (the page does), else an
    // Authorization header, else (deprecated: it ends up in logs) `?token=`.
    let protocols = header(&req, "sec-websocket-protocol");
    let authz = header(&req, "authorization");
    let token = auth::token_from_protocols(protocols.as_deref())
        .map(String::from)
        .or_else(|| auth::bearer(authz.as_deref()).map(String::from))
        .or_else(|| q("token"));
    let claims = match token {
        Some(t) => Some(claims_from(env, Some(&t))?),
        None => None,
    };
    let user = claims.as_ref().map(|c| c.user_id.clone());
    let format = q("format").unwrap_or_else(|| "bin".into());
    if format != "bin" && format != "json" {
        return Err(ApiError::new(
            ErrorCode::InvalidFormat,
            "format must be bin or json",
        ));
    }
    let since = q("since");
    if since
        .as_deref()
        .is_some_and(|s| s.parse::<inplay_engine::live::Version>().is_err())
    {
        return Err(ApiError::new(
            ErrorCode::InvalidSince,
            "since must be epoch:seq",
        ));
    }
    let region = region_of(&req, env);
    let shards = env_u64(env, "RELAY_SHARDS", 2).clamp(1, 64) as u32;
    // A stable key sends a reconnecting client back to the relay holding its resume ring. It is
    // hashed under a secret, so a client can spread over shards but not pick one. `SHARD_SECRET`
    // is its own key so that rotating the token key does not move every client to another shard.
    let client_key = q("client")
        .or_else(|| user.clone())
        .unwrap_or_else(|| format!("{}", js_sys::Math::random()));
    let salt = secret(env, "SHARD_SECRET")
        .or_else(|| secret(env, "TOKEN_SECRET"))
        .unwrap_or_default();
    let keyed = inplay_engine::signing::keyed_digest(salt.as_bytes(), client_key.as_bytes());
    let first = region::shard_for(&keyed, shards);
    let mut relay_url = format!("https://relay/live?format={format}");
    if let Some(s) = since {
        relay_url.push_str(&format!("&since={s}"));
    }
    // The client's shard, or the next one with room when a relay is full.
    let mut tried = 0;
    let resp = loop {
        let relay = RelayName::leaf(event_id, region.as_str(), (first + tried) % shards);
        let stub = env
            .durable_object("REGION_RELAY")
            .and_then(|ns| ns.get_by_name_with_location_hint(&relay.to_string(), region.as_str()))
            .map_err(http::runtime)?;
        let headers = Headers::new();
        let set = |k: &str, v: &str| headers.set(k, v).map_err(http::runtime);
        set("upgrade", "websocket")?;
        set(RELAY_HEADER, &relay.to_string())?;
        if let Some(c) = &claims {
            set(USER_HEADER, &c.user_id)?;
            set(EXPIRY_HEADER, &c.expiry_ms.to_string())?;
        }
        let mut init = RequestInit::new();
        init.with_method(Method::Get).with_headers(headers);
        let forwarded = Request::new_with_init(&relay_url, &init).map_err(http::runtime)?;
        let mut resp = stub.fetch_with_request(forwarded).await.map_err(|e| {
            worker::console_warn!("relay {relay}: {e}");
            ApiError::new(
                ErrorCode::RelayUnavailable,
                "the relay did not answer; retry",
            )
        })?;
        if resp.status_code() == 101 {
            break resp;
        }
        let bytes = resp.bytes().await.unwrap_or_default();
        let e = ApiError::from_json(&bytes).unwrap_or_else(ApiError::internal);
        tried += 1;
        if e.code != ErrorCode::RelayFull || tried >= shards {
            return Err(if e.code == ErrorCode::RelayFull {
                ApiError::new(
                    ErrorCode::Overloaded,
                    "every relay of this region is full; retry",
                )
                .retry_after(5_000)
            } else {
                e
            });
        }
    };
    if !auth::offers_socket_protocol(protocols.as_deref()) {
        return Ok(resp);
    }
    // The client offered subprotocols: the handshake must accept one of them.
    let ws = resp.websocket().ok_or_else(ApiError::internal)?;
    let headers = Headers::new();
    headers
        .set("sec-websocket-protocol", auth::SOCKET_PROTOCOL)
        .map_err(http::runtime)?;
    Ok(Response::from_websocket(ws)
        .map_err(http::runtime)?
        .with_headers(headers))
}

/// `GET /v1/events/{id}/desk` (admin): the trading desk's socket, served by the match's hub. The
/// admin token comes as the subprotocol `bearer.<token>` (or an Authorization header).
async fn desk(req: Request, env: &Env, event_id: &str) -> ApiResult<Response> {
    if !header(&req, "upgrade").is_some_and(|u| u.eq_ignore_ascii_case("websocket")) {
        return Err(ApiError::new(
            ErrorCode::UpgradeRequired,
            "this route is a WebSocket: send Upgrade: websocket",
        ));
    }
    let protocols = header(&req, "sec-websocket-protocol");
    let authz = header(&req, "authorization");
    let token =
        auth::token_from_protocols(protocols.as_deref()).or_else(|| auth::bearer(authz.as_deref()));
    let Some(token) = token else {
        return Err(ApiError::new(
            ErrorCode::AdminRequired,
            "the desk needs the admin token",
        ));
    };
    let admin = secret(env, "ADMIN_TOKEN").unwrap_or_default();
    if !auth::is_admin(&admin, Some(token)) {
        return Err(ApiError::new(
            ErrorCode::AdminForbidden,
            "not the admin token",
        ));
    }
    let headers = Headers::new();
    headers.set("upgrade", "websocket").map_err(http::runtime)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers);
    let forwarded = Request::new_with_init("https://hub/desk", &init).map_err(http::runtime)?;
    let mut resp = hub(env, event_id)?
        .fetch_with_request(forwarded)
        .await
        .map_err(|_| ApiError::new(ErrorCode::HubUnavailable, "the hub did not answer; retry"))?;
    if resp.status_code() != 101 {
        let bytes = resp.bytes().await.unwrap_or_default();
        return Err(ApiError::from_json(&bytes).unwrap_or_else(ApiError::internal));
    }
    if !auth::offers_socket_protocol(protocols.as_deref()) {
        return Ok(resp);
    }
    let ws = resp.websocket().ok_or_else(ApiError::internal)?;
    let headers = Headers::new();
    headers
        .set("sec-websocket-protocol", auth::SOCKET_PROTOCOL)
        .map_err(http::runtime)?;
    Ok(Response::from_websocket(ws)
        .map_err(http::runtime)?
        .with_headers(headers))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultBody {
    /// `region/shard` of the relay to fail, e.g. `weur/0`.
    relay: String,
    fail_for_ms: u64,
}

#[derive(Serialize)]
struct FaultAnswer {
    relay: String,
    fail_for_ms: u64,
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    server_ms: u64,
}

/// `POST /v1/events/{id}/faults` (admin, tests only): make one relay throw on every update for a
/// while, as a broken relay's stub does.
async fn fault(mut req: Request, env: &Env, event_id: &str) -> ApiResult<Response> {
    require_admin(&req, env)?;
    if !env_flag(env, "ALLOW_TEST_ROUTES") {
        return Err(ApiError::new(ErrorCode::RouteNotFound, "faults are off"));
    }
    let body = http::read_body(&mut req, ADMIN_BODY_LIMIT).await?;
    let f: FaultBody = serde_json::from_slice(&body).map_err(invalid_json)?;
    let relay: RelayName = format!("{event_id}/{}", f.relay)
        .parse()
        .map_err(|_| ApiError::new(ErrorCode::InvalidBody, "relay must be region/shard"))?;
    let stub = env
        .durable_object("REGION_RELAY")
        .and_then(|ns| ns.get_by_name_with_location_hint(&relay.to_string(), &relay.region))
        .map_err(http::runtime)?;
    let call = RelayCall::Fault(Fault {
        fail_for_ms: f.fail_for_ms.min(600_000),
    });
    http::call::<()>(
        &stub,
        inplay_protocol::encode(&call),
        CALL_TIMEOUT_MS,
        ErrorCode::RelayUnavailable,
    )
    .await?;
    Ok(http::json(
        200,
        &FaultAnswer {
            relay: relay.to_string(),
            fail_for_ms: f.fail_for_ms,
        },
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BenchBet {
    user: String,
    key: String,
    bet: BetBody,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BenchBatch {
    bets: Vec<BenchBet>,
}

#[derive(Serialize)]
struct BenchAnswer {
    results: Vec<Result<PlacedBet, ApiError>>,
}

/// `POST /v1/events/{id}/bets/batch` (admin, tests only): a batch of bets handed to the hub as one
/// relay hands it its sockets' bets, so the hub's own rate can be measured on local workerd without
/// sockets or relays on the same thread.
async fn bench_batch(mut req: Request, env: &Env, event_id: &str) -> ApiResult<Response> {
    require_admin(&req, env)?;
    if !env_flag(env, "ALLOW_TEST_ROUTES") {
        return Err(ApiError::new(
            ErrorCode::RouteNotFound,
            "test routes are off",
        ));
    }
    let body = http::read_body(&mut req, 1024 * 1024).await?;
    let batch: BenchBatch = serde_json::from_slice(&body).map_err(invalid_json)?;
    let relay = RelayName::leaf(event_id, "bench", 0);
    let bets = batch
        .bets
        .into_iter()
        .map(|b| BetCall {
            bet_id: ids::bet_id(event_id, &b.user, &b.key),
            user_id: b.user,
            body: b.bet,
        })
        .collect();
    let answer: inplay_protocol::bets::BetBatchAnswer = call_hub(
        env,
        event_id,
        inplay_protocol::bets::BetBatch { relay, bets },
    )
    .await?;
    Ok(http::json(
        200,
        &BenchAnswer {
            results: answer.results,
        },
    ))
}

/// `GET /metrics`: every hub's last reported counters (from the catalog) plus this isolate's.
async fn metrics(req: Request, env: &Env) -> ApiResult<Response> {
    let presented = header(&req, "authorization");
    let token = auth::bearer(presented.as_deref());
    let metrics_token = secret(env, "METRICS_TOKEN");
    let allowed = secret(env, "ADMIN_TOKEN").is_some_and(|a| auth::is_admin(&a, token))
        || metrics_token.is_some_and(|m| auth::is_admin(&m, token));
    if !allowed {
        return Err(match token {
            None => ApiError::new(
                ErrorCode::AdminRequired,
                "metrics need the admin or metrics token",
            ),
            Some(_) => ApiError::new(ErrorCode::AdminForbidden, "not the admin or metrics token"),
        });
    }
    let mut all: Metrics = call_catalog(env, &CatalogCall::Metrics).await?;
    WORKER_METRICS.with(|m| all.merge(&m.borrow()));
    let headers = Headers::new();
    headers
        .set("content-type", "text/plain; version=0.0.4")
        .map_err(http::runtime)?;
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
            &Health {
                status: "ok",
                server_ms: http::now_ms(),
            },
        )),
        Route::Metrics => metrics(req, env).await,
        Route::Feed => feed(req, env).await,
        Route::CreateEvent => create_event(req, env).await,
        Route::ListEvents => {
            let events: Vec<CatalogEntry> = call_catalog(env, &CatalogCall::List).await?;
            Ok(http::json(200, &EventList { events }))
        }
        Route::GetEvent(id) => read_event(&req, env, id).await,
        Route::Admin(id, action) => admin(req, env, id, action).await,
        Route::Desk(id) => desk(req, env, id).await,
        Route::Fault(id) => fault(req, env, id).await,
        Route::BetBatch(id) => bench_batch(req, env, id).await,
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
