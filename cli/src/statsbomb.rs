//! A real match from a StatsBomb open-data events file, as a feed timeline.
//!
//! Read: `Half Start` (kick-off, second half), `Half End` (half-time, full time), `Shot` with outcome
//! `Goal`, `Own Goal For` (the team credited; its twin `Own Goal Against` is skipped), and red cards
//! (`Red Card` or `Second Yellow` on `Foul Committed` or `Bad Behaviour`). The match clock comes from
//! `period` and `timestamp` (time since the period started), not from `minute`, which StatsBomb
//! sometimes resets inside a period. Home is the team of the first `Starting XI` event unless given.

use anyhow::{Context, Result, anyhow, bail};
use inplay_engine::football::{HALF_MS, Score};
use inplay_engine::live::FeedKind;
use inplay_engine::market::Team;
use inplay_engine::sim::SimEvent;
use serde_json::Value;

/// A parsed match.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsbombMatch {
    /// Home team name.
    pub home: String,
    /// Away team name.
    pub away: String,
    /// Timeline in match clock.
    pub events: Vec<SimEvent>,
    /// Final score.
    pub score: Score,
}

/// `hh:mm:ss.fff` → ms.
fn timestamp_ms(s: &str) -> Option<u64> {
    let mut parts = s.split(':');
    let h: u64 = parts.next()?.parse().ok()?;
    let m: u64 = parts.next()?.parse().ok()?;
    let sec: f64 = parts.next()?.parse().ok()?;
    Some((h * 3600 + m * 60) * 1000 + (sec * 1000.0).round() as u64)
}

fn card(e: &Value) -> Option<&str> {
    e.pointer("/foul_committed/card/name")
        .or_else(|| e.pointer("/bad_behaviour/card/name"))
        .and_then(Value::as_str)
}

/// Parses a StatsBomb events JSON array.
pub fn parse(json: &[u8], home_override: Option<&str>) -> Result<StatsbombMatch> {
    let all: Vec<Value> = serde_json::from_slice(json).context("not a StatsBomb events array")?;
    let team_of = |e: &Value| {
        e.pointer("/team/name")
            .and_then(Value::as_str)
            .map(String::from)
    };
    let mut teams: Vec<String> = Vec::new();
    for e in &all {
        if e.pointer("/type/name").and_then(Value::as_str) == Some("Starting XI")
            && let Some(t) = team_of(e)
            && !teams.contains(&t)
        {
            teams.push(t);
        }
    }
    if teams.len() != 2 {
        bail!("expected two Starting XI teams, found {teams:?}");
    }
    let (home, away) = match home_override {
        Some(h) if h == teams[1] => (teams[1].clone(), teams[0].clone()),
        Some(h) if h != teams[0] => bail!("--home {h} is neither {} nor {}", teams[0], teams[1]),
        _ => (teams[0].clone(), teams[1].clone()),
    };
    let side = |e: &Value| -> Result<Team> {
        let t = team_of(e).ok_or_else(|| anyhow!("event without a team"))?;
        Ok(if t == home { Team::Home } else { Team::Away })
    };
    let mut out: Vec<(u64, usize, SimEvent)> = Vec::new();
    let mut halves_started = [false; 2];
    let mut halves_ended = [false; 2];
    let mut score = Score::default();
    // Sorted by period and time, then the file's own order (its `index`).
    let mut rows: Vec<(u64, u64, usize, &Value)> = Vec::new();
    for (i, e) in all.iter().enumerate() {
        let period = e.get("period").and_then(Value::as_u64).unwrap_or(0);
        if !(1..=2).contains(&period) {
            continue; // extra time and shoot-outs are not football's 90 minutes
        }
        let ts = e
            .get("timestamp")
            .and_then(Value::as_str)
            .and_then(timestamp_ms)
            .ok_or_else(|| anyhow!("event {i} has no timestamp"))?;
        rows.push((period, ts, i, e));
    }
    rows.sort_by_key(|(p, ts, i, _)| (*p, *ts, *i));
    for (period, ts, i, e) in rows {
        let clock_ms = if period == 1 { ts } else { HALF_MS + ts };
        let kind = match e.pointer("/type/name").and_then(Value::as_str) {
            Some("Half Start") if !halves_started[period as usize - 1] => {
                halves_started[period as usize - 1] = true;
                Some(if period == 1 {
                    FeedKind::Kickoff
                } else {
                    FeedKind::PeriodStart { period: 2 }
                })
            }
            Some("Half End") if !halves_ended[period as usize - 1] => {
                halves_ended[period as usize - 1] = true;
                Some(if period == 1 {
                    FeedKind::PeriodEnd { period: 1 }
                } else {
                    FeedKind::MatchEnd
                })
            }
            Some("Shot")
                if e.pointer("/shot/outcome/name").and_then(Value::as_str) == Some("Goal") =>
            {
                Some(goal(&mut score, side(e)?))
            }
            Some("Own Goal For") => Some(goal(&mut score, side(e)?)),
            Some("Foul Committed" | "Bad Behaviour")
                if matches!(card(e), Some("Red Card" | "Second Yellow")) =>
            {
                Some(FeedKind::RedCard { team: side(e)? })
            }
            _ => None,
        };
        if let Some(kind) = kind {
            out.push((clock_ms, i, SimEvent { clock_ms, kind }));
        }
    }
    if !halves_started[0] || !halves_ended[1] {
        bail!("the file has no first-half start or no second-half end");
    }
    Ok(StatsbombMatch {
        home,
        away,
        events: out.into_iter().map(|(_, _, e)| e).collect(),
        score,
    })
}

