//! The distribution of the goals still to come, computed exactly.
//!
//! In operational time (see `timing`) each team scores at a constant rate that depends only on the
//! goal difference (score effects) and red cards. With neutral score effects the two counts are
//! independent Poisson variables and the grid is their product. Otherwise the added goals form a
//! continuous-time Markov chain on `(i, j)`, solved by *uniformisation*: with `Λ` a bound on the total
//! rate, `P(T) = Σₖ Poisson(k; ΛT) · πPᵏ` where `P = I + Q/Λ` is a discrete jump chain. It is exact up to
//! the truncated Poisson tail (< 1e-14) and costs a few thousand multiply-adds, not a simulation.
//! Dixon–Coles' low-score factors are then applied with the expected remaining goals.

use super::params::{FootballParams, MatchState, PricingError};

/// Largest number of further goals tracked per team; mass that would go beyond stays at the cap.
pub const MAX_ADDED: usize = 24;
const N: usize = MAX_ADDED + 1;

/// Stop adding uniformisation terms once the Poisson weight left is below this.
const TAIL: f64 = 1e-14;

/// Expected goals in the rest of a match above this are not football (and would cost unbounded steps).
const MAX_EXPECTED_TOTAL: f64 = 60.0;

/// Joint distribution of the goals still to come: `p[i][j]` = P(i more home goals, j more away).
#[derive(Debug, Clone)]
pub struct GoalGrid {
    /// `N` rows on the heap: a grid is 5 KB, and a reprice would otherwise copy each one several
    /// times on its way out (wasm copies are calls, not free register moves).
    p: Box<[[f64; N]]>,
    /// Cells with index ≥ `len` are zero, so loops stop early.
    len: usize,
    /// Expected further goals per team, ignoring score effects (used by Dixon–Coles).
    pub(crate) expected: (f64, f64),
}

impl GoalGrid {
    /// Probability of exactly `i` more home and `j` more away goals.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        if i < self.len && j < self.len {
            self.p[i][j]
        } else {
            0.0
        }
    }
    /// Row `i` (all `N` cells; those past `len` are zero).
    pub(crate) fn row(&self, i: usize) -> &[f64; N] {
        &self.p[i]
    }
    /// Extent of the non-zero cells (exclusive bound per team).
    pub fn len(&self) -> usize {
        self.len
    }
    /// Whether no further goal is possible.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// Sum of all cells (1 up to rounding).
    pub fn total(&self) -> f64 {
        self.p[..self.len]
            .iter()
            .map(|r| r[..self.len].iter().sum::<f64>())
            .sum()
    }
}

/// Product of `m` applied `n` times, by repeated multiplication so every host rounds identically.
fn times(m: f64, n: u8) -> f64 {
    (0..n).fold(1.0, |acc, _| acc * m)
}

/// Per-team base rates in operational time at `state` (xG with red-card effects).
pub fn base_rates(params: &FootballParams, state: &MatchState) -> (f64, f64) {
    let rc = params.red_cards;
    let (rh, ra) = (state.red_cards.home, state.red_cards.away);
    let home = params.home_xg * times(rc.penalised, rh) * times(rc.opponent, ra);
    let away = params.away_xg * times(rc.penalised, ra) * times(rc.opponent, rh);
    (home, away)
}

/// Distribution of the goals scored in the next `t` units of operational time from `state`.
pub fn remaining_goals(
    params: &FootballParams,
    state: &MatchState,
    t: f64,
) -> Result<GoalGrid, PricingError> {
    let [grid] = remaining_goals_at(params, state, [t])?;
    Ok(grid)
}

/// Distributions of the goals scored in the next `ts[m]` units of operational time, for several
/// horizons at once (half-time and full time share one uniformisation sweep: only the Poisson
/// weights differ). Each grid is bit for bit what a single-horizon call gives.
pub fn remaining_goals_at<const M: usize>(
    params: &FootballParams,
    state: &MatchState,
    ts: [f64; M],
) -> Result<[GoalGrid; M], PricingError> {
    let (bh, ba) = base_rates(params, state);
    let ss = params.score_state;
    let max_factor = 1f64.max(ss.trailing_by_one).max(ss.trailing_by_two_plus);
    for t in ts {
        let (lh, la) = (bh * t, ba * t);
        if !(lh.is_finite() && la.is_finite()) || (lh + la) * max_factor > MAX_EXPECTED_TOTAL {
            return Err(PricingError::InvalidParams {
                name: "red_cards",
                reason: "effects give more than 60 expected goals in the rest of the match",
            });
        }
    }
    let mut grids = if ss.is_neutral() {
        ts.map(|t| independent(bh * t, ba * t))
    } else {
        uniformised(params, state.score.diff(), bh, ba, ts, max_factor)
    };
    for (grid, t) in grids.iter_mut().zip(ts) {
        grid.expected = (bh * t, ba * t);
        dixon_coles(grid, params.rho);
    }
    Ok(grids)
}

