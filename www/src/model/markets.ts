// Market keys in the trade's language: groups as a bettor browses them (result, goals, handicaps,
// correct score, next goal, halves), market titles and selection labels with the teams' names.
// Keys are the engine's wire names (engine/src/market.rs): `1x2`, `total:2.5`, `ah:-0.25`,
// `team_total:home:1.5`, `correct_score` with selections `2-1` and `other`.

import type { Fixture, Market } from './wire.ts';

export type GroupId = 'result' | 'goals' | 'handicaps' | 'correct_score' | 'next_goal' | 'halves';

export const GROUPS: readonly { id: GroupId; title: string }[] = [
  { id: 'result', title: 'Result' },
  { id: 'goals', title: 'Goals' },
  { id: 'handicaps', title: 'Handicaps' },
  { id: 'correct_score', title: 'Correct score' },
  { id: 'next_goal', title: 'Next goal' },
  { id: 'halves', title: 'Halves' },
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
  switch (selection) {
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
  return selection === 'home' ? '1' : selection === 'draw' ? 'X' : selection === 'away' ? '2' : selection;
}

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
