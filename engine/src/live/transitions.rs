//! What each feed message does to a football match (the period machine, goals, cards, VAR, clock
//! syncs and score cross-checks), and the trader's actions (shared by every sport where they apply).

use super::event::LiveEvent;
use super::feed::{FeedEvent, FeedKind, Source};
use super::image::{DeltaOp, Fixture, GoalRecord, MarketStatus, SuspensionReason};
use super::outcome::{FeedRejection, Output};
use crate::football::{HALF_MS, Period, Score};
use crate::market::{MarketKey, Team};

impl LiveEvent {
    /// Applies an in-sequence feed message that is not a settlement fact (those are claims, see
    /// `sources`).
    pub(super) fn transition(
        &mut self,
        ev: &FeedEvent,
        now_ms: u64,
        _out: &mut Output,
    ) -> Result<(), FeedRejection> {
        use FeedRejection::*;
        let Some(fb) = self.fb() else {
            return Err(InvalidTransition);
        };
        let (period, current, red_cards) = (fb.state.period, fb.state.score, fb.state.red_cards);
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
            FeedKind::PeriodStart { .. }
            | FeedKind::PeriodEnd { .. }
            | FeedKind::MatchEnd
            | FeedKind::Abandoned => {
                return Err(InvalidTransition);
            }
            // Another sport's messages.
            FeedKind::MatchStart { .. }
            | FeedKind::Point { .. }
            | FeedKind::GameEnd { .. }
            | FeedKind::SetEnd { .. }
            | FeedKind::TennisMatchEnd { .. }
            | FeedKind::Retirement { .. }
            | FeedKind::ChallengeStart { .. }
            | FeedKind::ChallengeEnd
            | FeedKind::MedicalTimeoutStart { .. }
            | FeedKind::MedicalTimeoutEnd => return Err(InvalidTransition),
            FeedKind::Goal { team, score } => {
                if !self.in_play() {
                    return Err(InvalidTransition);
                }
                let mut after = current;
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
                self.pending_goal = Some(super::sources::PendingGoal {
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
            FeedKind::GoalCancelled { team } => self.cancel_goal(*team, now_ms)?,
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
                    Team::Home => red_cards.home,
                    Team::Away => red_cards.away,
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
                let anchor = self.image.clock;
                let agrees = self.config.clock_resync_ms > 0
                    && anchor.running == *running
                    && anchor.clock_at(now_ms).abs_diff(clock) <= self.config.clock_resync_ms;
                if !agrees
                    && (ev.source == Source::Primary || !self.source_alive(Source::Primary, now_ms))
                {
                    self.set_clock(clock, now_ms, *running);
                }
            }
            FeedKind::Heartbeat { score } => {
                let ours = current;
                let s = &mut self.sources[ev.source.index()];
                if score.is_some() {
                    s.reported_score = *score;
                }
                match score {
                    Some(theirs) if *theirs != ours => {
                        s.disagrees_since_ms.get_or_insert(now_ms);
                    }
                    Some(_) => s.disagrees_since_ms = None,
                    None => {}
                }
                if self.sources.iter().all(|s| s.disagrees_since_ms.is_none())
                    && !self.awaiting_confirmation()
                {
                    self.lift(SuspensionReason::SourceDiscrepancy);
                }
            }
        }
        Ok(())
    }

    /// A goal is ruled out: a pending one is dropped, a standing one rolls the score back.
    pub(super) fn cancel_goal(&mut self, team: Team, now_ms: u64) -> Result<(), FeedRejection> {
        if self.pending_goal.is_some_and(|g| g.team == team) {
            self.pending_goal = None;
            self.lift(SuspensionReason::Goal);
            self.lift(SuspensionReason::SourceDiscrepancy);
        } else if let Some((pos, mut goals)) = self.fb().and_then(|f| {
            let pos = f.goals.iter().rposition(|g| g.team == team)?;
            Some((pos, f.goals.clone()))
        }) {
            goals.remove(pos);
            self.push(DeltaOp::Goals(goals));
            self.set_state(|s| bump(&mut s.score, team, -1));
            self.lift(SuspensionReason::Goal);
            self.material();
        } else {
            return Err(FeedRejection::InvalidTransition);
        }
        self.suspend(
            SuspensionReason::Var,
            Some(team),
            now_ms,
            Some(now_ms.saturating_add(self.config.cool_off_ms)),
        );
        Ok(())
    }

    pub(super) fn confirm_goal(&mut self, now_ms: u64) {
        let Some(g) = self.pending_goal.take() else {
            return;
        };
        let Some(mut goals) = self.fb().map(|f| f.goals.clone()) else {
            return;
        };
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

    /// Half-time: first-half markets settle.
    pub(super) fn end_first_half(&mut self, clock_ms: u64, now_ms: u64, out: &mut Output) {
        self.set_state(|s| s.period = Period::HalfTime);
        self.set_clock(clock_ms, now_ms, false);
        let score = self.fb().map(|f| f.state.score).unwrap_or_default();
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

    /// Full time: everything settles.
    pub(super) fn end_match(&mut self, clock_ms: u64, now_ms: u64, out: &mut Output) {
        self.set_state(|s| s.period = Period::FullTime);
        self.set_clock(clock_ms, now_ms, false);
        self.pending_goal = None;
        self.push(DeltaOp::Suspensions(Vec::new()));
        self.material();
        self.settle_bets(now_ms, out, false);
    }

    /// The match is abandoned: everything is void (tennis: what was not yet decided).
    pub(super) fn abandon(&mut self, now_ms: u64, out: &mut Output) {
        self.push(DeltaOp::Abandoned(true));
        self.pending_goal = None;
        self.claim = None;
        self.push(DeltaOp::Suspensions(Vec::new()));
        self.settle_bets(now_ms, out, false);
    }

    /// A trader's abandonment (the one way a single source's abandonment claim can be made good
    /// when the other source cannot confirm it).
    pub(super) fn trader_abandons(&mut self, now_ms: u64, out: &mut Output) {
        if self.is_live() {
            self.abandon(now_ms, out);
        }
    }

    /// A trader believes `source`: what it alone reported stands, what only the other reported is
    /// dropped, and the score it last reported becomes the match's score.
    pub(super) fn confirm_source(&mut self, source: Source, now_ms: u64, out: &mut Output) {
        if !self.is_live() {
            return;
        }
        self.hidden_change = true;
        if let Some(g) = self.pending_goal {
            if g.source == source {
                self.confirm_goal(now_ms);
            } else {
                self.pending_goal = None;
                self.lift(SuspensionReason::Goal);
            }
        }
        if let Some(c) = self.claim.take() {
            if c.source == source {
                self.settle_fact(c.fact, c.clock_ms, now_ms, out);
                if !self.is_live() {
                    return;
                }
            } else if let super::sources::SettlementFact::Retired(_) = c.fact {
                self.lift(SuspensionReason::Retirement);
            } else {
                self.lift(SuspensionReason::PeriodEnd);
            }
        }
        if self.image.tennis().is_some() {
            self.believe_points(source, now_ms, out);
        }
        if let Some(theirs) = self.sources[source.index()].reported_score {
            self.take_score(theirs, now_ms);
        }
        for s in &mut self.sources {
            s.disagrees_since_ms = None;
        }
        self.lift(SuspensionReason::SourceDiscrepancy);
    }

    /// Makes `score` the match's score, adding goals (at the current clock) or removing the latest
    /// ones of a team: what a trader's word changes when a feed missed or invented a goal.
    fn take_score(&mut self, score: Score, now_ms: u64) {
        let Some((ours, mut goals)) = self.fb().map(|f| (f.state.score, f.goals.clone())) else {
            return;
        };
        if score == ours || !self.in_play() {
            return;
        }
        let clock = self.image.clock.clock_at(now_ms);
        for (team, have, want) in [
            (Team::Home, ours.home, score.home),
            (Team::Away, ours.away, score.away),
        ] {
            for _ in want..have {
                if let Some(pos) = goals.iter().rposition(|g| g.team == team) {
                    goals.remove(pos);
                }
            }
            for _ in have..want {
                goals.push(GoalRecord {
                    team,
                    clock_ms: clock,
                });
            }
        }
        self.push(DeltaOp::Goals(goals));
        self.set_state(|s| s.score = score);
        self.suspend(SuspensionReason::Goal, None, now_ms, None);
        self.cool_off(SuspensionReason::Goal, now_ms);
        self.material();
    }

    /// New model parameters from a trader (refused silently when invalid: nothing changes, nothing
    /// is logged).
    pub(super) fn set_params(&mut self, params: crate::football::FootballParams) {
        if self.is_live()
            && params.validate().is_ok()
            && self.fb().is_some_and(|f| params != f.params)
        {
            self.push(DeltaOp::Params(params));
            self.material();
        }
    }

    pub(super) fn manual(&mut self, market: Option<MarketKey>, suspend: bool, now_ms: u64) {
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
                }
                // Only a change is state: an input that changes nothing is not logged, so it must
                // not move anything either.
                if v != self.image.overrides {
                    if on {
                        self.last_suspended_ms = Some(now_ms);
                    }
                    self.push(DeltaOp::Overrides(v));
                }
            }
        }
    }
}

pub(super) fn bump(score: &mut Score, team: Team, by: i8) {
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
