//! The hub core: one match's single writer, without a host.
//!
//! [`HubCore`] owns the engine's [`LiveEvent`], the fan-out to the relays ([`Fanout`]), the
//! per-bettor rate limit, the feed signatures it remembers, the routing of decisions to the relay a
//! bet came through, and the hub's counters. The `EventHub` Durable Object (`event_hub.rs`) keeps
//! only SQLite (a [`HubStore`]), stubs, alarms and the HTTP surface, so everything here runs natively
//! in tests.
//!
//! Storage never diverges from memory: a batch of inputs (a feed post, a relay's bets, a tick) is
//! applied, its log entries are written in one transaction, and only then is anything answered or
//! sent. If the write fails, the engine is restored from storage (the state before the batch) and
//! the batch is answered `storage_unavailable` for a retry. Every so often (see
//! [`checkpoint_interval`]) the engine's whole state rides along in the same transaction, so a
//! restart loads the latest checkpoint and replays only the entries after it (each one checked
//! against the hash chain).

mod desk;
pub mod store;

use std::collections::HashMap;

use inplay_engine::live::{
    AuditEntry, BetStatus, FeedOutcome, Input, LiveError, LiveEvent, Opening, Output, Snapshot,
    SuspensionReason, Version,
};
use inplay_protocol::bets::{BetBatch, BetBatchAnswer, BetCall, BetView, PlacedBet};
use inplay_protocol::feed::{FeedAnswer, FeedBatch};
use inplay_protocol::hub::{AdminAction, AdminAnswer, EventView, LogExport};
use inplay_protocol::ids::RelayName;
use inplay_protocol::metrics::{LATENCY_BUCKETS_MS, Metrics};
use inplay_protocol::relay::{
    DecisionRecord, DeltaRecord, RelayAck, RelayUpdate, SnapshotRecord, SyncAnswer,
};
use inplay_protocol::{ApiError, ErrorCode};

use crate::fanout::{Fanout, FanoutConfig};
use crate::rate_limit::RateLimiter;
pub use desk::AlertRules;
pub use store::{Commit, HubStore, MemoryStore, StoreError, Stored};

/// A hub's settings (the Worker's vars).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HubConfig {
    /// Bets a bettor may place at once.
    pub bet_burst: u32,
    /// Bets a second a bettor's allowance refills by.
    pub bet_per_sec: f64,
    /// A checkpoint at least every this many log entries (more apart once the match holds many
    /// bets: see [`checkpoint_interval`]).
    pub checkpoint_every: u64,
    /// When the desk raises its alerts.
    pub alerts: desk::AlertRules,
    /// The fan-out's timing and bounds.
    pub fanout: FanoutConfig,
}

impl Default for HubConfig {
    fn default() -> Self {
        HubConfig {
            bet_burst: 10,
            bet_per_sec: 5.0,
            checkpoint_every: 1_000,
            alerts: desk::AlertRules::default(),
            fanout: FanoutConfig::default(),
        }
    }
}

/// Log entries between checkpoints for a match holding `bets`: `every`, or an eighth of the bets
/// when that is more. A checkpoint is the whole state, so it costs in proportion to the bets; taking
/// them further apart as bets grow keeps each entry's share of that cost flat (at `every` fixed, a
/// match with 50,000 bets would write ~6 MB per 1,000 entries), while a restart still replays at
/// most an eighth of the bets after loading the checkpoint.
pub fn checkpoint_interval(every: u64, bets: usize) -> u64 {
    every.max(bets as u64 / 8)
}

/// A loaded match.
struct Match {
    live: LiveEvent,
    fanout: Fanout,
    limiter: RateLimiter,
    /// Feed signatures seen, until when each must be remembered.
    signatures: HashMap<Vec<u8>, u64>,
    /// The relay each undecided socket bet came through: its later decisions go there only.
    origin: HashMap<String, RelayName>,
    /// When each undecided bet arrived, for the decision-latency histogram.
    placed_ms: HashMap<String, u64>,
    /// Log entries written since the last checkpoint.
    since_checkpoint: u64,
}

