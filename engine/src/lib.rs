//! # inplay-engine
//!
//! The pricing and live-event engine of inplay, in plain Rust: no I/O, no clock reads, no host
//! dependency. Time is always a parameter (`clock_ms`, `now_ms`), and every transcendental function
//! goes through `libm`, so a native build, Node and a browser compute the same prices bit for bit.
//! The engine never panics on input: bad parameters come back as typed errors with stable codes.
//!
//! - [`market`]: sport-agnostic vocabulary (markets, selections, lines, line outcomes).
//! - [`money`]: exact money: prices in integer hundredths, payouts in integer minor units.
//! - [`football`]: the football model, pre-match and in-play.
//! - [`tennis`]: the tennis model: a hierarchical Markov chain of points, solved exactly from any score.
//! - [`live`]: one match live: feed validation, suspensions, snapshots/deltas, bets, settlement, audit.
//! - [`odds`]: margins (five methods), odds formats and the Betfair price ladder.
//! - [`pricing`]: offered prices: a target overround per market, rounded down the ladder.
//! - [`decimal`]: exact decimal text for prices and lines, without core's float parser/printer.
//! - [`sim`]: seeded match simulator drawing from the model itself.
//! - [`signing`]: feed signatures and user tokens (HMAC-SHA-256), shared by the Worker and the tools.
#![deny(missing_docs)]

pub mod decimal;
pub mod football;
pub mod live;
pub mod market;
pub mod money;
pub mod odds;
pub mod pricing;
pub mod signing;
pub mod sim;
pub mod tennis;
