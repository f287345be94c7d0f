//! `inplay load`: the peak moment on one machine, measured.
//!
//! N WebSocket clients watch one match, spread over regions with the dev-only override header; a
//! simulated match is played into the Worker by two signed sources; right after the markets reopen
//! from a goal, a burst of bets from many users arrives. Measured:
//! - delivery of every update to every socket: from the feed POST that caused it (or, for updates the
//!   hub makes on its own timer such as a reopen, from the hub's apply time `Delta::at_ms`, same host
//!   clock) to the client's receipt; lost and out-of-order versions per socket;
//! - bets sent / accepted / rejected by code / unanswered, and the final decision's arrival on the
//!   bettor's own socket beyond the bet delay; whether each user's decisions arrive in order;
//! - with `--baseline`, the same delivery through a bare broadcast server (tokio-tungstenite, in this
//!   process) to as many sockets, so the Worker's figure reads as a ratio to the machine's limit;
//! - with `--fault`, what a restart, a source outage, a total outage or a stream of bad requests does
//!   to all of the above.
//!
//! Loopback only, bounded: the run ends at full time plus the bet delay, or at `--max-seconds`.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use futures_util::{SinkExt, StreamExt};
use hyper::Method;
use inplay_engine::football::FootballParams;
use inplay_engine::live::{BetStatus, FeedKind, Frame, LiveView, SuspensionReason, Version};
use inplay_engine::market::{MarketKey, SelectionKey};
use inplay_engine::odds::ladder;
use inplay_engine::signing::mint_token;
use inplay_engine::sim::{SimConfig, simulate_match};
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::dev_server::{DevServer, random_hex};
use crate::dev_vars::Secrets;
use crate::feed_client::{Http, feed_headers, now_ms};
use crate::feed_plan::{Outage, PlanOptions, Silenced, plan};
use crate::feed_run::{FeedTarget, PostRecord, play};

/// What to break during the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Fault {
    /// Kill the dev server mid-burst and start it again on the same state.
    Restart,
    /// The primary feed is silent around the first goal.
    PrimaryDown,
    /// Both feeds are silent for longer than the stale bound.
    BothDown,
    /// Garbage, oversized and forged requests throughout.
    Garbage,
}

/// The bet path under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BetsVia {
    /// On the bettor's socket.
    Socket,
    /// One HTTP request per bet.
    Http,
}

/// `inplay load` flags.
#[derive(clap::Args, Debug, Clone)]
pub struct LoadArgs {
    /// A running Worker (its secrets from .dev.vars); default: start a wrangler dev of our own.
    #[arg(long)]
    pub url: Option<String>,
    /// WebSocket clients on the match.
    #[arg(long, default_value_t = 1000)]
    pub sockets: usize,
    /// Regions the clients are spread over (X-Inplay-Region).
    #[arg(long, value_delimiter = ',', default_value = "weur,enam,apac,wnam")]
    pub regions: Vec<String>,
    /// Relay shards per region (own server only).
    #[arg(long, default_value_t = 2)]
    pub shards: u32,
    /// Users that bet; each has one of the sockets.
    #[arg(long, default_value_t = 500)]
    pub bettors: usize,
    /// Bets per burst.
    #[arg(long, default_value_t = 2000)]
    pub bets: usize,
    /// Seconds a burst is spread over.
    #[arg(long, default_value_t = 10.0)]
    pub bet_window: f64,
    /// Bursts (one after each goal's reopen, from the first goal).
    #[arg(long, default_value_t = 1)]
    pub bursts: usize,
    /// Bet requests in flight at once (HTTP bets).
    #[arg(long, default_value_t = 64)]
    pub bet_concurrency: usize,
    /// How bets travel: as `{"type":"bet"}` messages on the bettor's own socket (batched by its relay),
    /// or one `POST /v1/events/{id}/bets` each.
    #[arg(long, value_enum, default_value = "socket")]
    pub bets_via: BetsVia,
    /// Match speed.
    #[arg(long, default_value_t = 60.0)]
    pub speed: f64,
    /// Match seed (7 has an early goal).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Also measure a bare broadcast server with as many sockets.
    #[arg(long)]
    pub baseline: bool,
    /// Only the baseline (no Worker).
    #[arg(long)]
    pub baseline_only: bool,
    /// Break something during the run.
    #[arg(long, value_enum)]
    pub fault: Option<Fault>,
    /// Talk to the Worker's own entry socket, past wrangler's dev proxy (own server only): the proxy
    /// runs out of file descriptors near 3 300 sockets on this machine, and production has no proxy.
    #[arg(long)]
    pub direct: bool,
    /// Write the report as JSON here too.
    #[arg(long)]
    pub json: Option<std::path::PathBuf>,
    /// Hard stop.
    #[arg(long, default_value_t = 900)]
    pub max_seconds: u64,
}

// ---------------------------------------------------------------- statistics

/// p50 / p99 / max of a sample, in ms.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Quantiles {
    /// Samples.
    pub n: usize,
    /// Median.
    pub p50: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest.
    pub max: f64,
}

impl Quantiles {
    /// Of a sample (sorted in place).
    pub fn of(v: &mut [f64]) -> Quantiles {
        if v.is_empty() {
            return Quantiles::default();
        }
        v.sort_by(|a, b| a.total_cmp(b));
        let q = |p: f64| v[((p * v.len() as f64) as usize).min(v.len() - 1)];
        Quantiles {
            n: v.len(),
            p50: q(0.5),
            p99: q(0.99),
            max: v[v.len() - 1],
        }
    }
}

impl std::fmt::Display for Quantiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (n={})",
            self.p50, self.p99, self.max, self.n
        )
    }
}

// ---------------------------------------------------------------- sockets

#[derive(Default)]
struct Counters {
    open: AtomicU64,
    deltas: AtomicU64,
    bets_sent: AtomicU64,
    bets_answered: AtomicU64,
    finals: AtomicU64,
    reconnects: AtomicU64,
}

/// A final bet decision as a socket received it.
#[derive(Debug, Clone)]
struct FinalSeen {
    status: String,
    recv_ms: u64,
    /// Arrival position on the owner's socket.
    order: u64,
}

struct Shared {
    counters: Counters,
    finals: Mutex<HashMap<String, FinalSeen>>,
    /// First answer on the socket (the pending decision), by bet id: receipt time.
    firsts: Mutex<HashMap<String, u64>>,
    /// Refusals before the engine (`bet_error` text frames), by bet id: (code, receipt).
    errors: Mutex<HashMap<String, (String, u64)>>,
}

