//! # inplay-edge: the Cloudflare Worker
//!
//! The distributed half of inplay. One Worker script, three Durable Object classes:
//!
//! - [`EventHub`](event_hub) — one per match, SQLite-backed, the single writer. It runs the engine's
//!   live state (`inplay_engine::live`), logs every input it applies (so a restart replays the log and
//!   continues the same epoch), keeps the bet ledger, and sets its alarm to the engine's next wakeup
//!   (feed watchdog, bet-delay releases, reopen after cool-off).
//! - [`RegionRelay`](region_relay) — one per match × region × shard, created with the region as its
//!   location hint. Holds bettors' WebSockets with the hibernation API, the latest snapshot and a ring
//!   of recent deltas for `?since=epoch:seq` resume. The hub sends it **one** message per update,
//!   whatever its socket count.
//! - [`EventCatalog`](catalog) — the list of matches behind `GET /v1/events` and `GET /metrics`.
//!
//! The Worker itself ([`api`]) authenticates ([`auth`]), routes ([`route`]), picks the bettor's region
//! ([`region`]) and forwards. Edge code converts, stores, routes and fans out; every pricing,
//! validation and bet decision is the engine's.
//!
//! The pure modules (everything but `api` and the Durable Objects) build natively, so `cargo test -p
//! inplay-edge` runs their unit tests without a Workers runtime.

pub mod auth;
pub mod fanout;
pub mod hub;
pub mod rate_limit;
pub mod region;
pub mod relay_log;
pub mod route;

#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
pub mod catalog;
#[cfg(target_arch = "wasm32")]
pub mod event_hub;
#[cfg(target_arch = "wasm32")]
mod http;
#[cfg(target_arch = "wasm32")]
pub mod region_relay;

#[cfg(target_arch = "wasm32")]
#[worker::event(fetch)]
async fn fetch(
    req: worker::Request,
    env: worker::Env,
    _ctx: worker::Context,
) -> worker::Result<worker::Response> {
    Ok(api::handle(req, env).await)
}
