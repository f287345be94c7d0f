//! `RegionRelay`: one Durable Object per match × region × shard, near its bettors; with two fan-out
//! levels also one per match × region upstream of the shards.
//!
//! The relay's logic is [`RelayCore`] (`relay_core.rs`); this object gives it the bettors'
//! WebSockets (the hibernation API, so an idle relay costs nothing while its sockets stay open),
//! SQLite for its snapshot and ring (a restart or hibernation loses nothing a resuming client needs),
//! stubs upstream (for subscriptions and bets) and, upstream of shards, to its leaves.
//!
//! Sockets are tagged with their frame format and owner (`fmt:bin` / `fmt:json`, and `ub:<user_id>`
//! / `uj:<user_id>` for a bettor's binary / JSON sockets), so a broadcast or a bettor's decision
//! picks sockets by tag, and each frame is encoded once per format and handed to every socket as
//! the same JS buffer or string.
//!
//! Storage (SQLite): `meta(k, v)` (identity, snapshot, and the stream format its bytes are in),
//! `ring(seq, epoch, bin, json)`. A snapshot and ring of another stream format (an earlier
//! worker's) are not served: the relay starts empty and asks upstream for a snapshot.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use inplay_engine::live::{STREAM_FORMAT, Version};
use inplay_protocol::bets::BetCall;
use inplay_protocol::hub::HubCall;
use inplay_protocol::ids::{self, RelayName, Tier};
use inplay_protocol::relay::{
    DeltaRecord, Fault, RelayCall, SnapshotRecord, Subscribe, SyncAnswer,
};
use inplay_protocol::socket::{self, Incoming};
use inplay_protocol::{ApiError, ErrorCode};
use worker::{
    DurableObject, Env, Method, Request, Response, Result, ScheduledTime, SqlStorageValue, State,
    Stub, WebSocket, WebSocketIncomingMessage, WebSocketPair, durable_object,
};

use crate::http::{self, ApiResult, env_flag, env_u64};
use crate::relay_core::{Delivery, NextBatch, QueuedBet, RelayConfig, RelayCore};
use crate::relay_log::{Join, RelayLog};
use crate::relay_stubs::RelayStubs;

/// Internal header the Worker sets when it forwards a socket: the relay it is for (clients cannot
/// set it: the Worker builds the forwarded request itself).
pub const RELAY_HEADER: &str = "x-inplay-relay";
/// The verified user id, when the socket presented a token.
pub const USER_HEADER: &str = "x-inplay-user";
/// When that token expires (unix ms): bets on the socket are refused after it.
pub const EXPIRY_HEADER: &str = "x-inplay-token-expiry";

const TAG_BIN: &str = "fmt:bin";
const TAG_JSON: &str = "fmt:json";

#[wasm_bindgen::prelude::wasm_bindgen(inline_js = r#"
export function sendToTagged(state, tag, value) {
  let sent = 0;
  for (const ws of state.getWebSockets(tag)) {
    try { ws.send(value); sent++; } catch (_) { /* closing: the close handler forgets it */ }
  }
  return sent;
}
export function socketCount(state) {
  return state.getWebSockets().length;
}
"#)]
extern "C" {
    /// Sends one JS value to every socket with `tag`, in one call: the sockets never cross into
    /// wasm (each would be a handle in wasm's table and a call out per send), and workerd neither
    /// copies nor mutates the buffer, so a frame's bytes cross from wasm once per broadcast.
    #[wasm_bindgen(js_name = sendToTagged)]
    fn send_to_tagged(
        state: &worker::worker_sys::DurableObjectState,
        tag: &str,
        value: &wasm_bindgen::JsValue,
    ) -> u32;

    /// The relay's open sockets, counted in JS (`get_websockets` would bring every socket into
    /// wasm's table to be counted). Still one call that lists every socket: `Inner::sockets`
    /// keeps the count between real countings.
    #[wasm_bindgen(js_name = socketCount)]
    fn socket_count(state: &worker::worker_sys::DurableObjectState) -> u32;
}

/// One frame in both forms, as JS values ready for any number of sockets.
struct Outgoing {
    bin: wasm_bindgen::JsValue,
    text: wasm_bindgen::JsValue,
}

impl Outgoing {
    fn new(bin: &[u8], text: &str) -> Outgoing {
        Outgoing {
            bin: js_sys::Uint8Array::from(bin).buffer().into(),
            text: wasm_bindgen::JsValue::from_str(text),
        }
    }
}

/// The tag of a bettor's sockets of one format.
fn user_tag(user_id: &str, json: bool) -> String {
    format!("{}{user_id}", if json { "uj:" } else { "ub:" })
}

