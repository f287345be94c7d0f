//! Settlement of bets from the final state, exact for every market the football model prices.
//!
//! Money is exact ([`crate::money`]): every payout (total return, stake included) is integer
//! arithmetic on the stake and the price's hundredths, rounded *down* to the minor unit once.

use serde::{Deserialize, Serialize};

use crate::football::{CORRECT_SCORE_MAX, Score};
use crate::market::{MarketKey, SelectionKey, Team};
use crate::money::{self, Price};

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

    /// Total return (stake included) in minor units for `stake` at `price`, rounded down.
    pub fn payout(self, stake: u64, price: Price) -> u64 {
        match self {
            SettlementResult::Won => money::gross_win(stake, price),
            SettlementResult::HalfWon => money::half_win(stake, price),
            SettlementResult::Push | SettlementResult::Void => stake,
            SettlementResult::HalfLost => money::half_stake(stake),
            SettlementResult::Lost => 0,
        }
    }

    /// Every result.
    pub const ALL: [SettlementResult; 6] = [
        SettlementResult::Won,
        SettlementResult::Lost,
        SettlementResult::Push,
        SettlementResult::HalfWon,
        SettlementResult::HalfLost,
        SettlementResult::Void,
    ];

    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            SettlementResult::Won => "won",
            SettlementResult::Lost => "lost",
            SettlementResult::Push => "push",
            SettlementResult::HalfWon => "half_won",
            SettlementResult::HalfLost => "half_lost",
            SettlementResult::Void => "void",
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
    /// When this settles the bet again after a result correction: what it replaces.
    pub correction: Option<Correction>,
}

/// What a resettlement replaced, and what it changes for the bettor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    /// The earlier result.
    pub previous_result: SettlementResult,
    /// The earlier payout.
    pub previous_payout: u64,
    /// New payout minus the earlier one: what the book pays (positive) or claws back (negative).
    pub difference: i64,
}

impl Correction {
    /// The correction from `previous` to the new `payout`.
    pub fn new(previous_result: SettlementResult, previous_payout: u64, payout: u64) -> Correction {
        let d = i128::from(payout) - i128::from(previous_payout);
        Correction {
            previous_result,
            previous_payout,
            difference: d.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64,
        }
    }
}

/// The corrected record of a match's goals, which a trader enters when the result that settled
/// the bets was wrong. Every settled bet is settled again against it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultCorrection {
    /// Every goal that stands, in the order scored.
    pub goals: Vec<CorrectedGoal>,
}

/// One goal of a [`ResultCorrection`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectedGoal {
    /// Scoring team.
    pub team: Team,
    /// Half it was scored in: 1 or 2.
    pub half: u8,
    /// Match clock (ms; the second half starts at 45:00).
    pub clock_ms: u64,
}

/// A point of a match, ordered: before kick-off, then the first half by clock, half-time, the
/// second half by clock. Bets record when they were struck so a corrected goal list can say which
/// goals came before each bet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub struct MatchMoment {
    /// 0 before kick-off, 1 first half (and half-time at `u64::MAX`), 2 second half, 3 after.
    pub half: u8,
    /// Match clock within the half.
    pub clock_ms: u64,
}

impl ResultCorrection {
    /// Refuses a list that no match could have: a half other than 1 or 2, goals out of order,
    /// more than 30 per team.
    pub fn validate(&self) -> Result<(), &'static str> {
        let mut last = MatchMoment::default();
        let (mut home, mut away) = (0u32, 0u32);
        for g in &self.goals {
            if !(1..=2).contains(&g.half) {
                return Err("goal half must be 1 or 2");
            }
            let at = g.moment();
            if at < last {
                return Err("goals must be in the order scored");
            }
            last = at;
            match g.team {
                Team::Home => home += 1,
                Team::Away => away += 1,
            }
        }
        if home > 30 || away > 30 {
            return Err("more than 30 goals for a team");
        }
        Ok(())
    }

    /// Final score.
    pub fn final_score(&self) -> Score {
        self.score_before(MatchMoment {
            half: 3,
            clock_ms: 0,
        })
    }

    /// Half-time score.
    pub fn half_time(&self) -> Score {
        self.score_before(MatchMoment {
            half: 2,
            clock_ms: 0,
        })
    }

    /// Score from the goals strictly before `at`.
    pub fn score_before(&self, at: MatchMoment) -> Score {
        let mut s = Score::default();
        for g in self.goals.iter().filter(|g| g.moment() < at) {
            match g.team {
                Team::Home => s.home = s.home.saturating_add(1),
                Team::Away => s.away = s.away.saturating_add(1),
            }
        }
        s
    }

    /// The scorer of the first goal at or after `at`.
    pub fn next_goal_after(&self, at: MatchMoment) -> Option<Team> {
        self.goals.iter().find(|g| g.moment() >= at).map(|g| g.team)
    }
}

impl CorrectedGoal {
    /// When it was scored, as a [`MatchMoment`].
    pub fn moment(&self) -> MatchMoment {
        MatchMoment {
            half: self.half,
            clock_ms: self.clock_ms,
        }
    }
}
