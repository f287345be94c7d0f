// Server time on the page. Prices, the match clock and bet delays are all in the edge's wall time
// (the clock anchor's `at_ms`, a pending bet's `release_at_ms`), so the page reprices at server time,
// not at whatever the device's clock says.
//
// Each frame stamped `server_ms` was sent before it arrived, so `server_ms − arrival` is never more
// than the true offset; the largest recent sample is the tightest bound. Samples age out so a
// device clock that jumps (sleep, NTP) is followed.

export class ServerClock {
  #samples: { offset: number; at: number }[] = [];
  readonly #windowMs: number;

  constructor(windowMs = 60_000) {
    this.#windowMs = windowMs;
  }

  /** A frame stamped `serverMs` arrived at local time `localMs`. */
  observe(serverMs: number, localMs: number): void {
    this.#samples.push({ offset: serverMs - localMs, at: localMs });
    const horizon = localMs - this.#windowMs;
    this.#samples = this.#samples.filter((s) => s.at >= horizon).slice(-32);
  }

  /** Best estimate of server minus local time (ms); 0 before any sample. */
  get offsetMs(): number {
    let best = -Infinity;
    for (const s of this.#samples) best = Math.max(best, s.offset);
    return best === -Infinity ? 0 : best;
  }

  /** Server time now, as an integer number of ms (what the engine's `nowMs` arguments take). */
  now(localMs: number = Date.now()): number {
    return Math.max(0, Math.round(localMs + this.offsetMs));
  }
}
