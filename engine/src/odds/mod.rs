//! Odds maths: taking the bookmaker's margin out of a book, putting a margin onto fair
//! probabilities, displaying prices in the six common odds formats, and snapping prices to the
//! Betfair 350-tick ladder.
//!
//! - [`margin`]: [`implied_probabilities`] and its inverse [`apply_margin`] for the five
//!   [`MarginMethod`]s, matching the Python library penaltyblog (`penaltyblog.implied`, 1.13.x).
//! - [`format`](mod@format): [`OddsFormat`], [`format_odds`], [`parse_odds`] and the numeric converters.
//! - [`ladder`]: the Betfair price ladder held as integer hundredths, with rounding helpers.
//!
//! Every function validates its input and returns an [`OddsError`] rather than panicking or
//! producing NaN.

pub mod format;
pub mod ladder;
pub mod margin;

pub use format::{
    Fraction, OddsFormat, format_odds, from_american, from_hong_kong, from_indonesian, from_malay,
    parse_odds, to_american, to_fractional, to_hong_kong, to_indonesian, to_malay,
};
pub use margin::{Implied, MarginMethod, apply_margin, implied_probabilities};

use crate::decimal::Shortest;

/// Why an odds calculation was refused. Each variant has a stable machine-readable [`code`].
///
/// [`code`]: OddsError::code
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OddsError {
    /// A price in a book is not finite or not greater than 1.0 (decimal).
    #[error("invalid decimal odds {} at position {index}: must be finite and greater than 1", Shortest(*.value))]
    InvalidOdds {
        /// Position of the offending price in the input slice.
        index: usize,
        /// The offending price.
        value: f64,
    },
    /// A single price is not a valid value in its format (e.g. American odds between -100 and
    /// +100, decimal odds at or below 1.0, NaN or infinity).
    #[error("invalid {format} odds value {}", Shortest(*.value))]
    InvalidPrice {
        /// The format the value was given in.
        format: OddsFormat,
        /// The offending value.
        value: f64,
    },
    /// A book or probability vector has fewer than two outcomes.
    #[error("a market needs at least 2 outcomes, got {got}")]
    TooFewOutcomes {
        /// Number of outcomes supplied.
        got: usize,
    },
    /// The margin is not finite, negative, or 1.0 or more.
    #[error("invalid margin {}: must be finite, at least 0 and less than 1", Shortest(*.0))]
    InvalidMargin(f64),
    /// Fair probabilities are not all positive and finite, or do not sum to 1 within 1e-9.
    #[error("invalid probabilities: {0}")]
    InvalidProbabilities(&'static str),
    /// Additive margin removal pushed an outcome below zero probability (a very long price in a
    /// book with a large overround).
    #[error("{method} margin removal gives a negative probability at position {index}")]
    NegativeProbability {
        /// Method that produced the negative value.
        method: MarginMethod,
        /// Position of the outcome.
        index: usize,
    },
    /// The margin cannot be put on this book with this method without some price falling to 1.0
    /// or below (a near-certain outcome and a large margin).
    #[error(
        "margin {} cannot be applied with the {method} method: a price would be 1.0 or less",
        Shortest(*.margin)
    )]
    MarginUnattainable {
        /// Method requested.
        method: MarginMethod,
        /// Margin requested.
        margin: f64,
    },
    /// A solver found no bracketed root (only for extreme books).
    #[error("the {method} solver did not converge")]
    NoConvergence {
        /// Method whose parameter could not be solved.
        method: MarginMethod,
    },
    /// A margin method name was not recognised.
    #[error("unknown margin method `{0}`")]
    UnknownMethod(String),
    /// An odds format name, or odds text in some format, could not be parsed.
    #[error("invalid odds format: {0}")]
    InvalidFormat(String),
}

impl OddsError {
    /// Stable machine-readable error code, suitable for APIs and logs. Both [`InvalidOdds`] and
    /// [`InvalidPrice`] report `"invalid_odds"`.
    ///
    /// [`InvalidOdds`]: OddsError::InvalidOdds
    /// [`InvalidPrice`]: OddsError::InvalidPrice
    pub fn code(&self) -> &'static str {
        match self {
            OddsError::InvalidOdds { .. } | OddsError::InvalidPrice { .. } => "invalid_odds",
            OddsError::TooFewOutcomes { .. } => "too_few_outcomes",
            OddsError::InvalidMargin(_) => "invalid_margin",
            OddsError::InvalidProbabilities(_) => "invalid_probabilities",
            OddsError::NegativeProbability { .. } => "negative_probability",
            OddsError::MarginUnattainable { .. } => "margin_unattainable",
            OddsError::NoConvergence { .. } => "no_convergence",
            OddsError::UnknownMethod(_) => "unknown_method",
            OddsError::InvalidFormat(_) => "invalid_format",
        }
    }
}

/// True for a usable decimal price: finite and strictly above 1.0 (1.0 pays nothing back).
pub(crate) fn is_valid_decimal(d: f64) -> bool {
    d.is_finite() && d > 1.0
}

/// Checks one decimal price, reporting it as `format` if it is bad.
pub(crate) fn check_decimal(d: f64, format: OddsFormat) -> Result<f64, OddsError> {
    if is_valid_decimal(d) {
        Ok(d)
    } else {
        Err(OddsError::InvalidPrice { format, value: d })
    }
}
