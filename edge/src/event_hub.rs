//! `EventHub`: one Durable Object per match, the single writer.
//!
//! It owns the engine's [`LiveEvent`] and its log. Every input is applied in arrival order; the engine
//! returns the audit entry to store, and the hub writes it to SQLite in the same synchronous turn as
//! the apply, so storage and memory never disagree. After a restart the hub replays the log
//! ([`LiveEvent::replay`]), which reproduces every version, decision and hash, and continues the same
//! epoch.
//!
//! Each update (a delta and/or bet decisions) goes to every registered relay as exactly one message,
//! through a stub cached per relay: calls on one stub arrive in the order they were made, so relays see
//! versions in order (and resynchronise from a snapshot if they ever see a gap).
//!
//! Storage (SQLite):
//! - `log(idx, entry)`: postcard [`AuditEntry`]s, the first one the opening;
//! - `relays(name, region, shard)`: relays that asked for updates;
//! - `bet_keys(bet_id, body_sha)`: what each idempotency key was first used for;
//! - `feed_signatures(digest, expires_ms)`: feed signatures seen within their window (replay guard).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use inplay_engine::live::{
    AuditEntry, BetDecision, BetRequest, BetStatus, Delta, FeedEvent, FeedOutcome, Input,
    LiveConfig, LiveEvent, Opening, Output, Snapshot,
};
use serde::Deserialize;
use serde_json::{Value, json};
use worker::{
    DurableObject, Env, Method, Request, Response, Result, ScheduledTime, SqlStorageValue, State,
    Stub, durable_object,
};

use crate::error::ApiError;
use crate::http::{self, ApiResult, env_u64};
use crate::metrics::{LATENCY_BUCKETS_MS, Metrics};
use crate::rate_limit::RateLimiter;
use crate::wire::{DecisionRecord, DeltaRecord, RelayAck, RelayUpdate, SnapshotRecord};

/// Response header of `GET /log`: the hex hash of the last entry (the hub's audit head).
pub const LOG_HEAD_HEADER: &str = "x-inplay-audit-head";
/// Response header of `GET /log`: the hub's version `epoch:seq` when the log was read.
pub const LOG_VERSION_HEADER: &str = "x-inplay-version";

/// A relay checkpoint (fresh snapshot in the update) at least every this many versions.
const CHECKPOINT_EVERY: u64 = 32;

/// A relay registered for updates.
#[derive(Debug, Clone)]
struct RelayRef {
    name: String,
    region: String,
}

/// The hub's in-memory state, rebuilt from SQLite on first use.
struct Hub {
    event_id: String,
    live: LiveEvent,
    relays: Vec<RelayRef>,
    limiter: RateLimiter,
    metrics: Metrics,
    last_checkpoint_seq: u64,
    /// Arrival time of pending bets, for decision latency.
    placed_ms: HashMap<String, u64>,
    /// The relay each undecided socket-placed bet came through: its decisions go there only.
    origin: HashMap<String, String>,
    alarm_at: Option<u64>,
}

/// One match's single writer.
#[durable_object]
pub struct EventHub {
    state: State,
    env: Env,
    hub: RefCell<Option<Hub>>,
    pump: Rc<RefCell<Pump>>,
}

/// What an update must reach: the message and the relays registered when it was made.
struct Fanout {
    update: RelayUpdate,
    relays: Vec<RelayRef>,
}

/// The outbox to the relays. One pump at a time sends everything queued, in version order: updates
/// queued while a send is in flight go out together as the next message (each relay still gets one
/// message per send, and never one per socket).
#[derive(Default)]
struct Pump {
    queue: Vec<Fanout>,
    running: bool,
    stubs: HashMap<String, Rc<Stub>>,
    metrics: Metrics,
}

/// Merge queued fanouts into one message: deltas and decisions in order, a checkpoint only if it is
/// at the merged head, and the newest relay list (relays are only ever added).
fn merge(queue: Vec<Fanout>) -> Option<Fanout> {
    let mut it = queue.into_iter();
    let mut acc = it.next()?;
    for f in it {
        acc.update.deltas.extend(f.update.deltas);
        acc.update.decisions.extend(f.update.decisions);
        acc.update.checkpoint = f.update.checkpoint;
        acc.update.sent_ms = f.update.sent_ms;
        acc.relays = f.relays;
    }
    let head = acc.update.deltas.last().map(|d| d.version);
    if acc.update.checkpoint.as_ref().map(|c| c.version) != head {
        acc.update.checkpoint = None;
    }
    Some(acc)
}

