/**
 * Live in-play football and tennis pricing, compiled from the Rust engine `inplay-engine` to
 * WebAssembly.
 *
 * Every price is computed by the same code as the `inplay` CLI and the edge, so the numbers are
 * identical bit for bit on every host. Data objects use the engine's snake_case field names (the
 * CLI's JSON: `home_xg`, `clock_ms`, `fair_odds`); functions and methods are camelCase. Every
 * failure throws an {@link InplayError} with a stable `code`.
 *
 * @example
 * ```ts
 * import { priceFootball } from '@inplay/engine';
 * const book = priceFootball({ home_xg: 1.6, away_xg: 1.1 });
 * const home = book.markets.find((m) => m.key === '1x2')!.selections[0];
 * console.log(home.key, home.prob, home.fair_odds); // home 0.481… 2.078…
 * ```
 *
 * @packageDocumentation
 */

/** Version of this package (and of the engine it was built from). */
export declare const version: string;

// ----- errors -----

/** Codes of the engine's pricing errors (`PricingError::code`). */
export type PricingErrorCode = 'invalid_params' | 'invalid_state';

/** Codes of the engine's odds errors (`OddsError::code`). */
export type OddsErrorCode =
  | 'invalid_odds'
  | 'too_few_outcomes'
  | 'invalid_margin'
  | 'invalid_probabilities'
  | 'negative_probability'
  | 'margin_unattainable'
  | 'no_convergence'
  | 'unknown_method'
  | 'invalid_format';

/** Codes of a fit that failed (`FitError::code`), besides the odds codes of the book it was given. */
export type FitErrorCode = 'invalid_line' | 'needs_total' | 'no_convergence' | PricingErrorCode;

/** Why a bet slip would be refused (`RejectCode::as_str`): the same checks the edge runs first. */
export type RejectCode =
  | 'market_suspended'
  | 'market_closed'
  | 'price_changed'
  | 'stake_too_low'
  | 'stake_too_high'
  | 'liability_exceeded'
  | 'unknown_market'
  | 'unknown_selection'
  | 'stale_version'
  | 'invalid_request';

/** Why a snapshot or delta was refused (`StreamError::code`). */
export type StreamErrorCode = 'malformed' | 'out_of_order' | 'unsupported_sport';

/**
 * Every code an {@link InplayError} can carry.
 *
 * - `invalid_argument`: an argument of the wrong kind (a string where a number goes, a time that is
 *   not a non-negative integer of milliseconds, a stake that is not a non-negative integer of minor
 *   units, bytes that are not a `Uint8Array`, an unknown settlement result or bet status), or an
 *   amount too large for a JS number to hold exactly (over 2^53 − 1).
 * - `invalid_price`: a price that is not a decimal above 1 in whole hundredths (`2.13`, not `2.125`
 *   or `1`): every offered price is a ladder price, and money is computed from exact hundredths.
 * - `disposed`: a method of a {@link LiveEvent} called after {@link LiveEvent.free}.
 * - `internal`: a bug in this package; please report it.
 */
export type InplayErrorCode =
  | PricingErrorCode
  | OddsErrorCode
  | FitErrorCode
  | RejectCode
  | StreamErrorCode
  | 'invalid_argument'
  | 'invalid_price'
  | 'disposed'
  | 'internal';

/**
 * The one error class of this package: a real `Error` with a stable machine-readable `code`.
 * A failed call leaves the module usable: the next call works as usual.
 *
 * @example
 * ```ts
 * import { InplayError, priceFootball } from '@inplay/engine';
 * try {
 *   priceFootball({ home_xg: -1, away_xg: 1 });
 * } catch (e) {
 *   if (e instanceof InplayError && e.code === 'invalid_params') console.log(e.message);
 *   // invalid parameter `home_xg`: must be a number in [0, 8]
 * }
 * ```
 */
export declare class InplayError extends Error {
  private constructor();
  readonly name: 'InplayError';
  /** Stable code, e.g. `invalid_params`, `market_suspended`. */
  readonly code: InplayErrorCode;
}

// ----- model inputs -----

/** How scoring intensity rises through each half. Defaults: `first_half_share` 0.45, `ramp` 1.35. */
export interface TimeProfile {
  /** Share of the match's goals expected before half-time, in (0, 1). */
  first_half_share?: number;
  /** Intensity at the end of a half relative to its start, in (0, 10]. */
  ramp?: number;
}

/** How the score changes each team's attacking intensity. Defaults ×1.10 and ×1.20. */
export interface ScoreStateEffects {
  /** Multiplier for a team trailing by exactly one goal. */
  trailing_by_one?: number;
  /** Multiplier for a team trailing by two or more. */
  trailing_by_two_plus?: number;
}

/** How red cards change intensities, per card. Defaults ×0.70 (penalised) and ×1.20 (opponent). */
export interface RedCardEffects {
  /** Multiplier on the penalised team's intensity, per card. */
  penalised?: number;
  /** Multiplier on the opponent's intensity, per card. */
  opponent?: number;
}

/**
 * Pre-match model of one match (`FootballParams`). Only the expected goals are required.
 *
 * @example
 * ```ts
 * const params: FootballParams = { home_xg: 1.6, away_xg: 1.1, rho: -0.05 };
 * ```
 */
