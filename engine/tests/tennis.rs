//! Tests for `inplay_engine::tennis`: the exact chain against closed forms (the hold formula,
//! S²(3 − 2S) for best of 3 and its best-of-5 twin, the tiebreak and advantage-set level formulas),
//! the price as a martingale over the next point from any reachable score (which ties the dynamic
//! programme to the scoring rules in `after_point`), symmetry, coherent books, the fit, and no
//! panics on any input.

use inplay_engine::market::{Line, MarketBook, MarketKey, SelectionKey};
use inplay_engine::odds::MarginMethod;
use inplay_engine::pricing::offer;
use inplay_engine::tennis::{
    AfterPoint, EarlierSets, FinalSet, FitOptions, MatchOdds, Player, TennisParams, TennisState,
    TotalGamesOdds, fit_tennis, game, game_handicap_lines, match_winner, price, price_market,
    total_games_lines, total_sets_lines,
};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

#[track_caller]
fn close(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol, "{a} vs {b} (tolerance {tol})");
}

fn prob(book: &MarketBook, market: MarketKey, sel: SelectionKey) -> f64 {
    book.selection(market, sel)
        .and_then(|s| s.prob)
        .unwrap_or_else(|| panic!("{market} {sel} missing"))
}

/// The winning probability of a line selection (X.5 lines: no push).
fn win(book: &MarketBook, market: MarketKey, sel: SelectionKey) -> f64 {
    book.selection(market, sel)
        .and_then(|s| s.outcomes)
        .map(|o| o.win)
        .unwrap_or_else(|| panic!("{market} {sel} missing"))
}

fn a(book: &MarketBook, market: MarketKey) -> f64 {
    prob(book, market, SelectionKey::A)
}

fn params(serve_a: f64, serve_b: f64, best_of: u8, final_set: FinalSet) -> TennisParams {
    TennisParams {
        final_set,
        ..TennisParams::new(serve_a, serve_b, best_of)
    }
}

fn at(sets: [u8; 2], games: [u8; 2], points: [u8; 2], server: Player) -> TennisState {
    TennisState {
        sets,
        games,
        points,
        server,
        earlier: None,
    }
}

const PAIRS: [(f64, f64); 6] = [
    (0.64, 0.64),
    (0.67, 0.61),
    (0.58, 0.70),
    (0.55, 0.52),
    (0.80, 0.74),
    (0.42, 0.45),
];

/// P(A holds a game from 0-0): the closed form of the game level, summing the ways to win 4-0,
/// 4-1, 4-2 and, from deuce (20 ways to reach 3-3), two points in a row before losing two.
fn hold_formula(p: f64) -> f64 {
    let q = 1.0 - p;
    p.powi(4) * (1.0 + 4.0 * q + 10.0 * q * q)
        + 20.0 * (p * q).powi(3) * p * p / (1.0 - 2.0 * p * q)
}

// ---------------------------------------------------------------------------------------------
// Closed forms
// ---------------------------------------------------------------------------------------------

#[test]
fn hold_probability_is_the_closed_form() {
    for p in [0.3, 0.5, 0.6, 0.64, 0.72, 0.9] {
        close(game(p, 0, 0, false), hold_formula(p), 1e-15);
        // No-ad: from 3-3 one point decides.
        let q = 1.0 - p;
        let no_ad = p.powi(4) * (1.0 + 4.0 * q + 10.0 * q * q) + 20.0 * (p * q).powi(3) * p;
        close(game(p, 0, 0, true), no_ad, 1e-15);
    }
    // The book's game in play before the first point is that hold.
    for (pa, pb) in PAIRS {
        let p = params(pa, pb, 3, FinalSet::Tiebreak7);
        let book = price(&p, &TennisState::pre_match(Player::A)).unwrap();
        close(a(&book, MarketKey::GameWinner), hold_formula(pa), 1e-15);
        let book = price(&p, &TennisState::pre_match(Player::B)).unwrap();
        close(
            a(&book, MarketKey::GameWinner),
            1.0 - hold_formula(pb),
            1e-15,
        );
    }
}

