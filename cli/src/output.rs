//! The readable table form of a market book.

use std::io::{self, Write};

use inplay_engine::market::MarketBook;

/// One line per selection: plain markets show their probability, line markets their settlement
/// outcomes; then fair odds and, when a margin was applied, the offered ladder price.
pub fn book_table(out: &mut impl Write, book: &MarketBook) -> io::Result<()> {
    let offered = book
        .markets
        .iter()
        .any(|m| m.selections.iter().any(|s| s.odds.is_some()));
    write!(
        out,
        "{:<22} {:<10} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9}",
        "market", "selection", "prob/win", "half_win", "push", "half_los", "lose", "fair"
    )?;
    if offered {
        write!(out, " {:>8}", "offered")?;
    }
    writeln!(out)?;
    for market in &book.markets {
        let key = market.key.to_string();
        for (i, s) in market.selections.iter().enumerate() {
            let name = if i == 0 { key.as_str() } else { "" };
            write!(out, "{name:<22} {:<10}", s.key.to_string())?;
            match (s.prob, s.outcomes) {
                (_, Some(o)) => write!(
                    out,
                    " {:>8.4} {:>8.4} {:>8.4} {:>8.4} {:>8.4}",
                    o.win, o.half_win, o.push, o.half_lose, o.lose
                )?,
                (Some(p), None) => {
                    write!(out, " {p:>8.4} {:>8} {:>8} {:>8} {:>8}", "", "", "", "")?
                }
                (None, None) => write!(out, " {:>8} {:>8} {:>8} {:>8} {:>8}", "", "", "", "", "")?,
            }
            write!(out, " {:>9}", price(s.fair_odds))?;
            if offered {
                match s.odds {
                    Some(o) => write!(out, " {:>8}", price(o))?,
                    None => write!(out, " {:>8}", "-")?,
                }
            }
            writeln!(out)?;
        }
    }
    Ok(())
}

fn price(odds: f64) -> String {
    if odds.is_finite() {
        format!("{odds:.3}")
    } else {
        "-".to_string()
    }
}