fn stub_for(pump: &Rc<RefCell<Pump>>, env: &Env, relay: &RelayRef) -> ApiResult<Rc<Stub>> {
    if let Some(s) = pump.borrow().stubs.get(&relay.name) {
        return Ok(s.clone());
    }
    let ns = env.durable_object("REGION_RELAY")?;
    // Stubs are cached: calls made on one stub are delivered in the order they were made.
    let stub = Rc::new(ns.get_by_name_with_location_hint(&relay.name, &relay.region)?);
    pump.borrow_mut()
        .stubs
        .insert(relay.name.clone(), stub.clone());
    Ok(stub)
}

/// Drain the outbox: one message per relay per round, all relays of a round at once.
async fn run_pump(pump: Rc<RefCell<Pump>>, env: Env, event: String) {
    loop {
        let batch = {
            let mut p = pump.borrow_mut();
            let queued = std::mem::take(&mut p.queue);
            match merge(queued) {
                Some(f) => f,
                None => {
                    p.running = false;
                    return;
                }
            }
        };
        // Decisions on socket-placed bets go only to the relay that placed them; everything else to
        // every relay. A relay with nothing in this round gets no message.
        let targeted = batch.update.decisions.iter().any(|d| d.relay.is_some());
        let shared = (!targeted).then(|| postcard::to_allocvec(&batch.update).unwrap_or_default());
        let mut calls = Vec::with_capacity(batch.relays.len());
        let mut sent_to = Vec::with_capacity(batch.relays.len());
        for r in &batch.relays {
            let body = match &shared {
                Some(b) => b.clone(),
                None => {
                    let mut u = batch.update.clone();
                    u.decisions
                        .retain(|d| d.relay.as_deref().is_none_or(|x| x == r.name));
                    if u.deltas.is_empty() && u.decisions.is_empty() && u.checkpoint.is_none() {
                        continue;
                    }
                    postcard::to_allocvec(&u).unwrap_or_default()
                }
            };
            match stub_for(&pump, &env, r) {
                Ok(stub) => {
                    sent_to.push(r.clone());
                    calls.push(async move {
                        http::call(&stub, Method::Post, "/update", Some(body)).await
                    });
                }
                Err(e) => worker::console_error!("relay {}: {e}", r.name),
            }
        }
        let answers = futures_util::future::join_all(calls).await;
        let mut p = pump.borrow_mut();
        let m = &mut p.metrics;
        m.inc(
            "inplay_hub_batches_total",
            "Messages the hub sent to each of its relays (one per relay per batch).",
            &[("event", &event)],
            1.0,
        );
        m.inc(
            "inplay_hub_updates_total",
            "Updates (deltas and decision sets) the hub fanned out.",
            &[("event", &event)],
            batch.update.deltas.len().max(1) as f64,
        );
        for (r, answer) in sent_to.iter().zip(answers) {
            let labels = [("event", event.as_str()), ("relay", r.name.as_str())];
            m.inc(
                "inplay_relay_messages_total",
                "Messages the hub sent to each relay.",
                &labels,
                1.0,
            );
            match answer {
                Ok((200, bytes)) => {
                    let ack: RelayAck = serde_json::from_slice(&bytes).unwrap_or_default();
                    m.set(
                        "inplay_relay_sockets",
                        "Open WebSockets per relay.",
                        &labels,
                        ack.sockets as f64,
                    );
                    m.set(
                        "inplay_relay_updates_received",
                        "Messages each relay instance received from the hub.",
                        &labels,
                        ack.updates_received as f64,
                    );
                    m.inc(
                        "inplay_deltas_sent_total",
                        "Delta frames written to sockets.",
                        &labels,
                        ack.frames_sent as f64,
                    );
                }
                other => {
                    let why = match other {
                        Ok((status, _)) => format!("status {status}"),
                        Err(e) => e.to_string(),
                    };
                    worker::console_error!("relay {} update failed: {why}", r.name);
                    m.inc(
                        "inplay_relay_errors_total",
                        "Failed hub → relay messages.",
                        &labels,
                        1.0,
                    );
                }
            }
        }
    }
}

#[derive(Deserialize)]
struct FeedBatch {
    signature: String,
    remember_until_ms: u64,
    events: Vec<Value>,
}

/// A bet placed, or a retry answered from the ledger.
struct Placed {
    decision: BetDecision,
    replayed: bool,
    fanout: Option<Fanout>,
}

#[derive(Deserialize)]
struct BetBatch {
    /// The relay the bets came through.
    relay: String,
    bets: Vec<BetCall>,
}

#[derive(Deserialize)]
struct BetCall {
    bet_id: String,
    user_id: String,
    body_sha: String,
    bet: Value,
    /// Set for bets that came through a relay's socket.
    #[serde(skip)]
    relay: Option<String>,
}

