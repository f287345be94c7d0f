//! What a trader's desk reads from a live event: each source's health, what waits for
//! confirmation, and the book's exposure — per selection against its limits, and the book's result
//! for every final score the match can still end on.
//!
//! Read-only views of the state; nothing here changes the event.

use serde::{Deserialize, Serialize};

use super::bet::BetStatus;
use super::event::LiveEvent;
use super::feed::Source;
use super::settle::{SettlementFacts, SettlementResult, settle};
use crate::football::{Period, Score};
use crate::market::{MarketKey, SelectionKey, Team};

/// One feed source as the event sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceHealth {
    /// Which source.
    pub source: Source,
    /// Its last sequence number applied.
    pub last_seq: Option<u64>,
    /// When it last spoke (edge clock, ms).
    pub last_message_ms: Option<u64>,
    /// Messages held ahead of a missing sequence number.
    pub held: u64,
    /// The score it last reported.
    pub reported_score: Option<Score>,
    /// Since when its score disagrees with the match's.
    pub disagrees_since_ms: Option<u64>,
}

/// Something one source reported that waits for the other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Awaiting {
    /// A goal.
    Goal {
        /// Scoring team.
        team: Team,
        /// Who reported it.
        source: Source,
    },
    /// Half-time, full time or an abandonment.
    Claim {
        /// `half_time`, `full_time` or `abandoned`.
        fact: String,
        /// Who reported it.
        source: Source,
    },
}

/// The book's exposure on one selection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectionExposure {
    /// Market.
    pub market: MarketKey,
    /// Selection.
    pub selection: SelectionKey,
    /// What the book pays on top of stakes if it wins (pending and accepted bets), minor units.
    pub liability: u64,
    /// The same for the whole market.
    pub market_liability: u64,
    /// Stakes taken on it (accepted bets).
    pub stakes: u64,
    /// Accepted bets on it.
    pub bets: u64,
}

/// The book's result if the match ends on one score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreOutcome {
    /// Final score.
    pub score: Score,
    /// Stakes kept minus payouts, minor units (negative: the book loses). Bets whose result a
    /// final score does not decide (next goal, rest of match, an unsettled first half) are counted
    /// at their worst for the book.
    pub net: i64,
}

impl LiveEvent {
    /// Each source's health.
    pub fn source_health(&self) -> [SourceHealth; 2] {
        [Source::Primary, Source::Backup].map(|source| {
            let s = &self.sources[source.index()];
            SourceHealth {
                source,
                last_seq: s.last_seq,
                last_message_ms: s.last_msg_ms,
                held: s.held.len() as u64,
                reported_score: s.reported_score,
                disagrees_since_ms: s.disagrees_since_ms,
            }
        })
    }

    /// What waits for the other source.
    pub fn awaiting(&self) -> Vec<Awaiting> {
        let mut out = Vec::new();
        if let Some(g) = self.pending_goal {
            out.push(Awaiting::Goal {
                team: g.team,
                source: g.source,
            });
        }
        if let Some(c) = &self.claim
            && !c.early
        {
            out.push(Awaiting::Claim {
                fact: c.fact.as_str().into(),
                source: c.source,
            });
        }
        out
    }

    /// Exposure per selection with bets, in key order.
    pub fn exposure(&self) -> Vec<SelectionExposure> {
        let mut out: Vec<SelectionExposure> = self
            .liability
            .iter()
            .map(|(&(market, selection), &liability)| SelectionExposure {
                market,
                selection,
                liability,
                market_liability: self.market_liability(market),
                stakes: 0,
                bets: 0,
            })
            .collect();
        for rec in self.bets.values() {
            if rec.decision.status != BetStatus::Accepted {
                continue;
            }
            let key = (rec.request.market, rec.request.selection);
            if let Some(e) = out.iter_mut().find(|e| (e.market, e.selection) == key) {
                e.stakes = e.stakes.saturating_add(rec.request.stake);
                e.bets += 1;
            }
        }
        out
    }

    /// The book's result for every final score from the current one to `extra` more goals a
    /// side, from the accepted bets not yet settled. Football's: empty for a tennis match.
    pub fn outcomes(&self, extra: u8) -> Vec<ScoreOutcome> {
        let Some(football) = self.image.football() else {
            return Vec::new();
        };
        let now = football.state.score;
        let half_time = football.half_time;
        let first_half_over = matches!(
            football.state.period,
            Period::HalfTime | Period::SecondHalf | Period::FullTime
        );
        let open: Vec<_> = self
            .bets
            .values()
            .filter(|r| r.decision.status == BetStatus::Accepted && r.settlement.is_none())
            .collect();
        let mut out = Vec::new();
        for h in 0..=extra {
            for a in 0..=extra {
                let score = Score::new(now.home.saturating_add(h), now.away.saturating_add(a));
                let mut net: i128 = 0;
                for r in &open {
                    let stake = i128::from(r.request.stake);
                    let price = r.decision.price;
                    let decided_by_score = match r.request.market {
                        MarketKey::NextGoal | MarketKey::RestOfMatch => false,
                        m if m.is_first_half() => first_half_over,
                        _ => true,
                    };
                    let result = if decided_by_score {
                        let facts = SettlementFacts {
                            final_score: score,
                            half_time,
                            score_at_bet: r.score_at_bet,
                            next_goal: None,
                        };
                        settle(r.request.market, r.request.selection, &facts)
                    } else {
                        SettlementResult::Won
                    };
                    let payout =
                        price.map_or(r.request.stake, |p| result.payout(r.request.stake, p));
                    net += stake - i128::from(payout);
                }
                out.push(ScoreOutcome {
                    score,
                    net: net.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64,
                });
            }
        }
        out
    }
}
