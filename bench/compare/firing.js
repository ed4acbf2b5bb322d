// `tasks` http tasks firing at the same second, every second for `seconds`: the ms from each
// slot to its request arriving at a receiver (another process), slots missed, and the resident
// memory of the firing process. Kairos: http tasks on `* * * * * ?`; BullMQ: one job scheduler
// per task on the same cron, workers calling fetch(); floor: a bare Node process calling fetch()
// `tasks` times at each second.
//   node firing.js --system kairos-sqlite|kairos-postgres|bullmq|floor [--tasks 1000]
//                  [--seconds 10] [--workers 4] [--database-url URL]
//                  [--latency-off share,timer-spin,claim-pacing,warm-connections|all]
//                  [--heap-snapshot file.heapsnapshot]
import { spawn } from 'node:child_process';
import { writeHeapSnapshot } from 'node:v8';
import { fileURLToPath } from 'node:url';
import { flags, latencyOff, percentile, round, rssMB, sleep } from '../support.js';
import { forkReady, inParallel } from './processes.js';
import { startBullQueue, startBullWorkers, startKairos } from './systems.js';

const opts = flags();
const system = opts.system;
const tasks = Number(opts.tasks ?? 1000);
const seconds = Number(opts.seconds ?? 10);
const workerCount = Number(opts.workers ?? 4);
const databaseUrl = opts['database-url'];

/** What this process's memory was made of when its RSS peaked (see peakRss). */
let memoryAtPeak;
const receiver = await forkReady('./receiver.js');
const url = receiver.first.url;
const run = { kairos, bullmq, floor }[system.startsWith('kairos') ? 'kairos' : system];
const { window, slotOf, rss } = await run();
const { arrivals } = await receiver.ask('collect');
await receiver.stop();

const lateness = [];
for (const arrival of arrivals) {
  const slot = slotOf(arrival);
  if (slot === undefined || slot < window.from || slot >= window.to) continue;
  lateness.push(arrival.at - slot);
}
lateness.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    measure: 'firing',
    system,
    ...(system.startsWith('kairos') ? { latencyOff: opts['latency-off'] ?? 'none' } : {}),
    tasks,
    seconds,
    expectedRequests: tasks * seconds,
    arrived: lateness.length,
    missedSlots: tasks * seconds - lateness.length,
    slotToArrivalMs: {
      p50: round(percentile(lateness, 50)),
      p99: round(percentile(lateness, 99)),
      max: round(lateness.at(-1) ?? null),
    },
    rssMB: rss,
    ...(memoryAtPeak ? { memoryAtPeakMB: memoryAtPeak } : {}),
  }),
);
process.exit(0);

function windowAfter(ready) {
  const from = Math.ceil(ready / 1000) * 1000 + 2000;
  return { from, to: from + seconds * 1000 };
}

/**
 * Samples the resident memory of `pid` every 500 ms until `until`; resolves with the most. For
 * this process, also what the memory was made of at that peak (`memoryAtPeak`, MB).
 */
async function peakRss(pid, until) {
  let peak = 0;
  while (Date.now() < until) {
    try {
      const rss = rssMB(pid);
      if (rss > peak && pid === process.pid) {
        const m = process.memoryUsage();
        const mb = (n) => round(n / 1024 / 1024, 1);
        memoryAtPeak = { heapUsed: mb(m.heapUsed), heapTotal: mb(m.heapTotal), external: mb(m.external) };
      }
      peak = Math.max(peak, rss);
    } catch {
      return peak; // it has exited
    }
    await sleep(500);
  }
  return peak;
}

async function kairos() {
  const node = await startKairos(system, databaseUrl, latencyOff(opts['latency-off']));
  await inParallel(tasks, 8, (i) =>
    node.api('POST', '/api/v1/tasks', {
      name: `firing ${i}`,
      app: node.app.appName,
      type: 'http',
      config: { method: 'POST', url },
      schedule: { type: 'cron', expression: '* * * * * ?' },
      concurrency: { max: 1, overlap: 'skip' },
    }),
  );
  const window = windowAfter(Date.now());
  const slotsByRun = new Map();
  node.node.events.on('run:started', ({ run }) => slotsByRun.set(run.id, run.scheduledAt));
  // --heap-snapshot FILE: the node's heap half way through the window (what holds its memory).
  if (opts['heap-snapshot'])
    setTimeout(
      () => writeHeapSnapshot(opts['heap-snapshot']),
      window.from + (window.to - window.from) / 2 - Date.now(),
    );
  const rss = await peakRss(process.pid, window.to);
  await sleep(2000);
  await node.node.scheduler.stop();
  for (let i = 0; i < 100 && node.node.engine.activeCount > 0; i++) await sleep(100);
  await node.stop();
  return { window, rss, slotOf: (arrival) => slotsByRun.get(arrival.runId) };
}

async function bullmq() {
  const queue = await startBullQueue('firing');
  const workers = await startBullWorkers('firing', workerCount, Math.ceil(tasks / workerCount), 'fetch', url);
  await inParallel(tasks, 8, (i) =>
    queue.upsertJobScheduler(`firing-${i}`, { pattern: '* * * * * *' }, { name: 'fire', data: { i } }),
  );
  const window = windowAfter(Date.now());
  await sleep(window.to - Date.now() + 2000);
  for (const w of workers) await w.stop();
  await queue.obliterate({ force: true });
  await queue.close();
  return { window, rss: null, slotOf: (arrival) => arrival.slot };
}

async function floor() {
  const window = windowAfter(Date.now());
  const child = spawn(
    process.execPath,
    [
      fileURLToPath(new URL('./floor.js', import.meta.url)),
      ...[url, tasks, window.from, seconds].map(String),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const rss = await peakRss(child.pid, window.to);
  await Promise.race([new Promise((r) => child.once('exit', r)), sleep(window.to - Date.now() + 5000)]);
  child.kill('SIGKILL');
  return { window, rss, slotOf: (arrival) => arrival.slot };
}
