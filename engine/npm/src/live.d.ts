// Types of `@inplay/engine/live` and `@inplay/engine/tennis`: the full package's, less the modelling
// functions (priceFootball, priceTennis, impliedProbabilities, applyMargin, fitFootball), which these
// builds leave out. `live` runs football only (a tennis snapshot is refused with `unsupported_sport`);
// `tennis` runs both: `sports()` says which.
export type * from './index.js';
export {
  version,
  InplayError,
  PriceBook,
  LiveEvent,
  decodeFrame,
  formatOdds,
  parseOdds,
  toFractional,
  toAmerican,
  fromAmerican,
  toHongKong,
  fromHongKong,
  toMalay,
  fromMalay,
  toIndonesian,
  fromIndonesian,
  ladderRoundDown,
  ladderRoundUp,
  ladderRoundNearest,
  netWin,
  payout,
  betStatus,
  clockAt,
  sports,
} from './index.js';
