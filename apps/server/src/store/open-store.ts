/**
 * Opens the store the configuration asks for: PostgreSQL when a DATABASE_URL is given (several
 * nodes may share it), otherwise SQLite at `<dataDir>/kairos.db` (one server). Migrations run
 * here; every failure is a StoreOpenError whose message says what to fix.
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openSqliteStore } from './sqlite-store.js';
import { reasonOf, StoreOpenError } from './store-open-error.js';
import type { Store } from './store.js';

export { StoreOpenError } from './store-open-error.js';

export interface OpenStoreOptions {
  /** postgres:// or postgresql:// URL; absent or empty: SQLite in dataDir. */
  databaseUrl?: string | undefined;
  /** Connections in the PostgreSQL pool (KAIROS_DATABASE_POOL_SIZE); pg's default when absent. */
  poolSize?: number | undefined;
  /** KAIROS_DATA_DIR: created if missing. */
  dataDir: string;
  /** SQLite's page cache in MiB (KAIROS_SQLITE_CACHE_MB); the store's default when absent. */
  sqliteCacheMb?: number | undefined;
  /** The clock for created_at/updated_at; Date.now by default. */
  now?: (() => number) | undefined;
}

export const SQLITE_FILE_NAME = 'kairos.db';

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  if (options.databaseUrl !== undefined && options.databaseUrl !== '') {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(options.databaseUrl)?.[1]?.toLowerCase();
    if (scheme !== 'postgres' && scheme !== 'postgresql') {
      throw new StoreOpenError(
        `DATABASE_URL must be a postgres:// or postgresql:// URL (it starts with "${scheme ?? '?'}:"): ` +
          'fix it, or unset it to use SQLite in KAIROS_DATA_DIR',
      );
    }
    // Loaded only here: a server on SQLite never holds the PostgreSQL driver.
    const { openPostgresStore } = await import('./postgres-store.js');
    return openPostgresStore(options.databaseUrl, { now: options.now, poolSize: options.poolSize });
  }
  const dir = resolve(options.dataDir);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new StoreOpenError(
      `KAIROS_DATA_DIR ${dir} is not writable (${reasonOf(error)}): fix its permissions or choose another directory`,
      { cause: error },
    );
  }
  return openSqliteStore(join(dir, SQLITE_FILE_NAME), { now: options.now, cacheMb: options.sqliteCacheMb });
}
