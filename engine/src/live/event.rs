//! [`LiveEvent`]: one match's single-writer state machine. Inputs with their wall time go in;
//! feed results, bet decisions, settlements, one delta and one audit entry come out.
//!
//! Before every input the event first catches up with time (`run_timers`): cool-offs end, the
//! feed watchdog fires, unconfirmed goals and settlement facts are judged, out-of-order feed messages
//! stop waiting and delayed bets are decided. So the state at an instant never depends on when a
//! host's alarm ran.
//!
//! The state machine is split by concern over sibling modules, each an `impl LiveEvent` block:
//! `sources` (feed intake and two-source arbitration), `transitions` (what each feed kind and each
//! trader action does), `ledger` (bets, liabilities, settlement) and `checkpoint` (the full state
//! as bytes). This module holds the state, time, and the image operations every change goes through.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::audit::{AuditEntry, Hash};
use super::bet::BetDecision;
use super::image::{
    ClockAnchor, Delta, DeltaOp, FootballImage, MarketStatus, MatchImage, Snapshot, SportImage,
    Suspension, SuspensionReason, TradingTerms, Version,
};
use super::ledger::BetRecord;
use super::opening::{LiveConfig, Opening};
use super::outcome::{FeedResult, Input, LiveError, Output};
use super::settle::Settlement;
use super::sources::{Claim, Fact, PendingGoal, SourceState};
use super::sport::SportParams;
use super::tennis::TennisLive;
use crate::football::{MatchState, Period};
use crate::market::{Market, MarketBook, MarketKey, SelectionKey};

