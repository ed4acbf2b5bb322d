/**
 * A batch of settlements applied on PostgreSQL inside the caller's transaction (the settlement's,
 * or recovery's), composed from the hand-written statements in hot-path/: the ends
 * (compare-and-set), the statistics rollup, the retries, the fixed-delay next fires, then the
 * successors' steps (then those left to the end of the batch) and the alerts'. A few statements, one round trip each, whatever the batch size.
 */
import { runColumns } from './row-mapping.js';
import { addRunsToStatsPostgres } from './run-stats-rollup.js';
import { afterBatchOf, inLockOrder, withSuccessors } from './settlement-batch.js';
import type { SettleResult, Settlement } from './store.js';
import {
  runStepsOnPostgres,
  type SettlementAlertWrites,
  type SettlementSuccessorWrites,
} from './write-steps.js';
import type { Queryable } from './hot-path/postgres-queryable.js';
import { insertRuns } from './hot-path/claim/postgres-insert-runs.js';
import { endRuns } from './hot-path/settle/postgres-end-runs.js';
import { setFixedDelayNextFires } from './hot-path/settle/postgres-set-fixed-delay-next-fires.js';

/**
 * Inside a transaction: ends the runs still in their expected status, then inserts the retries,
 * sets the fixed-delay next fires and writes the alerts of those ended. Settlements name
 * distinct runs.
 */
export async function applySettlements(
  client: Queryable,
  settlements: Settlement[],
  now: number,
  alertWrites: SettlementAlertWrites,
  successorWrites: SettlementSuccessorWrites,
): Promise<Map<number, SettleResult>> {
  const results = new Map<number, SettleResult>(
    settlements.map((s) => [s.runId, { settled: false, retry: null }]),
  );
  if (settlements.length === 0) return results;
  const endedIds = await endRuns(client, settlements);
  // The statistics rollups (run-stats-rollup.ts) count each run ended, in this transaction.
  await addRunsToStatsPostgres(client, [...endedIds]);
  const applied = settlements.filter((s) => endedIds.has(s.runId));
  for (const s of applied) results.set(s.runId, { settled: true, retry: null });
  const retries = applied.filter((s) => s.retry !== null);
  const inserted = await insertRuns(
    client,
    retries.map((s) => runColumns(s.retry!, now)),
  );
  // A retry is told from others by its idempotency key (one per run and attempt).
  const byKey = new Map(inserted.map((run) => [run.idempotencyKey, run]));
  for (const s of retries) {
    const retry = byKey.get(s.retry!.idempotencyKey ?? null);
    if (retry) results.set(s.runId, { settled: true, retry });
  }
  const fires = applied.filter((s) => s.nextFire !== null).map((s) => s.nextFire!);
  await setFixedDelayNextFires(client, fires);
  // In the order of the workflow runs they lock (a node's end locks its run's row first).
  for (const s of inLockOrder(applied)) {
    if (!s.successors) continue;
    const successors = await runStepsOnPostgres(client, successorWrites(s.successors));
    if (successors.length > 0) results.set(s.runId, { ...results.get(s.runId)!, successors });
  }
  // What the settlements left to the end of the batch, once per key (settlement-batch.ts).
  for (const { at, successors } of afterBatchOf(applied, () => true)) {
    const runId = applied[at]!.runId;
    const runs = await runStepsOnPostgres(client, successorWrites(successors));
    results.set(runId, withSuccessors(results.get(runId)!, runs));
  }
  // Alerts only where a rule watches the run: usually none, then no statement at all.
  for (const s of applied) {
    if (!s.alerts) continue;
    const { deliveries } = await runStepsOnPostgres(client, alertWrites(s.runId, s.alerts));
    if (deliveries > 0) results.set(s.runId, { ...results.get(s.runId)!, deliveries });
  }
  return results;
}
