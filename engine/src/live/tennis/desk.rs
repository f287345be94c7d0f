//! What a trader's desk reads of a tennis match (see `live::desk`): the points that wait for a
//! source, the score each source's reports make, and the book's result for every score in sets
//! the match can still end on.
//!
//! The book per result is read off the same settlement rules as the bets themselves
//! ([`Record::result`]), applied to each way the remaining sets can fall: the bets the sets decide
//! are exact, and a result that several orders of the sets reach (2-1 is A-B-A or B-A-A) shows its
//! worst order for the book.

use super::image::{SetScore, TennisPhase};
use super::settle::{Ending, Record};
use crate::live::BetStatus;
use crate::live::SettlementResult;
use crate::live::desk::{Awaiting, SetsOutcome, TennisReport, TennisScore};
use crate::live::event::LiveEvent;
use crate::live::feed::Source;
use crate::live::ledger::BetRecord;
use crate::market::MarketKey;
use crate::tennis::{AfterPoint, Player};

/// Whether the winners of the sets alone decide a bet on `market` (the games in them do not).
fn decided_by_sets(market: MarketKey) -> bool {
    matches!(
        market,
        MarketKey::MatchWinner
            | MarketKey::SetBetting
            | MarketKey::SetWinner
            | MarketKey::NextSetWinner
            | MarketKey::TotalSets(_)
    )
}

/// Every order in which the sets still to play can fall, from `won` sets each to the first to
/// `need`.
fn set_orders(won: [u8; 2], need: u8) -> Vec<Vec<Player>> {
    fn walk(won: [u8; 2], need: u8, path: &mut Vec<Player>, out: &mut Vec<Vec<Player>>) {
        if won[0] >= need || won[1] >= need {
            out.push(path.clone());
            return;
        }
        for p in [Player::A, Player::B] {
            let mut next = won;
            next[p.index()] += 1;
            path.push(p);
            walk(next, need, path, out);
            path.pop();
        }
    }
    let mut out = Vec::new();
    if won[0] < need && won[1] < need {
        walk(won, need, &mut Vec::new(), &mut out);
    }
    out
}

impl LiveEvent {
    /// Points one source reported that the other has not confirmed, or that the sources give to
    /// different players.
    pub(in crate::live) fn awaiting_points(&self, out: &mut Vec<Awaiting>) {
        if self.image.tennis().is_none() {
            return;
        }
        let standing = self.tennis.history.len();
        for (j, p) in self.tennis.pending.iter().enumerate() {
            let point = u32::try_from(standing + j + 1).unwrap_or(u32::MAX);
            if let [Some(a), Some(b)] = p.winner
                && a == b
            {
                continue;
            }
            for source in [Source::Primary, Source::Backup] {
                if let Some(winner) = p.winner[source.index()] {
                    out.push(Awaiting::Point {
                        point,
                        winner,
                        source,
                    });
                }
            }
        }
    }

    /// The score `source`'s reports make: the points that stand, then its reports of the points
    /// after them in order, up to the first it has not reported (what a trader who believes it
    /// would make the score).
    pub(in crate::live) fn tennis_report(&self, source: Source) -> Option<TennisReport> {
        let t = self.image.tennis()?;
        let mut score = TennisScore::of(t);
        let mut state = t.state();
        let mut ahead = 0u32;
        if !t.phase.is_over() {
            for p in &self.tennis.pending {
                let Some(w) = p.winner[source.index()] else {
                    break;
                };
                let Ok(after) = state.after_point(&t.params, w) else {
                    break;
                };
                ahead = ahead.saturating_add(1);
                score.phase = TennisPhase::InPlay;
                let i = w.index();
                let mut games = state.games;
                games[i] = games[i].saturating_add(1);
                let tiebreak = state.in_tiebreak(&t.params).then(|| {
                    let mut points = state.points;
                    points[i] = points[i].saturating_add(1);
                    points
                });
                match after {
                    AfterPoint::InPlay(next) => {
                        if next.sets != state.sets {
                            score.sets.push(SetScore { games, tiebreak });
                        }
                        score.points = next.points;
                        score.games = next.games;
                        score.server = next.server;
                        state = next;
                    }
                    AfterPoint::MatchOver { .. } => {
                        // As the image ends a match: the last set completed, nothing in play.
                        score.sets.push(SetScore { games, tiebreak });
                        score.points = [0, 0];
                        score.games = [0, 0];
                        score.phase = TennisPhase::Finished { winner: w };
                        break;
                    }
                }
            }
        }
        Some(TennisReport {
            source,
            ahead,
            score,
        })
    }

