//! # inplay-engine
//!
//! The pricing and live-event engine of inplay, in plain Rust: no I/O, no clock reads, no host
//! dependency. Time is always a parameter (`clock_ms`, `now_ms`), and every transcendental function
//! goes through `libm`, so a native build, Node and a browser compute the same prices bit for bit.
//! The engine never panics on input: bad parameters come back as typed errors with stable codes.
//!
//! - [`market`]: sport-agnostic vocabulary (markets, selections, lines, line outcomes).
//! - [`football`]: the football model, pre-match and in-play.
//! - [`odds`]: margins (five methods), odds formats and the Betfair price ladder.
#![deny(missing_docs)]

pub mod football;
pub mod market;
pub mod odds;
