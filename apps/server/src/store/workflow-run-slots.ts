/**
 * A workflow's concurrency over its runs (`concurrency: { max, overlap }` of its current
 * definition), as for a task's runs: when `max` runs of the workflow are running, a new one is
 * left out (`skip`), waits `queued` until a running one ends (`queue`), ends the oldest running
 * ones `cancelled` and starts (`replace`), or starts anyway (`allow`). Decided inside the
 * transaction that starts the run, and queued runs are started inside the transaction that ends
 * a run, both under a lock on the workflow's row (an UPDATE that changes nothing: a row lock on
 * PostgreSQL, and SQLite's one writer), so nodes starting and ending runs of one workflow at once
 * never count the same room twice. Lock order: the workflow's row before its runs' rows, in every
 * write that takes both.
 */
import type { Kysely } from 'kysely';
import type { RunError } from '@kairos/protocol';
import type { Database } from './db-schema.js';
import { toJson } from './row-mapping.js';
import type { WorkflowDefinition } from './workflow-records.js';
import type { WriteSteps } from './write-steps.js';

type WorkflowDb = Kysely<Database>;
type Concurrency = WorkflowDefinition['concurrency'];

/** What a new run of a workflow does, given the runs of it running now (oldest first). */
export type StartDecision =
  { action: 'start'; replace: number[] } | { action: 'queue' } | { action: 'skip'; going: number };

export function decideStart(concurrency: Concurrency, running: readonly number[]): StartDecision {
  const { max, overlap } = concurrency;
  if (overlap === 'allow' || running.length < max) return { action: 'start', replace: [] };
  if (overlap === 'queue') return { action: 'queue' };
  if (overlap === 'replace') return { action: 'start', replace: running.slice(0, running.length - max + 1) };
  return { action: 'skip', going: running[0]! };
}

/** Locks the workflow's row for the transaction; its current concurrency (none: it is gone). */
export function* lockWorkflowSteps(db: WorkflowDb, workflowId: number): WriteSteps<Concurrency | undefined> {
  const [row] = yield db
    .updateTable('workflows')
    .set((eb) => ({ version: eb.ref('version') }))
    .where('id', '=', workflowId)
    .returning('definition')
    .compile();
  if (!row) return undefined;
  return (JSON.parse(row['definition'] as string) as WorkflowDefinition).concurrency;
}

/** Locks the workflow of a run (none: the run or its workflow is gone). */
export function* lockWorkflowOfRunSteps(
  db: WorkflowDb,
  workflowRunId: number,
): WriteSteps<{ id: number; concurrency: Concurrency | undefined } | undefined> {
  const [run] = yield db
    .selectFrom('workflow_runs')
    .select('workflow_id')
    .where('id', '=', workflowRunId)
    .compile();
  if (!run) return undefined;
  const id = Number(run['workflow_id']);
  return { id, concurrency: yield* lockWorkflowSteps(db, id) };
}

/** The workflow's running runs, oldest first. */
export function* runningRunsSteps(db: WorkflowDb, workflowId: number): WriteSteps<number[]> {
  const rows = yield db
    .selectFrom('workflow_runs')
    .select('id')
    .where('workflow_id', '=', workflowId)
    .where('status', '=', 'running')
    .orderBy('id')
    .compile();
  return rows.map((r) => Number(r['id']));
}

/** Ends runs (running or queued) and their undecided nodes; the ids of those it ended. */
export function* endRunsSteps(
  db: WorkflowDb,
  ids: readonly number[],
  status: 'cancelled' | 'timed_out',
  error: RunError,
  at: number,
): WriteSteps<number[]> {
  if (ids.length === 0) return [];
  const ended = yield db
    .updateTable('workflow_runs')
    .set((eb) => ({
      status,
      error: toJson(error),
      finished_at: at,
      advance_owed: 0,
      state_version: eb('state_version', '+', 1),
    }))
    .where('id', 'in', ids)
    .where('status', 'in', ['running', 'queued'])
    .returning('id')
    .compile();
  const endedIds = ended.map((r) => Number(r['id']));
  if (endedIds.length === 0) return [];
  yield db
    .updateTable('workflow_run_nodes')
    .set({ status: 'cancelled', output: null })
    .where('workflow_run_id', 'in', endedIds)
    .where('status', 'in', ['pending', 'running'])
    .compile();
  return endedIds;
}

/**
 * After a run of the workflow ended (its row locked by the caller, which gives its concurrency):
 * its oldest queued runs start while there is room, each owing its first advance (so a crash
 * after the commit leaves it to the sweep), its deadline counted from now. The ids started.
 */
export function* startQueuedSteps(
  db: WorkflowDb,
  workflowId: number,
  concurrency: Concurrency,
  now: number,
): WriteSteps<number[]> {
  const running = yield* runningRunsSteps(db, workflowId);
  const room = concurrency.overlap === 'allow' ? Number.MAX_SAFE_INTEGER : concurrency.max - running.length;
  if (room <= 0) return [];
  const queued = yield db
    .selectFrom('workflow_runs as r')
    .innerJoin('workflow_versions as v', (join) =>
      join.onRef('v.workflow_id', '=', 'r.workflow_id').onRef('v.version', '=', 'r.version'),
    )
    .select(['r.id', 'v.definition'])
    .where('r.workflow_id', '=', workflowId)
    .where('r.status', '=', 'queued')
    .orderBy('r.id')
    .limit(Math.min(room, 1000))
    .compile();
  const started: number[] = [];
  for (const row of queued) {
    const id = Number(row['id']);
    const { timeoutSeconds } = JSON.parse(row['definition'] as string) as WorkflowDefinition;
    yield db
      .updateTable('workflow_runs')
      .set((eb) => ({
        status: 'running',
        started_at: now,
        deadline_at: timeoutSeconds ? now + timeoutSeconds * 1000 : null,
        advance_owed: 1,
        state_version: eb('state_version', '+', 1),
      }))
      .where('id', '=', id)
      .where('status', '=', 'queued')
      .compile();
    started.push(id);
  }
  return started;
}
