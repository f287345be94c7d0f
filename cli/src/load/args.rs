//! The flags of `inplay load` and `inplay bench`.

/// What to break during the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Fault {
    /// Kill the dev server mid-burst and start it again on the same state.
    Restart,
    /// The primary feed is silent around the first goal.
    PrimaryDown,
    /// Both feeds are silent for longer than the stale bound.
    BothDown,
    /// Garbage, oversized and forged requests throughout.
    Garbage,
    /// One relay throws on every update for `--fault-ms` from just before the first goal (test
    /// route `POST /v1/events/{id}/faults`): its sender must rebuild its stub, back off and resend
    /// what the relay missed.
    Relay,
}

/// The bet path under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BetsVia {
    /// On the bettor's socket.
    Socket,
    /// One HTTP request per bet.
    Http,
}

/// `inplay load` flags.
#[derive(clap::Args, Debug, Clone)]
pub struct LoadArgs {
    /// A running Worker (its secrets from .dev.vars); default: start a wrangler dev of our own.
    #[arg(long)]
    pub url: Option<String>,
    /// WebSocket clients on the match.
    #[arg(long, default_value_t = 1000)]
    pub sockets: usize,
    /// Regions the clients are spread over (X-Inplay-Region).
    #[arg(long, value_delimiter = ',', default_value = "weur,enam,apac,wnam")]
    pub regions: Vec<String>,
    /// Relay shards per region (own server only).
    #[arg(long, default_value_t = 2)]
    pub shards: u32,
    /// Fan-out levels (own server only): 1 = the hub sends to every leaf relay; 2 = the hub sends
    /// to one upstream relay per region, which sends to that region's leaves.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=2))]
    pub levels: u32,
    /// Users that bet; each has one of the sockets.
    #[arg(long, default_value_t = 500)]
    pub bettors: usize,
    /// Bets per burst.
    #[arg(long, default_value_t = 2000)]
    pub bets: usize,
    /// Seconds a burst is spread over.
    #[arg(long, default_value_t = 10.0)]
    pub bet_window: f64,
    /// Bursts (one after each goal's reopen, from the first goal).
    #[arg(long, default_value_t = 1)]
    pub bursts: usize,
    /// Bet requests in flight at once (HTTP bets).
    #[arg(long, default_value_t = 64)]
    pub bet_concurrency: usize,
    /// How bets travel: as `{"type":"bet"}` messages on the bettor's own socket (batched by its relay),
    /// or one `POST /v1/events/{id}/bets` each.
    #[arg(long, value_enum, default_value = "socket")]
    pub bets_via: BetsVia,
    /// Match speed.
    #[arg(long, default_value_t = 60.0)]
    pub speed: f64,
    /// Match seed (7 has an early goal).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Also measure a bare broadcast server with as many sockets.
    #[arg(long)]
    pub baseline: bool,
    /// Only the baseline (no Worker).
    #[arg(long)]
    pub baseline_only: bool,
    /// Break something during the run.
    #[arg(long, value_enum)]
    pub fault: Option<Fault>,
    /// `--fault relay`: which relay fails, `REGION/SHARD` (a leaf) or `REGION/up` (a region's
    /// upstream relay, with `--levels 2`); default: the leaf with the most sockets, not the
    /// observer's.
    #[arg(long)]
    pub fault_relay: Option<String>,
    /// `--fault relay`: how long it fails, ms.
    #[arg(long, default_value_t = 8_000)]
    pub fault_ms: u64,
    /// Talk to the Worker's own entry socket, past wrangler's dev proxy (own server only): the proxy
    /// runs out of file descriptors near 3 300 sockets on this machine, and production has no proxy.
    #[arg(long)]
    pub direct: bool,
    /// Write the report as JSON here too.
    #[arg(long)]
    pub json: Option<std::path::PathBuf>,
    /// Write the server's `/metrics` at the end of the run here (where the time went: hub apply
    /// times by batch kind, relay sends, decisions).
    #[arg(long)]
    pub metrics_out: Option<std::path::PathBuf>,
    /// Hard stop.
    #[arg(long, default_value_t = 900)]
    pub max_seconds: u64,
}

