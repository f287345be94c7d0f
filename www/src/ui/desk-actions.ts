// The trader's actions on one match: markets, sources, goals, the model and terms, bets, the match
// itself. What is typed is checked as it is sent (the field says what is wrong); each action asks
// for confirmation in a dialog, is sent as one admin request (an audited engine input), and its
// result is shown here and announced. The forms are built once: a view pushed every second only
// refreshes their hints, never what the trader is typing. Each sport sees its own actions (football:
// goals, expected goals, full time, resettlement; tennis: serve points won), the rest are shared.

import { sendAction } from '../desk-api.ts';
import type { DeskView } from '../model/desk.ts';
import { marketChoices, reportedText, teamName, SOURCES } from '../model/desk.ts';
import {
  actionFor,
  answerText,
  describeAction,
  goalListText,
  parseAmount,
  parseBetId,
  parseExpectedGoals,
  parseGoalList,
  parseMarginPercent,
  parseMarketKey,
  parseServePercent,
  type DeskAction,
  type Parsed,
} from '../model/desk-actions.ts';
import { formatMoney } from '../model/money.ts';
import { playerName } from '../model/tennis.ts';
import type { Announcer } from './announcer.ts';
import type { ConfirmDialog } from './confirm-dialog.ts';
import { h, setAttr, setText } from './dom.ts';

export interface DeskActionsDeps {
  eventId: string;
  token(): string | null;
  view(): DeskView | null;
  dialog: ConfirmDialog;
  announcer: Announcer;
  /** After an action was sent and answered (the audit log reads itself again). */
  onDone(): void;
}

interface Field {
  input: HTMLInputElement | HTMLTextAreaElement;
  error: HTMLElement;
}

let serial = 0;

export class DeskActions {
  readonly el: HTMLElement;
  #d: DeskActionsDeps;
  #result: HTMLElement;
  #market: Field;
  #marketList: HTMLDataListElement;
  #homeXg: Field;
  #awayXg: Field;
  #serveA: Field;
  #serveB: Field;
  #margin: Field;
  #selLimit: Field;
  #mktLimit: Field;
  #betId: Field;
  #goals: Field;
  #labels: { confirm: Map<string, HTMLButtonElement>; cancel: Map<string, HTMLButtonElement>; homeXg: HTMLElement; awayXg: HTMLElement; serveA: HTMLElement; serveB: HTMLElement };
  /** What only one sport shows, by the action it is for. */
  #sportOnly: [DeskAction['kind'], HTMLElement][] = [];
  #sourcesHint: HTMLElement;
  /** The trader typed in the corrected goal list: it is theirs from then on. */
  #goalsEdited = false;