/// A zeroed `N` × `N` grid.
fn cells() -> Box<[[f64; N]]> {
    vec![[0.0; N]; N].into_boxed_slice()
}

/// Two independent Poisson counts.
fn independent(lh: f64, la: f64) -> GoalGrid {
    let ph = poisson_pmf(lh);
    let pa = poisson_pmf(la);
    let mut p = cells();
    let len = active_len(&ph).max(active_len(&pa));
    for i in 0..len {
        for j in 0..len {
            p[i][j] = ph[i] * pa[j];
        }
    }
    GoalGrid {
        p,
        len,
        expected: (lh, la),
    }
}

/// Poisson probabilities 0..N, by recurrence from `exp(-λ)`; the last cell holds P(X ≥ MAX_ADDED),
/// as the uniformised path's capped cell does, so no mass is lost for huge rates.
fn poisson_pmf(lambda: f64) -> [f64; N] {
    let mut out = [0.0; N];
    let mut v = libm::exp(-lambda);
    for (k, slot) in out.iter_mut().enumerate() {
        *slot = v;
        v = v * lambda / (k + 1) as f64;
    }
    let head: f64 = out[..MAX_ADDED].iter().sum();
    // Below this the tail is rounding noise and the exact cell is kept (penaltyblog agreement).
    if head < 1.0 - 1e-12 {
        out[MAX_ADDED] = 1.0 - head;
    }
    out
}

/// One past the last index holding non-negligible mass.
fn active_len(pmf: &[f64; N]) -> usize {
    // A cell below 1e-300 cannot change any printed probability; trimming keeps loops short.
    pmf.iter().rposition(|&v| v > 1e-300).map_or(1, |i| i + 1)
}

/// Uniformisation of the score-dependent birth process.
// Neighbouring cells are read by index (i−1, j−1, i−j), which iterators would only obscure.
#[allow(clippy::needless_range_loop)]
fn uniformised<const M: usize>(
    params: &FootballParams,
    diff0: i32,
    bh: f64,
    ba: f64,
    ts: [f64; M],
    max_factor: f64,
) -> [GoalGrid; M] {
    let ss = params.score_state;
    let lambda = (bh + ba) * max_factor;
    let mut outs = ts.map(|_| GoalGrid {
        p: cells(),
        len: 1,
        expected: (0.0, 0.0),
    });
    // A horizon with nothing left to play is the point mass "no more goals".
    let mut done = ts.map(|t| lambda <= 0.0 || t <= 0.0);
    for (out, d) in outs.iter_mut().zip(done) {
        if d {
            out.p[0][0] = 1.0;
        }
    }
    if done.iter().all(|d| *d) {
        return outs;
    }
    // Jump probabilities depend on the goal difference only: index by i − j + MAX_ADDED.
    let mut up_home = [0.0; 2 * N];
    let mut up_away = [0.0; 2 * N];
    for (k, (uh, ua)) in up_home.iter_mut().zip(up_away.iter_mut()).enumerate() {
        let d = diff0 + k as i32 - MAX_ADDED as i32;
        *uh = bh * ss.factor(d) / lambda;
        *ua = ba * ss.factor(-d) / lambda;
    }
    let lts = ts.map(|t| lambda * t);
    // Row i of the jump, cell j, reads the difference index d = i − j + MAX_ADDED; stored reversed
    // (m = 2N − 1 − d) a row's coefficients are one ascending slice starting at N − i + j.
    let mut stay_r = [0.0; 2 * N + 1];
    let mut uh_r = [0.0; 2 * N + 1];
    let mut ua_r = [0.0; 2 * N + 1];
    for d in 0..2 * N {
        let m = 2 * N - 1 - d;
        stay_r[m] = 1.0 - up_home[d] - up_away[d];
        uh_r[m] = up_home[d];
        ua_r[m] = up_away[d];
    }
    let mut buf_a = [[0.0; N]; N];
    let mut buf_b = [[0.0; N]; N];
    buf_a[0][0] = 1.0;
    let (mut cur, mut nxt) = (&mut buf_a, &mut buf_b);
    let mut weights = lts.map(|lt| libm::exp(-lt));
    let mut used = [0.0; M];
    let mut k = 0usize;
    loop {
        let reach = k.min(MAX_ADDED);
        for m in 0..M {
            if done[m] {
                continue;
            }
            let (out, weight) = (&mut outs[m], weights[m]);
            for i in 0..=reach {
                let w = reach.min(k - i) + 1;
                for (o, c) in out.p[i][..w].iter_mut().zip(&cur[i][..w]) {
                    *o += weight * c;
                }
            }
            used[m] += weight;
            out.len = reach + 1;
            if 1.0 - used[m] < TAIL && k as f64 > lts[m] || k >= 2000 {
                done[m] = true;
            }
        }
        if done.iter().all(|d| *d) {
            break;
        }
        let next = (k + 1).min(MAX_ADDED);
        for i in 0..=next {
            let w = next.min(k + 1 - i) + 1;
            let base = N - i;
            let (before, rest) = cur.split_at(i);
            let here = &rest[0];
            let row = &mut nxt[i];
            // j = 0: nothing from the left.
            let above0 = if i > 0 {
                before[i - 1][0] * uh_r[base + 1]
            } else {
                0.0
            };
            row[0] = here[0] * stay_r[base] + above0;
            if w > 1 {
                let stay = &stay_r[base + 1..base + w];
                let uh = &uh_r[base + 2..base + 1 + w];
                let ua = &ua_r[base..base + w - 1];
                let left = &here[..w - 1];
                let own = &here[1..w];
                if i > 0 {
                    let above = &before[i - 1][1..w];
                    for (((((v, c), s), a), u), (l, q)) in row[1..w]
                        .iter_mut()
                        .zip(own)
                        .zip(stay)
                        .zip(above)
                        .zip(uh)
                        .zip(left.iter().zip(ua))
                    {
                        *v = c * s + a * u + l * q;
                    }
                } else {
                    for (((v, c), s), (l, q)) in row[1..w]
                        .iter_mut()
                        .zip(own)
                        .zip(stay)
                        .zip(left.iter().zip(ua))
                    {
                        *v = c * s + l * q;
                    }
                }
            }
            if i == MAX_ADDED {
                for (j, v) in row[..w].iter_mut().enumerate() {
                    *v += here[j] * uh_r[base + j];
                }
            }
            if w == N {
                row[MAX_ADDED] += here[MAX_ADDED] * ua_r[base + MAX_ADDED];
            }
        }
        core::mem::swap(&mut cur, &mut nxt);
        k += 1;
        for (w, lt) in weights.iter_mut().zip(lts) {
            *w = *w * lt / k as f64;
        }
    }
    // Renormalise by the weight actually used (the dropped tail is < TAIL).
    for (out, u) in outs.iter_mut().zip(used) {
        if u <= 0.0 {
            continue;
        }
        let inv = 1.0 / u;
        let len = out.len;
        for row in out.p[..len].iter_mut() {
            for v in row[..len].iter_mut() {
                *v *= inv;
            }
        }
    }
    outs
}