/// Largest text message a socket may send (a bet is well under it).
pub const MAX_MESSAGE_BYTES: usize = 4 * 1024;

/// What the object holds between requests; shared with its tasks.
struct Inner {
    state: State,
    env: Env,
    core: RefCell<Option<RelayCore>>,
    /// Stubs to leaves (upstream relays only), rebuilt when a send fails.
    stubs: RelayStubs,
    /// Test-only fault injection: fail every update until then.
    failing_until: Cell<u64>,
    timeout_ms: u64,
    syncing: Cell<bool>,
    tables_ready: Cell<bool>,
    name_stored: Cell<bool>,
    /// Whether storage says its snapshot and ring are in this worker's stream format.
    format_stored: Cell<bool>,
    /// Messages each socket may send (by its `sid:` tag): a flood costs the flooder, not the relay.
    socket_limiter: RefCell<crate::rate_limit::RateLimiter>,
    next_socket: Cell<u64>,
    /// Open sockets, kept as they open: counting them asks workerd for every socket (6 % of the
    /// thread at the peak run when each update's acknowledgement did). Counted for real after a
    /// wake, after a close and at every heartbeat.
    open_sockets: Cell<Option<u32>>,
}

/// A regional fan-out point.
#[durable_object]
pub struct RegionRelay {
    inner: Rc<Inner>,
}

fn text(v: &SqlStorageValue) -> Option<String> {
    match v {
        SqlStorageValue::String(s) => Some(s.clone()),
        _ => None,
    }
}

fn int(v: &SqlStorageValue) -> Option<i64> {
    match v {
        SqlStorageValue::Integer(i) => Some(*i),
        SqlStorageValue::Float(f) => Some(*f as i64),
        _ => None,
    }
}

fn sql_int(v: u64) -> SqlStorageValue {
    SqlStorageValue::Integer(v.min(i64::MAX as u64) as i64)
}

impl Inner {
    fn sql(&self) -> worker::SqlStorage {
        self.state.storage().sql()
    }

    /// Creates the tables with the first write: a relay asked about a match its hub does not know
    /// stores nothing.
    fn ensure_tables(&self) -> ApiResult<()> {
        if self.tables_ready.get() {
            return Ok(());
        }
        let sql = self.sql();
        for ddl in [
            "CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v BLOB)",
            "CREATE TABLE IF NOT EXISTS ring (seq INTEGER PRIMARY KEY, epoch INTEGER NOT NULL, bin BLOB NOT NULL, json TEXT NOT NULL)",
        ] {
            sql.exec(ddl, None).map_err(http::runtime)?;
        }
        self.tables_ready.set(true);
        Ok(())
    }

    /// Whether this relay ever stored anything.
    fn has_tables(&self) -> ApiResult<bool> {
        if self.tables_ready.get() {
            return Ok(true);
        }
        let found = self
            .sql()
            .exec(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
                None,
            )
            .map_err(http::runtime)?
            .raw()
            .next()
            .is_some();
        self.tables_ready.set(found);
        Ok(found)
    }

    fn meta(&self, key: &str) -> ApiResult<Option<SqlStorageValue>> {
        let row = self
            .sql()
            .exec("SELECT v FROM meta WHERE k = ?", vec![key.into()])
            .map_err(http::runtime)?
            .raw()
            .next()
            .transpose()
            .map_err(http::runtime)?;
        Ok(row.and_then(|r| r.into_iter().next()))
    }

    fn put_meta(&self, key: &str, v: SqlStorageValue) -> ApiResult<()> {
        self.ensure_tables()?;
        self.sql()
            .exec(
                "INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)",
                vec![key.into(), v],
            )
            .map_err(http::runtime)?;
        Ok(())
    }

    fn config(&self) -> RelayConfig {
        let d = RelayConfig::default();
        RelayConfig {
            ring: env_u64(&self.env, "RELAY_RING", d.ring as u64).clamp(1, 100_000) as usize,
            max_queued_bets: env_u64(&self.env, "RELAY_MAX_QUEUED_BETS", d.max_queued_bets as u64)
                as usize,
            bet_window_ms: env_u64(&self.env, "RELAY_BET_WINDOW_MS", d.bet_window_ms),
            fanout: crate::fanout::FanoutConfig {
                timeout_ms: self.timeout_ms,
                heartbeat_ms: env_u64(&self.env, "HEARTBEAT_MS", d.fanout.heartbeat_ms),
                ..d.fanout
            },
            ..d
        }
    }

