//! Stubs to relays, for whoever fans out to them (the hub, and a region's upstream relay): one per
//! relay, kept until the fan-out moves that relay's generation on after a failed send (a stub that
//! threw fails every later call), and the one call a relay takes from above, an update.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use inplay_protocol::ErrorCode;
use inplay_protocol::ids::RelayName;
use inplay_protocol::relay::{RelayAck, RelayCall, RelayUpdate};
use worker::{Env, Stub};

use crate::http::{self, ApiResult};

/// The stubs one object holds to the relays below it.
#[derive(Default)]
pub struct RelayStubs {
    stubs: RefCell<HashMap<RelayName, (u64, Rc<Stub>)>>,
}

impl RelayStubs {
    /// The stub to `relay` for this generation, built (with its region as the location hint)
    /// when there is none or it is of an older generation.
    fn get(&self, env: &Env, relay: &RelayName, generation: u64) -> ApiResult<Rc<Stub>> {
        if let Some((g, s)) = self.stubs.borrow().get(relay)
            && *g == generation
        {
            return Ok(s.clone());
        }
        let stub = Rc::new(
            env.durable_object("REGION_RELAY")
                .and_then(|ns| ns.get_by_name_with_location_hint(&relay.to_string(), &relay.region))
                .map_err(http::runtime)?,
        );
        self.stubs
            .borrow_mut()
            .insert(relay.clone(), (generation, stub.clone()));
        Ok(stub)
    }

    /// Sends `relay` an update and reads its acknowledgement, within `timeout_ms`.
    pub async fn update(
        &self,
        env: &Env,
        relay: &RelayName,
        generation: u64,
        update: RelayUpdate,
        timeout_ms: u64,
    ) -> ApiResult<RelayAck> {
        let stub = self.get(env, relay, generation)?;
        let body = inplay_protocol::encode(&RelayCall::Update(update));
        http::call(&stub, body, timeout_ms, ErrorCode::RelayUnavailable).await
    }
}
