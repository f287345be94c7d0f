//! `inplay bench broadcast`: what one update costs per socket when the relays send it, against the
//! bare broadcast server in the same run.
//!
//! No feed and no bets: a match waits before its kick-off while the tool makes one update at a
//! time (a trader's suspend, then resume, of every market: one version each), spaced out so that
//! each broadcast is alone on the thread. For every update the figure is the spread from the
//! first socket's receipt to the last one's, divided by the sockets: the time the senders spent
//! per socket. The bare tokio-tungstenite server gets the same sockets and the same spacing.
//! Measured in two shapes: the production one (sockets over regions × shards) and every socket on
//! one relay. Relay heartbeats are pushed out of the way (`HEARTBEAT_MS` of 10 minutes) so that
//! none lands in a measured broadcast.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Result, bail};
use futures_util::StreamExt;
use hyper::Method;
use inplay_engine::football::FootballParams;
use inplay_engine::live::Frame;
use serde_json::json;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

use super::args::{BroadcastArgs, Shape};
use super::baseline::{bare_run, now_us};
use super::report::Report;
use super::server::Target;
use super::sockets::{connect, live_url, wait_all_open, wait_for_wave};
use super::stats::Quantiles;
use crate::feed_client::{Http, now_ms};

/// One update as the sockets received it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spread {
    /// First receipt, unix µs.
    pub first_us: u64,
    /// Last receipt, unix µs.
    pub last_us: u64,
    /// Sockets that received it.
    pub sockets: u64,
}

/// Per update (version or message number): first and last receipt over every socket.
pub fn spreads(receipts: &[Vec<(u64, u64)>]) -> BTreeMap<u64, Spread> {
    let mut out: BTreeMap<u64, Spread> = BTreeMap::new();
    for socket in receipts {
        for &(seq, at) in socket {
            let s = out.entry(seq).or_insert(Spread {
                first_us: at,
                last_us: at,
                sockets: 0,
            });
            s.first_us = s.first_us.min(at);
            s.last_us = s.last_us.max(at);
            s.sockets += 1;
        }
    }
    out
}

/// The figures of one shape.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct BroadcastFigure {
    /// `bare`, `4 regions × 2 shards`, `one relay`.
    pub shape: String,
    /// Sockets.
    pub sockets: u64,
    /// Relays that served them (0 for the bare server).
    pub relays: u64,
    /// Updates measured.
    pub updates: u64,
    /// (update, socket) pairs never received.
    pub lost: u64,
    /// Per update: (last receipt − first receipt) / sockets, µs.
    pub per_socket_us: Quantiles,
    /// Per update and relay, among that relay's own sockets: (last − first) / its sockets, µs.
    /// The relay's own cost per socket, without the hops and the other relays' broadcasts that
    /// come between them on local workerd's one thread.
    pub per_socket_within_relay_us: Quantiles,
    /// Per update: last receipt − first receipt, ms.
    pub spread_ms: Quantiles,
    /// Per update: the trigger (publish, or the admin request leaving) → the last receipt, ms.
    pub to_last_ms: Quantiles,
}

/// Figures from every socket's receipts (and the relay that served it) and, per update, when it
/// was triggered.
pub fn figure(
    shape: &str,
    receipts: &[Vec<(u64, u64)>],
    relay_of: &[&str],
    triggered_us: &BTreeMap<u64, u64>,
) -> BroadcastFigure {
    let per_update = spreads(receipts);
    let sockets = receipts.len() as u64;
    let mut by_relay: BTreeMap<&str, Vec<Vec<(u64, u64)>>> = BTreeMap::new();
    for (i, r) in receipts.iter().enumerate() {
        let relay = relay_of.get(i).copied().unwrap_or("");
        by_relay.entry(relay).or_default().push(r.clone());
    }
    let mut within = Vec::new();
    for group in by_relay.values() {
        for (seq, s) in spreads(group) {
            if triggered_us.contains_key(&seq) && s.sockets > 0 {
                within.push(s.last_us.saturating_sub(s.first_us) as f64 / s.sockets as f64);
            }
        }
    }
    let (mut per_socket, mut spread, mut to_last) = (Vec::new(), Vec::new(), Vec::new());
    let mut lost = 0;
    for (seq, &at) in triggered_us {
        let Some(s) = per_update.get(seq) else {
            lost += sockets;
            continue;
        };
        lost += sockets.saturating_sub(s.sockets);
        let width = s.last_us.saturating_sub(s.first_us) as f64;
        per_socket.push(width / s.sockets.max(1) as f64);
        spread.push(width / 1000.0);
        to_last.push(s.last_us.saturating_sub(at) as f64 / 1000.0);
    }
    BroadcastFigure {
        shape: shape.to_string(),
        sockets,
        relays: if relay_of.is_empty() {
            0
        } else {
            by_relay.len() as u64
        },
        updates: triggered_us.len() as u64,
        lost,
        per_socket_us: Quantiles::of(&mut per_socket),
        per_socket_within_relay_us: Quantiles::of(&mut within),
        spread_ms: Quantiles::of(&mut spread),
        to_last_ms: Quantiles::of(&mut to_last),
    }
}

