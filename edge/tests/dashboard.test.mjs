// The operators' dashboard is a claim about this worker: every metric the Grafana dashboard
// (ops/grafana/inplay.json) queries, with the labels it groups and filters by, is one the worker
// emits. Here a real worker plays a little match (feed, a goal, bets, a socket, a failing relay, a
// refused request), is scraped the way ops/prometheus.yml says (path, bearer METRICS_TOKEN), and
// each query's metrics are looked up in what it answered. A renamed metric or label fails here.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { Api, Client, DevServer, Feed, ROOT, sleep, testVars, until } from './harness.mjs';

const dashboard = JSON.parse(readFileSync(join(ROOT, 'ops', 'grafana', 'inplay.json'), 'utf8'));
const scrapeConfig = readFileSync(join(ROOT, 'ops', 'prometheus.yml'), 'utf8');

/**
 * Counters that move only when something fails that this run cannot make fail (a storage write, an
 * alarm): checked against the source that emits them instead of a scrape.
 */
const ONLY_ON_FAILURE = new Map([
  ['inplay_hub_store_failures_total', 'edge/src/hub/mod.rs'],
  ['inplay_hub_alarm_failures_total', 'edge/src/hub/mod.rs'],
]);

/** Labels made by the query itself, not by the worker. */
const DERIVED_LABELS = new Set(['le', 'region']);

let server;
let api;
const vars = testVars({
  METRICS_TOKEN: randomBytes(16).toString('hex'),
  // A relay can be made to fail (the fault route), and checkpoints come often.
  ALLOW_TEST_ROUTES: '1',
  CHECKPOINT_EVERY: '5',
});

before(async () => {
  server = await new DevServer({ vars }).start();
  api = new Api(server);
});

after(async () => {
  await server?.stop();
  server?.cleanup();
});

/** Every PromQL expression of the dashboard, with its panel's title. */
function queries() {
  const out = [];
  for (const p of dashboard.panels) for (const t of p.targets ?? []) out.push({ panel: p.title, expr: t.expr });
  for (const v of dashboard.templating.list) if (v.type === 'query') out.push({ panel: `variable ${v.name}`, expr: v.query.query ?? v.query });
  return out;
}

/** A family name from a sample or query name (`x_bucket` → `x` when `x` is a histogram). */
function family(name, families) {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (name.endsWith(suffix) && families.get(name.slice(0, -suffix.length))?.type === 'histogram') return name.slice(0, -suffix.length);
  }
  return name;
}

/** Prometheus text → family name → { type, labels: Set of label names seen, relays: relay label values }. */
function parseFamilies(text) {
  const families = new Map();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) families.set(type[1], { type: type[2], labels: new Set(), relays: new Set() });
  }
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? /.exec(line);
    assert.ok(m, `a sample line: ${line}`);
    const f = families.get(family(m[1], families));
    assert.ok(f, `sample ${m[1]} has a # TYPE`);
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)) {
      f.labels.add(l[1]);
      if (l[1] === 'relay') f.relays.add(l[2]);
    }
  }
  return families;
}

test('the dashboard is valid Grafana JSON: panels with ids, positions and Prometheus queries', () => {
  assert.equal(typeof dashboard.uid, 'string');
  assert.ok(dashboard.schemaVersion >= 36);
  const ids = dashboard.panels.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
  const graphs = dashboard.panels.filter((p) => p.type !== 'row');
  assert.ok(graphs.length >= 6);
  for (const p of graphs) {
    assert.ok(p.title && p.description, `panel ${p.id} has a title and a description`);
    assert.ok(p.gridPos.w > 0 && p.gridPos.w <= 24 && p.gridPos.x + p.gridPos.w <= 24, `${p.title} fits the grid`);
    assert.ok(p.targets.length > 0 && p.targets.every((t) => /\binplay_[a-z_]+/.test(t.expr)), `${p.title} queries inplay metrics`);
  }
  // The panels the issue asks for.
  const titles = graphs.map((p) => p.title).join(' | ');
  for (const want of [/Feed lag/, /Suspensions/, /Sockets per region/, /Bets per second by decision/, /Hub apply/, /Relay delivery/]) assert.match(titles, want);
});

