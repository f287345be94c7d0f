//! Bytes of the model stream (snapshot + deltas) against the equivalent price-list stream, over
//! whole simulated matches. Run: `cargo run --release -p inplay-engine --example stream_ratio [matches]`.

use inplay_engine::live::stream_size::{StreamSizes, measure_match};

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let mut total = StreamSizes::default();
    for seed in 0..n {
        total += measure_match(seed);
    }
    println!(
        "{n} simulated matches: model stream {} B ({} deltas), price-list stream {} B ({} messages, {} price changes); ratio {:.2} %",
        total.model_bytes,
        total.deltas,
        total.price_bytes,
        total.price_messages,
        total.price_changes,
        100.0 * total.ratio()
    );
}
