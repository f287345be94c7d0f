//! Time of one full reprice with offered prices (margin + ladder), per margin method.
//! Run: `cargo run --release -p inplay-engine --example reprice`. Criterion's `price` bench measures
//! fair prices alone; this adds what a live book also does on every reprice.

use std::time::Instant;

use inplay_engine::football::{FootballParams, MatchState, price};
use inplay_engine::odds::MarginMethod;
use inplay_engine::pricing::offer;

fn main() {
    let params = FootballParams::new(1.6, 1.1);
    let state = MatchState::in_play(1, 0, 3_600_000);
    const CALLS: u64 = 20_000;
    for method in [
        None,
        Some(MarginMethod::Multiplicative),
        Some(MarginMethod::Shin),
        Some(MarginMethod::Power),
    ] {
        let mut selections = 0;
        let start = Instant::now();
        for i in 0..CALLS {
            // A new clock each call, as a live book reprices.
            let mut s = state;
            s.clock_ms += i;
            let Ok(mut book) = price(&params, &s) else {
                return;
            };
            if let Some(m) = method {
                let _ = offer(&mut book, 0.05, m);
            }
            selections = book.selection_count();
        }
        let label = method.map_or("fair prices only", |m| m.as_str());
        println!(
            "{label:>16}: {:>8.2} µs per reprice ({selections} selections)",
            start.elapsed().as_secs_f64() * 1e6 / CALLS as f64
        );
    }
}
