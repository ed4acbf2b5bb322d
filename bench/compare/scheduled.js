// Scheduled no-op runs: `tasks` tasks every second (slots spread evenly over the second), run by
// `workers` worker processes, for `seconds`: how many runs per second were completed for the
// slots of the window, over the window or until the last of them finished if that is later, and
// how late after its slot each one finished? Kairos: executor tasks on a 1 s fixed rate, SDK
// executors in pull mode; BullMQ: one job scheduler per task (`every: 1000`), workers keeping
// completed jobs. Both are counted alike: a run or job is the window's when its slot is.
//   node scheduled.js --system kairos-sqlite|kairos-postgres|bullmq [--tasks 4000] [--seconds 10]
//                     [--workers 4] [--database-url URL] [--profile file]
// --profile: a CPU profile of Kairos's node over the first 3 s of the window, for Chrome DevTools.
import { flags, percentile, profileFor, round, sleep } from '../support.js';
import { inParallel } from './processes.js';
import { startBullQueue, startBullWorkers, startKairos, startKairosExecutors } from './systems.js';

const opts = flags();
const system = opts.system;
const tasks = Number(opts.tasks ?? 4000);
const seconds = Number(opts.seconds ?? 10);
const workerCount = Number(opts.workers ?? 4);
const databaseUrl = opts['database-url'];

const result = system === 'bullmq' ? await bullmq() : await kairos();
console.log(
  JSON.stringify({ measure: 'scheduled', system, tasks, seconds, workers: workerCount, ...result }),
);
process.exit(0);

/** The window: whole seconds from a second after `ready`, for `seconds`. */
function windowAfter(ready) {
  const from = Math.ceil(ready / 1000) * 1000 + 2000;
  return { from, to: from + seconds * 1000 };
}

/** `lags`: for each run of the window completed, the ms from its slot to its end. */
function figures({ from, to }, lags, lastFinishAt) {
  const span = Math.max(lastFinishAt, to) - from;
  lags.sort((a, b) => a - b);
  return {
    expectedRuns: tasks * seconds,
    completed: lags.length,
    runsPerSecond: round((lags.length / span) * 1000, 0),
    slotToFinishMs: { p50: round(percentile(lags, 50)), p99: round(percentile(lags, 99)) },
  };
}

async function kairos() {
  const node = await startKairos(system, databaseUrl);
  const executors = await startKairosExecutors(node, workerCount);
  // Slots start after the tasks are created (far enough ahead for PostgreSQL's slower creates).
  const base = Math.ceil((Date.now() + tasks * 6 + 2000) / 1000) * 1000;
  await inParallel(tasks, 8, (i) =>
    node.api('POST', '/api/v1/tasks', {
      name: `scheduled ${i}`,
      app: node.app.appName,
      type: 'executor',
      config: { handler: 'stamp', routeStrategy: 'round' },
      schedule: {
        type: 'fixed_rate',
        intervalSeconds: 1,
        startAt: new Date(base + Math.floor((i * 1000) / tasks)).toISOString(),
      },
      concurrency: { max: 1, overlap: 'allow' },
    }),
  );
  const window = windowAfter(Math.max(base, Date.now()));
  const lags = [];
  let lastFinishAt = 0;
  node.node.events.on('run:finished', ({ run }) => {
    if (run.scheduledAt < window.from || run.scheduledAt >= window.to || run.status !== 'succeeded') return;
    lastFinishAt = Date.now();
    lags.push(lastFinishAt - run.scheduledAt);
  });
  if (opts.profile) {
    await sleep(window.from - Date.now());
    await profileFor(opts.profile, 3000);
  }
  await sleep(window.to - Date.now() + 3000);
  await node.node.scheduler.stop();
  for (let i = 0; i < 100 && node.node.engine.activeCount > 0; i++) await sleep(100);
  for (const e of executors) await e.stop();
  await node.stop();
  return figures(window, lags, lastFinishAt);
}

async function bullmq() {
  const queue = await startBullQueue('scheduled');
  const workers = await startBullWorkers('scheduled', workerCount, 50, 'noop');
  const base = Math.ceil((Date.now() + 3000) / 1000) * 1000;
  await inParallel(tasks, 8, (i) =>
    queue.upsertJobScheduler(
      `scheduled-${i}`,
      { every: 1000, startDate: new Date(base + Math.floor((i * 1000) / tasks)) },
      { name: 'noop', data: { i } },
    ),
  );
  const window = windowAfter(Math.max(base, Date.now()));
  await sleep(window.to - Date.now() + 3000);
  const done = (await Promise.all(workers.map((w) => w.ask('collect')))).flatMap((m) => m.done);
  const inWindow = done.filter((d) => d.slot >= window.from && d.slot < window.to);
  for (const w of workers) await w.stop();
  await queue.obliterate({ force: true });
  await queue.close();
  const lastFinishAt = inWindow.reduce((last, d) => Math.max(last, d.finishedAt), 0);
  return figures(
    window,
    inWindow.map((d) => d.finishedAt - d.slot),
    lastFinishAt,
  );
}