test('every metric and label the dashboard queries is emitted by a running worker, scraped as ops/prometheus.yml says', async () => {
  // The scrape as configured: the path, and a bearer token (METRICS_TOKEN here).
  const path = /^\s*metrics_path:\s*(\S+)\s*$/m.exec(scrapeConfig)?.[1];
  assert.equal(path, '/metrics');
  assert.match(scrapeConfig, /authorization:\s*\n\s*type:\s*Bearer/);
  const scrape = (token) => api.request('GET', path, { raw: true, headers: token ? { authorization: `Bearer ${token}` } : {} });
  assert.equal((await scrape(null)).status, 401, 'no token, no metrics');
  assert.equal((await scrape('wrong')).status, 403);

  // A little match: a bettor's socket (a relay), both feeds, a goal (a suspension), bets through the
  // delay (decisions and their latency), a relay that fails for a while, a refused request.
  const opening = {
    event_id: 'g1',
    fixture: { home: 'Home', away: 'Away', kickoff_ms: Date.now() },
    params: { home_xg: 1.5, away_xg: 1.1 },
    trading: { bet_delay_ms: 300 },
    config: { cool_off_ms: 300, stale_after_ms: 120_000 },
  };
  assert.equal((await api.request('POST', '/v1/events', { body: opening, headers: api.admin() })).status, 201);
  const socket = await Client.open(api, 'g1', { region: 'weur' });
  const feed = new Feed(api, 'g1');
  await feed.both('kickoff');
  for (let i = 0; i < 3; i++) await feed.both('heartbeat');
  const e = (await api.request('GET', '/v1/events/g1')).json;
  const odds = e.prices.markets.find((m) => m.key === '1x2').selections.find((s) => s.key === 'home').odds;
  for (const [i, stake] of [500, 700].entries()) {
    const bet = { market: '1x2', selection: 'home', stake, price: odds, seen_version: e.version, policy: 'any' };
    const r = await api.request('POST', '/v1/events/g1/bets', { body: bet, headers: { authorization: `Bearer ${api.token(`u${i}`)}`, 'idempotency-key': `k${i}` } });
    assert.ok([200, 202].includes(r.status), r.text);
  }
  await sleep(400); // the delay: the pending bets are decided
  await feed.both('goal', { team: 'home' });
  const fault = await api.request('POST', '/v1/events/g1/faults', { body: { relay: 'weur/0', fail_for_ms: 1500 }, headers: api.admin() });
  assert.equal(fault.status, 200, fault.text);
  await feed.both('heartbeat'); // an update the failing relay refuses
  assert.equal((await api.request('GET', '/v1/events/g1/log')).status, 401); // refused: admin_required

  const wanted = new Set();
  for (const { expr } of queries()) for (const m of expr.matchAll(/\binplay_[a-z0-9_]+/g)) wanted.add(m[0]);
  let families;
  await until(async () => {
    const r = await scrape(vars.METRICS_TOKEN);
    assert.equal(r.status, 200, r.text);
    families = parseFamilies(r.text);
    return [...wanted].every((n) => ONLY_ON_FAILURE.has(n) || families.has(family(n, families)));
  }, { timeoutMs: 15_000, everyMs: 250, what: 'every dashboard metric in /metrics' }).catch((err) => {
    const missing = [...wanted].filter((n) => !ONLY_ON_FAILURE.has(n) && !families?.has(family(n, families)));
    throw new Error(`${err.message}\nmissing: ${missing.join(', ')}`);
  });
  await socket.close();

  for (const [name, file] of ONLY_ON_FAILURE) {
    if (!wanted.has(name)) continue;
    assert.ok(readFileSync(join(ROOT, file), 'utf8').includes(`"${name}"`), `${name} is emitted by ${file}`);
  }

  // Each query: its metrics exist, and the labels it filters and groups by are theirs.
  const checked = [];
  for (const { panel, expr } of queries()) {
    const names = [...expr.matchAll(/\b(inplay_[a-z0-9_]+)(\{([^}]*)\})?/g)];
    const seen = names.filter(([, n]) => !ONLY_ON_FAILURE.has(n)).map(([, n, , sel]) => ({ f: families.get(family(n, families)), n, sel }));
    for (const { f, n, sel } of seen) {
      assert.ok(f, `${panel}: ${n} is emitted`);
      for (const [, label] of (sel ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)) {
        assert.ok(f.labels.has(label), `${panel}: ${n} has label ${label} (has ${[...f.labels].join(', ')})`);
      }
    }
    // Labels of a failure-only counter are read from the code that counts it.
    const failureOnly = names.map(([, n]) => ONLY_ON_FAILURE.get(n)).filter(Boolean);
    for (const [, list] of expr.matchAll(/\bby\s*\(([^)]*)\)/g)) {
      for (const label of list.split(',').map((s) => s.trim()).filter((l) => l && !DERIVED_LABELS.has(l))) {
        const ok = seen.some(({ f }) => f.labels.has(label)) || failureOnly.some((file) => readFileSync(join(ROOT, file), 'utf8').includes(`("${label}", `));
        assert.ok(ok, `${panel}: grouped by ${label}, a label of ${names.map(([, n]) => n).join(' or ')}`);
      }
    }
    // A region read out of a label (label_replace) must come out of the worker's values: the
    // relay names this run made are g1/weur/<shard>.
    for (const [, metric, dst, src, regex] of expr.matchAll(/label_replace\((inplay_[a-z0-9_]+)\{[^}]*\}, "(\w+)", "\$1", "(\w+)", "([^"]+)"\)/g)) {
      const values = [...(families.get(metric)?.[`${src}s`] ?? [])];
      assert.ok(values.length > 0, `${panel}: ${metric} has ${src} values`);
      for (const v of values) assert.equal(new RegExp(`^(?:${regex})$`).exec(v)?.[1], 'weur', `${panel}: ${dst} read from ${src}="${v}"`);
    }
    checked.push(panel);
  }
  console.log(`# ${wanted.size} metrics in ${checked.length} queries checked against /metrics`);
});
