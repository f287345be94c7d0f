//! Margin removal ([`implied_probabilities`]) and margin application ([`apply_margin`]).
//!
//! The five removal methods use the formulas of penaltyblog's `penaltyblog.implied` (1.13.x),
//! with `π = 1/odds` and `S = Σπ`:
//!
//! | method           | fair probability `p` from `π`                              | parameter        |
//! |------------------|------------------------------------------------------------|------------------|
//! | `multiplicative` | `π / S`                                                    | none             |
//! | `additive`       | `π + (1 − S)/n`                                            | none             |
//! | `power`          | `π^k`, `Σp = 1`                                            | `k`              |
//! | `shin`           | `(√(z² + 4(1−z)π²/S) − z) / (2(1−z))`, `Σp = 1`            | `z`              |
//! | `odds_ratio`     | `π / (c + π − cπ)`, `Σp = 1`                               | `c`              |
//!
//! [`apply_margin`] is the exact inverse of each: it solves the same parameter so that the
//! offered book has overround `Σ1/odds − 1` equal to the requested margin, and removing the
//! margin again with the same method gives back the fair probabilities.
//!
//! Parameters are solved by plain bisection on a bracket whose function is strictly monotone,
//! run to floating-point resolution with a fixed iteration cap, so results depend only on the
//! input bits and are identical on every target. penaltyblog uses `scipy.optimize.ridder` on
//! `[0, 100]` (tolerance 2e-12); where it finds a root we find the same root, agreeing to about
//! 1e-12 (its tolerance), and multiplicative/additive agree bit for bit. Where its bracket holds no root we widen ours deterministically instead of
//! failing (Shin on an under-round book gives `z < 0`; power or odds ratio on absurdly short
//! books need parameters above 100).

use serde::{Deserialize, Serialize};

use super::OddsError;

/// Bisection steps allowed. Each halves the bracket and the loop stops once the midpoint is an
/// endpoint, which takes about 60 steps for ordinary books; a root near zero (absurd books with
/// prices like 1e100) can need over 1,000 steps to reach subnormal resolution, hence the cap.
const MAX_BISECTIONS: u32 = 2_200;

/// Doublings allowed when widening a bracket that does not yet contain the root.
const MAX_EXPANSIONS: u32 = 64;

/// How far fair probabilities may sum from 1 before [`apply_margin`] refuses them; within this
/// they are normalised.
const PROB_SUM_TOLERANCE: f64 = 1e-9;

/// How a bookmaker's margin is spread over the outcomes of a book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarginMethod {
    /// Margin proportional to probability: `p = π / Σπ`.
    Multiplicative,
    /// The same margin on every outcome: `p = π − (Σπ − 1)/n`.
    Additive,
    /// `p = π^k`: more margin, relatively, on long shots (favourite–long-shot bias).
    Power,
    /// Shin's insider-trading model, parameter `z` (the insider share).
    Shin,
    /// Cheung's odds-ratio method: offered and fair odds differ by a constant odds ratio `c`.
    OddsRatio,
}

impl MarginMethod {
    /// All methods, in declaration order.
    pub const ALL: [MarginMethod; 5] = [
        MarginMethod::Multiplicative,
        MarginMethod::Additive,
        MarginMethod::Power,
        MarginMethod::Shin,
        MarginMethod::OddsRatio,
    ];

    /// The lowercase snake-case name, as used by penaltyblog, `Display`, `FromStr` and serde.
    pub fn as_str(self) -> &'static str {
        match self {
            MarginMethod::Multiplicative => "multiplicative",
            MarginMethod::Additive => "additive",
            MarginMethod::Power => "power",
            MarginMethod::Shin => "shin",
            MarginMethod::OddsRatio => "odds_ratio",
        }
    }
}

impl core::fmt::Display for MarginMethod {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::str::FromStr for MarginMethod {
    type Err = OddsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MarginMethod::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| OddsError::UnknownMethod(s.to_owned()))
    }
}

