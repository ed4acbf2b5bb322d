// 100,000 defined tasks: start-up time, resident memory and idle CPU of a server process.
// The tasks are written straight into the store first (a far-future cron: nothing fires), then
// the real server binary is started and watched.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN_TOKEN, flags, round, sleep } from './support.js';
import { openStore } from '../apps/server/dist/store/open-store.js';

const opts = flags();
const count = Number(opts.tasks ?? 100_000);
const idleSeconds = Number(opts['idle-seconds'] ?? 10);
const databaseUrl = opts['database-url'];
const dataDir = mkdtempSync(join(tmpdir(), 'kairos-bench-'));

const store = await openStore({ databaseUrl, dataDir });
const ns = await store.ensureNamespace('default');
const app = await store.createApp({
  namespaceId: ns.id,
  appName: 'bench',
  name: 'Bench',
  description: null,
  maxConcurrency: null,
  accessTokenHash: '0'.repeat(64),
  accessTokenHint: '0000',
});
const schedule = {
  type: 'cron',
  expression: '0 0 0 1 1 ? 2099',
  timezone: 'UTC',
  dstGap: 'shift',
  misfire: { policy: 'skip', thresholdSeconds: 5, maxCatchUp: 100 },
};
const createStarted = Date.now();
const batch = [];
for (let i = 0; i < count; i++) {
  batch.push(
    store.createTask({
      namespaceId: ns.id,
      appId: app.id,
      name: `idle ${i}`,
      description: null,
      type: 'http',
      config: { method: 'GET', url: 'http://127.0.0.1:9/' },
      schedule,
      timeoutSeconds: null,
      retry: { maxAttempts: 1, backoff: 'exponential', delaySeconds: 10, maxDelaySeconds: 3600 },
      concurrency: { max: 1, overlap: 'skip' },
      enabled: true,
      nextFireAt: Date.parse('2099-01-01T00:00:00Z'),
    }),
  );
  if (batch.length === 500) await Promise.all(batch.splice(0));
}
await Promise.all(batch);
const createSeconds = (Date.now() - createStarted) / 1000;
await store.close();

const main = fileURLToPath(new URL('../apps/server/dist/main.js', import.meta.url));
const startedAt = Date.now();
const child = spawn(
  process.execPath,
  [main, '--port', '0', '--data-dir', dataDir, ...(databaseUrl ? ['--database-url', databaseUrl] : [])],
  {
    env: { PATH: process.env.PATH, KAIROS_ADMIN_TOKEN: ADMIN_TOKEN, KAIROS_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const url = await new Promise((resolve) => {
  let out = '';
  child.stdout.on('data', (c) => {
    out += c;
    const m = /listening on (http:\/\/\S+)/.exec(out);
    if (m) resolve(m[1]);
  });
});
const startupSeconds = (Date.now() - startedAt) / 1000;
// A first API call proves it serves (and warms up what a first request warms).
const first = await fetch(`${url}/api/v1/tasks?limit=1`, {
  headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
});
await first.text();

const ticks = () => {
  const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100/s)
};
await sleep(2000);
const before = ticks();
await sleep(idleSeconds * 1000);
const idleCpu = (ticks() - before) / 100 / idleSeconds;
const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]);
child.kill('SIGTERM');
await new Promise((r) => child.on('exit', r));
rmSync(dataDir, { recursive: true, force: true });

console.log(
  JSON.stringify({
    bench: 'idle-scale',
    store: databaseUrl ? 'postgres' : 'sqlite',
    tasks: count,
    seedSeconds: round(createSeconds, 1),
    startupSeconds: round(startupSeconds, 2),
    rssMB: round(rssKb / 1024, 1),
    idleCpuFraction: round(idleCpu, 4),
  }),
);
