// The console's JavaScript a first visit downloads, gzipped: the entry chunk and its static
// imports (the shell, router, query cache, Mantine core), then the same plus the dashboard
// page (what opening / loads before the charts' own chunk), and the largest lazy chunks.
// Reads apps/console/dist/.vite/manifest.json; run `npm run build` first.
//   node bench/console-bundle.js
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const dist = new URL('../apps/console/dist/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('.vite/manifest.json', dist), 'utf8'));
const gz = (file) => gzipSync(readFileSync(new URL(file, dist))).length;

/** A chunk and every chunk it imports statically (what the browser fetches before running it). */
function closure(key, seen = new Set()) {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const dep of manifest[key]?.imports ?? []) closure(dep, seen);
  return seen;
}
const kb = (bytes) => Math.round(bytes / 102.4) / 10;
const sum = (keys) => [...keys].reduce((n, k) => n + gz(manifest[k].file), 0);

const entry = Object.keys(manifest).find((k) => manifest[k].isEntry);
const dashboard = Object.keys(manifest).find((k) => k.endsWith('DashboardPage.tsx'));
const initial = closure(entry);
const firstPage = closure(dashboard, new Set(initial));
const lazy = Object.keys(manifest)
  .filter((k) => k.endsWith('.tsx') && !manifest[k].isEntry)
  .map((k) => ({ chunk: k.replace(/^src\//, ''), gzipKB: kb(gz(manifest[k].file)) }))
  .sort((a, b) => b.gzipKB - a.gzipKB)
  .slice(0, 5);
const css = [...initial].flatMap((k) => manifest[k].css ?? []);

console.log(
  JSON.stringify({
    bench: 'console-bundle',
    initialJsGzipKB: kb(sum(initial)),
    initialJsChunks: initial.size,
    dashboardFirstVisitJsGzipKB: kb(sum(firstPage)),
    initialCssGzipKB: kb(css.reduce((n, f) => n + gz(f), 0)),
    largestLazyChunks: lazy,
  }),
);
