//! What a run can break: a source's silence (planned into the feed), a stream of requests the
//! Worker must refuse, and (done by the run itself, on its own server) a restart.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use hyper::Method;
use inplay_engine::live::FeedKind;
use inplay_engine::sim::SimEvent;
use serde_json::json;
use tokio::sync::watch;

use super::args::Fault;
use super::report::Report;
use super::sockets::SocketLog;
use super::stats::Quantiles;
use crate::feed_client::{Http, feed_headers, now_ms};
use crate::feed_plan::{Outage, Silenced};

/// The feed outage a fault plans into the match at `speed`, if it is one.
pub fn outage_for(fault: Option<Fault>, events: &[SimEvent], speed: f64) -> Option<Outage> {
    match fault? {
        Fault::PrimaryDown => {
            // The primary falls silent 15 wall seconds before a goal (so by the goal it has been
            // silent longer than the 10 s stale bound and no longer counts as a witness) and returns
            // 10 wall seconds after it: the backup alone reports the goal.
            let lead = (15_000.0 * speed) as u64;
            let tail = (10_000.0 * speed) as u64;
            let g = events
                .iter()
                .filter(|e| matches!(e.kind, FeedKind::Goal { .. }))
                .map(|e| e.clock_ms)
                .find(|&c| c >= lead + 60_000 && c + tail < 2 * 2_700_000)
                .unwrap_or(lead + 600_000);
            Some(Outage {
                who: Silenced::Primary,
                from_ms: g - lead,
                to_ms: g + tail,
            })
        }
        Fault::BothDown => {
            // 20 wall seconds of silence from both, twice the 10 s stale bound, in a stretch of one
            // half without a goal: a goal nobody reports cannot be known, and the run would then
            // show (correctly, but beside the point) a score discrepancy when the sources return.
            let len = (20_000.0 * speed) as u64;
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
            Some(Outage {
                who: Silenced::Both,
                from_ms: from,
                to_ms: from + len,
            })
        }
        _ => None,
    }
}

