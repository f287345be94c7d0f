//! Fitting the model to a bookmaker's book: home and away expected goals (and Dixon–Coles ρ) from
//! 1X2 odds and one over/under line.
//!
//! Each market is de-margined on its own with the chosen [`MarginMethod`]. The model's pre-match
//! probabilities are then matched to them in the least-squares sense over the five probabilities
//! home, draw, away, over, under, the same objective (up to a constant factor) as penaltyblog's
//! `goal_expectancy_extended` Brier loss. With ρ fitted there are three parameters for three
//! independent equations and the fit is exact; without it, two parameters meet three equations and
//! the fit is the least-squares compromise.
//!
//! For a line with pushes or half outcomes (2.0, 2.25, …) the market's "probability" of over is its
//! break-even probability `1/fair_odds` normalised over the two sides, which is what de-margining
//! the two prices gives; the model side is computed the same way.
//!
//! The solver is a Levenberg–Marquardt (damped Gauss–Newton) iteration in `(ln λ, ln μ, ρ)` with
//! central-difference derivatives and fixed caps on iterations and damping retries, so the answer
//! depends only on the input bits.

use serde::{Deserialize, Serialize};

use super::params::{FootballParams, MatchState, PricingError, ScoreStateEffects};
use crate::market::Line;
use crate::odds::{MarginMethod, OddsError, implied_probabilities};

/// Outer iterations of the solver; ordinary books converge in under 15.
const MAX_ITERATIONS: u32 = 200;
/// Damping increases tried before an iteration gives up on finding a better point.
const MAX_DAMPING_TRIES: u32 = 40;
/// Step for the central-difference Jacobian, in parameter units (log-goals, ρ).
const JACOBIAN_STEP: f64 = 1e-6;
/// A step below this in every parameter ends the iteration: the fit is at floating-point resolution.
const STEP_TOLERANCE: f64 = 1e-13;
/// Expected goals the fit may return: the model accepts [0, 8]; zero has no logarithm.
const MIN_XG: f64 = 1e-3;
const MAX_XG: f64 = 8.0;
/// Bounds on ρ (the Dixon–Coles validity constraints usually bind first).
const RHO_BOUND: f64 = 1.0;

/// Decimal odds of an over/under line.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TotalOdds {
    /// The goal line: any positive multiple of 0.25 (2.5, 2.25, 3.0, …).
    pub line: f64,
    /// Odds for over the line.
    pub over: f64,
    /// Odds for under the line.
    pub under: f64,
}

/// The book to fit: 1X2 decimal odds and, optionally, one over/under line.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FitOdds {
    /// Home win odds.
    pub home: f64,
    /// Draw odds.
    pub draw: f64,
    /// Away win odds.
    pub away: f64,
    /// An over/under line and its odds; needed to fit ρ, and to pin down the goal total.
    #[serde(default)]
    pub total: Option<TotalOdds>,
}

/// How to fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FitOptions {
    /// How each market's margin is removed (default multiplicative).
    pub method: MarginMethod,
    /// Fit Dixon–Coles ρ as well (needs an over/under line); otherwise ρ = 0.
    pub dixon_coles: bool,
    /// Score-state effects of the model being fitted (default: the model's defaults). With
    /// [`ScoreStateEffects::neutral`] the pre-match model is the independent Poisson /
    /// Dixon–Coles grid and the fit equals penaltyblog's.
    pub score_state: ScoreStateEffects,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            method: MarginMethod::Multiplicative,
            dixon_coles: false,
            score_state: ScoreStateEffects::default(),
        }
    }
}

/// Fitted parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FitResult {
    /// Home team's expected goals.
    pub home_xg: f64,
    /// Away team's expected goals.
    pub away_xg: f64,
    /// Dixon–Coles ρ (0 unless fitted).
    pub rho: f64,
    /// Root-mean-square difference between the model's and the market's probabilities over home,
    /// draw, away (and over, under): ~0 for an exact fit.
    pub residual: f64,
}

impl FitResult {
    /// Model parameters with the fitted values and `score_state`, every other effect at its default.
    pub fn params(&self, score_state: ScoreStateEffects) -> FootballParams {
        FootballParams {
            rho: self.rho,
            score_state,
            ..FootballParams::new(self.home_xg, self.away_xg)
        }
    }
}

