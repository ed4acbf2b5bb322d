/**
 * Contract: settling a run — the end, its retry, a fixed-delay task's next fire and its alerts are
 * applied together in one transaction, only while the run is in the status its settler expected,
 * and a recovered `lost` run gets its retry and alerts in the recovery's transaction.
 */
import { describe, expect, it } from 'vitest';
import { decideSettlement } from '../../../src/runs/settlement.js';
import type { AlertRuleRecord } from '../../../src/store/alert-records.js';
import type { RunEnd, Store, TaskRecord } from '../../../src/store/store.js';
import { runInput, scheduledRuns, seed, start, taskInput, type ContractContext } from './context.js';

const RETRY = { maxAttempts: 3, backoff: 'fixed', delaySeconds: 10, maxDelaySeconds: 60 } as const;
const FIXED_DELAY = {
  type: 'fixed_delay',
  delaySeconds: 30,
  timezone: 'UTC',
  dstGap: 'shift',
  misfire: { policy: 'skip', thresholdSeconds: 5, maxCatchUp: 100 },
} as const;
const owner = { owner: 'node-a', leaseMs: 30_000 };
const failed: RunEnd = {
  status: 'failed',
  finishedAt: 5_000,
  durationMs: 3_000,
  error: { type: 'exception', message: 'boom' },
  retryable: true,
};

async function fixedDelayTask(store: Store): Promise<TaskRecord> {
  return store.createTask(taskInput(await seed(store), { schedule: FIXED_DELAY, retry: RETRY }));
}

/** A contact and two rules on the task: every failed attempt, and two failures in a row. */
async function watched(store: Store, task: TaskRecord): Promise<AlertRuleRecord[]> {
  const contact = await store.createContact({
    namespaceId: task.namespaceId,
    name: 'ops',
    email: 'ops@example.com',
    phone: '+15550001111',
    webhook: null,
  });
  const rule = {
    namespaceId: task.namespaceId,
    scope: { kind: 'task', taskId: task.id } as const,
    threshold: null,
    windowSeconds: null,
    notify: { contacts: [contact.id], groups: [], channels: ['email' as const, 'sms' as const] },
    silenceSeconds: 0,
    mutedUntil: null,
    enabled: true,
    templates: null,
  };
  return [
    await store.createAlertRule({ ...rule, name: 'each', on: 'failure_attempt' }),
    await store.createAlertRule({ ...rule, name: 'row', on: 'consecutive_failures', threshold: 2 }),
  ];
}