export interface FootballParams {
  /** Home team's expected goals over the whole match, in [0, 8]. */
  home_xg: number;
  /** Away team's expected goals, in [0, 8]. */
  away_xg: number;
  /** Dixon–Coles low-score dependence ρ (0 = independent). */
  rho?: number;
  /** Scoring-rate profile through the match. */
  profile?: TimeProfile;
  /** Score-state effects; `{trailing_by_one: 1, trailing_by_two_plus: 1}` is the independent model. */
  score_state?: ScoreStateEffects;
  /** Red-card effects. */
  red_cards?: RedCardEffects;
}

/** Phase of a match. */
export type Period = 'pre_match' | 'first_half' | 'half_time' | 'second_half' | 'full_time';

/** Goals per team. */
export interface Score {
  home: number;
  away: number;
}

/** Red cards shown so far, per team. */
export interface RedCards {
  home: number;
  away: number;
}

/**
 * Where a match stands (`MatchState`). Every field is optional: missing ones are pre-match values.
 *
 * @example
 * ```ts
 * // 60:00, home leading 1-0, away down to ten men.
 * const state: MatchState = {
 *   score: { home: 1, away: 0 },
 *   period: 'second_half',
 *   clock_ms: 3_600_000,
 *   red_cards: { home: 0, away: 1 },
 * };
 * ```
 */
export interface MatchState {
  score?: Score;
  period?: Period;
  /** Match clock in ms as a referee counts it: the second half starts at 2 700 000; stoppage runs past. */
  clock_ms?: number;
  red_cards?: RedCards;
  /** Expected stoppage time of each half in ms (defaults 180 000 and 360 000). */
  stoppage_ms?: [number, number];
}

/** How a bookmaker's margin is spread over the outcomes of a book (as penaltyblog names them). */
export type MarginMethod = 'multiplicative' | 'additive' | 'power' | 'shin' | 'odds_ratio';

/** A margin to put on a priced book: offered odds, rounded down the Betfair ladder. */
export interface Offer {
  /** Target overround per market, in [0, 1): 0.05 is a 105 % book. */
  margin: number;
  /** Default `multiplicative`. */
  method?: MarginMethod;
}

// ----- books -----

/** A market key, as in the CLI: `1x2`, `total:2.5`, `ah:-0.25`, `team_total:home:1.5`, … */
export type MarketKey =
  | '1x2'
  | 'double_chance'
  | 'draw_no_bet'
  | `total:${number}`
  | `ah:${number}`
  | 'btts'
  | 'correct_score'
  | `team_total:${'home' | 'away'}:${number}`
  | 'next_goal'
  | 'ht_1x2'
  | `ht_total:${number}`
  | 'rest_of_match'
  | 'match_winner'
  | 'set_betting'
  | 'set_winner'
  | 'next_set_winner'
  | 'game_winner'
  | `total_games:${number}`
  | `game_handicap:${number}`
  | `total_sets:${number}`
  | 'tiebreak';

/** A selection key: `home`, `draw`, `over`, `yes`, an exact score `2-1`, `other`, … */
export type SelectionKey =
  | 'home'
  | 'draw'
  | 'away'
  | 'home_draw'
  | 'home_away'
  | 'draw_away'
  | 'over'
  | 'under'
  | 'yes'
  | 'no'
  | 'none'
  | 'other'
  | 'a'
  | 'b'
  | `${number}-${number}`;

/** How a stake on a line selection resolves: the probability of each settlement outcome. */
export interface LineOutcomes {
  win: number;
  half_win: number;
  push: number;
  half_lose: number;
  lose: number;
}

interface SelectionPrices {
  key: SelectionKey;
  /**
   * Decimal odds with no margin, counting pushes and half outcomes; `null` when the selection
   * cannot win (infinite odds), as in the CLI's JSON.
   */
  fair_odds: number | null;
  /** Offered decimal odds after margin and ladder rounding; absent when not offered. */
  odds?: number;
}

/** A selection of a plain market: the probability it wins. */
export interface PlainSelection extends SelectionPrices {
  prob: number;
  outcomes?: never;
}

/** A selection of a line market (totals, handicaps, draw no bet): settlement outcome probabilities. */
export interface LineSelection extends SelectionPrices {
  prob?: never;
  outcomes: LineOutcomes;
}

/** One priced selection. */
export type Selection = PlainSelection | LineSelection;

/** A priced market; its selections are in a fixed order. */
export interface Market {
  key: MarketKey;
  selections: Selection[];
}

/**
 * Every market priced for one state, in a fixed order: the structure of `inplay price --json`.
 */
export interface MarketBook {
  markets: Market[];
}

/**
 * Fair (and, with `offer`, offered) prices of every football market: 1X2, double chance, draw no
 * bet, totals and Asian handicaps in quarter lines, BTTS, correct score, team totals, next goal,
 * half-time markets while the first half runs, rest of match.
 *
 * @param params - the pre-match model.
 * @param state - where the match stands; pre-match when omitted.
 * @param offer - a margin to apply (`pricing::offer`): sets `odds` on every selection it can.
 * @throws {@link InplayError} `invalid_params`, `invalid_state`, `invalid_margin`, `unknown_method`.
 *
 * @example
 * ```ts
 * const book = priceFootball(
 *   { home_xg: 1.6, away_xg: 1.1 },
 *   { score: { home: 1, away: 0 }, period: 'second_half', clock_ms: 3_600_000 },
 *   { margin: 0.05 },
 * );
 * const over = book.markets.find((m) => m.key === 'total:2.5')!.selections[0];
 * console.log(over.key, over.fair_odds, over.odds);
 * ```
 */
