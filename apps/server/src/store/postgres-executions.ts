/**
 * The executor statements PostgreSQL writes itself: the completions arriving in one turn of the
 * event loop (executors report each run on its own) in one statement, where each alone was a
 * round trip of its own, the most frequent statement of a run on an executor.
 */
import type { ExecutionRecord } from './executor-records.js';
import { toExecutionRecord } from './executor-queries.js';
import {
  completeExecutionsOnPostgres,
  type CompletionRequest,
} from './hot-path/executions/postgres-complete-executions.js';
import type { Queryable } from './hot-path/postgres-queryable.js';
import type { Store } from './store.js';
import { TurnBatch } from './turn-batch.js';

export function postgresExecutions(pool: Queryable): Pick<Store, 'completeExecution'> {
  const completions = new TurnBatch(async (requests: CompletionRequest[]) =>
    (await completeExecutionsOnPostgres(pool, requests)).map(
      (row): ExecutionRecord | undefined => row && toExecutionRecord(row),
    ),
  );
  return {
    async completeExecution(id, result, appIds) {
      if (appIds !== undefined && appIds.length === 0) return undefined;
      return completions.add({ id, result, appIds });
    },
  };
}
