/**
 * The executor statements PostgreSQL writes itself: the completions arriving in one turn of the
 * event loop (executors report each run on its own) in one statement, where each alone was a
 * round trip of its own, the most frequent statement of a run on an executor. A completion the
 * database refuses fails alone (postgres-complete-executions.ts).
 */
import type { ExecutionRecord } from './executor-records.js';
import { toExecutionRecord } from './executor-queries.js';
import {
  CompletionFailed,
  completeExecutionsOnPostgres,
  type CompletionRequest,
} from './hot-path/executions/postgres-complete-executions.js';
import type { Queryable } from './hot-path/postgres-queryable.js';
import type { Store } from './store.js';
import { TurnBatch } from './turn-batch.js';

export function postgresExecutions(pool: Queryable): Pick<Store, 'completeExecution'> {
  const completions = new TurnBatch((requests: CompletionRequest[]) =>
    completeExecutionsOnPostgres(pool, requests),
  );
  return {
    async completeExecution(id, result, appIds): Promise<ExecutionRecord | undefined> {
      if (appIds !== undefined && appIds.length === 0) return undefined;
      const outcome = await completions.add({ id, result, appIds });
      if (outcome instanceof CompletionFailed) throw outcome.error;
      return outcome && toExecutionRecord(outcome);
    },
  };
}
