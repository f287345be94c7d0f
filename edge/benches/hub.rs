//! The hub core natively: how many bets one match's single writer decides per second, arriving in
//! relay batches of 64, with storage in memory (the SQLite write is one statement per batch on the
//! Worker; its cost there is measured by `inplay load`, not here).
//!
//! `cargo bench -p inplay-edge --bench hub`

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use inplay_edge::hub::{HubConfig, HubCore, MemoryStore};
use inplay_engine::football::FootballParams;
use inplay_engine::live::{
    FeedEvent, FeedKind, Fixture, LiveConfig, OddsPolicy, Opening, Price, Source, TradingTerms,
};
use inplay_engine::market::{MarketKey, SelectionKey};
use inplay_protocol::bets::{BetBatch, BetBody, BetCall};
use inplay_protocol::feed::FeedBatch;
use inplay_protocol::ids::{RelayName, bet_id};

const T0: u64 = 1_764_240_000_000;
const BATCH: usize = 64;

/// A match in play with a relay subscribed, and the next batches of bets to place.
fn in_play(checkpoint_every: u64) -> (HubCore, MemoryStore, Vec<BetBatch>) {
    let config = HubConfig {
        bet_burst: 1_000_000,
        bet_per_sec: 1_000_000.0,
        checkpoint_every,
        ..HubConfig::default()
    };
    let mut hub = HubCore::new(config);
    let mut store = MemoryStore::default();
    let opening = Opening {
        event_id: "m1".into(),
        fixture: Fixture {
            home: "Home".into(),
            away: "Away".into(),
            kickoff_ms: T0,
        },
        params: FootballParams::new(1.5, 1.1).into(),
        trading: TradingTerms {
            max_selection_liability: u64::MAX,
            max_market_liability: u64::MAX,
            ..TradingTerms::default()
        },
        config: LiveConfig::default(),
        epoch: 0,
    };
    hub.open(&mut store, opening, T0 - 1_000).expect("opens");
    let events = [Source::Primary, Source::Backup].map(|source| FeedEvent {
        event_id: "m1".into(),
        source,
        seq: 1,
        ts: T0,
        clock_ms: Some(0),
        kind: FeedKind::Kickoff,
    });
    let kickoff = FeedBatch {
        signature: vec![1],
        remember_until_ms: T0 + 30_000,
        events: events.to_vec(),
    };
    hub.feed(&mut store, &kickoff, T0).expect("kicks off");
    let relay = RelayName::leaf("m1", "weur", 0);
    hub.subscribe(&mut store, &relay).expect("subscribes");
    let live = hub.live().expect("loaded");
    let batches = (0..8)
        .map(|b| BetBatch {
            relay: relay.clone(),
            bets: (0..BATCH)
                .map(|i| {
                    let user = format!("u{}", (b * BATCH + i) % 1_000);
                    BetCall {
                        bet_id: bet_id("m1", &user, &format!("k{b}-{i}")),
                        user_id: user,
                        body: BetBody {
                            market: MarketKey::MatchResult,
                            selection: SelectionKey::Home,
                            stake: 100 + i as u64,
                            price: Price::from_hundredths(200).expect("a price"),
                            seen_version: live.version(),
                            policy: OddsPolicy::Any,
                        },
                    }
                })
                .collect(),
        })
        .collect();
    (hub, store, batches)
}

fn bets(c: &mut Criterion) {
    let mut group = c.benchmark_group("hub");
    group.throughput(Throughput::Elements(BATCH as u64));
    // What a relay's batch costs the hub: idempotency, rate limit, the engine, the log entries, the
    // commit, the routing of decisions.
    group.bench_function("relay_batch_of_64_bets", |b| {
        b.iter_batched_ref(
            || in_play(1_000),
            |(hub, store, batches)| {
                let answer = hub.bets(store, &batches[0], T0 + 1_000).expect("stored");
                black_box(answer);
            },
            BatchSize::LargeInput,
        )
    });
    // Eight batches in a row at distinct instants, a checkpoint every 256 entries on the way.
    group.throughput(Throughput::Elements(8 * BATCH as u64));
    group.bench_function("eight_batches_with_checkpoints", |b| {
        b.iter_batched_ref(
            || in_play(256),
            |(hub, store, batches)| {
                for (k, batch) in batches.iter().enumerate() {
                    black_box(
                        hub.bets(store, batch, T0 + 1_000 + k as u64)
                            .expect("stored"),
                    );
                }
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bets);
criterion_main!(benches);
