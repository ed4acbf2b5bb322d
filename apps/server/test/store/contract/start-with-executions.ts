/**
 * Contract: a run's start written with its executions — inserted in the start's transaction for
 * the runs it starts only, in order, with their ids and trigger's logId; a run already started,
 * cancelled, refused by a limit or named twice gets none.
 */
import { describe, expect, it } from 'vitest';
import type { NewExecution } from '../../../src/store/executor-records.js';
import type { Store, TaskRecord } from '../../../src/store/store.js';
import { endRuns, scheduledRuns, seed, start, taskInput, type ContractContext } from './context.js';

async function executorTask(store: Store): Promise<TaskRecord> {
  return store.createTask(taskInput(await seed(store), { type: 'executor', config: { handler: 'h' } }));
}

function executions(task: TaskRecord, runId: number, shards: number): NewExecution[] {
  return Array.from({ length: shards }, (_, shardIndex) => ({
    runId,
    taskId: task.id,
    appId: task.appId,
    shardIndex,
    shardTotal: shards,
    executorAddress: `pull://worker-${shardIndex}`,
    status: 'queued' as const,
    trigger: { jobId: task.id, executorHandler: 'h', broadcastIndex: shardIndex },
    createdAt: 3_000 + shardIndex,
  }));
}

export function defineStartWithExecutionsContract(ctx: ContractContext): void {
  describe('startRunsWithExecutions', () => {
    it('inserts the executions of the runs it starts, none of the others', async () => {
      const store = ctx.store;
      const task = await executorTask(store);
      const [a, b, c, d] = await scheduledRuns(store, task, 4);
      await endRuns(store, [{ runId: b!, status: 'cancelled' }]);
      const outcomes = await store.startRunsWithExecutions([
        { ...start(a!), executions: executions(task, a!, 2) },
        { ...start(b!), executions: executions(task, b!, 1) },
        start(c!),
        { ...start(a!), executions: executions(task, a!, 1) },
        { ...start(d!), executions: executions(task, d!, 1) },
      ]);
      expect(outcomes.map((o) => o.result)).toEqual(['started', 'gone', 'started', 'gone', 'started']);
      expect(outcomes.map((o) => o.executions.length)).toEqual([2, 0, 0, 0, 1]);
      const [first, second] = outcomes[0]!.executions;
      expect(first).toMatchObject({
        runId: a,
        shardIndex: 0,
        shardTotal: 2,
        executorAddress: 'pull://worker-0',
        status: 'queued',
        handleCode: null,
        createdAt: 3_000,
      });
      expect(first?.trigger).toEqual({
        jobId: task.id,
        executorHandler: 'h',
        broadcastIndex: 0,
        logId: first?.id,
        logDateTime: 3_000,
      });
      expect(second).toMatchObject({ runId: a, shardIndex: 1 });
      expect(await store.listExecutionsOfRun(a!)).toEqual(outcomes[0]!.executions);
      expect(await store.listExecutionsOfRun(b!)).toEqual([]);
      expect(await store.listExecutionsOfRun(d!)).toEqual(outcomes[4]!.executions);
      // A second start of a running run writes nothing more.
      const again = await store.startRunsWithExecutions([
        { ...start(d!), executions: executions(task, d!, 1) },
      ]);
      expect(again).toEqual([{ result: 'gone', executions: [] }]);
      expect(await store.listExecutionsOfRun(d!)).toHaveLength(1);
      expect((await store.getRun(a!))?.status).toBe('running');
    });
  });

  describe('admitRunsWithExecutions', () => {
    it('inserts the executions of the runs it admits, none of those over a limit', async () => {
      const store = ctx.store;
      const task = await executorTask(store);
      const ids = await scheduledRuns(store, task, 3);
      const request = (runId: number, taskMax: number | null) => ({
        ...start(runId),
        taskId: task.id,
        appId: task.appId,
        taskMax,
        appMax: null,
        executions: executions(task, runId, 1),
      });
      const outcomes = await store.admitRunsWithExecutions([
        request(ids[0]!, 2),
        request(ids[1]!, 2),
        request(ids[2]!, 2),
      ]);
      expect(outcomes.map((o) => o.result)).toEqual(['started', 'started', 'task_busy']);
      expect(outcomes.map((o) => o.executions.map((e) => e.runId))).toEqual([[ids[0]], [ids[1]], []]);
      expect(await store.listExecutionsOfRun(ids[2]!)).toEqual([]);
      // With no limit to count (one statement on PostgreSQL), the same.
      const [free] = await scheduledRuns(store, task, 1, { scheduledAt: 9_000 });
      const [unlimited] = await store.admitRunsWithExecutions([request(free!, null)]);
      expect(unlimited?.result).toBe('started');
      expect(await store.listExecutionsOfRun(free!)).toEqual(unlimited?.executions);
    });
  });
}
