//! `EventHub`: one Durable Object per match, the single writer.
//!
//! The match's logic is [`HubCore`] (`hub/`); this object gives it SQLite ([`SqlStore`], one
//! transaction per batch), stubs to the relays (rebuilt when a send fails), an alarm at the core's
//! next wakeup, and one internal route: `POST /call` with a postcard [`HubCall`].
//!
//! Storage (SQLite):
//! - `entries(first, part, last, bytes)`: the audit log, one row per stored batch (postcard
//!   `Vec<AuditEntry>`; a batch over the row size limit continues in further parts);
//! - `checkpoint(part, idx, bytes)`: the latest full-state checkpoint, in parts;
//! - `subscribers(name, region)`: relays that asked for updates;
//! - `used_signatures(digest, until)`: feed signatures within their window (replay guard).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use inplay_engine::live::{AuditEntry, Checkpoint};
use inplay_protocol::catalog::CatalogCall;
use inplay_protocol::hub::HubCall;
use inplay_protocol::ids::RelayName;
use inplay_protocol::{ApiError, ErrorCode};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use worker::{
    DurableObject, Env, Method, Request, Response, Result, ScheduledTime, SqlStorage,
    SqlStorageValue, State, durable_object,
};

use crate::fanout::FanoutConfig;
use crate::http::{self, ApiResult, env_u64};
use crate::hub::{Commit, HubConfig, HubCore, HubStore, StoreError, Stored};
use crate::relay_stubs::RelayStubs;

/// Largest blob per row (the row limit is 2 MB).
const PART_BYTES: usize = 1_000_000;

/// The tag of the trading desk's sockets on a hub.
const DESK_TAG: &str = "desk";
/// How often a watched hub refreshes its desks' time-driven alerts.
const DESK_EVERY_MS: u64 = 1_000;
/// A desk hears from its hub at least this often, changed or not, so it can tell a quiet match
/// from a dead socket.
const DESK_REFRESH_MS: u64 = 10_000;

#[wasm_bindgen]
extern "C" {
    /// The storage object, for the one method workers-rs does not bind.
    type TransactionalStorage;

    /// Runs `f` as one SQLite transaction: if it throws, nothing it wrote is kept.
    #[wasm_bindgen(method, catch, js_name = transactionSync)]
    fn transaction_sync(
        this: &TransactionalStorage,
        f: &js_sys::Function,
    ) -> std::result::Result<JsValue, JsValue>;
}

/// One SQL statement with its bindings, written inside a transaction.
type Statement = (&'static str, Vec<SqlStorageValue>);

/// The hub's storage on the Durable Object's SQLite.
pub struct SqlStore<'a> {
    state: &'a State,
    /// Whether this object already made its tables (a commit made them): later commits skip the
    /// `CREATE TABLE IF NOT EXISTS` statements.
    tables_made: &'a Cell<bool>,
}

