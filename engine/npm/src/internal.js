// The JS face of the wasm module, shared by both builds (the full one and `live`): errors become
// InplayError, books are rebuilt from the engine's numbers, the live handle is a class with a private
// raw handle. No pricing or state logic lives here. `api.js` picks what is public, `tools.js` adds
// the modelling functions of the full build; host entries instantiate the wasm before any call.

import * as raw from './inplay_wasm.js';

/** Version of this package; replaced by the build with the version in package.json. */
export const version = '__INPLAY_VERSION__';

/** Every failure of this package: an Error with a stable machine-readable `code`. */
export class InplayError extends Error {
  constructor(code, message, options) {
    super(message, options);
    this.name = 'InplayError';
    this.code = code;
  }
}

// Errors thrown by the wasm carry the engine's code; anything else is the JS glue refusing an
// argument before the wasm was entered (e.g. a BigInt where a number goes), or a trap.
export function rethrow(e) {
  if (e instanceof InplayError) throw e;
  if (e instanceof Error && typeof e.code === 'string') throw new InplayError(e.code, e.message);
  if (e instanceof WebAssembly.RuntimeError) {
    throw new InplayError('internal', `engine trap: ${e.message}`, { cause: e });
  }
  throw new InplayError('invalid_argument', e instanceof Error ? e.message : String(e), { cause: e });
}

// A book arrives as the address of a buffer in wasm memory, [n, x1 … xn, layout id] (see engine/wasm
// `book_numbers`), read through a Float64Array view of the memory. The keys cross only when the
// layout id is new (a goal, half-time) and are kept here, flattened; the CLI's object shape is
// rebuilt from them and the numbers. The cache is bounded.
const layouts = new Map();
const MAX_LAYOUTS = 256;
let memory;
let view = new Float64Array(0);

function f64() {
  memory ??= raw.wasmMemory();
  // Growing the memory replaces its buffer (and detaches the old one): follow it.
  if (view.buffer !== memory.buffer) view = new Float64Array(memory.buffer);
  return view;
}

// The keys arrive as one string, a line per market: `marketKey(\tselectionKey kind)*` (see engine/wasm
// `Layout::keys`), kept as parallel arrays so the hot loops below read no nested arrays.
// kind: bit 0 = has prob, bit 1 = has outcomes; offset: where the selection's numbers start.
function flatten(text) {
  const layout = { markets: [], counts: [], selections: [], kinds: [], offsets: [], width: 0, index: null };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const [market, ...sels] = line.split('\t');
    layout.markets.push(market);
    layout.counts.push(sels.length);
    for (const sel of sels) {
      const space = sel.lastIndexOf(' ');
      const kind = Number(sel.slice(space + 1));
      layout.selections.push(sel.slice(0, space));
      layout.kinds.push(kind);
      layout.offsets.push(layout.width);
      layout.width += (kind & 1) + 5 * ((kind >> 1) & 1) + 2;
    }
  }
  return layout;
}

// `market\tselection` -> selection number, built on the first lookup in a layout.
function selectionIndex(layout) {
  if (layout.index === null) {
    layout.index = new Map();
    let k = 0;
    for (let m = 0; m < layout.markets.length; m++) {
      for (let s = 0; s < layout.counts[m]; s++, k++) {
        layout.index.set(`${layout.markets[m]}\t${layout.selections[k]}`, k);
      }
    }
  }
  return layout.index;
}

// The layout of the book at `address` (fetching its keys if they are new). Its numbers start at
// f64 index address / 8 + 1.
function located(address, fetchKeys) {
  const at = address / 8;
  const x = f64();
  const n = x[at];
  const id = x[at + n + 1];
  let layout = layouts.get(id);
  if (layout === undefined) {
    layout = flatten(fetchKeys());
    if (layouts.size >= MAX_LAYOUTS) layouts.clear();
    layouts.set(id, layout);
  }
  if (layout.width !== n) throw new InplayError('internal', 'book layout does not match its numbers');
  return layout;
}

