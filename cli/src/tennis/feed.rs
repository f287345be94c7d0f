//! A real tennis match played into a Worker as two providers send it: `inplay replay --pbp FILE
//! --match ID`.
//!
//! The record gives every point's winner; the engine's own rules ([`pbp::replay`]) give the server
//! of each point and what it ended, and check the record's game and set marks on the way. Points
//! are placed in wall time at the record's own pace when it has the match's length (otherwise 40
//! s a point), with the changeovers and set breaks a match has, compressed by `--speed`. Each
//! source reports `match_start`, every `point` (its number, winner and server), the
//! `game_end`/`set_end`/`match_end` cross-checks, and heartbeats; the shared plan makes it messy
//! (jitter, duplicates, reordering, outages, [`deliver`]).

use std::path::Path;

use anyhow::{Context, Result, bail};
use inplay_engine::live::{FeedKind, Source};
use inplay_engine::sim::Scheduled;
use inplay_engine::tennis::{
    AfterPoint, FinalSet, FitOptions, MatchOdds, Player, TennisParams, TennisState, Tour,
    fit_tennis, serve_average,
};
use serde_json::json;
use tokio::sync::mpsc;

use super::pbp::{self, Record};
use crate::dev_vars::Secrets;
use crate::feed_client::now_ms;
use crate::feed_plan::{Plan, PlanOptions, deliver};
use crate::feed_run::{FeedNote, FeedStats, clock_text, play};
use crate::simulate::{FeedArgs, clock_config};

/// One point as played.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Played {
    /// Who served it.
    pub server: Player,
    /// Who won it.
    pub winner: Player,
    /// The game's games score after it, when it ended a game; with the set's final games when it
    /// ended a set.
    pub ended: Ended,
}

/// What a point ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// Nothing: the game goes on.
    Nothing,
    /// A game.
    Game,
    /// A set, with its final games.
    Set([u8; 2]),
    /// The match, with the last set's final games.
    Match([u8; 2]),
}

/// A recorded match ready to play: the players, the model and the points.
#[derive(Debug, Clone)]
pub struct TennisMatch {
    /// The source's match id.
    pub id: String,
    /// A (served first) and B.
    pub names: [String; 2],
    /// The model the match opens with.
    pub params: TennisParams,
    /// Every point.
    pub points: Vec<Played>,
    /// How long the match took, in minutes, when recorded.
    pub minutes: Option<u32>,
}

/// Best of 5 for men at the Grand Slams, 3 otherwise; the deciding set by the rule of the years of
/// the records (a tiebreak at 6-6 at the US Open and on the tours, two games clear at the other
/// Grand Slams).
pub fn format_of(record: &Record) -> (u8, FinalSet) {
    let t = record.tournament.as_str();
    let slam = [
        "AustralianOpen",
        "FrenchOpen",
        "RolandGarros",
        "Wimbledon",
        "USOpen",
    ]
    .iter()
    .any(|s| t.contains(s));
    let men = record.tour == "ATP" || t.starts_with("Men's");
    let best_of = if slam && men { 5 } else { 3 };
    let final_set = if slam && !t.contains("USOpen") {
        FinalSet::Advantage
    } else {
        FinalSet::Tiebreak7
    };
    (best_of, final_set)
}

/// The opening model: fitted to match odds when given (A's first), else both players at the
/// tour's average serve.
pub fn opening_params(
    record: &Record,
    best_of: u8,
    final_set: FinalSet,
    odds: Option<[f64; 2]>,
) -> Result<TennisParams> {
    let tour = if record.tour == "WTA" || record.tournament.starts_with("Women's") {
        Tour::Wta
    } else {
        Tour::Atp
    };
    let base = TennisParams {
        final_set,
        ..TennisParams::new(0.5, 0.5, best_of)
    };
    let Some([a, b]) = odds else {
        let avg = serve_average(tour, None);
        return Ok(TennisParams {
            serve_a: avg,
            serve_b: avg,
            ..base
        });
    };
    let opts = FitOptions {
        best_of,
        final_set,
        serve_average: serve_average(tour, None),
        ..FitOptions::default()
    };
    let odds = MatchOdds {
        a,
        b,
        total_games: None,
    };
    let fit = fit_tennis(&odds, &opts).context("cannot fit the match odds")?;
    Ok(fit.params(&opts))
}

