//! The change of clock that makes the remaining-goals process time-homogeneous.
//!
//! Scoring intensity is `xg · f(t) · (score and card effects)`. Measuring time in *operational time*
//! `τ(t) = ∫ f` (the share of the match's expected goals already played) removes `f`: in τ the rates are
//! constant between events, so the remaining goals can be computed exactly (see `grid`). τ runs from 0
//! at kick-off to 1 at the expected final whistle.

use super::params::{HALF_MS, MatchState, Period, TimeProfile};

/// When the clock passes the expected end of a half, the remaining time decays smoothly instead of
/// hitting zero, so prices keep moving through unexpected stoppage time; this is that decay's scale.
const OVERRUN_SCALE_MS: f64 = 60_000.0;

/// Operational time still to play.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Remaining {
    /// Until the final whistle, in [0, 1].
    pub to_full_time: f64,
    /// Until half-time (0 once the first half is over).
    pub to_half_time: f64,
}

/// Share of a half's operational time left when `remaining_ms` of its `length_ms` remain:
/// `1 − G(u)` with `G(u) = (2u + (ramp−1)u²)/(1+ramp)`, written in `v = 1 − u` to avoid cancellation.
fn half_left(profile: &TimeProfile, remaining_ms: f64, length_ms: f64) -> f64 {
    let v = (remaining_ms / length_ms).clamp(0.0, 1.0);
    let r = profile.ramp;
    v * (2.0 * r - (r - 1.0) * v) / (1.0 + r)
}

/// Milliseconds left in a half that started `elapsed_ms` ago and is expected to last `length_ms`.
fn ms_left(elapsed_ms: f64, length_ms: f64) -> f64 {
    let m = OVERRUN_SCALE_MS;
    if elapsed_ms + m <= length_ms {
        length_ms - elapsed_ms
    } else {
        // Continuous and with the same slope (−1) where it joins the linear part.
        m * libm::exp(-(elapsed_ms - (length_ms - m)) / m)
    }
}

/// Operational time left at `state` under `profile`.
pub fn remaining(profile: &TimeProfile, state: &MatchState) -> Remaining {
    let share1 = profile.first_half_share;
    let share2 = 1.0 - share1;
    let length = |half: usize| HALF_MS as f64 + state.stoppage_ms[half] as f64;
    match state.period {
        Period::PreMatch => Remaining {
            to_full_time: 1.0,
            to_half_time: share1,
        },
        Period::FirstHalf => {
            let l = length(0);
            let h1 = share1 * half_left(profile, ms_left(state.clock_ms as f64, l), l);
            Remaining {
                to_full_time: h1 + share2,
                to_half_time: h1,
            }
        }
        Period::HalfTime => Remaining {
            to_full_time: share2,
            to_half_time: 0.0,
        },
        Period::SecondHalf => {
            let l = length(1);
            let elapsed = state.clock_ms.saturating_sub(HALF_MS) as f64;
            let h2 = share2 * half_left(profile, ms_left(elapsed, l), l);
            Remaining {
                to_full_time: h2,
                to_half_time: 0.0,
            }
        }
        Period::FullTime => Remaining {
            to_full_time: 0.0,
            to_half_time: 0.0,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(period: Period, clock_ms: u64) -> Remaining {
        let s = MatchState {
            period,
            clock_ms,
            ..MatchState::pre_match()
        };
        remaining(&TimeProfile::default(), &s)
    }

    #[test]
    fn runs_from_one_to_zero_continuously() {
        assert_eq!(at(Period::PreMatch, 0).to_full_time, 1.0);
        assert!((at(Period::FirstHalf, 0).to_full_time - 1.0).abs() < 1e-15);
        let end1 = HALF_MS + 180_000;
        // At the expected whistle a sliver of overrun time is still priced in.
        let gap = at(Period::FirstHalf, end1).to_full_time - at(Period::HalfTime, 0).to_full_time;
        assert!(gap > 0.0 && gap < 0.01, "{gap}");
        assert!((at(Period::SecondHalf, HALF_MS).to_full_time - 0.55).abs() < 1e-15);
        let mut last = 2.0;
        for s in (0..=100 * 60).step_by(7) {
            let ms = s as u64 * 1000;
            let p = if ms < HALF_MS + 180_000 {
                Period::FirstHalf
            } else {
                Period::SecondHalf
            };
            let r = at(p, ms.max(if p == Period::SecondHalf { HALF_MS } else { 0 })).to_full_time;
            assert!(r <= last && r >= 0.0, "not decreasing at {s}s");
            last = r;
        }
    }

    #[test]
    fn ramp_raises_late_intensity() {
        // The last 15 minutes of a half hold more operational time than the first 15.
        let first15 =
            at(Period::FirstHalf, 0).to_half_time - at(Period::FirstHalf, 900_000).to_half_time;
        let l = HALF_MS + 180_000;
        let (a, b) = (l - 960_000, l - 60_000);
        let last15 = at(Period::FirstHalf, a).to_half_time - at(Period::FirstHalf, b).to_half_time;
        assert!(last15 > 1.15 * first15, "{last15} vs {first15}");
    }
}
