//! A seeded match simulator that draws matches from the engine's own model.
//!
//! Goals follow the same intensities the pricing uses (time profile, score effects, red cards), so a
//! simulated season is a fair test of the prices. The output is the match's true timeline in match
//! clock; hosts turn it into feed messages (with jitter, duplicates, outages) for replays and load.

use rand_core::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

use crate::football::{FootballParams, HALF_MS, MatchState, Period, Score, remaining};
use crate::live::FeedKind;
use crate::market::Team;

/// What to simulate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimConfig {
    /// Match model.
    pub params: FootballParams,
    /// Seed: the same seed gives the same match on every host.
    pub seed: u64,
    /// Expected red cards per team per match (Premier League ≈ 0.06).
    pub red_cards_per_team: f64,
    /// Share of goals that go to a VAR check.
    pub var_check_share: f64,
    /// Share of checked goals that are ruled out.
    pub var_overturn_share: f64,
    /// Stoppage time actually played per half (ms).
    pub stoppage_ms: [u64; 2],
}

impl SimConfig {
    /// Defaults around `params` and `seed`.
    pub fn new(params: FootballParams, seed: u64) -> SimConfig {
        SimConfig {
            params,
            seed,
            red_cards_per_team: 0.06,
            var_check_share: 0.15,
            var_overturn_share: 0.3,
            stoppage_ms: [180_000, 360_000],
        }
    }
}

/// One thing that happened, at a match clock.
#[derive(Debug, Clone, PartialEq)]
pub struct SimEvent {
    /// Match clock (ms).
    pub clock_ms: u64,
    /// What.
    pub kind: FeedKind,
}

/// The simulation step: one second of match clock.
const STEP_MS: u64 = 1_000;

