//! The WebSocket clients: each follows one match as a bettor's page would (snapshot, then every
//! version in order), records what it received and when, carries its user's bets when it has a
//! token, and reconnects with `since=` when its socket drops.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use futures_util::{SinkExt, StreamExt};
use inplay_engine::live::{BetStatus, Frame, Stamp, Version};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::feed_client::{Http, now_ms};

/// Running totals for the progress line.
#[derive(Default)]
pub struct Counters {
    /// Sockets that received their first snapshot.
    pub open: AtomicU64,
    /// Deltas received, all sockets.
    pub deltas: AtomicU64,
    /// Bets sent.
    pub bets_sent: AtomicU64,
    /// HTTP bets answered.
    pub bets_answered: AtomicU64,
    /// Final decisions received on sockets.
    pub finals: AtomicU64,
    /// Socket reconnects.
    pub reconnects: AtomicU64,
}

/// A final bet decision as a socket received it.
#[derive(Debug, Clone)]
pub struct FinalSeen {
    /// `accepted`, `rejected:<code>`, ...
    pub status: String,
    /// Receipt, unix ms.
    pub recv_ms: u64,
    /// Arrival position on the owner's socket.
    pub order: u64,
}

/// What every socket shares with the run.
#[derive(Default)]
pub struct Shared {
    /// Progress counters.
    pub counters: Counters,
    /// Final decisions by bet id.
    pub finals: Mutex<HashMap<String, FinalSeen>>,
    /// First answer on the socket (the pending decision), by bet id: receipt time.
    pub firsts: Mutex<HashMap<String, u64>>,
    /// Refusals before the engine (`bet_error` text frames), by bet id: (code, receipt).
    pub errors: Mutex<HashMap<String, (String, u64)>>,
    /// The relay (`region/shard`) that serves each client, from its first snapshot.
    pub relay_of: Mutex<HashMap<String, String>>,
}

/// What one socket saw.
#[derive(Debug, Default, Clone)]
pub struct SocketLog {
    /// (seq, hub apply time, receipt); the time is unknown (`None`) after a lost delta, until a
    /// snapshot: a delta carries its time relative to the version before it.
    pub deltas: Vec<(u64, Option<u64>, u64)>,
    /// (seq, receipt) of every snapshot: the first, and any resync.
    pub snapshots: Vec<(u64, u64)>,
    /// Versions skipped between two deltas.
    pub lost: u64,
    /// Deltas that did not follow (or frames that did not decode).
    pub disorder: u64,
    /// Versions a resync snapshot stepped over.
    pub skipped_by_snapshot: u64,
    /// The last version it holds.
    pub last: Option<Version>,
    /// Wall time `last` was made, when known.
    pub last_at_ms: Option<u64>,
    /// Times it reconnected.
    pub reconnects: u64,
    /// The relay that served it (`region/shard`, from its first snapshot).
    pub relay: Option<String>,
}

/// `ws://…/v1/events/{event}/live?client=…[&since=epoch:seq]`.
pub fn live_url(http: &Http, event: &str, client: &str, since: Option<Version>) -> String {
    let mut url = http.ws_url(&format!("/v1/events/{event}/live?client={client}"));
    if let Some(v) = since {
        url.push_str(&format!("&since={}:{}", v.epoch, v.seq));
    }
    url
}

/// A client socket.
pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens one socket as a client of `region` (the dev-only `X-Inplay-Region` override), as `token`'s
/// user when there is one (in an `Authorization` header: a token in the URL ends up in logs).
pub async fn connect(url: &str, region: &str, token: Option<&str>) -> Result<Socket> {
    let mut req = url.into_client_request()?;
    req.headers_mut().insert("x-inplay-region", region.parse()?);
    if let Some(t) = token {
        req.headers_mut()
            .insert("authorization", format!("Bearer {t}").parse()?);
    }
    let (ws, _) = tokio::time::timeout(
        Duration::from_secs(30),
        tokio_tungstenite::connect_async(req),
    )
    .await
    .context("connect timed out")??;
    Ok(ws)
}

/// Who a socket is.
pub struct Client {
    /// The Worker.
    pub http: Http,
    /// The match.
    pub event: String,
    /// Stable client id (picks the relay shard).
    pub client: String,
    /// Region header.
    pub region: String,
    /// User token, for bettors.
    pub token: Option<String>,
}

