//! The hub core natively: storage that never diverges, checkpoints, idempotency, routing of
//! decisions, and a fan-out that heals.

use inplay_engine::football::FootballParams;
use inplay_engine::live::{
    BetStatus, FeedEvent, FeedKind, Fixture, LiveConfig, OddsPolicy, Opening, Price, Source,
    TradingTerms,
};
use inplay_engine::market::{MarketKey, SelectionKey};
use inplay_protocol::ErrorCode;
use inplay_protocol::bets::{BetBatch, BetBody, BetCall};
use inplay_protocol::desk::{DeskView, SportDesk, TennisDesk};
use inplay_protocol::feed::FeedBatch;
use inplay_protocol::ids::{RelayName, bet_id};
use inplay_protocol::relay::RelayAck;

use super::*;

const T0: u64 = 1_764_240_000_000;

fn opening() -> Opening {
    Opening {
        event_id: "m1".into(),
        fixture: Fixture {
            home: "Home".into(),
            away: "Away".into(),
            kickoff_ms: T0,
        },
        params: FootballParams::new(1.5, 1.1).into(),
        trading: TradingTerms::default(),
        config: LiveConfig::default(),
        epoch: 0,
    }
}

/// A hub with a match in play (both sources kicked off at `T0`).
struct Fixture1 {
    hub: HubCore,
    store: MemoryStore,
    now: u64,
    seq: [u64; 2],
    sig: u32,
}

impl Fixture1 {
    fn new(config: HubConfig) -> Fixture1 {
        let mut f = Fixture1 {
            hub: HubCore::new(config),
            store: MemoryStore::default(),
            now: T0 - 1_000,
            seq: [0, 0],
            sig: 0,
        };
        f.hub.open(&mut f.store, opening(), f.now).unwrap();
        f.now = T0;
        f.feed_both(FeedKind::Kickoff);
        f
    }

    fn event(&mut self, source: Source, kind: FeedKind) -> FeedEvent {
        let i = source.index();
        self.seq[i] += 1;
        let clock = self
            .hub
            .live()
            .map_or(0, |l| l.image().clock.clock_at(self.now));
        FeedEvent {
            event_id: "m1".into(),
            source,
            seq: self.seq[i],
            ts: self.now,
            clock_ms: Some(clock),
            kind,
        }
    }

    fn feed_batch(&mut self, events: Vec<FeedEvent>) -> FeedBatch {
        self.sig += 1;
        FeedBatch {
            signature: self.sig.to_be_bytes().to_vec(),
            remember_until_ms: self.now + 30_000,
            events,
        }
    }

    fn feed_both(&mut self, kind: FeedKind) {
        let events = vec![
            self.event(Source::Primary, kind.clone()),
            self.event(Source::Backup, kind),
        ];
        let batch = self.feed_batch(events);
        self.hub.feed(&mut self.store, &batch, self.now).unwrap();
    }

    fn heartbeats(&mut self) {
        self.feed_both(FeedKind::Heartbeat { score: None });
    }

    fn body(&self) -> BetBody {
        let live = self.hub.live().unwrap();
        let price = live
            .prices(self.now)
            .unwrap()
            .selection(MarketKey::MatchResult, SelectionKey::Home)
            .and_then(|s| s.odds)
            .and_then(Price::from_decimal)
            .unwrap();
        BetBody {
            market: MarketKey::MatchResult,
            selection: SelectionKey::Home,
            stake: 1_000,
            price,
            seen_version: live.version(),
            policy: OddsPolicy::Any,
        }
    }

    fn call(&self, user: &str, key: &str) -> BetCall {
        BetCall {
            bet_id: bet_id("m1", user, key),
            user_id: user.into(),
            body: self.body(),
        }
    }

    fn state(&self) -> Vec<u8> {
        self.hub.live().unwrap().checkpoint().to_bytes()
    }
}

fn relay(n: u32) -> RelayName {
    RelayName::leaf("m1", "weur", n)
}

fn ack_head(hub: &HubCore) -> RelayAck {
    RelayAck {
        head: hub.live().map(|l| l.version()),
        ..RelayAck::default()
    }
}