    /// The book's result per score in sets still possible: A's wins first (fewest sets lost
    /// first), then B's (most sets lost first), e.g. 2-0, 2-1, 1-2, 0-2.
    pub(in crate::live) fn tennis_outcomes(&self) -> Vec<SetsOutcome> {
        let Some(t) = self.image.tennis() else {
            return Vec::new();
        };
        if t.phase.is_over() || self.image.abandoned {
            return Vec::new();
        }
        let need = t.params.sets_to_win();
        let won = t.sets_won();
        if won[0] >= need || won[1] >= need {
            return Vec::new();
        }
        let open: Vec<&BetRecord> = self
            .bets
            .values()
            .filter(|r| r.decision.status == BetStatus::Accepted && r.settlement.is_none())
            .collect();
        // What a bet pays whatever the sets: the bets the sets do not decide, at their worst
        // (the bettor wins).
        let payout = |r: &BetRecord, result: SettlementResult| -> i128 {
            let stake = r.request.stake;
            i128::from(r.decision.price.map_or(stake, |p| result.payout(stake, p)))
        };
        let fixed: i128 = open
            .iter()
            .filter(|r| !decided_by_sets(r.request.market))
            .map(|r| i128::from(r.request.stake) - payout(r, SettlementResult::Won))
            .sum();
        // Every final score still possible, in the order shown (so nothing needs sorting): A's
        // wins by sets lost, then B's by sets won by A, descending. Each starts at its best and
        // takes the worst of the orders that reach it.
        let mut out: Vec<SetsOutcome> = (won[1]..need)
            .map(|b| [need, b])
            .chain((won[0]..need).rev().map(|a| [a, need]))
            .map(|sets| SetsOutcome {
                sets,
                net: i64::MAX,
            })
            .collect();
        for order in set_orders(won, need) {
            let mut sets = t.sets.clone();
            let mut final_sets = won;
            for &p in &order {
                final_sets[p.index()] += 1;
                // Only who won each set matters to the bets counted here.
                let games = if p == Player::A { [6, 0] } else { [0, 6] };
                sets.push(SetScore {
                    games,
                    tiebreak: None,
                });
            }
            let Some(&last) = order.last() else {
                continue;
            };
            let record = Record {
                history: &self.tennis.history,
                game_ends: &self.tennis.game_ends,
                set_ends: &self.tennis.set_ends,
                sets: &sets,
                games: [0, 0],
                ending: Ending::Won(last),
            };
            let mut net = fixed;
            for r in open.iter().filter(|r| decided_by_sets(r.request.market)) {
                let result = record
                    .result(r.request.market, r.request.selection, r.goals_at_bet)
                    .unwrap_or(SettlementResult::Won);
                net += i128::from(r.request.stake) - payout(r, result);
            }
            let net = net.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
            if let Some(o) = out.iter_mut().find(|o| o.sets == final_sets) {
                o.net = o.net.min(net);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_orders_count_every_way_to_the_end() {
        // Best of 3 from 0-0: AA, ABA, ABB, BAA, BAB, BB.
        assert_eq!(set_orders([0, 0], 2).len(), 6);
        // Best of 5 from 0-0: 2 + 6 + 12 = 20.
        assert_eq!(set_orders([0, 0], 3).len(), 20);
        assert_eq!(
            set_orders([1, 1], 2),
            vec![vec![Player::A], vec![Player::B]]
        );
        assert!(set_orders([2, 0], 2).is_empty());
    }
}
