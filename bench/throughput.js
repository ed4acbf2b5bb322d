// Saturation throughput: N http tasks every second against a local no-op server; how many runs
// per second are fired, run and recorded (start, finish and history written), and do they keep
// up (lateness stays flat)? Raise --tasks until completions stop following. --paced gives every
// task a budget and a pool with limits it never reaches: the cost of the admission gate alone.
import { flags, percentile, round, startNode, startNoopTarget, sleep } from './support.js';

const opts = flags();
const tasks = Number(opts.tasks ?? 3000);
const seconds = Number(opts.seconds ?? 15);
const databaseUrl = opts['database-url'];
const paced = opts.paced !== undefined;

const target = await startNoopTarget();
const kairos = await startNode(databaseUrl);
await kairos.api('POST', '/api/v1/apps', { appName: 'bench', name: 'Bench' });
if (paced) await kairos.api('POST', '/api/v1/pools', { name: 'bench', requestsPerMinute: 10_000_000 });
const pacing = paced ? { pool: 'bench', budget: { tokens: 1e12, period: 'day' } } : {};
for (let i = 0; i < tasks; i++) {
  await kairos.api('POST', '/api/v1/tasks', {
    name: `load ${i}`,
    app: 'bench',
    type: 'http',
    config: { url: target.url },
    schedule: { type: 'cron', expression: '* * * * * ?' },
    concurrency: { max: 1, overlap: 'allow' },
    ...pacing,
  });
}

const from = Math.ceil(Date.now() / 1000) * 1000 + 2000;
const to = from + seconds * 1000;
let finished = 0;
let succeeded = 0;
const lateness = [];
let lastFinishAt = 0;
kairos.node.events.on('run:started', ({ run }) => {
  if (run.scheduledAt >= from && run.scheduledAt < to) lateness.push(Date.now() - run.scheduledAt);
});
kairos.node.events.on('run:finished', ({ run }) => {
  if (run.scheduledAt < from || run.scheduledAt >= to) return;
  finished++;
  if (run.status === 'succeeded') succeeded++;
  lastFinishAt = Date.now();
});
await sleep(to - Date.now());
// Let the last slot's runs finish (bounded).
const deadline = Date.now() + 10_000;
while (finished < tasks * seconds && Date.now() < deadline) await sleep(50);
await kairos.stop();
target.stop();

lateness.sort((a, b) => a - b);
const elapsed = (Math.max(lastFinishAt, to) - from) / 1000;
console.log(
  JSON.stringify({
    bench: 'throughput',
    paced,
    store: databaseUrl ? 'postgres' : 'sqlite',
    tasks,
    seconds,
    offeredRunsPerSecond: tasks,
    finished,
    succeeded,
    runsPerSecond: round(finished / elapsed, 0),
    latenessMs: {
      p50: round(percentile(lateness, 50)),
      p99: round(percentile(lateness, 99)),
      max: round(lateness.at(-1) ?? null),
    },
  }),
);
process.exit(0);
