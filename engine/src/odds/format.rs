//! Odds display formats and conversions to and from decimal odds.
//!
//! Decimal odds `d` (stake included, `d > 1`) are the engine's internal form. The other formats:
//!
//! | format       | from decimal                                  | example for 2.50 / 1.50 |
//! |--------------|-----------------------------------------------|-------------------------|
//! | fractional   | nearest traditional UK fraction to `d − 1`    | `6/4` / `1/2`           |
//! | American     | `(d−1)·100` if `d ≥ 2`, else `−100/(d−1)`     | `+150` / `-200`         |
//! | Hong Kong    | `d − 1`                                       | `1.50` / `0.50`         |
//! | Malay        | `d − 1` if `d ≤ 2`, else `−1/(d−1)`           | `-0.67` / `0.50`        |
//! | Indonesian   | `d − 1` if `d ≥ 2`, else `−1/(d−1)`           | `1.50` / `-2.00`        |
//!
//! Every converter returns [`OddsError::InvalidPrice`] for NaN, infinities and values outside
//! its format's range instead of producing a meaningless number.

use serde::{Deserialize, Serialize};

use super::{OddsError, check_decimal};
use crate::decimal;

/// A way of writing a price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OddsFormat {
    /// European decimal odds, stake included: `2.50`.
    Decimal,
    /// UK fractional odds, profit over stake, from the traditional bookmaker table: `6/4`.
    Fractional,
    /// American moneyline: `+150`, `-200`.
    American,
    /// Hong Kong odds, profit per unit stake: `1.50`.
    HongKong,
    /// Malay odds: positive up to evens, negative beyond.
    Malay,
    /// Indonesian odds: positive from evens up, negative below.
    Indonesian,
}

impl OddsFormat {
    /// All formats, in declaration order.
    pub const ALL: [OddsFormat; 6] = [
        OddsFormat::Decimal,
        OddsFormat::Fractional,
        OddsFormat::American,
        OddsFormat::HongKong,
        OddsFormat::Malay,
        OddsFormat::Indonesian,
    ];

    /// The lowercase snake-case name used by `Display`, `FromStr` and serde.
    pub fn as_str(self) -> &'static str {
        match self {
            OddsFormat::Decimal => "decimal",
            OddsFormat::Fractional => "fractional",
            OddsFormat::American => "american",
            OddsFormat::HongKong => "hong_kong",
            OddsFormat::Malay => "malay",
            OddsFormat::Indonesian => "indonesian",
        }
    }
}

impl core::fmt::Display for OddsFormat {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::str::FromStr for OddsFormat {
    type Err = OddsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OddsFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| OddsError::InvalidFormat(format!("unknown odds format `{s}`")))
    }
}

/// Fractional odds `num/den` (profit over stake), kept unreduced because bookmakers write
/// `4/6` and `6/4`, not `2/3` and `3/2`. Displays as `"5/2"`; evens is `"1/1"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Fraction {
    /// Numerator (profit).
    pub num: u32,
    /// Denominator (stake).
    pub den: u32,
}

impl Fraction {
    /// The equivalent decimal odds, `1 + num/den`; `None` for a zero denominator or numerator.
    pub fn to_decimal(self) -> Option<f64> {
        if self.num == 0 || self.den == 0 {
            None
        } else {
            Some(1.0 + f64::from(self.num) / f64::from(self.den))
        }
    }
}

impl core::fmt::Display for Fraction {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

const fn fr(num: u32, den: u32) -> Fraction {
    Fraction { num, den }
}

/// Traditional UK bookmaker fractions, in ascending price order (a test checks the order).
const UK_FRACTIONS: [Fraction; 89] = [
    fr(1, 100),
    fr(1, 66),
    fr(1, 50),
    fr(1, 40),
    fr(1, 33),
    fr(1, 25),
    fr(1, 20),
    fr(1, 16),
    fr(1, 14),
    fr(1, 12),
    fr(1, 11),
    fr(1, 10),
    fr(1, 9),
    fr(1, 8),
    fr(1, 7),
    fr(2, 13),
    fr(1, 6),
    fr(2, 11),
    fr(1, 5),
    fr(2, 9),
    fr(1, 4),
    fr(2, 7),
    fr(3, 10),
    fr(1, 3),
    fr(4, 11),
    fr(2, 5),
    fr(4, 9),
    fr(1, 2),
    fr(8, 15),
    fr(4, 7),
    fr(8, 13),
    fr(4, 6),
    fr(8, 11),
    fr(4, 5),
    fr(5, 6),
    fr(10, 11),
    fr(1, 1),
    fr(21, 20),
    fr(11, 10),
    fr(6, 5),
    fr(5, 4),
    fr(11, 8),
    fr(6, 4),
    fr(13, 8),
    fr(7, 4),
    fr(15, 8),
    fr(2, 1),
    fr(9, 4),
    fr(5, 2),
    fr(11, 4),
    fr(3, 1),
    fr(10, 3),
    fr(7, 2),
    fr(4, 1),
    fr(9, 2),
    fr(5, 1),
    fr(11, 2),
    fr(6, 1),
    fr(13, 2),
    fr(7, 1),
    fr(15, 2),
    fr(8, 1),
    fr(17, 2),
    fr(9, 1),
    fr(10, 1),
    fr(11, 1),
    fr(12, 1),
    fr(14, 1),
    fr(16, 1),
    fr(18, 1),
    fr(20, 1),
    fr(22, 1),
    fr(25, 1),
    fr(28, 1),
    fr(33, 1),
    fr(40, 1),
    fr(50, 1),
    fr(66, 1),
    fr(80, 1),
    fr(100, 1),
    fr(125, 1),
    fr(150, 1),
    fr(200, 1),
    fr(250, 1),
    fr(300, 1),
    fr(400, 1),
    fr(500, 1),
    fr(750, 1),
    fr(999, 1),
];

/// The traditional UK fractions [`to_fractional`] chooses from, shortest price first.
pub fn uk_fractions() -> &'static [Fraction] {
    &UK_FRACTIONS
}

