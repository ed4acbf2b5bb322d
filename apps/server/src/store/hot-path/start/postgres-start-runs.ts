/**
 * Starts runs on PostgreSQL: those still `scheduled` once locked become `running`, and the
 * executions of each run started are inserted by the same statement, so a run's start and its
 * dispatch records are one commit (one round trip) instead of two.
 *
 * Safe under concurrency as the hot path's other batches are (postgres-hot-path.ts): the runs are
 * locked in id order (`FOR NO KEY UPDATE` in a MATERIALIZED CTE, so two batches wait for each
 * other instead of deadlocking), and the lock's re-check on the newest row version judges
 * "still scheduled" after any wait. The executions are inserted only for the ids the UPDATE
 * returned (data-modifying CTEs see each other's RETURNING), so a run cancelled or started
 * by another node meanwhile gets none.
 */
import type { Selectable } from 'kysely';
import { toExecutionRecord } from '../../executor-queries.js';
import type { ExecutionsTable } from '../../db-schema.js';
import type { ExecutionRecord } from '../../executor-records.js';
import type { StartRequest } from '../../store.js';

import type { Queryable } from '../postgres-queryable.js';

const START = `WITH v AS (
       SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bigint[])
         AS v(id, started_at, executor, lease_owner, lease_expires_at)
     ), locked AS MATERIALIZED (
       SELECT id FROM runs WHERE id = ANY($1::bigint[]) AND status = 'scheduled' ORDER BY id FOR NO KEY UPDATE
     ), started AS (
       UPDATE runs AS r SET status = 'running', started_at = v.started_at, executor = v.executor,
         lease_owner = v.lease_owner, lease_expires_at = v.lease_expires_at
       FROM locked JOIN v ON v.id = locked.id
       WHERE r.id = locked.id
       RETURNING r.id
     )`;

/** Without executions: the started ids. */
const START_ONLY = `${START} SELECT id AS started_id FROM started`;

/** With executions: one row per execution inserted, or one of nulls for a run started without any. */
const START_WITH_EXECUTIONS = `${START}, inserted AS (
       INSERT INTO executions (run_id, task_id, app_id, shard_index, shard_total, executor_address,
         status, trigger_body, created_at)
       SELECT e.run_id, e.task_id, e.app_id, e.shard_index, e.shard_total, e.executor_address,
         e.status, e.trigger_body, e.created_at
       FROM unnest($6::bigint[], $7::bigint[], $8::bigint[], $9::integer[], $10::integer[], $11::text[],
         $12::text[], $13::text[], $14::bigint[]) WITH ORDINALITY
         AS e(run_id, task_id, app_id, shard_index, shard_total, executor_address, status, trigger_body,
           created_at, n)
       WHERE e.run_id IN (SELECT id FROM started)
       ORDER BY e.n
       RETURNING *
     )
     SELECT started.id AS started_id, inserted.* FROM started LEFT JOIN inserted ON inserted.run_id = started.id`;

type Row = { started_id: number } & Partial<Selectable<ExecutionsTable>>;

/** Starts the runs still `scheduled`; returns the ids started, each with its executions as stored. */
export async function startRuns(
  client: Queryable,
  starts: StartRequest[],
): Promise<Map<number, ExecutionRecord[]>> {
  const runParams = [
    starts.map((s) => s.runId),
    starts.map((s) => s.startedAt),
    starts.map((s) => s.executor),
    starts.map((s) => s.leaseOwner),
    starts.map((s) => s.leaseExpiresAt),
  ];
  const executions = starts.flatMap((s) => s.executions ?? []);
  const result =
    executions.length === 0
      ? await client.query<Row>(START_ONLY, runParams)
      : await client.query<Row>(START_WITH_EXECUTIONS, [
          ...runParams,
          executions.map((e) => e.runId),
          executions.map((e) => e.taskId),
          executions.map((e) => e.appId),
          executions.map((e) => e.shardIndex),
          executions.map((e) => e.shardTotal),
          executions.map((e) => e.executorAddress),
          executions.map((e) => e.status),
          executions.map((e) => JSON.stringify(e.trigger)),
          executions.map((e) => e.createdAt),
        ]);
  const started = new Map<number, ExecutionRecord[]>();
  for (const row of result.rows) {
    const runId = Number(row.started_id);
    const list = started.get(runId) ?? [];
    if (row.id !== undefined && row.id !== null)
      list.push(toExecutionRecord(row as Selectable<ExecutionsTable>));
    started.set(runId, list);
  }
  for (const list of started.values()) list.sort((a, b) => a.shardIndex - b.shardIndex);
  return started;
}
