//! `inplay bench hub`: how many bets one hub decides per second on local workerd with nothing
//! else on its thread.
//!
//! Bets arrive as relays send them, in batches, through the test route
//! `POST /v1/events/{id}/bets/batch` (admin; the server runs with `ALLOW_TEST_ROUTES=1` and a
//! per-user bet rate out of reach). No sockets, no relays: the Worker hands each batch to the hub
//! and answers with its decisions. Every (batch size, requests in flight) pair runs on a fresh
//! match, kicked off by the signed feed, so one pair's ledger, liabilities and log never weigh on
//! the next. The empty batch measures what a request costs before any bet: the Worker hop, the
//! hub call, the transaction. With T(n) the thread's time per request of n bets (wall time per
//! request at the most requests in flight, where the one workerd thread is the bottleneck), a bet
//! costs the hub (T(n) − T(0)) / n, and one hub alone could decide 1 / that per second.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Result, bail};
use hyper::Method;
use inplay_engine::football::FootballParams;
use inplay_engine::live::{FeedEvent, FeedKind, Source, Version};
use inplay_protocol::ApiError;
use inplay_protocol::bets::PlacedBet;
use serde_json::json;
use tokio::time::Instant;

use super::args::HubBenchArgs;
use super::report::Report;
use super::server::Target;
use super::stats::Quantiles;
use crate::feed_client::{Http, now_ms};

/// One (batch size, in flight) pair, measured.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct BatchRun {
    /// Bets per request.
    pub batch: usize,
    /// Requests in flight at once.
    pub in_flight: usize,
    /// Requests answered 200 with one result per bet.
    pub requests: u64,
    /// Requests that failed (transport, status, or an answer of the wrong shape), by reason.
    pub failed: BTreeMap<String, u64>,
    /// Bets the hub decided (an engine decision, whatever it was).
    pub decided: u64,
    /// Decisions by status (`accepted`, `pending`, `rejected:<code>`).
    pub decisions: BTreeMap<String, u64>,
    /// Bets refused before the engine, by code (e.g. `rate_limited`): must be none.
    pub refused: BTreeMap<String, u64>,
    /// Wall time of the measurement, s.
    pub seconds: f64,
    /// Requests per second.
    pub requests_per_s: f64,
    /// Bets decided per second.
    pub bets_per_s: f64,
    /// Wall time per request, ms: the thread's time per request when it is saturated.
    pub ms_per_request: f64,
    /// Round trip of one request, ms.
    pub latency_ms: Quantiles,
}

/// The hub's cost per bet from the per-request times of an empty and a full batch.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct BetCost {
    /// Bets per request.
    pub batch: usize,
    /// T(n), ms.
    pub per_request_ms: f64,
    /// (T(n) − T(0)) / n, µs.
    pub per_bet_us: f64,
    /// 1 / that: bets per second one hub could decide if requests cost nothing (`None` when the
    /// difference is lost in the noise).
    pub ceiling_per_s: Option<f64>,
}

/// (T(n) − T(0)) / n for every n > 0, from the best (smallest) time per request measured for each
/// batch size. `None` without an empty batch to subtract.
pub fn bet_costs(runs: &[BatchRun]) -> Option<Vec<BetCost>> {
    let mut best: BTreeMap<usize, f64> = BTreeMap::new();
    for r in runs.iter().filter(|r| r.requests > 0) {
        let t = best.entry(r.batch).or_insert(f64::INFINITY);
        *t = t.min(r.ms_per_request);
    }
    let t0 = *best.get(&0)?;
    Some(
        best.iter()
            .filter(|&(&n, _)| n > 0)
            .map(|(&n, &t)| {
                let per_bet_us = ((t - t0) / n as f64 * 1000.0).max(0.0);
                BetCost {
                    batch: n,
                    per_request_ms: t,
                    per_bet_us,
                    ceiling_per_s: (per_bet_us > 0.0).then(|| 1e6 / per_bet_us),
                }
            })
            .collect(),
    )
}

/// The relay-shaped batch: `n` home-win bets at 2.10 (any price), each from the next user with a
/// key of its own.
fn batch_body(n: usize, users: usize, next: &AtomicU64, tag: &str, seen: Version) -> Vec<u8> {
    let bets: Vec<_> = (0..n)
        .map(|_| {
            let i = next.fetch_add(1, Ordering::Relaxed);
            json!({
                "user": format!("u{}", i % users.max(1) as u64),
                "key": format!("{tag}-{i}"),
                "bet": {
                    "market": "1x2", "selection": "home", "stake": 100, "price": 2.1,
                    "seen_version": { "epoch": seen.epoch, "seq": seen.seq }, "policy": "any",
                },
            })
        })
        .collect();
    json!({ "bets": bets }).to_string().into_bytes()
}