/// What loading from storage cost, for the restart figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoadReport {
    /// Whether a checkpoint was used.
    pub from_checkpoint: bool,
    /// Entries replayed after it.
    pub replayed: usize,
}

/// One match's single writer.
pub struct HubCore {
    config: HubConfig,
    current: Option<Match>,
    metrics: Metrics,
    /// What the desk counts beside the engine.
    desk: desk::DeskCounters,
    /// The last load, for metrics and the restart figure.
    pub last_load: Option<LoadReport>,
}

/// Every way the hub changes the engine, as one call.
enum Batch<'a> {
    Feed(&'a FeedBatch),
    Bets(&'a [BetCall], Option<&'a RelayName>),
    Tick,
    Admin(AdminAction),
}

/// What a batch produced, before it is stored.
#[derive(Default)]
struct Applied {
    entries: Vec<AuditEntry>,
    outputs: Vec<Output>,
    /// Per bet of a bet batch: its answer, and whether it reached the engine.
    bets: Vec<Result<PlacedBet, ApiError>>,
}

/// The match as storage holds it: the latest checkpoint and the log after it. A checkpoint this
/// engine refuses (one written before checkpoints kept the version's wall time, which the stream's
/// deltas are relative to, or a damaged one) is passed over for the whole log, which replays to the
/// same state.
fn restore(store: &mut dyn HubStore, stored: &Stored) -> Result<(LiveEvent, LoadReport), ApiError> {
    let replay_failed = |e: LiveError| {
        ApiError::new(
            ErrorCode::ReplayFailed,
            format!("the match's log does not replay ({})", e.code()),
        )
    };
    let replay = |log: &[AuditEntry]| {
        let live = LiveEvent::replay(log).map_err(replay_failed)?;
        let report = LoadReport {
            from_checkpoint: false,
            replayed: log.len(),
        };
        Ok((live, report))
    };
    // Without a checkpoint the tail is the whole log.
    let Some(cp) = &stored.checkpoint else {
        return replay(&stored.tail);
    };
    match LiveEvent::resume(cp, &stored.tail) {
        Ok(live) => Ok((
            live,
            LoadReport {
                from_checkpoint: true,
                replayed: stored.tail.len(),
            },
        )),
        Err(LiveError::BadCheckpoint) => replay(&store.log(0).map_err(|e| unavailable(&e))?),
        Err(e) => Err(replay_failed(e)),
    }
}

fn unavailable(e: &StoreError) -> ApiError {
    // The message stays generic: storage details are for the logs, not the client.
    let _ = e;
    ApiError::new(
        ErrorCode::StorageUnavailable,
        "the match could not store this; nothing was applied, retry",
    )
}

fn not_found() -> ApiError {
    ApiError::new(ErrorCode::EventNotFound, "no such event")
}

impl HubCore {
    /// A hub with nothing loaded yet.
    pub fn new(config: HubConfig) -> HubCore {
        HubCore {
            config,
            current: None,
            metrics: Metrics::default(),
            desk: desk::DeskCounters::default(),
            last_load: None,
        }
    }

    /// Whether the match is in memory.
    pub fn is_loaded(&self) -> bool {
        self.current.is_some()
    }

    /// The engine, once loaded.
    pub fn live(&self) -> Option<&LiveEvent> {
        self.current.as_ref().map(|m| &m.live)
    }

    /// The fan-out, once loaded.
    pub fn fanout(&self) -> Option<&Fanout> {
        self.current.as_ref().map(|m| &m.fanout)
    }

    fn event_id(&self) -> String {
        self.current
            .as_ref()
            .map(|m| m.live.image().event_id.clone())
            .unwrap_or_default()
    }

