//! The live rules of tennis (the engine's `tennis` feature; see the module above for the design).

use serde::{Deserialize, Serialize};

use super::image::{TennisImage, TennisPhase};
use super::settle::{self, Ending, Record};
use super::side;
use crate::live::event::LiveEvent;
use crate::live::feed::{FeedEvent, FeedKind, Source};
use crate::live::image::{DeltaOp, SuspensionReason};
use crate::live::ledger::BetRecord;
use crate::live::outcome::{FeedOutcome, FeedRejection, Output};
use crate::market::MarketKey;
use crate::tennis::{AfterPoint, Player, TennisParams, TennisState};

/// Most points the queue holds ahead of the last that stands, whatever `reorder_capacity` says:
/// each is memory a report with an absurd point number could otherwise claim.
const MAX_AHEAD: usize = 256;

/// What a tennis event knows besides its image: the points that stand, where games and sets
/// ended, and points reported but not yet standing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct TennisLive {
    /// Winner of every point that stands, in order.
    pub(super) history: Vec<Player>,
    /// The point count at the end of each completed game (a tiebreak is a game).
    pub(super) game_ends: Vec<u32>,
    /// The completed-game count at the end of each completed set.
    pub(super) set_ends: Vec<u32>,
    /// Points reported but not standing yet, from the next one on.
    pub(super) pending: Vec<PendingPoint>,
    /// What the last point each source reported ended, for its `game_end`/`set_end`/`match_end`.
    ended: [Option<PointEnd>; 2],
}

/// A point some source has reported that does not stand yet.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(super) struct PendingPoint {
    /// Who each source (by [`Source::index`]) says won it.
    pub(super) winner: [Option<Player>; 2],
    /// When the first report stops waiting for the other source.
    deadline_ms: u64,
}

/// What a point ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct PointEnd {
    winner: Player,
    game: bool,
    /// The set's final games, when the point ended a set.
    set: Option<[u8; 2]>,
    /// The point won the match.
    match_won: bool,
}

impl PointEnd {
    fn between(before: &TennisState, winner: Player, after: &AfterPoint) -> PointEnd {
        let mut games = before.games;
        games[winner.index()] = games[winner.index()].saturating_add(1);
        match after {
            AfterPoint::InPlay(next) => {
                let set = next.sets != before.sets;
                PointEnd {
                    winner,
                    game: set || next.games != before.games,
                    set: set.then_some(games),
                    match_won: false,
                }
            }
            AfterPoint::MatchOver { .. } => PointEnd {
                winner,
                game: true,
                set: Some(games),
                match_won: true,
            },
        }
    }
}

impl TennisLive {
    /// Points that stand.
    pub(crate) fn points_played(&self) -> usize {
        self.history.len()
    }

    /// Whether a point is still waiting for a source.
    pub(crate) fn awaiting(&self) -> bool {
        !self.pending.is_empty()
    }

    fn record<'a>(&'a self, t: &'a TennisImage, abandoned: bool) -> Record<'a> {
        Record {
            history: &self.history,
            game_ends: &self.game_ends,
            set_ends: &self.set_ends,
            sets: &t.sets,
            games: t.games,
            ending: match t.phase {
                TennisPhase::Finished { winner } => Ending::Won(winner),
                TennisPhase::Retired { .. } => Ending::Unfinished,
                _ if abandoned => Ending::Unfinished,
                _ => Ending::Playing,
            },
        }
    }

    /// What confirmed point `n` (from 1) ended.
    fn confirmed_end(&self, t: &TennisImage, n: usize) -> Option<PointEnd> {
        let winner = *self.history.get(n.checked_sub(1)?)?;
        let n32 = u32::try_from(n).ok()?;
        let game = self.game_ends.binary_search(&n32).ok();
        let set = game.and_then(|g| {
            let done = u32::try_from(g + 1).ok()?;
            let s = self.set_ends.binary_search(&done).ok()?;
            t.sets.get(s).map(|s| s.games)
        });
        Some(PointEnd {
            winner,
            game: game.is_some(),
            set,
            match_won: n == self.history.len() && matches!(t.phase, TennisPhase::Finished { .. }),
        })
    }
}

