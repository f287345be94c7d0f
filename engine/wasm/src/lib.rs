//! # inplay-wasm
//!
//! The wasm-bindgen face of [`inplay_engine`] for the `@inplay/engine` npm package (`engine/npm`).
//! It only converts: JS values in, engine calls, JS values out. Every price, check and state change
//! is the engine's, so the package quotes exactly what the CLI and the edge compute.
//!
//! Modules: `frame` (socket frames for JS), `de` (the strict option-object deserializer) and, with
//! the default `tools` feature, `tools` (the modelling functions). The default `tennis` feature
//! lets a live event price tennis. The package's `live` entry is built without either (a football
//! page's needs: the live event, frames, odds formats and the ladder); its `tennis` entry is the
//! same with `tennis`.
//!
//! Conventions at the boundary:
//! - Data objects keep the engine's serde names (snake_case: `home_xg`, `clock_ms`, `fair_odds`), so
//!   a book is the same JSON as `inplay price --json`; functions and methods are camelCase.
//! - Option objects are decoded from the JS value by the engine's own serde derives through a strict
//!   deserializer (module `de`): unknown fields are refused exactly as the CLI refuses them
//!   (`deny_unknown_fields`), `null`/`undefined` are `None`. Small results cross as the JSON text
//!   `serde_json` writes for the CLI, parsed by `JSON.parse`: the same shape, `null` for `None` and
//!   for non-finite numbers, and shortest round-trip digits that parse back to the same `f64` bits.
//! - A book, the hot path, is written as numbers plus a layout id into a buffer that stays in wasm
//!   memory and is read through a `Float64Array` view; the keys cross only when the layout changes,
//!   and the JS wrapper rebuilds the CLI's object shape (see `book_numbers`). The numbers are the
//!   engine's `f64`s untouched.
//! - Failures are thrown as JS `Error`s carrying a stable `code` (the engine's own codes where it has
//!   one); the package's `api.js` turns them into `InplayError`. Nothing here can panic on input:
//!   with `panic = "abort"` a panic would poison the wasm instance for every later call. (A JS
//!   exception thrown into Rust by a getter would unwind past a method's borrow of its handle, so
//!   `api.js` hands a `LiveEvent` method a plain copy of any object argument.)
#![deny(missing_docs)]

mod de;
mod frame;
#[cfg(feature = "tools")]
mod tools;

use core::cell::Cell;
use inplay_engine::live::{BetRequest, BetStatus, ClockAnchor, LiveView, Price, SettlementResult};
use inplay_engine::market::{MarketBook, MarketKey, SelectionKey};
use inplay_engine::odds::{self, OddsError, OddsFormat, ladder};

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

// std's dlmalloc is a twelfth of this module's code; talc does the same job in a fraction of it.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// Largest integer a JS number holds exactly (2^53 − 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A JS `Error` with a stable `code` property.
fn error(code: &str, message: &str) -> JsValue {
    let e = js_sys::Error::new(message);
    // Setting a property on a fresh Error cannot fail; ignore the Result rather than unwrap.
    let _ = js_sys::Reflect::set(&e, &JsValue::from_str("code"), &JsValue::from_str(code));
    e.into()
}

fn odds_error(e: OddsError) -> JsValue {
    error(e.code(), &e.to_string())
}

/// Decodes an option object with the engine's serde derives (module `de`), so unknown fields are refused
/// as in the CLI; absence or a shape or type mismatch is reported as `code`.
fn from_js<T: DeserializeOwned>(value: JsValue, code: &str, what: &str) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Err(error(code, &format!("{what}: missing")));
    }
    de::from_value(value).map_err(|e| error(code, &format!("{what}: {e}")))
}

/// A result as a plain JS value, through the JSON text the CLI would print for it.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let text =
        serde_json::to_string(value).map_err(|_| error("internal", "cannot encode result"))?;
    js_sys::JSON::parse(&text).map_err(|_| error("internal", "cannot decode result"))
}

