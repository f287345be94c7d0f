//! `inplay calibrate`: how well a model fitted to 1X2 + over/under 2.5 prices the Asian handicap.
//!
//! For every match in football-data.co.uk CSVs: fit the model to Pinnacle's closing 1X2
//! (`PSCH,PSCD,PSCA`) and over/under 2.5 (`PC>2.5,PC<2.5`), price the closing handicap line
//! (`AHCh`, on the home team) and compare the home side's break-even probability (1/fair odds,
//! normalised over the two sides, so pushes and half outcomes count) with Pinnacle's closing
//! handicap odds (`PCAHH,PCAHA`) de-margined the same way as the fit's inputs.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use inplay_engine::football::{
    FitOdds, FitOptions, FitResult, MatchState, TotalOdds, fit_football, price,
};
use inplay_engine::market::{Line, MarketKey, SelectionKey};
use inplay_engine::odds::implied_probabilities;
use serde::Serialize;

/// The columns read, in [`Row`] order.
const COLUMNS: [&str; 8] = [
    "PSCH", "PSCD", "PSCA", "PC>2.5", "PC<2.5", "AHCh", "PCAHH", "PCAHA",
];

/// Summary of model − market home handicap probability, in probability points.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Matches compared.
    pub n: usize,
    /// Rows with a missing or invalid column, or that could not be fitted or priced.
    pub skipped: usize,
    /// Mean absolute error.
    pub mae_pp: f64,
    /// Median absolute error.
    pub median_pp: f64,
    /// Mean signed error (positive: the model rates the home side higher than Pinnacle).
    pub bias_pp: f64,
}

/// Columns that name a match in `--per-match` output (optional).
const LABELS: [&str; 3] = ["Date", "HomeTeam", "AwayTeam"];

/// One match: its closing prices in [`COLUMNS`] order (`None` if any is missing or invalid) and
/// its date and teams.
struct Row {
    prices: Option<[f64; 8]>,
    label: String,
}

/// One compared match.
struct Comparison {
    fit: FitResult,
    /// Model's and Pinnacle's home handicap probabilities.
    model: f64,
    pinnacle: f64,
}

/// Reads every file and scores every row; with `per_match`, writes one CSV line per compared
/// match to `out` as it goes.
pub fn run(
    files: &[PathBuf],
    opts: &FitOptions,
    per_match: Option<&mut dyn Write>,
) -> Result<Report> {
    let mut per_match = per_match;
    let mut rows: Vec<Row> = Vec::new();
    for path in files {
        read(path, &mut rows).with_context(|| format!("cannot read {}", path.display()))?;
    }
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::with_draw_target(Some(rows.len() as u64), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} matches {eta}") {
        bar.set_style(style);
    }
    if let Some(out) = per_match.as_mut() {
        writeln!(
            out,
            "date,home_team,away_team,home_xg,away_xg,rho,ah_line,model,pinnacle,error_pp"
        )?;
    }
    let mut errors = Vec::with_capacity(rows.len());
    for row in &rows {
        if let Some(c) = row.prices.as_ref().and_then(|p| compare(p, opts)) {
            let e = 100.0 * (c.model - c.pinnacle);
            if let Some(out) = per_match.as_mut() {
                let ah_line = row.prices.map_or(f64::NAN, |p| p[5]);
                writeln!(
                    out,
                    "{},{:.6},{:.6},{:.6},{ah_line},{:.6},{:.6},{e:.4}",
                    row.label, c.fit.home_xg, c.fit.away_xg, c.fit.rho, c.model, c.pinnacle
                )?;
            }
            errors.push(e);
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(summarise(&errors, rows.len() - errors.len()))
}

/// Appends the rows of one CSV.
fn read(path: &PathBuf, rows: &mut Vec<Row>) -> Result<()> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_path(path)?;
    let headers: HashMap<String, usize> = reader
        .headers()?
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim_start_matches('\u{feff}').trim().to_string(), i))
        .collect();
    let index: Vec<Option<usize>> = COLUMNS.iter().map(|c| headers.get(*c).copied()).collect();
    let labels: Vec<Option<usize>> = LABELS.iter().map(|c| headers.get(*c).copied()).collect();
    let missing: Vec<&str> = COLUMNS
        .iter()
        .zip(&index)
        .filter(|(_, i)| i.is_none())
        .map(|(c, _)| *c)
        .collect();
    if !missing.is_empty() {
        let _ = writeln!(
            std::io::stderr(),
            "warning: {} has no column {}; its rows are skipped",
            path.display(),
            missing.join(", ")
        );
    }
    for record in reader.records() {
        let Ok(rec) = record else {
            rows.push(Row {
                prices: None,
                label: String::new(),
            });
            continue;
        };
        let mut prices = [0.0; 8];
        let complete = prices.iter_mut().zip(&index).all(|(slot, i)| {
            match i.and_then(|i| rec.get(i)).map(|v| v.trim().parse()) {
                Some(Ok(v)) => {
                    *slot = v;
                    true
                }
                _ => false,
            }
        });
        let label: Vec<&str> = labels
            .iter()
            .map(|i| i.and_then(|i| rec.get(i)).unwrap_or("").trim())
            .collect();
        rows.push(Row {
            prices: complete.then_some(prices),
            // Team names have no commas in these files; keep the output plain CSV anyway.
            label: label.join(",").replace('"', ""),
        });
    }
    Ok(())
}

/// Fits one match and compares the home handicap; `None` if the row cannot be used.
fn compare(prices: &[f64; 8], opts: &FitOptions) -> Option<Comparison> {
    let [home, draw, away, over, under, ah_line, ah_home, ah_away] = *prices;
    let odds = FitOdds {
        home,
        draw,
        away,
        total: Some(TotalOdds {
            line: 2.5,
            over,
            under,
        }),
    };
    let fit = fit_football(&odds, opts).ok()?;
    let book = price(&fit.params(opts.score_state), &MatchState::pre_match()).ok()?;
    let market = MarketKey::AsianHandicap(Line::from_goals(ah_line)?);
    let home_side = book.selection(market, SelectionKey::Home)?.implied();
    let away_side = book.selection(market, SelectionKey::Away)?.implied();
    let model = home_side / (home_side + away_side);
    let pinnacle = implied_probabilities(&[ah_home, ah_away], opts.method)
        .ok()?
        .probs[0];
    (model.is_finite() && pinnacle.is_finite()).then_some(Comparison {
        fit,
        model,
        pinnacle,
    })
}

fn summarise(errors: &[f64], skipped: usize) -> Report {
    let n = errors.len();
    if n == 0 {
        return Report {
            n,
            skipped,
            mae_pp: f64::NAN,
            median_pp: f64::NAN,
            bias_pp: f64::NAN,
        };
    }
    let mut abs: Vec<f64> = errors.iter().map(|e| e.abs()).collect();
    abs.sort_by(f64::total_cmp);
    let median = if n % 2 == 1 {
        abs[n / 2]
    } else {
        0.5 * (abs[n / 2 - 1] + abs[n / 2])
    };
    Report {
        n,
        skipped,
        mae_pp: abs.iter().sum::<f64>() / n as f64,
        median_pp: median,
        bias_pp: errors.iter().sum::<f64>() / n as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_statistics() {
        let r = summarise(&[0.5, -1.0, 0.2, -0.3], 2);
        assert_eq!((r.n, r.skipped), (4, 2));
        assert!((r.mae_pp - 0.5).abs() < 1e-12);
        assert!((r.median_pp - 0.4).abs() < 1e-12);
        assert!((r.bias_pp + 0.15).abs() < 1e-12);
    }
}