impl LiveEvent {
    /// Applies an in-sequence tennis feed message that is not a settlement fact (a retirement or
    /// an abandonment is a claim, see `sources`).
    pub(in crate::live) fn tennis_transition(
        &mut self,
        ev: &FeedEvent,
        now_ms: u64,
        out: &mut Output,
    ) -> Result<FeedOutcome, FeedRejection> {
        use FeedRejection::*;
        let Some(t) = self.image.tennis() else {
            return Err(InvalidTransition);
        };
        let phase = t.phase;
        // A provider's word that the match is over, after the point that ended it.
        if let FeedKind::MatchEnd | FeedKind::TennisMatchEnd { .. } = ev.kind
            && let TennisPhase::Finished { .. } = phase
        {
            return self.check_end(ev).map(|()| FeedOutcome::Duplicate);
        }
        if !self.is_live() {
            return Err(MatchOver);
        }
        match &ev.kind {
            FeedKind::MatchStart { server } => {
                if phase != TennisPhase::PreMatch {
                    return Err(InvalidTransition);
                }
                self.start_tennis(*server, now_ms);
            }
            FeedKind::Point {
                point,
                winner,
                server,
            } => return self.on_point(ev.source, *point, *winner, *server, now_ms, out),
            FeedKind::GameEnd { .. }
            | FeedKind::SetEnd { .. }
            | FeedKind::MatchEnd
            | FeedKind::TennisMatchEnd { .. } => self.check_end(ev)?,
            FeedKind::ChallengeStart { player } | FeedKind::MedicalTimeoutStart { player } => {
                if phase != TennisPhase::InPlay {
                    return Err(InvalidTransition);
                }
                let reason = match ev.kind {
                    FeedKind::ChallengeStart { .. } => SuspensionReason::Challenge,
                    _ => SuspensionReason::MedicalTimeout,
                };
                self.suspend(reason, player.map(side), now_ms, None);
            }
            FeedKind::ChallengeEnd | FeedKind::MedicalTimeoutEnd => {
                let reason = match ev.kind {
                    FeedKind::ChallengeEnd => SuspensionReason::Challenge,
                    _ => SuspensionReason::MedicalTimeout,
                };
                if !self.has(reason) {
                    return Err(InvalidTransition);
                }
                self.cool_off(reason, now_ms);
            }
            // Liveness; a tennis score is cross-checked point by point instead.
            FeedKind::Heartbeat { .. } => {}
            _ => return Err(InvalidTransition),
        }
        Ok(FeedOutcome::Accepted)
    }

    /// The match starts: `server` serves first, the clock runs, bets now wait out the delay.
    fn start_tennis(&mut self, server: Player, now_ms: u64) {
        self.push(DeltaOp::Phase(TennisPhase::InPlay));
        if self.image.tennis().is_some_and(|t| t.server != server) {
            self.push(DeltaOp::Server(server));
        }
        self.set_clock(0, now_ms, true);
        self.material();
    }

    /// A provider's `game_end`, `set_end` or `match_end`: it must say what the last point it
    /// reported ended.
    fn check_end(&self, ev: &FeedEvent) -> Result<(), FeedRejection> {
        let Some(end) = self.tennis.ended[ev.source.index()] else {
            return Err(FeedRejection::InvalidTransition);
        };
        let agrees = match ev.kind {
            FeedKind::GameEnd { winner } => end.game && end.winner == winner,
            FeedKind::SetEnd { winner, games } => end.set == Some(games) && end.winner == winner,
            FeedKind::TennisMatchEnd { winner } => end.match_won && end.winner == winner,
            FeedKind::MatchEnd => end.match_won,
            _ => false,
        };
        if agrees {
            Ok(())
        } else {
            Err(FeedRejection::InvalidTransition)
        }
    }

