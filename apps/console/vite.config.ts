import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is built from the protocol's sources (no need to build the package first) and
// served by the Kairos server at /; `npm run dev` proxies the API to a local server.
export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: [
      {
        find: /^@kairos\/protocol$/,
        replacement: fileURLToPath(new URL('../../packages/protocol/src/index.ts', import.meta.url)),
      },
    ],
  },
  // The manifest lets bench/console-bundle.js measure what a first visit loads.
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 700, manifest: true },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