#[test]
fn a_failed_write_leaves_the_engine_as_before_the_batch_and_a_retry_applies_it_once() {
    let mut f = Fixture1::new(HubConfig::default());
    let before = f.state();
    let head = f.hub.live().unwrap().audit_head();
    let batch = BetBatch {
        relay: relay(0),
        bets: (0..5).map(|i| f.call(&format!("u{i}"), "k")).collect(),
    };
    f.store.fail_commits = 1;
    let err = f.hub.bets(&mut f.store, &batch, f.now).unwrap_err();
    assert_eq!(err.code, ErrorCode::StorageUnavailable);
    assert_eq!(err.status(), 503);
    assert_eq!(f.state(), before, "memory is back where storage is");
    assert_eq!(f.hub.live().unwrap().audit_head(), head);
    assert!(f.hub.live().unwrap().bet(&batch.bets[0].bet_id).is_none());
    // Nothing reached the relays either.
    assert!(
        f.hub
            .due(f.now)
            .iter()
            .all(|(_, u, _)| u.decisions.is_empty())
    );
    // The retry is applied once, and the log chains on.
    let answer = f.hub.bets(&mut f.store, &batch, f.now).unwrap();
    assert!(
        answer
            .results
            .iter()
            .all(|r| matches!(r, Ok(p) if !p.replayed))
    );
    let log = f.store.log(0).unwrap();
    inplay_engine::live::LiveEvent::replay(&log).expect("the stored log replays");
    assert_eq!(f.hub.live().unwrap().audit_head(), log.last().unwrap().hash);
}

