// Shared helpers for the benchmarks: a no-op HTTP target in a child process (so it does not
// share the scheduler's event loop), a Kairos node in-process, percentiles, JSON output.
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { ConfigSchema, latencyTuningFor, limitHeapGrowth, startKairos } from '../apps/server/dist/index.js';

export const ADMIN_TOKEN = 'bench-admin-token-0123456789';

/** Parses `--name value` flags into an object of strings. */
export function flags(argv = process.argv.slice(2)) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
}

/** Starts the no-op HTTP target (bench/noop-target.js) in a child process; resolves with its URL. */
export function startNoopTarget() {
  const child = fork(fileURLToPath(new URL('./noop-target.js', import.meta.url)), [], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve) => {
    child.once('message', (message) => resolve({ url: message.url, stop: () => child.kill('SIGKILL') }));
  });
}

/**
 * One SDK executor process (bench/sdk-executor.js, handler `stamp`: returns the instant it
 * started) registered under `appName`, in `mode` push or pull; resolves once it is registered.
 */
export function startExecutor(url, appName, token, mode, id) {
  const child = fork(
    fileURLToPath(new URL('./sdk-executor.js', import.meta.url)),
    [url, appName, token, mode, String(id)],
    { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
  );
  return new Promise((resolve) =>
    child.once('message', () =>
      resolve({
        stop: () =>
          new Promise((r) => {
            child.once('exit', r);
            child.send('stop');
          }),
      }),
    ),
  );
}

/** A Kairos node in this process on a fresh SQLite dir (or the given PostgreSQL URL). */
export async function startNode(databaseUrl, overrides = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'kairos-bench-'));
  const config = ConfigSchema.parse({
    port: 0,
    dataDir,
    adminToken: ADMIN_TOKEN,
    databaseUrl,
    logLevel: 'error',
    ...overrides,
  });
  // The heap's growth and the latency layers as the server sets them from its settings (see latencyOff).
  limitHeapGrowth(config.heapGrowthPercent);
  const latency = latencyTuningFor(config);
  const node = await startKairos({ config, logger: pino({ level: 'error' }), latency });
  return {
    node,
    api: apiClient(node.url),
    dataDir,
    latency,
    async stop() {
      await node.stop(0);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The benches' HTTP client of a server at `baseUrl`: JSON in and out, the admin token, errors thrown. */
export function apiClient(baseUrl) {
  return async (method, path, body) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
}

/** The latency layers a bench can turn off (`--latency-off share,timer-spin,...`), by setting. */
export const LATENCY_LAYERS = {
  share: 'latencyShare',
  'stream-pacing': 'latencyStreamPacing',
  'warm-connections': 'latencyWarmConnections',
  'timer-spin': 'latencyTimerSpin',
  'claim-pacing': 'latencyClaimPacing',
};

/** Config overrides turning off the layers named in `list` (comma-separated; `all`: every one). */
export function latencyOff(list) {
  if (!list || list === 'none') return {};
  const names = list === 'all' ? Object.keys(LATENCY_LAYERS) : list.split(',');
  return Object.fromEntries(
    names.map((name) => {
      const key = LATENCY_LAYERS[name];
      if (key === undefined)
        throw new Error(`unknown latency layer ${name}; known: ${Object.keys(LATENCY_LAYERS)}`);
      return [key, 'off'];
    }),
  );
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export const round = (n, digits = 2) => (n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits);

/** Resident memory of a process (this one by default), in MB, from /proc. */
export function rssMB(pid = process.pid) {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  return round(kb / 1024, 1);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Drops every table of a PostgreSQL schema-less test database so a bench starts empty. */
export async function resetPostgres(databaseUrl) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('DROP SCHEMA IF EXISTS kairos_bench CASCADE');
  await client.query('CREATE SCHEMA kairos_bench');
  await client.end();
  const url = new URL(databaseUrl);
  url.searchParams.set('options', '-c search_path=kairos_bench');
  return url.toString();
}

/**
 * A CPU profile of this process (the node runs in it) from now for `ms`, written to `file`
 * (open it in Chrome DevTools' Performance panel). Sampled every 100 µs.
 */
export async function profileFor(file, ms) {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  setTimeout(async () => {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
  }, ms);
}

/**
 * Sets the niceness of every thread of a process. setpriority(2) on a pid changes only the
 * thread with that id on Linux: a Node process's V8 and libuv threads (its garbage collector's
 * helpers among them) kept niceness 0 and competed with Kairos at its own priority. Threads
 * started later inherit the niceness of the thread that starts them. Where /proc is absent,
 * only the pid is changed.
 */
export function reniceProcess(pid, nice) {
  let threads;
  try {
    threads = readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    threads = [pid];
  }
  for (const tid of threads) setPriority(tid, nice);
}

/**
 * A store seeded for the store-level benches: the default namespace, an app and one API-triggered
 * executor task that lets any number of its runs go at once.
 */
export async function seedExecutorTask(store) {
  const ns = await store.ensureNamespace('default');
  const app = await store.createApp({
    namespaceId: ns.id,
    appName: 'bench',
    name: 'Bench',
    description: null,
    maxConcurrency: null,
    accessTokenHash: 'unused',
    accessTokenHint: 'none',
  });
  const task = await store.createTask({
    namespaceId: ns.id,
    appId: app.id,
    name: 'bench',
    description: null,
    type: 'executor',
    config: { handler: 'stamp' },
    schedule: { type: 'api', timezone: 'UTC' },
    timeoutSeconds: null,
    retry: { maxAttempts: 1, backoff: 'exponential', delaySeconds: 10, maxDelaySeconds: 3600 },
    concurrency: { max: 10_000, overlap: 'allow' },
    enabled: true,
    nextFireAt: null,
    outputGate: null,
  });
  return { ns, app, task };
}