#[test]
fn best_of_three_is_s_squared_three_minus_two_s() {
    for (pa, pb) in PAIRS {
        let p = params(pa, pb, 3, FinalSet::Tiebreak7);
        let book = price(&p, &TennisState::pre_match(Player::A)).unwrap();
        let s = a(&book, MarketKey::SetWinner);
        close(
            a(&book, MarketKey::MatchWinner),
            s * s * (3.0 - 2.0 * s),
            1e-14,
        );
        let score = |x, y| prob(&book, MarketKey::SetBetting, SelectionKey::Score(x, y));
        close(score(2, 0), s * s, 1e-14);
        close(score(2, 1), 2.0 * s * s * (1.0 - s), 1e-14);
        close(score(1, 2), 2.0 * s * (1.0 - s) * (1.0 - s), 1e-14);
        close(score(0, 2), (1.0 - s) * (1.0 - s), 1e-14);
        // Sets are iid, so the next set (the second) is won with S too.
        close(a(&book, MarketKey::NextSetWinner), s, 1e-14);
        close(
            win(
                &book,
                MarketKey::TotalSets(Line::from_quarters(10)),
                SelectionKey::Over,
            ),
            2.0 * s * (1.0 - s),
            1e-14,
        );
    }
}

#[test]
fn best_of_five_is_the_binomial_race_to_three() {
    for (pa, pb) in PAIRS {
        let p = params(pa, pb, 5, FinalSet::Tiebreak7);
        let book = price(&p, &TennisState::pre_match(Player::B)).unwrap();
        let s = a(&book, MarketKey::SetWinner);
        let m = s.powi(3) * (10.0 - 15.0 * s + 6.0 * s * s);
        close(a(&book, MarketKey::MatchWinner), m, 1e-14);
        let f = 1.0 - s;
        let score = |x, y| prob(&book, MarketKey::SetBetting, SelectionKey::Score(x, y));
        close(score(3, 1), 3.0 * s.powi(3) * f, 1e-14);
        close(score(2, 3), 6.0 * s * s * f.powi(3), 1e-14);
    }
}

#[test]
fn a_different_final_set_enters_only_the_deciding_set() {
    for (pa, pb) in PAIRS {
        for rule in [FinalSet::Advantage, FinalSet::Tiebreak10] {
            let p = params(pa, pb, 5, rule);
            let book = price(&p, &TennisState::pre_match(Player::A)).unwrap();
            let s = a(&book, MarketKey::SetWinner);
            // The deciding set, priced on its own at 2-2 in sets.
            let decider = price(&p, &at([2, 2], [0, 0], [0, 0], Player::A)).unwrap();
            let d = a(&decider, MarketKey::SetWinner);
            let m = s.powi(3) * (1.0 + 3.0 * (1.0 - s)) + 6.0 * s * s * (1.0 - s).powi(2) * d;
            close(a(&book, MarketKey::MatchWinner), m, 1e-14);
        }
    }
}

#[test]
fn level_tiebreaks_and_advantage_sets_are_the_pair_formulas() {
    for (pa, pb) in PAIRS {
        // A tiebreak level at 6-6 (or 9-9 to 10): win two points in a row, one on each serve.
        let level = pa * (1.0 - pb) / (pa * (1.0 - pb) + (1.0 - pa) * pb);
        let p = params(pa, pb, 3, FinalSet::Tiebreak10);
        for (sets, points) in [([0, 0], [6, 6]), ([1, 0], [11, 11]), ([1, 1], [9, 9])] {
            let book = price(&p, &at(sets, [6, 6], points, Player::B)).unwrap();
            close(a(&book, MarketKey::GameWinner), level, 1e-15);
            close(a(&book, MarketKey::SetWinner), level, 1e-15);
        }
        // An advantage set level at 5-5 or beyond: win two games in a row, one on each serve.
        let (x, y) = (hold_formula(pa), 1.0 - hold_formula(pb));
        let p = params(pa, pb, 3, FinalSet::Advantage);
        for games in [[5, 5], [6, 6], [17, 17]] {
            let book = price(&p, &at([1, 1], games, [0, 0], Player::A)).unwrap();
            let set = x * y / (x * y + (1.0 - x) * (1.0 - y));
            close(a(&book, MarketKey::SetWinner), set, 1e-14);
            close(a(&book, MarketKey::MatchWinner), set, 1e-14);
        }
    }
}

