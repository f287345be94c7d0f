//! Tests for `inplay_engine::football`: penaltyblog pins for the pre-match grid, its markets and
//! the goal-expectancy fit; probabilities that sum to 1; monotone in-play behaviour; quarter lines;
//! and no panics on any input.

use inplay_engine::football::{
    FitOdds, FitOptions, FootballParams, MatchState, Period, RedCards, Score, ScoreStateEffects,
    TotalOdds, fit_football, price, remaining_goals,
};
use inplay_engine::market::{Line, LineOutcomes, MarketBook, MarketKey, SelectionKey};
use inplay_engine::odds::MarginMethod;
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn neutral(home_xg: f64, away_xg: f64, rho: f64) -> FootballParams {
    FootballParams {
        rho,
        score_state: ScoreStateEffects::neutral(),
        ..FootballParams::new(home_xg, away_xg)
    }
}

fn line(goals: f64) -> Line {
    Line::from_goals(goals).unwrap()
}

fn prob(book: &MarketBook, market: MarketKey, sel: SelectionKey) -> f64 {
    book.selection(market, sel)
        .and_then(|s| s.prob)
        .unwrap_or_else(|| panic!("{market} {sel} missing"))
}

fn outcomes(book: &MarketBook, market: MarketKey, sel: SelectionKey) -> LineOutcomes {
    book.selection(market, sel)
        .and_then(|s| s.outcomes)
        .unwrap_or_else(|| panic!("{market} {sel} missing"))
}

fn home_win(params: &FootballParams, state: &MatchState) -> f64 {
    prob(
        &price(params, state).unwrap(),
        MarketKey::MatchResult,
        SelectionKey::Home,
    )
}

/// penaltyblog's (win, push, lose) view of a line bet: a quarter line is half the stake on each
/// neighbour, so half outcomes split evenly between the whole outcome and a push.
fn as_win_push_lose(o: &LineOutcomes) -> (f64, f64, f64) {
    (
        o.win + 0.5 * o.half_win,
        o.push + 0.5 * (o.half_win + o.half_lose),
        o.lose + 0.5 * o.half_lose,
    )
}

#[track_caller]
fn close(a: f64, b: f64, tol: f64) {
    assert!(
        (a - b).abs() <= tol,
        "{a} vs {b} (|Δ| = {:e})",
        (a - b).abs()
    );
}

// ---------------------------------------------------------------------------------------------
// penaltyblog pins: printed by engine/tests/penaltyblog_grid.py with penaltyblog 1.13.1
// ---------------------------------------------------------------------------------------------

/// One pinned grid: its parameters, cells 0..4 × 0..4 (row = home goals), and its markets.
struct PinnedGrid {
    home_xg: f64,
    away_xg: f64,
    rho: f64,
    cells: [f64; 25],
    result: [f64; 3],
    btts_yes: f64,
    /// Line, (under, push, over).
    totals: [(f64, (f64, f64, f64)); 6],
    /// Home line, (win, push, lose) for the home side.
    handicaps: [(f64, (f64, f64, f64)); 8],
}

