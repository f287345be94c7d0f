//! `RegionRelay`: one Durable Object per match × region × shard, near its bettors.
//!
//! It holds the bettors' WebSockets with the hibernation API (`accept_websocket_with_tags`), so an idle
//! relay costs nothing while its sockets stay open. Sockets are tagged with their frame format and
//! owner (`fmt:bin` / `fmt:json`, `u:<user_id>`), which lets a broadcast pick sockets by tag without
//! reading per-socket state.
//!
//! It keeps the latest snapshot and a ring of recent deltas ([`RelayLog`]) in memory and in SQLite, so
//! hibernation or a restart loses nothing a resuming client needs. The hub sends it one message per
//! update; the relay writes each frame once per format and sends it to every socket.
//!
//! Bettors may place bets on their socket (`{"type":"bet","key":…,"bet":{…}}`): the relay queues them
//! and sends them to the hub in batches, one call in flight, so a burst at the peak moment costs the
//! hub one request per batch rather than one per bet. Decisions come back through the usual fan-out.
//!
//! Storage (SQLite): `meta(k, v)` (identity and snapshot), `ring(seq, epoch, bin, json)`.

use std::cell::RefCell;

use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use worker::{
    DurableObject, Env, Method, Request, Response, Result, ScheduledTime, SqlStorageValue, State,
    WebSocket, WebSocketIncomingMessage, WebSocketPair, durable_object,
};

use crate::error::ApiError;
use crate::http::{self, ApiResult, env_u64};
use crate::relay_log::{Accepted, Join, RelayLog};
use crate::wire::{self, DeltaRecord, RelayAck, RelayUpdate, SnapshotRecord, Version};

/// Internal headers the Worker sets when it forwards a socket (clients cannot set them: the Worker
/// builds the forwarded request itself).
pub const EVENT_HEADER: &str = "x-relay-event";
/// The relay's region.
pub const REGION_HEADER: &str = "x-relay-region";
/// The relay's shard.
pub const SHARD_HEADER: &str = "x-relay-shard";
/// The verified user id, when the socket presented a token.
pub const USER_HEADER: &str = "x-relay-user";

const TAG_BIN: &str = "fmt:bin";
/// Most updates held while waiting for a snapshot.
const MAX_PENDING: usize = 4096;
const TAG_JSON: &str = "fmt:json";

/// Who this relay is.
#[derive(Debug, Clone, PartialEq)]
struct Identity {
    event_id: String,
    region: String,
    shard: u32,
}

impl Identity {
    fn name(&self) -> String {
        relay_name(&self.event_id, &self.region, self.shard)
    }
}

/// The Durable Object name of a relay.
pub fn relay_name(event_id: &str, region: &str, shard: u32) -> String {
    format!("{event_id}/{region}/{shard}")
}

struct Relay {
    id: Option<Identity>,
    log: RelayLog,
    /// Updates that arrived while a snapshot was being fetched.
    pending: Vec<RelayUpdate>,
    syncing: bool,
    received: u64,
    /// Bets from this relay's sockets waiting for the next batch to the hub.
    bets: Vec<QueuedBet>,
    /// Whether a batch is on its way to the hub (the handler that sent it sends the next one too).
    bets_in_flight: bool,
}

/// A bet that arrived on a socket, in the hub's `/bets` call shape.
#[derive(Debug, Clone, Serialize)]
struct QueuedBet {
    bet_id: String,
    user_id: String,
    body_sha: String,
    bet: serde_json::Value,
    #[serde(skip)]
    key: String,
}

/// Most bets in one hub call; more wait for the next call. Small enough that a batch never holds the
/// hub (and the feed behind it) for long: ~64 engine decisions.
const MAX_BET_BATCH: usize = 64;

/// A regional fan-out point.
#[durable_object]
pub struct RegionRelay {
    state: State,
    env: Env,
    relay: RefCell<Option<Relay>>,
}

#[derive(Deserialize)]
struct LiveQuery {
    format: Option<String>,
    since: Option<String>,
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

impl RegionRelay {
    fn sql(&self) -> worker::SqlStorage {
        self.state.storage().sql()
    }

    fn create_tables(&self) -> Result<()> {
        let sql = self.sql();
        sql.exec(
            "CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v BLOB)",
            None,
        )?;
        sql.exec(
            "CREATE TABLE IF NOT EXISTS ring (seq INTEGER PRIMARY KEY, epoch INTEGER NOT NULL, bin BLOB NOT NULL, json TEXT NOT NULL)",
            None,
        )?;
        Ok(())
    }

