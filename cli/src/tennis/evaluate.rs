//! `inplay tennis evaluate`: how well the match-winner price forecasts real matches, point by point.
//!
//! Each point-by-point record is matched to a row of tennis-data.co.uk odds (names `Surname F.`
//! against full names: the surname's first word among the full name's later words and the first
//! name starting with the initials; both players, the same winner, within a week). The serve-point
//! probabilities are fitted to that row's match odds (Pinnacle `PSW/PSL`, else the market average
//! `AvgW/AvgL`) with the sum anchored on the tour's average for the surface, and the match is
//! replayed through the engine's scoring. Before every point the model's P(A wins) is scored
//! against the result with the Brier score and the log-loss, beside two baselines: the pre-match
//! price held constant, and the in-play model without the odds (both players at the average).

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use inplay_engine::market::{Line, MarketKey, SelectionKey};
use inplay_engine::odds::MarginMethod;
use inplay_engine::tennis::{
    FinalSet, FitOptions, MatchOdds, Player, Surface, TennisParams, TennisState, Tour, fit_tennis,
    match_winner, price, serve_average,
};
use serde::Serialize;

use super::pbp::{self, Record};
use crate::args;

/// `inplay tennis evaluate`
#[derive(clap::Args)]
pub struct EvaluateArgs {
    /// Point-by-point CSV files (tennis_pointbypoint's format).
    #[arg(long, num_args = 1.., required = true)]
    pbp: Vec<PathBuf>,
    /// tennis-data.co.uk odds CSV files (Date, Tournament, Surface, Best of, Winner, Loser,
    /// PSW/PSL or AvgW/AvgL). Without them only the serve shares are reported.
    #[arg(long, num_args = 1..)]
    odds: Vec<PathBuf>,
    /// Margin-removal method for the match odds.
    #[arg(long, value_parser = args::method, default_value = "multiplicative")]
    method: MarginMethod,
    /// The serve-point average on which each fit is anchored, instead of the ATP's for the
    /// match's surface.
    #[arg(long)]
    serve_average: Option<f64>,
    /// Also write one CSV line per evaluated match to this file.
    #[arg(long)]
    per_match: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Largest gap in days between a record's date and its odds row's.
const DATE_WINDOW: i64 = 7;
/// Forecasts are clamped this far from 0 and 1 before the log-loss (the model is never certain
/// before the last point, but a baseline could be).
const LOG_FLOOR: f64 = 1e-12;

/// Brier score and log-loss of one forecaster over every point.
#[derive(Debug, Default, Serialize)]
pub struct Score {
    /// Mean of (p − outcome)².
    pub brier: f64,
    /// Mean of −ln p(outcome).
    pub log_loss: f64,
}

#[derive(Default)]
struct Sum {
    brier: f64,
    log_loss: f64,
}

impl Sum {
    fn add(&mut self, p: f64, a_won: bool) {
        let y = if a_won { 1.0 } else { 0.0 };
        self.brier += (p - y) * (p - y);
        let q = if a_won { p } else { 1.0 - p };
        self.log_loss -= q.clamp(LOG_FLOOR, 1.0).ln();
    }
    fn mean(&self, n: u64) -> Score {
        let n = n.max(1) as f64;
        Score {
            brier: self.brier / n,
            log_loss: self.log_loss / n,
        }
    }
}

/// Forecasts grouped by value: is an event priced at p won a share p of the time?
#[derive(Debug, Default, Serialize)]
pub struct Bin {
    /// Forecasts in `[from, from + 0.1)`.
    pub from: f64,
    /// How many.
    pub forecasts: u64,
    /// Their mean.
    pub mean_forecast: f64,
    /// Share of them that A went on to win.
    pub won: f64,
}

/// Ten bins of width 0.1, accumulated as sums.
#[derive(Default)]
struct Calibration([(u64, f64, u64); 10]);

impl Calibration {
    fn add(&mut self, p: f64, a_won: bool) {
        let bin = &mut self.0[((p * 10.0) as usize).min(9)];
        bin.0 += 1;
        bin.1 += p;
        bin.2 += u64::from(a_won);
    }
    fn bins(&self) -> Vec<Bin> {
        self.0
            .iter()
            .enumerate()
            .map(|(i, &(n, sum, won))| Bin {
                from: i as f64 / 10.0,
                forecasts: n,
                mean_forecast: if n > 0 { sum / n as f64 } else { 0.0 },
                won: if n > 0 { won as f64 / n as f64 } else { 0.0 },
            })
            .collect()
    }
}

/// A total-games line priced before the match, against the games played.
#[derive(Debug, Default, Serialize)]
pub struct TotalLine {
    /// The line (22.5 best of 3, 38.5 best of 5).
    pub line: f64,
    /// Matches.
    pub matches: u64,
    /// Mean pre-match P(over).
    pub mean_forecast: f64,
    /// Share of them that went over.
    pub over: f64,
    /// Mean games played.
    pub mean_games: f64,
}

#[derive(Default)]
struct LineSum {
    matches: u64,
    forecast: f64,
    over: u64,
    games: f64,
}

/// Points won by the server.
#[derive(Debug, Default, Serialize)]
pub struct ServeShare {
    /// Points served.
    pub points: u64,
    /// Share won by the server.
    pub share: f64,
}

impl ServeShare {
    fn from((won, all): (u64, u64)) -> ServeShare {
        ServeShare {
            points: all,
            share: if all > 0 {
                won as f64 / all as f64
            } else {
                0.0
            },
        }
    }
}

/// What `evaluate` measured.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// Records read.
    pub records: usize,
    /// Rows that could not be read.
    pub unreadable: usize,
    /// Server's share of all points in every record read.
    pub serve_share: ServeShare,
    /// The evaluation against the odds, when odds were given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub odds: Option<OddsReport>,
}