  constructor(d: DeskActionsDeps) {
    this.#d = d;
    const id = `desk-actions-${++serial}`;
    this.#result = h('p', { class: 'action-result', role: 'status', 'aria-live': 'polite', tabindex: -1 });
    this.#marketList = h('datalist', { id: `${id}-markets` });
    this.#market = field('input', { list: `${id}-markets`, placeholder: 'every market', autocomplete: 'off', spellcheck: 'false', name: 'market' });
    this.#homeXg = field('input', { inputmode: 'decimal', autocomplete: 'off', name: 'home_xg', size: 6 });
    this.#awayXg = field('input', { inputmode: 'decimal', autocomplete: 'off', name: 'away_xg', size: 6 });
    this.#serveA = field('input', { inputmode: 'decimal', autocomplete: 'off', name: 'serve_a', size: 6 });
    this.#serveB = field('input', { inputmode: 'decimal', autocomplete: 'off', name: 'serve_b', size: 6 });
    this.#margin = field('input', { inputmode: 'decimal', autocomplete: 'off', name: 'margin', size: 6 });
    this.#selLimit = field('input', { inputmode: 'decimal', autocomplete: 'off', name: 'max_selection_liability', size: 10 });
    this.#mktLimit = field('input', { inputmode: 'decimal', autocomplete: 'off', name: 'max_market_liability', size: 10 });
    this.#betId = field('input', { autocomplete: 'off', spellcheck: 'false', name: 'bet_id', placeholder: `${d.eventId}.0123456789abcdef`, size: 34 });
    this.#goals = field('textarea', { rows: 4, spellcheck: 'false', name: 'goals', placeholder: 'home 1 23:10\naway 2 67:00' });
    this.#goals.input.addEventListener('input', () => (this.#goalsEdited = true));
    const homeXgLabel = h('span', {}, 'Home');
    const awayXgLabel = h('span', {}, 'Away');
    const serveALabel = h('span', {}, 'Player A');
    const serveBLabel = h('span', {}, 'Player B');
    const confirm = new Map<string, HTMLButtonElement>();
    const cancel = new Map<string, HTMLButtonElement>();
    this.#labels = { confirm, cancel, homeXg: homeXgLabel, awayXg: awayXgLabel, serveA: serveALabel, serveB: serveBLabel };
    const only = <E extends HTMLElement>(kind: DeskAction['kind'], el: E): E => {
      this.#sportOnly.push([kind, el]);
      return el;
    };

    const button = (text: string, onclick: (e: Event) => void, cls = '') => h('button', { type: 'button', class: cls, onclick: (e: Event) => onclick(e) }, text);

    const markets = group(
      'Markets',
      labelled('Market (empty: every market)', this.#market),
      this.#marketList,
      h(
        'div',
        { class: 'buttons' },
        button('Suspend', () => this.#withField(this.#market, optionalMarket, (market) => ({ kind: 'suspend', market }))),
        button('Resume', () => this.#withField(this.#market, optionalMarket, (market) => ({ kind: 'resume', market }))),
      ),
    );
    this.#sourcesHint = h('p', { class: 'hint' }, 'Believe one source where the two disagree: its score stands.');
    const sources = group(
      'Sources',
      this.#sourcesHint,
      h(
        'div',
        { class: 'buttons' },
        ...SOURCES.map((s) => {
          const b = button(`Confirm ${s}`, () => void this.perform({ kind: 'confirm', source: s }));
          b.dataset['source'] = s;
          confirm.set(s, b);
          return b;
        }),
      ),
    );
    const goals = only(
      'cancel_goal',
      group(
        'Goals',
        h('p', { class: 'hint' }, 'Rule out a team’s latest goal (a VAR decision the feeds missed).'),
        h(
          'div',
          { class: 'buttons' },
          ...(['home', 'away'] as const).map((t) => {
            const b = button(`Cancel ${t} goal`, () => void this.perform({ kind: 'cancel_goal', team: t }));
            b.dataset['team'] = t;
            cancel.set(t, b);
            return b;
          }),
        ),
      ),
    );
    const model = group(
      'Model and terms',
      only('expected_goals', h('div', { class: 'row' }, labelled(h('span', {}, 'Expected goals, ', homeXgLabel), this.#homeXg), labelled(h('span', {}, 'Expected goals, ', awayXgLabel), this.#awayXg))),
      only('expected_goals', h('div', { class: 'buttons' }, button('Set expected goals', () => this.#expectedGoals()))),
      only('serve', h('div', { class: 'row' }, labelled(h('span', {}, 'Serve points won (%), ', serveALabel), this.#serveA), labelled(h('span', {}, 'Serve points won (%), ', serveBLabel), this.#serveB))),
      only('serve', h('div', { class: 'buttons' }, button('Set serve points won', () => this.#serve()))),
      h('div', { class: 'row' }, labelled('Margin (%)', this.#margin), labelled('Limit per selection (£)', this.#selLimit), labelled('Limit per market (£)', this.#mktLimit)),
      h('div', { class: 'buttons' }, button('Change terms', () => this.#terms())),
    );
    const bets = group('Bets', labelled('Bet id', this.#betId), h('div', { class: 'buttons' }, button('Void bet', () => this.#withField(this.#betId, (t) => parseBetId(t, d.eventId), (bet_id) => ({ kind: 'void', bet_id })))));
    const match = group(
      'Match',
      only('serve', h('p', { class: 'hint' }, 'A tennis match ends by its points, or by a retirement both sources report (or one, and you confirm that source). Abandoning keeps what was decided and voids the rest.')),
      h('div', { class: 'buttons' }, only('end', button('End the match', () => void this.perform({ kind: 'end' }), 'danger')), button('Abandon', () => void this.perform({ kind: 'abandon' }), 'danger')),
      only('resettle', labelled('Corrected goals, one a line: team, half, time (after full time)', this.#goals)),
      only('resettle', h('div', { class: 'buttons' }, button('Resettle', () => this.#resettle(), 'danger'))),
    );
    this.el = h('section', { class: 'panel actions-panel', 'aria-labelledby': `${id}-title` }, h('h2', { id: `${id}-title` }, 'Actions'), this.#result, h('div', { class: 'action-groups' }, markets, sources, goals, model, bets, match));
  }

  /** Refreshes hints and choices from the latest view (never the trader's typing). */
  update(view: DeskView): void {
    const choices = marketChoices(view);
    if (this.#marketList.childElementCount !== choices.length || [...this.#marketList.children].some((o, i) => (o as HTMLOptionElement).value !== choices[i])) {
      this.#marketList.replaceChildren(...choices.map((m) => h('option', { value: m })));
    }
    const sport = view.sport;
    for (const [kind, el] of this.#sportOnly) el.hidden = !actionFor(kind, sport.sport);
    setText(this.#sourcesHint, `Believe one source where the two disagree: its ${sport.sport === 'tennis' ? 'points stand' : 'score stands'}.`);
    setText(this.#labels.homeXg, view.fixture.home);
    setText(this.#labels.awayXg, view.fixture.away);
    setText(this.#labels.serveA, playerName(view.fixture, 'a'));
    setText(this.#labels.serveB, playerName(view.fixture, 'b'));
    if (sport.sport === 'football') {
      setAttr(this.#homeXg.input, 'placeholder', sport.params.home_xg.toFixed(2));
      setAttr(this.#awayXg.input, 'placeholder', sport.params.away_xg.toFixed(2));
    } else {
      setAttr(this.#serveA.input, 'placeholder', (Math.round(sport.params.serve_a * 1000) / 10).toFixed(1));
      setAttr(this.#serveB.input, 'placeholder', (Math.round(sport.params.serve_b * 1000) / 10).toFixed(1));
    }
    setAttr(this.#margin.input, 'placeholder', `${(Math.round(view.trading.margin * 1000) / 10).toFixed(1)}`);
    setAttr(this.#selLimit.input, 'placeholder', formatMoney(view.trading.max_selection_liability).replace('£', ''));
    setAttr(this.#mktLimit.input, 'placeholder', formatMoney(view.trading.max_market_liability).replace('£', ''));
    for (const s of SOURCES) {
      setText(this.#labels.confirm.get(s) as HTMLElement, `Confirm ${s} (${reportedText(view, s)})`);
    }
    for (const t of ['home', 'away'] as const) {
      const b = this.#labels.cancel.get(t) as HTMLButtonElement;
      setText(b, `Cancel ${teamName(view.fixture, t)} goal`);
    }
    // The corrected goal list follows the goals that stand until the trader edits it.
    const standing = sport.sport === 'football' ? goalListText(sport.goals) : '';
    if (!this.#goalsEdited && this.#goals.input.value !== standing) this.#goals.input.value = standing;
  }

  /** Moves the focus to the last action's result (when the control that had it went away). */
  focusResult(): void {
    this.#result.focus();
  }

  /** Asks, sends and reports one action (also offered by the alerts: confirm a source). */
  async perform(asked: DeskAction): Promise<void> {
    const view = this.#d.view();
    const token = this.#d.token();
    if (!view || !token) return;
    // A cancellation names the goals the trader is shown, so a repeat never rules out another.
    const action: DeskAction =
      asked.kind === 'cancel_goal' && view.sport.sport === 'football' ? { ...asked, goals: view.sport.score[asked.team] } : asked;
    const text = describeAction(action, view);
    const r = await this.#d.dialog.ask(text, async () => answerText(action, await sendAction(this.#d.eventId, token, action)));
    if (!r.done) return;
    this.#result.className = `action-result ${r.ok ? 'ok' : 'warn'}`;
    setText(this.#result, r.text);
    this.#d.announcer.say(r.text);
    // The control that opened the dialog may be gone (an alert's button, once the alert clears).
    if (!document.activeElement || document.activeElement === document.body) this.#result.focus();
    this.#d.onDone();
  }

  #withField<T>(f: Field, parse: (text: string) => Parsed<T>, make: (v: T) => DeskAction): void {
    const p = parse(f.input.value);
    showCheck(f, p);
    if (p.ok) void this.perform(make(p.value));
  }

  #expectedGoals(): void {
    const home = parseExpectedGoals(this.#homeXg.input.value);
    const away = parseExpectedGoals(this.#awayXg.input.value);
    if (!showChecks([this.#homeXg, home], [this.#awayXg, away]) || !home.ok || !away.ok) return;
    if (home.value === null && away.value === null) {
      showCheck(this.#homeXg, { ok: false, message: 'Give a team’s expected goals' });
      return;
    }
    void this.perform({ kind: 'expected_goals', home_xg: home.value, away_xg: away.value });
  }

  #serve(): void {
    const a = parseServePercent(this.#serveA.input.value);
    const b = parseServePercent(this.#serveB.input.value);
    if (!showChecks([this.#serveA, a], [this.#serveB, b]) || !a.ok || !b.ok) return;
    if (a.value === null && b.value === null) {
      showCheck(this.#serveA, { ok: false, message: 'Give a player’s serve points won' });
      return;
    }
    void this.perform({ kind: 'serve', serve_a: a.value, serve_b: b.value });
  }

  #terms(): void {
    const margin = parseMarginPercent(this.#margin.input.value);
    const sel = parseAmount(this.#selLimit.input.value);
    const mkt = parseAmount(this.#mktLimit.input.value);
    if (!showChecks([this.#margin, margin], [this.#selLimit, sel], [this.#mktLimit, mkt]) || !margin.ok || !sel.ok || !mkt.ok) return;
    if (margin.value === null && sel.value === null && mkt.value === null) {
      showCheck(this.#margin, { ok: false, message: 'Give a margin or a limit to change' });
      return;
    }
    void this.perform({ kind: 'trading', margin: margin.value, max_selection_liability: sel.value, max_market_liability: mkt.value });
  }

  #resettle(): void {
    const view = this.#d.view();
    if (!view) return;
    this.#withField(this.#goals, (t) => parseGoalList(t, view.fixture), (goals) => ({ kind: 'resettle', goals }));
  }
}

/** An empty market field means every market. */
function optionalMarket(text: string): Parsed<DeskView['exposure'][number]['market'] | null> {
  return text.trim() === '' ? { ok: true, value: null } : parseMarketKey(text);
}

function field(tag: 'input' | 'textarea', attrs: Record<string, string | number>): Field {
  const id = `desk-field-${++serial}`;
  const input = tag === 'input' ? h('input', { id, ...attrs }) : h('textarea', { id, ...attrs });
  const error = h('span', { id: `${id}-error`, class: 'field-error' });
  input.setAttribute('aria-describedby', error.id);
  input.addEventListener('input', () => showCheck({ input, error }, { ok: true, value: null }, false));
  return { input, error };
}

/** Marks a field valid or not, with the message beside it (focused when wrong). */
function showCheck<T>(f: Field, p: Parsed<T>, focus = true): boolean {
  setText(f.error, p.ok ? '' : p.message);
  setAttr(f.input, 'aria-invalid', p.ok ? null : 'true');
  if (!p.ok && focus) f.input.focus();
  return p.ok;
}

/** Marks several fields; the first wrong one takes the focus. */
function showChecks(...checks: [Field, Parsed<unknown>][]): boolean {
  let ok = true;
  for (const [f, p] of checks) ok = showCheck(f, p, ok) && ok;
  return ok;
}

function labelled(label: string | Node, f: Field): HTMLElement {
  return h('div', { class: 'field' }, h('label', { for: f.input.id }, label), f.input, f.error);
}

function group(title: string, ...children: Node[]): HTMLElement {
  return h('fieldset', { class: 'action-group' }, h('legend', {}, title), ...children);
}
