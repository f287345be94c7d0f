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

/// Delivery through a bare tokio-tungstenite broadcast server in this process.
pub async fn baseline(
    sockets: usize,
    messages: usize,
    interval: Duration,
) -> Result<(Quantiles, u64)> {
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
    let opened = Arc::new(AtomicU64::new(0));
    for chunk in (0..sockets).collect::<Vec<_>>().chunks(200) {
        let mut batch = Vec::new();
        for _ in chunk {
            let (url, mut stop, opened) = (url.clone(), stop_rx.clone(), opened.clone());
            batch.push(tokio::spawn(async move {
                let (mut ws, _) = tokio_tungstenite::connect_async(url.as_str()).await?;
                opened.fetch_add(1, Ordering::Relaxed);
                let mut lat = Vec::new();
                let mut last = 0u64;
                let mut lost = 0u64;
                loop {
                    tokio::select! {
                        m = ws.next() => match m {
                            Some(Ok(Message::Binary(b))) if b.len() >= 16 => {
                                let seq = u64::from_le_bytes(b[0..8].try_into().unwrap_or_default());
                                let sent = u64::from_le_bytes(b[8..16].try_into().unwrap_or_default());
                                lat.push((now_us().saturating_sub(sent)) as f64 / 1000.0);
                                lost += seq.saturating_sub(last + 1);
                                last = seq;
                            }
                            Some(Ok(_)) => {}
                            _ => break,
                        },
                        _ = stop.changed() => break,
                    }
                }
                anyhow::Ok((lat, last, lost))
            }));
        }
        clients.extend(batch);
        while (opened.load(Ordering::Relaxed) as usize) < clients.len() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    let (mut publisher, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/pub")).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pad = vec![0u8; 120];
    for seq in 1..=messages as u64 {
        let mut m = Vec::with_capacity(136);
        m.extend_from_slice(&seq.to_le_bytes());
        m.extend_from_slice(&now_us().to_le_bytes());
        m.extend_from_slice(&pad);
        publisher.send(Message::Binary(m.into())).await?;
        tokio::time::sleep(interval).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let _ = stop_tx.send(true);
    let mut all = Vec::new();
    let mut lost = 0;
    for c in clients {
        if let Ok(Ok((lat, last, l))) = c.await {
            all.extend(lat);
            lost += l + (messages as u64).saturating_sub(last);
        } else {
            lost += messages as u64;
        }
    }
    server.abort();
    Ok((Quantiles::of(&mut all), lost))
}

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
}
