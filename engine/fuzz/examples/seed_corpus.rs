//! Writes seed inputs for the fuzz targets into `corpus/<target>/`: the feed messages, bet
//! requests, snapshots and deltas of the shared in-play matches, in their wire forms.
//!
//! Run from `engine/fuzz`: `cargo +nightly run --example seed_corpus`.

use std::fs;
use std::path::Path;

use inplay_engine::live::{FeedEvent, FeedKind, Input};
use inplay_engine_fuzz::{in_play, in_play_tennis};

fn write(target: &str, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let dir = Path::new("corpus").join(target);
    fs::create_dir_all(&dir)?;
    fs::write(dir.join(name), bytes)
}

fn main() -> std::io::Result<()> {
    let m = in_play();
    let mut feeds: Vec<&FeedEvent> = Vec::new();
    // The tennis match's messages and bets, named apart.
    let tennis = in_play_tennis();
    for (i, input) in tennis.inputs.iter().enumerate() {
        match input {
            Input::Feed(f) => feeds.push(f),
            Input::Bet(b) => write(
                "bet_request",
                &format!("tennis-bet-{i}"),
                &serde_json::to_vec(b)?,
            )?,
            _ => {}
        }
    }
    for (i, input) in m.inputs.iter().enumerate() {
        match input {
            Input::Feed(f) => feeds.push(f),
            Input::Bet(b) => {
                write("bet_request", &format!("bet-{i}"), &serde_json::to_vec(b)?)?;
                // The same slip on other markets, by their wire names.
                for (n, (market, selection)) in [
                    ("correct_score", "2-1"),
                    ("ah:-0.25", "home"),
                    ("team_total:away:1.5", "under"),
                    ("ht_total:0.5", "over"),
                    ("double_chance", "draw_away"),
                    ("btts", "no"),
                    ("rest_of_match", "draw"),
                ]
                .into_iter()
                .enumerate()
                {
                    let mut other = b.clone();
                    other.bet_id = format!("{}-{n}", b.bet_id);
                    other.market = market.parse().expect("market key");
                    other.selection = selection.parse().expect("selection key");
                    write(
                        "bet_request",
                        &format!("bet-{i}-{n}"),
                        &serde_json::to_vec(&other)?,
                    )?;
                }
            }
            _ => {}
        }
    }
    // One message of each kind seen, in both forms, and a batch.
    let mut kinds = std::collections::BTreeSet::new();
    for f in &feeds {
        if kinds.insert(f.kind.name()) {
            write(
                "feed_event",
                &format!("{}.json", f.kind.name()),
                f.to_json().as_bytes(),
            )?;
            write(
                "feed_event",
                &format!("{}.bin", f.kind.name()),
                &f.to_bytes(),
            )?;
        }
    }
    let extra = [
        FeedKind::PeriodEnd { period: 1 },
        FeedKind::PeriodStart { period: 2 },
        FeedKind::GoalCancelled {
            team: inplay_engine::market::Team::Home,
        },
        FeedKind::VarCheckStart,
        FeedKind::Danger { team: None },
        FeedKind::Clock { running: false },
        FeedKind::MatchEnd,
    ];
    if let Some(last) = feeds.last() {
        for (n, kind) in extra.into_iter().enumerate() {
            let f = FeedEvent {
                seq: last.seq + 1,
                kind,
                ..(*last).clone()
            };
            write(
                "feed_event",
                &format!("{}.json", f.kind.name()),
                f.to_json().as_bytes(),
            )?;
            write("feed_event", &format!("extra-{n}.bin"), &f.to_bytes())?;
        }
        let batch: Vec<String> = feeds.iter().rev().take(4).map(|f| f.to_json()).collect();
        write(
            "feed_event",
            "batch.json",
            format!("[{}]", batch.join(",")).as_bytes(),
        )?;
    }
    // Snapshots, deltas, and snapshot-then-delta pairs behind a little-endian u16 length.
    for (name, m) in [("", m), ("tennis-", tennis)] {
        for (k, d) in m.deltas.iter().enumerate().step_by(5) {
            let snap = m.snapshots[k].to_bytes();
            let delta = d.to_bytes();
            write("delta", &format!("{name}snapshot-{k}"), &snap)?;
            write("delta", &format!("{name}delta-{k}"), &delta)?;
            let mut pair = (snap.len() as u16).to_le_bytes().to_vec();
            pair.extend_from_slice(&snap);
            pair.extend_from_slice(&delta);
            write("delta", &format!("{name}pair-{k}"), &pair)?;
        }
    }
    for (target, dir) in
        ["feed_event", "bet_request", "delta"].map(|t| (t, Path::new("corpus").join(t)))
    {
        println!("{target}: {} seeds", fs::read_dir(dir)?.count());
    }
    Ok(())
}
