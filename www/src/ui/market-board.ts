// Every market of the match, grouped and collapsible, repriced in place. The board is built once per
// set of markets; after that a tick only touches the cards on screen: text that changed, a flash and
// an arrow for a price that moved, and the suspension overlay with its reason.

import { GROUPS, groupMarkets, isScoreGrid, marketTitle, selectionLabel, type GroupId } from '../model/markets.ts';
import { PriceMoves, type Move } from '../model/odds.ts';
import { statusText } from '../model/suspension.ts';
import type { MarketBook, MarketStatus, MatchImage, Selection } from '../model/wire.ts';
import { h, setAttr, setText } from './dom.ts';
import type { OddsText } from './odds-text.ts';

export interface Pick {
  market: string;
  selection: string;
}

interface PriceCell {
  market: string;
  selection: string;
  button: HTMLButtonElement;
  odds: HTMLElement;
  move: HTMLElement;
  label: string;
  timer: ReturnType<typeof setTimeout> | null;
}

interface MarketCard {
  key: string;
  el: HTMLElement;
  overlay: HTMLElement;
  reason: HTMLElement;
  cells: PriceCell[];
  visible: boolean;
  statusText: string | null;
}

const COLLAPSED_KEY = 'inplay.collapsed';
const FLASH_MS = 1600;

function loadCollapsed(): Set<string> {
  try {
    return new Set(JSON.parse(localStorage.getItem(COLLAPSED_KEY) ?? '[]') as string[]);
  } catch {
    return new Set();
  }
}

function saveCollapsed(s: Set<string>): void {
  try {
    localStorage.setItem(COLLAPSED_KEY, JSON.stringify([...s]));
  } catch {
    // not remembered; fine
  }
}

/** Correct scores as three columns (home wins, draws, away wins), row by row; `other` last. */
function scoreOrder(selections: readonly Selection[]): (Selection | null)[] {
  const parse = (k: string) => k.split('-').map(Number) as [number, number];
  const scores = selections.filter((s) => /^\d+-\d+$/.test(s.key));
  const home = scores.filter((s) => parse(s.key)[0] > parse(s.key)[1]);
  const draw = scores.filter((s) => parse(s.key)[0] === parse(s.key)[1]);
  const away = scores.filter((s) => parse(s.key)[0] < parse(s.key)[1]);
  const rows = Math.max(home.length, draw.length, away.length);
  const out: (Selection | null)[] = [];
  for (let i = 0; i < rows; i++) out.push(home[i] ?? null, draw[i] ?? null, away[i] ?? null);
  out.push(...selections.filter((s) => !/^\d+-\d+$/.test(s.key)));
  return out;
}

export class MarketBoard {
  readonly el: HTMLElement;
  #odds: OddsText;
  #onPick: (p: Pick) => void;
  #picked: (p: Pick) => boolean;
  #signature = '';
  #cards = new Map<string, MarketCard>();
  #moves = new PriceMoves();
  #collapsed = loadCollapsed();
  #observer: IntersectionObserver;
  #fixture: MatchImage['fixture'] | null = null;

  constructor(odds: OddsText, onPick: (p: Pick) => void, picked: (p: Pick) => boolean) {
    this.#odds = odds;
    this.#onPick = onPick;
    this.#picked = picked;
    this.el = h('div', { class: 'board' });
    this.el.addEventListener('keydown', (e) => this.#arrows(e));
    this.#observer = new IntersectionObserver(
      (entries) => {
        for (const e of entries) {
          const card = this.#cards.get((e.target as HTMLElement).dataset['market'] ?? '');
          if (card) card.visible = e.isIntersecting;
        }
      },
      { rootMargin: '200px 0px' },
    );
  }

  destroy(): void {
    this.#observer.disconnect();
  }

