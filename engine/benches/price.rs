//! Cost of one full reprice: every football market (1X2, double chance, draw no bet, 25 totals,
//! 25 handicaps, BTTS, correct score, team totals, next goal, half-time markets, rest of match)
//! from one state. Run with `cargo bench -p inplay-engine --bench price`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use inplay_engine::football::{
    FitOdds, FitOptions, FootballParams, MatchState, ScoreStateEffects, TotalOdds, fit_football,
    price, remaining_goals,
};

fn reprice(c: &mut Criterion) {
    let defaults = FootballParams::new(1.6, 1.1);
    let neutral = FootballParams {
        score_state: ScoreStateEffects::neutral(),
        ..defaults
    };
    let cases = [
        // The headline figure: second half, a score, default effects (uniformisation path).
        (
            "in_play_1-0_60min",
            defaults,
            MatchState::in_play(1, 0, 3_600_000),
        ),
        // First half in play also prices half-time markets: two grids.
        (
            "in_play_0-0_20min",
            defaults,
            MatchState::in_play(0, 0, 1_200_000),
        ),
        // Pre-match with default effects: the longest uniformisation (all 90 minutes to come).
        ("pre_match_defaults", defaults, MatchState::pre_match()),
        // Pre-match, neutral effects: the independent Poisson grid.
        ("pre_match_neutral", neutral, MatchState::pre_match()),
    ];
    let mut group = c.benchmark_group("price");
    for (name, params, state) in cases {
        let n = price(&params, &state).map_or(0, |b| b.selection_count());
        assert!(n >= 60, "{name}: only {n} selections");
        group.bench_function(name, |b| {
            b.iter(|| price(black_box(&params), black_box(&state)))
        });
    }
    group.finish();
    // The goal distributions alone (full time, and half time where it is priced), to split the
    // reprice between the grids and the market builder.
    let mut group = c.benchmark_group("grid");
    for (name, params, state) in cases {
        group.bench_function(name, |b| {
            b.iter(|| remaining_goals(black_box(&params), black_box(&state)))
        });
    }
    group.finish();
}

fn fit(c: &mut Criterion) {
    let odds = FitOdds {
        home: 2.10,
        draw: 3.40,
        away: 3.60,
        total: Some(TotalOdds {
            line: 2.5,
            over: 1.95,
            under: 1.95,
        }),
    };
    let mut group = c.benchmark_group("fit");
    for (name, opts) in [
        (
            "dixon_coles_neutral",
            FitOptions {
                dixon_coles: true,
                score_state: ScoreStateEffects::neutral(),
                ..FitOptions::default()
            },
        ),
        (
            "dixon_coles_defaults",
            FitOptions {
                dixon_coles: true,
                ..FitOptions::default()
            },
        ),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| fit_football(black_box(&odds), black_box(&opts)))
        });
    }
    group.finish();
}

criterion_group!(benches, reprice, fit);
criterion_main!(benches);
