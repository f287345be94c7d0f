//! The flags of `inplay load`.

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
    /// Talk to the Worker's own entry socket, past wrangler's dev proxy (own server only): the proxy
    /// runs out of file descriptors near 3 300 sockets on this machine, and production has no proxy.
    #[arg(long)]
    pub direct: bool,
    /// Write the report as JSON here too.
    #[arg(long)]
    pub json: Option<std::path::PathBuf>,
    /// Hard stop.
    #[arg(long, default_value_t = 900)]
    pub max_seconds: u64,
}