/// Fair probabilities recovered from a book, with the book's overround and the solved parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Implied {
    /// Fair probability of each outcome, in input order; they sum to 1 (to rounding).
    pub probs: Vec<f64>,
    /// The book's overround, `Σ(1/odds) − 1` (negative for an under-round book).
    pub margin: f64,
    /// Method used.
    pub method: MarginMethod,
    /// Solved method parameter as penaltyblog reports it: power exponent `k`, Shin `z`,
    /// odds ratio `c`; `None` for multiplicative and additive.
    pub k: Option<f64>,
}

/// Removes the margin from a book of decimal odds with the given method.
///
/// Needs at least two prices, each finite and above 1.0. Under-round books (`Σ1/odds < 1`) are
/// accepted by every method. Additive removal can push a long shot below zero; that is an
/// [`OddsError::NegativeProbability`] here, where penaltyblog returns the negative number.
pub fn implied_probabilities(odds: &[f64], method: MarginMethod) -> Result<Implied, OddsError> {
    if odds.len() < 2 {
        return Err(OddsError::TooFewOutcomes { got: odds.len() });
    }
    if let Some((index, &value)) = odds
        .iter()
        .enumerate()
        .find(|(_, d)| !super::is_valid_decimal(**d))
    {
        return Err(OddsError::InvalidOdds { index, value });
    }
    let inv: Vec<f64> = odds.iter().map(|d| 1.0 / d).collect();
    let total: f64 = inv.iter().sum();
    let margin = total - 1.0;
    let n = inv.len() as f64;

    let (probs, k) = match method {
        MarginMethod::Multiplicative => (inv.iter().map(|p| p / total).collect(), None),
        MarginMethod::Additive => {
            // Same expression as penaltyblog: π + (1/n)(1 − S).
            let probs: Vec<f64> = inv.iter().map(|p| p + 1.0 / n * (1.0 - total)).collect();
            if let Some(index) = probs.iter().position(|p| *p < 0.0) {
                return Err(OddsError::NegativeProbability { method, index });
            }
            (probs, None)
        }
        MarginMethod::Power => {
            // Σπ^k falls strictly from n (k = 0) towards 0, so the root is unique.
            let f = |k: f64| inv.iter().map(|p| libm::pow(*p, k)).sum::<f64>() - 1.0;
            let k = solve_up(0.0, 100.0, &f).ok_or(OddsError::NoConvergence { method })?;
            (inv.iter().map(|p| libm::pow(*p, k)).collect(), Some(k))
        }
        MarginMethod::Shin => {
            let x: Vec<f64> = inv.iter().map(|p| p * p / total).collect();
            let f = |z: f64| x.iter().map(|xi| shin_prob(*xi, z)).sum::<f64>() - 1.0;
            // Σp(z) falls strictly in z and equals √S at z = 0, so an over-round book has its
            // root in [0, 100] (penaltyblog's bracket) and an under-round one below zero.
            let z = if total >= 1.0 {
                solve_up(0.0, 100.0, &f)
            } else {
                solve_down(-1.0, 0.0, &f)
            }
            .ok_or(OddsError::NoConvergence { method })?;
            (x.iter().map(|xi| shin_prob(*xi, z)).collect(), Some(z))
        }
        MarginMethod::OddsRatio => {
            // Each term falls strictly from 1 (c = 0) towards 0, so the root is unique.
            let f = |c: f64| inv.iter().map(|p| odds_ratio_prob(*p, c)).sum::<f64>() - 1.0;
            let c = solve_up(0.0, 100.0, &f).ok_or(OddsError::NoConvergence { method })?;
            (
                inv.iter().map(|p| odds_ratio_prob(*p, c)).collect(),
                Some(c),
            )
        }
    };
    Ok(Implied {
        probs,
        margin,
        method,
        k,
    })
}

