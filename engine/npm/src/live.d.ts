// Types of `@inplay/engine/live`: the full package's, less the modelling functions (priceFootball,
// impliedProbabilities, applyMargin, fitFootball), which this build leaves out.
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
} from './index.js';