    /// Loads the match from storage if it is not in memory. `Ok(false)`: there is no match here.
    pub fn ensure(&mut self, store: &mut dyn HubStore) -> Result<bool, ApiError> {
        if self.current.is_some() {
            return Ok(true);
        }
        let stored = store.load().map_err(|e| unavailable(&e))?;
        if stored.is_empty() {
            return Ok(false);
        }
        let (live, report) = restore(store, &stored)?;
        self.last_load = Some(report);
        let mut fanout = Fanout::new(self.config.fanout, Some(live.version()));
        for (name, region) in &stored.relays {
            fanout.register(name.clone(), region);
        }
        // Entries since the checkpoint used (all of them without one): a full replay writes a
        // fresh checkpoint as soon as it is due.
        let since_checkpoint = report.replayed as u64;
        self.current = Some(Match {
            live,
            fanout,
            limiter: RateLimiter::new(self.config.bet_burst, self.config.bet_per_sec),
            signatures: stored.signatures.into_iter().collect(),
            origin: HashMap::new(),
            placed_ms: HashMap::new(),
            since_checkpoint,
        });
        Ok(true)
    }

    fn loaded(&mut self, store: &mut dyn HubStore) -> Result<&mut Match, ApiError> {
        if !self.ensure(store)? {
            return Err(not_found());
        }
        self.current.as_mut().ok_or_else(not_found)
    }

    /// Opens the match; its epoch is the opening time in seconds, so clients holding versions of an
    /// earlier life of this id start over.
    pub fn open(
        &mut self,
        store: &mut dyn HubStore,
        mut opening: Opening,
        now_ms: u64,
    ) -> Result<EventView, ApiError> {
        if self.ensure(store)? {
            return Err(ApiError::new(
                ErrorCode::EventExists,
                "the event already exists",
            ));
        }
        opening.epoch = (now_ms / 1000) as u32;
        let (live, entry) = LiveEvent::new(opening, now_ms)
            .map_err(|e| ApiError::new(ErrorCode::InvalidOpening, e.to_string()))?;
        let checkpoint = live.checkpoint();
        store
            .commit(Commit {
                entries: std::slice::from_ref(&entry),
                checkpoint: Some(&checkpoint),
                ..Commit::default()
            })
            .map_err(|e| unavailable(&e))?;
        self.current = Some(Match {
            fanout: Fanout::new(self.config.fanout, Some(live.version())),
            live,
            limiter: RateLimiter::new(self.config.bet_burst, self.config.bet_per_sec),
            signatures: HashMap::new(),
            origin: HashMap::new(),
            placed_ms: HashMap::new(),
            since_checkpoint: 0,
        });
        self.view(now_ms)
    }

    /// The match now.
    pub fn view(&self, now_ms: u64) -> Result<EventView, ApiError> {
        let m = self.current.as_ref().ok_or_else(not_found)?;
        Ok(EventView {
            event_id: m.live.image().event_id.clone(),
            server_ms: now_ms,
            version: m.live.version(),
            snapshot: m.live.snapshot(),
            bets: m.live.bet_count() as u64,
            pending_bets: m.live.pending_bet_count() as u64,
        })
    }

    /// [`HubCore::view`] after loading.
    pub fn event(&mut self, store: &mut dyn HubStore, now_ms: u64) -> Result<EventView, ApiError> {
        self.loaded(store)?;
        self.view(now_ms)
    }

