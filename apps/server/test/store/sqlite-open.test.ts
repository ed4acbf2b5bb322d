/**
 * Opening SQLite: the single-writer lock (in this process and against another real process),
 * stale locks taken over, and the messages for a corrupt file, another program's database and
 * an unwritable data directory.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, StoreOpenError } from '../../src/store/open-store.js';
import { acquireSqliteLock } from '../../src/store/sqlite-lock.js';
import type { Store } from '../../src/store/store.js';
import { tempDir } from '../support/temp-dir.js';

const opened: Store[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

async function open(dataDir: string): Promise<Store> {
  const store = await openStore({ dataDir });
  opened.push(store);
  return store;
}

async function openError(dataDir: string): Promise<Error> {
  const error = await openStore({ dataDir }).then(
    (store) => {
      opened.push(store);
      throw new Error('opened, but should have been refused');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreOpenError);
  return error as Error;
}

/** The pid of a node process that has exited (so, on this host, a dead pid). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid ?? 0;
}

describe('SQLite single-writer lock', () => {
  it('refuses a second store on the same file in this process, until the first is closed', async () => {
    const dir = tempDir();
    const first = await open(dir);
    const lockFile = join(dir, 'kairos.db.lock');
    expect(readFileSync(lockFile, 'utf8')).toBe(`${process.pid}\n${hostname()}\n`);
    const error = await openError(dir);
    expect(error.message).toContain(
      `This process (pid ${process.pid}) already has ${join(dir, 'kairos.db')} open`,
    );
    await first.close();
    await first.close();
    expect(existsSync(lockFile)).toBe(false);
    await open(dir);
  });

  it('refuses while another live process holds the lock, and takes it over once that process is gone', async () => {
    const dir = tempDir();
    const lockFile = join(dir, 'kairos.db.lock');
    // A stand-in for another server: it takes the lock the way the store does, then waits.
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('node:fs'); const os = require('node:os');
         fs.writeFileSync(process.argv[1], process.pid + '\\n' + os.hostname() + '\\n', { flag: 'wx' });
         process.stdout.write('locked\\n');
         process.stdin.on('data', () => {}).on('end', () => process.exit(0));`,
        lockFile,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
    expect(chunk.toString()).toBe('locked\n');

    const error = await openError(dir);
    expect(error.message).toBe(
      `Another Kairos server (pid ${child.pid}) is using ${join(dir, 'kairos.db')}. ` +
        'Stop it or choose another KAIROS_DATA_DIR; several nodes need PostgreSQL (DATABASE_URL)',
    );

    child.stdin.end();
    await once(child, 'exit');
    // The child died without removing its lock: stale now.
    expect(existsSync(lockFile)).toBe(true);
    await open(dir);
    expect(readFileSync(lockFile, 'utf8')).toBe(`${process.pid}\n${hostname()}\n`);
  });

  it('takes over a lock whose pid is dead, or is our own pid from an earlier run (containers)', async () => {
    const dir = tempDir();
    const lockFile = join(dir, 'kairos.db.lock');
    writeFileSync(lockFile, `${await deadPid()}\n${hostname()}\n`);
    await (await open(dir)).close();
    writeFileSync(lockFile, `${process.pid}\n${hostname()}\n`);
    await open(dir);
    expect(readFileSync(lockFile, 'utf8')).toBe(`${process.pid}\n${hostname()}\n`);
  });

  it('refuses a lock from another host, whose pid cannot be checked, and says how to clear it', async () => {
    const dir = tempDir();
    const lockFile = join(dir, 'kairos.db.lock');
    writeFileSync(lockFile, '4242\nother-host\n');
    const error = await openError(dir);
    expect(error.message).toContain('Another Kairos server (pid 4242 on host other-host)');
    expect(error.message).toContain(`If no server runs there any more, delete ${lockFile} and start again`);
  });

  it('trusts an unreadable lock while it is fresh (being written), not when it is old', async () => {
    const dir = tempDir();
    const lockFile = join(dir, 'kairos.db.lock');
    writeFileSync(lockFile, '');
    expect((await openError(dir)).message).toContain('Another Kairos server is using');
    const old = new Date(Date.now() - 60_000);
    utimesSync(lockFile, old, old);
    await open(dir);
  });

  it('the lock module: acquire, refuse, release (idempotent, only our own file)', () => {
    const dir = tempDir();
    const file = join(dir, 'x.db');
    const lock = acquireSqliteLock(file);
    expect(() => acquireSqliteLock(file)).toThrow(StoreOpenError);
    lock.release();
    lock.release();
    expect(existsSync(`${file}.lock`)).toBe(false);
    const again = acquireSqliteLock(file);
    writeFileSync(`${file}.lock`, '1\nsomeone-else\n');
    again.release();
    expect(readFileSync(`${file}.lock`, 'utf8')).toBe('1\nsomeone-else\n');
  });
});

describe('opening SQLite', () => {
  it('creates the data directory and a WAL database with foreign keys on', async () => {
    const dir = join(tempDir(), 'nested', 'data');
    const store = await open(dir);
    expect(store.dialect).toBe('sqlite');
    expect(store.capabilities.exclusiveWriter).toBe(true);
    const db = new Database(join(dir, 'kairos.db'), { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('refuses a file that is not a SQLite database, and releases the lock', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'kairos.db'), 'certainly not a database\n'.repeat(400));
    const error = await openError(dir);
    expect(error.message).toMatch(
      /kairos\.db is not a Kairos SQLite database or is corrupt \(.+\): restore it from a backup, or move it away to start with an empty one$/,
    );
    expect(existsSync(join(dir, 'kairos.db.lock'))).toBe(false);
  });

  it("refuses another program's SQLite database instead of migrating into it", async () => {
    const dir = tempDir();
    const foreign = new Database(join(dir, 'kairos.db'));
    foreign.exec(
      "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES (1, 'Ada')",
    );
    foreign.close();
    const error = await openError(dir);
    expect(error.message).toContain(
      'is not a Kairos SQLite database or is corrupt (it has tables (customers)',
    );
    const check = new Database(join(dir, 'kairos.db'), { readonly: true });
    expect(check.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'").pluck().get()).toBe(1);
    check.close();
  });

  it('says the data directory is not writable when it cannot be created', async () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, '');
    const dataDir = join(file, 'data');
    const error = await openError(dataDir);
    expect(error.message).toMatch(
      /^KAIROS_DATA_DIR .*a-file\/data is not writable \(.*ENOTDIR.*\): fix its permissions or choose another directory$/,
    );
  });

  // root ignores permission bits, so this one only means something for an ordinary user.
  it.skipIf(process.getuid?.() === 0)(
    'says the data directory is not writable when permissions forbid it',
    async () => {
      const dataDir = tempDir();
      chmodSync(dataDir, 0o500);
      try {
        const error = await openError(dataDir);
        expect(error.message).toMatch(
          /is not writable \(.*EACCES.*\): fix its permissions or choose another directory$/,
        );
      } finally {
        chmodSync(dataDir, 0o700);
      }
    },
  );
});