/// The record played through the engine's rules under `params` (its marks checked on the way).
pub fn played(record: &Record, params: TennisParams) -> Result<TennisMatch> {
    let points = pbp::replay(&params, record).with_context(|| {
        format!(
            "record {} does not play as best of {} with a {} final set (try --best-of / --final-set)",
            record.id, params.best_of, params.final_set
        )
    })?;
    let mut out = Vec::with_capacity(points.len());
    for (before, winner) in points {
        let mut games = before.games;
        games[winner.index()] += 1;
        let ended = match before.after_point(&params, winner)? {
            AfterPoint::InPlay(next) if next.sets != before.sets => Ended::Set(games),
            AfterPoint::InPlay(next) if next.games != before.games => Ended::Game,
            AfterPoint::InPlay(_) => Ended::Nothing,
            AfterPoint::MatchOver { .. } => Ended::Match(games),
        };
        out.push(Played {
            server: before.server,
            winner,
            ended,
        });
    }
    Ok(TennisMatch {
        id: record.id.clone(),
        names: record.names.clone(),
        params,
        points: out,
        minutes: record.minutes,
    })
}

/// Time on court: a point and the serve clock after it, the changeover after odd games, the set
/// break, in match ms at 1× (before scaling to the record's length).
const POINT_MS: u64 = 35_000;
const CHANGEOVER_MS: u64 = 90_000;
const SET_BREAK_MS: u64 = 120_000;

impl TennisMatch {
    /// Match ms at which each point is played (the first at 0), scaled so the match lasts its
    /// recorded length when known.
    pub fn point_times(&self) -> Vec<u64> {
        let mut times = Vec::with_capacity(self.points.len());
        let (mut t, mut games) = (0u64, 0u32);
        for p in &self.points {
            times.push(t);
            t += POINT_MS;
            match p.ended {
                Ended::Set(_) => {
                    games = 0;
                    t += SET_BREAK_MS;
                }
                Ended::Game => {
                    games += 1;
                    if games % 2 == 1 {
                        t += CHANGEOVER_MS;
                    }
                }
                _ => {}
            }
        }
        if let Some(minutes) = self.minutes.filter(|&m| m > 0)
            && t > 0
        {
            let scale = f64::from(minutes) * 60_000.0 / t as f64;
            for x in &mut times {
                *x = (*x as f64 * scale) as u64;
            }
        }
        times
    }
}

/// A retirement to play instead of the rest of the match: `player` retires after `after` points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retire {
    /// Who retires.
    pub player: Player,
    /// Points played before.
    pub after: usize,
}

/// `b:120` → B retires after 120 points.
pub fn parse_retire(s: &str) -> Result<Retire, String> {
    let bad = || format!("`{s}` is not PLAYER:POINTS (player a or b)");
    let (p, n) = s.split_once(':').ok_or_else(bad)?;
    let player = match p {
        "a" => Player::A,
        "b" => Player::B,
        _ => return Err(bad()),
    };
    let after = n.trim().parse().map_err(|_| bad())?;
    Ok(Retire { player, after })
}

