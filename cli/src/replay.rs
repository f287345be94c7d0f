//! `inplay replay`: a real match played into a Worker (a StatsBomb events file with its real timing,
//! or a tennis point-by-point record at its recorded pace), or an audit log replayed from its first
//! entry to show it reproduces every version and the final hash.

use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use inplay_engine::football::{FitOdds, FitOptions, FootballParams, TotalOdds, fit_football};
use inplay_engine::live::{AuditEntry, Input, LiveEvent};

use crate::dev_vars::Secrets;
use crate::feed_client::Http;
use crate::simulate::{FeedArgs, run_timeline};
use crate::statsbomb;

/// `inplay replay` flags.
#[derive(clap::Args, Debug, Clone)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["statsbomb", "pbp", "log", "log_event"])))]
pub struct ReplayArgs {
    /// A StatsBomb events JSON file to play as a live feed.
    #[arg(long)]
    pub statsbomb: Option<PathBuf>,
    /// A tennis point-by-point CSV (../shared/data/tennis/pointbypoint) holding the match to play.
    #[arg(long, requires = "match_id")]
    pub pbp: Option<PathBuf>,
    /// With --pbp: the match's pbp_id.
    #[arg(long = "match", requires = "pbp")]
    pub match_id: Option<String>,
    /// With --pbp: best of 3 or 5 (default: 5 for men at a Grand Slam, else 3).
    #[arg(long, requires = "pbp", value_parser = clap::value_parser!(u8).range(3..=5))]
    pub best_of: Option<u8>,
    /// With --pbp: the deciding set at 6-6, tiebreak7|tiebreak10|advantage (default: advantage at
    /// the Grand Slams but the US Open, else tiebreak7).
    #[arg(long, requires = "pbp")]
    pub final_set: Option<String>,
    /// With --pbp: match odds A,B (A served first); the opening model is fitted to them, else both
    /// players serve at the tour's average.
    #[arg(long, requires = "pbp", value_delimiter = ',')]
    pub odds: Option<Vec<f64>>,
    /// With --pbp: PLAYER:POINTS, e.g. b:120: that player retires after that many points.
    #[arg(long, requires = "pbp", value_parser = crate::tennis::feed::parse_retire)]
    pub retire: Option<crate::tennis::feed::Retire>,
    /// An audit log to verify: one AuditEntry JSON per line (`-` for stdin), as GET /v1/events/{id}/log gives.
    #[arg(long)]
    pub log: Option<PathBuf>,
    /// Fetch the log of this match from --url (admin token from .dev.vars) and verify it.
    #[arg(long)]
    pub log_event: Option<String>,
    /// With --log-event: also write the fetched log here.
    #[arg(long, requires = "log_event")]
    pub save: Option<PathBuf>,
    /// StatsBomb: which team is at home (default: the first Starting XI).
    #[arg(long)]
    pub home: Option<String>,
    /// StatsBomb: home expected goals for the opening model (without --odds-1x2).
    #[arg(long, default_value_t = 1.9, conflicts_with = "odds_1x2")]
    pub home_xg: f64,
    /// StatsBomb: away expected goals for the opening model (without --odds-1x2).
    #[arg(long, default_value_t = 0.9, conflicts_with = "odds_1x2")]
    pub away_xg: f64,
    /// StatsBomb: the match's pre-match 1X2 odds HOME,DRAW,AWAY; the opening model is fitted to
    /// them (`inplay fit`), so the replay opens from the real market.
    #[arg(long, value_delimiter = ',')]
    pub odds_1x2: Option<Vec<f64>>,
    /// StatsBomb, with --odds-1x2: a total-goals line and its odds LINE:OVER,UNDER (e.g.
    /// 2.5:1.95,1.95); with it the fit also takes Dixon–Coles ρ.
    #[arg(long, value_parser = crate::args::total, requires = "odds_1x2")]
    pub odds_total: Option<TotalOdds>,
    /// Seed of the feed's jitter, duplicates and reordering.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    #[command(flatten)]
    pub feed: FeedArgs,
}

