//! The price-list stream an exchange would send, to weigh against streaming the model.
//!
//! Each second the exchange-style stream sends every offered price that changed, as
//! `(market index, selection index, ladder tick)` with tick 0 for "not offered" (suspended or closed),
//! postcard-encoded. The model stream sends the snapshot once and a delta per change of state.
//!
//! Football ([`measure_match`]) is a simulated match; tennis ([`measure_tennis`]) is a match given
//! point by point (the CLI feeds it real ones), with the time a point, a changeover and a set break
//! take on court.

use serde::Serialize;

use super::event::LiveEvent;
use super::feed::{FeedEvent, FeedKind, Source};
use super::image::{Fixture, MarketStatus, TradingTerms};
use super::opening::{LiveConfig, Opening};
use super::outcome::Input;
use crate::football::FootballParams;
use crate::market::MarketBook;
use crate::odds::ladder;
use crate::sim::{SimConfig, schedule, simulate_match};
use crate::tennis::{AfterPoint, Player, TennisParams, TennisState};

/// One changed price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PriceChange {
    /// Index of the market in the book.
    pub market: u16,
    /// Index of the selection in the market.
    pub selection: u8,
    /// Ladder tick (1-based), 0 when not offered.
    pub tick: u16,
}

/// Offered prices of a book as ladder ticks, with suspended markets as 0.
pub fn ticks(book: &MarketBook, open: impl Fn(usize) -> bool) -> Vec<PriceChange> {
    let mut out = Vec::with_capacity(book.selection_count());
    for (m, market) in book.markets.iter().enumerate() {
        for (s, sel) in market.selections.iter().enumerate() {
            let tick = if open(m) {
                sel.odds
                    .and_then(ladder::tick_index)
                    .map_or(0, |i| i as u16 + 1)
            } else {
                0
            };
            out.push(PriceChange {
                market: m as u16,
                selection: s as u8,
                tick,
            });
        }
    }
    out
}

/// Byte counts of both streams.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StreamSizes {
    /// Snapshot + deltas, bytes.
    pub model_bytes: u64,
    /// Deltas sent.
    pub deltas: u64,
    /// Full price list + price-change messages, bytes.
    pub price_bytes: u64,
    /// Price-change messages sent.
    pub price_messages: u64,
    /// Individual price changes.
    pub price_changes: u64,
    /// Tennis: points played (0 for football).
    pub points: u64,
}

impl StreamSizes {
    /// Model bytes as a share of price-list bytes.
    pub fn ratio(&self) -> f64 {
        if self.price_bytes == 0 {
            0.0
        } else {
            self.model_bytes as f64 / self.price_bytes as f64
        }
    }
}

impl core::ops::AddAssign for StreamSizes {
    fn add_assign(&mut self, o: StreamSizes) {
        self.model_bytes += o.model_bytes;
        self.deltas += o.deltas;
        self.price_bytes += o.price_bytes;
        self.price_messages += o.price_messages;
        self.price_changes += o.price_changes;
        self.points += o.points;
    }
}

impl StreamSizes {
    /// Model-stream bytes per point (snapshot and every delta), for tennis.
    pub fn bytes_per_point(&self) -> f64 {
        if self.points == 0 {
            0.0
        } else {
            self.model_bytes as f64 / self.points as f64
        }
    }
}

fn encoded_len<T: Serialize + ?Sized>(v: &T) -> u64 {
    postcard::to_allocvec(v).map_or(0, |b| b.len() as u64)
}

