//! The HTTP API as data: `(method, path)` → [`Route`], with 404/405 as JSON errors.
//!
//! ```text
//! POST /v1/feed                      signed feed events (one or a batch)
//! POST /v1/events                    admin: create a match
//! GET  /v1/events                    list matches
//! GET  /v1/events/{id}               snapshot JSON + prices at server time
//! POST /v1/events/{id}/suspend       admin: manual suspension
//! POST /v1/events/{id}/resume        admin: lift the manual suspension
//! POST /v1/events/{id}/abandon       admin: the match is abandoned, every bet void
//! POST /v1/events/{id}/resettle      admin: correct the result, settle every bet again
//! POST /v1/events/{id}/confirm       admin: believe one source where the two disagree
//! POST /v1/events/{id}/cancel-goal   admin: rule out a team's latest goal
//! POST /v1/events/{id}/expected-goals admin: set a team's expected goals (football)
//! POST /v1/events/{id}/serve-probabilities admin: set a player's serve-point probability (tennis)
//! POST /v1/events/{id}/trading       admin: change the margin, stakes, limits or delay
//! POST /v1/events/{id}/void          admin: void one bet
//! POST /v1/events/{id}/end           admin: declare full time
//! GET  /v1/events/{id}/desk          admin: the trading desk's socket
//! POST /v1/events/{id}/faults        admin, where ALLOW_TEST_ROUTES=1: make a relay fail (tests)
//! POST /v1/events/{id}/bets/batch    admin, where ALLOW_TEST_ROUTES=1: a relay's batch of bets (bench)
//! GET  /v1/events/{id}/live          WebSocket (binary frames; ?format=json; ?since=epoch:seq)
//! GET  /v1/events/{id}/log           admin: the audit log, one JSON AuditEntry per line
//! POST /v1/events/{id}/bets          place a bet (Bearer user token, Idempotency-Key)
//! GET  /v1/bets/{bet_id}             a bet's latest decision
//! GET  /healthz, GET /metrics
//! ```

use inplay_protocol::ids::{event_of_bet, is_valid_event_id};
use inplay_protocol::{ApiError, ErrorCode};

