//! `inplay load`: the peak moment on one machine, measured.
//!
//! N WebSocket clients watch one match, spread over regions with the dev-only override header; a
//! simulated match is played into the Worker by two signed sources; right after the markets reopen
//! from a goal, a burst of bets from many users arrives. Measured:
//! - delivery of every update to every socket: from the feed POST that caused it (or, for updates the
//!   hub makes on its own timer such as a reopen, from the hub's apply time `Delta::at_ms`, same host
//!   clock) to the client's receipt; lost and out-of-order versions per socket;
//! - bets sent / accepted / rejected by code / unanswered, and the final decision's arrival on the
//!   bettor's own socket beyond the bet delay; whether each user's decisions arrive in order;
//! - with `--baseline`, the same delivery through a bare broadcast server (tokio-tungstenite, in this
//!   process) to as many sockets, so the Worker's figure reads as a ratio to the machine's limit;
//! - with `--fault`, what a restart, a source outage, a total outage or a stream of bad requests does
//!   to all of the above.
//!
//! Loopback only, bounded: the run ends at full time plus the bet delay, or at `--max-seconds`.
//!
//! The rooms: `args` (flags), `server` (the Worker under test), `sockets` (the clients),
//! `observer` (the match as a page follows it), `bets` (the burst and what became of it), `faults`
//! (what a run breaks), `baseline` (the bare broadcast server), `report` (figures and delivery),
//! `run` (the order of a run); and the benches beside it, `hub_bench` (`inplay bench hub`: the
//! hub's ceiling) and `broadcast` (`inplay bench broadcast`: relays vs the bare server, per socket).

mod args;
mod baseline;
mod bets;
mod broadcast;
mod faults;
mod hub_bench;
mod observer;
mod report;
mod run;
mod server;
mod sockets;
mod stats;

use anyhow::{Result, bail};

pub use args::{BenchArgs, LoadArgs};

/// `inplay load`. Ctrl-C (or SIGTERM) ends the run and stops the server it started.
pub async fn run(a: LoadArgs) -> Result<()> {
    interruptible(run::run(a)).await
}

/// `inplay bench hub|broadcast`.
pub async fn bench(b: BenchArgs) -> Result<()> {
    match b.command {
        args::BenchCommand::Hub(a) => interruptible(hub_bench::run(a)).await,
        args::BenchCommand::Broadcast(a) => interruptible(broadcast::run(a)).await,
    }
}

/// Runs `f` until it ends or the user interrupts: dropping it stops whatever server it started.
async fn interruptible(f: impl std::future::Future<Output = Result<()>>) -> Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        r = f => r,
        _ = tokio::signal::ctrl_c() => bail!("interrupted"),
        _ = term.recv() => bail!("terminated"),
    }
}
