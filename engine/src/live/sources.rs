//! Feed intake and arbitration between the two sources.
//!
//! Each source's messages are taken in its own sequence order (out-of-order ones are held until the
//! gap fills or times out), checked against the clock, and recognised when they repeat what the
//! other source already said. Facts that move money wait for the other source:
//! - a **goal** from one source suspends at once and waits `confirm_window_ms` for the other; a
//!   silent other source lets it stand, a live one that does not agree raises `source_discrepancy`;
//! - a **settlement fact** (half-time, full time, abandonment; tennis: a retirement) is a [`Claim`]
//!   under the same rule, with two more: a full time (or half-time) reported before the regulation
//!   time plus `min_stoppage_ms` could have run is refused unless both sources report it, and an
//!   abandonment or a retirement never stands on one source's word (it needs both, or a trader);
//! - a tennis **point** waits for the other source the same way (see `tennis`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::event::LiveEvent;
use super::feed::{FeedEvent, FeedKind, Source};
use super::image::SuspensionReason;
use super::outcome::{FeedOutcome, FeedRejection, Output};
use super::sport::Sport;
use super::tennis::side;
use crate::football::{HALF_MS, Period, Score};
use crate::market::Team;
use crate::tennis::Player;

/// What the event knows about one source.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct SourceState {
    pub(super) last_seq: Option<u64>,
    pub(super) last_msg_ms: Option<u64>,
    pub(super) last_clock_ms: u64,
    pub(super) held: BTreeMap<u64, FeedEvent>,
    pub(super) gap_deadline_ms: Option<u64>,
    /// Since when this source's reported score disagrees with ours.
    pub(super) disagrees_since_ms: Option<u64>,
    /// Clock syncs in a row refused for drift: a source that keeps insisting is believed.
    pub(super) drift_refusals: u8,
    /// The score this source last reported (heartbeats), for a trader who believes it.
    pub(super) reported_score: Option<Score>,
}

/// Consecutive drift-refused clock syncs from one source after which the next one re-anchors the
/// clock: one bogus sync is refused, but a clock that is really elsewhere (e.g. after a burst of
/// late messages in an accelerated replay) must not refuse the rest of the match.
const DRIFT_REFUSALS_BEFORE_RESYNC: u8 = 3;

/// A goal reported by one source only, so far.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(super) struct PendingGoal {
    pub(super) team: Team,
    pub(super) source: Source,
    pub(super) clock_ms: u64,
    pub(super) deadline_ms: u64,
}

/// What a message says happened, as two sources' reports of the same thing are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum FactKind {
    Fixture,
    Kickoff,
    SecondHalf,
    Goal,
    GoalCancelled,
    PenaltyAwarded,
    PenaltyMissed,
    RedCard,
    VarCheckStart,
    VarCheckEnd,
    MatchStart,
    ChallengeStart,
    ChallengeEnd,
    MedicalTimeoutStart,
    MedicalTimeoutEnd,
}

impl FactKind {
    /// Kinds whose two reports are one fact; `None` for liveness messages (clock, heartbeat,
    /// danger) and for settlement facts, which are claims.
    fn of(kind: &FeedKind) -> Option<FactKind> {
        Some(match kind {
            FeedKind::Fixture { .. } => FactKind::Fixture,
            FeedKind::Kickoff => FactKind::Kickoff,
            FeedKind::PeriodStart { .. } => FactKind::SecondHalf,
            FeedKind::Goal { .. } => FactKind::Goal,
            FeedKind::GoalCancelled { .. } => FactKind::GoalCancelled,
            FeedKind::PenaltyAwarded { .. } => FactKind::PenaltyAwarded,
            FeedKind::PenaltyMissed { .. } => FactKind::PenaltyMissed,
            FeedKind::RedCard { .. } => FactKind::RedCard,
            FeedKind::VarCheckStart => FactKind::VarCheckStart,
            FeedKind::VarCheckEnd => FactKind::VarCheckEnd,
            FeedKind::MatchStart { .. } => FactKind::MatchStart,
            FeedKind::ChallengeStart { .. } => FactKind::ChallengeStart,
            FeedKind::ChallengeEnd => FactKind::ChallengeEnd,
            FeedKind::MedicalTimeoutStart { .. } => FactKind::MedicalTimeoutStart,
            FeedKind::MedicalTimeoutEnd => FactKind::MedicalTimeoutEnd,
            // Points and what they end are judged by number (see `tennis`).
            FeedKind::Point { .. }
            | FeedKind::GameEnd { .. }
            | FeedKind::SetEnd { .. }
            | FeedKind::TennisMatchEnd { .. }
            | FeedKind::Retirement { .. }
            | FeedKind::PeriodEnd { .. }
            | FeedKind::MatchEnd
            | FeedKind::Abandoned
            | FeedKind::Clock { .. }
            | FeedKind::Heartbeat { .. }
            | FeedKind::Danger { .. } => return None,
        })
    }
}