export declare function priceFootball(
  params: FootballParams,
  state?: MatchState | null,
  offer?: Offer | null,
): MarketBook;

// ----- tennis -----

/** One of the two players: `a` is the first named (the fixture's `home`). */
export type Player = 'a' | 'b';

/** The deciding set at 6-6: a tiebreak to 7, a 10-point match tiebreak, or two games clear. */
export type FinalSet = 'tiebreak7' | 'tiebreak10' | 'advantage';

/** A tennis match's model (`TennisParams`): serve-point probabilities and the format. */
export interface TennisParams {
  /** P(A wins a point on A's serve), in [0.01, 0.99]. */
  serve_a: number;
  /** P(B wins a point on B's serve), in [0.01, 0.99]. */
  serve_b: number;
  best_of: 3 | 5;
  /** Default `tiebreak7`. */
  final_set?: FinalSet;
  /** A deciding point at deuce. Default `false`. */
  no_ad?: boolean;
}

/** Games and tiebreaks of the completed sets (`EarlierSets`). */
export interface EarlierSets {
  games: [number, number];
  tiebreaks: number;
}

/**
 * Where a tennis match stands (`TennisState`): sets, games of the set in play, points of the game
 * in play (tiebreak points in a tiebreak; `[2, 1]` is 30-15, `[4, 3]` advantage A), who serves next.
 */
export interface TennisState {
  sets?: [number, number];
  games?: [number, number];
  points?: [number, number];
  server: Player;
  /** The completed sets; without them the whole-match lines are left out once a set is complete. */
  earlier?: EarlierSets | null;
}

/**
 * Fair (and, with `offer`, offered) prices of every tennis market: match winner, set betting, the
 * set and the game in play, the next set, total sets, a tiebreak in the match, total games and game
 * handicaps (X.5 lines).
 *
 * @param params - the model.
 * @param state - where the match stands; before the first point, A serving, when omitted.
 * @param offer - a margin to apply (`pricing::offer`).
 * @throws {@link InplayError} `invalid_params`, `invalid_state`, `invalid_margin`, `unknown_method`.
 *
 * @example
 * ```ts
 * const book = priceTennis(
 *   { serve_a: 0.66, serve_b: 0.62, best_of: 3 },
 *   { sets: [1, 0], games: [3, 2], points: [2, 1], server: 'a', earlier: { games: [6, 4], tiebreaks: 0 } },
 *   { margin: 0.05 },
 * );
 * console.log(book.markets[0].key, book.markets[0].selections[0].prob); // match_winner 0.958…
 * ```
 */
export declare function priceTennis(
  params: TennisParams,
  state?: TennisState | null,
  offer?: Offer | null,
): MarketBook;

// ----- margins -----

/** Fair probabilities recovered from a book. */
export interface Implied {
  /** Fair probability of each outcome, in input order; they sum to 1 (to rounding). */
  probs: number[];
  /** The book's overround, `Σ(1/odds) − 1` (negative for an under-round book). */
  margin: number;
  method: MarginMethod;
  /** The solved parameter as penaltyblog reports it (power `k`, Shin `z`, odds-ratio `c`); `null` otherwise. */
  k: number | null;
}

/**
 * Removes the margin from a book of decimal odds (penaltyblog's `implied` methods).
 *
 * @param odds - at least two decimal odds, each finite and above 1.
 * @param method - default `multiplicative`.
 * @throws {@link InplayError} `invalid_odds`, `too_few_outcomes`, `unknown_method`, `negative_probability`, `no_convergence`.
 *
 * @example
 * ```ts
 * const { probs, margin } = impliedProbabilities([2.7, 3.4, 2.8], 'shin');
 * // margin ≈ 0.0216 (a 102.2 % book); probs sum to 1
 * ```
 */
export declare function impliedProbabilities(odds: readonly number[], method?: MarginMethod): Implied;

/**
 * Puts a margin on fair probabilities: offered decimal odds whose overround is `margin`. The exact
 * inverse of {@link impliedProbabilities} with the same method.
 *
 * @param probs - at least two positive probabilities summing to 1 (within 1e-9).
 * @param margin - target overround in [0, 1).
 * @throws {@link InplayError} `invalid_probabilities`, `too_few_outcomes`, `invalid_margin`, `margin_unattainable`, `unknown_method`, `no_convergence`.
 *
 * @example
 * ```ts
 * applyMargin([0.5, 0.3, 0.2], 0.05, 'power'); // three decimal odds, Σ1/odds = 1.05
 * ```
 */
export declare function applyMargin(probs: readonly number[], margin: number, method?: MarginMethod): number[];

// ----- fitting -----

/** Decimal odds of an over/under line. */
export interface TotalOdds {
  /** The goal line: a positive multiple of 0.25 (2.5, 2.25, 3, …). */
  line: number;
  over: number;
  under: number;
}

