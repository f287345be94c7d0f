// Usage examples that must type-check against the package's declarations (tsc --noEmit): the
// README quick starts, every function, and `@ts-expect-error` lines proving the types are precise
// (a wrong field name or a misspelt market is a compile error, not an `any`).
import {
  InplayError,
  LiveEvent,
  applyMargin,
  betStatus,
  clockAt,
  decodeFrame,
  fitFootball,
  formatOdds,
  fromAmerican,
  impliedProbabilities,
  ladderRoundDown,
  ladderRoundNearest,
  ladderRoundUp,
  netWin,
  parseOdds,
  payout,
  priceFootball,
  priceTennis,
  sports,
  toAmerican,
  toFractional,
  version,
  type BetDecision,
  type BetSlip,
  type DeltaFrame,
  type FitResult,
  type FootballParams,
  type Implied,
  type InplayErrorCode,
  type Market,
  type MarketBook,
  type MarketKey,
  type MarketStatus,
  type MatchImage,
  type MatchState,
  type ParsedBetStatus,
  type PriceBook,
  type RejectCode,
  type Selection,
  type SetScore,
  type TennisImage,
  type TennisParams,
  type TennisState,
  type Settlement,
  type SettlementResult,
  type Version,
} from '@inplay/engine';
import * as liveEntry from '@inplay/engine/live';

// --- README quick start: price a match ---
const book: MarketBook = priceFootball({ home_xg: 1.6, away_xg: 1.1 });
for (const s of book.markets.find((m) => m.key === '1x2')?.selections ?? []) {
  console.log(s.key, s.prob, s.fair_odds);
}

// --- README quick start: follow a live event ---
declare const snapshotBytes: Uint8Array;
declare const deltaBytes: Uint8Array[];
const event = LiveEvent.fromSnapshot(snapshotBytes);
for (const d of deltaBytes) event.applyDelta(d);
const now: number = Date.now();
const live: PriceBook = event.prices(now);
const asBook: MarketBook = live;
const homeOdds: number | undefined = live.odds('1x2', 'home');
const over: Selection | undefined = live.selection('total:2.5', 'over');
const json: string = JSON.stringify(live);
const status: MarketStatus | undefined = event.marketStatus(now)['1x2'];
const seen: Version = event.version;

// --- README quick start: follow a live event from the edge's socket frames ---
declare const socket: { onmessage: ((m: { data: ArrayBuffer }) => void) | null };
declare function show(odds: number | undefined, status: Partial<Record<MarketKey, MarketStatus>>): void;
let followed: LiveEvent | undefined;
declare function retry(key: string): void;
socket.onmessage = ({ data }) => {
  const frame = decodeFrame(new Uint8Array(data));
  if (frame.kind === 'snapshot') followed = LiveEvent.fromSnapshot(frame.bytes);
  if (frame.kind === 'delta' && followed && frame.delta.seq === followed.version.seq + 1) {
    followed.applyDelta(frame.bytes);
    const madeAt: number = followed.atMs;
    console.log(madeAt, frame.delta.offset_ms, frame.delta.ops.length);
  }
  if (frame.kind === 'bet') {
    const read: ParsedBetStatus = betStatus(frame.decision.status);
    // Narrowing: a rejection always has its code.
    if (read.phase === 'rejected') {
      const why: RejectCode = read.code;
      console.log(why);
    }
  }
  if (frame.kind === 'bet_error') {
    const refusedKey: string = frame.key;
    const refusedId: string | null = frame.bet_id;
    if (frame.error.code === 'rate_limited') retry(refusedKey);
    console.log(refusedId, frame.error.message);
  }
};
setInterval(() => followed && show(followed.prices(Date.now()).odds('1x2', 'home'), followed.marketStatus(Date.now())), 250);

