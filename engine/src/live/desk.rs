//! What a trader's desk reads from a live event: each source's health, what waits for
//! confirmation, and the book's exposure — per selection against its limits, and the book's result
//! for every result the match can still end on (football: final scores; tennis: scores in sets).
//! A tennis match adds what each source's reports make the score.
//!
//! Read-only views of the state; nothing here changes the event, and nothing here panics on any
//! state (the property tests ask for every view after every input).

use serde::{Deserialize, Serialize};

use super::bet::BetStatus;
use super::event::LiveEvent;
use super::feed::Source;
use super::settle::{SettlementFacts, SettlementResult, settle};
use super::sources::SettlementFact;
use super::tennis::{SetScore, TennisImage, TennisPhase};
use crate::football::{Period, Score};
use crate::market::{MarketKey, SelectionKey, Team};
use crate::tennis::Player;

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
    /// Half-time, full time, an abandonment or a retirement.
    Claim {
        /// `half_time`, `full_time`, `abandoned` or `retirement`.
        fact: String,
        /// Who reported it.
        source: Source,
        /// Tennis: who retired.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        player: Option<Player>,
    },
    /// Tennis: a point one source reported that the other has not confirmed (or names the other
    /// winner of: then each source's report is an entry).
    Point {
        /// Its number in the match, from 1.
        point: u32,
        /// Who the source says won it.
        winner: Player,
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

/// The book's result if a tennis match ends on one score in sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetsOutcome {
    /// Final score in sets, A's first.
    pub sets: [u8; 2],
    /// Stakes kept minus payouts, minor units (negative: the book loses). Bets the sets decide
    /// (match winner, set betting, total sets, the set in play and the next one) are exact, at
    /// the worst order of the sets when the score allows more than one; bets the sets do not
    /// decide (a game, total games, game handicaps, a tiebreak) are counted at their worst for
    /// the book.
    pub net: i64,
}

/// A tennis score as the desk shows it: where the match is, who serves, the points and games in
/// play and the completed sets (the image's score, without its model).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TennisScore {
    /// Not started, in play, won or retired.
    pub phase: TennisPhase,
    /// Who serves the next point.
    pub server: Player,
    /// Points of the game in play (tiebreak points inside a tiebreak), A's first.
    pub points: [u8; 2],
    /// Games of the set in play.
    pub games: [u8; 2],
    /// The completed sets.
    pub sets: Vec<SetScore>,
}

impl TennisScore {
    /// The score of a tennis image.
    pub fn of(t: &TennisImage) -> TennisScore {
        TennisScore {
            phase: t.phase,
            server: t.server,
            points: t.points,
            games: t.games,
            sets: t.sets.clone(),
        }
    }
}

/// What one source's reports make a tennis score: the points that stand, then the points it
/// reported that do not stand yet, up to the first it has not reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TennisReport {
    /// Which source.
    pub source: Source,
    /// Its points beyond those that stand.
    pub ahead: u32,
    /// The score they make.
    pub score: TennisScore,
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
                player: match c.fact {
                    SettlementFact::Retired(p) => Some(p),
                    _ => None,
                },
            });
        }
        self.awaiting_points(&mut out);
        out
    }

    /// Points that stand (tennis; 0 for football).
    pub fn points_played(&self) -> usize {
        self.tennis.points_played()
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

    /// What each source's reports make the score of a tennis match, primary first (empty for
    /// football).
    pub fn tennis_reports(&self) -> Vec<TennisReport> {
        [Source::Primary, Source::Backup]
            .into_iter()
            .filter_map(|s| self.tennis_report(s))
            .collect()
    }

    /// The book's result for every score in sets a tennis match can still end on, from the
    /// accepted bets not yet settled, A's wins first (empty for football, and once the match is
    /// over).
    pub fn set_outcomes(&self) -> Vec<SetsOutcome> {
        self.tennis_outcomes()
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