/** The book to fit: 1X2 decimal odds and, optionally, one over/under line. */
export interface FitOdds {
  home: number;
  draw: number;
  away: number;
  /** Needed to fit ρ, and to pin down the goal total. */
  total?: TotalOdds | null;
}

/** How to fit. */
export interface FitOptions {
  /** How each market's margin is removed (default `multiplicative`). */
  method?: MarginMethod;
  /** Fit Dixon–Coles ρ as well (needs `total`); otherwise ρ = 0. */
  dixon_coles?: boolean;
  /** Score effects of the model being fitted (default: the model's defaults; neutral = penaltyblog's model). */
  score_state?: ScoreStateEffects;
}

/** Fitted parameters: spread them into {@link FootballParams}. */
export interface FitResult {
  home_xg: number;
  away_xg: number;
  rho: number;
  /** Root-mean-square difference between model and market probabilities: ~0 for an exact fit. */
  residual: number;
}

/**
 * Fits home and away expected goals (and Dixon–Coles ρ) to a bookmaker's 1X2 and over/under odds.
 *
 * @throws {@link InplayError} an odds code for a bad book, `invalid_line`, `needs_total`, `no_convergence`, `invalid_params`.
 *
 * @example
 * ```ts
 * const fit = fitFootball({ home: 2.1, draw: 3.4, away: 3.6, total: { line: 2.5, over: 1.95, under: 1.9 } });
 * const book = priceFootball({ home_xg: fit.home_xg, away_xg: fit.away_xg, rho: fit.rho });
 * ```
 */
export declare function fitFootball(odds: FitOdds, options?: FitOptions | null): FitResult;

// ----- odds formats and the ladder -----

/** A way of writing a price. */
export type OddsFormat = 'decimal' | 'fractional' | 'american' | 'hong_kong' | 'malay' | 'indonesian';

/** Fractional odds `num/den` (profit over stake), unreduced as bookmakers write them (`4/6`). */
export interface Fraction {
  num: number;
  den: number;
}

/**
 * Decimal odds written in a format: `2.50`, `6/4`, `+150`, `1.50`, `-0.67`, `1.50`.
 *
 * @throws {@link InplayError} `invalid_odds`, `invalid_format`.
 * @example
 * ```ts
 * formatOdds(2.5, 'fractional'); // '6/4'
 * formatOdds(1.5, 'american');   // '-200'
 * ```
 */
export declare function formatOdds(decimal: number, format: OddsFormat): string;

/**
 * Decimal odds from text in a format (`'evs'` is evens in fractional). Numbers are plain decimals
 * (`'2.50'`, `'-110'`, `'.85'`) of at most 15 significant digits; exponents are refused.
 *
 * @throws {@link InplayError} `invalid_format`, `invalid_odds`.
 * @example
 * ```ts
 * parseOdds('+150', 'american'); // 2.5
 * ```
 */
export declare function parseOdds(text: string, format: OddsFormat): number;

/** Nearest traditional UK fraction; ties go to the shorter price. @throws {@link InplayError} `invalid_odds`. */
export declare function toFractional(decimal: number): Fraction;
/** Decimal to American moneyline: `(d−1)·100` from evens up, `−100/(d−1)` below. */
export declare function toAmerican(decimal: number): number;
/** American moneyline (≥ +100 or ≤ −100) to decimal. */
export declare function fromAmerican(american: number): number;
/** Decimal to Hong Kong odds: `d − 1`. */
export declare function toHongKong(decimal: number): number;
/** Hong Kong odds (positive) to decimal. */
export declare function fromHongKong(hongKong: number): number;
/** Decimal to Malay odds: `d − 1` up to evens, `−1/(d−1)` beyond. */
export declare function toMalay(decimal: number): number;
/** Malay odds (in (0, 1] or [−1, 0)) to decimal. */
export declare function fromMalay(malay: number): number;
/** Decimal to Indonesian odds: `d − 1` from evens up, `−1/(d−1)` below. */
export declare function toIndonesian(decimal: number): number;
/** Indonesian odds (≥ 1 or ≤ −1) to decimal. */
export declare function fromIndonesian(indonesian: number): number;

/**
 * The highest Betfair ladder price at or below `decimal` (toward the bookmaker).
 *
 * @throws {@link InplayError} `invalid_odds`.
 * @example
 * ```ts
 * ladderRoundDown(2.037); // 2.02
 * ```
 */
export declare function ladderRoundDown(decimal: number): number;
/** The lowest Betfair ladder price at or above `decimal`. @example `ladderRoundUp(2.037) // 2.04` */
export declare function ladderRoundUp(decimal: number): number;
/** The nearest Betfair ladder price; an exact tie goes down. @example `ladderRoundNearest(2.031) // 2.04` */
export declare function ladderRoundNearest(decimal: number): number;

// ----- live events -----

/** Position in an event's history: `seq` counts deltas; a new `epoch` restarts history. */
export interface Version {
  epoch: number;
  seq: number;
}

/** Why markets are suspended. */
export type SuspensionReason =
  | 'goal'
  | 'penalty'
  | 'red_card'
  | 'var'
  | 'danger'
  | 'source_discrepancy'
  | 'feed_stale'
  | 'period_end'
  | 'manual'
  | 'challenge'
  | 'medical_timeout'
  | 'retirement';

