//! Settlement of bets from the final state, exact for every market the football model prices.
//!
//! Rounding rule: every payout (total return, stake included) is rounded *down* to the minor unit.

use serde::{Deserialize, Serialize};

use crate::football::{CORRECT_SCORE_MAX, Score};
use crate::market::{MarketKey, SelectionKey, Team};

/// How a bet resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettlementResult {
    /// Whole stake won.
    Won,
    /// Whole stake lost.
    Lost,
    /// Stake returned.
    Push,
    /// Half won, half returned.
    HalfWon,
    /// Half lost, half returned.
    HalfLost,
    /// Cancelled: stake returned.
    Void,
}

impl SettlementResult {
    fn mirrored(self) -> SettlementResult {
        match self {
            SettlementResult::Won => SettlementResult::Lost,
            SettlementResult::Lost => SettlementResult::Won,
            SettlementResult::HalfWon => SettlementResult::HalfLost,
            SettlementResult::HalfLost => SettlementResult::HalfWon,
            other => other,
        }
    }

    /// Total return (stake included) in minor units for `stake` at decimal `price`, rounded down.
    pub fn payout(self, stake: u64, price: f64) -> u64 {
        let s = stake as f64;
        let v = match self {
            SettlementResult::Won => s * price,
            SettlementResult::HalfWon => s / 2.0 * price + s / 2.0,
            SettlementResult::Push | SettlementResult::Void => return stake,
            SettlementResult::HalfLost => s / 2.0,
            SettlementResult::Lost => 0.0,
        };
        if v.is_finite() && v > 0.0 {
            libm::floor(v) as u64
        } else {
            0
        }
    }
}

/// What settlement needs to know about the match and the bet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SettlementFacts {
    /// Final score.
    pub final_score: Score,
    /// Half-time score, if the first half was completed.
    pub half_time: Option<Score>,
    /// Score when the bet was accepted (rest-of-match markets).
    pub score_at_bet: Score,
    /// Scorer of the first goal after the bet was accepted, if any.
    pub next_goal: Option<Team>,
}

/// Settles `4X + s` against 0 (see the pricing of line markets): quarter lines split in two.
fn line(x: i32, s: i32) -> SettlementResult {
    let whole = |s: i32| (4 * x + s).signum();
    if s % 2 == 0 {
        return match whole(s) {
            1 => SettlementResult::Won,
            0 => SettlementResult::Push,
            _ => SettlementResult::Lost,
        };
    }
    match (whole(s - 1), whole(s + 1)) {
        (1, 1) => SettlementResult::Won,
        (0, 1) | (1, 0) => SettlementResult::HalfWon,
        (-1, 0) | (0, -1) => SettlementResult::HalfLost,
        _ => SettlementResult::Lost,
    }
}

fn three_way(diff: i32, sel: SelectionKey) -> SettlementResult {
    let won = match sel {
        SelectionKey::Home => diff > 0,
        SelectionKey::Draw => diff == 0,
        SelectionKey::Away => diff < 0,
        _ => return SettlementResult::Void,
    };
    if won {
        SettlementResult::Won
    } else {
        SettlementResult::Lost
    }
}

fn over_under(x: i32, l: crate::market::Line, sel: SelectionKey) -> SettlementResult {
    let over = line(x, -l.quarters());
    match sel {
        SelectionKey::Over => over,
        SelectionKey::Under => over.mirrored(),
        _ => SettlementResult::Void,
    }
}

fn won(b: bool) -> SettlementResult {
    if b {
        SettlementResult::Won
    } else {
        SettlementResult::Lost
    }
}

/// Settles one selection. Unknown combinations are void (stake back), never a panic.
pub fn settle(market: MarketKey, sel: SelectionKey, f: &SettlementFacts) -> SettlementResult {
    let fs = f.final_score;
    let diff = fs.diff();
    let total = fs.home as i32 + fs.away as i32;
    match market {
        MarketKey::MatchResult => three_way(diff, sel),
        MarketKey::DoubleChance => match sel {
            SelectionKey::HomeDraw => won(diff >= 0),
            SelectionKey::HomeAway => won(diff != 0),
            SelectionKey::DrawAway => won(diff <= 0),
            _ => SettlementResult::Void,
        },
        MarketKey::DrawNoBet => match sel {
            SelectionKey::Home => line(diff, 0),
            SelectionKey::Away => line(diff, 0).mirrored(),
            _ => SettlementResult::Void,
        },
        MarketKey::Total(l) => over_under(total, l, sel),
        MarketKey::AsianHandicap(l) => match sel {
            SelectionKey::Home => line(diff, l.quarters()),
            SelectionKey::Away => line(diff, l.quarters()).mirrored(),
            _ => SettlementResult::Void,
        },
        MarketKey::BothTeamsToScore => match sel {
            SelectionKey::Yes => won(fs.home > 0 && fs.away > 0),
            SelectionKey::No => won(fs.home == 0 || fs.away == 0),
            _ => SettlementResult::Void,
        },
        MarketKey::CorrectScore => match sel {
            SelectionKey::Score(h, a) => won(fs.home == h && fs.away == a),
            SelectionKey::Other => won(fs.home > CORRECT_SCORE_MAX || fs.away > CORRECT_SCORE_MAX),
            _ => SettlementResult::Void,
        },
        MarketKey::TeamTotal(team, l) => over_under(fs.of(team) as i32, l, sel),
        MarketKey::NextGoal => match (sel, f.next_goal) {
            (SelectionKey::Home, g) => won(g == Some(Team::Home)),
            (SelectionKey::Away, g) => won(g == Some(Team::Away)),
            (SelectionKey::None, g) => won(g.is_none()),
            _ => SettlementResult::Void,
        },
        MarketKey::HalfTimeResult => match f.half_time {
            Some(ht) => three_way(ht.diff(), sel),
            None => SettlementResult::Void,
        },
        MarketKey::HalfTimeTotal(l) => match f.half_time {
            Some(ht) => over_under(ht.home as i32 + ht.away as i32, l, sel),
            None => SettlementResult::Void,
        },
        MarketKey::RestOfMatch => {
            let at = f.score_at_bet;
            let rest = (fs.home as i32 - at.home as i32) - (fs.away as i32 - at.away as i32);
            three_way(rest, sel)
        }
        // Tennis markets are not settled from a football score.
        MarketKey::MatchWinner
        | MarketKey::SetBetting
        | MarketKey::SetWinner
        | MarketKey::NextSetWinner
        | MarketKey::GameWinner
        | MarketKey::TotalGames(_)
        | MarketKey::GameHandicap(_)
        | MarketKey::TotalSets(_)
        | MarketKey::Tiebreak => SettlementResult::Void,
    }
}

/// A settled bet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settlement {
    /// The bet.
    pub bet_id: String,
    /// Its owner.
    pub user_id: String,
    /// How it resolved.
    pub result: SettlementResult,
    /// Total return in minor units (stake included), rounded down.
    pub payout: u64,
}