    /// Loads identity, snapshot and ring from storage on first use after a start or hibernation.
    fn ensure_loaded(&self) -> ApiResult<()> {
        if self.core.borrow().is_some() {
            return Ok(());
        }
        let config = self.config();
        if !self.has_tables()? {
            *self.core.borrow_mut() =
                Some(RelayCore::new(config, None, RelayLog::new(config.ring)));
            return Ok(());
        }
        let name = self
            .meta("name")?
            .as_ref()
            .and_then(text)
            .and_then(|n| n.parse::<RelayName>().ok());
        self.name_stored.set(name.is_some());
        let format = self.meta("stream_format")?.as_ref().and_then(int);
        let current = format == Some(i64::from(STREAM_FORMAT));
        self.format_stored.set(current);
        let snapshot = match self.meta("snapshot")? {
            Some(SqlStorageValue::Blob(b)) if current => {
                postcard::from_bytes::<SnapshotRecord>(&b).ok()
            }
            _ => None,
        };
        let mut ring = Vec::new();
        // A ring of another format is left unread; it is emptied when the first snapshot is stored.
        if current {
            let query = "SELECT seq, epoch, bin, json FROM ring ORDER BY seq";
            for row in self.sql().exec(query, None).map_err(http::runtime)?.raw() {
                if let [
                    seq,
                    epoch,
                    SqlStorageValue::Blob(bin),
                    SqlStorageValue::String(json),
                ] = row.map_err(http::runtime)?.as_slice()
                {
                    ring.push(DeltaRecord {
                        version: Version {
                            epoch: int(epoch).unwrap_or(0) as u32,
                            seq: int(seq).unwrap_or(0) as u64,
                        },
                        bin: bin.clone(),
                        json: json.clone(),
                    });
                }
            }
        }
        let log = RelayLog::restore(config.ring, snapshot, ring);
        *self.core.borrow_mut() = Some(RelayCore::new(config, name, log));
        Ok(())
    }

    fn name(&self) -> Option<RelayName> {
        self.core.borrow().as_ref().and_then(|c| c.name.clone())
    }

    /// Learns who this relay is, the first time it is told (stored with its first state).
    fn identify(&self, name: &RelayName) -> ApiResult<()> {
        if self.name().is_none()
            && let Some(c) = self.core.borrow_mut().as_mut()
        {
            c.identify(name.clone());
        }
        Ok(())
    }

    /// Stores what an update or a sync changed: new ring rows, the snapshot, and drops what fell
    /// out of the ring (or belongs to an older epoch).
    fn persist(&self, d: &Delivery) -> ApiResult<()> {
        if d.fresh.is_empty() && !d.snapshot_changed {
            return Ok(());
        }
        if !self.name_stored.get()
            && let Some(name) = self.name()
        {
            self.put_meta("name", name.to_string().into())?;
            self.name_stored.set(true);
        }
        self.ensure_tables()?;
        let sql = self.sql();
        for r in &d.fresh {
            sql.exec(
                "INSERT OR REPLACE INTO ring (seq, epoch, bin, json) VALUES (?, ?, ?, ?)",
                vec![
                    sql_int(r.version.seq),
                    i64::from(r.version.epoch).into(),
                    r.bin.clone().into(),
                    r.json.as_str().into(),
                ],
            )
            .map_err(http::runtime)?;
        }
        let core = self.core.borrow();
        let Some(core) = core.as_ref() else {
            return Ok(());
        };
        if d.snapshot_changed
            && let Some(s) = core.log.snapshot()
        {
            self.put_meta("snapshot", inplay_protocol::encode(s).into())?;
            if !self.format_stored.get() {
                self.put_meta("stream_format", i64::from(STREAM_FORMAT).into())?;
                self.format_stored.set(true);
            }
        }
        if !d.fresh.is_empty() || d.snapshot_changed {
            match core.log.ring().next() {
                Some(front) => sql.exec(
                    "DELETE FROM ring WHERE seq < ? OR epoch != ?",
                    vec![
                        sql_int(front.version.seq),
                        i64::from(front.version.epoch).into(),
                    ],
                ),
                None => sql.exec("DELETE FROM ring", None),
            }
            .map_err(http::runtime)?;
        }
        Ok(())
    }

    /// Open sockets (see `open_sockets`).
    fn sockets(&self) -> u32 {
        match self.open_sockets.get() {
            Some(n) => n,
            None => self.count_sockets(),
        }
    }

    /// Counts the open sockets for real.
    fn count_sockets(&self) -> u32 {
        let n = socket_count(self.state.as_raw());
        self.open_sockets.set(Some(n));
        n
    }

    /// A socket opened.
    fn socket_opened(&self) {
        if let Some(n) = self.open_sockets.get() {
            self.open_sockets.set(Some(n.saturating_add(1)));
        }
    }

