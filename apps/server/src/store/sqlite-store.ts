/**
 * The SQLite store: one file, one writer process (sqlite-lock.ts), better-sqlite3. CRUD goes
 * through Kysely (kysely-store-base.ts), the hot path through cached prepared statements
 * (sqlite-hot-path.ts), both on the same single connection.
 */
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import type { Database as Schema } from './db-schema.js';
import { openKyselyStore } from './kysely-store-base.js';
import { defaultMigrationsDir, loadMigrations, migrateSqlite } from './migrate.js';
import { sqliteExecutions } from './sqlite-executions.js';
import { SqliteCheckpointer } from './sqlite-checkpointer.js';
import { SqliteHotPath } from './sqlite-hot-path.js';
import { CachingSqliteDialect } from './sqlite-caching-dialect.js';
import { settlementAlertsSteps } from './alert-outbox.js';
import { insertRunsSteps, SqliteSteps, type SettlementAlertWrites } from './write-steps.js';
import { sqliteAppendRunEvents, sqliteSetRunCheckpoint } from './sqlite-run-events.js';
import { acquireSqliteLock, type SqliteLock } from './sqlite-lock.js';
import { reasonOf, StoreOpenError } from './store-open-error.js';
import { sqliteReclaimSpace } from './retention-queries.js';
import type { Store } from './store.js';
import { sqliteSelectTask } from './hot-path/recovery/sqlite-select-task.js';
import { toTaskRecord } from './row-mapping.js';

export interface SqliteStoreOptions {
  /** The clock for created_at/updated_at; Date.now by default. */
  now?: (() => number) | undefined;
  /** The page cache of the server's connection, in MiB (DEFAULT_CACHE_MB by default). */
  cacheMb?: number | undefined;
}

export const DEFAULT_CACHE_MB = 64;

/**
 * WAL lets readers (the API) proceed while the scheduler writes; synchronous=NORMAL skips the
 * fsync per commit (in WAL a power loss can lose the last commits, never corrupt the file);
 * busy_timeout covers an outside reader such as a backup; foreign keys are off by default in
 * SQLite and the schema relies on them (cascades, apps and calendars in use). The page cache is
 * 64 MiB by default instead of SQLite's 2 MiB: runs are inserted into nine B-trees keyed by task,
 * app, lease and status, so with a history larger than the cache nearly every insert read pages
 * back from the file (a claim cost ~100 µs a run at 2,500 runs/s). It is memory the process
 * holds once the history outgrows it (`sqliteCacheMb` trades it for those reads).
 */
function configure(db: Database.Database, cacheMb: number): void {
  // Must come before the first table: see INCREMENTAL_VACUUM.
  db.pragma('auto_vacuum = INCREMENTAL');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.pragma(`cache_size = ${-cacheMb * 1024}`);
  // After a burst of writes (a pruning backlog) the WAL is cut back to 64 MiB once checkpointed,
  // instead of keeping its largest size for good.
  db.pragma('journal_size_limit = 67108864');
}

/**
 * INCREMENTAL_VACUUM: a file created by this version has auto_vacuum = INCREMENTAL, so the pages
 * the run pruner frees can be given back to the file system in small steps
 * (`PRAGMA incremental_vacuum(N)`, retention/run-pruner.ts) instead of one VACUUM that rewrites
 * the whole file and holds the server meanwhile. SQLite only takes the mode on a file with no
 * tables yet; an older file keeps auto_vacuum = NONE until a one-time VACUUM (docs/production.md
 * says how), and meanwhile its freed pages are reused for new runs: it stops growing at a steady
 * load, it only does not shrink.
 */
export async function openSqliteStore(file: string, options: SqliteStoreOptions = {}): Promise<Store> {
  const now = options.now ?? Date.now;
  const migrations = await loadMigrations(defaultMigrationsDir('sqlite'));
  const lock = takeLock(file);
  let db: Database.Database | undefined;
  try {
    db = new Database(file);
    configure(db, options.cacheMb ?? DEFAULT_CACHE_MB);
    refuseForeignDatabase(db, file);
    migrateSqlite(db, migrations, now);
  } catch (error) {
    db?.close();
    lock.release();
    throw openError(error, file);
  }
  const sqlite = db;
  const checkpointer = sqlite.memory ? undefined : new SqliteCheckpointer(sqlite, file);
  // Statements kept prepared by SQL text, Kysely transactions refused: sqlite-caching-dialect.ts.
  const kysely = new Kysely<Schema>({ dialect: new CachingSqliteDialect(sqlite) });
  const steps = new SqliteSteps(sqlite);
  const selectTask = sqliteSelectTask(sqlite);
  const alertWrites: SettlementAlertWrites = (runId, alerts) => settlementAlertsSteps(kysely, runId, alerts);
  const store = openKyselyStore({
    dialect: 'sqlite',
    capabilities: { exclusiveWriter: true },
    db: kysely,
    hotPath: new SqliteHotPath(sqlite, now, steps, alertWrites, (successors) =>
      successors.steps(kysely, now()),
    ),
    // Synchronous: the transaction ends before anything else on the connection can run.
    runSteps: async (write) => steps.run(write()),
    insertRunRows: async (runs) => steps.run(insertRunsSteps(runs)),
    getTask: async (id) => {
      const row = selectTask(id);
      return row && toTaskRecord(row);
    },
    appendRunEvents: sqliteAppendRunEvents(sqlite),
    setRunCheckpoint: sqliteSetRunCheckpoint(sqlite),
    executions: sqliteExecutions(sqlite),
    reclaimSpace: sqliteReclaimSpace((source) => sqlite.pragma(source, { simple: true })),
    now,
    close: async () => {
      try {
        await checkpointer?.stop();
        // Recommended before closing a long-lived connection: refreshes the planner's statistics.
        sqlite.pragma('optimize');
        await kysely.destroy();
      } finally {
        lock.release();
      }
    },
  });
  // better-sqlite3's backup() copies pages in steps between other statements: the server goes on
  // writing, and the copy is the database as of one instant (WAL mode).
  return Object.assign(store, { backupTo: async (target: string) => void (await sqlite.backup(target)) });
}

function takeLock(file: string): SqliteLock {
  try {
    return acquireSqliteLock(file);
  } catch (error) {
    if (error instanceof StoreOpenError) throw error;
    throw new StoreOpenError(
      `Cannot create the lock file ${file}.lock (${reasonOf(error)}): make ${dirname(file)} writable, ` +
        'or choose another KAIROS_DATA_DIR',
      { cause: error },
    );
  }
}

function notKairos(file: string, reason: string, cause?: unknown): StoreOpenError {
  return new StoreOpenError(
    `${file} is not a Kairos SQLite database or is corrupt (${reason}): restore it from a backup, ` +
      'or move it away to start with an empty one',
    { cause },
  );
}

/** Another program's database: migrating it would mix our tables into its data. */
function refuseForeignDatabase(db: Database.Database, file: string): void {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  if (tables.length > 0 && !tables.includes('kairos_migrations')) {
    throw notKairos(file, `it has tables (${tables.slice(0, 5).join(', ')}) but no kairos_migrations ledger`);
  }
}

function openError(error: unknown, file: string): StoreOpenError {
  if (error instanceof StoreOpenError) return error;
  const code = (error as { code?: unknown }).code;
  if (code === 'SQLITE_NOTADB' || (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT'))) {
    return notKairos(file, reasonOf(error), error);
  }
  return new StoreOpenError(
    `Cannot open the SQLite database ${file} (${reasonOf(error)}): check that it is a file this user can read and write`,
    { cause: error },
  );
}
