//! From a match timeline to what two feed providers send, and when: the pure, seeded part of
//! `inplay simulate` / `inplay replay --statsbomb` / `inplay load`.
//!
//! A timeline (match clock → what happened) is placed in wall time at a speed
//! ([`inplay_engine::sim::schedule`]). Each source (primary, backup) then reports every event, plus
//! - `clock` syncs at least every wall second (and every 30 s of match clock); the matches the tools
//!   create run their streamed clock at the replay's speed, so these agree with it and cost no
//!   update, and where the speed is fractional they keep the drift far below the engine's bound,
//! - heartbeats carrying the score the source believes,
//!
//! and the plan adds what real feeds do: per-message delivery jitter (which reorders messages of one
//! source when they are close), occasional duplicates (the same seq again, later), explicit
//! reorderings (two consecutive messages swapped), and outages (a source silent over a window of
//! match clock). Sequence numbers count what a source actually sends, so an outage is silence, not a
//! gap.

use inplay_engine::football::{HALF_MS, Score};
use inplay_engine::live::{FeedKind, Source};
use inplay_engine::market::Team;
use inplay_engine::sim::{Scheduled, SimEvent, schedule};
use rand_core::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// Which sources an outage silences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Silenced {
    /// Only the primary.
    Primary,
    /// Only the backup.
    Backup,
    /// Both.
    Both,
}

impl Silenced {
    /// Whether `s` is one of the sources it silences.
    pub fn covers(self, s: Source) -> bool {
        matches!(
            (self, s),
            (Silenced::Both, _)
                | (Silenced::Primary, Source::Primary)
                | (Silenced::Backup, Source::Backup)
        )
    }
}

/// A source (or both) silent from one match clock to another (first half below 45:00, second half
/// from 45:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outage {
    /// Who is silent.
    pub who: Silenced,
    /// From this match clock (ms).
    pub from_ms: u64,
    /// To this match clock (ms).
    pub to_ms: u64,
}

/// `primary:600-900` (match seconds) → an outage of the primary from 10:00 to 15:00.
pub fn parse_outage(s: &str) -> Result<Outage, String> {
    let bad = || format!("`{s}` is not SOURCE:FROM-TO (source primary|backup|both, match seconds)");
    let (who, range) = s.split_once(':').ok_or_else(bad)?;
    let who = match who {
        "primary" => Silenced::Primary,
        "backup" => Silenced::Backup,
        "both" => Silenced::Both,
        _ => return Err(bad()),
    };
    let (a, b) = range.split_once('-').ok_or_else(bad)?;
    let secs = |v: &str| v.trim().parse::<u64>().map_err(|_| bad());
    let (from, to) = (secs(a)?, secs(b)?);
    if to <= from {
        return Err(format!("`{s}`: the outage must end after it starts"));
    }
    Ok(Outage {
        who,
        from_ms: from * 1000,
        to_ms: to * 1000,
    })
}

/// How to turn a timeline into deliveries.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanOptions {
    /// Match clock per wall clock (60: a match in ~1.5 minutes plus the break).
    pub speed: f64,
    /// Wall ms from the start of the run to kick-off.
    pub lead_in_ms: u64,
    /// Half-time break in match ms (scaled by the speed like everything else).
    pub break_ms: u64,
    /// Each message is delivered up to this many wall ms late (uniform), at most a minute of match
    /// clock at the plan's speed.
    pub jitter_ms: u64,
    /// Share of messages sent a second time, 50–500 ms later.
    pub dup_rate: f64,
    /// Share of messages swapped with the source's next one.
    pub reorder_rate: f64,
    /// Silences.
    pub outages: Vec<Outage>,
    /// Wall ms between heartbeats of each source.
    pub heartbeat_ms: u64,
    /// Seed for jitter, duplicates and reordering.
    pub seed: u64,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            speed: 60.0,
            lead_in_ms: 3_000,
            break_ms: 15 * 60_000,
            jitter_ms: 200,
            dup_rate: 0.02,
            reorder_rate: 0.02,
            outages: Vec::new(),
            heartbeat_ms: 1_000,
            seed: 7,
        }
    }
}

