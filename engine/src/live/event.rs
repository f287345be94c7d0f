//! [`LiveEvent`]: one match's single-writer state machine. Inputs with their wall time go in;
//! feed results, bet decisions, one delta and one audit entry come out.
//!
//! Before every input the event first catches up with time (`run_timers`): cool-offs end, the
//! feed watchdog fires, unconfirmed goals time out, out-of-order feed messages stop waiting and
//! delayed bets are decided. So the state at an instant never depends on when a host's alarm ran.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::audit::{AuditEntry, Hash};
use super::bet::{
    BetDecision, BetRequest, BetStatus, RejectCode, check_bet, net_win, price_acceptable,
};
use super::feed::{FeedEvent, FeedKind, Source};
use super::image::{
    ClockAnchor, Delta, DeltaOp, Fixture, GoalRecord, MarketStatus, MatchImage, Snapshot,
    Suspension, SuspensionReason, TradingTerms, Version,
};
use super::settle::{Settlement, SettlementFacts, SettlementResult, settle};
use crate::football::{FootballParams, HALF_MS, MatchState, Period, Score};
use crate::market::{MarketBook, MarketKey, SelectionKey, Team};

/// Timing rules of the live state. All in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LiveConfig {
    /// Markets reopen this long after the event that suspended them is settled.
    pub cool_off_ms: u64,
    /// How long a goal from one source waits for the other before it is judged.
    pub confirm_window_ms: u64,
    /// No message from any source for this long suspends everything (`feed_stale`); a source
    /// silent this long no longer counts as a witness for confirmations.
    pub stale_after_ms: u64,
    /// Largest accepted gap between a message's `ts` and the edge's clock.
    pub max_ts_drift_ms: u64,
    /// Largest accepted gap between a message's match clock and the running clock.
    pub max_clock_drift_ms: u64,
    /// How far a source's match clock may step back (clock jitter) before it is refused.
    pub clock_tolerance_ms: u64,
    /// How long an out-of-order message waits for the missing ones.
    pub gap_timeout_ms: u64,
    /// How long a danger bet stop lasts.
    pub danger_ms: u64,
    /// Two sources' reports of the same thing are recognised within this much match clock.
    pub dedupe_window_ms: u64,
    /// Most out-of-order messages held per source.
    pub reorder_capacity: usize,
}

impl Default for LiveConfig {
    fn default() -> Self {
        LiveConfig {
            cool_off_ms: 5_000,
            confirm_window_ms: 3_000,
            stale_after_ms: 10_000,
            max_ts_drift_ms: 60_000,
            max_clock_drift_ms: 180_000,
            clock_tolerance_ms: 3_000,
            gap_timeout_ms: 2_000,
            danger_ms: 4_000,
            dedupe_window_ms: 60_000,
            reorder_capacity: 64,
        }
    }
}

/// Everything needed to open an event: the first entry of its log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Opening {
    /// Match id.
    pub event_id: String,
    /// Teams and kick-off.
    pub fixture: Fixture,
    /// Pre-match model.
    pub params: FootballParams,
    /// Operator's terms.
    #[serde(default)]
    pub trading: TradingTerms,
    /// Timing rules.
    #[serde(default)]
    pub config: LiveConfig,
    /// History generation.
    #[serde(default)]
    pub epoch: u32,
}

/// One thing that happens to an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Input {
    /// The event is created (first log entry only).
    Open(Box<Opening>),
    /// A decoded feed message.
    Feed(FeedEvent),
    /// A bet.
    Bet(BetRequest),
    /// Time passes (host alarm).
    Tick,
    /// A trader suspends one market, or all.
    Suspend {
        /// The market; all when `None`.
        market: Option<MarketKey>,
    },
    /// A trader lifts a manual suspension.
    Resume {
        /// The market; all when `None`.
        market: Option<MarketKey>,
    },
    /// New trading terms.
    Trading(TradingTerms),
}

/// Why a feed message was refused. Codes are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedRejection {
    /// For another match.
    WrongEvent,
    /// `ts` too far from the edge's clock.
    ClockDrift,
    /// The source's match clock went backwards.
    ClockBackwards,
    /// Not possible in the current period (goal at half-time, second kick-off, ...).
    InvalidTransition,
    /// The reported score skips a goal.
    ScoreJump,
    /// Too many out-of-order messages waiting.
    SeqGap,
    /// The match is over.
    MatchOver,
    /// The fixture's model parameters are invalid.
    InvalidParams,
}

impl FeedRejection {
    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            FeedRejection::WrongEvent => "wrong_event",
            FeedRejection::ClockDrift => "clock_drift",
            FeedRejection::ClockBackwards => "clock_backwards",
            FeedRejection::InvalidTransition => "invalid_transition",
            FeedRejection::ScoreJump => "score_jump",
            FeedRejection::SeqGap => "seq_gap",
            FeedRejection::MatchOver => "match_over",
            FeedRejection::InvalidParams => "invalid_params",
        }
    }
}

/// What became of a feed message.
///
/// Wire form is a string: `accepted`, `duplicate`, `held`, `rejected:clock_drift`, ...
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedOutcome {
    /// Applied.
    Accepted,
    /// Already known (same seq again, or the other source's report of the same thing).
    Duplicate,
    /// Arrived ahead of a missing seq; applied when the gap fills or times out.
    Held,
    /// Refused.
    Rejected {
        /// Why.
        reason: FeedRejection,
    },
}

impl FeedRejection {
    /// Every reason.
    pub const ALL: [FeedRejection; 8] = [
        FeedRejection::WrongEvent,
        FeedRejection::ClockDrift,
        FeedRejection::ClockBackwards,
        FeedRejection::InvalidTransition,
        FeedRejection::ScoreJump,
        FeedRejection::SeqGap,
        FeedRejection::MatchOver,
        FeedRejection::InvalidParams,
    ];
}