  /** Reprice: rebuilds when the set of markets changed, else updates the visible cards in place. */
  update(book: MarketBook, statuses: Partial<Record<string, MarketStatus>>, image: MatchImage): void {
    const signature = `${image.fixture.home}|${image.fixture.away}|${book.markets.map((m) => `${m.key}:${m.selections.length}`).join(',')}`;
    if (signature !== this.#signature) {
      this.#signature = signature;
      this.#fixture = image.fixture;
      this.#build(book);
    }
    for (const m of book.markets) {
      const card = this.#cards.get(m.key);
      if (!card) continue;
      const status = statuses[m.key] ?? 'closed';
      // An open market with no price at all (a line already decided by the score) says so.
      const unpriced = status === 'open' && m.selections.every((s) => s.odds == null);
      const text = unpriced ? 'Not offered now' : statusText(status, image.suspensions, image.fixture);
      if (text !== card.statusText) this.#setStatus(card, text, unpriced || status === 'settled' || status === 'closed' || status === 'void');
      // Prices of cards off screen (or in a collapsed group) are left alone until they show.
      if (!card.visible) continue;
      for (const cell of card.cells) {
        const sel = m.selections.find((s) => s.key === cell.selection);
        this.#setPrice(cell, sel?.odds ?? null, text !== null);
      }
    }
  }

