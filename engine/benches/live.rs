//! Cost of the live state's hot paths, on a match twenty minutes in (1-0, a red card, bets on the
//! book): applying one feed message, validating one bet, encoding and decoding the stream, and a
//! client's reprice. Run with `cargo bench -p inplay-engine --bench live`.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use inplay_engine::football::{FootballParams, Score};
use inplay_engine::live::*;
use inplay_engine::market::{MarketKey, SelectionKey, Team};

const T0: u64 = 1_764_240_000_000;
const NOW: u64 = T0 + 20 * 60_000;

/// The match at `NOW`, with what a host would need to send it the next message.
struct InPlay {
    event: LiveEvent,
    seq: [u64; 2],
    /// The delta of the confirmed goal: state, goals, suspensions.
    goal_delta: Delta,
}

impl InPlay {
    fn message(&self, source: Source, kind: FeedKind, now: u64) -> FeedEvent {
        FeedEvent {
            event_id: "m1".into(),
            source,
            seq: self.seq[source.index()] + 1,
            ts: now,
            clock_ms: Some(self.event.image().clock.clock_at(now)),
            kind,
        }
    }

    fn feed(&mut self, source: Source, kind: FeedKind, now: u64) -> Output {
        let m = self.message(source, kind, now);
        self.seq[source.index()] += 1;
        self.event.apply(Input::Feed(m), now)
    }

    fn bet(&self, id: &str, now: u64) -> BetRequest {
        let price = self
            .event
            .prices(now)
            .and_then(|b| {
                b.selection(MarketKey::MatchResult, SelectionKey::Home)
                    .and_then(|s| s.odds)
            })
            .and_then(Price::from_decimal)
            .expect("1X2 offered in play");
        BetRequest {
            bet_id: id.into(),
            user_id: "u1".into(),
            market: MarketKey::MatchResult,
            selection: SelectionKey::Home,
            stake: 1_000,
            price,
            seen_version: self.event.version(),
            policy: OddsPolicy::Exact,
        }
    }
}

fn in_play() -> InPlay {
    let opening = Opening {
        event_id: "m1".into(),
        fixture: Fixture {
            home: "Home".into(),
            away: "Away".into(),
            kickoff_ms: T0,
        },
        params: FootballParams::new(1.6, 1.1).into(),
        trading: TradingTerms::default(),
        config: LiveConfig::default(),
        epoch: 1,
    };
    let (event, _) = LiveEvent::new(opening, T0).expect("valid opening");
    let mut m = InPlay {
        event,
        seq: [0, 0],
        goal_delta: Delta {
            version: Version::default(),
            prev_at_ms: 0,
            at_ms: 0,
            ops: Vec::new(),
        },
    };
    let mut now = T0;
    m.feed(Source::Primary, FeedKind::Kickoff, now);
    m.feed(Source::Backup, FeedKind::Kickoff, now);
    while now < NOW {
        now += 5_000;
        m.event.apply(Input::Tick, now);
        let score = Some(m.event.image().football().unwrap().state.score);
        for source in [Source::Primary, Source::Backup] {
            m.feed(source, FeedKind::Heartbeat { score }, now);
        }
        if now == T0 + 8 * 60_000 {
            let goal = FeedKind::Goal {
                team: Team::Home,
                score: Some(Score::new(1, 0)),
            };
            m.feed(Source::Primary, goal.clone(), now);
            m.goal_delta = m.feed(Source::Backup, goal, now).delta.expect("goal delta");
        }
        if now == T0 + 13 * 60_000 {
            m.feed(Source::Primary, FeedKind::RedCard { team: Team::Away }, now);
            m.feed(Source::Backup, FeedKind::RedCard { team: Team::Away }, now);
        }
        if now == T0 + 15 * 60_000 {
            let req = m.bet("earlier", now);
            m.event.apply(Input::Bet(req), now);
        }
    }
    assert_eq!(
        m.event.market_status(MarketKey::MatchResult),
        MarketStatus::Open
    );
    m
}

