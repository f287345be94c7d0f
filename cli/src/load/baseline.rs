//! The bare baseline: a tokio-tungstenite broadcast server in this process, with as many sockets
//! as the Worker run, so the Worker's delivery reads as a ratio to what this machine delivers at
//! all. It does nothing but forward each message to every socket: no parsing, auth, storage, pricing.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Result;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

use super::stats::Quantiles;

/// What the bare server's sockets received.
#[derive(Debug, Clone, Default)]
pub struct BareRun {
    /// Publish → receipt, ms, over every (socket, message).
    pub delivery: Quantiles,
    /// Messages some socket never received.
    pub lost: u64,
    /// Per socket: (message number, receipt in unix µs).
    pub receipts: Vec<Vec<(u64, u64)>>,
    /// Message number → when it was published, unix µs.
    pub published_us: std::collections::BTreeMap<u64, u64>,
}

/// Delivery through a bare tokio-tungstenite broadcast server in this process: p50/p99 and lost.
pub async fn baseline(
    sockets: usize,
    messages: usize,
    interval: Duration,
) -> Result<(Quantiles, u64)> {
    let r = bare_run(sockets, messages, interval).await?;
    Ok((r.delivery, r.lost))
}

/// `messages` of 136 bytes (about a delta's size) published `interval` apart to `sockets` clients
/// of a bare broadcast server; every receipt recorded.
pub async fn bare_run(sockets: usize, messages: usize, interval: Duration) -> Result<BareRun> {
    use tokio::net::TcpListener;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (tx, _) = tokio::sync::broadcast::channel::<Message>(4096);
    let server_tx = tx.clone();
    let server = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                break;
            };
            let _ = stream.set_nodelay(true);
            let tx = server_tx.clone();
            tokio::spawn(async move {
                let mut path = String::new();
                // The callback's error type is tungstenite's, not ours.
                #[allow(clippy::result_large_err)]
                let cb = |req: &tokio_tungstenite::tungstenite::handshake::server::Request,
                          resp: tokio_tungstenite::tungstenite::handshake::server::Response| {
                    path = req.uri().path().to_string();
                    Ok(resp)
                };
                let Ok(ws) = tokio_tungstenite::accept_hdr_async(stream, cb).await else {
                    return;
                };
                let (mut sink, mut stream) = ws.split();
                if path == "/pub" {
                    while let Some(Ok(m)) = stream.next().await {
                        if m.is_binary() {
                            let _ = tx.send(m);
                        }
                    }
                } else {
                    let mut rx = tx.subscribe();
                    while let Ok(m) = rx.recv().await {
                        if sink.send(m).await.is_err() {
                            break;
                        }
                    }
                }
            });
        }
    });
    let url = format!("ws://{addr}/live");
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut clients = Vec::with_capacity(sockets);
    // Opened or failed: a client that cannot connect must not hold the run.
    let settled = Arc::new(AtomicU64::new(0));
    for chunk in (0..sockets).collect::<Vec<_>>().chunks(200) {
        let mut batch = Vec::new();
        for _ in chunk {
            let (url, mut stop, settled) = (url.clone(), stop_rx.clone(), settled.clone());
            batch.push(tokio::spawn(async move {
                let connected = tokio_tungstenite::connect_async(url.as_str()).await;
                settled.fetch_add(1, Ordering::Relaxed);
                let (mut ws, _) = connected?;
                let mut receipts = Vec::new();
                let mut lat = Vec::new();
                loop {
                    tokio::select! {
                        m = ws.next() => match m {
                            Some(Ok(Message::Binary(b))) if b.len() >= 16 => {
                                let recv = now_us();
                                let seq = u64::from_le_bytes(b[0..8].try_into().unwrap_or_default());
                                let sent = u64::from_le_bytes(b[8..16].try_into().unwrap_or_default());
                                lat.push(recv.saturating_sub(sent) as f64 / 1000.0);
                                receipts.push((seq, recv));
                            }
                            Some(Ok(_)) => {}
                            _ => break,
                        },
                        _ = stop.changed() => break,
                    }
                }
                anyhow::Ok((lat, receipts))
            }));
        }
        clients.extend(batch);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while (settled.load(Ordering::Relaxed) as usize) < clients.len() {
            if tokio::time::Instant::now() > deadline {
                server.abort();
                anyhow::bail!("the bare server's sockets did not open within 30 s");
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    let (mut publisher, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/pub")).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pad = vec![0u8; 120];
    let mut published_us = std::collections::BTreeMap::new();
    for seq in 1..=messages as u64 {
        let mut m = Vec::with_capacity(136);
        let at = now_us();
        published_us.insert(seq, at);
        m.extend_from_slice(&seq.to_le_bytes());
        m.extend_from_slice(&at.to_le_bytes());
        m.extend_from_slice(&pad);
        publisher.send(Message::Binary(m.into())).await?;
        tokio::time::sleep(interval).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let _ = stop_tx.send(true);
    let mut all = Vec::new();
    let mut run = BareRun {
        published_us,
        ..BareRun::default()
    };
    for c in clients {
        match c.await {
            Ok(Ok((lat, receipts))) => {
                all.extend(lat);
                // Every message once, in order: anything short of that is lost.
                let mut expected = 1u64;
                for &(seq, _) in &receipts {
                    run.lost += seq.saturating_sub(expected);
                    expected = expected.max(seq + 1);
                }
                run.lost += (messages as u64 + 1).saturating_sub(expected);
                run.receipts.push(receipts);
            }
            _ => run.lost += messages as u64,
        }
    }
    server.abort();
    run.delivery = Quantiles::of(&mut all);
    Ok(run)
}

/// Unix µs now.
pub fn now_us() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_bare_baseline_delivers_everything() {
        let (q, lost) = baseline(20, 10, Duration::from_millis(5)).await.unwrap();
        assert_eq!(lost, 0);
        assert_eq!(q.n, 200);
    }

    #[tokio::test]
    async fn every_receipt_is_kept() {
        let r = bare_run(5, 3, Duration::from_millis(5)).await.unwrap();
        assert_eq!(r.receipts.len(), 5);
        assert!(
            r.receipts
                .iter()
                .all(|s| s.iter().map(|&(seq, _)| seq).eq(1..=3))
        );
    }
}
