// The tail of a match's audit log, newest first: each input with its time, what it did, the version
// after it and the head of its hash. The trader's own actions are marked; "trader actions only"
// hides feed messages, bets and time passing. Read after each action, and on demand.

import { ApiError } from '../api.ts';
import { auditLog } from '../desk-api.ts';
import { auditSource, auditText, hashHex, type AuditEntry } from '../model/audit.ts';
import { timeOfDay } from '../model/desk.ts';
import type { Fixture } from '../model/wire.ts';
import { refusalText } from './confirm-dialog.ts';
import { h, setText } from './dom.ts';

const TAIL = 200;

export class AuditLogView {
  readonly el: HTMLElement;
  #eventId: string;
  #token: () => string | null;
  #fixture: Fixture;
  #rows: HTMLElement;
  #status: HTMLElement;
  #onlyTrader: HTMLInputElement;
  #entries: AuditEntry[] = [];
  #loading: Promise<void> | null = null;
  #again = false;
  #onRefused: (e: ApiError) => void;

  constructor(o: { eventId: string; token: () => string | null; fixture: Fixture; onRefused: (e: ApiError) => void }) {
    this.#eventId = o.eventId;
    this.#token = o.token;
    this.#fixture = o.fixture;
    this.#onRefused = o.onRefused;
    this.#onlyTrader = h('input', { type: 'checkbox', checked: true });
    this.#onlyTrader.addEventListener('change', () => this.#render());
    this.#rows = h('tbody');
    this.#status = h('p', { class: 'muted audit-status', role: 'status' });
    this.el = h(
      'section',
      { class: 'panel audit', 'aria-labelledby': 'audit-title' },
      h(
        'div',
        { class: 'panel-head' },
        h('h2', { id: 'audit-title' }, 'Audit log'),
        h('label', { class: 'inline' }, this.#onlyTrader, ' Trader actions only'),
        h('button', { type: 'button', class: 'small', onclick: () => void this.refresh() }, 'Refresh'),
      ),
      this.#status,
      h(
        'div',
        { class: 'scroll' },
        h(
          'table',
          { class: 'desk-table audit-table' },
          h('caption', { class: 'sr-only' }, `The last ${TAIL} entries of the match's audit log, newest first`),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '#'), h('th', { scope: 'col' }, 'Time'), h('th', { scope: 'col' }, 'What'), h('th', { scope: 'col' }, 'Version'), h('th', { scope: 'col' }, 'Hash'))),
          this.#rows,
        ),
      ),
    );
  }

  set fixture(f: Fixture) {
    this.#fixture = f;
  }

  /** Reads the tail again (one read at a time; a call during a read reads once more after it). */
  refresh(): Promise<void> {
    if (this.#loading) {
      this.#again = true;
      return this.#loading;
    }
    this.#loading = this.#load().finally(() => {
      this.#loading = null;
      if (this.#again) {
        this.#again = false;
        void this.refresh();
      }
    });
    return this.#loading;
  }

  async #load(): Promise<void> {
    const token = this.#token();
    if (!token) return;
    setText(this.#status, 'Reading the log…');
    try {
      const { entries, unreadable } = await auditLog(this.#eventId, token, TAIL);
      this.#entries = entries;
      setText(this.#status, `Read at ${timeOfDay(Date.now())}: ${entries.length} entries${unreadable ? `, ${unreadable} unreadable` : ''}.`);
      this.#render();
    } catch (e) {
      setText(this.#status, `The log could not be read. ${refusalText(e)}`);
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) this.#onRefused(e);
    }
  }

  #render(): void {
    const only = this.#onlyTrader.checked;
    const shown = this.#entries.filter((e) => !only || auditSource(e) === 'trader').reverse();
    if (shown.length === 0) {
      this.#rows.replaceChildren(h('tr', {}, h('td', { colspan: 5, class: 'muted' }, only ? 'No trader action in the last entries.' : 'No entries.')));
      return;
    }
    this.#rows.replaceChildren(
      ...shown.map((e) => {
        const source = auditSource(e);
        return h(
          'tr',
          { class: `audit-row ${source}`, 'data-index': e.index, 'data-source': source },
          h('td', { class: 'num' }, String(e.index)),
          h('td', { class: 'num' }, timeOfDay(e.now_ms)),
          h('td', {}, source === 'trader' ? h('span', { class: 'tag' }, 'trader') : null, ' ', auditText(e, this.#fixture)),
          h('td', { class: 'num' }, `${e.version.epoch}:${e.version.seq}`),
          h('td', { class: 'mono', title: 'First bytes of this entry’s SHA-256, chained to the previous one' }, hashHex(e.hash)),
        );
      }),
    );
  }
}