/// Puts a margin on fair probabilities and returns the offered decimal odds, whose overround
/// `Σ(1/odds) − 1` equals `margin` (to rounding). The exact inverse of
/// [`implied_probabilities`] with the same method.
///
/// `probs` must have at least two entries, all finite and positive, summing to 1 within 1e-9
/// (they are normalised); `margin` must be in `[0, 1)`. Forward forms, with `π` the offered
/// implied probability and `S = 1 + margin`:
///
/// - multiplicative: `π = p·S`
/// - additive: `π = p + margin/n`
/// - power: `π = p^(1/k)`, `k` solved so `Σπ = S`
/// - shin: `π = √(S·(z·p + (1−z)·p²))`, `z` solved so `Σπ = S`
/// - odds ratio: `π = c·p / (1 − p + c·p)`, `c` solved so `Σπ = S`
///
/// If some `π` would reach 1 (a price of 1.0 or less) the margin is
/// [`OddsError::MarginUnattainable`] for that book and method.
pub fn apply_margin(
    probs: &[f64],
    margin: f64,
    method: MarginMethod,
) -> Result<Vec<f64>, OddsError> {
    let p = normalised(probs)?;
    if !(margin.is_finite() && (0.0..1.0).contains(&margin)) {
        return Err(OddsError::InvalidMargin(margin));
    }
    let target = 1.0 + margin;
    let n = p.len() as f64;
    let unattainable = OddsError::MarginUnattainable { method, margin };
    let no_root = OddsError::NoConvergence { method };

    let offered: Vec<f64> = match method {
        MarginMethod::Multiplicative => p.iter().map(|q| q * target).collect(),
        MarginMethod::Additive => p.iter().map(|q| q + margin / n).collect(),
        MarginMethod::Power => {
            // Solve e = 1/k in [0, 1]: Σp^e falls strictly from n (> S) at e = 0 to 1 at e = 1.
            let f = |e: f64| p.iter().map(|q| libm::pow(*q, e)).sum::<f64>() - target;
            let e = solve_up(0.0, 1.0, &f).ok_or(no_root)?;
            p.iter().map(|q| libm::pow(*q, e)).collect()
        }
        MarginMethod::Shin => {
            // Inverting the removal formula gives π_i = √S·t_i with t_i = √(p² + z·p(1−p)), and
            // Σπ = S then means Σt = √S. Σt rises strictly in z from 1 at z = 0.
            let root = libm::sqrt(target);
            let f = |z: f64| p.iter().map(|q| shin_offer_term(*q, z)).sum::<f64>() - root;
            let z = solve_up(0.0, 1.0, &f).ok_or(no_root)?;
            let t: Vec<f64> = p.iter().map(|q| shin_offer_term(*q, z)).collect();
            // Scale by the achieved Σt rather than √S so the book is exactly self-consistent.
            let g: f64 = t.iter().sum();
            t.iter().map(|ti| g * ti).collect()
        }
        MarginMethod::OddsRatio => {
            // Σπ rises strictly in c from 1 at c = 1 towards n (> S).
            let f = |c: f64| p.iter().map(|q| c * q / (1.0 - q + c * q)).sum::<f64>() - target;
            let c = solve_up(1.0, 2.0, &f).ok_or(no_root)?;
            p.iter().map(|q| c * q / (1.0 - q + c * q)).collect()
        }
    };

    offered
        .iter()
        .map(|pi| {
            let odds = 1.0 / pi;
            if pi.is_finite() && *pi > 0.0 && super::is_valid_decimal(odds) {
                Ok(odds)
            } else {
                Err(unattainable.clone())
            }
        })
        .collect()
}

/// Validates fair probabilities and rescales them to sum to exactly 1 (to rounding).
fn normalised(probs: &[f64]) -> Result<Vec<f64>, OddsError> {
    if probs.len() < 2 {
        return Err(OddsError::TooFewOutcomes { got: probs.len() });
    }
    if probs.iter().any(|p| !(p.is_finite() && *p > 0.0)) {
        return Err(OddsError::InvalidProbabilities(
            "every probability must be finite and positive",
        ));
    }
    let sum: f64 = probs.iter().sum();
    if (sum - 1.0).abs() > PROB_SUM_TOLERANCE {
        return Err(OddsError::InvalidProbabilities(
            "probabilities must sum to 1 within 1e-9",
        ));
    }
    Ok(probs.iter().map(|p| p / sum).collect())
}