const POISSON: PinnedGrid = PinnedGrid {
    home_xg: 1.6,
    away_xg: 1.1,
    rho: 0.0,
    cells: [
        0.06720551273974974,
        0.07392606401372472,
        0.040659335207548594,
        0.014908422909434485,
        0.004099816300094484,
        0.10752882038359961,
        0.11828170242195957,
        0.06505493633207776,
        0.023853476655095178,
        0.006559706080151176,
        0.0860230563068797,
        0.09462536193756765,
        0.05204394906566221,
        0.019082781324076148,
        0.005247764864120942,
        0.04587896336366917,
        0.05046685970003609,
        0.027756772835019847,
        0.010177483372840612,
        0.002798807927531169,
        0.018351585345467672,
        0.02018674388001444,
        0.01110270913400794,
        0.004070993349136245,
        0.0011195231710124677,
    ],
    result: [0.4895735371288616, 0.24891098064143474, 0.26151548222970344],
    btts_yes: 0.5324379110470149,
    totals: [
        (1.5, (0.24866039713707405, 0.0, 0.7513396028629258)),
        (
            2.0,
            (0.24866039713707405, 0.24496409393638788, 0.5063755089265379),
        ),
        (
            2.25,
            (0.371142444105268, 0.12248204696819394, 0.5063755089265379),
        ),
        (2.5, (0.49362449107346196, 0.0, 0.5063755089265379)),
        (
            2.75,
            (
                0.49362449107346196,
                0.11023384227137455,
                0.39614166665516337,
            ),
        ),
        (
            3.0,
            (0.49362449107346196, 0.2204676845427491, 0.28590782438378887),
        ),
    ],
    handicaps: [
        (
            -1.0,
            (0.2552114149373229, 0.2343621221915387, 0.5104264628711382),
        ),
        (
            -0.75,
            (0.3723924760330922, 0.11718106109576935, 0.5104264628711382),
        ),
        (-0.5, (0.4895735371288616, 0.0, 0.5104264628711382)),
        (
            -0.25,
            (0.4895735371288616, 0.12445549032071737, 0.38597097255042084),
        ),
        (
            0.0,
            (0.4895735371288616, 0.24891098064143474, 0.26151548222970344),
        ),
        (
            0.25,
            (0.614029027449579, 0.12445549032071737, 0.26151548222970344),
        ),
        (0.5, (0.7384845177702963, 0.0, 0.26151548222970344)),
        (
            1.25,
            (0.8190464972736378, 0.08056197950334143, 0.10039152322302064),
        ),
    ],
};

const DIXON_COLES: PinnedGrid = PinnedGrid {
    home_xg: 1.6,
    away_xg: 1.1,
    rho: -0.1,
    cells: [
        0.07903368298194571,
        0.06209789377152876,
        0.040659335207548594,
        0.014908422909434485,
        0.004099816300094484,
        0.09570065014140365,
        0.13010987266415552,
        0.06505493633207776,
        0.023853476655095178,
        0.006559706080151176,
        0.0860230563068797,
        0.09462536193756765,
        0.05204394906566221,
        0.019082781324076148,
        0.005247764864120942,
        0.04587896336366917,
        0.05046685970003609,
        0.027756772835019847,
        0.010177483372840612,
        0.002798807927531169,
        0.018351585345467672,
        0.02018674388001444,
        0.01110270913400794,
        0.004070993349136245,
        0.0011195231710124677,
    ],
    result: [
        0.47774536688666563,
        0.27256732112582666,
        0.24968731198750754,
    ],
    btts_yes: 0.5442660812892108,
    totals: [
        (1.5, (0.23683222689487815, 0.0, 0.7631677731051217)),
        (
            2.0,
            (0.23683222689487815, 0.2567922641785838, 0.5063755089265379),
        ),
        (
            2.25,
            (0.36522835898417005, 0.1283961320892919, 0.5063755089265379),
        ),
        (2.5, (0.49362449107346196, 0.0, 0.5063755089265379)),
        (
            2.75,
            (
                0.49362449107346196,
                0.11023384227137455,
                0.39614166665516337,
            ),
        ),
        (
            3.0,
            (0.49362449107346196, 0.2204676845427491, 0.28590782438378887),
        ),
    ],
    handicaps: [
        (
            -1.0,
            (0.2552114149373229, 0.22253395194934275, 0.5222546331133342),
        ),
        (
            -0.75,
            (0.3664783909119943, 0.11126697597467138, 0.5222546331133342),
        ),
        (-0.5, (0.47774536688666563, 0.0, 0.5222546331133342)),
        (
            -0.25,
            (0.47774536688666563, 0.13628366056291333, 0.3859709725504209),
        ),
        (
            0.0,
            (
                0.47774536688666563,
                0.27256732112582666,
                0.24968731198750754,
            ),
        ),
        (
            0.25,
            (0.614029027449579, 0.13628366056291333, 0.24968731198750754),
        ),
        (0.5, (0.7503126880124923, 0.0, 0.24968731198750754)),
        (
            1.25,
            (0.8249605823947357, 0.07464789438224345, 0.10039152322302064),
        ),
    ],
};

/// Grid probabilities must equal penaltyblog's to this.
const GRID_TOL: f64 = 1e-9;
/// Fitted expected goals must equal penaltyblog's to this.
const FIT_TOL: f64 = 1e-7;

