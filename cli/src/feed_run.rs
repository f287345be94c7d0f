//! Plays a [`Plan`] against a Worker: each delivery posted at its wall time, signed by its source,
//! retried (re-signed) while the server is unreachable, as a provider's sender would.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Result;
use inplay_engine::football::Score;
use inplay_engine::live::{FeedEvent, FeedKind};
use inplay_engine::market::Team;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::feed_client::{Http, now_ms};
use crate::feed_plan::{Delivery, Plan};

/// Where and as whom to post.
#[derive(Clone)]
pub struct FeedTarget {
    /// The Worker.
    pub http: Http,
    /// The match.
    pub event_id: String,
    /// `FEED_SECRET_PRIMARY`, `FEED_SECRET_BACKUP`.
    pub secrets: [String; 2],
}

/// One post as the load tool needs it: when it left, when the answer came, what it carried.
#[derive(Debug, Clone)]
pub struct PostRecord {
    /// Unix ms before the request was written.
    pub sent_ms: u64,
    /// Unix ms when the answer arrived.
    pub answered_ms: u64,
    /// `accepted`, `duplicate`, `held`, `rejected:<reason>` or `error:<status|transport>`.
    pub result: String,
}

/// Counts per source and result.
#[derive(Debug, Clone, Default)]
pub struct FeedStats {
    /// `(source, result)` → count.
    pub results: BTreeMap<(String, String), u64>,
    /// Every post, in answer order.
    pub posts: Vec<PostRecord>,
    /// Posts retried after a transport error or a 5xx.
    pub retries: u64,
}

impl FeedStats {
    /// One line per source: `primary: 412 accepted, 9 duplicate, 3 held`.
    pub fn summary(&self) -> String {
        let mut lines = Vec::new();
        for source in ["primary", "backup"] {
            let parts: Vec<String> = self
                .results
                .iter()
                .filter(|((s, _), _)| s == source)
                .map(|((_, r), n)| format!("{n} {r}"))
                .collect();
            if !parts.is_empty() {
                lines.push(format!("{source}: {}", parts.join(", ")));
            }
        }
        if self.retries > 0 {
            lines.push(format!("retried posts: {}", self.retries));
        }
        lines.join("\n")
    }
}

/// What the runner tells whoever watches (progress lines, the load driver).
#[derive(Debug, Clone)]
pub enum FeedNote {
    /// A timeline event was first sent (by either source).
    Happened {
        /// Match clock.
        clock_ms: u64,
        /// What.
        kind: FeedKind,
        /// Score after it, by the plan.
        score: Score,
    },
    /// A post finished.
    Posted(PostRecord),
}

/// `mm:ss`.
pub fn clock_text(ms: u64) -> String {
    format!("{:02}:{:02}", ms / 60_000, (ms / 1000) % 60)
}

/// A one-line description of a timeline event.
pub fn describe(kind: &FeedKind, home: &str, away: &str) -> String {
    let team = |t: &Team| match t {
        Team::Home => home.to_string(),
        Team::Away => away.to_string(),
    };
    match kind {
        FeedKind::Kickoff => "kick-off".into(),
        FeedKind::PeriodEnd { period: 1 } => "half-time".into(),
        FeedKind::PeriodStart { period: 2 } => "second half".into(),
        FeedKind::MatchEnd | FeedKind::PeriodEnd { .. } => "full time".into(),
        FeedKind::Goal { team: t, .. } => format!("GOAL {}", team(t)),
        FeedKind::GoalCancelled { team: t } => format!("goal ruled out ({})", team(t)),
        FeedKind::RedCard { team: t } => format!("red card {}", team(t)),
        FeedKind::VarCheckStart => "VAR check".into(),
        FeedKind::VarCheckEnd => "VAR check over".into(),
        FeedKind::PenaltyAwarded { team: t } => format!("penalty {}", team(t)),
        FeedKind::PenaltyMissed { team: t } => format!("penalty missed ({})", team(t)),
        other => other.name().into(),
    }
}

fn result_of(answer: &Value) -> String {
    let r = answer.pointer("/results/0");
    let result = r
        .and_then(|r| r.get("result"))
        .and_then(Value::as_str)
        .unwrap_or("unknown");
    match r.and_then(|r| r.get("reason")).and_then(Value::as_str) {
        Some(reason) => format!("{result}:{reason}"),
        None => result.to_string(),
    }
}