#[test]
fn who_serves_first_does_not_matter_to_a_tiebreak_set_or_match() {
    // Kingston (1976): with iid points, the order of serve changes no set or match probability.
    for (pa, pb) in PAIRS {
        for rule in [
            FinalSet::Tiebreak7,
            FinalSet::Tiebreak10,
            FinalSet::Advantage,
        ] {
            let p = params(pa, pb, 5, rule);
            let first_a = price(&p, &TennisState::pre_match(Player::A)).unwrap();
            let first_b = price(&p, &TennisState::pre_match(Player::B)).unwrap();
            for key in [MarketKey::SetWinner, MarketKey::MatchWinner] {
                close(a(&first_a, key), a(&first_b, key), 1e-14);
            }
            let tb_a = price(&p, &at([0, 0], [6, 6], [0, 0], Player::A)).unwrap();
            let tb_b = price(&p, &at([0, 0], [6, 6], [0, 0], Player::B)).unwrap();
            close(
                a(&tb_a, MarketKey::GameWinner),
                a(&tb_b, MarketKey::GameWinner),
                1e-15,
            );
        }
    }
}

#[test]
fn equal_players_are_even() {
    let p = params(0.63, 0.63, 5, FinalSet::Advantage);
    let book = price(&p, &TennisState::pre_match(Player::A)).unwrap();
    for key in [MarketKey::MatchWinner, MarketKey::SetWinner] {
        close(a(&book, key), 0.5, 1e-15);
    }
    let tb = price(&p, &at([1, 1], [6, 6], [0, 0], Player::A)).unwrap();
    close(a(&tb, MarketKey::GameWinner), 0.5, 1e-15);
}

// ---------------------------------------------------------------------------------------------
// Books
// ---------------------------------------------------------------------------------------------

/// Every market is a distribution: plain markets sum to one, line selections win or lose.
fn assert_coherent(book: &MarketBook) {
    for m in &book.markets {
        if m.key.line().is_some() {
            for s in &m.selections {
                let o = s.outcomes.expect("line selection");
                close(o.win + o.lose, 1.0, 1e-12);
                assert!(o.win >= 0.0 && o.lose >= 0.0, "{} {}", m.key, s.key);
            }
        } else {
            let total: f64 = m.selections.iter().map(|s| s.prob.unwrap()).sum();
            close(total, 1.0, 1e-12);
            assert!(m.selections.iter().all(|s| s.prob.unwrap() >= 0.0));
        }
    }
}

fn market_keys(book: &MarketBook) -> Vec<String> {
    book.markets.iter().map(|m| m.key.to_string()).collect()
}

