// One match on the trading desk, live from its desk socket: alerts at the top (announced as they
// are raised and cleared, with the time they started), each feed source's health, suspensions and
// what waits for the other source, the bet flow, exposure against the limits as bars, the book's
// result per way the match can end (football: a grid of final scores; tennis: scores in sets), the
// relays; then the actions and the audit log. A tennis match shows its scoreboard under the header.
// Ages and durations run at server time between views, so a quiet match still shows how long things
// have lasted.

import { ApiError } from '../api.ts';
import { checkAdmin } from '../desk-api.ts';
import { DeskSocket } from '../live/desk-socket.ts';
import type { ConnectionStatus } from '../model/connection.ts';
import {
  ageText,
  alertAnnouncement,
  alertChanges,
  alertKey,
  alertMessage,
  aheadText,
  alertTitle,
  awaitingText,
  barText,
  decisionRows,
  deskScoreText,
  durationText,
  exposureRows,
  matchTimeText,
  outcomeGrid,
  overrideRows,
  rateText,
  reportedScore,
  reportedText,
  scoreText,
  setsRows,
  sourceName,
  suspensionRows,
  tennisOf,
  timeOfDay,
  type Alert,
  type DeskView,
  type ExposureBar,
  type FootballDesk,
  type SourceDesk,
  type TennisDesk,
} from '../model/desk.ts';
import { marketTitle, selectionLabel } from '../model/markets.ts';
import { formatMoney } from '../model/money.ts';
import { ServerClock } from '../model/server-clock.ts';
import { playerName } from '../model/tennis.ts';
import type { Announcer } from './announcer.ts';
import { AuditLogView } from './audit-log-view.ts';
import { ConfirmDialog, refusalText } from './confirm-dialog.ts';
import { DeskActions } from './desk-actions.ts';
import { h, setText } from './dom.ts';
import { TennisScoreboard } from './tennis-scoreboard.ts';

export interface DeskMatchDeps {
  eventId: string;
  token(): string | null;
  announcer: Announcer;
  onStatus(status: ConnectionStatus | null): void;
  /** The Worker refused the token: sign in again. */
  onRefused(e: ApiError): void;
}

/** How long the socket may fail to connect before the desk asks the API why (a wrong token, no such match). */
const DIAGNOSE_AFTER_MS = 2500;
/** While it stays down, how often the desk asks again. */
const DIAGNOSE_AGAIN_MS = 15_000;

