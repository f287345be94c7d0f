//! Decimal text for prices, lines and messages, without core's float parser and printer.
//!
//! `str::parse::<f64>` and `format!("{x:.2}")` are exact, but they bring core's general float
//! machinery into every build (about 35 KB of code and tables, over a third of the npm package's
//! wasm) for the few numbers a bettor types or reads. The inputs here are narrow (odds like
//! `2.50`, `+150`, `-0.85`; lines like `2.25`), so exact special cases suffice:
//!
//! - [`parse`] reads `[+-]digits[.digits]` with at most 15 significant digits after trimming
//!   zeros: the digits are an exact integer and the scale an exact power of ten, so one IEEE
//!   division (or multiplication) gives the correctly rounded double, the same bits `str::parse`
//!   gives (Clinger's fast path). Longer inputs are refused, never misread.
//! - [`fixed`] prints a double to a few decimal places by exact integer arithmetic on its binary
//!   value, rounding half to even as `format!("{x:.N}")` does, and prints the same text.
//! - [`Shortest`] prints a double in messages with the shortest round-trip digits (zmij, the
//!   printer serde_json uses).

use core::fmt;

/// Largest mantissa [`parse`] takes: every integer up to 10^15 is exact in an `f64`.
const MAX_MANTISSA: u64 = 1_000_000_000_000_000;

/// Powers of ten that are exact doubles (10^0 … 10^22).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Reads `[+-]digits[.digits]` (surrounding whitespace ignored; `.5` and `5.` are accepted) as the
/// correctly rounded double. `None` for anything else, including exponents, `inf`, `NaN`, more than
/// 15 significant digits and magnitudes past 10^37.
pub fn parse(text: &str) -> Option<f64> {
    let t = text.trim();
    // `strip_prefix`, not `&t[1..]`: slicing brings a panic path that formats chars with `Debug`.
    let (negative, digits) = match (t.strip_prefix('-'), t.strip_prefix('+')) {
        (Some(rest), _) => (true, rest),
        (None, Some(rest)) => (false, rest),
        (None, None) => (false, t),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    // Trailing zeros of the fraction change nothing; leading zeros of the number neither. A whole
    // number's trailing zeros become a power of ten, so `1000000000000000000` reads as 10^18.
    let fraction = fraction.trim_end_matches('0');
    let (whole, zeros) = if fraction.is_empty() {
        let significant = whole.trim_end_matches('0');
        (significant, whole.len() - significant.len())
    } else {
        (whole, 0)
    };
    let mut mantissa: u64 = 0;
    for b in whole.bytes().chain(fraction.bytes()) {
        if !b.is_ascii_digit() {
            return None;
        }
        mantissa = mantissa * 10 + u64::from(b - b'0');
        if mantissa > MAX_MANTISSA {
            return None;
        }
    }
    // Both operands are exact, so the one rounding gives the correctly rounded value of the text.
    let value = if zeros > 0 {
        mantissa as f64 * POW10.get(zeros)?
    } else {
        mantissa as f64 / POW10.get(fraction.len())?
    };
    Some(if negative { -value } else { value })
}

/// `value` with exactly `places` decimals (at most 9), as `format!("{value:.places$}")` prints it:
/// the exact binary value rounded half to even, a `-` on negative values (and `-0.0`). `None` for
/// non-finite values and magnitudes of 2^63 or more.
pub fn fixed(value: f64, places: u32) -> Option<String> {
    if !value.is_finite() || places > 9 {
        return None;
    }
    let scale = 10u64.pow(places);
    let bits = value.abs().to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i32;
    let fraction_bits = bits & ((1 << 52) - 1);
    // value = mantissa · 2^power exactly.
    let (mantissa, power) = if exponent == 0 {
        (fraction_bits, -1074)
    } else {
        (fraction_bits | 1 << 52, exponent - 1075)
    };
    let scaled = u128::from(mantissa) * u128::from(scale);
    let units: u128 = if power >= 0 {
        // An integer already; refuse what would not fit the printed integer part.
        if power > 10 {
            return None;
        }
        scaled << power
    } else {
        let shift = power.unsigned_abs();
        if shift >= 128 {
            0 // below 2^-74 · 10^9: rounds to zero at any supported precision
        } else {
            let quotient = scaled >> shift;
            let remainder = scaled - (quotient << shift);
            let half = 1u128 << (shift - 1);
            if remainder > half || (remainder == half && quotient % 2 == 1) {
                quotient + 1
            } else {
                quotient
            }
        }
    };
    // Printed as u64s: u128 formatting would add its own printer to the wasm.
    let (Ok(whole), Ok(part)) = (
        u64::try_from(units / u128::from(scale)),
        u64::try_from(units % u128::from(scale)),
    ) else {
        return None;
    };
    if whole >= 1 << 63 {
        return None;
    }
    let sign = if value.is_sign_negative() { "-" } else { "" };
    Some(if places == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{part:0width$}", width = places as usize)
    })
}

