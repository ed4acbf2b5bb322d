// The systems bench/compare puts side by side, each started empty: Kairos in this process on
// SQLite or PostgreSQL (bench/support.js's node), BullMQ on the Redis at 127.0.0.1:6379, pg-boss
// on the PostgreSQL. The peers' workers run in child processes, as Kairos's executors do. The
// peers' libraries are loaded only when a peer is measured: in a Kairos measure they would add
// about 30 MB to the resident memory of the process the node runs in.
import { resetPostgres, startExecutor, startNode } from '../support.js';
import { forkReady } from './processes.js';

export const REDIS = { host: '127.0.0.1', port: 6379 };
export const BULLMQ_PREFIX = 'kairos-compare';
export const PGBOSS_SCHEMA = 'pgboss_compare';

/** A Kairos node (fresh SQLite dir, or a fresh schema on PostgreSQL) with an app to run tasks. */
export async function startKairos(system, databaseUrl, overrides) {
  const kairos = await startNode(
    system === 'kairos-postgres' ? await resetPostgres(databaseUrl) : undefined,
    overrides,
  );
  const app = await kairos.api('POST', '/api/v1/apps', { appName: 'compare', name: 'Compare' });
  return { ...kairos, app };
}

/** `count` SDK executor processes in pull mode under the Kairos node's app (handler `stamp`). */
export function startKairosExecutors(kairos, count) {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      startExecutor(kairos.node.url, kairos.app.appName, kairos.app.accessToken, 'pull', i),
    ),
  );
}

/** An emptied BullMQ queue named `name`. */
export async function startBullQueue(name) {
  const { Queue } = await import('bullmq');
  const queue = new Queue(name, { connection: REDIS, prefix: BULLMQ_PREFIX });
  await queue.waitUntilReady();
  await queue.obliterate({ force: true });
  return queue;
}

/** `count` BullMQ worker processes on queue `name` (see bullmq-worker.js for `work`). */
export function startBullWorkers(name, count, concurrency, work, url = '') {
  return Promise.all(
    Array.from({ length: count }, () => forkReady('./bullmq-worker.js', [name, concurrency, work, url])),
  );
}

/** pg-boss in a schema of its own, emptied first, with queue `name` created. */
export async function startPgBoss(databaseUrl, name) {
  const [{ default: PgBoss }, { default: pg }] = await Promise.all([import('pg-boss'), import('pg')]);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${PGBOSS_SCHEMA} CASCADE`);
  const boss = new PgBoss({ connectionString: databaseUrl, schema: PGBOSS_SCHEMA, supervise: false });
  boss.on('error', (error) => console.error(`pg-boss: ${error.message}`));
  await boss.start();
  await boss.createQueue(name);
  const completed = async () =>
    Number(
      (
        await client.query(
          `SELECT count(*) AS n FROM ${PGBOSS_SCHEMA}.job WHERE name = $1 AND state = 'completed'`,
          [name],
        )
      ).rows[0].n,
    );
  return {
    boss,
    completed,
    async stop() {
      await boss.stop({ graceful: false, wait: true });
      await client.end();
    },
  };
}

/** `count` pg-boss worker processes on queue `name`, fetching `batchSize` jobs at a time. */
export function startPgBossWorkers(databaseUrl, name, count, batchSize) {
  return Promise.all(
    Array.from({ length: count }, () => forkReady('./pgboss-worker.js', [databaseUrl, name, batchSize])),
  );
}
