//! The modelling exports, behind the default `tools` feature: pricing from parameters
//! (`priceFootball`, `priceTennis`), de-margining and margins (`impliedProbabilities`,
//! `applyMargin`) and fitting (`fitFootball`). A live page needs none of them (a `LiveEvent` prices from its snapshot), so the
//! package's `live` entry is built without this module: a quarter less wasm for every bettor.

use core::cell::RefCell;

use inplay_engine::football::{self, FitOdds, FitOptions, FootballParams, MatchState};
use inplay_engine::market::MarketBook;
use inplay_engine::odds::{self, MarginMethod};
use inplay_engine::pricing;
use inplay_engine::tennis::{self, Player, TennisParams, TennisState};
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

use super::{Layout, book_numbers, error, from_js, odds_error, to_js};

thread_local! {
    /// [`price_football`]'s output buffer and layout, reused call after call (wasm has one thread).
    static FOOTBALL: RefCell<(Vec<f64>, Layout)> = RefCell::new(Default::default());
    /// [`price_tennis`]'s.
    static TENNIS: RefCell<(Vec<f64>, Layout)> = RefCell::new(Default::default());
}

/// Like [`from_js`], with `undefined`/`null` meaning the type's default.
fn from_js_or_default<T: DeserializeOwned + Default>(
    value: JsValue,
    code: &str,
    what: &str,
) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        Ok(T::default())
    } else {
        from_js(value, code, what)
    }
}

fn method(value: JsValue) -> Result<MarginMethod, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(MarginMethod::Multiplicative);
    }
    let name = value
        .as_string()
        .ok_or_else(|| error("unknown_method", "margin method must be a string"))?;
    name.parse().map_err(odds_error)
}

fn numbers(value: JsValue, code: &str, what: &str) -> Result<Vec<f64>, JsValue> {
    from_js(value, code, &format!("{what} must be an array of numbers"))
}

/// Margin to put on a priced book (`pricing::offer`).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Offer {
    margin: f64,
    /// A name, parsed with `MarginMethod::from_str` so a bad one reports `unknown_method`.
    #[serde(default)]
    method: Option<String>,
}

fn football_book(params: JsValue, state: JsValue, offer: JsValue) -> Result<MarketBook, JsValue> {
    let params: FootballParams = from_js(params, "invalid_params", "params")?;
    let state: MatchState = from_js_or_default(state, "invalid_state", "state")?;
    let book = football::price(&params, &state).map_err(|e| error(e.code(), &e.to_string()))?;
    offered(book, offer)
}

/// `book` with the margin of `offer` (`{margin, method}`) when one is given.
fn offered(mut book: MarketBook, offer: JsValue) -> Result<MarketBook, JsValue> {
    if !(offer.is_undefined() || offer.is_null()) {
        let o: Offer = from_js(offer, "invalid_margin", "offer")?;
        let method = match o.method {
            Some(name) => name.parse().map_err(odds_error)?,
            None => MarginMethod::Multiplicative,
        };
        pricing::offer(&mut book, o.margin, method).map_err(odds_error)?;
    }
    Ok(book)
}

/// Fair (and optionally offered) prices of every football market; returns the address of the
/// `book_numbers` buffer.
///
/// `params` is `FootballParams`, `state` a `MatchState` (pre-match when absent), `offer` an optional
/// `{margin, method}` applied with `pricing::offer`.
#[wasm_bindgen(js_name = priceFootball)]
pub fn price_football(params: JsValue, state: JsValue, offer: JsValue) -> Result<usize, JsValue> {
    let book = football_book(params, state, offer)?;
    // Only this function borrows it, and it calls nothing that could re-enter: never fails.
    FOOTBALL.with(|cell| {
        let (out, layout) = &mut *cell.borrow_mut();
        Ok(book_numbers(&book, layout, out))
    })
}

/// The keys of the last book [`price_football`] gave.
#[wasm_bindgen(js_name = priceFootballLayout)]
pub fn price_football_layout() -> String {
    FOOTBALL.with(|cell| cell.borrow().1.keys())
}

/// Fair (and optionally offered) prices of every tennis market; returns the address of the
/// `book_numbers` buffer.
///
/// `params` is `TennisParams`, `state` a `TennisState` (before the first point, A serving, when
/// absent), `offer` an optional `{margin, method}` applied with `pricing::offer`.
#[wasm_bindgen(js_name = priceTennis)]
pub fn price_tennis(params: JsValue, state: JsValue, offer: JsValue) -> Result<usize, JsValue> {
    let params: TennisParams = from_js(params, "invalid_params", "params")?;
    let state: TennisState = if state.is_undefined() || state.is_null() {
        TennisState::pre_match(Player::A)
    } else {
        from_js(state, "invalid_state", "state")?
    };
    let book = tennis::price(&params, &state).map_err(|e| error(e.code(), &e.to_string()))?;
    let book = offered(book, offer)?;
    TENNIS.with(|cell| {
        let (out, layout) = &mut *cell.borrow_mut();
        Ok(book_numbers(&book, layout, out))
    })
}

/// The keys of the last book [`price_tennis`] gave.
#[wasm_bindgen(js_name = priceTennisLayout)]
pub fn price_tennis_layout() -> String {
    TENNIS.with(|cell| cell.borrow().1.keys())
}

/// Fair probabilities of a book of decimal odds: `{probs, margin, method, k}`.
#[wasm_bindgen(js_name = impliedProbabilities)]
pub fn implied_probabilities(odds: JsValue, method_name: JsValue) -> Result<JsValue, JsValue> {
    let odds = numbers(odds, "invalid_odds", "odds")?;
    let implied = odds::implied_probabilities(&odds, method(method_name)?).map_err(odds_error)?;
    to_js(&implied)
}

/// Offered decimal odds for fair probabilities at a target overround.
#[wasm_bindgen(js_name = applyMargin)]
pub fn apply_margin(probs: JsValue, margin: f64, method_name: JsValue) -> Result<JsValue, JsValue> {
    let probs = numbers(probs, "invalid_probabilities", "probs")?;
    let offered = odds::apply_margin(&probs, margin, method(method_name)?).map_err(odds_error)?;
    to_js(&offered)
}

/// Fits home/away expected goals (and ρ) to 1X2 and over/under odds.
#[wasm_bindgen(js_name = fitFootball)]
pub fn fit_football(book: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let book: FitOdds = from_js(book, "invalid_odds", "odds")?;
    let options: FitOptions = from_js_or_default(options, "invalid_params", "options")?;
    let fit =
        football::fit_football(&book, &options).map_err(|e| error(e.code(), &e.to_string()))?;
    to_js(&fit)
}
