// End-to-end harness: a real `wrangler dev` (local workerd) on a free loopback port, with a fresh
// persistence directory, driven over HTTP and WebSockets. Nothing here talks to anything but 127.0.0.1.
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Poll `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function until(fn, { timeoutMs = 10_000, everyMs = 50, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/**
 * Secrets and knobs for one test run. Random per run; passed to wrangler with --var so the tests do not
 * depend on (or disturb) a developer's .dev.vars.
 */
export function testVars(overrides = {}) {
  return {
    FEED_SECRET_PRIMARY: randomBytes(32).toString('hex'),
    FEED_SECRET_BACKUP: randomBytes(32).toString('hex'),
    TOKEN_SECRET: randomBytes(32).toString('hex'),
    ADMIN_TOKEN: randomBytes(32).toString('hex'),
    ALLOW_REGION_OVERRIDE: '1',
    RELAY_SHARDS: '1',
    HEARTBEAT_MS: '1000',
    FEED_STALE_MS: '2500',
    // Hubs report their counters to the catalog this often (GET /metrics reads the catalog).
    METRICS_REPORT_MS: '100',
    // The tests read their own writes at once; the read cache is tested natively (read_cache.rs).
    READ_CACHE_MS: '0',
    READ_RATE_BURST: '1000',
    READ_RATE_PER_SEC: '1000',
    ...overrides,
  };
}

/** One `wrangler dev` process; `stop()` ends its whole process group (wrangler + workerd). */
export class DevServer {
  constructor({ vars, persistDir = mkdtempSync(join(tmpdir(), 'inplay-e2e-')) }) {
    this.vars = vars;
    this.persistDir = persistDir;
    this.proc = null;
    this.log = '';
  }

  async start() {
    this.port = await freePort();
    this.base = `http://127.0.0.1:${this.port}`;
    const args = ['dev', '--port', String(this.port), '--ip', '127.0.0.1', '--persist-to', this.persistDir,
      '--inspector-port', String(await freePort()), '--show-interactive-dev-session=false'];
    for (const [k, v] of Object.entries(this.vars)) args.push('--var', `${k}:${v}`);
    const started = Date.now();
    this.proc = spawn(join(ROOT, 'node_modules', '.bin', 'wrangler'), args, {
      cwd: ROOT,
      detached: true, // own process group, so stop() reaches workerd too
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        // The worker is built once before the suite (npm run test:edge); don't rebuild per start.
        INPLAY_EDGE_PREBUILT: '1',
        WRANGLER_SEND_METRICS: 'false',
        WRANGLER_LOG: 'info',
        NO_COLOR: '1',
      },
    });
    const append = (d) => { this.log += d.toString(); if (process.env.E2E_VERBOSE) process.stderr.write(d); };
    this.proc.stdout.on('data', append);
    this.proc.stderr.on('data', append);
    const exited = new Promise((resolve) => this.proc.once('exit', resolve));
    this.exited = exited;
    await Promise.race([
      until(async () => {
        try {
          const r = await fetch(`${this.base}/healthz`, { signal: AbortSignal.timeout(1000) });
          return r.ok;
        } catch { return false; }
      }, { timeoutMs: 60_000, everyMs: 200, what: 'wrangler dev to answer /healthz' }),
      exited.then((code) => { throw new Error(`wrangler exited (${code}) before it was ready:\n${this.log}`); }),
    ]);
    this.startupMs = Date.now() - started;
    return this;
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    const pgid = this.proc.pid;
    try { process.kill(-pgid, 'SIGTERM'); } catch { /* already gone */ }
    const timer = setTimeout(() => { try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
    await this.exited;
    clearTimeout(timer);
    // workerd may outlive wrangler for a moment; make sure the group is gone.
    try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone */ }
    this.proc = null;
  }

  cleanup() {
    rmSync(this.persistDir, { recursive: true, force: true });
  }
}

/** HTTP client for the API with the run's secrets. */
export class Api {
  constructor(server) {
    this.server = server;
    this.vars = server.vars;
  }

  get base() { return this.server.base; }