/// How a book crosses to JS: its numbers are written into `out`, a buffer that stays in wasm
/// memory, and JS reads them through a `Float64Array` view of the memory. Returns the buffer's
/// address.
///
/// Building ~250 JS objects one property at a time across the boundary, or through JSON text, costs
/// tens of microseconds; this costs about one. The keys change only when the set of markets does (a
/// goal changes the correct scores, half-time closes the first-half markets), so they cross only
/// then: `layout` remembers the keys of the last book, and its id tells JS whether its copy of the
/// keys (fetched with [`Layout::keys`]) still applies.
///
/// Layout of `out`: `[n, x₁ … xₙ, layout id]` where, per selection in book order, the `x` are `prob`
/// if present, the five `outcomes` if present (`win, half_win, push, half_lose, lose`), `fair_odds`,
/// then `odds` (NaN when not offered).
fn book_numbers(book: &MarketBook, layout: &mut Layout, out: &mut Vec<f64>) -> usize {
    // One pass checks the keys and writes the numbers; only a new layout takes a second.
    if !write_numbers(book, layout, out) {
        layout.record(book);
        out.clear();
        out.resize(layout.width + 2, 0.0);
        write_numbers(book, layout, out);
    }
    out[0] = layout.width as f64;
    out[layout.width + 1] = layout.id;
    out.as_ptr() as usize
}

/// Writes `book`'s numbers into `out[1..]` if the book has `layout`'s keys (and `out` its size);
/// `false`, with `out` partly written, if not.
fn write_numbers(book: &MarketBook, layout: &Layout, out: &mut [f64]) -> bool {
    if book.markets.len() != layout.markets.len() || out.len() != layout.width + 2 {
        return false;
    }
    // Written through a slice iterator: its cursor stays in a register, where `Vec::push` would
    // reload the length around every store.
    let mut slots = out.iter_mut().skip(1);
    let mut put = |x: f64| {
        if let Some(slot) = slots.next() {
            *slot = x;
        }
    };
    let mut keys = layout.selections.iter();
    for (m, (key, n)) in book.markets.iter().zip(&layout.markets) {
        if m.key != *key || m.selections.len() != *n {
            return false;
        }
        for s in &m.selections {
            if keys.next() != Some(&(s.key, selection_kind(s))) {
                return false;
            }
            if let Some(p) = s.prob {
                put(p);
            }
            if let Some(o) = s.outcomes {
                put(o.win);
                put(o.half_win);
                put(o.push);
                put(o.half_lose);
                put(o.lose);
            }
            put(s.fair_odds);
            put(s.odds.unwrap_or(f64::NAN));
        }
    }
    true
}

/// Bit 0: the selection has `prob`; bit 1: it has `outcomes`.
fn selection_kind(s: &inplay_engine::market::Selection) -> u8 {
    u8::from(s.prob.is_some()) | u8::from(s.outcomes.is_some()) << 1
}

/// The keys of the last book sent from one source (a `LiveEvent`, or `priceFootball`), flat, and
/// the id JS caches them under.
#[derive(Default)]
struct Layout {
    /// Market key and selection count, in book order.
    markets: Vec<(MarketKey, usize)>,
    /// Selection key and kind (see [`selection_kind`]), in book order.
    selections: Vec<(SelectionKey, u8)>,
    /// How many numbers a book with these keys has.
    width: usize,
    id: f64,
}

thread_local! {
    /// Layout ids are unique across every source in the instance, so JS can cache keys by id alone.
    static NEXT_LAYOUT_ID: Cell<f64> = const { Cell::new(1.0) };
}

impl Layout {
    fn record(&mut self, book: &MarketBook) {
        self.markets.clear();
        self.selections.clear();
        for m in &book.markets {
            self.markets.push((m.key, m.selections.len()));
            self.selections
                .extend(m.selections.iter().map(|s| (s.key, selection_kind(s))));
        }
        self.width = self
            .selections
            .iter()
            .map(|(_, kind)| 2 + usize::from(kind & 1) + 5 * usize::from(kind >> 1 & 1))
            .sum();
        self.id = NEXT_LAYOUT_ID.with(|next| next.replace(next.get() + 1.0));
    }

    /// The keys as one string, a line per market: the market key, then a tab and `selectionKey
    /// kind` per selection (keys contain neither tabs, spaces nor newlines). One string crosses
    /// the boundary in one call, and needs no serialiser here.
    fn keys(&self) -> String {
        use core::fmt::Write;
        let mut out = String::new();
        let mut selections = self.selections.iter();
        for (key, n) in &self.markets {
            let _ = write!(out, "{key}");
            for (k, kind) in selections.by_ref().take(*n) {
                let _ = write!(out, "\t{k} {kind}");
            }
            out.push('\n');
        }
        out
    }
}