/// One message one source sends at one wall offset.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// Wall ms from the start of the run.
    pub at_ms: u64,
    /// Sender.
    pub source: Source,
    /// The sender's sequence number.
    pub seq: u64,
    /// Match clock of the event (none for heartbeats).
    pub clock_ms: Option<u64>,
    /// What.
    pub kind: FeedKind,
    /// A deliberate repeat of an earlier delivery.
    pub duplicate: bool,
}

/// Everything a run sends, in wall order.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Deliveries by `at_ms`.
    pub deliveries: Vec<Delivery>,
    /// The timeline in wall time (what really happened, once).
    pub timeline: Vec<Scheduled>,
    /// Kick-off, half-time whistle, second-half start and final whistle, wall ms.
    pub kickoff_at: u64,
    /// Final whistle, wall ms.
    pub end_at: u64,
}

/// Wall offsets of the periods, from a scheduled timeline.
#[derive(Debug, Clone, Copy)]
struct Periods {
    kickoff: u64,
    half_time: u64,
    first_whistle_clock: u64,
    second_start: u64,
    end: u64,
    end_clock: u64,
    speed: f64,
}

impl Periods {
    fn of(timeline: &[Scheduled], speed: f64) -> Periods {
        let find = |pred: &dyn Fn(&FeedKind) -> bool| timeline.iter().find(|s| pred(&s.kind));
        let kickoff = find(&|k| matches!(k, FeedKind::Kickoff));
        let ht = find(&|k| matches!(k, FeedKind::PeriodEnd { period: 1 }));
        let s2 = find(&|k| matches!(k, FeedKind::PeriodStart { period: 2 }));
        let end = find(&|k| matches!(k, FeedKind::MatchEnd | FeedKind::PeriodEnd { period: 2 }));
        let last = timeline.last().map_or(0, |s| s.at_ms);
        Periods {
            kickoff: kickoff.map_or(0, |s| s.at_ms),
            half_time: ht.map_or(last, |s| s.at_ms),
            first_whistle_clock: ht.map_or(HALF_MS, |s| s.clock_ms),
            second_start: s2.map_or(last, |s| s.at_ms),
            end: end.map_or(last, |s| s.at_ms),
            end_clock: end.map_or(2 * HALF_MS, |s| s.clock_ms),
            speed,
        }
    }

    /// Match clock at a wall offset, and whether it runs there.
    fn clock_at(&self, wall: u64) -> (u64, bool) {
        let scaled = |from: u64| ((wall.saturating_sub(from)) as f64 * self.speed) as u64;
        if wall < self.kickoff {
            (0, false)
        } else if wall < self.half_time {
            (scaled(self.kickoff).min(self.first_whistle_clock), true)
        } else if wall < self.second_start {
            (self.first_whistle_clock, false)
        } else if wall < self.end {
            (
                (HALF_MS + scaled(self.second_start)).min(self.end_clock),
                true,
            )
        } else {
            (self.end_clock, false)
        }
    }

    /// Wall offset of a match clock (first half below 45:00).
    fn wall_of(&self, clock_ms: u64) -> u64 {
        let scaled = |ms: u64| (ms as f64 / self.speed) as u64;
        if clock_ms < HALF_MS {
            self.kickoff + scaled(clock_ms)
        } else {
            self.second_start + scaled(clock_ms - HALF_MS)
        }
    }
}

/// The score after everything in `timeline` before wall offset `wall`.
fn score_before(timeline: &[Scheduled], wall: u64) -> Score {
    let mut s = Score::default();
    for e in timeline.iter().take_while(|e| e.at_ms < wall) {
        match e.kind {
            FeedKind::Goal { team, .. } => bump(&mut s, team, true),
            FeedKind::GoalCancelled { team } => bump(&mut s, team, false),
            _ => {}
        }
    }
    s
}

fn bump(s: &mut Score, team: Team, up: bool) {
    let g = match team {
        Team::Home => &mut s.home,
        Team::Away => &mut s.away,
    };
    *g = if up {
        g.saturating_add(1)
    } else {
        g.saturating_sub(1)
    };
}

