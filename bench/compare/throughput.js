// API-triggered no-op runs with their history kept, `workers` worker processes: how many runs per
// second from the first trigger to the last run finished, and how many triggers per second were
// accepted? --mode batch sends 1,000 per request (Kairos: POST /runs/batch; BullMQ: addBulk;
// pg-boss: insert); --mode single one per request (Kairos: POST /tasks/{id}/run; BullMQ: add),
// 32 at a time. Kairos's runs go to SDK executors in pull mode; the peers keep completed jobs.
// --system floor (single mode only): the same client against a bare server that stores each
// trigger in SQLite and answers (trigger-floor.js); its runs/s is its triggers/s.
//   node throughput.js --system kairos-sqlite|kairos-postgres|bullmq|pg-boss|floor [--mode batch]
//                      [--runs 20000] [--workers 4] [--database-url URL] [--profile file]
// --profile: a CPU profile of this process (Kairos's node, or the peer's producer) over the
// first 3 s of the measure, for Chrome DevTools.
import { flags, profileFor, round, sleep } from '../support.js';
import { inParallel } from './processes.js';
import { startTriggerFloor } from './trigger-floor.js';
import {
  startBullQueue,
  startBullWorkers,
  startKairos,
  startKairosExecutors,
  startPgBoss,
  startPgBossWorkers,
} from './systems.js';

const opts = flags();
const system = opts.system;
const mode = opts.mode ?? 'batch';
const runs = Number(opts.runs ?? 20_000);
const workerCount = Number(opts.workers ?? 4);
const databaseUrl = opts['database-url'];
const CHUNK = 1000;
const LANES = mode === 'batch' ? 2 : 32;
const DEADLINE_MS = 180_000;
const chunks = Math.ceil(runs / CHUNK);
const chunkSize = (c) => Math.min(CHUNK, runs - c * CHUNK);

const measures = { bullmq, 'pg-boss': pgBoss, floor: triggerFloor };
const measure = system.startsWith('kairos') ? kairos : measures[system];
if (!measure || (system === 'floor' && mode !== 'single'))
  throw new Error(`no ${mode} measure for ${system}`);
const result = await measure();
console.log(JSON.stringify({ measure: `throughput-${mode}`, system, runs, workers: workerCount, ...result }));
process.exit(0);

/** Times `trigger` (all runs in) and `done()` turning true (all finished), bounded. */
async function timed(trigger, done) {
  if (opts.profile) await profileFor(opts.profile, 3000);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await trigger();
  const triggered = performance.now();
  while (!(await done()) && performance.now() - started < DEADLINE_MS) await sleep(20);
  const finished = performance.now();
  const cpu = process.cpuUsage(cpuBefore);
  return {
    triggersPerSecond: round(runs / ((triggered - started) / 1000), 0),
    runsPerSecond: round(runs / ((finished - started) / 1000), 0),
    seconds: round((finished - started) / 1000, 2),
    // CPU of this process (Kairos's node, or the peer's producer) per run, in ms.
    cpuMsPerRun: round((cpu.user + cpu.system) / 1000 / runs, 3),
  };
}

async function kairos() {
  const node = await startKairos(system, databaseUrl);
  const executors = await startKairosExecutors(node, workerCount);
  const tasks = [];
  for (let i = 0; i < 20; i++) {
    const task = await node.api('POST', '/api/v1/tasks', {
      name: `noop ${i}`,
      app: node.app.appName,
      type: 'executor',
      config: { handler: 'stamp', routeStrategy: 'round' },
      schedule: { type: 'api' },
      concurrency: { max: 10_000, overlap: 'allow' },
    });
    tasks.push(task.id);
  }
  let finished = 0;
  let succeeded = 0;
  node.node.events.on('run:finished', ({ run }) => {
    finished++;
    if (run.status === 'succeeded') succeeded++;
  });
  const trigger =
    mode === 'batch'
      ? () =>
          inParallel(chunks, LANES, async (c) => {
            const items = Array.from({ length: chunkSize(c) }, (_, i) => ({
              taskId: tasks[i % tasks.length],
            }));
            await node.api('POST', '/api/v1/runs/batch', { items });
          })
      : () =>
          inParallel(runs, LANES, (i) =>
            node.api('POST', `/api/v1/tasks/${tasks[i % tasks.length]}/run`, {}),
          );
  const figures = await timed(trigger, () => finished >= runs);
  await node.node.scheduler.stop();
  for (let i = 0; i < 100 && node.node.engine.activeCount > 0; i++) await sleep(100);
  for (const e of executors) await e.stop();
  await node.stop();
  return { ...figures, finished, succeeded };
}

async function bullmq() {
  const queue = await startBullQueue('noop');
  const workers = await startBullWorkers('noop', workerCount, 50, 'noop');
  const trigger =
    mode === 'batch'
      ? () =>
          inParallel(chunks, LANES, (c) =>
            queue.addBulk(Array.from({ length: chunkSize(c) }, (_, i) => ({ name: 'noop', data: { i } }))),
          )
      : () => inParallel(runs, LANES, (i) => queue.add('noop', { i }));
  let counts = {};
  const figures = await timed(trigger, async () => {
    counts = await queue.getJobCounts('completed', 'failed');
    return counts.completed + counts.failed >= runs;
  });
  for (const w of workers) await w.stop();
  await queue.obliterate({ force: true });
  await queue.close();
  return { ...figures, finished: counts.completed + counts.failed, succeeded: counts.completed };
}

async function pgBoss() {
  const boss = await startPgBoss(databaseUrl, 'noop');
  const workers = await startPgBossWorkers(databaseUrl, 'noop', workerCount, 100);
  let completed = 0;
  const figures = await timed(
    () =>
      inParallel(chunks, LANES, (c) =>
        boss.boss.insert(Array.from({ length: chunkSize(c) }, (_, i) => ({ name: 'noop', data: { i } }))),
      ),
    async () => (completed = await boss.completed()) >= runs,
  );
  for (const w of workers) await w.stop();
  await boss.stop();
  return { ...figures, finished: completed, succeeded: completed };
}

async function triggerFloor() {
  const floor = await startTriggerFloor();
  const figures = await timed(
    () => inParallel(runs, LANES, (i) => floor.api('POST', `/api/v1/tasks/${(i % 20) + 1}/run`, {})),
    async () => true,
  );
  const stored = floor.stored();
  await floor.stop();
  return { ...figures, finished: stored, succeeded: stored };
}
