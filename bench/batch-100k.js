// A batch of 100,000 items against the Dify simulator (in a child process) while cron tasks fire
// every second in the same node: does the batch slow the scheduler? Phase 1 measures the cron
// runs' lateness with no batch; phase 2 starts the batch (the dataset uploaded as JSONL in the
// request) and measures the same cron runs' lateness while it runs, the batch's throughput, the
// node's resident memory (sampled every second) and how long the upload took to answer.
// Lateness = run:started event - slot (the instant the job is handed its run).
// Run with --expose-gc for the heap after a collection in the series.
//   node --expose-gc bench/batch-100k.js [--items 100000] [--concurrency 50] [--cron-tasks 20]
//        [--baseline-seconds 20] [--max-seconds 900] [--step-ms 1] [--app app-classifier] [--task http]
//        [--pool-rpm 600]
//        [--database-url postgres://…]
// The simulator's `classifier` scenario (Start → Question Classifier → Template → End, ~10
// events, tokens and cost reported) by default: the figure is the batch's cost to the node, not
// the event streams' (bench/dify.js measures those).
import { Buffer } from 'node:buffer';
import { fork } from 'node:child_process';
import { clearInterval, setInterval } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { flags, percentile, round, rssMB, sleep, startNode, startNoopTarget } from './support.js';

const opts = flags();
const items = Number(opts.items ?? 100_000);
const concurrency = Number(opts.concurrency ?? 50);
const cronTasks = Number(opts['cron-tasks'] ?? 20);
const baselineSeconds = Number(opts['baseline-seconds'] ?? 20);
const maxSeconds = Number(opts['max-seconds'] ?? 900);
const databaseUrl = opts['database-url'];

const child = fork(fileURLToPath(new URL('./dify-sim-child.js', import.meta.url)), [opts['step-ms'] ?? '1'], {
  stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
});
const { url: simUrl } = await new Promise((resolve) => child.once('message', resolve));
const target = await startNoopTarget();
const kairos = await startNode(databaseUrl);
await kairos.api('POST', '/api/v1/apps', { appName: 'bench', name: 'Bench' });
for (let i = 0; i < cronTasks; i++) {
  await kairos.api('POST', '/api/v1/tasks', {
    name: `every second ${i}`,
    app: 'bench',
    type: 'http',
    config: { url: target.url },
    schedule: { type: 'cron', expression: '* * * * * ?' },
    concurrency: { max: 1, overlap: 'skip' },
  });
}
// --task http: the items run an http task against the no-op target instead (runs that cost
// the node almost nothing): what the batch machinery itself costs the scheduler.
const dify = await kairos.api(
  'POST',
  '/api/v1/tasks',
  opts.task === 'http'
    ? {
        name: 'per item',
        app: 'bench',
        type: 'http',
        config: { url: target.url, method: 'POST' },
        schedule: { type: 'api' },
        concurrency: { max: concurrency, overlap: 'allow' },
      }
    : {
        name: 'per item',
        app: 'bench',
        type: 'dify_workflow',
        config: {
          endpoint: `${simUrl}/v1`,
          apiKey: opts.app ?? 'app-classifier',
          inputs: { article: 'A default article.', tone: 'neutral' },
        },
        schedule: { type: 'api' },
        concurrency: { max: concurrency, overlap: 'allow' },
      },
);

/** Cron lateness of the runs whose slot falls in [from, to). */
const phases = { baseline: [], batch: [] };
let phase = null;
let window = { from: Infinity, to: Infinity };
/** When each batch run started (the pool's pace is measured on them). */
const batchStarts = [];
kairos.node.events.on('run:started', ({ run }) => {
  if (run.taskId === dify.id) batchStarts.push(Date.now());
  if (run.taskId === dify.id || !phase) return;
  if (run.scheduledAt >= window.from && run.scheduledAt < window.to)
    phases[phase].push(Date.now() - run.scheduledAt);
});
const measure = async (name, seconds, until) => {
  phase = name;
  window = { from: Math.ceil(Date.now() / 1000) * 1000 + 1000, to: Infinity };
  const deadline = window.from + seconds * 1000;
  while (Date.now() < deadline && !(until?.() ?? false)) await sleep(250);
  window.to = Math.floor(Date.now() / 1000) * 1000;
  await sleep(300);
  phase = null;
  return (window.to - window.from) / 1000;
};
const summary = (values, seconds) => {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    seconds,
    runs: sorted.length,
    expectedRuns: Math.max(0, Math.round(seconds * cronTasks)),
    latenessMs: {
      p50: round(percentile(sorted, 50)),
      p90: round(percentile(sorted, 90)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted.at(-1) ?? null),
    },
  };
};

