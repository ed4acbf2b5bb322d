// Chaos on a PostgreSQL cluster: several real server processes on one database, tasks
// every second calling a local receiver that counts executions per run (the `kairos-run-id`
// header), nodes killed with SIGKILL and restarted. Prints JSON:
//
//   duplicates             runs executed more than once (must be 0)
//   missedSlots            slots between a task's first and last with no run recorded, neither
//                          a run of their own nor inside a misfire record's range (must be 0)
//   leftActive             runs still `scheduled`/`running` once the tasks are disabled and the
//                          cluster has settled (must be 0)
//   takeoverMs             per kill: from SIGKILL until the node is `dead` and holds no run
//                          (target ≤ 3000)
//   succeededUnexecuted    runs recorded `succeeded` that the receiver never saw (must be 0)
//   slotsExecutedTwice     slots whose work reached the receiver through two runs (a `lost`
//                          run whose request had left, then its retry): information, allowed
//   retriesSkipped         retries of lost runs ended `skipped` by the overlap policy: information
//
//   npm run chaos -- --minutes 10 [--nodes 3] [--tasks 10] [--kill-every-seconds 10]
//                    [--down-seconds 2] [--database-url postgres://…]
//   npm run chaos -- --sqlite 10 [--tasks 4]     one SQLite node killed mid-request 10 times
//
// The database URL defaults to KAIROS_TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test;
// a fresh schema is created in it and dropped at the end.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';

const MAIN = fileURLToPath(new URL('../apps/server/dist/main.js', import.meta.url));
const TOKEN = 'chaos-admin-token-0123456789';

/** A server process; resolves once it listens, with its URL and node id. */
async function startServer(databaseUrl, store = ['--database-url', databaseUrl]) {
  const child = spawn(process.execPath, [MAIN, '--port', '0', ...store], {
    env: { PATH: process.env.PATH ?? '', KAIROS_ADMIN_TOKEN: TOKEN, KAIROS_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk) => (err = (err + chunk.toString()).slice(-4000)));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    void exited.then(({ code }) => reject(new Error(`a node exited (${code}) at start: ${err}`)));
  });
  const nodes = await api(url, 'GET', '/api/v1/nodes');
  const self = nodes.items.find((n) => n.self);
  return { child, url, nodeId: self.id, exited, stderr: () => err };
}

