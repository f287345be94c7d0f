// `@inplay/engine/live` for browsers and bundlers: as ../browser.js, over the build without the
// modelling functions (a live page's needs: LiveEvent, PriceBook, frames, odds formats, the ladder).
import init from './inplay_wasm.js';

await init({ module_or_path: new URL('./inplay_wasm_bg.wasm', import.meta.url) });

export * from './api.js';
