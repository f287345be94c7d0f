#!/usr/bin/env node
// Builds @inplay/engine into dist/ three times: the full package; in dist/live/ the `live` entry
// (engine/wasm without its `tools` and `tennis` features: a football page's needs, within the 60 KB
// budget); in dist/tennis/ the `tennis` entry (the live entry plus tennis pricing, for a page that
// shows tennis). Each is the inplay-wasm crate
// for wasm32, wasm-bindgen (web target: an ESM glue whose init takes a module or URL, shared by every
// host entry), wasm-opt -Oz from npm binaryen, then the hand-written entries. Prints each shipped
// .wasm's size raw, gzip and brotli.
//
// Never downloads anything: a missing or mismatched tool stops the build with the command that
// installs it (the repo's setup step installs them).
//
//   node build.mjs            release build (what npm publishes and the tests import)
//   node build.mjs --no-opt   skip wasm-opt (to measure what it saves)

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const dist = join(here, 'dist');
const optimise = !process.argv.includes('--no-opt');

function die(message) {
  console.error(`build: ${message}`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  try {
    execFileSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  } catch {
    die(`${cmd} ${args.join(' ')} failed`);
  }
}

function lockedVersion(name) {
  const lock = readFileSync(join(root, 'Cargo.lock'), 'utf8');
  const m = lock.match(new RegExp(`name = "${name}"\\nversion = "([^"]+)"`));
  return m ? m[1] : null;
}

// The wasm-bindgen CLI must equal the crate in Cargo.lock exactly, or the glue does not match the wasm.
const wantBindgen = lockedVersion('wasm-bindgen') ?? die('no wasm-bindgen in Cargo.lock');
const bindgen = process.env.WASM_BINDGEN_BIN ?? 'wasm-bindgen';
let haveBindgen;
try {
  haveBindgen = execFileSync(bindgen, ['--version'], { encoding: 'utf8' }).trim().split(/\s+/)[1];
} catch {
  die(`wasm-bindgen missing: cargo install wasm-bindgen-cli --version ${wantBindgen}`);
}
if (haveBindgen !== wantBindgen) {
  die(`wasm-bindgen ${haveBindgen} but Cargo.lock has ${wantBindgen}: cargo install wasm-bindgen-cli --version ${wantBindgen} --force`);
}

// npm binaryen is the only wasm-opt new enough for wasm-bindgen 0.2.130 output (Debian's is too old).
const wasmOpt = [join(here, 'node_modules', '.bin', 'wasm-opt'), join(root, 'node_modules', '.bin', 'wasm-opt')].find(existsSync);
if (optimise && !wasmOpt) die('wasm-opt missing: run `npm ci` at the repo root (devDependency binaryen)');

const t0 = Date.now();
const targetDir = process.env.CARGO_TARGET_DIR ?? join(root, 'target');
const built = join(targetDir, 'wasm32-unknown-unknown', 'release', 'inplay_wasm.wasm');
const pkg = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const LIMIT_GZIP = 60 * 1024;

rmSync(dist, { recursive: true, force: true });

/**
 * One build of the package into `out`: the inplay-wasm crate with `cargoFlags`, wasm-bindgen,
 * wasm-opt, then the hand-written JS (`js`, from src/ or src/live/, plus the shared files).
 */
function build(out, cargoFlags, entries, sports) {
  run('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown', '-p', 'inplay-wasm', ...cargoFlags]);
  if (!existsSync(built)) die(`cargo produced no ${built}`);
  mkdirSync(out, { recursive: true });
  // --omit-default-module-path: the glue must not reference the .wasm itself; each entry says where it is.
  run(bindgen, ['--target', 'web', '--omit-default-module-path', '--no-typescript', '--out-dir', out, '--out-name', 'inplay_wasm', built]);

  const wasm = join(out, 'inplay_wasm_bg.wasm');
  const unoptimised = statSync(wasm).size;
  if (optimise) {
    // Features rustc enables by default for wasm32-unknown-unknown; wasm-opt must know it may keep them.
    run(wasmOpt, [
      // Serde's per-type copies often differ only in constants: merging them first, then -Oz
      // repeated while it still shrinks the module, each save a few hundred bytes.
      '--merge-similar-functions', '-Oz', '--converge', '--strip-debug', '--strip-producers',
      '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
      '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue',
      wasm, '-o', wasm,
    ]);
  }
  for (const [from, to] of entries) copyFileSync(join(here, 'src', from), join(out, to));
  const internal = join(out, 'internal.js');
  writeFileSync(
    internal,
    readFileSync(internal, 'utf8').replace('__INPLAY_VERSION__', pkg.version).replace('__INPLAY_SPORTS__', sports.join(',')),
  );

  const bytes = readFileSync(wasm);
  const gz = gzipSync(bytes, { level: 9 }).length;
  const br = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  const glue = statSync(join(out, 'inplay_wasm.js')).size + statSync(internal).size;
  const name = join('dist', out.slice(dist.length), 'inplay_wasm_bg.wasm');
  console.log(
    `build: ${name} raw ${bytes.length} B (${kib(bytes.length)}), gzip -9 ${gz} B (${kib(gz)}), brotli ${br} B (${kib(br)})` +
      (optimise ? `; before wasm-opt ${unoptimised} B` : '; wasm-opt skipped') +
      `; JS glue ${glue} B`,
  );
  if (gz > LIMIT_GZIP) console.warn(`build: WARNING ${name}: gzipped ${kib(gz)} is over the ${kib(LIMIT_GZIP)} budget`);
}

const shared = ['internal.js', 'api.js'].map((f) => [f, f]);
const hosts = ['node.js', 'browser.js', 'workerd.js'];
// The full package: every function.
build(dist, [], [...shared, ['tools.js', 'tools.js'], ...hosts.map((f) => [f, f]), ['index.d.ts', 'index.d.ts'], ['live.d.ts', 'live.d.ts']], ['football', 'tennis']);
// `@inplay/engine/live`: without the modelling functions (engine/wasm's `tools` feature) and tennis.
build(join(dist, 'live'), ['--no-default-features'], [...shared, ...hosts.map((f) => [join('live', f), f])], ['football']);
// `@inplay/engine/tennis`: the live entry with tennis (the same host files, over its own wasm).
build(join(dist, 'tennis'), ['--no-default-features', '--features', 'tennis'], [...shared, ...hosts.map((f) => [join('live', f), f])], ['football', 'tennis']);
console.log(`build: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
