// The bettor's own bets: kept in localStorage per user (the API answers one bet by id), updated from
// placement answers, socket decisions and `GET /v1/bets/{id}` (which also carries the settlement).
// Every decision's status is read by the engine.

import { getBet } from '../api.ts';
import { loadEngine, readDecision } from '../engine.ts';
import { applyDecision, type BetRecord, type ReadDecision } from '../model/bets.ts';

const MAX_KEPT = 200;

export class MyBets {
  #userId: string | null = null;
  #bets: BetRecord[] = [];
  #listeners = new Set<() => void>();

  setUser(userId: string | null): void {
    this.#userId = userId;
    this.#bets = [];
    if (userId) {
      try {
        this.#bets = JSON.parse(localStorage.getItem(this.#key()) ?? '[]') as BetRecord[];
      } catch {
        this.#bets = [];
      }
    }
    this.#changed(false);
  }

  list(eventId?: string): BetRecord[] {
    return this.#bets.filter((b) => !eventId || b.event_id === eventId);
  }

  get(id: string): BetRecord | undefined {
    return this.#bets.find((b) => b.id === id);
  }

  add(b: BetRecord): void {
    this.#bets = [b, ...this.#bets.filter((x) => x.id !== b.id)].slice(0, MAX_KEPT);
    this.#changed();
  }

  /** A decision for one of ours (from any channel); unknown ids are ignored. */
  apply(d: ReadDecision): BetRecord | null {
    const i = this.#bets.findIndex((b) => b.id === d.bet_id);
    const old = this.#bets[i];
    if (i < 0 || !old) return null;
    const next = applyDecision(old, d);
    if (next !== old) {
      this.#bets[i] = next;
      this.#changed();
    }
    return next;
  }

  /** Re-reads bets that can still change (pending, or accepted and unsettled) from the API. */
  async refresh(token: string, eventId?: string): Promise<void> {
    const open = this.list(eventId).filter((b) => b.status !== 'rejected' && !b.settlement);
    let engine;
    try {
      engine = await loadEngine();
    } catch {
      return; // No engine to read the answers with: keep what we have.
    }
    await Promise.all(
      open.map(async (b) => {
        try {
          const r = await getBet(b.id, token);
          const i = this.#bets.findIndex((x) => x.id === b.id);
          const cur = this.#bets[i];
          if (i < 0 || !cur) return;
          const read = readDecision(engine, r.decision);
          this.#bets[i] = { ...(read ? applyDecision(cur, read) : cur), settlement: r.settlement ?? null };
        } catch {
          // Offline or gone: keep what we have.
        }
      }),
    );
    this.#changed();
  }

  onChange(f: () => void): () => void {
    this.#listeners.add(f);
    return () => this.#listeners.delete(f);
  }

  #key(): string {
    return `inplay.bets.${this.#userId}`;
  }

  #changed(save = true): void {
    if (save && this.#userId) {
      try {
        localStorage.setItem(this.#key(), JSON.stringify(this.#bets));
      } catch {
        // Storage full: the list lives for this visit.
      }
    }
    for (const f of this.#listeners) f();
  }
}
