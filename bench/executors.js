// Executors: four SDK executor processes (push, then pull) run `executor` tasks on the same
// machine. Throughput: N tasks every second (slots spread evenly over the second), how many runs per second are
// dispatched (handler started) and completed (run finished succeeded)? Latency: 200 tasks every
// second (200 runs/s), the p99 of fire-to-handler-start (handler start instant - the run's slot).
//   node bench/executors.js [--executors 4] [--tasks 2500] [--seconds 10] [--latency-tasks 200] [--modes push,pull]
//                           [--profile file-prefix]
import {
  flags,
  percentile,
  profileFor,
  resetPostgres,
  round,
  sleep,
  startExecutor,
  startNode,
} from './support.js';

const opts = flags();
const executorCount = Number(opts.executors ?? 4);
const throughputTasks = Number(opts.tasks ?? 2500);
const latencyTasks = Number(opts['latency-tasks'] ?? 200);
const seconds = Number(opts.seconds ?? 10);
const databaseUrl = opts['database-url'];

const progress = (message) => process.stderr.write(`[executors bench] ${message}\n`);

/**
 * Runs `tasks` tasks every second for `seconds`, their slots spread evenly over each second
 * (fixed_rate 1 s, staggered startAt), and measures what the runs did.
 */
async function measure(kairos, appName, mode, tasks) {
  // Slots start after the tasks are created (about 4 ms each) and one warm-up second.
  const base = Math.ceil((Date.now() + tasks * 4 + 2000) / 1000) * 1000;
  for (let i = 0; i < tasks; i++) {
    await kairos.api('POST', '/api/v1/tasks', {
      name: `${mode} ${tasks} ${i}`,
      app: appName,
      type: 'executor',
      config: { handler: 'stamp', routeStrategy: 'round' },
      schedule: {
        type: 'fixed_rate',
        intervalSeconds: 1,
        startAt: new Date(base + Math.floor((i * 1000) / tasks)).toISOString(),
      },
      concurrency: { max: 1, overlap: 'allow' },
    });
  }
  // Creating tasks can take longer than planned (PostgreSQL here: ~20 ms each): the window then
  // starts a second after the last one, when every task has fired once (slots missed while the
  // others were created are skipped by the misfire policy, before the window).
  if (Date.now() > base)
    progress(`${mode}: creating ${tasks} tasks took longer than planned; measuring later`);
  const from = Math.max(base, Math.ceil(Date.now() / 1000) * 1000) + 1000;
  const to = from + seconds * 1000;
  progress(`${mode}: ${tasks} tasks created; measuring ${seconds} s`);
  // --profile <prefix>: a CPU profile of the node over the first 3 measured seconds, per phase.
  if (opts.profile) {
    await sleep(from - Date.now());
    await profileFor(`${opts.profile}-${mode}-${tasks}.cpuprofile`, 3000);
  }
  const latency = [];
  let completed = 0;
  let failed = 0;
  const failures = new Map();
  let lastStartAt = 0;
  let lastFinishAt = 0;
  const off = kairos.node.events.on('run:finished', ({ run }) => {
    if (run.scheduledAt < from || run.scheduledAt >= to) return;
    if (run.status !== 'succeeded') {
      failed++;
      const reason = `${run.status}: ${String(run.error?.message ?? '')
        .replace(/\d+/g, 'N')
        .slice(0, 120)}`;
      failures.set(reason, (failures.get(reason) ?? 0) + 1);
      return;
    }
    completed++;
    const startedAt = Number(run.output);
    latency.push(startedAt - run.scheduledAt);
    lastStartAt = Math.max(lastStartAt, startedAt);
    lastFinishAt = Date.now();
  });
  await sleep(to - Date.now() + 3000);
  off();
  latency.sort((a, b) => a - b);
  const expected = tasks * seconds;
  // Slots are spread over [from, to): the rates are over the time the work took (at least that).
  const dispatchSpan = Math.max(lastStartAt, to) - from;
  const finishSpan = Math.max(lastFinishAt, to) - from;
  return {
    runsPerSecondOffered: tasks,
    expectedRuns: expected,
    completed,
    failed,
    failures: Object.fromEntries([...failures].sort((a, b) => b[1] - a[1]).slice(0, 3)),
    dispatchedPerSecond: round((completed / dispatchSpan) * 1000, 0),
    completedPerSecond: round((completed / finishSpan) * 1000, 0),
    fireToHandlerStartMs: {
      p50: percentile(latency, 50),
      p99: percentile(latency, 99),
      max: latency.at(-1) ?? null,
    },
  };
}

/** One phase on a fresh node with fresh executors (stopping the node ends the schedules). */
async function phase(mode, tasks) {
  // On PostgreSQL every phase starts from an empty schema: the previous phase's tasks (and its
  // stopped executors, live for 90 s more) would otherwise still be scheduled and routed to.
  const kairos = await startNode(databaseUrl && (await resetPostgres(databaseUrl)));
  const app = await kairos.api('POST', '/api/v1/apps', { appName: `bench-${mode}-${tasks}`, name: 'Bench' });
  const executors = [];
  for (let i = 0; i < executorCount; i++) {
    executors.push(await startExecutor(kairos.node.url, app.appName, app.accessToken, mode, i));
  }
  const result = await measure(kairos, app.appName, mode, tasks);
  // Stop firing and let the runs in flight finish, so that stopping aborts nothing.
  await kairos.node.scheduler.stop();
  for (let i = 0; i < 100 && kairos.node.engine.activeCount > 0; i++) await sleep(100);
  await kairos.stop();
  for (const e of executors) await e.stop();
  return result;
}

const results = {};
for (const mode of (opts.modes ?? 'push,pull').split(',')) {
  const latency = await phase(mode, latencyTasks);
  const throughput = await phase(mode, throughputTasks);
  results[mode] = {
    throughput: {
      runsPerSecondOffered: throughput.runsPerSecondOffered,
      expectedRuns: throughput.expectedRuns,
      completed: throughput.completed,
      failed: throughput.failed,
      failures: throughput.failures,
      dispatchedPerSecond: throughput.dispatchedPerSecond,
      completedPerSecond: throughput.completedPerSecond,
      fireToHandlerStartMs: throughput.fireToHandlerStartMs,
    },
    at200PerSecond: {
      expectedRuns: latency.expectedRuns,
      completed: latency.completed,
      failed: latency.failed,
      fireToHandlerStartMs: latency.fireToHandlerStartMs,
    },
  };
}

console.log(
  JSON.stringify({
    bench: 'executors',
    store: databaseUrl ? 'postgres' : 'sqlite',
    executors: executorCount,
    seconds,
    ...results,
  }),
);
process.exit(0);