/// What one socket saw.
#[derive(Debug, Default)]
struct SocketLog {
    /// (seq, hub apply time, receipt).
    deltas: Vec<(u64, u64, u64)>,
    lost: u64,
    disorder: u64,
    skipped_by_snapshot: u64,
    last: Option<Version>,
    reconnects: u64,
}

fn live_url(
    http: &Http,
    event: &str,
    client: &str,
    token: Option<&str>,
    since: Option<Version>,
) -> String {
    let mut url = http.ws_url(&format!("/v1/events/{event}/live?client={client}"));
    if let Some(t) = token {
        url.push_str(&format!("&token={t}"));
    }
    if let Some(v) = since {
        url.push_str(&format!("&since={}:{}", v.epoch, v.seq));
    }
    url
}

async fn connect(
    url: &str,
    region: &str,
) -> Result<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
> {
    let mut req = url.into_client_request()?;
    req.headers_mut().insert("x-inplay-region", region.parse()?);
    let (ws, _) = tokio::time::timeout(
        Duration::from_secs(30),
        tokio_tungstenite::connect_async(req),
    )
    .await
    .context("connect timed out")??;
    Ok(ws)
}

#[allow(clippy::too_many_arguments)]
async fn socket_task(
    http: Http,
    event: String,
    client: String,
    region: String,
    token: Option<String>,
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
        let url = live_url(&http, &event, &client, token.as_deref(), log.last);
        let mut ws = match connect(&url, &region).await {
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
                Frame::Snapshot { snapshot, .. } => {
                    let v = snapshot.version;
                    if let Some(last) = log.last
                        && last.epoch == v.epoch
                        && v.seq > last.seq
                    {
                        log.skipped_by_snapshot += v.seq - last.seq;
                    }
                    log.last = Some(v);
                    if !counted_open {
                        counted_open = true;
                        shared.counters.open.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Frame::Delta(d) => {
                    shared.counters.deltas.fetch_add(1, Ordering::Relaxed);
                    match log.last {
                        Some(last) if last.epoch == d.version.epoch => {
                            if d.version.seq == last.seq + 1 {
                                log.deltas.push((d.version.seq, d.at_ms, recv));
                                log.last = Some(d.version);
                            } else if d.version.seq > last.seq + 1 {
                                log.lost += d.version.seq - last.seq - 1;
                                log.deltas.push((d.version.seq, d.at_ms, recv));
                                log.last = Some(d.version);
                            } else {
                                log.disorder += 1;
                            }
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

// ---------------------------------------------------------------- observer

/// A suspension as the observer saw it.
#[derive(Debug, Clone, serde::Serialize)]
struct SuspensionSeen {
    reason: &'static str,
    from_ms: u64,
    to_ms: Option<u64>,
}

#[derive(Default)]
struct ObserverState {
    view: Option<LiveView>,
    suspensions: Vec<SuspensionSeen>,
    goals: u32,
}

/// Follows the match on one socket's frames: keeps a LiveView for pricing bets, records suspensions,
/// and says when the markets reopen after a goal.
async fn observer_task(
    mut rx: mpsc::UnboundedReceiver<(u64, Frame)>,
    state: Arc<Mutex<ObserverState>>,
    reopened: mpsc::UnboundedSender<u64>,
) {
    let mut goal_pending = false;
    while let Some((recv, frame)) = rx.recv().await {
        let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
        match frame {
            Frame::Snapshot { snapshot, .. } => st.view = Some(LiveView::new(*snapshot)),
            Frame::Delta(d) => {
                if let Some(v) = st.view.as_mut()
                    && v.apply_delta(&d).is_err()
                {
                    continue;
                }
            }
            _ => continue,
        }
        let Some(view) = st.view.as_ref() else {
            continue;
        };
        let image = &view.snapshot().image;
        let goals = image
            .football()
            .map_or(0, |f| f.state.score.home as u32 + f.state.score.away as u32);
        let active: Vec<SuspensionReason> = image.suspensions.iter().map(|s| s.reason).collect();
        if goals > st.goals {
            goal_pending = true;
        }
        st.goals = goals;
        for open in st.suspensions.iter_mut().filter(|s| s.to_ms.is_none()) {
            if !active.iter().any(|r| r.as_str() == open.reason) {
                open.to_ms = Some(recv);
            }
        }
        for r in &active {
            if !st
                .suspensions
                .iter()
                .any(|s| s.to_ms.is_none() && s.reason == r.as_str())
            {
                st.suspensions.push(SuspensionSeen {
                    reason: r.as_str(),
                    from_ms: recv,
                    to_ms: None,
                });
            }
        }
        if goal_pending && active.is_empty() {
            goal_pending = false;
            let _ = reopened.send(recv);
        }
    }
}

// ---------------------------------------------------------------- bets

#[derive(Debug, Clone)]
struct BetRecord {
    user: usize,
    index: usize,
    key: String,
    sent_ms: u64,
    answered_ms: u64,
    http_status: u16,
    /// `pending`, `accepted`, `rejected:<code>` (engine) or `error:<code>` (refused before the engine).
    first: String,
    bet_id: Option<String>,
    retries: u32,
}

/// The home win's offered price now, and the version it was seen at.
fn quote(observer: &Mutex<ObserverState>) -> (f64, Version) {
    let st = observer.lock().unwrap_or_else(|e| e.into_inner());
    let view = st.view.as_ref();
    let price = view
        .and_then(|v| v.prices(now_ms()).ok())
        .and_then(|b| {
            b.selection(MarketKey::MatchResult, SelectionKey::Home)
                // A suspended market has no offered odds: any ladder price will do under `any`.
                .and_then(|s| s.odds.or_else(|| ladder::round_down(s.fair_odds).ok()))
        })
        .unwrap_or(2.0);
    (price, view.map(|v| v.version()).unwrap_or_default())
}

/// A £1 home-win bet at `price`, any price change accepted.
fn bet_body(price: f64, seen: Version) -> Value {
    json!({
        "market": "1x2", "selection": "home", "stake": 100, "price": price,
        "seen_version": { "epoch": seen.epoch, "seq": seen.seq }, "policy": "any",
    })
}

#[allow(clippy::too_many_arguments)]
async fn burst(
    burst_no: usize,
    n: usize,
    window: Duration,
    concurrency: usize,
    http: Http,
    event: String,
    tokens: Arc<Vec<String>>,
    observer: Arc<Mutex<ObserverState>>,
    shared: Arc<Shared>,
    senders: Option<Arc<Vec<mpsc::UnboundedSender<String>>>>,
) -> Vec<BetRecord> {
    let sem = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let due = start + window.mul_f64(i as f64 / n.max(1) as f64);
        tokio::time::sleep_until(due).await;
        if let Some(senders) = &senders {
            // On the bettor's own socket: no request to wait for; the answers come as frames.
            let user = i % senders.len();
            let (price, seen) = quote(&observer);
            let key = format!("b{burst_no}-{i}");
            let msg =
                json!({ "type": "bet", "key": key, "bet": bet_body(price, seen) }).to_string();
            let sent_ms = now_ms();
            shared.counters.bets_sent.fetch_add(1, Ordering::Relaxed);
            let _ = senders[user].send(msg);
            let id = inplay_protocol::ids::bet_id(&event, &format!("u{user}"), &key);
            tasks.push(tokio::spawn(async move {
                BetRecord {
                    user,
                    index: i,
                    bet_id: Some(id),
                    key,
                    sent_ms,
                    answered_ms: sent_ms,
                    http_status: 0,
                    first: "unanswered".into(),
                    retries: 0,
                }
            }));
            continue;
        }
        let permit = sem.clone().acquire_owned().await;
        let (http, event, tokens, observer, shared) = (
            http.clone(),
            event.clone(),
            tokens.clone(),
            observer.clone(),
            shared.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let _permit = permit;
            let user = i % tokens.len();
            let (price, seen) = quote(&observer);
            let body = bet_body(price, seen);
            let key = format!("b{burst_no}-{i}");
            let headers = [
                ("authorization", format!("Bearer {}", tokens[user])),
                ("idempotency-key", key.clone()),
            ];
            let body = serde_json::to_vec(&body).unwrap_or_default();
            let sent_ms = now_ms();
            shared.counters.bets_sent.fetch_add(1, Ordering::Relaxed);
            let mut retries = 0;
            // The same Idempotency-Key on every retry: a bet the server took once is answered, not doubled.
            let answer = loop {
                match http
                    .send(
                        Method::POST,
                        &format!("/v1/events/{event}/bets"),
                        &headers,
                        Some(body.clone()),
                    )
                    .await
                {
                    Ok(a) if a.status < 500 => break Some(a),
                    _ if retries < 120 => {
                        retries += 1;
                        tokio::time::sleep(Duration::from_millis(250)).await;
                    }
                    Ok(a) => break Some(a),
                    Err(_) => break None,
                }
            };
            shared
                .counters
                .bets_answered
                .fetch_add(1, Ordering::Relaxed);
            let answered_ms = now_ms();
            let (http_status, first, bet_id) = match &answer {
                Some(a) if a.status == 200 || a.status == 202 => {
                    let j = a.json();
                    (
                        a.status,
                        j.get("status")
                            .and_then(Value::as_str)
                            .unwrap_or("?")
                            .to_string(),
                        j.get("bet_id").and_then(Value::as_str).map(String::from),
                    )
                }
                Some(a) => (
                    a.status,
                    format!(
                        "error:{}",
                        a.error_code().unwrap_or_else(|| a.status.to_string())
                    ),
                    None,
                ),
                None => (0, "error:transport".into(), None),
            };
            BetRecord {
                user,
                index: i,
                key,
                sent_ms,
                answered_ms,
                http_status,
                first,
                bet_id,
                retries,
            }
        }));
    }
    let mut out = Vec::with_capacity(n);
    for t in tasks {
        if let Ok(r) = t.await {
            out.push(r);
        }
    }
    out
}

// ---------------------------------------------------------------- bad requests

/// Fires refused-by-design requests until stopped; returns (kind, status, code) of each.
async fn garbage_task(
    http: Http,
    event: String,
    secrets: [String; 2],
    valid_token: String,
    mut stop: watch::Receiver<bool>,
) -> Vec<(&'static str, u16, String)> {
    let mut out = Vec::new();
    let mut i = 0u64;
    while !*stop.borrow() {
        i += 1;
        let kind = i % 8;
        let (name, answer) = match kind {
            0 => {
                let body = b"\x00\xffnot json at all".to_vec();
                let h = feed_headers(
                    inplay_engine::live::Source::Primary,
                    &secrets[0],
                    now_ms(),
                    &body,
                );
                (
                    "feed_garbage_signed",
                    http.send(Method::POST, "/v1/feed", &h, Some(body)).await,
                )
            }
            1 => {
                let body = json!({"event_id": event, "source": "primary", "seq": 1, "ts": now_ms(), "kind": "goal", "team": "home", "clock_ms": 1}).to_string().into_bytes();
                let h = feed_headers(
                    inplay_engine::live::Source::Primary,
                    "forged-secret",
                    now_ms(),
                    &body,
                );
                (
                    "feed_forged_signature",
                    http.send(Method::POST, "/v1/feed", &h, Some(body)).await,
                )
            }
            2 => {
                let body = vec![b' '; 300 * 1024];
                let h = feed_headers(
                    inplay_engine::live::Source::Backup,
                    &secrets[1],
                    now_ms(),
                    &body,
                );
                (
                    "feed_oversized",
                    http.send(Method::POST, "/v1/feed", &h, Some(body)).await,
                )
            }
            3 => {
                let body = b"[]".to_vec();
                (
                    "feed_unsigned",
                    http.send(Method::POST, "/v1/feed", &[], Some(body)).await,
                )
            }
            4 => {
                let body = json!({"event_id": event, "source": "backup", "seq": 1, "ts": now_ms(), "kind": "goal", "team": "away", "clock_ms": 1}).to_string().into_bytes();
                let h = feed_headers(
                    inplay_engine::live::Source::Backup,
                    &secrets[1],
                    now_ms() - 3_600_000,
                    &body,
                );
                (
                    "feed_expired_signature",
                    http.send(Method::POST, "/v1/feed", &h, Some(body)).await,
                )
            }
            5 => {
                let h = [
                    (
                        "authorization",
                        "Bearer mallory.99999999999999.00".to_string(),
                    ),
                    ("idempotency-key", format!("g{i}")),
                ];
                let body = br#"{"market":"1x2","selection":"home","stake":100,"price":2.0,"seen_version":{"epoch":0,"seq":0}}"#.to_vec();
                (
                    "bet_forged_token",
                    http.send(
                        Method::POST,
                        &format!("/v1/events/{event}/bets"),
                        &h,
                        Some(body),
                    )
                    .await,
                )
            }
            6 => {
                let h = [("authorization", "Bearer nope".to_string())];
                (
                    "create_without_admin",
                    http.send(Method::POST, "/v1/events", &h, Some(b"{}".to_vec()))
                        .await,
                )
            }
            _ => {
                // A valid bettor, so the size limit (not the token) is what refuses it.
                let body = vec![b'{'; 8 * 1024];
                let h = [
                    ("authorization", format!("Bearer {valid_token}")),
                    ("idempotency-key", format!("g{i}")),
                ];
                (
                    "bet_oversized_garbage",
                    http.send(
                        Method::POST,
                        &format!("/v1/events/{event}/bets"),
                        &h,
                        Some(body),
                    )
                    .await,
                )
            }
        };
        match answer {
            Ok(a) => out.push((name, a.status, a.error_code().unwrap_or_default())),
            Err(_) => out.push((name, 0, "transport".into())),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            _ = stop.changed() => {}
        }
    }
    out
}

// ---------------------------------------------------------------- baseline

/// Delivery through a bare tokio-tungstenite broadcast server in this process.
pub async fn baseline(
    sockets: usize,
    messages: usize,
    interval: Duration,
) -> Result<(Quantiles, u64)> {
    use tokio::net::TcpListener;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (tx, _) = tokio::sync::broadcast::channel::<Message>(4096);
    let server_tx = tx.clone();
    let server = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                break;
            };
            let _ = stream.set_nodelay(true);
            let tx = server_tx.clone();
            tokio::spawn(async move {
                let mut path = String::new();
                // The callback's error type is tungstenite's, not ours.
                #[allow(clippy::result_large_err)]
                let cb = |req: &tokio_tungstenite::tungstenite::handshake::server::Request,
                          resp: tokio_tungstenite::tungstenite::handshake::server::Response| {
                    path = req.uri().path().to_string();
                    Ok(resp)
                };
                let Ok(ws) = tokio_tungstenite::accept_hdr_async(stream, cb).await else {
                    return;
                };
                let (mut sink, mut stream) = ws.split();
                if path == "/pub" {
                    while let Some(Ok(m)) = stream.next().await {
                        if m.is_binary() {
                            let _ = tx.send(m);
                        }
                    }
                } else {
                    let mut rx = tx.subscribe();
                    while let Ok(m) = rx.recv().await {
                        if sink.send(m).await.is_err() {
                            break;
                        }
                    }
                }
            });
        }
    });
    let url = format!("ws://{addr}/live");
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut clients = Vec::with_capacity(sockets);
    let opened = Arc::new(AtomicU64::new(0));
    for chunk in (0..sockets).collect::<Vec<_>>().chunks(200) {
        let mut batch = Vec::new();
        for _ in chunk {
            let (url, mut stop, opened) = (url.clone(), stop_rx.clone(), opened.clone());
            batch.push(tokio::spawn(async move {
                let (mut ws, _) = tokio_tungstenite::connect_async(url.as_str()).await?;
                opened.fetch_add(1, Ordering::Relaxed);
                let mut lat = Vec::new();
                let mut last = 0u64;
                let mut lost = 0u64;
                loop {
                    tokio::select! {
                        m = ws.next() => match m {
                            Some(Ok(Message::Binary(b))) if b.len() >= 16 => {
                                let seq = u64::from_le_bytes(b[0..8].try_into().unwrap_or_default());
                                let sent = u64::from_le_bytes(b[8..16].try_into().unwrap_or_default());
                                lat.push((now_us().saturating_sub(sent)) as f64 / 1000.0);
                                lost += seq.saturating_sub(last + 1);
                                last = seq;
                            }
                            Some(Ok(_)) => {}
                            _ => break,
                        },
                        _ = stop.changed() => break,
                    }
                }
                anyhow::Ok((lat, last, lost))
            }));
        }
        clients.extend(batch);
        while (opened.load(Ordering::Relaxed) as usize) < clients.len() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    let (mut publisher, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/pub")).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pad = vec![0u8; 120];
    for seq in 1..=messages as u64 {
        let mut m = Vec::with_capacity(136);
        m.extend_from_slice(&seq.to_le_bytes());
        m.extend_from_slice(&now_us().to_le_bytes());
        m.extend_from_slice(&pad);
        publisher.send(Message::Binary(m.into())).await?;
        tokio::time::sleep(interval).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let _ = stop_tx.send(true);
    let mut all = Vec::new();
    let mut lost = 0;
    for c in clients {
        if let Ok(Ok((lat, last, l))) = c.await {
            all.extend(lat);
            lost += l + (messages as u64).saturating_sub(last);
        } else {
            lost += messages as u64;
        }
    }
    server.abort();
    Ok((Quantiles::of(&mut all), lost))
}

fn now_us() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

// ---------------------------------------------------------------- the run

/// Where each update came from, for its delivery origin.
fn origin_of(at_ms: u64, posts: &[PostRecord]) -> Option<u64> {
    // The latest accepted feed post that was in flight when the hub applied the update.
    let i = posts.partition_point(|p| p.sent_ms <= at_ms);
    posts[..i]
        .iter()
        .rev()
        .take(64)
        .filter(|p| p.answered_ms + 1 >= at_ms && (p.result == "accepted" || p.result == "held"))
        .map(|p| p.sent_ms)
        .max()
}

/// `inplay load`. Ctrl-C (or SIGTERM) ends the run and stops the server it started.
pub async fn run(a: LoadArgs) -> Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        r = run_inner(a) => r,
        _ = tokio::signal::ctrl_c() => bail!("interrupted"),
        _ = term.recv() => bail!("terminated"),
    }
}

async fn run_inner(a: LoadArgs) -> Result<()> {
    let mut report = serde_json::Map::new();
    report.insert(
        "command".into(),
        json!(std::env::args().collect::<Vec<_>>().join(" ")),
    );
    let mut lines: Vec<String> = Vec::new();
    let say = |lines: &mut Vec<String>, s: String| {
        println!("{s}");
        lines.push(s);
    };

    let mut baseline_q = None;
    if a.baseline || a.baseline_only {
        eprintln!("baseline: {} sockets on a bare broadcast server", a.sockets);
        let (q, lost) = baseline(a.sockets, 100, Duration::from_millis(100)).await?;
        say(
            &mut lines,
            format!(
                "baseline (bare tokio-tungstenite broadcast, {} sockets, 100 updates): {q}, lost {lost}",
                a.sockets
            ),
        );
        report.insert("baseline".into(), json!({ "delivery_ms": q, "lost": lost }));
        baseline_q = Some(q);
        if a.baseline_only {
            return finish(&a, report);
        }
    }

    // Server and secrets.
    let mut server = None;
    let (url, secrets) = match &a.url {
        Some(u) => (u.clone(), Secrets::load(None)?),
        None => {
            let mut vars = HashMap::new();
            for k in [
                "FEED_SECRET_PRIMARY",
                "FEED_SECRET_BACKUP",
                "TOKEN_SECRET",
                "ADMIN_TOKEN",
            ] {
                vars.insert(k.to_string(), random_hex()?);
            }
            vars.insert("ALLOW_REGION_OVERRIDE".into(), "1".into());
            vars.insert("RELAY_SHARDS".into(), a.shards.to_string());
            vars.insert("HEARTBEAT_MS".into(), "5000".into());
            let secrets = Secrets::from_map(&vars);
            eprintln!("starting wrangler dev (local workerd)...");
            let s = DevServer::start(vars).await?;
            eprintln!(
                "wrangler dev on {} (log {})",
                s.url(),
                s.log_path().display()
            );
            let url = if a.direct {
                let inner = s.inner_url().await?;
                eprintln!("--direct: the worker's own entry is {inner}");
                inner
            } else {
                s.url()
            };
            server = Some(s);
            (url, secrets)
        }
    };
    if a.fault == Some(Fault::Restart) && a.direct {
        bail!(
            "--fault restart goes through wrangler's proxy (the worker's own port changes on restart): leave out --direct"
        );
    }
    if a.direct && a.url.is_some() {
        bail!("--direct finds the entry of the tool's own server: leave out --url");
    }
    if a.fault == Some(Fault::Restart) && server.is_none() {
        bail!("--fault restart needs the tool's own server (leave out --url)");
    }
    let http = Http::new(&url)?;
    let admin = Secrets::need(&secrets.admin, "ADMIN_TOKEN")?.to_string();
    let token_secret = Secrets::need(&secrets.token, "TOKEN_SECRET")?.to_string();
    let feed_secrets = [
        Secrets::need(&secrets.feed_primary, "FEED_SECRET_PRIMARY")?.to_string(),
        Secrets::need(&secrets.feed_backup, "FEED_SECRET_BACKUP")?.to_string(),
    ];

    // The match.
    let params = FootballParams::new(1.6, 1.2);
    let events = simulate_match(&SimConfig::new(params, a.seed));
    let mut opts = PlanOptions {
        speed: a.speed,
        lead_in_ms: 4_000,
        seed: a.seed,
        ..PlanOptions::default()
    };
    match a.fault {
        Some(Fault::PrimaryDown) => {
            // The primary falls silent 15 wall seconds before a goal (so by the goal it has been
            // silent longer than the 10 s stale bound and no longer counts as a witness) and returns
            // 10 wall seconds after it: the backup alone reports the goal.
            let lead = (15_000.0 * a.speed) as u64;
            let tail = (10_000.0 * a.speed) as u64;
            let g = events
                .iter()
                .filter(|e| matches!(e.kind, FeedKind::Goal { .. }))
                .map(|e| e.clock_ms)
                .find(|&c| c >= lead + 60_000 && c + tail < 2 * 2_700_000)
                .unwrap_or(lead + 600_000);
            opts.outages.push(Outage {
                who: Silenced::Primary,
                from_ms: g - lead,
                to_ms: g + tail,
            });
        }
        Some(Fault::BothDown) => {
            // 20 wall seconds of silence from both, twice the 10 s stale bound, in a stretch of one
            // half without a goal: a goal nobody reports cannot be known, and the run would then
            // show (correctly, but beside the point) a score discrepancy when the sources return.
            let len = (20_000.0 * a.speed) as u64;
            let quiet = |from: u64| {
                !events.iter().any(|e| {
                    matches!(
                        e.kind,
                        FeedKind::Goal { .. } | FeedKind::GoalCancelled { .. }
                    ) && e.clock_ms + 60_000 >= from
                        && e.clock_ms <= from + len + 60_000
                })
            };
            let from = (60_000..2_700_000u64.saturating_sub(len))
                .step_by(60_000)
                .chain((2_760_000..5_400_000u64.saturating_sub(len)).step_by(60_000))
                .find(|&f| quiet(f))
                .unwrap_or(600_000);
            opts.outages.push(Outage {
                who: Silenced::Both,
                from_ms: from,
                to_ms: from + len,
            });
        }
        _ => {}
    }
    let the_plan = plan(&events, &opts);
    let event = format!("load-{}", now_ms() / 1000 % 1_000_000);
    let opening = json!({
        "event_id": event,
        "fixture": { "home": "Home", "away": "Away", "kickoff_ms": now_ms() + the_plan.kickoff_at },
        "params": params,
        "config": {
            "max_clock_drift_ms": crate::simulate::clock_drift_bound(a.speed),
            "stale_after_ms": crate::simulate::STALE_AFTER_MS,
        },
    });
    let created = http.create_event(&admin, &opening).await?;
    if created.status != 201 {
        bail!(
            "create failed: {} {}",
            created.status,
            String::from_utf8_lossy(&created.body)
        );
    }

    // Sockets.
    let shared = Arc::new(Shared {
        counters: Counters::default(),
        finals: Mutex::new(HashMap::new()),
        firsts: Mutex::new(HashMap::new()),
        errors: Mutex::new(HashMap::new()),
    });
    let (stop_tx, stop_rx) = watch::channel(false);
    let bettors = a.bettors.min(a.sockets).max(1);
    let expiry = now_ms() + 3_600_000;
    let tokens: Arc<Vec<String>> = Arc::new(
        (0..bettors)
            .map(|u| mint_token(token_secret.as_bytes(), &format!("u{u}"), expiry))
            .collect(),
    );
    let observer_state = Arc::new(Mutex::new(ObserverState::default()));
    let (obs_tx, obs_rx) = mpsc::unbounded_channel();
    let (reopen_tx, mut reopen_rx) = mpsc::unbounded_channel();
    tokio::spawn(observer_task(obs_rx, observer_state.clone(), reopen_tx));
    let t_open = Instant::now();
    let mut senders = Vec::with_capacity(bettors);
    let mut receivers = Vec::with_capacity(bettors);
    for _ in 0..bettors {
        let (tx, rx) = mpsc::unbounded_channel::<String>();
        senders.push(tx);
        receivers.push(Some(rx));
    }
    let senders = (a.bets_via == BetsVia::Socket).then(|| Arc::new(senders));
    let mut socket_tasks = Vec::with_capacity(a.sockets + 1);
    socket_tasks.push(tokio::spawn(socket_task(
        http.clone(),
        event.clone(),
        "observer".into(),
        a.regions[0].clone(),
        None,
        shared.clone(),
        stop_rx.clone(),
        Some(obs_tx),
        None,
    )));
    for i in 0..a.sockets {
        let token = (i < bettors).then(|| tokens[i].clone());
        let region = a.regions[i % a.regions.len()].clone();
        socket_tasks.push(tokio::spawn(socket_task(
            http.clone(),
            event.clone(),
            format!("c{i}"),
            region,
            token,
            shared.clone(),
            stop_rx.clone(),
            None,
            receivers.get_mut(i).and_then(Option::take),
        )));
        if i % 100 == 99 {
            // Open in waves so the handshakes don't all queue at once.
            let wave = Instant::now();
            while (shared.counters.open.load(Ordering::Relaxed) as usize) + 200 < i {
                if wave.elapsed() > Duration::from_secs(60) {
                    bail!(
                        "sockets stopped opening at {} of {}",
                        shared.counters.open.load(Ordering::Relaxed),
                        a.sockets
                    );
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            if i % 1000 == 999 {
                eprintln!(
                    "opening sockets: {}/{}",
                    shared.counters.open.load(Ordering::Relaxed),
                    a.sockets + 1
                );
            }
        }
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut shown = Instant::now();
    while (shared.counters.open.load(Ordering::Relaxed) as usize) < a.sockets + 1 {
        if shown.elapsed() > Duration::from_secs(2) {
            shown = Instant::now();
            eprintln!(
                "opening sockets: {}/{}",
                shared.counters.open.load(Ordering::Relaxed),
                a.sockets + 1
            );
        }
        if Instant::now() > deadline {
            bail!(
                "only {} of {} sockets opened in 120 s",
                shared.counters.open.load(Ordering::Relaxed),
                a.sockets + 1
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    say(
        &mut lines,
        format!(
            "{} sockets open over {} regions in {:.1} s",
            a.sockets,
            a.regions.len(),
            t_open.elapsed().as_secs_f64()
        ),
    );

    // Progress.
    let progress_shared = shared.clone();
    let started = Instant::now();
    let progress = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(2)).await;
            let c = &progress_shared.counters;
            eprintln!(
                "t+{:>4.0}s  sockets {}  deltas received {}  bets sent {} answered {} decided-on-socket {}  reconnects {}",
                started.elapsed().as_secs_f64(),
                c.open.load(Ordering::Relaxed),
                c.deltas.load(Ordering::Relaxed),
                c.bets_sent.load(Ordering::Relaxed),
                c.bets_answered.load(Ordering::Relaxed),
                c.finals.load(Ordering::Relaxed),
                c.reconnects.load(Ordering::Relaxed),
            );
        }
    });

    // Bad requests, when asked.
    let garbage = (a.fault == Some(Fault::Garbage)).then(|| {
        tokio::spawn(garbage_task(
            http.clone(),
            event.clone(),
            feed_secrets.clone(),
            mint_token(token_secret.as_bytes(), "garbage", now_ms() + 3_600_000),
            stop_rx.clone(),
        ))
    });

    // The match, and bursts after reopens.
    let target = FeedTarget {
        http: http.clone(),
        event_id: event.clone(),
        secrets: feed_secrets.clone(),
    };
    let plan_for_feed = the_plan.clone();
    let feed = tokio::spawn(async move { play(target, &plan_for_feed, None).await });
    let mut bursts = Vec::new();
    let mut restarted_at = None;
    let hard_stop = Instant::now() + Duration::from_secs(a.max_seconds);
    let mut feed = Some(feed);
    let mut feed_stats = None;
    loop {
        tokio::select! {
            Some(at) = reopen_rx.recv(), if bursts.len() < a.bursts => {
                eprintln!("markets reopened after a goal: burst of {} bets over {:.0} s", a.bets, a.bet_window);
                let _ = at;
                bursts.push(tokio::spawn(burst(
                    bursts.len(), a.bets, Duration::from_secs_f64(a.bet_window), a.bet_concurrency,
                    http.clone(), event.clone(), tokens.clone(), observer_state.clone(), shared.clone(),
                    senders.clone(),
                )));
                if a.fault == Some(Fault::Restart) && restarted_at.is_none() {
                    // Mid-burst: half the window in.
                    tokio::time::sleep(Duration::from_secs_f64(a.bet_window / 2.0)).await;
                    eprintln!("fault: restarting the dev server");
                    let t = Instant::now();
                    if let Some(s) = server.as_mut() {
                        s.restart().await?;
                    }
                    restarted_at = Some(t.elapsed());
                    eprintln!("fault: dev server back after {:.1} s", t.elapsed().as_secs_f64());
                }
            }
            r = async { feed.as_mut().expect("feed").await }, if feed.is_some() => {
                feed_stats = Some(r.context("feed task")??);
                break;
            }
            _ = tokio::time::sleep_until(hard_stop) => {
                eprintln!("--max-seconds reached");
                break;
            }
        }
    }
    let mut bet_records: Vec<BetRecord> = Vec::new();
    for b in bursts {
        bet_records.extend(b.await.unwrap_or_default());
    }
    // Let delayed decisions and the last updates arrive.
    let bet_delay = observer_state
        .lock()
        .ok()
        .and_then(|s| {
            s.view
                .as_ref()
                .map(|v| v.snapshot().image.trading.bet_delay_ms)
        })
        .unwrap_or(5_000);
    tokio::time::sleep(Duration::from_millis(bet_delay + 3_000)).await;
    let head: Version = {
        let a = http.get(&format!("/v1/events/{event}")).await?;
        serde_json::from_value(a.json()["version"].clone()).unwrap_or_default()
    };
    let _ = stop_tx.send(true);
    progress.abort();
    let mut logs = Vec::new();
    for t in socket_tasks {
        if let Ok(l) = t.await {
            logs.push(l);
        }
    }
    let garbage = match garbage {
        Some(g) => Some(g.await.unwrap_or_default()),
        None => None,
    };

    // ---- delivery
    let mut posts = feed_stats
        .as_ref()
        .map(|s| s.posts.clone())
        .unwrap_or_default();
    posts.sort_by_key(|p| p.sent_ms);
    let mut origin_cache: HashMap<(u64, u64), Option<u64>> = HashMap::new();
    let (mut from_feed, mut from_timer) = (Vec::new(), Vec::new());
    let (mut lost, mut disorder, mut skipped, mut reconnects) = (0u64, 0u64, 0u64, 0u64);
    for l in &logs {
        for &(seq, at, recv) in &l.deltas {
            let origin = *origin_cache
                .entry((seq, at))
                .or_insert_with(|| origin_of(at, &posts));
            match origin {
                Some(sent) => from_feed.push(recv.saturating_sub(sent) as f64),
                None => from_timer.push(recv.saturating_sub(at) as f64),
            }
        }
        lost += l.lost;
        disorder += l.disorder;
        skipped += l.skipped_by_snapshot;
        reconnects += l.reconnects;
        if let Some(last) = l.last
            && last.epoch == head.epoch
        {
            lost += head.seq.saturating_sub(last.seq);
        }
    }
    let mut all: Vec<f64> = from_feed.iter().chain(from_timer.iter()).copied().collect();
    let q_feed = Quantiles::of(&mut from_feed);
    let q_timer = Quantiles::of(&mut from_timer);
    let q_all = Quantiles::of(&mut all);
    say(
        &mut lines,
        format!(
            "match {event}: {} versions, {} sockets (+1 observer)",
            head.seq, a.sockets
        ),
    );
    say(
        &mut lines,
        format!("delivery, feed POST → socket: {q_feed}"),
    );
    say(
        &mut lines,
        format!("delivery, hub timer (reopen, release) → socket: {q_timer}"),
    );
    say(
        &mut lines,
        format!(
            "updates lost {lost}, out of order {disorder}, skipped by a resync snapshot {skipped}, reconnects {reconnects}"
        ),
    );
    if let Some(b) = baseline_q {
        say(
            &mut lines,
            format!(
                "p99 ratio Worker / bare broadcast: {:.2} (feed-driven), {:.2} (all)",
                q_feed.p99 / b.p99.max(0.001),
                q_all.p99 / b.p99.max(0.001)
            ),
        );
    }
    report.insert("sockets".into(), json!(a.sockets));
    report.insert("versions".into(), json!(head.seq));
    report.insert("delivery_feed_ms".into(), json!(q_feed));
    report.insert("delivery_timer_ms".into(), json!(q_timer));
    report.insert("lost".into(), json!(lost));
    report.insert("out_of_order".into(), json!(disorder));
    report.insert("skipped_by_snapshot".into(), json!(skipped));
    report.insert("reconnects".into(), json!(reconnects));
    if let Some(fs) = &feed_stats {
        say(
            &mut lines,
            format!("feed: {}", fs.summary().replace('\n', "; ")),
        );
    }

    // ---- bets
    if !bet_records.is_empty() {
        let finals = shared.finals.lock().map(|f| f.clone()).unwrap_or_default();
        let mut by_code: BTreeMap<String, u64> = BTreeMap::new();
        let mut beyond = Vec::new();
        let mut unanswered = 0u64;
        let mut polled = 0u64;
        let mut accepted_ids = Vec::new();
        let mut answer_ms = Vec::new();
        if a.bets_via == BetsVia::Socket {
            // A socket bet's first answer is its first frame: the pending decision, an immediate
            // decision, or a bet_error.
            let firsts = shared.firsts.lock().map(|f| f.clone()).unwrap_or_default();
            let errors = shared.errors.lock().map(|f| f.clone()).unwrap_or_default();
            for b in bet_records.iter_mut() {
                let Some(id) = b.bet_id.clone() else { continue };
                if let Some((code, at)) = errors.get(&id) {
                    b.first = format!("error:{code}");
                    b.answered_ms = *at;
                } else if let Some(at) = firsts.get(&id) {
                    b.answered_ms = *at;
                    b.first = match finals.get(&id) {
                        Some(f) if f.recv_ms == *at => f.status.clone(),
                        _ => "pending".into(),
                    };
                } else {
                    b.first = "unanswered".into();
                }
            }
        }
        for b in &bet_records {
            if b.first != "unanswered" {
                answer_ms.push(b.answered_ms.saturating_sub(b.sent_ms) as f64);
            }
            let final_status = if b.first == "pending" || b.first == "unanswered" {
                match b.bet_id.as_ref().and_then(|id| finals.get(id)) {
                    Some(f) => {
                        beyond.push(f.recv_ms.saturating_sub(b.sent_ms + bet_delay) as f64);
                        f.status.clone()
                    }
                    None => {
                        // Not on the socket (it was reconnecting): ask the server.
                        let Some(id) = &b.bet_id else {
                            unanswered += 1;
                            continue;
                        };
                        let r = http
                            .send(
                                Method::GET,
                                &format!("/v1/bets/{id}"),
                                &[("authorization", format!("Bearer {admin}"))],
                                None,
                            )
                            .await;
                        match r.ok().map(|r| r.json()).and_then(|j| {
                            j.pointer("/decision/status")
                                .and_then(Value::as_str)
                                .map(String::from)
                        }) {
                            Some(s) if s != "pending" => {
                                polled += 1;
                                s
                            }
                            _ => {
                                unanswered += 1;
                                continue;
                            }
                        }
                    }
                }
            } else {
                b.first.clone()
            };
            if final_status == "accepted"
                && let Some(id) = &b.bet_id
            {
                accepted_ids.push(id.clone());
            }
            *by_code.entry(final_status).or_default() += 1;
        }
        // Delayed decisions of one user arrive in the order the bets were placed. (A bet refused at
        // once, e.g. on a suspended market, is answered before an earlier bet's delay runs out: that
        // is the bet delay working, not a reordering, so only bets that went pending are compared.)
        let mut per_user: HashMap<usize, Vec<(usize, u64)>> = HashMap::new();
        for b in bet_records.iter().filter(|b| b.first == "pending") {
            if let Some(f) = b.bet_id.as_ref().and_then(|id| finals.get(id)) {
                per_user.entry(b.user).or_default().push((b.index, f.order));
            }
        }
        let mut inversions = 0u64;
        for v in per_user.values_mut() {
            v.sort();
            inversions += v.windows(2).filter(|w| w[1].1 < w[0].1).count() as u64;
        }
        let mut lost_accepted = 0u64;
        if a.fault == Some(Fault::Restart) {
            for id in &accepted_ids {
                let r = http
                    .send(
                        Method::GET,
                        &format!("/v1/bets/{id}"),
                        &[("authorization", format!("Bearer {admin}"))],
                        None,
                    )
                    .await;
                let ok = r.ok().map(|r| r.json()).and_then(|j| {
                    j.pointer("/decision/status")
                        .and_then(Value::as_str)
                        .map(String::from)
                });
                if ok.as_deref() != Some("accepted") {
                    lost_accepted += 1;
                }
            }
        }
        let span = bet_records
            .iter()
            .map(|b| b.answered_ms)
            .max()
            .unwrap_or(0)
            .saturating_sub(bet_records.iter().map(|b| b.sent_ms).min().unwrap_or(0));
        let retries: u32 = bet_records.iter().map(|b| b.retries).sum();
        let q_answer = Quantiles::of(&mut answer_ms);
        let q_beyond = Quantiles::of(&mut beyond);
        say(
            &mut lines,
            format!(
                "bets: {} sent, all answered in {:.1} s ({:.0}/s); decisions {}",
                bet_records.len(),
                span as f64 / 1000.0,
                bet_records.len() as f64 * 1000.0 / span.max(1) as f64,
                by_code
                    .iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
        say(
            &mut lines,
            format!(
                "bets unanswered {unanswered} (final decision polled after a reconnect: {polled}), per-user order inversions {inversions}, retries {retries}"
            ),
        );
        say(
            &mut lines,
            format!("bet HTTP answer (pending/refusal): {q_answer}"),
        );
        say(
            &mut lines,
            format!(
                "final decision on the bettor's socket beyond the {bet_delay} ms delay: {q_beyond}"
            ),
        );
        report.insert("bets".into(), json!({
            "sent": bet_records.len(), "span_ms": span, "by_decision": by_code, "unanswered": unanswered,
            "polled": polled, "order_inversions": inversions, "http_answer_ms": q_answer,
            "decision_beyond_delay_ms": q_beyond, "retries": retries, "bet_delay_ms": bet_delay,
            "statuses": bet_records.iter().fold(BTreeMap::<u16, u64>::new(), |mut m, b| { *m.entry(b.http_status).or_default() += 1; m }),
            "keys_sample": bet_records.iter().take(1).map(|b| b.key.clone()).collect::<Vec<_>>(),
        }));
        if a.fault == Some(Fault::Restart) {
            say(
                &mut lines,
                format!(
                    "restart: server back in {:.1} s; accepted bets checked after the restart {}, lost {lost_accepted}",
                    restarted_at.map_or(0.0, |d| d.as_secs_f64()),
                    accepted_ids.len()
                ),
            );
            report.insert("restart".into(), json!({ "down_s": restarted_at.map(|d| d.as_secs_f64()), "accepted_checked": accepted_ids.len(), "accepted_lost": lost_accepted }));
        }
    }

    // ---- suspensions (fault runs read these)
    let suspensions = observer_state
        .lock()
        .map(|s| s.suspensions.clone())
        .unwrap_or_default();
    let mut per_reason: BTreeMap<&str, (u64, f64)> = BTreeMap::new();
    for s in &suspensions {
        let e = per_reason.entry(s.reason).or_default();
        e.0 += 1;
        e.1 += s.to_ms.unwrap_or(now_ms()).saturating_sub(s.from_ms) as f64 / 1000.0;
    }
    say(
        &mut lines,
        format!(
            "suspensions seen: {}",
            per_reason
                .iter()
                .map(|(r, (n, secs))| format!("{r} ×{n} ({secs:.1} s)"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    report.insert("suspensions".into(), json!(suspensions));
    if matches!(a.fault, Some(Fault::PrimaryDown | Fault::BothDown)) {
        let t0 = suspensions.first().map_or(0, |s| s.from_ms);
        for s in &suspensions {
            say(
                &mut lines,
                format!(
                    "  suspended {:<18} at t+{:>6.1} s for {:>5.1} s",
                    s.reason,
                    s.from_ms.saturating_sub(t0) as f64 / 1000.0,
                    s.to_ms.unwrap_or(now_ms()).saturating_sub(s.from_ms) as f64 / 1000.0
                ),
            );
        }
        for o in &opts.outages {
            say(
                &mut lines,
                format!(
                    "outage {:?} from {} to {} match clock",
                    o.who,
                    crate::feed_run::clock_text(o.from_ms),
                    crate::feed_run::clock_text(o.to_ms)
                ),
            );
        }
    }
    if let Some(g) = garbage {
        let mut by: BTreeMap<String, u64> = BTreeMap::new();
        let mut accepted = 0;
        for (kind, status, code) in &g {
            *by.entry(format!("{kind} → {status} {code}")).or_default() += 1;
            if *status < 400 {
                accepted += 1;
            }
        }
        say(
            &mut lines,
            format!("bad requests: {} sent, {} not refused", g.len(), accepted),
        );
        for (k, n) in &by {
            say(&mut lines, format!("  {k} ×{n}"));
        }
        report.insert(
            "bad_requests".into(),
            json!({ "sent": g.len(), "not_refused": accepted, "by_kind": by }),
        );
    }
    report.insert("lines".into(), json!(lines));
    drop(server);
    finish(&a, report)
}

fn finish(a: &LoadArgs, report: serde_json::Map<String, Value>) -> Result<()> {
    if let Some(p) = &a.json {
        std::fs::write(p, serde_json::to_string_pretty(&Value::Object(report))?)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_of_a_sample() {
        let mut v: Vec<f64> = (1..=100).map(f64::from).collect();
        let q = Quantiles::of(&mut v);
        assert_eq!((q.n, q.p50, q.p99, q.max), (100, 51.0, 100.0, 100.0));
        assert_eq!(Quantiles::of(&mut []).n, 0);
    }

    #[test]
    fn updates_take_the_origin_of_the_feed_post_in_flight() {
        let post = |sent_ms, answered_ms, result: &str| PostRecord {
            sent_ms,
            answered_ms,
            result: result.into(),
        };
        let posts = vec![
            post(100, 130, "accepted"),
            post(200, 220, "duplicate"),
            post(210, 260, "accepted"),
        ];
        assert_eq!(origin_of(120, &posts), Some(100));
        assert_eq!(origin_of(215, &posts), Some(210));
        assert_eq!(origin_of(400, &posts), None);
    }

    #[tokio::test]
    async fn the_bare_baseline_delivers_everything() {
        let (q, lost) = baseline(20, 10, Duration::from_millis(5)).await.unwrap();
        assert_eq!(lost, 0);
        assert_eq!(q.n, 200);
    }
}