#[test]
fn a_full_book_from_any_kind_of_score() {
    let p = params(0.66, 0.62, 5, FinalSet::Advantage);
    let known = Some(EarlierSets {
        games: [13, 10],
        tiebreaks: 1,
    });
    for state in [
        TennisState::pre_match(Player::A),
        TennisState {
            earlier: known,
            ..at([1, 1], [3, 4], [2, 3], Player::B)
        },
        TennisState {
            earlier: known,
            ..at([1, 1], [6, 6], [5, 6], Player::A)
        },
        TennisState {
            earlier: Some(EarlierSets {
                games: [25, 23],
                tiebreaks: 0,
            }),
            ..at([2, 2], [11, 12], [4, 3], Player::A)
        },
    ] {
        let book = price(&p, &state).unwrap();
        assert_coherent(&book);
        let keys = market_keys(&book);
        for key in [
            "match_winner",
            "set_betting",
            "set_winner",
            "game_winner",
            "tiebreak",
        ] {
            assert!(keys.iter().any(|k| k == key), "{key} missing at {state:?}");
        }
        assert_eq!(
            keys.iter()
                .filter(|k| k.starts_with("total_games:"))
                .count(),
            total_games_lines(5).count()
        );
        assert_eq!(
            keys.iter()
                .filter(|k| k.starts_with("game_handicap:"))
                .count(),
            game_handicap_lines(5).count()
        );
        assert_eq!(
            keys.iter().filter(|k| k.starts_with("total_sets:")).count(),
            total_sets_lines(5).count()
        );
        // The match winner is set betting grouped.
        let a_wins: f64 = book
            .market(MarketKey::SetBetting)
            .unwrap()
            .selections
            .iter()
            .filter(|s| matches!(s.key, SelectionKey::Score(3, _)))
            .map(|s| s.prob.unwrap())
            .sum();
        close(a(&book, MarketKey::MatchWinner), a_wins, 1e-14);
    }
    // In the deciding set, there is no next set to bet on.
    let decider = price(&p, &at([2, 2], [0, 0], [0, 0], Player::A)).unwrap();
    assert!(decider.market(MarketKey::NextSetWinner).is_none());
    // The sets already played fix part of the set betting.
    let set_betting: Vec<String> = decider
        .market(MarketKey::SetBetting)
        .unwrap()
        .selections
        .iter()
        .map(|s| s.key.to_string())
        .collect();
    assert_eq!(set_betting, ["3-2", "2-3"]);
}

#[test]
fn whole_match_markets_need_the_completed_sets() {
    let p = params(0.66, 0.62, 3, FinalSet::Tiebreak7);
    let unknown = price(&p, &at([1, 0], [2, 2], [0, 0], Player::A)).unwrap();
    let keys = market_keys(&unknown);
    assert!(
        keys.iter()
            .all(|k| !k.starts_with("total_games") && k != "tiebreak")
    );
    assert!(keys.iter().any(|k| k == "total_sets:2.5"));
    // A tiebreak already played settles the tiebreak market; games already played shift totals.
    let known = price(
        &p,
        &TennisState {
            earlier: Some(EarlierSets {
                games: [7, 6],
                tiebreaks: 1,
            }),
            ..at([1, 0], [2, 2], [0, 0], Player::A)
        },
    )
    .unwrap();
    assert_eq!(prob(&known, MarketKey::Tiebreak, SelectionKey::Yes), 1.0);
    // 13 + 4 games played, and this set lasts at least 8 (6-2): over 20.5 is certain, 21.5 not.
    let over = |l: f64| {
        win(
            &known,
            MarketKey::TotalGames(Line::from_goals(l).unwrap()),
            SelectionKey::Over,
        )
    };
    assert_eq!(over(20.5), 1.0);
    assert!(over(21.5) < 1.0 && over(21.5) > 0.5);
    assert!(over(30.5) > 0.0 && over(30.5) < over(24.5));
}

#[test]
fn one_market_is_the_books_own() {
    let p = params(0.67, 0.63, 5, FinalSet::Tiebreak10);
    let state = TennisState {
        earlier: Some(EarlierSets {
            games: [13, 10],
            tiebreaks: 1,
        }),
        ..at([1, 1], [4, 5], [3, 3], Player::B)
    };
    let book = price(&p, &state).unwrap();
    for m in &book.markets {
        assert_eq!(price_market(&p, &state, m.key).unwrap().as_ref(), Some(m));
    }
    // Markets the book does not have now.
    let decider = at([2, 2], [0, 0], [0, 0], Player::A);
    assert_eq!(
        price_market(&p, &decider, MarketKey::NextSetWinner).unwrap(),
        None
    );
    assert_eq!(
        price_market(&p, &decider, MarketKey::Tiebreak).unwrap(),
        None
    );
    assert_eq!(
        price_market(&p, &decider, MarketKey::MatchResult).unwrap(),
        None
    );
}

