// The page's door to @inplay/engine, loaded lazily so the shell paints while the wasm compiles.
// Everything the page prices, checks, decodes, reads and settles goes through the engine: prices,
// market statuses, the match image and clock, bet statuses, returns. Nothing here computes one.
// The `live` entry: the live event, frames and odds formats without the modelling functions or
// tennis, so a football bettor downloads the smallest wasm; a tennis match loads the `tennis` entry
// (the same API over a wasm that also runs tennis) when the football one refuses its snapshot.

import type { ReadDecision } from './model/bets.ts';
import type { BetDecision } from './model/wire.ts';

export type Engine = typeof import('@inplay/engine/live');
export type LiveEventHandle = import('@inplay/engine/live').LiveEvent;
export type Sport = 'football' | 'tennis';

const loading = new Map<Sport, Promise<Engine>>();

export function loadEngine(sport: Sport = 'football'): Promise<Engine> {
  let p = loading.get(sport);
  if (!p) {
    p = sport === 'tennis' ? import('@inplay/engine/tennis') : import('@inplay/engine/live');
    loading.set(sport, p);
  }
  return p;
}

/** The engine's error code (`InplayError.code`), or `internal`. */
export function errorCode(e: unknown): string {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : 'internal';
}

/**
 * A decision with its status read by the engine (`betStatus`); null for a status this engine does not
 * know (it ships with the edge that decides, so only a corrupt answer), which the page then ignores.
 */
export function readDecision(engine: Engine, d: BetDecision): ReadDecision | null {
  try {
    return { ...d, ...engine.betStatus(d.status) };
  } catch (e) {
    console.debug(`inplay: unreadable bet status ${JSON.stringify(d.status)} (${errorCode(e)})`);
    return null;
  }
}
