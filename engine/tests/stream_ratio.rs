//! Streaming the model must stay far smaller than streaming prices (target ≤ 5 % over a match).

use inplay_engine::live::stream_size::measure_match;

#[test]
fn model_stream_is_under_five_percent_of_the_price_list_stream() {
    let s = measure_match(3);
    assert!(s.deltas > 3, "a simulated match changes state: {s:?}");
    assert!(
        s.price_messages > 100,
        "prices move on their own every second: {s:?}"
    );
    assert!(s.ratio() <= 0.05, "ratio {:.3}", s.ratio());
}
