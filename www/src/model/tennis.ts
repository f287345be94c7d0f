// A tennis match in a bettor's words: 15-30, deuce, advantage, tiebreak points, the sets so far, who
// serves, how it ended. Read off the engine's tennis image; only the words are ours.

import type { Fixture, Player, TennisImage } from './wire.ts';

/** What the words below read of a tennis match: its score and format (an image, or the desk's view of one). */
export type TennisScoreOf = Pick<TennisImage, 'params' | 'phase' | 'server' | 'points' | 'games' | 'sets' | 'abandoned'>;

const CALLS = ['0', '15', '30', '40'];

/** Sets won by A and B so far. */
export function setsWon(image: TennisScoreOf): [number, number] {
  const won: [number, number] = [0, 0];
  for (const s of image.sets) won[s.games[0] > s.games[1] ? 0 : 1]++;
  return won;
}

/** Whether the set in play is the deciding one (both a set short of the match). */
export function isDecidingSet(image: TennisScoreOf): boolean {
  const last = Math.floor(image.params.best_of / 2);
  const [a, b] = setsWon(image);
  return a === last && b === last;
}

/** Whether the points in play are a tiebreak's (6-6 in a set decided by one). */
export function inTiebreak(image: TennisScoreOf): boolean {
  const [a, b] = image.games;
  return a === 6 && b === 6 && !(isDecidingSet(image) && image.params.final_set === 'advantage');
}

/**
 * The points of the game in play as a scoreboard shows them, A's first: `15`/`30`, `40`/`AD` (or the
 * deciding point's `40`/`40` without advantage), tiebreak points as numbers.
 */
export function pointCalls(image: TennisScoreOf): [string, string] {
  const [a, b] = image.points;
  if (inTiebreak(image)) return [String(a), String(b)];
  if (a >= 3 && b >= 3 && !image.params.no_ad) {
    if (a === b) return ['40', '40'];
    return a > b ? ['AD', '40'] : ['40', 'AD'];
  }
  return [CALLS[Math.min(a, 3)] ?? '40', CALLS[Math.min(b, 3)] ?? '40'];
}

/** The game's score in words, the server's call first: `30-15`, `Deuce`, `Advantage Sinner`, `Tiebreak 4-3`. */
export function gameText(image: TennisScoreOf, fixture: Fixture): string {
  const [a, b] = image.points;
  if (inTiebreak(image)) return `Tiebreak ${a}-${b}`;
  const [ca, cb] = pointCalls(image);
  if (ca === '40' && cb === '40') return image.params.no_ad ? 'Deciding point' : 'Deuce';
  if (ca === 'AD') return `Advantage ${fixture.home}`;
  if (cb === 'AD') return `Advantage ${fixture.away}`;
  return image.server === 'a' ? `${ca}-${cb}` : `${cb}-${ca}`;
}

export function playerName(fixture: Fixture, p: Player): string {
  return p === 'a' ? fixture.home : fixture.away;
}

/** The result once the match is over (`Sinner wins 2 sets to 1`, `Alcaraz retired`), else null. */
export function outcomeText(image: TennisScoreOf, fixture: Fixture): string | null {
  const phase = image.phase;
  if (typeof phase === 'string') return image.abandoned ? 'Match abandoned — undecided bets void' : null;
  if ('finished' in phase) {
    const [a, b] = setsWon(image);
    const w = phase.finished.winner;
    return `${playerName(fixture, w)} wins ${Math.max(a, b)}-${Math.min(a, b)}`;
  }
  return `${playerName(fixture, phase.retired.player)} retired — undecided bets void`;
}

/** Whether points are being played. */
export function tennisInPlay(image: TennisScoreOf): boolean {
  return image.phase === 'in_play' && !image.abandoned;
}

/** Time since the first point, `1:07:42` or `42:05`. */
export function elapsedText(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  const hours = Math.floor(s / 3600);
  const mins = Math.floor((s % 3600) / 60);
  return hours > 0 ? `${hours}:${pad(mins)}:${pad(s % 60)}` : `${pad(mins)}:${pad(s % 60)}`;
}

/** A short score for the match list: sets, then the set in play (`6-4 2-1`). */
export function scoreLine(image: TennisScoreOf): string {
  const done = image.sets.map((s) => `${s.games[0]}-${s.games[1]}`);
  if (image.phase === 'in_play') done.push(`${image.games[0]}-${image.games[1]}`);
  return done.join(' ');
}

/** Before the first point: `Starts 14:30`, or `Starting` once that time has passed. */
export function startLabel(startMs: number, nowMs: number): string {
  if (!startMs || startMs <= nowMs) return 'Starting';
  const d = new Date(startMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `Starts ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