    /// A socket closed or failed: counted for real when next asked (a close and an error may
    /// both come for one socket).
    fn socket_closed(&self) {
        self.open_sockets.set(None);
    }

    fn send_to(&self, ws: &WebSocket, json: bool, bin: &[u8], text: &str) -> bool {
        if json {
            ws.send_with_str(text).is_ok()
        } else {
            ws.send_with_bytes(bin).is_ok()
        }
    }

    /// Sends one frame to every socket: encoded once per format, whatever the socket count.
    fn broadcast(&self, bin: &[u8], text: &str) -> u64 {
        let frame = Outgoing::new(bin, text);
        let state = self.state.as_raw();
        u64::from(send_to_tagged(state, TAG_BIN, &frame.bin))
            + u64::from(send_to_tagged(state, TAG_JSON, &frame.text))
    }

    /// The socket's owner with its token's expiry (when it presented a token), and whether it
    /// reads JSON.
    fn socket_of(&self, ws: &WebSocket) -> (Option<(String, u64)>, bool) {
        let (mut user, mut expiry, mut json) = (None, 0, false);
        for tag in self.state.get_tags(ws) {
            if tag == TAG_JSON {
                json = true;
            } else if let Some(u) = tag.strip_prefix("ub:").or_else(|| tag.strip_prefix("uj:")) {
                user = Some(u.to_string());
            } else if let Some(e) = tag.strip_prefix("exp:") {
                expiry = e.parse().unwrap_or(0);
            }
        }
        (user.map(|u| (u, expiry)), json)
    }

    fn send_to_user(&self, user_id: &str, bin: &[u8], text: &str) {
        let frame = Outgoing::new(bin, text);
        let state = self.state.as_raw();
        send_to_tagged(state, &user_tag(user_id, false), &frame.bin);
        send_to_tagged(state, &user_tag(user_id, true), &frame.text);
    }

    fn region_and_shard(&self) -> (String, u32) {
        match self.name() {
            Some(n) => {
                let shard = match n.tier {
                    Tier::Leaf(s) => s,
                    Tier::Regional => 0,
                };
                (n.region, shard)
            }
            None => (String::new(), 0),
        }
    }

    /// Sends its sockets what an update or sync delivered; returns the frames written.
    fn deliver(&self, d: &Delivery) -> u64 {
        let mut frames = 0;
        let now = http::now_ms();
        if let Some(s) = &d.snapshot {
            let (region, shard) = self.region_and_shard();
            frames += self.broadcast(
                &socket::snapshot_bin(s, &region, shard, now),
                &socket::snapshot_json(s, &region, shard, now),
            );
        }
        for r in &d.fresh {
            frames += self.broadcast(&socket::delta_bin(r), &socket::delta_json(r));
        }
        for r in &d.decisions {
            self.send_to_user(&r.user_id, &socket::bet_bin(r), &socket::bet_json(r));
        }
        frames
    }

    /// Where this relay gets its stream from: the hub, or (a leaf, with two fan-out levels) its
    /// region's upstream relay.
    fn upstream(&self, name: &RelayName) -> ApiResult<(Stub, bool)> {
        let two_levels = env_u64(&self.env, "FANOUT_LEVELS", 1) >= 2;
        if two_levels && !name.is_regional() {
            let up = name.regional();
            let stub = self
                .env
                .durable_object("REGION_RELAY")
                .and_then(|ns| ns.get_by_name_with_location_hint(&up.to_string(), &up.region))
                .map_err(http::runtime)?;
            return Ok((stub, false));
        }
        let stub = self
            .env
            .durable_object("EVENT_HUB")
            .and_then(|ns| ns.get_by_name(&name.event_id))
            .map_err(http::runtime)?;
        Ok((stub, true))
    }

    /// Subscribes upstream and installs the snapshot it answers with (never over a newer one).
    async fn sync(self: &Rc<Self>) -> ApiResult<()> {
        let name = self.name().ok_or_else(|| {
            ApiError::new(ErrorCode::RelayUnavailable, "the relay has no identity")
        })?;
        if self.syncing.replace(true) {
            // One sync at a time: a join that arrives meanwhile waits for it (a burst of first
            // sockets costs the hub one subscription, not one each).
            let waited = http::within(self.timeout_ms, async {
                while self.syncing.get() {
                    worker::Delay::from(std::time::Duration::from_millis(10)).await;
                }
            })
            .await;
            return waited.ok_or_else(|| {
                ApiError::new(
                    ErrorCode::RelayUnavailable,
                    "the relay could not synchronise",
                )
            });
        }
        let result = async {
            let (stub, is_hub) = self.upstream(&name)?;
            let subscribe = Subscribe {
                relay: name.clone(),
            };
            let body = if is_hub {
                inplay_protocol::encode(&HubCall::Subscribe(subscribe))
            } else {
                inplay_protocol::encode(&RelayCall::Subscribe(subscribe))
            };
            http::call::<SyncAnswer>(&stub, body, self.timeout_ms, ErrorCode::RelayUnavailable)
                .await
        }
        .await;
        self.syncing.set(false);
        let answer = result?;
        let delivery = match self.core.borrow_mut().as_mut() {
            Some(c) => c.synced(answer),
            None => return Ok(()),
        };
        self.persist(&delivery)?;
        self.deliver(&delivery);
        Ok(())
    }

