/**
 * The pure decision of which alerts a run's end raises.
 */
import { describe, expect, it } from 'vitest';
import type { RunStatus } from '@kairos/protocol';
import { alertsForSettledRun, consecutiveFailuresDepth } from '../../src/alerts/settled-run-alerts.js';
import type { AlertRuleRecord } from '../../src/store/alert-records.js';
import type { RunRecord } from '../../src/store/store.js';

const task = {
  id: 7,
  name: 'report',
  retry: { maxAttempts: 3, backoff: 'fixed', delaySeconds: 1, maxDelaySeconds: 1 } as const,
};

function run(status: RunStatus, over: Partial<RunRecord> = {}): RunRecord {
  return {
    id: 100,
    taskId: 7,
    appId: 3,
    namespaceId: 1,
    triggerType: 'schedule',
    status,
    slotAt: 1_000,
    scheduledAt: 1_000,
    startedAt: 1_010,
    finishedAt: 2_000,
    durationMs: 990,
    attempt: 1,
    retryOf: null,
    input: null,
    output: null,
    error: status === 'succeeded' ? null : { type: 'http', message: 'HTTP 500' },
    executor: null,
    usage: null,
    idempotencyKey: null,
    leaseOwner: null,
    leaseExpiresAt: null,
    cancelRequestedAt: null,
    effectAt: null,
    createdAt: 900,
    ...over,
  };
}

let ids = 0;
function rule(on: AlertRuleRecord['on'], over: Partial<AlertRuleRecord> = {}): AlertRuleRecord {
  ids += 1;
  return {
    id: ids,
    namespaceId: 1,
    name: on,
    scope: { kind: 'task', taskId: 7 },
    on,
    threshold: null,
    windowSeconds: null,
    notify: { contacts: [1], groups: [] },
    silenceSeconds: 60,
    mutedUntil: null,
    enabled: true,
    templates: null,
    createdAt: 0,
    updatedAt: 0,
    ...over,
  };
}

const ons = (alerts: { on: string; state: string }[]) => alerts.map((a) => `${a.on}:${a.state}`);

describe('alertsForSettledRun', () => {
  const rules = [rule('failure'), rule('failure_attempt'), rule('timeout'), rule('success'), rule('lost')];

  it('fires failure only after the last attempt, failure_attempt on every one', () => {
    expect(ons(alertsForSettledRun(run('failed'), task, rules, 5_000, { willRetry: true }))).toEqual([
      'failure_attempt:firing',
    ]);
    expect(
      ons(alertsForSettledRun(run('failed', { attempt: 3 }), task, rules, 5_000, { willRetry: false })),
    ).toEqual(['failure:firing', 'failure_attempt:firing']);
  });

  it('fires timeout and lost for their status (and failure when no retry follows), success for a success', () => {
    expect(ons(alertsForSettledRun(run('timed_out'), task, rules, 5_000, { willRetry: false }))).toEqual([
      'failure:firing',
      'failure_attempt:firing',
      'timeout:firing',
    ]);
    expect(ons(alertsForSettledRun(run('lost'), task, rules, 5_000, { willRetry: true }))).toEqual([
      'failure_attempt:firing',
      'lost:firing',
    ]);
    expect(ons(alertsForSettledRun(run('succeeded'), task, rules, 5_000, { willRetry: false }))).toEqual([
      'success:firing',
    ]);
    expect(alertsForSettledRun(run('cancelled'), task, rules, 5_000, { willRetry: false })).toEqual([]);
  });

  it('carries what, where and when, keyed by task for silences', () => {
    const [alert] = alertsForSettledRun(run('failed'), task, [rule('failure')], 5_000, { willRetry: false });
    expect(alert).toMatchObject({
      namespaceId: 1,
      appId: 3,
      taskId: 7,
      runId: 100,
      dedupKey: 'task:7',
      silenceSeconds: 60,
      createdAt: 5_000,
      facts: {
        status: 'failed',
        error: 'HTTP 500',
        attempt: 1,
        at: 2_000,
        summary: 'Task "report" failed (run 100, attempt 1)',
      },
    });
  });

  it('skips rules out of scope, disabled or muted', () => {
    const others = [
      rule('failure', { scope: { kind: 'task', taskId: 8 } }),
      rule('failure', { scope: { kind: 'app', appId: 4 } }),
      rule('failure', { enabled: false }),
      rule('failure', { mutedUntil: 6_000 }),
      rule('failure', { scope: { kind: 'app', appId: 3 }, mutedUntil: 4_000 }),
      rule('failure', { scope: { kind: 'namespace' }, namespaceId: 2 }),
    ];
    const alerts = alertsForSettledRun(run('failed'), task, others, 5_000, { willRetry: false });
    expect(alerts.map((a) => a.ruleId)).toEqual([others[4]!.id]);
  });

  it('fires consecutive_failures once when the row reaches the threshold and recovers on success', () => {
    const r = rule('consecutive_failures', { threshold: 3 });
    const decide = (status: RunStatus, previous: RunStatus[]) =>
      ons(
        alertsForSettledRun(run(status), task, [r], 5_000, { willRetry: false, previousStatuses: previous }),
      );
    expect(consecutiveFailuresDepth([r, rule('failure')])).toBe(3);
    expect(decide('failed', ['failed'])).toEqual([]);
    expect(decide('failed', ['failed', 'cancelled', 'timed_out', 'succeeded'])).toEqual([
      'consecutive_failures:firing',
    ]);
    expect(decide('failed', ['failed', 'failed', 'failed'])).toEqual([]); // fired already for this row
    expect(decide('succeeded', ['failed', 'lost', 'failed'])).toEqual(['consecutive_failures:resolved']);
    expect(decide('succeeded', ['failed', 'succeeded'])).toEqual([]);
  });
});