impl core::fmt::Display for FeedOutcome {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            FeedOutcome::Accepted => f.write_str("accepted"),
            FeedOutcome::Duplicate => f.write_str("duplicate"),
            FeedOutcome::Held => f.write_str("held"),
            FeedOutcome::Rejected { reason } => write!(f, "rejected:{}", reason.as_str()),
        }
    }
}

impl core::str::FromStr for FeedOutcome {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "accepted" => FeedOutcome::Accepted,
            "duplicate" => FeedOutcome::Duplicate,
            "held" => FeedOutcome::Held,
            _ => {
                let r = s.strip_prefix("rejected:").ok_or("unknown feed outcome")?;
                let reason = FeedRejection::ALL
                    .into_iter()
                    .find(|x| x.as_str() == r)
                    .ok_or("unknown reason")?;
                FeedOutcome::Rejected { reason }
            }
        })
    }
}

crate::market::string_serde!(FeedOutcome);

/// A feed message's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedResult {
    /// Source.
    pub source: Source,
    /// Its seq.
    pub seq: u64,
    /// What happened.
    pub outcome: FeedOutcome,
}

/// What one input produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Output {
    /// Result of a feed input.
    pub feed: Option<FeedResult>,
    /// Bet decisions (the input's bet, and delayed bets released now).
    pub decisions: Vec<BetDecision>,
    /// Bets settled now.
    pub settlements: Vec<Settlement>,
    /// The image change, if any.
    pub delta: Option<Delta>,
    /// The log entry to store; `None` when the input changed nothing.
    pub audit: Option<AuditEntry>,
}

/// Why an event could not be opened or replayed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LiveError {
    /// Invalid opening (parameters, terms, ids).
    #[error("invalid opening: {0}")]
    InvalidOpening(&'static str),
    /// The log does not start with an opening.
    #[error("log does not start with an opening")]
    NoOpening,
    /// Replaying entry `index` gave a different result or hash.
    #[error("log diverges at entry {index}")]
    Diverged {
        /// First entry that differs.
        index: u64,
    },
}

impl LiveError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            LiveError::InvalidOpening(_) => "invalid_opening",
            LiveError::NoOpening => "no_opening",
            LiveError::Diverged { .. } => "log_diverged",
        }
    }
}

#[derive(Debug, Clone, Default)]
struct SourceState {
    last_seq: Option<u64>,
    last_msg_ms: Option<u64>,
    last_clock_ms: u64,
    held: BTreeMap<u64, FeedEvent>,
    gap_deadline_ms: Option<u64>,
    /// Since when this source's reported score disagrees with ours.
    disagrees_since_ms: Option<u64>,
    /// Clock syncs in a row refused for drift: a source that keeps insisting is believed.
    drift_refusals: u8,
}

/// Consecutive drift-refused clock syncs from one source after which the next one re-anchors the
/// clock: one bogus sync is refused, but a clock that is really elsewhere (e.g. after a burst of
/// late messages in an accelerated replay) must not refuse the rest of the match.
const DRIFT_REFUSALS_BEFORE_RESYNC: u8 = 3;

/// A goal reported by one source only, so far.
#[derive(Debug, Clone, Copy, PartialEq)]
struct PendingGoal {
    team: Team,
    source: Source,
    clock_ms: u64,
    deadline_ms: u64,
}

/// A fact one source reported, kept briefly to recognise the other source's copy.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Fact {
    kind: &'static str,
    team: Option<Team>,
    clock_ms: u64,
    source: Source,
    matched: bool,
}

#[derive(Debug, Clone)]
struct BetRecord {
    request: BetRequest,
    decision: BetDecision,
    placed_at_ms: u64,
    /// Liability reserved (net win) while pending or accepted.
    reserved: u64,
    score_at_bet: Score,
    goals_at_bet: usize,
    settlement: Option<Settlement>,
}

/// One match's live state.
#[derive(Debug, Clone)]
pub struct LiveEvent {
    image: MatchImage,
    version: Version,
    config: LiveConfig,
    created_ms: u64,
    sources: [SourceState; 2],
    pending_goal: Option<PendingGoal>,
    facts: Vec<Fact>,
    bets: BTreeMap<String, BetRecord>,
    pending_bets: Vec<String>,
    liability: BTreeMap<(MarketKey, SelectionKey), u64>,
    market_liability: BTreeMap<MarketKey, u64>,
    last_suspended_ms: Option<u64>,
    material_seq: u64,
    audit_head: Hash,
    audit_len: u64,
    // Per-input scratch.
    ops: Vec<DeltaOp>,
    hidden_change: bool,
}

const MAX_FACTS: usize = 32;

impl LiveEvent {
    /// Opens an event; the returned entry is the first of its log.
    pub fn new(opening: Opening, now_ms: u64) -> Result<(LiveEvent, AuditEntry), LiveError> {
        if opening.event_id.is_empty() || opening.event_id.len() > 128 {
            return Err(LiveError::InvalidOpening(
                "event_id must be 1..128 characters",
            ));
        }
        opening
            .params
            .validate()
            .map_err(|_| LiveError::InvalidOpening("params"))?;
        validate_terms(&opening.trading).map_err(LiveError::InvalidOpening)?;
        let image = MatchImage {
            event_id: opening.event_id.clone(),
            fixture: opening.fixture.clone(),
            params: opening.params,
            state: MatchState::pre_match(),
            clock: ClockAnchor {
                clock_ms: 0,
                at_ms: now_ms,
                running: false,
            },
            suspensions: Vec::new(),
            overrides: Vec::new(),
            goals: Vec::new(),
            half_time: None,
            trading: opening.trading,
            adjustments: Vec::new(),
            abandoned: false,
        };
        let version = Version {
            epoch: opening.epoch,
            seq: 0,
        };
        let mut ev = LiveEvent {
            image,
            version,
            config: opening.config,
            created_ms: now_ms,
            sources: Default::default(),
            pending_goal: None,
            facts: Vec::new(),
            bets: BTreeMap::new(),
            pending_bets: Vec::new(),
            liability: BTreeMap::new(),
            market_liability: BTreeMap::new(),
            last_suspended_ms: None,
            material_seq: 0,
            audit_head: Hash::default(),
            audit_len: 0,
            ops: Vec::new(),
            hidden_change: false,
        };
        let entry = ev.log(now_ms, Input::Open(Box::new(opening)), None, Vec::new());
        Ok((ev, entry))
    }

