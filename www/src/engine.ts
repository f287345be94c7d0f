// The page's door to @inplay/engine, loaded lazily so the shell paints while the wasm compiles.
// Everything the page prices, checks and decodes goes through the engine; nothing here computes a price.
// The `live` entry: the live event, frames and odds formats without the modelling functions, so the
// bettor downloads the smaller wasm.

export type Engine = typeof import('@inplay/engine/live');
export type LiveEventHandle = import('@inplay/engine/live').LiveEvent;

let loading: Promise<Engine> | null = null;

export function loadEngine(): Promise<Engine> {
  loading ??= import('@inplay/engine/live');
  return loading;
}

/** The engine's error code (`InplayError.code`), or `internal`. */
export function errorCode(e: unknown): string {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : 'internal';
}