export function defineSettlementContract(ctx: ContractContext): void {
  describe('settleRuns', () => {
    it('ends the run, inserts its retry and sets the fixed-delay next fire, together', async () => {
      const store = ctx.store;
      const task = await fixedDelayTask(store);
      const [id] = await scheduledRuns(store, task, 1, { triggerType: 'schedule', slotAt: 1_000 });
      await store.markRunsStarted([start(id ?? 0)]);
      const run = (await store.getRun(id ?? 0))!;
      const settlement = decideSettlement(run, task, 'running', failed, owner);
      const [result] = await store.settleRuns([settlement]);
      expect(result?.settled).toBe(true);
      expect(result?.retry).toMatchObject({
        status: 'scheduled',
        triggerType: 'retry',
        attempt: 2,
        retryOf: run.id,
        scheduledAt: 15_000,
        leaseOwner: 'node-a',
      });
      expect(await store.getRun(run.id)).toMatchObject({
        status: 'failed',
        finishedAt: 5_000,
        effectAt: null,
      });
      const effect = { ...failed, status: 'succeeded' as const, retryable: false, effectAt: 2_500 };
      const [other] = await scheduledRuns(store, task, 1);
      await store.markRunsStarted([start(other ?? 0)]);
      await store.settleRuns([
        decideSettlement((await store.getRun(other ?? 0))!, task, 'running', effect, owner),
      ]);
      expect((await store.getRun(other ?? 0))?.effectAt).toBe(2_500);
      expect((await store.getTask(task.id))?.nextFireAt).toBe(35_000);

      // Settled again (a repeat, another node): nothing more is applied or inserted.
      expect(await store.settleRuns([settlement])).toEqual([{ settled: false, retry: null }]);
      expect(await store.countRuns({ taskId: task.id })).toBe(3);
    });

    it('applies only while the run has the expected status (compare-and-set)', async () => {
      const store = ctx.store;
      const task = await fixedDelayTask(store);
      const [a, b] = await scheduledRuns(store, task, 2);
      await store.markRunsStarted([start(a ?? 0)]);
      const runA = (await store.getRun(a ?? 0))!;
      const runB = (await store.getRun(b ?? 0))!;
      const cancelled: RunEnd = {
        status: 'cancelled',
        finishedAt: 4_000,
        durationMs: null,
        error: null,
        retryable: false,
      };
      const results = await store.settleRuns([
        // a is running: a settlement that expects it scheduled must not apply.
        decideSettlement(runA, task, 'scheduled', cancelled, owner),
        decideSettlement(runB, task, 'scheduled', cancelled, owner),
      ]);
      expect(results.map((r) => r.settled)).toEqual([false, true]);
      expect((await store.getRun(a ?? 0))?.status).toBe('running');
      expect((await store.getRun(b ?? 0))?.status).toBe('cancelled');
    });

    it('sets no next fire on a task that was disabled or already has one', async () => {
      const store = ctx.store;
      const disabled = await fixedDelayTask(store);
      const planned = await fixedDelayTask(store);
      await store.updateTask(disabled.id, { enabled: false });
      await store.updateTask(planned.id, { nextFireAt: 99_000 });
      const settle = async (task: TaskRecord) => {
        const [id] = await scheduledRuns(store, task, 1, { triggerType: 'schedule', slotAt: 1_000 });
        await store.markRunsStarted([start(id ?? 0)]);
        const end: RunEnd = { ...failed, status: 'succeeded', error: null, retryable: false };
        return store.settleRuns([
          decideSettlement((await store.getRun(id ?? 0))!, task, 'running', end, owner),
        ]);
      };
      await settle(disabled);
      await settle(planned);
      expect((await store.getTask(disabled.id))?.nextFireAt).toBeNull();
      expect((await store.getTask(planned.id))?.nextFireAt).toBe(99_000);
    });

    it('writes the alerts of the end with it, once, counting the earlier runs of the task', async () => {
      const store = ctx.store;
      const task = await fixedDelayTask(store);
      const rules = await watched(store, task);
      const ids = await scheduledRuns(store, task, 2);
      await store.markRunsStarted(ids.map((id) => start(id)));
      const noRetry = { ...failed, retryable: false };
      const settle = async (id: number) =>
        decideSettlement((await store.getRun(id))!, task, 'running', noRetry, owner, rules);
      const first = await settle(ids[0] ?? 0);
      const [a] = await store.settleRuns([first]);
      // The first failure: the per-attempt rule fires, the row of two not yet.
      expect(a).toMatchObject({ settled: true, deliveries: 2 });
      const [b] = await store.settleRuns([await settle(ids[1] ?? 0)]);
      expect(b).toMatchObject({ settled: true, deliveries: 4 });
      // A repeat of a settlement already applied writes nothing.
      expect(await store.settleRuns([first])).toEqual([{ settled: false, retry: null }]);
      const alerts = (await store.listAlerts({ namespaceId: task.namespaceId }, { limit: 10 })).items;
      expect(alerts.map((x) => [x.on, x.runId]).sort()).toEqual(
        [
          ['consecutive_failures', ids[1]],
          ['failure_attempt', ids[0]],
          ['failure_attempt', ids[1]],
        ].sort(),
      );
      expect(alerts.every((x) => x.deliveries.length === 2)).toBe(true);
    });

    it('recovery writes the alerts of the runs it settles lost', async () => {
      const store = ctx.store;
      const task = await fixedDelayTask(store);
      const rules = await watched(store, task);
      const { run } = await store.insertRun(runInput(task, { leaseOwner: 'dead', leaseExpiresAt: 1_000 }));
      await store.markRunsStarted([{ ...start(run.id, 'dead'), leaseExpiresAt: 1_000 }]);
      const lostEnd: RunEnd = {
        status: 'lost',
        finishedAt: 5_000,
        durationMs: null,
        error: { type: 'lost', message: 'x' },
        retryable: false,
      };
      const result = await store.recoverRuns(
        { owner: 'node-a', now: 5_000, leaseExpiresAt: 35_000, includeLive: false },
        (lost, t) => decideSettlement(lost, t, 'running', lostEnd, owner, rules),
      );
      expect(result.lost[0]).toMatchObject({ deliveries: 2 });
      const alerts = (await store.listAlerts({ namespaceId: task.namespaceId }, { limit: 10 })).items;
      expect(alerts.map((x) => [x.on, x.runId])).toEqual([['failure_attempt', run.id]]);
    });

    it('recovery settles a lost run with its retry in the same transaction', async () => {
      const store = ctx.store;
      const task = await fixedDelayTask(store);
      const { run } = await store.insertRun(runInput(task, { leaseOwner: 'dead', leaseExpiresAt: 1_000 }));
      await store.markRunsStarted([{ ...start(run.id, 'dead'), leaseExpiresAt: 1_000 }]);
      const seen: (TaskRecord | undefined)[] = [];
      const result = await store.recoverRuns(
        { owner: 'node-a', now: 5_000, leaseExpiresAt: 35_000, includeLive: false },
        (lost, t) => {
          seen.push(t);
          const end: RunEnd = {
            status: 'lost',
            finishedAt: 5_000,
            durationMs: null,
            error: { type: 'lost', message: 'x' },
            retryable: true,
          };
          return decideSettlement(lost, t, 'running', end, owner);
        },
      );
      expect(seen.map((t) => t?.id)).toEqual([task.id]);
      expect(result.lost).toHaveLength(1);
      expect(result.lost[0]?.run).toMatchObject({ id: run.id, status: 'lost' });
      expect(result.lost[0]?.retry).toMatchObject({ attempt: 2, retryOf: run.id, status: 'scheduled' });
      expect((await store.getRun(run.id))?.status).toBe('lost');
    });
  });
}
