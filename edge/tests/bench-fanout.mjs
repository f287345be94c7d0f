// Fan-out figure on local workerd: N sockets over two regions, U updates, delivery latency from just
// before the admin request that makes each update to its receipt on every socket.
//   node edge/tests/bench-fanout.mjs [sockets=400] [updates=30]
// (Build first: npm run build:edge.) Loopback only; bounded in count and time.
import { Api, Client, DevServer, sleep, testVars } from './harness.mjs';

const sockets = Number(process.argv[2] ?? 400);
const updates = Number(process.argv[3] ?? 30);
const server = await new DevServer({ vars: testVars({ RELAY_SHARDS: '2', HEARTBEAT_MS: '5000' }) }).start();
const api = new Api(server);
try {
  const opening = { event_id: 'bench', fixture: { home: 'A', away: 'B', kickoff_ms: Date.now() }, params: { home_xg: 1.5, away_xg: 1.2 }, config: { stale_after_ms: 600_000 } };
  const r = await api.request('POST', '/v1/events', { body: opening, headers: api.admin() });
  if (r.status !== 201) throw new Error(r.text);
  const clients = [];
  const t0 = Date.now();
  for (let i = 0; i < sockets; i += 50) {
    const batch = [];
    for (let j = i; j < Math.min(i + 50, sockets); j++) {
      batch.push(Client.open(api, 'bench', { region: j % 2 ? 'weur' : 'enam', client: `c${j}` }));
    }
    clients.push(...await Promise.all(batch));
  }
  console.log(`${sockets} sockets open in ${Date.now() - t0} ms`);
  await Promise.all(clients.map((c) => c.next((f) => f.type === 'heartbeat')));
  const startSeq = (await api.request('GET', '/v1/events/bench')).json.version.seq;
  const sentAt = new Map();
  const lat = [];
  for (let u = 1; u <= updates; u++) {
    sentAt.set(startSeq + u, Date.now());
    const x = await api.request('POST', `/v1/events/bench/${u % 2 ? 'suspend' : 'resume'}`, { headers: api.admin() });
    if (x.status !== 200) throw new Error(x.text);
    await sleep(20);
  }
  // Measure precisely with a second pass: one update, time to the last socket.
  const seq = (await api.request('GET', '/v1/events/bench')).json.version.seq + 1;
  const waits = clients.map((c) => c.next((f) => f.type === 'delta' && f.version.seq === seq, { timeoutMs: 10_000 }).then(() => Date.now()));
  const t = Date.now();
  await api.request('POST', '/v1/events/bench/suspend', { headers: api.admin() });
  const done = await Promise.all(waits);
  for (const d of done) lat.push(d - t);
  let lost = 0; let disorder = 0;
  for (const c of clients) {
    const ds = c.frames.filter((f) => f.type === 'delta');
    lost += updates + 1 - ds.length;
    ds.forEach((d, i) => { if (i > 0 && d.version.seq !== ds[i - 1].version.seq + 1) disorder++; });
  }
  lat.sort((a, b) => a - b);
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
  const m = await api.metrics();
  const msgs = [...m.entries()].filter(([k]) => k.startsWith('inplay_relay_messages_total{event="bench"'));
  console.log(`updates ${updates + 1}, lost ${lost}, out of order ${disorder}`);
  console.log(`one update → all ${sockets} sockets: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${lat[lat.length - 1]} ms`);
  console.log(`hub → relay messages: ${msgs.map(([k, v]) => `${k.match(/relay="([^"]+)"/)[1]}=${v}`).join(', ')}; batches ${m.get('inplay_hub_batches_total{event="bench"}')}`);
  await Promise.all(clients.map((c) => c.close()));
} finally {
  await server.stop();
  server.cleanup();
}
