//! `inplay simulate`: a match drawn from the engine's own model, played into a Worker by two signed
//! feed sources at a chosen speed.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use inplay_engine::football::FootballParams;
use inplay_engine::sim::{SimConfig, SimEvent, final_score, simulate_match};
use serde_json::json;
use tokio::sync::mpsc;

use crate::dev_vars::Secrets;
use crate::feed_client::{Http, now_ms};
use crate::feed_plan::{Outage, PlanOptions, parse_outage, plan};
use crate::feed_run::{FeedStats, FeedTarget, play, print_progress};

/// What every feed tool shares: where, which match, how fast, how messy.
#[derive(clap::Args, Debug, Clone)]
pub struct FeedArgs {
    /// The Worker.
    #[arg(long, default_value = "http://127.0.0.1:8787")]
    pub url: String,
    /// Match id.
    #[arg(long, default_value = "m1")]
    pub event: String,
    /// Match clock per wall clock (60 plays 90 minutes in 90 seconds plus the break).
    #[arg(long, default_value_t = 60.0)]
    pub speed: f64,
    /// Delivery jitter per message, up to this many ms.
    #[arg(long, default_value_t = 200)]
    pub jitter_ms: u64,
    /// Share of messages a source sends twice.
    #[arg(long, default_value_t = 0.02)]
    pub dup_rate: f64,
    /// Share of messages a source swaps with its next one.
    #[arg(long, default_value_t = 0.02)]
    pub reorder_rate: f64,
    /// A source silent over a window of match seconds: primary|backup|both:FROM-TO (repeatable).
    #[arg(long, value_parser = parse_outage)]
    pub outage: Vec<Outage>,
    /// Create the match first (admin API) with kick-off a few seconds from now.
    #[arg(long)]
    pub create: bool,
    /// Wall seconds from the start to kick-off.
    #[arg(long, default_value_t = 3.0)]
    pub lead_in: f64,
    /// Secrets file (default: the nearest .dev.vars; environment variables override it).
    #[arg(long)]
    pub dev_vars: Option<PathBuf>,
    /// Only the summary, no line per event.
    #[arg(long)]
    pub quiet: bool,
}

impl FeedArgs {
    /// Plan options from the flags.
    pub fn plan_options(&self, seed: u64) -> Result<PlanOptions> {
        if !(self.speed.is_finite() && self.speed > 0.0 && self.speed <= 600.0) {
            bail!("--speed must be in (0, 600]");
        }
        for (name, r) in [
            ("dup-rate", self.dup_rate),
            ("reorder-rate", self.reorder_rate),
        ] {
            if !(0.0..=0.5).contains(&r) {
                bail!("--{name} must be in [0, 0.5]");
            }
        }
        Ok(PlanOptions {
            speed: self.speed,
            lead_in_ms: (self.lead_in.max(0.0) * 1000.0) as u64,
            jitter_ms: self.jitter_ms,
            dup_rate: self.dup_rate,
            reorder_rate: self.reorder_rate,
            outages: self.outage.clone(),
            seed,
            ..PlanOptions::default()
        })
    }

    /// The match to play into: created first from `opening` when `--create` was given (its
    /// title for the log line), with the feed secrets of `.dev.vars` or the environment.
    pub async fn target(
        &self,
        secrets: &Secrets,
        opening: &serde_json::Value,
        title: &str,
    ) -> Result<FeedTarget> {
        let http = Http::new(&self.url)?;
        if self.create {
            let admin = Secrets::need(&secrets.admin, "ADMIN_TOKEN")?;
            let a = http.create_event(admin, opening).await?;
            if a.status != 201 {
                bail!(
                    "creating {} failed: {} {}",
                    self.event,
                    a.status,
                    String::from_utf8_lossy(&a.body)
                );
            }
            eprintln!("created {} ({title}) on {}", self.event, self.url);
        }
        Ok(FeedTarget {
            http,
            event_id: self.event.clone(),
            secrets: [
                Secrets::need(&secrets.feed_primary, "FEED_SECRET_PRIMARY")?.to_string(),
                Secrets::need(&secrets.feed_backup, "FEED_SECRET_BACKUP")?.to_string(),
            ],
        })
    }
}

