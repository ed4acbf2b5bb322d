/**
 * WAL checkpoints off the event loop: the server's connection never checkpoints, a worker thread
 * does; if the worker stops, the connection checkpoints itself again.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteCheckpointer } from '../../src/store/sqlite-checkpointer.js';
import { eventually } from '../support/eventually.js';
import { tempDir } from '../support/temp-dir.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

function openWal(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, data TEXT NOT NULL)');
  return db;
}

/** Writes ~`mb` MiB of rows in transactions of 100 (as the run writer does). */
function write(db: Database.Database, mb: number): void {
  const insert = db.prepare('INSERT INTO events (data) VALUES (?)');
  const batch = db.transaction((rows: number) => {
    for (let i = 0; i < rows; i++) insert.run('x'.repeat(1000));
  });
  for (let i = 0; i < mb * 10; i++) batch(100);
}

const walPages = (db: Database.Database): number => {
  // A PASSIVE checkpoint with nothing to copy reports the WAL's size without changing anything.
  const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
  return row!.log;
};

describe('SqliteCheckpointer', () => {
  it('keeps the WAL from growing though the connection itself never checkpoints', async () => {
    const file = join(tempDir(), 'kairos.db');
    const db = openWal(file);
    const checkpointer = new SqliteCheckpointer(db, file);
    cleanup.push(async () => {
      await checkpointer.stop();
      db.close();
    });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);

    const sizeBefore = statSync(file).size;
    write(db, 8);
    // The rows reach the database file, copied by the worker (the connection checkpoints nothing).
    await eventually(() => expect(statSync(file).size).toBeGreaterThan(sizeBefore + 7 * 1024 * 1024), 5000);
    expect(db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(8000);
  });

  it('hands checkpointing back to the connection when the worker stops unasked', async () => {
    const file = join(tempDir(), 'kairos.db');
    const db = openWal(file);
    const checkpointer = new SqliteCheckpointer(db, file);
    cleanup.push(() => db.close());
    // The worker dies (as it would if its thread failed): nothing may be left to grow the WAL.
    await (checkpointer as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await eventually(() => expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000));
    write(db, 8);
    // SQLite's own checkpoints (every 1,000 pages) keep the WAL near that size.
    expect(walPages(db)).toBeLessThan(2000);
    await checkpointer.stop();
  });

  it('stops with the store, and the data stays readable', async () => {
    const file = join(tempDir(), 'kairos.db');
    const db = openWal(file);
    const checkpointer = new SqliteCheckpointer(db, file);
    write(db, 1);
    await checkpointer.stop();
    await checkpointer.stop();
    db.close();
    const again = new Database(file, { readonly: true });
    expect(again.prepare('SELECT count(*) FROM events').pluck().get()).toBe(1000);
    again.close();
  });
});
