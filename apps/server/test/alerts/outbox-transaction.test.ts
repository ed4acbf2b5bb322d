/**
 * The integration point for the run settlement: insertAlerts and previousRunStatuses run on the
 * caller's Kysely transaction, so alerts commit or roll back with it. Shown on both dialects
 * with a Kysely instance of the test's own on the store's database.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { insertAlerts } from '../../src/store/alert-outbox.js';
import type { NewAlert } from '../../src/store/alert-records.js';
import type { Database as Schema } from '../../src/store/db-schema.js';
import { openStore } from '../../src/store/open-store.js';
import { postgresReachable, testSchema } from '../support/postgres.js';
import { makeTempDir } from '../support/temp-dir.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function seedContact(
  open: () => ReturnType<typeof openStore>,
): Promise<{ namespaceId: number; contactId: number }> {
  const store = await open();
  try {
    const ns = await store.ensureNamespace('default');
    const contact = await store.createContact({
      namespaceId: ns.id,
      name: 'ann',
      email: 'ann@example.com',
      phone: null,
      webhook: null,
    });
    return { namespaceId: ns.id, contactId: contact.id };
  } finally {
    await store.close();
  }
}

const alert = (namespaceId: number, contactId: number): NewAlert => ({
  ruleId: null,
  namespaceId,
  on: 'failure',
  state: 'firing',
  dedupKey: 'task:1',
  appId: null,
  taskId: 1,
  runId: null,
  facts: { summary: 'failed', at: 1_000 },
  silenceSeconds: 0,
  notify: { contacts: [contactId], groups: [] },
  createdAt: 1_000,
});

async function commitsWithTheTransaction(db: Kysely<Schema>, namespaceId: number, contactId: number) {
  await expect(
    db.transaction().execute(async (tx) => {
      await insertAlerts(tx, [alert(namespaceId, contactId)]);
      throw new Error('the settlement failed');
    }),
  ).rejects.toThrow('the settlement failed');
  const count = async (table: 'alerts' | 'alert_deliveries') =>
    Number(
      (
        await db
          .withTables<Record<typeof table, { id: number }>>()
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  expect(await count('alerts')).toBe(0);
  expect(await count('alert_deliveries')).toBe(0);
  const written = await db.transaction().execute((tx) => insertAlerts(tx, [alert(namespaceId, contactId)]));
  expect(written.deliveries).toBe(1);
  expect(await count('alerts')).toBe(1);
  expect(await count('alert_deliveries')).toBe(1);
}

const pgReachable = await postgresReachable();

describe('insertAlerts in the caller transaction', () => {
  it('rolls back and commits with it on SQLite', async () => {
    const dir = makeTempDir();
    cleanups.push(() => dir.remove());
    const { namespaceId, contactId } = await seedContact(() => openStore({ dataDir: dir.path }));
    const sqlite = new Database(join(dir.path, 'kairos.db'));
    sqlite.pragma('foreign_keys = ON');
    const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) });
    cleanups.push(() => db.destroy());
    await commitsWithTheTransaction(db, namespaceId, contactId);
  });

  it.skipIf(!pgReachable)('rolls back and commits with it on PostgreSQL', async () => {
    const schema = await testSchema();
    const dir = makeTempDir();
    cleanups.push(() => dir.remove());
    const { namespaceId, contactId } = await seedContact(() =>
      openStore({ databaseUrl: schema.databaseUrl, dataDir: dir.path }),
    );
    const db = new Kysely<Schema>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: schema.databaseUrl }) }),
    });
    cleanups.push(() => db.destroy());
    await commitsWithTheTransaction(db, namespaceId, contactId);
  });
});