    /// Heartbeats to sockets (and retries to leaves) while anything is connected.
    async fn arm(&self) {
        let storage = self.state.storage();
        if matches!(storage.get_alarm().await, Ok(Some(_))) {
            return;
        }
        let every = env_u64(&self.env, "HEARTBEAT_MS", 5000).max(100);
        let next_leaf = self.core.borrow().as_ref().and_then(|c| c.next_wakeup());
        let now = http::now_ms();
        let at = next_leaf
            .map_or(now + every, |t| t.min(now + every))
            .max(now + 10);
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at as f64));
        if let Err(e) = storage.set_alarm(ScheduledTime::new(date)).await {
            worker::console_error!("relay set_alarm: {e}");
        }
    }
}

/// An upstream relay sends its leaves what they are owed, each on its own task.
fn pump_leaves(inner: &Rc<Inner>) {
    let now = http::now_ms();
    let sends = match inner.core.borrow_mut().as_mut() {
        Some(c) => c.due(now),
        None => return,
    };
    for (leaf, update, generation) in sends {
        let inner = inner.clone();
        worker::wasm_bindgen_futures::spawn_local(async move {
            let answer = inner
                .stubs
                .update(&inner.env, &leaf, generation, update, inner.timeout_ms)
                .await;
            let now = http::now_ms();
            if let Some(c) = inner.core.borrow_mut().as_mut() {
                match answer {
                    Ok(ack) => c.leaf_acknowledged(&leaf, ack),
                    Err(_) => c.leaf_failed(&leaf, now),
                }
            }
            pump_leaves(&inner);
        });
    }
}

/// Sends queued socket bets to the hub until none are left; bets that arrive meanwhile ride the
/// next call. Each bettor gets each bet's answer on their sockets.
async fn flush_bets(inner: Rc<Inner>) {
    loop {
        let now = http::now_ms();
        let next = inner
            .core
            .borrow_mut()
            .as_mut()
            .map_or(NextBatch::Idle, |c| c.next_batch(now));
        let (batch, keys) = match next {
            NextBatch::Send(batch, keys) => (batch, keys),
            NextBatch::WaitUntil(at) => {
                let wait = std::time::Duration::from_millis(at.saturating_sub(now));
                worker::Delay::from(wait).await;
                continue;
            }
            NextBatch::Idle => return,
        };
        let event_id = batch.relay.event_id.clone();
        let calls: Vec<BetCall> = batch.bets.clone();
        let body = inplay_protocol::encode(&HubCall::Bets(batch));
        let hub = inner
            .env
            .durable_object("EVENT_HUB")
            .and_then(|ns| ns.get_by_name(&event_id))
            .map_err(http::runtime);
        let answer = match hub {
            Ok(stub) => {
                http::call::<inplay_protocol::bets::BetBatchAnswer>(
                    &stub,
                    body,
                    inner.timeout_ms,
                    ErrorCode::HubUnavailable,
                )
                .await
            }
            Err(e) => Err(e),
        };
        let results = match answer {
            Ok(a) if a.results.len() == calls.len() => a.results,
            Ok(_) => vec![Err(ApiError::internal()); calls.len()],
            Err(e) => vec![Err(e); calls.len()],
        };
        for ((call, key), result) in calls.iter().zip(&keys).zip(results) {
            match result {
                Ok(placed) => {
                    let r = inplay_protocol::relay::DecisionRecord::of(&placed.decision, None);
                    inner.send_to_user(&call.user_id, &socket::bet_bin(&r), &socket::bet_json(&r));
                }
                Err(e) => {
                    let refusal = socket::bet_error(Some(&call.bet_id), key, &e);
                    inner.send_to_user(
                        &call.user_id,
                        &socket::bet_error_bin(&refusal),
                        &socket::bet_error_json(&refusal),
                    );
                }
            }
        }
    }
}

