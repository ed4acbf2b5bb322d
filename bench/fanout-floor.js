// The floor for bench/workflow-fanout.js: the same shape of work done by a bare process with
// fetch(), each request's end written durably before what follows it starts (the least any
// scheduler that survives a crash must do): one row per end into a SQLite file in WAL mode, the
// ends of one turn of the event loop in one transaction. Per workflow: `start`, then `fan` over
// `items` (`concurrency` at once), then `branches` chains of two (fan → b<i> → c<i>). A
// request's start is when fetch() is called, its finish when its body is read. Answers the same
// two lists of delays as the bench, in ms: each downstream start after its upstream's last
// finish, and each later item's start after the finish that freed its place.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setImmediate } from 'node:timers';
import Database from 'better-sqlite3';

/** Ends written in one transaction per turn of the event loop; resolves once committed. */
function endLog() {
  const dir = mkdtempSync(join(tmpdir(), 'kairos-floor-'));
  const db = new Database(join(dir, 'ends.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE ends (id INTEGER PRIMARY KEY, finished_at REAL NOT NULL, output TEXT)');
  const insert = db.prepare('INSERT INTO ends (finished_at, output) VALUES (?, ?)');
  const commit = db.transaction((ends) => {
    for (const e of ends) insert.run(e.finishedAt, e.output);
  });
  let queued = [];
  return {
    write(end) {
      return new Promise((resolve) => {
        if (queued.length === 0)
          setImmediate(() => {
            const ends = queued;
            queued = [];
            commit(ends);
            for (const e of ends) e.resolve();
          });
        queued.push({ ...end, resolve });
      });
    },
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs the floor in a process of its own (its sockets and heap apart from the scheduler's that ran
 * before it in the bench's process); resolves with { nodeDelays, itemDelays, retried }.
 */
export function fanoutFloorApart(options) {
  const child = fork(fileURLToPath(import.meta.url), [JSON.stringify(options)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`the floor process exited with ${code}`)));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.send(await fanoutFloor(JSON.parse(process.argv[2])), () => process.exit(0));
}

/** Runs the workflows at once against `url`; resolves with { nodeDelays, itemDelays }. */
export async function fanoutFloor({ url, workflows, items, concurrency, branches }) {
  const nodeDelays = [];
  const itemDelays = [];
  const ends = endLog();
  let retried = 0;
  // A request the target dropped (10,000 sockets at once can exhaust it) is sent again, counted.
  const send = async () => {
    for (;;) {
      try {
        const res = await fetch(url, { method: 'POST' });
        return await res.text();
      } catch (error) {
        if (++retried > 1000) throw error;
      }
    }
  };
  const call = async () => {
    const startedAt = performance.now();
    const output = await send();
    const finishedAt = performance.now();
    await ends.write({ finishedAt, output });
    return { startedAt, finishedAt };
  };

  const fanOut = async (freedAfter) => {
    // Each place takes the next item as soon as its previous one finishes.
    let next = 0;
    let firstStart = Infinity;
    let lastFinish = 0;
    const place = async () => {
      let freedAt = null;
      while (next < items) {
        const index = next++;
        const run = await call();
        if (freedAt !== null) itemDelays.push(run.startedAt - freedAt);
        if (index < concurrency) firstStart = Math.min(firstStart, run.startedAt);
        freedAt = run.finishedAt;
        lastFinish = Math.max(lastFinish, run.finishedAt);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, items) }, place));
    nodeDelays.push(firstStart - freedAfter);
    return lastFinish;
  };

  const workflow = async () => {
    const start = await call();
    const fanEnd = await fanOut(start.finishedAt);
    await Promise.all(
      Array.from({ length: branches }, async () => {
        const b = await call();
        nodeDelays.push(b.startedAt - fanEnd);
        const c = await call();
        nodeDelays.push(c.startedAt - b.finishedAt);
      }),
    );
  };

  await Promise.all(Array.from({ length: workflows }, workflow));
  ends.close();
  return { nodeDelays, itemDelays, retried };
}