#[test]
fn a_margin_gives_ladder_prices() {
    let p = params(0.68, 0.62, 3, FinalSet::Tiebreak7);
    let mut book = price(&p, &TennisState::pre_match(Player::A)).unwrap();
    offer(&mut book, 0.05, MarginMethod::Multiplicative).unwrap();
    for key in [
        MarketKey::MatchWinner,
        MarketKey::SetWinner,
        MarketKey::SetBetting,
    ] {
        let m = book.market(key).unwrap();
        let overround: f64 = m
            .selections
            .iter()
            .map(|s| 1.0 / s.odds.unwrap())
            .sum::<f64>()
            - 1.0;
        assert!(overround >= 0.05 - 1e-12, "{key}: {overround}");
        assert!(m.selections.iter().all(|s| s.odds.unwrap() < s.fair_odds));
    }
}

// ---------------------------------------------------------------------------------------------
// The martingale: a price is the average of the prices one point later
// ---------------------------------------------------------------------------------------------

/// What one selection is worth once a point has been played: its price in the next state, or
/// its settlement when the point finished the game, the set or the match.
fn worth_after(
    params: &TennisParams,
    before: &TennisState,
    winner: Player,
    market: MarketKey,
    sel: SelectionKey,
) -> f64 {
    let won = |b: bool| if b { 1.0 } else { 0.0 };
    let side = |p: Player| won((sel == SelectionKey::A) == (p == Player::A));
    match before.after_point(params, winner).unwrap() {
        AfterPoint::MatchOver {
            winner: w,
            sets,
            all_sets,
        } => {
            let e = all_sets.expect("the test states know their earlier sets");
            let line = market.line().map(|l| l.goals());
            match market {
                MarketKey::MatchWinner | MarketKey::SetWinner | MarketKey::GameWinner => side(w),
                MarketKey::SetBetting => won(sel == SelectionKey::Score(sets[0], sets[1])),
                MarketKey::TotalSets(_) => {
                    let over = (sets[0] + sets[1]) as f64 > line.unwrap();
                    won(over == (sel == SelectionKey::Over))
                }
                MarketKey::TotalGames(_) => {
                    let over = (e.games[0] + e.games[1]) as f64 > line.unwrap();
                    won(over == (sel == SelectionKey::Over))
                }
                MarketKey::GameHandicap(_) => {
                    let a_covers = e.games[0] as f64 - e.games[1] as f64 + line.unwrap() > 0.0;
                    won(a_covers == (sel == SelectionKey::A))
                }
                MarketKey::Tiebreak => won((e.tiebreaks > 0) == (sel == SelectionKey::Yes)),
                other => panic!("{other} is not checked"),
            }
        }
        AfterPoint::InPlay(next) => {
            let set_over = next.sets != before.sets;
            let game_over = set_over || next.games != before.games;
            match market {
                MarketKey::SetWinner if set_over => side(winner),
                MarketKey::GameWinner if game_over => side(winner),
                _ => {
                    let book = price(params, &next).unwrap();
                    match book.selection(market, sel) {
                        Some(s) => s.prob.or(s.outcomes.map(|o| o.win)).unwrap(),
                        // Set betting drops the scores the point made impossible.
                        None => 0.0,
                    }
                }
            }
        }
    }
}