#[derive(Deserialize)]
struct Subscribe {
    name: String,
    region: String,
    shard: u32,
}

#[derive(Deserialize, Default)]
struct Manual {
    #[serde(default)]
    market: Option<Value>,
}

fn snapshot_record(s: &Snapshot) -> SnapshotRecord {
    SnapshotRecord {
        version: s.version,
        bin: s.to_bytes(),
        json: serde_json::to_string(s).unwrap_or_default(),
    }
}

fn delta_record(d: &Delta) -> DeltaRecord {
    DeltaRecord {
        version: d.version,
        bin: d.to_bytes(),
        json: serde_json::to_string(d).unwrap_or_default(),
    }
}

fn decision_record(d: &BetDecision, relay: Option<String>) -> DecisionRecord {
    DecisionRecord {
        relay,
        user_id: d.user_id.clone(),
        bin: postcard::to_allocvec(d).unwrap_or_default(),
        json: serde_json::to_string(d).unwrap_or_default(),
    }
}

fn not_found() -> ApiError {
    ApiError::not_found("event_not_found", "no such event")
}

impl EventHub {
    fn sql(&self) -> worker::SqlStorage {
        self.state.storage().sql()
    }

    fn create_tables(&self) -> Result<()> {
        let sql = self.sql();
        sql.exec(
            "CREATE TABLE IF NOT EXISTS log (idx INTEGER PRIMARY KEY, entry BLOB NOT NULL)",
            None,
        )?;
        sql.exec(
            "CREATE TABLE IF NOT EXISTS relays (name TEXT PRIMARY KEY, region TEXT NOT NULL, shard INTEGER NOT NULL)",
            None,
        )?;
        sql.exec(
            "CREATE TABLE IF NOT EXISTS bet_keys (bet_id TEXT PRIMARY KEY, body_sha TEXT NOT NULL)",
            None,
        )?;
        sql.exec(
            "CREATE TABLE IF NOT EXISTS feed_signatures (digest TEXT PRIMARY KEY, expires_ms INTEGER NOT NULL)",
            None,
        )?;
        Ok(())
    }

    fn new_hub(&self, event_id: String, live: LiveEvent, relays: Vec<RelayRef>) -> Hub {
        let burst = env_u64(&self.env, "BET_RATE_BURST", 10) as u32;
        let per_sec = env_u64(&self.env, "BET_RATE_PER_SEC", 5) as f64;
        let seq = live.version().seq;
        Hub {
            event_id,
            live,
            relays,
            limiter: RateLimiter::new(burst, per_sec),
            metrics: Metrics::default(),
            last_checkpoint_seq: seq,
            placed_ms: HashMap::new(),
            origin: HashMap::new(),
            alarm_at: None,
        }
    }

    /// Load the hub from its log if it is not in memory yet. `Ok(false)`: no such event.
    fn ensure_loaded(&self) -> ApiResult<bool> {
        if self.hub.borrow().is_some() {
            return Ok(true);
        }
        let sql = self.sql();
        let mut entries = Vec::new();
        for row in sql.exec("SELECT entry FROM log ORDER BY idx", None)?.raw() {
            let row = row?;
            let Some(SqlStorageValue::Blob(bytes)) = row.into_iter().next() else {
                return Err(ApiError::new(500, "replay_failed", "log row is not a blob"));
            };
            let entry = AuditEntry::from_bytes(&bytes)
                .ok_or_else(|| ApiError::new(500, "replay_failed", "log entry does not decode"))?;
            entries.push(entry);
        }
        if entries.is_empty() {
            return Ok(false);
        }
        let live = LiveEvent::replay(entries.iter()).map_err(|e| {
            ApiError::new(
                500,
                "replay_failed",
                format!("log replay failed: {} ({e})", e.code()),
            )
        })?;
        let mut relays = Vec::new();
        for row in sql
            .exec("SELECT name, region FROM relays ORDER BY name", None)?
            .raw()
        {
            let row = row?;
            if let [
                SqlStorageValue::String(name),
                SqlStorageValue::String(region),
            ] = row.as_slice()
            {
                relays.push(RelayRef {
                    name: name.clone(),
                    region: region.clone(),
                });
            }
        }
        let event_id = live.image().event_id.clone();
        worker::console_log!(
            "hub {event_id}: replayed {} log entries to version {}",
            entries.len(),
            live.version()
        );
        *self.hub.borrow_mut() = Some(self.new_hub(event_id, live, relays));
        Ok(true)
    }