/// Builds the deliveries of a timeline.
pub fn plan(events: &[SimEvent], opts: &PlanOptions) -> Plan {
    let speed = if opts.speed.is_finite() && opts.speed > 0.0 {
        opts.speed
    } else {
        1.0
    };
    let timeline = schedule(events, opts.lead_in_ms, opts.break_ms, speed);
    let p = Periods::of(&timeline, speed);
    // A clock sync at least once a wall second, and at least every 30 s of match clock: against an
    // anchor at another rate the drift between syncs is |speed − rate| × interval, far below the
    // engine's 180 s bound.
    let sync_ms = ((30_000.0 / speed) as u64).clamp(100, 1_000);
    // Jitter is wall time, and at speed it is match time too: a message 200 ms late at 600x is two
    // minutes of match clock late. Keep it under a minute of match clock so that it never alone
    // approaches the engine's drift bound (180 s).
    let jitter_ms = opts.jitter_ms.min((60_000.0 / speed) as u64);
    let heartbeat_ms = opts.heartbeat_ms.max(50);

    // What each source reports, in wall order: (wall, priority, clock, kind).
    let mut base: Vec<(u64, u8, Option<u64>, FeedKind)> = Vec::new();
    for e in &timeline {
        base.push((e.at_ms, 1, Some(e.clock_ms), e.kind.clone()));
    }
    for (from, to) in [(p.kickoff, p.half_time), (p.second_start, p.end)] {
        let mut t = from + sync_ms;
        while t + jitter_ms + 600 < to {
            let (clock, running) = p.clock_at(t);
            base.push((t, 0, Some(clock), FeedKind::Clock { running }));
            t += sync_ms;
        }
    }
    let mut t = 0;
    // Nothing after the final whistle, even late: the engine refuses messages once the match is over.
    while t + jitter_ms + 600 < p.end {
        let score = score_before(&timeline, t);
        base.push((t, 2, None, FeedKind::Heartbeat { score: Some(score) }));
        t += heartbeat_ms;
    }
    base.sort_by_key(|(at, prio, ..)| (*at, *prio));

    let silent = |s: Source, wall: u64| {
        opts.outages
            .iter()
            .any(|o| o.who.covers(s) && wall >= p.wall_of(o.from_ms) && wall < p.wall_of(o.to_ms))
    };
    let deliveries = deliver(&base, opts, silent);
    Plan {
        deliveries,
        timeline,
        kickoff_at: p.kickoff,
        end_at: p.end,
    }
}

