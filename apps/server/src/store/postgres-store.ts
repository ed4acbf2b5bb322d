/**
 * The PostgreSQL store: several nodes share one database, so admission, claims and recovery
 * are decided in it under row locks (postgres-hot-path.ts). CRUD goes through Kysely on the
 * same pg Pool.
 */
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database as Schema } from './db-schema.js';
import { openKyselyStore } from './kysely-store-base.js';
import { defaultMigrationsDir, loadMigrations, migratePostgres } from './migrate.js';
import { PostgresHotPath } from './postgres-hot-path.js';
import { settlementAlertsSteps } from './alert-outbox.js';
import { runStepsInKyselyTransaction } from './write-steps.js';
import { insertRuns } from './hot-path/claim/postgres-insert-runs.js';
import { postgresExecutions } from './postgres-executions.js';
import { postgresTaskReads } from './postgres-task-reads.js';
import { expireLeasesOnPostgres } from './postgres-takeover.js';
import { PostgresSessionLock } from './postgres-session-lock.js';
import { reasonOf, StoreOpenError } from './store-open-error.js';
import type { Store } from './store.js';

export interface PostgresStoreOptions {
  /** The clock for created_at/updated_at; Date.now by default. */
  now?: (() => number) | undefined;
  /** Connections in the pool; pg's default (10) when absent. */
  poolSize?: number | undefined;
}

const INT8_OID = 20;

/**
 * BIGINT (ids, epoch-ms instants, count(*)) arrives from pg as a string, since it may exceed
 * 2^53. Ours never do (epoch ms reach 2^53 in the year 287396), so this pool parses them as
 * numbers. Set per pool, not on pg's global parsers, so other pg users in the process are
 * unaffected.
 */
const int8AsNumber: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

export async function openPostgresStore(
  databaseUrl: string,
  options: PostgresStoreOptions = {},
): Promise<Store> {
  const now = options.now ?? Date.now;
  const migrations = await loadMigrations(defaultMigrationsDir('postgres'));
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    types: int8AsNumber,
    connectionTimeoutMillis: 10_000,
    ...(options.poolSize === undefined ? {} : { max: options.poolSize }),
  });
  // An idle connection that dies (server restart) emits 'error' on the pool; unhandled, that
  // would crash the process. The next query on the pool gets a fresh connection or the error.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw connectError(databaseUrl, error);
  }
  try {
    await migratePostgres(pool, migrations, now);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  const kysely = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  const evaluatorLock = new PostgresSessionLock(pool, 'kairos_alert_evaluator:');
  const prunerLock = new PostgresSessionLock(pool, 'kairos_run_pruner:');
  return openKyselyStore({
    dialect: 'postgres',
    capabilities: { exclusiveWriter: false },
    db: kysely,
    hotPath: new PostgresHotPath(
      pool,
      now,
      (runId, alerts) => settlementAlertsSteps(kysely, runId, alerts),
      (successors) => successors.steps(kysely, now()),
    ),
    runSteps: (write) => runStepsInKyselyTransaction(kysely, write),
    insertRunRows: (runs) => insertRuns(pool, runs),
    executions: postgresExecutions(pool),
    getTask: postgresTaskReads(kysely).getTask,
    expireLeasesOf: (owner) => expireLeasesOnPostgres(pool, owner),
    skipLocked: true,
    holdEvaluatorLock: () => evaluatorLock.hold(),
    holdPrunerLock: () => prunerLock.hold(),
    now,
    close: async () => {
      evaluatorLock.release();
      prunerLock.release();
      await kysely.destroy();
    },
  });
}

/** host:port from the URL, never the password. */
function serverOf(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `${url.hostname || 'localhost'}:${url.port || '5432'}`;
  } catch {
    return 'the server named in DATABASE_URL';
  }
}

function connectError(databaseUrl: string, error: unknown): StoreOpenError {
  const code = (error as { code?: unknown }).code;
  // Class 28 (invalid authorization) and 3D000 (no such database): the server runs but says no.
  if (typeof code === 'string' && (code.startsWith('28') || code === '3D000')) {
    return new StoreOpenError(
      `PostgreSQL at ${serverOf(databaseUrl)} refused the connection (${reasonOf(error)}): ` +
        'check the user, password and database name in DATABASE_URL',
      { cause: error },
    );
  }
  return new StoreOpenError(
    `PostgreSQL at ${serverOf(databaseUrl)} is not reachable (${reasonOf(error)}): ` +
      'check DATABASE_URL and that the server is running',
    { cause: error },
  );
}
