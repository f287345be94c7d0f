//! A `wrangler dev` (local workerd) the load tool starts, restarts and stops itself: its own loopback
//! port, its own persistence directory, random secrets passed as `--var`, so a run never touches a
//! developer's `.wrangler/state` or `.dev.vars`. Runs the prebuilt worker (`npm run build:edge` first).

use std::collections::HashMap;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::feed_client::Http;

/// A running `wrangler dev`.
pub struct DevServer {
    root: PathBuf,
    persist: PathBuf,
    port: u16,
    vars: HashMap<String, String>,
    child: Option<Child>,
    log: PathBuf,
}

/// A free loopback port.
pub fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

/// 32 random bytes as hex, from the OS (secrets for one run).
pub fn random_hex() -> Result<String> {
    use std::io::Read;
    let mut b = [0u8; 32];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut b)?;
    Ok(inplay_engine::signing::hex(&b))
}

/// The vars every server of the harness starts with, before the knobs of a run:
/// - fresh random secrets, so a run never signs with a developer's keys;
/// - `ALLOW_REGION_OVERRIDE=1`: clients choose their region with `X-Inplay-Region`;
/// - `ALLOW_TEST_ROUTES=1`: relay faults and the hub's bet batch (`inplay load --fault relay`,
///   `inplay bench hub`);
/// - `READ_CACHE_MS=0` and a read limit out of reach: the tool compares every socket with the head
///   it reads, so that read must be exact and never refused;
/// - `METRICS_REPORT_MS=1000`: hubs report their counters to `GET /metrics` every second.
pub fn harness_vars() -> Result<HashMap<String, String>> {
    let mut vars = HashMap::new();
    for k in [
        "FEED_SECRET_PRIMARY",
        "FEED_SECRET_BACKUP",
        "TOKEN_SECRET",
        "ADMIN_TOKEN",
    ] {
        vars.insert(k.to_string(), random_hex()?);
    }
    for (k, v) in [
        ("ALLOW_REGION_OVERRIDE", "1"),
        ("ALLOW_TEST_ROUTES", "1"),
        ("READ_CACHE_MS", "0"),
        ("READ_RATE_BURST", "1000000"),
        ("READ_RATE_PER_SEC", "1000000"),
        ("METRICS_REPORT_MS", "1000"),
    ] {
        vars.insert(k.to_string(), v.to_string());
    }
    Ok(vars)
}

/// The repository root: where `node_modules/.bin/wrangler` and `wrangler.toml` are.
pub fn repo_root() -> Result<PathBuf> {
    let mut dir = std::env::current_dir()?;
    loop {
        if dir.join("wrangler.toml").is_file() && dir.join("node_modules/.bin/wrangler").exists() {
            return Ok(dir);
        }
        if !dir.pop() {
            bail!(
                "run this from the repository (no wrangler.toml with node_modules/.bin/wrangler above the working directory; run scripts/setup.sh)"
            );
        }
    }
}