// One selection in the CLI's shape from the numbers at x[i…]. Object literals of a few fixed
// shapes keep V8's property access monomorphic; `odds` is absent when not offered, as in the JSON.
function selectionAt(key, kind, x, i) {
  switch (kind) {
    case 1: {
      const odds = x[i + 2];
      return odds === odds
        ? { key, prob: finite(x[i]), fair_odds: finite(x[i + 1]), odds }
        : { key, prob: finite(x[i]), fair_odds: finite(x[i + 1]) };
    }
    case 2: {
      const outcomes = {
        win: finite(x[i]),
        half_win: finite(x[i + 1]),
        push: finite(x[i + 2]),
        half_lose: finite(x[i + 3]),
        lose: finite(x[i + 4]),
      };
      const odds = x[i + 6];
      return odds === odds
        ? { key, outcomes, fair_odds: finite(x[i + 5]), odds }
        : { key, outcomes, fair_odds: finite(x[i + 5]) };
    }
    default: {
      // Any other kind (none today): the general path.
      const sel = { key };
      if (kind & 1) sel.prob = finite(x[i++]);
      if (kind & 2) {
        sel.outcomes = {
          win: finite(x[i]),
          half_win: finite(x[i + 1]),
          push: finite(x[i + 2]),
          half_lose: finite(x[i + 3]),
          lose: finite(x[i + 4]),
        };
        i += 5;
      }
      sel.fair_odds = finite(x[i++]);
      const odds = x[i++];
      if (odds === odds) sel.odds = odds; // NaN: not offered
      return sel;
    }
  }
}

// The CLI's `{markets: [{key, selections: [...]}]}` from numbers starting at x[base].
function marketsOf(layout, x, base) {
  const { counts, selections: keys, kinds, offsets } = layout;
  const markets = new Array(counts.length);
  let k = 0;
  for (let m = 0; m < counts.length; m++) {
    const selections = new Array(counts[m]);
    for (let s = 0; s < selections.length; s++, k++) {
      selections[s] = selectionAt(keys[k], kinds[k], x, base + offsets[k]);
    }
    markets[m] = { key: layout.markets[m], selections };
  }
  return markets;
}

export function book(address, fetchKeys) {
  const layout = located(address, fetchKeys);
  return { markets: marketsOf(layout, f64(), address / 8 + 1) };
}

// A live book's numbers are copied out of wasm memory (the next reprice reuses that buffer) into a
// shared slab: allocating a typed array per book costs more than the copy. A book keeps its slab
// (about thirty books' worth, 128 KiB) alive until it is collected; keep `markets` or JSON, not
// books, for a long history.
const SLAB = 1 << 14;
let slab = new Float64Array(0);
let slabUsed = 0;

/** Copies n numbers from wasm memory at f64 index `from`; returns [slab, base]. */
function copyOut(from, n) {
  if (slabUsed + n > slab.length) {
    slab = new Float64Array(Math.max(SLAB, n));
    slabUsed = 0;
  }
  const base = slabUsed;
  slab.set(f64().subarray(from, from + n), base);
  slabUsed += n;
  return [slab, base];
}

const BOOK = Symbol('PriceBook');

/**
 * Every price of a live event at one instant: an immutable copy of the engine's numbers, read
 * selection by selection (`odds`, `selection`) or as the CLI's `{markets}` shape (`markets`, built on
 * first access).
 */
export class PriceBook {
  #layout;
  #numbers;
  #base;
  #markets = null;