fn check_pinned(pin: &PinnedGrid) {
    let params = neutral(pin.home_xg, pin.away_xg, pin.rho);
    let state = MatchState::pre_match();
    let grid = remaining_goals(&params, &state).unwrap();
    for (k, &cell) in pin.cells.iter().enumerate() {
        close(grid.get(k / 5, k % 5), cell, GRID_TOL);
    }
    let book = price(&params, &state).unwrap();
    for (sel, &p) in [SelectionKey::Home, SelectionKey::Draw, SelectionKey::Away]
        .iter()
        .zip(&pin.result)
    {
        close(prob(&book, MarketKey::MatchResult, *sel), p, GRID_TOL);
    }
    close(
        prob(&book, MarketKey::BothTeamsToScore, SelectionKey::Yes),
        pin.btts_yes,
        GRID_TOL,
    );
    // Correct score is the grid itself.
    for h in 0..5u8 {
        for a in 0..5u8 {
            close(
                prob(&book, MarketKey::CorrectScore, SelectionKey::Score(h, a)),
                pin.cells[5 * h as usize + a as usize],
                GRID_TOL,
            );
        }
    }
    for &(l, (under, push, over)) in &pin.totals {
        let o = outcomes(&book, MarketKey::Total(line(l)), SelectionKey::Over);
        let (w, p, lo) = as_win_push_lose(&o);
        close(w, over, GRID_TOL);
        close(p, push, GRID_TOL);
        close(lo, under, GRID_TOL);
    }
    for &(l, (win, push, lose)) in &pin.handicaps {
        let o = outcomes(&book, MarketKey::AsianHandicap(line(l)), SelectionKey::Home);
        let (w, p, lo) = as_win_push_lose(&o);
        close(w, win, GRID_TOL);
        close(p, push, GRID_TOL);
        close(lo, lose, GRID_TOL);
    }
}

#[test]
fn independent_poisson_equals_penaltyblog() {
    check_pinned(&POISSON);
}

#[test]
fn dixon_coles_equals_penaltyblogs_model_path() {
    check_pinned(&DIXON_COLES);
    // The correct orientation: τ(1,0) = 1 + μρ scales P(1-0), so with ρ < 0 it falls.
    let g = remaining_goals(&neutral(1.6, 1.1, -0.1), &MatchState::pre_match()).unwrap();
    close(g.get(1, 0), POISSON.cells[5] * (1.0 - 1.1 * 0.1), 1e-15);
    close(g.get(0, 1), POISSON.cells[1] * (1.0 - 1.6 * 0.1), 1e-15);
}

fn neutral_fit(dixon_coles: bool) -> FitOptions {
    FitOptions {
        dixon_coles,
        score_state: ScoreStateEffects::neutral(),
        ..FitOptions::default()
    }
}

fn book(x12: [f64; 3], total: Option<(f64, f64, f64)>) -> FitOdds {
    FitOdds {
        home: x12[0],
        draw: x12[1],
        away: x12[2],
        total: total.map(|(line, over, under)| TotalOdds { line, over, under }),
    }
}

const BOOK_A: [f64; 3] = [2.10, 3.40, 3.60];
const BOOK_B: [f64; 3] = [1.55, 4.20, 6.00];

#[test]
fn fit_equals_penaltyblog_goal_expectancy() {
    // goal_expectancy_extended (ρ held at 0): least squares over home/draw/away/over/under 2.5.
    for (x12, ou, pin) in [
        (
            BOOK_A,
            (2.5, 1.95, 1.95),
            (1.5277306777142887, 1.1283940648048358),
        ),
        (
            BOOK_B,
            (2.5, 1.80, 2.05),
            (1.9194314801130983, 0.8820438677389886),
        ),
    ] {
        let fit = fit_football(&book(x12, Some(ou)), &neutral_fit(false)).unwrap();
        close(fit.home_xg, pin.0, FIT_TOL);
        close(fit.away_xg, pin.1, FIT_TOL);
        assert_eq!(fit.rho, 0.0);
        assert!(
            fit.residual > 1e-4,
            "a two-parameter fit cannot meet three equations"
        );
    }
    // goal_expectancy (1X2 alone, dc_adj=False): two equations, two unknowns.
    for (x12, pin) in [
        (BOOK_A, (1.3161335729088455, 0.9339166629963285)),
        (BOOK_B, (1.7923670424483684, 0.781014523253925)),
    ] {
        let fit = fit_football(&book(x12, None), &neutral_fit(false)).unwrap();
        close(fit.home_xg, pin.0, FIT_TOL);
        close(fit.away_xg, pin.1, FIT_TOL);
        assert!(fit.residual < 1e-12, "{fit:?}");
    }
}

