/**
 * Numbered SQL migrations per dialect (migrations/<dialect>/NNNN_name.sql), applied in order,
 * each in its own transaction together with its row in the `kairos_migrations` ledger, so a
 * crash leaves the database at a version the ledger names. Files are append-only once released.
 *
 * The files are read at run time next to this module; the build copies them into dist
 * (scripts/copy-migrations.js).
 */
import { readdir, readFile } from 'node:fs/promises';
import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import { reasonOf, StoreOpenError } from './store-open-error.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Migration {
  version: number;
  name: string;
  file: string;
  sql: string;
}

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export function defaultMigrationsDir(dialect: Dialect): URL {
  return new URL(`./migrations/${dialect}/`, import.meta.url);
}

/** Reads and orders the migration files of a directory; a misnamed or duplicate file is a bug. */
export async function loadMigrations(dir: URL): Promise<Migration[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new StoreOpenError(
      `The migrations directory ${dir.pathname} cannot be read (${reasonOf(error)}): ` +
        'the build must copy src/store/migrations into dist (scripts/copy-migrations.js)',
      { cause: error },
    );
  }
  const migrations: Migration[] = [];
  for (const file of names.filter((name) => name.endsWith('.sql')).sort()) {
    const match = FILE_NAME.exec(file);
    if (match === null) throw new Error(`Migration file ${file} is not named NNNN_name.sql`);
    const version = Number(match[1]);
    if (migrations.some((m) => m.version === version))
      throw new Error(`Two migration files have version ${version}`);
    migrations.push({ version, name: match[2] ?? '', file, sql: await readFile(new URL(file, dir), 'utf8') });
  }
  return migrations;
}

/** Refuses a database migrated by a newer Kairos: its schema may mean things this code does not know. */
function refuseNewerSchema(appliedVersions: number[], migrations: Migration[]): void {
  const applied = Math.max(0, ...appliedVersions);
  const known = Math.max(0, ...migrations.map((m) => m.version));
  if (applied > known) {
    throw new StoreOpenError(
      `The database schema is at version ${applied} but this Kairos knows only up to ${known}: ` +
        'upgrade Kairos, or point it at another database.',
    );
  }
}

function migrationFailed(migration: Migration, error: unknown): StoreOpenError {
  return new StoreOpenError(
    `Migration ${migration.file} failed (${reasonOf(error)}); it was rolled back and the database ` +
      `is still at the version before it: fix the cause and start again`,
    { cause: error },
  );
}

const SQLITE_LEDGER = `CREATE TABLE IF NOT EXISTS kairos_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at INTEGER NOT NULL
)`;

/**
 * SQLite: the caller holds the single-writer lock (sqlite-lock.ts), so no other process can
 * migrate at the same time; IMMEDIATE transactions still keep out any outside reader-turned-writer.
 * Returns the versions applied by this call.
 */
export function migrateSqlite(
  db: BetterSqlite3.Database,
  migrations: Migration[],
  now: () => number,
): number[] {
  db.exec(SQLITE_LEDGER);
  const applied = db.prepare('SELECT version FROM kairos_migrations').pluck().all() as number[];
  refuseNewerSchema(applied, migrations);
  const record = db.prepare('INSERT INTO kairos_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const done: number[] = [];
  for (const migration of migrations) {
    if (applied.includes(migration.version)) continue;
    try {
      db.transaction(() => {
        db.exec(migration.sql);
        record.run(migration.version, migration.name, now());
      }).immediate();
    } catch (error) {
      throw migrationFailed(migration, error);
    }
    done.push(migration.version);
  }
  return done;
}

const POSTGRES_LEDGER = `CREATE TABLE IF NOT EXISTS kairos_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at BIGINT NOT NULL
)`;

/**
 * One key per schema, so that tests (a schema each) and deployments sharing a database in
 * different schemas do not wait on one another.
 */
const LOCK_KEY = `hashtext('kairos_migrations:' || coalesce(current_schema(), ''))`;

/**
 * PostgreSQL: several nodes may start at once. A session advisory lock makes them migrate one
 * after the other; the later ones find the ledger complete and apply nothing. Even the ledger's
 * CREATE TABLE IF NOT EXISTS runs under the lock, because two concurrent ones can both fail on
 * the catalog's unique index. On any error the connection is destroyed, which drops the lock.
 */
export async function migratePostgres(
  pool: pg.Pool,
  migrations: Migration[],
  now: () => number,
): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query(`SELECT pg_advisory_lock(${LOCK_KEY})`);
    await client.query(POSTGRES_LEDGER);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM kairos_migrations');
    refuseNewerSchema(
      rows.map((row) => row.version),
      migrations,
    );
    const done: number[] = [];
    for (const migration of migrations) {
      if (rows.some((row) => row.version === migration.version)) continue;
      try {
        await client.query('BEGIN');
        await client.query(migration.sql);
        await client.query('INSERT INTO kairos_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          now(),
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw migrationFailed(migration, error);
      }
      done.push(migration.version);
    }
    await client.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`);
    client.release();
    return done;
  } catch (error) {
    client.release(true);
    throw error;
  }
}
