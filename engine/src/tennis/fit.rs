//! Serve-point probabilities from a bookmaker's book: match odds, and a total-games line when there
//! is one.
//!
//! Match odds fix one number, P(A wins), which depends mostly on the *difference* between the two
//! serve probabilities; the total games depend mostly on their *sum* (strong servers make long
//! sets). With a total-games line both are fitted. With match odds alone the sum is anchored on a
//! tour (and surface) average, `serve_a + serve_b = 2 × average`, and the difference is fitted.
//!
//! Both solves are bisections with fixed iteration caps: P(A wins) rises with `serve_a − serve_b`
//! at a fixed sum, and the expected games rise with the sum at a fixed P(A wins) for any sum above
//! 1 (servers ahead of returners, as in every professional tour). The answer depends only on the
//! input bits.

use serde::{Deserialize, Serialize};

use super::params::{FinalSet, Player, PricingError, SERVE_RANGE, TennisParams};
use super::remaining::{GAMES_LEN, outlook};
use super::score::TennisState;
use crate::market::Line;
use crate::odds::{MarginMethod, OddsError, implied_probabilities};

/// Bisection steps: the bracket is at most 2 wide, so 64 halvings reach the float resolution.
const MAX_STEPS: u32 = 64;

/// A professional tour, for its average serve-point probability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tour {
    /// Men's tour-level matches.
    Atp,
    /// Women's tour-level matches.
    Wta,
}

/// A court surface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Surface {
    /// Hard courts, indoor and outdoor.
    Hard,
    /// Clay.
    Clay,
    /// Grass.
    Grass,
}

/// The share of points won by the server, measured with `inplay tennis evaluate` on Jeff
/// Sackmann's point-by-point records of tour-level main draws (`tennis_pointbypoint`): ATP 0.6357
/// over 13 050 matches (2 086 131 points, 2011–2015 and 2017), WTA 0.5604 over 12 695 matches
/// (1 801 816 points). The records carry no surface, so the ATP surface figures come from the 2 336
/// of 2014 matched to tennis-data.co.uk's odds (hard 204 682 points, clay 119 459, grass 50 486);
/// the WTA figure serves every surface. See docs/tennis.md to reproduce them.
pub fn serve_average(tour: Tour, surface: Option<Surface>) -> f64 {
    match (tour, surface) {
        (Tour::Atp, None) => 0.6357,
        (Tour::Atp, Some(Surface::Hard)) => 0.6424,
        (Tour::Atp, Some(Surface::Clay)) => 0.6192,
        (Tour::Atp, Some(Surface::Grass)) => 0.6668,
        (Tour::Wta, _) => 0.5604,
    }
}

/// Decimal odds of a total-games line.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TotalGamesOdds {
    /// The line, a half number of games (22.5).
    pub line: f64,
    /// Odds for over.
    pub over: f64,
    /// Odds for under.
    pub under: f64,
}

/// The book to fit: match-winner odds and, optionally, a total-games line.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchOdds {
    /// Odds for A.
    pub a: f64,
    /// Odds for B.
    pub b: f64,
    /// A total-games line and its odds: fits the sum of the serve probabilities too.
    #[serde(default)]
    pub total_games: Option<TotalGamesOdds>,
}

/// How to fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FitOptions {
    /// How each market's margin is removed (default multiplicative).
    pub method: MarginMethod,
    /// The match format (3 or 5 sets, final-set rule, no-ad).
    pub best_of: u8,
    /// The deciding set's rule.
    pub final_set: FinalSet,
    /// No-ad games.
    pub no_ad: bool,
    /// Average serve-point probability on which the pair is anchored when there is no total-games
    /// line: `serve_a + serve_b = 2 × serve_average` (default: [`serve_average`] of the ATP).
    pub serve_average: f64,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            method: MarginMethod::Multiplicative,
            best_of: 3,
            final_set: FinalSet::Tiebreak7,
            no_ad: false,
            serve_average: serve_average(Tour::Atp, None),
        }
    }
}

/// Fitted serve-point probabilities.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TennisFit {
    /// P(A wins a point on A's serve).
    pub serve_a: f64,
    /// P(B wins a point on B's serve).
    pub serve_b: f64,
    /// The market's P(A wins), margin removed.
    pub market_a: f64,
    /// The model's P(A wins) at the fit.
    pub model_a: f64,
    /// Whether the sum was anchored on `serve_average` (no total-games line).
    pub anchored: bool,
    /// Root-mean-square difference between the model's and the market's probabilities (A wins,
    /// and over the line when given): ~0 unless the book is beyond the model's reach.
    pub residual: f64,
}

impl TennisFit {
    /// Model parameters with the fitted probabilities and the options' format.
    pub fn params(&self, opts: &FitOptions) -> TennisParams {
        format(opts, self.serve_a, self.serve_b)
    }
}

/// Why a fit failed. Every variant has a stable [`FitError::code`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    /// A market's odds could not be de-margined.
    #[error("{market} odds: {source}")]
    Odds {
        /// `match_winner` or `total_games`.
        market: &'static str,
        /// What the odds module refused.
        source: OddsError,
    },
    /// The total-games line is not a half number of games between 0.5 and 49.5.
    #[error("total-games line {} is not a half number of games up to 49.5", crate::decimal::Shortest(*.0))]
    InvalidLine(f64),
    /// The options give a model that cannot be priced.
    #[error(transparent)]
    Model(#[from] PricingError),
}