  /** Re-marks picked selections and rewrites prices (after a slip change or an odds format switch). */
  refresh(): void {
    for (const card of this.#cards.values()) {
      for (const cell of card.cells) {
        setAttr(cell.button, 'aria-pressed', String(this.#picked(cell)));
        const price = Number(cell.button.dataset['price']);
        if (Number.isFinite(price)) setText(cell.odds, this.#odds.text(price));
      }
    }
  }

  /** Current offered price shown for a selection (null when not offered). */
  shownPrice(p: Pick): number | null {
    const cell = this.#cards.get(p.market)?.cells.find((c) => c.selection === p.selection);
    const v = Number(cell?.button.dataset['price']);
    return Number.isFinite(v) ? v : null;
  }

  #build(book: MarketBook): void {
    this.#observer.disconnect();
    this.#cards.clear();
    this.#moves.forget();
    this.el.replaceChildren();
    const fixture = this.#fixture ?? { home: 'Home', away: 'Away', kickoff_ms: 0 };
    for (const group of groupMarkets(book.markets)) {
      const bodyId = `group-${group.id}`;
      const collapsed = this.#collapsed.has(group.id);
      const body = h('div', { class: 'group-body', id: bodyId, hidden: collapsed });
      const toggle = h(
        'button',
        { class: 'group-toggle', 'aria-expanded': String(!collapsed), 'aria-controls': bodyId, type: 'button' },
        h('span', { class: 'chevron', 'aria-hidden': 'true' }),
        group.title,
        h('span', { class: 'count' }, String(group.markets.length)),
      );
      toggle.addEventListener('click', () => this.#toggle(group.id, toggle, body));
      for (const m of group.markets) body.appendChild(this.#card(m.key, m.selections, fixture));
      this.el.appendChild(h('section', { class: 'group', 'data-group': group.id }, h('h2', {}, toggle), body));
    }
  }

  /**
   * Arrow keys move between prices as they are laid out: left/right along the reading order,
   * up/down to the nearest price in the row above or below (across cards and groups).
   */
  #arrows(e: KeyboardEvent): void {
    const from = e.target as HTMLElement;
    if (!from.classList.contains('price') || !['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown'].includes(e.key)) return;
    const all = [...this.el.querySelectorAll<HTMLButtonElement>('.price')].filter((b) => b.offsetParent !== null);
    let to: HTMLButtonElement | undefined;
    if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      to = all[all.indexOf(from as HTMLButtonElement) + (e.key === 'ArrowRight' ? 1 : -1)];
    } else {
      const r = from.getBoundingClientRect();
      const cx = r.left + r.width / 2;
      const down = e.key === 'ArrowDown';
      let best = Infinity;
      for (const b of all) {
        const q = b.getBoundingClientRect();
        const dy = down ? q.top - r.bottom : r.top - q.bottom;
        if (dy < -1) continue;
        // Nearest row first, then nearest column within it.
        const score = dy * 10 + Math.abs(q.left + q.width / 2 - cx);
        if (b !== from && score < best) {
          best = score;
          to = b;
        }
      }
    }
    if (to) {
      e.preventDefault();
      to.focus();
      to.scrollIntoView({ block: 'nearest' });
    }
  }

  #toggle(id: GroupId, toggle: HTMLButtonElement, body: HTMLElement): void {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    body.hidden = !open;
    if (open) this.#collapsed.delete(id);
    else this.#collapsed.add(id);
    saveCollapsed(this.#collapsed);
  }

  #card(key: string, selections: readonly Selection[], fixture: MatchImage['fixture']): HTMLElement {
    const titleId = `market-${key.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    const grid = isScoreGrid(key);
    const ordered = grid ? scoreOrder(selections) : selections;
    const cols = grid ? 3 : Math.min(3, selections.length);
    const sels = h('div', { class: `sels cols-${cols}` });
    const cells: PriceCell[] = [];
    for (const s of ordered) {
      if (!s) {
        sels.appendChild(h('span', { class: 'price-gap', 'aria-hidden': 'true' }));
        continue;
      }
      const label = selectionLabel(key, s.key, fixture);
      const odds = h('span', { class: 'odds' }, '—');
      const move = h('span', { class: 'move', 'aria-hidden': 'true' });
      const button = h(
        'button',
        { class: 'price', type: 'button', 'data-market': key, 'data-selection': s.key, 'aria-pressed': 'false', 'aria-label': label },
        h('span', { class: 'name' }, label),
        odds,
        move,
      );
      const cell: PriceCell = { market: key, selection: s.key, button, odds, move, label, timer: null };
      button.addEventListener('click', () => {
        if (button.getAttribute('aria-disabled') === 'true') return;
        this.#onPick({ market: key, selection: s.key });
        setAttr(button, 'aria-pressed', String(this.#picked(cell)));
      });
      button.setAttribute('aria-pressed', String(this.#picked(cell)));
      cells.push(cell);
      sels.appendChild(button);
    }
    const reason = h('span', { class: 'reason' });
    const overlay = h('div', { class: 'overlay', hidden: true, role: 'note' }, h('span', { class: 'lock', 'aria-hidden': 'true' }), reason);
    const el = h('article', { class: 'market', 'data-market': key, 'aria-labelledby': titleId }, h('h3', { id: titleId }, marketTitle(key, fixture)), sels, overlay);
    const card: MarketCard = { key, el, overlay, reason, cells, visible: true, statusText: null };
    this.#cards.set(key, card);
    this.#observer.observe(el);
    return el;
  }

  #setStatus(card: MarketCard, text: string | null, quiet: boolean): void {
    card.statusText = text;
    card.overlay.hidden = text === null;
    card.el.classList.toggle('suspended', text !== null && !quiet);
    // Settled, closed or unpriced markets are news of a calmer kind than a suspension.
    card.overlay.classList.toggle('quiet', quiet);
    setText(card.reason, text ?? '');
    for (const cell of card.cells) this.#setEnabled(cell, text === null && cell.button.dataset['price'] !== undefined);
  }

  #setEnabled(cell: PriceCell, on: boolean): void {
    setAttr(cell.button, 'aria-disabled', on ? null : 'true');
    cell.button.tabIndex = on ? 0 : -1;
  }

  #setPrice(cell: PriceCell, price: number | null, closed: boolean): void {
    const before = cell.button.dataset['price'];
    const text = price === null ? '—' : this.#odds.text(price);
    if (price === null) delete cell.button.dataset['price'];
    else cell.button.dataset['price'] = String(price);
    setText(cell.odds, text);
    if (before === undefined ? price !== null : String(price) !== before) {
      setAttr(cell.button, 'aria-label', price === null ? `${cell.label}, not offered` : `${cell.label}, ${text}`);
    }
    this.#setEnabled(cell, !closed && price !== null);
    const move = closed ? null : this.#moves.see(`${cell.market}/${cell.selection}`, price);
    if (move) this.#flash(cell, move);
  }

  #flash(cell: PriceCell, move: Exclude<Move, null>): void {
    const b = cell.button;
    b.classList.remove('up', 'down');
    // Restart the animation when the same direction repeats.
    void b.offsetWidth;
    b.classList.add(move);
    setText(cell.move, move === 'up' ? '▲' : '▼');
    if (cell.timer) clearTimeout(cell.timer);
    cell.timer = setTimeout(() => {
      b.classList.remove('up', 'down');
      setText(cell.move, '');
      cell.timer = null;
    }, FLASH_MS);
  }
}

export { GROUPS };
