//! `inplay token`: a dev user token for the Worker, signed with `TOKEN_SECRET` from `.dev.vars` (or the
//! environment) under the key id `TOKEN_KID` (default `k1`, as the Worker's), in the engine's token
//! format (`inplay_engine::signing`).

use std::path::PathBuf;

use anyhow::{Result, bail};
use inplay_engine::signing::{TokenKey, is_valid_kid, is_valid_user_id, mint_token_with};

use crate::dev_vars::Secrets;
use crate::feed_client::now_ms;

/// `inplay token` flags.
#[derive(clap::Args, Debug, Clone)]
pub struct TokenArgs {
    /// The user id: 1-64 of [A-Za-z0-9_-].
    #[arg(long)]
    pub user: String,
    /// Seconds until it expires.
    #[arg(long, default_value_t = 86_400)]
    pub ttl: u64,
    /// Secrets file (default: the nearest .dev.vars; TOKEN_SECRET in the environment overrides it).
    #[arg(long)]
    pub dev_vars: Option<PathBuf>,
}

/// `inplay token`: prints the bearer token.
pub fn run(a: TokenArgs) -> Result<()> {
    if !is_valid_user_id(&a.user) {
        bail!("--user must be 1-64 of [A-Za-z0-9_-]");
    }
    let secrets = Secrets::load(a.dev_vars.as_deref())?;
    let secret = Secrets::need(&secrets.token, "TOKEN_SECRET")?;
    let expiry = now_ms().saturating_add(a.ttl.saturating_mul(1000));
    let kid = std::env::var("TOKEN_KID").unwrap_or_else(|_| "k1".into());
    if !is_valid_kid(&kid) {
        bail!("TOKEN_KID must be 1-16 of [A-Za-z0-9_-]");
    }
    let key = TokenKey {
        kid: &kid,
        secret: secret.as_bytes(),
    };
    println!("{}", mint_token_with(key, &a.user, expiry));
    Ok(())
}
