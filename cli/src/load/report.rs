//! What a run prints and writes: one line per figure on stdout, the same lines and the figures as
//! JSON with `--json`; and the delivery figures computed from what every socket saw.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result};
use inplay_engine::live::Version;
use serde_json::{Value, json};

use super::sockets::SocketLog;
use super::stats::Quantiles;
use crate::feed_run::PostRecord;

/// The report of one run, built as it goes.
pub struct Report {
    lines: Vec<String>,
    json: serde_json::Map<String, Value>,
}

impl Report {
    /// A report that starts with the command line that made it.
    pub fn new() -> Report {
        let mut json = serde_json::Map::new();
        json.insert(
            "command".into(),
            json!(std::env::args().collect::<Vec<_>>().join(" ")),
        );
        Report {
            lines: Vec::new(),
            json,
        }
    }

    /// One line on stdout, kept for the JSON report.
    pub fn say(&mut self, line: impl Into<String>) {
        let line = line.into();
        println!("{line}");
        self.lines.push(line);
    }

    /// A figure for the JSON report.
    pub fn set(&mut self, key: &str, value: impl serde::Serialize) {
        self.json.insert(
            key.into(),
            serde_json::to_value(value).unwrap_or(Value::Null),
        );
    }

    /// Writes the JSON report (with the printed lines) where `--json` asked.
    pub fn finish(mut self, path: Option<&Path>) -> Result<()> {
        self.json.insert("lines".into(), json!(self.lines));
        if let Some(p) = path {
            std::fs::write(p, serde_json::to_string_pretty(&Value::Object(self.json))?)
                .with_context(|| format!("cannot write {}", p.display()))?;
        }
        Ok(())
    }
}

/// The origin of an update's delivery time: the latest accepted feed post that was in flight when
/// the hub applied it (`posts` sorted by send time), or `None` for an update the hub made on its
/// own timer (a reopen after a cool-off, a bet release).
pub fn origin_of(at_ms: u64, posts: &[PostRecord]) -> Option<u64> {
    let i = posts.partition_point(|p| p.sent_ms <= at_ms);
    posts[..i]
        .iter()
        .rev()
        .take(64)
        .filter(|p| p.answered_ms + 1 >= at_ms && (p.result == "accepted" || p.result == "held"))
        .map(|p| p.sent_ms)
        .max()
}

/// Delivery of every update to every socket, and what went missing.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Delivery {
    /// Feed POST → socket, ms.
    pub from_feed: Quantiles,
    /// Hub timer (`Delta::at_ms`) → socket, ms.
    pub from_timer: Quantiles,
    /// Both together.
    pub all: Quantiles,
    /// Versions a socket never received: gaps, plus how far short of the head it ended.
    pub lost: u64,
    /// Frames that did not follow the previous version (or did not decode).
    pub disorder: u64,
    /// Versions a resync snapshot stepped over.
    pub skipped: u64,
    /// Sockets that had to reconnect.
    pub reconnects: u64,
    /// Sockets whose last version is the hub's head.
    pub at_head: u64,
    /// Sockets counted.
    pub sockets: u64,
    /// Each version's delivery to every socket, in version order: which updates make the tail.
    pub versions: Vec<VersionDelivery>,
}

/// One version's delivery to the sockets that timed it.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct VersionDelivery {
    /// The version's sequence number.
    pub seq: u64,
    /// Made by a feed post (else by the hub's timer).
    pub from_feed: bool,
    /// From its origin (the post's sending, or the hub's timer) to each socket, ms.
    pub delivery: Quantiles,
    /// From its origin to the first socket that had it, ms.
    pub first_ms: f64,
}

