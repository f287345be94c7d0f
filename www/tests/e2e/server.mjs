// The real worker on local workerd for the page tests: the edge suite's harness (wrangler dev, signed
// feed, admin and token helpers), plus a restart on the *same* port, because the page under test keeps
// its origin and must find the server there again when it comes back.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

import { DevServer, ROOT, freePort, until } from '../../../edge/tests/harness.mjs';

export { Api, ROOT, TennisFeed, sleep, testVars, until } from '../../../edge/tests/harness.mjs';

/**
 * A data provider's feed for one match, with the match clock set by the test (so a test can play the
 * 87th minute or full time now) and every event checked to be taken.
 */
export class Feed {
  constructor(api, eventId) {
    this.api = api;
    this.eventId = eventId;
    this.seq = { primary: 0, backup: 0 };
    /** Match clock sent with each event, ms. */
    this.clockMs = 0;
  }

  /** One event from one source; refused events fail the test at once. */
  async send(source, kind, extra = {}) {
    this.seq[source] += 1;
    const event = { event_id: this.eventId, source, seq: this.seq[source], ts: Date.now(), kind, clock_ms: this.clockMs, ...extra };
    const r = await this.api.feed(event, { source });
    if (r.status !== 200) throw new Error(`feed ${kind} from ${source}: ${r.status} ${r.text}`);
    const result = r.json.results[0];
    if (result.result !== 'accepted' && result.result !== 'duplicate') {
      throw new Error(`feed ${kind} from ${source} refused: ${JSON.stringify(result)}`);
    }
    return result;
  }

  /** Both sources report the same thing. */
  async both(kind, extra = {}) {
    return [await this.send('primary', kind, extra), await this.send('backup', kind, extra)];
  }
}

export class PageServer extends DevServer {
  /** Starts wrangler dev; on a restart, on the port it had before. */
  async start() {
    this.port ??= await freePort();
    this.base = `http://127.0.0.1:${this.port}`;
    const args = ['dev', '--port', String(this.port), '--ip', '127.0.0.1', '--persist-to', this.persistDir,
      '--inspector-port', String(await freePort()), '--show-interactive-dev-session=false'];
    for (const [k, v] of Object.entries(this.vars)) args.push('--var', `${k}:${v}`);
    const started = Date.now();
    this.log = '';
    this.proc = spawn(join(ROOT, 'node_modules', '.bin', 'wrangler'), args, {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, INPLAY_EDGE_PREBUILT: '1', WRANGLER_SEND_METRICS: 'false', WRANGLER_LOG: 'info', NO_COLOR: '1' },
    });
    const append = (d) => { this.log += d.toString(); if (process.env.E2E_VERBOSE) process.stderr.write(d); };
    this.proc.stdout.on('data', append);
    this.proc.stderr.on('data', append);
    this.exited = new Promise((resolve) => this.proc.once('exit', resolve));
    await Promise.race([
      until(async () => {
        try {
          return (await fetch(`${this.base}/healthz`, { signal: AbortSignal.timeout(1000) })).ok;
        } catch { return false; }
      }, { timeoutMs: 60_000, everyMs: 200, what: 'wrangler dev to answer /healthz' }),
      this.exited.then((code) => { throw new Error(`wrangler exited (${code}) before it was ready:\n${this.log}`); }),
    ]);
    this.startupMs = Date.now() - started;
    return this;
  }
}
