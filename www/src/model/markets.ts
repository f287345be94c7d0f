// Market keys in the trade's language: groups as a bettor browses them (football: result, goals,
// handicaps, correct score, next goal, halves; tennis: match, sets, games), market titles and
// selection labels with the teams' or players' names. Keys are the engine's wire names
// (engine/src/market.rs): `1x2`, `total:2.5`, `ah:-0.25`, `team_total:home:1.5`, `correct_score` with
// selections `2-1` and `other`; tennis's `match_winner`, `set_betting` (`2-1`, A's sets first),
// `game_winner`, `total_games:22.5`, `game_handicap:-3.5` with players `a` (the fixture's home) and `b`.

import type { Fixture, Market } from './wire.ts';

export type GroupId = 'result' | 'goals' | 'handicaps' | 'correct_score' | 'next_goal' | 'halves' | 'match' | 'sets' | 'games';

export const GROUPS: readonly { id: GroupId; title: string }[] = [
  { id: 'result', title: 'Result' },
  { id: 'goals', title: 'Goals' },
  { id: 'handicaps', title: 'Handicaps' },
  { id: 'correct_score', title: 'Correct score' },
  { id: 'next_goal', title: 'Next goal' },
  { id: 'halves', title: 'Halves' },
  { id: 'match', title: 'Match' },
  { id: 'sets', title: 'Sets' },
  { id: 'games', title: 'Games' },
];

/** The group a market is shown in. */
export function groupOf(key: string): GroupId {
  const head = key.split(':')[0];
  switch (head) {
    case '1x2':
    case 'double_chance':
    case 'draw_no_bet':
    case 'rest_of_match':
      return 'result';
    case 'total':
    case 'team_total':
    case 'btts':
      return 'goals';
    case 'ah':
      return 'handicaps';
    case 'correct_score':
      return 'correct_score';
    case 'next_goal':
      return 'next_goal';
    case 'ht_1x2':
    case 'ht_total':
      return 'halves';
    case 'match_winner':
    case 'set_betting':
    case 'total_sets':
    case 'tiebreak':
      return 'match';
    case 'set_winner':
    case 'next_set_winner':
      return 'sets';
    case 'game_winner':
    case 'total_games':
    case 'game_handicap':
      return 'games';
    default:
      return 'result';
  }
}

/** A line as printed: `2.5`, `-0.25`, `+1` (handicaps carry their sign). */
function line(text: string, signed: boolean): string {
  const v = Number(text);
  if (!Number.isFinite(v)) return text;
  return signed && v > 0 ? `+${text}` : text;
}

/** Handicap of the away side: the home line negated, `0` unsigned. */
function negate(text: string): string {
  const v = -Number(text);
  if (v === 0) return '0';
  return v > 0 ? `+${v}` : String(v);
}

/** A market's title. */
export function marketTitle(key: string, fixture: Fixture): string {
  const [head, a, b] = key.split(':');
  switch (head) {
    case '1x2':
      return 'Match result';
    case 'double_chance':
      return 'Double chance';
    case 'draw_no_bet':
      return 'Draw no bet';
    case 'rest_of_match':
      return 'Rest of match';
    case 'total':
      return `Total goals ${a}`;
    case 'team_total':
      return `${a === 'home' ? fixture.home : fixture.away} goals ${b}`;
    case 'btts':
      return 'Both teams to score';
    case 'ah':
      return `Asian handicap ${fixture.home} ${line(a ?? '', true)}`;
    case 'correct_score':
      return 'Correct score';
    case 'next_goal':
      return 'Next goal';
    case 'ht_1x2':
      return 'Half-time result';
    case 'ht_total':
      return `First-half goals ${a}`;
    case 'match_winner':
      return 'Match winner';
    case 'set_betting':
      return 'Set betting';
    case 'set_winner':
      return 'Winner of this set';
    case 'next_set_winner':
      return 'Winner of the next set';
    case 'game_winner':
      return 'Winner of this game';
    case 'total_sets':
      return `Total sets ${a}`;
    case 'total_games':
      return `Total games ${a}`;
    case 'game_handicap':
      return `Game handicap ${fixture.home} ${line(a ?? '', true)}`;
    case 'tiebreak':
      return 'A tiebreak in the match';
    default:
      return key;
  }
}

/** A selection's label within its market. */
export function selectionLabel(marketKey: string, selection: string, fixture: Fixture): string {
  const [head, a] = marketKey.split(':');
  if (head === 'ah') {
    if (selection === 'home') return `${fixture.home} ${line(a ?? '', true)}`;
    if (selection === 'away') return `${fixture.away} ${negate(a ?? '0')}`;
  }
  if (head === 'game_handicap') {
    if (selection === 'a') return `${fixture.home} ${line(a ?? '', true)}`;
    if (selection === 'b') return `${fixture.away} ${negate(a ?? '0')}`;
  }
  if (head === 'set_betting' && /^\d+-\d+$/.test(selection)) {
    // A's sets first: the winner's name with the score from their side.
    const [x, y] = selection.split('-').map(Number) as [number, number];
    return x > y ? `${fixture.home} ${x}-${y}` : `${fixture.away} ${y}-${x}`;
  }
  switch (selection) {
    case 'a':
      return fixture.home;
    case 'b':
      return fixture.away;
    case 'home':
      return fixture.home;
    case 'away':
      return fixture.away;
    case 'draw':
      return 'Draw';
    case 'home_draw':
      return `${fixture.home} or draw`;
    case 'home_away':
      return `${fixture.home} or ${fixture.away}`;
    case 'draw_away':
      return `Draw or ${fixture.away}`;
    case 'over':
      return `Over ${a ?? ''}`.trim();
    case 'under':
      return `Under ${a ?? ''}`.trim();
    case 'yes':
      return 'Yes';
    case 'no':
      return 'No';
    case 'none':
      return 'No goal';
    case 'other':
      return 'Any other';
    default:
      return /^\d+-\d+$/.test(selection) ? selection.replace('-', ' – ') : selection;
  }
}

/** Short label for a selection on the match list's headline market. */
export function shortLabel(selection: string): string {
  switch (selection) {
    case 'home':
    case 'a':
      return '1';
    case 'draw':
      return 'X';
    case 'away':
    case 'b':
      return '2';
    default:
      return selection;
  }
}

/** The headline market of a book: the match result (football) or the match winner (tennis). */
export const HEADLINE_MARKETS: readonly string[] = ['1x2', 'match_winner'];

export interface MarketGroup {
  id: GroupId;
  title: string;
  markets: Market[];
}

/** The book's markets in their groups, in the engine's order within each group; empty groups dropped. */
export function groupMarkets(markets: readonly Market[]): MarketGroup[] {
  const by = new Map<GroupId, Market[]>();
  for (const m of markets) {
    const g = groupOf(m.key);
    let list = by.get(g);
    if (!list) by.set(g, (list = []));
    list.push(m);
  }
  return GROUPS.filter((g) => by.has(g.id)).map((g) => ({ ...g, markets: by.get(g.id) ?? [] }));
}

/** `home-draw-away` layout hint: markets whose selections read best in a grid (correct score). */
export function isScoreGrid(key: string): boolean {
  return key === 'correct_score';
}

/** Stable DOM id fragment for a market/selection pair. */
export function selectionId(market: string, selection: string): string {
  return `${market}/${selection}`.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`);
}