    /// One source reports point `number`.
    fn on_point(
        &mut self,
        source: Source,
        number: u32,
        winner: Player,
        server: Player,
        now_ms: u64,
        out: &mut Output,
    ) -> Result<FeedOutcome, FeedRejection> {
        use FeedRejection::*;
        let Some(t) = self.image.tennis() else {
            return Err(InvalidTransition);
        };
        let (i, n) = (source.index(), number as usize);
        let confirmed = self.tennis.history.len();
        if n == 0 {
            return Err(InvalidTransition);
        }
        if n <= confirmed {
            // A point that already stands: the same again, or a source out of step with it.
            if self.tennis.history[n - 1] != winner {
                self.sources[i].disagrees_since_ms.get_or_insert(now_ms);
                return Err(InvalidTransition);
            }
            self.tennis.ended[i] = self.tennis.confirmed_end(t, n);
            self.sources[i].disagrees_since_ms = None;
            self.judge_points(now_ms, out);
            return Ok(FeedOutcome::Duplicate);
        }
        let j = n - confirmed - 1;
        let queued = self.tennis.pending.len();
        if let Some(said) = self.tennis.pending.get(j).and_then(|p| p.winner[i]) {
            return if said == winner {
                Ok(FeedOutcome::Duplicate)
            } else {
                Err(InvalidTransition)
            };
        }
        // A source may have lost reports: the points it skips wait for the other source's, as
        // many as a source may run ahead.
        if j >= self.config.reorder_capacity.clamp(1, MAX_AHEAD) {
            return Err(SeqGap);
        }
        let projected = self.project(j, winner).ok_or(InvalidTransition)?;
        let end = match projected {
            Some((before, _)) if before.server != server => {
                // The first report of the first point says who won the toss.
                if confirmed > 0 || queued > 0 {
                    return Err(InvalidTransition);
                }
                self.push(DeltaOp::Server(server));
                self.project(j, winner).flatten().map(|(_, end)| end)
            }
            Some((_, end)) => Some(end),
            // After a point nobody has reported yet the server is not known: not checked.
            None => None,
        };
        if self
            .image
            .tennis()
            .is_some_and(|t| t.phase == TennisPhase::PreMatch)
        {
            self.start_tennis(server, now_ms);
        }
        let deadline_ms = now_ms.saturating_add(self.config.confirm_window_ms);
        while self.tennis.pending.len() <= j {
            self.tennis.pending.push(PendingPoint {
                winner: [None, None],
                deadline_ms,
            });
        }
        self.tennis.pending[j].winner[i] = Some(winner);
        self.tennis.ended[i] = end;
        self.judge_points(now_ms, out);
        Ok(FeedOutcome::Accepted)
    }

    /// The state before pending point `j` (0: the next) as the queue has it, and what a point
    /// won by `winner` there ends: `None` if the match is over before it (or the state cannot
    /// move), `Some(None)` if a point before it has no report yet.
    fn project(&self, j: usize, winner: Player) -> Option<Option<(TennisState, PointEnd)>> {
        let t = self.image.tennis()?;
        let mut s = t.state();
        for p in self.tennis.pending.iter().take(j) {
            let Some(w) = p.winner[0].or(p.winner[1]) else {
                return Some(None);
            };
            match s.after_point(&t.params, w).ok()? {
                AfterPoint::InPlay(next) => s = next,
                AfterPoint::MatchOver { .. } => return None,
            }
        }
        let after = s.after_point(&t.params, winner).ok()?;
        Some(Some((s, PointEnd::between(&s, winner, &after))))
    }

