//! `EventCatalog`: the list of matches and the counters their hubs last reported (one instance,
//! named `catalog`).
//!
//! The hubs are the truth about each match; the catalog knows which matches exist (for
//! `GET /v1/events`) and keeps each hub's latest counters (for `GET /metrics`, which so reads one
//! object and wakes no hub). SQLite: `matches(id, home, away, kickoff_ms, created_ms)`,
//! `reports(id, metrics)`.

use inplay_protocol::catalog::{CatalogCall, CatalogEntry};
use inplay_protocol::metrics::Metrics;
use inplay_protocol::{ApiError, ErrorCode};
use worker::{
    DurableObject, Env, Method, Request, Response, Result, SqlStorageValue, State, durable_object,
};

use crate::http::{self, ApiResult};

/// The catalog's Durable Object name.
pub const NAME: &str = "catalog";

/// The match list.
#[durable_object]
pub struct EventCatalog {
    state: State,
}

fn int(v: &SqlStorageValue) -> u64 {
    match v {
        SqlStorageValue::Integer(i) => *i as u64,
        SqlStorageValue::Float(f) => *f as u64,
        _ => 0,
    }
}

impl EventCatalog {
    fn sql(&self) -> worker::SqlStorage {
        self.state.storage().sql()
    }

    fn register(&self, e: &CatalogEntry) -> ApiResult<()> {
        self.sql()
            .exec(
                "INSERT OR REPLACE INTO matches (id, home, away, kickoff_ms, created_ms) VALUES (?, ?, ?, ?, ?)",
                vec![
                    e.event_id.as_str().into(),
                    e.home.as_str().into(),
                    e.away.as_str().into(),
                    SqlStorageValue::Integer(e.kickoff_ms.min(i64::MAX as u64) as i64),
                    SqlStorageValue::Integer(e.created_ms.min(i64::MAX as u64) as i64),
                ],
            )
            .map_err(http::runtime)?;
        Ok(())
    }

    fn list(&self) -> ApiResult<Vec<CatalogEntry>> {
        let mut out = Vec::new();
        let cursor = self
            .sql()
            .exec(
                "SELECT id, home, away, kickoff_ms, created_ms FROM matches ORDER BY created_ms, id",
                None,
            )
            .map_err(http::runtime)?;
        for row in cursor.raw() {
            if let [
                SqlStorageValue::String(id),
                SqlStorageValue::String(home),
                SqlStorageValue::String(away),
                kickoff,
                created,
            ] = row.map_err(http::runtime)?.as_slice()
            {
                out.push(CatalogEntry {
                    event_id: id.clone(),
                    home: home.clone(),
                    away: away.clone(),
                    kickoff_ms: int(kickoff),
                    created_ms: int(created),
                });
            }
        }
        Ok(out)
    }

    fn report(&self, event_id: &str, metrics: &Metrics) -> ApiResult<()> {
        self.sql()
            .exec(
                "INSERT OR REPLACE INTO reports (id, metrics) VALUES (?, ?)",
                vec![event_id.into(), inplay_protocol::encode(metrics).into()],
            )
            .map_err(http::runtime)?;
        Ok(())
    }

    fn metrics(&self) -> ApiResult<Metrics> {
        let mut all = Metrics::default();
        let cursor = self
            .sql()
            .exec("SELECT metrics FROM reports", None)
            .map_err(http::runtime)?;
        for row in cursor.raw() {
            if let Some(SqlStorageValue::Blob(b)) = row.map_err(http::runtime)?.first()
                && let Ok(m) = inplay_protocol::decode::<Metrics>(b)
            {
                all.merge(&m);
            }
        }
        let matches = self.list()?.len();
        all.set(
            "inplay_events",
            "Matches in the catalog.",
            &[],
            matches as f64,
        );
        Ok(all)
    }
}

impl DurableObject for EventCatalog {
    fn new(state: State, _env: Env) -> Self {
        let catalog = EventCatalog { state };
        for ddl in [
            "CREATE TABLE IF NOT EXISTS matches (id TEXT PRIMARY KEY, home TEXT NOT NULL, away TEXT NOT NULL, kickoff_ms INTEGER NOT NULL, created_ms INTEGER NOT NULL)",
            "CREATE TABLE IF NOT EXISTS reports (id TEXT PRIMARY KEY, metrics BLOB NOT NULL)",
        ] {
            if let Err(e) = catalog.sql().exec(ddl, None) {
                worker::console_error!("catalog: creating tables failed: {e}");
            }
        }
        catalog
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        if req.method() != Method::Post || req.path() != "/call" {
            return Ok(http::error(&ApiError::new(
                ErrorCode::RouteNotFound,
                "unknown catalog route",
            )));
        }
        let bytes = req.bytes().await.unwrap_or_default();
        let call: CatalogCall = match inplay_protocol::decode(&bytes) {
            Ok(c) => c,
            Err(e) => return Ok(http::answer::<()>(&Err(e))),
        };
        Ok(match call {
            CatalogCall::Register(e) => http::answer(&self.register(&e)),
            CatalogCall::List => http::answer(&self.list()),
            CatalogCall::Report { event_id, metrics } => {
                http::answer(&self.report(&event_id, &metrics))
            }
            CatalogCall::Metrics => http::answer(&self.metrics()),
        })
    }
}
