//! Property tests of what the Worker parses from clients before anything else sees it: routes and
//! path ids, bearer tokens, socket subprotocols, `since` versions, region headers. Any input is
//! answered (a route or a stable 4xx error), never a panic, and what parses round-trips.

use inplay_edge::auth::{bearer, offers_socket_protocol, token_from_protocols};
use inplay_edge::region::{self, Region};
use inplay_edge::route::{Route, route};
use inplay_engine::live::Version;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn any_method_and_path_routes_or_is_a_stable_4xx(
        method in prop_oneof![Just("GET".to_string()), Just("POST".to_string()), "[A-Z]{0,8}"],
        path in "\\PC{0,120}",
    ) {
        match route(&method, &path) {
            Ok(_) => {}
            Err(e) => {
                prop_assert!((400..500).contains(&e.status()), "{} {}: {}", method, path, e);
                prop_assert!(e.message.chars().count() <= 200, "messages echo little of the input");
            }
        }
    }

    #[test]
    fn valid_ids_route_to_their_match(id in "[A-Za-z0-9_-]{1,64}", tail in prop_oneof![
        Just(""), Just("/live"), Just("/bets"), Just("/log"), Just("/suspend"), Just("/resettle"),
    ]) {
        let method = match tail { "" | "/live" | "/log" => "GET", _ => "POST" };
        let path = format!("/v1/events/{id}{tail}");
        let r = route(method, &path).unwrap();
        let got = match r {
            Route::GetEvent(x) | Route::Live(x) | Route::Log(x) | Route::PlaceBet(x)
            | Route::Admin(x, _) => x,
            other => panic!("{other:?}"),
        };
        prop_assert_eq!(got, id.as_str());
    }

    #[test]
    fn ids_outside_the_rule_never_reach_a_match(id in "\\PC{1,80}") {
        let valid = id.len() <= 64
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !valid && !id.contains('/') {
            let e = route("GET", &format!("/v1/events/{id}")).unwrap_err();
            prop_assert!(e.status() == 400 || e.status() == 404, "{}", e);
        }
    }

    #[test]
    fn bearer_tokens_parse_exactly(token in "[!-~]{1,100}", spaces in " {1,3}") {
        let h = format!("Bearer{spaces}{token}");
        prop_assert_eq!(bearer(Some(&h)), Some(token.as_str()));
        let basic = format!("Basic {token}");
        prop_assert_eq!(bearer(Some(&basic)), None);
    }

    #[test]
    fn any_header_text_is_read_without_panicking(h in "\\PC{0,200}") {
        let _ = bearer(Some(&h));
        let _ = token_from_protocols(Some(&h));
        let _ = offers_socket_protocol(Some(&h));
        let _ = h.parse::<Version>();
        let _ = region::choose(Some(&h), true, Region::Weur);
        let _ = region::shard_for(&h, 7);
    }

    #[test]
    fn socket_tokens_round_trip_through_the_subprotocol(token in "[A-Za-z0-9_.-]{1,120}") {
        let h = format!("inplay.v1, bearer.{token}");
        prop_assert_eq!(token_from_protocols(Some(&h)), Some(token.as_str()));
        prop_assert!(offers_socket_protocol(Some(&h)));
    }

    #[test]
    fn since_versions_round_trip(epoch in any::<u32>(), seq in any::<u64>()) {
        let v = Version { epoch, seq };
        prop_assert_eq!(v.to_string().parse::<Version>(), Ok(v));
    }

    #[test]
    fn shards_stay_in_range(key in "\\PC{0,64}", shards in 0u32..100) {
        prop_assert!(region::shard_for(&key, shards) < shards.max(1));
    }
}