    /// A signed feed batch.
    pub fn feed(
        &mut self,
        store: &mut dyn HubStore,
        batch: &FeedBatch,
        now_ms: u64,
    ) -> Result<FeedAnswer, ApiError> {
        let m = self.loaded(store)?;
        m.signatures.retain(|_, until| *until >= now_ms);
        if m.signatures.contains_key(&batch.signature) {
            return Err(ApiError::new(
                ErrorCode::SignatureReplayed,
                "this signature was already used",
            ));
        }
        let applied = self.run(store, Batch::Feed(batch), now_ms)?;
        let results = applied
            .outputs
            .iter()
            .filter_map(|o| o.feed)
            .collect::<Vec<_>>();
        let event = self.event_id();
        for (ev, r) in batch.events.iter().zip(&results) {
            self.desk.count_feed(r);
            let label = match r.outcome {
                FeedOutcome::Accepted | FeedOutcome::Held => "accepted",
                FeedOutcome::Duplicate => "duplicate",
                FeedOutcome::Rejected { .. } => "rejected",
            };
            self.metrics.inc(
                "inplay_feed_events_total",
                "Feed events, by result.",
                &[("event", &event), ("result", label)],
                1.0,
            );
            if r.outcome == FeedOutcome::Accepted {
                self.metrics.observe(
                    "inplay_feed_lag_ms",
                    "Server time minus the event's ts, for accepted feed events.",
                    &[("event", &event)],
                    LATENCY_BUCKETS_MS,
                    now_ms.saturating_sub(ev.ts) as f64,
                );
            }
        }
        Ok(FeedAnswer { results })
    }

    /// One bet over HTTP: its decisions reach the bettor's sockets through every relay.
    pub fn bet(
        &mut self,
        store: &mut dyn HubStore,
        call: &BetCall,
        now_ms: u64,
    ) -> Result<PlacedBet, ApiError> {
        let applied = self.run(store, Batch::Bets(std::slice::from_ref(call), None), now_ms)?;
        applied
            .bets
            .into_iter()
            .next()
            .unwrap_or_else(|| Err(ApiError::internal()))
    }

    /// A relay's bets, placed in arrival order in one transaction.
    pub fn bets(
        &mut self,
        store: &mut dyn HubStore,
        batch: &BetBatch,
        now_ms: u64,
    ) -> Result<BetBatchAnswer, ApiError> {
        let applied = self.run(store, Batch::Bets(&batch.bets, Some(&batch.relay)), now_ms)?;
        Ok(BetBatchAnswer {
            results: applied.bets,
        })
    }

    /// Time passes: the engine's timers (bet releases, cool-offs, the watchdog).
    pub fn tick(&mut self, store: &mut dyn HubStore, now_ms: u64) -> Result<(), ApiError> {
        if !self.ensure(store)? {
            return Ok(());
        }
        self.run(store, Batch::Tick, now_ms).map(|_| ())
    }

    /// A trader's action.
    pub fn admin(
        &mut self,
        store: &mut dyn HubStore,
        action: AdminAction,
        now_ms: u64,
    ) -> Result<AdminAnswer, ApiError> {
        // Each sport's actions only for its matches, and a model the engine can price.
        action.check(self.loaded(store)?.live.image())?;
        if let AdminAction::Resettle(c) = &action {
            let live = self.loaded(store)?;
            let over = live.live.image().is_finished();
            if let Err(why) = c.validate() {
                return Err(ApiError::new(ErrorCode::InvalidCorrection, why));
            }
            if !over || live.live.image().abandoned {
                return Err(ApiError::new(
                    ErrorCode::InvalidCorrection,
                    "a result is corrected after full time (and not after an abandonment)",
                ));
            }
        }
        // A bet to void must exist and be accepted: an unknown id is the trader's typo and a pending
        // bet has no stake at risk yet; neither is a silent no-op.
        if let AdminAction::VoidBet { bet_id } = &action {
            match self.loaded(store)?.live.bet(bet_id).map(|d| d.status) {
                None => return Err(ApiError::new(ErrorCode::BetNotFound, "no such bet")),
                Some(BetStatus::Accepted) => {}
                Some(status) => {
                    return Err(ApiError::new(
                        ErrorCode::BetNotVoidable,
                        format!("the bet is {status}, not accepted"),
                    ));
                }
            }
        }
        let applied = self.run(store, Batch::Admin(action), now_ms)?;
        let out = applied.outputs.into_iter().next().unwrap_or_default();
        Ok(AdminAnswer {
            event: self.view(now_ms)?,
            applied: out.audit.is_some(),
            decisions: out.decisions,
            settlements: out.settlements,
        })
    }