async function api(url, method, path, body) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** The receiver: counts requests per run id; answers after `delayMs` so kills land mid-request. */
async function startReceiver(delayMs) {
  const executions = new Map();
  let unidentified = 0;
  let inFlight = 0;
  const server = createServer((req, res) => {
    inFlight += 1;
    res.on('close', () => (inFlight -= 1));
    const runId = Number(req.headers['kairos-run-id']);
    if (Number.isInteger(runId) && runId > 0) executions.set(runId, (executions.get(runId) ?? 0) + 1);
    else unidentified += 1;
    req.resume();
    setTimeout(() => res.end('ok'), delayMs);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    executions,
    unidentified: () => unidentified,
    inFlight: () => inFlight,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 50 ms until it answers true or `timeoutMs` passes; answers the ms waited or null. */
async function waitUntil(check, timeoutMs) {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) return null;
    await sleep(50);
  }
}

function withSearchPath(databaseUrl, schema) {
  const separator = databaseUrl.includes('?') ? '&' : '?';
  return `${databaseUrl}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

/**
 * Runs the chaos and answers its figures. `log` receives progress lines.
 * `kills`: kill exactly that many times, however long it takes on a busy machine (then run on
 * until `durationMs` has passed); without it, kill every `killEveryMs` until `durationMs`.
 * @param {{ databaseUrl?: string, durationMs?: number, nodes?: number, tasks?: number, kills?: number,
 *   killEveryMs?: number, downMs?: number, receiverDelayMs?: number, log?: (line: string) => void }} options
 */
export async function runChaos(options = {}) {
  const baseUrl =
    options.databaseUrl ?? process.env.KAIROS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const durationMs = options.durationMs ?? 60_000;
  const nodeCount = options.nodes ?? 3;
  const taskCount = options.tasks ?? 10;
  const killEveryMs = options.killEveryMs ?? 10_000;
  const downMs = options.downMs ?? 2000;
  const log = options.log ?? (() => undefined);

  const schema = `kairos_chaos_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const databaseUrl = withSearchPath(baseUrl, schema);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const receiver = await startReceiver(options.receiverDelayMs ?? 500);
  const servers = [];
  try {
    // All at once, on an empty database: they must all start.
    servers.push(...(await Promise.all(Array.from({ length: nodeCount }, () => startServer(databaseUrl)))));
    log(`${servers.length} nodes up: ${servers.map((s) => s.nodeId).join(', ')}`);
    const first = servers[0];
    await api(first.url, 'POST', '/api/v1/apps', { appName: 'chaos', name: 'Chaos' });
    const taskIds = [];
    for (let i = 0; i < taskCount; i++) {
      const task = await api(servers[i % servers.length].url, 'POST', '/api/v1/tasks', {
        name: `chaos ${i}`,
        app: 'chaos',
        type: 'http',
        config: { url: receiver.url, method: 'POST', body: { task: i } },
        schedule: { type: 'cron', expression: '* * * * * ?' },
        retry: { maxAttempts: 3, delaySeconds: 0 },
        timeoutSeconds: 10,
      });
      taskIds.push(task.id);
    }

    const kills = [];
    const until = Date.now() + durationMs;
    let turn = 0;
    const moreKills = () =>
      options.kills === undefined ? Date.now() + killEveryMs < until : kills.length < options.kills;
    while (moreKills()) {
      await sleep(killEveryMs - downMs);
      // The node with runs in flight, if one has some within a second (a kill mid-request is
      // the case that matters); else the next in turn.
      let index = turn++ % servers.length;
      await waitUntil(async () => {
        const { rows } = await db.query(
          `SELECT lease_owner, count(*)::int AS n FROM runs WHERE status = 'running' GROUP BY lease_owner ORDER BY n DESC`,
        );
        const busy = servers.findIndex((s) => s.nodeId === rows[0]?.lease_owner);
        if (busy >= 0) index = busy;
        return busy >= 0;
      }, 1000);
      const victim = servers[index];
      const killedAt = Date.now();
      victim.child.kill('SIGKILL');
      await victim.exited;
      const takeoverMs = await waitUntil(async () => {
        const { rows } = await db.query(
          `SELECT (SELECT state FROM nodes WHERE id = $1) AS state,
                  (SELECT count(*)::int FROM runs WHERE lease_owner = $1
                     AND status IN ('scheduled', 'running') AND lease_expires_at > 0) AS held`,
          [victim.nodeId],
        );
        return rows[0].state === 'dead' && rows[0].held === 0;
      }, 30_000);
      // From the kill (not from the wait's start), to within one 50 ms poll.
      kills.push({ node: victim.nodeId, takeoverMs: takeoverMs === null ? null : Date.now() - killedAt });
      log(`killed ${victim.nodeId}: taken over in ${kills.at(-1).takeoverMs} ms`);
      await sleep(Math.max(0, downMs - (Date.now() - killedAt)));
      servers[index] = await startServer(databaseUrl);
      log(`restarted as ${servers[index].nodeId}`);
    }
    await sleep(Math.max(0, until - Date.now()));

    // Settle: no new slots, then wait for the runs under way (and their retries) to end.
    for (const id of taskIds) await api(servers[0].url, 'POST', `/api/v1/tasks/${id}/disable`);
    const settleMs = await waitUntil(async () => {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM runs WHERE status IN ('scheduled', 'running')`,
      );
      return rows[0].n === 0;
    }, 30_000);
    for (const server of servers) server.child.kill('SIGTERM');
    const exits = await Promise.all(servers.map((s) => s.exited));

    const { rows } = await db.query(RUNS_QUERY);
    return {
      ...analyse(rows, receiver, taskIds),
      kills,
      settleMs,
      exitCodes: exits.map((e) => e.code),
    };
  } finally {
    for (const server of servers) if (server.child.exitCode === null) server.child.kill('SIGKILL');
    await receiver.close();
    await db.end();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

/**
 * One SQLite node killed with SIGKILL while a request is in flight, and restarted on the same
 * data directory, `kills` times. Answers the same figures (no takeover: the restart recovers).
 * @param {{ kills?: number, tasks?: number, receiverDelayMs?: number, log?: (line: string) => void }} options
 */
export async function runSqliteChaos(options = {}) {
  const kills = options.kills ?? 5;
  const taskCount = options.tasks ?? 4;
  const log = options.log ?? (() => undefined);
  const dataDir = mkdtempSync(join(tmpdir(), 'kairos-chaos-'));
  const store = ['--data-dir', dataDir];
  const receiver = await startReceiver(options.receiverDelayMs ?? 500);
  let server;
  try {
    server = await startServer(undefined, store);
    await api(server.url, 'POST', '/api/v1/apps', { appName: 'chaos', name: 'Chaos' });
    const taskIds = [];
    for (let i = 0; i < taskCount; i++) {
      const task = await api(server.url, 'POST', '/api/v1/tasks', {
        name: `chaos ${i}`,
        app: 'chaos',
        type: 'http',
        config: { url: receiver.url, method: 'POST', body: { task: i } },
        schedule: { type: 'cron', expression: '* * * * * ?' },
        retry: { maxAttempts: 3, delaySeconds: 0 },
        timeoutSeconds: 10,
      });
      taskIds.push(task.id);
    }
    let killedMidRequest = 0;
    for (let k = 0; k < kills; k++) {
      const caught = await waitUntil(() => receiver.inFlight() > 0, 5000);
      if (caught !== null) killedMidRequest += 1;
      server.child.kill('SIGKILL');
      await server.exited;
      server = await startServer(undefined, store);
      log(`killed and restarted (${caught === null ? 'no request in flight' : 'mid-request'})`);
      await sleep(1500);
    }
    for (const id of taskIds) await api(server.url, 'POST', `/api/v1/tasks/${id}/disable`);
    const settleMs = await waitUntil(async () => {
      const active = await api(server.url, 'GET', '/api/v1/runs?status=scheduled,running&limit=1');
      return active.items.length === 0;
    }, 30_000);
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    const db = new Database(join(dataDir, 'kairos.db'), { readonly: true });
    const rows = db.prepare(RUNS_QUERY).all();
    db.close();
    return { ...analyse(rows, receiver, taskIds), killedMidRequest, settleMs, exitCodes: [exit.code] };
  } finally {
    if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const RUNS_QUERY = `SELECT id, task_id, trigger_type, status, slot_at, retry_of, error FROM runs ORDER BY id`;

function analyse(rows, receiver, taskIds) {
  // BIGINT columns arrive as strings from a pool without Kairos's int8 parser.
  const num = (value) => (value === null ? null : Number(value));
  const runs = rows.map((r) => ({
    ...r,
    id: num(r.id),
    task_id: num(r.task_id),
    slot_at: num(r.slot_at),
    retry_of: num(r.retry_of),
  }));
  const statuses = {};
  for (const run of runs) statuses[run.status] = (statuses[run.status] ?? 0) + 1;
  const byId = new Map(runs.map((r) => [r.id, r]));

  const duplicates = [...receiver.executions].filter(([, n]) => n > 1).map(([id, n]) => ({ runId: id, n }));
  const unknownRuns = [...receiver.executions.keys()].filter((id) => !byId.has(id));
  const succeededUnexecuted = runs.filter((r) => r.status === 'succeeded' && !receiver.executions.has(r.id));

  // A slot's work, through its run and the retries of it.
  const slotOf = (run) => {
    let current = run;
    for (let i = 0; i < 10 && current.retry_of !== null; i++) current = byId.get(current.retry_of) ?? current;
    return current.slot_at === null ? null : `${current.task_id}:${current.slot_at}`;
  };
  const executedPerSlot = new Map();
  for (const [id] of receiver.executions) {
    const run = byId.get(id);
    const slot = run && slotOf(run);
    if (slot) executedPerSlot.set(slot, (executedPerSlot.get(slot) ?? 0) + 1);
  }
  const slotsExecutedTwice = [...executedPerSlot.values()].filter((n) => n > 1).length;

  // Every whole second between a task's first and last slot has a run, or lies in a misfire record.
  let missedSlots = 0;
  const missedExamples = [];
  for (const taskId of taskIds) {
    const own = runs.filter((r) => r.task_id === taskId && r.slot_at !== null);
    if (own.length === 0) continue;
    const slots = new Set(own.map((r) => r.slot_at));
    const ranges = own
      .filter((r) => r.status === 'skipped' && r.error)
      .map((r) => JSON.parse(r.error))
      .filter((e) => e.type === 'misfire')
      .map((e) => [Date.parse(e.firstMissedAt), Date.parse(e.lastMissedAt)]);
    const first = Math.min(...slots);
    const last = Math.max(...slots);
    for (let at = first; at <= last; at += 1000) {
      if (slots.has(at) || ranges.some(([from, to]) => at >= from && at <= to)) continue;
      missedSlots += 1;
      if (missedExamples.length < 5) missedExamples.push({ taskId, slotAt: new Date(at).toISOString() });
    }
  }
  const leftActive = runs.filter((r) => r.status === 'scheduled' || r.status === 'running').length;
  return {
    runs: runs.length,
    statuses,
    executions: [...receiver.executions.values()].reduce((a, b) => a + b, 0),
    duplicates: duplicates.length,
    duplicateExamples: duplicates.slice(0, 5),
    unidentifiedRequests: receiver.unidentified(),
    unknownRuns: unknownRuns.length,
    succeededUnexecuted: succeededUnexecuted.length,
    missedSlots,
    missedExamples,
    leftActive,
    slotsExecutedTwice,
    // Retries of lost runs that the overlap policy skipped (they must never be).
    retriesSkipped: runs.filter((r) => r.trigger_type === 'retry' && r.status === 'skipped').length,
    skippedByTrigger: countBy(runs.filter((r) => r.status === 'skipped').map((r) => r.trigger_type)),
  };
}

function countBy(values) {
  const out = {};
  for (const value of values) out[value] = (out[value] ?? 0) + 1;
  return out;
}

function flagsOf(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const opts = flagsOf(process.argv.slice(2));
  const log = (line) => process.stderr.write(`${line}\n`);
  if (opts.sqlite !== undefined) {
    const result = await runSqliteChaos({ kills: Number(opts.sqlite), tasks: Number(opts.tasks ?? 4), log });
    process.stdout.write(`${JSON.stringify({ bench: 'chaos-sqlite', ...result }, null, 2)}\n`);
  } else {
    const result = await runChaos({
      databaseUrl: opts['database-url'],
      durationMs: Number(opts.minutes ?? 1) * 60_000,
      nodes: Number(opts.nodes ?? 3),
      tasks: Number(opts.tasks ?? 10),
      killEveryMs: Number(opts['kill-every-seconds'] ?? 10) * 1000,
      downMs: Number(opts['down-seconds'] ?? 2) * 1000,
      log,
    });
    const takeovers = result.kills.map((k) => k.takeoverMs).filter((t) => t !== null);
    process.stdout.write(
      `${JSON.stringify(
        {
          bench: 'chaos',
          ...result,
          takeoverMaxMs: takeovers.length ? Math.max(...takeovers) : null,
          takeoverFailed: result.kills.filter((k) => k.takeoverMs === null).length,
        },
        null,
        2,
      )}\n`,
    );
  }
}
