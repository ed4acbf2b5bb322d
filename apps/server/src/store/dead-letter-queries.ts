/**
 * The dead-letter operations of a Kysely store (DeadLetterStore). "No retry after it" is read
 * through the retry's idempotency key (`retry:<first run>:<attempt + 1>`, set by
 * runs/settlement.ts), so the existing unique index on (task_id, idempotency_key) answers it and
 * no index is added to the runs table that every insert would have to maintain.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, DeadLetterActionsTable, RunsTable } from './db-schema.js';
import type {
  DeadLetterAction,
  DeadLetterFilter,
  DeadLetterRecord,
  DeadLetterStore,
} from './dead-letter-store.js';
import { namespaceIdList } from './namespace-scope.js';
import { decodeCursor, toPage } from './pagination.js';
import { toJson, toRunRecord } from './row-mapping.js';

const FINAL_FAILURES = ['failed', 'timed_out', 'lost'] as const;

type Row = Selectable<RunsTable> & {
  task_name: string;
  dl_action: string | null;
  dl_new_run_id: number | null;
  dl_actor: string | null;
  dl_at: number | null;
};

function recordOf(row: Row): DeadLetterRecord {
  const { task_name, dl_action, dl_new_run_id, dl_actor, dl_at, ...run } = row;
  return {
    run: toRunRecord(run),
    taskName: task_name,
    action:
      dl_action === null
        ? null
        : {
            runId: Number(run.id),
            namespaceId: Number(run.namespace_id),
            action: dl_action as DeadLetterAction['action'],
            newRunId: dl_new_run_id === null ? null : Number(dl_new_run_id),
            actor: dl_actor,
            at: Number(dl_at),
          },
  };
}

export function deadLetterOperations(parts: { db: Kysely<Database> }): DeadLetterStore {
  const { db } = parts;

  const deadLetters = () =>
    db
      .selectFrom('runs as r')
      .innerJoin('tasks as t', 't.id', 'r.task_id')
      .leftJoin('dead_letter_actions as a', 'a.run_id', 'r.id')
      .selectAll('r')
      .select([
        't.name as task_name',
        'a.action as dl_action',
        'a.new_run_id as dl_new_run_id',
        'a.actor as dl_actor',
        'a.at as dl_at',
      ])
      .where('r.status', 'in', FINAL_FAILURES)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('runs as n')
              .select(sql`1`.as('one'))
              .whereRef('n.task_id', '=', 'r.task_id')
              .where(
                'n.idempotency_key',
                '=',
                sql<string>`'retry:' || coalesce(r.retry_of, r.id) || ':' || (r.attempt + 1)`,
              ),
          ),
        ),
      );

  return {
    async listDeadLetters(filter: DeadLetterFilter, page) {
      const before = decodeCursor(page.cursor);
      let q = deadLetters();
      if (filter.namespaceId !== undefined)
        q = q.where('r.namespace_id', 'in', namespaceIdList(filter.namespaceId));
      if (filter.taskId !== undefined) q = q.where('r.task_id', '=', filter.taskId);
      if (filter.statuses !== undefined && filter.statuses.length > 0)
        q = q.where('r.status', 'in', filter.statuses);
      if (filter.state === 'open') q = q.where('a.run_id', 'is', null);
      else if (filter.state !== 'all') q = q.where('a.action', '=', filter.state);
      if (filter.since !== undefined) q = q.where('r.finished_at', '>=', filter.since);
      if (filter.until !== undefined) q = q.where('r.finished_at', '<', filter.until);
      if (before !== undefined) q = q.where('r.id', '<', before);
      const rows = (await q
        .orderBy('r.id', 'desc')
        .limit(page.limit + 1)
        .execute()) as Row[];
      const page_ = toPage(
        rows.map((row) => ({ id: Number(row.id), row })),
        page.limit,
      );
      return { items: page_.items.map(({ row }) => recordOf(row)), nextCursor: page_.nextCursor };
    },

    async getDeadLetters(runIds) {
      if (runIds.length === 0) return new Map();
      const rows = (await deadLetters().where('r.id', 'in', runIds).execute()) as Row[];
      return new Map(rows.map((row) => [Number(row.id), recordOf(row)]));
    },

    async recordDeadLetterActions(actions) {
      if (actions.length === 0) return new Set();
      const rows = await db
        .insertInto('dead_letter_actions')
        .values(
          actions.map((a): DeadLetterActionsTable => ({
            run_id: a.runId,
            namespace_id: a.namespaceId,
            action: a.action,
            new_run_id: a.newRunId,
            actor: a.actor,
            at: a.at,
          })),
        )
        .onConflict((oc) => oc.column('run_id').doNothing())
        .returning('run_id')
        .execute();
      return new Set(rows.map((row) => Number(row.run_id)));
    },

    async setRunChecks(runId, checks) {
      await db
        .updateTable('runs')
        .set({ checks: toJson(checks) })
        .where('id', '=', runId)
        .where('status', 'in', ['scheduled', 'running'])
        .execute();
    },
  };
}