/// `inplay bench`: one figure of the edge, measured alone.
#[derive(clap::Args, Debug, Clone)]
pub struct BenchArgs {
    /// What to measure.
    #[command(subcommand)]
    pub command: BenchCommand,
}

/// The benches.
#[derive(clap::Subcommand, Debug, Clone)]
pub enum BenchCommand {
    /// Bets one hub decides per second: relay-shaped batches straight to the hub, nothing else on
    /// its thread; the cost of a bet and the ceiling it implies.
    Hub(HubBenchArgs),
    /// One update to many sockets from the relays vs a bare broadcast server: per-socket cost.
    Broadcast(BroadcastArgs),
}

/// `inplay bench hub` flags.
#[derive(clap::Args, Debug, Clone)]
pub struct HubBenchArgs {
    /// A running Worker with ALLOW_TEST_ROUTES=1 and a bet rate limit out of reach (its secrets
    /// from .dev.vars); default: start a wrangler dev of our own.
    #[arg(long)]
    pub url: Option<String>,
    /// Talk to the Worker's own entry socket, past wrangler's dev proxy (own server only).
    #[arg(long)]
    pub direct: bool,
    /// Bets per request (an empty batch is always measured too).
    #[arg(long, value_delimiter = ',', default_value = "1,16,64,256")]
    pub batch_sizes: Vec<usize>,
    /// Requests in flight at once.
    #[arg(long, value_delimiter = ',', default_value = "1,2,4")]
    pub in_flight: Vec<usize>,
    /// Seconds each (batch size, in flight) pair runs.
    #[arg(long, default_value_t = 3.0)]
    pub seconds: f64,
    /// Requests each pair sends instead (and at most `--seconds`).
    #[arg(long)]
    pub requests: Option<u64>,
    /// Users the bets come from, in turn.
    #[arg(long, default_value_t = 1000)]
    pub users: usize,
    /// The match's in-play bet delay. 0: every bet is decided in the request that brings it;
    /// above 0 the bench waits for the releases after each pair, and counts placements only.
    #[arg(long, default_value_t = 0)]
    pub bet_delay_ms: u64,
    /// Write the report as JSON here too.
    #[arg(long)]
    pub json: Option<std::path::PathBuf>,
}

/// How the broadcast bench spreads its sockets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shape {
    /// Over `--regions` × `--shards` relays, as in production.
    Spread,
    /// Every socket on one relay (the first region, one shard).
    One,
}

/// `inplay bench broadcast` flags.
#[derive(clap::Args, Debug, Clone)]
pub struct BroadcastArgs {
    /// A running Worker (its secrets from .dev.vars); default: a wrangler dev of our own per shape.
    #[arg(long)]
    pub url: Option<String>,
    /// Talk to the Worker's own entry socket, past wrangler's dev proxy (own server only): needed
    /// beyond ~3 000 sockets.
    #[arg(long)]
    pub direct: bool,
    /// Sockets, on the Worker and on the bare server.
    #[arg(long, default_value_t = 5000)]
    pub sockets: usize,
    /// Updates measured per shape.
    #[arg(long, default_value_t = 20)]
    pub updates: u64,
    /// Wall ms between updates: enough for one broadcast to end before the next starts.
    #[arg(long, default_value_t = 1000)]
    pub interval_ms: u64,
    /// Regions for the spread shape.
    #[arg(long, value_delimiter = ',', default_value = "weur,enam,apac,wnam")]
    pub regions: Vec<String>,
    /// Shards per region for the spread shape.
    #[arg(long, default_value_t = 2)]
    pub shards: u32,
    /// Shapes to measure, in order.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "spread,one")]
    pub shapes: Vec<Shape>,
    /// Write the report as JSON here too.
    #[arg(long)]
    pub json: Option<std::path::PathBuf>,
}