    /// A bet's decision and settlement.
    pub fn bet_view(
        &mut self,
        store: &mut dyn HubStore,
        bet_id: &str,
    ) -> Result<BetView, ApiError> {
        let m = self.loaded(store)?;
        let decision = m
            .live
            .bet(bet_id)
            .ok_or_else(|| ApiError::new(ErrorCode::BetNotFound, "no such bet"))?;
        Ok(BetView {
            decision: decision.clone(),
            settlement: m.live.settlement(bet_id).cloned(),
        })
    }

    /// A relay subscribes: registered (stored) and answered with the snapshot at the head, in one
    /// turn, so every later update reaches it.
    pub fn subscribe(
        &mut self,
        store: &mut dyn HubStore,
        relay: &RelayName,
    ) -> Result<SyncAnswer, ApiError> {
        let m = self.loaded(store)?;
        if m.fanout.get(relay).is_none() {
            store
                .commit(Commit {
                    relay: Some((relay, &relay.region)),
                    ..Commit::default()
                })
                .map_err(|e| unavailable(&e))?;
            m.fanout.register(relay.clone(), &relay.region);
        }
        let head = m.live.version();
        m.fanout.synced(relay, Some(head));
        Ok(SyncAnswer {
            snapshot: SnapshotRecord::of(&m.live.snapshot()),
            deltas: Vec::new(),
        })
    }

    /// The audit log (or its last `tail` entries) as JSON lines, ending at the head it reports.
    pub fn log(
        &mut self,
        store: &mut dyn HubStore,
        tail: Option<u64>,
    ) -> Result<LogExport, ApiError> {
        let len = self.loaded(store)?.live.audit_len();
        // Only the rows asked for are read: a desk's tail of a long log stays cheap.
        let from = tail.map_or(0, |t| len.saturating_sub(t));
        let entries = store.log(from).map_err(|e| unavailable(&e))?;
        let mut ndjson = Vec::new();
        for e in &entries {
            serde_json::to_writer(&mut ndjson, e).map_err(|_| ApiError::internal())?;
            ndjson.push(b'\n');
        }
        let m = self.current.as_ref().ok_or_else(not_found)?;
        Ok(LogExport {
            ndjson,
            head: m.live.audit_head(),
            version: m.live.version(),
        })
    }

    /// The messages owed to relays now (with each relay's stub generation).
    pub fn due(&mut self, now_ms: u64) -> Vec<(RelayName, RelayUpdate, u64)> {
        let Some(m) = self.current.as_mut() else {
            return Vec::new();
        };
        let heartbeats = !m.live.image().is_over();
        let live = &m.live;
        let mut base = || Some((SnapshotRecord::of(&live.snapshot()), Vec::new()));
        let sends = m.fanout.due(now_ms, heartbeats, &mut base);
        sends
            .into_iter()
            .map(|(name, update)| {
                let generation = m.fanout.get(&name).map_or(0, |d| d.stub_generation);
                (name, update, generation)
            })
            .collect()
    }

    /// A relay acknowledged.
    pub fn acknowledged(&mut self, relay: &RelayName, ack: RelayAck) {
        if let Some(m) = self.current.as_mut() {
            m.fanout.acknowledged(relay, ack);
        }
    }

    /// A relay's message failed.
    pub fn failed(&mut self, relay: &RelayName, now_ms: u64) {
        let event = self.event_id();
        if let Some(m) = self.current.as_mut() {
            m.fanout.failed(relay, now_ms);
        }
        self.metrics.inc(
            "inplay_relay_errors_total",
            "Failed hub → relay messages (exception, status or timeout).",
            &[("event", &event), ("relay", &relay.to_string())],
            1.0,
        );
    }

