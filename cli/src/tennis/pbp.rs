//! Jeff Sackmann's point-by-point records (`tennis_pointbypoint`): one match a row, its points as a
//! string of `S`/`A` (the server won: a point, an ace) and `R`/`D` (the returner won: a point, a
//! double fault), games ended by `;`, sets by `.`, and `/` at each change of serve inside a
//! tiebreak. `server1` serves first; `winner` is 1 or 2.
//!
//! A record is replayed through the engine's own scoring ([`TennisState::after_point`]), and every
//! delimiter is checked against it: a record that disagrees with the rules (or with the format it
//! was assumed to be played in) is refused rather than guessed at.

use std::path::Path;

use anyhow::{Context, Result, bail};
use inplay_engine::tennis::{AfterPoint, Player, TennisParams, TennisState};

/// One match as recorded. Player A is `server1`, who served first.
pub struct Record {
    /// The source's match id.
    pub id: String,
    /// Days since 1970-01-01.
    pub day: i64,
    /// Full names of A (`server1`) and B.
    pub names: [String; 2],
    /// Who won.
    pub winner: Player,
    /// The points, as recorded.
    pub points: String,
    /// The score in games, as recorded (`6-4 3-6 7-6(5)`).
    pub score: String,
    /// The tournament (`Men'sWimbledon`), when the file has it.
    pub tournament: String,
    /// `ATP`, `WTA`, … when the file has it.
    pub tour: String,
    /// How long the match took, in minutes, when recorded.
    pub minutes: Option<u32>,
}

/// Reads every row of a point-by-point CSV; rows that cannot be read are counted, not fatal.
pub fn read(path: &Path) -> Result<(Vec<Record>, usize)> {
    let mut reader = csv::Reader::from_path(path)?;
    let headers = reader.headers()?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .with_context(|| format!("no column {name}"))
    };
    let [id, date, s1, s2, winner, pbp, score] = [
        "pbp_id", "date", "server1", "server2", "winner", "pbp", "score",
    ]
    .map(column);
    let (id, date, s1, s2, winner, pbp, score) = (id?, date?, s1?, s2?, winner?, pbp?, score?);
    let [tournament, tour, minutes] = ["tny_name", "tour", "wh_minutes"].map(|c| column(c).ok());
    let mut records = Vec::new();
    let mut skipped = 0;
    for row in reader.records() {
        let Ok(row) = row else {
            skipped += 1;
            continue;
        };
        let field = |i: usize| row.get(i).unwrap_or("").trim().to_string();
        let winner = match field(winner).as_str() {
            "1" => Player::A,
            "2" => Player::B,
            _ => {
                skipped += 1;
                continue;
            }
        };
        let Some(day) = day_of(&field(date)) else {
            skipped += 1;
            continue;
        };
        records.push(Record {
            id: field(id),
            day,
            names: [field(s1), field(s2)],
            winner,
            points: field(pbp),
            score: field(score),
            tournament: tournament.map(field).unwrap_or_default(),
            tour: tour.map(field).unwrap_or_default(),
            minutes: minutes.and_then(|i| field(i).parse().ok()),
        });
    }
    Ok((records, skipped))
}