/** State of one market, as on the wire: `open`, `suspended:goal`, `closed`, `settled`, `void`. */
export type MarketStatus = 'open' | `suspended:${SuspensionReason}` | 'closed' | 'settled' | 'void';

/** What a bettor accepts if the price moves: only the price seen, that or better, or any. */
export type OddsPolicy = 'exact' | 'higher' | 'any';

/** A bet slip (`BetRequest`), as the edge takes it. */
export interface BetSlip {
  /** Idempotency key, 1 to 128 characters. */
  bet_id: string;
  user_id: string;
  market: MarketKey;
  selection: SelectionKey;
  /** Stake in minor units (e.g. pence): a non-negative integer. */
  stake: number;
  /** Decimal price the bettor saw. */
  price: number;
  /** {@link LiveEvent.version} when the bettor saw the price. */
  seen_version: Version;
  /** Default `exact`. */
  policy?: OddsPolicy;
}

/** How a settled bet resolved (`SettlementResult`): line markets can push or half win / half lose. */
export type SettlementResult = 'won' | 'lost' | 'push' | 'half_won' | 'half_lost' | 'void';

/**
 * What a winning stake pays on top of the stake, by the engine's settlement rule: ⌊stake × (price −
 * 1)⌋ in whole minor units, computed from the price in exact hundredths (no float product, so 100 at
 * 1.13 wins exactly 13). It is also the liability a bet puts on the book. The edge settles with the
 * same code, so a slip can show what the bettor will get.
 *
 * @param stake - in minor units (pence): a non-negative integer.
 * @param price - decimal odds in whole hundredths above 1, as every offered (ladder) price is.
 * @throws {@link InplayError} `invalid_argument` for a stake that is not a non-negative integer (or a
 *   result over 2^53 − 1); `invalid_price` for a price that is not whole hundredths above 1.
 * @example
 * ```ts
 * netWin(1000, 2.5);   // 1500: £10 at 2.5 wins £15
 * netWin(100, 1.13);   // 13 (a float product would give 12)
 * netWin(333, 1.01);   // 3 (3.33 rounded down)
 * netWin(1000, 2.125); // throws InplayError 'invalid_price'
 * ```
 */
export declare function netWin(stake: number, price: number): number;

/**
 * A settled bet's whole return, stake included, in minor units (`SettlementResult::payout`): `won`
 * ⌊stake × price⌋, `half_won` ⌊stake × (price + 1) / 2⌋, `push` and `void` the stake, `half_lost`
 * ⌊stake / 2⌋, `lost` 0. Exact integer arithmetic on the price's hundredths, rounded down once; the
 * same numbers as the edge's settlements ({@link Settlement}`.payout`). A slip's potential return is
 * `payout('won', stake, price)`.
 *
 * @param result - how the bet resolved.
 * @param stake - in minor units: a non-negative integer.
 * @param price - decimal odds in whole hundredths above 1.
 * @throws {@link InplayError} `invalid_argument` for an unknown result or a stake that is not a
 *   non-negative integer (or a return over 2^53 − 1); `invalid_price` for a price that is not whole
 *   hundredths above 1.
 * @example
 * ```ts
 * payout('won', 100, 1.13);     // 113
 * payout('half_won', 3, 2.5);   // 5 (5.25 rounded down)
 * payout('half_lost', 1001, 2); // 500
 * payout('push', 1000, 1.91);   // 1000
 * ```
 */
export declare function payout(result: SettlementResult, stake: number, price: number): number;

/** A settlement that replaced an earlier one after a result correction. Money in minor units. */
export interface Correction {
  previous_result: SettlementResult;
  previous_payout: number;
  /** New payout minus the earlier one: what the book pays (positive) or claws back (negative). */
  difference: number;
}

/** How a bet was settled (`Settlement`), as `GET /v1/bets/{id}` answers it. */
export interface Settlement {
  bet_id: string;
  user_id: string;
  result: SettlementResult;
  /** Whole return, stake included, in minor units: {@link payout} of the result, stake and price taken. */
  payout: number;
  /** Set when a result correction settled the bet again: what this replaces. */
  correction: Correction | null;
}

/**
 * Every price of a live event at one instant ({@link LiveEvent.prices}). It never changes after it
 * is made. A full reprice copies the engine's numbers into it and builds no objects: `odds` and
 * `selection` read one selection, `markets` (built on first access, then kept) gives the same
 * `{markets}` shape as {@link priceFootball} and `inplay price --json`, and so does `JSON.stringify`.
 *
 * @example
 * ```ts
 * const book = event.prices(Date.now());
 * const home = book.odds('1x2', 'home');          // offered decimal odds, or undefined
 * const over = book.selection('total:2.5', 'over'); // {key, outcomes, fair_odds, odds?}
 * for (const m of book.markets) render(m);
 * ```
 */
export declare class PriceBook implements MarketBook {
  private constructor();
  /** Every market, in book order (built on first access). */
  readonly markets: Market[];
  /** Offered decimal odds of one selection; `undefined` when not offered or not in the book. */
  odds(market: MarketKey, selection: SelectionKey): number | undefined;
  /** One selection as in {@link markets}; `undefined` when not in the book. */
  selection(market: MarketKey, selection: SelectionKey): Selection | undefined;
  /** `{markets}`, for `JSON.stringify`. */
  toJSON(): MarketBook;
}

