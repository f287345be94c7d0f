// The package's TypeScript declarations type-check a realistic examples file (tsc --noEmit), and
// the deliberate mistakes in it (`@ts-expect-error`) are caught: the types are precise, not `any`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const tsc = ['node_modules/.bin/tsc', '../../node_modules/.bin/tsc'].map((p) => fileURLToPath(new URL(`../${p}`, import.meta.url))).find(existsSync);

test('examples.ts type-checks against dist/index.d.ts', { skip: tsc ? false : 'typescript not installed (npm ci)' }, () => {
  const r = spawnSync(tsc, ['-p', 'test/tsconfig.json'], { cwd: pkgDir, encoding: 'utf8' });
  assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
});
