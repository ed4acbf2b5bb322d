/**
 * The migration runner on its own: pending files applied in order, each with its ledger row;
 * a failing file rolled back entirely; misnamed files refused. On both dialects.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  defaultMigrationsDir,
  loadMigrations,
  migratePostgres,
  migrateSqlite,
} from '../../src/store/migrate.js';
import { StoreOpenError } from '../../src/store/store-open-error.js';
import { postgresReachable, testSchema } from '../support/postgres.js';
import { tempDir } from '../support/temp-dir.js';

const pgReachable = await postgresReachable();
const now = () => 1_234;

/** The shipped migrations plus `extra` files, in a temp directory. */
function migrationsWith(dialect: 'sqlite' | 'postgres', extra: Record<string, string>): URL {
  const dir = join(tempDir(), dialect);
  mkdirSync(dir);
  cpSync(defaultMigrationsDir(dialect), dir, { recursive: true });
  for (const [name, sql] of Object.entries(extra)) writeFileSync(join(dir, name), sql);
  return pathToFileURL(`${dir}/`);
}

// Versions far above the shipped ones, which grow with every issue that adds a migration.
const WIDGETS = { '9001_widgets.sql': 'CREATE TABLE widgets (id INTEGER PRIMARY KEY, name TEXT NOT NULL);' };
const BROKEN = {
  '9002_broken.sql': 'CREATE TABLE gadgets (id INTEGER PRIMARY KEY);\nINSERT INTO no_such_table VALUES (1);',
};
const shipped = async (dialect: 'sqlite' | 'postgres') =>
  (await loadMigrations(defaultMigrationsDir(dialect))).map((m) => m.version);

describe('loadMigrations', () => {
  it('orders files by version and refuses a misnamed one', async () => {
    const migrations = await loadMigrations(migrationsWith('sqlite', { '9010_later.sql': '', ...WIDGETS }));
    expect(migrations[0]).toMatchObject({ version: 1, name: 'init' });
    expect(migrations.slice(-2).map((m) => [m.version, m.name])).toEqual([
      [9001, 'widgets'],
      [9010, 'later'],
    ]);
    await expect(loadMigrations(migrationsWith('sqlite', { 'add-things.sql': '' }))).rejects.toThrow(
      'Migration file add-things.sql is not named NNNN_name.sql',
    );
  });

  it('says the build forgot the SQL files when the directory is missing', async () => {
    await expect(loadMigrations(pathToFileURL(`${tempDir()}/nope/`))).rejects.toThrow(
      /scripts\/copy-migrations\.js/,
    );
  });
});

describe('migrateSqlite', () => {
  it('applies pending files in order, each with its ledger row; a failing one is rolled back', async () => {
    const db = new Database(join(tempDir(), 'm.db'));
    try {
      const versions = await shipped('sqlite');
      expect(migrateSqlite(db, await loadMigrations(defaultMigrationsDir('sqlite')), now)).toEqual(versions);
      expect(migrateSqlite(db, await loadMigrations(migrationsWith('sqlite', WIDGETS)), now)).toEqual([9001]);
      const broken = await loadMigrations(migrationsWith('sqlite', { ...WIDGETS, ...BROKEN }));
      expect(() => migrateSqlite(db, broken, now)).toThrow(StoreOpenError);
      expect(() => migrateSqlite(db, broken, now)).toThrow(
        /^Migration 9002_broken\.sql failed \(.*no_such_table.*\)/,
      );
      const ledger = db
        .prepare('SELECT version, name, applied_at FROM kairos_migrations ORDER BY version')
        .all();
      expect(ledger[0]).toEqual({ version: 1, name: 'init', applied_at: 1_234 });
      expect(ledger.at(-1)).toEqual({ version: 9001, name: 'widgets', applied_at: 1_234 });
      expect(ledger).toHaveLength(versions.length + 1);
      expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'gadgets'").pluck().get()).toBe(0);
    } finally {
      db.close();
    }
  });
});

describe.skipIf(!pgReachable)('migratePostgres', () => {
  it('applies pending files in order, each with its ledger row; a failing one is rolled back', async () => {
    const { databaseUrl } = await testSchema();
    const pool = new pg.Pool({ connectionString: databaseUrl });
    try {
      const versions = await shipped('postgres');
      expect(
        await migratePostgres(pool, await loadMigrations(defaultMigrationsDir('postgres')), now),
      ).toEqual(versions);
      expect(
        await migratePostgres(pool, await loadMigrations(migrationsWith('postgres', WIDGETS)), now),
      ).toEqual([9001]);
      const broken = await loadMigrations(migrationsWith('postgres', { ...WIDGETS, ...BROKEN }));
      await expect(migratePostgres(pool, broken, now)).rejects.toThrow(
        /^Migration 9002_broken\.sql failed \(.*no_such_table.*\)/,
      );
      const ledger = await pool.query('SELECT version, name FROM kairos_migrations ORDER BY version');
      expect(ledger.rows[0]).toEqual({ version: 1, name: 'init' });
      expect(ledger.rows.at(-1)).toEqual({ version: 9001, name: 'widgets' });
      expect(ledger.rows).toHaveLength(versions.length + 1);
      const gadgets = await pool.query("SELECT to_regclass('gadgets') AS t");
      expect(gadgets.rows[0]).toEqual({ t: null });
      // The failed attempt's connection was destroyed, so its advisory lock is gone: this does not hang.
      expect(
        await migratePostgres(pool, await loadMigrations(migrationsWith('postgres', WIDGETS)), now),
      ).toEqual([]);
    } finally {
      await pool.end();
    }
  });
});
