//! What travels between the hub, the relays and the bettors' sockets.
//!
//! The hub encodes each engine value once, in both forms (postcard bytes and JSON text), and relays
//! only copy bytes into frames: a relay never re-encodes per socket, and never needs to understand a
//! delta to forward it.
//!
//! # Socket frames
//! Binary (default): the engine's [`Frame`] format (one kind byte, then postcard; see
//! `engine/src/live/frame.rs`), built here around bytes the hub already encoded.
//!
//! JSON (`?format=json`): `{"type":"snapshot","region":"weur","shard":0,"server_ms":…,"version":{"epoch":1,"seq":7},"snapshot":{…}}`,
//! `{"type":"delta","version":{…},"delta":{…}}`, `{"type":"heartbeat","server_ms":…,"version":{…}}`,
//! `{"type":"bet","decision":{…}}`.

use serde::{Deserialize, Serialize};

use inplay_engine::live::{Frame, frame_kind};

/// A state version `(epoch, seq)`: the engine's own; `"epoch:seq"` parses with `str::parse`.
pub use inplay_engine::live::Version;

/// A snapshot, encoded both ways.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotRecord {
    /// Its version.
    pub version: Version,
    /// Engine postcard bytes.
    pub bin: Vec<u8>,
    /// Engine JSON.
    pub json: String,
}

/// A delta, encoded both ways.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeltaRecord {
    /// The version it produces.
    pub version: Version,
    /// Engine postcard bytes.
    pub bin: Vec<u8>,
    /// Engine JSON.
    pub json: String,
}

/// A bet decision for one user, encoded both ways.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionRecord {
    /// The only relay that needs it (the one the bet came through), or every relay.
    pub relay: Option<String>,
    /// Whose bet.
    pub user_id: String,
    /// Engine postcard bytes.
    pub bin: Vec<u8>,
    /// Engine JSON.
    pub json: String,
}

/// The one message a hub sends each relay per update.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RelayUpdate {
    /// New deltas, in version order.
    pub deltas: Vec<DeltaRecord>,
    /// A fresh snapshot at the last delta's version, now and then, so relays can serve joins
    /// without replaying a long ring.
    pub checkpoint: Option<SnapshotRecord>,
    /// Bet decisions, for the sockets of their owners.
    pub decisions: Vec<DecisionRecord>,
    /// Hub clock when sent (ms), for delivery-latency figures.
    pub sent_ms: u64,
}

/// A relay's answer to an update: what the hub reports in `/metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct RelayAck {
    /// Sockets open on the relay now.
    pub sockets: u32,
    /// Updates this relay instance has received from the hub.
    pub updates_received: u64,
    /// Frames written to sockets for this update.
    pub frames_sent: u64,
}

fn version_json(v: Version) -> String {
    format!(r#"{{"epoch":{},"seq":{}}}"#, v.epoch, v.seq)
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| String::from("\"\""))
}

/// Snapshot frame, binary: the engine's frame around the already-encoded snapshot.
pub fn snapshot_bin(s: &SnapshotRecord, region: &str, shard: u32, server_ms: u64) -> Vec<u8> {
    Frame::snapshot_bytes(region, shard, server_ms, &s.bin)
}

/// Snapshot frame, JSON.
pub fn snapshot_json(s: &SnapshotRecord, region: &str, shard: u32, server_ms: u64) -> String {
    format!(
        r#"{{"type":"snapshot","region":{},"shard":{shard},"server_ms":{server_ms},"version":{},"snapshot":{}}}"#,
        json_str(region),
        version_json(s.version),
        s.json
    )
}

/// Delta frame, binary.
pub fn delta_bin(d: &DeltaRecord) -> Vec<u8> {
    Frame::with_payload(frame_kind::DELTA, &d.bin)
}

/// Delta frame, JSON.
pub fn delta_json(d: &DeltaRecord) -> String {
    format!(
        r#"{{"type":"delta","version":{},"delta":{}}}"#,
        version_json(d.version),
        d.json
    )
}

/// Heartbeat frame, binary.
pub fn heartbeat_bin(head: Version, server_ms: u64) -> Vec<u8> {
    Frame::Heartbeat {
        server_ms,
        version: head,
    }
    .encode()
}

/// Heartbeat frame, JSON.
pub fn heartbeat_json(head: Version, server_ms: u64) -> String {
    format!(
        r#"{{"type":"heartbeat","server_ms":{server_ms},"version":{}}}"#,
        version_json(head)
    )
}

/// Bet decision frame, binary.
pub fn bet_bin(d: &DecisionRecord) -> Vec<u8> {
    Frame::with_payload(frame_kind::BET, &d.bin)
}

/// Bet decision frame, JSON.
pub fn bet_json(d: &DecisionRecord) -> String {
    format!(r#"{{"type":"bet","decision":{}}}"#, d.json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_carry_kind_and_payload() {
        let d = DeltaRecord {
            version: Version { epoch: 1, seq: 2 },
            bin: vec![9, 9],
            json: "{\"x\":1}".into(),
        };
        assert_eq!(delta_bin(&d), vec![frame_kind::DELTA, 9, 9]);
        let j: serde_json::Value = serde_json::from_str(&delta_json(&d)).unwrap();
        assert_eq!(j["type"], "delta");
        assert_eq!(j["version"]["seq"], 2);
        assert_eq!(j["delta"]["x"], 1);
        let s = SnapshotRecord {
            version: Version { epoch: 1, seq: 2 },
            bin: vec![7],
            json: "{}".into(),
        };
        let b = snapshot_bin(&s, "weur", 1, 5);
        assert_eq!(b[0], frame_kind::SNAPSHOT);
        assert_eq!(*b.last().unwrap(), 7);
        let j: serde_json::Value = serde_json::from_str(&snapshot_json(&s, "weur", 1, 5)).unwrap();
        assert_eq!(j["region"], "weur");
        let j: serde_json::Value =
            serde_json::from_str(&heartbeat_json(Version { epoch: 3, seq: 4 }, 10)).unwrap();
        assert_eq!(j["version"]["epoch"], 3);
        assert_eq!("3:17".parse(), Ok(Version { epoch: 3, seq: 17 }));
        assert!("3-17".parse::<Version>().is_err());
    }
}
