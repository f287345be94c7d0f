// The trading desk (`#/desk`, `#/desk/<event_id>`): the admin token sign-in, the list of matches
// with their state, and one match live. Loaded on demand (a dynamic import from main.ts), so the
// bettor's page never downloads it.

import './desk.css';

import { ApiError, getEvent, listEvents, type EventAnswer, type EventSummary } from '../api.ts';
import { checkAdmin } from '../desk-api.ts';
import { clearAdminToken, loadAdminToken, readAdminToken, saveAdminToken } from '../desk-session.ts';
import type { ConnectionStatus } from '../model/connection.ts';
import { periodText, scoreText, timeOfDay } from '../model/desk.ts';
import { outcomeText, scoreLine } from '../model/tennis.ts';
import { matchSuspensionText } from '../model/suspension.ts';
import type { Announcer } from './announcer.ts';
import { refusalText } from './confirm-dialog.ts';
import { DeskMatch } from './desk-match.ts';
import { h, setText } from './dom.ts';

/** The match list changes when matches are created or move on: a slow refresh, and a button. */
const LIST_REFRESH_MS = 10_000;

export interface DeskPageDeps {
  eventId: string | null;
  announcer: Announcer;
  onStatus(status: ConnectionStatus | null): void;
}

export class DeskPage {
  readonly el: HTMLElement;
  #d: DeskPageDeps;
  #token: string | null = loadAdminToken();
  #content: { destroy(): void } | null = null;

  constructor(d: DeskPageDeps) {
    this.#d = d;
    this.el = h('div', { class: 'desk' });
    this.#show();
  }

  destroy(): void {
    this.#content?.destroy();
    this.#content = null;
  }

  #show(message = ''): void {
    this.destroy();
    if (!this.#token) {
      this.#signIn(message);
      return;
    }
    const bar = h(
      'div',
      { class: 'desk-bar' },
      h('span', { class: 'desk-brand' }, 'Trading desk'),
      h('button', { type: 'button', class: 'link', onclick: () => this.#signOut() }, 'Sign out of the desk'),
    );
    if (this.#d.eventId) {
      const m = new DeskMatch({
        eventId: this.#d.eventId,
        token: () => this.#token,
        announcer: this.#d.announcer,
        onStatus: this.#d.onStatus,
        onRefused: (e) => this.#refused(e),
      });
      this.#content = m;
      this.el.replaceChildren(bar, m.el);
    } else {
      const list = new DeskList();
      this.#content = list;
      this.el.replaceChildren(bar, list.el);
    }
  }

  #signOut(): void {
    clearAdminToken();
    this.#token = null;
    this.#show();
  }