    /// When the host should wake the hub (engine timers, fan-out retries and heartbeats).
    pub fn next_wakeup(&self) -> Option<u64> {
        let m = self.current.as_ref()?;
        let live = m.live.image();
        let heartbeats = !live.is_over();
        [m.live.next_wakeup(), m.fanout.next_wakeup(heartbeats)]
            .into_iter()
            .flatten()
            .min()
    }

    /// Counts a failed alarm (set or run): the host retries, the counter shows it happened.
    pub fn alarm_failed(&mut self, what: &str) {
        let event = self.event_id();
        self.metrics.inc(
            "inplay_hub_alarm_failures_total",
            "Alarms the hub failed to set (retried) or whose run failed, by what failed.",
            &[("event", &event), ("what", what)],
            1.0,
        );
    }

    /// Records how long the host spent applying and storing a batch.
    pub fn observe_apply_ms(&mut self, what: &str, ms: f64) {
        let event = self.event_id();
        self.metrics.observe(
            "inplay_hub_apply_ms",
            "Time the hub spent on one batch (apply, store, answer), by kind.",
            &[("event", &event), ("batch", what)],
            LATENCY_BUCKETS_MS,
            ms,
        );
    }

    /// Counters, with gauges of the match and its relays.
    pub fn metrics(&self) -> Metrics {
        let mut m = self.metrics.clone();
        let Some(cur) = &self.current else {
            return m;
        };
        let event = cur.live.image().event_id.clone();
        let ev = [("event", event.as_str())];
        let v = cur.live.version();
        m.set(
            "inplay_event_version_seq",
            "Current version seq of each match.",
            &ev,
            v.seq as f64,
        );
        m.set(
            "inplay_event_bets",
            "Bets held by each match.",
            &ev,
            cur.live.bet_count() as f64,
        );
        m.set(
            "inplay_event_pending_bets",
            "Bets in their in-play delay.",
            &ev,
            cur.live.pending_bet_count() as f64,
        );
        let relays = cur.fanout.downstream().count();
        m.set(
            "inplay_event_relays",
            "Relays registered with each match.",
            &ev,
            relays as f64,
        );
        let head = cur.fanout.head();
        for (name, d) in cur.fanout.downstream() {
            let name = name.to_string();
            let labels = [("event", event.as_str()), ("relay", name.as_str())];
            m.set(
                "inplay_relay_lag_versions",
                "Versions a relay is behind the hub, as it last acknowledged.",
                &labels,
                d.lag(head) as f64,
            );
            m.set(
                "inplay_relay_sockets",
                "Open WebSockets per relay.",
                &labels,
                f64::from(d.last_ack.sockets),
            );
            m.set_counter(
                "inplay_relay_messages_total",
                "Messages the hub sent to each relay (heartbeats included).",
                &labels,
                d.sent as f64,
            );
            m.set_counter(
                "inplay_relay_data_messages_total",
                "Messages the hub sent to each relay with deltas, a snapshot or decisions.",
                &labels,
                d.data_sent as f64,
            );
            m.set(
                "inplay_relay_updates_received",
                "Messages each relay instance reported receiving, at its last acknowledgement.",
                &labels,
                d.last_ack.updates_received as f64,
            );
            m.set_counter(
                "inplay_deltas_sent_total",
                "Frames each relay reported writing to its sockets.",
                &labels,
                d.frames as f64,
            );
            m.set(
                "inplay_relay_failures",
                "Failed sends in a row to each relay (0 when healthy).",
                &labels,
                f64::from(d.failures),
            );
            m.set_counter(
                "inplay_relay_decisions_dropped_total",
                "Decisions dropped because a relay's queue was full.",
                &labels,
                d.dropped_decisions as f64,
            );
        }
        m
    }

    // ----- the one way the engine changes -----