/// What came back for one request.
#[derive(Debug, Default)]
struct Answered {
    decisions: BTreeMap<String, u64>,
    refused: BTreeMap<String, u64>,
}

#[derive(serde::Deserialize)]
struct BatchAnswer {
    results: Vec<Result<PlacedBet, ApiError>>,
}

/// Reads one answer: `Err` with the reason when it is not a 200 with one result per bet.
fn read_answer(status: u16, body: &[u8], n: usize) -> Result<Answered, String> {
    if status != 200 {
        let code = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|j| j.pointer("/error/code")?.as_str().map(String::from))
            .unwrap_or_default();
        return Err(format!("{status} {code}").trim().to_string());
    }
    let answer: BatchAnswer =
        serde_json::from_slice(body).map_err(|_| "answer not understood".to_string())?;
    if answer.results.len() != n {
        return Err(format!("{} results for {n} bets", answer.results.len()));
    }
    let mut a = Answered::default();
    for r in answer.results {
        match r {
            Ok(p) => {
                *a.decisions
                    .entry(p.decision.status.to_string())
                    .or_default() += 1
            }
            Err(e) => *a.refused.entry(e.code.as_str().to_string()).or_default() += 1,
        }
    }
    Ok(a)
}

/// A match in play: created with a bet delay of `bet_delay_ms`, liabilities out of reach and no
/// stale bound to speak of (nothing but the kick-off is ever sent), kicked off by both sources.
/// Returns the version bets are placed at.
async fn match_in_play(
    http: &Http,
    admin: &str,
    feed: &[String; 2],
    event: &str,
    bet_delay_ms: u64,
) -> Result<Version> {
    let opening = json!({
        "event_id": event,
        "fixture": { "home": "Home", "away": "Away", "kickoff_ms": now_ms() },
        "params": FootballParams::new(1.6, 1.2),
        "trading": {
            "bet_delay_ms": bet_delay_ms,
            "max_selection_liability": 1u64 << 60,
            "max_market_liability": 1u64 << 60,
        },
        "config": { "stale_after_ms": 86_400_000u64 },
    });
    let created = http.create_event(admin, &opening).await?;
    if created.status != 201 {
        bail!(
            "create {event}: {} {}",
            created.status,
            String::from_utf8_lossy(&created.body)
        );
    }
    for source in [Source::Primary, Source::Backup] {
        let kickoff = FeedEvent {
            event_id: event.to_string(),
            source,
            seq: 1,
            ts: now_ms(),
            clock_ms: Some(0),
            kind: FeedKind::Kickoff,
        };
        let a = http
            .post_feed(
                source,
                &feed[source.index()],
                kickoff.to_json().into_bytes(),
            )
            .await?;
        if a.status != 200 {
            bail!(
                "kick-off of {event} from {}: {} {}",
                source.as_str(),
                a.status,
                String::from_utf8_lossy(&a.body)
            );
        }
    }
    let a = http.get(&format!("/v1/events/{event}")).await?;
    let j = a.json();
    if j.pointer("/snapshot/image/state/period")
        .and_then(|p| p.as_str())
        != Some("first_half")
    {
        bail!(
            "{event} is not in play after the kick-off: {} {}",
            a.status,
            String::from_utf8_lossy(&a.body)
        );
    }
    serde_json::from_value(j["version"].clone())
        .map_err(|e| anyhow::anyhow!("{event}: no version in GET /v1/events/{event}: {e}"))
}