/// A double in the shortest digits that read back as the same value (`2.5`, `0.1`, `1e300`),
/// for messages.
#[derive(Debug, Clone, Copy)]
pub struct Shortest(pub f64);

impl fmt::Display for Shortest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_finite() {
            f.write_str(zmij::Buffer::new().format_finite(self.0))
        } else if self.0.is_nan() {
            f.write_str("NaN")
        } else if self.0 > 0.0 {
            f.write_str("inf")
        } else {
            f.write_str("-inf")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_odds_text_exactly() {
        for (text, want) in [
            ("2.5", 2.5),
            (" 1.91 ", 1.91),
            ("+150", 150.0),
            ("-0.85", -0.85),
            (".5", 0.5),
            ("5.", 5.0),
            ("007.250000000000000000000", 7.25),
            ("123456789012345", 123_456_789_012_345.0),
            ("1000000000000000000.00", 1e18),
            ("-250000", -250_000.0),
            ("0", 0.0),
            ("000.000", 0.0),
            ("0.1", 0.1),
        ] {
            assert_eq!(parse(text), Some(want), "{text}");
        }
        for text in [
            "",
            "-",
            ".",
            "1e3",
            "inf",
            "NaN",
            "1.2.3",
            "1,5",
            "--1",
            "12345678901234567",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }

    #[test]
    fn fixed_prints_like_format() {
        for (v, places) in [
            (1.005, 2),
            (0.125, 2),
            (0.375, 2),
            (2.5, 0),
            (3.5, 0),
            (-0.001, 2),
            (-0.0, 2),
            (1e-300, 3),
            (123456.789, 1),
            (f64::MIN_POSITIVE / 4.0, 6),
        ] {
            assert_eq!(
                fixed(v, places).unwrap(),
                format!("{v:.p$}", p = places as usize)
            );
        }
        assert_eq!(fixed(f64::NAN, 2), None);
        assert_eq!(fixed(1e300, 2), None);
    }

    proptest::proptest! {
        #[test]
        fn fixed_equals_format(v in proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL
            | proptest::num::f64::ZERO, places in 0u32..=9) {
            if v.abs() < 9.2e18 {
                proptest::prop_assert_eq!(fixed(v, places), Some(format!("{v:.p$}", p = places as usize)));
            }
        }

        #[test]
        fn fixed_equals_format_for_prices(v in -1000.0f64..1000.0, places in 0u32..=6) {
            proptest::prop_assert_eq!(fixed(v, places), Some(format!("{v:.p$}", p = places as usize)));
        }

        #[test]
        fn parse_equals_str_parse(whole in 0u64..10_000_000, fraction in "[0-9]{0,8}", sign in "[+-]?",
            zeros in "0{0,12}") {
            // Whole numbers with trailing zeros too (read as a power of ten).
            let whole = if fraction.is_empty() { format!("{whole}{zeros}") } else { whole.to_string() };
            let text = if fraction.is_empty() { format!("{sign}{whole}") } else { format!("{sign}{whole}.{fraction}") };
            proptest::prop_assert_eq!(parse(&text).map(f64::to_bits), text.parse::<f64>().ok().map(f64::to_bits));
        }

        #[test]
        fn parse_reads_what_fixed_prints(v in 0.0f64..1e6, places in 0u32..=6) {
            let text = fixed(v, places).unwrap();
            proptest::prop_assert_eq!(parse(&text), text.parse::<f64>().ok());
        }
    }

    #[test]
    fn shortest_round_trips() {
        assert_eq!(Shortest(2.5).to_string(), "2.5");
        assert_eq!(Shortest(0.1).to_string(), "0.1");
        assert_eq!(Shortest(f64::NAN).to_string(), "NaN");
    }
}
