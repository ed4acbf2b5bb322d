// The floor of bench/compare's single-trigger measure: a bare node:http server in the bench's
// process that answers each POST with the id of a row it wrote to a SQLite file (WAL, the
// requests of one turn in one transaction, as Kairos groups its writes), driven by the same
// client at the same parallelism. No scheduling, no checks, no execution: what any server on this
// machine accepts, one trigger per request, with each trigger stored before it is answered.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { setImmediate } from 'node:timers';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiClient } from '../support.js';

export async function startTriggerFloor() {
  const dir = mkdtempSync(join(tmpdir(), 'kairos-trigger-floor-'));
  const db = new Database(join(dir, 'floor.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE runs (id INTEGER PRIMARY KEY, task_id INTEGER, input TEXT, created_at INTEGER)');
  const insert = db.prepare('INSERT INTO runs (task_id, input, created_at) VALUES (?, ?, ?)');
  let waiting = [];
  const storeWaiting = db.transaction((triggers) => {
    for (const t of triggers) t.runId = Number(insert.run(t.taskId, t.input, Date.now()).lastInsertRowid);
  });
  const flush = () => {
    const triggers = waiting;
    waiting = [];
    storeWaiting(triggers);
    for (const t of triggers) {
      t.res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ runId: t.runId }));
    }
  };
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const taskId = Number(/\/tasks\/(\d+)\/run$/.exec(req.url)?.[1]);
      const input = JSON.stringify(JSON.parse(body || '{}').input ?? null);
      if (waiting.length === 0) setImmediate(flush);
      waiting.push({ taskId, input, res });
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    api: apiClient(url),
    stored: () => db.prepare('SELECT count(*) AS n FROM runs').get().n,
    async stop() {
      await new Promise((resolve) => server.close(resolve));
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