#[test]
fn the_log_tail_is_the_last_entries_ending_at_the_head() {
    let mut f = Fixture1::new(HubConfig::default());
    for _ in 0..5 {
        let events = vec![f.event(Source::Primary, FeedKind::Heartbeat { score: None })];
        let batch = f.feed_batch(events);
        f.hub.feed(&mut f.store, &batch, f.now).unwrap();
    }
    let all = f.hub.log(&mut f.store, None).unwrap();
    let tail = f.hub.log(&mut f.store, Some(3)).unwrap();
    let lines = |b: &[u8]| {
        String::from_utf8(b.to_vec())
            .unwrap()
            .lines()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let (all_lines, tail_lines) = (lines(&all.ndjson), lines(&tail.ndjson));
    assert_eq!(all_lines.len(), f.store.len());
    assert_eq!(tail_lines, all_lines[all_lines.len() - 3..]);
    assert_eq!(tail.head, all.head);
    // A tail longer than the log is the whole log.
    assert_eq!(
        lines(&f.hub.log(&mut f.store, Some(10_000)).unwrap().ndjson),
        all_lines
    );
}

#[test]
fn checkpoints_grow_apart_with_the_bets_held() {
    assert_eq!(checkpoint_interval(1_000, 0), 1_000);
    assert_eq!(checkpoint_interval(1_000, 8_000), 1_000);
    assert_eq!(checkpoint_interval(1_000, 80_000), 10_000);
}

#[test]
fn a_failed_feed_write_is_not_remembered_as_a_used_signature() {
    let mut f = Fixture1::new(HubConfig::default());
    let events = vec![f.event(Source::Primary, FeedKind::Heartbeat { score: None })];
    let batch = f.feed_batch(events);
    f.store.fail_commits = 1;
    assert!(f.hub.feed(&mut f.store, &batch, f.now).is_err());
    let answer = f.hub.feed(&mut f.store, &batch, f.now).unwrap();
    assert_eq!(answer.results.len(), 1);
    // Now it is used, also after a restart.
    assert_eq!(
        f.hub.feed(&mut f.store, &batch, f.now).unwrap_err().code,
        ErrorCode::SignatureReplayed
    );
    let mut restarted = HubCore::new(HubConfig::default());
    assert_eq!(
        restarted
            .feed(&mut f.store, &batch, f.now)
            .unwrap_err()
            .code,
        ErrorCode::SignatureReplayed
    );
}

#[test]
fn a_restart_loads_the_latest_checkpoint_and_replays_only_the_tail() {
    let config = HubConfig {
        checkpoint_every: 10,
        bet_burst: 1_000,
        ..HubConfig::default()
    };
    let mut f = Fixture1::new(config);
    for i in 0..37 {
        f.now += 100;
        let call = f.call(&format!("u{i}"), "k");
        f.hub.bet(&mut f.store, &call, f.now).unwrap();
        if i % 5 == 0 {
            f.heartbeats();
        }
    }
    let total = f.store.len();
    let cp = f.store.checkpoint().unwrap().clone();
    assert!(
        total as u64 - cp.index < 10,
        "{total} entries, checkpoint at {}",
        cp.index
    );
    let mut restarted = HubCore::new(config);
    assert!(restarted.ensure(&mut f.store).unwrap());
    let report = restarted.last_load.unwrap();
    assert!(report.from_checkpoint);
    assert_eq!(report.replayed, total - cp.index as usize);
    assert_eq!(
        restarted.live().unwrap().checkpoint(),
        f.hub.live().unwrap().checkpoint()
    );
    // A damaged tail entry is refused, not silently skipped.
    let mut bad = f.store.clone();
    let mut stored = bad.load().unwrap();
    if let Some(e) = stored.tail.last_mut() {
        e.now_ms += 1;
    }
    let resumed =
        inplay_engine::live::LiveEvent::resume(stored.checkpoint.as_ref().unwrap(), &stored.tail);
    assert!(resumed.is_err());
    let _ = &mut bad;
}

/// A checkpoint written before checkpoints kept the version's wall time (the hub's state ends
/// without it) is refused by the engine; the hub replays its whole log instead, continues the
/// same stream, and writes a checkpoint of this format when the next one is due.
#[test]
fn a_checkpoint_the_engine_refuses_is_passed_over_for_the_whole_log() {
    use sha2::Digest;
    let config = HubConfig {
        checkpoint_every: 10,
        bet_burst: 1_000,
        ..HubConfig::default()
    };
    let mut f = Fixture1::new(config);
    for i in 0..25 {
        f.now += 100;
        let call = f.call(&format!("u{i}"), "k");
        f.hub.bet(&mut f.store, &call, f.now).unwrap();
    }
    let total = f.store.len();
    let mut earlier = f.store.checkpoint().unwrap().clone();
    let at_ms = inplay_engine::live::LiveEvent::from_checkpoint(&earlier)
        .unwrap()
        .snapshot()
        .at_ms;
    let time = postcard::to_allocvec(&at_ms).unwrap();
    earlier.state.truncate(earlier.state.len() - time.len());
    earlier.hash = inplay_engine::live::Hash(sha2::Sha256::digest(&earlier.state).into());
    f.store
        .commit(Commit {
            checkpoint: Some(&earlier),
            ..Commit::default()
        })
        .unwrap();
    let mut restarted = HubCore::new(config);
    assert!(restarted.ensure(&mut f.store).unwrap());
    let report = restarted.last_load.unwrap();
    assert!(!report.from_checkpoint);
    assert_eq!(report.replayed, total);
    // The same state and the same stream position: version and its wall time.
    assert_eq!(
        restarted.live().unwrap().checkpoint(),
        f.hub.live().unwrap().checkpoint()
    );
    assert_eq!(
        restarted.live().unwrap().snapshot(),
        f.hub.live().unwrap().snapshot()
    );
    // The next batch is due a checkpoint, one this engine reads.
    f.now += 100;
    let call = f.call("late", "k");
    restarted.bet(&mut f.store, &call, f.now).unwrap();
    let fresh = f.store.checkpoint().unwrap();
    assert_eq!(fresh.index as usize, total + 1);
    assert!(inplay_engine::live::LiveEvent::from_checkpoint(fresh).is_ok());
}

#[test]
fn retries_answer_the_first_decision_and_a_different_body_conflicts() {
    let mut f = Fixture1::new(HubConfig::default());
    let call = f.call("alice", "k1");
    let first = f.hub.bet(&mut f.store, &call, f.now).unwrap();
    assert!(!first.replayed);
    // The same bet again, over HTTP or in a relay's batch: the first decision, nothing new.
    let entries = f.store.len();
    let again = f.hub.bet(&mut f.store, &call, f.now + 10).unwrap();
    assert!(again.replayed);
    assert_eq!(again.decision, first.decision);
    let via_socket = f
        .hub
        .bets(
            &mut f.store,
            &BetBatch {
                relay: relay(0),
                bets: vec![call.clone()],
            },
            f.now + 20,
        )
        .unwrap();
    assert!(matches!(&via_socket.results[0], Ok(p) if p.replayed));
    assert_eq!(f.store.len(), entries, "a retry logs nothing");
    let mut other = call.clone();
    other.body.stake += 1;
    assert_eq!(
        f.hub.bet(&mut f.store, &other, f.now).unwrap_err().code,
        ErrorCode::IdempotencyConflict
    );
}

#[test]
fn bettors_are_rate_limited_per_user() {
    let config = HubConfig {
        bet_burst: 2,
        bet_per_sec: 1.0,
        ..HubConfig::default()
    };
    let mut f = Fixture1::new(config);
    let batch = BetBatch {
        relay: relay(0),
        bets: vec![
            f.call("a", "1"),
            f.call("a", "2"),
            f.call("a", "3"),
            f.call("b", "1"),
        ],
    };
    let r = f.hub.bets(&mut f.store, &batch, f.now).unwrap().results;
    assert!(r[0].is_ok() && r[1].is_ok() && r[3].is_ok());
    let limited = r[2].as_ref().unwrap_err();
    assert_eq!(limited.code, ErrorCode::RateLimited);
    assert_eq!(limited.retry_after_ms, Some(1_000));
}

#[test]
fn a_socket_bets_later_decision_goes_to_its_relay_only_and_an_http_bets_to_all() {
    let mut f = Fixture1::new(HubConfig::default());
    for n in 0..2 {
        f.hub.subscribe(&mut f.store, &relay(n)).unwrap();
    }
    let socket_bet = f.call("alice", "s");
    let answer = f
        .hub
        .bets(
            &mut f.store,
            &BetBatch {
                relay: relay(1),
                bets: vec![socket_bet.clone()],
            },
            f.now,
        )
        .unwrap();
    assert_eq!(
        answer.results[0].as_ref().unwrap().decision.status,
        BetStatus::Pending
    );
    // The pending answer went back in the reply: no relay is sent it.
    let sends = f.hub.due(f.now);
    assert!(sends.iter().all(|(_, u, _)| u.decisions.is_empty()));
    for (name, _, _) in sends {
        let ack = ack_head(&f.hub);
        f.hub.acknowledged(&name, ack);
    }
    // After the delay the final decision goes to relay 1 alone.
    f.now += 5_000;
    f.heartbeats();
    f.hub.tick(&mut f.store, f.now).unwrap();
    let sends = f.hub.due(f.now);
    let with_decisions: Vec<_> = sends
        .iter()
        .filter(|(_, u, _)| !u.decisions.is_empty())
        .map(|(n, _, _)| n.clone())
        .collect();
    assert_eq!(with_decisions, vec![relay(1)]);
    for (name, _, _) in sends {
        let ack = ack_head(&f.hub);
        f.hub.acknowledged(&name, ack);
    }
    // An HTTP bet's decisions reach every relay (its bettor's sockets may be on any).
    let http_bet = f.call("bob", "h");
    f.hub.bet(&mut f.store, &http_bet, f.now).unwrap();
    let sends = f.hub.due(f.now);
    assert_eq!(
        sends
            .iter()
            .filter(|(_, u, _)| u.decisions.len() == 1)
            .count(),
        2
    );
}

#[test]
fn a_relay_that_fails_gets_everything_it_missed_and_a_new_stub() {
    let mut f = Fixture1::new(HubConfig::default());
    for n in 0..2 {
        f.hub.subscribe(&mut f.store, &relay(n)).unwrap();
    }
    let mut failed_at = None;
    for step in 0..6 {
        f.now += 1_000;
        f.feed_both(FeedKind::Danger { team: None });
        for (name, update, generation) in f.hub.due(f.now) {
            if name == relay(1) && step < 3 {
                // Relay 1 is down for three rounds.
                f.hub.failed(&name, f.now);
                failed_at.get_or_insert(generation);
                continue;
            }
            assert!(!update.deltas.is_empty() || update.is_heartbeat());
            let ack = ack_head(&f.hub);
            f.hub.acknowledged(&name, ack);
        }
    }
    let head = f.hub.live().unwrap().version();
    let fanout = f.hub.fanout().unwrap();
    for n in 0..2 {
        assert_eq!(
            fanout.get(&relay(n)).unwrap().acked,
            Some(head),
            "relay {n}"
        );
    }
    assert!(fanout.get(&relay(1)).unwrap().stub_generation > failed_at.unwrap());
    let m = f.hub.metrics();
    assert_eq!(
        m.get(
            "inplay_relay_errors_total",
            "{event=\"m1\",relay=\"m1/weur/1\"}"
        ),
        3.0
    );
}

#[test]
fn unknown_matches_are_not_found_and_created_once() {
    let mut hub = HubCore::new(HubConfig::default());
    let mut store = MemoryStore::default();
    assert_eq!(
        hub.event(&mut store, T0).unwrap_err().code,
        ErrorCode::EventNotFound
    );
    assert!(store.is_empty(), "a lookup stores nothing");
    hub.open(&mut store, opening(), T0).unwrap();
    assert_eq!(
        hub.open(&mut store, opening(), T0).unwrap_err().code,
        ErrorCode::EventExists
    );
    let mut other = HubCore::new(HubConfig::default());
    assert_eq!(
        other.open(&mut store, opening(), T0).unwrap_err().code,
        ErrorCode::EventExists
    );
}

#[test]
fn a_correction_before_full_time_is_refused_with_its_code() {
    let mut f = Fixture1::new(HubConfig::default());
    let err = f
        .hub
        .admin(
            &mut f.store,
            AdminAction::Resettle(inplay_engine::live::ResultCorrection { goals: vec![] }),
            f.now,
        )
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidCorrection);
    let answer = f
        .hub
        .admin(&mut f.store, AdminAction::Suspend { market: None }, f.now)
        .unwrap();
    assert!(answer.applied);
    assert!(!answer.event.snapshot.image.suspensions.is_empty());
}

