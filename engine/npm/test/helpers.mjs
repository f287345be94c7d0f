// Shared by the tests: golden files, hex and f64 bits.
import { readFileSync } from 'node:fs';

export const golden = (name) =>
  JSON.parse(readFileSync(new URL(`../../tests/golden/${name}`, import.meta.url), 'utf8'));

export function hexBytes(hex) {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const view = new DataView(new ArrayBuffer(8));

/** The 16 hex digits of a number's f64 bits, as the golden files store them. */
export function bits(x) {
  view.setFloat64(0, x);
  return view.getBigUint64(0).toString(16).padStart(16, '0');
}

/** Every number replaced with its bits; null (a non-finite number in the CLI's JSON) stays null. */
export function toBits(v) {
  if (typeof v === 'number') return bits(v);
  if (Array.isArray(v)) return v.map(toBits);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toBits(x)]));
  }
  return v;
}