/// Builds the deliveries of a recorded match.
pub fn plan(m: &TennisMatch, opts: &PlanOptions, retire: Option<Retire>) -> Result<Plan> {
    let speed = if opts.speed.is_finite() && opts.speed > 0.0 {
        opts.speed
    } else {
        1.0
    };
    let Some(first) = m.points.first() else {
        bail!("record {} has no points", m.id);
    };
    let times = m.point_times();
    let wall = |match_ms: u64| opts.lead_in_ms + (match_ms as f64 / speed) as u64;
    let played = retire.map_or(m.points.len(), |r| r.after.min(m.points.len()));
    // What happens, once: (wall, priority, kind) with the match ms it happens at.
    let mut timeline: Vec<Scheduled> = vec![Scheduled {
        at_ms: opts.lead_in_ms,
        clock_ms: 0,
        kind: FeedKind::MatchStart {
            server: first.server,
        },
    }];
    // The first point a little after the match starts.
    let start_ms = 5_000;
    for (k, p) in m.points.iter().enumerate().take(played) {
        let at = start_ms + times[k];
        let point = u32::try_from(k + 1).unwrap_or(u32::MAX);
        timeline.push(Scheduled {
            at_ms: wall(at),
            clock_ms: at,
            kind: FeedKind::Point {
                point,
                winner: p.winner,
                server: p.server,
            },
        });
        let check = match p.ended {
            Ended::Nothing => None,
            Ended::Game => Some(FeedKind::GameEnd { winner: p.winner }),
            Ended::Set(games) => Some(FeedKind::SetEnd {
                winner: p.winner,
                games,
            }),
            Ended::Match(_) => Some(FeedKind::TennisMatchEnd { winner: p.winner }),
        };
        if let Some(kind) = check {
            // A provider confirms the game a moment after the point that ended it.
            timeline.push(Scheduled {
                at_ms: wall(at) + 1,
                clock_ms: at,
                kind,
            });
        }
    }
    let last = timeline.last().map_or(0, |s| s.at_ms);
    if let Some(r) = retire.filter(|r| r.after < m.points.len()) {
        let clock_ms = start_ms + times[r.after.min(times.len() - 1)];
        timeline.push(Scheduled {
            at_ms: last + (20_000.0 / speed) as u64 + 1,
            clock_ms,
            kind: FeedKind::Retirement { player: r.player },
        });
    }
    let end = timeline.last().map_or(0, |s| s.at_ms);
    let mut base: Vec<(u64, u8, Option<u64>, FeedKind)> = timeline
        .iter()
        .map(|s| (s.at_ms, 1, None, s.kind.clone()))
        .collect();
    // Heartbeats while the match is on (nothing after the end: the engine refuses it).
    let heartbeat_ms = opts.heartbeat_ms.max(50);
    let mut t = 0;
    while t + 600 < end {
        base.push((t, 2, None, FeedKind::Heartbeat { score: None }));
        t += heartbeat_ms;
    }
    base.sort_by_key(|(at, prio, ..)| (*at, *prio));
    // Outages are given in match seconds.
    let silent = |s: Source, at: u64| {
        opts.outages
            .iter()
            .any(|o| o.who.covers(s) && at >= wall(o.from_ms) && at < wall(o.to_ms))
    };
    let deliveries = deliver(&base, opts, silent);
    Ok(Plan {
        deliveries,
        timeline,
        kickoff_at: opts.lead_in_ms,
        end_at: end,
    })
}

/// What `inplay replay --pbp` needs besides the feed flags.
#[derive(Debug, Clone)]
pub struct ReplayOptions {
    /// The record's `pbp_id`.
    pub id: String,
    /// Override of the inferred format.
    pub best_of: Option<u8>,
    /// Override of the inferred deciding-set rule.
    pub final_set: Option<FinalSet>,
    /// Match odds, A's (who served first) then B's, to fit the opening model to.
    pub odds: Option<[f64; 2]>,
    /// A retirement instead of the rest of the match.
    pub retire: Option<Retire>,
    /// Seed of the feed's jitter, duplicates and reordering.
    pub seed: u64,
}

/// Finds a record by id in a point-by-point file and plays it under the inferred (or given) format.
pub fn load(path: &Path, o: &ReplayOptions) -> Result<TennisMatch> {
    let (records, _) =
        pbp::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let record = records
        .into_iter()
        .find(|r| r.id == o.id)
        .with_context(|| format!("no record with pbp_id {} in {}", o.id, path.display()))?;
    let (best_of, final_set) = format_of(&record);
    let best_of = o.best_of.unwrap_or(best_of);
    let final_set = o.final_set.unwrap_or(final_set);
    let params = opening_params(&record, best_of, final_set, o.odds)?;
    let m = played(&record, params)?;
    eprintln!(
        "{} {}: {} v {}, {} ({} points, best of {}, {} final set; serve {:.3} / {:.3})",
        record.id,
        record.tournament,
        m.names[0],
        m.names[1],
        record.score,
        m.points.len(),
        best_of,
        final_set,
        params.serve_a,
        params.serve_b
    );
    Ok(m)
}