export class DeskMatch {
  readonly el: HTMLElement;
  #d: DeskMatchDeps;
  #socket: DeskSocket;
  #server = new ServerClock();
  #view: DeskView | null = null;
  #timer: ReturnType<typeof setInterval>;
  #diagnose: ReturnType<typeof setTimeout> | null = null;
  #dialog = new ConfirmDialog();
  #actions: DeskActions;
  #audit: AuditLogView | null = null;
  #alertEls = new Map<string, { el: HTMLElement; message: HTMLElement; lasted: HTMLElement; buttons: HTMLElement | null }>();
  #lastVersion = '';
  #logTimer: ReturnType<typeof setTimeout> | null = null;
  #tennis = new TennisScoreboard();
  #ui: {
    title: HTMLElement;
    outcomesTitle: HTMLElement;
    score: HTMLElement;
    time: HTMLElement;
    meta: HTMLElement;
    notice: HTMLElement;
    alerts: HTMLElement;
    sources: HTMLElement;
    suspensions: HTMLElement;
    bets: HTMLElement;
    exposure: HTMLElement;
    outcomes: HTMLElement;
    relays: HTMLElement;
    body: HTMLElement;
    lower: HTMLElement;
  };

  constructor(d: DeskMatchDeps) {
    this.#d = d;
    this.#actions = new DeskActions({
      eventId: d.eventId,
      token: d.token,
      view: () => this.#view,
      dialog: this.#dialog,
      announcer: d.announcer,
      onDone: () => void this.#audit?.refresh(),
    });
    const panel = (id: string, title: string | HTMLElement, body: HTMLElement, extra: string = '') =>
      h('section', { class: `panel ${extra}`.trim(), 'aria-labelledby': `desk-${id}-title`, 'data-panel': id }, typeof title === 'string' ? h('h2', { id: `desk-${id}-title` }, title) : title, body);
    this.#ui = {
      title: h('h1', { id: 'desk-match-title' }, d.eventId),
      outcomesTitle: h('h2', { id: 'desk-outcomes-title' }, 'The book by final score'),
      score: h('span', { class: 'desk-score' }),
      time: h('span', { class: 'desk-time' }),
      meta: h('span', { class: 'desk-meta muted' }),
      notice: h('p', { class: 'desk-notice', role: 'alert' }),
      alerts: h('ul', { class: 'alerts', 'aria-label': 'Alerts now' }),
      sources: h('div'),
      suspensions: h('div'),
      bets: h('div'),
      exposure: h('div'),
      outcomes: h('div'),
      relays: h('div'),
      body: h('div', { class: 'desk-body', hidden: true }),
      lower: h('div', { class: 'desk-lower', hidden: true }),
    };
    const u = this.#ui;
    u.body.append(
      h('section', { class: 'alerts-panel', 'aria-labelledby': 'desk-alerts-title' }, h('h2', { id: 'desk-alerts-title', class: 'sr-only' }, 'Alerts'), u.alerts),
      h(
        'div',
        { class: 'desk-grid' },
        h('div', { class: 'desk-col' }, panel('sources', 'Feed sources', u.sources), panel('suspensions', 'Suspensions', u.suspensions), panel('bets', 'Bets', u.bets), panel('relays', 'Relays', u.relays)),
        h('div', { class: 'desk-col' }, panel('exposure', 'Exposure against the limits', u.exposure), panel('outcomes', u.outcomesTitle, u.outcomes)),
      ),
    );
    u.lower.append(this.#actions.el);
    this.el = h(
      'section',
      { class: 'desk-match', 'aria-labelledby': 'desk-match-title', 'data-event': d.eventId },
      h('a', { href: '#/desk', class: 'back' }, '← All matches'),
      h('header', { class: 'desk-head' }, u.title, u.score, u.time, u.meta),
      this.#tennis.el,
      u.notice,
      h('p', { class: 'loading desk-connecting' }, 'Connecting to the desk…'),
      u.body,
      u.lower,
    );
    this.#socket = new DeskSocket({
      eventId: d.eventId,
      token: d.token() ?? '',
      onView: (v, at) => this.#onView(v, at),
      onStatus: (s) => this.#onStatus(s),
    });
    this.#timer = setInterval(() => this.#tick(), 1000);
    this.#scheduleDiagnosis();
  }

  destroy(): void {
    this.#socket.close();
    clearInterval(this.#timer);
    if (this.#diagnose) clearTimeout(this.#diagnose);
    if (this.#logTimer) clearTimeout(this.#logTimer);
    if (this.#dialog.el.open) this.#dialog.el.close();
    this.#dialog.el.remove();
    this.#d.onStatus(null);
  }

  #onStatus(s: ConnectionStatus): void {
    this.#d.onStatus(s);
    this.el.dataset['conn'] = s;
    if (s === 'live') {
      if (this.#diagnose) clearTimeout(this.#diagnose);
      this.#diagnose = null;
      setText(this.#ui.notice, '');
    } else if (s === 'reconnecting' || s === 'connecting') this.#scheduleDiagnosis();
  }

  /** A socket that does not open says nothing of why (the browser hides the HTTP answer): ask the API. */
  #scheduleDiagnosis(delayMs = DIAGNOSE_AFTER_MS): void {
    if (this.#diagnose) return;
    this.#diagnose = setTimeout(async () => {
      this.#diagnose = null;
      if (this.#socket.status === 'live' || this.#socket.status === 'stale') return;
      const token = this.#d.token();
      if (!token) return;
      try {
        await checkAdmin(this.#d.eventId, token);
        setText(this.#ui.notice, 'The desk connection dropped; reconnecting…');
      } catch (e) {
        if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
          this.#d.onRefused(e);
          return;
        }
        setText(this.#ui.notice, e instanceof ApiError && e.code === 'event_not_found' ? `There is no match ${this.#d.eventId}.` : `The desk cannot connect. ${refusalText(e)}`);
      }
      this.#scheduleDiagnosis(DIAGNOSE_AGAIN_MS);
    }, delayMs);
  }

  #onView(v: DeskView, receivedMs: number): void {
    const first = this.#view === null;
    const before = this.#view?.alerts ?? [];
    this.#server.observe(v.server_ms, receivedMs);
    this.#view = v;
    if (first) {
      this.el.querySelector('.desk-connecting')?.remove();
      this.#ui.body.hidden = false;
      this.#ui.lower.hidden = false;
      this.#audit = new AuditLogView({ eventId: v.event_id, token: this.#d.token, fixture: v.fixture, onRefused: this.#d.onRefused });
      this.#ui.lower.append(this.#audit.el);
      void this.#audit.refresh();
    }
    this.#announce(before, v, first);
    this.#render(v);
    // Someone else's action, or the match moving on: the log follows, at most once per version.
    const version = `${v.version.epoch}:${v.version.seq}`;
    if (!first && version !== this.#lastVersion) this.#refreshLogSoon();
    this.#lastVersion = version;
  }

  /** The log re-read after the match moved, no more than every few seconds. */
  #refreshLogSoon(): void {
    if (this.#logTimer) return;
    this.#logTimer = setTimeout(() => {
      this.#logTimer = null;
      void this.#audit?.refresh();
    }, 3000);
  }

  #announce(before: readonly Alert[], v: DeskView, first: boolean): void {
    const { raised, cleared } = alertChanges(before, v.alerts);
    if (raised.length) this.#d.announcer.alert(raised.map((a) => alertAnnouncement(a, first ? 'Alert standing' : 'New alert', this.#alertWords(a, v))).join(' '));
    else if (cleared.length) this.#d.announcer.say(cleared.map((a) => `Cleared: ${alertTitle(a.kind)}${a.subject ? ` (${a.subject})` : ''}.`).join(' '));
  }

  #render(v: DeskView): void {
    const u = this.#ui;
    setText(u.title, v.title);
    setText(u.score, deskScoreText(v));
    setText(u.time, v.abandoned ? 'Abandoned' : matchTimeText(v));
    this.el.dataset['sport'] = v.sport.sport;
    const tennis = tennisOf(v);
    this.#tennis.el.hidden = tennis === null;
    if (tennis) {
      this.#tennis.show({ ...tennis, fixture: v.fixture });
      // The header says the time; here the count a provider's point numbers follow.
      setText(this.#tennis.clock, `${tennis.points_played} point${tennis.points_played === 1 ? '' : 's'} played`);
    }
    setText(u.meta, `version ${v.version.epoch}:${v.version.seq} · margin ${(Math.round(v.trading.margin * 1000) / 10).toFixed(1)} % · delay ${durationText(v.trading.bet_delay_ms)}`);
    this.#renderAlerts(v);
    this.#renderTimed(v);
    this.#renderBets(v);
    this.#renderExposure(v);
    this.#renderOutcomes(v);
    this.#renderRelays(v);
    this.#actions.update(v);
    if (this.#audit) this.#audit.fixture = v.fixture;
  }

  /** What moves with time between views: ages, durations. */
  #tick(): void {
    if (!this.#view) return;
    this.#renderTimed(this.#view);
    const now = this.#server.now();
    for (const a of this.#view.alerts) {
      const e = this.#alertEls.get(alertKey(a));
      if (e) setText(e.lasted, durationText(now - a.since_ms));
    }
  }

  #alertWords(a: Alert, v: DeskView): string {
    return alertMessage(a, v, { market: (m) => marketTitle(m, v.fixture), selection: (m, sel) => selectionLabel(m, sel, v.fixture) });
  }

  #renderAlerts(v: DeskView): void {
    const now = this.#server.now();
    const keys = new Set(v.alerts.map(alertKey));
    for (const [k, e] of this.#alertEls) {
      if (!keys.has(k)) {
        const hadFocus = e.el.contains(document.activeElement);
        e.el.remove();
        if (hadFocus) this.#actions.focusResult();
        this.#alertEls.delete(k);
      }
    }
    // Kept elements keep their place (and a focused button its focus); new ones go where the hub lists them.
    let prev: Element | null = null;
    for (const a of v.alerts) {
      const k = alertKey(a);
      let e = this.#alertEls.get(k);
      if (!e) {
        const lasted = h('span', { class: 'lasted' });
        const message = h('span', { class: 'message' });
        const buttons =
          a.kind === 'source_discrepancy'
            ? h(
                'span',
                { class: 'alert-actions' },
                ...v.sources.map((s) =>
                  h('button', { type: 'button', class: 'confirm-source', 'data-source': s.source, onclick: () => void this.#actions.perform({ kind: 'confirm', source: s.source }) }, `Confirm ${s.source}`),
                ),
              )
            : null;
        const el = h(
          'li',
          { class: `alert kind-${a.kind}`, 'data-kind': a.kind, 'data-subject': a.subject },
          h('strong', {}, alertTitle(a.kind)),
          a.subject ? h('span', { class: 'subject' }, a.subject) : null,
          message,
          h('span', { class: 'since' }, 'since ', h('time', { datetime: new Date(a.since_ms).toISOString() }, timeOfDay(a.since_ms)), ' · ', lasted),
          buttons,
        );
        e = { el, message, lasted, buttons };
        this.#alertEls.set(k, e);
      }
      // The scores each source believes, on its button.
      if (e.buttons) {
        for (const b of e.buttons.querySelectorAll<HTMLButtonElement>('button[data-source]')) {
          const s = v.sources.find((x) => x.source === b.dataset['source']);
          setText(b, `Confirm ${b.dataset['source']} (${s ? reportedText(v, s.source) : '—'})`);
        }
      }
      setText(e.message, this.#alertWords(a, v));
      setText(e.lasted, durationText(now - a.since_ms));
      const target: Element | null = prev ? prev.nextElementSibling : this.#ui.alerts.firstElementChild;
      if (target !== e.el) this.#ui.alerts.insertBefore(e.el, target);
      prev = e.el;
    }
    const none = this.#ui.alerts.querySelector('.no-alerts');
    if (v.alerts.length === 0 && !none) this.#ui.alerts.append(h('li', { class: 'no-alerts' }, 'No alerts.'));
    if (v.alerts.length > 0) none?.remove();
  }

  #renderTimed(v: DeskView): void {
    const now = this.#server.now();
    const u = this.#ui;
    const disagreeing = v.sources.filter((s) => s.disagrees_since_ms !== null);
    u.sources.replaceChildren(
      table(
        'Each feed source: when it last spoke, its sequence, its messages by result and the score it believes',
        ['Source', 'Last message', 'Seq', 'Accepted', 'Dupl.', 'Held now', 'Held (all)', 'Rejected', 'Believes'],
        v.sources.map((s) =>
          h(
            'tr',
            { 'data-source': s.source, class: s.disagrees_since_ms !== null ? 'disagrees' : '' },
            h('th', { scope: 'row' }, sourceName(s.source)),
            h('td', { class: 'num age' }, ageText(s.last_message_ms, now)),
            h('td', { class: 'num' }, s.last_seq === null ? '—' : String(s.last_seq)),
            h('td', { class: 'num' }, String(s.accepted)),
            h('td', { class: 'num' }, String(s.duplicate)),
            h('td', { class: 'num' }, String(s.held)),
            h('td', { class: 'num' }, String(s.held_total)),
            h('td', { class: 'num' }, String(s.rejected)),
            believesCell(v, s.source),
          ),
        ),
      ),
      ...disagreeing.map((s) =>
        h('p', { class: 'disagreement', 'data-source': s.source }, `${sourceName(s.source)}’s score (${reportedText(v, s.source)}) disagrees with the match’s (${deskScoreText(v)}) for ${durationText(now - (s.disagrees_since_ms ?? now))}.`),
      ),
    );
    const rows = suspensionRows(v, now);
    const overrides = overrideRows(v);
    const parts: (Node | null)[] = [
      rows.length
        ? h('ul', { class: 'suspensions' }, ...rows.map((r) => h('li', {}, h('strong', {}, r.text), ` since ${timeOfDay(r.since_ms)} · ${r.lasted} · ${r.lifts}`)))
        : h('p', { class: 'muted' }, 'Every market open.'),
      overrides.length
        ? h('ul', { class: 'suspensions overrides', 'aria-label': 'Markets suspended one by one' }, ...overrides.map((o) => h('li', { 'data-market': o.market }, h('strong', {}, `${marketTitle(o.market, v.fixture)} (${o.market})`), ` ${o.status}`)))
        : null,
      v.awaiting.length ? h('ul', { class: 'awaiting', 'aria-label': 'Waiting for the other source' }, ...v.awaiting.map((a) => h('li', {}, awaitingText(a, v.fixture)))) : null,
    ];
    u.suspensions.replaceChildren(...parts.filter((p): p is Node => p !== null));
  }

  #renderBets(v: DeskView): void {
    const decisions = decisionRows(v.bets.decisions);
    this.#ui.bets.replaceChildren(
      h(
        'dl',
        { class: 'stats' },
        h('div', {}, h('dt', {}, 'Bets per second'), h('dd', { 'data-stat': 'rate' }, rateText(v.bets.per_second))),
        h('div', {}, h('dt', {}, 'Pending in delay'), h('dd', { 'data-stat': 'pending' }, String(v.bets.pending))),
        h('div', {}, h('dt', {}, 'Bets held'), h('dd', { 'data-stat': 'total' }, String(v.bets.total))),
      ),
      decisions.length
        ? table('Decisions by code since the hub started', ['Decision', 'Count'], decisions.map((d) => h('tr', { 'data-code': d.code }, h('th', { scope: 'row' }, d.text), h('td', { class: 'num' }, String(d.count)))))
        : h('p', { class: 'muted' }, 'No bets yet.'),
    );
  }

  #renderExposure(v: DeskView): void {
    const rows = exposureRows(v);
    if (rows.length === 0) {
      this.#ui.exposure.replaceChildren(h('p', { class: 'muted' }, `No exposure yet. Limits: ${formatMoney(v.trading.max_selection_liability)} per selection, ${formatMoney(v.trading.max_market_liability)} per market.`));
      return;
    }
    this.#ui.exposure.replaceChildren(
      h(
        'ul',
        { class: 'exposure' },
        ...rows.map((m) =>
          h(
            'li',
            { class: 'exp-market', 'data-market': m.market },
            bar(`${marketTitle(m.market, v.fixture)} (${m.market})`, m, 'of-market'),
            h(
              'ul',
              {},
              ...m.selections.map((s) =>
                h('li', { 'data-selection': s.selection }, bar(selectionLabel(m.market, s.selection, v.fixture), s, 'of-selection', `${s.bets} bet${s.bets === 1 ? '' : 's'}, ${formatMoney(s.stakes)} staked`)),
              ),
            ),
          ),
        ),
      ),
    );
  }

  #renderOutcomes(v: DeskView): void {
    setText(this.#ui.outcomesTitle, v.sport.sport === 'tennis' ? 'The book by result in sets' : 'The book by final score');
    if (v.sport.sport === 'tennis') this.#renderSets(v, v.sport);
    else this.#renderScores(v, v.sport);
  }

  /** Tennis: a row per score in sets still possible, the worst named. */
  #renderSets(v: DeskView, t: TennisDesk): void {
    const { rows, worst, best } = setsRows(t.outcomes, v.fixture);
    if (!worst || rows.every((r) => r.net === 0)) {
      this.#ui.outcomes.replaceChildren(h('p', { class: 'muted' }, rows.length ? 'No open bets: no result moves the book.' : 'The match is over: nothing is left to decide.'));
      return;
    }
    this.#ui.outcomes.replaceChildren(
      h('p', { class: 'worst' }, 'Worst case ', h('strong', {}, signed(worst.net)), ` if ${playerName(v.fixture, worst.winner)} wins ${worst.score}`, best ? ` · best ${signed(best.net)} at ${best.label}` : ''),
      h(
        'div',
        { class: 'scroll' },
        h(
          'table',
          { class: 'outcomes sets-outcomes' },
          h('caption', { class: 'sr-only' }, 'The book’s result (stakes kept minus payouts) if the match ends on each score in sets; bets the sets do not decide (a game, total games, handicaps, a tiebreak) at their worst.'),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Result'), h('th', { scope: 'col', class: 'num' }, 'Book'))),
          h(
            'tbody',
            {},
            ...rows.map((r) =>
              h(
                'tr',
                { 'data-sets': `${r.sets[0]}-${r.sets[1]}`, class: r === worst ? 'worst-row' : '' },
                h('th', { scope: 'row', class: `player-${r.winner}` }, r.label),
                h('td', { class: `num ${r.net < 0 ? 'loss' : 'gain'}` }, signed(r.net)),
              ),
            ),
          ),
        ),
      ),
      h('p', { class: 'muted hint' }, 'Bets the sets do not decide (a game, total games, handicaps, a tiebreak) count at their worst.'),
    );
  }

  #renderScores(v: DeskView, football: FootballDesk): void {
    const outcomes = football.outcomes;
    const g = outcomeGrid(outcomes);
    if (!g.worst || outcomes.every((o) => o.net === 0)) {
      this.#ui.outcomes.replaceChildren(h('p', { class: 'muted' }, 'No open bets: no final score moves the book.'));
      return;
    }
    const worst = g.worst;
    this.#ui.outcomes.replaceChildren(
      h('p', { class: 'worst' }, 'Worst case ', h('strong', {}, signed(worst.net)), ` if it ends ${scoreText(worst.score)}`, g.best ? ` · best ${signed(g.best.net)} at ${scoreText(g.best.score)}` : ''),
      h(
        'div',
        { class: 'scroll' },
        h(
          'table',
          { class: 'outcomes' },
          h('caption', {}, `The book’s result (stakes kept minus payouts) if the match ends on each score: ${v.fixture.home} goals down, ${v.fixture.away} across.`),
          h('thead', {}, h('tr', {}, h('td', {}), ...g.aways.map((a) => h('th', { scope: 'col' }, String(a))))),
          h(
            'tbody',
            {},
            ...g.homes.map((home, i) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, String(home)),
                ...g.aways.map((away, j) => {
                  const net = g.cells[i]?.[j] ?? null;
                  const isWorst = home === worst.score.home && away === worst.score.away;
                  return h('td', { class: `num ${net !== null && net < 0 ? 'loss' : 'gain'}${isWorst ? ' worst-cell' : ''}`, 'data-score': `${home}-${away}` }, net === null ? '—' : signed(net));
                }),
              ),
            ),
          ),
        ),
      ),
    );
  }

  #renderRelays(v: DeskView): void {
    this.#ui.relays.replaceChildren(
      v.relays.length
        ? table(
            'Relays: sockets, versions behind the hub, failed sends in a row',
            ['Relay', 'Sockets', 'Behind', 'Failures'],
            v.relays.map((r) =>
              h('tr', { class: r.lag > 0 || r.failures > 0 ? 'behind' : '' }, h('th', { scope: 'row' }, r.name), h('td', { class: 'num' }, String(r.sockets)), h('td', { class: 'num' }, String(r.lag)), h('td', { class: 'num' }, String(r.failures))),
            ),
          )
        : h('p', { class: 'muted' }, 'No relay yet (no bettor has opened the match).'),
    );
  }
}

