// 1,000 tasks on `* * * * * ?` for 30 s: how late does each run start after its slot, and is any
// slot missed? Lateness = the instant the job is handed its run (the run:started event, after
// admission, on PostgreSQL after the database said yes) - its slot, for every run.
import { flags, percentile, round, startNode, startNoopTarget, sleep } from './support.js';

const opts = flags();
const tasks = Number(opts.tasks ?? 1000);
const seconds = Number(opts.seconds ?? 30);
const databaseUrl = opts['database-url'];

const target = await startNoopTarget();
const kairos = await startNode(databaseUrl);
await kairos.api('POST', '/api/v1/apps', { appName: 'bench', name: 'Bench' });
for (let i = 0; i < tasks; i++) {
  await kairos.api('POST', '/api/v1/tasks', {
    name: `every second ${i}`,
    app: 'bench',
    type: 'http',
    config: { url: target.url },
    schedule: { type: 'cron', expression: '* * * * * ?' },
    concurrency: { max: 1, overlap: 'skip' },
  });
}

// Measure whole seconds only: from the next full second + 2, for `seconds` slots.
const from = Math.ceil(Date.now() / 1000) * 1000 + 2000;
const to = from + seconds * 1000;
const lateness = [];
const admitted = [];
const slots = new Set();
let succeeded = 0;
let failed = 0;
kairos.node.events.on('run:started', ({ run }) => {
  if (run.scheduledAt >= from && run.scheduledAt < to) {
    lateness.push(Date.now() - run.scheduledAt);
    admitted.push(run.startedAt - run.scheduledAt);
    slots.add(`${run.taskId}:${run.scheduledAt}`);
  }
});
kairos.node.events.on('run:finished', ({ run }) => {
  if (run.scheduledAt < from || run.scheduledAt >= to) return;
  if (run.status === 'succeeded') succeeded++;
  else failed++;
});
const cpuBefore = process.cpuUsage();
await sleep(to - Date.now() + 1500);
const cpu = process.cpuUsage(cpuBefore);
await kairos.stop();
target.stop();

lateness.sort((a, b) => a - b);
admitted.sort((a, b) => a - b);
const expected = tasks * seconds;
console.log(
  JSON.stringify({
    bench: 'lateness',
    store: databaseUrl ? 'postgres' : 'sqlite',
    tasks,
    seconds,
    expectedRuns: expected,
    startedRuns: lateness.length,
    missedSlots: expected - slots.size,
    succeeded,
    failed,
    // startedAt (as recorded) - slot: when the run was admitted and became `running`.
    startedAtLatenessMs: {
      p50: round(percentile(admitted, 50)),
      p99: round(percentile(admitted, 99)),
      max: round(admitted.at(-1) ?? null),
    },
    // run:started event - slot: when the job itself got the run (all 1,000 runs of a second are
    // handed out one after another on one event loop).
    latenessMs: {
      p50: round(percentile(lateness, 50)),
      p90: round(percentile(lateness, 90)),
      p99: round(percentile(lateness, 99)),
      max: round(lateness.at(-1) ?? null),
    },
    cpuSecondsPerSecond: round((cpu.user + cpu.system) / 1e6 / seconds, 3),
  }),
);
process.exit(0);