fn feed(c: &mut Criterion) {
    let m = in_play();
    let now = NOW + 1_000;
    let mut group = c.benchmark_group("feed");
    let heartbeat = m.message(
        Source::Primary,
        FeedKind::Heartbeat {
            score: Some(Score::new(1, 0)),
        },
        now,
    );
    group.bench_function("heartbeat", |b| {
        b.iter_batched_ref(
            || m.event.clone(),
            |ev| ev.apply(Input::Feed(black_box(heartbeat.clone())), now),
            BatchSize::SmallInput,
        )
    });
    // A goal from one source: suspends at once and waits for the other source.
    let goal = FeedKind::Goal {
        team: Team::Away,
        score: Some(Score::new(1, 1)),
    };
    let first = m.message(Source::Primary, goal.clone(), now);
    group.bench_function("goal_first_source", |b| {
        b.iter_batched_ref(
            || m.event.clone(),
            |ev| ev.apply(Input::Feed(black_box(first.clone())), now),
            BatchSize::SmallInput,
        )
    });
    // The other source's copy: recognised as the same goal, which is confirmed.
    let mut held = m.event.clone();
    held.apply(Input::Feed(first.clone()), now);
    let second = m.message(Source::Backup, goal, now);
    group.bench_function("goal_confirmed", |b| {
        b.iter_batched_ref(
            || held.clone(),
            |ev| ev.apply(Input::Feed(black_box(second.clone())), now),
            BatchSize::SmallInput,
        )
    });
    // Catching up with time when nothing is due: the floor under every input.
    group.bench_function("tick", |b| {
        b.iter_batched_ref(
            || m.event.clone(),
            |ev| ev.apply(Input::Tick, black_box(now)),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

fn bet(c: &mut Criterion) {
    let m = in_play();
    let now = NOW + 1_000;
    let req = m.bet("b", now);
    let mut group = c.benchmark_group("bet");
    // Full validation on the edge: reprice, image checks, liability, then pending for the delay.
    group.bench_function("place_in_play", |b| {
        b.iter_batched_ref(
            || m.event.clone(),
            |ev| ev.apply(Input::Bet(black_box(req.clone())), now),
            BatchSize::SmallInput,
        )
    });
    let placed = m.event.clone().apply(Input::Bet(req.clone()), now);
    assert_eq!(placed.decisions[0].status, BetStatus::Pending);
    // A relay's batch: 64 bets arriving at one instant (the book is priced once for all of them).
    let batch: Vec<BetRequest> = (0..64).map(|i| m.bet(&format!("b{i}"), now)).collect();
    group.throughput(criterion::Throughput::Elements(64));
    group.bench_function("place_64_at_one_instant", |b| {
        b.iter_batched_ref(
            || m.event.clone(),
            |ev| {
                for req in &batch {
                    black_box(ev.apply(Input::Bet(req.clone()), now));
                }
            },
            BatchSize::SmallInput,
        )
    });
    group.throughput(criterion::Throughput::Elements(1));
    // A client's check of the same slip against its mirror.
    let view = LiveView::new(m.event.snapshot());
    assert!(view.check_bet(&req, now).is_ok());
    group.bench_function("check_on_view", |b| {
        b.iter(|| view.check_bet(black_box(&req), black_box(now)))
    });
    group.finish();
}

fn stream(c: &mut Criterion) {
    let m = in_play();
    let snapshot = m.event.snapshot();
    let snap_bytes = snapshot.to_bytes();
    let delta_bytes = m.goal_delta.to_bytes();
    eprintln!(
        "snapshot: {} bytes; goal delta: {} bytes ({} ops)",
        snap_bytes.len(),
        delta_bytes.len(),
        m.goal_delta.ops.len()
    );
    let mut group = c.benchmark_group("stream");
    group.bench_function("snapshot_encode", |b| {
        b.iter(|| black_box(&snapshot).to_bytes())
    });
    group.bench_function("snapshot_decode", |b| {
        b.iter(|| Snapshot::from_bytes(black_box(&snap_bytes)))
    });
    group.bench_function("delta_encode", |b| {
        b.iter(|| black_box(&m.goal_delta).to_bytes())
    });
    // A delta is read against the version it follows.
    let follows = Stamp {
        version: Version {
            seq: m.goal_delta.version.seq - 1,
            ..m.goal_delta.version
        },
        at_ms: m.goal_delta.prev_at_ms,
    };
    group.bench_function("delta_decode", |b| {
        b.iter(|| Delta::decode(black_box(&delta_bytes), follows))
    });
    // What a client does per delta: decode it and apply it to its mirror.
    let before = Snapshot::from_bytes(&snap_bytes).expect("snapshot decodes");
    let mut at_goal = before.clone();
    at_goal.version = follows.version;
    at_goal.at_ms = follows.at_ms;
    group.bench_function("delta_apply_bytes", |b| {
        b.iter_batched_ref(
            || LiveView::new(at_goal.clone()),
            |view| view.apply_delta_bytes(black_box(&delta_bytes)),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

fn view(c: &mut Criterion) {
    let m = in_play();
    let view = LiveView::new(m.event.snapshot());
    let now = NOW + 1_000;
    assert!(view.prices(now).is_ok());
    let mut group = c.benchmark_group("view");
    // Every market at an instant: what a browser computes per frame between deltas.
    group.bench_function("prices_in_play", |b| b.iter(|| view.prices(black_box(now))));
    group.finish();
}

/// A hub restarts from a checkpoint: what writing and loading one costs with 10,000 bets held.
fn checkpoint(c: &mut Criterion) {
    let mut m = in_play();
    let now = NOW + 1_000;
    for i in 0..10_000 {
        let mut req = m.bet(&format!("bet-{i:05}"), now);
        req.user_id = format!("user-{}", i % 1_000);
        req.stake = 100 + i;
        req.policy = OddsPolicy::Any;
        m.event.apply(Input::Bet(req), now);
    }
    let cp = m.event.checkpoint();
    let bytes = cp.to_bytes();
    eprintln!(
        "checkpoint with {} bets: {} bytes",
        m.event.bet_count(),
        bytes.len()
    );
    let mut group = c.benchmark_group("checkpoint");
    group.sample_size(20);
    group.bench_function("write_10k_bets", |b| {
        b.iter(|| black_box(&m.event).checkpoint().to_bytes())
    });
    group.bench_function("load_10k_bets", |b| {
        b.iter(|| {
            let cp = Checkpoint::from_bytes(black_box(&bytes)).expect("decodes");
            LiveEvent::from_checkpoint(&cp).expect("restores")
        })
    });
    group.finish();
}

criterion_group!(benches, feed, bet, stream, view, checkpoint);
criterion_main!(benches);
