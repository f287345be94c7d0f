// A tennis scoreboard: a row per player with the serving ball, the games of each completed set (a
// tiebreak's loser's points small beside it), the games of the set in play and the points of the
// game in play; under it the game in words and the time since the first point. Everything comes
// from the engine's image; only the layout and the words are ours.

import { gameText, inTiebreak, outcomeText, pointCalls, tennisInPlay, type TennisScoreOf } from '../model/tennis.ts';
import type { Fixture } from '../model/wire.ts';
import { h, setText } from './dom.ts';

export class TennisScoreboard {
  readonly el: HTMLElement;
  #table: HTMLTableElement;
  #game: HTMLElement;
  readonly clock: HTMLElement;

  constructor() {
    this.#table = h('table', { class: 'tennis-score', 'aria-label': 'Score' });
    this.#game = h('p', { class: 'game-text', 'aria-live': 'off' });
    this.clock = h('span', { class: 'clock', role: 'timer', 'aria-live': 'off' });
    this.el = h('section', { class: 'scoreboard tennis', 'aria-label': 'Scoreboard', hidden: true }, this.#table, h('div', { class: 'under' }, this.#game, this.clock));
  }

  show(image: TennisScoreOf & { fixture: Fixture }): void {
    const f = image.fixture;
    const playing = tennisInPlay(image);
    const calls = pointCalls(image);
    const tiebreak = inTiebreak(image);
    const head = h(
      'tr',
      {},
      h('th', { scope: 'col', class: 'name' }, h('span', { class: 'sr-only' }, 'Player')),
      ...image.sets.map((_, i) => h('th', { scope: 'col' }, `Set ${i + 1}`)),
      ...(playing ? [h('th', { scope: 'col', class: 'games' }, `Set ${image.sets.length + 1}`), h('th', { scope: 'col', class: 'points' }, tiebreak ? 'Tiebreak' : 'Points')] : []),
    );
    const row = (p: 0 | 1) => {
      const serving = playing && image.server === (p === 0 ? 'a' : 'b');
      const name = p === 0 ? f.home : f.away;
      return h(
        'tr',
        { class: `player ${p === 0 ? 'a' : 'b'}`, 'data-serving': String(serving) },
        h('th', { scope: 'row', class: 'name' }, h('span', { class: 'ball', 'aria-hidden': 'true' }, serving ? '●' : ''), name, serving ? h('span', { class: 'sr-only' }, ' (serving)') : ''),
        ...image.sets.map((s) => {
          const [mine, theirs] = p === 0 ? s.games : [s.games[1], s.games[0]];
          const won = mine > theirs;
          const tb = s.tiebreak && !won ? h('sup', {}, String(s.tiebreak[p])) : '';
          return h('td', { class: won ? 'set won' : 'set' }, String(mine), tb);
        }),
        ...(playing ? [h('td', { class: 'games' }, String(image.games[p])), h('td', { class: 'points' }, calls[p])] : []),
      );
    };
    this.#table.replaceChildren(h('thead', {}, head), h('tbody', {}, row(0), row(1)));
    setText(this.#game, playing ? gameText(image, f) : (outcomeText(image, f) ?? 'Not started'));
  }
}
