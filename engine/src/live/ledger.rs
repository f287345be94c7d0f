//! The bet ledger: decisions, the in-play delay, liabilities and settlement, in exact money.
//!
//! A bet is checked against the image at its arrival (status, price under its policy, stakes,
//! version), its liability (net win) is reserved, and in play it waits `bet_delay_ms` before the
//! final decision: any suspension inside the window rejects it, and the price and liability are
//! checked again. Settlement runs when a settlement fact stands; a trader's result correction settles
//! every settled bet again and reports what changed.

use serde::{Deserialize, Serialize};

use super::bet::{BetDecision, BetRequest, BetStatus, RejectCode, check_bet, price_acceptable};
use super::event::LiveEvent;
use super::image::{DeltaOp, GoalRecord, MarketStatus};
use super::outcome::Output;
use super::settle::{
    Correction, MatchMoment, ResultCorrection, Settlement, SettlementFacts, SettlementResult,
    settle,
};
use crate::football::{Period, Score};
use crate::market::{MarketBook, MarketKey, SelectionKey};
use crate::money::{Price, net_win};

/// One bet as the ledger holds it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct BetRecord {
    pub(super) request: BetRequest,
    pub(super) decision: BetDecision,
    pub(super) placed_at_ms: u64,
    /// Liability reserved (net win) while pending or accepted.
    pub(super) reserved: u64,
    pub(super) score_at_bet: Score,
    /// Goals (football) or points (tennis) that stood when it was struck: which goal is the next
    /// one, which game and set it was on.
    pub(super) goals_at_bet: usize,
    /// When in the match it was accepted, for settling it again on a corrected goal list.
    pub(super) at: MatchMoment,
    pub(super) settlement: Option<Settlement>,
}

impl LiveEvent {
    /// Where the match stands for a bet struck at `now_ms`: the score, the goals or points that
    /// stand, and (football) when in the match.
    fn strike(&self, now_ms: u64) -> (Score, usize, MatchMoment) {
        let Some(f) = self.fb() else {
            return (
                Score::default(),
                self.tennis.points_played(),
                MatchMoment::default(),
            );
        };
        let (half, clock_ms) = match f.state.period {
            Period::PreMatch => (0, 0),
            Period::FirstHalf => (1, self.image.clock.clock_at(now_ms)),
            Period::HalfTime => (1, u64::MAX),
            Period::SecondHalf => (2, self.image.clock.clock_at(now_ms)),
            Period::FullTime => (3, 0),
        };
        let at = MatchMoment { half, clock_ms };
        (f.state.score, f.goals.len(), at)
    }

    pub(super) fn on_bet(&mut self, req: &BetRequest, now_ms: u64) -> BetDecision {
        if let Some(existing) = self.bets.get(&req.bet_id) {
            return existing.decision.clone();
        }
        let decision = self.decide(req, now_ms);
        let reserved = match (decision.status, decision.price) {
            (BetStatus::Rejected { .. }, _) | (_, None) => 0,
            (_, Some(price)) => net_win(req.stake, price),
        };
        if reserved > 0 {
            self.reserve(req.market, req.selection, i128::from(reserved));
        }
        let arrival = self.arrivals;
        self.arrivals += 1;
        if decision.status == BetStatus::Pending
            && let Some(release_at) = decision.release_at_ms
        {
            self.pending_bets
                .insert((release_at, arrival), req.bet_id.clone());
        }
        let (score_at_bet, goals_at_bet, at) = self.strike(now_ms);
        self.bets.insert(
            req.bet_id.clone(),
            BetRecord {
                request: req.clone(),
                decision: decision.clone(),
                placed_at_ms: now_ms,
                reserved,
                score_at_bet,
                goals_at_bet,
                at,
                settlement: None,
            },
        );
        decision
    }