#[test]
fn voiding_an_unknown_bet_is_not_found_and_a_known_one_is_void() {
    let mut f = Fixture1::new(HubConfig::default());
    let entries = f.store.len();
    let err = f
        .hub
        .admin(
            &mut f.store,
            AdminAction::VoidBet {
                bet_id: "m1.0000000000000000".into(),
            },
            f.now,
        )
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::BetNotFound);
    assert_eq!(f.store.len(), entries, "a refused action logs nothing");
    let call = f.call("alice", "k1");
    let placed = f.hub.bet(&mut f.store, &call, f.now).unwrap();
    let bet_id = placed.decision.bet_id.clone();
    let void = AdminAction::VoidBet {
        bet_id: bet_id.clone(),
    };
    // Pending in its in-play delay: not yet voidable.
    assert_eq!(placed.decision.status, BetStatus::Pending);
    let err = f.hub.admin(&mut f.store, void.clone(), f.now).unwrap_err();
    assert_eq!(err.code, ErrorCode::BetNotVoidable);
    // Past the delay (the next input releases it) it is accepted, and then void.
    f.now += TradingTerms::default().bet_delay_ms + 1;
    f.heartbeats();
    assert_eq!(
        f.hub
            .bet_view(&mut f.store, &bet_id)
            .unwrap()
            .decision
            .status,
        BetStatus::Accepted
    );
    let answer = f.hub.admin(&mut f.store, void, f.now).unwrap();
    assert!(answer.applied);
    let view = f.hub.bet_view(&mut f.store, &bet_id).unwrap();
    assert_eq!(
        view.settlement.map(|s| s.result),
        Some(inplay_engine::live::SettlementResult::Void)
    );
}

