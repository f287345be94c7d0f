//! The local secrets the feed and load tools sign with: `.dev.vars` (written by `scripts/dev-vars.sh`,
//! read by `wrangler dev` as the Worker's secrets), with environment variables of the same names
//! taking precedence, as on a deploy machine.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};

/// The Worker's secrets, as the tools need them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Secrets {
    /// `FEED_SECRET_PRIMARY`.
    pub feed_primary: Option<String>,
    /// `FEED_SECRET_BACKUP`.
    pub feed_backup: Option<String>,
    /// `TOKEN_SECRET`.
    pub token: Option<String>,
    /// `ADMIN_TOKEN`.
    pub admin: Option<String>,
}

impl Secrets {
    /// Reads `path` (or the nearest `.dev.vars` above the working directory), then the environment.
    pub fn load(path: Option<&Path>) -> Result<Secrets> {
        let file = match path {
            Some(p) => Some(p.to_path_buf()),
            None => find_dev_vars(),
        };
        let mut vars = match &file {
            Some(p) => parse(
                &std::fs::read_to_string(p)
                    .with_context(|| format!("cannot read {}", p.display()))?,
            ),
            None => HashMap::new(),
        };
        for name in [
            "FEED_SECRET_PRIMARY",
            "FEED_SECRET_BACKUP",
            "TOKEN_SECRET",
            "ADMIN_TOKEN",
        ] {
            if let Ok(v) = std::env::var(name)
                && !v.is_empty()
            {
                vars.insert(name.to_string(), v);
            }
        }
        let mut take = |k: &str| vars.remove(k).filter(|v| !v.is_empty());
        Ok(Secrets {
            feed_primary: take("FEED_SECRET_PRIMARY"),
            feed_backup: take("FEED_SECRET_BACKUP"),
            token: take("TOKEN_SECRET"),
            admin: take("ADMIN_TOKEN"),
        })
    }

    /// From explicit values (tests, `inplay load` starting its own server).
    pub fn from_map(vars: &HashMap<String, String>) -> Secrets {
        let get = |k: &str| vars.get(k).cloned().filter(|v| !v.is_empty());
        Secrets {
            feed_primary: get("FEED_SECRET_PRIMARY"),
            feed_backup: get("FEED_SECRET_BACKUP"),
            token: get("TOKEN_SECRET"),
            admin: get("ADMIN_TOKEN"),
        }
    }

    /// A secret that must be there.
    pub fn need<'a>(value: &'a Option<String>, name: &str) -> Result<&'a str> {
        value.as_deref().ok_or_else(|| {
            anyhow!(
                "{name} is not set: run scripts/dev-vars.sh (writes .dev.vars) or export {name}"
            )
        })
    }
}

fn find_dev_vars() -> Option<PathBuf> {
    let mut dir = std::env::current_dir().ok()?;
    loop {
        let candidate = dir.join(".dev.vars");
        if candidate.is_file() {
            return Some(candidate);
        }
        if !dir.pop() {
            return None;
        }
    }
}

/// `KEY="value"` / `KEY=value` lines; `#` comments and blank lines skipped.
pub fn parse(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                return None;
            }
            let (k, v) = line.split_once('=')?;
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v);
            Some((k.trim().to_string(), v.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dev_vars_lines() {
        let vars = parse("# c\nTOKEN_SECRET=\"abc\"\n\nADMIN_TOKEN=x y\nBAD\n");
        assert_eq!(vars["TOKEN_SECRET"], "abc");
        assert_eq!(vars["ADMIN_TOKEN"], "x y");
        assert_eq!(vars.len(), 2);
    }
}