/// The wasm instance's memory, for the views `book_numbers` is read through.
#[wasm_bindgen(js_name = wasmMemory)]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// A wall or match time in ms from a JS number: a non-negative safe integer.
fn millis(value: f64, name: &str) -> Result<u64, JsValue> {
    whole(value, name, "number of milliseconds")
}

/// A count (`unit`s) from a JS number: a non-negative safe integer, or `invalid_argument`.
fn whole(value: f64, name: &str, unit: &str) -> Result<u64, JsValue> {
    if (0.0..=MAX_SAFE_INTEGER).contains(&value) && value.fract() == 0.0 {
        Ok(value as u64)
    } else {
        Err(error(
            "invalid_argument",
            &format!(
                "{name} must be a non-negative integer {unit}, got {}",
                inplay_engine::decimal::Shortest(value)
            ),
        ))
    }
}

fn format(value: JsValue) -> Result<OddsFormat, JsValue> {
    let name = value
        .as_string()
        .ok_or_else(|| error("invalid_format", "odds format must be a string"))?;
    name.parse().map_err(odds_error)
}

/// Decimal odds written in `format`.
#[wasm_bindgen(js_name = formatOdds)]
pub fn format_odds(decimal: f64, fmt: JsValue) -> Result<String, JsValue> {
    odds::format_odds(decimal, format(fmt)?).map_err(odds_error)
}

/// Decimal odds from text in `format`.
#[wasm_bindgen(js_name = parseOdds)]
pub fn parse_odds(text: JsValue, fmt: JsValue) -> Result<f64, JsValue> {
    let text = text
        .as_string()
        .ok_or_else(|| error("invalid_format", "odds text must be a string"))?;
    odds::parse_odds(&text, format(fmt)?).map_err(odds_error)
}

/// Nearest traditional UK fraction: `{num, den}`.
#[wasm_bindgen(js_name = toFractional)]
pub fn to_fractional(decimal: f64) -> Result<JsValue, JsValue> {
    to_js(&odds::to_fractional(decimal).map_err(odds_error)?)
}

