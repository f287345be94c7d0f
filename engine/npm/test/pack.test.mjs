// Packaging: what `npm pack` ships works where users put it. The tarball is installed into a scratch
// project under the system temp dir, then imported from Node ESM, built into a Vite page (and, where
// Chromium is installed, run in it), and bundled by wrangler for a Worker and run on local workerd
// (where the repo's npm root has wrangler). Needs `npm run build` first; nothing is downloaded.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const root = join(pkgDir, '..', '..');
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const bin = (name) => [join(pkgDir, 'node_modules', '.bin', name), join(root, 'node_modules', '.bin', name)].find(existsSync);
const env = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', WRANGLER_SEND_METRICS: 'false' };

let scratch;
let tarball;

before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'inplay-pack-'));
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: pkgDir, env, encoding: 'utf8' });
  const [info] = JSON.parse(out);
  tarball = join(scratch, info.filename);
  const files = info.files.map((f) => f.path).sort();
  assert.deepEqual(files, [
    'README.md', 'dist/api.js', 'dist/browser.js', 'dist/index.d.ts', 'dist/inplay_wasm.js',
    'dist/inplay_wasm_bg.wasm', 'dist/internal.js', 'dist/live.d.ts', 'dist/live/api.js',
    'dist/live/browser.js', 'dist/live/inplay_wasm.js', 'dist/live/inplay_wasm_bg.wasm',
    'dist/live/internal.js', 'dist/live/node.js', 'dist/live/workerd.js', 'dist/node.js',
    'dist/tennis/api.js', 'dist/tennis/browser.js', 'dist/tennis/inplay_wasm.js',
    'dist/tennis/inplay_wasm_bg.wasm', 'dist/tennis/internal.js', 'dist/tennis/node.js',
    'dist/tennis/workerd.js', 'dist/tools.js', 'dist/workerd.js', 'package.json',
  ]);
  const app = join(scratch, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, type: 'module' }));
  // The package has no dependencies, so installing the tarball needs no registry.
  execFileSync('npm', ['install', '--offline', '--no-package-lock', tarball], { cwd: app, env, stdio: 'pipe' });
});

after(() => {
  if (scratch && !process.env.INPLAY_KEEP_SCRATCH) rmSync(scratch, { recursive: true, force: true });
});

test('the tarball imports from Node ESM (node condition)', () => {
  const app = join(scratch, 'app');
  writeFileSync(
    join(app, 'check.mjs'),
    `import { priceFootball, LiveEvent, InplayError, version } from '@inplay/engine';
     const book = priceFootball({ home_xg: 1.6, away_xg: 1.1 });
     let code;
     try { priceFootball({ home_xg: 99, away_xg: 1 }); } catch (e) { code = e instanceof InplayError && e.code; }
     console.log(JSON.stringify({ version, first: book.markets[0].key, p: book.markets[0].selections[0].prob, code, live: typeof LiveEvent.fromSnapshot }));`,
  );
  const out = JSON.parse(execFileSync(process.execPath, ['check.mjs'], { cwd: app, encoding: 'utf8' }));
  assert.equal(out.version, pkg.version);
  assert.equal(out.first, '1x2');
  assert.ok(out.p > 0.4 && out.p < 0.6);
  assert.equal(out.code, 'invalid_params');
  assert.equal(out.live, 'function');

  // The live entry: the same live API, none of the modelling functions.
  writeFileSync(
    join(app, 'check-live.mjs'),
    `import * as live from '@inplay/engine/live';
     console.log(JSON.stringify({ version: live.version, live: typeof live.LiveEvent.fromSnapshot, price: typeof live.priceFootball, odds: live.formatOdds(2.5, 'fractional') }));`,
  );
  const lite = JSON.parse(execFileSync(process.execPath, ['check-live.mjs'], { cwd: app, encoding: 'utf8' }));
  assert.deepEqual(lite, { version: pkg.version, live: 'function', price: 'undefined', odds: '6/4' });
  // The tennis entry: the same live API over a wasm that also runs tennis.
  writeFileSync(
    join(app, 'check-tennis.mjs'),
    `import * as t from '@inplay/engine/tennis';
     console.log(JSON.stringify({ version: t.version, live: typeof t.LiveEvent.fromSnapshot, price: typeof t.priceTennis, sports: t.sports() }));`,
  );
  const tennis = JSON.parse(execFileSync(process.execPath, ['check-tennis.mjs'], { cwd: app, encoding: 'utf8' }));
  assert.deepEqual(tennis, { version: pkg.version, live: 'function', price: 'undefined', sports: ['football', 'tennis'] });
});