  async request(method, path, { body, headers = {}, raw = false } = {}) {
    const init = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
      if (!init.headers['content-type']) init.headers['content-type'] = 'application/json';
    }
    const r = await fetch(`${this.base}${path}`, { ...init, signal: AbortSignal.timeout(15_000) });
    const text = await r.text();
    if (raw) return { status: r.status, text, headers: r.headers };
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: r.status, json, text, headers: r.headers };
  }

  admin() { return { authorization: `Bearer ${this.vars.ADMIN_TOKEN}` }; }

  /** Sign a feed body as `source`. */
  sign(body, { source = 'primary', ts = Date.now(), secret } = {}) {
    const key = secret ?? (source === 'primary' ? this.vars.FEED_SECRET_PRIMARY : this.vars.FEED_SECRET_BACKUP);
    const sig = createHmac('sha256', key).update(`${ts}.${body}`).digest('hex');
    return { 'x-inplay-source': source, 'x-inplay-timestamp': String(ts), 'x-inplay-signature': sig, 'content-type': 'application/json' };
  }

  /** POST events to /v1/feed, signed. */
  async feed(events, opts = {}) {
    const body = JSON.stringify(events);
    return this.request('POST', '/v1/feed', { body, headers: this.sign(body, opts) });
  }

  /** A user token under the current key (`TOKEN_KID`, default k1), or `{ secret, kid }`. */
  token(user, ttlMs = 3_600_000, { secret = this.vars.TOKEN_SECRET, kid = this.vars.TOKEN_KID ?? 'k1' } = {}) {
    const claims = `${user}.${Date.now() + ttlMs}.${kid}`;
    return `${claims}.${createHmac('sha256', secret).update(claims).digest('hex')}`;
  }

  /** `GET /metrics` (admin): the counters hubs last reported to the catalog. */
  async metrics() {
    const r = await this.request('GET', '/metrics', { raw: true, headers: this.admin() });
    if (r.status !== 200) throw new Error(`GET /metrics: ${r.status} ${r.text}`);
    return parseProm(r.text);
  }
}

/** Prometheus text → Map of `name{labels}` → number. */
export function parseProm(text) {
  const m = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    m.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return m;
}

/** Per-source feed sequence and event builder for one match. */
export class Feed {
  constructor(api, eventId) {
    this.api = api;
    this.eventId = eventId;
    this.seq = { primary: 0, backup: 0 };
    this.kickoffAt = null;
  }

  /** Match clock: real time since the first kickoff this feed sent. */
  clock() {
    return this.kickoffAt === null ? 0 : Date.now() - this.kickoffAt;
  }

  event(source, kind, extra = {}) {
    this.seq[source] += 1;
    if (kind === 'kickoff' && this.kickoffAt === null) this.kickoffAt = Date.now();
    return { event_id: this.eventId, source, seq: this.seq[source], ts: Date.now(), kind, clock_ms: this.clock(), ...extra };
  }

  /** Send one event from one source. */
  async one(source, kind, extra = {}) {
    const r = await this.api.feed(this.event(source, kind, extra), { source });
    if (r.status !== 200) throw new Error(`feed ${kind} from ${source}: ${r.status} ${r.text}`);
    return r.json.results[0];
  }

  /** Both sources report the same thing. */
  async both(kind, extra = {}) {
    const a = await this.one('primary', kind, extra);
    const b = await this.one('backup', kind, extra);
    return [a, b];
  }
}

/**
 * Both sources of one tennis match, every point by number, winner and server (the server as the
 * engine has it). With `{ taken: true }` every event must be taken (accepted, or a duplicate of the
 * other source's report): a refusal fails the test at once.
 */
export class TennisFeed {
  constructor(api, eventId, { taken = false } = {}) {
    this.api = api;
    this.eventId = eventId;
    this.taken = taken;
    this.seq = { primary: 0, backup: 0 };
    /** Points reported so far (the next point's number less one). */
    this.points = 0;
  }

