// `@inplay/engine/live` (and `/tennis`, the same over a wasm that also prices tennis) for browsers and bundlers: as ../browser.js, over the build without the
// modelling functions (a live page's needs: LiveEvent, PriceBook, frames, odds formats, the ladder).
import init from './inplay_wasm.js';

await init({ module_or_path: new URL('./inplay_wasm_bg.wasm', import.meta.url) });

export * from './api.js';