#[test]
fn the_desk_sees_feed_results_bet_flow_exposure_and_alerts_with_their_start() {
    let config = HubConfig {
        bet_burst: 100,
        ..HubConfig::default()
    };
    let mut f = Fixture1::new(config);
    for i in 0..4 {
        let call = f.call(&format!("u{i}"), "k");
        f.hub.bet(&mut f.store, &call, f.now).unwrap();
    }
    let v = f.hub.desk_view(f.now).unwrap();
    assert_eq!(v.sources[0].accepted, 1, "the primary's kick-off");
    assert_eq!(v.bets.total, 4);
    assert_eq!(v.bets.decisions.get("pending"), Some(&4));
    assert!((v.bets.per_second - 0.4).abs() < 1e-9);
    let home = v
        .exposure
        .iter()
        .find(|e| e.selection == SelectionKey::Home)
        .unwrap();
    assert!(home.liability > 0);
    assert!(v.alerts.is_empty(), "{:?}", v.alerts);
    // The backup falls silent while the primary speaks: an alert, dated from when it crossed the
    // silence threshold.
    let silent_from = f.now + HubConfig::default().alerts.silent_after_ms;
    for _ in 0..5 {
        f.now += 1_000;
        let e = f.event(Source::Primary, FeedKind::Heartbeat { score: None });
        let b = f.feed_batch(vec![e]);
        f.hub.feed(&mut f.store, &b, f.now).unwrap();
    }
    let v = f.hub.desk_view(f.now).unwrap();
    let silent = v
        .alerts
        .iter()
        .find(|a| a.kind == inplay_protocol::desk::AlertKind::SourceSilent)
        .expect("source silent");
    assert_eq!(silent.subject, "backup");
    assert_eq!(silent.since_ms, silent_from);
    // It stays dated from its start, and clears when the backup speaks again.
    let again = f.hub.desk_view(f.now + 500).unwrap();
    assert!(again.alerts.iter().any(|a| a.since_ms == silent_from));
    f.heartbeats();
    assert!(f.hub.desk_view(f.now).unwrap().alerts.is_empty());
}