/// The records matched to odds, and how each forecaster scored on them.
#[derive(Debug, Default, Serialize)]
pub struct OddsReport {
    /// Odds rows read (completed matches with odds).
    pub rows: usize,
    /// Records dated within the odds' span.
    pub in_span: usize,
    /// Records matched to exactly one odds row.
    pub matched: usize,
    /// Records with more than one candidate row.
    pub ambiguous: usize,
    /// Matched records whose points disagree with the rules of the format (or whose odds could
    /// not be fitted).
    pub refused: usize,
    /// Their record ids.
    pub refused_ids: Vec<String>,
    /// Matches evaluated.
    pub evaluated: usize,
    /// Of which fitted to Pinnacle's odds (the rest to the market average).
    pub pinnacle: usize,
    /// Points forecast.
    pub points: u64,
    /// Server's share of the evaluated matches' points, by surface (the anchors' source).
    pub serve_share_by_surface: HashMap<&'static str, ServeShare>,
    /// The in-play model, with serve probabilities fitted to the match odds.
    pub in_play: Score,
    /// The pre-match price, held constant through the match.
    pub pre_match_constant: Score,
    /// The in-play model without the odds: both players at the average.
    pub in_play_without_odds: Score,
    /// The in-play model's forecasts by value, against how often A won.
    pub calibration: Vec<Bin>,
    /// Total games: the anchored fit's pre-match price of one line per format, against the games.
    pub total_games: Vec<TotalLine>,
}

/// A tennis-data.co.uk name, `Del Potro J.M.`: the surname's words and the initials' first letters.
struct OddsName {
    surname: Vec<String>,
    initials: String,
}

