//! Model parameters: the two serve-point probabilities and the match format.

use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Serialize};

pub use crate::football::PricingError;

/// One of the two players. A is the first named; every probability in this module is A's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Player {
    /// The first-named player.
    A,
    /// The second-named player.
    B,
}

impl Player {
    /// The opponent.
    pub fn other(self) -> Player {
        match self {
            Player::A => Player::B,
            Player::B => Player::A,
        }
    }
    /// 0 for A, 1 for B: the index into per-player pairs such as [`TennisState::sets`].
    ///
    /// [`TennisState::sets`]: super::TennisState::sets
    pub fn index(self) -> usize {
        match self {
            Player::A => 0,
            Player::B => 1,
        }
    }
    /// Stable lowercase name (`a`, `b`).
    pub fn as_str(self) -> &'static str {
        match self {
            Player::A => "a",
            Player::B => "b",
        }
    }
}

/// What the deciding set does at 6-6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinalSet {
    /// A tiebreak to 7, like every other set (ATP and WTA tour events).
    #[default]
    Tiebreak7,
    /// A match tiebreak to 10 (the Grand Slams since 2022).
    Tiebreak10,
    /// No tiebreak: play on until a player leads by two games (the Australian Open, Roland-Garros
    /// and Wimbledon in the years of the point-by-point data).
    Advantage,
}

impl FinalSet {
    /// Stable name, as the CLI and JSON spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            FinalSet::Tiebreak7 => "tiebreak7",
            FinalSet::Tiebreak10 => "tiebreak10",
            FinalSet::Advantage => "advantage",
        }
    }
}

impl fmt::Display for FinalSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FinalSet {
    type Err = PricingError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "tiebreak7" => Ok(FinalSet::Tiebreak7),
            "tiebreak10" => Ok(FinalSet::Tiebreak10),
            "advantage" => Ok(FinalSet::Advantage),
            _ => Err(param(
                "final_set",
                "must be tiebreak7, tiebreak10 or advantage",
            )),
        }
    }
}

/// Serve-point probabilities outside this range are refused: beyond it a player never loses a
/// service game in practice, and the deuce and tiebreak formulas divide by vanishing numbers.
pub const SERVE_RANGE: (f64, f64) = (0.01, 0.99);

/// Pre-match model of one tennis match: points are independent, and each player wins a point on
/// their own serve with a fixed probability (Klaassen & Magnus 2001, "Are points in tennis
/// independent and identically distributed?", find the departures small enough for pricing).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TennisParams {
    /// P(A wins a point on A's serve), in [0.01, 0.99].
    pub serve_a: f64,
    /// P(B wins a point on B's serve), in [0.01, 0.99].
    pub serve_b: f64,
    /// 3 or 5.
    pub best_of: u8,
    /// The deciding set's rule at 6-6.
    #[serde(default)]
    pub final_set: FinalSet,
    /// No-ad scoring: at deuce one deciding point wins the game.
    #[serde(default)]
    pub no_ad: bool,
}

impl TennisParams {
    /// Best-of-`best_of` with a tiebreak in every set and advantage games.
    pub fn new(serve_a: f64, serve_b: f64, best_of: u8) -> TennisParams {
        TennisParams {
            serve_a,
            serve_b,
            best_of,
            final_set: FinalSet::Tiebreak7,
            no_ad: false,
        }
    }

    /// Sets needed to win the match: 2 or 3 (for valid parameters).
    pub fn sets_to_win(&self) -> u8 {
        self.best_of / 2 + 1
    }

    /// Checks every field; pricing calls this first.
    pub fn validate(&self) -> Result<(), PricingError> {
        let (lo, hi) = SERVE_RANGE;
        let ok = |p: f64| p.is_finite() && (lo..=hi).contains(&p);
        if !ok(self.serve_a) {
            return Err(param("serve_a", "must be a probability in [0.01, 0.99]"));
        }
        if !ok(self.serve_b) {
            return Err(param("serve_b", "must be a probability in [0.01, 0.99]"));
        }
        if self.best_of != 3 && self.best_of != 5 {
            return Err(param("best_of", "must be 3 or 5"));
        }
        Ok(())
    }

    /// P(A wins a point served by `server`).
    pub(crate) fn point_a(&self, server: Player) -> f64 {
        match server {
            Player::A => self.serve_a,
            Player::B => 1.0 - self.serve_b,
        }
    }
}

pub(crate) fn param(name: &'static str, reason: &'static str) -> PricingError {
    PricingError::InvalidParams { name, reason }
}
