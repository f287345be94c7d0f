//! Exact money: every payout and net win is integer arithmetic on the stake and the price's
//! hundredths, checked here against an independent `u128` reference for every ladder price.

use inplay_engine::live::{Price, SettlementResult, net_win};
use inplay_engine::odds::ladder;
use proptest::prelude::*;

/// The reference: amounts in hundredths of a minor unit, one floor division at the end.
fn reference(result: SettlementResult, stake: u64, hundredths: u32) -> u128 {
    let (s, h) = (u128::from(stake), u128::from(hundredths));
    match result {
        SettlementResult::Won => s * h / 100,
        SettlementResult::HalfWon => (s * h + s * 100) / 200,
        SettlementResult::Push | SettlementResult::Void => s,
        SettlementResult::HalfLost => s / 2,
        SettlementResult::Lost => 0,
    }
}

fn ladder_prices() -> impl Iterator<Item = Price> {
    ladder::ladder()
        .iter()
        .map(|&h| Price::from_hundredths(h).expect("ladder prices are above 1"))
}

#[test]
fn every_ladder_price_and_stake_up_to_2000_pays_exactly() {
    for price in ladder_prices() {
        let h = price.hundredths();
        // The ladder's own double reads back as the same hundredths.
        let decimal = ladder::tick_price(ladder::tick_index(price.to_f64()).unwrap()).unwrap();
        assert_eq!(Price::from_decimal(decimal), Some(price));
        for stake in 1..=2_000u64 {
            for result in SettlementResult::ALL {
                assert_eq!(
                    u128::from(result.payout(stake, price)),
                    reference(result, stake, h),
                    "{result:?} {stake} at {price}"
                );
            }
            assert_eq!(
                u128::from(net_win(stake, price)),
                u128::from(stake) * u128::from(h - 100) / 100
            );
        }
    }
}

proptest! {
    #[test]
    fn large_stakes_pay_exactly(stake in 1_000u64..=1_000_000_000_000) {
        for price in ladder_prices() {
            for result in SettlementResult::ALL {
                prop_assert_eq!(
                    u128::from(result.payout(stake, price)),
                    reference(result, stake, price.hundredths())
                );
            }
            prop_assert_eq!(
                u128::from(net_win(stake, price)),
                u128::from(stake) * u128::from(price.hundredths() - 100) / 100
            );
        }
    }

    #[test]
    fn any_stake_and_price_never_panics(stake in any::<u64>(), h in 101u32..) {
        let price = Price::from_hundredths(h).unwrap();
        for result in SettlementResult::ALL {
            let _ = result.payout(stake, price);
        }
        let _ = net_win(stake, price);
    }
}

/// The defect this replaced: `floor(stake as f64 * price)` comes out a minor unit short whenever
/// the product's double lands just below the integer (stake 100 at 1.13 gave 112). Counted over the
/// whole ladder and stakes 1–2,000 to show what the float version got wrong.
#[test]
fn floats_came_out_short_where_integers_are_exact() {
    let (mut short_payouts, mut short_net) = (0, 0);
    for price in ladder_prices() {
        let p = price.to_f64();
        for stake in 1..=2_000u64 {
            let float_payout = (stake as f64 * p).floor() as u64;
            if float_payout != SettlementResult::Won.payout(stake, price) {
                assert_eq!(float_payout + 1, SettlementResult::Won.payout(stake, price));
                short_payouts += 1;
            }
            let float_net = (stake as f64 * (p - 1.0)).floor() as u64;
            if float_net != net_win(stake, price) {
                short_net += 1;
            }
        }
    }
    assert_eq!(
        SettlementResult::Won.payout(100, Price::from_decimal(1.13).unwrap()),
        113
    );
    // The float version was short on these (figures quoted in the README).
    assert!(
        short_payouts > 1_000 && short_net > 5_000,
        "{short_payouts} {short_net}"
    );
    println!("float payouts short: {short_payouts}, float net wins short: {short_net}");
}