#[test]
fn liability_near_its_limit_alerts() {
    let mut f = Fixture1::new(HubConfig::default());
    let limit = 20_000;
    f.hub
        .admin(
            &mut f.store,
            AdminAction::Trading(TradingTerms {
                max_selection_liability: limit,
                max_market_liability: 10 * limit,
                bet_delay_ms: 0,
                ..TradingTerms::default()
            }),
            f.now,
        )
        .unwrap();
    // Bets of 10,000 at ~2: each adds about 10,000 of liability.
    let mut call = f.call("big", "1");
    call.body.stake = 9_000;
    call.body.seen_version = f.hub.live().unwrap().version();
    f.hub.bet(&mut f.store, &call, f.now).unwrap();
    let v = f.hub.desk_view(f.now).unwrap();
    let share = v.exposure[0].liability as f64 / limit as f64;
    let alerted = v
        .alerts
        .iter()
        .any(|a| a.kind == inplay_protocol::desk::AlertKind::Liability);
    assert_eq!(alerted, share >= 0.8, "share {share}");
    let mut more = f.call("big", "2");
    more.body.stake = 8_000;
    more.body.seen_version = f.hub.live().unwrap().version();
    f.hub.bet(&mut f.store, &more, f.now).unwrap();
    let v = f.hub.desk_view(f.now).unwrap();
    assert!(
        v.alerts
            .iter()
            .any(|a| a.kind == inplay_protocol::desk::AlertKind::Liability),
        "{:?}",
        v.exposure
    );
}

/// A tennis match on a hub, started by both sources with A serving.
struct Tennis {
    hub: HubCore,
    store: MemoryStore,
    now: u64,
    seq: [u64; 2],
}

impl Tennis {
    fn new() -> Tennis {
        let mut t = Tennis {
            hub: HubCore::new(HubConfig::default()),
            store: MemoryStore::default(),
            now: T0 - 1_000,
            seq: [0, 0],
        };
        let opening = Opening {
            fixture: Fixture {
                home: "Sinner".into(),
                away: "Alcaraz".into(),
                kickoff_ms: T0,
            },
            params: inplay_engine::tennis::TennisParams::new(0.64, 0.62, 3).into(),
            trading: TradingTerms {
                bet_delay_ms: 0,
                ..TradingTerms::default()
            },
            ..opening()
        };
        t.hub.open(&mut t.store, opening, t.now).unwrap();
        t.now = T0;
        let server = inplay_engine::tennis::Player::A;
        t.feed(Source::Primary, FeedKind::MatchStart { server });
        t.feed(Source::Backup, FeedKind::MatchStart { server });
        t
    }

    fn feed(&mut self, source: Source, kind: FeedKind) {
        let i = source.index();
        self.seq[i] += 1;
        let event = FeedEvent {
            event_id: "m1".into(),
            source,
            seq: self.seq[i],
            ts: self.now,
            clock_ms: None,
            kind,
        };
        let batch = FeedBatch {
            signature: format!("{}-{}", source.as_str(), self.seq[i]).into_bytes(),
            remember_until_ms: self.now + 30_000,
            events: vec![event],
        };
        self.hub.feed(&mut self.store, &batch, self.now).unwrap();
    }

    fn point(&mut self, source: Source, point: u32, winner: inplay_engine::tennis::Player) {
        let server = self.hub.live().unwrap().image().tennis().unwrap().server;
        self.feed(
            source,
            FeedKind::Point {
                point,
                winner,
                server,
            },
        );
    }

