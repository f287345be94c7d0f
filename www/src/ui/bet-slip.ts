// The bet slip: singles on one match. Stakes are checked as the bettor types and as prices move,
// with the engine's own `checkBet` (the edge's first validation step), so a message appears before
// the bet is sent, not after. Placing shows the in-play delay as a countdown, then the decision.

import { ApiError, getBet, placeBet } from '../api.ts';
import { rejectReason, type BetRecord, type ReadDecision } from '../model/bets.ts';
import { formatMoney, parseStake } from '../model/money.ts';
import type { BetDecision, BetRequest, MarketKey, OddsPolicy, SelectionKey, SettlementResult, TradingTerms, Version } from '../model/wire.ts';
import type { Session } from '../session.ts';
import { h, randomId, setAttr, setText } from './dom.ts';
import type { OddsText } from './odds-text.ts';

export interface SlipContext {
  eventId: string;
  /** Server time now. */
  now(): number;
  version(): Version | null;
  /** The engine's check: the price the bet would be taken at, or the reject code. */
  check(req: BetRequest): { ok: true; price: number } | { ok: false; code: string };
  /** The engine's settlement arithmetic: the whole return of a stake (minor units) at a price; null if it is not a price. */
  payout(result: SettlementResult, stakeMinor: number, price: number): number | null;
  /** The engine's reading of a decision's status (null: unreadable, ignore it). */
  read(d: BetDecision): ReadDecision | null;
  /** The price on the board now (null when not offered). */
  offered(market: string, selection: string): number | null;
  /** Why the market is not open, in words (null when open). */
  closedReason(market: string): string | null;
  terms(): TradingTerms | null;
  /** `Arsenal v Chelsea`. */
  matchName(): string;
  session(): Session | null;
  /** Placed bets are recorded here. */
  record(b: BetRecord): void;
  announce(text: string, urgent: boolean): void;
  /** Asks the bettor for a token (no session yet). */
  signIn(): void;
}

type Phase = 'editing' | 'placing' | 'pending' | 'accepted' | 'rejected';

interface Item {
  market: string;
  selection: string;
  title: string;
  label: string;
  /** The price the bettor agreed to: the one clicked, or a change they accepted. */
  seen: number | null;
  stake: string;
  touched: boolean;
  phase: Phase;
  key: string;
  betId: string | null;
  releaseAt: number | null;
  pendingTotalMs: number;
  message: string | null;
  /** Why the last attempt was not placed; shown under the stake until the bettor changes it. */
  failure: string | null;
  taken: number | null;
  el: HTMLElement;
  refs: {
    price: HTMLElement;
    input: HTMLInputElement;
    note: HTMLElement;
    accept: HTMLButtonElement;
    ret: HTMLElement;
    state: HTMLElement;
    bar: HTMLElement;
    retry: HTMLButtonElement;
  };
}

const POLICY_KEY = 'inplay.oddsPolicy';
const POLICIES: { id: OddsPolicy; label: string }[] = [
  { id: 'any', label: 'Accept any price' },
  { id: 'higher', label: 'Accept higher prices' },
  { id: 'exact', label: 'Exact price only' },
];

function loadPolicy(): OddsPolicy {
  try {
    const v = localStorage.getItem(POLICY_KEY);
    if (v === 'any' || v === 'higher' || v === 'exact') return v;
  } catch {
    // default
  }
  return 'higher';
}

export class BetSlip {
  readonly el: HTMLElement;
  #ctx: SlipContext;
  #odds: OddsText;
  #items: Item[] = [];
  #list: HTMLElement;
  #empty: HTMLElement;
  #place: HTMLButtonElement;
  #summary: HTMLElement;
  #policy: OddsPolicy = loadPolicy();
  #onChange: () => void;
  #polls = new Set<ReturnType<typeof setTimeout>>();

