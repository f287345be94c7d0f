// Browser and generic ESM entry (`browser` / `import` conditions): fetches and compiles the wasm
// beside this module with a top-level await, so importers see a ready API. Bundlers (Vite, esbuild,
// webpack 5) copy the file they find through `new URL(..., import.meta.url)`.
import init from './inplay_wasm.js';

await init({ module_or_path: new URL('./inplay_wasm_bg.wasm', import.meta.url) });

export * from './api.js';
export * from './tools.js';
