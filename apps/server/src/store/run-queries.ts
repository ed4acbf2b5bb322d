/**
 * Runs and logs through Kysely: inserting one run, reading, listing, cancelling and counting.
 * Each method is one statement (see kysely-store-base.ts for why no Kysely transactions). The
 * batched, concurrency-critical run operations live in the dialects' hot paths.
 */
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Database } from './db-schema.js';
import { activeRun } from './active-runs.js';
import { decodeCursor, toPage } from './pagination.js';
import { runColumns, toRunLogRecord, toRunRecord, type RunColumns } from './row-mapping.js';
import {
  StoreConflictError,
  type NewRun,
  type Page,
  type PageRequest,
  type RunFilter,
  type RunLogRecord,
  type RunRecord,
  type Store,
} from './store.js';
import { namespaceIdList } from './namespace-scope.js';

/** Rows per INSERT: well under both dialects' bound-parameter limits (SQLite 32766, PG 65535). */
const LOG_CHUNK = 1000;

/** Stored on a run cancelled before it started, so the UI can say why it never ran. */

type RunQuery<O> = SelectQueryBuilder<Database, 'runs', O>;

function applyRunFilter<O>(query: RunQuery<O>, filter: RunFilter): RunQuery<O> {
  let q = query;
  if (filter.namespaceId !== undefined)
    q = q.where('namespace_id', 'in', namespaceIdList(filter.namespaceId));
  if (filter.taskId !== undefined) q = q.where('task_id', '=', filter.taskId);
  if (filter.appId !== undefined) q = q.where('app_id', '=', filter.appId);
  // An empty list means "no filter" (as an absent one), never "match nothing".
  if (filter.statuses !== undefined && filter.statuses.length > 0)
    q = q.where('status', 'in', filter.statuses);
  if (filter.triggerTypes !== undefined && filter.triggerTypes.length > 0) {
    q = q.where('trigger_type', 'in', filter.triggerTypes);
  }
  if (filter.from !== undefined) q = q.where('scheduled_at', '>=', filter.from);
  if (filter.to !== undefined) q = q.where('scheduled_at', '<', filter.to);
  return q;
}

export type RunStore = Pick<
  Store,
  | 'insertRun'
  | 'insertRuns'
  | 'getRun'
  | 'listRuns'
  | 'countRuns'
  | 'requestCancel'
  | 'listCancelRequested'
  | 'listActiveRuns'
  | 'countRunning'
  | 'appendRunLogs'
  | 'listRunLogs'
>;