    /// Applies the points that now stand, in order, and suspends while the sources disagree.
    pub(in crate::live) fn judge_points(&mut self, now_ms: u64, out: &mut Output) {
        while let Some(front) = self.tennis.pending.first().copied() {
            let winner = match front.winner {
                [Some(a), Some(b)] if a == b => a,
                [Some(_), Some(_)] => {
                    self.raise_discrepancy(now_ms);
                    break;
                }
                [Some(w), None] | [None, Some(w)] => {
                    let other = if front.winner[0].is_some() {
                        Source::Backup
                    } else {
                        Source::Primary
                    };
                    // A silent partner cannot confirm: the point stands on one source's word; so
                    // does one the partner has passed (it reports a later point, having lost its
                    // report of this one) without disputing it.
                    let passed = self.tennis.pending[1..]
                        .iter()
                        .any(|p| p.winner[other.index()].is_some());
                    if self.source_alive(other, now_ms) && !passed {
                        if now_ms >= front.deadline_ms {
                            self.raise_discrepancy(now_ms);
                        }
                        break;
                    }
                    w
                }
                // Nobody has reported it yet (a source reported a later one).
                [None, None] => {
                    if now_ms >= front.deadline_ms {
                        self.raise_discrepancy(now_ms);
                    }
                    break;
                }
            };
            self.tennis.pending.remove(0);
            self.apply_point(winner, now_ms, out);
            if !self.is_live() {
                self.tennis.pending.clear();
            }
        }
        if self.tennis_in_agreement(now_ms) {
            self.lift(SuspensionReason::SourceDiscrepancy);
        }
    }

    fn raise_discrepancy(&mut self, now_ms: u64) {
        if !self.has(SuspensionReason::SourceDiscrepancy) {
            self.suspend(SuspensionReason::SourceDiscrepancy, None, now_ms, None);
        }
    }

    /// Nothing the sources disagree about: no conflicting or overdue point, no source out of
    /// step with the points that stand, no claim waiting.
    fn tennis_in_agreement(&self, now_ms: u64) -> bool {
        let front_ok = self.tennis.pending.first().is_none_or(|p| match p.winner {
            [Some(a), Some(b)] => a == b,
            _ => now_ms < p.deadline_ms,
        });
        front_ok
            && self.sources.iter().all(|s| s.disagrees_since_ms.is_none())
            && self.claim.is_none_or(|c| c.early)
    }

    /// A point stands: the score moves on by the rules, and what it ended settles.
    fn apply_point(&mut self, winner: Player, now_ms: u64, out: &mut Output) {
        let Some(t) = self.image.tennis() else {
            return;
        };
        let before = t.state();
        let Ok(after) = before.after_point(&t.params, winner) else {
            return;
        };
        // The image as the point leaves it, scored as a client scores a point op.
        let mut scored = t.clone();
        scored.score_point(winner);
        let (sets_before, points_before, games_before, server_before) =
            (t.sets.clone(), t.points, t.games, t.server);
        self.tennis.history.push(winner);
        let played = u32::try_from(self.tennis.history.len()).unwrap_or(u32::MAX);
        let end = PointEnd::between(&before, winner, &after);
        if end.game {
            self.tennis.game_ends.push(played);
            if end.set.is_some() {
                let games = u32::try_from(self.tennis.game_ends.len()).unwrap_or(u32::MAX);
                self.tennis.set_ends.push(games);
            }
        }
        if self.scores_by_point() {
            // The client scores it by the same rules: two bytes for any point.
            self.push(DeltaOp::Point(winner));
        } else {
            // The delta already replaced a score field (two points in one input, a correction):
            // a point op would be applied before the field's last value, so the fields go instead.
            if scored.sets != sets_before {
                self.push(DeltaOp::Sets(scored.sets));
            }
            if scored.points != points_before {
                self.push(DeltaOp::Points(scored.points));
            }
            if scored.games != games_before {
                self.push(DeltaOp::Games(scored.games));
            }
            if scored.server != server_before {
                self.push(DeltaOp::Server(scored.server));
            }
        }
        self.material();
        if end.match_won {
            self.push(DeltaOp::Phase(TennisPhase::Finished { winner }));
            self.end_tennis(now_ms, out);
        } else if end.game {
            self.settle_tennis(now_ms, out);
        }
    }

