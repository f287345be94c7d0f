//! Arbitrary bytes as a bettor's request (JSON, as the edge receives it). Whatever decodes is
//! checked by a client mirror and placed on the in-play match (football, and tennis), placed again
//! (idempotency), then time runs past the bet delay and the match is abandoned or reaches
//! half-time (tennis: a retirement), settling bets.
#![no_main]

use inplay_engine::live::{BetRequest, FeedEvent, FeedKind, Input, Source};
use inplay_engine::tennis::Player;
use inplay_engine_fuzz::{InPlay, NOW, apply_checked, in_play, in_play_tennis};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(req) = serde_json::from_slice::<BetRequest>(data) else {
        return;
    };
    place(in_play(), &req, data.len() % 2 == 0);
    place(in_play_tennis(), &req, data.len() % 2 == 0);
});

fn place(base: &InPlay, req: &BetRequest, abandon: bool) {
    let req = req.clone();
    let _ = base.view.check_bet(&req, NOW);
    let (mut event, mut view) = (base.event.clone(), base.view.clone());
    apply_checked(&mut event, &mut view, Input::Bet(req.clone()), NOW);
    // The same id again gets the first decision back.
    let first = event.bet(&req.bet_id).cloned();
    apply_checked(&mut event, &mut view, Input::Bet(req.clone()), NOW + 1);
    assert_eq!(event.bet(&req.bet_id), first.as_ref(), "idempotency broken");
    // Past the delay, then abandoned (every bet void) or half-time (first-half markets settle).
    let later = NOW + 10_000;
    apply_checked(&mut event, &mut view, Input::Tick, later);
    let kind = match (abandon, event.image().tennis().is_some()) {
        (true, _) => FeedKind::Abandoned,
        (false, false) => FeedKind::PeriodEnd { period: 1 },
        (false, true) => FeedKind::Retirement { player: Player::B },
    };
    let end = FeedEvent {
        event_id: "m1".into(),
        source: Source::Primary,
        seq: 1_000_000,
        ts: later,
        clock_ms: Some(event.image().clock.clock_at(later)),
        kind,
    };
    // A gap in seqs: held, then applied when the gap times out.
    apply_checked(&mut event, &mut view, Input::Feed(end), later);
    apply_checked(&mut event, &mut view, Input::Tick, later + 60_000);
    // (An id the match already knows settles that earlier bet, with its own stake.)
    let placed_now = base.event.bet(&req.bet_id).is_none();
    if let Some(s) = event.settlement(&req.bet_id).filter(|_| placed_now) {
        assert!(
            s.payout <= req.stake.saturating_mul(1_001),
            "payout above 1000x stake"
        );
    }
}