  /** One event from one source; its result. */
  async send(source, kind, extra = {}) {
    this.seq[source] += 1;
    const event = { event_id: this.eventId, source, seq: this.seq[source], ts: Date.now(), kind, ...extra };
    const r = await this.api.feed(event, { source });
    if (r.status !== 200) throw new Error(`feed ${kind} from ${source}: ${r.status} ${r.text}`);
    const result = r.json.results[0];
    if (this.taken && result.result !== 'accepted' && result.result !== 'duplicate') {
      throw new Error(`feed ${kind} from ${source} refused: ${JSON.stringify(result)}`);
    }
    return result;
  }

  /** Both sources report the same thing; their results. */
  async both(kind, extra = {}) {
    return [await this.send('primary', kind, extra), await this.send('backup', kind, extra)];
  }

  /** Who serves the next point, as the engine has it. */
  async server() {
    const r = await this.api.request('GET', `/v1/events/${this.eventId}`);
    if (r.status !== 200) throw new Error(`GET /v1/events/${this.eventId}: ${r.status} ${r.text}`);
    return r.json.snapshot.image.server;
  }

  /** The next point, won by `winner`, from `sources`; their results. */
  async point(winner, sources = ['primary', 'backup']) {
    const server = await this.server();
    this.points += 1;
    const out = [];
    for (const s of sources) out.push(await this.send(s, 'point', { point: this.points, winner, server }));
    return out;
  }

  /** Points won by the server (`S`) or the returner (`R`), both sources reporting each. */
  async play(pattern) {
    for (const c of pattern) {
      const server = await this.server();
      await this.point(c === 'S' ? server : server === 'a' ? 'b' : 'a');
    }
  }
}

/** A WebSocket client that records every frame, decoded (JSON) or raw (binary). */
export class Client {
  constructor(url, headers = {}, protocols = undefined) {
    this.frames = [];
    this.waiters = [];
    this.ws = protocols ? new WebSocket(url, protocols, { headers }) : new WebSocket(url, { headers });
    this.ws.on('message', (data, isBinary) => {
      const frame = isBinary ? { binary: true, kind: data[0], bytes: data } : JSON.parse(data.toString());
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => !w());
    });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d) => { body += d; });
        res.on('end', () => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode} ${body}`), { status: res.statusCode, body })));
      });
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => this.ws.once('close', resolve));
  }

  /**
   * Opens a socket on a match. A token goes as the subprotocol `bearer.<token>` beside
   * `inplay.v1` (as the page sends it), or with `tokenInUrl` as the deprecated `?token=`.
   */
  static async open(api, eventId, { region = 'weur', format = 'json', since, token, client, tokenInUrl = false } = {}) {
    const q = new URLSearchParams();
    if (format) q.set('format', format);
    if (since) q.set('since', since);
    if (token && tokenInUrl) q.set('token', token);
    if (client) q.set('client', client);
    const url = `${api.base.replace('http', 'ws')}/v1/events/${eventId}/live?${q}`;
    const protocols = token && !tokenInUrl ? ['inplay.v1', `bearer.${token}`] : undefined;
    const c = new Client(url, { 'x-inplay-region': region }, protocols);
    await c.opened;
    return c;
  }

  /** Wait for a frame matching `pred` at or after index `from`; resolves with it. */
  next(pred, { from = 0, timeoutMs = 10_000, what = 'frame' } = {}) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const f = this.frames.slice(from).find(pred);
        if (f) { clearTimeout(timer); resolve(f); return true; }
        return false;
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(this.frames.map((f) => f.type ?? `bin:${f.kind}`))}`));
      }, timeoutMs);
      if (!check()) this.waiters.push(check);
    });
  }

  deltas() { return this.frames.filter((f) => f.type === 'delta'); }

  lastVersion() {
    const vs = this.frames.filter((f) => f.version).map((f) => f.version);
    return vs.reduce((a, b) => (b.epoch > a.epoch || (b.epoch === a.epoch && b.seq > a.seq) ? b : a), vs[0]);
  }

  async close() {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
    await Promise.race([this.closed, sleep(2000)]);
    this.ws.terminate();
  }
}