    fn append_log(&self, entry: &AuditEntry) -> ApiResult<()> {
        let idx = SqlStorageValue::try_from_i64(entry.index as i64)?;
        self.sql().exec(
            "INSERT INTO log (idx, entry) VALUES (?, ?)",
            vec![idx, entry.to_bytes().into()],
        )?;
        Ok(())
    }

    /// Apply one input: engine, log, metrics, and the relay message it calls for.
    /// Runs synchronously, so no other input interleaves between apply and log write.
    fn apply(
        &self,
        hub: &mut Hub,
        input: Input,
        now_ms: u64,
        placed_bet: Option<&str>,
    ) -> ApiResult<(Output, Option<Fanout>)> {
        let suspended_before: Vec<&'static str> = hub
            .live
            .image()
            .suspensions
            .iter()
            .map(|s| s.reason.as_str())
            .collect();
        let out = hub.live.apply(input, now_ms);
        if let Some(entry) = &out.audit {
            self.append_log(entry)?;
        }
        let event = hub.event_id.clone();
        for s in &hub.live.image().suspensions {
            if !suspended_before.contains(&s.reason.as_str()) {
                hub.metrics.inc(
                    "inplay_suspensions_total",
                    "Suspensions started, by reason.",
                    &[("event", &event), ("reason", s.reason.as_str())],
                    1.0,
                );
            }
        }
        for d in &out.decisions {
            // The engine's own words: `accepted`, `pending`, `rejected:<code>`.
            let label = d.status.to_string();
            hub.metrics.inc(
                "inplay_bets_total",
                "Bet decisions, by decision.",
                &[("event", &event), ("decision", &label)],
                1.0,
            );
            let placed = if placed_bet == Some(d.bet_id.as_str()) {
                Some(now_ms)
            } else {
                hub.placed_ms.remove(&d.bet_id)
            };
            match (d.status, placed) {
                (BetStatus::Pending, Some(at)) => {
                    hub.placed_ms.insert(d.bet_id.clone(), at);
                }
                (_, Some(at)) => hub.metrics.observe(
                    "inplay_bet_decision_latency_ms",
                    "Time from a bet's arrival to its final decision (includes the bet delay).",
                    &[("event", &event)],
                    LATENCY_BUCKETS_MS,
                    now_ms.saturating_sub(at) as f64,
                ),
                _ => {}
            }
        }
        let mut update = RelayUpdate {
            sent_ms: now_ms,
            ..Default::default()
        };
        if let Some(delta) = &out.delta {
            update.deltas.push(delta_record(delta));
            if delta.version.seq >= hub.last_checkpoint_seq + CHECKPOINT_EVERY {
                update.checkpoint = Some(snapshot_record(&hub.live.snapshot()));
                hub.last_checkpoint_seq = delta.version.seq;
            }
        }
        for d in &out.decisions {
            let target = hub.origin.get(&d.bet_id).cloned();
            if d.status != BetStatus::Pending {
                hub.origin.remove(&d.bet_id);
            }
            // The relay that placed this bet answers it from the batch reply.
            if target.is_some() && placed_bet == Some(d.bet_id.as_str()) {
                continue;
            }
            update.decisions.push(decision_record(d, target));
        }
        let fanout = (!update.deltas.is_empty() || !update.decisions.is_empty()).then(|| Fanout {
            update,
            relays: hub.relays.clone(),
        });
        Ok((out, fanout))
    }

    /// Queue an update for the relays; the pump sends it without holding up this request.
    fn fan_out(&self, fanout: Option<Fanout>) {
        let Some(fanout) = fanout else { return };
        if fanout.relays.is_empty() {
            return;
        }
        let start = {
            let mut p = self.pump.borrow_mut();
            p.queue.push(fanout);
            !std::mem::replace(&mut p.running, true)
        };
        if start {
            let pump = self.pump.clone();
            let env = self.env.clone();
            let event = self
                .hub
                .borrow()
                .as_ref()
                .map(|h| h.event_id.clone())
                .unwrap_or_default();
            worker::wasm_bindgen_futures::spawn_local(
                async move { run_pump(pump, env, event).await },
            );
        }
    }