impl RegionRelay {
    /// One internal call.
    async fn call(&self, mut req: Request) -> Result<Response> {
        let inner = &self.inner;
        let bytes = req.bytes().await.unwrap_or_default();
        let call: RelayCall = match inplay_protocol::decode(&bytes) {
            Ok(c) => c,
            Err(e) => return Ok(http::answer::<()>(&Err(e))),
        };
        if let Err(e) = inner.ensure_loaded() {
            return Ok(http::answer::<()>(&Err(e)));
        }
        match call {
            RelayCall::Update(update) => {
                if http::now_ms() < inner.failing_until.get() {
                    // A fault injected by a test: throw, as a broken relay's stub does.
                    return Err(worker::Error::RustError("injected fault".into()));
                }
                if let Some(to) = &update.to
                    && let Err(e) = inner.identify(to)
                {
                    return Ok(http::answer::<()>(&Err(e)));
                }
                let delivery = match inner.core.borrow_mut().as_mut() {
                    Some(c) => c.take(update),
                    None => Delivery::default(),
                };
                if let Err(e) = inner.persist(&delivery) {
                    return Ok(http::answer::<()>(&Err(e)));
                }
                let frames = inner.deliver(&delivery);
                let sockets = inner.sockets();
                let ack = inner
                    .core
                    .borrow()
                    .as_ref()
                    .map(|c| c.ack(sockets, frames))
                    .unwrap_or_default();
                pump_leaves(inner);
                if delivery.needs_sync {
                    let inner = inner.clone();
                    worker::wasm_bindgen_futures::spawn_local(async move {
                        if let Err(e) = inner.sync().await {
                            worker::console_warn!("relay sync: {e}");
                        }
                    });
                }
                Ok(http::answer(&Ok::<_, ApiError>(ack)))
            }
            RelayCall::Subscribe(s) => {
                // A leaf subscribes to this region's upstream relay.
                let upstream = RelayName {
                    tier: Tier::Regional,
                    ..s.relay.clone()
                };
                if let Err(e) = inner.identify(&upstream) {
                    return Ok(http::answer::<()>(&Err(e)));
                }
                let needs = inner.core.borrow().as_ref().is_some_and(|c| c.needs_sync());
                if needs && let Err(e) = inner.sync().await {
                    return Ok(http::answer::<()>(&Err(e)));
                }
                let answer = inner
                    .core
                    .borrow_mut()
                    .as_mut()
                    .and_then(|c| c.subscribe_leaf(&s.relay))
                    .ok_or_else(|| {
                        ApiError::new(ErrorCode::RelayUnavailable, "the relay has no state yet")
                    });
                inner.arm().await;
                Ok(http::answer(&answer))
            }
            RelayCall::Fault(Fault { fail_for_ms }) => {
                let r = if env_flag(&inner.env, "ALLOW_TEST_ROUTES") {
                    inner.failing_until.set(http::now_ms() + fail_for_ms);
                    Ok(())
                } else {
                    Err(ApiError::new(ErrorCode::RouteNotFound, "faults are off"))
                };
                Ok(http::answer(&r))
            }
        }
    }

