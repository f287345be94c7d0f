// The bettor's bets with their status and settlement.

import { statusLine, type BetRecord } from '../model/bets.ts';
import { formatMoney } from '../model/money.ts';
import { h } from './dom.ts';
import type { OddsText } from './odds-text.ts';

export class BetList {
  readonly el: HTMLElement;
  #odds: OddsText;
  #opts: { eventId?: string; compact?: boolean; names?: (eventId: string) => string | null };

  constructor(odds: OddsText, opts: { eventId?: string; compact?: boolean; names?: (eventId: string) => string | null } = {}) {
    this.#odds = odds;
    this.#opts = opts;
    this.el = h('div', { class: 'bet-list' });
  }

  render(bets: readonly BetRecord[]): void {
    if (bets.length === 0) {
      this.el.replaceChildren(h('p', { class: 'muted' }, this.#opts.compact ? 'No bets on this match yet.' : 'No bets yet.'));
      return;
    }
    const rows = bets.map((b) => {
      const phase = b.settlement ? `settled-${b.settlement.result}` : b.status;
      const price = b.taken_price ?? b.price;
      const match = this.#opts.compact ? null : b.match ?? this.#opts.names?.(b.event_id) ?? null;
      return h(
        'li',
        { class: `bet ${phase}`, 'data-bet': b.id },
        h('div', { class: 'bet-what' }, h('strong', {}, b.label), h('span', { class: 'muted' }, match ? `${b.title} · ${match}` : b.title)),
        h('div', { class: 'bet-money' }, `${formatMoney(b.stake)} at ${this.#odds.text(price)}`),
        h('div', { class: 'bet-status' }, statusLine(b)),
      );
    });
    this.el.replaceChildren(h('ul', { class: 'bets' }, ...rows));
  }
}