/** The score a source believes, and (tennis) its points beyond those that stand on a line below. */
function believesCell(v: DeskView, source: SourceDesk['source']): HTMLElement {
  const { score, ahead } = reportedScore(v, source);
  return h('td', { class: 'num believes' }, score, ahead ? h('small', {}, aheadText(ahead)) : null);
}

/** Money the book makes (`+£12.00`) or loses (`-£40.00`). */
function signed(n: number): string {
  return n > 0 ? `+${formatMoney(n)}` : formatMoney(n);
}

function table(caption: string, heads: string[], rows: HTMLElement[]): HTMLElement {
  return h(
    'div',
    { class: 'scroll' },
    h('table', { class: 'desk-table' }, h('caption', { class: 'sr-only' }, caption), h('thead', {}, h('tr', {}, ...heads.map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, ...rows)),
  );
}

/** A liability bar against its limit: a meter for assistive technology, the amounts beside it. */
function bar(label: string, b: ExposureBar, kind: 'of-market' | 'of-selection', extra = ''): HTMLElement {
  const pct = Math.min(100, Math.round(b.share * 1000) / 10);
  const text = barText(b);
  return h(
    'div',
    { class: `bar-row ${kind}${b.alert ? ' at-limit' : ''}`, 'data-share': b.share.toFixed(4) },
    h('span', { class: 'bar-label' }, label),
    h(
      'span',
      { class: 'meter', role: 'meter', 'aria-label': `${label}: liability`, 'aria-valuemin': 0, 'aria-valuemax': b.limit, 'aria-valuenow': Math.min(b.liability, b.limit), 'aria-valuetext': text },
      h('i', { style: `width: ${pct}%` }),
    ),
    h('span', { class: 'bar-text' }, text, extra ? ' ' : null, extra ? h('small', {}, extra) : null),
  );
}
