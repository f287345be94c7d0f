// The bettor's page: a hash router over three views (matches, one match, my bets), the header
// controls (odds format, connection status) and the sign-in for bets; `#/desk` loads the operator's
// trading desk on demand. The engine loads in the background while the shell paints.

import './styles.css';

import { loadEngine, type Engine } from './engine.ts';
import { MyBets } from './live/my-bets.ts';
import { STATUS_TEXT, type ConnectionStatus } from './model/connection.ts';
import { ODDS_FORMATS, type OddsFormat } from './model/odds.ts';
import { clearSession, clientId, loadSession, saveSession, type Session } from './session.ts';
import { Announcer } from './ui/announcer.ts';
import { h, setText } from './ui/dom.ts';
import { MatchList } from './ui/match-list.ts';
import { MatchView } from './ui/match-view.ts';
import { BetList } from './ui/my-bets-view.ts';
import { OddsText } from './ui/odds-text.ts';

interface View {
  el: HTMLElement;
  destroy(): void;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const main = $('main');
const conn = $('conn');
const region = $('region');
const account = $('account');
const announcer = new Announcer($('announce-alert'), $('announce-polite'));
const odds = new OddsText();
const bets = new MyBets();
const client = clientId();
let session: Session | null = loadSession();
let engine: Engine | null = null;
let view: View | null = null;

// Test and operator knob: a shorter stale bound (`?stale=3000`) to see the stale state quickly.
const staleParam = Number(new URLSearchParams(location.search).get('stale'));
const staleAfterMs = Number.isFinite(staleParam) && staleParam > 0 ? staleParam : undefined;

function showStatus(status: ConnectionStatus | null, where: string | null = null, shard: number | null = null): void {
  conn.hidden = status === null;
  if (status) {
    conn.dataset['status'] = status;
    setText(conn.querySelector('.text') ?? conn, STATUS_TEXT[status]);
  }
  setText(region, where ? `Served from ${where}${shard !== null ? ` · shard ${shard}` : ''}` : '');
}

function renderAccount(): void {
  bets.setUser(session?.userId ?? null);
  account.replaceChildren(
    session
      ? h('span', { class: 'user' }, h('span', { class: 'muted' }, 'Signed in as '), session.userId, ' ', signOutButton())
      : h('button', { type: 'button', class: 'link', onclick: () => signIn() }, 'Sign in'),
  );
}

function signOutButton(): HTMLButtonElement {
  return h('button', { type: 'button', class: 'link', onclick: () => {
    clearSession();
    session = null;
    renderAccount();
    route();
  } }, 'Sign out');
}

/** Development sign-in: paste a user token (`node scripts/mint-token.mjs <user>` prints one). */
function signIn(): void {
  const dialog = $<HTMLDialogElement>('signin');
  const input = dialog.querySelector('input') as HTMLInputElement;
  const error = dialog.querySelector('.error') as HTMLElement;
  setText(error, '');
  input.value = '';
  dialog.showModal();
  dialog.onclose = () => {
    if (dialog.returnValue !== 'ok') return;
    const s = saveSession(input.value);
    if (!s) {
      setText(error, 'That is not a valid token.');
      dialog.showModal();
      return;
    }
    session = s;
    renderAccount();
    route();
  };
}

function setupOddsSwitch(): void {
  const select = $<HTMLSelectElement>('odds-format');
  select.replaceChildren(...ODDS_FORMATS.map((f) => h('option', { value: f.id, selected: f.id === odds.format }, f.label)));
  select.addEventListener('change', () => odds.set(select.value as OddsFormat));
}

function betsPage(): View {
  const list = new BetList(odds, { names: (id) => MatchList.names.get(id) ?? null });
  const el = h('section', { class: 'bets-page', 'aria-labelledby': 'bets-title' }, h('h1', { id: 'bets-title' }, 'My bets'));
  if (!session) {
    el.appendChild(h('p', {}, 'Sign in to see your bets. ', h('button', { type: 'button', class: 'link', onclick: () => signIn() }, 'Sign in')));
    return { el, destroy() {} };
  }
  el.appendChild(list.el);
  const paint = () => list.render(bets.list());
  const off = bets.onChange(paint);
  const offOdds = odds.onChange(paint);
  paint();
  void bets.refresh(session.token);
  return { el, destroy: () => (off(), offOdds()) };
}

async function route(): Promise<void> {
  view?.destroy();
  view = null;
  showStatus(null);
  const hash = location.hash.replace(/^#\/?/, '');
  const [page, id] = hash.split('/');
  document.body.dataset['page'] = page || 'matches';
  for (const a of document.querySelectorAll('nav a')) {
    a.toggleAttribute('aria-current', page !== 'desk' && (a.getAttribute('href') === '#/bets') === (page === 'bets'));
  }
  let next: View;
  if (page === 'match' && id) {
    main.replaceChildren(h('p', { class: 'loading' }, 'Loading…'));
    // The engine for the match's sport when the list has seen it (else football's: a tennis
    // snapshot makes the match view load tennis's).
    const sport = MatchList.sports.get(decodeURIComponent(id)) ?? 'football';
    const e = await loadEngine(sport);
    engine ??= e;
    if (location.hash.replace(/^#\/?/, '') !== hash) return; // navigated away meanwhile
    next = new MatchView({
      engine: e,
      eventId: decodeURIComponent(id),
      odds,
      announcer,
      bets,
      session: () => session,
      clientId: client,
      signIn,
      onStatus: showStatus,
      ...(staleAfterMs ? { staleAfterMs } : {}),
    });
  } else if (page === 'desk') {
    // The trading desk is the operator's: its own chunk, fetched only when opened.
    main.replaceChildren(h('p', { class: 'loading' }, 'Loading the desk…'));
    const { DeskPage } = await import('./ui/desk-view.ts');
    if (location.hash.replace(/^#\/?/, '') !== hash) return;
    next = new DeskPage({ eventId: id ? decodeURIComponent(id) : null, announcer, onStatus: (s) => showStatus(s) });
  } else if (page === 'bets') {
    next = betsPage();
  } else {
    next = new MatchList(odds, () => engine);
  }
  view = next;
  main.replaceChildren(next.el);
}

setupOddsSwitch();
renderAccount();
addEventListener('hashchange', () => {
  void route().then(() => {
    // A new view: start reading it from the top, as after a page load.
    scrollTo(0, 0);
    main.focus({ preventScroll: true });
  });
});
void route();
// The engine is needed for fractional and American odds even on the list: load it now.
void loadEngine().then((e) => {
  engine = e;
  odds.attach(e);
});