    /// Rebuilds an event from its log, checking every entry reproduces exactly.
    pub fn replay<'a>(
        entries: impl IntoIterator<Item = &'a AuditEntry>,
    ) -> Result<LiveEvent, LiveError> {
        let mut it = entries.into_iter();
        let first = it.next().ok_or(LiveError::NoOpening)?;
        let Input::Open(opening) = &first.input else {
            return Err(LiveError::NoOpening);
        };
        // Entries are compared in their stored form, bit for bit: `==` would call an input holding
        // NaN (a binary feed or a host can send one) different from itself.
        let (mut ev, e0) = LiveEvent::new((**opening).clone(), first.now_ms)?;
        if e0.to_bytes() != first.to_bytes() {
            return Err(LiveError::Diverged { index: 0 });
        }
        for stored in it {
            let out = ev.apply(stored.input.clone(), stored.now_ms);
            if out.audit.map(|a| a.to_bytes()) != Some(stored.to_bytes()) {
                return Err(LiveError::Diverged {
                    index: stored.index,
                });
            }
        }
        Ok(ev)
    }

    /// Current version.
    pub fn version(&self) -> Version {
        self.version
    }
    /// The streamed image.
    pub fn image(&self) -> &MatchImage {
        &self.image
    }
    /// Full snapshot.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            version: self.version,
            image: self.image.clone(),
        }
    }
    /// Hash of the last log entry.
    pub fn audit_head(&self) -> Hash {
        self.audit_head
    }
    /// Timing rules.
    pub fn config(&self) -> &LiveConfig {
        &self.config
    }
    /// Every price at wall time `now_ms`.
    pub fn prices(&self, now_ms: u64) -> Option<MarketBook> {
        self.image.prices(now_ms).ok()
    }
    /// Status of one market.
    pub fn market_status(&self, key: MarketKey) -> MarketStatus {
        self.image.market_status(key)
    }
    /// The latest decision on a bet.
    pub fn bet(&self, bet_id: &str) -> Option<&BetDecision> {
        self.bets.get(bet_id).map(|b| &b.decision)
    }
    /// Settlement of a bet, once settled.
    pub fn settlement(&self, bet_id: &str) -> Option<&Settlement> {
        self.bets.get(bet_id).and_then(|b| b.settlement.as_ref())
    }
    /// Number of bets taken (any status).
    pub fn bet_count(&self) -> usize {
        self.bets.len()
    }

    /// When the host should next call `apply(Input::Tick, ..)`.
    pub fn next_wakeup(&self) -> Option<u64> {
        let mut t: Option<u64> = None;
        let mut at = |v: u64| t = Some(t.map_or(v, |c: u64| c.min(v)));
        self.image
            .suspensions
            .iter()
            .filter_map(|s| s.until_ms)
            .for_each(&mut at);
        // Every time returned is still ahead: one already handled would hide the later ones from a
        // host that re-arms its alarm only when this value changes.
        let discrepancy = self.has(SuspensionReason::SourceDiscrepancy);
        if let Some(g) = self.pending_goal {
            if discrepancy {
                // Waiting for the other source to confirm, or to fall silent (then the goal stands).
                if let Some(t) = self.sources[g.source.other().index()].last_msg_ms {
                    at(t.saturating_add(self.config.stale_after_ms)
                        .saturating_add(1));
                }
            } else {
                at(g.deadline_ms);
            }
        }
        for id in &self.pending_bets {
            if let Some(r) = self.bets.get(id).and_then(|b| b.decision.release_at_ms) {
                at(r);
            }
        }
        for s in &self.sources {
            if let Some(d) = s.gap_deadline_ms {
                at(d);
            }
            if let Some(d) = s.disagrees_since_ms.filter(|_| !discrepancy) {
                at(d.saturating_add(self.config.confirm_window_ms));
            }
        }
        if self.is_live() && !self.has(SuspensionReason::FeedStale) {
            at(self
                .last_message_ms()
                .saturating_add(self.config.stale_after_ms)
                .saturating_add(1));
        }
        t
    }

    /// Applies one input at wall time `now_ms`.
    pub fn apply(&mut self, input: Input, now_ms: u64) -> Output {
        self.ops.clear();
        self.hidden_change = false;
        let mut out = Output::default();
        self.run_timers(now_ms, &mut out);
        match &input {
            Input::Open(_) => {}
            Input::Feed(ev) => {
                let outcome = self.on_feed(ev.clone(), now_ms, &mut out);
                self.hidden_change = true;
                out.feed = Some(FeedResult {
                    source: ev.source,
                    seq: ev.seq,
                    outcome,
                });
            }
            Input::Bet(req) => {
                let d = self.on_bet(req, now_ms);
                self.hidden_change = true;
                out.decisions.push(d);
            }
            Input::Tick => {}
            Input::Suspend { market } => self.manual(*market, true, now_ms),
            Input::Resume { market } => self.manual(*market, false, now_ms),
            Input::Trading(t) => {
                if validate_terms(t).is_ok() {
                    self.push(DeltaOp::Trading(*t));
                }
            }
        }
        if !self.ops.is_empty() {
            self.version.seq += 1;
            out.delta = Some(Delta {
                version: self.version,
                at_ms: now_ms,
                ops: core::mem::take(&mut self.ops),
            });
        }
        if out.delta.is_some() || self.hidden_change || !out.decisions.is_empty() {
            out.audit = Some(self.log(now_ms, input, out.feed, out.decisions.clone()));
        }
        out
    }

    fn log(
        &mut self,
        now_ms: u64,
        input: Input,
        feed: Option<FeedResult>,
        decisions: Vec<BetDecision>,
    ) -> AuditEntry {
        let e = AuditEntry::new(
            self.audit_len,
            now_ms,
            input,
            feed,
            decisions,
            self.version,
            self.audit_head,
        );
        self.audit_head = e.hash;
        self.audit_len += 1;
        e
    }

    // ----- image changes: every change goes through an op, applied here exactly as clients do -----

    fn push(&mut self, op: DeltaOp) {
        self.image.apply(&op);
        // One op per field per delta: a later change to the same field replaces the earlier.
        let d = core::mem::discriminant(&op);
        self.ops.retain(|o| core::mem::discriminant(o) != d);
        self.ops.push(op);
    }

    fn set_state(&mut self, f: impl FnOnce(&mut MatchState)) {
        let mut s = self.image.state;
        f(&mut s);
        if s != self.image.state {
            self.push(DeltaOp::State(s));
        }
    }

    fn set_clock(&mut self, clock_ms: u64, now_ms: u64, running: bool) {
        let c = ClockAnchor {
            clock_ms,
            at_ms: now_ms,
            running,
        };
        self.set_state(|s| s.clock_ms = clock_ms);
        self.push(DeltaOp::Clock(c));
    }

    fn has(&self, reason: SuspensionReason) -> bool {
        self.image.suspensions.iter().any(|s| s.reason == reason)
    }

    fn suspend(
        &mut self,
        reason: SuspensionReason,
        team: Option<Team>,
        now_ms: u64,
        until_ms: Option<u64>,
    ) {
        let mut v = self.image.suspensions.clone();
        v.retain(|s| s.reason != reason);
        // Most recent first: it is the reason a bettor sees.
        let newest = Suspension {
            reason,
            team,
            since_ms: now_ms,
            until_ms,
        };
        v.insert(0, newest);
        self.last_suspended_ms = Some(now_ms);
        self.push(DeltaOp::Suspensions(v));
    }

    /// Starts the cool-off of `reason` (markets reopen at `now + cool_off` unless something else holds them).
    fn cool_off(&mut self, reason: SuspensionReason, now_ms: u64) {
        let until = now_ms.saturating_add(self.config.cool_off_ms);
        if !self.has(reason) {
            return;
        }
        let v: Vec<Suspension> = self
            .image
            .suspensions
            .iter()
            .map(|s| {
                if s.reason == reason {
                    Suspension {
                        until_ms: Some(until),
                        ..*s
                    }
                } else {
                    *s
                }
            })
            .collect();
        self.push(DeltaOp::Suspensions(v));
    }

    fn lift(&mut self, reason: SuspensionReason) {
        if self.has(reason) {
            let v = self
                .image
                .suspensions
                .iter()
                .filter(|s| s.reason != reason)
                .copied()
                .collect();
            self.push(DeltaOp::Suspensions(v));
        }
    }

    fn is_live(&self) -> bool {
        !self.image.abandoned && self.image.state.period != Period::FullTime
    }

    fn in_play(&self) -> bool {
        matches!(
            self.image.state.period,
            Period::FirstHalf | Period::SecondHalf
        )
    }

    fn last_message_ms(&self) -> u64 {
        self.sources
            .iter()
            .filter_map(|s| s.last_msg_ms)
            .max()
            .unwrap_or(self.created_ms)
    }

    fn source_alive(&self, source: Source, now_ms: u64) -> bool {
        self.sources[source.index()]
            .last_msg_ms
            .is_some_and(|t| now_ms.saturating_sub(t) <= self.config.stale_after_ms)
    }

    // ----- time -----

    fn run_timers(&mut self, now_ms: u64, out: &mut Output) {
        // Out-of-order messages whose gap did not fill: skip the gap.
        for src in [Source::Primary, Source::Backup] {
            let s = &mut self.sources[src.index()];
            if s.gap_deadline_ms.is_some_and(|d| now_ms >= d) {
                s.gap_deadline_ms = None;
                if let Some((&first, _)) = s.held.iter().next() {
                    s.last_seq = Some(first - 1);
                    self.hidden_change = true;
                    self.drain(src, now_ms, out);
                }
            }
        }
        // A goal only one source reported: confirm it if the other source is silent, else the
        // sources disagree.
        if let Some(g) = self.pending_goal
            && now_ms >= g.deadline_ms
        {
            if self.source_alive(g.source.other(), now_ms) {
                if !self.has(SuspensionReason::SourceDiscrepancy) {
                    self.suspend(
                        SuspensionReason::SourceDiscrepancy,
                        Some(g.team),
                        now_ms,
                        None,
                    );
                }
            } else {
                self.confirm_goal(now_ms);
            }
        }
        // A source whose reported score disagrees for longer than the window.
        let window = self.config.confirm_window_ms;
        let disagree = self.sources.iter().any(|s| {
            s.disagrees_since_ms
                .is_some_and(|t| now_ms >= t.saturating_add(window))
        });
        if disagree && !self.has(SuspensionReason::SourceDiscrepancy) {
            self.suspend(SuspensionReason::SourceDiscrepancy, None, now_ms, None);
        }
        // Cool-offs that have run out.
        if self
            .image
            .suspensions
            .iter()
            .any(|s| s.until_ms.is_some_and(|u| now_ms >= u))
        {
            let v = self
                .image
                .suspensions
                .iter()
                .filter(|s| s.until_ms.is_none_or(|u| now_ms < u))
                .copied()
                .collect();
            self.push(DeltaOp::Suspensions(v));
        }
        // Watchdog.
        if self.is_live()
            && !self.has(SuspensionReason::FeedStale)
            && now_ms.saturating_sub(self.last_message_ms()) > self.config.stale_after_ms
        {
            self.suspend(SuspensionReason::FeedStale, None, now_ms, None);
        }
        self.release_bets(now_ms, out);
    }

    // ----- feed -----

    fn on_feed(&mut self, ev: FeedEvent, now_ms: u64, out: &mut Output) -> FeedOutcome {
        if ev.event_id != self.image.event_id {
            return FeedOutcome::Rejected {
                reason: FeedRejection::WrongEvent,
            };
        }
        if ev.ts.abs_diff(now_ms) > self.config.max_ts_drift_ms {
            return FeedOutcome::Rejected {
                reason: FeedRejection::ClockDrift,
            };
        }
        let src = ev.source;
        let cap = self.config.reorder_capacity;
        let gap_timeout = self.config.gap_timeout_ms;
        let s = &mut self.sources[src.index()];
        s.last_msg_ms = Some(now_ms);
        match s.last_seq {
            Some(last) if ev.seq <= last => return FeedOutcome::Duplicate,
            Some(last) if ev.seq > last + 1 => {
                if s.held.contains_key(&ev.seq) {
                    return FeedOutcome::Duplicate;
                }
                if s.held.len() >= cap {
                    return FeedOutcome::Rejected {
                        reason: FeedRejection::SeqGap,
                    };
                }
                s.held.insert(ev.seq, ev);
                s.gap_deadline_ms
                    .get_or_insert(now_ms.saturating_add(gap_timeout));
                return FeedOutcome::Held;
            }
            _ => {}
        }
        s.last_seq = Some(ev.seq);
        let outcome = self.process(ev, now_ms, out);
        self.drain(src, now_ms, out);
        outcome
    }

    /// Applies held messages that are now in sequence.
    fn drain(&mut self, src: Source, now_ms: u64, out: &mut Output) {
        loop {
            let s = &mut self.sources[src.index()];
            // Nothing follows the last seq there is.
            let Some(next) = s.last_seq.map_or(Some(0), |l| l.checked_add(1)) else {
                break;
            };
            let Some(ev) = s.held.remove(&next) else {
                break;
            };
            s.last_seq = Some(next);
            self.process(ev, now_ms, out);
        }
        let s = &mut self.sources[src.index()];
        if s.held.is_empty() {
            s.gap_deadline_ms = None;
        }
    }

    /// Validates and applies one in-sequence message.
    fn process(&mut self, ev: FeedEvent, now_ms: u64, out: &mut Output) -> FeedOutcome {
        let src = ev.source;
        if let Some(clock) = ev.clock_ms {
            let mut last = self.sources[src.index()].last_clock_ms;
            // The second half restarts the clock at 45:00, whatever stoppage the first half had.
            if matches!(ev.kind, FeedKind::PeriodStart { period: 2 }) {
                last = last.min(HALF_MS);
            }
            if clock.saturating_add(self.config.clock_tolerance_ms) < last {
                return FeedOutcome::Rejected {
                    reason: FeedRejection::ClockBackwards,
                };
            }
            if self.in_play()
                && clock.abs_diff(self.image.clock.clock_at(now_ms))
                    > self.config.max_clock_drift_ms
            {
                let is_sync = matches!(ev.kind, FeedKind::Clock { .. });
                let refusals = &mut self.sources[src.index()].drift_refusals;
                if !is_sync || *refusals < DRIFT_REFUSALS_BEFORE_RESYNC {
                    if is_sync {
                        *refusals += 1;
                    }
                    return FeedOutcome::Rejected {
                        reason: FeedRejection::ClockDrift,
                    };
                }
            }
            self.sources[src.index()].drift_refusals = 0;
            self.sources[src.index()].last_clock_ms = last.max(clock);
        }
        // Any good message from a source ends a feed outage.
        if self.has(SuspensionReason::FeedStale) && self.pending_goal.is_none() {
            self.lift(SuspensionReason::FeedStale);
        }
        if self.is_duplicate_of_other_source(&ev, now_ms) {
            return FeedOutcome::Duplicate;
        }
        match self.transition(&ev, now_ms, out) {
            Ok(()) => {
                self.remember(&ev);
                FeedOutcome::Accepted
            }
            Err(reason) => FeedOutcome::Rejected { reason },
        }
    }

    fn is_duplicate_of_other_source(&mut self, ev: &FeedEvent, now_ms: u64) -> bool {
        let kind = ev.kind.name();
        if matches!(
            ev.kind,
            FeedKind::Clock { .. } | FeedKind::Heartbeat { .. } | FeedKind::Danger { .. }
        ) {
            return false;
        }
        let clock = ev.clock_ms.unwrap_or(0);
        let window = self.config.dedupe_window_ms;
        let team = ev.kind.team();
        let hit = self.facts.iter_mut().find(|f| {
            !f.matched
                && f.source != ev.source
                && f.kind == kind
                && f.team == team
                && f.clock_ms.abs_diff(clock) <= window
        });
        let Some(f) = hit else { return false };
        f.matched = true;
        // The other source confirms a goal it was waiting for.
        if let (FeedKind::Goal { team, .. }, Some(g)) = (&ev.kind, self.pending_goal)
            && g.team == *team
            && g.source != ev.source
        {
            self.confirm_goal(now_ms);
        }
        true
    }

    fn remember(&mut self, ev: &FeedEvent) {
        if matches!(
            ev.kind,
            FeedKind::Clock { .. } | FeedKind::Heartbeat { .. } | FeedKind::Danger { .. }
        ) {
            return;
        }
        if self.facts.len() >= MAX_FACTS {
            self.facts.remove(0);
        }
        self.facts.push(Fact {
            kind: ev.kind.name(),
            team: ev.kind.team(),
            clock_ms: ev.clock_ms.unwrap_or(0),
            source: ev.source,
            matched: false,
        });
    }

    fn transition(
        &mut self,
        ev: &FeedEvent,
        now_ms: u64,
        out: &mut Output,
    ) -> Result<(), FeedRejection> {
        use FeedRejection::*;
        let period = self.image.state.period;
        if !self.is_live() {
            return Err(MatchOver);
        }
        let clock = ev.clock_ms.unwrap_or(0);
        match &ev.kind {
            FeedKind::Fixture {
                home,
                away,
                kickoff_ms,
                params,
            } => {
                if period != Period::PreMatch {
                    return Err(InvalidTransition);
                }
                params.validate().map_err(|_| InvalidParams)?;
                self.push(DeltaOp::Fixture(Fixture {
                    home: home.clone(),
                    away: away.clone(),
                    kickoff_ms: *kickoff_ms,
                }));
                self.push(DeltaOp::Params(*params));
            }
            FeedKind::Kickoff => {
                if period != Period::PreMatch {
                    return Err(InvalidTransition);
                }
                self.set_state(|s| s.period = Period::FirstHalf);
                self.set_clock(clock.min(HALF_MS), now_ms, true);
                self.material();
            }
            FeedKind::PeriodEnd { period: 1 } => {
                if period != Period::FirstHalf {
                    return Err(InvalidTransition);
                }
                self.set_state(|s| s.period = Period::HalfTime);
                self.set_clock(clock, now_ms, false);
                let score = self.image.state.score;
                self.push(DeltaOp::HalfTime(Some(score)));
                self.suspend(
                    SuspensionReason::PeriodEnd,
                    None,
                    now_ms,
                    Some(now_ms.saturating_add(self.config.cool_off_ms)),
                );
                self.material();
                self.settle_bets(now_ms, out, true);
            }
            FeedKind::PeriodStart { period: 2 } => {
                if period != Period::HalfTime {
                    return Err(InvalidTransition);
                }
                self.set_state(|s| s.period = Period::SecondHalf);
                self.set_clock(clock.max(HALF_MS), now_ms, true);
                for s in &mut self.sources {
                    s.last_clock_ms = s.last_clock_ms.min(clock.max(HALF_MS));
                }
                self.material();
            }
            FeedKind::PeriodEnd { period: 2 } | FeedKind::MatchEnd => {
                if period != Period::SecondHalf {
                    return Err(InvalidTransition);
                }
                self.set_state(|s| s.period = Period::FullTime);
                self.set_clock(clock, now_ms, false);
                self.pending_goal = None;
                self.push(DeltaOp::Suspensions(Vec::new()));
                self.material();
                self.settle_bets(now_ms, out, false);
            }
            FeedKind::PeriodStart { .. } | FeedKind::PeriodEnd { .. } => {
                return Err(InvalidTransition);
            }
            FeedKind::Goal { team, score } => {
                if !self.in_play() {
                    return Err(InvalidTransition);
                }
                let mut after = self.image.state.score;
                bump(&mut after, *team, 1);
                if let Some(reported) = score
                    && *reported != after
                {
                    return Err(ScoreJump);
                }
                if let Some(g) = self.pending_goal {
                    // The same source reports another goal: it stands by the first.
                    if g.source == ev.source {
                        self.confirm_goal(now_ms);
                    }
                }
                self.suspend(SuspensionReason::Goal, Some(*team), now_ms, None);
                self.pending_goal = Some(PendingGoal {
                    team: *team,
                    source: ev.source,
                    clock_ms: clock,
                    deadline_ms: now_ms.saturating_add(self.config.confirm_window_ms),
                });
                // Without a live second source there is nobody to wait for.
                if !self.source_alive(ev.source.other(), now_ms) {
                    self.confirm_goal(now_ms);
                }
            }
            FeedKind::GoalCancelled { team } => {
                if self.pending_goal.is_some_and(|g| g.team == *team) {
                    self.pending_goal = None;
                    self.lift(SuspensionReason::Goal);
                    self.lift(SuspensionReason::SourceDiscrepancy);
                } else if let Some(pos) = self.image.goals.iter().rposition(|g| g.team == *team) {
                    let mut goals = self.image.goals.clone();
                    goals.remove(pos);
                    self.push(DeltaOp::Goals(goals));
                    self.set_state(|s| bump(&mut s.score, *team, -1));
                    self.lift(SuspensionReason::Goal);
                    self.material();
                } else {
                    return Err(InvalidTransition);
                }
                self.suspend(
                    SuspensionReason::Var,
                    Some(*team),
                    now_ms,
                    Some(now_ms.saturating_add(self.config.cool_off_ms)),
                );
            }
            FeedKind::PenaltyAwarded { team } => {
                if !self.in_play() {
                    return Err(InvalidTransition);
                }
                self.suspend(SuspensionReason::Penalty, Some(*team), now_ms, None);
            }
            FeedKind::PenaltyMissed { .. } => {
                if !self.has(SuspensionReason::Penalty) {
                    return Err(InvalidTransition);
                }
                self.cool_off(SuspensionReason::Penalty, now_ms);
            }
            FeedKind::RedCard { team } => {
                if period == Period::PreMatch {
                    return Err(InvalidTransition);
                }
                let cards = match team {
                    Team::Home => self.image.state.red_cards.home,
                    Team::Away => self.image.state.red_cards.away,
                };
                if cards >= 5 {
                    return Err(InvalidTransition);
                }
                self.set_state(|s| match team {
                    Team::Home => s.red_cards.home += 1,
                    Team::Away => s.red_cards.away += 1,
                });
                self.suspend(
                    SuspensionReason::RedCard,
                    Some(*team),
                    now_ms,
                    Some(now_ms.saturating_add(self.config.cool_off_ms)),
                );
                self.material();
            }
            FeedKind::VarCheckStart => {
                if !self.in_play() {
                    return Err(InvalidTransition);
                }
                self.suspend(SuspensionReason::Var, None, now_ms, None);
            }
            FeedKind::VarCheckEnd => {
                if !self.has(SuspensionReason::Var) {
                    return Err(InvalidTransition);
                }
                self.cool_off(SuspensionReason::Var, now_ms);
            }
            FeedKind::Danger { team } => {
                if !self.in_play() {
                    return Err(InvalidTransition);
                }
                self.suspend(
                    SuspensionReason::Danger,
                    *team,
                    now_ms,
                    Some(now_ms.saturating_add(self.config.danger_ms)),
                );
            }
            FeedKind::Clock { running } => {
                if !self.in_play() {
                    return Err(InvalidTransition);
                }
                if ev.source == Source::Primary || !self.source_alive(Source::Primary, now_ms) {
                    self.set_clock(clock, now_ms, *running);
                }
            }
            FeedKind::Heartbeat { score } => {
                let ours = self.image.state.score;
                let s = &mut self.sources[ev.source.index()];
                match score {
                    Some(theirs) if *theirs != ours => {
                        s.disagrees_since_ms.get_or_insert(now_ms);
                    }
                    Some(_) => s.disagrees_since_ms = None,
                    None => {}
                }
                if self.sources.iter().all(|s| s.disagrees_since_ms.is_none())
                    && self.pending_goal.is_none()
                {
                    self.lift(SuspensionReason::SourceDiscrepancy);
                }
            }
            FeedKind::Abandoned => {
                self.push(DeltaOp::Abandoned(true));
                self.pending_goal = None;
                self.push(DeltaOp::Suspensions(Vec::new()));
                self.settle_bets(now_ms, out, false);
            }
        }
        Ok(())
    }

    fn confirm_goal(&mut self, now_ms: u64) {
        let Some(g) = self.pending_goal.take() else {
            return;
        };
        let mut goals = self.image.goals.clone();
        goals.push(GoalRecord {
            team: g.team,
            clock_ms: g.clock_ms,
        });
        self.push(DeltaOp::Goals(goals));
        self.set_state(|s| bump(&mut s.score, g.team, 1));
        self.lift(SuspensionReason::SourceDiscrepancy);
        for s in &mut self.sources {
            s.disagrees_since_ms = None;
        }
        if !self.has(SuspensionReason::Goal) {
            self.suspend(SuspensionReason::Goal, Some(g.team), now_ms, None);
        }
        self.cool_off(SuspensionReason::Goal, now_ms);
        self.material();
    }

    /// Marks the next version as one that invalidates what bettors saw before it.
    fn material(&mut self) {
        self.material_seq = self.version.seq + 1;
    }

    fn manual(&mut self, market: Option<MarketKey>, suspend: bool, now_ms: u64) {
        match (market, suspend) {
            (None, true) => self.suspend(SuspensionReason::Manual, None, now_ms, None),
            (None, false) => self.lift(SuspensionReason::Manual),
            (Some(key), on) => {
                let mut v = self.image.overrides.clone();
                v.retain(|(k, _)| *k != key);
                if on {
                    v.push((
                        key,
                        MarketStatus::Suspended {
                            reason: SuspensionReason::Manual,
                        },
                    ));
                    self.last_suspended_ms = Some(now_ms);
                }
                if v != self.image.overrides {
                    self.push(DeltaOp::Overrides(v));
                }
            }
        }
    }

    // ----- bets -----

    fn on_bet(&mut self, req: &BetRequest, now_ms: u64) -> BetDecision {
        if let Some(existing) = self.bets.get(&req.bet_id) {
            return existing.decision.clone();
        }
        let decision = self.decide(req, now_ms);
        let reserved = match decision.status {
            BetStatus::Rejected { .. } => 0,
            _ => net_win(req.stake, decision.price.unwrap_or(0.0)),
        };
        if reserved > 0 {
            self.reserve(req.market, req.selection, reserved as i128);
        }
        if decision.status == BetStatus::Pending {
            self.pending_bets.push(req.bet_id.clone());
        }
        self.bets.insert(
            req.bet_id.clone(),
            BetRecord {
                request: req.clone(),
                decision: decision.clone(),
                placed_at_ms: now_ms,
                reserved,
                score_at_bet: self.image.state.score,
                goals_at_bet: self.image.goals.len(),
                settlement: None,
            },
        );
        decision
    }

    fn decide(&self, req: &BetRequest, now_ms: u64) -> BetDecision {
        let mut d = BetDecision {
            bet_id: req.bet_id.clone(),
            user_id: req.user_id.clone(),
            status: BetStatus::Accepted,
            price: None,
            release_at_ms: None,
            version: self.version,
            decided_at_ms: now_ms,
        };
        let reject = |mut d: BetDecision, code| {
            d.status = BetStatus::Rejected { code };
            d
        };
        let Some(book) = self.prices(now_ms) else {
            return reject(d, RejectCode::MarketClosed);
        };
        let offered = match check_bet(&self.image, &book, self.version, req) {
            Ok(p) => p,
            Err(code) => return reject(d, code),
        };
        if req.seen_version.seq < self.material_seq {
            return reject(d, RejectCode::StaleVersion);
        }
        let net = net_win(req.stake, offered);
        if self.exceeds_liability(req.market, req.selection, net) {
            return reject(d, RejectCode::LiabilityExceeded);
        }
        d.price = Some(offered);
        let delay = self.image.trading.bet_delay_ms;
        if self.is_live() && self.image.state.period != Period::PreMatch && delay > 0 {
            d.status = BetStatus::Pending;
            d.release_at_ms = Some(now_ms.saturating_add(delay));
        }
        d
    }

    fn exceeds_liability(&self, market: MarketKey, selection: SelectionKey, extra: u64) -> bool {
        let t = &self.image.trading;
        let sel = self
            .liability
            .get(&(market, selection))
            .copied()
            .unwrap_or(0);
        let mkt = self.market_liability.get(&market).copied().unwrap_or(0);
        sel.saturating_add(extra) > t.max_selection_liability
            || mkt.saturating_add(extra) > t.max_market_liability
    }

    fn reserve(&mut self, market: MarketKey, selection: SelectionKey, delta: i128) {
        let add = |v: &mut u64| *v = (*v as i128 + delta).clamp(0, u64::MAX as i128) as u64;
        add(self.liability.entry((market, selection)).or_insert(0));
        add(self.market_liability.entry(market).or_insert(0));
    }

    /// Decides delayed bets whose delay is over.
    fn release_bets(&mut self, now_ms: u64, out: &mut Output) {
        if self.pending_bets.is_empty() {
            return;
        }
        let due: Vec<String> = self
            .pending_bets
            .iter()
            .filter(|id| {
                self.bets
                    .get(*id)
                    .and_then(|b| b.decision.release_at_ms)
                    .is_some_and(|r| now_ms >= r)
            })
            .cloned()
            .collect();
        if due.is_empty() {
            return;
        }
        self.pending_bets.retain(|id| !due.contains(id));
        let book = self.prices(now_ms);
        for id in due {
            let Some(rec) = self.bets.get(&id) else {
                continue;
            };
            let (req, placed, reserved, mut decision) = (
                rec.request.clone(),
                rec.placed_at_ms,
                rec.reserved,
                rec.decision.clone(),
            );
            self.reserve(req.market, req.selection, -(reserved as i128));
            let verdict = self.release_verdict(&req, placed, book.as_ref());
            decision.decided_at_ms = now_ms;
            decision.version = self.version;
            decision.release_at_ms = None;
            let mut new_reserved = 0;
            match verdict {
                Ok(price) => {
                    decision.status = BetStatus::Accepted;
                    decision.price = Some(price);
                    new_reserved = net_win(req.stake, price);
                    self.reserve(req.market, req.selection, new_reserved as i128);
                }
                Err(code) => decision.status = BetStatus::Rejected { code },
            }
            let score = self.image.state.score;
            let goals = self.image.goals.len();
            if let Some(rec) = self.bets.get_mut(&id) {
                rec.decision = decision.clone();
                rec.reserved = new_reserved;
                rec.score_at_bet = score;
                rec.goals_at_bet = goals;
            }
            self.hidden_change = true;
            out.decisions.push(decision);
        }
    }

    fn release_verdict(
        &self,
        req: &BetRequest,
        placed_ms: u64,
        book: Option<&MarketBook>,
    ) -> Result<f64, RejectCode> {
        if self.last_suspended_ms.is_some_and(|t| t >= placed_ms) {
            return Err(RejectCode::MarketSuspended);
        }
        let book = book.ok_or(RejectCode::MarketClosed)?;
        match self.image.market_status(req.market) {
            MarketStatus::Open => {}
            MarketStatus::Suspended { .. } => return Err(RejectCode::MarketSuspended),
            _ => return Err(RejectCode::MarketClosed),
        }
        let offered = book
            .selection(req.market, req.selection)
            .and_then(|s| s.odds)
            .ok_or(RejectCode::MarketClosed)?;
        price_acceptable(req.price, offered, req.policy)?;
        if self.exceeds_liability(req.market, req.selection, net_win(req.stake, offered)) {
            return Err(RejectCode::LiabilityExceeded);
        }
        Ok(offered)
    }

    /// Settles accepted bets (only first-half markets when `first_half_only`); pending bets on
    /// markets that close are refused.
    fn settle_bets(&mut self, now_ms: u64, out: &mut Output, first_half_only: bool) {
        let in_scope = |m: MarketKey| !first_half_only || m.is_first_half();
        let closing: Vec<String> = self
            .pending_bets
            .iter()
            .filter(|id| {
                self.bets
                    .get(*id)
                    .is_some_and(|b| in_scope(b.request.market))
            })
            .cloned()
            .collect();
        self.pending_bets.retain(|id| !closing.contains(id));
        for id in closing {
            if let Some(rec) = self.bets.get_mut(&id) {
                rec.decision.status = BetStatus::Rejected {
                    code: RejectCode::MarketClosed,
                };
                rec.decision.decided_at_ms = now_ms;
                rec.decision.release_at_ms = None;
                out.decisions.push(rec.decision.clone());
            }
        }
        let image = &self.image;
        for rec in self.bets.values_mut() {
            if rec.settlement.is_some()
                || rec.decision.status != BetStatus::Accepted
                || !in_scope(rec.request.market)
            {
                continue;
            }
            let facts = SettlementFacts {
                final_score: image.state.score,
                half_time: image.half_time,
                score_at_bet: rec.score_at_bet,
                next_goal: image.goals.get(rec.goals_at_bet).map(|g| g.team),
            };
            let result = if image.abandoned {
                SettlementResult::Void
            } else {
                settle(rec.request.market, rec.request.selection, &facts)
            };
            let price = rec.decision.price.unwrap_or(1.0);
            let s = Settlement {
                bet_id: rec.request.bet_id.clone(),
                user_id: rec.request.user_id.clone(),
                result,
                payout: result.payout(rec.request.stake, price),
            };
            rec.settlement = Some(s.clone());
            out.settlements.push(s);
        }
    }
}

fn bump(score: &mut Score, team: Team, by: i8) {
    let g = match team {
        Team::Home => &mut score.home,
        Team::Away => &mut score.away,
    };
    *g = if by >= 0 {
        g.saturating_add(by as u8).min(30)
    } else {
        g.saturating_sub(by.unsigned_abs())
    };
}

fn validate_terms(t: &TradingTerms) -> Result<(), &'static str> {
    if !(t.margin.is_finite() && (0.0..0.5).contains(&t.margin)) {
        return Err("trading.margin must be in [0, 0.5)");
    }
    if t.min_stake == 0 || t.min_stake > t.max_stake {
        return Err("trading stakes: need 0 < min_stake <= max_stake");
    }
    if t.bet_delay_ms > 60_000 {
        return Err("trading.bet_delay_ms above 60 s");
    }
    Ok(())
}
