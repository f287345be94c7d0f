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

#[test]
fn a_tennis_point_costs_a_few_bytes_on_the_model_stream() {
    use inplay_engine::live::stream_size::measure_tennis;
    use inplay_engine::tennis::{Player, TennisParams};
    // A best-of-3 match decided on serve: every point to the server, 6-6 and a tiebreak each set.
    let p = TennisParams::new(0.64, 0.62, 3);
    let mut points = Vec::new();
    let mut state = inplay_engine::tennis::TennisState::pre_match(Player::A);
    // Pseudo-random winners weighted by the serve (a fixed sequence, no RNG crate needed).
    let mut x: u64 = 7;
    loop {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let u = (x >> 11) as f64 / (1u64 << 53) as f64;
        let chance = if state.server == Player::A {
            0.64
        } else {
            0.38
        };
        let w = if u < chance { Player::A } else { Player::B };
        points.push(w);
        match state.after_point(&p, w).unwrap() {
            inplay_engine::tennis::AfterPoint::InPlay(s) => state = s,
            _ => break,
        }
    }
    let s = measure_tennis(p, Player::A, &points);
    assert_eq!(s.points, points.len() as u64);
    assert!(s.deltas >= s.points, "a delta per point at least: {s:?}");
    println!(
        "{s:?} ratio {:.4} bytes/point {:.1}",
        s.ratio(),
        s.bytes_per_point()
    );
    assert!(
        s.bytes_per_point() <= 64.0,
        "{:.1} B per point",
        s.bytes_per_point()
    );
}