/// Runs one pair: `in_flight` loops posting batches of `batch` until `until` or `requests` in all.
#[allow(clippy::too_many_arguments)]
async fn measure(
    http: &Http,
    admin: &str,
    event: &str,
    seen: Version,
    batch: usize,
    in_flight: usize,
    a: &HubBenchArgs,
    warm_up: bool,
) -> BatchRun {
    let next = Arc::new(AtomicU64::new(0));
    let sent = Arc::new(AtomicU64::new(0));
    let budget = match (warm_up, a.requests) {
        (true, _) => 5,
        (false, Some(n)) => n,
        (false, None) => u64::MAX,
    };
    let seconds = if warm_up { 60.0 } else { a.seconds };
    let start = Instant::now();
    let until = start + Duration::from_secs_f64(seconds);
    let tag = if warm_up { "w" } else { "m" };
    let mut loops = Vec::with_capacity(in_flight);
    for worker in 0..in_flight {
        let (http, next, sent) = (http.clone(), next.clone(), sent.clone());
        let (admin, path) = (admin.to_string(), format!("/v1/events/{event}/bets/batch"));
        let (users, tag) = (a.users, format!("{tag}{worker}"));
        loops.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut out: Vec<Result<Answered, String>> = Vec::new();
            while Instant::now() < until && sent.fetch_add(1, Ordering::Relaxed) < budget {
                let body = batch_body(batch, users, &next, &tag, seen);
                let t = Instant::now();
                let answer = http
                    .send(
                        Method::POST,
                        &path,
                        &[("authorization", format!("Bearer {admin}"))],
                        Some(body),
                    )
                    .await;
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
                out.push(match answer {
                    Ok(r) => read_answer(r.status, &r.body, batch),
                    Err(e) => Err(format!("transport: {e:#}")),
                });
            }
            (lat, out)
        }));
    }
    let mut run = BatchRun {
        batch,
        in_flight,
        ..BatchRun::default()
    };
    let mut lat = Vec::new();
    for l in loops {
        let Ok((l, out)) = l.await else {
            *run.failed.entry("client task failed".into()).or_default() += 1;
            continue;
        };
        lat.extend(l);
        for o in out {
            match o {
                Ok(a) => {
                    run.requests += 1;
                    for (k, n) in a.decisions {
                        run.decided += n;
                        *run.decisions.entry(k).or_default() += n;
                    }
                    for (k, n) in a.refused {
                        *run.refused.entry(k).or_default() += n;
                    }
                }
                Err(reason) => *run.failed.entry(reason).or_default() += 1,
            }
        }
    }
    run.seconds = start.elapsed().as_secs_f64();
    run.requests_per_s = run.requests as f64 / run.seconds.max(1e-9);
    run.bets_per_s = run.decided as f64 / run.seconds.max(1e-9);
    run.ms_per_request = run.seconds * 1000.0 / run.requests.max(1) as f64;
    run.latency_ms = Quantiles::of(&mut lat);
    run
}