/**
 * A client's mirror of one live match: built from the edge's snapshot, kept current by its deltas,
 * and priced locally at any instant, so prices move with the clock between server updates exactly
 * as the edge will quote them. Times are wall-clock milliseconds since the Unix epoch (`Date.now()`).
 *
 * The handle holds wasm memory: it is freed when garbage-collected, or at once with {@link free}
 * (or `using`).
 *
 * @example
 * ```ts
 * const event = LiveEvent.fromSnapshot(snapshotBytes);
 * socket.onmessage = (m) => event.applyDelta(new Uint8Array(m.data));
 * setInterval(() => render(event.prices(Date.now()), event.marketStatus(Date.now())), 1000);
 * ```
 */
export declare class LiveEvent {
  private constructor();
  /**
   * From a snapshot's binary form (postcard), as the edge sends it.
   * @throws {@link InplayError} `malformed`, `invalid_argument`.
   */
  static fromSnapshot(snapshot: Uint8Array): LiveEvent;
  /**
   * Applies the next delta (binary form, read against the version held: its epoch, and its time
   * relative to {@link atMs}); returns the new version.
   * @throws {@link InplayError} `out_of_order` for a delta that does not follow the version held,
   *   `malformed`.
   */
  applyDelta(delta: Uint8Array): Version;
  /** Version held. */
  readonly version: Version;
  /**
   * Wall time the version held was made (edge clock, ms): the snapshot's, then each applied
   * delta's `at_ms`.
   * @example
   * ```ts
   * event.applyDelta(frame.bytes);
   * serverClock.observe(event.atMs, Date.now());
   * ```
   */
  readonly atMs: number;
  /**
   * The current match image, in the engine's JSON shape: the snapshot with every delta applied so
   * far, exactly the image the engine prices from (`MatchImage`). A fresh object on each access:
   * read it once per delta, not per frame.
   * @example
   * ```ts
   * event.applyDelta(frame.bytes);
   * const { state, suspensions, goals } = event.image;
   * ```
   */
  readonly image: MatchImage;
  /**
   * The state {@link prices} prices at wall time `nowMs` (`MatchImage::state_at`): football's with
   * the clock run on from its anchor, so a clock shown from it matches the prices beside it; tennis's
   * score with its completed sets.
   * @throws {@link InplayError} `invalid_argument` for a time that is not a non-negative integer.
   * @example
   * ```ts
   * const { period, clock_ms } = event.stateAt(Date.now()); // 'second_half', 4_032_000 (67:12)
   * ```
   */
  stateAt(nowMs: number): SportState;
  /**
   * Every fair and offered price at wall time `nowMs` (the clock runs on from the last update), as
   * a {@link PriceBook}: read one selection with `odds`/`selection`, or every market with `markets`.
   * @throws {@link InplayError} `invalid_argument` for a time that is not a non-negative integer.
   */
  prices(nowMs: number): PriceBook;
  /**
   * Status of every market in the book at `nowMs`, keyed by market key, in book order.
   * @example `event.marketStatus(Date.now())['1x2'] // 'suspended:goal'`
   */
  marketStatus(nowMs: number): Partial<Record<MarketKey, MarketStatus>>;
  /**
   * Runs the edge's image-level checks on a bet slip at `nowMs`: the page can warn before sending.
   * Returns the price the bet would be taken at.
   * @throws {@link InplayError} with the {@link RejectCode} the edge would give.
   * @example
   * ```ts
   * try {
   *   const price = event.checkBet(slip, Date.now());
   * } catch (e) {
   *   if (e instanceof InplayError && e.code === 'price_changed') showNewPrice();
   * }
   * ```
   */
  checkBet(slip: BetSlip, nowMs: number): number;
  /** Frees the wasm memory now (also `Symbol.dispose`, where the host has it); later calls throw `disposed`. */
  free(): void;
}

// ----- socket frames -----

/** A side of the match. */
export type Team = 'home' | 'away';

/** The match clock as an anchor: `clock_ms` at wall time `at_ms`, running on or stopped. */
export interface ClockAnchor {
  clock_ms: number;
  /** Wall time of the anchor, ms since the Unix epoch (edge clock). */
  at_ms: number;
  running: boolean;
  /** Match-clock ms per wall ms while running: 1 in real time, the speed of an accelerated replay (absent: 1). */
  rate?: number;
}

/**
 * The match clock of an anchor at wall time `nowMs` (`ClockAnchor::clock_at`): run on from the anchor
 * while it runs, never before it. For an image held without a {@link LiveEvent} (a match list reading
 * snapshots over HTTP); with one, {@link LiveEvent.stateAt} gives the state prices are computed at.
 *
 * @throws {@link InplayError} `invalid_argument` for an anchor whose fields are not non-negative
 *   integers (ms, and the rate) and a boolean `running`, or a time that is not a non-negative integer.
 * @example
 * ```ts
 * clockAt({ clock_ms: 1_000, at_ms: 5_000, running: true }, 7_500);  // 3_500
 * clockAt({ clock_ms: 1_000, at_ms: 5_000, running: false }, 7_500); // 1_000
 * clockAt({ clock_ms: 1_000, at_ms: 5_000, running: true, rate: 30 }, 7_500); // 76_000
 * ```
 */