/// Formats decimal odds `decimal` in `fmt`.
///
/// Decimal, Hong Kong, Malay and Indonesian use two decimal places, with more only when two
/// would print a misleading value (`1.00` for a price above 1, `0.00` for a non-zero Malay
/// price). American is rounded to a whole number with an explicit sign (`+150`, `-110`).
/// Fractional is the nearest traditional UK fraction (see [`to_fractional`]).
pub fn format_odds(decimal: f64, fmt: OddsFormat) -> Result<String, OddsError> {
    let d = check_decimal(decimal, OddsFormat::Decimal)?;
    Ok(match fmt {
        OddsFormat::Decimal => fixed(d, 1.0),
        OddsFormat::Fractional => to_fractional(d)?.to_string(),
        OddsFormat::American => {
            let a = to_american(d)?;
            // `{:+.0}`: an explicit sign either way.
            let digits = decimal::fixed(a, 0).unwrap_or_else(|| decimal::Shortest(a).to_string());
            if digits.starts_with('-') {
                digits
            } else {
                format!("+{digits}")
            }
        }
        OddsFormat::HongKong => fixed(to_hong_kong(d)?, 0.0),
        OddsFormat::Malay => fixed(to_malay(d)?, 0.0),
        OddsFormat::Indonesian => fixed(to_indonesian(d)?, 0.0),
    })
}

/// Parses odds written in `fmt` and returns decimal odds.
///
/// Fractional accepts `"a/b"` with positive numbers and `"evs"`/`"evens"`; American accepts an
/// optional leading `+`. Surrounding whitespace is ignored. Numbers are plain decimals (`2.50`,
/// `-110`, `.85`) of at most 15 significant digits, read exactly (see [`crate::decimal::parse`]);
/// exponents (`1e3`) are refused.
pub fn parse_odds(text: &str, fmt: OddsFormat) -> Result<f64, OddsError> {
    let t = text.trim();
    let bad = || OddsError::InvalidFormat(format!("cannot read `{text}` as {fmt} odds"));
    let number = |s: &str| decimal::parse(s).ok_or_else(bad);
    match fmt {
        OddsFormat::Decimal => check_decimal(number(t)?, OddsFormat::Decimal),
        OddsFormat::Fractional => {
            if t.eq_ignore_ascii_case("evs") || t.eq_ignore_ascii_case("evens") {
                return Ok(2.0);
            }
            let (num, den) = t.split_once('/').ok_or_else(bad)?;
            let (num, den) = (number(num)?, number(den)?);
            if !(num.is_finite() && den.is_finite() && num > 0.0 && den > 0.0) {
                return Err(bad());
            }
            check_decimal(1.0 + num / den, OddsFormat::Fractional)
        }
        OddsFormat::American => from_american(number(t)?),
        OddsFormat::HongKong => from_hong_kong(number(t)?),
        OddsFormat::Malay => from_malay(number(t)?),
        OddsFormat::Indonesian => from_indonesian(number(t)?),
    }
}

/// Nearest traditional UK fraction to decimal odds `decimal`, measured in decimal-odds distance.
/// An exact tie goes to the shorter price (the bookmaker's side). Prices beyond the table's
/// ends map to its ends (`1/100`, `999/1`).
pub fn to_fractional(decimal: f64) -> Result<Fraction, OddsError> {
    let d = check_decimal(decimal, OddsFormat::Decimal)?;
    let mut best = fr(1, 1);
    let mut best_distance = f64::INFINITY;
    for f in UK_FRACTIONS {
        let Some(value) = f.to_decimal() else {
            continue;
        };
        let distance = (value - d).abs();
        // Strictly less: on a tie the earlier (shorter) price stays.
        if distance < best_distance {
            best = f;
            best_distance = distance;
        }
    }
    Ok(best)
}