/// What one Worker socket received: its relay, and (version seq, receipt µs) of every delta.
#[derive(Debug, Default)]
struct Receipts {
    relay: Option<String>,
    deltas: Vec<(u64, u64)>,
}

/// One socket until `stop`: nothing but receipts (a drop ends it; its missing versions then count
/// as lost).
async fn listen(
    url: String,
    region: String,
    opened: Arc<AtomicU64>,
    mut stop: watch::Receiver<bool>,
) -> Receipts {
    let mut r = Receipts::default();
    let Ok(mut ws) = connect(&url, &region, None).await else {
        return r;
    };
    loop {
        let msg = tokio::select! {
            m = ws.next() => m,
            _ = stop.changed() => break,
        };
        let bytes = match msg {
            Some(Ok(Message::Binary(b))) => b,
            Some(Ok(_)) => continue,
            _ => break,
        };
        let at = now_us();
        match Frame::decode(&bytes) {
            Ok(Frame::Delta(d)) => r.deltas.push((d.seq, at)),
            Ok(Frame::Snapshot { region, shard, .. }) if r.relay.is_none() => {
                r.relay = Some(format!("{region}/{shard}"));
                opened.fetch_add(1, Ordering::Relaxed);
            }
            _ => {}
        }
    }
    let _ = ws.close(None).await;
    r
}

