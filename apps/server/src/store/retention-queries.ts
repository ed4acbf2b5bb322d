/**
 * The retention operations of a Kysely store (RetentionStore). Each read is bounded by a limit
 * and walks an index in order (runs by (namespace_id, id), a task's runs by (task_id, id)), so a
 * pruning step costs the same with 10,000 runs or 10,000,000. Deletes name their runs by id and
 * re-check that they are finished in the same statement; the foreign keys' cascades take their
 * logs, events and executions with them.
 */
import type { Kysely } from 'kysely';
import type { Database } from './db-schema.js';
import type { RetentionSettings, RetentionStore, RunToPrune, SpaceReport } from './retention-store.js';
import { NON_TERMINAL_STATUSES } from './row-mapping.js';

export function retentionOperations(parts: {
  db: Kysely<Database>;
  now: () => number;
  /** The pruner's cluster-wide lock (PostgreSQL); absent: always held. */
  holdPrunerLock?: (() => Promise<boolean>) | undefined;
  /** A dialect's space reclaiming (SQLite); absent: nothing to do. */
  reclaimSpace?: ((pages: number) => Promise<SpaceReport>) | undefined;
}): RetentionStore {
  const { db } = parts;
  const settingsOf = (row: {
    keep_days: number | null;
    keep_runs_per_task: number | null;
    keep_logs_days: number | null;
  }): RetentionSettings => ({
    keepDays: row.keep_days,
    keepRunsPerTask: row.keep_runs_per_task,
    keepLogsDays: row.keep_logs_days,
  });
  const SETTINGS = ['namespace_id', 'keep_days', 'keep_runs_per_task', 'keep_logs_days'] as const;

  return {
    async getRetention(namespaceId) {
      const row = await db
        .selectFrom('namespace_retention')
        .select(SETTINGS)
        .where('namespace_id', '=', namespaceId)
        .executeTakeFirst();
      return row && settingsOf(row);
    },

    async setRetention(namespaceId, settings) {
      const values = {
        keep_days: settings.keepDays,
        keep_runs_per_task: settings.keepRunsPerTask,
        keep_logs_days: settings.keepLogsDays,
        updated_at: parts.now(),
      };
      await db
        .insertInto('namespace_retention')
        .values({ namespace_id: namespaceId, ...values })
        .onConflict((oc) => oc.column('namespace_id').doUpdateSet(values))
        .execute();
      return settings;
    },

    async listRetention() {
      const rows = await db.selectFrom('namespace_retention').select(SETTINGS).execute();
      return new Map(rows.map((row) => [Number(row.namespace_id), settingsOf(row)]));
    },

    async scanRunsToPrune(namespaceId, afterId, limit): Promise<RunToPrune[]> {
      const rows = await db
        .selectFrom('runs')
        .select(['id', 'status', 'finished_at', 'scheduled_at', 'created_at'])
        .where('namespace_id', '=', namespaceId)
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((row) => ({
        id: row.id,
        finished: !(NON_TERMINAL_STATUSES as readonly string[]).includes(row.status),
        endedAt: row.finished_at ?? row.scheduled_at,
        createdAt: row.created_at,
      }));
    },

    async deleteFinishedRuns(runIds) {
      if (runIds.length === 0) return 0;
      const result = await db
        .deleteFrom('runs')
        .where('id', 'in', runIds)
        .where('status', 'not in', NON_TERMINAL_STATUSES)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async deleteRunDetails(runIds) {
      if (runIds.length === 0) return 0;
      const logs = await db.deleteFrom('run_logs').where('run_id', 'in', runIds).executeTakeFirst();
      const events = await db.deleteFrom('run_events').where('run_id', 'in', runIds).executeTakeFirst();
      return Number(logs.numDeletedRows) + Number(events.numDeletedRows);
    },

    async listTaskIdsAfter(namespaceId, afterId, limit) {
      const rows = await db
        .selectFrom('tasks')
        .select('id')
        .where('namespace_id', '=', namespaceId)
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((row) => row.id);
    },

    async runsBeyondNewest(taskId, keep, limit) {
      // The keep-th newest run's id bounds the rest: one step down runs_task_id_idx.
      const boundary = await db
        .selectFrom('runs')
        .select('id')
        .where('task_id', '=', taskId)
        .orderBy('id', 'desc')
        .limit(1)
        .offset(keep - 1)
        .executeTakeFirst();
      if (boundary === undefined) return [];
      const rows = await db
        .selectFrom('runs')
        .select('id')
        .where('task_id', '=', taskId)
        .where('id', '<', boundary.id)
        .where('status', 'not in', NON_TERMINAL_STATUSES)
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((row) => row.id);
    },

    holdPrunerLock: parts.holdPrunerLock ?? (() => Promise.resolve(true)),
    reclaimSpace: parts.reclaimSpace ?? (() => Promise.resolve({ freePages: 0, incremental: true })),
  };
}

/** SQLite's step of incremental vacuum (see sqlite-store.ts for the file's auto_vacuum mode). */
export function sqliteReclaimSpace(
  pragma: (source: string) => unknown,
): (pages: number) => Promise<SpaceReport> {
  return (pages) => {
    const incremental = Number(pragma('auto_vacuum')) === 2;
    if (incremental && pages > 0) pragma(`incremental_vacuum(${Math.floor(pages)})`);
    return Promise.resolve({ freePages: Number(pragma('freelist_count')), incremental });
  };
}
