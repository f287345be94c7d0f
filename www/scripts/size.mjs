#!/usr/bin/env node
// Prints what a bettor downloads for the page (www/dist), raw and gzipped: the page's own JS, the
// engine package's JS glue and .wasm, CSS and HTML. The trading desk's chunk (`desk-view-*`, loaded
// only on `#/desk`) is counted apart: bettors never fetch it. The engine comes in two builds, each its
// glue and .wasm, loaded by the match's sport: a match downloads one, so each is counted apart too
// (the tennis build's glue says `football,tennis`, the package's `sports()`). The README quotes these.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = fileURLToPath(new URL('../dist', import.meta.url));

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else yield p;
  }
}

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const rows = [];
const totals = { js: [0, 0], wasm: [0, 0], css: [0, 0], html: [0, 0] };
const desk = [0, 0];
// Which .wasm each engine glue loads, and which glue is the tennis build's.
const engines = { football: [0, 0], tennis: [0, 0] };
const engineOf = new Map();
for (const p of files(dist)) {
  if (!/^browser-.*\.js$/.test(basename(p))) continue;
  const text = readFileSync(p, 'utf8');
  const sport = text.includes('football,tennis') ? 'tennis' : 'football';
  engineOf.set(basename(p), sport);
  for (const m of text.matchAll(/inplay_wasm_bg-[\w-]+\.wasm/g)) engineOf.set(m[0], sport);
}
for (const p of files(dist)) {
  const kind = p.endsWith('.wasm') ? 'wasm' : p.endsWith('.js') ? 'js' : p.endsWith('.css') ? 'css' : p.endsWith('.html') ? 'html' : null;
  if (!kind) continue;
  const bytes = readFileSync(p);
  const gz = gzipSync(bytes, { level: 9 }).length;
  rows.push([relative(dist, p), bytes.length, gz]);
  if (/^desk-view-/.test(basename(p))) {
    desk[0] += bytes.length;
    desk[1] += gz;
    continue;
  }
  const sport = engineOf.get(basename(p));
  if (sport) {
    engines[sport][0] += bytes.length;
    engines[sport][1] += gz;
    continue;
  }
  totals[kind][0] += bytes.length;
  totals[kind][1] += gz;
}
for (const [name, raw, gz] of rows) console.log(`size: ${name.padEnd(42)} ${kib(raw).padStart(10)} raw ${kib(gz).padStart(10)} gzip`);
const sum = (ks) => ks.reduce((a, k) => [a[0] + totals[k][0], a[1] + totals[k][1]], [0, 0]);
const [jr, jg] = totals.js;
const [ar, ag] = sum(['js', 'wasm', 'css', 'html']);
console.log(`size: bettor's page, ours: JS ${kib(jr)} raw / ${kib(jg)} gzip; with CSS and HTML ${kib(ar)} raw / ${kib(ag)} gzip`);
for (const [sport, [er, eg]] of Object.entries(engines)) {
  console.log(`size: a ${sport} match: engine glue + wasm ${kib(er)} raw / ${kib(eg)} gzip; JS + wasm ${kib(jr + er)} raw / ${kib(jg + eg)} gzip; whole page ${kib(ar + er)} raw / ${kib(ag + eg)} gzip`);
}
console.log(`size: trading desk (loaded on #/desk only): JS + CSS ${kib(desk[0])} raw / ${kib(desk[1])} gzip`);