    fn meta(&self, key: &str) -> ApiResult<Option<SqlStorageValue>> {
        let row = self
            .sql()
            .exec("SELECT v FROM meta WHERE k = ?", vec![key.into()])?
            .raw()
            .next()
            .transpose()?;
        Ok(row.and_then(|r| r.into_iter().next()))
    }

    fn put_meta(&self, key: &str, v: SqlStorageValue) -> ApiResult<()> {
        self.sql().exec(
            "INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)",
            vec![key.into(), v],
        )?;
        Ok(())
    }

    /// Load identity, snapshot and ring from storage on first use after a start or a hibernation.
    fn ensure_loaded(&self) -> ApiResult<()> {
        if self.relay.borrow().is_some() {
            return Ok(());
        }
        let cap = env_u64(&self.env, "RELAY_RING", 1024) as usize;
        let id = match (
            self.meta("event")?,
            self.meta("region")?,
            self.meta("shard")?,
        ) {
            (Some(e), Some(r), Some(s)) => Some(Identity {
                event_id: text(&e).unwrap_or_default(),
                region: text(&r).unwrap_or_default(),
                shard: int(&s).unwrap_or(0) as u32,
            }),
            _ => None,
        };
        let snapshot = match self.meta("snapshot")? {
            Some(SqlStorageValue::Blob(b)) => postcard::from_bytes::<SnapshotRecord>(&b).ok(),
            _ => None,
        };
        let mut ring = Vec::new();
        for row in self
            .sql()
            .exec("SELECT seq, epoch, bin, json FROM ring ORDER BY seq", None)?
            .raw()
        {
            if let [
                seq,
                epoch,
                SqlStorageValue::Blob(bin),
                SqlStorageValue::String(json),
            ] = row?.as_slice()
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
        *self.relay.borrow_mut() = Some(Relay {
            id,
            log: RelayLog::restore(cap, snapshot, ring),
            pending: Vec::new(),
            syncing: false,
            received: 0,
            bets: Vec::new(),
            bets_in_flight: false,
        });
        Ok(())
    }

    fn persist_snapshot(&self, s: &SnapshotRecord) -> ApiResult<()> {
        self.put_meta(
            "snapshot",
            postcard::to_allocvec(s).unwrap_or_default().into(),
        )
    }

    /// Write new deltas and drop what fell out of the ring (or belongs to an older epoch).
    fn persist_ring(&self, log: &RelayLog, fresh: &[DeltaRecord]) -> ApiResult<()> {
        let sql = self.sql();
        for d in fresh {
            sql.exec(
                "INSERT OR REPLACE INTO ring (seq, epoch, bin, json) VALUES (?, ?, ?, ?)",
                vec![
                    SqlStorageValue::try_from_i64(d.version.seq as i64)?,
                    (d.version.epoch as i64).into(),
                    d.bin.clone().into(),
                    d.json.as_str().into(),
                ],
            )?;
        }
        match (log.ring().next(), log.head()) {
            (Some(front), _) => {
                sql.exec(
                    "DELETE FROM ring WHERE seq < ? OR epoch != ?",
                    vec![
                        SqlStorageValue::try_from_i64(front.version.seq as i64)?,
                        (front.version.epoch as i64).into(),
                    ],
                )?;
            }
            (None, _) => {
                sql.exec("DELETE FROM ring", None)?;
            }
        }
        Ok(())
    }

    fn send_to(&self, ws: &WebSocket, json: bool, bin: &[u8], text: &str) -> bool {
        let r = if json {
            ws.send_with_str(text)
        } else {
            ws.send_with_bytes(bin)
        };
        r.is_ok()
    }

    /// Send one frame to every socket: encoded once per format, whatever the socket count.
    fn broadcast(&self, bin: &[u8], text: &str) -> u64 {
        let mut sent = 0;
        for ws in self.state.get_websockets_with_tag(TAG_BIN) {
            sent += self.send_to(&ws, false, bin, text) as u64;
        }
        for ws in self.state.get_websockets_with_tag(TAG_JSON) {
            sent += self.send_to(&ws, true, bin, text) as u64;
        }
        sent
    }

    fn is_json(&self, ws: &WebSocket) -> bool {
        self.state.get_tags(ws).iter().any(|t| t == TAG_JSON)
    }

    /// Apply an update from the hub and forward what is new. Synchronous: updates never interleave.
    fn take_update(&self, update: RelayUpdate) -> ApiResult<(u64, bool)> {
        let mut guard = self.relay.borrow_mut();
        let relay = guard
            .as_mut()
            .ok_or_else(|| ApiError::internal("relay not loaded"))?;
        if relay.syncing {
            if relay.pending.len() < MAX_PENDING {
                relay.pending.push(update);
            }
            return Ok((0, false));
        }
        let mut frames = 0;
        match relay.log.accept(&update) {
            Accepted::NoSnapshot => {
                // Held for the subscription in flight; bounded, since the next join resyncs anyway.
                if relay.pending.len() < MAX_PENDING {
                    relay.pending.push(update);
                } else {
                    relay.pending.clear();
                }
                return Ok((0, false));
            }
            Accepted::Gap => {
                relay.pending.push(update);
                return Ok((0, true));
            }
            Accepted::Applied {
                fresh,
                snapshot_changed,
            } => {
                self.persist_ring(&relay.log, &fresh)?;
                if snapshot_changed && let Some(s) = relay.log.snapshot() {
                    self.persist_snapshot(s)?;
                }
                for d in &fresh {
                    frames += self.broadcast(&wire::delta_bin(d), &wire::delta_json(d));
                }
            }
        }
        for d in &update.decisions {
            for ws in self
                .state
                .get_websockets_with_tag(&format!("u:{}", d.user_id))
            {
                let json = self.is_json(&ws);
                self.send_to(&ws, json, &wire::bet_bin(d), &wire::bet_json(d));
            }
        }
        Ok((frames, false))
    }

    /// Fetch a snapshot from the hub (registering this relay for updates), then replay what queued up.
    async fn sync(&self) -> ApiResult<()> {
        let id = {
            let mut guard = self.relay.borrow_mut();
            let relay = guard
                .as_mut()
                .ok_or_else(|| ApiError::internal("relay not loaded"))?;
            relay.syncing = true;
            relay
                .id
                .clone()
                .ok_or_else(|| ApiError::internal("relay has no identity"))?
        };
        let result = self.fetch_snapshot(&id).await;
        let queued = {
            let mut guard = self.relay.borrow_mut();
            let relay = guard
                .as_mut()
                .ok_or_else(|| ApiError::internal("relay not loaded"))?;
            relay.syncing = false;
            let snapshot = match result {
                Ok(s) => s,
                Err(e) => {
                    relay.pending.clear();
                    return Err(e);
                }
            };
            relay.log.install(snapshot.clone());
            self.persist_snapshot(&snapshot)?;
            self.persist_ring(&relay.log, &[])?;
            std::mem::take(&mut relay.pending)
        };
        for u in queued {
            self.take_update(u)?;
        }
        Ok(())
    }

    async fn fetch_snapshot(&self, id: &Identity) -> ApiResult<SnapshotRecord> {
        let hub = self
            .env
            .durable_object("EVENT_HUB")?
            .get_by_name(&id.event_id)?;
        let body = serde_json::json!({ "name": id.name(), "region": id.region, "shard": id.shard });
        let (status, bytes) = http::call(
            &hub,
            Method::Post,
            "/subscribe",
            Some(serde_json::to_vec(&body).unwrap_or_default()),
        )
        .await?;
        if status != 200 {
            return Err(http::error_from_body(status, &bytes));
        }
        postcard::from_bytes(&bytes).map_err(|_| ApiError::internal("bad snapshot from hub"))
    }

    async fn update(&self, mut req: Request) -> ApiResult<Response> {
        self.ensure_loaded()?;
        let bytes = req.bytes().await?;
        let update: RelayUpdate = postcard::from_bytes(&bytes)
            .map_err(|_| ApiError::bad_request("invalid_body", "bad relay update"))?;
        if let Some(r) = self.relay.borrow_mut().as_mut() {
            r.received += 1;
        }
        let (frames, gap) = self.take_update(update)?;
        if gap {
            // Something was lost between hub and relay: start again from a snapshot, and tell the
            // sockets so they do the same.
            self.sync().await?;
            let snapshot = self
                .relay
                .borrow()
                .as_ref()
                .and_then(|r| r.log.snapshot().cloned());
            if let (Some(s), Some(id)) = (snapshot, self.identity()) {
                let now = http::now_ms();
                self.broadcast(
                    &wire::snapshot_bin(&s, &id.region, id.shard, now),
                    &wire::snapshot_json(&s, &id.region, id.shard, now),
                );
            }
        }
        let ack = RelayAck {
            sockets: self.state.get_websockets().len() as u32,
            updates_received: self.relay.borrow().as_ref().map_or(0, |r| r.received),
            frames_sent: frames,
        };
        Ok(http::json(200, &ack))
    }

    fn identity(&self) -> Option<Identity> {
        self.relay.borrow().as_ref().and_then(|r| r.id.clone())
    }

    async fn live(&self, req: Request) -> ApiResult<Response> {
        self.ensure_loaded()?;
        let h = req.headers();
        let header = |name: &str| h.get(name).ok().flatten().unwrap_or_default();
        let wanted = Identity {
            event_id: header(EVENT_HEADER),
            region: header(REGION_HEADER),
            shard: header(SHARD_HEADER).parse().unwrap_or(0),
        };
        let user = header(USER_HEADER);
        let query: LiveQuery = req.query().unwrap_or(LiveQuery {
            format: None,
            since: None,
        });
        let json = query.format.as_deref() == Some("json");
        let since = query
            .since
            .as_deref()
            .and_then(|s| s.parse::<Version>().ok());

        if self.identity().is_none() {
            self.put_meta("event", wanted.event_id.as_str().into())?;
            self.put_meta("region", wanted.region.as_str().into())?;
            self.put_meta("shard", (wanted.shard as i64).into())?;
            if let Some(r) = self.relay.borrow_mut().as_mut() {
                r.id = Some(wanted.clone());
            }
        }
        let id = self
            .identity()
            .ok_or_else(|| ApiError::internal("relay has no identity"))?;

        // First socket, or a snapshot the ring no longer reaches: ask the hub.
        let needs_sync = {
            let guard = self.relay.borrow();
            let relay = guard
                .as_ref()
                .ok_or_else(|| ApiError::internal("relay not loaded"))?;
            matches!(
                relay.log.join(since),
                Join::NoSnapshot | Join::StaleSnapshot
            )
        };
        if needs_sync {
            self.sync().await?;
        }

        let pair = WebSocketPair::new()?;
        let server = pair.server;
        let mut tags = vec![if json {
            TAG_JSON.to_string()
        } else {
            TAG_BIN.to_string()
        }];
        if !user.is_empty() {
            tags.push(format!("u:{user}"));
        }
        let tag_refs: Vec<&str> = tags.iter().map(String::as_str).collect();
        self.state.accept_websocket_with_tags(&server, &tag_refs);

        let now = http::now_ms();
        {
            let guard = self.relay.borrow();
            let relay = guard
                .as_ref()
                .ok_or_else(|| ApiError::internal("relay not loaded"))?;
            let deltas = match relay.log.join(since) {
                Join::Resume(deltas) => deltas,
                Join::Fresh(s, deltas) => {
                    self.send_to(
                        &server,
                        json,
                        &wire::snapshot_bin(s, &id.region, id.shard, now),
                        &wire::snapshot_json(s, &id.region, id.shard, now),
                    );
                    deltas
                }
                Join::StaleSnapshot | Join::NoSnapshot => {
                    let _ = server.close(Some(1011), Some("no snapshot"));
                    return Err(ApiError::new(
                        503,
                        "relay_unavailable",
                        "the relay has no state yet",
                    ));
                }
            };
            for d in deltas {
                self.send_to(&server, json, &wire::delta_bin(d), &wire::delta_json(d));
            }
            if let Some(head) = relay.log.head() {
                // A heartbeat right away tells a resuming client where the stream stands, even when
                // it missed nothing.
                self.send_to(
                    &server,
                    json,
                    &wire::heartbeat_bin(head, now),
                    &wire::heartbeat_json(head, now),
                );
            }
        }
        self.arm_heartbeat().await;
        Ok(Response::from_websocket(pair.client)?)
    }

    async fn arm_heartbeat(&self) {
        let storage = self.state.storage();
        if matches!(storage.get_alarm().await, Ok(Some(_))) {
            return;
        }
        let every = env_u64(&self.env, "HEARTBEAT_MS", 5000) as i64;
        if let Err(e) = storage.set_alarm(ScheduledTime::from(every)).await {
            worker::console_error!("relay set_alarm: {e}");
        }
    }

    fn heartbeat(&self) -> ApiResult<usize> {
        self.ensure_loaded()?;
        let head = self.relay.borrow().as_ref().and_then(|r| r.log.head());
        let sockets = self.state.get_websockets().len();
        if let Some(head) = head {
            let now = http::now_ms();
            self.broadcast(
                &wire::heartbeat_bin(head, now),
                &wire::heartbeat_json(head, now),
            );
        }
        Ok(sockets)
    }
}

/// A refusal that never reached the engine, as a JSON text frame (on binary sockets too: the engine's
/// frame codec has no kind for it).
fn bet_error_json(bet_id: Option<&str>, key: &str, code: &str, message: &str) -> String {
    json!({ "type": "bet_error", "bet_id": bet_id, "key": key, "error": { "code": code, "message": message } })
        .to_string()
}

impl RegionRelay {
    fn user_of(&self, ws: &WebSocket) -> Option<String> {
        self.state
            .get_tags(ws)
            .into_iter()
            .find_map(|t| t.strip_prefix("u:").map(String::from))
    }