    /// Point the alarm at the engine's next wakeup.
    async fn arm(&self) {
        let wake = {
            let mut hub = self.hub.borrow_mut();
            let Some(hub) = hub.as_mut() else { return };
            let next = hub.live.next_wakeup();
            if next == hub.alarm_at {
                return;
            }
            hub.alarm_at = next;
            next
        };
        if let Some(at) = wake {
            let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at as f64));
            if let Err(e) = self
                .state
                .storage()
                .set_alarm(ScheduledTime::new(date))
                .await
            {
                worker::console_error!("set_alarm: {e}");
            }
        }
    }

    async fn open(&self, mut req: Request) -> ApiResult<Response> {
        let mut body: Value = req
            .json()
            .await
            .map_err(|_| ApiError::bad_request("invalid_body", "body must be JSON"))?;
        // Checked after the last await: from here to the log write nothing else can run, so two
        // concurrent creates cannot both write entry 0.
        if self.ensure_loaded()? {
            return Err(ApiError::new(
                409,
                "event_exists",
                "the event already exists",
            ));
        }
        let now = http::now_ms();
        let obj = body
            .as_object_mut()
            .ok_or_else(|| ApiError::bad_request("invalid_body", "body must be an object"))?;
        // A new epoch per creation: clients holding versions of an earlier life of this id start over.
        obj.insert("epoch".into(), json!((now / 1000) as u32));
        let config = obj.entry("config").or_insert_with(|| json!({}));
        if let Some(c) = config.as_object_mut() {
            let defaults = LiveConfig::default();
            c.entry("stale_after_ms").or_insert(json!(env_u64(
                &self.env,
                "FEED_STALE_MS",
                defaults.stale_after_ms
            )));
        }
        let opening: Opening = serde_json::from_value(body).map_err(|e| {
            ApiError::bad_request("invalid_opening", format!("invalid opening: {e}"))
        })?;
        let event_id = opening.event_id.clone();
        let (live, entry) = LiveEvent::new(opening, now)
            .map_err(|e| ApiError::bad_request("invalid_opening", e.to_string()))?;
        self.append_log(&entry)?;
        let snapshot = live.snapshot();
        *self.hub.borrow_mut() = Some(self.new_hub(event_id, live, Vec::new()));
        self.arm().await;
        Ok(http::json(201, &json!({ "snapshot": snapshot })))
    }

    fn remember_signature(&self, batch: &FeedBatch, now: u64) -> ApiResult<()> {
        let sql = self.sql();
        sql.exec(
            "DELETE FROM feed_signatures WHERE expires_ms < ?",
            vec![SqlStorageValue::try_from_i64(now as i64)?],
        )?;
        let seen = sql
            .exec(
                "SELECT 1 FROM feed_signatures WHERE digest = ?",
                vec![batch.signature.as_str().into()],
            )?
            .raw()
            .next()
            .is_some();
        if seen {
            return Err(ApiError::new(
                409,
                "signature_replayed",
                "this signature was already used",
            ));
        }
        sql.exec(
            "INSERT INTO feed_signatures (digest, expires_ms) VALUES (?, ?)",
            vec![
                batch.signature.as_str().into(),
                SqlStorageValue::try_from_i64(batch.remember_until_ms as i64)?,
            ],
        )?;
        Ok(())
    }

    async fn feed(&self, mut req: Request) -> ApiResult<Response> {
        if !self.ensure_loaded()? {
            return Err(not_found());
        }
        let batch: FeedBatch = req
            .json()
            .await
            .map_err(|_| ApiError::bad_request("invalid_body", "bad feed batch"))?;
        let now = http::now_ms();
        self.remember_signature(&batch, now)?;
        let mut results = Vec::with_capacity(batch.events.len());
        let mut fanouts = Vec::new();
        {
            let mut guard = self.hub.borrow_mut();
            let hub = guard.as_mut().ok_or_else(not_found)?;
            let event = hub.event_id.clone();
            for raw in batch.events {
                let ts = raw.get("ts").and_then(Value::as_u64);
                let result = match FeedEvent::from_json_value(raw) {
                    Err(e) => {
                        json!({ "result": "rejected", "reason": e.code(), "message": e.to_string() })
                    }
                    Ok(ev) => {
                        let (out, fanout) = self.apply(hub, Input::Feed(ev), now, None)?;
                        fanouts.push(fanout);
                        match out.feed {
                            Some(r) => {
                                if matches!(r.outcome, FeedOutcome::Accepted)
                                    && let Some(ts) = ts
                                {
                                    hub.metrics.observe(
                                        "inplay_feed_lag_ms",
                                        "Server time minus the event's ts, for accepted feed events.",
                                        &[("event", &event)],
                                        LATENCY_BUCKETS_MS,
                                        now.saturating_sub(ts) as f64,
                                    );
                                }
                                let (result, reason) = match r.outcome {
                                    FeedOutcome::Accepted => ("accepted", None),
                                    FeedOutcome::Duplicate => ("duplicate", None),
                                    FeedOutcome::Held => ("held", None),
                                    FeedOutcome::Rejected { reason } => {
                                        ("rejected", Some(reason.as_str()))
                                    }
                                };
                                let mut v = json!({ "source": r.source.as_str(), "seq": r.seq, "result": result });
                                if let (Some(reason), Some(o)) = (reason, v.as_object_mut()) {
                                    o.insert("reason".into(), json!(reason));
                                }
                                v
                            }
                            None => json!({ "result": "rejected", "reason": "internal" }),
                        }
                    }
                };
                let label = match result.get("result").and_then(Value::as_str) {
                    Some("accepted") | Some("held") => "accepted",
                    Some("duplicate") => "duplicate",
                    _ => "rejected",
                };
                hub.metrics.inc(
                    "inplay_feed_events_total",
                    "Feed events, by result.",
                    &[("event", &event), ("result", label)],
                    1.0,
                );
                results.push(result);
            }
        }
        for f in fanouts {
            self.fan_out(f);
        }
        self.arm().await;
        Ok(http::json(200, &json!({ "results": results })))
    }

    fn snapshot_answer(&self) -> ApiResult<Response> {
        let guard = self.hub.borrow();
        let hub = guard.as_ref().ok_or_else(not_found)?;
        let now = http::now_ms();
        Ok(http::json(
            200,
            &json!({
                "event_id": hub.event_id,
                "server_ms": now,
                "version": hub.live.version(),
                "snapshot": hub.live.snapshot(),
                "prices": hub.live.prices(now),
                "bets": hub.live.bet_count(),
            }),
        ))
    }

    async fn manual(&self, mut req: Request, suspend: bool) -> ApiResult<Response> {
        if !self.ensure_loaded()? {
            return Err(not_found());
        }
        let text = req.text().await.unwrap_or_default();
        let manual: Manual = if text.trim().is_empty() {
            Manual::default()
        } else {
            serde_json::from_str(&text).map_err(|_| {
                ApiError::bad_request("invalid_body", "body must be {\"market\": …} or empty")
            })?
        };
        let market = match manual.market {
            None | Some(Value::Null) => None,
            Some(m) => Some(serde_json::from_value(m).map_err(|e| {
                ApiError::bad_request("invalid_body", format!("unknown market: {e}"))
            })?),
        };
        let input = if suspend {
            Input::Suspend { market }
        } else {
            Input::Resume { market }
        };
        let now = http::now_ms();
        let fanout = {
            let mut guard = self.hub.borrow_mut();
            let hub = guard.as_mut().ok_or_else(not_found)?;
            self.apply(hub, input, now, None)?.1
        };
        self.fan_out(fanout);
        self.arm().await;
        self.snapshot_answer()
    }

    /// One bet through idempotency, the rate limit and the engine, in one synchronous turn.
    /// `Ok(None)` for the fan-out means a retry answered from the ledger (nothing new to send).
    fn place_bet(&self, call: BetCall, now: u64) -> ApiResult<Placed> {
        let sql = self.sql();
        // A retry: answer with the latest decision, without touching the engine or the rate limit.
        let first_sha = sql
            .exec(
                "SELECT body_sha FROM bet_keys WHERE bet_id = ?",
                vec![call.bet_id.as_str().into()],
            )?
            .raw()
            .next()
            .transpose()?
            .and_then(|row| match row.into_iter().next() {
                Some(SqlStorageValue::String(s)) => Some(s),
                _ => None,
            });
        if let Some(sha) = first_sha {
            if sha != call.body_sha {
                return Err(ApiError::new(
                    409,
                    "idempotency_conflict",
                    "this Idempotency-Key was used for a different bet",
                ));
            }
            let guard = self.hub.borrow();
            let hub = guard.as_ref().ok_or_else(not_found)?;
            if let Some(d) = hub.live.bet(&call.bet_id) {
                return Ok(Placed {
                    decision: d.clone(),
                    replayed: true,
                    fanout: None,
                });
            }
        }
        let mut bet = call.bet;
        let obj = bet
            .as_object_mut()
            .ok_or_else(|| ApiError::bad_request("invalid_bet", "bet must be a JSON object"))?;
        obj.insert("bet_id".into(), json!(call.bet_id));
        obj.insert("user_id".into(), json!(call.user_id));
        let request: BetRequest = serde_json::from_value(bet)
            .map_err(|e| ApiError::bad_request("invalid_bet", format!("invalid bet: {e}")))?;
        let mut guard = self.hub.borrow_mut();
        let hub = guard.as_mut().ok_or_else(not_found)?;
        if let Err(retry_ms) = hub.limiter.take(&call.user_id, now) {
            return Err(ApiError::new(
                429,
                "rate_limited",
                format!("too many bets; retry in {retry_ms} ms"),
            ));
        }
        if let Some(relay) = &call.relay {
            hub.origin.insert(call.bet_id.clone(), relay.clone());
        }
        let (out, fanout) = self.apply(hub, Input::Bet(request), now, Some(&call.bet_id))?;
        if hub
            .live
            .bet(&call.bet_id)
            .is_some_and(|d| d.status != BetStatus::Pending)
        {
            hub.origin.remove(&call.bet_id);
        }
        sql.exec(
            "INSERT OR IGNORE INTO bet_keys (bet_id, body_sha) VALUES (?, ?)",
            vec![call.bet_id.as_str().into(), call.body_sha.as_str().into()],
        )?;
        let decision = out
            .decisions
            .into_iter()
            .find(|d| d.bet_id == call.bet_id)
            .ok_or_else(|| ApiError::internal("the engine returned no decision"))?;
        Ok(Placed {
            decision,
            replayed: false,
            fanout,
        })
    }

    async fn bet(&self, mut req: Request) -> ApiResult<Response> {
        if !self.ensure_loaded()? {
            return Err(not_found());
        }
        let call: BetCall = req
            .json()
            .await
            .map_err(|_| ApiError::bad_request("invalid_body", "bad bet call"))?;
        let placed = self.place_bet(call, http::now_ms())?;
        if !placed.replayed {
            self.fan_out(placed.fanout);
            self.arm().await;
        }
        let status = if placed.decision.status == BetStatus::Pending {
            202
        } else {
            200
        };
        let mut resp = http::json(status, &placed.decision);
        if placed.replayed {
            let _ = resp.headers_mut().set("idempotent-replayed", "true");
        }
        Ok(resp)
    }

    /// `POST /bets`: a relay's batch of bets from its sockets, placed in arrival order in one turn.
    /// The answer carries each bet's decision (or the refusal that never reached the engine) for the
    /// relay to send to the bettor at once; later decisions on these bets (release after the delay)
    /// are fanned out to that relay only.
    async fn bets_batch(&self, mut req: Request) -> ApiResult<Response> {
        if !self.ensure_loaded()? {
            return Err(not_found());
        }
        let batch: BetBatch = req
            .json()
            .await
            .map_err(|_| ApiError::bad_request("invalid_body", "bad bet batch"))?;
        let now = http::now_ms();
        let mut results = Vec::with_capacity(batch.bets.len());
        let mut fanouts = Vec::new();
        for mut call in batch.bets {
            call.relay = Some(batch.relay.clone());
            let bet_id = call.bet_id.clone();
            let user_id = call.user_id.clone();
            match self.place_bet(call, now) {
                Ok(p) => {
                    if !p.replayed {
                        fanouts.push(p.fanout);
                    }
                    results.push(json!({
                        "bet_id": bet_id, "user_id": user_id, "decision": p.decision, "replayed": p.replayed,
                    }));
                }
                Err(e) => results.push(json!({
                    "bet_id": bet_id, "user_id": user_id,
                    "error": { "code": e.code, "message": e.message, "status": e.status },
                })),
            }
        }
        for f in fanouts {
            self.fan_out(f);
        }
        self.arm().await;
        Ok(http::json(200, &json!({ "results": results })))
    }

    fn get_bet(&self, req: &Request) -> ApiResult<Response> {
        if !self.ensure_loaded()? {
            return Err(ApiError::not_found("bet_not_found", "no such bet"));
        }
        let url = req.url()?;
        let id = url
            .query_pairs()
            .find(|(k, _)| k == "id")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let guard = self.hub.borrow();
        let hub = guard.as_ref().ok_or_else(not_found)?;
        let d = hub
            .live
            .bet(&id)
            .ok_or_else(|| ApiError::not_found("bet_not_found", "no such bet"))?;
        Ok(http::json(
            200,
            &json!({ "decision": d, "settlement": hub.live.settlement(&id) }),
        ))
    }

    async fn subscribe(&self, mut req: Request) -> ApiResult<Response> {
        if !self.ensure_loaded()? {
            return Err(not_found());
        }
        let s: Subscribe = req
            .json()
            .await
            .map_err(|_| ApiError::bad_request("invalid_body", "bad subscribe"))?;
        let mut guard = self.hub.borrow_mut();
        let hub = guard.as_mut().ok_or_else(not_found)?;
        if !hub.relays.iter().any(|r| r.name == s.name) {
            self.sql().exec(
                "INSERT OR REPLACE INTO relays (name, region, shard) VALUES (?, ?, ?)",
                vec![
                    s.name.as_str().into(),
                    s.region.as_str().into(),
                    (s.shard as i64).into(),
                ],
            )?;
            hub.relays.push(RelayRef {
                name: s.name,
                region: s.region,
            });
        }
        // Registration and snapshot in one synchronous turn: every later update reaches this relay.
        let record = snapshot_record(&hub.live.snapshot());
        Ok(Response::from_bytes(
            postcard::to_allocvec(&record).unwrap_or_default(),
        )?)
    }

    /// The whole log as JSON lines, read in one synchronous turn (so it ends at the head it reports).
    fn export_log(&self) -> ApiResult<Response> {
        if !self.ensure_loaded()? {
            return Err(not_found());
        }
        let mut out = Vec::new();
        for row in self
            .sql()
            .exec("SELECT entry FROM log ORDER BY idx", None)?
            .raw()
        {
            let row = row?;
            let Some(SqlStorageValue::Blob(bytes)) = row.into_iter().next() else {
                return Err(ApiError::internal("log row is not a blob"));
            };
            let entry = AuditEntry::from_bytes(&bytes)
                .ok_or_else(|| ApiError::internal("log entry does not decode"))?;
            serde_json::to_writer(&mut out, &entry)
                .map_err(|e| ApiError::internal(format!("log entry to JSON: {e}")))?;
            out.push(b'\n');
        }
        let guard = self.hub.borrow();
        let hub = guard.as_ref().ok_or_else(not_found)?;
        let mut resp = Response::from_bytes(out)?;
        let headers = resp.headers_mut();
        headers.set(LOG_HEAD_HEADER, &hub.live.audit_head().to_string())?;
        headers.set(LOG_VERSION_HEADER, &hub.live.version().to_string())?;
        Ok(resp)
    }

    fn metrics(&self) -> ApiResult<Response> {
        if !self.ensure_loaded()? {
            return Ok(http::json(200, &Metrics::default()));
        }
        let guard = self.hub.borrow();
        let hub = guard.as_ref().ok_or_else(not_found)?;
        let mut m = hub.metrics.clone();
        m.merge(&self.pump.borrow().metrics);
        let v = hub.live.version();
        m.set(
            "inplay_event_version_seq",
            "Current version seq of each match.",
            &[("event", &hub.event_id)],
            v.seq as f64,
        );
        m.set(
            "inplay_event_bets",
            "Bets held by each match.",
            &[("event", &hub.event_id)],
            hub.live.bet_count() as f64,
        );
        m.set(
            "inplay_event_relays",
            "Relays registered with each match.",
            &[("event", &hub.event_id)],
            hub.relays.len() as f64,
        );
        Ok(http::json(200, &m))
    }

    async fn tick(&self) -> ApiResult<()> {
        if !self.ensure_loaded()? {
            return Ok(());
        }
        let now = http::now_ms();
        let fanout = {
            let mut guard = self.hub.borrow_mut();
            let Some(hub) = guard.as_mut() else {
                return Ok(());
            };
            hub.alarm_at = None;
            self.apply(hub, Input::Tick, now, None)?.1
        };
        self.fan_out(fanout);
        self.arm().await;
        Ok(())
    }

    async fn route(&self, req: Request) -> ApiResult<Response> {
        let path = req.path();
        match (req.method(), path.as_str()) {
            (Method::Post, "/open") => self.open(req).await,
            (Method::Post, "/feed") => self.feed(req).await,
            (Method::Get, "/event") => {
                if !self.ensure_loaded()? {
                    return Err(not_found());
                }
                self.snapshot_answer()
            }
            (Method::Post, "/suspend") => self.manual(req, true).await,
            (Method::Post, "/resume") => self.manual(req, false).await,
            (Method::Post, "/bet") => self.bet(req).await,
            (Method::Post, "/bets") => self.bets_batch(req).await,
            (Method::Get, "/bet") => self.get_bet(&req),
            (Method::Post, "/subscribe") => self.subscribe(req).await,
            (Method::Get, "/metrics") => self.metrics(),
            (Method::Get, "/log") => self.export_log(),
            _ => Err(ApiError::not_found("route_not_found", "unknown hub route")),
        }
    }
}

impl DurableObject for EventHub {
    fn new(state: State, env: Env) -> Self {
        let hub = EventHub {
            state,
            env,
            hub: RefCell::new(None),
            pump: Rc::new(RefCell::new(Pump::default())),
        };
        if let Err(e) = hub.create_tables() {
            worker::console_error!("hub: creating tables failed: {e}");
        }
        hub
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        Ok(http::respond(self.route(req).await))
    }

    async fn alarm(&self) -> Result<Response> {
        if let Err(e) = self.tick().await {
            worker::console_error!("hub alarm: {e}");
        }
        Response::ok("")
    }
}
