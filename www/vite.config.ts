// Vite for the bettor's page. `npm run dev -w www` serves it with hot reload and proxies the API and
// the live WebSocket to a running worker (`npm run dev` at the root, or INPLAY_WORKER=http://host:port),
// so the page sees one origin exactly as when the Worker serves the built page.
import { defineConfig } from 'vite';

const worker = process.env.INPLAY_WORKER ?? 'http://127.0.0.1:8787';

export default defineConfig({
  // The Worker serves dist/ at the origin root (wrangler.toml [assets]).
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Top-level await (the engine instantiates its wasm on import) needs a 2022 baseline.
    target: 'es2022',
    // The wasm is fetched by URL, never inlined as base64.
    assetsInlineLimit: (file) => (file.endsWith('.wasm') ? false : undefined),
    reportCompressedSize: true,
  },
  // Pre-bundling would move the package's JS away from its .wasm (found via import.meta.url).
  optimizeDeps: { exclude: ['@inplay/engine', '@inplay/engine/live', '@inplay/engine/tennis'] },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/v1': { target: worker, ws: true, changeOrigin: true },
      '/healthz': { target: worker },
    },
  },
  preview: { host: '127.0.0.1' },
});
