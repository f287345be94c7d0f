//! What a run can break: a source's silence (planned into the feed), a stream of requests the
//! Worker must refuse, and (done by the run itself, on its own server) a restart.

use std::collections::BTreeMap;
use std::time::Duration;

use hyper::Method;
use inplay_engine::live::FeedKind;
use inplay_engine::sim::SimEvent;
use serde_json::json;
use tokio::sync::watch;

use super::args::Fault;
use super::report::Report;
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
}