  constructor(token, layout, copy) {
    if (token !== BOOK) throw new InplayError('invalid_argument', 'books come from LiveEvent.prices(nowMs)');
    this.#layout = layout;
    [this.#numbers, this.#base] = copy;
  }

  get markets() {
    return (this.#markets ??= marketsOf(this.#layout, this.#numbers, this.#base));
  }

  toJSON() {
    return { markets: this.markets };
  }

  #find(market, selection) {
    return selectionIndex(this.#layout).get(`${market}\t${selection}`);
  }

  selection(market, selection) {
    const k = this.#find(market, selection);
    if (k === undefined) return undefined;
    const l = this.#layout;
    return selectionAt(l.selections[k], l.kinds[k], this.#numbers, this.#base + l.offsets[k]);
  }

  odds(market, selection) {
    const k = this.#find(market, selection);
    if (k === undefined) return undefined;
    const l = this.#layout;
    const i = this.#base + l.offsets[k] + (l.kinds[k] & 1) + 5 * ((l.kinds[k] >> 1) & 1) + 1;
    const odds = this.#numbers[i];
    return odds === odds ? odds : undefined;
  }
}

// JSON has no Infinity: the CLI writes the fair odds of an impossible selection as null, and so do we.
function finite(x) {
  return x - x === 0 ? x : null;
}

// Numbers reach the wasm through JS's ToNumber, which would read '2.5' as 2.5 and 10n not at all:
// only real numbers pass, with the code the engine gives for a bad value of that kind.
export function number(x, code, what) {
  if (typeof x !== 'number') throw new InplayError(code, `${what} must be a number, got ${typeof x}`);
  return x;
}

// Strings likewise: wasm-bindgen would encode whatever String(x) gives.
function string(x, what) {
  if (typeof x !== 'string') throw new InplayError('invalid_argument', `${what} must be a string, got ${typeof x}`);
  return x;
}

export function formatOdds(decimal, format) {
  number(decimal, 'invalid_odds', 'decimal odds');
  try {
    return raw.formatOdds(decimal, format);
  } catch (e) {
    rethrow(e);
  }
}

export function parseOdds(text, format) {
  try {
    return raw.parseOdds(text, format);
  } catch (e) {
    rethrow(e);
  }
}

// One-number converters share one shape.
const convert = (f) =>
  function (value) {
    number(value, 'invalid_odds', 'odds');
    try {
      return f(value);
    } catch (e) {
      rethrow(e);
    }
  };

export const toFractional = convert(raw.toFractional);
export const toAmerican = convert(raw.toAmerican);
export const fromAmerican = convert(raw.fromAmerican);
export const toHongKong = convert(raw.toHongKong);
export const fromHongKong = convert(raw.fromHongKong);
export const toMalay = convert(raw.toMalay);
export const fromMalay = convert(raw.fromMalay);
export const toIndonesian = convert(raw.toIndonesian);
export const fromIndonesian = convert(raw.fromIndonesian);
export const ladderRoundDown = convert(raw.ladderRoundDown);
export const ladderRoundUp = convert(raw.ladderRoundUp);
export const ladderRoundNearest = convert(raw.ladderRoundNearest);

// Money: the engine's exact settlement arithmetic (integer hundredths, one floor), the same code the
// edge settles with, so a slip shows to the minor unit what a bet will pay.
export function netWin(stake, price) {
  number(stake, 'invalid_argument', 'stake');
  number(price, 'invalid_price', 'price');
  try {
    return raw.netWin(stake, price);
  } catch (e) {
    rethrow(e);
  }
}

export function payout(result, stake, price) {
  string(result, 'result');
  number(stake, 'invalid_argument', 'stake');
  number(price, 'invalid_price', 'price');
  try {
    return raw.payout(result, stake, price);
  } catch (e) {
    rethrow(e);
  }
}

// Bet statuses as the engine reads them (`BetStatus::from_str`), so the page never parses the wire text.
export function betStatus(status) {
  string(status, 'status');
  try {
    return raw.betStatus(status);
  } catch (e) {
    rethrow(e);
  }
}

// A clock anchor's time at `nowMs` (`ClockAnchor::clock_at`), for an image held without a LiveEvent
// (the match list reads snapshots over HTTP). The anchor crosses as its three fields.
// The sports this build runs, written in by the build (its cargo features).
const SPORTS = '__INPLAY_SPORTS__'.split(',');

/** The sports this build's live events run: `['football']`, or `['football', 'tennis']`. */
export function sports() {
  return [...SPORTS];
}

export function clockAt(anchor, nowMs) {
  if (anchor === null || typeof anchor !== 'object') {
    throw new InplayError('invalid_argument', 'anchor must be a clock anchor {clock_ms, at_ms, running, rate}');
  }
  let fields;
  try {
    fields = [anchor.clock_ms, anchor.at_ms, anchor.running, anchor.rate];
  } catch (e) {
    throw new InplayError('invalid_argument', `anchor: ${e instanceof Error ? e.message : e}`, { cause: e });
  }
  const [clockMs, atMs, running, rate = 1] = fields;
  number(clockMs, 'invalid_argument', 'anchor.clock_ms');
  number(atMs, 'invalid_argument', 'anchor.at_ms');
  if (typeof running !== 'boolean') throw new InplayError('invalid_argument', `anchor.running must be a boolean, got ${typeof running}`);
  number(rate, 'invalid_argument', 'anchor.rate');
  number(nowMs, 'invalid_argument', 'nowMs');
  try {
    return raw.clockAt(clockMs, atMs, running, rate, nowMs);
  } catch (e) {
    rethrow(e);
  }
}

// Socket frames: the engine's codec (shared with the edge); snapshot and delta frames carry `bytes`
// for LiveEvent.fromSnapshot / applyDelta.
export function decodeFrame(frame) {
  try {
    return raw.decodeFrame(frame);
  } catch (e) {
    rethrow(e);
  }
}

// Only fromSnapshot may construct a LiveEvent.
const WRAP = Symbol('LiveEvent');

export class LiveEvent {
  #raw;

  constructor(token, handle) {
    if (token !== WRAP) {
      throw new InplayError('invalid_argument', 'use LiveEvent.fromSnapshot(bytes)');
    }
    this.#raw = handle;
  }

  static fromSnapshot(bytes) {
    try {
      return new LiveEvent(WRAP, raw.RawLiveEvent.fromSnapshot(bytes));
    } catch (e) {
      rethrow(e);
    }
  }

  #handle() {
    if (this.#raw === null) throw new InplayError('disposed', 'this LiveEvent was freed');
    return this.#raw;
  }

  applyDelta(bytes) {
    const h = this.#handle();
    try {
      return h.applyDelta(bytes);
    } catch (e) {
      rethrow(e);
    }
  }

  get version() {
    const h = this.#handle();
    try {
      return h.version;
    } catch (e) {
      rethrow(e);
    }
  }

  get atMs() {
    const h = this.#handle();
    try {
      return h.atMs;
    } catch (e) {
      rethrow(e);
    }
  }

  get image() {
    const h = this.#handle();
    try {
      return h.image;
    } catch (e) {
      rethrow(e);
    }
  }

  stateAt(nowMs) {
    const h = this.#handle();
    number(nowMs, 'invalid_argument', 'nowMs');
    try {
      return h.stateAt(nowMs);
    } catch (e) {
      rethrow(e);
    }
  }

  prices(nowMs) {
    const h = this.#handle();
    number(nowMs, 'invalid_argument', 'nowMs');
    try {
      const address = h.prices(nowMs);
      const layout = located(address, () => h.pricesLayout());
      return new PriceBook(BOOK, layout, copyOut(address / 8 + 1, layout.width));
    } catch (e) {
      rethrow(e);
    }
  }

  marketStatus(nowMs) {
    const h = this.#handle();
    number(nowMs, 'invalid_argument', 'nowMs');
    try {
      return h.marketStatus(nowMs);
    } catch (e) {
      rethrow(e);
    }
  }

  checkBet(slip, nowMs) {
    const h = this.#handle();
    number(nowMs, 'invalid_argument', 'nowMs');
    // A plain copy first: a getter or proxy that throws while the wasm reads the slip would unwind
    // through it mid-call and leave this event borrowed for good.
    let plain;
    try {
      plain = structuredClone(slip);
    } catch (e) {
      throw new InplayError('invalid_request', `bet slip: ${e instanceof Error ? e.message : e}`, { cause: e });
    }
    try {
      return h.checkBet(plain, nowMs);
    } catch (e) {
      rethrow(e);
    }
  }

  free() {
    if (this.#raw !== null) {
      this.#raw.free();
      this.#raw = null;
    }
  }
}

// `using event = LiveEvent.fromSnapshot(...)` frees the handle, where the host has explicit resource management.
if (typeof Symbol.dispose === 'symbol') {
  LiveEvent.prototype[Symbol.dispose] = LiveEvent.prototype.free;
}