/// One match's live state.
///
/// Hosts save it with [`LiveEvent::checkpoint`]: its serde form is the state every sport shares
/// (exactly football's bytes), and the checkpoint adds a tennis event's points after it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LiveEvent {
    pub(super) image: MatchImage,
    pub(super) version: Version,
    pub(super) config: LiveConfig,
    pub(super) created_ms: u64,
    pub(super) sources: [SourceState; 2],
    pub(super) pending_goal: Option<PendingGoal>,
    /// A settlement fact (half-time, full time, abandonment) one source reported, waiting for the
    /// other.
    pub(super) claim: Option<Claim>,
    pub(super) facts: Vec<Fact>,
    pub(super) bets: BTreeMap<String, BetRecord>,
    /// Bets in their in-play delay, by (release time, arrival): released in arrival order, and
    /// the next release is the first key, so a burst of pending bets costs no scan per input.
    pub(super) pending_bets: BTreeMap<(u64, u64), String>,
    /// Bets taken so far (any status): the arrival number of the next one.
    pub(super) arrivals: u64,
    pub(super) liability: BTreeMap<(MarketKey, SelectionKey), u64>,
    pub(super) market_liability: BTreeMap<MarketKey, u64>,
    pub(super) last_suspended_ms: Option<u64>,
    pub(super) material_seq: u64,
    pub(super) audit_head: Hash,
    pub(super) audit_len: u64,
    /// A tennis event's points (empty for football), written by `checkpoint` after the rest.
    #[serde(skip)]
    pub(super) tennis: TennisLive,
    /// Wall time the version was made (ms): the stream's deltas carry their time relative to it.
    /// Written by `checkpoint` last.
    #[serde(skip)]
    pub(super) version_ms: u64,
    // Per-input scratch: not state.
    #[serde(skip)]
    pub(super) ops: Vec<DeltaOp>,
    #[serde(skip)]
    pub(super) hidden_change: bool,
    /// The last book priced for bets, at (image unchanged since, `now_ms`): a batch of bets that
    /// arrives at one instant prices once. Dropped by every image change.
    #[serde(skip)]
    pub(super) book_cache: Option<(u64, MarketBook)>,
    /// The instant a lone bet last priced its market alone.
    #[serde(skip)]
    pub(super) single_priced_at: Option<u64>,
}

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
        if !(1..=1_000).contains(&opening.config.clock_rate) {
            return Err(LiveError::InvalidOpening(
                "config.clock_rate must be in 1..=1000",
            ));
        }
        let sport = match opening.params {
            SportParams::Football(params) => SportImage::Football(FootballImage {
                params,
                state: MatchState::pre_match(),
                goals: Vec::new(),
                half_time: None,
            }),
            #[cfg(feature = "tennis")]
            SportParams::Tennis(params) => {
                SportImage::Tennis(super::tennis::TennisImage::pre_match(params))
            }
            #[cfg(not(feature = "tennis"))]
            SportParams::Tennis(_) => {
                return Err(LiveError::InvalidOpening("this build does not run tennis"));
            }
        };
        let image = MatchImage {
            event_id: opening.event_id.clone(),
            fixture: opening.fixture.clone(),
            sport,
            clock: ClockAnchor {
                clock_ms: 0,
                at_ms: now_ms,
                running: false,
                rate: opening.config.clock_rate,
            },
            suspensions: Vec::new(),
            overrides: Vec::new(),
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
            claim: None,
            facts: Vec::new(),
            bets: BTreeMap::new(),
            pending_bets: BTreeMap::new(),
            arrivals: 0,
            liability: BTreeMap::new(),
            market_liability: BTreeMap::new(),
            last_suspended_ms: None,
            material_seq: 0,
            audit_head: Hash::default(),
            audit_len: 0,
            tennis: TennisLive::default(),
            version_ms: now_ms,
            ops: Vec::new(),
            hidden_change: false,
            book_cache: None,
            single_priced_at: None,
        };
        let entry = ev.log(
            now_ms,
            Input::Open(Box::new(opening)),
            None,
            Vec::new(),
            Vec::new(),
        );
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
        ev.replay_tail(it)?;
        Ok(ev)
    }

    /// Applies logged entries that follow this state, requiring each to reproduce bit for bit
    /// (the same index, version, results and hash chained to this state's head).
    pub fn replay_tail<'a>(
        &mut self,
        entries: impl IntoIterator<Item = &'a AuditEntry>,
    ) -> Result<(), LiveError> {
        for stored in entries {
            if stored.index != self.audit_len || stored.prev != self.audit_head {
                return Err(LiveError::Diverged {
                    index: stored.index,
                });
            }
            let out = self.apply(stored.input.clone(), stored.now_ms);
            if out.audit.map(|a| a.to_bytes()) != Some(stored.to_bytes()) {
                return Err(LiveError::Diverged {
                    index: stored.index,
                });
            }
        }
        Ok(())
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
            at_ms: self.version_ms,
        }
    }
    /// Hash of the last log entry.
    pub fn audit_head(&self) -> Hash {
        self.audit_head
    }
    /// Number of log entries so far (the index the next one gets).
    pub fn audit_len(&self) -> u64 {
        self.audit_len
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
    /// The request a bet was placed with (what a retry of the same bet must repeat).
    pub fn bet_request(&self, bet_id: &str) -> Option<&super::bet::BetRequest> {
        self.bets.get(bet_id).map(|b| &b.request)
    }
    /// Settlement of a bet, once settled.
    pub fn settlement(&self, bet_id: &str) -> Option<&Settlement> {
        self.bets.get(bet_id).and_then(|b| b.settlement.as_ref())
    }
    /// Number of bets taken (any status).
    pub fn bet_count(&self) -> usize {
        self.bets.len()
    }
    /// Bets waiting out the in-play delay.
    pub fn pending_bet_count(&self) -> usize {
        self.pending_bets.len()
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
        let witness_falls_silent = |source: super::feed::Source| {
            self.sources[source.other().index()].last_msg_ms.map(|t| {
                t.saturating_add(self.config.stale_after_ms)
                    .saturating_add(1)
            })
        };
        if let Some(g) = self.pending_goal {
            if discrepancy {
                // Waiting for the other source to confirm, or to fall silent (then the goal stands).
                if let Some(t) = witness_falls_silent(g.source) {
                    at(t);
                }
            } else {
                at(g.deadline_ms);
            }
        }
        if let Some(c) = &self.claim {
            match c.deadline_ms {
                Some(d) => at(d),
                None if c.fact.stands_alone() => {
                    if let Some(t) = witness_falls_silent(c.source) {
                        at(t);
                    }
                }
                None => {}
            }
        }
        if let Some(t) = self.points_wakeup() {
            at(t);
        }
        if let Some((&(release_at, _), _)) = self.pending_bets.first_key_value() {
            at(release_at);
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
            Input::Open(_) | Input::Tick => {}
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
            Input::Suspend { market } => self.manual(*market, true, now_ms),
            Input::Resume { market } => self.manual(*market, false, now_ms),
            Input::Trading(t) => {
                if validate_terms(t).is_ok() {
                    self.push(DeltaOp::Trading(*t));
                }
            }
            Input::Abandon => self.trader_abandons(now_ms, &mut out),
            Input::Resettle(correction) => self.resettle(correction, now_ms, &mut out),
            Input::ConfirmSource { source } => self.confirm_source(*source, now_ms, &mut out),
            Input::CancelGoal { team } => {
                if self.in_play() && self.image.football().is_some() {
                    let _ = self.cancel_goal(*team, now_ms);
                }
            }
            Input::SetParams(params) => self.set_params(*params),
            Input::SetTennisParams(params) => self.set_tennis_params(*params),
            Input::VoidBet { bet_id } => self.void_bet(bet_id, &mut out),
            Input::EndMatch => {
                if self
                    .image
                    .football()
                    .is_some_and(|f| f.state.period == Period::SecondHalf)
                {
                    let clock = self.image.clock.clock_at(now_ms);
                    self.claim = None;
                    self.settle_fact(
                        super::sources::SettlementFact::FullTime,
                        clock,
                        now_ms,
                        &mut out,
                    );
                }
            }
        }
        if !self.ops.is_empty() {
            self.version.seq += 1;
            out.delta = Some(Delta {
                version: self.version,
                prev_at_ms: self.version_ms,
                at_ms: now_ms,
                ops: core::mem::take(&mut self.ops),
            });
            self.version_ms = now_ms;
        }
        if out.delta.is_some()
            || self.hidden_change
            || !out.decisions.is_empty()
            || !out.settlements.is_empty()
        {
            out.audit = Some(self.log(
                now_ms,
                input,
                out.feed,
                out.decisions.clone(),
                out.settlements.clone(),
            ));
        }
        out
    }

    fn log(
        &mut self,
        now_ms: u64,
        input: Input,
        feed: Option<FeedResult>,
        decisions: Vec<BetDecision>,
        settlements: Vec<Settlement>,
    ) -> AuditEntry {
        let e = AuditEntry::new(
            self.audit_len,
            now_ms,
            input,
            feed,
            decisions,
            settlements,
            self.version,
            self.audit_head,
        );
        self.audit_head = e.hash;
        self.audit_len += 1;
        e
    }

    /// The book bets are checked against at `now_ms`, priced once per instant and image.
    pub(super) fn book_at(&mut self, now_ms: u64) -> Option<&MarketBook> {
        if self.book_cache.as_ref().is_none_or(|(t, _)| *t != now_ms) {
            let book = self.image.prices(now_ms).ok()?;
            self.book_cache = Some((now_ms, book));
        }
        self.book_cache.as_ref().map(|(_, b)| b)
    }

    /// One market at `now_ms` (`Ok(None)`: the book has no such market now; `Err`: the state
    /// cannot be priced). A bet checks one market, so a lone bet prices only that one; a second bet
    /// at the same instant prices the whole book once for every bet that follows (a batch).
    pub(super) fn market_at(&mut self, now_ms: u64, key: MarketKey) -> Result<Option<Market>, ()> {
        let warm = self.book_cache.as_ref().is_some_and(|(t, _)| *t == now_ms);
        if warm || self.single_priced_at == Some(now_ms) {
            let book = self.book_at(now_ms).ok_or(())?;
            return Ok(book.market(key).cloned());
        }
        self.single_priced_at = Some(now_ms);
        self.image.price_market(now_ms, key).map_err(|_| ())
    }

    // ----- image changes: every change goes through an op, applied here exactly as clients do -----

    pub(super) fn push(&mut self, op: DeltaOp) {
        self.image.apply(&op);
        self.book_cache = None;
        // One op per field per delta: a later change to the same field replaces the earlier.
        let d = core::mem::discriminant(&op);
        self.ops.retain(|o| core::mem::discriminant(o) != d);
        self.ops.push(op);
    }

    /// Whether a point can go into the delta being built as a [`DeltaOp::Point`]: only while no
    /// op before it replaced a field the point's scoring reads or writes, since ops replacing a
    /// field move to the delta's end (and a second point op would replace the first).
    #[cfg(feature = "tennis")]
    pub(super) fn scores_by_point(&self) -> bool {
        !self.ops.iter().any(|o| {
            matches!(
                o,
                DeltaOp::Point(_)
                    | DeltaOp::Points(_)
                    | DeltaOp::Games(_)
                    | DeltaOp::Server(_)
                    | DeltaOp::Sets(_)
                    | DeltaOp::Phase(_)
                    | DeltaOp::TennisParams(_)
            )
        })
    }

    /// Football's state, changed by `f` (nothing for another sport).
    pub(super) fn set_state(&mut self, f: impl FnOnce(&mut MatchState)) {
        let Some(fb) = self.image.football() else {
            return;
        };
        let mut s = fb.state;
        f(&mut s);
        if s != fb.state {
            self.push(DeltaOp::State(s));
        }
    }

    /// Football's image (the football rules only run for football events).
    pub(super) fn fb(&self) -> Option<&FootballImage> {
        self.image.football()
    }

    pub(super) fn set_clock(&mut self, clock_ms: u64, now_ms: u64, running: bool) {
        let c = ClockAnchor {
            clock_ms,
            at_ms: now_ms,
            running,
            rate: self.config.clock_rate,
        };
        self.set_state(|s| s.clock_ms = clock_ms);
        self.push(DeltaOp::Clock(c));
    }

    pub(super) fn has(&self, reason: SuspensionReason) -> bool {
        self.image.suspensions.iter().any(|s| s.reason == reason)
    }

    pub(super) fn suspend(
        &mut self,
        reason: SuspensionReason,
        team: Option<crate::market::Team>,
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
    pub(super) fn cool_off(&mut self, reason: SuspensionReason, now_ms: u64) {
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

    pub(super) fn lift(&mut self, reason: SuspensionReason) {
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

    pub(super) fn is_live(&self) -> bool {
        !self.image.is_over()
    }

    /// The ball is in play: football's halves, tennis between its first and last point.
    pub(super) fn in_play(&self) -> bool {
        match &self.image.sport {
            SportImage::Football(f) => {
                matches!(f.state.period, Period::FirstHalf | Period::SecondHalf)
            }
            #[cfg(feature = "tennis")]
            SportImage::Tennis(t) => t.phase == super::tennis::TennisPhase::InPlay,
        }
    }

    /// The match has started (bets now wait out the in-play delay).
    pub(super) fn started(&self) -> bool {
        match &self.image.sport {
            SportImage::Football(f) => f.state.period != Period::PreMatch,
            #[cfg(feature = "tennis")]
            SportImage::Tennis(t) => t.phase != super::tennis::TennisPhase::PreMatch,
        }
    }

    /// Marks the next version as one that invalidates what bettors saw before it.
    pub(super) fn material(&mut self) {
        self.material_seq = self.version.seq + 1;
    }

    // ----- time -----

    fn run_timers(&mut self, now_ms: u64, out: &mut Output) {
        self.run_source_timers(now_ms, out);
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
}

pub(super) fn validate_terms(t: &TradingTerms) -> Result<(), &'static str> {
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