fn blob(v: &SqlStorageValue) -> Option<&[u8]> {
    match v {
        SqlStorageValue::Blob(b) => Some(b),
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

fn text(v: &SqlStorageValue) -> Option<&str> {
    match v {
        SqlStorageValue::String(s) => Some(s),
        _ => None,
    }
}

fn sql_int(v: u64) -> SqlStorageValue {
    // Indices and times stay far below 2^53.
    SqlStorageValue::Integer(v.min(i64::MAX as u64) as i64)
}

fn store_error(e: impl core::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

impl<'a> SqlStore<'a> {
    fn sql(&self) -> SqlStorage {
        self.state.storage().sql()
    }

    /// The tables, created with the first write: a request for a match that does not exist leaves
    /// no storage behind.
    const TABLES: [&'static str; 4] = [
        "CREATE TABLE IF NOT EXISTS entries (first INTEGER NOT NULL, part INTEGER NOT NULL, last INTEGER NOT NULL, bytes BLOB NOT NULL, PRIMARY KEY (first, part))",
        "CREATE TABLE IF NOT EXISTS checkpoint (part INTEGER PRIMARY KEY, idx INTEGER NOT NULL, bytes BLOB NOT NULL)",
        "CREATE TABLE IF NOT EXISTS subscribers (name TEXT PRIMARY KEY, region TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS used_signatures (digest BLOB PRIMARY KEY, until INTEGER NOT NULL)",
    ];

    /// Whether anything was ever stored here.
    fn has_tables(&self) -> std::result::Result<bool, StoreError> {
        if self.tables_made.get() {
            return Ok(true);
        }
        let rows = self.rows(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'entries'",
            Vec::new(),
        )?;
        self.tables_made.set(!rows.is_empty());
        Ok(!rows.is_empty())
    }

    fn rows(
        &self,
        query: &str,
        bindings: Vec<SqlStorageValue>,
    ) -> std::result::Result<Vec<Vec<SqlStorageValue>>, StoreError> {
        let cursor = self.sql().exec(query, bindings).map_err(store_error)?;
        cursor.raw().map(|r| r.map_err(store_error)).collect()
    }

    /// Entries from the rows of `entries` at or after `from` (parts joined, in order).
    fn entries_from(&self, from: u64) -> std::result::Result<Vec<AuditEntry>, StoreError> {
        // Rows are contiguous ranges keyed by their first index: start at the row holding `from`
        // (the primary key finds it) rather than scanning every row's `last`.
        let rows = self.rows(
            "SELECT first, bytes FROM entries WHERE first >= \
             COALESCE((SELECT MAX(first) FROM entries WHERE first <= ?), 0) ORDER BY first, part",
            vec![sql_int(from)],
        )?;
        let mut out = Vec::new();
        let mut batch: Option<(i64, Vec<u8>)> = None;
        let flush = |b: Option<(i64, Vec<u8>)>, out: &mut Vec<AuditEntry>| {
            if let Some((_, bytes)) = b {
                let entries: Vec<AuditEntry> = postcard::from_bytes(&bytes)
                    .map_err(|_| store_error("a log row does not decode"))?;
                out.extend(entries.into_iter().filter(|e| e.index >= from));
            }
            Ok::<(), StoreError>(())
        };
        for row in rows {
            let (Some(first), Some(bytes)) = (row.first().and_then(int), row.get(1).and_then(blob))
            else {
                return Err(store_error("a log row is malformed"));
            };
            match &mut batch {
                Some((f, acc)) if *f == first => acc.extend_from_slice(bytes),
                _ => {
                    flush(batch.take(), &mut out)?;
                    batch = Some((first, bytes.to_vec()));
                }
            }
        }
        flush(batch, &mut out)?;
        Ok(out)
    }

    fn statements(batch: &Commit<'_>) -> Vec<Statement> {
        let mut out: Vec<Statement> = Vec::new();
        if let (Some(first), Some(last)) = (batch.entries.first(), batch.entries.last()) {
            let bytes = postcard::to_allocvec(&batch.entries).unwrap_or_default();
            for (part, chunk) in bytes.chunks(PART_BYTES).enumerate() {
                out.push((
                    "INSERT INTO entries (first, part, last, bytes) VALUES (?, ?, ?, ?)",
                    vec![
                        sql_int(first.index),
                        sql_int(part as u64),
                        sql_int(last.index),
                        chunk.to_vec().into(),
                    ],
                ));
            }
        }
        if let Some(cp) = batch.checkpoint {
            out.push(("DELETE FROM checkpoint", Vec::new()));
            for (part, chunk) in cp.to_bytes().chunks(PART_BYTES).enumerate() {
                out.push((
                    "INSERT INTO checkpoint (part, idx, bytes) VALUES (?, ?, ?)",
                    vec![
                        sql_int(part as u64),
                        sql_int(cp.index),
                        chunk.to_vec().into(),
                    ],
                ));
            }
        }
        if let Some((digest, until)) = batch.signature {
            out.push((
                "INSERT OR REPLACE INTO used_signatures (digest, until) VALUES (?, ?)",
                vec![digest.to_vec().into(), sql_int(until)],
            ));
        }
        if let Some(before) = batch.forget_signatures_before {
            out.push((
                "DELETE FROM used_signatures WHERE until < ?",
                vec![sql_int(before)],
            ));
        }
        if let Some((name, region)) = batch.relay {
            out.push((
                "INSERT OR REPLACE INTO subscribers (name, region) VALUES (?, ?)",
                vec![name.to_string().into(), region.into()],
            ));
        }
        out
    }
}

impl HubStore for SqlStore<'_> {
    fn load(&mut self) -> std::result::Result<Stored, StoreError> {
        if !self.has_tables()? {
            return Ok(Stored::default());
        }
        let parts = self.rows(
            "SELECT idx, bytes FROM checkpoint ORDER BY part",
            Vec::new(),
        )?;
        let checkpoint = if parts.is_empty() {
            None
        } else {
            let mut bytes = Vec::new();
            for row in &parts {
                bytes.extend_from_slice(row.get(1).and_then(blob).unwrap_or_default());
            }
            Some(Checkpoint::from_bytes(&bytes).map_err(store_error)?)
        };
        let tail = self.entries_from(checkpoint.as_ref().map_or(0, |c| c.index))?;
        let relays = self
            .rows(
                "SELECT name, region FROM subscribers ORDER BY name",
                Vec::new(),
            )?
            .iter()
            .filter_map(|r| {
                let name: RelayName = r.first().and_then(text)?.parse().ok()?;
                Some((name, r.get(1).and_then(text)?.to_string()))
            })
            .collect();
        let signatures = self
            .rows("SELECT digest, until FROM used_signatures", Vec::new())?
            .iter()
            .filter_map(|r| {
                Some((
                    r.first().and_then(blob)?.to_vec(),
                    r.get(1).and_then(int)? as u64,
                ))
            })
            .collect();
        Ok(Stored {
            checkpoint,
            tail,
            relays,
            signatures,
        })
    }

    fn commit(&mut self, batch: Commit<'_>) -> std::result::Result<(), StoreError> {
        if batch.is_empty() && batch.forget_signatures_before.is_none() {
            return Ok(());
        }
        let mut statements = Self::statements(&batch);
        if !self.tables_made.get() {
            let tables = Self::TABLES.iter().map(|t| (*t, Vec::new()));
            statements.splice(0..0, tables);
        }
        let sql = self.sql();
        // Everything of the batch in one transaction: a statement that throws rolls all back.
        let write = Closure::once_into_js(move || -> std::result::Result<JsValue, JsValue> {
            for (query, bindings) in statements {
                sql.exec(query, bindings)
                    .map_err(|e| JsValue::from_str(&e.to_string()))?;
            }
            Ok(JsValue::UNDEFINED)
        });
        let storage = self.state.storage();
        let raw: &TransactionalStorage = storage.as_raw().unchecked_ref();
        raw.transaction_sync(write.unchecked_ref())
            .map(|_| self.tables_made.set(true))
            .map_err(|e| StoreError(e.as_string().unwrap_or_else(|| "transaction failed".into())))
    }

    fn log(&mut self, from: u64) -> std::result::Result<Vec<AuditEntry>, StoreError> {
        if !self.has_tables()? {
            return Ok(Vec::new());
        }
        self.entries_from(from)
    }
}

/// What the object holds between requests; shared with the tasks that send to relays.
struct Inner {
    state: State,
    env: Env,
    core: RefCell<HubCore>,
    /// Stubs to the relays, rebuilt when a send fails.
    stubs: RelayStubs,
    alarm_at: Cell<Option<u64>>,
    timeout_ms: u64,
    last_report_ms: Cell<u64>,
    report_pending: Cell<bool>,
    report_every_ms: u64,
    /// The desk view last pushed, to push only changes.
    desk_sent: RefCell<String>,
    /// When the last view went out.
    desk_sent_at: Cell<u64>,
    /// The SQLite tables exist (see [`SqlStore`]).
    tables_made: Cell<bool>,
}

/// One match's single writer.
#[durable_object]
pub struct EventHub {
    inner: Rc<Inner>,
}

impl Inner {
    fn store(&self) -> SqlStore<'_> {
        SqlStore {
            state: &self.state,
            tables_made: &self.tables_made,
        }
    }

    /// Points the alarm at the core's next wakeup.
    async fn arm(&self) {
        let mut next = self.core.borrow().next_wakeup();
        // With a desk watching, wake at least every second: its alerts and ages move with time.
        if !self.desks().is_empty() {
            let soon = http::now_ms() + DESK_EVERY_MS;
            next = Some(next.map_or(soon, |t| t.min(soon)));
        }
        if next == self.alarm_at.get() {
            return;
        }
        self.alarm_at.set(next);
        let Some(at) = next else { return };
        // A failed set_alarm is retried a few times; if it keeps failing the next request tries
        // again (`alarm_at` is forgotten), and the counter shows it.
        for attempt in 0..3 {
            let date = js_sys::Date::new(&JsValue::from_f64(at as f64));
            match self
                .state
                .storage()
                .set_alarm(ScheduledTime::new(date))
                .await
            {
                Ok(()) => return,
                Err(e) => {
                    worker::console_error!("hub set_alarm (attempt {}): {e}", attempt + 1);
                    self.core.borrow_mut().alarm_failed("set");
                    worker::Delay::from(std::time::Duration::from_millis(50 << attempt)).await;
                }
            }
        }
        self.alarm_at.set(None);
    }

    fn desks(&self) -> Vec<worker::WebSocket> {
        self.state.get_websockets_with_tag(DESK_TAG)
    }

    /// Sends every desk the match's view when it changed since the last push.
    fn push_desk(&self) {
        let desks = self.desks();
        if desks.is_empty() {
            return;
        }
        let now = http::now_ms();
        let view = self.core.borrow_mut().desk_view(now);
        let Some(view) = view else { return };
        let json = serde_json::to_string(&view).unwrap_or_default();
        // The view carries its own time: compare without it.
        let key = json.replacen(&format!("\"server_ms\":{}", view.server_ms), "", 1);
        let due = now >= self.desk_sent_at.get() + DESK_REFRESH_MS;
        if *self.desk_sent.borrow() == key && !due {
            return;
        }
        *self.desk_sent.borrow_mut() = key;
        self.desk_sent_at.set(now);
        for ws in desks {
            let _ = ws.send_with_str(&json);
        }
    }

    /// Reports the counters to the catalog at most every `METRICS_REPORT_MS`, and once more after
    /// the last change, so `GET /metrics` reads the catalog and wakes no hub.
    fn report_metrics(self: &Rc<Self>) {
        if self.report_pending.replace(true) {
            return;
        }
        let wait = self
            .last_report_ms
            .get()
            .saturating_add(self.report_every_ms)
            .saturating_sub(http::now_ms());
        let inner = self.clone();
        worker::wasm_bindgen_futures::spawn_local(async move {
            if wait > 0 {
                worker::Delay::from(std::time::Duration::from_millis(wait)).await;
            }
            inner.report_pending.set(false);
            inner.last_report_ms.set(http::now_ms());
            let call = {
                let core = inner.core.borrow();
                let Some(live) = core.live() else { return };
                CatalogCall::Report {
                    event_id: live.image().event_id.clone(),
                    metrics: core.metrics(),
                }
            };
            let stub = inner
                .env
                .durable_object("EVENT_CATALOG")
                .and_then(|ns| ns.get_by_name(crate::catalog::NAME));
            if let Ok(stub) = stub {
                let r: ApiResult<()> = http::call(
                    &stub,
                    inplay_protocol::encode(&call),
                    inner.timeout_ms,
                    ErrorCode::Internal,
                )
                .await;
                if let Err(e) = r {
                    worker::console_warn!("metrics report: {e}");
                }
            }
        });
    }
}

/// Sends what is owed to relays, each on its own task with a timeout; each answer may make more
/// due, so every task pumps again when it is done.
fn pump(inner: &Rc<Inner>) {
    let now = http::now_ms();
    let sends = inner.core.borrow_mut().due(now);
    for (relay, update, generation) in sends {
        let inner = inner.clone();
        worker::wasm_bindgen_futures::spawn_local(async move {
            let answer = inner
                .stubs
                .update(&inner.env, &relay, generation, update, inner.timeout_ms)
                .await;
            let now = http::now_ms();
            match answer {
                Ok(ack) => inner.core.borrow_mut().acknowledged(&relay, ack),
                Err(e) => {
                    worker::console_warn!("relay {relay}: {e}");
                    inner.core.borrow_mut().failed(&relay, now);
                }
            }
            pump(&inner);
            inner.arm().await;
            inner.report_metrics();
        });
    }
}

impl EventHub {
    fn config(env: &Env) -> HubConfig {
        let d = HubConfig::default();
        HubConfig {
            bet_burst: env_u64(env, "BET_RATE_BURST", u64::from(d.bet_burst)) as u32,
            bet_per_sec: env_u64(env, "BET_RATE_PER_SEC", d.bet_per_sec as u64) as f64,
            checkpoint_every: env_u64(env, "CHECKPOINT_EVERY", d.checkpoint_every).max(1),
            alerts: crate::hub::AlertRules {
                silent_after_ms: env_u64(env, "ALERT_SILENT_MS", d.alerts.silent_after_ms),
                ..d.alerts
            },
            fanout: FanoutConfig {
                timeout_ms: env_u64(env, "RELAY_TIMEOUT_MS", d.fanout.timeout_ms),
                heartbeat_ms: env_u64(env, "HEARTBEAT_MS", d.fanout.heartbeat_ms),
                ..d.fanout
            },
        }
    }

    /// One internal call, answered in postcard.
    fn handle(&self, call: HubCall) -> (Response, &'static str) {
        let inner = &self.inner;
        let now = http::now_ms();
        let mut store = inner.store();
        let mut core = inner.core.borrow_mut();
        let (resp, kind) = match call {
            HubCall::Open(opening) => (http::answer(&core.open(&mut store, *opening, now)), "open"),
            HubCall::Feed(batch) => (http::answer(&core.feed(&mut store, &batch, now)), "feed"),
            HubCall::Bet(call) => (http::answer(&core.bet(&mut store, &call, now)), "bet"),
            HubCall::Bets(batch) => (http::answer(&core.bets(&mut store, &batch, now)), "bets"),
            HubCall::Event(_) => (http::answer(&core.event(&mut store, now)), "read"),
            HubCall::GetBet(q) => (http::answer(&core.bet_view(&mut store, &q.bet_id)), "read"),
            HubCall::Subscribe(s) => (
                http::answer(&core.subscribe(&mut store, &s.relay)),
                "subscribe",
            ),
            HubCall::Admin(action) => (http::answer(&core.admin(&mut store, action, now)), "admin"),
            HubCall::Log(q) => (http::answer(&core.log(&mut store, q.tail)), "read"),
            HubCall::Metrics(_) => {
                let r: ApiResult<_> = if core.ensure(&mut store).unwrap_or(false) {
                    Ok(core.metrics())
                } else {
                    Err(ApiError::new(ErrorCode::EventNotFound, "no such event"))
                };
                (http::answer(&r), "read")
            }
        };
        if kind != "read" {
            let ms = http::now_ms().saturating_sub(now) as f64;
            core.observe_apply_ms(kind, ms);
        }
        (resp, kind)
    }

    async fn call(&self, mut req: Request) -> Response {
        let bytes = match req.bytes().await {
            Ok(b) => b,
            Err(_) => {
                return http::answer::<()>(&Err(ApiError::new(
                    ErrorCode::InvalidBody,
                    "could not read the call",
                )));
            }
        };
        let call: HubCall = match inplay_protocol::decode(&bytes) {
            Ok(c) => c,
            Err(e) => return http::answer::<()>(&Err(e)),
        };
        // Everything from here to the answer is synchronous: no other input interleaves between
        // applying a batch and storing it.
        let (resp, kind) = self.handle(call);
        if kind != "read" {
            pump(&self.inner);
            self.inner.push_desk();
            self.inner.arm().await;
        }
        self.inner.report_metrics();
        resp
    }
}

impl EventHub {
    /// A trading desk's socket (the Worker checked the admin token): the match's view now, then
    /// every change, and at least every second while alerts move with time.
    async fn desk(&self, _req: &Request) -> ApiResult<Response> {
        let inner = &self.inner;
        {
            let mut store = inner.store();
            if !inner.core.borrow_mut().ensure(&mut store)? {
                return Err(ApiError::new(ErrorCode::EventNotFound, "no such event"));
            }
        }
        let Some(view) = inner.core.borrow_mut().desk_view(http::now_ms()) else {
            return Err(ApiError::new(ErrorCode::EventNotFound, "no such event"));
        };
        let pair = worker::WebSocketPair::new().map_err(http::runtime)?;
        inner
            .state
            .accept_websocket_with_tags(&pair.server, &[DESK_TAG]);
        let _ = pair
            .server
            .send_with_str(serde_json::to_string(&view).unwrap_or_default());
        // The next change goes to every desk, this one included.
        inner.desk_sent.borrow_mut().clear();
        inner.arm().await;
        Response::from_websocket(pair.client).map_err(http::runtime)
    }
}

impl DurableObject for EventHub {
    fn new(state: State, env: Env) -> Self {
        let config = Self::config(&env);
        EventHub {
            inner: Rc::new(Inner {
                state,
                core: RefCell::new(HubCore::new(config)),
                stubs: RelayStubs::default(),
                alarm_at: Cell::new(None),
                timeout_ms: config.fanout.timeout_ms,
                last_report_ms: Cell::new(0),
                report_pending: Cell::new(false),
                report_every_ms: env_u64(&env, "METRICS_REPORT_MS", 5_000),
                desk_sent: RefCell::new(String::new()),
                desk_sent_at: Cell::new(0),
                tables_made: Cell::new(false),
                env,
            }),
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        if req.method() == Method::Get && req.path() == "/desk" {
            return Ok(http::respond(self.desk(&req).await));
        }
        if req.method() != Method::Post || req.path() != "/call" {
            return Ok(http::error(&ApiError::new(
                ErrorCode::RouteNotFound,
                "unknown hub route",
            )));
        }
        Ok(self.call(req).await)
    }

    async fn websocket_close(
        &self,
        ws: worker::WebSocket,
        code: usize,
        _reason: String,
        _was_clean: bool,
    ) -> Result<()> {
        http::close_handshake(&ws, code);
        Ok(())
    }

    async fn alarm(&self) -> Result<Response> {
        let inner = &self.inner;
        inner.alarm_at.set(None);
        let now = http::now_ms();
        let ticked = {
            let mut store = inner.store();
            inner.core.borrow_mut().tick(&mut store, now)
        };
        if let Err(e) = ticked {
            worker::console_error!("hub alarm: {e}");
            inner.core.borrow_mut().alarm_failed("run");
        }
        pump(inner);
        inner.push_desk();
        inner.arm().await;
        inner.report_metrics();
        Response::ok("")
    }
}
