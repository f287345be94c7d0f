//! The Worker under test: a `wrangler dev` of the tool's own (random secrets, the knobs a mode
//! needs, optionally reached past wrangler's dev proxy), or a running one given by `--url` whose
//! secrets come from `.dev.vars`.

use anyhow::{Result, bail};
use inplay_engine::signing::{TokenKey, is_valid_kid, mint_token_with};

use crate::dev_server::{DevServer, harness_vars};
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
        let mut vars = harness_vars()?;
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

    /// A user token valid until `expiry_ms`, under `TOKEN_SECRET` and the key id `TOKEN_KID`
    /// (default `k1`, as the Worker's), as `inplay token` mints them.
    pub fn mint(&self, user: &str, expiry_ms: u64) -> Result<String> {
        let secret = Secrets::need(&self.secrets.token, "TOKEN_SECRET")?;
        let kid = std::env::var("TOKEN_KID").unwrap_or_else(|_| "k1".into());
        if !is_valid_kid(&kid) {
            bail!("TOKEN_KID must be 1-16 of [A-Za-z0-9_-]");
        }
        let key = TokenKey {
            kid: &kid,
            secret: secret.as_bytes(),
        };
        Ok(mint_token_with(key, user, expiry_ms))
    }

    /// `FEED_SECRET_PRIMARY`, `FEED_SECRET_BACKUP`.
    pub fn feed_secrets(&self) -> Result<[String; 2]> {
        Ok([
            Secrets::need(&self.secrets.feed_primary, "FEED_SECRET_PRIMARY")?.to_string(),
            Secrets::need(&self.secrets.feed_backup, "FEED_SECRET_BACKUP")?.to_string(),
        ])
    }
}

impl Target {
    /// `GET /metrics` (admin): the counters every hub last reported. `None` when it is not
    /// available (an old server, a refusal): the figures that come from it are then left out.
    pub async fn metrics(&self) -> Option<String> {
        let admin = self.admin().ok()?;
        let a = self
            .http
            .send(
                hyper::Method::GET,
                "/metrics",
                &[("authorization", format!("Bearer {admin}"))],
                None,
            )
            .await
            .ok()?;
        (a.status == 200).then(|| String::from_utf8_lossy(&a.body).into_owned())
    }
}

/// The value of `name{…}` whose labels include every one of `labels`, from Prometheus text.
pub fn metric(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines().find_map(|line| {
        let rest = line.strip_prefix(name)?;
        let (set, value) = match rest.strip_prefix('{') {
            Some(r) => r.split_once("} ")?,
            None => ("", rest.strip_prefix(' ')?),
        };
        labels
            .iter()
            .all(|(k, v)| set.split(',').any(|kv| kv == format!("{k}=\"{v}\"")))
            .then(|| value.trim().parse().ok())
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_metric_is_found_by_its_labels() {
        let text = "# HELP x\ninplay_relay_errors_total{event=\"m1\",relay=\"m1/weur/0\"} 7\n\
                    inplay_relay_errors_total{event=\"m1\",relay=\"m1/weur/1\"} 2\n\
                    inplay_events 3\n";
        let relay = |r| metric(text, "inplay_relay_errors_total", &[("relay", r)]);
        assert_eq!(relay("m1/weur/1"), Some(2.0));
        assert_eq!(relay("m1/apac/0"), None);
        assert_eq!(metric(text, "inplay_events", &[]), Some(3.0));
        // A longer name that starts with the one asked for is another metric.
        assert_eq!(metric(text, "inplay_relay_errors", &[]), None);
    }
}