/// A fact one source reported, kept briefly to recognise the other source's copy.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(super) struct Fact {
    kind: FactKind,
    team: Option<Team>,
    clock_ms: u64,
    source: Source,
    matched: bool,
}

const MAX_FACTS: usize = 32;

/// A fact that settles bets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum SettlementFact {
    /// The first half ended: first-half markets settle.
    HalfTime,
    /// The match ended: everything settles.
    FullTime,
    /// The match was abandoned: everything is void.
    Abandoned,
    /// Tennis: a player retired.
    Retired(Player),
}

impl SettlementFact {
    /// Stable name.
    pub(super) fn as_str(self) -> &'static str {
        match self {
            SettlementFact::HalfTime => "half_time",
            SettlementFact::FullTime => "full_time",
            SettlementFact::Abandoned => "abandoned",
            SettlementFact::Retired(_) => "retirement",
        }
    }

    fn of(kind: &FeedKind, sport: Sport) -> Option<SettlementFact> {
        match (kind, sport) {
            (FeedKind::PeriodEnd { period: 1 }, Sport::Football) => Some(SettlementFact::HalfTime),
            (FeedKind::PeriodEnd { period: 2 } | FeedKind::MatchEnd, Sport::Football) => {
                Some(SettlementFact::FullTime)
            }
            (FeedKind::Retirement { player }, Sport::Tennis) => {
                Some(SettlementFact::Retired(*player))
            }
            (FeedKind::Abandoned, _) => Some(SettlementFact::Abandoned),
            _ => None,
        }
    }

    /// Whether one source's word is enough once the other has fallen silent.
    pub(super) fn stands_alone(self) -> bool {
        !matches!(self, SettlementFact::Abandoned | SettlementFact::Retired(_))
    }

    /// What suspends the markets while it waits for the other source.
    pub(super) fn reason(self) -> SuspensionReason {
        match self {
            SettlementFact::HalfTime | SettlementFact::FullTime => SuspensionReason::PeriodEnd,
            SettlementFact::Abandoned => SuspensionReason::SourceDiscrepancy,
            SettlementFact::Retired(_) => SuspensionReason::Retirement,
        }
    }
}

/// A settlement fact one source reported, waiting for the other.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(super) struct Claim {
    pub(super) fact: SettlementFact,
    pub(super) source: Source,
    pub(super) clock_ms: u64,
    /// When the confirm window ends; `None` once it has (the claim then waits for the other
    /// source to agree or fall silent, or for a trader).
    pub(super) deadline_ms: Option<u64>,
    /// Reported before the regulation time could have run: never stands alone, and is simply
    /// dropped when the window ends unconfirmed.
    pub(super) early: bool,
}

impl LiveEvent {
    pub(super) fn last_message_ms(&self) -> u64 {
        self.sources
            .iter()
            .filter_map(|s| s.last_msg_ms)
            .max()
            .unwrap_or(self.created_ms)
    }

    pub(super) fn source_alive(&self, source: Source, now_ms: u64) -> bool {
        self.sources[source.index()]
            .last_msg_ms
            .is_some_and(|t| now_ms.saturating_sub(t) <= self.config.stale_after_ms)
    }

    /// Whether something reported by one source is still waiting for the other.
    pub(super) fn awaiting_confirmation(&self) -> bool {
        self.pending_goal.is_some()
            || self.tennis.awaiting()
            || self.claim.is_some_and(|c| !c.early)
    }

    pub(super) fn run_source_timers(&mut self, now_ms: u64, out: &mut Output) {
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
        if self.image.tennis().is_some() {
            self.judge_points(now_ms, out);
        }
        self.judge_claim(now_ms, out);
        // A source whose reported score disagrees for longer than the window.
        let window = self.config.confirm_window_ms;
        let disagree = self.sources.iter().any(|s| {
            s.disagrees_since_ms
                .is_some_and(|t| now_ms >= t.saturating_add(window))
        });
        if disagree && !self.has(SuspensionReason::SourceDiscrepancy) {
            self.suspend(SuspensionReason::SourceDiscrepancy, None, now_ms, None);
        }
    }

    /// A claim whose window has run out: an early one is dropped; otherwise, with the other source
    /// silent it stands (unless it is an abandonment), with the other source live the sources
    /// disagree until it agrees, falls silent, or a trader decides.
    fn judge_claim(&mut self, now_ms: u64, out: &mut Output) {
        let Some(c) = self.claim else { return };
        if let Some(deadline) = c.deadline_ms {
            if now_ms < deadline {
                return;
            }
            self.hidden_change = true;
            if c.early {
                self.claim = None;
                return;
            }
            self.claim = Some(Claim {
                deadline_ms: None,
                ..c
            });
        }
        if !self.source_alive(c.source.other(), now_ms) && c.fact.stands_alone() {
            self.claim = None;
            self.settle_fact(c.fact, c.clock_ms, now_ms, out);
        } else if !self.has(SuspensionReason::SourceDiscrepancy) {
            self.suspend(SuspensionReason::SourceDiscrepancy, None, now_ms, None);
        }
    }

