/**
 * Changes reach every node at once on PostgreSQL: two in-process nodes on one schema.
 * A task disabled on one node fires none of the slots the other had planned; a cancel asked of
 * one node stops the run on the other well before a lease tick; a calendar change is replayed;
 * an alert rule created on one node is used by the other's next settlement.
 */
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/store/records.js';
import { eventually } from '../support/eventually.js';
import { startHttpTarget } from '../support/http-target.js';
import { postgresReachable, testSchema } from '../support/postgres.js';
import { createApp, startTestNode } from '../support/test-node.js';

const pgReachable = await postgresReachable();

describe.skipIf(!pgReachable)('the change feed between nodes', () => {
  it('a task disabled on node A fires no slot node B had already planned', async () => {
    const { databaseUrl } = await testSchema();
    // B plans 4 s ahead and polls often; A barely plans, so the slots are B's.
    const b = await startTestNode({
      config: { databaseUrl, nodeId: 'node-b', lookaheadMs: 4000, pollIntervalMs: 50 },
    });
    const a = await startTestNode({
      config: { databaseUrl, nodeId: 'node-a', lookaheadMs: 100, pollIntervalMs: 60_000 },
    });
    const target = await startHttpTarget();
    await createApp(b);
    const planned: RunRecord[] = [];
    b.events.on('run:scheduled', ({ run }) => void planned.push(run));
    const task = await b.api('POST', '/api/v1/tasks', {
      name: 'every second',
      app: 'demo',
      type: 'http',
      config: { url: target.url },
      schedule: { type: 'cron', expression: '* * * * * ?' },
    });
    const taskId = task.body.id as number;
    // Right after a slot fired on B, the next ones are ~1 s away and planned by B.
    await b.waitFor('run:started', (p) => p.run.taskId === taskId);
    const disabled = await a.api('POST', `/api/v1/tasks/${taskId}/disable`);
    expect(disabled.status).toBe(200);
    const disabledAt = Date.now();
    const ahead = planned.filter((r) => r.taskId === taskId && r.scheduledAt > disabledAt);
    expect(ahead.length).toBeGreaterThanOrEqual(2);

    // B cancels its planned slots as soon as it hears of the change, long before they are due.
    await eventually(async () => {
      for (const run of ahead) expect((await b.store.getRun(run.id))?.status).toBe('cancelled');
    }, 800);
    const runs = await b.store.listRuns({ taskId }, { limit: 100 });
    const firedAfter = runs.items.filter((r) => r.startedAt !== null && r.startedAt > disabledAt);
    expect(firedAfter).toEqual([]);
  });

  it('a cancel asked of node B stops the run on node A at once, not at a lease tick', async () => {
    const { databaseUrl } = await testSchema();
    // The default 15 s lease: its tick (every 5 s) would deliver the cancel too late for this test.
    const a = await startTestNode({ config: { databaseUrl, nodeId: 'node-a' } });
    const b = await startTestNode({ config: { databaseUrl, nodeId: 'node-b' } });
    await createApp(a);
    const task = await a.api('POST', '/api/v1/tasks', {
      name: 'long',
      app: 'demo',
      type: 'script',
      config: { language: 'shell', source: 'sleep 30' },
      schedule: { type: 'api' },
    });
    const started = a.waitFor('run:started', (p) => p.run.taskId === task.body.id);
    const run = await a.api('POST', `/api/v1/tasks/${task.body.id}/run`, {});
    await started;
    const cancelled = a.waitFor('run:cancelled', (p) => p.run.id === run.body.runId, 3000);
    expect((await b.api('POST', `/api/v1/runs/${run.body.runId}/cancel`)).status).toBe(200);
    expect((await cancelled).run.status).toBe('cancelled');
  });

  it('a calendar changed or a task deleted on one node is replayed on the other', async () => {
    const { databaseUrl } = await testSchema();
    const a = await startTestNode({ config: { databaseUrl, nodeId: 'node-a' } });
    const b = await startTestNode({ config: { databaseUrl, nodeId: 'node-b' } });
    await createApp(a);
    const calendar = await a.api('POST', '/api/v1/calendars', {
      name: 'holidays',
      timezone: 'UTC',
      dates: ['2030-01-01'],
    });
    const heard = b.waitFor('calendar:changed', (p) => p.calendarId === calendar.body.id, 3000);
    await a.api('PATCH', `/api/v1/calendars/${calendar.body.id}`, { dates: ['2030-01-02'] });
    expect(await heard).toEqual({ calendarId: calendar.body.id, fromNode: 'node-a' });

    const task = await a.api('POST', '/api/v1/tasks', {
      name: 'manual',
      app: 'demo',
      type: 'script',
      config: { language: 'shell', source: 'true' },
      schedule: { type: 'api' },
    });
    const deleted = b.waitFor('task:deleted', (p) => p.taskId === task.body.id, 3000);
    await a.api('DELETE', `/api/v1/tasks/${task.body.id}`);
    expect(await deleted).toEqual({ taskId: task.body.id, fromNode: 'node-a' });
  });

  it('an alert rule created on node A raises the alert of the next run node B settles', async () => {
    const { databaseUrl } = await testSchema();
    const a = await startTestNode({ config: { databaseUrl, nodeId: 'node-a' } });
    const b = await startTestNode({ config: { databaseUrl, nodeId: 'node-b' } });
    const target = await startHttpTarget((_req, res) => {
      res.statusCode = 500;
      res.end('down');
    });
    await createApp(b);
    const task = await b.api('POST', '/api/v1/tasks', {
      name: 'flaky',
      app: 'demo',
      type: 'http',
      config: { url: target.url },
      schedule: { type: 'api' },
    });
    const taskId = task.body.id as number;
    const runOnB = async () => {
      const failed = b.waitFor('run:failed', (p) => p.run.taskId === taskId);
      await b.api('POST', `/api/v1/tasks/${taskId}/run`, {});
      return (await failed).run.id;
    };
    // B settles a run with no rule: its rules are now in its memory, fresh for seconds.
    const before = await runOnB();

    const heard = b.waitFor('alert_rule:changed', (p) => p.fromNode === 'node-a');
    const contact = await a.api('POST', '/api/v1/contacts', { name: 'ops', email: 'ops@example.com' });
    const rule = await a.api('POST', '/api/v1/alert-rules', {
      name: 'each failure',
      scope: { taskId },
      on: 'failure_attempt',
      notify: { contacts: [contact.body.id], channels: ['email'] },
    });
    expect(rule.status).toBe(201);
    await heard;
    const after = await runOnB();

    const alerts = (await b.api('GET', `/api/v1/alerts?ruleId=${rule.body.id}`)).body.items as {
      runId: number;
    }[];
    expect(alerts.map((x) => x.runId)).toEqual([after]);
    expect(after).not.toBe(before);
  });
});
