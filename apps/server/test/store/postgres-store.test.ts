/**
 * The PostgreSQL store against the shared contract (a fresh schema per test), plus what only
 * PostgreSQL has: nodes migrating at once, connection errors, the per-pool int8 parser.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, StoreOpenError } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import {
  createTestSchema,
  postgresReachable,
  queryAt,
  testSchema,
  TEST_DATABASE_URL,
} from '../support/postgres.js';
import { makeTempDir, tempDir } from '../support/temp-dir.js';
import { defineStoreContract } from './store-contract.js';
import { execution, runningRun } from './contract/executors.js';

const pgReachable = await postgresReachable();

describe.skipIf(!pgReachable)('PostgreSQL store', () => {
  defineStoreContract(async () => {
    const schema = await createTestSchema();
    const dir = makeTempDir();
    const stores: Store[] = [];
    return {
      open: async (options) => {
        const store = await openStore({
          databaseUrl: schema.databaseUrl,
          dataDir: dir.path,
          now: options?.now,
        });
        stores.push(store);
        return store;
      },
      query: (sql) => queryAt(schema.databaseUrl, sql),
      dispose: async () => {
        for (const store of stores) await store.close();
        await schema.drop();
        dir.remove();
      },
    };
  });

  describe('completing executions', () => {
    const opened: Store[] = [];
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
    });

    it('a completion the database refuses fails alone, not the others of its turn', async () => {
      const { databaseUrl } = await testSchema();
      const store = await openStore({ databaseUrl, dataDir: tempDir() });
      opened.push(store);
      const ids = await runningRun(store);
      const [a, b] = await Promise.all([1, 2].map(() => store.insertExecution(execution(ids))));
      const result = (handleCode: number) => ({
        status: 'succeeded' as const,
        handleCode,
        handleMsg: null,
        retryable: true,
        finishedAt: 6_000,
      });
      // Asked in one turn; the column is an INTEGER, so 2^31 is out of its range.
      const [refused, completed] = await Promise.allSettled([
        store.completeExecution(a!.id, result(2 ** 31)),
        store.completeExecution(b!.id, result(200)),
      ]);
      expect(refused).toMatchObject({
        status: 'rejected',
        reason: { message: expect.stringMatching(/range/) },
      });
      expect(completed).toMatchObject({ status: 'fulfilled', value: { id: b!.id, handleCode: 200 } });
      expect((await store.getExecution(a!.id))?.handleCode).toBeNull();
    });
  });

  describe('opening', () => {
    const opened: Store[] = [];
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
    });

    it('several nodes starting at once migrate the database once', async () => {
      const { databaseUrl } = await testSchema();
      const dataDir = tempDir();
      opened.push(
        ...(await Promise.all(Array.from({ length: 6 }, () => openStore({ databaseUrl, dataDir })))),
      );
      const ledger = await queryAt(
        databaseUrl,
        'SELECT version, name FROM kairos_migrations ORDER BY version',
      );
      // Every migration once (the list grows with each issue that adds one).
      const versions = ledger.map((row) => row.version);
      expect(versions).toEqual([...new Set(versions)]);
      expect(ledger[0]).toEqual({ version: 1, name: 'init' });
      expect(
        opened.every((store) => store.dialect === 'postgres' && !store.capabilities.exclusiveWriter),
      ).toBe(true);
    });

    it('parses BIGINT as numbers in its own pool only, leaving pg’s global parser alone', async () => {
      const { databaseUrl } = await testSchema();
      const store = await openStore({ databaseUrl, dataDir: tempDir() });
      opened.push(store);
      const ns = await store.ensureNamespace('default');
      expect(typeof ns.id).toBe('number');
      expect(await store.countTasks()).toBe(0);
      expect(pg.types.getTypeParser(20, 'text')('42')).toBe('42');
    });

    it('names the database when the server refuses it', async () => {
      const url = new URL(TEST_DATABASE_URL);
      url.pathname = '/kairos_no_such_database';
      const error = await openStore({ databaseUrl: url.toString(), dataDir: tempDir() }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StoreOpenError);
      expect((error as Error).message).toMatch(
        /refused the connection \(.*kairos_no_such_database.*\): check the user/,
      );
    });
  });
});

describe('PostgreSQL not reachable', () => {
  it('says which server, why, and what to check', async () => {
    const error = await openStore({
      databaseUrl: 'postgres://kairos:secret@127.0.0.1:1/kairos',
      dataDir: tempDir(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreOpenError);
    const message = (error as Error).message;
    expect(message).toMatch(
      /^PostgreSQL at 127\.0\.0\.1:1 is not reachable \(.*ECONNREFUSED.*\): check DATABASE_URL and that the server is running$/,
    );
    expect(message).not.toContain('secret');
  });

  it('refuses a DATABASE_URL that is not PostgreSQL', async () => {
    await expect(openStore({ databaseUrl: 'mysql://db/kairos', dataDir: tempDir() })).rejects.toThrow(
      'DATABASE_URL must be a postgres:// or postgresql:// URL (it starts with "mysql:")',
    );
  });
});
