//! Frames on a bettor's socket: one kind byte, then postcard.
//!
//! | kind | frame | postcard payload |
//! |---|---|---|
//! | 1 | snapshot | region (string), shard (u32), server time (u64 ms), then the [`Snapshot`] |
//! | 2 | delta | the [`Delta`]'s binary form: seq, time offset, ops ([`RelativeDelta`]) |
//! | 3 | heartbeat | server time (u64 ms), epoch (u32), seq (u64) |
//! | 4 | bet | the socket owner's [`BetDecision`] |
//! | 5 | bet error | a [`BetRefusal`]: the socket owner's bet refused before it reached the engine |
//!
//! The edge writes these and every client reads them with the same code. A delta frame is read
//! against the version the client holds ([`RelativeDelta::resolve`]): its epoch is the last
//! snapshot's, and its time an offset from that version's.

use serde::{Deserialize, Serialize};

use super::bet::BetDecision;
use super::image::{RelativeDelta, Snapshot, StreamError, Version};

/// Frame kind bytes.
pub mod kind {
    /// Full state.
    pub const SNAPSHOT: u8 = 1;
    /// One version step.
    pub const DELTA: u8 = 2;
    /// Liveness with the relay's head version.
    pub const HEARTBEAT: u8 = 3;
    /// One of the socket owner's bet decisions.
    pub const BET: u8 = 4;
    /// One of the socket owner's bets refused before the engine saw it.
    pub const BET_ERROR: u8 = 5;
}

/// A bet sent on a socket and refused before it reached the engine (no token, a bad key, the rate
/// limit, an overloaded relay, ...): the same refusal the HTTP route answers with its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BetRefusal {
    /// The bet id the key derives, when the relay got that far.
    pub bet_id: Option<String>,
    /// The bettor's idempotency key, so the client knows which bet this answers.
    pub key: String,
    /// Stable code (the edge's error codes, e.g. `rate_limited`).
    pub code: String,
    /// For people.
    pub message: String,
}

/// A decoded socket frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frame {
    /// The full image, with where it was served from.
    Snapshot {
        /// Region of the relay that served it.
        region: String,
        /// Relay shard within the region.
        shard: u32,
        /// Server wall time (ms) when sent.
        server_ms: u64,
        /// The image.
        snapshot: Box<Snapshot>,
    },
    /// The next version step, as the frame carries it (resolve it against the version held).
    Delta(RelativeDelta),
    /// Liveness.
    Heartbeat {
        /// Server wall time (ms).
        server_ms: u64,
        /// Relay's head version.
        version: Version,
    },
    /// A bet decision for this socket's user.
    Bet(BetDecision),
    /// A bet of this socket's user refused before the engine.
    BetError(BetRefusal),
}

#[derive(Serialize)]
struct SnapshotFrame {
    region: String,
    shard: u32,
    server_ms: u64,
    snapshot: Snapshot,
}

#[derive(Serialize, Deserialize)]
struct HeartbeatFrame {
    server_ms: u64,
    epoch: u32,
    seq: u64,
}

impl Frame {
    /// Decodes a binary frame.
    pub fn decode(bytes: &[u8]) -> Result<Frame, StreamError> {
        let (&k, body) = bytes
            .split_first()
            .ok_or(StreamError::Malformed("empty frame"))?;
        let bad = |what| move |_| StreamError::Malformed(what);
        Ok(match k {
            kind::SNAPSHOT => {
                let ((region, shard, server_ms), snapshot) =
                    postcard::take_from_bytes::<(String, u32, u64)>(body)
                        .map_err(bad("snapshot frame"))?;
                // The snapshot as `Snapshot::from_bytes` reads it, its sport checked first.
                let snapshot = Snapshot::from_bytes(snapshot).map_err(|e| match e {
                    StreamError::Malformed(_) => StreamError::Malformed("snapshot frame"),
                    other => other,
                })?;
                Frame::Snapshot {
                    region,
                    shard,
                    server_ms,
                    snapshot: Box::new(snapshot),
                }
            }
            kind::DELTA => {
                let d = RelativeDelta::from_bytes(body);
                Frame::Delta(d.map_err(|_| StreamError::Malformed("delta frame"))?)
            }
            kind::HEARTBEAT => {
                let h: HeartbeatFrame =
                    postcard::from_bytes(body).map_err(bad("heartbeat frame"))?;
                Frame::Heartbeat {
                    server_ms: h.server_ms,
                    version: Version {
                        epoch: h.epoch,
                        seq: h.seq,
                    },
                }
            }
            kind::BET => Frame::Bet(postcard::from_bytes(body).map_err(bad("bet frame"))?),
            kind::BET_ERROR => {
                Frame::BetError(postcard::from_bytes(body).map_err(bad("bet error frame"))?)
            }
            _ => return Err(StreamError::Malformed("unknown frame kind")),
        })
    }

    /// Encodes a binary frame.
    pub fn encode(&self) -> Vec<u8> {
        let (k, body) = match self {
            Frame::Snapshot {
                region,
                shard,
                server_ms,
                snapshot,
            } => {
                let f = SnapshotFrame {
                    region: region.clone(),
                    shard: *shard,
                    server_ms: *server_ms,
                    snapshot: (**snapshot).clone(),
                };
                (kind::SNAPSHOT, postcard::to_allocvec(&f))
            }
            Frame::Delta(d) => (kind::DELTA, Ok(d.to_bytes())),
            Frame::Heartbeat { server_ms, version } => {
                let h = HeartbeatFrame {
                    server_ms: *server_ms,
                    epoch: version.epoch,
                    seq: version.seq,
                };
                (kind::HEARTBEAT, postcard::to_allocvec(&h))
            }
            Frame::Bet(b) => (kind::BET, postcard::to_allocvec(b)),
            Frame::BetError(e) => (kind::BET_ERROR, postcard::to_allocvec(e)),
        };
        let body = body.unwrap_or_default();
        let mut out = Vec::with_capacity(1 + body.len());
        out.push(k);
        out.extend_from_slice(&body);
        out
    }

    /// Frame bytes for a snapshot whose postcard bytes are already encoded (the edge encodes once
    /// per update and copies the bytes into every frame).
    pub fn snapshot_bytes(
        region: &str,
        shard: u32,
        server_ms: u64,
        snapshot_postcard: &[u8],
    ) -> Vec<u8> {
        let head = postcard::to_allocvec(&(region, shard, server_ms)).unwrap_or_default();
        let mut out = Vec::with_capacity(1 + head.len() + snapshot_postcard.len());
        out.push(kind::SNAPSHOT);
        out.extend_from_slice(&head);
        out.extend_from_slice(snapshot_postcard);
        out
    }

    /// The encoded snapshot or delta inside a snapshot or delta frame (what `Snapshot::from_bytes` /
    /// `Delta::decode` read), as a slice of `bytes`: a client hands it to its live view
    /// without re-encoding. `None` for other kinds and for a snapshot frame whose head is malformed.
    pub fn payload(bytes: &[u8]) -> Option<&[u8]> {
        match bytes.split_first()? {
            (&kind::DELTA, body) => Some(body),
            (&kind::SNAPSHOT, body) => postcard::take_from_bytes::<(&str, u32, u64)>(body)
                .ok()
                .map(|(_, snapshot)| snapshot),
            _ => None,
        }
    }

    /// Frame bytes for an already-encoded delta, bet decision or other payload of kind `k`.
    pub fn with_payload(k: u8, postcard_payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + postcard_payload.len());
        out.push(k);
        out.extend_from_slice(postcard_payload);
        out
    }
}
