//! # inplay-edge: the Cloudflare Worker
//!
//! The distributed half of inplay. One Worker script, three Durable Object classes, and the pure
//! cores they run, which build natively so `cargo test -p inplay-edge` tests them without a
//! Workers runtime:
//!
//! - [`hub`] — the match's single writer as a plain struct ([`hub::HubCore`]): the engine's live
//!   state, the bet path, group commit behind a storage trait, checkpoints, the fan-out.
//!   [`event_hub`] is its Durable Object: SQLite, stubs, alarms, one internal route.
//! - [`relay_core`] (with [`relay_log`]) — a relay's stream, socket-bet batching and, upstream of
//!   shards, its leaves. [`region_relay`] is its Durable Object: hibernating WebSockets, SQLite.
//! - [`fanout`] — what a sender owes each relay below it, healed after failures; shared by the hub
//!   and a region's upstream relay, which send it with `relay_stubs`.
//! - [`catalog`] — the `EventCatalog` Durable Object: which matches exist, the counters hubs report.
//!
//! The Worker itself ([`api`]) authenticates ([`auth`]), routes ([`route`]), picks the bettor's
//! region ([`region`]) and forwards. Everything that crosses between objects is a type of
//! `inplay_protocol`, in postcard; JSON is only the public API. Every pricing, validation and bet
//! decision is the engine's.

pub mod auth;
pub mod fanout;
pub mod hub;
pub mod rate_limit;
pub mod read_cache;
pub mod region;
pub mod relay_core;
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
mod relay_stubs;

// std's dlmalloc is several KB of the Worker; talc does the same job in a fraction of it (as in
// the npm package's wasm).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(target_arch = "wasm32")]
#[worker::event(fetch)]
async fn fetch(
    req: worker::Request,
    env: worker::Env,
    _ctx: worker::Context,
) -> worker::Result<worker::Response> {
    Ok(api::handle(req, env).await)
}
