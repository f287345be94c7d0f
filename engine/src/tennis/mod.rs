//! Tennis: the second sport model.
//!
//! Points are independent, and each player wins a point on their own serve with a fixed
//! probability (`serve_a`, `serve_b`). That makes the match a hierarchical Markov chain (Klaassen &
//! Magnus 2003, "Forecasting the winner of a tennis match"; Barnett & Clarke 2005, "Combining player
//! statistics to predict outcomes of tennis matches"): points make games and tiebreaks, games make
//! sets, sets make the match. Every level is solved exactly by dynamic programming from any score
//! (inside a game, inside a tiebreak, between sets), with the server of every point known from the
//! server of the next point and the score. Nothing is simulated and nothing iterates to a
//! tolerance, so the same state gives the same bits on every host.
//!
//! - `score`: the state and the rules that move it on, a point at a time ([`TennisState::after_point`]).
//! - `chain`: games, tiebreaks (to 7 or 10) and sets, as distributions of final scores.
//! - `remaining`: sets chained to the end of the match, with the distributions of games and of
//!   the games difference that the whole-match lines need.
//! - `markets`: every market read off those, so they agree with each other.
//! - `fit`: serve-point probabilities from match odds (and a total-games line).
//!
//! Invariants the tests check: every market sums to one; the price from a state is the average of
//! the prices one point later, weighted by who wins the point (the chain is a martingale); swapping
//! the players mirrors every price; and the chain meets the closed forms (the hold formula, a
//! best-of-3 match from a set probability `S` is `S²(3 − 2S)`).

mod chain;
mod fit;
mod markets;
mod params;
mod remaining;
mod score;

pub use chain::game;
pub use fit::{
    FitError, FitOptions, MatchOdds, Surface, TennisFit, TotalGamesOdds, Tour, fit_tennis,
    serve_average,
};
pub use markets::{game_handicap_lines, total_games_lines, total_sets_lines};
pub use params::{FinalSet, Player, PricingError, SERVE_RANGE, TennisParams};
pub use score::{AfterPoint, EarlierSets, TennisState};

use crate::market::{Market, MarketBook, MarketKey, SportModel};

/// The tennis model as a [`SportModel`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Tennis;

impl SportModel for Tennis {
    type Params = TennisParams;
    type State = TennisState;
    type Error = PricingError;
    fn price(
        &self,
        params: &TennisParams,
        state: &TennisState,
    ) -> Result<MarketBook, PricingError> {
        price(params, state)
    }
}

/// Prices every tennis market at `state`: fair probabilities and fair odds, no margin.
pub fn price(params: &TennisParams, state: &TennisState) -> Result<MarketBook, PricingError> {
    // Room for the ~50 markets of a best-of-5 book up front.
    let mut book = MarketBook {
        markets: Vec::with_capacity(56),
    };
    price_into(params, state, &mut book)?;
    Ok(book)
}

/// [`price`] into an existing book, reusing its vectors (for hosts that reprice every point).
pub fn price_into(
    params: &TennisParams,
    state: &TennisState,
    book: &mut MarketBook,
) -> Result<(), PricingError> {
    price_markets_into(params, state, book, None)
}

/// One market at `state`, exactly as [`price`] has it; `None` when the book has no such market
/// now (the next set in the deciding set, or a whole-match line without the completed sets).
pub fn price_market(
    params: &TennisParams,
    state: &TennisState,
    key: MarketKey,
) -> Result<Option<Market>, PricingError> {
    let mut book = MarketBook {
        markets: Vec::with_capacity(1),
    };
    price_markets_into(params, state, &mut book, Some(key))?;
    Ok(book.markets.pop())
}

fn price_markets_into(
    params: &TennisParams,
    state: &TennisState,
    book: &mut MarketBook,
    only: Option<MarketKey>,
) -> Result<(), PricingError> {
    params.validate()?;
    state.validate(params)?;
    let earlier = state.earlier_sets();
    // The games spreads are most of the work, and only the whole-match lines read them.
    let lines =
        only.is_none_or(|k| matches!(k, MarketKey::TotalGames(_) | MarketKey::GameHandicap(_)));
    let outlook = remaining::outlook(params, state, earlier.is_some() && lines);
    markets::build_into(params.best_of, state, earlier, &outlook, book, only);
    Ok(())
}

/// P(A wins the match) from `state`: the match-winner price alone, without the rest of the book.
pub fn match_winner(params: &TennisParams, state: &TennisState) -> Result<f64, PricingError> {
    params.validate()?;
    state.validate(params)?;
    let o = remaining::outlook(params, state, false);
    let need = params.sets_to_win() as usize;
    Ok((0..need).map(|k| o.sets[need][k]).sum())
}
