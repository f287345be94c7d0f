//! Exact money: prices as integer hundredths and every amount in integer arithmetic.
//!
//! Offered prices are ladder prices (`odds::ladder`), and every ladder price is a whole number of
//! hundredths (1.13 is `113`). A bet carries its price as a [`Price`] from the request through the
//! decision, the liability it reserves and its settlement, so no amount is ever a float product:
//! stake 100 at 1.13 returns exactly 113, where `floor(100.0 * 1.13)` is 112.
//!
//! Amounts are minor units (pence, cents) in `u64`; products are taken in `u128` and the one
//! rounding is a floor division at the end (toward the book), which only matters when a stake times
//! a price leaves a fraction of a minor unit (a 1p stake at 1.13) or a half stake is odd. A result
//! beyond `u64::MAX` saturates.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A decimal price in integer hundredths: `Price::from_hundredths(213)` is 2.13.
///
/// Always above 1.00 (a price of 1 or less pays nothing and is not a price). In JSON it is the
/// decimal number (`2.13`); in the binary form (postcard) it is the integer of hundredths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Price(u32);

impl Price {
    /// Lowest price there is: one hundredth above evens money back (1.01).
    pub const MIN_HUNDREDTHS: u32 = 101;

    /// A price from hundredths; `None` at or below 1.00.
    pub const fn from_hundredths(hundredths: u32) -> Option<Price> {
        if hundredths >= Self::MIN_HUNDREDTHS {
            Some(Price(hundredths))
        } else {
            None
        }
    }

    /// The price whose decimal form is `decimal`, if that is a whole number of hundredths above 1
    /// (within 1e-6 of one, so a computed `1.1500000000000001` is 1.15) and at most 10^7.
    pub fn from_decimal(decimal: f64) -> Option<Price> {
        if !decimal.is_finite() || decimal <= 1.0 || decimal > 10_000_000.0 {
            return None;
        }
        let hundredths = decimal * 100.0;
        let whole = libm::round(hundredths);
        if (hundredths - whole).abs() > 1e-6 {
            return None;
        }
        // In range and integral: the cast is exact.
        Price::from_hundredths(whole as u32)
    }

    /// Hundredths: 213 for 2.13.
    pub const fn hundredths(self) -> u32 {
        self.0
    }

    /// The decimal price as the correctly rounded double of its decimal text (2.13 → `2.13`),
    /// which is also the double the ladder holds for it.
    pub fn to_f64(self) -> f64 {
        f64::from(self.0) / 100.0
    }
}

impl core::fmt::Display for Price {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let (whole, cents) = (self.0 / 100, self.0 % 100);
        if cents == 0 {
            write!(f, "{whole}")
        } else if cents % 10 == 0 {
            write!(f, "{whole}.{}", cents / 10)
        } else {
            write!(f, "{whole}.{cents:02}")
        }
    }
}

impl Serialize for Price {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_f64(self.to_f64())
        } else {
            s.serialize_u32(self.0)
        }
    }
}

impl<'de> Deserialize<'de> for Price {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Price, D::Error> {
        use serde::de::Error;
        if d.is_human_readable() {
            let x = f64::deserialize(d)?;
            Price::from_decimal(x).ok_or_else(|| {
                D::Error::custom("price must be a decimal above 1 in whole hundredths")
            })
        } else {
            let h = u32::deserialize(d)?;
            Price::from_hundredths(h).ok_or_else(|| D::Error::custom("price must be above 1.00"))
        }
    }
}

fn saturate(v: u128) -> u64 {
    u64::try_from(v).unwrap_or(u64::MAX)
}

/// What a winning stake pays on top of the stake: `stake × (price − 1)`, minor units, rounded down.
/// This is also the liability a bet puts on the book.
pub fn net_win(stake: u64, price: Price) -> u64 {
    let profit = u128::from(price.0 - 100);
    saturate(u128::from(stake) * profit / 100)
}

/// A stake's whole return at `price` (stake included) when it wins: `stake × price`, rounded down.
pub fn gross_win(stake: u64, price: Price) -> u64 {
    saturate(u128::from(stake) * u128::from(price.0) / 100)
}

/// Half the stake at `price` and half returned: `stake × (price + 1) / 2`, rounded down once.
pub fn half_win(stake: u64, price: Price) -> u64 {
    saturate(u128::from(stake) * (u128::from(price.0) + 100) / 200)
}

/// Half the stake returned, rounded down.
pub fn half_stake(stake: u64) -> u64 {
    stake / 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_float_cases_that_came_out_short_are_exact() {
        let p = Price::from_decimal(1.13).unwrap();
        assert_eq!(p.hundredths(), 113);
        assert_eq!(gross_win(100, p), 113);
        assert_eq!(net_win(100, p), 13);
        assert_eq!(net_win(1, p), 0);
        assert_eq!(half_win(3, Price::from_hundredths(250).unwrap()), 5); // 5.25
        assert_eq!(half_stake(3), 1);
    }

    #[test]
    fn prices_read_only_whole_hundredths_above_one() {
        assert_eq!(Price::from_decimal(2.1).map(Price::hundredths), Some(210));
        assert_eq!(
            Price::from_decimal(1000.0).map(Price::hundredths),
            Some(100_000)
        );
        assert_eq!(Price::from_decimal(1.0), None);
        assert_eq!(Price::from_decimal(2.105), None);
        assert_eq!(Price::from_decimal(f64::NAN), None);
        assert_eq!(Price::from_decimal(f64::INFINITY), None);
        assert_eq!(Price::from_decimal(-3.0), None);
        assert_eq!(Price::from_hundredths(100), None);
        assert_eq!(Price::from_hundredths(213).unwrap().to_string(), "2.13");
        assert_eq!(Price::from_hundredths(250).unwrap().to_string(), "2.5");
        assert_eq!(Price::from_hundredths(1_000).unwrap().to_string(), "10");
    }

    #[test]
    fn json_is_the_decimal_and_postcard_the_hundredths() {
        let p = Price::from_hundredths(213).unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "2.13");
        assert_eq!(serde_json::from_str::<Price>("2.13").unwrap(), p);
        assert!(serde_json::from_str::<Price>("2.135").is_err());
        assert!(serde_json::from_str::<Price>("1").is_err());
        let bytes = postcard::to_allocvec(&p).unwrap();
        assert_eq!(postcard::from_bytes::<Price>(&bytes).unwrap(), p);
        assert!(postcard::from_bytes::<Price>(&postcard::to_allocvec(&50u32).unwrap()).is_err());
    }

    #[test]
    fn amounts_saturate_instead_of_wrapping() {
        let top = Price::from_hundredths(100_000).unwrap();
        assert_eq!(gross_win(u64::MAX, top), u64::MAX);
        assert_eq!(net_win(u64::MAX, top), u64::MAX);
    }
}
