//! The Worker under test: a `wrangler dev` of the tool's own (random secrets, the knobs a mode
//! needs, optionally reached past wrangler's dev proxy), or a running one given by `--url` whose
//! secrets come from `.dev.vars`.

use std::collections::HashMap;

use anyhow::{Result, bail};

use crate::dev_server::{DevServer, random_hex};
use crate::dev_vars::Secrets;
use crate::feed_client::Http;

/// Where a run sends its requests and sockets.
pub struct Target {
    /// Client for the Worker (its entry socket with `--direct`).
    pub http: Http,
    /// The secrets it was started with (or `.dev.vars`'s).
    pub secrets: Secrets,
    /// The server this run started, stopped when dropped.
    pub server: Option<DevServer>,
}

impl Target {
    /// `url`, or a server of our own with `knobs` (vars beside the secrets) when there is none.
    pub async fn open(url: Option<&str>, direct: bool, knobs: &[(&str, String)]) -> Result<Target> {
        if let Some(u) = url {
            if direct {
                bail!("--direct finds the entry of the tool's own server: leave out --url");
            }
            return Ok(Target {
                http: Http::new(u)?,
                secrets: Secrets::load(None)?,
                server: None,
            });
        }
        let mut vars = HashMap::new();
        for k in [
            "FEED_SECRET_PRIMARY",
            "FEED_SECRET_BACKUP",
            "TOKEN_SECRET",
            "ADMIN_TOKEN",
        ] {
            vars.insert(k.to_string(), random_hex()?);
        }
        vars.insert("ALLOW_REGION_OVERRIDE".into(), "1".into());
        for (k, v) in knobs {
            vars.insert(k.to_string(), v.clone());
        }
        let secrets = Secrets::from_map(&vars);
        eprintln!("starting wrangler dev (local workerd)...");
        let s = DevServer::start(vars).await?;
        eprintln!(
            "wrangler dev on {} (log {})",
            s.url(),
            s.log_path().display()
        );
        let url = if direct {
            let inner = s.inner_url().await?;
            eprintln!("--direct: the worker's own entry is {inner}");
            inner
        } else {
            s.url()
        };
        Ok(Target {
            http: Http::new(&url)?,
            secrets,
            server: Some(s),
        })
    }

    /// `ADMIN_TOKEN`.
    pub fn admin(&self) -> Result<String> {
        Ok(Secrets::need(&self.secrets.admin, "ADMIN_TOKEN")?.to_string())
    }

    /// `TOKEN_SECRET`.
    pub fn token_secret(&self) -> Result<String> {
        Ok(Secrets::need(&self.secrets.token, "TOKEN_SECRET")?.to_string())
    }

    /// `FEED_SECRET_PRIMARY`, `FEED_SECRET_BACKUP`.
    pub fn feed_secrets(&self) -> Result<[String; 2]> {
        Ok([
            Secrets::need(&self.secrets.feed_primary, "FEED_SECRET_PRIMARY")?.to_string(),
            Secrets::need(&self.secrets.feed_backup, "FEED_SECRET_BACKUP")?.to_string(),
        ])
    }
}