/// Plays `points` (true: A wins) from the start, then checks every checked market's price
/// against the average of its worth one point later.
fn check_martingale(params: &TennisParams, first: Player, points: &[bool]) {
    let mut state = TennisState::pre_match(first);
    for &p in points {
        let w = if p { Player::A } else { Player::B };
        match state.after_point(params, w).unwrap() {
            AfterPoint::InPlay(next) => state = next,
            AfterPoint::MatchOver { .. } => break,
        }
    }
    let book = price(params, &state).unwrap();
    assert_coherent(&book);
    let pi = match state.server {
        Player::A => params.serve_a,
        Player::B => 1.0 - params.serve_b,
    };
    for m in &book.markets {
        if m.key == MarketKey::NextSetWinner {
            // Priced given that the set is played: not a martingale on its own.
            continue;
        }
        for s in &m.selections {
            let now = s.prob.or(s.outcomes.map(|o| o.win)).unwrap();
            let later = pi * worth_after(params, &state, Player::A, m.key, s.key)
                + (1.0 - pi) * worth_after(params, &state, Player::B, m.key, s.key);
            assert!(
                (now - later).abs() < 1e-12,
                "{} {} at {state:?}: {now} vs {later}",
                m.key,
                s.key
            );
        }
    }
}

#[test]
fn the_price_is_a_martingale_at_hand_picked_scores() {
    // Deuce games, a 6-6 tiebreak, a long advantage final set, a 10-point match tiebreak.
    let long_set: Vec<bool> = (0..48).map(|i| i % 4 < 2).collect();
    for (p, first, points) in [
        (
            params(0.65, 0.6, 3, FinalSet::Tiebreak7),
            Player::A,
            vec![true, false, true, false, true, false, true],
        ),
        (
            params(0.7, 0.66, 3, FinalSet::Advantage),
            Player::B,
            long_set.clone(),
        ),
        (
            params(0.7, 0.66, 5, FinalSet::Tiebreak10),
            Player::A,
            long_set,
        ),
    ] {
        check_martingale(&p, first, &points);
    }
    // Holds to 6-6 in every set, A taking the first tiebreak and B the second, then into the
    // deciding match tiebreak.
    let p = params(0.7, 0.66, 3, FinalSet::Tiebreak10);
    let mut state = TennisState::pre_match(Player::A);
    let mut points = Vec::new();
    let mut play = |state: &mut TennisState, a: bool| {
        points.push(a);
        let w = if a { Player::A } else { Player::B };
        if let AfterPoint::InPlay(next) = state.after_point(&p, w).unwrap() {
            *state = next;
        }
    };
    for set in 0..3 {
        while state.games != [6, 6] {
            let a = state.server == Player::A;
            play(&mut state, a);
        }
        while set < 2 && state.games == [6, 6] {
            play(&mut state, set == 0);
        }
    }
    for a in [true, false, true, false, true, false, true, false, true] {
        play(&mut state, a);
    }
    assert_eq!((state.sets, state.points), ([1, 1], [5, 4]));
    check_martingale(&p, Player::A, &points);
}

