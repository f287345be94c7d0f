//! `inplay`: the engine from the shell.
//!
//! - `inplay price`: every football market at a match state, fair and (with `--margin`) offered.
//! - `inplay implied`: a book's fair probabilities with one of the five margin methods.
//! - `inplay fit`: expected goals (and ρ) from 1X2 and over/under odds.
//! - `inplay calibrate`: fits football-data.co.uk closing prices and scores the model's Asian
//!   handicap against Pinnacle's.
//! - `inplay tennis`: tennis prices from any score, the serve-probability fit, and the in-play
//!   evaluation on point-by-point records.
//!
//! The CLI only converts: arguments in, engine calls, JSON or a table out. Usage errors exit with
//! code 2 (clap's convention), every other failure with code 1 and a one-line message.

mod args;
mod calibrate;
mod dev_server;
mod dev_vars;
mod feed_client;
mod feed_plan;
mod feed_run;
mod load;
mod output;
mod replay;
mod simulate;
mod statsbomb;
mod tennis;
mod token;

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{CommandFactory, Parser, Subcommand, error::ErrorKind};
use inplay_engine::football::{
    FitOdds, FitOptions, FootballParams, MatchState, Period, RedCards, Score, ScoreStateEffects,
    TotalOdds, fit_football, price,
};
use inplay_engine::odds::{MarginMethod, implied_probabilities};
use inplay_engine::pricing::offer;

use args::PeriodArg;

#[derive(Parser)]
#[command(
    name = "inplay",
    version,
    about = "Live in-play football and tennis odds from the shell"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Price every market at a match state.
    Price(PriceArgs),
    /// Remove the margin from a book of decimal odds.
    Implied(ImpliedArgs),
    /// Fit home and away expected goals (and rho) to 1X2 and over/under odds.
    Fit(FitArgs),
    /// Fit football-data.co.uk closing odds and compare the model's Asian handicap with Pinnacle's.
    Calibrate(CalibrateArgs),
    /// Play a match drawn from the model into a Worker as two signed feed sources.
    Simulate(simulate::SimulateArgs),
    /// Play a real match into a Worker (a StatsBomb football match, a tennis point-by-point
    /// record), or verify an audit log by replaying it.
    Replay(Box<replay::ReplayArgs>),
    /// Mint a dev user token from TOKEN_SECRET (.dev.vars).
    Token(token::TokenArgs),
    /// Many sockets on one match, a simulated match, bet bursts at the goals; delivery and decision figures.
    Load(load::LoadArgs),
    /// One figure of the edge alone: the hub's bet ceiling, or a broadcast's per-socket cost.
    Bench(load::BenchArgs),
    /// Tennis: price from any score, fit serve probabilities to odds, evaluate on real matches.
    Tennis(tennis::TennisArgs),
}

