// How prices are written (the bettor's choice, remembered) and how they moved since last shown.

export type OddsFormat = 'decimal' | 'fractional' | 'american';
export const ODDS_FORMATS: readonly { id: OddsFormat; label: string }[] = [
  { id: 'decimal', label: 'Decimal' },
  { id: 'fractional', label: 'Fractional' },
  { id: 'american', label: 'American' },
];

const KEY = 'inplay.oddsFormat';

/** Minimal Storage, so tests pass a Map-backed one. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export function loadOddsFormat(store: KeyValueStore | undefined): OddsFormat {
  const v = store?.getItem(KEY);
  return ODDS_FORMATS.some((f) => f.id === v) ? (v as OddsFormat) : 'decimal';
}

export function saveOddsFormat(store: KeyValueStore | undefined, format: OddsFormat): void {
  try {
    store?.setItem(KEY, format);
  } catch {
    // Private mode or a full store: the choice holds for this visit only.
  }
}

export type Move = 'up' | 'down' | null;

/**
 * Remembers the last price shown per selection and says which way each new one moved. Prices are
 * ladder-rounded by the engine, so any difference is a real tick, never float noise.
 */
export class PriceMoves {
  #last = new Map<string, number>();

  /** Direction of `price` against the last one seen for `id` (null the first time or unchanged). */
  see(id: string, price: number | null | undefined): Move {
    if (price == null || !Number.isFinite(price)) return null;
    const before = this.#last.get(id);
    this.#last.set(id, price);
    if (before === undefined || before === price) return null;
    return price > before ? 'up' : 'down';
  }

  forget(): void {
    this.#last.clear();
  }
}