    fn admin(&mut self, action: AdminAction) -> Result<AdminAnswer, ApiError> {
        self.hub.admin(&mut self.store, action, self.now)
    }

    fn tennis_view(&mut self) -> (DeskView, TennisDesk) {
        let v = self
            .hub
            .desk_view(self.now)
            .expect("a tennis match has a desk view");
        let SportDesk::Tennis(t) = v.sport.clone() else {
            panic!("a tennis view")
        };
        (v, t)
    }
}

#[test]
fn a_tennis_match_on_the_desk_shows_its_score_sources_book_and_takes_its_own_actions() {
    use inplay_engine::live::{Awaiting, SuspensionReason};
    use inplay_engine::tennis::Player;
    use inplay_protocol::desk::AlertKind;

    let mut t = Tennis::new();
    // A bet on Sinner (A) to win the match, struck in play.
    let book = t.hub.live().unwrap().prices(t.now).unwrap();
    let price = book
        .selection(MarketKey::MatchWinner, SelectionKey::A)
        .and_then(|s| s.odds)
        .and_then(Price::from_decimal)
        .unwrap();
    let call = BetCall {
        bet_id: bet_id("m1", "ann", "k1"),
        user_id: "ann".into(),
        body: BetBody {
            market: MarketKey::MatchWinner,
            selection: SelectionKey::A,
            stake: 1_000,
            price,
            seen_version: t.hub.live().unwrap().version(),
            policy: OddsPolicy::Any,
        },
    };
    let placed = t.hub.bet(&mut t.store, &call, t.now).unwrap();
    assert_eq!(placed.decision.status, BetStatus::Accepted);
    // Point 1 from both sources; point 2 from the primary only.
    t.now += 1_000;
    t.point(Source::Primary, 1, Player::A);
    t.point(Source::Backup, 1, Player::A);
    t.now += 1_000;
    t.point(Source::Primary, 2, Player::A);

    let (v, tennis) = t.tennis_view();
    assert_eq!(v.title, "Sinner v Alcaraz");
    assert_eq!(tennis.score.points, [1, 0]);
    assert_eq!(tennis.score.server, Player::A);
    assert_eq!(tennis.points_played, 1);
    assert_eq!(tennis.params.serve_a, 0.64);
    assert_eq!(tennis.clock_ms, 2_000, "time since the first point");
    // Each source's score: the primary is a point ahead.
    let reported: Vec<_> = tennis
        .reported
        .iter()
        .map(|r| (r.source, r.ahead, r.score.points))
        .collect();
    assert_eq!(
        reported,
        vec![(Source::Primary, 1, [2, 0]), (Source::Backup, 0, [1, 0])]
    );
    assert_eq!(
        v.awaiting,
        vec![Awaiting::Point {
            point: 2,
            winner: Player::A,
            source: Source::Primary
        }]
    );
    // The book per score in sets: a match bet on A loses money if A wins, keeps the stake if not.
    let rows: Vec<([u8; 2], i64)> = tennis.outcomes.iter().map(|o| (o.sets, o.net)).collect();
    let loss = 1_000 - inplay_engine::live::SettlementResult::Won.payout(1_000, price) as i64;
    assert_eq!(
        rows,
        vec![
            ([2, 0], loss),
            ([2, 1], loss),
            ([1, 2], 1_000),
            ([0, 2], 1_000)
        ]
    );
    // The sport-neutral parts as for football.
    assert_eq!(v.sources[0].accepted, 3);
    assert_eq!(v.bets.total, 1);
    assert_eq!(v.exposure.len(), 1);
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["sport"]["sport"], "tennis");
    assert_eq!(json["sport"]["score"]["points"], serde_json::json!([1, 0]));
    assert!(json.get("period").is_none() && json.get("outcomes").is_none());

    // The backup names the other winner of point 2: the sources disagree, the desk alerts, and
    // believing the primary resolves it.
    t.point(Source::Backup, 2, Player::B);
    let (v, _) = t.tennis_view();
    assert!(
        v.alerts
            .iter()
            .any(|a| a.kind == AlertKind::SourceDiscrepancy),
        "{:?}",
        v.alerts
    );
    assert_eq!(v.awaiting.len(), 2);
    let confirmed = t
        .admin(AdminAction::ConfirmSource {
            source: Source::Primary,
        })
        .unwrap();
    assert!(confirmed.applied);
    let (v, tennis) = t.tennis_view();
    assert_eq!(tennis.score.points, [2, 0]);
    assert!(v.awaiting.is_empty());
    assert!(v.alerts.is_empty(), "{:?}", v.alerts);

    // Football's actions are refused with a clear code; tennis's model is adjusted.
    for action in [
        AdminAction::CancelGoal {
            team: inplay_engine::market::Team::Home,
            goals: None,
        },
        AdminAction::SetExpectedGoals {
            home_xg: Some(2.0),
            away_xg: None,
        },
        AdminAction::EndMatch,
        AdminAction::Resettle(inplay_engine::live::ResultCorrection { goals: vec![] }),
    ] {
        let e = t.admin(action.clone()).unwrap_err();
        assert_eq!(e.code, ErrorCode::FootballOnly, "{action:?}");
    }
    let bad = t
        .admin(AdminAction::SetServeProbabilities {
            serve_a: Some(1.2),
            serve_b: None,
        })
        .unwrap_err();
    assert_eq!(bad.code, ErrorCode::InvalidBody);
    let version = t.hub.live().unwrap().version();
    let set = t
        .admin(AdminAction::SetServeProbabilities {
            serve_a: Some(0.7),
            serve_b: None,
        })
        .unwrap();
    assert!(set.applied);
    assert_eq!(set.event.version.seq, version.seq + 1);
    let (_, tennis) = t.tennis_view();
    assert_eq!((tennis.params.serve_a, tennis.params.serve_b), (0.7, 0.62));
    // Suspend and resume, void: shared actions work for tennis.
    assert!(
        t.admin(AdminAction::Suspend { market: None })
            .unwrap()
            .applied
    );
    let (v, _) = t.tennis_view();
    assert!(
        v.suspensions
            .iter()
            .any(|s| s.reason == SuspensionReason::Manual)
    );
    assert!(
        t.admin(AdminAction::Resume { market: None })
            .unwrap()
            .applied
    );
    let void = t
        .admin(AdminAction::VoidBet {
            bet_id: call.bet_id.clone(),
        })
        .unwrap();
    assert!(void.applied);
    let (v, tennis) = t.tennis_view();
    assert!(v.exposure.is_empty() || v.exposure.iter().all(|e| e.liability == 0));
    assert!(
        tennis.outcomes.iter().all(|o| o.net == 0),
        "a void bet leaves the book"
    );

    // A football match refuses tennis's action.
    let mut f = Fixture1::new(HubConfig::default());
    let e = f
        .hub
        .admin(
            &mut f.store,
            AdminAction::SetServeProbabilities {
                serve_a: Some(0.6),
                serve_b: None,
            },
            f.now,
        )
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::TennisOnly);
    let v = f.hub.desk_view(f.now).unwrap();
    assert!(matches!(v.sport, SportDesk::Football(_)));
}

