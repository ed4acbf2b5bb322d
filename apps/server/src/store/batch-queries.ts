/**
 * Batches and their items, both dialects. Writes of several statements (items
 * with their batch's counters) are steps (write-steps.ts): one transaction each, never a Kysely
 * transaction on the SQLite connection. Every statement on items goes through the index
 * (batch_id, status, seq): the feeder's reads touch only the rows they return, whatever the
 * batch's size.
 */
import type { Kysely, Selectable } from 'kysely';
import type { RunError } from '@kairos/protocol';
import type { BatchItemsTable, BatchesTable, Database } from './db-schema.js';
import { decodeCursor, toPage } from './pagination.js';
import { namespaceIdList } from './namespace-scope.js';
import { toJson, toRunRecord } from './row-mapping.js';
import type { StepRunner, WriteSteps } from './write-steps.js';
import type {
  BatchItemRecord,
  BatchItemStatus,
  BatchRecord,
  BatchSource,
  BatchStatus,
  BatchStore,
} from './batch-store.js';

const fromJson = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

export function toBatchRecord(row: Selectable<BatchesTable>): BatchRecord {
  return {
    id: Number(row.id),
    namespaceId: Number(row.namespace_id),
    taskId: Number(row.task_id),
    name: row.name,
    status: row.status as BatchStatus,
    concurrency: Number(row.concurrency),
    pool: row.pool,
    input: fromJson(row.input) as Record<string, unknown> | null,
    source: JSON.parse(row.source) as BatchSource,
    total: Number(row.total),
    invalid: Number(row.invalid),
    succeeded: Number(row.succeeded),
    failed: Number(row.failed),
    cancelled: Number(row.cancelled),
    tokens: Number(row.tokens),
    cost: Number(row.cost),
    currency: row.currency,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
}

function toItemRecord(row: Selectable<BatchItemsTable>): BatchItemRecord {
  return {
    batchId: Number(row.batch_id),
    seq: Number(row.seq),
    status: row.status as BatchItemStatus,
    input: fromJson(row.input) as Record<string, unknown> | null,
    attempt: Number(row.attempt),
    runId: row.run_id === null ? null : Number(row.run_id),
    output: fromJson(row.output),
    error: fromJson(row.error) as RunError | null,
    tokens: row.tokens === null ? null : Number(row.tokens),
    cost: row.cost === null ? null : Number(row.cost),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
}

/** Rows per INSERT statement: well under SQLite's 32,766 bound parameters (5 columns a row). */
const ITEMS_PER_INSERT = 500;

export function batchOperations(parts: {
  db: Kysely<Database>;
  runSteps: StepRunner;
}): Omit<BatchStore, 'claimBatchFeeds' | 'releaseBatchFeeds' | 'copyBatchItems'> {
  const { db, runSteps } = parts;

  function* batchAfter(id: number): WriteSteps<BatchRecord | undefined> {
    const [row] = yield db.selectFrom('batches').selectAll().where('id', '=', id).compile();
    return row && toBatchRecord(row as Selectable<BatchesTable>);
  }

  return {
    async createBatch(batch) {
      const row = await db
        .insertInto('batches')
        .values({
          namespace_id: batch.namespaceId,
          task_id: batch.taskId,
          name: batch.name,
          status: 'preparing',
          concurrency: batch.concurrency,
          pool: batch.pool,
          input: toJson(batch.input ?? undefined),
          source: JSON.stringify(batch.source),
          total: batch.total,
          created_by: batch.createdBy,
          created_at: batch.createdAt,
          updated_at: batch.createdAt,
          finished_at: null,
          currency: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toBatchRecord(row);
    },

    appendBatchItems(batchId, items) {
      if (items.length === 0) return Promise.resolve();
      return runSteps(function* () {
        for (let i = 0; i < items.length; i += ITEMS_PER_INSERT) {
          const rows = items.slice(i, i + ITEMS_PER_INSERT).map((item) => ({
            batch_id: batchId,
            seq: item.seq,
            status: item.error ? 'invalid' : 'pending',
            input: toJson(item.input ?? undefined),
            error: toJson(item.error ?? undefined),
          }));
          yield db.insertInto('batch_items').values(rows).compile();
        }
        const invalid = items.filter((item) => item.error).length;
        if (invalid > 0) {
          yield db
            .updateTable('batches')
            .set((eb) => ({ invalid: eb('invalid', '+', invalid) }))
            .where('id', '=', batchId)
            .compile();
        }
      });
    },

    deleteBatch(id) {
      return runSteps(function* () {
        yield db.deleteFrom('batch_items').where('batch_id', '=', id).compile();
        const gone = yield db.deleteFrom('batches').where('id', '=', id).returning('id').compile();
        return gone.length > 0;
      });
    },

    async listStalePreparing(before) {
      const rows = await db
        .selectFrom('batches')
        .select('id')
        .where('status', '=', 'preparing')
        .where('updated_at', '<', before)
        .execute();
      return rows.map((r) => Number(r.id));
    },

    async getBatch(id) {
      const row = await db.selectFrom('batches').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toBatchRecord(row);
    },

    async listBatches(filter, page) {
      const before = decodeCursor(page.cursor);
      let query = db.selectFrom('batches').selectAll().where('status', '!=', 'preparing');
      if (filter.namespaceId !== undefined)
        query = query.where('namespace_id', 'in', namespaceIdList(filter.namespaceId));
      if (filter.taskId !== undefined) query = query.where('task_id', '=', filter.taskId);
      if (filter.statuses?.length) query = query.where('status', 'in', filter.statuses);
      if (before !== undefined) query = query.where('id', '<', before);
      const rows = await query
        .orderBy('id', 'desc')
        .limit(page.limit + 1)
        .execute();
      return toPage(rows.map(toBatchRecord), page.limit);
    },

    async listBatchesToFeed() {
      const rows = await db
        .selectFrom('batches')
        .selectAll()
        .where((eb) =>
          eb.or([
            eb('status', '=', 'running'),
            eb.and([
              eb('status', 'in', ['cancelled', 'paused']),
              eb.exists(
                eb
                  .selectFrom('batch_items')
                  .select('seq')
                  .whereRef('batch_items.batch_id', '=', 'batches.id')
                  .where('batch_items.status', '=', 'running'),
              ),
            ]),
          ]),
        )
        .orderBy('id')
        .execute();
      return rows.map(toBatchRecord);
    },

    setBatchStatus(id, to, from, now) {
      return runSteps(function* () {
        const changed = yield db
          .updateTable('batches')
          .set({
            status: to,
            updated_at: now,
            finished_at: to === 'cancelled' || to === 'completed' ? now : null,
          })
          .where('id', '=', id)
          .where('status', 'in', [...from])
          .$call((q) =>
            // Completed only once no item is left to run (a retry may have added some meanwhile).
            to === 'completed'
              ? q.where((eb) =>
                  eb.not(
                    eb.exists(
                      eb
                        .selectFrom('batch_items')
                        .select('seq')
                        .where('batch_items.batch_id', '=', id)
                        .where('batch_items.status', 'in', ['pending', 'running']),
                    ),
                  ),
                )
              : q,
          )
          .returning('id')
          .compile();
        if (changed.length === 0) return undefined;
        if (to === 'cancelled') {
          const [count] = yield db
            .selectFrom('batch_items')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('batch_id', '=', id)
            .where('status', '=', 'pending')
            .compile();
          const n = Number(count?.n ?? 0);
          if (n > 0) {
            yield db
              .updateTable('batch_items')
              .set({ status: 'cancelled', finished_at: now })
              .where('batch_id', '=', id)
              .where('status', '=', 'pending')
              .compile();
            yield db
              .updateTable('batches')
              .set((eb) => ({ cancelled: eb('cancelled', '+', n) }))
              .where('id', '=', id)
              .compile();
          }
        }
        return yield* batchAfter(id);
      });
    },

    async countItems(batchId, status) {
      const row = await db
        .selectFrom('batch_items')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('batch_id', '=', batchId)
        .where('status', '=', status)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    async nextPendingItems(batchId, limit) {
      const rows = await db
        .selectFrom('batch_items')
        .selectAll()
        .where('batch_id', '=', batchId)
        .where('status', '=', 'pending')
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map(toItemRecord);
    },

    async runningItems(batchId) {
      const items = await db
        .selectFrom('batch_items')
        .select(['seq', 'attempt', 'run_id'])
        .where('batch_id', '=', batchId)
        .where('status', '=', 'running')
        .execute();
      const ids = items.flatMap((i) => (i.run_id === null ? [] : [Number(i.run_id)]));
      const runs =
        ids.length === 0 ? [] : await db.selectFrom('runs').selectAll().where('id', 'in', ids).execute();
      const byId = new Map(runs.map((r) => [Number(r.id), toRunRecord(r)]));
      return items.map((i) => ({
        seq: Number(i.seq),
        attempt: Number(i.attempt),
        runId: Number(i.run_id ?? 0),
        run: byId.get(Number(i.run_id)),
      }));
    },

    markItemsRunning(batchId, starts) {
      return runSteps(function* () {
        const changed: number[] = [];
        for (const start of starts) {
          const rows = yield db
            .updateTable('batch_items')
            .set({ status: 'running', run_id: start.runId })
            .where('batch_id', '=', batchId)
            .where('seq', '=', start.seq)
            .where('status', '=', 'pending')
            .returning('seq')
            .compile();
          if (rows.length > 0) changed.push(start.seq);
        }
        return changed;
      });
    },

    followRetries(batchId, moves) {
      return runSteps(function* () {
        for (const move of moves) {
          yield db
            .updateTable('batch_items')
            .set({ run_id: move.runId })
            .where('batch_id', '=', batchId)
            .where('seq', '=', move.seq)
            .where('status', '=', 'running')
            .where('run_id', '=', move.fromRunId)
            .compile();
        }
      });
    },

    finishItems(batchId, ends, now) {
      return runSteps(function* () {
        const sums = { succeeded: 0, failed: 0, cancelled: 0, tokens: 0, cost: 0 };
        let currency: string | null = null;
        for (const end of ends) {
          const rows = yield db
            .updateTable('batch_items')
            .set({
              status: end.status,
              output: toJson(end.output ?? undefined),
              error: toJson(end.error ?? undefined),
              tokens: end.tokens,
              cost: end.cost,
              finished_at: end.finishedAt,
            })
            .where('batch_id', '=', batchId)
            .where('seq', '=', end.seq)
            .where('status', '=', 'running')
            .where('run_id', '=', end.runId)
            .returning('seq')
            .compile();
          if (rows.length === 0) continue;
          sums[end.status]++;
          sums.tokens += end.tokens ?? 0;
          sums.cost += end.cost ?? 0;
          currency ??= end.currency;
        }
        const ended = sums.succeeded + sums.failed + sums.cancelled;
        if (ended > 0) {
          yield db
            .updateTable('batches')
            .set((eb) => ({
              succeeded: eb('succeeded', '+', sums.succeeded),
              failed: eb('failed', '+', sums.failed),
              cancelled: eb('cancelled', '+', sums.cancelled),
              tokens: eb('tokens', '+', sums.tokens),
              cost: eb('cost', '+', sums.cost),
              currency: eb.fn.coalesce('currency', eb.val(currency)),
              updated_at: now,
            }))
            .where('id', '=', batchId)
            .compile();
        }
        return ended;
      });
    },

    retryFailedItems(batchId, now) {
      return runSteps(function* () {
        const [count] = yield db
          .selectFrom('batch_items')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('batch_id', '=', batchId)
          .where('status', '=', 'failed')
          .compile();
        const n = Number(count?.n ?? 0);
        if (n === 0) return 0;
        yield db
          .updateTable('batch_items')
          .set((eb) => ({
            status: 'pending',
            attempt: eb('attempt', '+', 1),
            run_id: null,
            output: null,
            error: null,
            tokens: null,
            cost: null,
            finished_at: null,
          }))
          .where('batch_id', '=', batchId)
          .where('status', '=', 'failed')
          .compile();
        yield db
          .updateTable('batches')
          .set((eb) => ({
            failed: eb('failed', '-', n),
            status: eb.case().when('status', '=', 'completed').then('running').else(eb.ref('status')).end(),
            finished_at: null,
            updated_at: now,
          }))
          .where('id', '=', batchId)
          .compile();
        return n;
      });
    },

    async listBatchItems(batchId, options) {
      let query = db
        .selectFrom('batch_items')
        .selectAll()
        .where('batch_id', '=', batchId)
        .where('seq', '>', options.afterSeq);
      if (options.statuses?.length) query = query.where('status', 'in', options.statuses);
      const rows = await query.orderBy('seq').limit(options.limit).execute();
      return rows.map(toItemRecord);
    },

    async runsByKeys(taskId, keys) {
      if (keys.length === 0) return [];
      const rows = await db
        .selectFrom('runs')
        .selectAll()
        .where('task_id', '=', taskId)
        .where('idempotency_key', 'in', keys)
        .execute();
      return rows.map(toRunRecord);
    },
  };
}