/// `inplay bench hub`.
pub async fn run(a: HubBenchArgs) -> Result<()> {
    let mut report = Report::new();
    if a.batch_sizes.is_empty() || a.in_flight.is_empty() || a.in_flight.contains(&0) {
        bail!("--batch-sizes and --in-flight need at least one value each; in flight at least 1");
    }
    if a.batch_sizes.iter().any(|&n| n > 4096) {
        bail!("--batch-sizes: at most 4096 bets a request (the route takes 1 MiB)");
    }
    let knobs = [
        // The per-user bet rate limit must not refuse what the bench sends.
        ("BET_RATE_BURST", "1000000000".to_string()),
        ("BET_RATE_PER_SEC", "1000000000".to_string()),
    ];
    let target = Target::open(a.url.as_deref(), a.direct, &knobs).await?;
    let http = target.http.clone();
    let admin = target.admin()?;
    let feed = target.feed_secrets()?;
    // The empty batch first: the cost of a request before any bet.
    let mut sizes = vec![0];
    sizes.extend(a.batch_sizes.iter().copied().filter(|&n| n > 0));
    sizes.dedup();
    let run_id = now_ms() / 1000 % 1_000_000;
    // The isolate's first requests compile and warm what every later one uses: not a rate.
    let warm = format!("hub-{run_id}-warm");
    let seen = match_in_play(&http, &admin, &feed, &warm, 0).await?;
    let largest = sizes.iter().copied().max().unwrap_or(0);
    let warm_up = HubBenchArgs {
        seconds: a.seconds.min(2.0),
        requests: None,
        ..a.clone()
    };
    measure(&http, &admin, &warm, seen, largest, 1, &warm_up, false).await;
    let mut runs = Vec::new();
    for &n in &sizes {
        for &c in &a.in_flight {
            let event = format!("hub-{run_id}-{n}x{c}");
            let seen = match_in_play(&http, &admin, &feed, &event, a.bet_delay_ms).await?;
            // A few requests first: the hub's first calls load it, they are not its rate.
            measure(&http, &admin, &event, seen, n, c, &a, true).await;
            let r = measure(&http, &admin, &event, seen, n, c, &a, false).await;
            let line = format!(
                "batch {n:>4} × {c} in flight: {:>7.0} req/s, {:>8.0} bets/s; per request {:.3} ms; latency {}{}{}",
                r.requests_per_s,
                r.bets_per_s,
                r.ms_per_request,
                r.latency_ms,
                if r.refused.is_empty() {
                    String::new()
                } else {
                    format!("; REFUSED {:?}", r.refused)
                },
                if r.failed.is_empty() {
                    String::new()
                } else {
                    format!("; FAILED {:?}", r.failed)
                },
            );
            report.say(line);
            runs.push(r);
            if a.bet_delay_ms > 0 {
                // Let this match's releases run before the next pair is measured on the thread.
                tokio::time::sleep(Duration::from_millis(a.bet_delay_ms + 1_000)).await;
            }
        }
    }
    let best = runs
        .iter()
        .max_by(|x, y| x.bets_per_s.total_cmp(&y.bets_per_s))
        .filter(|r| r.decided > 0);
    if let Some(b) = best {
        report.say(format!(
            "most bets decided: {:.0}/s (batch {} × {} in flight; decisions {:?})",
            b.bets_per_s, b.batch, b.in_flight, b.decisions
        ));
    }
    let costs = bet_costs(&runs);
    if let Some(costs) = &costs {
        report.say(format!(
            "a request without bets (the Worker hop, the hub call): {:.3} ms of the thread",
            runs.iter()
                .filter(|r| r.batch == 0 && r.requests > 0)
                .map(|r| r.ms_per_request)
                .fold(f64::INFINITY, f64::min)
        ));
        for c in costs {
            report.say(match c.ceiling_per_s {
                Some(ceiling) => format!(
                    "hub cost per bet from batches of {:>4}: {:.1} µs → ceiling {ceiling:.0} bets/s",
                    c.batch, c.per_bet_us
                ),
                None => format!(
                    "hub cost per bet from batches of {:>4}: below the noise (T(n) ≤ T(0))",
                    c.batch
                ),
            });
        }
    }
    let failed: u64 = runs.iter().flat_map(|r| r.failed.values()).sum();
    let refused: u64 = runs.iter().flat_map(|r| r.refused.values()).sum();
    if failed + refused > 0 {
        report.say(format!(
            "WARNING: {failed} requests failed and {refused} bets were refused before the engine: the figures above undercount"
        ));
    }
    report.set("bet_delay_ms", a.bet_delay_ms);
    report.set("runs", &runs);
    report.set("costs", &costs);
    report.set("best_bets_per_s", best.map(|b| b.bets_per_s));
    drop(target);
    report.finish(a.json.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_of(batch: usize, in_flight: usize, ms_per_request: f64) -> BatchRun {
        BatchRun {
            batch,
            in_flight,
            requests: 10,
            ms_per_request,
            ..BatchRun::default()
        }
    }

    #[test]
    fn a_bet_costs_what_a_full_batch_adds_to_an_empty_one() {
        let runs = [
            run_of(0, 1, 1.2),
            run_of(0, 4, 0.8),
            run_of(64, 1, 4.0),
            run_of(64, 4, 3.36),
        ];
        let c = bet_costs(&runs).unwrap();
        assert_eq!(c.len(), 1);
        // (3.36 − 0.8) / 64 ms = 40 µs a bet: 25 000 bets/s.
        assert!((c[0].per_bet_us - 40.0).abs() < 1e-9);
        assert!((c[0].ceiling_per_s.unwrap() - 25_000.0).abs() < 1e-6);
        assert_eq!(bet_costs(&[run_of(64, 1, 4.0)]), None);
    }

    #[test]
    fn answers_are_read_without_trusting_them() {
        let decision = inplay_engine::live::BetDecision {
            bet_id: "m.0123456789abcdef".into(),
            user_id: "u1".into(),
            status: inplay_engine::live::BetStatus::Accepted,
            price: None,
            release_at_ms: None,
            version: Version::default(),
            decided_at_ms: 5,
        };
        let placed = PlacedBet {
            decision,
            replayed: false,
        };
        let refusal = ApiError::new(inplay_protocol::ErrorCode::RateLimited, "slow down");
        let ok = json!({ "results": [{ "Ok": placed }, { "Err": refusal }] }).to_string();
        let a = read_answer(200, ok.as_bytes(), 2).unwrap();
        assert_eq!(a.refused.get("rate_limited"), Some(&1));
        assert_eq!(a.decisions.get("accepted"), Some(&1));
        assert_eq!(
            read_answer(
                404,
                br#"{"error":{"code":"route_not_found","message":"x"}}"#,
                1
            )
            .unwrap_err(),
            "404 route_not_found"
        );
        assert_eq!(read_answer(502, b"<html>", 1).unwrap_err(), "502");
        assert_eq!(
            read_answer(200, br#"{"results":[]}"#, 3).unwrap_err(),
            "0 results for 3 bets"
        );
        assert_eq!(
            read_answer(200, b"nope", 3).unwrap_err(),
            "answer not understood"
        );
    }

    #[test]
    fn batches_are_shaped_as_a_relay_sends_them() {
        let next = AtomicU64::new(0);
        let body = batch_body(3, 2, &next, "m0", Version { epoch: 7, seq: 9 });
        let j: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let bets = j["bets"].as_array().unwrap();
        assert_eq!(bets.len(), 3);
        assert_eq!(bets[2]["user"], "u0");
        assert_eq!(bets[2]["key"], "m0-2");
        assert_eq!(bets[0]["bet"]["seen_version"]["seq"], 9);
        assert_eq!(next.load(Ordering::Relaxed), 3);
        assert_eq!(
            batch_body(0, 2, &next, "m0", Version::default()),
            br#"{"bets":[]}"#
        );
    }
}
