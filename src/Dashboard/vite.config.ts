import { defineConfig } from 'vite';

// Built by eng/build-dashboard.sh (called by ./tally and eng/test.sh) into dist/, which the host's
// build copies next to tally.dll as wwwroot/. `npm run dev` serves it with the API proxied to a
// running `./tally up`.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    // One small app: a single chunk keeps the first paint to one round trip after the HTML.
    chunkSizeWarningLimit: 200,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
