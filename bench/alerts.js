// Alerts under load: N http tasks failing every second (connection refused), with the `failure`
// rule on each task (silence 0) disabled (phase "off") and enabled (phase "on"), phases
// alternating in the same node (off, on, off, on … --rounds times) so that the machine's noise
// falls on both. Compares scheduling lateness between the phases, and checks that every
// failure's alert was delivered to a webhook receiver (a child process) exactly once; reports
// the node's peak RSS.
//   node bench/alerts.js --tasks 170 --seconds 15 --rounds 2   (170 a second: ~10,000 failures a minute)
import { fork } from 'node:child_process';
import { clearInterval, setInterval } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { flags, percentile, round, startNode, sleep } from './support.js';

const opts = flags();
const tasks = Number(opts.tasks ?? 170);
const seconds = Number(opts.seconds ?? 15);
const rounds = Number(opts.rounds ?? 2);
const databaseUrl = opts['database-url'];

const receiver = fork(fileURLToPath(new URL('./alert-receiver.js', import.meta.url)), [], {
  stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
});
const ask = () => new Promise((resolve) => (receiver.once('message', resolve), receiver.send('count')));
const { url: receiverUrl } = await new Promise((resolve) => receiver.once('message', resolve));

const kairos = await startNode(databaseUrl, { alertConcurrency: 32 });
await kairos.api('POST', '/api/v1/apps', { appName: 'bench', name: 'Bench' });
const contact = await kairos.api('POST', '/api/v1/contacts', { name: 'hook', webhook: { url: receiverUrl } });
const taskIds = [];
for (let i = 0; i < tasks; i++) {
  const task = await kairos.api('POST', '/api/v1/tasks', {
    name: `failing ${i}`,
    app: 'bench',
    type: 'http',
    config: { url: 'http://127.0.0.1:1/refused' },
    schedule: { type: 'cron', expression: '* * * * * ?' },
    concurrency: { max: 1, overlap: 'allow' },
  });
  taskIds.push(task.id);
}

let peakRss = 0;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);

async function phase(name) {
  const from = Math.ceil(Date.now() / 1000) * 1000 + 2000;
  const to = from + seconds * 1000;
  const lateness = [];
  let failed = 0;
  const offStarted = kairos.node.events.on('run:started', ({ run }) => {
    if (run.scheduledAt >= from && run.scheduledAt < to) lateness.push(Date.now() - run.scheduledAt);
  });
  const offFinished = kairos.node.events.on('run:finished', ({ run }) => {
    if (run.scheduledAt >= from && run.scheduledAt < to && run.status === 'failed') failed++;
  });
  await sleep(to - Date.now() + 3000);
  offStarted();
  offFinished();
  lateness.sort((a, b) => a - b);
  return {
    phase: name,
    failedRuns: failed,
    latenessMs: {
      p50: round(percentile(lateness, 50)),
      p99: round(percentile(lateness, 99)),
      max: lateness.at(-1) ?? null,
    },
  };
}

const ruleIds = [];
for (const taskId of taskIds) {
  const rule = await kairos.api('POST', '/api/v1/alert-rules', {
    name: `fails ${taskId}`,
    scope: { taskId },
    on: 'failure',
    silenceSeconds: 0,
    enabled: false,
    notify: { contacts: [contact.id] },
  });
  ruleIds.push(rule.id);
}
const setRules = async (enabled) => {
  for (const id of ruleIds) await kairos.api('PATCH', `/api/v1/alert-rules/${id}`, { enabled });
};
const phases = [];
let receivedDuringOn = 0;
for (let round = 0; round < rounds; round++) {
  phases.push(await phase('off'));
  console.error('phase done', JSON.stringify(phases.at(-1)));
  await setRules(true);
  const before = await ask();
  phases.push(await phase('on'));
  console.error('phase done', JSON.stringify(phases.at(-1)));
  await setRules(false);
  receivedDuringOn += (await ask()).deliveries - before.deliveries;
}
const worst = (name, key) =>
  Math.max(...phases.filter((p) => p.phase === name).map((p) => p.latenessMs[key]));
// Stop the runs, then let the outbox drain (bounded).
for (const taskId of taskIds) await kairos.api('POST', `/api/v1/tasks/${taskId}/disable`, {});
await kairos.node.events.settle();
const drainFrom = Date.now();
/** Deliveries still pending, over every alert (paging through the history). */
let stored = { deliveries: 0, sent: 0, failed: 0 };
async function pendingDeliveries() {
  let pending = 0;
  stored = { deliveries: 0, sent: 0, failed: 0 };
  let cursor;
  do {
    const page = await kairos.node.store.listAlerts({}, { limit: 500, cursor });
    for (const a of page.items) {
      for (const d of a.deliveries) {
        stored.deliveries += 1;
        if (d.status === 'pending') pending += 1;
        else if (d.status === 'sent') stored.sent += 1;
        else stored.failed += 1;
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return pending;
}
let pending = await pendingDeliveries();
while (pending > 0 && Date.now() - drainFrom < 120_000) {
  await sleep(500);
  pending = await pendingDeliveries();
}
const counts = await ask();
clearInterval(rssTimer);
console.error('drained');
const alerts = await kairos.node.store.listAlerts({}, { limit: 1 });
await kairos.stop();
receiver.kill('SIGKILL');

console.log(
  JSON.stringify({
    bench: 'alerts',
    store: databaseUrl ? 'postgres' : 'sqlite',
    tasks,
    seconds,
    phases,
    p99OnOverOff: round(worst('on', 'p99') / worst('off', 'p99'), 2),
    p50OnOverOff: round(worst('on', 'p50') / worst('off', 'p50'), 2),
    alertsWritten: alerts.items[0]?.id ?? 0,
    deliveriesStored: stored.deliveries,
    deliveriesSent: stored.sent,
    deliveriesFailed: stored.failed,
    receivedByReceiver: counts.deliveries,
    receivedDuringPhasesOn: receivedDuringOn,
    duplicates: counts.duplicates,
    pendingAtEnd: pending,
    drainMsAfterLastRun: Date.now() - drainFrom,
    peakRssMb: round(peakRss / 1e6, 0),
  }),
);
