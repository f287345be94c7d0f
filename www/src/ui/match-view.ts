// One match: scoreboard with the ticking clock (football: score, cards, goals; tennis: sets, games,
// points and who serves), the suspension banner, the probability chart, every market, the bet slip
// and this match's bets. The page holds the engine's LiveEvent and reprices from the server clock
// several times a second; the socket only brings what changed.

import { errorCode, readDecision, type Engine } from '../engine.ts';
import { MatchFeed } from '../live/match-feed.ts';
import type { MyBets } from '../live/my-bets.ts';
import { MatchChart, resultProbabilities } from '../model/chart.ts';
import type { ReadDecision } from '../model/bets.ts';
import { clockLabel, minuteMark } from '../model/clock.ts';
import type { ConnectionStatus } from '../model/connection.ts';
import { marketTitle, selectionLabel } from '../model/markets.ts';
import { matchSuspensionText, statusText, teamName } from '../model/suspension.ts';
import { elapsedText, outcomeText, startLabel } from '../model/tennis.ts';
import type { BetErrorFrame, FootballImage, MarketBook, MarketStatus, MatchImage, TennisImage } from '../model/wire.ts';
import type { Session } from '../session.ts';
import type { Announcer } from './announcer.ts';
import { BetSlip } from './bet-slip.ts';
import { ChartView } from './chart-view.ts';
import { h, setText } from './dom.ts';
import { MarketBoard } from './market-board.ts';
import { BetList } from './my-bets-view.ts';
import { TennisScoreboard } from './tennis-scoreboard.ts';
import type { OddsText } from './odds-text.ts';

/** Reprices per second: often enough that the clock and prices look alive, cheap enough for phones. */
const REPRICE_HZ = 4;

export interface MatchViewDeps {
  engine: Engine;
  eventId: string;
  odds: OddsText;
  announcer: Announcer;
  bets: MyBets;
  session(): Session | null;
  clientId: string;
  signIn(): void;
  onStatus(status: ConnectionStatus, region: string | null, shard: number | null): void;
  staleAfterMs?: number;
}