    async fn live(&self, req: Request) -> ApiResult<Response> {
        let inner = &self.inner;
        inner.ensure_loaded()?;
        let h = req.headers();
        let header = |name: &str| h.get(name).ok().flatten().unwrap_or_default();
        let wanted: RelayName = header(RELAY_HEADER)
            .parse()
            .map_err(|_| ApiError::new(ErrorCode::RouteNotFound, "no relay named"))?;
        let user = header(USER_HEADER);
        let json = http::query_param(&req, "format").as_deref() == Some("json");
        let since = http::query_param(&req, "since").and_then(|s| s.parse::<Version>().ok());
        inner.identify(&wanted)?;

        // First socket, or a snapshot the ring no longer reaches: ask upstream.
        let needs_sync = {
            let core = inner.core.borrow();
            let core = core.as_ref().ok_or_else(ApiError::internal)?;
            matches!(core.log.join(since), Join::NoSnapshot | Join::StaleSnapshot)
        };
        if needs_sync {
            inner.sync().await?;
        }

        let cap = env_u64(&inner.env, "RELAY_MAX_SOCKETS", 10_000) as usize;
        if inner.sockets() as usize >= cap {
            return Err(ApiError::new(
                ErrorCode::RelayFull,
                "this relay holds as many sockets as it may",
            ));
        }
        let pair = WebSocketPair::new().map_err(http::runtime)?;
        let server = pair.server;
        // A socket id for its message allowance (tags are the only per-socket state that
        // survives hibernation without a storage write).
        let sid = inner.next_socket.get();
        inner.next_socket.set(sid + 1);
        let mut tags = vec![
            if json { TAG_JSON } else { TAG_BIN }.to_string(),
            format!("sid:{}:{sid}", http::now_ms()),
        ];
        if !user.is_empty() {
            tags.push(user_tag(&user, json));
            let expiry: u64 = header(EXPIRY_HEADER).parse().unwrap_or(0);
            tags.push(format!("exp:{expiry}"));
        }
        let tag_refs: Vec<&str> = tags.iter().map(String::as_str).collect();
        inner.state.accept_websocket_with_tags(&server, &tag_refs);
        inner.socket_opened();

        let now = http::now_ms();
        let (region, shard) = inner.region_and_shard();
        {
            let core = inner.core.borrow();
            let core = core.as_ref().ok_or_else(ApiError::internal)?;
            let deltas = match core.log.join(since) {
                Join::Resume(deltas) => deltas,
                Join::Fresh(s, deltas) => {
                    inner.send_to(
                        &server,
                        json,
                        &socket::snapshot_bin(s, &region, shard, now),
                        &socket::snapshot_json(s, &region, shard, now),
                    );
                    deltas
                }
                Join::StaleSnapshot | Join::NoSnapshot => {
                    let _ = server.close(Some(1011), Some("no snapshot"));
                    return Err(ApiError::new(
                        ErrorCode::RelayUnavailable,
                        "the relay has no state yet",
                    ));
                }
            };
            for d in deltas {
                inner.send_to(&server, json, &socket::delta_bin(d), &socket::delta_json(d));
            }
            if let Some(head) = core.log.head() {
                // A heartbeat right away tells a resuming client where the stream stands, even
                // when it missed nothing.
                inner.send_to(
                    &server,
                    json,
                    &socket::heartbeat_bin(head, now),
                    &socket::heartbeat_json(head, now),
                );
            }
        }
        inner.arm().await;
        Response::from_websocket(pair.client).map_err(http::runtime)
    }

    /// A bet on a socket that presented a token: the same bet as `POST /v1/events/{id}/bets` with
    /// that `Idempotency-Key`, queued for the next batch to the hub.
    async fn socket_bet(
        &self,
        ws: &WebSocket,
        key: String,
        bet: Result<inplay_protocol::bets::BetBody, ApiError>,
    ) {
        let inner = &self.inner;
        let (user, json) = inner.socket_of(ws);
        let refuse = |bet_id: Option<&str>, e: ApiError| {
            let r = socket::bet_error(bet_id, &key, &e);
            inner.send_to(
                ws,
                json,
                &socket::bet_error_bin(&r),
                &socket::bet_error_json(&r),
            );
        };
        let Some((user_id, expiry_ms)) = user else {
            return refuse(
                None,
                ApiError::new(
                    ErrorCode::TokenRequired,
                    "open the socket with a token to bet on it",
                ),
            );
        };
        if http::now_ms() >= expiry_ms {
            // The socket keeps its prices; bets need a fresh token (a new socket).
            return refuse(
                None,
                ApiError::new(
                    ErrorCode::TokenExpired,
                    "the socket's token has expired: reconnect with a fresh one to bet",
                ),
            );
        }
        if !ids::is_valid_idempotency_key(&key) {
            return refuse(
                None,
                ApiError::new(
                    ErrorCode::IdempotencyKeyInvalid,
                    "key must be 1-128 printable characters",
                ),
            );
        }
        let Some(name) = inner.name() else {
            return refuse(
                None,
                ApiError::new(ErrorCode::RelayUnavailable, "the relay has no state yet"),
            );
        };
        let bet_id = ids::bet_id(&name.event_id, &user_id, &key);
        let body = match bet {
            Ok(b) => b,
            Err(e) => return refuse(Some(&bet_id), e),
        };
        let queued = QueuedBet {
            call: BetCall {
                bet_id: bet_id.clone(),
                user_id,
                body,
            },
            key: key.clone(),
        };
        let send_now = match inner.core.borrow_mut().as_mut() {
            Some(c) => c.queue_bet(queued),
            None => Err(ApiError::internal()),
        };
        match send_now {
            Ok(true) => flush_bets(inner.clone()).await,
            Ok(false) => {}
            Err(e) => refuse(Some(&bet_id), e),
        }
    }

    fn heartbeat(&self) -> ApiResult<usize> {
        let inner = &self.inner;
        inner.ensure_loaded()?;
        let head = inner.core.borrow().as_ref().and_then(|c| c.log.head());
        let sockets = inner.count_sockets() as usize;
        if let Some(head) = head {
            let now = http::now_ms();
            inner.broadcast(
                &socket::heartbeat_bin(head, now),
                &socket::heartbeat_json(head, now),
            );
        }
        Ok(sockets)
    }
}