/// A copy of the built worker and the page, and a wrangler.toml for them without the `[build]` step:
/// the run serves exactly what it started with, and other work on the tree (an engine edit, a
/// rebuild of the worker or the page) neither rebuilds nor reloads it mid-measurement.
fn write_isolated_config(root: &Path, persist: &Path) -> Result<()> {
    let run = persist.join("run");
    copy_dir(&root.join("edge/build"), &run.join("build"))?;
    let assets = run.join("assets");
    std::fs::create_dir_all(&assets)?;
    if root.join("www/dist").is_dir() {
        copy_dir(&root.join("www/dist"), &assets)?;
    }
    let original = std::fs::read_to_string(root.join("wrangler.toml"))?;
    let mut out = String::new();
    let mut in_build = false;
    for line in original.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            in_build = t == "[build]";
        }
        if in_build {
            continue;
        }
        if t.starts_with("main =") {
            out.push_str("main = \"build/index.js\"\n");
        } else if t.starts_with("directory =") {
            out.push_str(&format!("directory = {:?}\n", assets.display().to_string()));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    std::fs::write(run.join("wrangler.toml"), out)?;
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

impl DevServer {
    /// Starts wrangler dev with `vars` (secrets and knobs) on a free port.
    pub async fn start(vars: HashMap<String, String>) -> Result<DevServer> {
        let root = repo_root()?;
        for needed in ["edge/build/index.js", "edge/build/index_bg.wasm"] {
            if !root.join(needed).is_file() {
                bail!("{needed} is missing: build the worker first (npm run build:edge)");
            }
        }
        std::fs::create_dir_all(root.join("www/dist"))?;
        let persist = std::env::temp_dir().join(format!("inplay-load-{}", &random_hex()?[..12]));
        let log = persist.with_extension("log");
        write_isolated_config(&root, &persist)?;
        let mut s = DevServer {
            root,
            persist,
            port: free_port()?,
            vars,
            child: None,
            log,
        };
        s.spawn().await?;
        Ok(s)
    }

    /// The base URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The server's log file.
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    async fn spawn(&mut self) -> Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)?;
        let mut cmd = Command::new(self.root.join("node_modules/.bin/wrangler"));
        cmd.current_dir(&self.root)
            .args(["dev", "--ip", "127.0.0.1", "--port", &self.port.to_string()])
            .arg("--config")
            .arg(self.persist.join("run/wrangler.toml"))
            .arg("--persist-to")
            .arg(&self.persist)
            // A fixed inspector port lets a profiler attach to the run (scripts/profile-worker.mjs).
            .args([
                "--inspector-port",
                &match std::env::var("INPLAY_INSPECTOR_PORT") {
                    Ok(p) => p,
                    Err(_) => free_port()?.to_string(),
                },
            ])
            .arg("--show-interactive-dev-session=false")
            .env("INPLAY_EDGE_PREBUILT", "1")
            .env("WRANGLER_SEND_METRICS", "false")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            // Its own process group, so stop() reaches workerd too.
            .process_group(0);
        for (k, v) in &self.vars {
            cmd.arg("--var").arg(format!("{k}:{v}"));
        }
        self.child = Some(cmd.spawn().context("cannot start wrangler dev")?);
        Http::new(&self.url())?
            .wait_healthy(Duration::from_secs(90))
            .await
            .with_context(|| format!("wrangler dev did not start; see {}", self.log.display()))
    }

    /// Stops the whole process group (wrangler and its workerd).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let group = format!("-{}", child.id());
            let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
            for _ in 0..50 {
                if matches!(child.try_wait(), Ok(Some(_))) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
            let _ = child.wait();
        }
    }

    /// The Worker's own entry socket inside `wrangler dev`, behind wrangler's dev proxy. The proxy
    /// (a second workerd) holds about six file descriptors per WebSocket, so under this machine's
    /// 20 000-descriptor limit it stops accepting near 3 300 sockets; the Worker's entry holds one.
    /// Found by probing the loopback ports the wrangler process tree listens on (`ss -ltnp`).
    pub async fn inner_url(&self) -> Result<String> {
        let root = self
            .child
            .as_ref()
            .map(|c| c.id())
            .context("server not running")?;
        let mut family = vec![root];
        let mut grew = true;
        while grew {
            grew = false;
            for entry in std::fs::read_dir("/proc")?.flatten() {
                let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                    continue;
                };
                let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                    continue;
                };
                // The parent pid is the 2nd field after the parenthesised command name.
                let ppid = stat
                    .rsplit_once(')')
                    .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                    .and_then(|p| p.parse::<u32>().ok());
                if ppid.is_some_and(|pp| family.contains(&pp)) && !family.contains(&pid) {
                    family.push(pid);
                    grew = true;
                }
            }
        }
        let ss = Command::new("ss")
            .arg("-ltnpH")
            .output()
            .context("ss (iproute2) is needed for --direct")?;
        let text = String::from_utf8_lossy(&ss.stdout);
        let mut ports = Vec::new();
        for line in text.lines() {
            if !family.iter().any(|p| line.contains(&format!("pid={p},"))) {
                continue;
            }
            if let Some(port) = line
                .split_whitespace()
                .nth(3)
                .and_then(|addr| addr.strip_prefix("127.0.0.1:"))
                .and_then(|p| p.parse::<u16>().ok())
                && port != self.port
            {
                ports.push(port);
            }
        }
        for port in ports {
            let url = format!("http://127.0.0.1:{port}");
            if let Ok(a) = Http::new(&url)?.get("/healthz").await
                && a.status == 200
                && a.json().get("status").and_then(|s| s.as_str()) == Some("ok")
            {
                return Ok(url);
            }
        }
        bail!("could not find the worker's entry socket behind wrangler's proxy")
    }

    /// Kills the server and starts it again on the same port with the same state.
    pub async fn restart(&mut self) -> Result<()> {
        self.stop();
        self.spawn().await
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.persist);
    }
}
