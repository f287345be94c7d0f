//! # inplay-protocol: what crosses a boundary at the edge
//!
//! One typed protocol for every host: the Worker, the `EventHub` and `RegionRelay` Durable Objects,
//! the `inplay` tools and the tests. It holds no logic beyond encoding and the rules that define
//! identifiers; the engine decides, the edge routes.
//!
//! - [`error`]: the one list of error codes, each with its HTTP status.
//! - [`ids`]: match ids, bet ids derived from a bettor's idempotency key, relay names.
//! - [`feed`]: a signed feed batch as the hub takes it, and the per-event answer.
//! - [`bets`]: a bet as the public API takes it, bet calls and batches, and their answers.
//! - [`hub`]: every call a hub answers ([`hub::HubCall`]) and its answers.
//! - [`relay`]: hub → relay updates and syncs, relay acknowledgements.
//! - [`socket`]: socket frames (binary and JSON) and what a client may send on its socket.
//! - [`catalog`]: the list of matches and the counters hubs report.
//! - [`desk`]: the trading desk's view of a match, with alerts.
//! - [`metrics`]: Prometheus counters as objects hand them over.
//!
//! Between Durable Objects everything is postcard ([`encode`], [`decode`]); JSON appears only at the
//! public API and on `?format=json` sockets.
#![deny(missing_docs)]

pub mod bets;
pub mod catalog;
pub mod desk;
pub mod error;
pub mod feed;
pub mod hub;
pub mod ids;
pub mod metrics;
pub mod relay;
pub mod socket;

pub use error::{ApiError, ErrorCode};

/// Encodes a message for another object (postcard).
pub fn encode<T: serde::Serialize>(value: &T) -> Vec<u8> {
    // Serialising our own types into a Vec cannot fail (no maps with non-string keys, no I/O).
    postcard::to_allocvec(value).unwrap_or_default()
}

/// Decodes a message from another object; a message that does not decode is a bad request.
pub fn decode<'a, T: serde::Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, ApiError> {
    postcard::from_bytes(bytes)
        .map_err(|_| ApiError::new(ErrorCode::InvalidBody, "message does not decode"))
}
