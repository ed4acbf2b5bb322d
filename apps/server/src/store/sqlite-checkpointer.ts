/**
 * WAL checkpoints off the event loop. By default SQLite checkpoints inside the commit that
 * grows the WAL past 1,000 pages: that commit then copies ~4 MB into the database file and
 * syncs it, and on the server's single connection it holds the event loop meanwhile (a 100-row
 * event insert took 7.5 ms instead of ~1 ms, several times a second while hundreds of Dify runs
 * streamed, and runs due then started late). Here the server's connection never checkpoints;
 * a worker thread with a connection of its own runs a PASSIVE checkpoint every
 * CHECKPOINT_EVERY_MS, which copies what it can without waiting for, or blocking, the writer or
 * readers. If the worker stops, the connection checkpoints itself again as before.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** How often the worker checkpoints, in ms (the WAL grows by a few MB at most between two). */
const CHECKPOINT_EVERY_MS = 200;
/** SQLite's own default, restored if the worker stops. */
const AUTOCHECKPOINT_PAGES = 1000;
const CLOSE_WAIT_MS = 2000;

/** The worker: CommonJS, given as source so that it runs alike from the sources and the build. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
const timer = setInterval(() => db.pragma('wal_checkpoint(PASSIVE)'), workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export class SqliteCheckpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private stopped = false;

  /** Starts checkpointing `file`, the database `db` (the server's connection) writes. */
  constructor(
    private readonly db: Database.Database,
    file: string,
  ) {
    db.pragma('wal_autocheckpoint = 0');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        file,
        everyMs: CHECKPOINT_EVERY_MS,
      },
    });
    this.worker.unref();
    // A worker that fails (the file went away, a driver error) must not leave the WAL growing.
    this.worker.on('error', () => this.fallBack());
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', () => {
        this.fallBack();
        resolve();
      }),
    );
  }

  /** Stops the worker (before the server's connection is closed, which checkpoints last). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.worker.postMessage('stop');
    const timer = setTimeout(() => void this.worker.terminate(), CLOSE_WAIT_MS);
    await this.exited;
    clearTimeout(timer);
  }

  private fallBack(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  }
}
