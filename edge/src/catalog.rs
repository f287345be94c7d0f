//! `EventCatalog`: the list of matches (one instance, named `catalog`).
//!
//! The hubs are the truth about each match; the catalog only knows which matches exist, so that
//! `GET /v1/events` and `GET /metrics` can find them. SQLite table `events(id, created_ms, summary)`.

use serde::Deserialize;
use serde_json::{Value, json};
use worker::{
    DurableObject, Env, Method, Request, Response, Result, SqlStorageValue, State, durable_object,
};

use crate::error::ApiError;
use crate::http::{self, ApiResult};

/// The catalog's Durable Object name.
pub const NAME: &str = "catalog";

/// The match list.
#[durable_object]
pub struct EventCatalog {
    state: State,
    #[allow(dead_code)]
    env: Env,
}

#[derive(Deserialize)]
struct Register {
    event_id: String,
    summary: Value,
}

impl EventCatalog {
    fn sql(&self) -> worker::SqlStorage {
        self.state.storage().sql()
    }

    fn register(&self, r: Register) -> ApiResult<Response> {
        self.sql().exec(
            "INSERT OR REPLACE INTO events (id, created_ms, summary) VALUES (?, ?, ?)",
            vec![
                r.event_id.as_str().into(),
                SqlStorageValue::try_from_i64(http::now_ms() as i64)?,
                r.summary.to_string().into(),
            ],
        )?;
        Ok(http::json(201, &json!({ "event_id": r.event_id })))
    }

    fn list(&self) -> ApiResult<Response> {
        let mut events = Vec::new();
        for row in self
            .sql()
            .exec(
                "SELECT id, created_ms, summary FROM events ORDER BY created_ms, id",
                None,
            )?
            .raw()
        {
            if let [
                SqlStorageValue::String(id),
                created,
                SqlStorageValue::String(summary),
            ] = row?.as_slice()
            {
                let created_ms = match created {
                    SqlStorageValue::Integer(i) => *i,
                    SqlStorageValue::Float(f) => *f as i64,
                    _ => 0,
                };
                let mut entry =
                    serde_json::from_str::<Value>(summary).unwrap_or_else(|_| json!({}));
                if let Some(o) = entry.as_object_mut() {
                    o.insert("event_id".into(), json!(id));
                    o.insert("created_ms".into(), json!(created_ms));
                }
                events.push(entry);
            }
        }
        Ok(http::json(200, &json!({ "events": events })))
    }
}

impl DurableObject for EventCatalog {
    fn new(state: State, env: Env) -> Self {
        let catalog = EventCatalog { state, env };
        if let Err(e) = catalog.sql().exec(
            "CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, created_ms INTEGER NOT NULL, summary TEXT NOT NULL)",
            None,
        ) {
            worker::console_error!("catalog: creating table failed: {e}");
        }
        catalog
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let path = req.path();
        let r = match (req.method(), path.as_str()) {
            (Method::Post, "/register") => match req.json::<Register>().await {
                Ok(body) => self.register(body),
                Err(_) => Err(ApiError::bad_request("invalid_body", "bad register")),
            },
            (Method::Get, "/list") => self.list(),
            _ => Err(ApiError::not_found(
                "route_not_found",
                "unknown catalog route",
            )),
        };
        Ok(http::respond(r))
    }
}