/// `inplay replay`.
pub async fn run(a: ReplayArgs) -> Result<()> {
    if let Some(path) = &a.statsbomb {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let m = statsbomb::parse(&bytes, a.home.as_deref())?;
        eprintln!(
            "{}: {} {}-{} {} ({} feed events)",
            path.display(),
            m.home,
            m.score.home,
            m.score.away,
            m.away,
            m.events.len()
        );
        let params = opening_params(&a)?;
        run_timeline(&a.feed, &m.events, params, (&m.home, &m.away), a.seed).await?;
        return Ok(());
    }
    if let (Some(path), Some(id)) = (&a.pbp, &a.match_id) {
        let final_set = match a.final_set.as_deref() {
            Some(f) => Some(f.parse().map_err(|e| anyhow!("--final-set: {e}"))?),
            None => None,
        };
        let odds = match a.odds.as_deref() {
            Some(&[x, y]) => Some([x, y]),
            Some(_) => bail!("--odds takes two odds: A,B"),
            None => None,
        };
        let o = crate::tennis::feed::ReplayOptions {
            id: id.clone(),
            best_of: a.best_of,
            final_set,
            odds,
            retire: a.retire,
            seed: a.seed,
        };
        let m = crate::tennis::feed::load(path, &o)?;
        crate::tennis::feed::run(&a.feed, &m, &o).await?;
        return Ok(());
    }
    let (text, expected) = if let Some(event) = &a.log_event {
        let (text, head, version) = fetch_log(&a.feed, event).await?;
        if let Some(p) = &a.save {
            std::fs::write(p, &text).with_context(|| format!("cannot write {}", p.display()))?;
        }
        (text, Some((head, version)))
    } else {
        (read_log(a.log.as_deref().unwrap_or(Path::new("-")))?, None)
    };
    let report = verify_log(&text)?;
    println!("{}", report.text());
    if let Some((head, version)) = expected {
        if head != report.final_hash || version != report.final_version {
            bail!(
                "the hub reports head {head} at {version}, the replay ends at {} at {}",
                report.final_hash,
                report.final_version
            );
        }
        println!("matches the hub's audit head and version");
    }
    Ok(())
}

/// The replay's opening model: fitted to the match's own pre-match odds when given, else the
/// expected goals on the command line.
fn opening_params(a: &ReplayArgs) -> Result<FootballParams> {
    let Some(odds) = &a.odds_1x2 else {
        return Ok(FootballParams::new(a.home_xg, a.away_xg));
    };
    let [home, draw, away] = odds[..] else {
        bail!("--odds-1x2 takes three odds: HOME,DRAW,AWAY");
    };
    let opts = FitOptions {
        dixon_coles: a.odds_total.is_some(),
        ..FitOptions::default()
    };
    let fit = fit_football(
        &FitOdds {
            home,
            draw,
            away,
            total: a.odds_total,
        },
        &opts,
    )
    .context("cannot fit the pre-match odds")?;
    eprintln!(
        "opening model fitted to the pre-match odds: home_xg {:.3}, away_xg {:.3}, rho {:.3}",
        fit.home_xg, fit.away_xg, fit.rho
    );
    Ok(fit.params(opts.score_state))
}

fn read_log(path: &Path) -> Result<String> {
    let mut text = String::new();
    if path == Path::new("-") {
        std::io::stdin().read_to_string(&mut text)?;
    } else {
        text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
    }
    Ok(text)
}

async fn fetch_log(feed: &FeedArgs, event: &str) -> Result<(String, String, String)> {
    let secrets = Secrets::load(feed.dev_vars.as_deref())?;
    let admin = Secrets::need(&secrets.admin, "ADMIN_TOKEN")?;
    let http = Http::new(&feed.url)?;
    let a = http
        .send(
            hyper::Method::GET,
            &format!("/v1/events/{event}/log"),
            &[("authorization", format!("Bearer {admin}"))],
            None,
        )
        .await?;
    if a.status != 200 {
        bail!(
            "GET /v1/events/{event}/log: {} {}",
            a.status,
            String::from_utf8_lossy(&a.body)
        );
    }
    let head = a.header("x-inplay-audit-head").unwrap_or_default();
    let version = a.header("x-inplay-version").unwrap_or_default();
    Ok((String::from_utf8(a.body.to_vec())?, head, version))
}

/// What a replay showed.
#[derive(Debug, Clone, PartialEq)]
pub struct LogReport {
    /// Entries replayed.
    pub entries: usize,
    /// Distinct versions (snapshots) reproduced, the opening's included.
    pub versions: usize,
    /// Feed inputs, bet inputs, other inputs.
    pub feed: usize,
    /// Bet inputs.
    pub bets: usize,
    /// Version after the last entry, `epoch:seq`.
    pub final_version: String,
    /// Hex hash of the last entry.
    pub final_hash: String,
}

impl LogReport {
    fn text(&self) -> String {
        format!(
            "replayed {} entries ({} feed, {} bets): every entry's version and hash reproduced, {} snapshot versions\nfinal version {}\nfinal hash {}",
            self.entries, self.feed, self.bets, self.versions, self.final_version, self.final_hash
        )
    }
}