    /// The match is over (won, retired or abandoned): the clock stops, nothing is suspended any
    /// more, nothing waits, and every bet settles.
    fn end_tennis(&mut self, now_ms: u64, out: &mut Output) {
        let clock = self.image.clock.clock_at(now_ms);
        self.set_clock(clock, now_ms, false);
        self.tennis.pending.clear();
        self.claim = None;
        self.push(DeltaOp::Suspensions(Vec::new()));
        self.material();
        self.settle_tennis(now_ms, out);
    }

    /// A retirement both sources (or one and a trader) report: the other player goes through.
    pub(in crate::live) fn retire(&mut self, player: Player, now_ms: u64, out: &mut Output) {
        if self.image.tennis().is_none() || !self.is_live() {
            return;
        }
        self.push(DeltaOp::Phase(TennisPhase::Retired { player }));
        self.end_tennis(now_ms, out);
    }

    /// Refuses pending bets whose game or set has ended (or every one, once the match has), then
    /// settles every accepted bet the points played decide.
    pub(in crate::live) fn settle_tennis(&mut self, now_ms: u64, out: &mut Output) {
        let Some(t) = self.image.tennis() else {
            return;
        };
        let record = self.tennis.record(t, self.image.abandoned);
        let over = record.ending != Ending::Playing;
        let (games_done, sets_done) = (self.tennis.game_ends.len(), t.sets.len());
        let closes = |rec: &BetRecord| {
            let (set, game) = settle::position(record.game_ends, record.set_ends, rec.goals_at_bet);
            over || match rec.request.market {
                MarketKey::GameWinner => game < games_done,
                MarketKey::SetWinner | MarketKey::NextSetWinner => set < sets_done,
                _ => false,
            }
        };
        let closing = self.pending_where(closes);
        let results = self.results_where(|rec| {
            record.result(rec.request.market, rec.request.selection, rec.goals_at_bet)
        });
        self.close_pending(closing, now_ms, out);
        self.record_settlements(results, out);
    }

    /// A trader believes `source` about the points still waiting: what it reported stands, the
    /// rest (from the first point it did not report) is dropped.
    pub(in crate::live) fn believe_points(
        &mut self,
        source: Source,
        now_ms: u64,
        out: &mut Output,
    ) {
        let i = source.index();
        let keep = self
            .tennis
            .pending
            .iter()
            .take_while(|p| p.winner[i].is_some())
            .count();
        self.tennis.pending.truncate(keep);
        for p in &mut self.tennis.pending {
            p.winner = [p.winner[i], p.winner[i]];
        }
        self.judge_points(now_ms, out);
    }

    /// New tennis parameters from a trader (refused silently when invalid).
    pub(in crate::live) fn set_tennis_params(&mut self, params: TennisParams) {
        if self.is_live()
            && params.validate().is_ok()
            && self.image.tennis().is_some_and(|t| params != t.params)
        {
            self.push(DeltaOp::TennisParams(params));
            self.material();
        }
    }

    /// When the first point waiting for a source is judged (`None` if none waits on a timer).
    pub(in crate::live) fn points_wakeup(&self) -> Option<u64> {
        let front = self.tennis.pending.first()?;
        let reporter = match front.winner {
            [Some(_), None] => Source::Primary,
            [None, Some(_)] => Source::Backup,
            [None, None] if !self.has(SuspensionReason::SourceDiscrepancy) => {
                return Some(front.deadline_ms);
            }
            _ => return None,
        };
        if self.has(SuspensionReason::SourceDiscrepancy) {
            // Waiting for the other source to confirm, or to fall silent (then the point stands).
            self.sources[reporter.other().index()].last_msg_ms.map(|t| {
                t.saturating_add(self.config.stale_after_ms)
                    .saturating_add(1)
            })
        } else {
            Some(front.deadline_ms)
        }
    }
}