/// Plays simulated match `seed` through a live event fed by two sources with 1 s heartbeats and
/// measures both streams.
pub fn measure_match(seed: u64) -> StreamSizes {
    const T0: u64 = 1_764_240_000_000;
    let params = FootballParams::new(
        1.2 + (seed % 7) as f64 * 0.15,
        0.9 + (seed % 5) as f64 * 0.15,
    );
    let opening = Opening {
        event_id: format!("sim{seed}"),
        fixture: Fixture {
            home: "Home".into(),
            away: "Away".into(),
            kickoff_ms: T0,
        },
        params: params.into(),
        trading: TradingTerms::default(),
        config: LiveConfig::default(),
        epoch: 1,
    };
    let Ok((mut ev, _)) = LiveEvent::new(opening, T0 - 1_000) else {
        return StreamSizes::default();
    };
    let timeline = schedule(
        &simulate_match(&SimConfig::new(params, seed)),
        T0,
        15 * 60_000,
        1.0,
    );
    let mut sizes = StreamSizes {
        model_bytes: ev.snapshot().to_bytes().len() as u64,
        ..Default::default()
    };
    let sent_open = |ev: &LiveEvent, book: &MarketBook| {
        let statuses: Vec<bool> = book
            .markets
            .iter()
            .map(|m| ev.market_status(m.key) == MarketStatus::Open)
            .collect();
        statuses
    };
    let Some(book) = ev.prices(T0) else {
        return sizes;
    };
    let open = sent_open(&ev, &book);
    let mut last = ticks(&book, |m| open.get(m).copied().unwrap_or(false));
    sizes.price_bytes = encoded_len(&last);
    let mut seq = [0u64; 2];
    let mut feed =
        |ev: &mut LiveEvent, now: u64, clock: u64, kind: FeedKind, sizes: &mut StreamSizes| {
            for (i, source) in [Source::Primary, Source::Backup].into_iter().enumerate() {
                seq[i] += 1;
                let msg = FeedEvent {
                    event_id: ev.image().event_id.clone(),
                    source,
                    seq: seq[i],
                    ts: now,
                    clock_ms: Some(clock),
                    kind: kind.clone(),
                };
                if let Some(d) = ev.apply(Input::Feed(msg), now + i as u64 * 200).delta {
                    sizes.model_bytes += d.to_bytes().len() as u64;
                    sizes.deltas += 1;
                }
            }
        };
    let end = timeline.last().map_or(T0, |s| s.at_ms) + 1_000;
    let mut next = timeline.iter().peekable();
    let mut now = T0;
    while now <= end {
        while let Some(e) = next.next_if(|e| e.at_ms <= now) {
            feed(&mut ev, e.at_ms, e.clock_ms, e.kind.clone(), &mut sizes);
        }
        let clock = ev.image().clock.clock_at(now);
        let score = ev.image().football().map(|f| f.state.score);
        feed(
            &mut ev,
            now,
            clock,
            FeedKind::Heartbeat { score },
            &mut sizes,
        );
        if let Some(d) = ev.apply(Input::Tick, now + 500).delta {
            sizes.model_bytes += d.to_bytes().len() as u64;
            sizes.deltas += 1;
        }
        if let Some(book) = ev.prices(now + 500) {
            let open = sent_open(&ev, &book);
            let now_ticks = ticks(&book, |m| open.get(m).copied().unwrap_or(false));
            let changed: Vec<PriceChange> = now_ticks
                .iter()
                .zip(&last)
                .filter(|(a, b)| a != b)
                .map(|(a, _)| *a)
                .collect();
            if !changed.is_empty() {
                sizes.price_bytes += encoded_len(&changed);
                sizes.price_messages += 1;
                sizes.price_changes += changed.len() as u64;
            }
            last = now_ticks;
        }
        now += 1_000;
    }
    sizes
}

/// What a tennis match's time on court is made of (wall ms): a point and the serve clock after it,
/// the changeover after every odd game, the break after a set.
const POINT_MS: u64 = 35_000;
const CHANGEOVER_MS: u64 = 90_000;
const SET_BREAK_MS: u64 = 120_000;