fn goal(score: &mut Score, team: Team) -> FeedKind {
    match team {
        Team::Home => score.home += 1,
        Team::Away => score.away += 1,
    }
    FeedKind::Goal {
        team,
        score: Some(*score),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev(period: u64, ts: &str, kind: &str, team: &str, extra: Value) -> Value {
        let mut v = json!({ "period": period, "timestamp": ts, "type": { "name": kind }, "team": { "name": team } });
        if let (Some(o), Some(x)) = (v.as_object_mut(), extra.as_object()) {
            o.extend(x.clone());
        }
        v
    }

    #[test]
    fn goals_own_goals_reds_and_periods_become_feed_events() {
        let file = json!([
            ev(1, "00:00:00.000", "Starting XI", "Barcelona", json!({})),
            ev(1, "00:00:00.000", "Starting XI", "Girona", json!({})),
            ev(1, "00:00:00.000", "Half Start", "Barcelona", json!({})),
            ev(1, "00:00:00.000", "Half Start", "Girona", json!({})),
            ev(
                1,
                "00:18:21.121",
                "Shot",
                "Barcelona",
                json!({ "shot": { "outcome": { "name": "Goal" } } })
            ),
            ev(
                1,
                "00:20:00.000",
                "Shot",
                "Girona",
                json!({ "shot": { "outcome": { "name": "Saved" } } })
            ),
            ev(
                1,
                "00:32:36.585",
                "Foul Committed",
                "Barcelona",
                json!({ "foul_committed": { "card": { "name": "Red Card" } } })
            ),
            ev(1, "00:48:01.108", "Half End", "Girona", json!({})),
            ev(1, "00:48:01.108", "Half End", "Barcelona", json!({})),
            ev(2, "00:00:00.000", "Half Start", "Barcelona", json!({})),
            ev(2, "00:44:51.456", "Own Goal For", "Girona", json!({})),
            ev(
                2,
                "00:44:51.456",
                "Own Goal Against",
                "Barcelona",
                json!({})
            ),
            ev(
                2,
                "00:10:00.000",
                "Bad Behaviour",
                "Girona",
                json!({ "bad_behaviour": { "card": { "name": "Second Yellow" } } })
            ),
            ev(2, "00:48:08.184", "Half End", "Girona", json!({})),
        ]);
        let m = parse(file.to_string().as_bytes(), None).unwrap();
        assert_eq!((m.home.as_str(), m.away.as_str()), ("Barcelona", "Girona"));
        assert_eq!(m.score, Score { home: 1, away: 1 });
        let kinds: Vec<(u64, &str)> = m
            .events
            .iter()
            .map(|e| (e.clock_ms, e.kind.name()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (0, "kickoff"),
                (1_101_121, "goal"),
                (1_956_585, "red_card"),
                (2_881_108, "period_end"),
                (2_700_000, "period_start"),
                (3_300_000, "red_card"),
                (5_391_456, "goal"),
                (5_588_184, "match_end"),
            ]
        );
        let swapped = parse(file.to_string().as_bytes(), Some("Girona")).unwrap();
        assert_eq!(swapped.score, Score { home: 1, away: 1 });
        assert_eq!(swapped.home, "Girona");
        assert!(parse(file.to_string().as_bytes(), Some("Madrid")).is_err());
    }

    #[test]
    fn the_shared_files_parse_when_present() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/data/football/statsbomb");
        for (file, home, away, score) in [
            (
                "barcelona_alaves_events.json",
                "Barcelona",
                "Deportivo Alavés",
                (3, 1),
            ),
            (
                "barcelona_girona_events.json",
                "Barcelona",
                "Girona",
                (2, 2),
            ),
        ] {
            let Ok(bytes) = std::fs::read(dir.join(file)) else {
                continue; // the data set lives beside the repo, not in it
            };
            let m = parse(&bytes, Some(home)).unwrap();
            assert_eq!(m.away, away);
            assert_eq!((m.score.home, m.score.away), score, "{file}");
        }
    }
}
