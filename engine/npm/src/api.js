// The public API both builds share; the full build adds `tools.js`. Listed by name so that the
// helpers `internal.js` exports for `tools.js` stay private.
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
} from './internal.js';