test('a Vite page builds with it (browser condition), and runs in Chromium when installed', async (t) => {
  const vite = bin('vite');
  if (!vite) return t.skip('vite not installed (npm ci)');
  const app = join(scratch, 'app');
  mkdirSync(join(app, 'page'), { recursive: true });
  writeFileSync(
    join(app, 'page', 'index.html'),
    '<!doctype html><html><head><meta charset="utf-8"><title>inplay</title></head><body><pre id="out">loading</pre><script type="module" src="./main.js"></script></body></html>',
  );
  writeFileSync(
    join(app, 'page', 'main.js'),
    `import { priceFootball, formatOdds } from '@inplay/engine';
     const home = priceFootball({ home_xg: 1.6, away_xg: 1.1 }, null, { margin: 0.05 }).markets[0].selections[0];
     document.getElementById('out').textContent = 'home ' + home.prob.toFixed(6) + ' ' + formatOdds(home.odds, 'fractional');`,
  );
  execFileSync(vite, ['build', '--logLevel', 'warn', 'page'], { cwd: app, env, stdio: 'pipe' });
  const dist = join(app, 'page', 'dist');
  const assets = readdirSync(join(dist, 'assets'));
  assert.ok(assets.some((f) => f.endsWith('.wasm')), `no .wasm asset in ${assets}`);
  const js = assets.filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(dist, 'assets', f), 'utf8')).join('\n');
  assert.ok(!js.includes('node:fs'), 'the browser bundle must not use the node entry');

  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(existsSync);
  if (!chromium) return t.skip('Chromium not installed: built but not run');
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
  const server = createServer((req, res) => {
    const path = join(dist, req.url === '/' ? 'index.html' : decodeURIComponent(req.url.split('?')[0]));
    if (!path.startsWith(dist) || !existsSync(path)) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${server.address().port}/`;
    const dom = await run(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--virtual-time-budget=10000', '--dump-dom', url], 60_000);
    assert.match(dom, /home 0\.\d{6} \d+\/\d+/, dom.slice(0, 500));
  } finally {
    server.close();
  }
});

test('a Worker bundles it with wrangler (workerd condition) and prices on local workerd', async (t) => {
  const wrangler = bin('wrangler');
  let Miniflare;
  try {
    ({ Miniflare } = await import(join(root, 'node_modules', 'miniflare', 'dist', 'src', 'index.js')));
  } catch {
    Miniflare = undefined;
  }
  if (!wrangler || !Miniflare) return t.skip('wrangler/miniflare not installed at the repo root (npm ci)');
  const app = join(scratch, 'app');
  mkdirSync(join(app, 'worker'), { recursive: true });
  writeFileSync(
    join(app, 'worker', 'index.js'),
    `import { priceFootball, version } from '@inplay/engine';
     export default {
       async fetch() {
         const book = priceFootball({ home_xg: 1.6, away_xg: 1.1 }, { score: { home: 1, away: 0 }, period: 'second_half', clock_ms: 3600000 });
         return Response.json({ version, home: book.markets[0].selections[0].prob });
       },
     };`,
  );
  writeFileSync(join(app, 'wrangler.toml'), 'name = "scratch"\nmain = "worker/index.js"\ncompatibility_date = "2026-04-01"\n');
  execFileSync(wrangler, ['deploy', '--dry-run', '--outdir', 'bundle'], { cwd: app, env, stdio: 'pipe' });
  const outputs = readdirSync(join(app, 'bundle'));
  const wasm = outputs.find((f) => f.endsWith('.wasm'));
  assert.ok(wasm, `wrangler did not emit the wasm module: ${outputs}`);
  const mf = new Miniflare({
    modules: [
      { type: 'ESModule', path: join(app, 'bundle', 'index.js') },
      { type: 'CompiledWasm', path: join(app, 'bundle', wasm) },
    ],
    modulesRoot: join(app, 'bundle'),
    compatibilityDate: '2026-04-01',
  });
  try {
    const res = await mf.dispatchFetch('http://localhost/');
    const body = await res.json();
    assert.equal(body.version, pkg.version);
    assert.ok(body.home > 0.7 && body.home < 0.95, JSON.stringify(body));
  } finally {
    await mf.dispose();
  }
});

function run(cmd, args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`${cmd} timed out\n${err}`));
    }, timeoutMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}\n${err}`));
    });
  });
}