/// Decimal to American moneyline: `(d−1)·100` from evens up, `−100/(d−1)` below.
pub fn to_american(decimal: f64) -> Result<f64, OddsError> {
    let d = check_decimal(decimal, OddsFormat::Decimal)?;
    Ok(if d >= 2.0 {
        (d - 1.0) * 100.0
    } else {
        -100.0 / (d - 1.0)
    })
}

/// American moneyline to decimal. Valid moneylines are `≥ +100` or `≤ −100`; `±100` are evens.
pub fn from_american(american: f64) -> Result<f64, OddsError> {
    let bad = OddsError::InvalidPrice {
        format: OddsFormat::American,
        value: american,
    };
    let d = if american >= 100.0 {
        1.0 + american / 100.0
    } else if american <= -100.0 {
        1.0 - 100.0 / american
    } else {
        return Err(bad);
    };
    check_decimal(d, OddsFormat::American).map_err(|_| bad)
}

/// Decimal to Hong Kong odds: `d − 1`.
pub fn to_hong_kong(decimal: f64) -> Result<f64, OddsError> {
    Ok(check_decimal(decimal, OddsFormat::Decimal)? - 1.0)
}

/// Hong Kong odds (any positive value) to decimal: `h + 1`.
pub fn from_hong_kong(hong_kong: f64) -> Result<f64, OddsError> {
    let bad = OddsError::InvalidPrice {
        format: OddsFormat::HongKong,
        value: hong_kong,
    };
    if hong_kong.is_nan() || hong_kong <= 0.0 {
        return Err(bad);
    }
    check_decimal(1.0 + hong_kong, OddsFormat::HongKong).map_err(|_| bad)
}

/// Decimal to Malay odds: `d − 1` up to evens (in `(0, 1]`), `−1/(d−1)` beyond (in `[−1, 0)`).
pub fn to_malay(decimal: f64) -> Result<f64, OddsError> {
    let d = check_decimal(decimal, OddsFormat::Decimal)?;
    Ok(if d <= 2.0 { d - 1.0 } else { -1.0 / (d - 1.0) })
}

/// Malay odds to decimal. Valid values are in `(0, 1]` or `[−1, 0)`.
pub fn from_malay(malay: f64) -> Result<f64, OddsError> {
    let bad = OddsError::InvalidPrice {
        format: OddsFormat::Malay,
        value: malay,
    };
    let d = if malay > 0.0 && malay <= 1.0 {
        1.0 + malay
    } else if (-1.0..0.0).contains(&malay) {
        1.0 - 1.0 / malay
    } else {
        return Err(bad);
    };
    check_decimal(d, OddsFormat::Malay).map_err(|_| bad)
}

/// Decimal to Indonesian odds: `d − 1` from evens up (`≥ 1`), `−1/(d−1)` below (`≤ −1`).
pub fn to_indonesian(decimal: f64) -> Result<f64, OddsError> {
    let d = check_decimal(decimal, OddsFormat::Decimal)?;
    Ok(if d >= 2.0 { d - 1.0 } else { -1.0 / (d - 1.0) })
}

/// Indonesian odds to decimal. Valid values are `≥ 1` or `≤ −1`; `±1` are evens.
pub fn from_indonesian(indonesian: f64) -> Result<f64, OddsError> {
    let bad = OddsError::InvalidPrice {
        format: OddsFormat::Indonesian,
        value: indonesian,
    };
    let d = if indonesian >= 1.0 {
        1.0 + indonesian
    } else if indonesian <= -1.0 {
        1.0 - 1.0 / indonesian
    } else {
        return Err(bad);
    };
    check_decimal(d, OddsFormat::Indonesian).map_err(|_| bad)
}

/// `value` to two decimal places, or up to six when two would print exactly `avoid` (e.g. a
/// 1.004 price as "1.00"), so a valid price never displays as an invalid one.
fn fixed(value: f64, avoid: f64) -> String {
    // Beyond `decimal::fixed`'s range (|value| ≥ 2^63, absurd as odds) the shortest digits stand in.
    let print = |places| {
        decimal::fixed(value, places).unwrap_or_else(|| decimal::Shortest(value).to_string())
    };
    let mut text = print(2);
    for places in 3..=6 {
        if decimal::parse(&text) != Some(avoid) {
            break;
        }
        text = print(places);
    }
    text
}