fn any_params() -> impl Strategy<Value = TennisParams> {
    (
        0.35f64..0.9,
        0.35f64..0.9,
        prop_oneof![Just(3u8), Just(5u8)],
        prop_oneof![
            Just(FinalSet::Tiebreak7),
            Just(FinalSet::Tiebreak10),
            Just(FinalSet::Advantage)
        ],
        any::<bool>(),
    )
        .prop_map(|(a, b, best_of, final_set, no_ad)| TennisParams {
            serve_a: a,
            serve_b: b,
            best_of,
            final_set,
            no_ad,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(160))]

    /// From any score that points can reach (random points, biased toward holding serve so that
    /// tiebreaks and long deciding sets come up), every price is the average of its worth one
    /// point later.
    #[test]
    fn the_price_is_a_martingale_from_any_reachable_score(
        p in any_params(),
        first in prop_oneof![Just(Player::A), Just(Player::B)],
        draws in proptest::collection::vec(0u8..100, 0..400),
        hold in 50u8..95,
    ) {
        // Turn draws into point winners: the server wins with probability `hold`%.
        let mut state = TennisState::pre_match(first);
        let mut points = Vec::new();
        for d in draws {
            let server_wins = d < hold;
            let a = (state.server == Player::A) == server_wins;
            points.push(a);
            match state.after_point(&p, if a { Player::A } else { Player::B }).unwrap() {
                AfterPoint::InPlay(next) => state = next,
                AfterPoint::MatchOver { .. } => { points.pop(); break; }
            }
        }
        check_martingale(&p, first, &points);
    }

    /// Swapping the players mirrors every price.
    #[test]
    fn swapping_the_players_mirrors_the_book(
        p in any_params(),
        draws in proptest::collection::vec(any::<bool>(), 0..200),
    ) {
        let mut state = TennisState::pre_match(Player::A);
        for a in draws {
            match state.after_point(&p, if a { Player::A } else { Player::B }).unwrap() {
                AfterPoint::InPlay(next) => state = next,
                AfterPoint::MatchOver { .. } => break,
            }
        }
        let swapped_params = TennisParams { serve_a: p.serve_b, serve_b: p.serve_a, ..p };
        let flip = |x: [u8; 2]| [x[1], x[0]];
        let swapped = TennisState {
            sets: flip(state.sets),
            games: flip(state.games),
            points: flip(state.points),
            server: state.server.other(),
            earlier: state.earlier.map(|e| EarlierSets { games: [e.games[1], e.games[0]], tiebreaks: e.tiebreaks }),
        };
        let book = price(&p, &state).unwrap();
        let mirror = price(&swapped_params, &swapped).unwrap();
        prop_assert_eq!(book.markets.len(), mirror.markets.len());
        for m in &book.markets {
            for s in &m.selections {
                let (key, sel) = match (m.key, s.key) {
                    (MarketKey::GameHandicap(l), SelectionKey::A) => (MarketKey::GameHandicap(Line::from_quarters(-l.quarters())), SelectionKey::B),
                    (MarketKey::GameHandicap(l), SelectionKey::B) => (MarketKey::GameHandicap(Line::from_quarters(-l.quarters())), SelectionKey::A),
                    (k, SelectionKey::A) => (k, SelectionKey::B),
                    (k, SelectionKey::B) => (k, SelectionKey::A),
                    (k, SelectionKey::Score(x, y)) => (k, SelectionKey::Score(y, x)),
                    (k, other) => (k, other),
                };
                let Some(twin) = mirror.selection(key, sel) else {
                    // A handicap line beyond the listed range on the other side.
                    prop_assert!(matches!(m.key, MarketKey::GameHandicap(_)));
                    continue;
                };
                let v = |s: &inplay_engine::market::Selection| s.prob.or(s.outcomes.map(|o| o.win)).unwrap();
                prop_assert!((v(s) - v(twin)).abs() < 1e-13, "{} {}: {} vs {}", m.key, s.key, v(s), v(twin));
            }
        }
    }

    /// Nothing panics: any fields either price coherently or come back as a typed error.
    #[test]
    fn pricing_never_panics(
        serve_a in prop_oneof![any::<f64>(), 0.0f64..1.0],
        serve_b in prop_oneof![any::<f64>(), 0.0f64..1.0],
        best_of in any::<u8>(),
        sets in any::<[u8; 2]>(),
        games in prop_oneof![any::<[u8; 2]>(), any::<[u8; 2]>().prop_map(|[a, b]| [a % 8, b % 8])],
        points in prop_oneof![any::<[u8; 2]>(), any::<[u8; 2]>().prop_map(|[a, b]| [a % 12, b % 12])],
        earlier in proptest::option::of(any::<([u16; 2], u8)>()),
        server_a in any::<bool>(),
        advantage in any::<bool>(),
    ) {
        let p = TennisParams {
            final_set: if advantage { FinalSet::Advantage } else { FinalSet::Tiebreak10 },
            ..TennisParams::new(serve_a, serve_b, best_of)
        };
        let state = TennisState {
            sets: [sets[0] % 4, sets[1] % 4],
            games,
            points,
            server: if server_a { Player::A } else { Player::B },
            earlier: earlier.map(|(games, tiebreaks)| EarlierSets { games, tiebreaks }),
        };
        match price(&p, &state) {
            Ok(book) => assert_coherent(&book),
            Err(e) => prop_assert!(["invalid_params", "invalid_state"].contains(&e.code())),
        }
        let _ = state.after_point(&p, Player::A);
        let _ = match_winner(&p, &state);
    }
}

