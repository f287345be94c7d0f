// Cloudflare Workers entry (`workerd` condition): wrangler bundles a `.wasm` import as a compiled
// WebAssembly.Module (its default CompiledWasm rule), and Workers forbid compiling wasm from bytes at
// run time, so the module is instantiated from that import.
import wasmModule from './inplay_wasm_bg.wasm';
import { initSync } from './inplay_wasm.js';

initSync({ module: wasmModule });

export * from './api.js';
export * from './tools.js';
