//! Bettors' socket frames for JS: [`Frame::decode`] (the engine's codec, shared with the edge), with the
//! result converted to a plain object tagged by `kind`.
//!
//! Snapshot and delta frames also carry `bytes`, the engine's own encoding of the snapshot or delta,
//! ready for `LiveEvent.fromSnapshot` / `applyDelta`: a client decodes each frame once to read it and
//! hands the same value to its live event, without knowing the frame layout.

use inplay_engine::live::{BetDecision, BetRefusal, Frame, RelativeDelta, Snapshot, Version};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{bytes, error, to_js};

/// The JS shape of a frame: `{kind: "snapshot" | "delta" | "heartbeat" | "bet" | "bet_error", ...}`.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum FrameObject<'a> {
    Snapshot {
        region: &'a str,
        shard: u32,
        server_ms: u64,
        snapshot: &'a Snapshot,
    },
    /// What the frame carries: the seq, the time offset and the ops (`applyDelta` reads them
    /// against the version held).
    Delta {
        delta: &'a RelativeDelta,
    },
    Heartbeat {
        server_ms: u64,
        version: Version,
    },
    Bet {
        decision: &'a BetDecision,
    },
    /// A bet refused before the engine: `{kind: "bet_error", bet_id, key, error: {code, message}}`,
    /// the same shape as the JSON socket's `bet_error` frame.
    BetError {
        bet_id: Option<&'a str>,
        key: &'a str,
        error: RefusalObject<'a>,
    },
}

#[derive(Serialize)]
struct RefusalObject<'a> {
    code: &'a str,
    message: &'a str,
}

fn refusal(r: &BetRefusal) -> FrameObject<'_> {
    FrameObject::BetError {
        bet_id: r.bet_id.as_deref(),
        key: &r.key,
        error: RefusalObject {
            code: &r.code,
            message: &r.message,
        },
    }
}

/// Decodes one binary socket frame (kind byte + postcard) into `{kind, ...}`; snapshot and delta
/// frames also carry `bytes` for the live event.
#[wasm_bindgen(js_name = decodeFrame)]
pub fn decode_frame(frame: JsValue) -> Result<JsValue, JsValue> {
    let raw = bytes(&frame, "frame")?;
    let frame = Frame::decode(&raw).map_err(|e| error(e.code(), &e.to_string()))?;
    // The snapshot's or delta's own encoding is a slice of the frame: no re-encoding.
    let payload = Frame::payload(&raw);
    let object = match &frame {
        Frame::Snapshot {
            region,
            shard,
            server_ms,
            snapshot,
        } => FrameObject::Snapshot {
            region,
            shard: *shard,
            server_ms: *server_ms,
            snapshot,
        },
        Frame::Delta(delta) => FrameObject::Delta { delta },
        Frame::Heartbeat { server_ms, version } => FrameObject::Heartbeat {
            server_ms: *server_ms,
            version: *version,
        },
        Frame::Bet(decision) => FrameObject::Bet { decision },
        Frame::BetError(r) => refusal(r),
    };
    let value = to_js(&object)?;
    if let Some(payload) = payload {
        // `value` is a fresh plain object: setting a property on it cannot fail.
        let _ = js_sys::Reflect::set(
            &value,
            &JsValue::from_str("bytes"),
            &js_sys::Uint8Array::from(payload),
        );
    }
    Ok(value)
}
