//! A bettor's socket: the frames a relay writes and the messages a client may send.
//!
//! # Frames
//! Binary (default): the engine's [`Frame`] codec (one kind byte, then postcard: 1 snapshot,
//! 2 delta, 3 heartbeat, 4 bet decision, 5 bet refused before the engine), built here around bytes
//! the sender already encoded. JSON (`?format=json`):
//! `{"type":"snapshot","region","shard","server_ms","version","snapshot"}`,
//! `{"type":"delta","version","delta"}`, `{"type":"heartbeat","server_ms","version"}`,
//! `{"type":"bet","decision"}`, `{"type":"bet_error","bet_id","key","error":{"code","message"}}`.
//!
//! # Client messages
//! Text frames: `{"type":"bet","key":"<idempotency key>","bet":{…bet body…}}` on a socket opened
//! with a token places a bet (the same bet as `POST …/bets` with that `Idempotency-Key`); anything
//! else is a ping, answered with a heartbeat carrying the head version.

use inplay_engine::live::{BetRefusal, Frame, Version, frame_kind};
use serde::{Deserialize, Serialize};

use crate::bets::BetBody;
use crate::error::ApiError;
use crate::relay::{DecisionRecord, DeltaRecord, SnapshotRecord};

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

/// A bet refused before the engine, for the client that sent it under `key`.
pub fn bet_error(bet_id: Option<&str>, key: &str, e: &ApiError) -> BetRefusal {
    BetRefusal {
        bet_id: bet_id.map(String::from),
        key: key
            .chars()
            .take(crate::ids::MAX_IDEMPOTENCY_KEY_LEN)
            .collect(),
        code: e.code.as_str().to_string(),
        message: e.message.clone(),
    }
}

/// Bet-refused frame, binary.
pub fn bet_error_bin(r: &BetRefusal) -> Vec<u8> {
    Frame::BetError(r.clone()).encode()
}

#[derive(Serialize)]
struct BetErrorJson<'a> {
    r#type: &'static str,
    bet_id: Option<&'a str>,
    key: &'a str,
    error: ErrorJson<'a>,
}

#[derive(Serialize)]
struct ErrorJson<'a> {
    code: &'a str,
    message: &'a str,
}

/// Bet-refused frame, JSON.
pub fn bet_error_json(r: &BetRefusal) -> String {
    serde_json::to_string(&BetErrorJson {
        r#type: "bet_error",
        bet_id: r.bet_id.as_deref(),
        key: &r.key,
        error: ErrorJson {
            code: &r.code,
            message: &r.message,
        },
    })
    .unwrap_or_default()
}

/// What a client may send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// Place a bet under an idempotency key.
    Bet {
        /// The idempotency key.
        key: String,
        /// The bet.
        bet: BetBody,
    },
}

/// A text frame from a client: a bet, a bet that does not parse (with the key when it had one,
/// so the refusal can name it), or anything else (a ping).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// A well-formed bet message.
    Bet {
        /// The idempotency key.
        key: String,
        /// The bet.
        bet: BetBody,
    },
    /// `{"type":"bet",…}` that is not a bet.
    BadBet {
        /// Its key, if it had a string one.
        key: String,
        /// What is wrong.
        error: ApiError,
    },
    /// Anything else: answered with a heartbeat.
    Ping,
}

#[derive(Deserialize)]
struct Peek<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<std::borrow::Cow<'a, str>>,
    #[serde(default, borrow)]
    key: Option<std::borrow::Cow<'a, str>>,
}

impl Incoming {
    /// Reads a client's text frame.
    pub fn parse(text: &str) -> Incoming {
        match serde_json::from_str::<ClientMessage>(text) {
            Ok(ClientMessage::Bet { key, bet }) => Incoming::Bet { key, bet },
            Err(e) => match serde_json::from_str::<Peek>(text) {
                Ok(Peek {
                    kind: Some(kind),
                    key,
                }) if kind == "bet" => Incoming::BadBet {
                    key: key.map(|k| k.into_owned()).unwrap_or_default(),
                    error: ApiError::new(
                        crate::ErrorCode::InvalidBet,
                        format!("invalid bet message: {e}"),
                    ),
                },
                _ => Incoming::Ping,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

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
    }

    #[test]
    fn bet_errors_decode_with_the_engine_codec_and_read_as_json() {
        let r = bet_error(
            Some("m1.0123456789abcdef"),
            "k1",
            &ApiError::new(ErrorCode::RateLimited, "slow down"),
        );
        assert_eq!(
            Frame::decode(&bet_error_bin(&r)).unwrap(),
            Frame::BetError(r.clone())
        );
        let j: serde_json::Value = serde_json::from_str(&bet_error_json(&r)).unwrap();
        assert_eq!(j["type"], "bet_error");
        assert_eq!(j["error"]["code"], "rate_limited");
        assert_eq!(j["key"], "k1");
    }

    #[test]
    fn client_messages_are_bets_bad_bets_or_pings() {
        let ok = r#"{"type":"bet","key":"k1","bet":{"market":"1x2","selection":"home","stake":100,"price":2.5,"seen_version":{"epoch":1,"seq":3},"policy":"any"}}"#;
        assert!(matches!(Incoming::parse(ok), Incoming::Bet { ref key, .. } if key == "k1"));
        let bad = r#"{"type":"bet","key":"k2","bet":{"market":"1x2"}}"#;
        assert!(matches!(Incoming::parse(bad), Incoming::BadBet { ref key, .. } if key == "k2"));
        assert!(matches!(
            Incoming::parse(r#"{"type":"bet"}"#),
            Incoming::BadBet { ref key, .. } if key.is_empty()
        ));
        for ping in ["", "ping", "{}", r#"{"type":"hello"}"#, "[1,2]", "\u{0}"] {
            assert_eq!(Incoming::parse(ping), Incoming::Ping, "{ping:?}");
        }
    }
}