/// Why a fit failed. Every variant has a stable [`FitError::code`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    /// A market's odds could not be de-margined.
    #[error("{market} odds: {source}")]
    Odds {
        /// `1x2` or `total`.
        market: &'static str,
        /// What the odds module refused.
        source: OddsError,
    },
    /// The over/under line is not a positive multiple of 0.25 (up to 20 goals).
    #[error("over/under line {} is not a positive multiple of 0.25 up to 20", crate::decimal::Shortest(*.0))]
    InvalidLine(f64),
    /// ρ cannot be fitted from 1X2 alone.
    #[error("fitting Dixon–Coles rho needs an over/under line")]
    NeedsTotal,
    /// The options give a model that cannot be priced.
    #[error(transparent)]
    Model(#[from] PricingError),
    /// The solver could not evaluate the model at any starting point (should not happen).
    #[error("the fit did not converge")]
    NoConvergence,
}

impl FitError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            FitError::Odds { source, .. } => source.code(),
            FitError::InvalidLine(_) => "invalid_line",
            FitError::NeedsTotal => "needs_total",
            FitError::Model(e) => e.code(),
            FitError::NoConvergence => "no_convergence",
        }
    }
}

/// What the model must reproduce.
struct Target {
    /// Home, draw, away, over, under.
    probs: [f64; 5],
    /// 3 without a total line, 5 with.
    len: usize,
    /// The line in quarter goals.
    line: Option<Line>,
    score_state: ScoreStateEffects,
}

/// Fits home and away expected goals (and ρ) to a 1X2 book and an optional over/under line.
pub fn fit_football(odds: &FitOdds, opts: &FitOptions) -> Result<FitResult, FitError> {
    let one_x_two = implied_probabilities(&[odds.home, odds.draw, odds.away], opts.method)
        .map_err(|source| FitError::Odds {
            market: "1x2",
            source,
        })?;
    let mut probs = [0.0; 5];
    probs[..3].copy_from_slice(&one_x_two.probs);
    let (len, line) = match odds.total {
        Some(t) => {
            let line = Line::from_goals(t.line)
                .filter(|l| l.quarters() > 0 && l.quarters() <= 80)
                .ok_or(FitError::InvalidLine(t.line))?;
            let ou = implied_probabilities(&[t.over, t.under], opts.method).map_err(|source| {
                FitError::Odds {
                    market: "total",
                    source,
                }
            })?;
            probs[3] = ou.probs[0];
            probs[4] = ou.probs[1];
            (5, Some(line))
        }
        None if opts.dixon_coles => return Err(FitError::NeedsTotal),
        None => (3, None),
    };
    // Validate the effects once, so the solver only meets errors from its own trial points.
    FootballParams {
        score_state: opts.score_state,
        ..FootballParams::new(1.0, 1.0)
    }
    .validate()?;
    let target = Target {
        probs,
        len,
        line,
        score_state: opts.score_state,
    };
    // λ and μ first, from penaltyblog's starting point; then, for Dixon–Coles, ρ from there. Going
    // straight for three parameters from ρ = 0 can walk a heavy favourite into the corner where
    // 1 − λμρ reaches 0 and stall there.
    let start = [libm::log(1.3), libm::log(1.1), 0.0];
    let (mut theta, mut cost) = solve(&target, start, 2).ok_or(FitError::NoConvergence)?;
    if opts.dixon_coles {
        (theta, cost) = solve(&target, theta, 3).ok_or(FitError::NoConvergence)?;
    }
    Ok(FitResult {
        home_xg: libm::exp(theta[0]),
        away_xg: libm::exp(theta[1]),
        rho: theta[2],
        residual: libm::sqrt(cost / target.len as f64),
    })
}

/// Parameters `(ln λ, ln μ, ρ)` as model parameters, or `None` outside the fit's domain.
fn params_at(theta: &[f64; 3], target: &Target) -> Option<FootballParams> {
    let lo = libm::log(MIN_XG);
    let hi = libm::log(MAX_XG);
    if !theta.iter().all(|t| t.is_finite())
        || !(lo..=hi).contains(&theta[0])
        || !(lo..=hi).contains(&theta[1])
        || theta[2].abs() > RHO_BOUND
    {
        return None;
    }
    let p = FootballParams {
        rho: theta[2],
        score_state: target.score_state,
        ..FootballParams::new(libm::exp(theta[0]), libm::exp(theta[1]))
    };
    p.validate().ok().map(|_| p)
}

