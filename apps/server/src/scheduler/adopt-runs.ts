/**
 * Takes over the planned runs of a node that stopped (recovery adopted their leases). A slot
 * later than its task's misfire threshold gets the task's misfire policy (misfire-on-adoption.ts):
 * skipped, or fired once, never fired late after the task's later slots; retries and triggered
 * runs always run. Skipped slots are settled like any run's end.
 */
import type { Clock } from '../clock.js';
import type { RunEngine } from '../runs/run-engine.js';
import type { RunRecord, Store, TaskRecord } from '../store/store.js';
import { misfiresOnAdoption } from './misfire-on-adoption.js';

export async function adoptRuns(
  deps: { store: Store; clock: Clock; engine: RunEngine },
  runs: RunRecord[],
): Promise<void> {
  const { store, clock, engine } = deps;
  const tasks = new Map<number, TaskRecord | undefined>();
  for (const run of runs) {
    if (!tasks.has(run.taskId)) tasks.set(run.taskId, await store.getTask(run.taskId));
  }
  const held = runs.flatMap((run) => {
    const task = tasks.get(run.taskId);
    return task ? [{ run, task }] : []; // deleted: its runs went with it
  });
  const { fire, skip } = misfiresOnAdoption(held, clock.now());
  for (const { run, task } of fire) engine.enqueue(run, task);
  await Promise.all(
    skip.map(({ run, task, error }) =>
      engine.settler.end(run, task, 'scheduled', { status: 'skipped', error, retryable: false }, null),
    ),
  );
}