await sleep(2000);
const rssBefore = rssMB();
const baselineSecondsMeasured = await measure('baseline', baselineSeconds);

// Phase 2: the batch.
const content = Array.from({ length: items }, (_, i) =>
  JSON.stringify({ article: `Article number ${i} about quarterly results.` }),
).join('\n');
const rss = [];
const sampler = setInterval(() => rss.push(rssMB()), 1000);
/** RSS every 10 s and the items ended by then: memory must not grow with the items done. */
const series = [];
const seriesTimer = setInterval(async () => {
  if (!batch) return;
  const b = await kairos.api('GET', `/api/v1/batches/${batch.id}`);
  globalThis.gc?.();
  series.push({
    s: Math.round((Date.now() - startedAt) / 1000),
    ended: b.progress.done + b.progress.failed,
    rssMB: rssMB(),
    heapMB: round(process.memoryUsage().heapUsed / 1048576, 1),
  });
}, 10_000);
let batch;
let startedAt;
let completedAt = null;
const started = kairos.node.events.on('batch:changed', ({ batch: b }) => {
  if (batch && b.id === batch.id && b.status === 'completed') completedAt = Date.now();
});
const measuring = measure('batch', maxSeconds, () => completedAt !== null);
startedAt = Date.now();
// --pool-rpm N: the batch names a pool of N requests per minute (the setting: 600).
const poolRpm = opts['pool-rpm'] === undefined ? undefined : Number(opts['pool-rpm']);
if (poolRpm !== undefined)
  await kairos.api('POST', '/api/v1/pools', { name: 'provider', requestsPerMinute: poolRpm });
batch = await kairos.api('POST', '/api/v1/batches', {
  taskId: dify.id,
  concurrency,
  ...(poolRpm === undefined ? {} : { pool: 'provider' }),
  source: { type: 'upload', format: 'jsonl', content },
});
const answeredMs = Date.now() - startedAt;
const batchSecondsMeasured = await measuring;
clearInterval(sampler);
clearInterval(seriesTimer);
started();
const final = await kairos.api('GET', `/api/v1/batches/${batch.id}`);
const elapsed = ((completedAt ?? Date.now()) - startedAt) / 1000;
const ended = final.progress.done + final.progress.failed;

await kairos.stop();
target.stop();
child.kill('SIGKILL');

console.log(
  JSON.stringify({
    bench: 'batch-100k',
    task: opts.task === 'http' ? 'http (no-op target)' : `dify_workflow (${opts.app ?? 'app-classifier'})`,
    store: databaseUrl ? 'postgres' : 'sqlite',
    items,
    concurrency,
    cronTasks,
    uploadBytes: Buffer.byteLength(content),
    startAnsweredMs: answeredMs,
    completed: completedAt !== null,
    batchSeconds: round(elapsed, 1),
    itemsPerSecond: round(ended / elapsed, 1),
    progress: final.progress,
    cronWithoutBatch: summary(phases.baseline, baselineSecondsMeasured),
    cronDuringBatch: summary(phases.batch, batchSecondsMeasured),
    rssMB: { beforeBatch: rssBefore, maxDuringBatch: Math.max(...rss), lastDuringBatch: rss.at(-1) ?? null },
    rssSeries: series,
    // Runs started per whole minute after the first (the pool's pace: should be its rpm).
    startsPerMinute: (() => {
      const first = batchStarts[0];
      if (first === undefined) return [];
      const minutes = [];
      for (let from = first + 60_000; from + 60_000 <= batchStarts.at(-1); from += 60_000)
        minutes.push(batchStarts.filter((t) => t >= from && t < from + 60_000).length);
      return minutes;
    })(),
    poolRpm: poolRpm ?? null,
  }),
);
process.exit(0);
