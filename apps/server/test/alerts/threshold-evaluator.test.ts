/**
 * The threshold evaluator on a real store with a manual clock: rules fire once when their figure
 * crosses the threshold and recover when it clears; on PostgreSQL one node at a time holds the
 * evaluator's lock.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertRuleCache } from '../../src/alerts/alert-rule-cache.js';
import { ThresholdEvaluator, thresholdTransition } from '../../src/alerts/threshold-evaluator.js';
import { ManualClock } from '../../src/clock.js';
import { openStore } from '../../src/store/open-store.js';
import type { NewAlertRule } from '../../src/store/alert-records.js';
import type { Store } from '../../src/store/store.js';
import { eventually } from '../support/eventually.js';
import { postgresReachable, testSchema } from '../support/postgres.js';
import { makeTempDir } from '../support/temp-dir.js';
import { endRuns } from '../store/contract/context.js';

const stores: Store[] = [];
const dirs: { remove: () => void }[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) dir.remove();
});

async function setup() {
  const clock = new ManualClock(Date.parse('2026-03-15T06:00:00Z'));
  const dir = makeTempDir();
  dirs.push(dir);
  const store = await openStore({ dataDir: dir.path, now: () => clock.now() });
  stores.push(store);
  const ns = await store.ensureNamespace('default');
  const app = await store.createApp({
    namespaceId: ns.id,
    appName: 'billing',
    name: 'Billing',
    description: null,
    maxConcurrency: null,
    accessTokenHash: 'h',
    accessTokenHint: 'abcd',
  });
  const task = await store.createTask({
    namespaceId: ns.id,
    appId: app.id,
    name: 'report',
    description: null,
    type: 'http',
    config: { url: 'http://127.0.0.1:9/' },
    schedule: {
      type: 'api',
      timezone: 'UTC',
      misfire: { policy: 'skip', thresholdSeconds: 5, maxCatchUp: 100 },
      dstGap: 'shift',
    },
    timeoutSeconds: null,
    retry: { maxAttempts: 1, backoff: 'fixed', delaySeconds: 1, maxDelaySeconds: 1 },
    concurrency: { max: 10, overlap: 'allow' },
    enabled: true,
    nextFireAt: null,
  });
  const contact = await store.createContact({
    namespaceId: ns.id,
    name: 'ann',
    email: 'ann@example.com',
    phone: null,
    webhook: null,
  });
  const rule = (over: Partial<NewAlertRule>) =>
    store.createAlertRule({
      namespaceId: ns.id,
      name: 'r',
      scope: { kind: 'app', appId: app.id },
      on: 'failure_rate',
      threshold: null,
      windowSeconds: null,
      notify: { contacts: [contact.id], groups: [], channels: ['email'] },
      silenceSeconds: 300,
      mutedUntil: null,
      enabled: true,
      templates: null,
      ...over,
    });
  /** A run of the task finished with `status` now, or left running since `startedAt`. */
  const finish = async (status: 'succeeded' | 'failed' | 'running', startedAt = clock.now() - 1000) => {
    const { run } = await store.insertRun({
      taskId: task.id,
      appId: app.id,
      namespaceId: ns.id,
      triggerType: 'api',
      status: 'scheduled',
      slotAt: null,
      scheduledAt: startedAt,
      attempt: 1,
      retryOf: null,
      input: null,
      leaseOwner: 'n',
      leaseExpiresAt: clock.now() + 60_000,
    });
    await store.markRunsStarted([
      { runId: run.id, startedAt, executor: null, leaseOwner: 'n', leaseExpiresAt: clock.now() + 60_000 },
    ]);
    if (status !== 'running') {
      await endRuns(store, [
        {
          runId: run.id,
          status,
          finishedAt: clock.now(),
          durationMs: 1000,
          usage: { totalTokens: 400, totalPrice: 0.5, currency: 'USD' },
        },
      ]);
    }
    return run;
  };
  const written: string[] = [];
  const evaluator = new ThresholdEvaluator({
    store,
    clock,
    rules: new AlertRuleCache(store, clock, 0),
    logger: pino({ level: 'silent' }),
    intervalMs: 1000,
    executorDeadMs: 90_000,
    onWritten: () => undefined,
  });
  const evaluate = async () => {
    const alerts = await evaluator.evaluateOnce();
    const said = alerts.map((a) => `${a.on}:${a.state}`);
    written.push(...said);
    return said;
  };
  return { clock, store, app, task, rule, finish, evaluate, written };
}