/// Creates the match (when asked) and plays the record into the Worker; prints a line per game
/// and a summary.
pub async fn run(feed: &FeedArgs, m: &TennisMatch, o: &ReplayOptions) -> Result<FeedStats> {
    let secrets = Secrets::load(feed.dev_vars.as_deref())?;
    let opts = feed.plan_options(o.seed)?;
    let plan = plan(m, &opts, o.retire)?;
    let opening = json!({
        "event_id": feed.event,
        "sport": "tennis",
        "fixture": { "home": m.names[0], "away": m.names[1], "kickoff_ms": now_ms() + plan.kickoff_at },
        "params": m.params,
        // The time played runs at the replay's speed on the page (points carry no match clock).
        "config": clock_config(opts.speed),
    });
    let title = format!("{} v {}", m.names[0], m.names[1]);
    let target = feed.target(&secrets, &opening, &title).await?;
    eprintln!(
        "playing {} messages from two sources at {}x (first point in {:.1} s, last in {:.0} s)",
        plan.deliveries.len(),
        opts.speed,
        plan.kickoff_at as f64 / 1000.0,
        plan.end_at as f64 / 1000.0
    );
    let (tx, rx) = mpsc::unbounded_channel();
    let printer = tokio::spawn(print_progress(rx, m.names.clone(), m.params, feed.quiet));
    let stats = play(target, &plan, Some(tx)).await?;
    let _ = printer.await;
    println!("{}", stats.summary());
    Ok(stats)
}