/// One API endpoint with its path parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route<'a> {
    /// `GET /healthz`
    Healthz,
    /// `GET /metrics`
    Metrics,
    /// `POST /v1/feed`
    Feed,
    /// `POST /v1/events`
    CreateEvent,
    /// `GET /v1/events`
    ListEvents,
    /// `GET /v1/events/{id}`
    GetEvent(&'a str),
    /// `POST /v1/events/{id}/{action}`: a trader's action (admin).
    Admin(&'a str, AdminRoute),
    /// `GET /v1/events/{id}/desk`
    Desk(&'a str),
    /// `POST /v1/events/{id}/faults`
    Fault(&'a str),
    /// `POST /v1/events/{id}/bets/batch`
    BetBatch(&'a str),
    /// `GET /v1/events/{id}/live`
    Live(&'a str),
    /// `GET /v1/events/{id}/log`
    Log(&'a str),
    /// `POST /v1/events/{id}/bets`
    PlaceBet(&'a str),
    /// `GET /v1/bets/{bet_id}`
    GetBet(&'a str),
}

/// A trader's action on a match, by the last segment of its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminRoute {
    /// `suspend`
    Suspend,
    /// `resume`
    Resume,
    /// `abandon`
    Abandon,
    /// `resettle`
    Resettle,
    /// `confirm`
    ConfirmSource,
    /// `cancel-goal`
    CancelGoal,
    /// `expected-goals`
    ExpectedGoals,
    /// `serve-probabilities`
    ServeProbabilities,
    /// `trading`
    Trading,
    /// `void`
    VoidBet,
    /// `end`
    EndMatch,
}

impl AdminRoute {
    /// Every action with its path segment.
    const ALL: [(&'static str, AdminRoute); 11] = [
        ("suspend", AdminRoute::Suspend),
        ("resume", AdminRoute::Resume),
        ("abandon", AdminRoute::Abandon),
        ("resettle", AdminRoute::Resettle),
        ("confirm", AdminRoute::ConfirmSource),
        ("cancel-goal", AdminRoute::CancelGoal),
        ("expected-goals", AdminRoute::ExpectedGoals),
        ("serve-probabilities", AdminRoute::ServeProbabilities),
        ("trading", AdminRoute::Trading),
        ("void", AdminRoute::VoidBet),
        ("end", AdminRoute::EndMatch),
    ];

    /// The action a path segment names.
    fn from_segment(segment: &str) -> Option<AdminRoute> {
        Self::ALL
            .iter()
            .find(|(name, _)| *name == segment)
            .map(|&(_, a)| a)
    }
}

/// At most 100 characters of client input, for a message: an error never echoes a huge path.
fn printable(s: &str) -> String {
    s.chars().take(100).collect()
}

/// Resolve a request to a route.
pub fn route<'a>(method: &str, path: &'a str) -> Result<Route<'a>, ApiError> {
    let trimmed = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    let segments: Vec<&'a str> = trimmed.trim_start_matches('/').split('/').collect();
    // Each arm: the methods this path allows, and the route per method.
    let (allowed, found): (&[&str], Option<Route<'a>>) = match segments.as_slice() {
        ["healthz"] => (&["GET"], (method == "GET").then_some(Route::Healthz)),
        ["metrics"] => (&["GET"], (method == "GET").then_some(Route::Metrics)),
        ["v1", "feed"] => (&["POST"], (method == "POST").then_some(Route::Feed)),
        ["v1", "events"] => (
            &["GET", "POST"],
            match method {
                "GET" => Some(Route::ListEvents),
                "POST" => Some(Route::CreateEvent),
                _ => None,
            },
        ),
        ["v1", "events", id] => (&["GET"], (method == "GET").then_some(Route::GetEvent(id))),
        ["v1", "events", id, segment] if AdminRoute::from_segment(segment).is_some() => (
            &["POST"],
            AdminRoute::from_segment(segment)
                .filter(|_| method == "POST")
                .map(|a| Route::Admin(id, a)),
        ),
        ["v1", "events", id, "desk"] => (&["GET"], (method == "GET").then_some(Route::Desk(id))),
        ["v1", "events", id, "faults"] => {
            (&["POST"], (method == "POST").then_some(Route::Fault(id)))
        }
        ["v1", "events", id, "bets", "batch"] => {
            (&["POST"], (method == "POST").then_some(Route::BetBatch(id)))
        }
        ["v1", "events", id, "live"] => (&["GET"], (method == "GET").then_some(Route::Live(id))),
        ["v1", "events", id, "log"] => (&["GET"], (method == "GET").then_some(Route::Log(id))),
        ["v1", "events", id, "bets"] => {
            (&["POST"], (method == "POST").then_some(Route::PlaceBet(id)))
        }
        ["v1", "bets", id] => (&["GET"], (method == "GET").then_some(Route::GetBet(id))),
        _ => {
            return Err(ApiError::new(
                ErrorCode::RouteNotFound,
                format!("no route for {method} {}", printable(path)),
            ));
        }
    };
    let route = found.ok_or_else(|| {
        ApiError::new(
            ErrorCode::MethodNotAllowed,
            format!(
                "{} not allowed; use {}",
                printable(method),
                allowed.join(", ")
            ),
        )
    })?;
    match route {
        Route::GetEvent(id)
        | Route::Admin(id, _)
        | Route::Desk(id)
        | Route::Fault(id)
        | Route::BetBatch(id)
        | Route::Live(id)
        | Route::Log(id)
        | Route::PlaceBet(id)
            if !is_valid_event_id(id) =>
        {
            Err(ApiError::new(
                ErrorCode::InvalidEventId,
                "event ids are 1-64 of [A-Za-z0-9_-]",
            ))
        }
        Route::GetBet(id) if event_of_bet(id).is_none() => {
            Err(ApiError::new(ErrorCode::BetNotFound, "no such bet"))
        }
        route => Ok(route),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_resolve() {
        let table: &[(&str, &str, Route)] = &[
            ("GET", "/healthz", Route::Healthz),
            ("GET", "/metrics", Route::Metrics),
            ("POST", "/v1/feed", Route::Feed),
            ("POST", "/v1/events", Route::CreateEvent),
            ("GET", "/v1/events/", Route::ListEvents),
            ("GET", "/v1/events/m1", Route::GetEvent("m1")),
            (
                "POST",
                "/v1/events/m1/suspend",
                Route::Admin("m1", AdminRoute::Suspend),
            ),
            (
                "POST",
                "/v1/events/m1/resume",
                Route::Admin("m1", AdminRoute::Resume),
            ),
            (
                "POST",
                "/v1/events/m1/abandon",
                Route::Admin("m1", AdminRoute::Abandon),
            ),
            (
                "POST",
                "/v1/events/m1/resettle",
                Route::Admin("m1", AdminRoute::Resettle),
            ),
            (
                "POST",
                "/v1/events/m1/confirm",
                Route::Admin("m1", AdminRoute::ConfirmSource),
            ),
            (
                "POST",
                "/v1/events/m1/cancel-goal",
                Route::Admin("m1", AdminRoute::CancelGoal),
            ),
            (
                "POST",
                "/v1/events/m1/expected-goals",
                Route::Admin("m1", AdminRoute::ExpectedGoals),
            ),
            (
                "POST",
                "/v1/events/m1/serve-probabilities",
                Route::Admin("m1", AdminRoute::ServeProbabilities),
            ),
            (
                "POST",
                "/v1/events/m1/trading",
                Route::Admin("m1", AdminRoute::Trading),
            ),
            (
                "POST",
                "/v1/events/m1/void",
                Route::Admin("m1", AdminRoute::VoidBet),
            ),
            (
                "POST",
                "/v1/events/m1/end",
                Route::Admin("m1", AdminRoute::EndMatch),
            ),
            ("GET", "/v1/events/m1/desk", Route::Desk("m1")),
            ("POST", "/v1/events/m1/faults", Route::Fault("m1")),
            ("POST", "/v1/events/m1/bets/batch", Route::BetBatch("m1")),
            ("GET", "/v1/events/m-1_x/live", Route::Live("m-1_x")),
            ("GET", "/v1/events/m1/log", Route::Log("m1")),
            ("POST", "/v1/events/m1/bets", Route::PlaceBet("m1")),
            (
                "GET",
                "/v1/bets/m1.0123456789abcdef",
                Route::GetBet("m1.0123456789abcdef"),
            ),
        ];
        for (method, path, want) in table {
            assert_eq!(route(method, path), Ok(*want), "{method} {path}");
        }
    }

    #[test]
    fn refusals_have_stable_codes() {
        let table: &[(&str, &str, u16, &str)] = &[
            ("GET", "/", 404, "route_not_found"),
            ("GET", "/v2/events", 404, "route_not_found"),
            ("GET", "/v1/events/m1/live/extra", 404, "route_not_found"),
            ("DELETE", "/v1/events", 405, "method_not_allowed"),
            ("GET", "/v1/feed", 405, "method_not_allowed"),
            ("GET", "/v1/events/bad%20id", 400, "invalid_event_id"),
            ("GET", "/v1/events/m.1", 400, "invalid_event_id"),
            ("GET", "/v1/bets/nodot", 404, "bet_not_found"),
        ];
        for (method, path, status, code) in table {
            let err = route(method, path).unwrap_err();
            assert_eq!(
                (err.status(), err.code.as_str()),
                (*status, *code),
                "{method} {path}"
            );
        }
    }
}
