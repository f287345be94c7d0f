//! Model parameters and match state, with the validation that keeps the engine panic-free.

use serde::{Deserialize, Serialize};

use crate::market::Team;

/// Why a price (football or tennis) could not be computed. Every variant has a stable
/// [`PricingError::code`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PricingError {
    /// A parameter is outside its documented range (or NaN).
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParams {
        /// Which parameter.
        name: &'static str,
        /// Why it was refused.
        reason: &'static str,
    },
    /// The match state is impossible (e.g. a clock beyond any real match).
    #[error("invalid match state `{name}`: {reason}")]
    InvalidState {
        /// Which field.
        name: &'static str,
        /// Why it was refused.
        reason: &'static str,
    },
}

impl PricingError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            PricingError::InvalidParams { .. } => "invalid_params",
            PricingError::InvalidState { .. } => "invalid_state",
        }
    }
}

fn param(name: &'static str, reason: &'static str) -> PricingError {
    PricingError::InvalidParams { name, reason }
}

fn state(name: &'static str, reason: &'static str) -> PricingError {
    PricingError::InvalidState { name, reason }
}

/// How scoring intensity rises through each half.
///
/// Within a half the intensity grows linearly from 1 at its start to `ramp` at its expected end
/// (45 minutes plus expected stoppage time); `first_half_share` of the match's expected goals fall
/// before half-time. The profile is normalised so that its integral over the whole match is exactly
/// the pre-match expected goals, whatever the stoppage time.
///
/// Defaults: goal-timing studies of top-flight football (Dixon & Robinson 1998, "A birth process model
/// for association football matches"; Armatas et al. 2007 on goal timing) find roughly 44–46 % of goals
/// before half-time and scoring rates in the last quarter-hour of a half about a third higher than in
/// its first: `first_half_share = 0.45`, `ramp = 1.35`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TimeProfile {
    /// Share of the match's goals expected before half-time, in (0, 1).
    pub first_half_share: f64,
    /// Intensity at the end of a half relative to its start, in (0, 10].
    pub ramp: f64,
}

impl Default for TimeProfile {
    fn default() -> Self {
        TimeProfile {
            first_half_share: 0.45,
            ramp: 1.35,
        }
    }
}

impl TimeProfile {
    /// A flat profile: goals uniform over playing time, split by half length.
    pub fn flat() -> TimeProfile {
        TimeProfile {
            first_half_share: 0.5,
            ramp: 1.0,
        }
    }
}

/// How the score changes each team's attacking intensity.
///
/// Defaults (Dixon & Robinson 1998; Heuer & Rubner 2012 on "score effects"): a team trailing by one
/// attacks at ×1.10, by two or more at ×1.20 of its base rate; leaders keep their base rate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoreStateEffects {
    /// Multiplier for a team trailing by exactly one goal.
    pub trailing_by_one: f64,
    /// Multiplier for a team trailing by two or more.
    pub trailing_by_two_plus: f64,
}

impl Default for ScoreStateEffects {
    fn default() -> Self {
        ScoreStateEffects {
            trailing_by_one: 1.10,
            trailing_by_two_plus: 1.20,
        }
    }
}

impl ScoreStateEffects {
    /// No score effects: goals of the two teams are independent Poisson processes.
    pub fn neutral() -> ScoreStateEffects {
        ScoreStateEffects {
            trailing_by_one: 1.0,
            trailing_by_two_plus: 1.0,
        }
    }
    /// Whether the effects change nothing (enables the exact independent-Poisson path).
    pub fn is_neutral(&self) -> bool {
        self.trailing_by_one == 1.0 && self.trailing_by_two_plus == 1.0
    }
    /// Multiplier for a team whose goal difference (own minus opponent's) is `diff`.
    pub fn factor(&self, diff: i32) -> f64 {
        match diff {
            -1 => self.trailing_by_one,
            d if d <= -2 => self.trailing_by_two_plus,
            _ => 1.0,
        }
    }
}

/// How red cards change intensities, per card.
///
/// Defaults (Vecer, Kopriva & Ichiba 2009, "Estimating the effect of the red card in soccer"): the
/// penalised team scores at ×0.70 and its opponent at ×1.20 for each card.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RedCardEffects {
    /// Multiplier on the penalised team's intensity, per card.
    pub penalised: f64,
    /// Multiplier on the opponent's intensity, per card.
    pub opponent: f64,
}

impl Default for RedCardEffects {
    fn default() -> Self {
        RedCardEffects {
            penalised: 0.70,
            opponent: 1.20,
        }
    }
}

/// Pre-match model of one football match.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FootballParams {
    /// Home team's expected goals over the whole match, in [0, 8].
    pub home_xg: f64,
    /// Away team's expected goals, in [0, 8].
    pub away_xg: f64,
    /// Dixon–Coles low-score dependence ρ (0 = independent).
    #[serde(default)]
    pub rho: f64,
    /// Scoring-rate profile through the match.
    #[serde(default)]
    pub profile: TimeProfile,
    /// Score-state effects.
    #[serde(default)]
    pub score_state: ScoreStateEffects,
    /// Red-card effects.
    #[serde(default)]
    pub red_cards: RedCardEffects,
}

impl FootballParams {
    /// Parameters with every effect at its default.
    pub fn new(home_xg: f64, away_xg: f64) -> FootballParams {
        FootballParams {
            home_xg,
            away_xg,
            rho: 0.0,
            profile: TimeProfile::default(),
            score_state: ScoreStateEffects::default(),
            red_cards: RedCardEffects::default(),
        }
    }