/// A line per game (and at a retirement) with the score, until the channel closes.
async fn print_progress(
    mut rx: mpsc::UnboundedReceiver<FeedNote>,
    names: [String; 2],
    params: TennisParams,
    quiet: bool,
) {
    let mut state = TennisState::pre_match(Player::A);
    let mut sets: Vec<[u8; 2]> = Vec::new();
    let (mut posted, mut refused) = (0u64, 0u64);
    let name = |p: Player| names[p.index()].clone();
    while let Some(note) = rx.recv().await {
        let (clock_ms, kind) = match note {
            FeedNote::Posted(p) => {
                posted += 1;
                if p.result.starts_with("rejected") || p.result.starts_with("error") {
                    refused += 1;
                }
                continue;
            }
            FeedNote::Happened { clock_ms, kind, .. } => (clock_ms, kind),
        };
        let line = match kind {
            FeedKind::MatchStart { server } => {
                state = TennisState::pre_match(server);
                format!("{} to serve", name(server))
            }
            FeedKind::Point { winner, .. } => {
                let before = state;
                match state.after_point(&params, winner) {
                    Ok(AfterPoint::InPlay(next)) => {
                        if next.sets != before.sets {
                            let mut g = before.games;
                            g[winner.index()] += 1;
                            sets.push(g);
                        }
                        state = next;
                    }
                    Ok(AfterPoint::MatchOver { .. }) => {
                        let mut g = before.games;
                        g[winner.index()] += 1;
                        sets.push(g);
                        state.games = [0, 0];
                    }
                    Err(_) => {}
                }
                continue;
            }
            FeedKind::GameEnd { winner } | FeedKind::SetEnd { winner, .. } => {
                format!("game {}", name(winner))
            }
            FeedKind::TennisMatchEnd { winner } => format!("GAME, SET AND MATCH {}", name(winner)),
            FeedKind::Retirement { player } => format!("{} retires", name(player)),
            _ => continue,
        };
        if quiet {
            continue;
        }
        let mut score: Vec<String> = sets.iter().map(|g| format!("{}-{}", g[0], g[1])).collect();
        if state.games != [0, 0] || sets.is_empty() {
            score.push(format!("{}-{}", state.games[0], state.games[1]));
        }
        eprintln!(
            "{}  {:<40} {:<16} ({posted} posts, {refused} refused)",
            clock_text(clock_ms),
            line,
            score.join(" "),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(points: &str, tournament: &str) -> Record {
        Record {
            id: "7".into(),
            day: 0,
            names: ["A One".into(), "B Two".into()],
            winner: Player::B,
            points: points.into(),
            score: String::new(),
            tournament: tournament.into(),
            tour: "ATP".into(),
            minutes: Some(70),
        }
    }

    // The first row of the ATP archive: Rochus–Fognini, 6-4 6-1 to Fognini (server2).
    const FOGNINI: &str = "SSSS;RRRR;SSRRSS;SSRRSS;RSRSRSRR;SSRSS;RSRRSR;SSRSS;RSRSSS;SSRSRRRSSS.SRRRSSRR;SRSRRR;RSSRRR;RRRSSSRSSRSS;RSSRRSRR;SSRRSRSS;SRSRRR";

    #[test]
    fn formats_follow_the_tournament() {
        let f = |t: &str| format_of(&record("", t));
        assert_eq!(f("Men'sWimbledon"), (5, FinalSet::Advantage));
        assert_eq!(f("Men'sUSOpen"), (5, FinalSet::Tiebreak7));
        assert_eq!(f("ATPBrisbane"), (3, FinalSet::Tiebreak7));
    }

    #[test]
    fn a_record_plays_with_its_servers_and_ends_and_lasts_its_length() {
        let r = record(FOGNINI, "ATPDoha");
        let m = played(&r, TennisParams::new(0.64, 0.64, 3)).unwrap();
        let n = FOGNINI.chars().filter(|c| "SRAD".contains(*c)).count();
        assert_eq!(m.points.len(), n);
        assert_eq!(m.points[0].server, Player::A);
        assert_eq!(m.points[4].server, Player::B, "serve changes after a game");
        assert_eq!(m.points[3].ended, Ended::Game);
        let sets: Vec<Ended> = m
            .points
            .iter()
            .filter(|p| matches!(p.ended, Ended::Set(_) | Ended::Match(_)))
            .map(|p| p.ended)
            .collect();
        assert_eq!(sets, [Ended::Set([4, 6]), Ended::Match([1, 6])]);
        let times = m.point_times();
        assert_eq!(times[0], 0);
        assert!(times.windows(2).all(|w| w[0] < w[1]));
        let length = times[n - 1] + POINT_MS;
        assert!((length as f64 / 60_000.0 - 70.0).abs() < 1.0, "{length}");
    }

    #[test]
    fn each_source_reports_every_point_and_cross_check_in_order() {
        let r = record(FOGNINI, "ATPDoha");
        let m = played(&r, TennisParams::new(0.64, 0.64, 3)).unwrap();
        let opts = PlanOptions {
            jitter_ms: 0,
            dup_rate: 0.0,
            reorder_rate: 0.0,
            ..PlanOptions::default()
        };
        let p = plan(&m, &opts, None).unwrap();
        for source in [Source::Primary, Source::Backup] {
            let mine: Vec<&FeedKind> = p
                .deliveries
                .iter()
                .filter(|d| d.source == source)
                .map(|d| &d.kind)
                .filter(|k| !matches!(k, FeedKind::Heartbeat { .. }))
                .collect();
            assert_eq!(mine[0], &FeedKind::MatchStart { server: Player::A });
            let numbers: Vec<u32> = mine
                .iter()
                .filter_map(|k| match k {
                    FeedKind::Point { point, .. } => Some(*point),
                    _ => None,
                })
                .collect();
            assert_eq!(numbers, (1..=m.points.len() as u32).collect::<Vec<_>>());
            assert_eq!(
                mine.last(),
                Some(&&FeedKind::TennisMatchEnd { winner: Player::B })
            );
        }
        // Nothing after the last point's confirmation.
        assert!(p.deliveries.iter().all(|d| d.at_ms <= p.end_at));
    }

    #[test]
    fn a_retirement_replaces_the_rest_of_the_match() {
        let r = record(FOGNINI, "ATPDoha");
        let m = played(&r, TennisParams::new(0.64, 0.64, 3)).unwrap();
        let p = plan(
            &m,
            &PlanOptions::default(),
            Some(parse_retire("a:30").unwrap()),
        )
        .unwrap();
        let points = p
            .timeline
            .iter()
            .filter(|s| matches!(s.kind, FeedKind::Point { .. }))
            .count();
        assert_eq!(points, 30);
        assert_eq!(
            p.timeline.last().map(|s| &s.kind),
            Some(&FeedKind::Retirement { player: Player::A })
        );
        assert!(parse_retire("c:3").is_err());
    }
}