/// One client until `stop`: reads every frame, reconnects with `since=` after a drop, sends the
/// bets it is given. Frames go on to `observer` too when it has one.
pub async fn socket_task(
    c: Client,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
    observer: Option<mpsc::UnboundedSender<(u64, Frame)>>,
    mut outgoing: Option<mpsc::UnboundedReceiver<String>>,
) -> SocketLog {
    let mut log = SocketLog::default();
    let mut counted_open = false;
    let mut bet_order = 0u64;
    let mut backoff = 100;
    while !*stop.borrow() {
        let url = live_url(&c.http, &c.event, &c.client, log.last);
        let mut ws = match connect(&url, &c.region, c.token.as_deref()).await {
            Ok(ws) => ws,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(backoff)).await;
                backoff = (backoff * 2).min(2000);
                continue;
            }
        };
        backoff = 100;
        loop {
            let msg = tokio::select! {
                m = ws.next() => m,
                Some(text) = async { match outgoing.as_mut() { Some(rx) => rx.recv().await, None => std::future::pending().await } } => {
                    if ws.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                    continue;
                }
                _ = stop.changed() => { let _ = ws.close(None).await; return log; }
            };
            let bytes = match msg {
                Some(Ok(Message::Binary(b))) => b,
                Some(Ok(Message::Text(_))) => continue,
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => continue,
            };
            let recv = now_ms();
            let Ok(frame) = Frame::decode(&bytes) else {
                log.disorder += 1;
                continue;
            };
            match &frame {
                Frame::Snapshot {
                    snapshot,
                    region,
                    shard,
                    ..
                } => {
                    if log.relay.is_none() {
                        let relay = format!("{region}/{shard}");
                        shared
                            .relay_of
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .insert(c.client.clone(), relay.clone());
                        log.relay = Some(relay);
                    }
                    let v = snapshot.version;
                    log.snapshots.push((v.seq, recv));
                    if let Some(last) = log.last
                        && last.epoch == v.epoch
                        && v.seq > last.seq
                    {
                        log.skipped_by_snapshot += v.seq - last.seq;
                    }
                    log.last = Some(v);
                    log.last_at_ms = Some(snapshot.at_ms);
                    if !counted_open {
                        counted_open = true;
                        shared.counters.open.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Frame::Delta(d) => {
                    shared.counters.deltas.fetch_add(1, Ordering::Relaxed);
                    // A delta is of the epoch of the snapshot before it on this socket.
                    match log.last {
                        Some(last) if d.seq > last.seq => {
                            if d.seq == last.seq + 1 {
                                // Read against the version held, when its time is known.
                                let held = log.last_at_ms.map(|at_ms| Stamp {
                                    version: last,
                                    at_ms,
                                });
                                log.last_at_ms = held
                                    .and_then(|held| d.stamp(held).ok())
                                    .map(|made| made.at_ms);
                            } else {
                                log.lost += d.seq - last.seq - 1;
                                log.last_at_ms = None;
                            }
                            log.deltas.push((d.seq, log.last_at_ms, recv));
                            log.last = Some(Version {
                                epoch: last.epoch,
                                seq: d.seq,
                            });
                        }
                        _ => log.disorder += 1,
                    }
                }
                Frame::Bet(decision) => {
                    shared
                        .firsts
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .entry(decision.bet_id.clone())
                        .or_insert(recv);
                    if decision.status != BetStatus::Pending {
                        bet_order += 1;
                        let mut finals = shared.finals.lock().unwrap_or_else(|e| e.into_inner());
                        finals.entry(decision.bet_id.clone()).or_insert(FinalSeen {
                            status: decision.status.to_string(),
                            recv_ms: recv,
                            order: bet_order,
                        });
                        shared.counters.finals.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Frame::BetError(r) => {
                    if std::env::var_os("INPLAY_LOAD_DEBUG").is_some() {
                        eprintln!("bet_error {} {}: {}", r.key, r.code, r.message);
                    }
                    if let Some(id) = &r.bet_id {
                        shared
                            .errors
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .entry(id.clone())
                            .or_insert((r.code.clone(), recv));
                    }
                }
                Frame::Heartbeat { .. } => {}
            }
            if let Some(tx) = &observer {
                let _ = tx.send((recv, frame));
            }
        }
        if *stop.borrow() {
            break;
        }
        log.reconnects += 1;
        shared.counters.reconnects.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    log
}

/// Waits, while sockets are being started one by one, until no more than `ahead` of the `started`
/// are still opening: handshakes in waves, so they don't all queue at once. Fails when nothing
/// opens for `patience`.
pub async fn wait_for_wave(
    open: &AtomicU64,
    started: usize,
    ahead: usize,
    patience: Duration,
    total: usize,
) -> Result<()> {
    let wave = tokio::time::Instant::now();
    while (open.load(Ordering::Relaxed) as usize) + ahead < started {
        if wave.elapsed() > patience {
            anyhow::bail!(
                "sockets stopped opening at {} of {total}",
                open.load(Ordering::Relaxed)
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

/// Waits until `want` sockets are open (progress every 2 s), or fails after `within`.
pub async fn wait_all_open(open: &AtomicU64, want: usize, within: Duration) -> Result<()> {
    let deadline = tokio::time::Instant::now() + within;
    let mut shown = tokio::time::Instant::now();
    while (open.load(Ordering::Relaxed) as usize) < want {
        if shown.elapsed() > Duration::from_secs(2) {
            shown = tokio::time::Instant::now();
            eprintln!("opening sockets: {}/{want}", open.load(Ordering::Relaxed));
        }
        if tokio::time::Instant::now() > deadline {
            anyhow::bail!(
                "only {} of {want} sockets opened in {} s",
                open.load(Ordering::Relaxed),
                within.as_secs()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}