    fn decide(&mut self, req: &BetRequest, now_ms: u64) -> BetDecision {
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
        if !self.is_live() {
            return reject(d, RejectCode::MarketClosed);
        }
        let Ok(market) = self.market_at(now_ms, req.market) else {
            return reject(d, RejectCode::MarketClosed);
        };
        let offered = match check_bet(&self.image, market.as_ref(), self.version, req) {
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
        if self.started() && delay > 0 {
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

    /// Liability the book holds on one selection (net win of its pending and accepted bets).
    pub fn selection_liability(&self, market: MarketKey, selection: SelectionKey) -> u64 {
        self.liability
            .get(&(market, selection))
            .copied()
            .unwrap_or(0)
    }

    /// Liability the book holds on one market.
    pub fn market_liability(&self, market: MarketKey) -> u64 {
        self.market_liability.get(&market).copied().unwrap_or(0)
    }

    /// Every selection's liability, in key order.
    pub fn liabilities(&self) -> impl Iterator<Item = ((MarketKey, SelectionKey), u64)> + '_ {
        self.liability.iter().map(|(k, v)| (*k, *v))
    }

    /// Decides delayed bets whose delay is over.
    pub(super) fn release_bets(&mut self, now_ms: u64, out: &mut Output) {
        let mut due = Vec::new();
        while let Some(entry) = self.pending_bets.first_entry() {
            if entry.key().0 > now_ms {
                break;
            }
            due.push(entry.remove());
        }
        if due.is_empty() {
            return;
        }
        // Many bets release at one instant at the peak: one book for all of them.
        let book = self.book_at(now_ms).cloned();
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
            self.reserve(req.market, req.selection, -i128::from(reserved));
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
                    self.reserve(req.market, req.selection, i128::from(new_reserved));
                }
                Err(code) => decision.status = BetStatus::Rejected { code },
            }
            let (score, goals, at) = self.strike(now_ms);
            if let Some(rec) = self.bets.get_mut(&id) {
                rec.decision = decision.clone();
                rec.reserved = new_reserved;
                rec.score_at_bet = score;
                rec.goals_at_bet = goals;
                rec.at = at;
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
    ) -> Result<Price, RejectCode> {
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
            .and_then(Price::from_decimal)
            .ok_or(RejectCode::MarketClosed)?;
        price_acceptable(req.price, offered, req.policy)?;
        if self.exceeds_liability(req.market, req.selection, net_win(req.stake, offered)) {
            return Err(RejectCode::LiabilityExceeded);
        }
        Ok(offered)
    }

    /// Settles accepted bets (only first-half markets when `first_half_only`); pending bets on
    /// markets that close are refused.
    pub(super) fn settle_bets(&mut self, now_ms: u64, out: &mut Output, first_half_only: bool) {
        let Some(f) = self.fb() else {
            return self.settle_tennis(now_ms, out);
        };
        let in_scope = |m: MarketKey| !first_half_only || m.is_first_half();
        let closing = self.pending_where(|b| in_scope(b.request.market));
        let abandoned = self.image.abandoned;
        let results = self.results_where(|rec| {
            if !in_scope(rec.request.market) {
                return None;
            }
            if abandoned {
                return Some(SettlementResult::Void);
            }
            let facts = SettlementFacts {
                final_score: f.state.score,
                half_time: f.half_time,
                score_at_bet: rec.score_at_bet,
                next_goal: f.goals.get(rec.goals_at_bet).map(|g| g.team),
            };
            Some(settle(rec.request.market, rec.request.selection, &facts))
        });
        self.close_pending(closing, now_ms, out);
        self.record_settlements(results, out);
    }

    /// Keys of the pending bets `closes` picks, in release order.
    pub(super) fn pending_where(&self, closes: impl Fn(&BetRecord) -> bool) -> Vec<(u64, u64)> {
        self.pending_bets
            .iter()
            .filter(|(_, id)| self.bets.get(*id).is_some_and(&closes))
            .map(|(k, _)| *k)
            .collect()
    }

    /// Results of the accepted, unsettled bets that `result` decides, in bet id order.
    pub(super) fn results_where(
        &self,
        result: impl Fn(&BetRecord) -> Option<SettlementResult>,
    ) -> Vec<(String, SettlementResult)> {
        self.bets
            .iter()
            .filter(|(_, rec)| {
                rec.settlement.is_none() && rec.decision.status == BetStatus::Accepted
            })
            .filter_map(|(id, rec)| result(rec).map(|r| (id.clone(), r)))
            .collect()
    }

    /// Refuses pending bets whose market has closed (their game, set, half or match is over).
    pub(super) fn close_pending(&mut self, keys: Vec<(u64, u64)>, now_ms: u64, out: &mut Output) {
        let closing: Vec<String> = keys
            .into_iter()
            .filter_map(|k| self.pending_bets.remove(&k))
            .collect();
        for id in closing {
            if let Some(rec) = self.bets.get_mut(&id) {
                let (market, selection, reserved) =
                    (rec.request.market, rec.request.selection, rec.reserved);
                rec.decision.status = BetStatus::Rejected {
                    code: RejectCode::MarketClosed,
                };
                rec.decision.decided_at_ms = now_ms;
                rec.decision.release_at_ms = None;
                rec.reserved = 0;
                out.decisions.push(rec.decision.clone());
                self.reserve(market, selection, -i128::from(reserved));
            }
        }
    }

    /// Settles bets with their results, in the order given.
    pub(super) fn record_settlements(
        &mut self,
        results: Vec<(String, SettlementResult)>,
        out: &mut Output,
    ) {
        for (id, result) in results {
            let Some(rec) = self.bets.get_mut(&id) else {
                continue;
            };
            let s = Settlement {
                bet_id: rec.request.bet_id.clone(),
                user_id: rec.request.user_id.clone(),
                result,
                payout: payout_of(rec, result),
                correction: None,
            };
            rec.settlement = Some(s.clone());
            out.settlements.push(s);
        }
    }

    /// A trader's result correction after full time: the image takes the corrected goals and
    /// score, and every settled bet is settled again; those whose result or payout changes are
    /// reported with what they replace. Refused (nothing happens) before full time, after an
    /// abandonment, or for a goal list no match could have.
    pub(super) fn resettle(
        &mut self,
        correction: &ResultCorrection,
        _now_ms: u64,
        out: &mut Output,
    ) {
        if self.image.abandoned
            || self.fb().is_none_or(|f| f.state.period != Period::FullTime)
            || correction.validate().is_err()
        {
            return;
        }
        let final_score = correction.final_score();
        let half_time = correction.half_time();
        let goals: Vec<GoalRecord> = correction
            .goals
            .iter()
            .map(|g| GoalRecord {
                team: g.team,
                clock_ms: g.clock_ms,
            })
            .collect();
        if self.fb().is_some_and(|f| goals != f.goals) {
            self.push(DeltaOp::Goals(goals));
        }
        self.set_state(|s| s.score = final_score);
        if self.fb().is_some_and(|f| f.half_time != Some(half_time)) {
            self.push(DeltaOp::HalfTime(Some(half_time)));
        }
        self.hidden_change = true;
        for rec in self.bets.values_mut() {
            let Some(previous) = rec.settlement.clone() else {
                continue;
            };
            let facts = SettlementFacts {
                final_score,
                half_time: Some(half_time),
                score_at_bet: correction.score_before(rec.at),
                next_goal: correction.next_goal_after(rec.at),
            };
            let result = settle(rec.request.market, rec.request.selection, &facts);
            let payout = payout_of(rec, result);
            if result == previous.result && payout == previous.payout {
                continue;
            }
            let s = Settlement {
                result,
                payout,
                correction: Some(Correction::new(previous.result, previous.payout, payout)),
                ..previous
            };
            rec.settlement = Some(s.clone());
            out.settlements.push(s);
        }
    }
}

impl LiveEvent {
    /// A trader voids an accepted bet: settled void (stake back), liability released; a bet settled
    /// already is settled again as void, with the difference. Pending and refused bets are not
    /// voided (a pending one is decided within its delay).
    pub(super) fn void_bet(&mut self, bet_id: &str, out: &mut Output) {
        let Some(rec) = self.bets.get_mut(bet_id) else {
            return;
        };
        if rec.decision.status != BetStatus::Accepted {
            return;
        }
        let stake = rec.request.stake;
        let previous = rec.settlement.clone();
        if previous
            .as_ref()
            .is_some_and(|s| s.result == SettlementResult::Void)
        {
            return;
        }
        let s = Settlement {
            bet_id: rec.request.bet_id.clone(),
            user_id: rec.request.user_id.clone(),
            result: SettlementResult::Void,
            payout: stake,
            correction: previous.map(|p| Correction::new(p.result, p.payout, stake)),
        };
        let (market, selection, reserved) =
            (rec.request.market, rec.request.selection, rec.reserved);
        rec.settlement = Some(s.clone());
        rec.reserved = 0;
        out.settlements.push(s);
        self.reserve(market, selection, -i128::from(reserved));
    }
}

/// What an accepted bet returns for `result`, from its stake and the price it was taken at.
fn payout_of(rec: &BetRecord, result: SettlementResult) -> u64 {
    match rec.decision.price {
        Some(price) => result.payout(rec.request.stake, price),
        // An accepted bet always has its price; stake back if not.
        None => rec.request.stake,
    }
}