export declare function clockAt(anchor: ClockAnchor, nowMs: number): number;

/**
 * The sports this build's live events run: `['football', 'tennis']` for the full package and the
 * `tennis` entry, `['football']` for the `live` entry, which refuses a tennis snapshot (in
 * {@link decodeFrame} and {@link LiveEvent.fromSnapshot}) with `unsupported_sport`.
 */
export declare function sports(): ('football' | 'tennis')[];

/** Who plays, and when. */
export interface Fixture {
  home: string;
  away: string;
  /** Scheduled kick-off, ms since the Unix epoch. */
  kickoff_ms: number;
}

/** One active suspension: markets are open only when there are none. */
export interface Suspension {
  reason: SuspensionReason;
  /** The team concerned (goal, penalty, red card, danger; tennis: `home` is player A), for display. */
  team: Team | null;
  since_ms: number;
  /** When it lifts by itself (cool-off); `null` while it waits for an event. */
  until_ms: number | null;
}

/** A goal that stands. */
export interface GoalRecord {
  team: Team;
  /** Match clock of the goal. */
  clock_ms: number;
}

/** The operator's terms, streamed so clients check bets exactly as the edge. Money in minor units. */
export interface TradingTerms {
  margin: number;
  margin_method: MarginMethod;
  min_stake: number;
  max_stake: number;
  max_selection_liability: number;
  max_market_liability: number;
  /** In-play bet delay, ms. */
  bet_delay_ms: number;
}

/** A trader's nudge: offered odds of one selection multiplied by `factor` before rounding. */
export interface Adjustment {
  market: MarketKey;
  selection: SelectionKey;
  factor: number;
}

/** The state a live event prices from: football's (`MatchState`, clock run on) or tennis's. */
export type SportState = Required<MatchState> | Required<TennisState>;

/** Everything prices and statuses are derived from (`MatchImage`): football's or tennis's. */
export type MatchImage = FootballImage | TennisImage;

/** A football match's image. Football's JSON has no `sport` field. */
export interface FootballImage {
  sport?: undefined;
  event_id: string;
  fixture: Fixture;
  params: FootballParams;
  /** Score, period, cards, stoppage; its `clock_ms` is the anchor's (see {@link ClockAnchor}). */
  state: Required<MatchState>;
  clock: ClockAnchor;
  suspensions: Suspension[];
  /** Per-market manual statuses. */
  overrides: [MarketKey, MarketStatus][];
  /** Goals that stand, in order. */
  goals: GoalRecord[];
  half_time: Score | null;
  trading: TradingTerms;
  adjustments: Adjustment[];
  /** Abandoned: everything is void. */
  abandoned: boolean;
}

/** Where a tennis match is. */
export type TennisPhase = 'pre_match' | 'in_play' | { finished: { winner: Player } } | { retired: { player: Player } };

/** A completed set: its games (a tiebreak counts one) and the tiebreak's points when one decided it. */
export interface SetScore {
  games: [number, number];
  tiebreak: [number, number] | null;
}

/** A tennis match's image (`fixture.home` is player A). */
export interface TennisImage {
  sport: 'tennis';
  event_id: string;
  fixture: Fixture;
  params: Required<TennisParams>;
  phase: TennisPhase;
  /** Who serves the next point. */
  server: Player;
  /** Points of the game in play (tiebreak points in a tiebreak), A's first. */
  points: [number, number];
  /** Games of the set in play. */
  games: [number, number];
  /** The completed sets. */
  sets: SetScore[];
  /** Time since the first point (see {@link ClockAnchor}). */
  clock: ClockAnchor;
  suspensions: Suspension[];
  overrides: [MarketKey, MarketStatus][];
  trading: TradingTerms;
  adjustments: Adjustment[];
  /** Abandoned: what was not yet decided is void. */
  abandoned: boolean;
}

/** The full image at a version. */
export interface Snapshot {
  version: Version;
  image: MatchImage;
  /** Wall time the version was made (edge clock, ms): the next delta's time is an offset from it. */
  at_ms: number;
}

/** One change to an image; each replaces one field (serde's external tagging: `{ suspensions: [...] }`). */
export type DeltaOp =
  | { state: Required<MatchState> }
  | { clock: ClockAnchor }
  | { suspensions: Suspension[] }
  | { overrides: [MarketKey, MarketStatus][] }
  | { goals: GoalRecord[] }
  | { half_time: Score | null }
  | { params: FootballParams }
  | { fixture: Fixture }
  | { trading: TradingTerms }
  | { adjustments: Adjustment[] }
  | { abandoned: boolean }
  | { points: [number, number] }
  | { games: [number, number] }
  | { server: Player }
  | { sets: SetScore[] }
  | { phase: TennisPhase }
  | { tennis_params: Required<TennisParams> }
  /** The next point went to this player, scored by the format's rules (points, and the game, set
   * and server when it ends them): an ordinary point's whole delta. */
  | { point: Player };

