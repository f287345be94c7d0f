//! pipeline smoke test (temporary)
#![cfg(target_arch = "wasm32")]
use worker::*;

#[event(fetch)]
async fn fetch(_req: Request, _env: Env, _ctx: Context) -> Result<Response> {
    Response::from_json(&serde_json::json!({"ok": true}))
}

macro_rules! stub_do {
    ($name:ident) => {
        #[durable_object]
        pub struct $name { _state: State }
        impl DurableObject for $name {
            fn new(state: State, _env: Env) -> Self { Self { _state: state } }
            async fn fetch(&self, _req: Request) -> Result<Response> { Response::ok("stub") }
        }
    };
}
stub_do!(EventHub);
stub_do!(RegionRelay);
stub_do!(EventCatalog);
