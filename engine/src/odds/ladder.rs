//! The Betfair price ladder: the 350 decimal prices from 1.01 to 1000 that an exchange accepts.
//!
//! | from  | to   | increment |
//! |-------|------|-----------|
//! | 1.01  | 2    | 0.01      |
//! | 2     | 3    | 0.02      |
//! | 3     | 4    | 0.05      |
//! | 4     | 6    | 0.1       |
//! | 6     | 10   | 0.2       |
//! | 10    | 20   | 0.5       |
//! | 20    | 30   | 1         |
//! | 30    | 50   | 2         |
//! | 50    | 100  | 5         |
//! | 100   | 1000 | 10        |
//!
//! Prices are held as integer hundredths (1.01 is `101`, 1000 is `100_000`) so the ladder itself
//! carries no floating-point drift. A tick `t` is compared with an `f64` price as `t as f64 /
//! 100.0`, which is the correctly rounded double of the decimal literal: `round_down(1.15)` is
//! exactly `1.15`, while a computed `1.1499999999999999` rounds down to `1.14`.
//!
//! Prices outside the ladder clamp to its ends: anything in `(1, 1.01)` becomes 1.01 (the
//! lowest price an exchange takes, even though that is above the computed price when rounding
//! down), anything above 1000 becomes 1000. NaN, infinities and prices at or below 1.0 are
//! errors.

use std::sync::OnceLock;

use super::{OddsError, OddsFormat, check_decimal};

/// Number of prices on the ladder.
pub const LADDER_LEN: usize = 350;

/// Lowest ladder price.
pub const MIN_PRICE: f64 = 1.01;

/// Highest ladder price.
pub const MAX_PRICE: f64 = 1000.0;

/// Upper end of each increment band (inclusive) and its increment, both in hundredths.
const BANDS: [(u32, u32); 10] = [
    (200, 1),
    (300, 2),
    (400, 5),
    (600, 10),
    (1_000, 20),
    (2_000, 50),
    (3_000, 100),
    (5_000, 200),
    (10_000, 500),
    (100_000, 1_000),
];

/// The ladder in hundredths, built at compile time from [`BANDS`].
static LADDER: [u32; LADDER_LEN] = build_ladder();

// The band table must land exactly on 1000 after 350 prices.
const _: () = assert!(build_ladder()[LADDER_LEN - 1] == 100_000);

const fn build_ladder() -> [u32; LADDER_LEN] {
    let mut out = [0u32; LADDER_LEN];
    let mut price = 101;
    let mut band = 0;
    let mut i = 0;
    while i < LADDER_LEN {
        out[i] = price;
        i += 1;
        while band < BANDS.len() && price >= BANDS[band].0 {
            band += 1;
        }
        if band < BANDS.len() {
            price += BANDS[band].1;
        }
    }
    out
}

/// The ladder as prices, `tick as f64 / 100.0` (one exact IEEE division: the same doubles on every
/// host, and the ones a constant table would hold), computed on first use: rounding searches this
/// instead of dividing at every probe. Not a constant table because 350 doubles are 2.8 KB of
/// nearly incompressible data in the wasm (0.8 KB of the `live` entry gzipped); the loop that
/// makes them is a few dozen bytes.
fn prices() -> &'static [f64; LADDER_LEN] {
    static PRICES: OnceLock<[f64; LADDER_LEN]> = OnceLock::new();
    PRICES.get_or_init(|| build_ladder().map(to_price))
}

/// The full ladder in hundredths, ascending: `[101, 102, …, 99_000, 100_000]`.
pub fn ladder() -> &'static [u32] {
    &LADDER
}

/// Ladder price at `index` (0 is 1.01, 349 is 1000).
pub fn tick_price(index: usize) -> Option<f64> {
    prices().get(index).copied()
}

/// The highest ladder price at or below `decimal`: an offered price rounded toward the
/// bookmaker, never above the computed odds. Prices in `(1, 1.01)` return 1.01, prices above
/// 1000 return 1000.
pub fn round_down(decimal: f64) -> Result<f64, OddsError> {
    let d = check_decimal(decimal, OddsFormat::Decimal)?;
    Ok(index_at_or_below(d).map_or(MIN_PRICE, |i| prices()[i]))
}

/// The lowest ladder price at or above `decimal`. Prices above 1000 return 1000.
pub fn round_up(decimal: f64) -> Result<f64, OddsError> {
    let d = check_decimal(decimal, OddsFormat::Decimal)?;
    let prices = prices();
    let at_or_above = match index_at_or_below(d) {
        Some(i) if prices[i] == d => i,
        Some(i) => i + 1,
        None => 0,
    };
    Ok(prices.get(at_or_above).copied().unwrap_or(MAX_PRICE))
}