/// The model's home, draw, away (and over, under) probabilities before kick-off.
fn model_probs(params: &FootballParams, line: Option<Line>) -> Result<[f64; 5], PricingError> {
    let grid = super::remaining_goals(params, &MatchState::pre_match())?;
    let n = grid.len();
    let mut result = [0.0; 3];
    let mut total = [0.0; 2 * super::MAX_ADDED + 1];
    for i in 0..n {
        for j in 0..n {
            let p = grid.get(i, j);
            result[match i.cmp(&j) {
                core::cmp::Ordering::Greater => 0,
                core::cmp::Ordering::Equal => 1,
                core::cmp::Ordering::Less => 2,
            }] += p;
            total[i + j] += p;
        }
    }
    let mut out = [result[0], result[1], result[2], 0.0, 0.0];
    if let Some(line) = line {
        let (over, under) = over_under(&total, line);
        out[3] = over;
        out[4] = under;
    }
    Ok(out)
}

/// Break-even probabilities of over and under `line`, normalised over the two sides:
/// `w̄ / (w̄ + l̄)` with `w̄`, `l̄` the win and loss probabilities averaged over the line's parts
/// (a quarter line is half the stake on each neighbouring line).
fn over_under(total: &[f64], line: Line) -> (f64, f64) {
    let q = line.quarters();
    let parts: &[i32] = if q % 2 == 0 { &[0] } else { &[-1, 1] };
    let (mut win, mut lose) = (0.0, 0.0);
    for &d in parts {
        let c = q + d;
        for (k, &p) in total.iter().enumerate() {
            let four_k = 4 * k as i32;
            if four_k > c {
                win += p;
            } else if four_k < c {
                lose += p;
            }
        }
    }
    let sides = win + lose;
    if sides > 0.0 {
        (win / sides, lose / sides)
    } else {
        (0.5, 0.5)
    }
}

/// Residuals (model − market) and their sum of squares at `theta`, or `None` outside the domain.
fn residuals(theta: &[f64; 3], target: &Target) -> Option<([f64; 5], f64)> {
    let params = params_at(theta, target)?;
    let model = model_probs(&params, target.line).ok()?;
    let mut r = [0.0; 5];
    let mut cost = 0.0;
    for k in 0..target.len {
        r[k] = model[k] - target.probs[k];
        cost += r[k] * r[k];
    }
    cost.is_finite().then_some((r, cost))
}

/// Jacobian of the residuals by central differences (one-sided at the edge of the domain).
fn jacobian(
    theta: &[f64; 3],
    r0: &[f64; 5],
    target: &Target,
    dims: usize,
) -> Option<[[f64; 3]; 5]> {
    let mut jac = [[0.0; 3]; 5];
    for d in 0..dims {
        let h = JACOBIAN_STEP;
        let mut up = *theta;
        up[d] += h;
        let mut down = *theta;
        down[d] -= h;
        let (column, width): ([f64; 5], f64) =
            match (residuals(&up, target), residuals(&down, target)) {
                (Some((ru, _)), Some((rd, _))) => (sub(&ru, &rd), 2.0 * h),
                (Some((ru, _)), None) => (sub(&ru, r0), h),
                (None, Some((rd, _))) => (sub(r0, &rd), h),
                (None, None) => return None,
            };
        for k in 0..target.len {
            jac[k][d] = column[k] / width;
        }
    }
    Some(jac)
}

fn sub(a: &[f64; 5], b: &[f64; 5]) -> [f64; 5] {
    core::array::from_fn(|k| a[k] - b[k])
}

/// Levenberg–Marquardt over the first `dims` parameters from `theta`; the point reached and its
/// sum of squared residuals, or `None` if the model cannot be evaluated at the start.
fn solve(target: &Target, mut theta: [f64; 3], dims: usize) -> Option<([f64; 3], f64)> {
    let (mut r, mut cost) = residuals(&theta, target)?;
    let mut damping = 1e-3;
    for _ in 0..MAX_ITERATIONS {
        let Some(jac) = jacobian(&theta, &r, target, dims) else {
            break;
        };
        // Normal equations: A = JᵀJ, g = Jᵀr.
        let mut a = [[0.0; 3]; 3];
        let mut g = [0.0; 3];
        for row in 0..target.len {
            for p in 0..dims {
                g[p] += jac[row][p] * r[row];
                for q in 0..dims {
                    a[p][q] += jac[row][p] * jac[row][q];
                }
            }
        }
        let mut improved = false;
        let mut step = [0.0; 3];
        for _ in 0..MAX_DAMPING_TRIES {
            let mut m = a;
            for (p, row) in m.iter_mut().enumerate().take(dims) {
                // Marquardt's scaling, with a floor so a flat direction still gets damped.
                row[p] += damping * a[p][p].max(1e-12);
            }
            let Some(delta) = solve_linear(&m, &g, dims) else {
                damping *= 10.0;
                continue;
            };
            let mut trial = theta;
            for p in 0..dims {
                trial[p] -= delta[p];
            }
            match residuals(&trial, target) {
                Some((rt, ct)) if ct < cost => {
                    step = delta;
                    theta = trial;
                    r = rt;
                    cost = ct;
                    damping = (damping * 0.1).max(1e-15);
                    improved = true;
                    break;
                }
                _ => damping *= 10.0,
            }
        }
        if !improved || step[..dims].iter().all(|s| s.abs() < STEP_TOLERANCE) {
            break;
        }
    }
    Some((theta, cost))
}

