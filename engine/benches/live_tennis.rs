//! Cost of a tennis match's hot paths in the live engine, on a match into its second set (1-0 in
//! sets, 2-1, 30-15, 200 bets on the book): one source's report of a point, the other source's
//! confirming it (the point applied), a point that ends a game (bets on it settled), a bet in play,
//! a client's reprice, and the stream's encodings. Run with
//! `cargo bench -p inplay-engine --bench live_tennis`.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use inplay_engine::live::*;
use inplay_engine::market::{MarketKey, SelectionKey};
use inplay_engine::tennis::{Player, TennisParams};

const T0: u64 = 1_764_240_000_000;

struct InPlay {
    event: LiveEvent,
    seq: [u64; 2],
    points: u32,
    now: u64,
}

impl InPlay {
    fn message(&self, source: Source, kind: FeedKind) -> FeedEvent {
        FeedEvent {
            event_id: "t1".into(),
            source,
            seq: self.seq[source.index()] + 1,
            ts: self.now,
            clock_ms: None,
            kind,
        }
    }

    fn feed(&mut self, source: Source, kind: FeedKind) -> Output {
        let m = self.message(source, kind);
        self.seq[source.index()] += 1;
        self.event.apply(Input::Feed(m), self.now)
    }

    fn point_kind(&self, winner: Player) -> FeedKind {
        FeedKind::Point {
            point: self.points + 1,
            winner,
            server: self.event.image().tennis().expect("tennis").server,
        }
    }

    /// Both sources report the next point; 20 s pass with heartbeats.
    fn point(&mut self, winner: Player) {
        let kind = self.point_kind(winner);
        self.points += 1;
        self.feed(Source::Primary, kind.clone());
        self.feed(Source::Backup, kind);
        for _ in 0..4 {
            self.now += 5_000;
            self.event.apply(Input::Tick, self.now);
            for s in [Source::Primary, Source::Backup] {
                self.feed(s, FeedKind::Heartbeat { score: None });
            }
        }
    }

    fn bet(&self, id: &str, market: MarketKey, selection: SelectionKey) -> BetRequest {
        let price = self
            .event
            .prices(self.now)
            .and_then(|b| b.selection(market, selection).and_then(|s| s.odds))
            .and_then(Price::from_decimal)
            .expect("offered in play");
        BetRequest {
            bet_id: id.into(),
            user_id: "u1".into(),
            market,
            selection,
            stake: 1_000,
            price,
            seen_version: self.event.version(),
            policy: OddsPolicy::Any,
        }
    }
}

fn in_play() -> InPlay {
    let opening = Opening {
        event_id: "t1".into(),
        fixture: Fixture {
            home: "A".into(),
            away: "B".into(),
            kickoff_ms: T0,
        },
        params: TennisParams::new(0.65, 0.62, 3).into(),
        trading: TradingTerms::default(),
        config: LiveConfig::default(),
        epoch: 1,
    };
    let (event, _) = LiveEvent::new(opening, T0).expect("valid opening");
    let mut m = InPlay {
        event,
        seq: [0, 0],
        points: 0,
        now: T0,
    };
    for s in [Source::Primary, Source::Backup] {
        m.feed(s, FeedKind::MatchStart { server: Player::A });
    }
    // A takes the first set 6-0, then 2-1 and 30-15 in the second.
    for _ in 0..24 {
        m.point(Player::A);
    }
    for w in "AAAA BBBB AAAA AA B".chars().filter(|c| *c != ' ') {
        m.point(if w == 'A' { Player::A } else { Player::B });
    }
    // 200 bets on the game and the match, accepted after the delay.
    for i in 0..200 {
        let (market, sel) = if i % 2 == 0 {
            (MarketKey::GameWinner, SelectionKey::B)
        } else {
            (MarketKey::MatchWinner, SelectionKey::A)
        };
        let req = m.bet(&format!("b{i}"), market, sel);
        m.event.apply(Input::Bet(req), m.now);
    }
    m.now += 6_000;
    m.event.apply(Input::Tick, m.now);
    let t = m.event.image().tennis().expect("tennis");
    assert_eq!((t.games, t.points), ([2, 1], [2, 1]));
    m
}