/// Replays a log entry by entry: each input applied to a fresh event must give the stored entry byte
/// for byte (version after it, decisions, hash chained from the previous one).
pub fn verify_log(text: &str) -> Result<LogReport> {
    let mut entries = Vec::new();
    for (n, line) in text.as_bytes().lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let e: AuditEntry = serde_json::from_str(&line)
            .with_context(|| format!("line {}: not an AuditEntry", n + 1))?;
        entries.push(e);
    }
    let first = entries.first().ok_or_else(|| anyhow!("the log is empty"))?;
    let Input::Open(opening) = &first.input else {
        bail!("the log does not start with the opening");
    };
    let (mut ev, e0) = LiveEvent::new((**opening).clone(), first.now_ms)
        .map_err(|e| anyhow!("the opening does not open: {e}"))?;
    if e0.to_bytes() != first.to_bytes() {
        bail!("entry 0 (the opening) does not reproduce");
    }
    let mut versions = 1;
    let (mut feed, mut bets) = (0, 0);
    let mut prev_hash = first.hash;
    for stored in &entries[1..] {
        if stored.prev != prev_hash || stored.compute_hash() != stored.hash {
            bail!("entry {}: the hash chain is broken", stored.index);
        }
        let before = ev.version();
        let out = ev.apply(stored.input.clone(), stored.now_ms);
        let Some(got) = out.audit else {
            bail!("entry {}: replaying it changes nothing", stored.index);
        };
        if got.to_bytes() != stored.to_bytes() {
            bail!(
                "entry {} diverges: stored version {} hash {}, replay gives {} hash {}",
                stored.index,
                stored.version,
                stored.hash,
                got.version,
                got.hash
            );
        }
        if ev.version() != before {
            versions += 1;
        }
        match stored.input {
            Input::Feed(_) => feed += 1,
            Input::Bet(_) => bets += 1,
            _ => {}
        }
        prev_hash = stored.hash;
    }
    Ok(LogReport {
        entries: entries.len(),
        versions,
        feed,
        bets,
        final_version: ev.version().to_string(),
        final_hash: ev.audit_head().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use inplay_engine::live::{FeedEvent, FeedKind, Fixture, Opening, Source};

    fn log_of(n: u64) -> (String, LiveEvent) {
        let opening = Opening {
            event_id: "m1".into(),
            fixture: Fixture {
                home: "A".into(),
                away: "B".into(),
                kickoff_ms: 1_000,
            },
            params: FootballParams::new(1.5, 1.1).into(),
            trading: Default::default(),
            config: Default::default(),
            epoch: 7,
        };
        let (mut ev, first) = LiveEvent::new(opening, 1_000).unwrap();
        let mut lines = vec![serde_json::to_string(&first).unwrap()];
        let feed = |seq: u64, kind: FeedKind, clock: Option<u64>| {
            Input::Feed(FeedEvent {
                event_id: "m1".into(),
                source: Source::Primary,
                seq,
                ts: 2_000 + seq,
                clock_ms: clock,
                kind,
            })
        };
        let mut inputs = vec![feed(1, FeedKind::Kickoff, Some(0))];
        for s in 2..n {
            inputs.push(feed(s, FeedKind::Clock { running: true }, Some(s * 1000)));
        }
        for (i, input) in inputs.into_iter().enumerate() {
            if let Some(a) = ev.apply(input, 2_000 + i as u64 * 1000).audit {
                lines.push(serde_json::to_string(&a).unwrap());
            }
        }
        (lines.join("\n"), ev)
    }

    #[test]
    fn odds_are_given_as_one_comma_separated_value() {
        use clap::Parser;
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            replay: ReplayArgs,
        }
        let cli = Cli::try_parse_from([
            "inplay",
            "--statsbomb",
            "f.json",
            "--odds-1x2",
            "2.1,3.4,3.6",
        ])
        .unwrap();
        assert_eq!(cli.replay.odds_1x2, Some(vec![2.1, 3.4, 3.6]));
        let cli = Cli::try_parse_from([
            "inplay", "--pbp", "f.csv", "--match", "7", "--odds", "1.8,2.05",
        ])
        .unwrap();
        assert_eq!(cli.replay.odds, Some(vec![1.8, 2.05]));
        assert_eq!(cli.replay.match_id.as_deref(), Some("7"));
    }

    #[test]
    fn a_log_replays_to_its_final_hash() {
        let (text, ev) = log_of(6);
        let r = verify_log(&text).unwrap();
        assert_eq!(r.final_hash, ev.audit_head().to_string());
        assert_eq!(r.final_version, ev.version().to_string());
        assert_eq!(r.entries, 6);
    }

    #[test]
    fn a_tampered_log_is_refused() {
        let (text, _) = log_of(6);
        let tampered = text.replacen("\"seq\":3", "\"seq\":4", 1);
        assert!(verify_log(&tampered).is_err());
        let truncated: String = text.lines().skip(1).collect::<Vec<_>>().join("\n");
        assert!(verify_log(&truncated).is_err());
    }
}