    fn send_to_user(&self, user_id: &str, bin: Option<&[u8]>, text: &str) {
        for ws in self.state.get_websockets_with_tag(&format!("u:{user_id}")) {
            match bin {
                Some(b) if !self.is_json(&ws) => {
                    let _ = ws.send_with_bytes(b);
                }
                _ => {
                    let _ = ws.send_with_str(text);
                }
            }
        }
    }

    /// `{"type":"bet","key":"<idempotency key>","bet":{…}}` on a socket that presented a token: the
    /// same bet as `POST /v1/events/{id}/bets`, without an HTTP request per bet. Bets are queued and
    /// sent to the hub in batches, one call in flight per relay.
    async fn socket_bet(&self, ws: &WebSocket, msg: serde_json::Value) {
        let key = msg
            .get("key")
            .and_then(|k| k.as_str())
            .unwrap_or("")
            .to_string();
        let refuse = |code: &str, message: &str| {
            let _ = ws.send_with_str(bet_error_json(None, &key, code, message));
        };
        let Some(user_id) = self.user_of(ws) else {
            return refuse(
                "token_required",
                "open the socket with ?token= to bet on it",
            );
        };
        if !crate::bet_id::is_valid_idempotency_key(&key) {
            return refuse(
                "idempotency_key_invalid",
                "key must be 1-128 printable characters",
            );
        }
        let Some(bet) = msg.get("bet").filter(|b| b.is_object()).cloned() else {
            return refuse("invalid_bet", "bet must be a JSON object");
        };
        let Some(id) = self.identity() else {
            return refuse("relay_unavailable", "the relay has no state yet");
        };
        let bytes = serde_json::to_vec(&bet).unwrap_or_default();
        let bet_id = crate::bet_id::derive(&id.event_id, &user_id, &key);
        let queued = QueuedBet {
            bet_id,
            user_id,
            body_sha: crate::auth::hex(&Sha256::digest(&bytes)),
            bet,
            key,
        };
        let send_now = {
            let mut guard = self.relay.borrow_mut();
            let Some(relay) = guard.as_mut() else { return };
            relay.bets.push(queued);
            !std::mem::replace(&mut relay.bets_in_flight, true)
        };
        if send_now {
            self.flush_bets(&id).await;
        }
    }

