// `@inplay/engine/live` (and `/tennis`, the same over a wasm that also prices tennis) for Cloudflare Workers: as ../workerd.js, over the build without the
// modelling functions (a live page's needs: LiveEvent, PriceBook, frames, odds formats, the ladder).
import wasmModule from './inplay_wasm_bg.wasm';
import { initSync } from './inplay_wasm.js';

initSync({ module: wasmModule });

export * from './api.js';
