// Prices as text in the bettor's chosen format, through the engine's converters (fractional odds
// follow the trade's table, e.g. 4/6 and 11/8, which only the engine knows).

import type { Engine } from '../engine.ts';
import { loadOddsFormat, saveOddsFormat, type OddsFormat } from '../model/odds.ts';

function storage(): Storage | undefined {
  try {
    return localStorage;
  } catch {
    return undefined;
  }
}

export class OddsText {
  format: OddsFormat = loadOddsFormat(storage());
  #engine: Engine | null = null;
  #cache = new Map<number, string>();
  #listeners = new Set<() => void>();

  attach(engine: Engine): void {
    this.#engine = engine;
    this.#cache.clear();
    this.#changed();
  }

  set(format: OddsFormat): void {
    if (format === this.format) return;
    this.format = format;
    saveOddsFormat(storage(), format);
    this.#cache.clear();
    this.#changed();
  }

  onChange(f: () => void): () => void {
    this.#listeners.add(f);
    return () => this.#listeners.delete(f);
  }

  /** `2.10`, `11/10` or `+110`; an em dash when there is no price. */
  text(decimal: number | null | undefined): string {
    if (decimal == null || !Number.isFinite(decimal) || decimal <= 1) return '—';
    let t = this.#cache.get(decimal);
    if (t === undefined) {
      if (!this.#engine) t = decimal.toFixed(2);
      else {
        try {
          t = this.#engine.formatOdds(decimal, this.format);
        } catch {
          t = decimal.toFixed(2);
        }
      }
      // Ladder prices repeat: a small cache covers the whole board.
      if (this.#cache.size > 2000) this.#cache.clear();
      this.#cache.set(decimal, t);
    }
    return t;
  }

  #changed(): void {
    for (const f of this.#listeners) f();
  }
}
