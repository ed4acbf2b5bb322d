/**
 * The SQLite store against the shared contract: a fresh data directory (and kairos.db) per test.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { makeTempDir } from '../support/temp-dir.js';
import { defineStoreContract } from './store-contract.js';

describe('SQLite store', () => {
  defineStoreContract(async () => {
    const dir = makeTempDir();
    const stores: Store[] = [];
    return {
      open: async (options) => {
        const store = await openStore({ dataDir: dir.path, now: options?.now });
        stores.push(store);
        return store;
      },
      query: async (sql) => {
        const db = new Database(join(dir.path, 'kairos.db'));
        try {
          const statement = db.prepare(sql);
          if (statement.reader) return statement.all() as Record<string, unknown>[];
          statement.run();
          return [];
        } finally {
          db.close();
        }
      },
      dispose: async () => {
        for (const store of stores) await store.close();
        dir.remove();
      },
    };
  });
});
