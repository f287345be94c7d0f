// The page's copy of the match image, kept for display (names, score, clock, suspensions, goals).
// The engine's LiveEvent holds its own copy for pricing; this one follows the same deltas. Each op
// replaces exactly one field (see `DeltaOp` in engine/src/live/image.rs), so following them is a
// field assignment, not logic of our own.

import type { DeltaOp, MatchImage } from './wire.ts';

const FIELDS = new Set<keyof MatchImage>([
  'state', 'clock', 'suspensions', 'overrides', 'goals', 'half_time', 'params', 'fixture', 'trading',
  'adjustments', 'abandoned',
]);

/** A new image with `ops` applied in order; unknown ops (a newer engine) are skipped. */
export function applyOps(image: MatchImage, ops: readonly DeltaOp[]): MatchImage {
  const next: Record<string, unknown> = { ...image };
  for (const op of ops) {
    for (const [field, value] of Object.entries(op)) {
      if (FIELDS.has(field as keyof MatchImage)) next[field] = value;
    }
  }
  return next as unknown as MatchImage;
}

/** The field names a delta touches, for cheap "what changed" checks. */
export function touched(ops: readonly DeltaOp[]): Set<string> {
  const out = new Set<string>();
  for (const op of ops) for (const k of Object.keys(op)) out.add(k);
  return out;
}