#[test]
fn dixon_coles_fit_recovers_penaltyblogs_parameters() {
    // penaltyblog's goal_expectancy with ρ = −0.07 solves BOOK_A's 1X2 with these xG; its model grid
    // gives this over 2.5. Fitting all three parameters to the 1X2 and that fair over/under must
    // return them.
    let (home_xg, away_xg, rho, over) = (
        1.4529377494300493,
        1.0525957772019554,
        -0.07,
        0.4576055326627684,
    );
    let odds = book(BOOK_A, Some((2.5, 1.0 / over, 1.0 / (1.0 - over))));
    let fit = fit_football(&odds, &neutral_fit(true)).unwrap();
    close(fit.home_xg, home_xg, FIT_TOL);
    close(fit.away_xg, away_xg, FIT_TOL);
    close(fit.rho, rho, FIT_TOL);
    assert!(fit.residual < 1e-10, "{fit:?}");
}

#[test]
fn fit_round_trips_every_method_and_line() {
    // Price a match, put a margin on its 1X2 and a total, fit: the xG come back with any method.
    let truth = neutral(1.45, 1.2, -0.05);
    let book_prices = price(&truth, &MatchState::pre_match()).unwrap();
    let x12: Vec<f64> = [SelectionKey::Home, SelectionKey::Draw, SelectionKey::Away]
        .iter()
        .map(|s| prob(&book_prices, MarketKey::MatchResult, *s))
        .collect();
    for l in [1.5, 2.0, 2.25, 2.5, 2.75, 3.0, 3.5] {
        let over = book_prices
            .selection(MarketKey::Total(line(l)), SelectionKey::Over)
            .unwrap()
            .implied();
        let under = book_prices
            .selection(MarketKey::Total(line(l)), SelectionKey::Under)
            .unwrap()
            .implied();
        let s = over + under;
        let ou = [over / s, under / s];
        for method in MarginMethod::ALL {
            let o12 = inplay_engine::odds::apply_margin(&x12, 0.05, method).unwrap();
            let oou = inplay_engine::odds::apply_margin(&ou, 0.05, method).unwrap();
            let odds = book([o12[0], o12[1], o12[2]], Some((l, oou[0], oou[1])));
            let fit = fit_football(
                &odds,
                &FitOptions {
                    method,
                    ..neutral_fit(true)
                },
            )
            .unwrap();
            close(fit.home_xg, 1.45, 1e-7);
            close(fit.away_xg, 1.2, 1e-7);
            close(fit.rho, -0.05, 1e-7);
        }
    }
}

#[test]
fn fit_with_default_score_effects_reproduces_its_model() {
    // With the model's default score effects the fit inverts that model, not the Poisson grid.
    let truth = FootballParams::new(1.8, 0.95);
    let b = price(&truth, &MatchState::pre_match()).unwrap();
    let p = |m, s| b.selection(m, s).unwrap().implied();
    let t = MarketKey::Total(line(2.5));
    let odds = book(
        [
            1.0 / p(MarketKey::MatchResult, SelectionKey::Home),
            1.0 / p(MarketKey::MatchResult, SelectionKey::Draw),
            1.0 / p(MarketKey::MatchResult, SelectionKey::Away),
        ],
        Some((
            2.5,
            1.0 / p(t, SelectionKey::Over),
            1.0 / p(t, SelectionKey::Under),
        )),
    );
    let fit = fit_football(&odds, &FitOptions::default()).unwrap();
    close(fit.home_xg, 1.8, 1e-8);
    close(fit.away_xg, 0.95, 1e-8);
    let neutral = fit_football(&odds, &neutral_fit(false)).unwrap();
    assert!(
        (neutral.home_xg - 1.8).abs() > 1e-3,
        "effects change the fit"
    );
}

// ---------------------------------------------------------------------------------------------
// Sums
// ---------------------------------------------------------------------------------------------