    /// Sends queued bets to the hub until none are left; bets that arrive meanwhile ride the next call.
    async fn flush_bets(&self, id: &Identity) {
        loop {
            let batch: Vec<QueuedBet> = {
                let mut guard = self.relay.borrow_mut();
                let Some(relay) = guard.as_mut() else { return };
                if relay.bets.is_empty() {
                    relay.bets_in_flight = false;
                    return;
                }
                let n = relay.bets.len().min(MAX_BET_BATCH);
                relay.bets.drain(..n).collect()
            };
            let body = serde_json::to_vec(&json!({ "relay": id.name(), "bets": batch }))
                .unwrap_or_default();
            let answer = match self
                .env
                .durable_object("EVENT_HUB")
                .and_then(|ns| ns.get_by_name(&id.event_id))
            {
                Ok(hub) => http::call(&hub, Method::Post, "/bets", Some(body)).await,
                Err(e) => Err(e.into()),
            };
            let results = match answer {
                Ok((200, bytes)) => serde_json::from_slice::<serde_json::Value>(&bytes)
                    .ok()
                    .and_then(|v| v.get("results").and_then(|r| r.as_array()).cloned())
                    .unwrap_or_default(),
                other => {
                    let why = match other {
                        Ok((status, _)) => format!("hub answered {status}"),
                        Err(e) => e.to_string(),
                    };
                    worker::console_error!("relay bets to hub: {why}");
                    Vec::new()
                }
            };
            for (i, b) in batch.iter().enumerate() {
                let r = results
                    .get(i)
                    .filter(|r| r.get("bet_id").and_then(|x| x.as_str()) == Some(&b.bet_id));
                match r {
                    None => self.send_to_user(
                        &b.user_id,
                        None,
                        &bet_error_json(
                            Some(&b.bet_id),
                            &b.key,
                            "hub_unavailable",
                            "retry with the same key",
                        ),
                    ),
                    Some(r) => {
                        if let Some(e) = r.get("error") {
                            let code = e.get("code").and_then(|c| c.as_str()).unwrap_or("internal");
                            let message = e.get("message").and_then(|c| c.as_str()).unwrap_or("");
                            self.send_to_user(
                                &b.user_id,
                                None,
                                &bet_error_json(Some(&b.bet_id), &b.key, code, message),
                            );
                        } else if let Some(d) = r.get("decision") {
                            // Answered from here: the hub does not fan this decision out.
                            if let Ok(decision) = serde_json::from_value::<
                                inplay_engine::live::BetDecision,
                            >(d.clone())
                            {
                                let record = wire::DecisionRecord {
                                    relay: None,
                                    user_id: b.user_id.clone(),
                                    bin: postcard::to_allocvec(&decision).unwrap_or_default(),
                                    json: d.to_string(),
                                };
                                self.send_to_user(
                                    &b.user_id,
                                    Some(&wire::bet_bin(&record)),
                                    &wire::bet_json(&record),
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}

impl DurableObject for RegionRelay {
    fn new(state: State, env: Env) -> Self {
        let relay = RegionRelay {
            state,
            env,
            relay: RefCell::new(None),
        };
        if let Err(e) = relay.create_tables() {
            worker::console_error!("relay: creating tables failed: {e}");
        }
        relay
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        let path = req.path();
        let r = match (req.method(), path.as_str()) {
            (Method::Post, "/update") => self.update(req).await,
            (Method::Get, "/live") => self.live(req).await,
            _ => Err(ApiError::not_found(
                "route_not_found",
                "unknown relay route",
            )),
        };
        Ok(http::respond(r))
    }

    async fn alarm(&self) -> Result<Response> {
        match self.heartbeat() {
            Ok(n) if n > 0 => self.arm_heartbeat().await,
            Ok(_) => {}
            Err(e) => worker::console_error!("relay heartbeat: {e}"),
        }
        Response::ok("")
    }

    async fn websocket_message(
        &self,
        ws: WebSocket,
        message: WebSocketIncomingMessage,
    ) -> Result<()> {
        if let WebSocketIncomingMessage::String(text) = &message
            && text.len() <= crate::api::BET_BODY_LIMIT
            && let Ok(v) = serde_json::from_str::<serde_json::Value>(text)
            && v.get("type").and_then(|t| t.as_str()) == Some("bet")
        {
            if self.ensure_loaded().is_ok() {
                self.socket_bet(&ws, v).await;
            }
            return Ok(());
        }
        // Any other client message is a ping: answer with a heartbeat carrying the head version.
        if self.ensure_loaded().is_ok()
            && let Some(head) = self.relay.borrow().as_ref().and_then(|r| r.log.head())
        {
            let now = http::now_ms();
            let json = self.is_json(&ws);
            self.send_to(
                &ws,
                json,
                &wire::heartbeat_bin(head, now),
                &wire::heartbeat_json(head, now),
            );
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
        // Complete the closing handshake; 1005/1006 are not valid to send back.
        let code = if code == 1005 || code == 1006 {
            1000
        } else {
            code as u16
        };
        let _ = ws.close(Some(code), Some("bye"));
        Ok(())
    }

    async fn websocket_error(&self, ws: WebSocket, _error: worker::Error) -> Result<()> {
        let _ = ws.close(Some(1011), Some("error"));
        Ok(())
    }
}
