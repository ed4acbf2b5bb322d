import { describe, expect, it } from 'vitest';
import { canChange } from '../../src/runs/run-status.js';
import { decideSettlement, retryDelayMs } from '../../src/runs/settlement.js';
import type { AlertRuleRecord } from '../../src/store/alert-records.js';
import type { RunEnd, RunRecord, TaskRecord } from '../../src/store/store.js';

const run: RunRecord = {
  id: 7,
  taskId: 3,
  appId: 2,
  namespaceId: 1,
  triggerType: 'schedule',
  status: 'running',
  slotAt: 90_000,
  scheduledAt: 90_000,
  startedAt: 90_001,
  finishedAt: null,
  durationMs: null,
  attempt: 1,
  retryOf: null,
  input: { a: 1 },
  output: null,
  error: null,
  executor: null,
  usage: null,
  idempotencyKey: null,
  leaseOwner: 'node-a',
  leaseExpiresAt: 120_000,
  cancelRequestedAt: null,
  effectAt: null,
  createdAt: 89_000,
};
const task = {
  id: 3,
  name: 'nightly',
  retry: { maxAttempts: 3, backoff: 'exponential', delaySeconds: 10, maxDelaySeconds: 15 },
  schedule: {
    type: 'fixed_delay',
    delaySeconds: 60,
    timezone: 'UTC',
    dstGap: 'shift',
    misfire: { policy: 'skip', thresholdSeconds: 5, maxCatchUp: 100 },
  },
} satisfies Pick<TaskRecord, 'id' | 'name' | 'retry' | 'schedule'>;
const ctx = { owner: 'node-a', leaseMs: 30_000 };
const end = (fields: Partial<RunEnd>): RunEnd => ({
  status: 'failed',
  finishedAt: 100_000,
  durationMs: 5,
  error: { type: 'exception', message: 'x' },
  retryable: true,
  ...fields,
});

describe('run status table', () => {
  it('allows a start and every end of a started run, and nothing out of an end', () => {
    expect(canChange('scheduled', 'running')).toBe(true);
    expect(canChange('scheduled', 'skipped')).toBe(true);
    expect(canChange('scheduled', 'succeeded')).toBe(false);
    expect(canChange('running', 'lost')).toBe(true);
    expect(canChange('running', 'skipped')).toBe(false);
    expect(canChange('succeeded', 'failed')).toBe(false);
    expect(canChange('lost', 'running')).toBe(false);
  });
});

describe('decideSettlement', () => {
  it('a retryable failure gets its retry after the backoff, keyed by its chain and attempt', () => {
    const s = decideSettlement(run, task, 'running', end({}), ctx);
    expect(s.retry).toMatchObject({
      triggerType: 'retry',
      attempt: 2,
      retryOf: 7,
      input: { a: 1 },
      scheduledAt: 110_000,
      idempotencyKey: 'retry:7:2',
      leaseOwner: 'node-a',
      leaseExpiresAt: 130_000,
    });
    expect(retryDelayMs(task.retry, 2)).toBe(15_000); // 20 s capped at maxDelaySeconds
    const third = decideSettlement({ ...run, id: 8, attempt: 2, retryOf: 7 }, task, 'running', end({}), ctx);
    expect(third.retry).toMatchObject({ attempt: 3, retryOf: 7, idempotencyKey: 'retry:7:3' });
  });

  it('no retry past maxAttempts, for a success, a cancel, or a non-retryable error', () => {
    expect(decideSettlement({ ...run, attempt: 3 }, task, 'running', end({}), ctx).retry).toBeNull();
    expect(decideSettlement(run, task, 'running', end({ status: 'succeeded' }), ctx).retry).toBeNull();
    expect(decideSettlement(run, task, 'running', end({ status: 'cancelled' }), ctx).retry).toBeNull();
    expect(decideSettlement(run, task, 'running', end({ retryable: false }), ctx).retry).toBeNull();
    expect(decideSettlement(run, undefined, 'running', end({}), ctx).retry).toBeNull();
  });

  it("sets a fixed-delay task's next fire after a scheduled run ends, not after a skip or a retry", () => {
    expect(decideSettlement(run, task, 'running', end({}), ctx).nextFire).toEqual({ taskId: 3, at: 160_000 });
    const skipped = end({ status: 'skipped', retryable: false });
    expect(decideSettlement(run, task, 'scheduled', skipped, ctx).nextFire).toBeNull();
    const retry = { ...run, triggerType: 'retry' as const };
    expect(decideSettlement(retry, task, 'running', end({}), ctx).nextFire).toBeNull();
  });

  it('refuses a change the table does not allow', () => {
    expect(() => decideSettlement(run, task, 'scheduled', end({ status: 'lost' }), ctx)).toThrow(
      /cannot change from scheduled to lost/,
    );
  });

  it('decides the alerts of the end from the rules watching the run, and never fails a settlement for them', () => {
    const rule: AlertRuleRecord = {
      id: 1,
      namespaceId: 1,
      name: 'row',
      scope: { kind: 'task', taskId: 3 },
      on: 'consecutive_failures',
      threshold: 2,
      windowSeconds: null,
      notify: { contacts: [5], groups: [] },
      silenceSeconds: 0,
      mutedUntil: null,
      enabled: true,
      templates: null,
      createdAt: 0,
      updatedAt: 0,
    };
    expect(decideSettlement(run, task, 'running', end({}), ctx).alerts).toBeNull();
    const final = end({ retryable: false });
    const alerts = decideSettlement(run, task, 'running', final, ctx, [rule]).alerts!;
    // Two failures in a row: this one and the one before, read inside the transaction.
    expect(alerts).toMatchObject({ taskId: 3, previousDepth: 2 });
    expect(alerts.decide([])).toEqual([]);
    expect(alerts.decide(['failed'])).toMatchObject([
      { ruleId: 1, on: 'consecutive_failures', state: 'firing', runId: 7, createdAt: 100_000 },
    ]);

    const errors: number[] = [];
    const broken = { ...rule, scope: undefined } as unknown as AlertRuleRecord;
    const onAlertError = (_error: unknown, runId: number) => errors.push(runId);
    const settlement = decideSettlement(run, task, 'running', final, { ...ctx, onAlertError }, [broken]);
    expect(settlement.alerts!.decide(['failed'])).toEqual([]);
    expect(errors).toEqual([7]);
  });
});
