// Live and upcoming matches (football and tennis) with score, clock and the headline prices (match
// result; tennis: match winner). The list reads each match's snapshot over HTTP now and then; only
// an open match view holds a live socket. The clocks tick with the engine's `clockAt` on each
// snapshot's anchor.

import { bookOf, getEvent, listEvents, type EventAnswer } from '../api.ts';
import type { Engine } from '../engine.ts';
import { clockLabel, isInPlay } from '../model/clock.ts';
import { HEADLINE_MARKETS, shortLabel } from '../model/markets.ts';
import { ServerClock } from '../model/server-clock.ts';
import { matchSuspensionText } from '../model/suspension.ts';
import { elapsedText, outcomeText, scoreLine, tennisInPlay } from '../model/tennis.ts';
import type { MatchImage } from '../model/wire.ts';
import { h, setText } from './dom.ts';
import type { OddsText } from './odds-text.ts';

const REFRESH_MS = 5000;

interface Row {
  el: HTMLElement;
  clock: HTMLElement;
  answer: EventAnswer | null;
}

export class MatchList {
  readonly el: HTMLElement;
  #odds: OddsText;
  /** The engine once loaded (it loads beside the list): running clocks show from then on. */
  #engine: () => Engine | null;
  #list: HTMLElement;
  #rows = new Map<string, Row>();
  #server = new ServerClock();
  #refresh: ReturnType<typeof setTimeout> | null = null;
  #clock: ReturnType<typeof setInterval>;
  #gone = false;
  #unsubscribe: () => void;
  /** Names of matches seen, for the bets page. */
  static names = new Map<string, string>();
  /** The sport of matches seen, so a match page loads the engine that runs it. */
  static sports = new Map<string, 'football' | 'tennis'>();

  constructor(odds: OddsText, engine: () => Engine | null) {
    this.#odds = odds;
    this.#engine = engine;
    this.#list = h('ul', { class: 'matches', 'aria-live': 'off' });
    this.el = h('section', { class: 'match-list', 'aria-labelledby': 'matches-title' }, h('h1', { id: 'matches-title' }, 'Live and upcoming'), this.#list);
    this.#list.appendChild(h('li', { class: 'muted' }, 'Loading matches…'));
    this.#clock = setInterval(() => this.#tickClocks(), 1000);
    this.#unsubscribe = odds.onChange(() => this.#rows.forEach((r, id) => this.#paint(id, r)));
    void this.#load();
  }

  destroy(): void {
    this.#gone = true;
    clearInterval(this.#clock);
    if (this.#refresh) clearTimeout(this.#refresh);
    this.#unsubscribe();
  }

  async #load(): Promise<void> {
    try {
      const events = await listEvents();
      const answers = await Promise.all(events.map((e) => getEvent(e.event_id).then((a) => ({ a, at: Date.now() })).catch(() => null)));
      if (this.#gone) return;
      if (events.length === 0) this.#list.replaceChildren(h('li', { class: 'muted' }, 'No matches right now.'));
      else if (this.#rows.size === 0) this.#list.replaceChildren();
      events.forEach((e, i) => {
        const got = answers[i];
        if (got) this.#server.observe(got.a.server_ms, got.at);
        let row = this.#rows.get(e.event_id);
        if (!row) {
          row = { el: h('li', { class: 'match-row', 'data-event': e.event_id }), clock: h('span', { class: 'clock' }), answer: null };
          this.#rows.set(e.event_id, row);
          this.#list.appendChild(row.el);
        }
        row.answer = got?.a ?? row.answer;
        const sport = row.answer?.snapshot.image.sport;
        if (row.answer) MatchList.sports.set(e.event_id, sport === 'tennis' ? 'tennis' : 'football');
        if (e.home && e.away) MatchList.names.set(e.event_id, `${e.home} v ${e.away}`);
        this.#paint(e.event_id, row, e.home ?? e.event_id, e.away ?? '');
      });
    } catch {
      if (this.#rows.size === 0) this.#list.replaceChildren(h('li', { class: 'muted' }, 'Matches could not be loaded. Retrying…'));
    }
    if (!this.#gone) this.#refresh = setTimeout(() => void this.#load(), REFRESH_MS);
  }

  #paint(id: string, row: Row, home?: string, away?: string): void {
    const a = row.answer;
    const img = a?.snapshot.image;
    const f = img?.fixture ?? { home: home ?? id, away: away ?? '', kickoff_ms: 0 };
    const book = a ? bookOf(a) : null;
    const result = book?.markets.find((m) => HEADLINE_MARKETS.includes(m.key));
    const over = img?.sport === 'tennis' && typeof img.phase !== 'string' ? 'Finished' : null;
    const suspended = img ? (img.abandoned ? 'Abandoned' : (over ?? matchSuspensionText(img.suspensions, f))) : null;
    const live = img ? inPlay(img) : false;
    const prices = h(
      'span',
      { class: 'headline', 'aria-label': 'Match result prices' },
      ...(result?.selections ?? []).map((s) =>
        h('span', { class: 'hp' }, h('small', {}, shortLabel(s.key)), suspended ? '—' : this.#odds.text(s.odds ?? null)),
      ),
    );
    row.el.replaceChildren(
      h(
        'a',
        { href: `#/match/${encodeURIComponent(id)}`, class: 'row-link' },
        h('span', { class: `live-dot${live ? ' on' : ''}`, 'aria-label': live ? 'In play' : 'Not in play' }),
        h('span', { class: 'teams' }, h('span', {}, f.home), h('span', {}, f.away)),
        h('span', { class: 'row-score' }, img ? rowScore(img) : ''),
        row.clock,
        suspended ? h('span', { class: 'chip' }, suspended) : prices,
      ),
    );
    this.#tickClock(row);
  }

  #tickClocks(): void {
    for (const r of this.#rows.values()) this.#tickClock(r);
  }

  #tickClock(r: Row): void {
    const img = r.answer?.snapshot.image;
    if (!img) return;
    const now = this.#server.now();
    let clockMs: number | null = null;
    try {
      clockMs = this.#engine()?.clockAt(img.clock, now) ?? null;
    } catch {
      // An anchor the engine refuses: no running time to show.
    }
    if (img.sport === 'tennis') {
      const ended = outcomeText(img, img.fixture);
      setText(r.clock, ended ? '' : tennisInPlay(img) && clockMs !== null ? elapsedText(clockMs) : '');
      return;
    }
    // In a half the label is the time itself: without the engine's (still loading) it stays blank
    // rather than guessed. Breaks and kick-off are labelled from the period alone.
    const timed = img.state.period === 'first_half' || img.state.period === 'second_half';
    setText(r.clock, timed && clockMs === null ? '' : clockLabel({ ...img.state, clock_ms: clockMs ?? img.state.clock_ms }, now, img.fixture.kickoff_ms));
  }
}

function inPlay(img: MatchImage): boolean {
  return img.sport === 'tennis' ? tennisInPlay(img) : isInPlay(img.state.period);
}

/** `1 – 0` for football; the sets and the set in play for tennis (`6-4 2-1`). */
function rowScore(img: MatchImage): string {
  if (img.sport === 'tennis') return img.phase === 'pre_match' ? '' : scoreLine(img);
  return img.state.period !== 'pre_match' ? `${img.state.score.home} – ${img.state.score.away}` : '';
}