fn words(s: &str) -> Vec<String> {
    s.chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

impl OddsName {
    fn parse(s: &str) -> Option<OddsName> {
        let (surname, initials) = s.trim().rsplit_once(' ')?;
        let initials: String = initials
            .split('.')
            .next()?
            .chars()
            .flat_map(char::to_lowercase)
            .collect();
        let surname = words(surname);
        (!surname.is_empty() && !initials.is_empty()).then_some(OddsName { surname, initials })
    }

    /// Whether a full name (`Juan Martin Del Potro`) is this player.
    fn is(&self, full: &[String]) -> bool {
        full.len() >= 2
            && full[0].starts_with(&self.initials)
            && full[1..].contains(&self.surname[0])
    }
}

/// One completed match with odds.
struct OddsRow {
    day: i64,
    tournament: String,
    surface: Option<Surface>,
    best_of: u8,
    /// Winner then loser.
    names: [OddsName; 2],
    odds: [f64; 2],
    pinnacle: bool,
    /// Games per set, winner's first.
    sets: Vec<[u8; 2]>,
}

fn read_odds(path: &Path, rows: &mut Vec<OddsRow>) -> Result<()> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_path(path)?;
    let headers = reader.headers()?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}').trim() == name)
    };
    let need = |name: &str| col(name).with_context(|| format!("no column {name}"));
    let (date, tournament, surface, best_of, winner, loser) = (
        need("Date")?,
        need("Tournament")?,
        need("Surface")?,
        need("Best of")?,
        need("Winner")?,
        need("Loser")?,
    );
    let comment = col("Comment");
    let pinnacle = [col("PSW"), col("PSL")];
    let average = [col("AvgW"), col("AvgL")];
    let games: Vec<[Option<usize>; 2]> = (1..=5)
        .map(|k| [col(&format!("W{k}")), col(&format!("L{k}"))])
        .collect();
    for row in reader.records() {
        let Ok(row) = row else { continue };
        let field = |i: usize| row.get(i).unwrap_or("").trim();
        if comment.is_some_and(|c| field(c) != "Completed") {
            continue;
        }
        let odds = |cols: [Option<usize>; 2]| -> Option<[f64; 2]> {
            let w: f64 = field(cols[0]?).parse().ok()?;
            let l: f64 = field(cols[1]?).parse().ok()?;
            (w > 1.0 && l > 1.0).then_some([w, l])
        };
        let (odds, is_pinnacle) = match (odds(pinnacle), odds(average)) {
            (Some(o), _) => (o, true),
            (None, Some(o)) => (o, false),
            (None, None) => continue,
        };
        let Some(day) = odds_day(field(date)) else {
            continue;
        };
        let (Some(w), Some(l)) = (
            OddsName::parse(field(winner)),
            OddsName::parse(field(loser)),
        ) else {
            continue;
        };
        let best_of = match field(best_of) {
            "3" => 3,
            "5" => 5,
            _ => continue,
        };
        let surface = match field(surface) {
            "Hard" => Some(Surface::Hard),
            "Clay" => Some(Surface::Clay),
            "Grass" => Some(Surface::Grass),
            _ => None,
        };
        let sets = games
            .iter()
            .filter_map(|[w, l]| {
                let w = field((*w)?).parse().ok()?;
                let l = field((*l)?).parse().ok()?;
                Some([w, l])
            })
            .collect();
        rows.push(OddsRow {
            day,
            tournament: field(tournament).to_string(),
            surface,
            best_of,
            names: [w, l],
            odds,
            pinnacle: is_pinnacle,
            sets,
        });
    }
    Ok(())
}

/// `2014-01-13` → days since 1970-01-01.
fn odds_day(s: &str) -> Option<i64> {
    let mut parts = s.split('-');
    let y = parts.next()?.parse().ok()?;
    let m = parts.next()?.parse().ok()?;
    let d = parts.next()?.parse().ok()?;
    (parts.next().is_none() && (1..=12).contains(&m) && (1..=31).contains(&d))
        .then(|| pbp::days(y, m, d))
}

/// Games per set from a record's score (`6-7(4) 6-4 16-14`), A's first.
fn record_sets(score: &str) -> Vec<[u8; 2]> {
    score
        .split_whitespace()
        .filter_map(|set| {
            let set = set.split('(').next()?;
            let (a, b) = set.split_once('-')?;
            Some([a.parse().ok()?, b.parse().ok()?])
        })
        .collect()
}

