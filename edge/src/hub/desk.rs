//! The trading desk's view of a match and its alerts, from the hub core's state.
//!
//! The engine gives the match, the sources' health, what waits for confirmation and the book's
//! exposure; the hub adds what only it sees (feed results per source, the bet flow, the relays) and
//! judges the alerts, remembering when each started so the desk can say how long it has lasted.

use std::collections::{BTreeMap, HashMap, VecDeque};

use inplay_engine::live::{
    BetDecision, FeedOutcome, FeedResult, Source, SportImage, SuspensionReason, TennisScore,
};
use inplay_protocol::desk::{
    Alert, AlertKind, BetFlow, DeskView, FootballDesk, RelayDesk, SourceDesk, SportDesk, TennisDesk,
};

use super::HubCore;

/// When alerts are raised.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlertRules {
    /// A source silent this long while the other spoke within it is `source_silent`.
    pub silent_after_ms: u64,
    /// A selection or market above this share of its limit is `liability`.
    pub liability_share: f64,
    /// A relay behind the hub (or failing) this long is `relay_behind`.
    pub relay_behind_after_ms: u64,
}

impl Default for AlertRules {
    fn default() -> Self {
        AlertRules {
            silent_after_ms: 3_000,
            liability_share: 0.8,
            relay_behind_after_ms: 2_000,
        }
    }
}

/// What the hub counts for the desk beside the engine.
#[derive(Debug, Clone, Default)]
pub struct DeskCounters {
    /// Per source: accepted, duplicate, held, rejected.
    feed: [[u64; 4]; 2],
    /// Decisions by their text.
    decisions: BTreeMap<String, u64>,
    /// When recent bets arrived (the last ten seconds), for the rate.
    arrivals: VecDeque<u64>,
    /// When each alert now standing was first seen.
    first_seen: HashMap<(AlertKind, String), u64>,
}

const RATE_WINDOW_MS: u64 = 10_000;

impl DeskCounters {
    pub(super) fn count_feed(&mut self, r: &FeedResult) {
        let i = match r.outcome {
            FeedOutcome::Accepted => 0,
            FeedOutcome::Duplicate => 1,
            FeedOutcome::Held => 2,
            FeedOutcome::Rejected { .. } => 3,
        };
        self.feed[r.source.index()][i] += 1;
    }

    pub(super) fn count_decision(&mut self, d: &BetDecision, arrived_now: bool, now_ms: u64) {
        *self.decisions.entry(d.status.to_string()).or_insert(0) += 1;
        if arrived_now {
            self.arrivals.push_back(now_ms);
        }
        while self
            .arrivals
            .front()
            .is_some_and(|&t| now_ms.saturating_sub(t) > RATE_WINDOW_MS)
        {
            self.arrivals.pop_front();
        }
    }

    fn rate(&self, now_ms: u64) -> f64 {
        let recent = self
            .arrivals
            .iter()
            .filter(|&&t| now_ms.saturating_sub(t) <= RATE_WINDOW_MS)
            .count();
        recent as f64 / (RATE_WINDOW_MS as f64 / 1000.0)
    }
}