/// What each source sends of `base` (wall offset, priority, match clock, kind; in wall order) as
/// real feeds do: silent where `silent` says so, each message up to `jitter_ms` late, some swapped
/// with the next, some sent twice. Sequence numbers count what a source actually sends.
pub fn deliver(
    base: &[(u64, u8, Option<u64>, FeedKind)],
    opts: &PlanOptions,
    silent: impl Fn(Source, u64) -> bool,
) -> Vec<Delivery> {
    let speed = if opts.speed.is_finite() && opts.speed > 0.0 {
        opts.speed
    } else {
        1.0
    };
    let jitter_ms = opts.jitter_ms.min((60_000.0 / speed) as u64);
    let mut rng = Pcg64Mcg::seed_from_u64(opts.seed);
    let mut uniform = move || (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
    let mut deliveries = Vec::new();
    for source in [Source::Primary, Source::Backup] {
        let mut mine: Vec<Delivery> = Vec::new();
        for (at, _, clock, kind) in base {
            if silent(source, *at) {
                continue;
            }
            let jitter = (uniform() * jitter_ms as f64) as u64;
            mine.push(Delivery {
                at_ms: at + jitter,
                source,
                seq: mine.len() as u64 + 1,
                clock_ms: *clock,
                kind: kind.clone(),
                duplicate: false,
            });
        }
        let mut i = 0;
        while i + 1 < mine.len() {
            if uniform() < opts.reorder_rate {
                let (a, b) = (mine[i].at_ms, mine[i + 1].at_ms);
                // The later message goes first, at least a millisecond ahead.
                mine[i].at_ms = b.max(a) + 1;
                mine[i + 1].at_ms = a.min(b);
                i += 2;
            } else {
                i += 1;
            }
        }
        let mut dups = Vec::new();
        for d in &mine {
            if uniform() < opts.dup_rate {
                dups.push(Delivery {
                    at_ms: d.at_ms + 50 + (uniform() * 450.0) as u64,
                    duplicate: true,
                    ..d.clone()
                });
            }
        }
        deliveries.extend(mine);
        deliveries.extend(dups);
    }
    deliveries.sort_by_key(|d| (d.at_ms, d.source, d.seq));
    deliveries
}

#[cfg(test)]
mod tests {
    use super::*;
    use inplay_engine::football::FootballParams;
    use inplay_engine::sim::{SimConfig, simulate_match};

    fn match_events(seed: u64) -> Vec<SimEvent> {
        simulate_match(&SimConfig::new(FootballParams::new(1.6, 1.2), seed))
    }

    #[test]
    fn every_source_sends_contiguous_seqs_and_each_event_once() {
        let events = match_events(7);
        let plan = plan(&events, &PlanOptions::default());
        for source in [Source::Primary, Source::Backup] {
            let mut seqs: Vec<u64> = plan
                .deliveries
                .iter()
                .filter(|d| d.source == source && !d.duplicate)
                .map(|d| d.seq)
                .collect();
            seqs.sort();
            assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
            let goals = plan
                .deliveries
                .iter()
                .filter(|d| d.source == source && !d.duplicate)
                .filter(|d| matches!(d.kind, FeedKind::Goal { .. }))
                .count();
            let truth = events
                .iter()
                .filter(|e| matches!(e.kind, FeedKind::Goal { .. }))
                .count();
            assert_eq!(goals, truth);
        }
    }

    #[test]
    fn clock_syncs_keep_drift_far_below_the_engine_bound_at_speed() {
        for speed in [1.0, 60.0, 120.0] {
            let opts = PlanOptions {
                speed,
                jitter_ms: 0,
                dup_rate: 0.0,
                reorder_rate: 0.0,
                ..PlanOptions::default()
            };
            let plan = plan(&match_events(3), &opts);
            // Between two clock-bearing messages of the primary, the match clock may run ahead of a
            // 1× anchor by at most (speed − 1) × wall gap.
            let primary: Vec<&Delivery> = plan
                .deliveries
                .iter()
                .filter(|d| d.source == Source::Primary && d.clock_ms.is_some())
                .collect();
            for w in primary.windows(2) {
                let (a, b) = (w[0], w[1]);
                let drift = b.clock_ms.unwrap().saturating_sub(a.clock_ms.unwrap()) as f64
                    - (b.at_ms - a.at_ms) as f64;
                assert!(drift < 90_000.0, "speed {speed}: drift {drift} ms at {b:?}");
            }
        }
    }

    #[test]
    fn an_outage_silences_its_source_only_within_its_window() {
        let opts = PlanOptions {
            outages: vec![parse_outage("primary:600-900").unwrap()],
            ..PlanOptions::default()
        };
        let plan = plan(&match_events(7), &opts);
        let in_window = |d: &Delivery, s: Source| {
            d.source == s && d.clock_ms.is_some_and(|c| (605_000..895_000).contains(&c))
        };
        assert!(
            !plan
                .deliveries
                .iter()
                .any(|d| in_window(d, Source::Primary))
        );
        assert!(plan.deliveries.iter().any(|d| in_window(d, Source::Backup)));
    }

    #[test]
    fn heartbeats_carry_the_score_so_far() {
        let opts = PlanOptions {
            jitter_ms: 0,
            dup_rate: 0.0,
            reorder_rate: 0.0,
            ..PlanOptions::default()
        };
        let events = match_events(11);
        let plan = plan(&events, &opts);
        // A heartbeat right after a goal already carries it.
        for goal in plan
            .timeline
            .iter()
            .filter(|e| matches!(e.kind, FeedKind::Goal { .. }))
        {
            let next = plan
                .deliveries
                .iter()
                .find(|d| d.at_ms > goal.at_ms && matches!(d.kind, FeedKind::Heartbeat { .. }));
            if let Some(Delivery {
                kind: FeedKind::Heartbeat { score: Some(s) },
                ..
            }) = next
            {
                assert_eq!(*s, score_before(&plan.timeline, goal.at_ms + 1));
            }
        }
        assert_eq!(
            score_before(&plan.timeline, u64::MAX),
            inplay_engine::sim::final_score(&events)
        );
    }

    #[test]
    fn outages_parse() {
        assert_eq!(
            parse_outage("both:60-120"),
            Ok(Outage {
                who: Silenced::Both,
                from_ms: 60_000,
                to_ms: 120_000
            })
        );
        assert!(parse_outage("primary:9-3").is_err());
        assert!(parse_outage("tertiary:1-2").is_err());
        assert!(parse_outage("primary").is_err());
    }
}