/// The odds row of a record: both names, the same winner, within the date window; when several
/// fit, the ones whose set scores agree; `Err(())` when still more than one.
fn find<'a>(
    record: &Record,
    rows: &'a [OddsRow],
    by_surname: &HashMap<&str, Vec<usize>>,
) -> Result<Option<&'a OddsRow>, ()> {
    let w = record.winner.index();
    let winner = words(&record.names[w]);
    let loser = words(&record.names[1 - w]);
    let mut found: Vec<&OddsRow> = {
        let mut at: Vec<usize> = winner
            .iter()
            .skip(1)
            .filter_map(|word| by_surname.get(word.as_str()))
            .flatten()
            .copied()
            .filter(|&i| {
                let r = &rows[i];
                (record.day - r.day).abs() <= DATE_WINDOW
                    && r.names[0].is(&winner)
                    && r.names[1].is(&loser)
            })
            .collect();
        at.sort_unstable();
        at.dedup();
        at.into_iter().map(|i| &rows[i]).collect()
    };
    if found.len() > 1 {
        let mut sets = record_sets(&record.score);
        if record.winner == Player::B {
            sets.iter_mut().for_each(|s| s.swap(0, 1));
        }
        found.retain(|r| r.sets == sets);
    }
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.pop()),
        _ => Err(()),
    }
}

/// The deciding set's rule in 2011–2015: the US Open played a tiebreak at 6-6 in the fifth set;
/// the other Grand Slams played advantage; every best-of-3 tour event a tiebreak.
fn final_set(row: &OddsRow) -> FinalSet {
    if row.best_of == 5 && row.tournament != "US Open" {
        FinalSet::Advantage
    } else {
        FinalSet::Tiebreak7
    }
}

fn surface_name(s: Option<Surface>) -> &'static str {
    match s {
        Some(Surface::Hard) => "hard",
        Some(Surface::Clay) => "clay",
        Some(Surface::Grass) => "grass",
        None => "other",
    }
}

/// Runs the evaluation and prints the report.
pub fn run(a: EvaluateArgs) -> Result<()> {
    let mut records = Vec::new();
    let mut report = Report::default();
    for path in &a.pbp {
        let (mut r, unreadable) =
            pbp::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        report.unreadable += unreadable;
        records.append(&mut r);
    }
    report.records = records.len();
    let (won, all) = records.iter().fold((0, 0), |(w, n), r| {
        let (rw, rn) = pbp::serve_points(&r.points);
        (w + rw, n + rn)
    });
    report.serve_share = ServeShare::from((won, all));
    let mut rows = Vec::new();
    for path in &a.odds {
        read_odds(path, &mut rows).with_context(|| format!("cannot read {}", path.display()))?;
    }
    let mut o = OddsReport {
        rows: rows.len(),
        ..OddsReport::default()
    };
    let mut by_surname: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        by_surname
            .entry(r.names[0].surname[0].as_str())
            .or_default()
            .push(i);
    }
    let span = rows
        .iter()
        .map(|r| r.day)
        .min()
        .zip(rows.iter().map(|r| r.day).max());
    let mut per_match = match &a.per_match {
        Some(path) => {
            let mut w = io::BufWriter::new(
                std::fs::File::create(path)
                    .with_context(|| format!("cannot create {}", path.display()))?,
            );
            writeln!(
                w,
                "pbp_id,player_a,player_b,a_won,odds_a,odds_b,serve_a,serve_b,pre_match_a,points,brier_in_play,brier_pre_match"
            )?;
            Some(w)
        }
        None => None,
    };
    let (mut in_play, mut constant, mut blind) = (Sum::default(), Sum::default(), Sum::default());
    let mut calibration = Calibration::default();
    // Best of 3 at 22.5 games, best of 5 at 38.5.
    let mut totals = [LineSum::default(), LineSum::default()];
    let mut by_surface: HashMap<&'static str, (u64, u64)> = HashMap::new();
    for record in &records {
        let Some((first, last)) = span else { break };
        if record.day < first - DATE_WINDOW || record.day > last + DATE_WINDOW {
            continue;
        }
        o.in_span += 1;
        let row = match find(record, &rows, &by_surname) {
            Ok(Some(row)) => row,
            Ok(None) => continue,
            Err(()) => {
                o.ambiguous += 1;
                continue;
            }
        };
        o.matched += 1;
        let Some(result) = evaluate(record, row, a.method, a.serve_average) else {
            o.refused += 1;
            o.refused_ids.push(record.id.clone());
            continue;
        };
        o.evaluated += 1;
        o.pinnacle += usize::from(row.pinnacle);
        o.points += result.forecasts.len() as u64;
        let a_won = record.winner == Player::A;
        let (mut b_in, mut b_pre) = (Sum::default(), Sum::default());
        for f in &result.forecasts {
            in_play.add(f.in_play, a_won);
            calibration.add(f.in_play, a_won);
            constant.add(result.pre_match, a_won);
            blind.add(f.without_odds, a_won);
            b_in.add(f.in_play, a_won);
            b_pre.add(result.pre_match, a_won);
        }
        let games: u32 = record_sets(&record.score)
            .iter()
            .map(|s| u32::from(s[0]) + u32::from(s[1]))
            .sum();
        let t = &mut totals[usize::from(row.best_of == 5)];
        t.matches += 1;
        t.forecast += result.over;
        t.over += u64::from(f64::from(games) > total_line(row.best_of));
        t.games += f64::from(games);
        let served = by_surface.entry(surface_name(row.surface)).or_default();
        let (w, n) = pbp::serve_points(&record.points);
        served.0 += w;
        served.1 += n;
        if let Some(out) = per_match.as_mut() {
            let n = result.forecasts.len() as u64;
            writeln!(
                out,
                "{},{},{},{},{},{},{:.6},{:.6},{:.6},{},{:.6},{:.6}",
                record.id,
                record.names[0],
                record.names[1],
                u8::from(a_won),
                result.odds[0],
                result.odds[1],
                result.params.serve_a,
                result.params.serve_b,
                result.pre_match,
                n,
                b_in.mean(n).brier,
                b_pre.mean(n).brier
            )?;
        }
    }
    if let Some(mut w) = per_match {
        w.flush()?;
    }
    o.in_play = in_play.mean(o.points);
    o.pre_match_constant = constant.mean(o.points);
    o.in_play_without_odds = blind.mean(o.points);
    o.calibration = calibration.bins();
    o.total_games = [3, 5]
        .iter()
        .zip(&totals)
        .filter(|(_, t)| t.matches > 0)
        .map(|(&best_of, t)| {
            let n = t.matches as f64;
            TotalLine {
                line: total_line(best_of),
                matches: t.matches,
                mean_forecast: t.forecast / n,
                over: t.over as f64 / n,
                mean_games: t.games / n,
            }
        })
        .collect();
    o.serve_share_by_surface = by_surface
        .into_iter()
        .map(|(k, v)| (k, ServeShare::from(v)))
        .collect();
    if !a.odds.is_empty() {
        if o.evaluated == 0 {
            bail!(
                "no record could be evaluated: {} odds rows, {} records in their span, {} matched, {} ambiguous, {} refused",
                o.rows,
                o.in_span,
                o.matched,
                o.ambiguous,
                o.refused
            );
        }
        report.odds = Some(o);
    }
    print(&report, a.json)
}

