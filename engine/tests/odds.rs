//! Tests for `inplay_engine::odds`: penaltyblog pins for the five margin methods, margin
//! round trips, odds formats and the Betfair ladder, plus no-panic properties.

use inplay_engine::odds::ladder::{
    LADDER_LEN, MAX_PRICE, MIN_PRICE, ladder, round_down, round_nearest, round_up, tick_index,
    tick_offset, tick_price, ticks_between,
};
use inplay_engine::odds::{
    Fraction, MarginMethod, OddsError, OddsFormat, apply_margin, format_odds, from_american,
    from_hong_kong, from_indonesian, from_malay, implied_probabilities, parse_odds, to_american,
    to_fractional, to_hong_kong, to_indonesian, to_malay,
};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// penaltyblog pins
// ---------------------------------------------------------------------------------------------

/// One penaltyblog result: method, fair probabilities, reported parameter (k, z or c).
type Pin = (MarginMethod, &'static [f64], Option<f64>);

/// A book, penaltyblog's margin for it, and its result for each method.
struct Book {
    odds: &'static [f64],
    margin: f64,
    pins: [Pin; 5],
}

use MarginMethod::{Additive, Multiplicative, OddsRatio, Power, Shin};

// Produced by engine/tests/penaltyblog_margin.py with penaltyblog 1.13.1.
const BOOKS: [Book; 4] = [
    Book {
        odds: &[2.10, 3.40, 3.60],
        margin: 0.04808590102707733,
        pins: [
            (
                Multiplicative,
                &[0.4543429844097996, 0.28062360801781744, 0.26503340757238314],
                None,
            ),
            (
                Additive,
                &[0.4601618425147837, 0.2780890133831311, 0.26174914410208533],
                None,
            ),
            (
                Power,
                &[0.46017445786014616, 0.2779799640760484, 0.2618455780627881],
                Some(1.0461120614758244),
            ),
            (
                Shin,
                &[0.45866571596108546, 0.27873763713246247, 0.2625966469055397],
                Some(0.024082836732655023),
            ),
            (
                OddsRatio,
                &[0.457794969319764, 0.27900925366150336, 0.26319577701931224],
                Some(1.0767127148364661),
            ),
        ],
    },
    Book {
        odds: &[1.95, 1.95],
        margin: 0.025641025641025772,
        pins: [
            (Multiplicative, &[0.5, 0.5], None),
            (Additive, &[0.5, 0.5], None),
            (
                Power,
                &[0.5000000000002842, 0.5000000000002842],
                Some(1.0379105936686746),
            ),
            (
                Shin,
                &[0.4999999999997535, 0.4999999999997535],
                Some(0.025641025642011553),
            ),
            (OddsRatio, &[0.5, 0.5], Some(1.0526315789473684)),
        ],
    },
    Book {
        odds: &[1.90, 2.00],
        margin: 0.02631578947368407,
        pins: [
            (
                Multiplicative,
                &[0.5128205128205129, 0.4871794871794872],
                None,
            ),
            (Additive, &[0.5131578947368421, 0.48684210526315796], None),
            (
                Power,
                &[0.5133196870819302, 0.48668031291863734],
                Some(1.0389536786623763),
            ),
            (
                Shin,
                &[0.513157894736603, 0.4868421052629062],
                Some(0.026316257086469425),
            ),
            (
                OddsRatio,
                &[0.513167019495099, 0.4868329805053751],
                Some(1.0540925533884595),
            ),
        ],
    },
    Book {
        odds: &[1.25, 6.5, 13.0],
        margin: 0.030769230769230882,
        pins: [
            (
                Multiplicative,
                &[0.7761194029850745, 0.14925373134328357, 0.07462686567164178],
                None,
            ),
            (
                Additive,
                &[0.7897435897435897, 0.14358974358974355, 0.06666666666666664],
                None,
            ),
            (
                Power,
                &[0.7914437500468442, 0.14057681329889854, 0.06797943665485456],
                Some(1.0481883448701128),
            ),
            (
                Shin,
                &[0.7862853608977927, 0.14493822880140747, 0.0687764103017417],
                Some(0.015775069670315944),
            ),
            (
                OddsRatio,
                &[0.7859316754774887, 0.14301537584180915, 0.07105294868098042],
                Some(1.089500938576907),
            ),
        ],
    },
];

/// penaltyblog's ridder stops at xtol 2e-12, so agreement is limited to about 1e-12.
const PIN_TOLERANCE: f64 = 1e-10;

#[test]
fn matches_penaltyblog() {
    let mut worst: f64 = 0.0;
    for book in &BOOKS {
        for (method, probs, param) in book.pins {
            let got = implied_probabilities(book.odds, method).unwrap();
            assert_eq!(got.method, method);
            assert_eq!(got.probs.len(), probs.len());
            assert!((got.margin - book.margin).abs() < 1e-15, "{method} margin");
            for (g, w) in got.probs.iter().zip(probs) {
                worst = worst.max((g - w).abs());
                assert!(
                    (g - w).abs() < PIN_TOLERANCE,
                    "{method} {:?}: {g} vs {w}",
                    book.odds
                );
            }
            match (got.k, param) {
                (None, None) => {}
                (Some(g), Some(w)) => {
                    worst = worst.max((g - w).abs());
                    assert!((g - w).abs() < PIN_TOLERANCE, "{method} param {g} vs {w}");
                }
                other => panic!("{method}: parameter mismatch {other:?}"),
            }
        }
    }
    // Also documents how close we are: well inside penaltyblog's own solver tolerance.
    eprintln!("worst deviation from penaltyblog: {worst:e}");
    assert!(worst < 2e-12, "worst deviation {worst}");
}

#[test]
fn two_way_shin_equals_additive() {
    // A known identity (and visible in penaltyblog's output): for two outcomes Shin's fair
    // probabilities coincide with the additive ones.
    for odds in [[1.90, 2.00], [1.40, 3.10], [1.05, 11.0]] {
        let shin = implied_probabilities(&odds, Shin).unwrap();
        let add = implied_probabilities(&odds, Additive).unwrap();
        for (s, a) in shin.probs.iter().zip(&add.probs) {
            assert!((s - a).abs() < 1e-13, "{odds:?}: {s} vs {a}");
        }
    }
}

#[test]
fn under_round_books_solve_for_every_method() {
    // Σ1/odds = 0.98: penaltyblog's Shin bracket [0, 100] has no root here; ours goes below 0.
    let odds = [2.0, 1.0 / 0.48];
    for method in MarginMethod::ALL {
        let got = implied_probabilities(&odds, method).unwrap();
        assert!(got.margin < 0.0);
        let sum: f64 = got.probs.iter().sum();
        assert!((sum - 1.0).abs() < 1e-12, "{method}: {sum}");
        assert!(got.probs.iter().all(|p| *p > 0.0 && *p < 1.0));
    }
    let shin = implied_probabilities(&odds, Shin).unwrap();
    assert!(shin.k.unwrap() < 0.0);
}

#[test]
fn zero_margin_book_is_unchanged() {
    let odds = [2.0, 4.0, 4.0];
    for method in MarginMethod::ALL {
        let got = implied_probabilities(&odds, method).unwrap();
        assert_eq!(got.margin, 0.0);
        for (g, w) in got.probs.iter().zip([0.5, 0.25, 0.25]) {
            assert!((g - w).abs() < 1e-14, "{method}: {g}");
        }
    }
    assert_eq!(implied_probabilities(&odds, Shin).unwrap().k, Some(0.0));
}

#[test]
fn implied_rejects_bad_books() {
    let code = |odds: &[f64]| implied_probabilities(odds, Power).unwrap_err().code();
    assert_eq!(code(&[]), "too_few_outcomes");
    assert_eq!(code(&[2.0]), "too_few_outcomes");
    assert_eq!(code(&[2.0, f64::NAN]), "invalid_odds");
    assert_eq!(code(&[2.0, f64::INFINITY]), "invalid_odds");
    assert_eq!(code(&[2.0, 1.0]), "invalid_odds");
    assert_eq!(code(&[2.0, -3.0]), "invalid_odds");
    assert_eq!(
        implied_probabilities(&[2.0, 0.5], Shin),
        Err(OddsError::InvalidOdds {
            index: 1,
            value: 0.5
        })
    );
    // Additive on a long shot in a heavily over-round book goes negative: refused.
    let err = implied_probabilities(&[1.2, 5.0, 200.0], Additive).unwrap_err();
    assert_eq!(
        err,
        OddsError::NegativeProbability {
            method: Additive,
            index: 2
        }
    );
    assert_eq!(err.code(), "negative_probability");
}

#[test]
fn extreme_short_books_still_solve() {
    // Parameters beyond penaltyblog's [0, 100] bracket.
    for method in [Power, OddsRatio, Shin, Multiplicative] {
        let got = implied_probabilities(&[1.001, 1.001], method).unwrap();
        for p in &got.probs {
            assert!((p - 0.5).abs() < 1e-9, "{method}: {p}");
        }
    }
}

#[test]
fn absurd_books_solve_or_refuse_cleanly() {
    // Found by proptest: a root near 1e-100 needs over 300 bisection steps from [0, 100].
    let got =
        implied_probabilities(&[7.335116397187549e99, 4.558614225897002e272], OddsRatio).unwrap();
    assert!((got.probs.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    // Found by a stress run: prices one ulp above 1.0 need c ~ 1e16, where penaltyblog's
    // `c + π − cπ` cancels catastrophically.
    let tiny = 1.0 + f64::EPSILON;
    let got = implied_probabilities(&[tiny, 1.0010803766970608, tiny], OddsRatio).unwrap();
    assert!((got.probs.iter().sum::<f64>() - 1.0).abs() < 1e-12);
}

// ---------------------------------------------------------------------------------------------
// apply_margin
// ---------------------------------------------------------------------------------------------

fn overround(odds: &[f64]) -> f64 {
    odds.iter().map(|d| 1.0 / d).sum::<f64>() - 1.0
}

#[test]
fn apply_margin_known_values() {
    let p = [0.5, 0.3, 0.2];
    let mult = apply_margin(&p, 0.05, Multiplicative).unwrap();
    for (o, q) in mult.iter().zip(p) {
        assert!((o - 1.0 / (q * 1.05)).abs() < 1e-12);
    }
    let add = apply_margin(&p, 0.06, Additive).unwrap();
    for (o, q) in add.iter().zip(p) {
        assert!((o - 1.0 / (q + 0.02)).abs() < 1e-12);
    }
    // A zero margin gives fair odds for every method.
    for method in MarginMethod::ALL {
        let fair = apply_margin(&p, 0.0, method).unwrap();
        for (o, q) in fair.iter().zip(p) {
            assert!((o - 1.0 / q).abs() < 1e-12, "{method}: {o}");
        }
    }
    // Evens with a 2-way margin: every method is symmetric.
    for method in MarginMethod::ALL {
        let odds = apply_margin(&[0.5, 0.5], 0.05, method).unwrap();
        assert!((odds[0] - 2.0 / 1.05).abs() < 1e-12, "{method}: {odds:?}");
        assert!((odds[1] - odds[0]).abs() < 1e-12);
    }
}

#[test]
fn apply_margin_inverts_penaltyblog_books() {
    // Re-applying each method's own margin to penaltyblog's fair probabilities rebuilds the book.
    for book in &BOOKS {
        for (method, probs, _) in book.pins {
            let odds = apply_margin(probs, book.margin, method).unwrap();
            for (o, w) in odds.iter().zip(book.odds) {
                assert!((o - w).abs() < 1e-8, "{method}: {o} vs {w}");
            }
        }
    }
}

#[test]
fn apply_margin_rejects_bad_input() {
    let code = |p: &[f64], m: f64| apply_margin(p, m, Shin).unwrap_err().code();
    assert_eq!(code(&[0.5, 0.5], -0.01), "invalid_margin");
    assert_eq!(code(&[0.5, 0.5], 1.0), "invalid_margin");
    assert_eq!(code(&[0.5, 0.5], f64::NAN), "invalid_margin");
    assert_eq!(code(&[1.0], 0.05), "too_few_outcomes");
    assert_eq!(code(&[0.5, 0.6], 0.05), "invalid_probabilities");
    assert_eq!(code(&[1.5, -0.5], 0.05), "invalid_probabilities");
    assert_eq!(code(&[0.5, f64::NAN], 0.05), "invalid_probabilities");
    assert_eq!(code(&[1.0, 0.0], 0.05), "invalid_probabilities");
    // Within 1e-9 of summing to one: normalised and accepted.
    let odds = apply_margin(&[0.5 + 4e-10, 0.5], 0.05, Multiplicative).unwrap();
    assert!((overround(&odds) - 0.05).abs() < 1e-12);
    // A 97% favourite with a 10% margin cannot be priced multiplicatively or additively.
    for method in [Multiplicative, Additive, Shin] {
        let err = apply_margin(&[0.97, 0.03], 0.10, method).unwrap_err();
        assert_eq!(err.code(), "margin_unattainable", "{method}");
    }
    // Power and odds ratio never push a price to 1.
    for method in [Power, OddsRatio] {
        let odds = apply_margin(&[0.97, 0.03], 0.10, method).unwrap();
        assert!(odds.iter().all(|o| *o > 1.0));
    }
}

fn book(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(0.02f64..1.0, n).prop_map(|w| {
        let s: f64 = w.iter().sum();
        w.iter().map(|x| x / s).collect()
    })
}

fn any_book() -> impl Strategy<Value = Vec<f64>> {
    prop_oneof![book(2), book(3)]
}

fn method() -> impl Strategy<Value = MarginMethod> {
    prop::sample::select(MarginMethod::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn margin_round_trip(p in any_book(), margin in 0.0f64..0.15, method in method()) {
        match apply_margin(&p, margin, method) {
            Ok(odds) => {
                prop_assert!(odds.iter().all(|o| o.is_finite() && *o > 1.0));
                prop_assert!((overround(&odds) - margin).abs() < 1e-12, "overround {}", overround(&odds));
                let back = implied_probabilities(&odds, method).unwrap();
                prop_assert!((back.margin - margin).abs() < 1e-12);
                for (b, q) in back.probs.iter().zip(&p) {
                    prop_assert!((b - q).abs() < 1e-9, "{method}: {b} vs {q}");
                }
            }
            // Only a near-certain favourite may make a margin unattainable.
            Err(e) => {
                prop_assert_eq!(e.code(), "margin_unattainable");
                prop_assert!(matches!(method, Multiplicative | Additive | Shin));
                prop_assert!(p.iter().any(|q| *q > 0.8), "{p:?}");
            }
        }
    }

    #[test]
    fn implied_never_panics(odds in prop::collection::vec(any::<f64>(), 0..5), method in method()) {
        if let Ok(got) = implied_probabilities(&odds, method) {
            prop_assert!(got.probs.iter().all(|p| p.is_finite() && *p >= 0.0));
            let sum: f64 = got.probs.iter().sum();
            prop_assert!((sum - 1.0).abs() < 1e-9);
        }
    }

    #[test]
    fn implied_sums_to_one_on_real_books(
        odds in prop::collection::vec(1.01f64..50.0, 2..6),
        method in method(),
    ) {
        match implied_probabilities(&odds, method) {
            Ok(got) => {
                let sum: f64 = got.probs.iter().sum();
                prop_assert!((sum - 1.0).abs() < 1e-12, "{method}: {sum}");
                prop_assert!(got.probs.iter().all(|p| *p >= 0.0 && *p <= 1.0));
            }
            Err(e) => {
                prop_assert_eq!(e.code(), "negative_probability");
                prop_assert_eq!(method, Additive);
            }
        }
    }

    #[test]
    fn apply_never_panics(
        p in prop::collection::vec(any::<f64>(), 0..5),
        margin in any::<f64>(),
        method in method(),
    ) {
        if let Ok(odds) = apply_margin(&p, margin, method) {
            prop_assert!(odds.iter().all(|o| o.is_finite() && *o > 1.0));
        }
    }
}

#[test]
fn method_names() {
    for (method, name) in [
        (Multiplicative, "multiplicative"),
        (Additive, "additive"),
        (Power, "power"),
        (Shin, "shin"),
        (OddsRatio, "odds_ratio"),
    ] {
        assert_eq!(method.to_string(), name);
        assert_eq!(name.parse::<MarginMethod>().unwrap(), method);
        assert_eq!(
            serde_json::to_string(&method).unwrap(),
            format!("\"{name}\"")
        );
        let back: MarginMethod = serde_json::from_str(&format!("\"{name}\"")).unwrap();
        assert_eq!(back, method);
    }
    let err = "Shin".parse::<MarginMethod>().unwrap_err();
    assert_eq!(err.code(), "unknown_method");
}

#[test]
fn implied_serialises() {
    let got = implied_probabilities(&[2.0, 2.0], Power).unwrap();
    let json = serde_json::to_value(&got).unwrap();
    assert_eq!(json["method"], "power");
    assert_eq!(json["probs"].as_array().unwrap().len(), 2);
    assert!(json["k"].as_f64().is_some());
    let mult =
        serde_json::to_value(implied_probabilities(&[2.0, 2.0], Multiplicative).unwrap()).unwrap();
    assert!(mult["k"].is_null());
}

// ---------------------------------------------------------------------------------------------
// formats
// ---------------------------------------------------------------------------------------------

#[test]
fn format_known_values() {
    let f = |d: f64, fmt: OddsFormat| format_odds(d, fmt).unwrap();
    use OddsFormat::*;
    assert_eq!(f(2.5, Decimal), "2.50");
    assert_eq!(f(2.5, Fractional), "6/4");
    assert_eq!(f(3.5, Fractional), "5/2");
    assert_eq!(f(2.0, Fractional), "1/1");
    assert_eq!(f(1.5, Fractional), "1/2");
    assert_eq!(f(1.67, Fractional), "4/6");
    assert_eq!(f(1.91, Fractional), "10/11");
    assert_eq!(f(2.5, American), "+150");
    assert_eq!(f(1.5, American), "-200");
    assert_eq!(f(1.91, American), "-110");
    assert_eq!(f(2.0, American), "+100");
    assert_eq!(f(2.5, HongKong), "1.50");
    assert_eq!(f(2.5, Malay), "-0.67");
    assert_eq!(f(1.5, Malay), "0.50");
    assert_eq!(f(2.0, Malay), "1.00");
    assert_eq!(f(2.5, Indonesian), "1.50");
    assert_eq!(f(1.5, Indonesian), "-2.00");
    // Never show a valid price as an invalid one.
    assert_eq!(f(1.004, Decimal), "1.004");
    assert_eq!(f(1.004, HongKong), "0.004");
    assert_eq!(f(1000.0, Malay), "-0.001");
    // Absurd prices still print (shortest digits past 2^63); ordinary ones read back.
    assert_eq!(f(1e300, Decimal), "1e+300");
    assert_eq!(f(1e300, American), "+1e+302");
    assert_eq!(parse_odds(&f(1e18, Decimal), Decimal).unwrap(), 1e18);
    for fmt in OddsFormat::ALL {
        assert_eq!(
            format_odds(f64::NAN, fmt).unwrap_err().code(),
            "invalid_odds"
        );
        assert_eq!(format_odds(1.0, fmt).unwrap_err().code(), "invalid_odds");
    }
}

#[test]
fn converters_known_values() {
    assert_eq!(to_american(3.0).unwrap(), 200.0);
    assert_eq!(to_american(1.25).unwrap(), -400.0);
    assert_eq!(from_american(200.0).unwrap(), 3.0);
    assert_eq!(from_american(-400.0).unwrap(), 1.25);
    assert_eq!(from_american(100.0).unwrap(), 2.0);
    assert_eq!(from_american(-100.0).unwrap(), 2.0);
    assert_eq!(to_hong_kong(1.8).unwrap(), 1.8 - 1.0);
    assert_eq!(from_hong_kong(0.8).unwrap(), 1.8);
    assert_eq!(to_malay(1.8).unwrap(), 1.8 - 1.0);
    assert_eq!(to_malay(3.0).unwrap(), -0.5);
    assert_eq!(from_malay(-0.5).unwrap(), 3.0);
    assert_eq!(from_malay(1.0).unwrap(), 2.0);
    assert_eq!(to_indonesian(1.5).unwrap(), -2.0);
    assert_eq!(to_indonesian(3.0).unwrap(), 2.0);
    assert_eq!(from_indonesian(-2.0).unwrap(), 1.5);
    assert_eq!(from_indonesian(1.0).unwrap(), 2.0);
    for bad in [0.0, 50.0, -99.9, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert_eq!(
            from_american(bad).unwrap_err().code(),
            "invalid_odds",
            "{bad}"
        );
    }
    for bad in [0.0, -0.0, 1.5, -1.5, f64::NAN] {
        assert!(from_malay(bad).is_err(), "{bad}");
    }
    for bad in [0.0, 0.5, -0.5, f64::NAN, f64::INFINITY] {
        assert!(from_indonesian(bad).is_err(), "{bad}");
    }
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(from_hong_kong(bad).is_err(), "{bad}");
    }
}

#[test]
fn parse_known_values() {
    use OddsFormat::*;
    assert_eq!(parse_odds(" 2.50 ", Decimal).unwrap(), 2.5);
    assert_eq!(parse_odds("5/2", Fractional).unwrap(), 3.5);
    assert_eq!(parse_odds("4/6", Fractional).unwrap(), 1.0 + 4.0 / 6.0);
    assert_eq!(parse_odds("evs", Fractional).unwrap(), 2.0);
    assert_eq!(parse_odds("+150", American).unwrap(), 2.5);
    assert_eq!(parse_odds("-200", American).unwrap(), 1.5);
    assert_eq!(parse_odds("-0.5", Malay).unwrap(), 3.0);
    assert_eq!(parse_odds("-2", Indonesian).unwrap(), 1.5);
    assert_eq!(parse_odds("0.5", HongKong).unwrap(), 1.5);
    for (text, fmt) in [
        ("", Decimal),
        ("abc", Decimal),
        ("1.0", Decimal),
        ("5/0", Fractional),
        ("5", Fractional),
        ("-1/2", Fractional),
        ("1/2/3", Fractional),
        ("50", American),
        ("NaN", HongKong),
    ] {
        assert!(parse_odds(text, fmt).is_err(), "{text:?} as {fmt}");
    }
}

#[test]
fn format_names() {
    for (fmt, name) in [
        (OddsFormat::Decimal, "decimal"),
        (OddsFormat::Fractional, "fractional"),
        (OddsFormat::American, "american"),
        (OddsFormat::HongKong, "hong_kong"),
        (OddsFormat::Malay, "malay"),
        (OddsFormat::Indonesian, "indonesian"),
    ] {
        assert_eq!(fmt.to_string(), name);
        assert_eq!(name.parse::<OddsFormat>().unwrap(), fmt);
        assert_eq!(serde_json::to_string(&fmt).unwrap(), format!("\"{name}\""));
    }
    assert_eq!(
        "hk".parse::<OddsFormat>().unwrap_err().code(),
        "invalid_format"
    );
}

#[test]
fn uk_fraction_table_is_ascending_and_nearest() {
    let table = inplay_engine::odds::format::uk_fractions();
    let values: Vec<f64> = table.iter().map(|f| f.to_decimal().unwrap()).collect();
    assert!(values.windows(2).all(|w| w[0] < w[1]), "table out of order");
    // Every table entry maps to itself.
    for f in table {
        assert_eq!(to_fractional(f.to_decimal().unwrap()).unwrap(), *f);
    }
    assert_eq!(to_fractional(1.001).unwrap(), Fraction { num: 1, den: 100 });
    assert_eq!(
        to_fractional(5000.0).unwrap(),
        Fraction { num: 999, den: 1 }
    );
    assert_eq!(to_fractional(2.05).unwrap().to_string(), "21/20");
    // 3.125 is exactly halfway between 2/1 and 9/4: the shorter price wins.
    assert_eq!(to_fractional(3.125).unwrap().to_string(), "2/1");
    assert_eq!(to_fractional(3.126).unwrap().to_string(), "9/4");
    assert_eq!(Fraction { num: 3, den: 0 }.to_decimal(), None);
}

proptest! {
    #[test]
    fn converters_never_panic(x in any::<f64>()) {
        for fmt in OddsFormat::ALL {
            let _ = format_odds(x, fmt);
            let _ = parse_odds(&x.to_string(), fmt);
        }
        let _ = (to_american(x), to_hong_kong(x), to_malay(x), to_indonesian(x), to_fractional(x));
        for d in [from_american(x), from_hong_kong(x), from_malay(x), from_indonesian(x)].into_iter().flatten() {
            prop_assert!(d.is_finite() && d > 1.0);
        }
    }

    #[test]
    fn parsing_any_text_never_panics(text in "\\PC{0,24}", digits in "[-+ 0-9./evns]{0,30}") {
        for fmt in OddsFormat::ALL {
            let _ = (parse_odds(&text, fmt), parse_odds(&digits, fmt));
        }
        let _ = (inplay_engine::decimal::parse(&text), inplay_engine::decimal::parse(&digits));
    }

    #[test]
    fn formatted_odds_read_back(d in 1.0001f64..1000.0) {
        // Over the ladder's range the two printed decimals read back within 1 %. (Not Malay: past
        // evens it is −1/(d−1), whose two decimals cannot tell 8.9 from 10.)
        for fmt in [OddsFormat::Decimal, OddsFormat::HongKong, OddsFormat::Indonesian] {
            let back = parse_odds(&format_odds(d, fmt).unwrap(), fmt).unwrap();
            prop_assert!((back - d).abs() <= 0.01 * d, "{} {} {}", fmt, d, back);
        }
    }

    #[test]
    fn converters_round_trip(d in 1.0001f64..1.0e6) {
        let rel = |a: f64| ((a - d) / d).abs() < 1e-12;
        prop_assert!(rel(from_american(to_american(d).unwrap()).unwrap()));
        prop_assert!(rel(from_hong_kong(to_hong_kong(d).unwrap()).unwrap()));
        prop_assert!(rel(from_malay(to_malay(d).unwrap()).unwrap()));
        prop_assert!(rel(from_indonesian(to_indonesian(d).unwrap()).unwrap()));
        let text = format_odds(d, OddsFormat::Fractional).unwrap();
        let back = parse_odds(&text, OddsFormat::Fractional).unwrap();
        prop_assert!(back > 1.0);
    }
}

// ---------------------------------------------------------------------------------------------
// ladder
// ---------------------------------------------------------------------------------------------

#[test]
fn ladder_shape() {
    let l = ladder();
    assert_eq!(l.len(), 350);
    assert_eq!(LADDER_LEN, 350);
    assert!(l.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(l.first(), Some(&101));
    assert_eq!(l.last(), Some(&100_000));
    // Spot checks at every band boundary.
    for (price, next) in [
        (200, 202),
        (300, 305),
        (400, 410),
        (600, 620),
        (1_000, 1_050),
        (2_000, 2_100),
        (3_000, 3_200),
        (5_000, 5_500),
        (10_000, 11_000),
    ] {
        let i = l.binary_search(&price).unwrap();
        assert_eq!(l[i + 1], next, "after {price}");
    }
    // Per-band counts: 100 + 50 + 20 + 20 + 20 + 20 + 10 + 10 + 10 + 90.
    let count = |lo: u32, hi: u32| l.iter().filter(|t| **t > lo && **t <= hi).count();
    assert_eq!(count(100, 200), 100);
    assert_eq!(count(200, 300), 50);
    assert_eq!(count(300, 400), 20);
    assert_eq!(count(400, 600), 20);
    assert_eq!(count(600, 1_000), 20);
    assert_eq!(count(1_000, 2_000), 20);
    assert_eq!(count(2_000, 3_000), 10);
    assert_eq!(count(3_000, 5_000), 10);
    assert_eq!(count(5_000, 10_000), 10);
    assert_eq!(count(10_000, 100_000), 90);
    assert_eq!(tick_price(0), Some(MIN_PRICE));
    assert_eq!(tick_price(349), Some(MAX_PRICE));
    assert_eq!(tick_price(350), None);
}

#[test]
fn ladder_rounding_known_values() {
    assert_eq!(round_down(1.15).unwrap(), 1.15);
    // One ulp below a ladder price is below it: rounding down never rounds up.
    assert_eq!(round_down(1.15f64.next_down()).unwrap(), 1.14);
    assert_eq!(round_up(1.14f64.next_up()).unwrap(), 1.15);
    assert_eq!(round_down(2.01).unwrap(), 2.0);
    assert_eq!(round_up(2.01).unwrap(), 2.02);
    assert_eq!(round_down(3.33).unwrap(), 3.3);
    assert_eq!(round_up(3.33).unwrap(), 3.35);
    assert_eq!(round_nearest(3.33).unwrap(), 3.35);
    assert_eq!(round_nearest(3.32).unwrap(), 3.3);
    assert_eq!(round_down(7.77).unwrap(), 7.6);
    assert_eq!(round_down(999.0).unwrap(), 990.0);
    // 10.75 is exactly halfway between 10.5 and 11 (4.15 is not: as a double it is nearer 4.2).
    assert_eq!(round_nearest(10.75).unwrap(), 10.5, "tie goes down");
    assert_eq!(round_nearest(4.15).unwrap(), 4.2);
    // Clamping at the ends.
    assert_eq!(round_down(1.005).unwrap(), 1.01);
    assert_eq!(round_up(1.005).unwrap(), 1.01);
    assert_eq!(round_down(5000.0).unwrap(), 1000.0);
    assert_eq!(round_up(5000.0).unwrap(), 1000.0);
    assert_eq!(round_nearest(1.0001).unwrap(), 1.01);
    for bad in [1.0, 0.5, -2.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert_eq!(round_down(bad).unwrap_err().code(), "invalid_odds");
        assert!(round_up(bad).is_err());
        assert!(round_nearest(bad).is_err());
    }
}

#[test]
fn ladder_ticks() {
    assert_eq!(tick_index(1.01), Some(0));
    assert_eq!(tick_index(2.0), Some(99));
    assert_eq!(tick_index(1000.0), Some(349));
    assert_eq!(tick_index(0.1 + 1.05), Some(14)); // 1.1500000000000001
    assert_eq!(tick_index(2.01), None);
    assert_eq!(tick_index(1.0), None);
    assert_eq!(tick_index(f64::NAN), None);
    assert_eq!(ticks_between(1.01, 1000.0), Some(349));
    assert_eq!(ticks_between(2.0, 1.98), Some(-2));
    assert_eq!(ticks_between(2.0, 2.01), None);
    assert_eq!(tick_offset(2.0, 1), Some(2.02));
    assert_eq!(tick_offset(2.0, -1), Some(1.99));
    assert_eq!(tick_offset(1.01, -1), None);
    assert_eq!(tick_offset(1000.0, 1), None);
    assert_eq!(tick_offset(1000.0, i32::MIN), None);
}

/// The ladder rounding by binary search over every price: what `round_down`/`round_up` computed
/// before they estimated the tick from the increment bands. They must agree everywhere.
fn searched(d: f64) -> (f64, f64) {
    let prices: Vec<f64> = (0..LADDER_LEN).map(|i| tick_price(i).unwrap()).collect();
    let above = prices.partition_point(|p| *p <= d);
    let down = above.checked_sub(1).map_or(MIN_PRICE, |i| prices[i]);
    let at_or_above = prices.partition_point(|p| *p < d);
    let up = prices.get(at_or_above).copied().unwrap_or(MAX_PRICE);
    (down, up)
}

#[test]
fn ladder_rounding_equals_a_search_around_every_price() {
    for i in 0..LADDER_LEN {
        let p = tick_price(i).unwrap();
        // Each price, its neighbouring doubles, and values a hair either side in hundredths.
        let mut probes = vec![
            p,
            p.next_up(),
            p.next_down(),
            p + 1e-9,
            p - 1e-9,
            p * (1.0 + 1e-15),
        ];
        let (mut up, mut down) = (p, p);
        for _ in 0..4 {
            up = up.next_up();
            down = down.next_down();
            probes.extend([up, down]);
        }
        for d in probes.into_iter().filter(|d| *d > 1.0) {
            assert_eq!(
                (round_down(d).unwrap(), round_up(d).unwrap()),
                searched(d),
                "{d}"
            );
        }
    }
    for d in [1.0f64.next_up(), 1.005, 1000.5, 5000.0, f64::MAX] {
        assert_eq!(
            (round_down(d).unwrap(), round_up(d).unwrap()),
            searched(d),
            "{d}"
        );
    }
}

proptest! {
    #[test]
    fn ladder_never_panics(x in any::<f64>(), y in any::<f64>(), n in any::<i32>()) {
        let _ = (round_down(x), round_up(x), round_nearest(x), tick_index(x));
        let _ = (ticks_between(x, y), tick_offset(x, n));
    }

    #[test]
    fn ladder_rounding_brackets(d in 1.01f64..1000.0) {
        let down = round_down(d).unwrap();
        let up = round_up(d).unwrap();
        let near = round_nearest(d).unwrap();
        prop_assert!(down <= d && d <= up);
        prop_assert!(near == down || near == up);
        prop_assert!(tick_index(down).is_some() && tick_index(up).is_some());
        let gap = ticks_between(down, up).unwrap();
        prop_assert!(gap == 0 || gap == 1);
        prop_assert_eq!(gap == 0, tick_index(d).is_some() && down == d);
    }

    #[test]
    fn ladder_rounding_equals_a_search(d in 1.0f64..1100.0, e in 1.0f64..1e300) {
        for x in [d, e].into_iter().filter(|x| *x > 1.0) {
            prop_assert_eq!((round_down(x).unwrap(), round_up(x).unwrap()), searched(x));
        }
    }

    #[test]
    fn ladder_prices_round_to_themselves(i in 0usize..350) {
        let p = tick_price(i).unwrap();
        prop_assert_eq!(round_down(p).unwrap(), p);
        prop_assert_eq!(round_up(p).unwrap(), p);
        prop_assert_eq!(round_nearest(p).unwrap(), p);
        prop_assert_eq!(tick_index(p), Some(i));
    }
}
