// Node entry (`node` condition): compiles the wasm synchronously from the file beside this module,
// so `import { priceFootball } from '@inplay/engine'` is ready to use with no init call.
import { readFileSync } from 'node:fs';
import { initSync } from './inplay_wasm.js';

initSync({ module: readFileSync(new URL('./inplay_wasm_bg.wasm', import.meta.url)) });

export * from './api.js';
export * from './tools.js';
