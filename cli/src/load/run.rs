//! `inplay load`, in order: the bare baseline, the server, the match, the sockets, the feed with a
//! bet burst after each reopen (and the fault, if any), then the report.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use inplay_engine::football::FootballParams;
use inplay_engine::live::{FeedKind, Version};
use inplay_engine::sim::{SimConfig, simulate_match};
use serde_json::json;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use super::args::{BetsVia, Fault, LoadArgs};
use super::baseline::baseline;
use super::bets::{BetRecord, Bettors, Settle, burst, report_bets};
use super::faults::{
    RelayFault, fail_relay, garbage_task, outage_for, pick_relay, relay_recovery, report_garbage,
};
use super::observer::{ObserverState, observer_task};
use super::report::{Report, delivery};
use super::server::{Target, metric};
use super::sockets::{Client, Shared, SocketLog, socket_task, wait_all_open, wait_for_wave};
use crate::feed_client::now_ms;
use crate::feed_plan::{PlanOptions, plan};
use crate::feed_run::{FeedTarget, play};

/// `inplay load`.
pub async fn run(a: LoadArgs) -> Result<()> {
    let mut report = Report::new();

    let mut baseline_q = None;
    if a.baseline || a.baseline_only {
        eprintln!("baseline: {} sockets on a bare broadcast server", a.sockets);
        let (q, lost) = baseline(a.sockets, 100, Duration::from_millis(100)).await?;
        report.say(format!(
            "baseline (bare tokio-tungstenite broadcast, {} sockets, 100 updates): {q}, lost {lost}",
            a.sockets
        ));
        report.set("baseline", json!({ "delivery_ms": q, "lost": lost }));
        baseline_q = Some(q);
        if a.baseline_only {
            return report.finish(a.json.as_deref());
        }
    }

    if a.fault == Some(Fault::Restart) {
        if a.direct {
            bail!(
                "--fault restart goes through wrangler's proxy (the worker's own port changes on restart): leave out --direct"
            );
        }
        if a.url.is_some() {
            bail!("--fault restart needs the tool's own server (leave out --url)");
        }
    }
    if a.levels != 1 && a.url.is_some() {
        bail!("--levels sets FANOUT_LEVELS on the tool's own server: leave out --url");
    }
    if a.fault != Some(Fault::Relay) && a.fault_relay.is_some() {
        bail!("--fault-relay goes with --fault relay");
    }
    let knobs = [
        ("RELAY_SHARDS", a.shards.to_string()),
        ("HEARTBEAT_MS", "5000".to_string()),
        ("FANOUT_LEVELS", a.levels.to_string()),
    ];
    let mut target = Target::open(a.url.as_deref(), a.direct, &knobs).await?;
    let http = target.http.clone();
    let admin = target.admin()?;
    let feed_secrets = target.feed_secrets()?;

    // The match.
    let params = FootballParams::new(1.6, 1.2);
    let events = simulate_match(&SimConfig::new(params, a.seed));
    let mut opts = PlanOptions {
        speed: a.speed,
        lead_in_ms: 4_000,
        seed: a.seed,
        ..PlanOptions::default()
    };
    opts.outages.extend(outage_for(a.fault, &events, a.speed));
    let the_plan = plan(&events, &opts);
    let event = format!("load-{}", now_ms() / 1000 % 1_000_000);
    let opening = json!({
        "event_id": event,
        "fixture": { "home": "Home", "away": "Away", "kickoff_ms": now_ms() + the_plan.kickoff_at },
        "params": params,
        "config": crate::simulate::clock_config(a.speed),
    });
    let created = http.create_event(&admin, &opening).await?;
    if created.status != 201 {
        bail!(
            "create failed: {} {}",
            created.status,
            String::from_utf8_lossy(&created.body)
        );
    }

    // Sockets.
    let shared = Arc::new(Shared::default());
    let (stop_tx, stop_rx) = watch::channel(false);
    let bettors = a.bettors.min(a.sockets).max(1);
    let expiry = now_ms() + 3_600_000;
    let tokens: Arc<Vec<String>> = Arc::new(
        (0..bettors)
            .map(|u| target.mint(&format!("u{u}"), expiry))
            .collect::<Result<_>>()?,
    );
    let observer_state = Arc::new(Mutex::new(ObserverState::default()));
    let (obs_tx, obs_rx) = mpsc::unbounded_channel();
    let (reopen_tx, mut reopen_rx) = mpsc::unbounded_channel();
    tokio::spawn(observer_task(obs_rx, observer_state.clone(), reopen_tx));
    let t_open = Instant::now();
    let mut senders = Vec::with_capacity(bettors);
    let mut receivers = Vec::with_capacity(bettors);
    for _ in 0..bettors {
        let (tx, rx) = mpsc::unbounded_channel::<String>();
        senders.push(tx);
        receivers.push(Some(rx));
    }
    let senders = (a.bets_via == BetsVia::Socket).then(|| Arc::new(senders));
    let client = |client: String, region: &str, token: Option<String>| Client {
        http: http.clone(),
        event: event.clone(),
        client,
        region: region.to_string(),
        token,
    };
    let mut socket_tasks = Vec::with_capacity(a.sockets + 1);
    socket_tasks.push(tokio::spawn(socket_task(
        client("observer".into(), &a.regions[0], None),
        shared.clone(),
        stop_rx.clone(),
        Some(obs_tx),
        None,
    )));
    for i in 0..a.sockets {
        let token = (i < bettors).then(|| tokens[i].clone());
        let region = &a.regions[i % a.regions.len()];
        socket_tasks.push(tokio::spawn(socket_task(
            client(format!("c{i}"), region, token),
            shared.clone(),
            stop_rx.clone(),
            None,
            receivers.get_mut(i).and_then(Option::take),
        )));
        if i % 100 == 99 {
            wait_for_wave(
                &shared.counters.open,
                i,
                200,
                Duration::from_secs(60),
                a.sockets,
            )
            .await?;
            if i % 1000 == 999 {
                eprintln!(
                    "opening sockets: {}/{}",
                    shared.counters.open.load(Ordering::Relaxed),
                    a.sockets + 1
                );
            }
        }
    }
    wait_all_open(
        &shared.counters.open,
        a.sockets + 1,
        Duration::from_secs(120),
    )
    .await?;
    report.say(format!(
        "{} sockets open over {} regions in {:.1} s",
        a.sockets,
        a.regions.len(),
        t_open.elapsed().as_secs_f64()
    ));

    // Progress.
    let progress_shared = shared.clone();
    let started = Instant::now();
    let progress = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(2)).await;
            let c = &progress_shared.counters;
            eprintln!(
                "t+{:>4.0}s  sockets {}  deltas received {}  bets sent {} answered {} decided-on-socket {}  reconnects {}",
                started.elapsed().as_secs_f64(),
                c.open.load(Ordering::Relaxed),
                c.deltas.load(Ordering::Relaxed),
                c.bets_sent.load(Ordering::Relaxed),
                c.bets_answered.load(Ordering::Relaxed),
                c.finals.load(Ordering::Relaxed),
                c.reconnects.load(Ordering::Relaxed),
            );
        }
    });

    // Bad requests, when asked.
    let garbage = match a.fault {
        Some(Fault::Garbage) => Some(tokio::spawn(garbage_task(
            http.clone(),
            event.clone(),
            feed_secrets.clone(),
            target.mint("garbage", now_ms() + 3_600_000)?,
            stop_rx.clone(),
        ))),
        _ => None,
    };

    // The match, and bursts after reopens.
    let feed_target = FeedTarget {
        http: http.clone(),
        event_id: event.clone(),
        secrets: feed_secrets.clone(),
    };
    let plan_for_feed = the_plan.clone();
    let feed_started = now_ms();
    let feed = tokio::spawn(async move { play(feed_target, &plan_for_feed, None).await });
    let relay_fault = (a.fault == Some(Fault::Relay)).then(|| {
        // From a second before the first goal, so the relay misses the goal, the suspension and
        // (with the default 8 s) the reopen after the cool-off.
        let at = the_plan
            .timeline
            .iter()
            .find(|e| matches!(e.kind, FeedKind::Goal { .. }))
            .map_or(the_plan.kickoff_at + 20_000, |g| {
                g.at_ms.saturating_sub(1_000).max(the_plan.kickoff_at)
            });
        let (http, admin, event, shared) =
            (http.clone(), admin.clone(), event.clone(), shared.clone());
        let (named, fail_for_ms) = (a.fault_relay.clone(), a.fault_ms);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(at)).await;
            let relay = named.or_else(|| {
                let relay_of = shared.relay_of.lock().unwrap_or_else(|e| e.into_inner());
                pick_relay(&relay_of, "observer")
            });
            let Some(relay) = relay else {
                return RelayFault {
                    fail_for_ms,
                    error: Some("no relay serves a socket".into()),
                    ..RelayFault::default()
                };
            };
            eprintln!("fault: relay {relay} fails for {fail_for_ms} ms");
            fail_relay(&http, &admin, &event, &relay, fail_for_ms).await
        })
    });
    let bettors = Bettors {
        http: http.clone(),
        event: event.clone(),
        tokens: tokens.clone(),
        observer: observer_state.clone(),
        shared: shared.clone(),
        sockets: senders.clone(),
        concurrency: a.bet_concurrency,
    };
    let mut bursts = Vec::new();
    let mut restarted_at = None;
    let hard_stop = Instant::now() + Duration::from_secs(a.max_seconds);
    let mut feed = Some(feed);
    let mut feed_stats = None;
    loop {
        tokio::select! {
            Some(_) = reopen_rx.recv(), if bursts.len() < a.bursts => {
                eprintln!("markets reopened after a goal: burst of {} bets over {:.0} s", a.bets, a.bet_window);
                bursts.push(tokio::spawn(burst(
                    bettors.clone(), bursts.len(), a.bets, Duration::from_secs_f64(a.bet_window),
                )));
                if a.fault == Some(Fault::Restart) && restarted_at.is_none() {
                    // Mid-burst: half the window in.
                    tokio::time::sleep(Duration::from_secs_f64(a.bet_window / 2.0)).await;
                    eprintln!("fault: restarting the dev server");
                    let t = Instant::now();
                    if let Some(s) = target.server.as_mut() {
                        s.restart().await?;
                    }
                    restarted_at = Some(t.elapsed());
                    eprintln!("fault: dev server back after {:.1} s", t.elapsed().as_secs_f64());
                }
            }
            r = async { feed.as_mut().expect("feed").await }, if feed.is_some() => {
                feed_stats = Some(r.context("feed task")??);
                break;
            }
            _ = tokio::time::sleep_until(hard_stop) => {
                eprintln!("--max-seconds reached");
                break;
            }
        }
    }
    let mut bet_records: Vec<BetRecord> = Vec::new();
    for b in bursts {
        bet_records.extend(b.await.unwrap_or_default());
    }
    // Let delayed decisions and the last updates arrive.
    let bet_delay = observer_state
        .lock()
        .map(|s| s.bet_delay_ms())
        .unwrap_or(5_000);
    let settle = if bet_records.is_empty() { 0 } else { bet_delay };
    tokio::time::sleep(Duration::from_millis(settle + 3_000)).await;
    let head: Version = {
        let a = http.get(&format!("/v1/events/{event}")).await?;
        serde_json::from_value(a.json()["version"].clone()).unwrap_or_default()
    };
    let _ = stop_tx.send(true);
    progress.abort();
    let mut logs = Vec::new();
    for t in socket_tasks {
        if let Ok(l) = t.await {
            logs.push(l);
        }
    }
    let garbage = match garbage {
        Some(g) => Some(g.await.unwrap_or_default()),
        None => None,
    };

    // ---- delivery
    let mut posts = feed_stats
        .as_ref()
        .map(|s| s.posts.clone())
        .unwrap_or_default();
    posts.sort_by_key(|p| p.sent_ms);
    let d = delivery(&logs, &posts, head);
    report.say(format!(
        "match {event}: {} versions, {} sockets (+1 observer)",
        head.seq, a.sockets
    ));
    report.say(format!("delivery, feed POST → socket: {}", d.from_feed));
    report.say(format!(
        "delivery, hub timer (reopen, release) → socket: {}",
        d.from_timer
    ));
    let mut slowest: Vec<_> = d.versions.iter().collect();
    slowest.sort_by(|a, b| b.delivery.max.total_cmp(&a.delivery.max));
    report.say(format!(
        "slowest updates (origin → first socket … last): {}",
        slowest
            .iter()
            .take(5)
            .map(|v| format!(
                "v{} {} {:.0}…{:.0} ms",
                v.seq,
                if v.from_feed { "feed" } else { "timer" },
                v.first_ms,
                v.delivery.max
            ))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    report.set("delivery_per_version", &d.versions);
    report.say(format!(
        "updates lost {}, out of order {}, skipped by a resync snapshot {}, reconnects {}",
        d.lost, d.disorder, d.skipped, d.reconnects
    ));
    report.say(format!(
        "sockets at the head version at the end: {} of {}",
        d.at_head, d.sockets
    ));
    let mut relays: BTreeMap<&str, u64> = BTreeMap::new();
    for l in &logs {
        *relays
            .entry(l.relay.as_deref().unwrap_or("none"))
            .or_default() += 1;
    }
    let metrics = target.metrics().await;
    if let (Some(path), Some(text)) = (&a.metrics_out, &metrics) {
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    let hub_relays = metrics
        .as_deref()
        .and_then(|m| metric(m, "inplay_event_relays", &[("event", &event)]).map(|n| n as u64));
    report.say(format!(
        "fan-out: {} level(s); the hub sends to {} relays; {} leaf relays serve the sockets ({})",
        a.levels,
        hub_relays.map_or("?".to_string(), |n| n.to_string()),
        relays.len(),
        relays
            .iter()
            .map(|(r, n)| format!("{r} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    report.set("levels", a.levels);
    report.set("hub_relays", hub_relays);
    report.set("relays", &relays);
    report.set("at_head", d.at_head);
    if let Some(b) = baseline_q {
        report.say(format!(
            "p99 ratio Worker / bare broadcast: {:.2} (feed-driven), {:.2} (all)",
            d.from_feed.p99 / b.p99.max(0.001),
            d.all.p99 / b.p99.max(0.001)
        ));
    }
    report.set("sockets", a.sockets);
    report.set("versions", head.seq);
    report.set("delivery_feed_ms", d.from_feed);
    report.set("delivery_timer_ms", d.from_timer);
    report.set("lost", d.lost);
    report.set("out_of_order", d.disorder);
    report.set("skipped_by_snapshot", d.skipped);
    report.set("reconnects", d.reconnects);
    if let Some(fs) = &feed_stats {
        report.say(format!("feed: {}", fs.summary().replace('\n', "; ")));
    }
    if let Some(f) = relay_fault {
        let f = f.await.unwrap_or_default();
        report_relay_fault(
            &f,
            &logs,
            feed_started,
            metrics.as_deref(),
            &event,
            &mut report,
        );
    }

    // ---- bets
    if !bet_records.is_empty() {
        let settle = Settle {
            http: &http,
            admin: &admin,
            via: a.bets_via,
            bet_delay_ms: bet_delay,
            recheck_accepted: a.fault == Some(Fault::Restart),
        };
        let (checked, lost_accepted) = report_bets(bet_records, &shared, settle, &mut report).await;
        if a.fault == Some(Fault::Restart) {
            report.say(format!(
                "restart: server back in {:.1} s; accepted bets checked after the restart {checked}, lost {lost_accepted}",
                restarted_at.map_or(0.0, |d| d.as_secs_f64()),
            ));
            report.set(
                "restart",
                json!({ "down_s": restarted_at.map(|d| d.as_secs_f64()), "accepted_checked": checked, "accepted_lost": lost_accepted }),
            );
        }
    }

    // ---- suspensions (fault runs read these)
    let suspensions = observer_state
        .lock()
        .map(|s| s.suspensions.clone())
        .unwrap_or_default();
    let mut per_reason: BTreeMap<&str, (u64, f64)> = BTreeMap::new();
    for s in &suspensions {
        let e = per_reason.entry(s.reason).or_default();
        e.0 += 1;
        e.1 += s.to_ms.unwrap_or(now_ms()).saturating_sub(s.from_ms) as f64 / 1000.0;
    }
    report.say(format!(
        "suspensions seen: {}",
        per_reason
            .iter()
            .map(|(r, (n, secs))| format!("{r} ×{n} ({secs:.1} s)"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    report.set("suspensions", &suspensions);
    if matches!(a.fault, Some(Fault::PrimaryDown | Fault::BothDown)) {
        let t0 = suspensions.first().map_or(0, |s| s.from_ms);
        for s in &suspensions {
            report.say(format!(
                "  suspended {:<18} at t+{:>6.1} s for {:>5.1} s",
                s.reason,
                s.from_ms.saturating_sub(t0) as f64 / 1000.0,
                s.to_ms.unwrap_or(now_ms()).saturating_sub(s.from_ms) as f64 / 1000.0
            ));
        }
        for o in &opts.outages {
            report.say(format!(
                "outage {:?} from {} to {} match clock",
                o.who,
                crate::feed_run::clock_text(o.from_ms),
                crate::feed_run::clock_text(o.to_ms)
            ));
        }
    }
    if let Some(g) = garbage {
        report_garbage(&g, &mut report);
    }
    drop(target);
    report.finish(a.json.as_deref())
}

/// What `--fault relay` did: which relay, how long, how its sockets came back, what the hub saw.
fn report_relay_fault(
    f: &RelayFault,
    logs: &[SocketLog],
    feed_started: u64,
    metrics: Option<&str>,
    event: &str,
    report: &mut Report,
) {
    let Some(from) = f.from_ms else {
        report.say(format!(
            "relay fault NOT injected ({}): {}",
            if f.relay.is_empty() {
                "no relay"
            } else {
                &f.relay
            },
            f.error.as_deref().unwrap_or("?")
        ));
        report.set("relay_fault", json!({ "fault": f }));
        return;
    };
    let to = from + f.fail_for_ms;
    let r = relay_recovery(logs, &f.relay, from, to);
    let hub_failures = metrics.and_then(|m| {
        metric(
            m,
            "inplay_relay_errors_total",
            &[("relay", &format!("{event}/{}", f.relay))],
        )
    });
    report.say(format!(
        "relay fault: {} failed for {:.1} s from t+{:.1} s of the feed; {} versions went out meanwhile",
        f.relay,
        f.fail_for_ms as f64 / 1000.0,
        from.saturating_sub(feed_started) as f64 / 1000.0,
        r.versions_during_fault
    ));
    report.say(format!(
        "  its {} sockets back at the head after the fault ended: {}; never back {}",
        r.sockets, r.back_at_head_ms, r.never_back
    ));
    report.say(format!(
        "  worst lag behind the other sockets, per socket: {}",
        r.worst_lag_ms
    ));
    report.say(format!(
        "  failed sends to it, as the hub last reported: {}",
        hub_failures.map_or(
            "n/a (its sender is a relay, or no metrics)".to_string(),
            |n| format!("{n}")
        )
    ));
    report.set(
        "relay_fault",
        json!({ "fault": f, "recovery": r, "hub_send_failures": hub_failures }),
    );
}