async fn post_one(target: &FeedTarget, d: &Delivery, stats: &Mutex<FeedStats>) -> PostRecord {
    let secret = &target.secrets[d.source.index()];
    let mut attempts = 0u32;
    loop {
        // The event's ts is its send time: a retried message is a new send.
        let ev = FeedEvent {
            event_id: target.event_id.clone(),
            source: d.source,
            seq: d.seq,
            ts: now_ms(),
            clock_ms: d.clock_ms,
            kind: d.kind.clone(),
        };
        let sent_ms = now_ms();
        let answer = target
            .http
            .post_feed(d.source, secret, ev.to_json().into_bytes())
            .await;
        let answered_ms = now_ms();
        let result = match &answer {
            Ok(a) if a.status == 200 => result_of(&a.json()),
            Ok(a) => format!(
                "error:{}",
                a.error_code().unwrap_or_else(|| a.status.to_string())
            ),
            Err(_) => "error:transport".to_string(),
        };
        let retry = match &answer {
            Err(_) => true,
            Ok(a) => a.status >= 500 || a.status == 409,
        };
        // A server being restarted refuses connections for a few seconds: keep trying for a minute.
        if retry && attempts < 240 {
            attempts += 1;
            stats.lock().map(|mut s| s.retries += 1).ok();
            tokio::time::sleep(Duration::from_millis(250)).await;
            continue;
        }
        return PostRecord {
            sent_ms,
            answered_ms,
            result,
        };
    }
}

/// Plays `plan`; each delivery is posted at `start + at_ms` on its own task, so a slow answer never
/// delays the next message. Returns when every post has been answered.
pub async fn play(
    target: FeedTarget,
    plan: &Plan,
    notes: Option<mpsc::UnboundedSender<FeedNote>>,
) -> Result<FeedStats> {
    let start = Instant::now();
    let stats = Arc::new(Mutex::new(FeedStats::default()));
    let mut tasks = Vec::with_capacity(plan.deliveries.len());
    let mut next_happening = 0;
    for d in &plan.deliveries {
        tokio::time::sleep_until(start + Duration::from_millis(d.at_ms)).await;
        while let Some(e) = plan.timeline.get(next_happening) {
            if e.at_ms > d.at_ms {
                break;
            }
            next_happening += 1;
            if let Some(tx) = &notes {
                let _ = tx.send(FeedNote::Happened {
                    clock_ms: e.clock_ms,
                    kind: e.kind.clone(),
                    score: score_through(plan, next_happening),
                });
            }
        }
        let (target, d, stats, notes) = (target.clone(), d.clone(), stats.clone(), notes.clone());
        tasks.push(tokio::spawn(async move {
            let record = post_one(&target, &d, &stats).await;
            if let Ok(mut s) = stats.lock() {
                *s.results
                    .entry((d.source.as_str().to_string(), record.result.clone()))
                    .or_default() += 1;
                s.posts.push(record.clone());
            }
            if let Some(tx) = notes {
                let _ = tx.send(FeedNote::Posted(record));
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let stats = stats.lock().map(|s| s.clone()).unwrap_or_default();
    Ok(stats)
}

/// The score after the first `n` timeline events.
fn score_through(plan: &Plan, n: usize) -> Score {
    let mut s = Score::default();
    for e in plan.timeline.iter().take(n) {
        match e.kind {
            FeedKind::Goal {
                team: Team::Home, ..
            } => s.home += 1,
            FeedKind::Goal {
                team: Team::Away, ..
            } => s.away += 1,
            FeedKind::GoalCancelled { team: Team::Home } => s.home = s.home.saturating_sub(1),
            FeedKind::GoalCancelled { team: Team::Away } => s.away = s.away.saturating_sub(1),
            _ => {}
        }
    }
    s
}

/// Prints notable timeline events and a progress line until the channel closes.
pub async fn print_progress(
    mut rx: mpsc::UnboundedReceiver<FeedNote>,
    home: String,
    away: String,
    quiet: bool,
) {
    let mut posted = 0u64;
    let mut refused = 0u64;
    while let Some(note) = rx.recv().await {
        match note {
            FeedNote::Happened {
                clock_ms,
                kind,
                score,
            } => {
                if quiet || matches!(kind, FeedKind::Clock { .. } | FeedKind::Heartbeat { .. }) {
                    continue;
                }
                eprintln!(
                    "{}  {:<28} {home} {}-{} {away}   ({posted} posts, {refused} refused)",
                    clock_text(clock_ms),
                    describe(&kind, &home, &away),
                    score.home,
                    score.away,
                );
            }
            FeedNote::Posted(p) => {
                posted += 1;
                if p.result.starts_with("rejected") || p.result.starts_with("error") {
                    refused += 1;
                }
            }
        }
    }
}
