// What a delta changed, for cheap "redraw this?" checks. The image itself is the engine's: the page
// reads `LiveEvent.image` after applying a delta instead of following the ops itself.

import type { DeltaOp } from './wire.ts';

/** The image fields a delta replaces (each op replaces exactly one, see `DeltaOp`). */
export function touched(ops: readonly DeltaOp[]): Set<string> {
  const out = new Set<string>();
  for (const op of ops) for (const k of Object.keys(op)) out.add(k);
  return out;
}