    pub(super) fn on_feed(&mut self, ev: FeedEvent, now_ms: u64, out: &mut Output) -> FeedOutcome {
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
        if let Some(fact) = SettlementFact::of(&ev.kind, self.image.sport()) {
            return self.on_claim(fact, &ev, now_ms, out);
        }
        if self.is_duplicate_of_other_source(&ev, now_ms) {
            return FeedOutcome::Duplicate;
        }
        let applied = match self.image.sport() {
            Sport::Football => self
                .transition(&ev, now_ms, out)
                .map(|()| FeedOutcome::Accepted),
            Sport::Tennis => self.tennis_transition(&ev, now_ms, out),
        };
        match applied {
            Ok(outcome) => {
                self.remember(&ev);
                outcome
            }
            Err(reason) => FeedOutcome::Rejected { reason },
        }
    }

    /// One source reports half-time, full time or an abandonment.
    fn on_claim(
        &mut self,
        fact: SettlementFact,
        ev: &FeedEvent,
        now_ms: u64,
        out: &mut Output,
    ) -> FeedOutcome {
        let rejected = |reason| FeedOutcome::Rejected { reason };
        if !self.is_live() {
            return rejected(FeedRejection::MatchOver);
        }
        let period = self.fb().map(|f| f.state.period);
        let possible = match fact {
            SettlementFact::HalfTime => period == Some(Period::FirstHalf),
            SettlementFact::FullTime => period == Some(Period::SecondHalf),
            SettlementFact::Abandoned => true,
            SettlementFact::Retired(_) => self.image.tennis().is_some(),
        };
        if !possible {
            return rejected(FeedRejection::InvalidTransition);
        }
        let clock = ev
            .clock_ms
            .unwrap_or_else(|| self.image.clock.clock_at(now_ms));
        if let Some(c) = self.claim {
            let same = c.fact == fact;
            if same && c.source != ev.source {
                // Both sources say so.
                self.claim = None;
                self.settle_fact(fact, clock, now_ms, out);
                return FeedOutcome::Duplicate;
            }
            if !c.early {
                // The same claim again, or another fact while one waits: not believed twice.
                return if same {
                    FeedOutcome::Duplicate
                } else {
                    rejected(FeedRejection::InvalidTransition)
                };
            }
            // An early claim gives way to a new one.
        }
        let regulation = match fact {
            SettlementFact::HalfTime => Some(HALF_MS),
            SettlementFact::FullTime => {
                Some((2 * HALF_MS).saturating_add(self.config.min_stoppage_ms))
            }
            SettlementFact::Abandoned | SettlementFact::Retired(_) => None,
        };
        let early = regulation.is_some_and(|r| clock < r);
        let deadline = now_ms.saturating_add(self.config.confirm_window_ms);
        self.claim = Some(Claim {
            fact,
            source: ev.source,
            clock_ms: clock,
            deadline_ms: Some(deadline),
            early,
        });
        if early {
            // Refused on one source's word; remembered so the other source's report confirms it.
            return rejected(FeedRejection::InvalidTransition);
        }
        if fact.stands_alone() && !self.source_alive(ev.source.other(), now_ms) {
            self.claim = None;
            self.settle_fact(fact, clock, now_ms, out);
            return FeedOutcome::Accepted;
        }
        // Nothing is traded while the match may be over.
        let team = match fact {
            SettlementFact::Retired(p) => Some(side(p)),
            _ => None,
        };
        self.suspend(fact.reason(), team, now_ms, None);
        FeedOutcome::Accepted
    }

    /// The fact stands: half-time, full time or abandonment, with what each settles.
    pub(super) fn settle_fact(
        &mut self,
        fact: SettlementFact,
        clock_ms: u64,
        now_ms: u64,
        out: &mut Output,
    ) {
        self.lift(SuspensionReason::SourceDiscrepancy);
        match fact {
            SettlementFact::HalfTime => self.end_first_half(clock_ms, now_ms, out),
            SettlementFact::FullTime => self.end_match(clock_ms, now_ms, out),
            SettlementFact::Abandoned => self.abandon(now_ms, out),
            SettlementFact::Retired(player) => self.retire(player, now_ms, out),
        }
    }

    fn is_duplicate_of_other_source(&mut self, ev: &FeedEvent, now_ms: u64) -> bool {
        let Some(kind) = FactKind::of(&ev.kind) else {
            return false;
        };
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
        let Some(kind) = FactKind::of(&ev.kind) else {
            return;
        };
        if self.facts.len() >= MAX_FACTS {
            self.facts.remove(0);
        }
        self.facts.push(Fact {
            kind,
            team: ev.kind.team(),
            clock_ms: ev.clock_ms.unwrap_or(0),
            source: ev.source,
            matched: false,
        });
    }
}
