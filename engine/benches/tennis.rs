//! Cost of one full tennis book (match winner, set betting, set, next set and game winners, total
//! sets, tiebreak, 15–19 total-games lines, 16–24 game-handicap lines) from one score, and of the
//! fit. Run with `cargo bench -p inplay-engine --bench tennis`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use inplay_engine::market::{Line, MarketBook, MarketKey, SelectionKey};
use inplay_engine::tennis::{
    EarlierSets, FinalSet, FitOptions, MatchOdds, Player, TennisParams, TennisState,
    TotalGamesOdds, fit_tennis, price, price_into,
};

fn scores() -> [(&'static str, TennisParams, TennisState); 5] {
    let bo3 = TennisParams::new(0.66, 0.61, 3);
    let bo5_advantage = TennisParams {
        final_set: FinalSet::Advantage,
        ..TennisParams::new(0.68, 0.64, 5)
    };
    let state = |sets, games, points, server, earlier: Option<([u16; 2], u8)>| TennisState {
        sets,
        games,
        points,
        server,
        earlier: earlier.map(|(games, tiebreaks)| EarlierSets { games, tiebreaks }),
    };
    [
        ("bo3_pre_match", bo3, TennisState::pre_match(Player::A)),
        (
            "bo3_mid_set_1-0_3-2_30-15",
            bo3,
            state([1, 0], [3, 2], [2, 1], Player::B, Some(([6, 4], 0))),
        ),
        (
            "bo3_tiebreak_0-0_6-6_4-3",
            bo3,
            state([0, 0], [6, 6], [4, 3], Player::A, None),
        ),
        (
            "bo5_adv_pre_match",
            bo5_advantage,
            TennisState::pre_match(Player::A),
        ),
        (
            "bo5_adv_final_set_2-2_8-7_40-30",
            bo5_advantage,
            state([2, 2], [8, 7], [3, 2], Player::A, Some(([27, 25], 2))),
        ),
    ]
}

fn book(c: &mut Criterion) {
    let mut group = c.benchmark_group("tennis_price");
    for (name, params, state) in scores() {
        let n = price(&params, &state).map_or(0, |b| b.selection_count());
        assert!(n >= 40, "{name}: only {n} selections");
        group.bench_function(name, |b| {
            b.iter(|| price(black_box(&params), black_box(&state)))
        });
    }
    group.finish();
    // A host repricing every point keeps its book and reprices into it.
    let mut group = c.benchmark_group("tennis_price_into");
    for (name, params, state) in scores() {
        let mut into = MarketBook::default();
        group.bench_function(name, |b| {
            b.iter(|| price_into(black_box(&params), black_box(&state), &mut into))
        });
    }
    group.finish();
}

fn fit(c: &mut Criterion) {
    // The fair book of a known match, so that both fits have an exact answer to find.
    let priced = price(
        &TennisParams::new(0.66, 0.61, 3),
        &TennisState::pre_match(Player::A),
    )
    .expect("a valid match");
    let fair = |m: MarketKey, s: SelectionKey| priced.selection(m, s).map_or(2.0, |s| s.fair_odds);
    let total = MarketKey::TotalGames(Line::from_quarters(90));
    let anchored = MatchOdds {
        a: fair(MarketKey::MatchWinner, SelectionKey::A),
        b: fair(MarketKey::MatchWinner, SelectionKey::B),
        total_games: None,
    };
    let with_total = MatchOdds {
        total_games: Some(TotalGamesOdds {
            line: 22.5,
            over: fair(total, SelectionKey::Over),
            under: fair(total, SelectionKey::Under),
        }),
        ..anchored
    };
    let opts = FitOptions::default();
    let mut group = c.benchmark_group("tennis_fit");
    group.bench_function("match_odds", |b| {
        b.iter(|| fit_tennis(black_box(&anchored), black_box(&opts)))
    });
    group.sample_size(10);
    group.bench_function("match_and_total_odds", |b| {
        b.iter(|| fit_tennis(black_box(&with_total), black_box(&opts)))
    });
    group.finish();
}

criterion_group!(benches, book, fit);
criterion_main!(benches);
