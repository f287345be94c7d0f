//! The bet burst after a reopen, and what became of every bet: its first answer (the pending
//! decision or a refusal), its final decision on the bettor's socket (or, if the socket was
//! reconnecting, from `GET /v1/bets/{id}`), and whether each user's delayed decisions arrived in the
//! order the bets were placed.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper::Method;
use inplay_engine::live::Version;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::args::BetsVia;
use super::observer::{ObserverState, quote};
use super::report::Report;
use super::sockets::{FinalSeen, Shared};
use super::stats::Quantiles;
use crate::feed_client::{Http, now_ms};

/// One bet as the client placed it and as it was first answered.
#[derive(Debug, Clone)]
pub struct BetRecord {
    /// Index of the bettor (user `u{user}`).
    pub user: usize,
    /// Position in its burst.
    pub index: usize,
    /// Idempotency key.
    pub key: String,
    /// Sent, unix ms.
    pub sent_ms: u64,
    /// First answer, unix ms.
    pub answered_ms: u64,
    /// HTTP status of the answer (0 for socket bets or no answer).
    pub http_status: u16,
    /// `pending`, `accepted`, `rejected:<code>` (engine) or `error:<code>` (refused before the engine).
    pub first: String,
    /// The bet id (derived from the user and key as the Worker does).
    pub bet_id: Option<String>,
    /// HTTP retries.
    pub retries: u32,
}

/// A £1 home-win bet at `price`, any price change accepted.
pub fn bet_body(price: f64, seen: Version) -> Value {
    json!({
        "market": "1x2", "selection": "home", "stake": 100, "price": price,
        "seen_version": { "epoch": seen.epoch, "seq": seen.seq }, "policy": "any",
    })
}

/// Everything a burst needs.
#[derive(Clone)]
pub struct Bettors {
    /// The Worker.
    pub http: Http,
    /// The match.
    pub event: String,
    /// One user token per bettor.
    pub tokens: Arc<Vec<String>>,
    /// Prices and versions for the bets.
    pub observer: Arc<Mutex<ObserverState>>,
    /// Counters and the decisions the sockets received.
    pub shared: Arc<Shared>,
    /// The bettors' own sockets, when bets travel on them.
    pub sockets: Option<Arc<Vec<mpsc::UnboundedSender<String>>>>,
    /// HTTP bets in flight at once.
    pub concurrency: usize,
}

