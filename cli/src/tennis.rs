//! `inplay tennis`: the tennis model from the shell.
//!
//! - `price`: every tennis market at a score, fair and (with `--margin`) offered.
//! - `fit`: serve-point probabilities from match odds (and a total-games line).
//! - `evaluate`: in-play accuracy of the match-winner price on real point-by-point matches.

mod evaluate;
pub mod feed;
pub mod pbp;

use std::io::{self, Write};

use anyhow::{Context, Result};
use clap::{Subcommand, ValueEnum};
use inplay_engine::odds::MarginMethod;
use inplay_engine::pricing::offer;
use inplay_engine::tennis::{
    EarlierSets, FinalSet, FitOptions, MatchOdds, Player, Surface, TennisParams, TennisState,
    TotalGamesOdds, Tour, fit_tennis, price, serve_average,
};

use crate::{args, output, usage_error};

/// `inplay tennis …`
#[derive(clap::Args)]
pub struct TennisArgs {
    #[command(subcommand)]
    command: TennisCommand,
}

#[derive(Subcommand)]
enum TennisCommand {
    /// Price every tennis market at a score.
    Price(PriceArgs),
    /// Fit serve-point probabilities to match odds (and a total-games line).
    Fit(FitArgs),
    /// Brier score and log-loss of the in-play match-winner price on real point-by-point matches.
    Evaluate(evaluate::EvaluateArgs),
    /// Bytes on the live stream (model vs price list) over real point-by-point matches.
    Stream(StreamArgs),
}

/// `inplay tennis stream` flags.
#[derive(clap::Args)]
struct StreamArgs {
    /// Point-by-point CSV files.
    #[arg(long, required = true, num_args = 1..)]
    pbp: Vec<std::path::PathBuf>,
    /// At most this many matches (in file order).
    #[arg(long, default_value_t = 200)]
    limit: usize,
    /// Print the figures as JSON.
    #[arg(long)]
    json: bool,
}

/// `--server`, `--final-set` and the other small choices, as the CLI spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PlayerArg {
    /// Player A.
    A,
    /// Player B.
    B,
}