/// Dixon–Coles: `τ(0,0)=1−λμρ, τ(0,1)=1+λρ, τ(1,0)=1+μρ, τ(1,1)=1−ρ` on the further goals, λ and μ the
/// expected further goals. For independent Poisson counts this keeps the total at 1; otherwise the
/// grid is renormalised.
fn dixon_coles(grid: &mut GoalGrid, rho: f64) {
    if rho == 0.0 {
        return;
    }
    let (l, m) = grid.expected;
    if grid.len < 2 {
        return;
    }
    // The parameters keep each factor non-negative for the pre-match rates, but in play red cards
    // and score effects scale λ and μ beyond them: a factor below zero is a cell that cannot
    // happen, not a negative probability.
    let tau = |x: f64| if x > 0.0 { x } else { 0.0 };
    grid.p[0][0] *= tau(1.0 - l * m * rho);
    grid.p[0][1] *= tau(1.0 + l * rho);
    grid.p[1][0] *= tau(1.0 + m * rho);
    grid.p[1][1] *= tau(1.0 - rho);
    let total = grid.total();
    if total > 0.0 && (total - 1.0).abs() > 1e-15 {
        let inv = 1.0 / total;
        for row in grid.p[..grid.len].iter_mut() {
            for v in row[..grid.len].iter_mut() {
                *v *= inv;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::football::params::ScoreStateEffects;

    #[test]
    fn uniformisation_matches_poisson_when_neutral() {
        let mut p = FootballParams::new(1.7, 1.2);
        p.score_state = ScoreStateEffects::neutral();
        let s = MatchState::in_play(1, 0, 1_800_000);
        let exact = independent(1.7 * 0.6, 1.2 * 0.6);
        let [u] = uniformised(&p, s.score.diff(), 1.7, 1.2, [0.6], 1.0);
        for i in 0..10 {
            for j in 0..10 {
                assert!((exact.get(i, j) - u.get(i, j)).abs() < 1e-13, "{i},{j}");
            }
        }
        assert!((u.total() - 1.0).abs() < 1e-13);
    }
}
