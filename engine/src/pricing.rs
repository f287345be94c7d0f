//! From fair prices to offered prices: a target overround per market, then the Betfair ladder.
//!
//! Offered odds are always rounded *down* the ladder (toward the bookmaker), so the book's real
//! margin is never below the target. A market whose fair prices cannot carry the margin (one side
//! certain, or the method has no solution) is left without offered odds rather than failing the book.

use crate::market::{Market, MarketBook, MarketKey};
use crate::odds::{MarginMethod, OddsError, apply_margin, ladder};

/// Fair implied probabilities below this are treated as impossible selections and not offered.
const MIN_OFFERED_PROB: f64 = 1e-9;

/// Sets `odds` on every selection of `book` that can be offered at `margin` under `method`.
///
/// Fails only on an invalid margin; markets that cannot take it are skipped (their `odds` stay `None`).
pub fn offer(book: &mut MarketBook, margin: f64, method: MarginMethod) -> Result<(), OddsError> {
    if !(margin.is_finite() && (0.0..1.0).contains(&margin)) {
        return Err(OddsError::InvalidMargin(margin));
    }
    for market in &mut book.markets {
        offer_market(market, margin, method);
    }
    Ok(())
}

/// Most selections a market can have (correct score has 37); larger markets are not offered.
const MAX_SELECTIONS: usize = 64;

/// Sets offered odds on one market; returns whether it could be offered.
pub fn offer_market(market: &mut Market, margin: f64, method: MarginMethod) -> bool {
    for s in &mut market.selections {
        s.odds = None;
    }
    if market.key == MarketKey::DoubleChance {
        return offer_each_against_the_rest(market, margin, method);
    }
    // The offered selections: implied probability above the floor. Line markets: 1/fair_odds
    // already accounts for pushes and half outcomes.
    let offered = |p: f64| p > MIN_OFFERED_PROB;
    let (mut n, mut total, mut most) = (0, 0.0, 0.0f64);
    for s in &market.selections {
        let p = s.implied();
        if offered(p) {
            if n == MAX_SELECTIONS || p >= 1.0 - MIN_OFFERED_PROB {
                return false;
            }
            n += 1;
            total += p;
            if p > most {
                most = p;
            }
        }
    }
    if n < 2 {
        return false;
    }
    if method == MarginMethod::Multiplicative {
        // No solver and no buffers (this runs for every market of every reprice): odds =
        // 1 / (p · (1 + margin)) with p normalised. Rounding is monotone, so if the likeliest
        // selection can carry the margin, all can.
        if most / total * (1.0 + margin) >= 1.0 {
            return false;
        }
        for s in &mut market.selections {
            let p = s.implied();
            if offered(p) {
                s.odds = ladder::round_down(1.0 / (p / total * (1.0 + margin))).ok();
            }
        }
        return true;
    }
    let mut index = [0usize; MAX_SELECTIONS];
    let mut probs = [0.0f64; MAX_SELECTIONS];
    let mut k = 0;
    for (i, s) in market.selections.iter().enumerate() {
        let p = s.implied();
        if offered(p) && k < n {
            index[k] = i;
            probs[k] = p / total;
            k += 1;
        }
    }
    match apply_margin(&probs[..n], margin, method) {
        Ok(odds) if odds.len() == n => {
            for (i, o) in index[..n].iter().zip(&odds) {
                if let Some(s) = market.selections.get_mut(*i) {
                    s.odds = ladder::round_down(*o).ok();
                }
            }
            true
        }
        _ => false,
    }
}

/// Markets whose selections overlap (double chance sums to 2): each selection is a two-way book
/// against its complement.
fn offer_each_against_the_rest(market: &mut Market, margin: f64, method: MarginMethod) -> bool {
    let mut any = false;
    for s in &mut market.selections {
        let p = s.implied();
        if p <= MIN_OFFERED_PROB || p >= 1.0 - MIN_OFFERED_PROB {
            continue;
        }
        let odds = match method {
            MarginMethod::Multiplicative if p * (1.0 + margin) < 1.0 => {
                Some(1.0 / (p * (1.0 + margin)))
            }
            MarginMethod::Multiplicative => None,
            _ => apply_margin(&[p, 1.0 - p], margin, method)
                .ok()
                .and_then(|o| o.first().copied()),
        };
        s.odds = odds.and_then(|o| ladder::round_down(o).ok());
        any |= s.odds.is_some();
    }
    any
}
