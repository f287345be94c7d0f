// The modelling functions of the full build (the `tools` feature of engine/wasm): pricing from
// parameters (football and tennis), de-margining and margins, fitting. The `live` entry leaves them out with their wasm.

import * as raw from './inplay_wasm.js';
import { book, number, rethrow } from './internal.js';

export function priceFootball(params, state, offer) {
  try {
    return book(raw.priceFootball(params, state, offer), raw.priceFootballLayout);
  } catch (e) {
    rethrow(e);
  }
}

export function priceTennis(params, state, offer) {
  try {
    return book(raw.priceTennis(params, state, offer), raw.priceTennisLayout);
  } catch (e) {
    rethrow(e);
  }
}

export function impliedProbabilities(odds, method) {
  try {
    return raw.impliedProbabilities(odds, method);
  } catch (e) {
    rethrow(e);
  }
}

export function applyMargin(probs, margin, method) {
  number(margin, 'invalid_margin', 'margin');
  try {
    return raw.applyMargin(probs, margin, method);
  } catch (e) {
    rethrow(e);
  }
}

export function fitFootball(odds, options) {
  try {
    return raw.fitFootball(odds, options);
  } catch (e) {
    rethrow(e);
  }
}