    /// Checks every field; pricing calls this first.
    pub fn validate(&self) -> Result<(), PricingError> {
        let in_range = |v: f64, lo: f64, hi: f64| v.is_finite() && v >= lo && v <= hi;
        if !in_range(self.home_xg, 0.0, 8.0) {
            return Err(param("home_xg", "must be a number in [0, 8]"));
        }
        if !in_range(self.away_xg, 0.0, 8.0) {
            return Err(param("away_xg", "must be a number in [0, 8]"));
        }
        if !self.rho.is_finite() {
            return Err(param("rho", "must be finite"));
        }
        // Dixon–Coles factors must stay non-negative: 1-λμρ, 1+λρ, 1+μρ, 1-ρ >= 0.
        let (l, m, r) = (self.home_xg, self.away_xg, self.rho);
        if 1.0 - l * m * r < 0.0 || 1.0 + l * r < 0.0 || 1.0 + m * r < 0.0 || 1.0 - r < 0.0 {
            return Err(param(
                "rho",
                "makes a Dixon–Coles cell probability negative",
            ));
        }
        let p = self.profile;
        if !(p.first_half_share.is_finite() && p.first_half_share > 0.0 && p.first_half_share < 1.0)
        {
            return Err(param("profile.first_half_share", "must be in (0, 1)"));
        }
        if !(p.ramp.is_finite() && p.ramp > 0.0 && p.ramp <= 10.0) {
            return Err(param("profile.ramp", "must be in (0, 10]"));
        }
        let s = self.score_state;
        for (name, v) in [
            ("score_state.trailing_by_one", s.trailing_by_one),
            ("score_state.trailing_by_two_plus", s.trailing_by_two_plus),
            ("red_cards.penalised", self.red_cards.penalised),
            ("red_cards.opponent", self.red_cards.opponent),
        ] {
            if !(v.is_finite() && v > 0.0 && v <= 5.0) {
                return Err(param(name, "must be a multiplier in (0, 5]"));
            }
        }
        Ok(())
    }
}

/// Phase of a football match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Before kick-off.
    PreMatch,
    /// First half in play.
    FirstHalf,
    /// Half-time break.
    HalfTime,
    /// Second half in play.
    SecondHalf,
    /// Full time: the result is final.
    FullTime,
}

/// Goals per team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Score {
    /// Home goals.
    pub home: u8,
    /// Away goals.
    pub away: u8,
}

impl Score {
    /// A score.
    pub const fn new(home: u8, away: u8) -> Score {
        Score { home, away }
    }
    /// Goals of one team.
    pub fn of(&self, team: Team) -> u8 {
        match team {
            Team::Home => self.home,
            Team::Away => self.away,
        }
    }
    /// Home minus away.
    pub fn diff(&self) -> i32 {
        self.home as i32 - self.away as i32
    }
}

/// Red cards shown so far, per team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct RedCards {
    /// Home team's red cards.
    pub home: u8,
    /// Away team's red cards.
    pub away: u8,
}

/// Where a match stands: everything the in-play price depends on besides the parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MatchState {
    /// Current score.
    pub score: Score,
    /// Current period.
    pub period: Period,
    /// Match clock in milliseconds since kick-off as a referee counts it: the second half starts at
    /// 45:00 (2 700 000 ms); stoppage time runs past 45:00 / 90:00.
    pub clock_ms: u64,
    /// Red cards so far.
    pub red_cards: RedCards,
    /// Expected stoppage time of each half in milliseconds (defaults 3 and 6 minutes, close to the
    /// Premier League's averages since 2023).
    pub stoppage_ms: [u32; 2],
}

impl Default for MatchState {
    fn default() -> Self {
        MatchState::pre_match()
    }
}

/// Length of a half without stoppage time.
pub const HALF_MS: u64 = 45 * 60 * 1000;

impl MatchState {
    /// Before kick-off.
    pub fn pre_match() -> MatchState {
        MatchState {
            score: Score::default(),
            period: Period::PreMatch,
            clock_ms: 0,
            red_cards: RedCards::default(),
            stoppage_ms: [180_000, 360_000],
        }
    }

    /// In play at `clock_ms` with a score; the period follows from the clock.
    pub fn in_play(home: u8, away: u8, clock_ms: u64) -> MatchState {
        MatchState {
            score: Score::new(home, away),
            period: if clock_ms < HALF_MS {
                Period::FirstHalf
            } else {
                Period::SecondHalf
            },
            clock_ms,
            ..MatchState::pre_match()
        }
    }

    /// Checks the state; pricing calls this first.
    pub fn validate(&self) -> Result<(), PricingError> {
        if self.score.home > 30 || self.score.away > 30 {
            return Err(state("score", "more than 30 goals for a team"));
        }
        if self.red_cards.home > 5 || self.red_cards.away > 5 {
            return Err(state(
                "red_cards",
                "a team with more than 5 red cards is abandoned",
            ));
        }
        // Two halves with 30 minutes of stoppage each is beyond any real match.
        if self.clock_ms > 2 * HALF_MS + 60 * 60 * 1000 {
            return Err(state("clock_ms", "beyond 150 minutes"));
        }
        if self.stoppage_ms.iter().any(|&s| s > 30 * 60 * 1000) {
            return Err(state(
                "stoppage_ms",
                "more than 30 minutes of stoppage in a half",
            ));
        }
        Ok(())
    }
}