#[test]
fn a_goal_cancellation_naming_the_goals_seen_is_done_once() {
    use inplay_engine::football::Score;
    use inplay_engine::market::Team;
    let mut f = Fixture1::new(HubConfig::default());
    f.now += 60_000;
    f.feed_both(FeedKind::Goal {
        team: Team::Home,
        score: Some(Score::new(1, 0)),
    });
    let home = |f: &Fixture1| {
        f.hub
            .live()
            .unwrap()
            .image()
            .football()
            .unwrap()
            .state
            .score
            .home
    };
    assert_eq!(home(&f), 1);
    let cancel = AdminAction::CancelGoal {
        team: Team::Home,
        goals: Some(1),
    };
    let done = f.hub.admin(&mut f.store, cancel.clone(), f.now).unwrap();
    assert!(done.applied);
    assert_eq!(home(&f), 0);
    // The same request again (a retry after a lost answer) names 1 goal; there are none now.
    let entries = f.store.len();
    let err = f.hub.admin(&mut f.store, cancel, f.now).unwrap_err();
    assert_eq!(err.code, ErrorCode::GoalCountChanged);
    assert_eq!(err.code.status(), 409);
    assert_eq!(f.store.len(), entries, "a refused action logs nothing");
    assert_eq!(home(&f), 0);
}
