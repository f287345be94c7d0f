//! Arbitrary bytes as a provider's feed message: JSON (one event, or a batch array) and the
//! binary form. Whatever decodes is re-encoded and applied to the in-play football match and to
//! the tennis match, at the edge's clock and at the message's own timestamp.
#![no_main]

use inplay_engine::live::{FeedEvent, Input};
use inplay_engine_fuzz::{NOW, apply_checked, in_play, in_play_tennis};
use libfuzzer_sys::fuzz_target;

fn apply(messages: &[FeedEvent]) {
    for (base, at_own_ts) in [in_play(), in_play_tennis()]
        .into_iter()
        .flat_map(|b| [(b, false), (b, true)])
    {
        let (mut event, mut view) = (base.event.clone(), base.view.clone());
        let mut now = NOW;
        for m in messages {
            if at_own_ts {
                now = m.ts;
            }
            apply_checked(&mut event, &mut view, Input::Feed(m.clone()), now);
            now = now.saturating_add(1_000);
            apply_checked(&mut event, &mut view, Input::Tick, now);
        }
    }
}

/// What decodes re-encodes to a message that decodes to the same thing. (Floats are left out of
/// the JSON check: serde_json without `float_roundtrip` may parse a long mantissa one ulp off.)
fn round_trip(m: &FeedEvent) {
    let key = |m: &FeedEvent| {
        (
            m.event_id.clone(),
            m.source,
            m.seq,
            m.ts,
            m.clock_ms,
            m.kind.name(),
            m.kind.team(),
        )
    };
    if let Ok(again) = FeedEvent::from_json(m.to_json().as_bytes()) {
        assert_eq!(key(&again), key(m), "JSON form does not round-trip");
    }
    let bytes = m.to_bytes();
    let again = FeedEvent::from_bytes(&bytes).expect("binary form decodes");
    assert_eq!(again.to_bytes(), bytes, "binary form is not stable");
}

fuzz_target!(|data: &[u8]| {
    let mut messages = Vec::new();
    if let Ok(m) = FeedEvent::from_json(data) {
        messages.push(m);
    } else if let Ok(serde_json::Value::Array(batch)) = serde_json::from_slice(data) {
        messages.extend(
            batch
                .into_iter()
                .take(16)
                .filter_map(|v| FeedEvent::from_json_value(v).ok()),
        );
    }
    if let Ok(m) = FeedEvent::from_bytes(data) {
        messages.push(m);
    }
    for m in &messages {
        round_trip(m);
    }
    apply(&messages);
});