export class MatchView {
  readonly el: HTMLElement;
  #d: MatchViewDeps;
  #feed: MatchFeed;
  #board: MarketBoard;
  #slip: BetSlip;
  #chart = new MatchChart();
  #chartView: ChartView;
  #betList: BetList;
  #timer: ReturnType<typeof setInterval>;
  #book: MarketBook | null = null;
  #statuses: Partial<Record<string, MarketStatus>> = {};
  #lastSuspension: string | null = null;
  #unsubscribe: (() => void)[] = [];
  #tennis = new TennisScoreboard();
  /** A tennis image's games, set count and phase at the last update: bets settle when it changes. */
  #tennisEnded = '';
  #ui: {
    football: HTMLElement;
    home: HTMLElement;
    away: HTMLElement;
    score: HTMLElement;
    clock: HTMLElement;
    reds: HTMLElement;
    goals: HTMLElement;
    banner: HTMLElement;
    bannerLead: HTMLElement;
    bannerText: HTMLElement;
    loading: HTMLElement;
    slipToggle: HTMLButtonElement;
    aside: HTMLElement;
  };

  constructor(d: MatchViewDeps) {
    this.#d = d;
    this.#board = new MarketBoard(
      d.odds,
      (p) => this.#pick(p.market, p.selection),
      (p) => this.#slip.has(p.market, p.selection),
    );
    this.#slip = new BetSlip(
      {
        eventId: d.eventId,
        now: () => this.#feed.now(),
        version: () => this.#feed.version,
        check: (req) => {
          const live = this.#feed.live;
          if (!live) return { ok: false, code: 'market_closed' };
          try {
            return { ok: true, price: live.checkBet(req, this.#feed.now()) };
          } catch (e) {
            return { ok: false, code: errorCode(e) };
          }
        },
        payout: (result, stake, price) => {
          try {
            return d.engine.payout(result, stake, price);
          } catch {
            return null; // not a price the engine settles at (none the board offers)
          }
        },
        read: (dec) => readDecision(d.engine, dec),
        offered: (m, s) => this.#book?.markets.find((x) => x.key === m)?.selections.find((x) => x.key === s)?.odds ?? null,
        closedReason: (m) => (this.#feed.image ? statusText(this.#statuses[m] ?? 'closed', this.#feed.image.suspensions, this.#feed.image.fixture) : 'Loading'),
        terms: () => this.#feed.image?.trading ?? null,
        matchName: () => (this.#feed.image ? `${this.#feed.image.fixture.home} v ${this.#feed.image.fixture.away}` : d.eventId),
        session: d.session,
        record: (b) => d.bets.add(b),
        announce: (text, urgent) => (urgent ? d.announcer.alert(text) : d.announcer.say(text)),
        signIn: d.signIn,
      },
      d.odds,
      () => this.#slipChanged(),
    );
    this.#chartView = new ChartView(this.#chart);
    this.#betList = new BetList(d.odds, { eventId: d.eventId, compact: true });

    const home = h('span', { class: 'team home' });
    const away = h('span', { class: 'team away' });
    const score = h('span', { class: 'score', 'aria-label': 'Score' }, '– : –');
    const clock = h('span', { class: 'clock', role: 'timer', 'aria-live': 'off' });
    const reds = h('span', { class: 'reds' });
    const goals = h('ul', { class: 'goals', 'aria-label': 'Goals' });
    const bannerText = h('span', { class: 'banner-text' });
    const bannerLead = h('span', { class: 'lead' }, 'Betting suspended — ');
    const banner = h('div', { class: 'banner', hidden: true, role: 'alert' }, h('span', { class: 'lock', 'aria-hidden': 'true' }), bannerLead, bannerText);
    const loading = h('p', { class: 'loading' }, 'Connecting to the match…');
    const slipToggle = h('button', { class: 'slip-toggle', type: 'button', 'aria-controls': 'match-aside', 'aria-expanded': 'false' }, 'Bet slip');
    const close = h('button', { class: 'sheet-close', type: 'button' }, 'Close');
    close.addEventListener('click', () => {
      this.#toggleSheet(false);
      slipToggle.focus();
    });
    const aside = h('aside', { id: 'match-aside', class: 'aside', 'aria-label': 'Bet slip and my bets' }, close, this.#slip.el, h('section', { class: 'my-bets', 'aria-labelledby': 'match-bets-title' }, h('h2', { id: 'match-bets-title' }, 'My bets on this match'), this.#betList.el));
    slipToggle.addEventListener('click', () => this.#toggleSheet());
    aside.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && aside.classList.contains('open')) {
        this.#toggleSheet(false);
        slipToggle.focus();
      }
    });
    const football = h('section', { class: 'scoreboard', 'aria-label': 'Scoreboard' }, home, h('div', { class: 'middle' }, score, clock, reds), away, goals);
    this.#ui = { football, home, away, score, clock, reds, goals, banner, bannerLead, bannerText, loading, slipToggle, aside };

    // On a phone the markets come first; the chart is one tap away.
    const roomy = matchMedia('(min-width: 881px)').matches;
    const chartSection = h('details', { class: 'chart-card', open: roomy }, h('summary', {}, 'Win probability'), this.#chartView.el);
    chartSection.addEventListener('toggle', () => this.#chartView.draw());
    this.el = h(
      'div',
      { class: 'match', 'data-event': d.eventId },
      h(
        'div',
        { class: 'match-main' },
        h('a', { class: 'back', href: '#/' }, '← All matches'),
        h('a', { class: 'skip-slip', href: '#/', onclick: (e: Event) => {
          e.preventDefault();
          this.#toggleSheet(true);
          (this.#slip.el.querySelector('input, button') as HTMLElement | null)?.focus();
        } }, 'Skip to bet slip'),
        football,
        this.#tennis.el,
        banner,
        chartSection,
        loading,
        this.#board.el,
      ),
      aside,
      slipToggle,
    );

    this.#unsubscribe.push(d.odds.onChange(() => {
      this.#board.refresh();
      this.#slip.tick();
      this.#betList.render(d.bets.list(d.eventId));
    }));
    this.#unsubscribe.push(d.bets.onChange(() => this.#betList.render(d.bets.list(d.eventId))));
    this.#betList.render(d.bets.list(d.eventId));
    const token = d.session()?.token;
    if (token) void d.bets.refresh(token, d.eventId);

    this.#feed = new MatchFeed(
      d.engine,
      d.eventId,
      { token: d.session()?.token ?? null, client: d.clientId, ...(d.staleAfterMs ? { staleAfterMs: d.staleAfterMs } : {}) },
      {
        snapshot: (image) => this.#onSnapshot(image),
        delta: (image, _delta, fields) => this.#onDelta(image, fields),
        decision: (dec) => this.#onDecision(dec),
        refusal: (r) => this.#onRefusal(r),
        status: (s) => this.#onStatus(s),
      },
    );
    this.#timer = setInterval(() => this.#tick(), 1000 / REPRICE_HZ);
    document.addEventListener('visibilitychange', this.#onVisible);
  }

  /** Back from a hidden tab: reprice at once rather than on the next beat. */
  #onVisible = () => {
    if (!document.hidden) this.#tick(true);
  };

  /** For the tests and the status line: what the socket brought so far. */
  get feed(): MatchFeed {
    return this.#feed;
  }

  destroy(): void {
    clearInterval(this.#timer);
    document.removeEventListener('visibilitychange', this.#onVisible);
    this.#feed.close();
    this.#board.destroy();
    this.#slip.destroy();
    this.#chartView.destroy();
    for (const u of this.#unsubscribe) u();
  }

  #pick(market: string, selection: string): void {
    const f = this.#feed.image?.fixture;
    if (!f) return;
    // A click from the keyboard (detail 0) moves focus to the stake box; a mouse click stays put.
    const keyboard = (window.event as MouseEvent | undefined)?.detail === 0;
    this.#slip.toggle({ market, selection, title: marketTitle(market, f), label: selectionLabel(market, selection, f) }, keyboard);
  }

  #slipChanged(): void {
    const n = this.#slip?.count ?? 0;
    if (this.#ui) setText(this.#ui.slipToggle, n ? `Bet slip (${n})` : 'Bet slip');
    this.#board?.refresh();
  }

  #toggleSheet(open?: boolean): void {
    const aside = this.#ui.aside;
    const next = open ?? !aside.classList.contains('open');
    aside.classList.toggle('open', next);
    this.#ui.slipToggle.setAttribute('aria-expanded', String(next));
    if (next) (aside.querySelector('input, button') as HTMLElement | null)?.focus();
  }

  #onStatus(s: ConnectionStatus): void {
    this.el.dataset['conn'] = s;
    this.#d.onStatus(s, this.#feed?.region ?? null, this.#feed?.shard ?? null);
  }

  #onSnapshot(image: MatchImage): void {
    this.#ui.loading.hidden = true;
    const tennis = image.sport === 'tennis';
    this.#ui.football.hidden = tennis;
    this.#tennis.el.hidden = !tennis;
    this.el.dataset['sport'] = tennis ? 'tennis' : 'football';
    this.#chart.halves = !tennis;
    this.#chartView.setNames(image.fixture.home, image.fixture.away, !tennis);
    setText(this.#ui.home, image.fixture.home);
    setText(this.#ui.away, image.fixture.away);
    document.title = `${image.fixture.home} v ${image.fixture.away} — inplay`;
    if (image.sport !== 'tennis') {
      this.#chart.setGoals(image.goals);
      this.#chart.observeRedCards(image.state.red_cards, this.#clockMs(image));
    } else {
      this.#tennisEnded = endsOf(image);
    }
    this.#onStatus(this.#feed.status);
    this.#showState(image);
    this.#tick(true);
  }

  #onDelta(image: MatchImage, fields: Set<string>): void {
    // Settlement happens on the hub as the match goes: fetch it for our bets when it may have.
    let settles = false;
    if (image.sport === 'tennis') {
      // Games, sets and the match settle bets as they end (a point op may end any of them).
      const ended = endsOf(image);
      settles = ended !== this.#tennisEnded || fields.has('abandoned');
      this.#tennisEnded = ended;
    } else {
      if (fields.has('goals')) this.#chart.setGoals(image.goals);
      if (fields.has('state')) {
        this.#chart.observeRedCards(image.state.red_cards, this.#clockMs(image));
        settles = image.state.period === 'half_time' || image.state.period === 'full_time';
      }
    }
    const token = this.#d.session()?.token;
    if (token && settles) setTimeout(() => void this.#d.bets.refresh(token, this.#d.eventId), 500);
    this.#showState(image);
    this.#tick(true);
  }

  #onDecision(d: ReadDecision): void {
    this.#d.bets.apply(d);
    this.#slip.decision(d);
  }

  #onRefusal(r: BetErrorFrame): void {
    this.#slip.refused(r.key, r.error.code, r.error.message);
  }

  /** The match clock now, as the engine runs it on (tennis: the time since the first point). */
  #clockMs(image: MatchImage): number {
    if (image.sport === 'tennis') return this.#elapsed(image);
    const state = this.#feed.live?.stateAt(this.#feed.now());
    return state && 'clock_ms' in state ? state.clock_ms : image.state.clock_ms;
  }

  /** Time since a tennis match's first point, from the engine's clock anchor. */
  #elapsed(image: TennisImage): number {
    try {
      return this.#d.engine.clockAt(image.clock, this.#feed.now());
    } catch {
      return image.clock.clock_ms;
    }
  }

  /** Score and the suspension banner: what changes only with a delta. */
  #showState(image: MatchImage): void {
    if (image.sport === 'tennis') {
      this.#tennis.show(image);
      this.#banner(image.abandoned || typeof image.phase !== 'string' ? outcomeText(image, image.fixture) : matchSuspensionText(image.suspensions, image.fixture), typeof image.phase !== 'string');
      return;
    }
    this.#showFootball(image);
  }

  /** The banner: why markets are closed (a suspension, or how the match ended). */
  #banner(text: string | null, ended = false): void {
    const u = this.#ui;
    u.banner.hidden = text === null;
    setText(u.bannerLead, ended ? 'Betting closed — ' : 'Betting suspended — ');
    setText(u.bannerText, text ?? '');
    u.banner.classList.toggle('ended', ended);
    this.el.classList.toggle('is-suspended', text !== null);
    if (text !== this.#lastSuspension) {
      if (text) this.#d.announcer.alert(`Betting suspended: ${text}`);
      else if (this.#lastSuspension) this.#d.announcer.say('Betting open again.');
      this.#lastSuspension = text;
    }
  }

  #showFootball(image: FootballImage): void {
    const u = this.#ui;
    setText(u.score, `${image.state.score.home} : ${image.state.score.away}`);
    u.score.setAttribute('aria-label', `Score ${image.fixture.home} ${image.state.score.home}, ${image.fixture.away} ${image.state.score.away}`);
    const reds = image.state.red_cards;
    setText(u.reds, [reds.home ? `${image.fixture.home} ${'▮'.repeat(reds.home)}` : '', reds.away ? `${image.fixture.away} ${'▮'.repeat(reds.away)}` : ''].filter(Boolean).join(' · '));
    u.reds.setAttribute('aria-label', reds.home + reds.away ? `Red cards: ${image.fixture.home} ${reds.home}, ${image.fixture.away} ${reds.away}` : 'No red cards');
    u.goals.hidden = image.goals.length === 0;
    u.goals.replaceChildren(...image.goals.map((g) => h('li', { class: `goal ${g.team}` }, `${teamName(image.fixture, g.team)} ${minuteMark(g.clock_ms)}`)));
    this.#banner(image.abandoned ? 'Match abandoned — bets void' : matchSuspensionText(image.suspensions, image.fixture));
  }

  /** One reprice at server time: prices, statuses, clock, slip checks, and a chart sample. */
  #tick(event = false): void {
    if (document.hidden && !event) return;
    const live = this.#feed.live;
    const image = this.#feed.image;
    if (!live || !image) return;
    const now = this.#feed.now();
    let clockMs: number;
    if (image.sport === 'tennis') {
      clockMs = this.#elapsed(image);
      const label = image.phase === 'pre_match' ? startLabel(image.fixture.kickoff_ms, now) : elapsedText(clockMs);
      setText(this.#tennis.clock, label);
    } else {
      // The state the prices below are computed at, clock included: the clock shown is theirs.
      const state = live.stateAt(now);
      const football = 'clock_ms' in state ? state : image.state;
      clockMs = football.clock_ms;
      setText(this.#ui.clock, clockLabel(football, now, image.fixture.kickoff_ms));
    }
    let book: MarketBook;
    try {
      book = live.prices(now);
      this.#statuses = live.marketStatus(now);
    } catch {
      return; // A state the model cannot price (e.g. abandoned): keep the last board.
    }
    this.#book = book;
    this.#board.update(book, this.#statuses, image);
    this.#slip.tick();
    const probs = resultProbabilities(book.markets);
    if (probs && this.#chart.add({ clockMs, ...probs }, event)) this.#chartView.draw();
  }
}

/** What a tennis image has ended so far (games, sets, the match): a change settles bets. */
function endsOf(image: Pick<TennisImage, 'games' | 'sets' | 'phase'>): string {
  return `${image.games}|${image.sets.length}|${JSON.stringify(image.phase)}`;
}