class RunQueries implements RunStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number,
    private readonly insertRunRows: (runs: RunColumns[]) => Promise<RunRecord[]>,
  ) {}

  async insertRun(run: NewRun): Promise<{ run: RunRecord; created: boolean }> {
    // ON CONFLICT DO NOTHING, then read the winner: two callers with one idempotency key race
    // safely, and neither gets an error (PostgreSQL waits for the other's insert to commit).
    const row = await this.db
      .insertInto('runs')
      .values(runColumns(run, this.now()))
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .executeTakeFirst();
    if (row !== undefined) return { run: toRunRecord(row), created: true };
    const existing =
      (run.idempotencyKey != null
        ? await this.findRun('idempotency_key', run.taskId, run.idempotencyKey)
        : undefined) ??
      (run.slotAt !== null ? await this.findRun('slot_at', run.taskId, run.slotAt) : undefined);
    if (existing === undefined) {
      throw new StoreConflictError(
        `A run of task ${run.taskId} conflicted and then vanished: try again`,
        'runs',
      );
    }
    return { run: existing, created: false };
  }

  async insertRuns(runs: NewRun[]): Promise<{ run: RunRecord; created: boolean }[]> {
    if (runs.length === 0) return [];
    const now = this.now();
    // One transaction. Rows are inserted in the order given and get rising ids, so the rows
    // returned, sorted by id, are the inserted runs in order; a run whose (task, idempotency key)
    // exists (or came earlier in this batch) is not among them.
    const inserted = await this.insertRunRows(runs.map((run) => runColumns(run, now)));
    const keyOf = (taskId: number, key: string) => `${taskId}\u0000${key}`;
    const byKey = new Map(
      inserted.filter((r) => r.idempotencyKey !== null).map((r) => [keyOf(r.taskId, r.idempotencyKey!), r]),
    );
    const unkeyed = inserted.filter((r) => r.idempotencyKey === null);
    const claimed = new Set<number>();
    const results: { run: RunRecord; created: boolean }[] = [];
    for (const run of runs) {
      if (run.idempotencyKey == null) {
        results.push({ run: unkeyed.shift()!, created: true });
        continue;
      }
      const mine = byKey.get(keyOf(run.taskId, run.idempotencyKey));
      if (mine && !claimed.has(mine.id)) {
        claimed.add(mine.id);
        results.push({ run: mine, created: true });
        continue;
      }
      const existing = mine ?? (await this.findRun('idempotency_key', run.taskId, run.idempotencyKey));
      if (existing === undefined) {
        throw new StoreConflictError(
          `A run of task ${run.taskId} conflicted and then vanished: try again`,
          'runs',
        );
      }
      results.push({ run: existing, created: false });
    }
    return results;
  }

  private async findRun(
    column: 'idempotency_key' | 'slot_at',
    taskId: number,
    value: string | number,
  ): Promise<RunRecord | undefined> {
    const row = await this.db
      .selectFrom('runs')
      .selectAll()
      .where('task_id', '=', taskId)
      .where(column, '=', value)
      .executeTakeFirst();
    return row && toRunRecord(row);
  }

  async getRun(id: number): Promise<RunRecord | undefined> {
    const row = await this.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRunRecord(row);
  }

  async listRuns(filter: RunFilter, page: PageRequest): Promise<Page<RunRecord>> {
    const before = decodeCursor(page.cursor);
    let query = applyRunFilter(this.db.selectFrom('runs').selectAll(), filter);
    if (before !== undefined) query = query.where('id', '<', before);
    const rows = await query
      .orderBy('id', 'desc')
      .limit(page.limit + 1)
      .execute();
    return toPage(rows.map(toRunRecord), page.limit);
  }

  async countRuns(filter: RunFilter): Promise<number> {
    const row = await applyRunFilter(
      this.db.selectFrom('runs').select((eb) => eb.fn.countAll().as('n')),
      filter,
    ).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async requestCancel(runId: number, at: number): Promise<RunRecord | undefined> {
    // Only a running run gets the request (its node aborts it); a scheduled one is cancelled by
    // settling it (RunSettler), which is a status change and goes through run-status.ts.
    const row = await this.db
      .updateTable('runs')
      .set({ cancel_requested_at: sql<number>`coalesce(cancel_requested_at, ${at})` })
      .where('id', '=', runId)
      .where('status', '=', 'running')
      .returningAll()
      .executeTakeFirst();
    if (row !== undefined) return toRunRecord(row);
    return this.getRun(runId);
  }

  async listCancelRequested(owner: string): Promise<number[]> {
    const rows = await this.db
      .selectFrom('runs')
      .select('id')
      .where('lease_owner', '=', owner)
      .where(activeRun)
      .where('status', '=', 'running')
      .where('cancel_requested_at', 'is not', null)
      .orderBy('id')
      .execute();
    return rows.map((row) => row.id);
  }

  async listActiveRuns(taskId: number): Promise<RunRecord[]> {
    const rows = await this.db
      .selectFrom('runs')
      .selectAll()
      .where('task_id', '=', taskId)
      .where(activeRun)
      .orderBy('scheduled_at')
      .orderBy('id')
      .execute();
    return rows.map(toRunRecord);
  }

  async countRunning(): Promise<{ byTask: Map<number, number>; byApp: Map<number, number> }> {
    const rows = await this.db
      .selectFrom('runs')
      .select(['task_id', 'app_id', (eb) => eb.fn.countAll().as('n')])
      .where('status', '=', 'running')
      .groupBy(['task_id', 'app_id'])
      .execute();
    const byTask = new Map<number, number>();
    const byApp = new Map<number, number>();
    for (const row of rows) {
      const n = Number(row.n);
      byTask.set(row.task_id, (byTask.get(row.task_id) ?? 0) + n);
      byApp.set(row.app_id, (byApp.get(row.app_id) ?? 0) + n);
    }
    return { byTask, byApp };
  }

  // ------------------------------------------------------------ logs

  async appendRunLogs(entries: Omit<RunLogRecord, 'seq'>[]): Promise<void> {
    for (let start = 0; start < entries.length; start += LOG_CHUNK) {
      const chunk = entries.slice(start, start + LOG_CHUNK);
      await this.db
        .insertInto('run_logs')
        .values(chunk.map((e) => ({ run_id: e.runId, at: e.at, stream: e.stream, text: e.text })))
        .execute();
    }
  }

  async listRunLogs(runId: number, afterSeq: number, limit: number): Promise<RunLogRecord[]> {
    const rows = await this.db
      .selectFrom('run_logs')
      .selectAll()
      .where('run_id', '=', runId)
      .where('id', '>', afterSeq)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toRunLogRecord);
  }
}

export function runOperations(parts: {
  db: Kysely<Database>;
  now: () => number;
  insertRunRows: (runs: RunColumns[]) => Promise<RunRecord[]>;
}): RunStore {
  const runs = new RunQueries(parts.db, parts.now, parts.insertRunRows);
  return {
    insertRun: (...args) => runs.insertRun(...args),
    insertRuns: (...args) => runs.insertRuns(...args),
    getRun: (...args) => runs.getRun(...args),
    listRuns: (...args) => runs.listRuns(...args),
    countRuns: (...args) => runs.countRuns(...args),
    requestCancel: (...args) => runs.requestCancel(...args),
    listCancelRequested: (...args) => runs.listCancelRequested(...args),
    listActiveRuns: (...args) => runs.listActiveRuns(...args),
    countRunning: (...args) => runs.countRunning(...args),
    appendRunLogs: (...args) => runs.appendRunLogs(...args),
    listRunLogs: (...args) => runs.listRunLogs(...args),
  };
}