#[derive(clap::Args)]
struct PriceArgs {
    /// Home team's pre-match expected goals.
    #[arg(long, allow_negative_numbers = true)]
    home_xg: f64,
    /// Away team's pre-match expected goals.
    #[arg(long, allow_negative_numbers = true)]
    away_xg: f64,
    /// Dixon–Coles rho.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    rho: f64,
    /// Current score, home-away.
    #[arg(long, value_parser = args::score, default_value = "0-0")]
    score: Score,
    /// Match clock, mm:ss (e.g. 60:00, 92:30).
    #[arg(long, value_parser = args::clock)]
    clock: Option<u64>,
    /// Period: pre, 1, ht, 2 or ft (default: from --clock, else pre-match).
    #[arg(long, value_enum)]
    period: Option<PeriodArg>,
    /// Home red cards.
    #[arg(long, default_value_t = 0)]
    red_home: u8,
    /// Away red cards.
    #[arg(long, default_value_t = 0)]
    red_away: u8,
    /// Expected first-half stoppage time, mm:ss.
    #[arg(long = "stoppage-1", value_parser = args::clock, default_value = "3:00")]
    stoppage_1: u64,
    /// Expected second-half stoppage time, mm:ss.
    #[arg(long = "stoppage-2", value_parser = args::clock, default_value = "6:00")]
    stoppage_2: u64,
    /// Score-state effects: the model's defaults or neutral (independent Poisson pre-match).
    #[arg(long, value_parser = args::score_state, default_value = "default")]
    score_state: ScoreStateEffects,
    /// Target overround per market (e.g. 0.05); adds offered odds rounded down the Betfair ladder.
    #[arg(long, allow_negative_numbers = true)]
    margin: Option<f64>,
    /// How the margin is spread over a market's selections.
    #[arg(long, value_parser = args::method, default_value = "multiplicative")]
    margin_method: MarginMethod,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct ImpliedArgs {
    /// Decimal odds, comma-separated.
    #[arg(long, value_delimiter = ',', num_args = 1.., required = true)]
    odds: Vec<f64>,
    /// Margin-removal method.
    #[arg(long, value_parser = args::method, default_value = "multiplicative")]
    method: MarginMethod,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct FitArgs {
    /// Home, draw and away decimal odds.
    #[arg(long = "odds-1x2", value_delimiter = ',', required = true)]
    odds_1x2: Vec<f64>,
    /// An over/under line and its odds: LINE:OVER,UNDER (e.g. 2.5:1.95,1.95).
    #[arg(long, value_parser = args::total)]
    odds_total: Option<TotalOdds>,
    /// Fit Dixon–Coles rho as well (needs --odds-total).
    #[arg(long)]
    dixon_coles: bool,
    /// Margin-removal method for both markets.
    #[arg(long, value_parser = args::method, default_value = "multiplicative")]
    method: MarginMethod,
    /// Score-state effects of the fitted model.
    #[arg(long, value_parser = args::score_state, default_value = "default")]
    score_state: ScoreStateEffects,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct CalibrateArgs {
    /// football-data.co.uk CSV files (one season each).
    #[arg(long, num_args = 1.., required = true)]
    csv: Vec<PathBuf>,
    /// Margin-removal method for every market.
    #[arg(long, value_parser = args::method, default_value = "multiplicative")]
    method: MarginMethod,
    /// Fit Dixon–Coles rho per match as well.
    #[arg(long)]
    dixon_coles: bool,
    /// Score-state effects of the fitted model (neutral: measured best, see README).
    #[arg(long, value_parser = args::score_state, default_value = "neutral")]
    score_state: ScoreStateEffects,
    /// Also write one CSV line per match (fit, model and Pinnacle probabilities) to this file.
    #[arg(long)]
    per_match: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Price(a) => run_price(a),
        Command::Implied(a) => run_implied(a),
        Command::Fit(a) => run_fit(a),
        Command::Calibrate(a) => run_calibrate(a),
        Command::Simulate(a) => feed_client::block_on(simulate::run(a)),
        Command::Replay(a) => feed_client::block_on(replay::run(*a)),
        Command::Token(a) => token::run(a),
        Command::Load(a) => feed_client::block_on(load::run(a)),
        Command::Bench(a) => feed_client::block_on(load::bench(a)),
        Command::Tennis(a) => tennis::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`inplay price | head`) is the reader's choice, not a failure.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(io::stderr(), "error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Exits with clap's usage-error formatting (for `subcommand`) and code 2.
fn usage_error(subcommand: &str, message: impl std::fmt::Display) -> ! {
    let mut cli = Cli::command();
    cli.build();
    let mut cmd = cli.find_subcommand(subcommand).cloned().unwrap_or(cli);
    cmd.error(ErrorKind::ArgumentConflict, message).exit()
}

fn run_price(a: PriceArgs) -> Result<()> {
    let period = match (a.period, a.clock) {
        (Some(p), _) => p.into(),
        (None, Some(ms)) => MatchState::in_play(0, 0, ms).period,
        (None, None) => Period::PreMatch,
    };
    let clock_ms = a.clock.unwrap_or(match period {
        Period::PreMatch | Period::FirstHalf => 0,
        Period::HalfTime | Period::SecondHalf => 45 * 60_000,
        Period::FullTime => 90 * 60_000,
    });
    if period == Period::PreMatch && (a.score != Score::default() || a.clock.is_some_and(|c| c > 0))
    {
        usage_error(
            "price",
            "a score or a running clock needs --period 1|ht|2|ft (or just --clock)",
        );
    }
    let stoppage = |ms: u64, name: &str| {
        u32::try_from(ms).unwrap_or_else(|_| usage_error("price", format!("--{name} is too long")))
    };
    let params = FootballParams {
        rho: a.rho,
        score_state: a.score_state,
        ..FootballParams::new(a.home_xg, a.away_xg)
    };
    let state = MatchState {
        score: a.score,
        period,
        clock_ms,
        red_cards: RedCards {
            home: a.red_home,
            away: a.red_away,
        },
        stoppage_ms: [
            stoppage(a.stoppage_1, "stoppage-1"),
            stoppage(a.stoppage_2, "stoppage-2"),
        ],
    };
    let mut book = price(&params, &state).with_context(|| "cannot price this match")?;
    if let Some(margin) = a.margin {
        offer(&mut book, margin, a.margin_method).context("cannot apply the margin")?;
    }
    let mut out = io::stdout().lock();
    if a.json {
        serde_json::to_writer(&mut out, &book)?;
        writeln!(out)?;
    } else {
        output::book_table(&mut out, &book)?;
    }
    Ok(out.flush()?)
}

fn run_implied(a: ImpliedArgs) -> Result<()> {
    let implied = implied_probabilities(&a.odds, a.method).context("cannot remove the margin")?;
    let mut out = io::stdout().lock();
    if a.json {
        serde_json::to_writer(&mut out, &implied)?;
        writeln!(out)?;
    } else {
        writeln!(out, "method   {}", implied.method)?;
        writeln!(out, "margin   {:.4}%", 100.0 * implied.margin)?;
        if let Some(k) = implied.k {
            writeln!(out, "param    {k:.6}")?;
        }
        for (odds, p) in a.odds.iter().zip(&implied.probs) {
            writeln!(out, "{odds:>8.3}  prob {p:.6}  fair {:.4}", 1.0 / p)?;
        }
    }
    Ok(out.flush()?)
}

fn run_fit(a: FitArgs) -> Result<()> {
    let [home, draw, away] = a.odds_1x2[..] else {
        usage_error("fit", "--odds-1x2 takes three odds: HOME,DRAW,AWAY");
    };
    if a.dixon_coles && a.odds_total.is_none() {
        usage_error("fit", "--dixon-coles needs --odds-total");
    }
    let odds = FitOdds {
        home,
        draw,
        away,
        total: a.odds_total,
    };
    let opts = FitOptions {
        method: a.method,
        dixon_coles: a.dixon_coles,
        score_state: a.score_state,
    };
    let fit = fit_football(&odds, &opts).context("cannot fit these odds")?;
    let mut out = io::stdout().lock();
    if a.json {
        serde_json::to_writer(&mut out, &fit)?;
        writeln!(out)?;
    } else {
        writeln!(out, "home_xg   {:.6}", fit.home_xg)?;
        writeln!(out, "away_xg   {:.6}", fit.away_xg)?;
        writeln!(out, "rho       {:.6}", fit.rho)?;
        writeln!(out, "residual  {:.3e}", fit.residual)?;
    }
    Ok(out.flush()?)
}

fn run_calibrate(a: CalibrateArgs) -> Result<()> {
    let opts = FitOptions {
        method: a.method,
        dixon_coles: a.dixon_coles,
        score_state: a.score_state,
    };
    let mut per_match = match &a.per_match {
        Some(path) => Some(io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => None,
    };
    let report = calibrate::run(
        &a.csv,
        &opts,
        per_match.as_mut().map(|w| w as &mut dyn Write),
    )?;
    if let Some(mut w) = per_match {
        w.flush()?;
    }
    if report.n == 0 {
        bail!("no usable rows in {} file(s)", a.csv.len());
    }
    let mut out = io::stdout().lock();
    if a.json {
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "matches {}  (skipped {})\nAsian handicap, model − Pinnacle closing, home side:\n  mean absolute error {:.3} pp\n  median absolute error {:.3} pp\n  bias {:+.3} pp",
            report.n, report.skipped, report.mae_pp, report.median_pp, report.bias_pp
        )?;
    }
    Ok(out.flush()?)
}
