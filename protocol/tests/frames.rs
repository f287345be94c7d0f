//! The frames relays write (`inplay_protocol::socket`, around bytes the hub encoded once) must
//! decode with the engine's `Frame` codec, which every client (browser, CLI) uses: same kind bytes,
//! same postcard layout.

use inplay_engine::football::FootballParams;
use inplay_engine::live::{Fixture, Frame, Input, LiveConfig, LiveEvent, Opening, TradingTerms};
use inplay_protocol::relay::{DecisionRecord, DeltaRecord, SnapshotRecord};
use inplay_protocol::socket as wire;

const T0: u64 = 1_764_240_000_000;

fn live() -> LiveEvent {
    let opening = Opening {
        event_id: "m1".into(),
        fixture: Fixture {
            home: "Arsenal".into(),
            away: "Chelsea".into(),
            kickoff_ms: T0,
        },
        params: FootballParams::new(1.6, 1.1).into(),
        trading: TradingTerms::default(),
        config: LiveConfig::default(),
        epoch: 7,
    };
    LiveEvent::new(opening, T0).expect("opening").0
}

#[test]
fn edge_frames_decode_with_the_engine_codec() {
    let mut ev = live();
    let snap = ev.snapshot();
    let rec = SnapshotRecord::of(&snap);
    match Frame::decode(&wire::snapshot_bin(&rec, "weur", 3, T0)).expect("snapshot frame") {
        Frame::Snapshot {
            region,
            shard,
            server_ms,
            snapshot,
        } => {
            assert_eq!((region.as_str(), shard, server_ms), ("weur", 3, T0));
            assert_eq!(*snapshot, snap);
        }
        other => panic!("{other:?}"),
    }

    let out = ev.apply(Input::Suspend { market: None }, T0 + 1000);
    let delta = out.delta.expect("a manual suspension changes the image");
    let rec = DeltaRecord::of(&delta);
    let Frame::Delta(relative) = Frame::decode(&wire::delta_bin(&rec)).expect("delta frame") else {
        panic!("a delta frame");
    };
    // Read against the snapshot before it, exactly the delta the hub made.
    assert_eq!(relative.resolve(snap.stamp()), Ok(delta.clone()));
    // The JSON frame carries the engine's own JSON.
    let j: serde_json::Value = serde_json::from_str(&wire::delta_json(&rec)).unwrap();
    assert_eq!(j["delta"], serde_json::to_value(&delta).unwrap());

    let head = ev.version();
    match Frame::decode(&wire::heartbeat_bin(head, T0 + 5)).expect("heartbeat frame") {
        Frame::Heartbeat { server_ms, version } => {
            assert_eq!(server_ms, T0 + 5);
            assert_eq!(version, head);
        }
        other => panic!("{other:?}"),
    }

    let bet: inplay_engine::live::BetRequest = serde_json::from_value(serde_json::json!({
        "bet_id": "m1.0000000000000000", "user_id": "u1", "market": "1x2", "selection": "home",
        "stake": 1000, "price": 2.0, "seen_version": { "epoch": 7, "seq": head.seq }, "policy": "any"
    }))
    .unwrap();
    let decision = ev.apply(Input::Bet(bet), T0 + 2000).decisions.remove(0);
    let rec = DecisionRecord::of(&decision, None);
    assert_eq!(
        Frame::decode(&wire::bet_bin(&rec)).expect("bet frame"),
        Frame::Bet(decision)
    );
}