  #refused(e: ApiError): void {
    clearAdminToken();
    this.#token = null;
    const text = `The Worker refused the admin token (${e.code}). Sign in again.`;
    this.#d.announcer.alert(text);
    this.#show(text);
  }

  #signIn(message: string): void {
    const input = h('input', { id: 'desk-token', type: 'password', name: 'token', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-describedby': 'desk-token-error desk-token-help' });
    const error = h('p', { id: 'desk-token-error', class: 'error', role: 'alert' }, message);
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Open the desk');
    const form = h(
      'form',
      { class: 'desk-signin panel', 'aria-labelledby': 'desk-signin-title' },
      h('h1', { id: 'desk-signin-title' }, 'Trading desk'),
      h('p', { id: 'desk-token-help', class: 'muted' }, 'The admin token (ADMIN_TOKEN). It is kept for this tab only and never put in the address.'),
      h('label', { for: 'desk-token' }, 'Admin token'),
      input,
      error,
      h('div', { class: 'actions' }, submit),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const token = readAdminToken(input.value);
      if (!token) {
        setText(error, 'That is not a token: paste it without spaces.');
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      submit.disabled = true;
      setText(error, '');
      try {
        // Any match's log tells whether the Worker takes this token; with no match yet, the desk
        // socket will tell when one is opened.
        const first = (await listEvents())[0];
        if (first) await checkAdmin(first.event_id, token);
      } catch (e) {
        submit.disabled = false;
        setText(error, e instanceof ApiError && (e.status === 401 || e.status === 403) ? `The Worker refused this token (${e.code}).` : `The token could not be checked. ${refusalText(e)}`);
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      saveAdminToken(token);
      this.#token = token;
      this.#show();
    });
    this.#content = { destroy() {} };
    this.el.replaceChildren(form);
    queueMicrotask(() => input.focus());
  }
}

/** Every match with its state, read from the public match reads every few seconds. */
class DeskList {
  readonly el: HTMLElement;
  #body = h('tbody');
  #status = h('p', { class: 'muted', role: 'status' });
  #timer: ReturnType<typeof setTimeout> | null = null;
  #gone = false;

  constructor() {
    this.el = h(
      'section',
      { class: 'desk-list panel', 'aria-labelledby': 'desk-list-title' },
      h('div', { class: 'panel-head' }, h('h1', { id: 'desk-list-title' }, 'Matches'), h('button', { type: 'button', class: 'small', onclick: () => void this.#load() }, 'Refresh')),
      this.#status,
      h(
        'div',
        { class: 'scroll' },
        h(
          'table',
          { class: 'desk-table matches-table' },
          h('caption', { class: 'sr-only' }, 'Every match on this server with its state'),
          h('thead', {}, h('tr', {}, ...['Match', 'Score', 'Period', 'Markets', 'Bets', 'Version'].map((t) => h('th', { scope: 'col' }, t)))),
          this.#body,
        ),
      ),
    );
    void this.#load();
  }

  destroy(): void {
    this.#gone = true;
    if (this.#timer) clearTimeout(this.#timer);
  }

  async #load(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    try {
      const events = await listEvents();
      const answers = await Promise.all(events.map((e) => getEvent(e.event_id).catch(() => null)));
      if (this.#gone) return;
      this.#body.replaceChildren(...(events.length ? events.map((e, i) => row(e, answers[i] ?? null)) : [h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No matches yet.'))]));
      setText(this.#status, `${events.length} match${events.length === 1 ? '' : 'es'} · read at ${timeOfDay(Date.now())}`);
    } catch (e) {
      if (!this.#gone) setText(this.#status, `The matches could not be read. ${refusalText(e)} Retrying…`);
    }
    if (!this.#gone) this.#timer = setTimeout(() => void this.#load(), LIST_REFRESH_MS);
  }
}

function row(e: EventSummary, a: EventAnswer | null): HTMLElement {
  const img = a?.snapshot.image;
  const name = img ? `${img.fixture.home} v ${img.fixture.away}` : e.home && e.away ? `${e.home} v ${e.away}` : e.event_id;
  const suspended = img ? (img.abandoned ? 'Abandoned' : matchSuspensionText(img.suspensions, img.fixture)) : null;
  const tennis = img?.sport === 'tennis' ? img : null;
  const football = img?.sport !== 'tennis' ? img : null;
  const tennisPhase = (t: NonNullable<typeof tennis>) => `Tennis · ${t.phase === 'pre_match' ? 'not started' : (outcomeText(t, t.fixture) ?? 'in play')}`;
  return h(
    'tr',
    { 'data-event': e.event_id, 'data-sport': tennis ? 'tennis' : 'football' },
    h('th', { scope: 'row' }, h('a', { href: `#/desk/${encodeURIComponent(e.event_id)}` }, name), h('small', { class: 'muted' }, ` ${e.event_id}`)),
    h('td', { class: 'num' }, tennis ? scoreLine(tennis) || '—' : football ? scoreText(football.state.score) : '—'),
    h('td', {}, tennis ? tennisPhase(tennis) : football ? periodText(football.state.period) : '—'),
    h('td', {}, suspended ? h('span', { class: 'chip' }, suspended) : img ? 'Open' : '—'),
    h('td', { class: 'num' }, a ? String(a.bets) : '—'),
    h('td', { class: 'num' }, a ? `${a.version.epoch}:${a.version.seq}` : '—'),
  );
}