/// Fires refused-by-design requests until stopped; returns (kind, status, code) of each.
pub async fn garbage_task(
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

/// Reports the bad requests: every one must have been refused.
pub fn report_garbage(sent: &[(&'static str, u16, String)], report: &mut Report) {
    let mut by: BTreeMap<String, u64> = BTreeMap::new();
    let mut accepted = 0;
    for (kind, status, code) in sent {
        *by.entry(format!("{kind} → {status} {code}")).or_default() += 1;
        if *status < 400 {
            accepted += 1;
        }
    }
    report.say(format!(
        "bad requests: {} sent, {} not refused",
        sent.len(),
        accepted
    ));
    for (k, n) in &by {
        report.say(format!("  {k} ×{n}"));
    }
    report.set(
        "bad_requests",
        json!({ "sent": sent.len(), "not_refused": accepted, "by_kind": by }),
    );
}

/// A relay made to fail (`--fault relay`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct RelayFault {
    /// `region/shard` or `region/up`.
    pub relay: String,
    /// How long it was asked to fail, ms.
    pub fail_for_ms: u64,
    /// When the Worker confirmed the fault (unix ms); `None` when it refused it.
    pub from_ms: Option<u64>,
    /// The refusal (`404 route_not_found: …`), when there was one.
    pub error: Option<String>,
}

/// The relay to fail when none is named: the leaf serving the most sockets (ties: the first by
/// name), never the observer's, whose stream starts the bet bursts.
pub fn pick_relay(relay_of: &HashMap<String, String>, observer: &str) -> Option<String> {
    let avoid = relay_of.get(observer);
    let mut count: BTreeMap<&str, u64> = BTreeMap::new();
    for (client, relay) in relay_of {
        if client != observer && Some(relay) != avoid {
            *count.entry(relay).or_default() += 1;
        }
    }
    let most = count.values().copied().max()?;
    count
        .into_iter()
        .find(|&(_, n)| n == most)
        .map(|(r, _)| r.to_string())
}

/// Whether a socket served by `socket_relay` (`region/shard`) is cut off when `failed` fails: its
/// own leaf, or (`region/up`) every leaf of that region.
pub fn is_behind(failed: &str, socket_relay: &str) -> bool {
    match failed.strip_suffix("/up") {
        Some(region) => socket_relay
            .split_once('/')
            .is_some_and(|(r, _)| r == region),
        None => failed == socket_relay,
    }
}

/// `POST /v1/events/{id}/faults` (admin; the server must run with `ALLOW_TEST_ROUTES=1`).
pub async fn fail_relay(
    http: &Http,
    admin: &str,
    event: &str,
    relay: &str,
    fail_for_ms: u64,
) -> RelayFault {
    let body = json!({ "relay": relay, "fail_for_ms": fail_for_ms }).to_string();
    let answer = http
        .send(
            Method::POST,
            &format!("/v1/events/{event}/faults"),
            &[("authorization", format!("Bearer {admin}"))],
            Some(body.into_bytes()),
        )
        .await;
    let mut f = RelayFault {
        relay: relay.to_string(),
        fail_for_ms,
        ..RelayFault::default()
    };
    match answer {
        Ok(a) if a.status == 200 => f.from_ms = Some(now_ms()),
        Ok(a) => {
            f.error = Some(format!(
                "{} {}",
                a.status,
                a.error_code()
                    .unwrap_or_else(|| String::from_utf8_lossy(&a.body).into_owned())
            ))
        }
        Err(e) => f.error = Some(format!("{e:#}")),
    }
    f
}

/// How the sockets behind a failed relay came back.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct RelayRecovery {
    /// Sockets behind the failed relay.
    pub sockets: u64,
    /// Versions the other sockets first received while it failed.
    pub versions_during_fault: u64,
    /// Per socket behind it: ms from the end of the fault until it held every version the other
    /// sockets held at that moment (0 when it never fell behind).
    pub back_at_head_ms: Quantiles,
    /// Sockets behind it that never got there.
    pub never_back: u64,
    /// Per socket behind it: the longest any version reached it after it reached the first of the
    /// other sockets, ms.
    pub worst_lag_ms: Quantiles,
}

/// Recovery of the sockets behind `failed`, which failed from `from_ms` to `to_ms`, measured
/// against the other sockets (the first of them to receive each version).
pub fn relay_recovery(logs: &[SocketLog], failed: &str, from_ms: u64, to_ms: u64) -> RelayRecovery {
    let behind = |l: &SocketLog| l.relay.as_deref().is_some_and(|r| is_behind(failed, r));
    let mut first_seen: BTreeMap<u64, u64> = BTreeMap::new();
    for l in logs.iter().filter(|l| !behind(l)) {
        for &(seq, _, recv) in &l.deltas {
            let t = first_seen.entry(seq).or_insert(recv);
            *t = (*t).min(recv);
        }
    }
    let head_at_end = first_seen
        .iter()
        .filter(|&(_, &t)| t <= to_ms)
        .map(|(&seq, _)| seq)
        .max();
    let mut r = RelayRecovery {
        versions_during_fault: first_seen
            .values()
            .filter(|&&t| (from_ms..=to_ms).contains(&t))
            .count() as u64,
        ..RelayRecovery::default()
    };
    let (mut back, mut lag) = (Vec::new(), Vec::new());
    for l in logs.iter().filter(|l| behind(l)) {
        r.sockets += 1;
        let worst = l
            .deltas
            .iter()
            .filter_map(|&(seq, _, recv)| first_seen.get(&seq).map(|&t| recv.saturating_sub(t)))
            .max()
            .unwrap_or(0);
        lag.push(worst as f64);
        let Some(head) = head_at_end else {
            back.push(0.0);
            continue;
        };
        // The first frame that brought it there: a delta, or a resync snapshot.
        let deltas = l.deltas.iter().map(|&(seq, _, recv)| (seq, recv));
        match deltas
            .chain(l.snapshots.iter().copied())
            .filter(|&(seq, _)| seq >= head)
            .map(|(_, recv)| recv)
            .min()
        {
            Some(recv) => back.push(recv.saturating_sub(to_ms) as f64),
            None => r.never_back += 1,
        }
    }
    r.back_at_head_ms = Quantiles::of(&mut back);
    r.worst_lag_ms = Quantiles::of(&mut lag);
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use inplay_engine::market::Team;

    fn goal(clock_ms: u64) -> SimEvent {
        SimEvent {
            clock_ms,
            kind: FeedKind::Goal {
                team: Team::Home,
                score: None,
            },
        }
    }

    #[test]
    fn the_primary_falls_silent_around_a_goal() {
        // At 60x: silent from 15 wall s (15 match min) before the goal at 30:00 to 10 wall s after.
        let o = outage_for(Some(Fault::PrimaryDown), &[goal(1_800_000)], 60.0).unwrap();
        assert_eq!(
            (o.who, o.from_ms, o.to_ms),
            (Silenced::Primary, 900_000, 2_400_000)
        );
    }

    #[test]
    fn both_fall_silent_away_from_any_goal() {
        let o = outage_for(Some(Fault::BothDown), &[goal(200_000)], 60.0).unwrap();
        assert_eq!(o.who, Silenced::Both);
        assert_eq!(o.to_ms - o.from_ms, 1_200_000);
        assert!(o.from_ms > 200_000 + 60_000);
        assert_eq!(outage_for(Some(Fault::Garbage), &[], 60.0), None);
        assert_eq!(outage_for(None, &[], 60.0), None);
    }

    fn socket(relay: &str, deltas: &[(u64, u64)]) -> SocketLog {
        SocketLog {
            deltas: deltas
                .iter()
                .map(|&(seq, recv)| (seq, None, recv))
                .collect(),
            last: deltas
                .last()
                .map(|&(seq, _)| inplay_engine::live::Version { epoch: 1, seq }),
            relay: Some(relay.into()),
            ..SocketLog::default()
        }
    }

    #[test]
    fn the_relay_to_fail_is_the_busiest_leaf_but_not_the_observers() {
        let relay_of: HashMap<String, String> = [
            ("observer", "weur/0"),
            ("c0", "weur/0"),
            ("c1", "weur/0"),
            ("c2", "enam/1"),
            ("c3", "apac/0"),
            ("c4", "enam/1"),
        ]
        .into_iter()
        .map(|(c, r)| (c.to_string(), r.to_string()))
        .collect();
        assert_eq!(pick_relay(&relay_of, "observer").as_deref(), Some("enam/1"));
        assert_eq!(pick_relay(&HashMap::new(), "observer"), None);
    }

    #[test]
    fn an_upstream_relay_cuts_off_its_whole_region() {
        assert!(is_behind("weur/up", "weur/1"));
        assert!(!is_behind("weur/up", "enam/0"));
        assert!(is_behind("weur/1", "weur/1"));
        assert!(!is_behind("weur/1", "weur/0"));
    }

    #[test]
    fn recovery_is_measured_against_the_other_sockets() {
        // The relay failed from 1 000 to 5 000. Versions 2 and 3 reached the others at 2 000 and
        // 4 000; the failed relay's sockets got them when it came back, at 5 300 and 5 900.
        let logs = vec![
            socket("weur/0", &[(1, 500), (2, 2_000), (3, 4_000), (4, 6_000)]),
            socket("enam/0", &[(1, 510), (2, 2_010), (3, 4_020), (4, 6_010)]),
            socket("apac/0", &[(1, 520), (2, 5_300), (3, 5_300), (4, 6_020)]),
            socket("apac/0", &[(1, 530), (2, 5_900), (3, 5_900), (4, 6_030)]),
        ];
        let r = relay_recovery(&logs, "apac/0", 1_000, 5_000);
        assert_eq!(
            (r.sockets, r.versions_during_fault, r.never_back),
            (2, 2, 0)
        );
        assert_eq!(
            (r.back_at_head_ms.p50, r.back_at_head_ms.max),
            (900.0, 900.0)
        );
        assert_eq!(r.back_at_head_ms.n, 2);
        assert_eq!(r.worst_lag_ms.max, 3_900.0);
        // A socket that stopped short of the head at the fault's end never came back; one that
        // got there by a resync snapshot came back with it.
        let stuck = socket("apac/0", &[(1, 520)]);
        let mut resynced = stuck.clone();
        resynced.snapshots.push((4, 6_500));
        let r = relay_recovery(&[logs[0].clone(), stuck, resynced], "apac/0", 1_000, 5_000);
        assert_eq!((r.never_back, r.back_at_head_ms.max), (1, 1_500.0));
    }
}