  constructor(ctx: SlipContext, odds: OddsText, onChange: () => void) {
    this.#ctx = ctx;
    this.#odds = odds;
    this.#onChange = onChange;
    this.#list = h('ol', { class: 'slip-items' });
    this.#empty = h('p', { class: 'slip-empty' }, 'Pick a price to add it here.');
    this.#summary = h('p', { class: 'slip-summary', 'aria-live': 'off' });
    this.#place = h('button', { class: 'place', type: 'button' }, 'Place bet');
    this.#place.addEventListener('click', () => void this.placeAll());
    const policy = h('fieldset', { class: 'policy' }, h('legend', {}, 'If the price changes'));
    for (const p of POLICIES) {
      const input = h('input', { type: 'radio', name: 'odds-policy', value: p.id, checked: p.id === this.#policy });
      input.addEventListener('change', () => {
        this.#policy = p.id;
        try {
          localStorage.setItem(POLICY_KEY, p.id);
        } catch {
          // not remembered
        }
        this.tick();
      });
      policy.appendChild(h('label', {}, input, p.label));
    }
    this.el = h(
      'section',
      { class: 'slip', 'aria-labelledby': 'slip-title' },
      h('h2', { id: 'slip-title' }, 'Bet slip ', h('span', { class: 'slip-count', 'aria-label': 'selections' })),
      this.#empty,
      this.#list,
      policy,
      this.#summary,
      this.#place,
    );
    this.#render();
  }

  get count(): number {
    return this.#items.length;
  }

  destroy(): void {
    for (const t of this.#polls) clearTimeout(t);
  }

  has(market: string, selection: string): boolean {
    return this.#items.some((i) => i.market === market && i.selection === selection && i.phase !== 'accepted');
  }

  /** Adds a selection (or removes it when it is already on the slip). */
  toggle(p: { market: string; selection: string; title: string; label: string }, focus: boolean): void {
    const at = this.#items.findIndex((i) => i.market === p.market && i.selection === p.selection);
    const existing = this.#items[at];
    if (existing && existing.phase !== 'accepted' && existing.phase !== 'pending' && existing.phase !== 'placing') {
      this.#remove(existing);
      return;
    }
    if (existing) this.#remove(existing);
    const item = this.#item(p);
    this.#items.push(item);
    this.#list.appendChild(item.el);
    this.#render();
    this.tick();
    if (focus) item.refs.input.focus();
  }

  /** Re-checks every editable item against the prices and statuses of this instant. */
  tick(): void {
    let valid = 0;
    for (const item of this.#items) {
      if (item.phase === 'pending') this.#countdown(item);
      if (item.phase !== 'editing') continue;
      if (this.#validate(item)) valid++;
    }
    const session = this.#ctx.session();
    const busy = this.#items.some((i) => i.phase === 'placing');
    this.#place.disabled = busy || (session !== null && valid === 0);
    setText(this.#place, session ? (valid > 1 ? `Place ${valid} bets` : 'Place bet') : 'Sign in to bet');
    const stakes = this.#items.filter((i) => i.phase === 'editing').map((i) => parseStake(i.stake));
    const total = stakes.reduce((a, s) => a + (s.ok ? s.minor : 0), 0);
    setText(this.#summary, total > 0 ? `Total stake ${formatMoney(total)}` : '');
  }

  /** A decision for one of this slip's bets (socket, polling or the placement answer). */
  decision(d: ReadDecision): void {
    const item = this.#items.find((i) => i.betId === d.bet_id);
    if (!item) return;
    if (d.phase === 'pending') {
      if (item.phase === 'placing') this.#pending(item, d.release_at_ms);
      return;
    }
    if (item.phase === 'accepted' || item.phase === 'rejected') return;
    if (d.phase === 'accepted') {
      item.phase = 'accepted';
      item.taken = d.price ?? item.seen;
      const stake = parseStake(item.stake);
      const text = `Bet accepted: ${stake.ok ? formatMoney(stake.minor) : ''} on ${item.label} at ${this.#odds.text(item.taken)}`;
      item.message = text;
      this.#ctx.announce(text, false);
    } else {
      item.phase = 'rejected';
      item.message = rejectReason(d.code, this.#ctx.terms() ?? undefined);
      this.#ctx.announce(`Bet rejected: ${item.label}. ${item.message}`, true);
    }
    this.#paint(item);
    this.tick();
    this.#onChange();
  }

  /**
   * A bet sent on the socket and refused before the engine saw it (`bet_error` frame, matched by its
   * idempotency key): it was not placed, so the item goes back to editing with the reason.
   */
  refused(key: string, code: string, message: string): void {
    const item = this.#items.find((i) => i.key === key && i.phase === 'placing');
    if (item) this.#notPlaced(item, this.#failure(code, message));
  }

  async placeAll(): Promise<void> {
    const session = this.#ctx.session();
    if (!session) {
      this.#ctx.signIn();
      return;
    }
    const ready = this.#items.filter((i) => i.phase === 'editing' && this.#validate(i));
    await Promise.all(ready.map((i) => this.#placeOne(i, session)));
  }

  #item(p: { market: string; selection: string; title: string; label: string }): Item {
    const seen = this.#ctx.offered(p.market, p.selection);
    const inputId = `stake-${randomId().slice(0, 8)}`;
    const price = h('span', { class: 'slip-price' });
    const input = h('input', {
      id: inputId,
      class: 'stake',
      type: 'text',
      inputmode: 'decimal',
      autocomplete: 'off',
      placeholder: '0.00',
      'aria-describedby': `${inputId}-note`,
    });
    const note = h('p', { class: 'note', id: `${inputId}-note`, 'aria-live': 'polite' });
    const accept = h('button', { class: 'accept', type: 'button', hidden: true }, 'Accept new price');
    const ret = h('p', { class: 'return' });
    const state = h('p', { class: 'state', role: 'status' });
    const bar = h('div', { class: 'bar', hidden: true }, h('i'));
    const retry = h('button', { class: 'retry', type: 'button', hidden: true }, 'Try again');
    const remove = h('button', { class: 'remove', type: 'button', 'aria-label': `Remove ${p.label}` }, '×');
    const el = h(
      'li',
      { class: 'slip-item', 'data-market': p.market, 'data-selection': p.selection },
      h('div', { class: 'slip-head' }, h('div', {}, h('strong', {}, p.label), h('span', { class: 'slip-market' }, p.title)), price, remove),
      h('label', { class: 'stake-row', for: inputId }, h('span', {}, 'Stake'), input),
      note,
      accept,
      ret,
      state,
      bar,
      retry,
    );
    const item: Item = {
      ...p,
      seen,
      stake: '',
      touched: false,
      phase: 'editing',
      key: randomId(),
      betId: null,
      releaseAt: null,
      pendingTotalMs: 0,
      message: null,
      failure: null,
      taken: null,
      el,
      refs: { price, input, note, accept, ret, state, bar, retry },
    };
    input.addEventListener('input', () => {
      item.stake = input.value;
      item.failure = null;
      item.touched = true;
      this.tick();
    });
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        void this.placeAll();
      }
    });
    accept.addEventListener('click', () => {
      item.seen = this.#ctx.offered(item.market, item.selection);
      this.tick();
      input.focus();
    });
    retry.addEventListener('click', () => {
      item.phase = 'editing';
      item.key = randomId();
      item.betId = null;
      item.message = null;
      item.seen = this.#ctx.offered(item.market, item.selection) ?? item.seen;
      this.#paint(item);
      this.tick();
      input.focus();
    });
    remove.addEventListener('click', () => this.#remove(item));
    this.#paint(item);
    return item;
  }

  #remove(item: Item): void {
    this.#items = this.#items.filter((i) => i !== item);
    item.el.remove();
    this.#render();
    this.tick();
  }

  #render(): void {
    this.#empty.hidden = this.#items.length > 0;
    const count = this.el.querySelector('.slip-count');
    if (count) setText(count, this.#items.length ? String(this.#items.length) : '');
    this.#onChange();
  }

  #request(item: Item, stake: number, version: Version, price: number): BetRequest {
    return {
      bet_id: item.key,
      user_id: this.#ctx.session()?.userId ?? 'guest',
      // Keys come from the engine's own book, so they are its keys.
      market: item.market as MarketKey,
      selection: item.selection as SelectionKey,
      stake,
      price,
      seen_version: version,
      policy: this.#policy,
    };
  }

  /** Shows the item's price and what the engine says of it now; true when it can be placed. */
  #validate(item: Item): boolean {
    const r = item.refs;
    const offered = this.#ctx.offered(item.market, item.selection);
    if (item.seen === null && offered !== null) item.seen = offered;
    setText(r.price, this.#odds.text(offered ?? item.seen));
    const closed = this.#ctx.closedReason(item.market);
    const stake = parseStake(item.stake);
    const version = this.#ctx.version();
    let note = '';
    let ok = false;
    let showAccept = false;
    let price = item.seen;
    if (closed) {
      note = `Suspended: ${closed}`;
    } else if (offered === null || item.seen === null || !version) {
      note = 'Not offered right now';
    } else if (!stake.ok) {
      note = item.touched ? stake.message : '';
    } else {
      const check = this.#ctx.check(this.#request(item, stake.minor, version, item.seen));
      if (check.ok) {
        ok = true;
        price = check.price;
        if (item.seen !== offered) note = `Price moved from ${this.#odds.text(item.seen)} to ${this.#odds.text(offered)}`;
      } else if (check.code === 'price_changed') {
        note = `Price changed from ${this.#odds.text(item.seen)} to ${this.#odds.text(offered)}`;
        showAccept = true;
      } else {
        note = rejectReason(check.code, this.#ctx.terms() ?? undefined);
      }
    }
    // A refusal stays in view until something newer has to be said.
    const failed = note === '' && item.failure !== null;
    if (failed) note = item.failure ?? '';
    setText(r.note, note);
    r.note.classList.toggle('error', (!ok || failed) && note !== '');
    r.accept.hidden = !showAccept;
    const ret = stake.ok && price ? this.#ctx.payout('won', stake.minor, price) : null;
    setText(r.ret, ret === null ? '' : `Potential return ${formatMoney(ret)}`);
    setAttr(r.input, 'aria-invalid', !ok && item.touched ? 'true' : null);
    return ok;
  }

  async #placeOne(item: Item, session: Session): Promise<void> {
    const stake = parseStake(item.stake);
    const version = this.#ctx.version();
    if (!stake.ok || !version || item.seen === null) return;
    item.phase = 'placing';
    item.failure = null;
    item.message = 'Placing…';
    this.#paint(item);
    this.tick();
    const bet = { market: item.market, selection: item.selection, stake: stake.minor, price: item.seen, seen_version: version, policy: this.#policy };
    let answer: BetDecision | null = null;
    let failure: string | null = null;
    // Network failures are retried with the same Idempotency-Key: the edge decides the bet once.
    for (let attempt = 0; attempt < 3 && !answer; attempt++) {
      try {
        answer = await placeBet(this.#ctx.eventId, session.token, item.key, bet);
      } catch (e) {
        if (e instanceof ApiError) {
          failure = this.#failure(e.code, e.message);
          break;
        }
        failure = 'Connection problem: the bet may not have been placed.';
        await new Promise((r) => setTimeout(r, 400 * (attempt + 1)));
      }
    }
    if (!answer) {
      this.#notPlaced(item, failure ?? 'The bet was not placed.');
      return;
    }
    const read = this.#ctx.read(answer);
    item.betId = answer.bet_id;
    this.#ctx.record({
      id: answer.bet_id,
      event_id: this.#ctx.eventId,
      market: item.market,
      selection: item.selection,
      title: item.title,
      label: item.label,
      match: this.#ctx.matchName(),
      stake: stake.minor,
      price: item.seen,
      placed_ms: this.#ctx.now(),
      status: 'pending',
      code: null,
      taken_price: null,
      release_at_ms: answer.release_at_ms,
      settlement: null,
    });
    // An answer the engine cannot read is waited out like a pending one: the socket or polling tells.
    if (!read || read.phase === 'pending') this.#pending(item, answer.release_at_ms);
    if (read) this.decision(read);
  }

  /** Why a bet was refused before the engine, in words: ours for the codes we know, else the edge's. */
  #failure(code: string, message: string): string {
    const reason = rejectReason(code, this.#ctx.terms() ?? undefined);
    return reason === rejectReason('unknown') ? message : reason;
  }

  /** The bet was not placed: back to editing, with the reason under the stake. */
  #notPlaced(item: Item, failure: string): void {
    item.phase = 'editing';
    item.message = null;
    item.failure = failure;
    this.#paint(item);
    this.#ctx.announce(`Bet not placed: ${failure}`, true);
    this.tick();
  }

  #pending(item: Item, releaseAt: number | null): void {
    item.phase = 'pending';
    item.releaseAt = releaseAt;
    item.pendingTotalMs = releaseAt ? Math.max(1, releaseAt - this.#ctx.now()) : 0;
    this.#ctx.announce(`Bet on ${item.label} is pending for the in-play delay.`, false);
    this.#paint(item);
    this.#countdown(item);
    this.#poll(item, releaseAt ? Math.max(0, releaseAt - this.#ctx.now()) + 600 : 1500, 0);
  }

  /** Fallback when the socket's decision frame does not come (not signed in on the socket, offline). */
  #poll(item: Item, delay: number, n: number): void {
    const t = setTimeout(async () => {
      this.#polls.delete(t);
      if (item.phase !== 'pending' || !item.betId || n > 20) return;
      const session = this.#ctx.session();
      if (!session) return;
      try {
        const r = await getBet(item.betId, session.token);
        const read = this.#ctx.read(r.decision);
        if (read) this.decision(read);
      } catch {
        // try again below
      }
      if (item.phase === 'pending') this.#poll(item, 1000, n + 1);
    }, delay);
    this.#polls.add(t);
  }

  #countdown(item: Item): void {
    if (!item.releaseAt) return;
    const left = Math.max(0, item.releaseAt - this.#ctx.now());
    setText(item.refs.state, left > 0 ? `Pending — confirming in ${(left / 1000).toFixed(1)} s` : 'Pending — confirming…');
    const bar = item.refs.bar.firstElementChild as HTMLElement | null;
    if (bar) bar.style.width = `${item.pendingTotalMs ? (100 * (item.pendingTotalMs - left)) / item.pendingTotalMs : 100}%`;
  }

  #paint(item: Item): void {
    const r = item.refs;
    item.el.dataset['phase'] = item.phase;
    const editing = item.phase === 'editing';
    r.input.disabled = !editing;
    r.bar.hidden = item.phase !== 'pending';
    r.retry.hidden = item.phase !== 'rejected';
    if (!editing) {
      r.accept.hidden = true;
      setText(r.note, '');
    }
    if (item.phase === 'pending') this.#countdown(item);
    else if (item.phase === 'accepted') setText(r.state, `✓ ${item.message ?? 'Accepted'}`);
    else if (item.phase === 'rejected') setText(r.state, `Rejected — ${item.message ?? ''}`);
    else setText(r.state, item.phase === 'placing' ? 'Placing…' : '');
  }
}