impl From<PlayerArg> for Player {
    fn from(p: PlayerArg) -> Self {
        match p {
            PlayerArg::A => Player::A,
            PlayerArg::B => Player::B,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FinalSetArg {
    /// A tiebreak to 7 at 6-6, like every other set.
    Tiebreak7,
    /// A match tiebreak to 10 at 6-6.
    Tiebreak10,
    /// No tiebreak: two games clear.
    Advantage,
}

impl From<FinalSetArg> for FinalSet {
    fn from(f: FinalSetArg) -> Self {
        match f {
            FinalSetArg::Tiebreak7 => FinalSet::Tiebreak7,
            FinalSetArg::Tiebreak10 => FinalSet::Tiebreak10,
            FinalSetArg::Advantage => FinalSet::Advantage,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TourArg {
    /// Men's tour.
    Atp,
    /// Women's tour.
    Wta,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SurfaceArg {
    /// Hard court.
    Hard,
    /// Clay.
    Clay,
    /// Grass.
    Grass,
}

/// The match format, shared by `price` and `fit`.
#[derive(clap::Args)]
struct FormatArgs {
    /// Sets in the match: 3 or 5.
    #[arg(long, value_parser = best_of)]
    best_of: u8,
    /// What the deciding set does at 6-6.
    #[arg(long, value_enum, default_value = "tiebreak7")]
    final_set: FinalSetArg,
    /// No-ad games: one deciding point at deuce.
    #[arg(long)]
    no_ad: bool,
}

#[derive(clap::Args)]
struct PriceArgs {
    /// P(A wins a point on A's serve).
    #[arg(long, allow_negative_numbers = true)]
    serve_a: f64,
    /// P(B wins a point on B's serve).
    #[arg(long, allow_negative_numbers = true)]
    serve_b: f64,
    #[command(flatten)]
    format: FormatArgs,
    /// Sets won, A-B (default 0-0, or from --set-scores).
    #[arg(long, value_parser = pair)]
    sets: Option<[u8; 2]>,
    /// Games in the set in play, A-B.
    #[arg(long, value_parser = pair, default_value = "0-0")]
    games: [u8; 2],
    /// Points in the game in play, A-B, counted (2-3 is 30-40; 4-3 is advantage A); inside a
    /// tiebreak, tiebreak points.
    #[arg(long, value_parser = pair, default_value = "0-0")]
    points: [u8; 2],
    /// Who serves the next point.
    #[arg(long, value_enum)]
    server: PlayerArg,
    /// The completed sets' scores, A's games first (6-4,3-6): prices total games, game handicap
    /// and tiebreak once a set is complete.
    #[arg(long, value_parser = set_score, value_delimiter = ',')]
    set_scores: Vec<[u8; 2]>,
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
struct FitArgs {
    /// Decimal odds of A and B to win the match.
    #[arg(long, value_delimiter = ',', required = true)]
    odds: Vec<f64>,
    /// A total-games line and its odds: LINE:OVER,UNDER (e.g. 22.5:1.9,1.9); fits the sum of the
    /// serve probabilities instead of anchoring it.
    #[arg(long, value_parser = total_games)]
    total_games: Option<TotalGamesOdds>,
    /// Sets in the match: 3 or 5.
    #[arg(long, default_value = "3", value_parser = best_of)]
    best_of: u8,
    /// What the deciding set does at 6-6.
    #[arg(long, value_enum, default_value = "tiebreak7")]
    final_set: FinalSetArg,
    /// No-ad games.
    #[arg(long)]
    no_ad: bool,
    /// Tour whose average serve-point probability anchors the sum (without --total-games).
    #[arg(long, value_enum, default_value = "atp")]
    tour: TourArg,
    /// Surface, for the tour's average on it.
    #[arg(long, value_enum)]
    surface: Option<SurfaceArg>,
    /// The anchor itself, instead of the tour's average.
    #[arg(long)]
    serve_average: Option<f64>,
    /// Margin-removal method for both markets.
    #[arg(long, value_parser = args::method, default_value = "multiplicative")]
    method: MarginMethod,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// `--best-of`: 3 or 5.
fn best_of(s: &str) -> Result<u8, String> {
    match s {
        "3" => Ok(3),
        "5" => Ok(5),
        _ => Err(format!("`{s}` is not 3 or 5")),
    }
}

/// `6-4` → `[6, 4]`.
fn pair(s: &str) -> Result<[u8; 2], String> {
    let (a, b) = s
        .split_once('-')
        .ok_or_else(|| format!("`{s}` is not a score like 3-2"))?;
    let n = |v: &str| {
        v.trim()
            .parse::<u8>()
            .map_err(|_| format!("`{v}` is not a count from 0 to 255"))
    };
    Ok([n(a)?, n(b)?])
}

/// A completed set: 6-0 … 6-4, 7-5 or 7-6, either way round.
fn set_score(s: &str) -> Result<[u8; 2], String> {
    let [a, b] = pair(s)?;
    let (w, l) = (a.max(b), a.min(b));
    if (w == 6 && l <= 4) || (w == 7 && (l == 5 || l == 6)) {
        Ok([a, b])
    } else {
        Err(format!("`{s}` is not the score of a completed set"))
    }
}

/// `22.5:1.9,1.9` → line 22.5, over 1.9, under 1.9.
fn total_games(s: &str) -> Result<TotalGamesOdds, String> {
    let t =
        args::total(s).map_err(|_| format!("`{s}` is not LINE:OVER,UNDER like 22.5:1.9,1.9"))?;
    Ok(TotalGamesOdds {
        line: t.line,
        over: t.over,
        under: t.under,
    })
}

/// Runs `inplay tennis …`.
pub fn run(a: TennisArgs) -> Result<()> {
    match a.command {
        TennisCommand::Price(a) => run_price(a),
        TennisCommand::Fit(a) => run_fit(a),
        TennisCommand::Evaluate(a) => evaluate::run(a),
        TennisCommand::Stream(a) => run_stream(a),
    }
}

fn run_price(a: PriceArgs) -> Result<()> {
    // Sets from the completed sets' scores, and the two must agree when both are given.
    let won = a.set_scores.iter().fold([0u8; 2], |mut n, s| {
        n[usize::from(s[1] > s[0])] += 1;
        n
    });
    let sets = match a.sets {
        Some(s) if !a.set_scores.is_empty() && s != won => usage_error(
            "tennis",
            format!(
                "--sets {}-{} disagrees with --set-scores (which make {}-{})",
                s[0], s[1], won[0], won[1]
            ),
        ),
        Some(s) => s,
        None => won,
    };
    let earlier = (!a.set_scores.is_empty()).then(|| EarlierSets {
        games: a.set_scores.iter().fold([0u16; 2], |g, s| {
            [g[0] + u16::from(s[0]), g[1] + u16::from(s[1])]
        }),
        tiebreaks: a
            .set_scores
            .iter()
            .filter(|s| s[0].max(s[1]) == 7 && s[0].min(s[1]) == 6)
            .count() as u8,
    });
    let params = TennisParams {
        serve_a: a.serve_a,
        serve_b: a.serve_b,
        best_of: a.format.best_of,
        final_set: a.format.final_set.into(),
        no_ad: a.format.no_ad,
    };
    let state = TennisState {
        sets,
        games: a.games,
        points: a.points,
        server: a.server.into(),
        earlier,
    };
    let mut book = price(&params, &state).context("cannot price this match")?;
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

fn run_fit(a: FitArgs) -> Result<()> {
    let [odds_a, odds_b] = a.odds[..] else {
        usage_error("tennis", "--odds takes two odds: A,B");
    };
    let tour = match a.tour {
        TourArg::Atp => Tour::Atp,
        TourArg::Wta => Tour::Wta,
    };
    let surface = a.surface.map(|s| match s {
        SurfaceArg::Hard => Surface::Hard,
        SurfaceArg::Clay => Surface::Clay,
        SurfaceArg::Grass => Surface::Grass,
    });
    let opts = FitOptions {
        method: a.method,
        best_of: a.best_of,
        final_set: a.final_set.into(),
        no_ad: a.no_ad,
        serve_average: a
            .serve_average
            .unwrap_or_else(|| serve_average(tour, surface)),
    };
    let odds = MatchOdds {
        a: odds_a,
        b: odds_b,
        total_games: a.total_games,
    };
    let fit = fit_tennis(&odds, &opts).context("cannot fit these odds")?;
    let mut out = io::stdout().lock();
    if a.json {
        serde_json::to_writer(&mut out, &fit)?;
        writeln!(out)?;
    } else {
        writeln!(out, "serve_a   {:.6}", fit.serve_a)?;
        writeln!(out, "serve_b   {:.6}", fit.serve_b)?;
        writeln!(out, "market_a  {:.6}", fit.market_a)?;
        writeln!(out, "model_a   {:.6}", fit.model_a)?;
        let anchor = if fit.anchored {
            format!("anchored on serve average {:.4}", opts.serve_average)
        } else {
            "fitted to the total-games line".to_string()
        };
        writeln!(out, "sum       {:.6} ({anchor})", fit.serve_a + fit.serve_b)?;
        writeln!(out, "residual  {:.3e}", fit.residual)?;
    }
    Ok(out.flush()?)
}

/// Plays real matches through a live event (two sources, heartbeats, the pace of a match on court)
/// and weighs the model stream against a price-list stream of the same matches.
fn run_stream(a: StreamArgs) -> Result<()> {
    use inplay_engine::live::stream_size::{StreamSizes, measure_tennis};
    let mut total = StreamSizes::default();
    let (mut matches, mut refused) = (0usize, 0usize);
    'files: for path in &a.pbp {
        let (records, _) =
            pbp::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        for record in records {
            if matches == a.limit {
                break 'files;
            }
            let (best_of, final_set) = feed::format_of(&record);
            let Ok(params) = feed::opening_params(&record, best_of, final_set, None) else {
                refused += 1;
                continue;
            };
            let Ok(m) = feed::played(&record, params) else {
                refused += 1;
                continue;
            };
            let winners: Vec<Player> = m.points.iter().map(|p| p.winner).collect();
            let first = m.points.first().map_or(Player::A, |p| p.server);
            total += measure_tennis(params, first, &winners);
            matches += 1;
        }
    }
    let per_point = |bytes: u64| bytes as f64 / total.points.max(1) as f64;
    if a.json {
        let out = serde_json::json!({
            "matches": matches,
            "refused": refused,
            "points": total.points,
            "model_bytes": total.model_bytes,
            "deltas": total.deltas,
            "price_bytes": total.price_bytes,
            "price_messages": total.price_messages,
            "price_changes": total.price_changes,
            "model_bytes_per_point": per_point(total.model_bytes),
            "price_bytes_per_point": per_point(total.price_bytes),
            "ratio": total.ratio(),
        });
        writeln!(io::stdout(), "{out}")?;
        return Ok(());
    }
    writeln!(
        io::stdout(),
        "{matches} matches ({refused} records refused), {} points: model stream {} B in {} deltas ({:.1} B per point, snapshots included), \
         price-list stream {} B in {} messages, {} price changes ({:.1} B per point); ratio {:.2} %",
        total.points,
        total.model_bytes,
        total.deltas,
        per_point(total.model_bytes),
        total.price_bytes,
        total.price_messages,
        total.price_changes,
        per_point(total.price_bytes),
        100.0 * total.ratio()
    )?;
    Ok(())
}
