// One pg-boss worker process for bench/compare: fetches jobs of `queue` in batches and completes
// them (a no-op that returns the instant it ran).
//   node pgboss-worker.js <database url> <queue> <batch size>
import PgBoss from 'pg-boss';

const [databaseUrl, queue, batchSize] = process.argv.slice(2);
const boss = new PgBoss({
  connectionString: databaseUrl,
  schema: 'pgboss_compare',
  supervise: false,
  schedule: false,
});
boss.on('error', (error) => console.error(`pg-boss worker: ${error.message}`));
await boss.start();
await boss.work(queue, { batchSize: Number(batchSize), pollingIntervalSeconds: 0.5 }, async (jobs) =>
  jobs.map(() => Date.now()),
);
process.send('ready');
process.on('message', async (message) => {
  if (message === 'stop') {
    await boss.stop({ graceful: false, wait: true });
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