// --- every function ---
const params: FootballParams = { home_xg: 1.6, away_xg: 1.1, rho: -0.05, score_state: { trailing_by_one: 1 } };
const state: MatchState = { score: { home: 1, away: 0 }, period: 'second_half', clock_ms: 3_600_000, red_cards: { home: 0, away: 1 } };
const offered: MarketBook = priceFootball(params, state, { margin: 0.05, method: 'shin' });
const market: Market | undefined = offered.markets[0];
const sel: Selection | undefined = market?.selections[0];
if (sel !== undefined) {
  // A selection is either plain (prob) or a line (outcomes): narrowing works.
  if (sel.outcomes !== undefined) {
    const w: number = sel.outcomes.win + sel.outcomes.half_win;
    console.log(w);
  } else {
    const p: number = sel.prob;
    console.log(p);
  }
  const fair: number | null = sel.fair_odds;
  const odds: number | undefined = sel.odds;
  console.log(fair, odds);
}
const implied: Implied = impliedProbabilities([2.1, 3.4, 3.6], 'odds_ratio');
const k: number | null = implied.k;
const margined: number[] = applyMargin(implied.probs, 0.05, 'power');
const fit: FitResult = fitFootball({ home: 2.1, draw: 3.4, away: 3.6, total: { line: 2.5, over: 1.95, under: 1.9 } }, { dixon_coles: true });
priceFootball({ home_xg: fit.home_xg, away_xg: fit.away_xg, rho: fit.rho });
const text: string = formatOdds(2.5, 'fractional');
const decimal: number = parseOdds('+150', 'american') + fromAmerican(-200) + toAmerican(2.5);
const frac: { num: number; den: number } = toFractional(2.5);
const ladder: number = ladderRoundDown(2.037) + ladderRoundUp(2.037) + ladderRoundNearest(2.031);
const v: string = version;
console.log(k, margined, text, decimal, frac, ladder, v, live, status, seen);

// --- what the page shows: the engine's image, its clock-run state, its money ---
const image: MatchImage = event.image;
const shown = event.stateAt(Date.now());
const shownClock: number = 'clock_ms' in shown ? shown.clock_ms : 0;
const listClock: number = clockAt(image.clock, Date.now());
const potentialReturn: number = payout('won', 500, 1.91);
const profit: number = netWin(500, 1.91);
const results: SettlementResult[] = ['won', 'lost', 'push', 'half_won', 'half_lost', 'void'];
declare const answer: { decision: BetDecision; settlement: Settlement | null };
const corrected: number | undefined = answer.settlement?.correction?.difference;
console.log(shownClock, listClock, potentialReturn, profit, results, corrected);

// --- checking a bet before sending it ---
const slip: BetSlip = { bet_id: 'b1', user_id: 'u1', market: 'total:2.5', selection: 'over', stake: 500, price: 1.91, seen_version: event.version, policy: 'higher' };
try {
  const price: number = event.checkBet(slip, Date.now());
  console.log(price);
} catch (e) {
  if (e instanceof InplayError) {
    const code: InplayErrorCode = e.code;
    if (code === 'price_changed' || code === 'market_suspended') console.log('warn', e.message);
  }
}
event.free();

const keys: MarketKey[] = ['1x2', 'total:2.5', 'ah:-0.25', 'team_total:away:1.5', 'ht_total:0.5', 'correct_score'];
console.log(keys);