/// `n` bets spread evenly over `window`, bettors in turn.
pub async fn burst(b: Bettors, burst_no: usize, n: usize, window: Duration) -> Vec<BetRecord> {
    let sem = Arc::new(tokio::sync::Semaphore::new(b.concurrency.max(1)));
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let due = start + window.mul_f64(i as f64 / n.max(1) as f64);
        tokio::time::sleep_until(due).await;
        if let Some(senders) = &b.sockets {
            // On the bettor's own socket: no request to wait for; the answers come as frames.
            let user = i % senders.len();
            let (price, seen) = quote(&b.observer);
            let key = format!("b{burst_no}-{i}");
            let msg =
                json!({ "type": "bet", "key": key, "bet": bet_body(price, seen) }).to_string();
            let sent_ms = now_ms();
            b.shared.counters.bets_sent.fetch_add(1, Ordering::Relaxed);
            let _ = senders[user].send(msg);
            let id = inplay_protocol::ids::bet_id(&b.event, &format!("u{user}"), &key);
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
        let b = b.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = permit;
            http_bet(&b, burst_no, i).await
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

/// One `POST /v1/events/{id}/bets`, retried through an outage with the same key.
async fn http_bet(b: &Bettors, burst_no: usize, i: usize) -> BetRecord {
    let user = i % b.tokens.len();
    let (price, seen) = quote(&b.observer);
    let body = bet_body(price, seen);
    let key = format!("b{burst_no}-{i}");
    let headers = [
        ("authorization", format!("Bearer {}", b.tokens[user])),
        ("idempotency-key", key.clone()),
    ];
    let body = serde_json::to_vec(&body).unwrap_or_default();
    let sent_ms = now_ms();
    b.shared.counters.bets_sent.fetch_add(1, Ordering::Relaxed);
    let mut retries = 0;
    // The same Idempotency-Key on every retry: a bet the server took once is answered, not doubled.
    let answer = loop {
        match b
            .http
            .send(
                Method::POST,
                &format!("/v1/events/{}/bets", b.event),
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
    b.shared
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
}

/// A socket bet's first answer is its first frame: the pending decision, an immediate decision,
/// or a `bet_error`.
pub fn apply_socket_answers(
    records: &mut [BetRecord],
    firsts: &HashMap<String, u64>,
    errors: &HashMap<String, (String, u64)>,
    finals: &HashMap<String, FinalSeen>,
) {
    for b in records.iter_mut() {
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

/// Delayed decisions of one user that arrived out of the order the bets were placed. (A bet refused
/// at once, e.g. on a suspended market, is answered before an earlier bet's delay runs out: that is
/// the bet delay working, not a reordering, so only bets that went pending are compared.)
pub fn order_inversions(records: &[BetRecord], finals: &HashMap<String, FinalSeen>) -> u64 {
    let mut per_user: HashMap<usize, Vec<(usize, u64)>> = HashMap::new();
    for b in records.iter().filter(|b| b.first == "pending") {
        if let Some(f) = b.bet_id.as_ref().and_then(|id| finals.get(id)) {
            per_user.entry(b.user).or_default().push((b.index, f.order));
        }
    }
    let mut inversions = 0u64;
    for v in per_user.values_mut() {
        v.sort();
        inversions += v.windows(2).filter(|w| w[1].1 < w[0].1).count() as u64;
    }
    inversions
}

/// A bet's latest decision status from `GET /v1/bets/{id}` (admin), if the server has one.
async fn fetch_status(http: &Http, admin: &str, id: &str) -> Option<String> {
    let r = http
        .send(
            Method::GET,
            &format!("/v1/bets/{id}"),
            &[("authorization", format!("Bearer {admin}"))],
            None,
        )
        .await;
    r.ok().map(|r| r.json()).and_then(|j| {
        j.pointer("/decision/status")
            .and_then(Value::as_str)
            .map(String::from)
    })
}

/// What the run needs to settle its bets.
pub struct Settle<'a> {
    /// The Worker.
    pub http: &'a Http,
    /// Admin token, for `GET /v1/bets/{id}`.
    pub admin: &'a str,
    /// How the bets travelled.
    pub via: BetsVia,
    /// The match's bet delay.
    pub bet_delay_ms: u64,
    /// Ask again, after the run, whether every accepted bet is still accepted (after a restart).
    pub recheck_accepted: bool,
}

/// Settles every bet (first answer, final decision, order) and reports it. Returns the number of
/// accepted bets checked again and how many of those were no longer accepted.
pub async fn report_bets(
    mut records: Vec<BetRecord>,
    shared: &Shared,
    s: Settle<'_>,
    report: &mut Report,
) -> (usize, u64) {
    let finals = shared.finals.lock().map(|f| f.clone()).unwrap_or_default();
    if s.via == BetsVia::Socket {
        let firsts = shared.firsts.lock().map(|f| f.clone()).unwrap_or_default();
        let errors = shared.errors.lock().map(|f| f.clone()).unwrap_or_default();
        apply_socket_answers(&mut records, &firsts, &errors, &finals);
    }
    let mut by_code: BTreeMap<String, u64> = BTreeMap::new();
    let mut beyond = Vec::new();
    let mut unanswered = 0u64;
    let mut polled = 0u64;
    let mut accepted_ids = Vec::new();
    let mut answer_ms = Vec::new();
    for b in &records {
        if b.first != "unanswered" {
            answer_ms.push(b.answered_ms.saturating_sub(b.sent_ms) as f64);
        }
        let final_status = if b.first == "pending" || b.first == "unanswered" {
            match b.bet_id.as_ref().and_then(|id| finals.get(id)) {
                Some(f) => {
                    beyond.push(f.recv_ms.saturating_sub(b.sent_ms + s.bet_delay_ms) as f64);
                    f.status.clone()
                }
                None => {
                    // Not on the socket (it was reconnecting): ask the server.
                    let Some(id) = &b.bet_id else {
                        unanswered += 1;
                        continue;
                    };
                    match fetch_status(s.http, s.admin, id).await {
                        Some(st) if st != "pending" => {
                            polled += 1;
                            st
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
    let inversions = order_inversions(&records, &finals);
    let mut lost_accepted = 0u64;
    if s.recheck_accepted {
        for id in &accepted_ids {
            if fetch_status(s.http, s.admin, id).await.as_deref() != Some("accepted") {
                lost_accepted += 1;
            }
        }
    }
    let span = records
        .iter()
        .map(|b| b.answered_ms)
        .max()
        .unwrap_or(0)
        .saturating_sub(records.iter().map(|b| b.sent_ms).min().unwrap_or(0));
    let retries: u32 = records.iter().map(|b| b.retries).sum();
    let q_answer = Quantiles::of(&mut answer_ms);
    let q_beyond = Quantiles::of(&mut beyond);
    report.say(format!(
        "bets: {} sent, all answered in {:.1} s ({:.0}/s); decisions {}",
        records.len(),
        span as f64 / 1000.0,
        records.len() as f64 * 1000.0 / span.max(1) as f64,
        by_code
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    report.say(format!(
        "bets unanswered {unanswered} (final decision polled after a reconnect: {polled}), per-user order inversions {inversions}, retries {retries}"
    ));
    report.say(format!("bet HTTP answer (pending/refusal): {q_answer}"));
    report.say(format!(
        "final decision on the bettor's socket beyond the {} ms delay: {q_beyond}",
        s.bet_delay_ms
    ));
    report.set("bets", json!({
        "sent": records.len(), "span_ms": span, "by_decision": by_code, "unanswered": unanswered,
        "polled": polled, "order_inversions": inversions, "http_answer_ms": q_answer,
        "decision_beyond_delay_ms": q_beyond, "retries": retries, "bet_delay_ms": s.bet_delay_ms,
        "statuses": records.iter().fold(BTreeMap::<u16, u64>::new(), |mut m, b| { *m.entry(b.http_status).or_default() += 1; m }),
        "keys_sample": records.iter().take(1).map(|b| b.key.clone()).collect::<Vec<_>>(),
    }));
    (accepted_ids.len(), lost_accepted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(user: usize, index: usize, id: &str) -> BetRecord {
        BetRecord {
            user,
            index,
            key: format!("k{index}"),
            sent_ms: 1_000,
            answered_ms: 1_000,
            http_status: 0,
            first: "unanswered".into(),
            bet_id: Some(id.into()),
            retries: 0,
        }
    }

    fn seen(status: &str, recv_ms: u64, order: u64) -> FinalSeen {
        FinalSeen {
            status: status.into(),
            recv_ms,
            order,
        }
    }

    #[test]
    fn a_socket_bet_is_answered_by_its_first_frame() {
        let mut r = vec![
            record(0, 0, "a"),
            record(0, 1, "b"),
            record(0, 2, "c"),
            record(0, 3, "d"),
        ];
        let firsts = HashMap::from([("a".into(), 1_010), ("b".into(), 1_020)]);
        let errors = HashMap::from([("c".to_string(), ("rate_limited".to_string(), 1_005))]);
        // "b" was decided at once (its first frame is its final decision); "a" went pending.
        let finals = HashMap::from([
            ("a".into(), seen("accepted", 6_010, 2)),
            ("b".into(), seen("rejected:market_suspended", 1_020, 1)),
        ]);
        apply_socket_answers(&mut r, &firsts, &errors, &finals);
        let firsts: Vec<&str> = r.iter().map(|b| b.first.as_str()).collect();
        assert_eq!(
            firsts,
            [
                "pending",
                "rejected:market_suspended",
                "error:rate_limited",
                "unanswered"
            ]
        );
        assert_eq!(r[0].answered_ms, 1_010);
        assert_eq!(r[2].answered_ms, 1_005);
    }

    #[test]
    fn only_delayed_decisions_count_as_inversions() {
        let mut r = vec![
            record(0, 0, "a"),
            record(0, 1, "b"),
            record(1, 0, "c"),
            record(0, 2, "d"),
        ];
        for b in r.iter_mut().take(3) {
            b.first = "pending".into();
        }
        // "d" was refused at once and overtook them: not an inversion.
        r[3].first = "rejected:market_suspended".into();
        let finals = HashMap::from([
            ("a".into(), seen("accepted", 0, 3)),
            ("b".into(), seen("accepted", 0, 2)),
            ("c".into(), seen("accepted", 0, 1)),
            ("d".into(), seen("rejected:market_suspended", 0, 1)),
        ]);
        assert_eq!(order_inversions(&r, &finals), 1);
    }
}