describe('ThresholdEvaluator', () => {
  it('moves only on a change of side', () => {
    expect(thresholdTransition(true, undefined)).toBe('firing');
    expect(thresholdTransition(true, 'resolved')).toBe('firing');
    expect(thresholdTransition(true, 'firing')).toBeUndefined();
    expect(thresholdTransition(false, 'firing')).toBe('resolved');
    expect(thresholdTransition(false, undefined)).toBeUndefined();
  });

  it('fires failure_rate and executors_online once, and recovers when they clear', async () => {
    const t = await setup();
    await t.rule({ on: 'failure_rate', threshold: 0.5, windowSeconds: 600 });
    await t.rule({ on: 'executors_online', threshold: 1 });
    await t.finish('failed');
    await t.finish('failed');
    await t.finish('succeeded');
    expect(await t.evaluate()).toEqual(['failure_rate:firing', 'executors_online:firing']);
    t.clock.advance(15_000);
    expect(await t.evaluate()).toEqual([]);
    for (let i = 0; i < 3; i++) await t.finish('succeeded');
    await t.store.upsertExecutor({
      appId: t.app.id,
      address: 'http://127.0.0.1:1',
      mode: 'push',
      protocol: 'xxl',
      at: t.clock.now(),
    });
    expect(await t.evaluate()).toEqual(['failure_rate:resolved', 'executors_online:resolved']);
    expect(await t.evaluate()).toEqual([]);
    const history = await t.store.listAlerts({}, { limit: 10 });
    expect(history.items.map((a) => [a.on, a.state, a.deliveries.length])).toEqual([
      ['executors_online', 'resolved', 1],
      ['failure_rate', 'resolved', 1],
      ['executors_online', 'firing', 1],
      ['failure_rate', 'firing', 1],
    ]);
    expect(history.items[3]!.facts.summary).toContain('2 of 3 runs');
  });

  it('fires no_success once a whole window passed without a success; budgets and durations too', async () => {
    const t = await setup();
    await t.rule({ on: 'no_success', windowSeconds: 600, scope: { kind: 'task', taskId: t.task.id } });
    await t.rule({ on: 'token_budget', threshold: 1000, windowSeconds: 3600 });
    await t.rule({ on: 'duration', threshold: 60 });
    expect(await t.evaluate()).toEqual([]); // the rule has not watched a whole window yet
    t.clock.advance(601_000);
    expect(await t.evaluate()).toEqual(['no_success:firing']);
    await t.finish('succeeded');
    await t.finish('succeeded');
    expect(await t.evaluate()).toEqual(['no_success:resolved']);
    await t.finish('failed'); // 1,200 tokens in the hour
    await t.finish('running', t.clock.now() - 120_000);
    expect(await t.evaluate()).toEqual(['token_budget:firing', 'duration:firing']);
    expect(await t.evaluate()).toEqual([]);
    t.clock.advance(3_601_000);
    const later = await t.evaluate();
    expect(later).toContain('token_budget:resolved');
    expect(later).toContain('no_success:firing');
  });

  it('does not evaluate a muted rule', async () => {
    const t = await setup();
    await t.rule({ on: 'executors_online', threshold: 1, mutedUntil: t.clock.now() + 60_000 });
    expect(await t.evaluate()).toEqual([]);
    t.clock.advance(61_000);
    expect(await t.evaluate()).toEqual(['executors_online:firing']);
  });
});

const pgReachable = await postgresReachable();

describe.skipIf(!pgReachable)('the evaluator lock on PostgreSQL', () => {
  it('is held by one node at a time and passes on when that node goes', async () => {
    const { databaseUrl } = await testSchema();
    const dir = makeTempDir();
    dirs.push(dir);
    const a = await openStore({ databaseUrl, dataDir: dir.path });
    const b = await openStore({ databaseUrl, dataDir: dir.path });
    stores.push(b);
    expect(await a.holdEvaluatorLock()).toBe(true);
    expect(await a.holdEvaluatorLock()).toBe(true);
    expect(await b.holdEvaluatorLock()).toBe(false);
    await a.close();
    await eventually(async () => expect(await b.holdEvaluatorLock()).toBe(true));
  });
});
