// `@inplay/engine/live` (and `/tennis`, the same over a wasm that also prices tennis) for Node: as ../node.js, over the build without the modelling functions
// (a live page's needs: LiveEvent, PriceBook, frames, odds formats, the ladder).
import { readFileSync } from 'node:fs';
import { initSync } from './inplay_wasm.js';

initSync({ module: readFileSync(new URL('./inplay_wasm_bg.wasm', import.meta.url)) });

export * from './api.js';
