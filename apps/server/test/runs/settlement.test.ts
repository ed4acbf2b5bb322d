import { describe, expect, it } from 'vitest';
import { canChange } from '../../src/runs/run-status.js';
import { decideSettlement, retryDelayMs } from '../../src/runs/settlement.js';
import type { RunEnd, RunRecord, TaskRecord } from '../../src/store/store.js';

const run = {
  id: 7,
  taskId: 3,
  appId: 2,
  namespaceId: 1,
  triggerType: 'schedule',
  attempt: 1,
  retryOf: null,
  input: { a: 1 },
} satisfies Partial<RunRecord>;
const task = {
  retry: { maxAttempts: 3, backoff: 'exponential', delaySeconds: 10, maxDelaySeconds: 15 },
  schedule: {
    type: 'fixed_delay',
    delaySeconds: 60,
    timezone: 'UTC',
    dstGap: 'shift',
    misfire: { policy: 'skip', thresholdSeconds: 5, maxCatchUp: 100 },
  },
} satisfies Pick<TaskRecord, 'retry' | 'schedule'>;
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
});