// ---------------------------------------------------------------------------------------------
// Fit
// ---------------------------------------------------------------------------------------------

#[test]
fn the_fit_recovers_match_odds_on_the_anchor() {
    let opts = FitOptions::default();
    let fit = fit_tennis(
        &MatchOdds {
            a: 1.45,
            b: 2.85,
            total_games: None,
        },
        &opts,
    )
    .unwrap();
    assert!(fit.anchored);
    close(fit.serve_a + fit.serve_b, 2.0 * opts.serve_average, 1e-12);
    close(fit.model_a, fit.market_a, 1e-12);
    assert!(fit.serve_a > fit.serve_b);
    // The fitted model prices the market's probability back.
    let back = match_winner(&fit.params(&opts), &TennisState::pre_match(Player::A)).unwrap();
    close(back, fit.market_a, 1e-12);
}

#[test]
fn the_fit_recovers_a_priced_match_from_match_and_total_odds() {
    for (pa, pb, best_of, line) in [
        (0.66, 0.61, 3, 22.5),
        (0.71, 0.68, 5, 38.5),
        (0.6, 0.57, 3, 21.5),
    ] {
        let p = params(pa, pb, best_of, FinalSet::Tiebreak7);
        let book = price(&p, &TennisState::pre_match(Player::A)).unwrap();
        let fair = |m: MarketKey, s: SelectionKey| book.selection(m, s).unwrap().fair_odds;
        let total = MarketKey::TotalGames(Line::from_goals(line).unwrap());
        let odds = MatchOdds {
            a: fair(MarketKey::MatchWinner, SelectionKey::A),
            b: fair(MarketKey::MatchWinner, SelectionKey::B),
            total_games: Some(TotalGamesOdds {
                line,
                over: fair(total, SelectionKey::Over),
                under: fair(total, SelectionKey::Under),
            }),
        };
        let opts = FitOptions {
            best_of,
            ..FitOptions::default()
        };
        let fit = fit_tennis(&odds, &opts).unwrap();
        assert!(!fit.anchored);
        close(fit.serve_a, pa, 1e-6);
        close(fit.serve_b, pb, 1e-6);
        assert!(fit.residual < 1e-9, "{fit:?}");
    }
}

#[test]
fn the_fit_refuses_bad_books() {
    let opts = FitOptions::default();
    let bad = |odds: MatchOdds| fit_tennis(&odds, &opts).unwrap_err().code();
    assert_eq!(
        bad(MatchOdds {
            a: 0.9,
            b: 2.0,
            total_games: None
        }),
        "invalid_odds"
    );
    let line = |line| {
        bad(MatchOdds {
            a: 1.5,
            b: 2.5,
            total_games: Some(TotalGamesOdds {
                line,
                over: 1.9,
                under: 1.9,
            }),
        })
    };
    assert_eq!(line(22.0), "invalid_line");
    assert_eq!(line(f64::NAN), "invalid_line");
    let e = fit_tennis(
        &MatchOdds {
            a: 1.5,
            b: 2.5,
            total_games: None,
        },
        &FitOptions { best_of: 4, ..opts },
    )
    .unwrap_err();
    assert_eq!(e.code(), "invalid_params");
}