macro_rules! number_conversions {
    ($($(#[$doc:meta])* $js:literal => $name:ident;)*) => {$(
        $(#[$doc])*
        #[wasm_bindgen(js_name = $js)]
        pub fn $name(value: f64) -> Result<f64, JsValue> {
            odds::$name(value).map_err(odds_error)
        }
    )*};
}

number_conversions! {
    /// Decimal to American moneyline.
    "toAmerican" => to_american;
    /// American moneyline to decimal.
    "fromAmerican" => from_american;
    /// Decimal to Hong Kong odds.
    "toHongKong" => to_hong_kong;
    /// Hong Kong odds to decimal.
    "fromHongKong" => from_hong_kong;
    /// Decimal to Malay odds.
    "toMalay" => to_malay;
    /// Malay odds to decimal.
    "fromMalay" => from_malay;
    /// Decimal to Indonesian odds.
    "toIndonesian" => to_indonesian;
    /// Indonesian odds to decimal.
    "fromIndonesian" => from_indonesian;
}

/// Highest ladder price at or below `decimal`.
#[wasm_bindgen(js_name = ladderRoundDown)]
pub fn ladder_round_down(decimal: f64) -> Result<f64, JsValue> {
    ladder::round_down(decimal).map_err(odds_error)
}

/// Lowest ladder price at or above `decimal`.
#[wasm_bindgen(js_name = ladderRoundUp)]
pub fn ladder_round_up(decimal: f64) -> Result<f64, JsValue> {
    ladder::round_up(decimal).map_err(odds_error)
}

/// Nearest ladder price (ties go down).
#[wasm_bindgen(js_name = ladderRoundNearest)]
pub fn ladder_round_nearest(decimal: f64) -> Result<f64, JsValue> {
    ladder::round_nearest(decimal).map_err(odds_error)
}

/// A decimal price as exact hundredths, or an `invalid_price` error.
fn price_of(price: f64) -> Result<Price, JsValue> {
    Price::from_decimal(price).ok_or_else(|| {
        error(
            "invalid_price",
            "price must be a decimal above 1 in whole hundredths",
        )
    })
}

/// A stake in minor units: a non-negative safe integer, or `invalid_argument`.
fn stake_of(stake: f64) -> Result<u64, JsValue> {
    whole(stake, "stake", "number of minor units")
}

/// A whole number from the engine as a JS number, refused (`invalid_argument`) when a JS number
/// cannot hold it exactly (a stake near 2^53 at a long price): what a bettor sees must be the
/// engine's amount to the minor unit, never a rounded neighbour.
fn exact(value: u64, what: &str) -> Result<f64, JsValue> {
    // At or below 2^53 − 1 the cast is exact.
    if value as f64 <= MAX_SAFE_INTEGER {
        Ok(value as f64)
    } else {
        Err(error(
            "invalid_argument",
            &format!("{what} exceeds 2^53 - 1, the largest whole number a JS number holds exactly"),
        ))
    }
}

/// What a winning stake (minor units) at a decimal price pays on top of the stake: the engine's
/// settlement rule (`net_win`: exact integer arithmetic, rounded down once to a whole minor unit).
#[wasm_bindgen(js_name = netWin)]
pub fn net_win(stake: f64, price: f64) -> Result<f64, JsValue> {
    let stake = stake_of(stake)?;
    exact(
        inplay_engine::live::net_win(stake, price_of(price)?),
        "the amount",
    )
}

/// A settled bet's whole return (stake included) for `result` (`won`, `half_won`, `push`, …):
/// the engine's settlement arithmetic (`SettlementResult::payout`).
#[wasm_bindgen]
pub fn payout(result: &str, stake: f64, price: f64) -> Result<f64, JsValue> {
    let stake = stake_of(stake)?;
    let result = SettlementResult::ALL
        .into_iter()
        .find(|r| r.as_str() == result)
        .ok_or_else(|| {
            error(
                "invalid_argument",
                "result must be won, lost, push, half_won, half_lost or void",
            )
        })?;
    exact(result.payout(stake, price_of(price)?), "the amount")
}

/// A bet status as the engine reads it (`BetStatus::from_str`): `{phase, code}`, where `phase` is
/// `accepted`, `pending` or `rejected` and `code` the reject code (`null` unless rejected).
#[wasm_bindgen(js_name = betStatus)]
pub fn bet_status(status: &str) -> Result<JsValue, JsValue> {
    let parsed: BetStatus = status
        .parse()
        .map_err(|why: &str| error("invalid_argument", &format!("bet status `{status}`: {why}")))?;
    let (phase, code) = match parsed {
        BetStatus::Accepted => ("accepted", None),
        BetStatus::Pending => ("pending", None),
        BetStatus::Rejected { code } => ("rejected", Some(code.as_str())),
    };
    to_js(&StatusParts { phase, code })
}

/// The JS shape of a read bet status.
#[derive(Serialize)]
struct StatusParts {
    phase: &'static str,
    code: Option<&'static str>,
}

/// The match clock of an anchor at wall time `now_ms` (`ClockAnchor::clock_at`); the package's JS
/// passes the anchor's four fields.
#[wasm_bindgen(js_name = clockAt)]
pub fn clock_at(
    clock_ms: f64,
    at_ms: f64,
    running: bool,
    rate: f64,
    now_ms: f64,
) -> Result<f64, JsValue> {
    let rate = whole(rate, "anchor.rate", "of match ms per wall ms")?;
    let anchor = ClockAnchor {
        clock_ms: millis(clock_ms, "anchor.clock_ms")?,
        at_ms: millis(at_ms, "anchor.at_ms")?,
        running,
        rate: u32::try_from(rate)
            .map_err(|_| error("invalid_argument", "anchor.rate is beyond any clock rate"))?,
    };
    exact(anchor.clock_at(millis(now_ms, "nowMs")?), "the clock")
}

/// Version of the engine crate compiled into this wasm.
#[wasm_bindgen(js_name = engineVersion)]
pub fn engine_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// A client's mirror of one live event: a snapshot kept current by deltas (`LiveView`).
#[wasm_bindgen(js_name = RawLiveEvent)]
pub struct LiveEvent {
    view: LiveView,
    /// [`LiveEvent::prices`]' output buffer, reused call after call.
    numbers: Vec<f64>,
    /// Keys of the last book [`LiveEvent::prices`] gave.
    layout: Layout,
    /// The book of the last reprice, whose vectors the next one reuses.
    book: MarketBook,
}

fn bytes(value: &JsValue, what: &str) -> Result<Vec<u8>, JsValue> {
    value
        .dyn_ref::<js_sys::Uint8Array>()
        .map(|a| a.to_vec())
        .ok_or_else(|| error("invalid_argument", &format!("{what} must be a Uint8Array")))
}

#[wasm_bindgen(js_class = RawLiveEvent)]
impl LiveEvent {
    /// From a snapshot's binary form.
    #[wasm_bindgen(js_name = fromSnapshot)]
    pub fn from_snapshot(snapshot: JsValue) -> Result<LiveEvent, JsValue> {
        let view = LiveView::from_bytes(&bytes(&snapshot, "snapshot")?)
            .map_err(|e| error(e.code(), &e.to_string()))?;
        Ok(LiveEvent {
            view,
            numbers: Vec::new(),
            layout: Layout::default(),
            book: MarketBook::default(),
        })
    }

    /// Applies the next delta (binary form); returns the new version `{epoch, seq}`.
    #[wasm_bindgen(js_name = applyDelta)]
    pub fn apply_delta(&mut self, delta: JsValue) -> Result<JsValue, JsValue> {
        let version = self
            .view
            .apply_delta_bytes(&bytes(&delta, "delta")?)
            .map_err(|e| error(e.code(), &e.to_string()))?;
        to_js(&version)
    }

    /// Version held: `{epoch, seq}`.
    #[wasm_bindgen(getter)]
    pub fn version(&self) -> Result<JsValue, JsValue> {
        to_js(&self.view.version())
    }

    /// Wall time the version held was made (ms): the last delta's, or the snapshot's.
    #[wasm_bindgen(getter, js_name = atMs)]
    pub fn at_ms(&self) -> Result<f64, JsValue> {
        exact(self.view.stamp().at_ms, "the version's time")
    }

    /// The current image (`MatchImage`), in the engine's JSON shape: what the snapshot and every
    /// delta applied so far make of it.
    #[wasm_bindgen(getter)]
    pub fn image(&self) -> Result<JsValue, JsValue> {
        to_js(&self.view.snapshot().image)
    }

    /// The state [`LiveEvent::prices`] prices at wall time `now_ms` (`MatchImage::state_at`):
    /// football's with the clock run on, tennis's score with its completed sets.
    #[wasm_bindgen(js_name = stateAt)]
    pub fn state_at(&self, now_ms: f64) -> Result<JsValue, JsValue> {
        to_js(
            &self
                .view
                .snapshot()
                .image
                .state_at(millis(now_ms, "nowMs")?),
        )
    }

    /// Every fair and offered price at wall time `now_ms`; returns the address of the
    /// `book_numbers` buffer.
    pub fn prices(&mut self, now_ms: f64) -> Result<usize, JsValue> {
        self.view
            .prices_into(millis(now_ms, "nowMs")?, &mut self.book)
            .map_err(|e| error(e.code(), &e.to_string()))?;
        Ok(book_numbers(
            &self.book,
            &mut self.layout,
            &mut self.numbers,
        ))
    }

    /// The keys of the last book [`LiveEvent::prices`] gave.
    #[wasm_bindgen(js_name = pricesLayout)]
    pub fn prices_layout(&self) -> String {
        self.layout.keys()
    }

    /// Status of every market in the book at `now_ms`: `{ [marketKey]: {status, reason?} }`.
    #[wasm_bindgen(js_name = marketStatus)]
    pub fn market_status(&self, now_ms: f64) -> Result<JsValue, JsValue> {
        let statuses = self
            .view
            .market_statuses(millis(now_ms, "nowMs")?)
            .map_err(|e| error(e.code(), &e.to_string()))?;
        to_js(&StatusMap(&statuses))
    }

    /// The edge's image-level checks on a bet slip; returns the price it would be taken at.
    #[wasm_bindgen(js_name = checkBet)]
    pub fn check_bet(&self, slip: JsValue, now_ms: f64) -> Result<f64, JsValue> {
        let req: BetRequest = from_js(slip, "invalid_request", "bet slip")?;
        self.view
            .check_bet(&req, millis(now_ms, "nowMs")?)
            .map(Price::to_f64)
            .map_err(|code| error(code.as_str(), &format!("bet refused: {}", code.as_str())))
    }
}

/// Statuses keyed by market key, in book order.
struct StatusMap<'a>(
    &'a [(
        inplay_engine::market::MarketKey,
        inplay_engine::live::MarketStatus,
    )],
);

impl Serialize for StatusMap<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}