// --- the types are precise ---
// @ts-expect-error camelCase is not the data convention: fields are snake_case as in the CLI's JSON.
priceFootball({ homeXg: 1.6, awayXg: 1.1 });
// @ts-expect-error expected goals are required.
priceFootball({ home_xg: 1.6 });
// @ts-expect-error periods are a closed set.
priceFootball(params, { period: 'extra_time' });
// @ts-expect-error margin methods are a closed set.
impliedProbabilities([2, 2], 'fancy');
// @ts-expect-error odds formats are a closed set.
formatOdds(2, 'roman');
// @ts-expect-error not a market key.
const badKey: MarketKey = 'totals:2.5';
// @ts-expect-error a status is a string such as 'suspended:goal', not an object.
const badStatus: MarketStatus = { status: 'open' };
// @ts-expect-error fair odds may be null (an impossible selection): not a plain number.
const notNull: number = book.markets[0]!.selections[0]!.fair_odds;
// @ts-expect-error the error code is a known union, not any string.
const badCode: InplayErrorCode = 'oops';
// @ts-expect-error LiveEvent is built from a snapshot, not constructed.
new LiveEvent();
// @ts-expect-error times are numbers (ms), not Dates.
event.prices(new Date());
// @ts-expect-error settlement results are a closed set ('won', not 'win').
payout('win', 500, 2);
// @ts-expect-error a pending status has no reject code.
const pendingCode: RejectCode = betStatus('pending').code;
// @ts-expect-error the image is the engine's: read-only.
event.image = image;
// @ts-expect-error a bet_error frame's bet id may be null (refused before an id was derived).
const frameId = (f: ReturnType<typeof decodeFrame>): string => (f.kind === 'bet_error' ? f.bet_id : '');
// @ts-expect-error a delta frame has no version: its epoch and time are the event's it follows.
const frameVersion = (f: DeltaFrame): Version => f.delta.version;
console.log(frameVersion);
console.log(badKey, badStatus, notNull, badCode, pendingCode, frameId);

// --- the live entry: the live API, typed the same, without the modelling functions ---
const liveEvent: liveEntry.LiveEvent = liveEntry.LiveEvent.fromSnapshot(snapshotBytes);
const liveBook: liveEntry.PriceBook = liveEvent.prices(Date.now());
const liveText: string = liveEntry.formatOdds(liveBook.odds('1x2', 'home') ?? 2, 'fractional');
const liveReturn: number = liveEntry.payout('half_won', 500, 1.91);
const liveWin: number = liveEntry.netWin(500, 1.91);
const liveState: liveEntry.ParsedBetStatus = liveEntry.betStatus('accepted');
const liveClock: number = liveEntry.clockAt(liveEvent.image.clock, Date.now());
const liveState2 = liveEvent.stateAt(Date.now());
const liveShown: number = 'clock_ms' in liveState2 ? liveState2.clock_ms : 0;
console.log(liveText, liveReturn, liveWin, liveState, liveClock, liveShown);
// @ts-expect-error the live entry has no modelling functions
liveEntry.priceFootball({ home_xg: 1.6, away_xg: 1.1 });

// --- tennis: prices from a score, and a live image narrowed by its sport ---
const tennisParams: TennisParams = { serve_a: 0.66, serve_b: 0.62, best_of: 3, final_set: 'tiebreak10' };
const tennisState: TennisState = { sets: [1, 0], games: [3, 2], points: [2, 1], server: 'a', earlier: { games: [6, 4], tiebreaks: 0 } };
const tennisBook: MarketBook = priceTennis(tennisParams, tennisState, { margin: 0.05 });
const tennisKeys: MarketKey[] = ['match_winner', 'set_betting', 'game_winner', 'total_games:22.5', 'game_handicap:-3.5', 'tiebreak'];
const runs: ('football' | 'tennis')[] = sports();
const describe = (img: MatchImage): string => {
  if (img.sport === 'tennis') {
    const t: TennisImage = img;
    const done: SetScore[] = t.sets;
    return `${done.map((s) => s.games.join('-')).join(' ')} ${t.games.join('-')} ${t.points.join('-')} ${t.server} serving`;
  }
  return `${img.state.score.home}-${img.state.score.away}`;
};
console.log(tennisBook.markets[0]!.key, tennisKeys, runs, describe);
// @ts-expect-error a tennis match is best of 3 or 5.
priceTennis({ serve_a: 0.6, serve_b: 0.6, best_of: 4 });
// @ts-expect-error a player is 'a' or 'b'.
priceTennis(tennisParams, { server: 'home' });
