/**
 * Child tasks (XXL-JOB's childJobId): when a run of a task succeeds, one run of each child task
 * is inserted in the same transaction as the end (trigger `parent`, `triggeredBy` the run). The
 * idempotency key `parent:<runId>` makes it once per parent run, whoever settles it. A child
 * deleted or moved to another namespace since it was named is left out; a disabled one too.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/db-schema.js';
import { runColumns } from '../store/row-mapping.js';
import type { RunRecord } from '../store/store.js';
import { insertRunsSteps, type Row, type WriteSteps } from '../store/write-steps.js';
import type { SuccessorLease } from './successors.js';

export function* childRunsSteps(
  db: Kysely<Database>,
  parent: RunRecord,
  childTaskIds: readonly number[],
  lease: SuccessorLease,
  now: number,
): WriteSteps<RunRecord[]> {
  const at = parent.finishedAt ?? now;
  const tasks: Row[] = yield db
    .selectFrom('tasks')
    .select(['id', 'app_id', 'namespace_id'])
    .where('id', 'in', [...childTaskIds])
    .where('namespace_id', '=', parent.namespaceId)
    .where('enabled', '=', 1)
    .orderBy('id')
    .compile();
  if (tasks.length === 0) return [];
  return yield* insertRunsSteps(
    tasks.map((task) =>
      runColumns(
        {
          taskId: Number(task['id']),
          appId: Number(task['app_id']),
          namespaceId: Number(task['namespace_id']),
          triggerType: 'parent',
          status: 'scheduled',
          slotAt: null,
          scheduledAt: at,
          attempt: 1,
          retryOf: null,
          input: null,
          idempotencyKey: `parent:${parent.id}`,
          leaseOwner: lease.owner,
          leaseExpiresAt: at + lease.leaseMs,
          triggeredBy: parent.id,
        },
        now,
      ),
    ),
  );
}