/// One point's forecasts of P(A wins).
struct Forecast {
    in_play: f64,
    without_odds: f64,
}

struct Evaluation {
    params: TennisParams,
    odds: [f64; 2],
    pre_match: f64,
    forecasts: Vec<Forecast>,
    /// Pre-match P(more games than `total_line`).
    over: f64,
}

/// The total-games line checked for each format.
fn total_line(best_of: u8) -> f64 {
    if best_of == 5 { 38.5 } else { 22.5 }
}

/// Fits the row's odds and forecasts every point of the record; `None` if either fails.
fn evaluate(
    record: &Record,
    row: &OddsRow,
    method: MarginMethod,
    anchor: Option<f64>,
) -> Option<Evaluation> {
    // Odds are winner/loser; A is the record's first server.
    let odds = if record.winner == Player::A {
        row.odds
    } else {
        [row.odds[1], row.odds[0]]
    };
    let average = anchor.unwrap_or_else(|| serve_average(Tour::Atp, row.surface));
    let opts = FitOptions {
        method,
        best_of: row.best_of,
        final_set: final_set(row),
        no_ad: false,
        serve_average: average,
    };
    let fit = fit_tennis(
        &MatchOdds {
            a: odds[0],
            b: odds[1],
            total_games: None,
        },
        &opts,
    )
    .ok()?;
    let params = fit.params(&opts);
    let blind = TennisParams {
        serve_a: average,
        serve_b: average,
        ..params
    };
    let played = pbp::replay(&params, record).ok()?;
    let pre_match = match_winner(&params, &TennisState::pre_match(Player::A)).ok()?;
    let over = over_line(&params)?;
    let mut forecasts = Vec::with_capacity(played.len());
    for (state, _) in &played {
        forecasts.push(Forecast {
            in_play: match_winner(&params, state).ok()?,
            without_odds: match_winner(&blind, state).ok()?,
        });
    }
    Some(Evaluation {
        params,
        odds,
        pre_match,
        forecasts,
        over,
    })
}