/// `28 Jul 11` → days since 1970-01-01.
fn day_of(date: &str) -> Option<i64> {
    let mut parts = date.split_whitespace();
    let day: u32 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    (parts.next().is_none() && (1..=31).contains(&day)).then(|| days(2000 + year, month, day))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
pub fn days(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Points won by the server, and points, in a record (any format).
pub fn serve_points(points: &str) -> (u64, u64) {
    let won = points.chars().filter(|c| matches!(c, 'S' | 'A')).count() as u64;
    let all = won + points.chars().filter(|c| matches!(c, 'R' | 'D')).count() as u64;
    (won, all)
}

/// The match played point by point under `params`: the state before each point and who won it.
pub fn replay(params: &TennisParams, record: &Record) -> Result<Vec<(TennisState, Player)>> {
    let mut state = TennisState::pre_match(Player::A);
    let mut played = Vec::with_capacity(record.points.len());
    let mut over = None;
    // What the last point ended: 0 nothing, 1 a game (or tiebreak), 2 a set (or the match).
    let mut ended = 0;
    let mut serve_changed = false;
    for c in record.points.chars() {
        let won = match c {
            'S' | 'A' => state.server,
            'R' | 'D' => state.server.other(),
            ';' if ended == 1 => continue,
            '.' if ended == 2 => continue,
            '/' if serve_changed && state.in_tiebreak(params) => continue,
            _ => bail!(
                "`{c}` after point {} disagrees with the rules",
                played.len()
            ),
        };
        if over.is_some() {
            bail!("points after the match was over");
        }
        played.push((state, won));
        match state.after_point(params, won)? {
            AfterPoint::InPlay(next) => {
                ended = if next.sets != state.sets {
                    2
                } else if next.games != state.games {
                    1
                } else {
                    0
                };
                serve_changed = next.server != state.server;
                state = next;
            }
            AfterPoint::MatchOver { winner, .. } => {
                ended = 2;
                over = Some(winner);
            }
        }
    }
    match over {
        Some(w) if w == record.winner => Ok(played),
        Some(_) => bail!("the points give the match to the other player"),
        None => bail!("the points stop before the match is over"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(points: &str, winner: Player) -> Record {
        Record {
            id: "1".into(),
            day: 0,
            names: ["A B".into(), "C D".into()],
            winner,
            points: points.into(),
            score: String::new(),
            tournament: String::new(),
            tour: String::new(),
            minutes: None,
        }
    }

    #[test]
    fn dates_count_days() {
        assert_eq!(days(1970, 1, 1), 0);
        assert_eq!(days(2014, 1, 13), 16_083);
        assert_eq!(day_of("13 Jan 14"), Some(16_083));
        assert_eq!(day_of("1 Mar 12").map(|d| d - days(2012, 2, 28)), Some(2));
        assert_eq!(day_of("31 Foo 12"), None);
    }

    #[test]
    fn a_recorded_match_replays_and_a_wrong_one_is_refused() {
        let p = TennisParams::new(0.65, 0.62, 3);
        // The first row of the ATP archive: Rochus–Fognini, 6-4 6-1 to Fognini (server2).
        let fognini = "SSSS;RRRR;SSRRSS;SSRRSS;RSRSRSRR;SSRSS;RSRRSR;SSRSS;RSRSSS;SSRSRRRSSS.SRRRSSRR;SRSRRR;RSSRRR;RRRSSSRSSRSS;RSSRRSRR;SSRRSRSS;SRSRRR";
        let played = replay(&p, &record(fognini, Player::B)).unwrap();
        assert_eq!(
            played.len(),
            fognini.chars().filter(|c| "SRAD".contains(*c)).count()
        );
        assert!(replay(&p, &record(fognini, Player::A)).is_err());
        // A game boundary where the rules have none.
        assert!(replay(&p, &record("SSS;S", Player::A)).is_err());
        // Holds to 6-6, A wins the tiebreak 7-0 (serve changes after 1, 3, 5 points); B serves
        // first in set two, and A wins every point of it.
        let first_set = "SSSS;".repeat(12) + "S/RR/SS/RR.";
        let second_set = ["RRRR", "SSSS"].repeat(3).join(";");
        let played = replay(&p, &record(&(first_set.clone() + &second_set), Player::A)).unwrap();
        assert_eq!(played.len(), 12 * 4 + 7 + 6 * 4);
        // A serve change marked where there is none.
        let wrong = "SSSS;".repeat(12) + "SR/R/SS/RR." + &second_set;
        assert!(replay(&p, &record(&wrong, Player::A)).is_err());
    }
}