fn assert_coherent(book: &MarketBook) {
    for market in &book.markets {
        match market.key {
            MarketKey::MatchResult
            | MarketKey::BothTeamsToScore
            | MarketKey::CorrectScore
            | MarketKey::NextGoal
            | MarketKey::HalfTimeResult
            | MarketKey::RestOfMatch => {
                let sum: f64 = market.selections.iter().map(|s| s.prob.unwrap()).sum();
                close(sum, 1.0, 1e-9);
            }
            MarketKey::DoubleChance => {
                // Each result is in two of the three pairs.
                let sum: f64 = market.selections.iter().map(|s| s.prob.unwrap()).sum();
                close(sum, 2.0, 1e-9);
            }
            _ => {
                for s in &market.selections {
                    let o = s.outcomes.unwrap();
                    close(
                        o.win + o.half_win + o.push + o.half_lose + o.lose,
                        1.0,
                        1e-9,
                    );
                    for v in [o.win, o.half_win, o.push, o.half_lose, o.lose] {
                        assert!(v >= 0.0, "{} {}: {o:?}", market.key, s.key);
                    }
                }
            }
        }
        for s in &market.selections {
            // A line that almost surely pushes computes its fair odds as a ratio of two tiny
            // numbers, one of them `1 − push`; that cancellation can leave it a hair below 1.
            let nearly_void = s.outcomes.is_some_and(|o| o.push > 1.0 - 1e-6);
            assert!(
                s.fair_odds >= 1.0 - 1e-9 || nearly_void,
                "{} {}: {s:?}",
                market.key,
                s.key
            );
            if let Some(p) = s.prob {
                assert!(
                    (0.0..=1.0 + 1e-12).contains(&p),
                    "{} {}: {p}",
                    market.key,
                    s.key
                );
            }
        }
    }
}

fn states() -> Vec<MatchState> {
    let mut out = vec![MatchState::pre_match()];
    for (h, a) in [(0, 0), (1, 0), (0, 2), (3, 3), (6, 1)] {
        for minute in [
            0, 1, 20, 44, 45, 46, 47, 50, 60, 75, 88, 89, 90, 93, 96, 99, 120,
        ] {
            out.push(MatchState::in_play(h, a, minute * 60_000));
        }
        let ht = MatchState {
            period: Period::HalfTime,
            ..MatchState::in_play(h, a, 45 * 60_000)
        };
        out.push(ht);
        out.push(MatchState {
            period: Period::FullTime,
            ..ht
        });
        out.push(MatchState {
            red_cards: RedCards { home: 1, away: 2 },
            ..MatchState::in_play(h, a, 70 * 60_000)
        });
    }
    out
}