fn point(c: &mut Criterion) {
    let m = in_play();
    let now = m.now + 1_000;
    let mut group = c.benchmark_group("tennis_point");
    let kind = m.point_kind(Player::A);
    let first = m.message(Source::Primary, kind.clone());
    // One source reports the point: it waits for the other (no delta).
    group.bench_function("first_source", |b| {
        b.iter_batched_ref(
            || m.event.clone(),
            |ev| ev.apply(Input::Feed(black_box(first.clone())), now),
            BatchSize::SmallInput,
        )
    });
    // The other source confirms it: the point is applied, one delta.
    let mut held = m.event.clone();
    held.apply(Input::Feed(first.clone()), now);
    let second = m.message(Source::Backup, kind);
    group.bench_function("confirmed", |b| {
        b.iter_batched_ref(
            || held.clone(),
            |ev| ev.apply(Input::Feed(black_box(second.clone())), now),
            BatchSize::SmallInput,
        )
    });
    // A point that ends the game: the 100 bets on it settle.
    let mut at_40 = m.clone_at(Player::A);
    let later = at_40.now + 1_000;
    let end = at_40.point_kind(Player::A);
    let first = at_40.message(Source::Primary, end.clone());
    at_40.event.apply(Input::Feed(first), later);
    at_40.seq[0] += 1;
    let second = at_40.message(Source::Backup, end);
    group.bench_function("ends_game_settles_100_bets", |b| {
        b.iter_batched_ref(
            || at_40.event.clone(),
            |ev| {
                let out = ev.apply(Input::Feed(black_box(second.clone())), later);
                assert_eq!(out.settlements.len(), 100);
                out
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

impl InPlay {
    /// A copy one point further on (`winner` takes it: 40-15).
    fn clone_at(&self, winner: Player) -> InPlay {
        let mut m = InPlay {
            event: self.event.clone(),
            seq: self.seq,
            points: self.points,
            now: self.now,
        };
        m.point(winner);
        m
    }
}

fn bet_and_stream(c: &mut Criterion) {
    let m = in_play();
    let now = m.now + 1_000;
    let mut group = c.benchmark_group("tennis_live");
    let req = m.bet("new", MarketKey::MatchWinner, SelectionKey::B);
    group.bench_function("bet_in_play", |b| {
        b.iter_batched_ref(
            || m.event.clone(),
            |ev| ev.apply(Input::Bet(black_box(req.clone())), now),
            BatchSize::SmallInput,
        )
    });
    let snapshot = m.event.snapshot();
    let bytes = snapshot.to_bytes();
    let view = LiveView::from_bytes(&bytes).expect("decodes");
    let mut book = view.prices(now).expect("prices");
    group.bench_function("client_reprice_into", |b| {
        b.iter(|| view.prices_into(black_box(now), &mut book))
    });
    group.bench_function("snapshot_encode", |b| {
        b.iter(|| black_box(&snapshot).to_bytes())
    });
    group.bench_function("snapshot_decode", |b| {
        b.iter(|| Snapshot::from_bytes(black_box(&bytes)))
    });
    group.finish();
    let mut next = m.event.clone();
    let kind = FeedKind::Point {
        point: m.points + 1,
        winner: Player::A,
        server: Player::B,
    };
    next.apply(Input::Feed(m.message(Source::Primary, kind.clone())), now);
    let mut second = m.message(Source::Backup, kind);
    second.seq = m.seq[1] + 1;
    let delta = next
        .apply(Input::Feed(second), now)
        .delta
        .expect("a point's delta");
    println!(
        "tennis snapshot {} B, a point's delta {} B ({:?})",
        bytes.len(),
        delta.to_bytes().len(),
        delta.ops
    );
}

criterion_group!(benches, point, bet_and_stream);
criterion_main!(benches);