    /// Applies a batch, stores it in one transaction, and only then lets it out (fan-out,
    /// counters, answers). On a failed write the engine is restored from storage.
    fn run(
        &mut self,
        store: &mut dyn HubStore,
        batch: Batch<'_>,
        now_ms: u64,
    ) -> Result<Applied, ApiError> {
        let checkpoint_every = self.config.checkpoint_every;
        self.loaded(store)?;
        let m = self.current.as_mut().ok_or_else(not_found)?;
        let event = m.live.image().event_id.clone();
        let mut applied = Applied::default();
        let apply = |m: &mut Match, applied: &mut Applied, input: Input| {
            let out = m.live.apply(input, now_ms);
            if let Some(e) = &out.audit {
                applied.entries.push(e.clone());
            }
            applied.outputs.push(out);
        };
        match &batch {
            Batch::Feed(b) => {
                for ev in &b.events {
                    apply(m, &mut applied, Input::Feed(ev.clone()));
                }
            }
            Batch::Tick => apply(m, &mut applied, Input::Tick),
            Batch::Admin(action) => {
                let input = action.clone().input(m.live.image());
                apply(m, &mut applied, input)
            }
            Batch::Bets(calls, _) => {
                for call in *calls {
                    // A retry: answer with the latest decision, without the engine or the limit.
                    if let Some(first) = m.live.bet_request(&call.bet_id) {
                        let answer = if call.body.is(first) && first.user_id == call.user_id {
                            m.live
                                .bet(&call.bet_id)
                                .cloned()
                                .map(|decision| PlacedBet {
                                    decision,
                                    replayed: true,
                                })
                                .ok_or_else(ApiError::internal)
                        } else {
                            Err(ApiError::new(
                                ErrorCode::IdempotencyConflict,
                                "this Idempotency-Key was used for a different bet",
                            ))
                        };
                        applied.bets.push(answer);
                        continue;
                    }
                    if let Err(retry_ms) = m.limiter.take(&call.user_id, now_ms) {
                        applied.bets.push(Err(ApiError::new(
                            ErrorCode::RateLimited,
                            format!("too many bets; retry in {retry_ms} ms"),
                        )
                        .retry_after(retry_ms)));
                        continue;
                    }
                    let request = call.body.request(&call.bet_id, &call.user_id);
                    apply(m, &mut applied, Input::Bet(request));
                    let answer = applied
                        .outputs
                        .last()
                        .and_then(|out| out.decisions.iter().find(|d| d.bet_id == call.bet_id))
                        .cloned()
                        .map(|decision| PlacedBet {
                            decision,
                            replayed: false,
                        })
                        .ok_or_else(ApiError::internal);
                    applied.bets.push(answer);
                }
            }
        }
        // Store the batch (and a checkpoint when due) before anything is answered or sent.
        let every = checkpoint_interval(checkpoint_every, m.live.bet_count());
        let due = m.since_checkpoint + applied.entries.len() as u64 >= every;
        let checkpoint = (due && !applied.entries.is_empty()).then(|| m.live.checkpoint());
        let signature = match &batch {
            Batch::Feed(b) => Some((b.signature.as_slice(), b.remember_until_ms)),
            _ => None,
        };
        let commit = Commit {
            entries: &applied.entries,
            checkpoint: checkpoint.as_ref(),
            signature,
            forget_signatures_before: signature.map(|_| now_ms),
            relay: None,
        };
        if !commit.is_empty()
            && let Err(e) = store.commit(commit)
        {
            // The engine ran ahead of storage: go back to what is stored (the state before this
            // batch). The fan-out, limits and routing have seen nothing of it yet.
            let restored = store.load().ok().and_then(|s| restore(store, &s).ok());
            match restored {
                Some((live, _)) => m.live = live,
                // Storage cannot even be read: unload, and the next call tries again.
                None => self.current = None,
            }
            self.metrics.inc(
                "inplay_hub_store_failures_total",
                "Batches whose write failed (nothing of them was applied).",
                &[("event", &event)],
                1.0,
            );
            return Err(unavailable(&e));
        }
        m.since_checkpoint = if checkpoint.is_some() {
            0
        } else {
            m.since_checkpoint + applied.entries.len() as u64
        };
        if let Batch::Feed(b) = &batch {
            m.signatures
                .insert(b.signature.clone(), b.remember_until_ms);
        }
        if checkpoint.is_some() {
            self.metrics.inc(
                "inplay_hub_checkpoints_total",
                "Checkpoints of the engine's whole state written.",
                &[("event", &event)],
                1.0,
            );
        }
        let (placed_here, via): (Vec<&str>, Option<RelayName>) = match &batch {
            Batch::Bets(calls, via) => (
                calls.iter().map(|c| c.bet_id.as_str()).collect(),
                via.cloned(),
            ),
            _ => (Vec::new(), None),
        };
        self.release(&applied.outputs, &placed_here, via.as_ref(), now_ms);
        Ok(applied)
    }