#[test]
fn probabilities_sum_to_one_everywhere() {
    for params in [
        FootballParams::new(1.6, 1.1),
        neutral(1.6, 1.1, -0.1),
        FootballParams {
            rho: 0.08,
            ..FootballParams::new(2.9, 0.4)
        },
        FootballParams::new(0.0, 0.0),
        FootballParams::new(8.0, 8.0),
    ] {
        for state in states() {
            let book = price(&params, &state).unwrap();
            assert!(book.selection_count() >= 60);
            assert_coherent(&book);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Monotone behaviour
// ---------------------------------------------------------------------------------------------

#[test]
fn a_home_goal_raises_homes_price() {
    let p = FootballParams::new(1.6, 1.1);
    for minute in [1, 30, 60, 85] {
        let clock = minute * 60_000;
        for (h, a) in [(0, 0), (0, 1), (1, 1), (2, 0), (0, 3)] {
            let before = home_win(&p, &MatchState::in_play(h, a, clock));
            let after = home_win(&p, &MatchState::in_play(h + 1, a, clock));
            assert!(after > before, "{h}-{a} at {minute}': {before} -> {after}");
        }
    }
}

#[test]
fn time_running_out_favours_the_leader() {
    let p = FootballParams::new(1.6, 1.1);
    let mut last = 0.0;
    for second in (0..=98 * 60).step_by(30) {
        let s = MatchState::in_play(1, 0, second * 1000);
        let now = home_win(&p, &s);
        assert!(now > last, "{second}s: {last} -> {now}");
        last = now;
    }
    // And the trailing side, when the leader is away.
    let mut last = 1.0;
    for minute in 46..=95 {
        let now = home_win(&p, &MatchState::in_play(0, 2, minute * 60_000));
        assert!(now < last);
        last = now;
    }
}

#[test]
fn a_home_red_card_lowers_homes_price() {
    let p = FootballParams::new(1.6, 1.1);
    for (h, a, minute) in [(0, 0, 10), (1, 0, 60), (0, 1, 80)] {
        let s = MatchState::in_play(h, a, minute * 60_000);
        let carded = MatchState {
            red_cards: RedCards { home: 1, away: 0 },
            ..s
        };
        assert!(home_win(&p, &carded) < home_win(&p, &s));
        let away_carded = MatchState {
            red_cards: RedCards { home: 0, away: 1 },
            ..s
        };
        assert!(home_win(&p, &away_carded) > home_win(&p, &s));
    }
}

#[test]
fn one_second_later_prices_move_slightly() {
    let p = FootballParams::new(1.6, 1.1);
    for (h, a, clock) in [(0, 0, 600_000), (1, 0, 3_600_000), (2, 2, 5_300_000)] {
        let now = price(&p, &MatchState::in_play(h, a, clock)).unwrap();
        let later = price(&p, &MatchState::in_play(h, a, clock + 1000)).unwrap();
        let total = MarketKey::Total(line(h as f64 + a as f64 + 0.5));
        for (m, s) in [
            (MarketKey::MatchResult, SelectionKey::Draw),
            (total, SelectionKey::Over),
        ] {
            let (x, y) = (
                now.selection(m, s).unwrap().fair_odds,
                later.selection(m, s).unwrap().fair_odds,
            );
            assert!(x != y && (x - y).abs() / x < 0.01, "{m} {s}: {x} -> {y}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Quarter lines
// ---------------------------------------------------------------------------------------------

#[test]
fn quarter_lines_average_their_neighbours() {
    let p = FootballParams {
        rho: -0.05,
        ..FootballParams::new(1.7, 1.3)
    };
    for state in [
        MatchState::pre_match(),
        MatchState::in_play(1, 0, 3_000_000),
        MatchState::in_play(1, 2, 4_000_000),
    ] {
        let book = price(&p, &state).unwrap();
        let mut checked = 0;
        for market in &book.markets {
            let Some(l) = market.key.line() else { continue };
            let Some((lo, hi)) = l.split() else { continue };
            let neighbour = |l: Line| match market.key {
                MarketKey::Total(_) => MarketKey::Total(l),
                MarketKey::AsianHandicap(_) => MarketKey::AsianHandicap(l),
                MarketKey::TeamTotal(t, _) => MarketKey::TeamTotal(t, l),
                MarketKey::HalfTimeTotal(_) => MarketKey::HalfTimeTotal(l),
                _ => unreachable!(),
            };
            for s in &market.selections {
                let (w, p, lo_) = as_win_push_lose(&s.outcomes.unwrap());
                let a = as_win_push_lose(&outcomes(&book, neighbour(lo), s.key));
                let b = as_win_push_lose(&outcomes(&book, neighbour(hi), s.key));
                close(w, 0.5 * (a.0 + b.0), 1e-12);
                close(p, 0.5 * (a.1 + b.1), 1e-12);
                close(lo_, 0.5 * (a.2 + b.2), 1e-12);
                checked += 1;
            }
        }
        assert!(checked >= 48, "{checked}");
    }
}

#[test]
fn neutral_grid_keeps_the_tail_beyond_24_goals() {
    // 8 xG against five red cards: ~20 expected home goals, P(more than 24) ≈ 0.15. The
    // score-effects path keeps that mass in the last cell; the neutral path loses it, so the
    // 1X2 hands it to the away side and rest-of-match sums to 0.85.
    let state = MatchState {
        red_cards: RedCards { home: 0, away: 5 },
        ..MatchState::in_play(0, 0, 0)
    };
    let book = price(&neutral(8.0, 8.0, 0.0), &state).unwrap();
    assert_coherent(&book);
    assert!(prob(&book, MarketKey::MatchResult, SelectionKey::Home) > 0.99);
}

// ---------------------------------------------------------------------------------------------
// Never panics
// ---------------------------------------------------------------------------------------------

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => 0.0..9.0f64,
        1 => -1.0..1.0f64,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(f64::MAX),
        1 => any::<f64>(),
    ]
}

fn any_period() -> impl Strategy<Value = Period> {
    prop_oneof![
        Just(Period::PreMatch),
        Just(Period::FirstHalf),
        Just(Period::HalfTime),
        Just(Period::SecondHalf),
        Just(Period::FullTime),
    ]
}

fn any_state() -> impl Strategy<Value = MatchState> {
    (
        (any::<u8>(), any::<u8>(), 0u8..12),
        any_period(),
        prop_oneof![0u64..7_200_000, 0u64..20_000_000, any::<u64>()],
        (any::<u8>(), any::<u8>(), 0u8..3, 0u8..3),
        (any::<u32>(), 0u32..1_000_000),
    )
        .prop_map(
            |((h, a, small), period, clock_ms, (rh, ra, srh, sra), stoppage)| {
                // Mostly realistic scores and cards, sometimes absurd ones.
                let (home, away) = if small < 9 { (h % 7, a % 7) } else { (h, a) };
                let red_cards = if small < 10 {
                    RedCards {
                        home: srh,
                        away: sra,
                    }
                } else {
                    RedCards { home: rh, away: ra }
                };
                MatchState {
                    score: Score::new(home, away),
                    period,
                    clock_ms,
                    red_cards,
                    stoppage_ms: [stoppage.0 % 2_000_000, stoppage.1],
                }
            },
        )
}

fn any_params() -> impl Strategy<Value = FootballParams> {
    (
        any_f64(),
        any_f64(),
        prop_oneof![3 => -0.3..0.3f64, 1 => any_f64()],
        prop_oneof![3 => Just(true), 1 => Just(false)],
        (any_f64(), any_f64()),
    )
        .prop_map(|(h, a, rho, default_effects, (t1, t2))| {
            let mut p = FootballParams {
                rho,
                ..FootballParams::new(h, a)
            };
            if !default_effects {
                p.score_state = ScoreStateEffects {
                    trailing_by_one: t1,
                    trailing_by_two_plus: t2,
                };
            }
            p
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn pricing_never_panics(params in any_params(), state in any_state()) {
        match price(&params, &state) {
            Ok(book) => {
                prop_assert!(book.selection_count() >= 60);
                assert_coherent(&book);
            }
            Err(e) => prop_assert!(["invalid_params", "invalid_state"].contains(&e.code())),
        }
    }

    #[test]
    fn fitting_never_panics(
        x12 in [any_f64(), any_f64(), any_f64()],
        ou in (any_f64(), any_f64(), any_f64()),
        with_total in any::<bool>(),
        dixon_coles in any::<bool>(),
        method in prop_oneof![
            Just(MarginMethod::Multiplicative),
            Just(MarginMethod::Additive),
            Just(MarginMethod::Power),
            Just(MarginMethod::Shin),
            Just(MarginMethod::OddsRatio),
        ],
    ) {
        // Shift the ordinary range into plausible decimal odds.
        let odds = |v: f64| if (0.0..9.0).contains(&v) { 1.05 + v } else { v };
        let fit_odds = book(
            [odds(x12[0]), odds(x12[1]), odds(x12[2])],
            with_total.then(|| (ou.0, odds(ou.1), odds(ou.2))),
        );
        let opts = FitOptions { method, dixon_coles, ..FitOptions::default() };
        if let Ok(fit) = fit_football(&fit_odds, &opts) {
            prop_assert!(fit.home_xg.is_finite() && fit.away_xg.is_finite() && fit.rho.is_finite());
            prop_assert!(fit.residual.is_finite());
            let params = fit.params(opts.score_state);
            prop_assert!(price(&params, &MatchState::pre_match()).is_ok());
        }
    }
}

/// Found by `pricing_never_panics`: Dixon–Coles factors are checked against the pre-match rates,
/// but a red card scales the opponent's rate past them (here 1 + μρ < 0 for the (1, 0) cell).
#[test]
fn dixon_coles_cells_stay_non_negative_when_red_cards_scale_the_rates() {
    let params = FootballParams {
        rho: -0.1175,
        ..FootballParams::new(0.16, 7.575)
    };
    params.validate().expect("valid before any red card");
    let state = MatchState {
        red_cards: RedCards { home: 1, away: 0 },
        ..MatchState::pre_match()
    };
    let book = price(&params, &state).expect("prices");
    for s in &book.market(MarketKey::CorrectScore).unwrap().selections {
        let p = s.prob.unwrap();
        assert!(p >= 0.0, "{}: {p}", s.key);
    }
    assert_coherent(&book);
}