/// Index of the highest price in [`prices`] that is `<= d`, `None` below the ladder (`d` not NaN).
///
/// Every offered price of every reprice goes through here, so it computes the tick from the
/// increment bands instead of binary-searching 350 prices (nine unpredictable branches): the band
/// gives an estimate within a tick, and the comparisons against [`prices`] that settle it are the
/// same ones a search makes, so the answer is exactly the search's.
fn index_at_or_below(d: f64) -> Option<usize> {
    let hundredths = d * 100.0;
    let band = BAND_STEPS
        .iter()
        .find(|b| hundredths <= b.upper)
        .unwrap_or(&BAND_STEPS[BANDS.len() - 1]);
    // Saturating float-to-int casts: anything below the band start estimates its first tick.
    let ticks = ((hundredths - band.from_hundredths) * band.per_hundredth) as usize;
    let mut i = band.from.saturating_add(ticks).min(LADDER_LEN - 1);
    let prices = prices();
    while i + 1 < LADDER_LEN && prices[i + 1] <= d {
        i += 1;
    }
    while prices[i] > d {
        i = i.checked_sub(1)?;
    }
    Some(i)
}

/// One increment band as [`index_at_or_below`] reads it, all in `f64` hundredths.
struct BandStep {
    /// Upper end of the band (inclusive).
    upper: f64,
    /// Index in [`LADDER`] where the band's increments start: the previous band's upper end (the
    /// first band starts at 1.01).
    from: usize,
    /// The price at `from`.
    from_hundredths: f64,
    /// Ticks per hundredth (an estimate needs no division).
    per_hundredth: f64,
}

static BAND_STEPS: [BandStep; BANDS.len()] = {
    const EMPTY: BandStep = BandStep {
        upper: 0.0,
        from: 0,
        from_hundredths: 0.0,
        per_hundredth: 0.0,
    };
    let mut out = [EMPTY; BANDS.len()];
    let mut band = 0;
    while band < BANDS.len() {
        let mut from = 0;
        while band > 0 && LADDER[from] != BANDS[band - 1].0 {
            from += 1;
        }
        out[band] = BandStep {
            upper: BANDS[band].0 as f64,
            from,
            from_hundredths: LADDER[from] as f64,
            per_hundredth: 1.0 / BANDS[band].1 as f64,
        };
        band += 1;
    }
    out
};

/// The ladder price nearest `decimal` in price distance; an exact tie goes down (toward the
/// bookmaker).
pub fn round_nearest(decimal: f64) -> Result<f64, OddsError> {
    let down = round_down(decimal)?;
    let up = round_up(decimal)?;
    Ok(if up - decimal < decimal - down {
        up
    } else {
        down
    })
}

/// Index of `decimal` on the ladder if it is a ladder price (within 1e-6 of a hundredth, so a
/// computed `1.1500000000000001` counts as 1.15), else `None`.
pub fn tick_index(decimal: f64) -> Option<usize> {
    if !decimal.is_finite() {
        return None;
    }
    let hundredths = decimal * 100.0;
    let whole = libm::round(hundredths);
    if (hundredths - whole).abs() > 1e-6 || !(101.0..=100_000.0).contains(&whole) {
        return None;
    }
    // In range and integral, so the cast is exact; `to_price` gives the very double in `prices()`.
    // (Searching the prices, not the hundredths, keeps only one table in a wasm build.)
    let price = to_price(whole as u32);
    prices().binary_search_by(|p| p.total_cmp(&price)).ok()
}

/// Signed number of ticks from ladder price `from` to ladder price `to` (positive when `to` is
/// higher); `None` if either is not a ladder price.
pub fn ticks_between(from: f64, to: f64) -> Option<i32> {
    let a = i32::try_from(tick_index(from)?).ok()?;
    let b = i32::try_from(tick_index(to)?).ok()?;
    Some(b - a)
}

/// The ladder price `ticks` ticks away from ladder price `price`; `None` if `price` is not on
/// the ladder or the move would leave it.
pub fn tick_offset(price: f64, ticks: i32) -> Option<f64> {
    let index = i64::try_from(tick_index(price)?).ok()? + i64::from(ticks);
    tick_price(usize::try_from(index).ok()?)
}

/// A tick (hundredths) as a price: the correctly rounded double of the decimal value.
fn to_price(hundredths: u32) -> f64 {
    f64::from(hundredths) / 100.0
}