/// Shin fair probability for `x = π²/S` at parameter `z`: the positive root of
/// `(1−z)p² + z·p = x`, i.e. penaltyblog's `(√(z² + 4(1−z)x) − z) / (2(1−z))`.
fn shin_prob(x: f64, z: f64) -> f64 {
    let root = libm::sqrt(z * z + 4.0 * (1.0 - z) * x);
    if z >= 0.0 {
        // Rationalised form: no cancellation for z > 0 and no 0/0 at z = 1.
        2.0 * x / (z + root)
    } else {
        // penaltyblog's form, which has no cancellation when z < 0.
        (root - z) / (2.0 * (1.0 - z))
    }
}

/// `√(p² + z·p(1−p))`: offered Shin probability divided by `√S`.
fn shin_offer_term(p: f64, z: f64) -> f64 {
    libm::sqrt(p * p + z * p * (1.0 - p))
}

/// Odds-ratio fair probability, penaltyblog's `π / (c + π − cπ)` written as `π / (π + c(1−π))`:
/// the same value, but without cancellation when `c` is huge (prices a hair above 1.0).
fn odds_ratio_prob(pi: f64, c: f64) -> f64 {
    pi / (pi + c * (1.0 - pi))
}

// The solvers take `&dyn Fn`: one copy of each serves every method (generic copies per closure
// were a tenth of the npm package's wasm), and the call is cheap next to the `pow`/`sqrt` inside.

/// Root of `f` starting from `[lo, hi]`, doubling `hi` (moving `lo` up) until the sign changes.
fn solve_up(lo: f64, hi: f64, f: &dyn Fn(f64) -> f64) -> Option<f64> {
    let (lo, hi) = widen(lo, hi, f, true)?;
    bisect(lo, hi, f)
}

/// Root of `f` starting from `[lo, hi]` with `lo < 0`, doubling `lo` downwards until the sign
/// changes.
fn solve_down(lo: f64, hi: f64, f: &dyn Fn(f64) -> f64) -> Option<f64> {
    let (lo, hi) = widen(lo, hi, f, false)?;
    bisect(lo, hi, f)
}

/// Widens `[lo, hi]` by doubling one end until `f` changes sign across it (or hits zero).
fn widen(mut lo: f64, mut hi: f64, f: &dyn Fn(f64) -> f64, upwards: bool) -> Option<(f64, f64)> {
    for _ in 0..=MAX_EXPANSIONS {
        let (f_lo, f_hi) = (f(lo), f(hi));
        if !(f_lo.is_finite() && f_hi.is_finite()) {
            return None;
        }
        if f_lo == 0.0 || f_hi == 0.0 || (f_lo > 0.0) != (f_hi > 0.0) {
            return Some((lo, hi));
        }
        if upwards {
            lo = hi;
            hi *= 2.0;
        } else {
            hi = lo;
            lo *= 2.0;
        }
    }
    None
}

/// Bisection on a bracket where `f` changes sign, to floating-point resolution.
fn bisect(mut lo: f64, mut hi: f64, f: &dyn Fn(f64) -> f64) -> Option<f64> {
    let mut f_lo = f(lo);
    let f_hi = f(hi);
    if f_lo == 0.0 {
        return Some(lo);
    }
    if f_hi == 0.0 {
        return Some(hi);
    }
    if !(f_lo.is_finite() && f_hi.is_finite()) || (f_lo > 0.0) == (f_hi > 0.0) {
        return None;
    }
    for _ in 0..MAX_BISECTIONS {
        let mid = lo + (hi - lo) * 0.5;
        if mid <= lo || mid >= hi {
            break;
        }
        let f_mid = f(mid);
        if f_mid == 0.0 {
            return Some(mid);
        }
        if !f_mid.is_finite() {
            return None;
        }
        if (f_mid > 0.0) == (f_lo > 0.0) {
            lo = mid;
            f_lo = f_mid;
        } else {
            hi = mid;
        }
    }
    Some(lo + (hi - lo) * 0.5)
}