/** The change from `version.seq − 1` (made at `prev_at_ms`) to `version` (made at `at_ms`). */
export interface Delta {
  version: Version;
  /** Wall time of the version it follows (edge clock, ms). */
  prev_at_ms: number;
  /** Wall time it was made (edge clock, ms). */
  at_ms: number;
  ops: DeltaOp[];
}

/**
 * A delta as its binary frame carries it. Its bytes are read against the version they follow (a
 * {@link LiveEvent}'s): applied, it makes version `{epoch: held.epoch, seq}` at wall time
 * `event.atMs + offset_ms`; the event then holds that time as its {@link LiveEvent.atMs}.
 */
export interface RelativeDelta {
  /** The seq of the version it makes; its epoch is the last snapshot's. */
  seq: number;
  /** Its wall time minus that of the version it follows, ms. */
  offset_ms: number;
  ops: DeltaOp[];
}

/** Where a bet stands, as on the wire: `accepted`, `pending`, `rejected:<code>`. */
export type BetStatus = 'accepted' | 'pending' | `rejected:${RejectCode}`;

/** A bet status read by the engine: the phase, and the reject code when rejected. */
export type ParsedBetStatus =
  | { phase: 'accepted'; code: null }
  | { phase: 'pending'; code: null }
  | { phase: 'rejected'; code: RejectCode };

/**
 * Reads a bet status as the engine does (`BetStatus::from_str`), from a decision of any channel (the
 * socket's bet frames, `POST /v1/events/{id}/bets`, `GET /v1/bets/{id}`).
 *
 * @throws {@link InplayError} `invalid_argument` for anything but `accepted`, `pending` or
 *   `rejected:<code>` with a known {@link RejectCode}.
 * @example
 * ```ts
 * betStatus('rejected:price_changed'); // { phase: 'rejected', code: 'price_changed' }
 * betStatus('pending');                // { phase: 'pending', code: null }
 * ```
 */
export declare function betStatus(status: string): ParsedBetStatus;

/** The engine's answer to a bet. */
export interface BetDecision {
  bet_id: string;
  user_id: string;
  status: BetStatus;
  /** Price taken (accepted) or currently offered (pending). */
  price: number | null;
  /** When a pending bet is decided (edge clock, ms). */
  release_at_ms: number | null;
  /** Version of the image the decision was made on. */
  version: Version;
  decided_at_ms: number;
}

/** The full image, with the relay that served it. `bytes` goes to {@link LiveEvent.fromSnapshot}. */
export interface SnapshotFrame {
  kind: 'snapshot';
  region: string;
  shard: number;
  /** Edge wall time when sent, ms. */
  server_ms: number;
  snapshot: Snapshot;
  bytes: Uint8Array;
}

/**
 * The next version step, as the frame carries it: no epoch, and its time relative to the version
 * before it. `bytes` goes to {@link LiveEvent.applyDelta}, which reads it against the version held.
 */
export interface DeltaFrame {
  kind: 'delta';
  delta: RelativeDelta;
  bytes: Uint8Array;
}

/** Liveness, with the relay's head version. */
export interface HeartbeatFrame {
  kind: 'heartbeat';
  server_ms: number;
  version: Version;
}

/** One of the socket owner's bet decisions. */
export interface BetFrame {
  kind: 'bet';
  decision: BetDecision;
}

/**
 * One of the socket owner's bets (sent on the socket as `{"type":"bet","key",...}`) refused before it
 * reached the engine: no token, a bad idempotency key, the rate limit, an overloaded relay. The
 * refusal the HTTP bet route answers with its status; `key` says which bet it answers.
 */
export interface BetErrorFrame {
  kind: 'bet_error';
  /** The bet id the key derives, when the relay got that far. */
  bet_id: string | null;
  /** The idempotency key the bet was sent with. */
  key: string;
  error: {
    /**
     * The edge's stable error code (its HTTP API's): `token_required`, `token_invalid`,
     * `token_expired`, `idempotency_key_invalid`, `invalid_bet`, `idempotency_conflict`,
     * `rate_limited`, `overloaded`, `hub_unavailable` (the last three: retry with the same key), …
     */
    code: string;
    /** For people. */
    message: string;
  };
}

/** A decoded socket frame. */
export type Frame = SnapshotFrame | DeltaFrame | HeartbeatFrame | BetFrame | BetErrorFrame;

/**
 * Decodes one binary frame of `GET /v1/events/{id}/live` (kind byte + postcard: 1 snapshot, 2 delta,
 * 3 heartbeat, 4 bet, 5 bet error) with the engine's codec, the one the edge encodes with.
 * @throws {@link InplayError} `malformed` (including an unknown kind), `invalid_argument`.
 *
 * @example
 * ```ts
 * let event: LiveEvent | undefined;
 * socket.binaryType = 'arraybuffer';
 * socket.onmessage = (m) => {
 *   const frame = decodeFrame(new Uint8Array(m.data));
 *   if (frame.kind === 'snapshot') event = LiveEvent.fromSnapshot(frame.bytes);
 *   else if (frame.kind === 'delta') event?.applyDelta(frame.bytes);
 *   else if (frame.kind === 'bet_error') console.warn(frame.key, frame.error.code);
 * };
 * ```
 */
export declare function decodeFrame(frame: Uint8Array): Frame;