impl HubCore {
    /// The desk's view at `now_ms`, with the alerts standing now (and since when); `None` without a
    /// match.
    pub fn desk_view(&mut self, now_ms: u64) -> Option<DeskView> {
        let rules = self.config.alerts;
        let m = self.current.as_ref()?;
        let live = &m.live;
        let image = live.image();
        let clock_ms = image.clock.clock_at(now_ms);
        let sport = match &image.sport {
            SportImage::Football(f) => SportDesk::Football(FootballDesk {
                period: f.state.period,
                clock_ms,
                score: f.state.score,
                goals: f.goals.clone(),
                params: f.params,
                outcomes: live.outcomes(3),
            }),
            SportImage::Tennis(t) => SportDesk::Tennis(TennisDesk {
                score: TennisScore::of(t),
                clock_ms,
                points_played: u32::try_from(live.points_played()).unwrap_or(u32::MAX),
                params: t.params,
                reported: live.tennis_reports(),
                outcomes: live.set_outcomes(),
            }),
        };
        let health = live.source_health();
        let sources: Vec<SourceDesk> = health
            .iter()
            .map(|h| {
                let [accepted, duplicate, held_total, rejected] = self.desk.feed[h.source.index()];
                SourceDesk {
                    health: h.clone(),
                    accepted,
                    duplicate,
                    held_total,
                    rejected,
                }
            })
            .collect();
        let head = m.fanout.head();
        let relays: Vec<RelayDesk> = m
            .fanout
            .downstream()
            .map(|(name, d)| RelayDesk {
                name: name.to_string(),
                lag: d.lag(head),
                failures: d.failures,
                sockets: d.last_ack.sockets,
            })
            .collect();
        let exposure = live.exposure();
        let trading = image.trading;

        // What is wrong now, each with a subject; when it started comes from `first_seen`.
        let mut now_wrong: Vec<(AlertKind, String, String, Option<u64>)> = Vec::new();
        let suspension_since = |reason| {
            image
                .suspensions
                .iter()
                .find(|s| s.reason == reason)
                .map(|s| s.since_ms)
        };
        if let Some(since) = suspension_since(SuspensionReason::FeedStale) {
            now_wrong.push((
                AlertKind::FeedStale,
                String::new(),
                "no message from either source: every market suspended".into(),
                Some(since),
            ));
        }
        if let Some(since) = suspension_since(SuspensionReason::SourceDiscrepancy) {
            now_wrong.push((
                AlertKind::SourceDiscrepancy,
                String::new(),
                "the sources disagree: markets suspended until they agree or a trader decides"
                    .into(),
                Some(since),
            ));
        }
        for s in [Source::Primary, Source::Backup] {
            let mine = health[s.index()].last_message_ms;
            let other = health[s.other().index()].last_message_ms;
            if let (Some(mine), Some(other)) = (mine, other)
                && now_ms.saturating_sub(mine) >= rules.silent_after_ms
                && now_ms.saturating_sub(other) < rules.silent_after_ms
            {
                now_wrong.push((
                    AlertKind::SourceSilent,
                    s.as_str().into(),
                    format!("{} silent while {} speaks", s.as_str(), s.other().as_str()),
                    Some(mine.saturating_add(rules.silent_after_ms)),
                ));
            }
        }
        for e in &exposure {
            let share = |used: u64, limit: u64| {
                limit > 0 && used as f64 >= rules.liability_share * limit as f64
            };
            if share(e.liability, trading.max_selection_liability) {
                now_wrong.push((
                    AlertKind::Liability,
                    format!("{}/{}", e.market, e.selection),
                    format!(
                        "{} {}: liability {} of {}",
                        e.market, e.selection, e.liability, trading.max_selection_liability
                    ),
                    None,
                ));
            } else if share(e.market_liability, trading.max_market_liability) {
                now_wrong.push((
                    AlertKind::Liability,
                    e.market.to_string(),
                    format!(
                        "{}: liability {} of {}",
                        e.market, e.market_liability, trading.max_market_liability
                    ),
                    None,
                ));
            }
        }
        for r in &relays {
            if r.lag > 0 || r.failures > 0 {
                now_wrong.push((
                    AlertKind::RelayBehind,
                    r.name.clone(),
                    format!(
                        "relay {} behind by {} versions, {} failures",
                        r.name, r.lag, r.failures
                    ),
                    None,
                ));
            }
        }
        let first_seen = &mut self.desk.first_seen;
        first_seen.retain(|key, _| {
            now_wrong
                .iter()
                .any(|(k, s, _, _)| (k, s) == (&key.0, &key.1))
        });
        let mut alerts = Vec::new();
        for (kind, subject, message, since) in now_wrong {
            let seen = *first_seen
                .entry((kind, subject.clone()))
                .or_insert_with(|| since.unwrap_or(now_ms));
            // A relay that catches up at once is routine: only one behind for a while alerts.
            if kind == AlertKind::RelayBehind
                && now_ms.saturating_sub(seen) < rules.relay_behind_after_ms
            {
                continue;
            }
            alerts.push(Alert {
                kind,
                subject,
                since_ms: seen,
                message,
            });
        }
        alerts.sort_by_key(|a| (a.since_ms, a.kind));
        Some(DeskView {
            event_id: image.event_id.clone(),
            title: format!("{} v {}", image.fixture.home, image.fixture.away),
            fixture: image.fixture.clone(),
            server_ms: now_ms,
            version: live.version(),
            abandoned: image.abandoned,
            sport,
            suspensions: image.suspensions.clone(),
            overrides: image.overrides.clone(),
            sources,
            awaiting: live.awaiting(),
            bets: BetFlow {
                per_second: self.desk.rate(now_ms),
                decisions: self.desk.decisions.clone(),
                pending: live.pending_bet_count() as u64,
                total: live.bet_count() as u64,
            },
            trading,
            exposure,
            relays,
            alerts,
        })
    }
}
