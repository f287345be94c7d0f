//! Football: the first sport model.
//!
//! Goals are a birth process. Each team's intensity is its pre-match expected goals, shaped over the
//! match by a [`TimeProfile`], scaled by score effects ([`ScoreStateEffects`]) and red cards
//! ([`RedCardEffects`]). A change of clock (module `timing`) makes the process time-homogeneous, so the
//! distribution of the goals still to come is computed exactly (module `grid`) and every market is read
//! off it (module `markets`). The clock is an input, so prices move continuously as it runs and the
//! same state gives the same bits on every host.
//!
//! With neutral score effects, pre-match prices are the independent Poisson / Dixon–Coles grid of the
//! literature (checked against penaltyblog in the tests).

mod fit;
mod grid;
mod markets;
mod params;
mod timing;

pub use fit::{FitError, FitOdds, FitOptions, FitResult, TotalOdds, fit_football};
pub use grid::{GoalGrid, MAX_ADDED, base_rates};
pub use markets::{
    CORRECT_SCORE_MAX, half_time_total_lines, handicap_lines, team_total_lines, total_lines,
};
pub use params::{
    FootballParams, HALF_MS, MatchState, Period, PricingError, RedCardEffects, RedCards, Score,
    ScoreStateEffects, TimeProfile,
};
pub use timing::{Remaining, remaining};

use crate::market::{Market, MarketBook, MarketKey, SportModel};

/// The football model as a [`SportModel`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Football;

impl SportModel for Football {
    type Params = FootballParams;
    type State = MatchState;
    type Error = PricingError;
    fn price(
        &self,
        params: &FootballParams,
        state: &MatchState,
    ) -> Result<MarketBook, PricingError> {
        price(params, state)
    }
}

/// Distribution of the goals still to come, from `state` to full time.
pub fn remaining_goals(
    params: &FootballParams,
    state: &MatchState,
) -> Result<GoalGrid, PricingError> {
    params.validate()?;
    state.validate()?;
    let t = remaining(&params.profile, state).to_full_time;
    grid::remaining_goals(params, state, t)
}

/// Prices every football market at `state`: fair probabilities and fair odds, no margin.
pub fn price(params: &FootballParams, state: &MatchState) -> Result<MarketBook, PricingError> {
    // Room for the ~80 markets of a full book up front.
    let mut book = MarketBook {
        markets: Vec::with_capacity(80),
    };
    price_into(params, state, &mut book)?;
    Ok(book)
}

/// [`price`] into an existing book, reusing its vectors (for hosts that reprice continuously).
pub fn price_into(
    params: &FootballParams,
    state: &MatchState,
    book: &mut MarketBook,
) -> Result<(), PricingError> {
    price_markets_into(params, state, book, None)
}

/// One market at `state`, exactly as [`price`] has it; `None` when the book has no such market
/// now (a first-half market after half-time).
pub fn price_market(
    params: &FootballParams,
    state: &MatchState,
    key: MarketKey,
) -> Result<Option<Market>, PricingError> {
    let mut book = MarketBook {
        markets: Vec::with_capacity(1),
    };
    price_markets_into(params, state, &mut book, Some(key))?;
    Ok(book.markets.pop())
}

fn price_markets_into(
    params: &FootballParams,
    state: &MatchState,
    book: &mut MarketBook,
    only: Option<MarketKey>,
) -> Result<(), PricingError> {
    params.validate()?;
    state.validate()?;
    let left = remaining(&params.profile, state);
    // While the first half runs, the half-time grid comes from the same sweep as the full-time one.
    let wants_first_half = only.is_none_or(|k| k.is_first_half());
    let (rest, first_half) = match state.period {
        Period::PreMatch | Period::FirstHalf if wants_first_half => {
            let [ht, ft] =
                grid::remaining_goals_at(params, state, [left.to_half_time, left.to_full_time])?;
            (ft, Some(ht))
        }
        _ => (
            grid::remaining_goals(params, state, left.to_full_time)?,
            None,
        ),
    };
    // Next goal: the rates are constant until the next goal, so its scorer is home with probability
    // rh / (rh + ra); "none" is the grid's own no-more-goals cell (which includes Dixon–Coles).
    let (bh, ba) = grid::base_rates(params, state);
    let d = state.score.diff();
    let rh = bh * params.score_state.factor(d);
    let ra = ba * params.score_state.factor(-d);
    let none = rest.get(0, 0);
    let next_goal = if rh + ra > 0.0 {
        let some = 1.0 - none;
        [some * rh / (rh + ra), none, some * ra / (rh + ra)]
    } else {
        [0.0, 1.0, 0.0]
    };
    markets::build_into(
        &markets::Inputs {
            score: state.score,
            rest: &rest,
            first_half: first_half.as_ref(),
            next_goal,
        },
        book,
        only,
    );
    Ok(())
}