/// Draws one match: kick-off, goals (some checked and ruled out by VAR), red cards, half and full time.
pub fn simulate_match(cfg: &SimConfig) -> Vec<SimEvent> {
    let mut rng = Pcg64Mcg::seed_from_u64(cfg.seed);
    let mut uniform = move || (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
    let mut out = vec![SimEvent {
        clock_ms: 0,
        kind: FeedKind::Kickoff,
    }];
    let mut state = MatchState {
        period: Period::FirstHalf,
        stoppage_ms: [
            cfg.stoppage_ms[0].min(u32::MAX as u64) as u32,
            cfg.stoppage_ms[1].min(u32::MAX as u64) as u32,
        ],
        ..MatchState::pre_match()
    };
    let p = &cfg.params;
    let red_rate_per_ms = cfg.red_cards_per_team.max(0.0) / (2.0 * HALF_MS as f64);
    for half in 0..2 {
        let start = half as u64 * HALF_MS;
        let end = start + HALF_MS + cfg.stoppage_ms[half];
        state.period = if half == 0 {
            Period::FirstHalf
        } else {
            Period::SecondHalf
        };
        let mut clock = start;
        while clock < end {
            state.clock_ms = clock;
            let before = remaining(&p.profile, &state).to_full_time;
            state.clock_ms = clock + STEP_MS;
            let after = remaining(&p.profile, &state).to_full_time;
            let dt = (before - after).max(0.0);
            let (bh, ba) = crate::football::base_rates(p, &state);
            let d = state.score.diff();
            let rate = [bh * p.score_state.factor(d), ba * p.score_state.factor(-d)];
            for (i, team) in [Team::Home, Team::Away].into_iter().enumerate() {
                if uniform() < 1.0 - libm::exp(-rate[i] * dt) {
                    let at = clock + (uniform() * STEP_MS as f64) as u64;
                    let mut after_goal = state.score;
                    add(&mut after_goal, team);
                    out.push(SimEvent {
                        clock_ms: at,
                        kind: FeedKind::Goal {
                            team,
                            score: Some(after_goal),
                        },
                    });
                    let checked = uniform() < cfg.var_check_share;
                    let overturned = checked && uniform() < cfg.var_overturn_share;
                    if checked {
                        out.push(SimEvent {
                            clock_ms: at + 20_000,
                            kind: FeedKind::VarCheckStart,
                        });
                        if overturned {
                            out.push(SimEvent {
                                clock_ms: at + 60_000,
                                kind: FeedKind::GoalCancelled { team },
                            });
                        }
                        out.push(SimEvent {
                            clock_ms: at + 61_000,
                            kind: FeedKind::VarCheckEnd,
                        });
                    }
                    if !overturned {
                        state.score = after_goal;
                    }
                    // Play restarts after a goal (and its check) before anything else happens.
                    clock += if checked { 90_000 } else { 45_000 };
                }
                if uniform() < red_rate_per_ms * STEP_MS as f64 {
                    let cards = if team == Team::Home {
                        &mut state.red_cards.home
                    } else {
                        &mut state.red_cards.away
                    };
                    if *cards < 3 {
                        *cards += 1;
                        out.push(SimEvent {
                            clock_ms: clock,
                            kind: FeedKind::RedCard { team },
                        });
                    }
                }
            }
            clock += STEP_MS;
        }
        let whistle = clock.max(end);
        if half == 0 {
            out.push(SimEvent {
                clock_ms: whistle,
                kind: FeedKind::PeriodEnd { period: 1 },
            });
            out.push(SimEvent {
                clock_ms: HALF_MS,
                kind: FeedKind::PeriodStart { period: 2 },
            });
        } else {
            out.push(SimEvent {
                clock_ms: whistle,
                kind: FeedKind::MatchEnd,
            });
        }
    }
    out
}

fn add(score: &mut Score, team: Team) {
    match team {
        Team::Home => score.home = score.home.saturating_add(1),
        Team::Away => score.away = score.away.saturating_add(1),
    }
}

/// The final score of a simulated timeline (goals minus those ruled out).
pub fn final_score(events: &[SimEvent]) -> Score {
    let mut s = Score::default();
    for e in events {
        match e.kind {
            FeedKind::Goal { team, .. } => add(&mut s, team),
            FeedKind::GoalCancelled { team } => match team {
                Team::Home => s.home = s.home.saturating_sub(1),
                Team::Away => s.away = s.away.saturating_sub(1),
            },
            _ => {}
        }
    }
    s
}

/// A timeline event placed in wall time.
#[derive(Debug, Clone, PartialEq)]
pub struct Scheduled {
    /// Wall time (ms since the Unix epoch).
    pub at_ms: u64,
    /// Match clock (ms).
    pub clock_ms: u64,
    /// What.
    pub kind: FeedKind,
}

/// Places a simulated timeline in wall time: kick-off at `kickoff_ms`, a half-time break of
/// `break_ms`, and the whole match compressed by `speed` (2.0 plays twice as fast).
pub fn schedule(events: &[SimEvent], kickoff_ms: u64, break_ms: u64, speed: f64) -> Vec<Scheduled> {
    let speed = if speed.is_finite() && speed > 0.0 {
        speed
    } else {
        1.0
    };
    let scale = |ms: u64| (ms as f64 / speed) as u64;
    let mut second_half_wall = None;
    let mut out = Vec::with_capacity(events.len());
    for e in events {
        let at_ms = match (&e.kind, second_half_wall) {
            (FeedKind::PeriodEnd { period: 1 }, _) => {
                second_half_wall = Some(kickoff_ms + scale(e.clock_ms) + scale(break_ms));
                kickoff_ms + scale(e.clock_ms)
            }
            (_, Some(start)) => start + scale(e.clock_ms.saturating_sub(HALF_MS)),
            (_, None) => kickoff_ms + scale(e.clock_ms),
        };
        out.push(Scheduled {
            at_ms,
            clock_ms: e.clock_ms,
            kind: e.kind.clone(),
        });
    }
    out.sort_by_key(|s| s.at_ms);
    out
}