/// `inplay simulate` flags.
#[derive(clap::Args, Debug, Clone)]
pub struct SimulateArgs {
    #[command(flatten)]
    pub feed: FeedArgs,
    /// Seed of the match (and of the feed's jitter).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Home team's expected goals.
    #[arg(long, default_value_t = 1.6)]
    pub home_xg: f64,
    /// Away team's expected goals.
    #[arg(long, default_value_t = 1.2)]
    pub away_xg: f64,
    /// Home team name.
    #[arg(long, default_value = "Home")]
    pub home: String,
    /// Away team name.
    #[arg(long, default_value = "Away")]
    pub away: String,
}

/// The feed watchdog bound the tools give the matches they create (the Worker's default too).
pub const STALE_AFTER_MS: u64 = 10_000;

/// The clock rules the tools give a match played at `speed` (the opening's `config`, with the
/// stale bound). The streamed clock runs at the nearest whole rate, so the feed's clock keeps to
/// it between syncs and a sync that agrees within a wall second's worth of clock is no update. A
/// fractional speed leaves the feed's clock running away from the anchor by |speed − rate| × the
/// wall time since the last accepted sync: a second between syncs, but the stale bound (10 s)
/// while the primary is silent and the engine still ignores the backup's syncs, and the whole
/// outage when both are silent; the drift bound tolerates 40 wall seconds of it (at least the
/// default 180 s).
pub fn clock_config(speed: f64) -> serde_json::Value {
    let rate = speed.round().clamp(1.0, 1_000.0);
    serde_json::json!({
        "clock_rate": rate as u32,
        "clock_resync_ms": (rate * 1_000.0) as u64,
        "max_clock_drift_ms": ((speed - rate).abs() * 40_000.0).max(180_000.0) as u64,
        "stale_after_ms": STALE_AFTER_MS,
    })
}

/// Creates the match (when asked) and plays a timeline into it; prints a summary.
pub async fn run_timeline(
    feed: &FeedArgs,
    events: &[SimEvent],
    params: FootballParams,
    (home, away): (&str, &str),
    seed: u64,
) -> Result<FeedStats> {
    let secrets = Secrets::load(feed.dev_vars.as_deref())?;
    let opts = feed.plan_options(seed)?;
    let plan = plan(events, &opts);
    let opening = json!({
        "event_id": feed.event,
        "fixture": { "home": home, "away": away, "kickoff_ms": now_ms() + plan.kickoff_at },
        "params": params,
        "config": clock_config(opts.speed),
    });
    let target = feed
        .target(&secrets, &opening, &format!("{home} v {away}"))
        .await?;
    eprintln!(
        "playing {} messages from two sources at {}x (kick-off in {:.1} s, full time in {:.0} s)",
        plan.deliveries.len(),
        opts.speed,
        plan.kickoff_at as f64 / 1000.0,
        plan.end_at as f64 / 1000.0
    );
    let (tx, rx) = mpsc::unbounded_channel();
    let printer = tokio::spawn(print_progress(
        rx,
        home.to_string(),
        away.to_string(),
        feed.quiet,
    ));
    let stats = play(target, &plan, Some(tx)).await?;
    let _ = printer.await;
    println!("{}", stats.summary());
    Ok(stats)
}

/// `inplay simulate`.
pub async fn run(a: SimulateArgs) -> Result<()> {
    let params = FootballParams::new(a.home_xg, a.away_xg);
    params
        .validate()
        .ok()
        .context("--home-xg/--away-xg out of range")?;
    let events = simulate_match(&SimConfig::new(params, a.seed));
    let score = final_score(&events);
    eprintln!(
        "seed {}: {} {}-{} {} ({} timeline events)",
        a.seed,
        a.home,
        score.home,
        score.away,
        a.away,
        events.len()
    );
    run_timeline(&a.feed, &events, params, (&a.home, &a.away), a.seed).await?;
    Ok(())
}