impl FitError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            FitError::Odds { source, .. } => source.code(),
            FitError::InvalidLine(_) => "invalid_line",
            FitError::Model(e) => e.code(),
        }
    }
}

fn format(opts: &FitOptions, serve_a: f64, serve_b: f64) -> TennisParams {
    TennisParams {
        serve_a,
        serve_b,
        best_of: opts.best_of,
        final_set: opts.final_set,
        no_ad: opts.no_ad,
    }
}

/// Fits `serve_a` and `serve_b` to match odds (and a total-games line).
pub fn fit_tennis(odds: &MatchOdds, opts: &FitOptions) -> Result<TennisFit, FitError> {
    let winner =
        implied_probabilities(&[odds.a, odds.b], opts.method).map_err(|source| FitError::Odds {
            market: "match_winner",
            source,
        })?;
    let target = winner.probs[0];
    let (lo, hi) = SERVE_RANGE;
    let anchor = opts.serve_average;
    if !(anchor.is_finite() && (lo..=hi).contains(&anchor)) {
        return Err(PricingError::InvalidParams {
            name: "serve_average",
            reason: "must be a probability in [0.01, 0.99]",
        }
        .into());
    }
    format(opts, anchor, anchor).validate()?;
    let Some(total) = odds.total_games else {
        let (a, b, model) = fit_difference(opts, 2.0 * anchor, target);
        return Ok(TennisFit {
            serve_a: a,
            serve_b: b,
            market_a: target,
            model_a: model,
            anchored: true,
            residual: (model - target).abs(),
        });
    };
    let line = Line::from_goals(total.line)
        .filter(|l| l.quarters() > 0 && l.quarters() < 200 && l.quarters() % 4 == 2)
        .ok_or(FitError::InvalidLine(total.line))?;
    let over_target = implied_probabilities(&[total.over, total.under], opts.method)
        .map_err(|source| FitError::Odds {
            market: "total_games",
            source,
        })?
        .probs[0];
    // Sums above 1 only (see the module docs); the games rise with the sum from there.
    let (mut s_lo, mut s_hi) = (1.0, 2.0 * hi);
    let over_at = |s: f64| {
        let (a, b, model) = fit_difference(opts, s, target);
        (a, b, model, over(&format(opts, a, b), line))
    };
    let mut best = over_at(s_lo);
    if best.3 < over_target {
        let top = over_at(s_hi);
        if top.3 <= over_target {
            best = top;
        } else {
            for _ in 0..MAX_STEPS {
                let mid = 0.5 * (s_lo + s_hi);
                if mid <= s_lo || mid >= s_hi {
                    break;
                }
                let at = over_at(mid);
                if at.3 < over_target {
                    s_lo = mid;
                } else {
                    s_hi = mid;
                }
                if (at.3 - over_target).abs() <= (best.3 - over_target).abs() {
                    best = at;
                }
            }
        }
    }
    let (a, b, model, o) = best;
    Ok(TennisFit {
        serve_a: a,
        serve_b: b,
        market_a: target,
        model_a: model,
        anchored: false,
        residual: libm::sqrt(
            0.5 * ((model - target) * (model - target) + (o - over_target) * (o - over_target)),
        ),
    })
}

/// P(A wins) before the first point.
fn win_probability(params: &TennisParams) -> f64 {
    let o = outlook(params, &TennisState::pre_match(Player::A), false);
    let need = params.sets_to_win() as usize;
    (0..need).map(|k| o.sets[need][k]).sum()
}

/// P(more games than `line`) before the first point.
fn over(params: &TennisParams, line: Line) -> f64 {
    let o = outlook(params, &TennisState::pre_match(Player::A), true);
    let k = ((line.quarters() + 2) / 4) as usize;
    o.games[k.min(GAMES_LEN - 1)..].iter().sum()
}

/// At a sum `s` of the two serve probabilities, the split that makes P(A wins) = `target` (or
/// the nearest the range allows): `(serve_a, serve_b, model P(A wins))`.
fn fit_difference(opts: &FitOptions, s: f64, target: f64) -> (f64, f64, f64) {
    let (lo, hi) = SERVE_RANGE;
    // serve_a = s/2 + d and serve_b = s/2 − d, both within range.
    let half = 0.5 * s;
    let mut d_lo = (lo - half).max(half - hi);
    let mut d_hi = (hi - half).min(half - lo);
    let at = |d: f64| {
        let (a, b) = ((half + d).clamp(lo, hi), (half - d).clamp(lo, hi));
        (a, b, win_probability(&format(opts, a, b)))
    };
    let bottom = at(d_lo);
    if bottom.2 >= target {
        return bottom;
    }
    let top = at(d_hi);
    if top.2 <= target {
        return top;
    }
    let mut best = bottom;
    for _ in 0..MAX_STEPS {
        let mid = 0.5 * (d_lo + d_hi);
        if mid <= d_lo || mid >= d_hi {
            break;
        }
        let m = at(mid);
        if m.2 < target {
            d_lo = mid;
        } else {
            d_hi = mid;
        }
        if (m.2 - target).abs() <= (best.2 - target).abs() {
            best = m;
        }
    }
    best
}