/// Delivery figures from every socket's log, the feed's posts (sorted by send time) and the hub's
/// head at the end.
pub fn delivery(logs: &[SocketLog], posts: &[PostRecord], head: Version) -> Delivery {
    let mut origin_cache: HashMap<(u64, u64), Option<u64>> = HashMap::new();
    let (mut from_feed, mut from_timer) = (Vec::new(), Vec::new());
    let mut by_version: std::collections::BTreeMap<u64, (bool, Vec<f64>)> = Default::default();
    let mut d = Delivery {
        sockets: logs.len() as u64,
        ..Delivery::default()
    };
    for l in logs {
        for &(seq, at, recv) in &l.deltas {
            // After a lost delta the times are unknown until a snapshot (the loss is counted).
            let Some(at) = at else { continue };
            let origin = *origin_cache
                .entry((seq, at))
                .or_insert_with(|| origin_of(at, posts));
            let ms = recv.saturating_sub(origin.unwrap_or(at)) as f64;
            match origin {
                Some(_) => from_feed.push(ms),
                None => from_timer.push(ms),
            }
            let v = by_version
                .entry(seq)
                .or_insert_with(|| (origin.is_some(), Vec::new()));
            v.1.push(ms);
        }
        d.lost += l.lost;
        d.disorder += l.disorder;
        d.skipped += l.skipped_by_snapshot;
        d.reconnects += l.reconnects;
        if let Some(last) = l.last
            && last.epoch == head.epoch
        {
            d.lost += head.seq.saturating_sub(last.seq);
            if last.seq >= head.seq {
                d.at_head += 1;
            }
        }
    }
    let mut all: Vec<f64> = from_feed.iter().chain(from_timer.iter()).copied().collect();
    d.from_feed = Quantiles::of(&mut from_feed);
    d.from_timer = Quantiles::of(&mut from_timer);
    d.all = Quantiles::of(&mut all);
    d.versions = by_version
        .into_iter()
        .map(|(seq, (from_feed, mut ms))| {
            let delivery = Quantiles::of(&mut ms);
            VersionDelivery {
                seq,
                from_feed,
                first_ms: ms.first().copied().unwrap_or(0.0),
                delivery,
            }
        })
        .collect();
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(sent_ms: u64, answered_ms: u64, result: &str) -> PostRecord {
        PostRecord {
            sent_ms,
            answered_ms,
            result: result.into(),
        }
    }

    #[test]
    fn updates_take_the_origin_of_the_feed_post_in_flight() {
        let posts = vec![
            post(100, 130, "accepted"),
            post(200, 220, "duplicate"),
            post(210, 260, "accepted"),
        ];
        assert_eq!(origin_of(120, &posts), Some(100));
        assert_eq!(origin_of(215, &posts), Some(210));
        assert_eq!(origin_of(400, &posts), None);
    }

    #[test]
    fn delivery_counts_gaps_and_sockets_short_of_the_head() {
        let v = |seq| Version { epoch: 9, seq };
        let whole = SocketLog {
            deltas: vec![(1, Some(100), 110), (2, Some(300), 305)],
            last: Some(v(2)),
            ..SocketLog::default()
        };
        let short = SocketLog {
            deltas: vec![(1, Some(100), 150)],
            last: Some(v(1)),
            reconnects: 1,
            ..SocketLog::default()
        };
        // Version 1 lost: version 2's time (relative to version 1's) is unknown, so it is counted
        // but not timed.
        let gap = SocketLog {
            deltas: vec![(2, None, 330)],
            last: Some(v(2)),
            lost: 1,
            ..SocketLog::default()
        };
        let posts = vec![post(95, 120, "accepted")];
        let d = delivery(&[whole, short, gap], &posts, v(2));
        assert_eq!((d.lost, d.at_head, d.sockets, d.reconnects), (2, 2, 3, 1));
        // Version 1 came from the feed post sent at 95; version 2 from the hub's timer at 300.
        assert_eq!((d.from_feed.n, d.from_feed.max), (2, 55.0));
        assert_eq!((d.from_timer.n, d.from_timer.max), (1, 5.0));
        assert_eq!(d.all.n, 3);
        let per_version: Vec<_> = d
            .versions
            .iter()
            .map(|v| (v.seq, v.from_feed, v.delivery.n, v.first_ms, v.delivery.max))
            .collect();
        assert_eq!(
            per_version,
            [(1, true, 2, 15.0, 55.0), (2, false, 1, 5.0, 5.0)]
        );
    }
}