/// Plays a tennis match point by point (`points`: each point's winner, `first_server` serving the
/// first) through a live event fed by two sources, 200 ms apart, with 1 s heartbeats, and measures
/// both streams. Points that the rules say come after the end are ignored.
pub fn measure_tennis(
    params: TennisParams,
    first_server: Player,
    points: &[Player],
) -> StreamSizes {
    const T0: u64 = 1_764_240_000_000;
    let opening = Opening {
        event_id: "tennis".into(),
        fixture: Fixture {
            home: "A".into(),
            away: "B".into(),
            kickoff_ms: T0,
        },
        params: params.into(),
        trading: TradingTerms::default(),
        config: LiveConfig::default(),
        epoch: 1,
    };
    let Ok((mut ev, _)) = LiveEvent::new(opening, T0 - 1_000) else {
        return StreamSizes::default();
    };
    let mut sizes = StreamSizes {
        model_bytes: ev.snapshot().to_bytes().len() as u64,
        ..Default::default()
    };
    let Some(book) = ev.prices(T0) else {
        return sizes;
    };
    let mut last = open_ticks(&ev, &book);
    sizes.price_bytes = encoded_len(&last);
    let mut seq = [0u64; 2];
    let mut send = |ev: &mut LiveEvent, now: u64, kind: FeedKind, sizes: &mut StreamSizes| {
        for (i, source) in [Source::Primary, Source::Backup].into_iter().enumerate() {
            seq[i] += 1;
            let msg = FeedEvent {
                event_id: ev.image().event_id.clone(),
                source,
                seq: seq[i],
                ts: now,
                clock_ms: None,
                kind: kind.clone(),
            };
            if let Some(d) = ev.apply(Input::Feed(msg), now + i as u64 * 200).delta {
                sizes.model_bytes += d.to_bytes().len() as u64;
                sizes.deltas += 1;
            }
        }
    };
    // When each point is reported: after the time the previous one and its game or set took.
    let mut state = TennisState::pre_match(first_server);
    let mut schedule = Vec::with_capacity(points.len());
    let mut at = T0 + 1_000;
    for &winner in points {
        schedule.push((at, winner, state.server));
        at += POINT_MS;
        match state.after_point(&params, winner) {
            Ok(AfterPoint::InPlay(next)) => {
                if next.sets != state.sets {
                    at += SET_BREAK_MS;
                } else if next.games != state.games && (next.games[0] + next.games[1]) % 2 == 1 {
                    at += CHANGEOVER_MS;
                }
                state = next;
            }
            _ => break,
        }
    }
    sizes.points = schedule.len() as u64;
    send(
        &mut ev,
        T0,
        FeedKind::MatchStart {
            server: first_server,
        },
        &mut sizes,
    );
    let end = at + 2_000;
    let mut next = schedule.iter().enumerate().peekable();
    let mut now = T0;
    while now <= end {
        while let Some((n, &(_, winner, server))) = next.next_if(|(_, p)| p.0 <= now) {
            let point = u32::try_from(n + 1).unwrap_or(u32::MAX);
            let kind = FeedKind::Point {
                point,
                winner,
                server,
            };
            send(&mut ev, now, kind, &mut sizes);
        }
        send(
            &mut ev,
            now,
            FeedKind::Heartbeat { score: None },
            &mut sizes,
        );
        if let Some(d) = ev.apply(Input::Tick, now + 500).delta {
            sizes.model_bytes += d.to_bytes().len() as u64;
            sizes.deltas += 1;
        }
        if let Some(book) = ev.prices(now + 500) {
            let now_ticks = open_ticks(&ev, &book);
            sample(&mut last, now_ticks, &mut sizes);
        }
        now += 1_000;
    }
    sizes
}

/// A book's offered prices as ticks, suspended markets as 0.
fn open_ticks(ev: &LiveEvent, book: &MarketBook) -> Vec<PriceChange> {
    let open: Vec<bool> = book
        .markets
        .iter()
        .map(|m| ev.market_status(m.key) == MarketStatus::Open)
        .collect();
    ticks(book, |m| open.get(m).copied().unwrap_or(false))
}

/// One second of the price-list stream: what changed since `last` (the whole list when the
/// markets themselves change, as after a set).
fn sample(last: &mut Vec<PriceChange>, now: Vec<PriceChange>, sizes: &mut StreamSizes) {
    let changed: Vec<PriceChange> = if now.len() == last.len() {
        now.iter()
            .zip(last.iter())
            .filter(|(a, b)| a != b)
            .map(|(a, _)| *a)
            .collect()
    } else {
        now.clone()
    };
    if !changed.is_empty() {
        sizes.price_bytes += encoded_len(&changed);
        sizes.price_messages += 1;
        sizes.price_changes += changed.len() as u64;
    }
    *last = now;
}