    /// After a batch is stored: deltas and decisions to the fan-out, counters.
    fn release(
        &mut self,
        outputs: &[Output],
        placed_here: &[&str],
        via: Option<&RelayName>,
        now_ms: u64,
    ) {
        let Some(m) = self.current.as_mut() else {
            return;
        };
        let event = m.live.image().event_id.clone();
        for out in outputs {
            if let Some(delta) = &out.delta {
                m.fanout.publish(DeltaRecord::of(delta));
                // Suspensions that this delta started, by reason.
                for op in &delta.ops {
                    if let inplay_engine::live::DeltaOp::Suspensions(list) = op {
                        for s in list.iter().filter(|s| s.since_ms == delta.at_ms) {
                            count_suspension(&mut self.metrics, &event, s.reason);
                        }
                    }
                }
            }
            for d in &out.decisions {
                self.desk
                    .count_decision(d, placed_here.contains(&d.bet_id.as_str()), now_ms);
                let label = d.status.to_string();
                self.metrics.inc(
                    "inplay_bets_total",
                    "Bet decisions, by decision.",
                    &[("event", &event), ("decision", &label)],
                    1.0,
                );
                let here = placed_here.contains(&d.bet_id.as_str());
                let arrived = if here {
                    Some(now_ms)
                } else {
                    m.placed_ms.remove(&d.bet_id)
                };
                if d.status == BetStatus::Pending {
                    if let Some(at) = arrived {
                        m.placed_ms.insert(d.bet_id.clone(), at);
                    }
                    if here && let Some(relay) = via {
                        m.origin.insert(d.bet_id.clone(), relay.clone());
                    }
                } else if let Some(at) = arrived {
                    self.metrics.observe(
                        "inplay_bet_decision_latency_ms",
                        "Time from a bet's arrival to its final decision (includes the bet delay).",
                        &[("event", &event)],
                        LATENCY_BUCKETS_MS,
                        now_ms.saturating_sub(at) as f64,
                    );
                }
                let target = if d.status == BetStatus::Pending {
                    m.origin.get(&d.bet_id).cloned()
                } else {
                    m.origin.remove(&d.bet_id)
                };
                // A socket bet's first answer goes back in the batch reply; later ones to its
                // relay. An HTTP bet's decisions go to every relay (its bettor's sockets).
                if here && via.is_some() {
                    continue;
                }
                m.fanout.route(DecisionRecord::of(d, target));
            }
        }
        let seq = m.live.version().seq;
        if m.fanout.checkpoint_due(seq) {
            m.fanout
                .publish_checkpoint(SnapshotRecord::of(&m.live.snapshot()));
        }
    }
}

fn count_suspension(metrics: &mut Metrics, event: &str, reason: SuspensionReason) {
    metrics.inc(
        "inplay_suspensions_total",
        "Suspensions started, by reason.",
        &[("event", event), ("reason", reason.as_str())],
        1.0,
    );
}

/// The snapshot a hub serves at its head (for tests and the shells).
pub fn snapshot_at_head(live: &LiveEvent) -> (Snapshot, Version) {
    (live.snapshot(), live.version())
}

#[cfg(test)]
mod tests;