/// Solves the `dims`×`dims` system `m x = b` by Gaussian elimination with partial pivoting.
fn solve_linear(m: &[[f64; 3]; 3], b: &[f64; 3], dims: usize) -> Option<[f64; 3]> {
    let mut a = *m;
    let mut x = *b;
    for col in 0..dims {
        let pivot = (col..dims).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        let size = a[pivot][col].abs();
        if size.is_nan() || size <= 1e-300 {
            return None;
        }
        a.swap(col, pivot);
        x.swap(col, pivot);
        let (done, rest) = a.split_at_mut(col + 1);
        let top = &done[col];
        for (r, row) in rest[..dims - col - 1].iter_mut().enumerate() {
            let f = row[col] / top[col];
            for (v, t) in row[col..dims].iter_mut().zip(&top[col..dims]) {
                *v -= f * t;
            }
            x[col + 1 + r] -= f * x[col];
        }
    }
    for col in (0..dims).rev() {
        let known: f64 = a[col][col + 1..dims]
            .iter()
            .zip(&x[col + 1..dims])
            .map(|(a, x)| a * x)
            .sum();
        x[col] = (x[col] - known) / a[col][col];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn neutral(dixon_coles: bool) -> FitOptions {
        FitOptions {
            dixon_coles,
            score_state: ScoreStateEffects::neutral(),
            ..FitOptions::default()
        }
    }

    #[test]
    fn recovers_its_own_prices() {
        for (dc, rho) in [(false, 0.0), (true, -0.08)] {
            let truth = FootballParams {
                rho,
                score_state: ScoreStateEffects::neutral(),
                ..FootballParams::new(1.7, 0.9)
            };
            let line = Line::from_goals(2.25).unwrap();
            let p = model_probs(&truth, Some(line)).unwrap();
            let odds = FitOdds {
                home: 1.0 / p[0],
                draw: 1.0 / p[1],
                away: 1.0 / p[2],
                total: Some(TotalOdds {
                    line: 2.25,
                    over: 1.0 / p[3],
                    under: 1.0 / p[4],
                }),
            };
            let fit = fit_football(&odds, &neutral(dc)).unwrap();
            assert!((fit.home_xg - 1.7).abs() < 1e-9, "{fit:?}");
            assert!((fit.away_xg - 0.9).abs() < 1e-9, "{fit:?}");
            assert!((fit.rho - rho).abs() < 1e-9, "{fit:?}");
            assert!(fit.residual < 1e-12, "{fit:?}");
        }
    }

    #[test]
    fn quarter_line_is_break_even_over_both_sides() {
        // Totals 1, 2, 3 with probabilities .2, .3, .5; over 2.25: win .5, half-lose .3, lose .2.
        let t = [0.0, 0.2, 0.3, 0.5];
        let (over, under) = over_under(&t, Line::from_goals(2.25).unwrap());
        // fair over = (1 − .15)/.5, fair under = (1 − .15)/(.2 + .15)
        let (io, iu) = (0.5 / 0.85, 0.35 / 0.85);
        assert!((over - io / (io + iu)).abs() < 1e-15);
        assert!((under - iu / (io + iu)).abs() < 1e-15);
    }

    #[test]
    fn refuses_bad_input() {
        let odds = FitOdds {
            home: 2.1,
            draw: f64::NAN,
            away: 3.6,
            total: None,
        };
        let e = fit_football(&odds, &FitOptions::default()).unwrap_err();
        assert_eq!(e.code(), "invalid_odds");
        let odds = FitOdds { draw: 3.4, ..odds };
        assert_eq!(
            fit_football(&odds, &neutral(true)).unwrap_err().code(),
            "needs_total"
        );
        let odds = FitOdds {
            total: Some(TotalOdds {
                line: 2.3,
                over: 1.9,
                under: 1.9,
            }),
            ..odds
        };
        assert_eq!(
            fit_football(&odds, &neutral(true)).unwrap_err().code(),
            "invalid_line"
        );
    }
}