/// One shape on the Worker: a match before kick-off, `sockets` over `regions`, then `updates`
/// suspend/resume requests `interval` apart.
async fn worker_shape(
    http: &Http,
    admin: &str,
    event: &str,
    shape: &str,
    regions: &[String],
    a: &BroadcastArgs,
) -> Result<BroadcastFigure> {
    let opening = json!({
        "event_id": event,
        // Well before kick-off: no feed, no watchdog, nothing on the thread but what we send.
        "fixture": { "home": "Home", "away": "Away", "kickoff_ms": now_ms() + 3_600_000 },
        "params": FootballParams::new(1.6, 1.2),
    });
    let created = http.create_event(admin, &opening).await?;
    if created.status != 201 {
        bail!(
            "create {event}: {} {}",
            created.status,
            String::from_utf8_lossy(&created.body)
        );
    }
    let (stop_tx, stop_rx) = watch::channel(false);
    let opened = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::with_capacity(a.sockets);
    let t_open = std::time::Instant::now();
    for i in 0..a.sockets {
        let url = live_url(http, event, &format!("c{i}"), None);
        let region = regions[i % regions.len()].clone();
        tasks.push(tokio::spawn(listen(
            url,
            region,
            opened.clone(),
            stop_rx.clone(),
        )));
        if i % 100 == 99 {
            wait_for_wave(&opened, i, 200, Duration::from_secs(60), a.sockets).await?;
        }
    }
    wait_all_open(&opened, a.sockets, Duration::from_secs(120)).await?;
    eprintln!(
        "{shape}: {} sockets open in {:.1} s",
        a.sockets,
        t_open.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut triggered = BTreeMap::new();
    let mut refused = Vec::new();
    for k in 0..a.updates {
        let action = if k % 2 == 0 { "suspend" } else { "resume" };
        let at = now_us();
        let answer = http
            .send(
                Method::POST,
                &format!("/v1/events/{event}/{action}"),
                &[("authorization", format!("Bearer {admin}"))],
                None,
            )
            .await;
        match answer {
            Ok(r) if r.status == 200 => {
                match serde_json::from_value::<inplay_engine::live::Version>(
                    r.json()["version"].clone(),
                ) {
                    Ok(v) => {
                        triggered.insert(v.seq, at);
                    }
                    Err(_) => refused.push(format!("{action}: no version in the answer")),
                }
            }
            Ok(r) => refused.push(format!(
                "{action}: {} {}",
                r.status,
                r.error_code().unwrap_or_default()
            )),
            Err(e) => refused.push(format!("{action}: {e:#}")),
        }
        tokio::time::sleep(Duration::from_millis(a.interval_ms)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let _ = stop_tx.send(true);
    let mut receipts = Vec::with_capacity(tasks.len());
    let mut relay_of = Vec::with_capacity(tasks.len());
    for t in tasks {
        let r = t.await.unwrap_or_default();
        relay_of.push(r.relay.unwrap_or_else(|| "none".into()));
        receipts.push(r.deltas);
    }
    let relay_of: Vec<&str> = relay_of.iter().map(String::as_str).collect();
    if !refused.is_empty() {
        eprintln!("{shape}: updates refused: {}", refused.join("; "));
    }
    let mut f = figure(shape, &receipts, &relay_of, &triggered);
    // An update the Worker refused is an update the sockets did not get.
    f.lost += refused.len() as u64 * a.sockets as u64;
    f.updates += refused.len() as u64;
    Ok(f)
}

fn say_figure(f: &BroadcastFigure, report: &mut Report) {
    report.say(format!(
        "{:<24} {} sockets, relays {}, {} updates, {} lost: per socket {}; within a relay {}; first → last receipt {}; trigger → last {}",
        f.shape,
        f.sockets,
        f.relays,
        f.updates,
        f.lost,
        f.per_socket_us.with_unit("µs"),
        f.per_socket_within_relay_us.with_unit("µs"),
        f.spread_ms,
        f.to_last_ms
    ));
}

/// `inplay bench broadcast`.
pub async fn run(a: BroadcastArgs) -> Result<()> {
    let mut report = Report::new();
    if a.sockets == 0 || a.updates == 0 || a.regions.is_empty() {
        bail!("--sockets, --updates and --regions must not be empty");
    }
    eprintln!(
        "bare broadcast server: {} sockets, {} updates {} ms apart",
        a.sockets, a.updates, a.interval_ms
    );
    let bare = bare_run(
        a.sockets,
        a.updates as usize,
        Duration::from_millis(a.interval_ms),
    )
    .await?;
    let bare_fig = figure("bare broadcast", &bare.receipts, &[], &bare.published_us);
    say_figure(&bare_fig, &mut report);
    let mut figures = vec![bare_fig.clone()];
    for (k, shape) in a.shapes.iter().enumerate() {
        let (name, regions, shards) = match shape {
            Shape::Spread => (
                format!("{} regions × {} shards", a.regions.len(), a.shards),
                a.regions.clone(),
                a.shards,
            ),
            Shape::One => ("one relay".to_string(), vec![a.regions[0].clone()], 1),
        };
        let knobs = [
            ("RELAY_SHARDS", shards.to_string()),
            ("HEARTBEAT_MS", "600000".to_string()),
        ];
        // A server per shape: the shard count is the server's, and nothing of one shape (sockets
        // closing, relays hibernating) runs on the thread while the next is measured.
        let target = Target::open(a.url.as_deref(), a.direct, &knobs).await?;
        let admin = target.admin()?;
        let event = format!("bcast-{}-{k}", now_ms() / 1000 % 1_000_000);
        let f = worker_shape(&target.http, &admin, &event, &name, &regions, &a).await?;
        drop(target);
        say_figure(&f, &mut report);
        figures.push(f);
    }
    let bare_p50 = bare_fig.per_socket_us.p50.max(1e-9);
    let mut ratios: BTreeMap<&str, f64> = BTreeMap::new();
    let mut within: BTreeMap<&str, f64> = BTreeMap::new();
    for f in figures.iter().skip(1) {
        let ratio = f.per_socket_us.p50 / bare_p50;
        let inside = f.per_socket_within_relay_us.p50 / bare_p50;
        report.say(format!(
            "per-socket cost, {} / bare: {ratio:.2}× (p50 {:.1} µs vs {:.1} µs; goal ≤ 1.5×); within a relay {inside:.2}×",
            f.shape, f.per_socket_us.p50, bare_fig.per_socket_us.p50
        ));
        ratios.insert(&f.shape, ratio);
        within.insert(&f.shape, inside);
    }
    report.set("interval_ms", a.interval_ms);
    report.set("figures", &figures);
    report.set("ratio_p50_per_socket", &ratios);
    report.set("ratio_p50_within_relay", &within);
    report.finish(a.json.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_spreads_from_its_first_receipt_to_its_last() {
        let receipts = vec![
            vec![(5, 1_000), (6, 3_000)],
            vec![(5, 1_400), (6, 3_100)],
            vec![(5, 1_800)],
        ];
        let s = spreads(&receipts);
        assert_eq!(
            s[&5],
            Spread {
                first_us: 1_000,
                last_us: 1_800,
                sockets: 3
            }
        );
        let triggered = BTreeMap::from([(5, 900), (6, 2_900), (7, 5_000)]);
        let f = figure("x", &receipts, &["a", "a", "b"], &triggered);
        // Version 6 missed one socket, version 7 all three.
        assert_eq!((f.updates, f.lost, f.relays), (3, 4, 2));
        // Within relay "a": 400 µs over 2 sockets, then 100 µs over 2; relay "b" alone: 0.
        assert_eq!(f.per_socket_within_relay_us.n, 3);
        assert_eq!(f.per_socket_within_relay_us.max, 200.0);
        // 800 µs over 3 sockets, 100 µs over 2.
        assert_eq!(f.per_socket_us.n, 2);
        assert!((f.per_socket_us.max - 800.0 / 3.0).abs() < 1e-9);
        assert_eq!(f.per_socket_us.p50, 800.0 / 3.0);
        assert_eq!(f.to_last_ms.max, 0.9);
    }
}
