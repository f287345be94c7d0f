//! Arbitrary bytes as the stream a client receives: a snapshot, a delta, or (split at a length
//! prefix) a snapshot followed by a delta. Whatever decodes is applied to a client mirror (of the
//! football match and of the tennis match), which
//! then prices, lists statuses and checks a bet as a browser would. A delta's bytes are read
//! against the version the mirror holds: applied, it makes that epoch's next seq at that version's
//! time plus its offset; refused, it changes nothing.
#![no_main]

use inplay_engine::live::{
    BetRequest, LiveView, OddsPolicy, Price, RelativeDelta, Snapshot, Version,
};
use inplay_engine::market::{MarketKey, SelectionKey};
use inplay_engine_fuzz::{NOW, in_play, in_play_tennis};
use libfuzzer_sys::fuzz_target;

/// Prices (through the statuses and the bet check, at two instants) and re-encodes.
fn exercise(view: &LiveView) {
    let _ = view.market_statuses(NOW);
    for (market, selection) in [
        (MarketKey::MatchResult, SelectionKey::Home),
        (MarketKey::GameWinner, SelectionKey::A),
    ] {
        let req = BetRequest {
            bet_id: "b".into(),
            user_id: "u".into(),
            market,
            selection,
            stake: 1_000,
            price: Price::from_hundredths(200).expect("2.0 is a price"),
            seen_version: view.version(),
            policy: OddsPolicy::Any,
        };
        let _ = view.check_bet(&req, u64::MAX);
    }
    let bytes = view.snapshot().to_bytes();
    let again = Snapshot::from_bytes(&bytes).expect("an encoded snapshot decodes");
    assert_eq!(again.to_bytes(), bytes, "snapshot form is not stable");
}

fn apply(view: &mut LiveView, delta: &[u8]) {
    let before = view.snapshot().to_bytes();
    let held = view.stamp();
    match view.apply_delta_bytes(delta) {
        Ok(v) => {
            let d = RelativeDelta::from_bytes(delta).expect("an applied delta decodes");
            let next = Version {
                epoch: held.version.epoch,
                seq: d.seq,
            };
            assert_eq!(v, next, "a delta made another version than the next");
            assert_eq!(held.version.seq.checked_add(1), Some(d.seq));
            assert_eq!(
                view.stamp().at_ms,
                held.at_ms.wrapping_add(d.offset_ms as u64),
                "a delta's time is not its offset from the version it follows"
            );
        }
        Err(_) => assert_eq!(
            view.snapshot().to_bytes(),
            before,
            "a refused delta changed the view"
        ),
    }
    exercise(view);
}

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = Snapshot::from_bytes(data) {
        exercise(&LiveView::new(s));
    }
    if let Ok(d) = RelativeDelta::from_bytes(data) {
        // Onto each match's live mirror, and onto its snapshot just before the delta's seq if it
        // has one.
        for base in [in_play(), in_play_tennis()] {
            apply(&mut base.view.clone(), data);
            let prev = d.seq.checked_sub(1).and_then(|k| usize::try_from(k).ok());
            if let Some(s) = prev.and_then(|k| base.snapshots.get(k)) {
                apply(&mut LiveView::new(s.clone()), data);
            }
        }
    }
    if let [a, b, rest @ ..] = data {
        let split = usize::from(u16::from_le_bytes([*a, *b])).min(rest.len());
        let (snap, delta) = rest.split_at(split);
        if let Ok(s) = Snapshot::from_bytes(snap) {
            apply(&mut LiveView::new(s), delta);
        }
    }
});