impl DurableObject for RegionRelay {
    fn new(state: State, env: Env) -> Self {
        let timeout_ms = env_u64(&env, "RELAY_TIMEOUT_MS", 5_000);
        let env_ref = env.clone();
        let inner = Inner {
            state,
            env,
            core: RefCell::new(None),
            stubs: RelayStubs::default(),
            failing_until: Cell::new(0),
            timeout_ms,
            syncing: Cell::new(false),
            tables_ready: Cell::new(false),
            name_stored: Cell::new(false),
            format_stored: Cell::new(false),
            socket_limiter: RefCell::new(crate::rate_limit::RateLimiter::new(
                env_u64(&env_ref, "SOCKET_MSG_BURST", 20) as u32,
                env_u64(&env_ref, "SOCKET_MSG_PER_SEC", 10) as f64,
            )),
            next_socket: Cell::new(0),
            open_sockets: Cell::new(None),
        };
        RegionRelay {
            inner: Rc::new(inner),
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        let path = req.path();
        match (req.method(), path.as_str()) {
            (Method::Post, "/call") => self.call(req).await,
            (Method::Get, "/live") => Ok(http::respond(self.live(req).await)),
            _ => Ok(http::error(&ApiError::new(
                ErrorCode::RouteNotFound,
                "unknown relay route",
            ))),
        }
    }

    async fn alarm(&self) -> Result<Response> {
        match self.heartbeat() {
            Ok(n) => {
                let has_leaves = self
                    .inner
                    .core
                    .borrow()
                    .as_ref()
                    .and_then(|c| c.leaves())
                    .is_some_and(|l| l.downstream().next().is_some());
                pump_leaves(&self.inner);
                if n > 0 || has_leaves {
                    self.inner.arm().await;
                }
            }
            Err(e) => worker::console_error!("relay heartbeat: {e}"),
        }
        Response::ok("")
    }

    async fn websocket_message(
        &self,
        ws: WebSocket,
        message: WebSocketIncomingMessage,
    ) -> Result<()> {
        if self.inner.ensure_loaded().is_err() {
            return Ok(());
        }
        let sid = self
            .inner
            .state
            .get_tags(&ws)
            .into_iter()
            .find(|t| t.starts_with("sid:"))
            .unwrap_or_default();
        let allowed = self
            .inner
            .socket_limiter
            .borrow_mut()
            .take(&sid, http::now_ms());
        let incoming = match &message {
            WebSocketIncomingMessage::String(text) if text.len() <= MAX_MESSAGE_BYTES => {
                Incoming::parse(text)
            }
            WebSocketIncomingMessage::String(_) => Incoming::BadBet {
                key: String::new(),
                error: ApiError::new(ErrorCode::PayloadTooLarge, "message too large"),
            },
            WebSocketIncomingMessage::Binary(_) => Incoming::Ping,
        };
        if let Err(retry_ms) = allowed {
            // Over the allowance: a bet is refused (retry with the same key), anything else dropped.
            if let Incoming::Bet { key, .. } | Incoming::BadBet { key, .. } = incoming {
                let e = ApiError::new(ErrorCode::RateLimited, "too many messages on this socket")
                    .retry_after(retry_ms);
                self.socket_bet(&ws, key, Err(e)).await;
            }
            return Ok(());
        }
        match incoming {
            Incoming::Bet { key, bet } => self.socket_bet(&ws, key, Ok(bet)).await,
            Incoming::BadBet { key, error } => self.socket_bet(&ws, key, Err(error)).await,
            Incoming::Ping => {
                // Answer with a heartbeat carrying the head version.
                let head = self.inner.core.borrow().as_ref().and_then(|c| c.log.head());
                if let Some(head) = head {
                    let now = http::now_ms();
                    let (_, json) = self.inner.socket_of(&ws);
                    self.inner.send_to(
                        &ws,
                        json,
                        &socket::heartbeat_bin(head, now),
                        &socket::heartbeat_json(head, now),
                    );
                }
            }
        }
        Ok(())
    }

    async fn websocket_close(
        &self,
        ws: WebSocket,
        code: usize,
        _reason: String,
        _was_clean: bool,
    ) -> Result<()> {
        http::close_handshake(&ws, code);
        self.inner.socket_closed();
        Ok(())
    }

    async fn websocket_error(&self, ws: WebSocket, _error: worker::Error) -> Result<()> {
        let _ = ws.close(Some(1011), Some("error"));
        self.inner.socket_closed();
        Ok(())
    }
}