/// Pre-match P(more games than `total_line`), from the book.
fn over_line(params: &TennisParams) -> Option<f64> {
    let line = Line::from_goals(total_line(params.best_of))?;
    let book = price(params, &TennisState::pre_match(Player::A)).ok()?;
    let over = book.selection(MarketKey::TotalGames(line), SelectionKey::Over)?;
    over.outcomes.map(|o| o.win)
}

fn print(r: &Report, json: bool) -> Result<()> {
    let mut out = io::stdout().lock();
    if json {
        serde_json::to_writer(&mut out, r)?;
        writeln!(out)?;
        return Ok(out.flush()?);
    }
    writeln!(
        out,
        "records {} ({} unreadable); server won {:.4} of {} points",
        r.records, r.unreadable, r.serve_share.share, r.serve_share.points
    )?;
    if let Some(o) = &r.odds {
        writeln!(
            out,
            "odds rows {}; records in their span {}, matched {} ({} ambiguous), refused {}, evaluated {} ({} on Pinnacle odds), {} points",
            o.rows, o.in_span, o.matched, o.ambiguous, o.refused, o.evaluated, o.pinnacle, o.points
        )?;
        let mut surfaces: Vec<_> = o.serve_share_by_surface.iter().collect();
        surfaces.sort_by_key(|(k, _)| *k);
        for (k, s) in surfaces {
            writeln!(
                out,
                "  serve share {k:<6} {:.4} of {} points",
                s.share, s.points
            )?;
        }
        writeln!(
            out,
            "{:<28} {:>8} {:>9}",
            "P(A wins) before each point", "Brier", "log-loss"
        )?;
        for (name, s) in [
            ("in-play, fitted to odds", &o.in_play),
            ("pre-match, held constant", &o.pre_match_constant),
            ("in-play, without odds", &o.in_play_without_odds),
        ] {
            writeln!(out, "{name:<28} {:>8.5} {:>9.5}", s.brier, s.log_loss)?;
        }
        for t in &o.total_games {
            writeln!(
                out,
                "total games over {} ({} matches): priced {:.4} before the match, went over {:.4} (mean games {:.2})",
                t.line, t.matches, t.mean_forecast, t.over, t.mean_games
            )?;
        }
        writeln!(out, "in-play forecasts   mean   A won")?;
        for b in &o.calibration {
            writeln!(
                out,
                "  [{:.1}, {:.1}) {:>8} {:.4} {:.4}",
                b.from,
                b.from + 0.1,
                b.forecasts,
                b.mean_forecast,
                b.won
            )?;
        }
    }
    Ok(out.flush()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odds_names_match_full_names() {
        let is = |odds: &str, full: &str| OddsName::parse(odds).unwrap().is(&words(full));
        assert!(is("Del Potro J.M.", "Juan Martin Del Potro"));
        assert!(is("Ramos-Vinolas A.", "Albert Ramos"));
        assert!(is("Tsonga J.W.", "Jo-Wilfried Tsonga"));
        assert!(is("Kuznetsov An.", "Andrey Kuznetsov"));
        assert!(!is("Kuznetsov Al.", "Andrey Kuznetsov"));
        assert!(!is("Murray A.", "Jamie Murray"));
        assert!(!is("Cilic M.", "Marin Cilich"));
    }

    #[test]
    fn scores_read_as_games_per_set() {
        assert_eq!(record_sets("6-7(4) 6-4 16-14"), [[6, 7], [6, 4], [16, 14]]);
        assert_eq!(odds_day("2014-01-13"), Some(16_083));
        assert_eq!(odds_day("2014-13-01"), None);
    }
}
