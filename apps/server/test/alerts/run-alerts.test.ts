/**
 * Alerts end to end on a real node: a failing run raises an alert that a real HTTP receiver gets
 * once, signed; a channel that is down is retried with backoff and every attempt is visible in
 * GET /api/v1/alerts; a channel that never comes back is given up on, never crashing anything.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { startHttpTarget } from '../support/http-target.js';
import { createApp, startTestNode, type TestNode } from '../support/test-node.js';
import { startReceiver } from './receivers.js';

const SECRET = 'webhook-secret-1234';

async function failingTask(node: TestNode, app: string): Promise<number> {
  const target = await startHttpTarget((_req, res) => {
    res.statusCode = 503;
    res.end('down');
  });
  const created = await node.api('POST', '/api/v1/tasks', {
    name: 'nightly-report',
    app,
    type: 'http',
    config: { url: `${target.url}/report`, method: 'POST' },
    schedule: { type: 'api' },
  });
  expect(created.status).toBe(201);
  return created.body.id as number;
}

async function ruleFor(node: TestNode, body: Record<string, unknown>): Promise<number> {
  const res = await node.api('POST', '/api/v1/alert-rules', { name: 'r', ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as number;
}

describe('alerts about runs', () => {
  it('sends a signed generic webhook once when a run fails after its last attempt', async () => {
    const node = await startTestNode({ config: { publicUrl: 'https://kairos.example.com' } });
    await createApp(node, 'billing');
    const receiver = await startReceiver();
    const contact = await node.api('POST', '/api/v1/contacts', {
      name: 'ops hook',
      webhook: { url: `${receiver.url}/alerts`, kind: 'generic', secret: SECRET },
    });
    expect(contact.status).toBe(201);
    expect(contact.body.webhook).toEqual({ url: `${receiver.url}/alerts`, kind: 'generic', hasSecret: true });
    const taskId = await failingTask(node, 'billing');
    await ruleFor(node, {
      scope: { app: 'billing' },
      on: 'failure',
      notify: { contacts: [contact.body.id] },
    });
    await ruleFor(node, { scope: { taskId }, on: 'success', notify: { contacts: [contact.body.id] } });

    const delivered = node.waitFor('alert:delivery', (e) => e.result === 'sent');
    const { body: accepted } = await node.api('POST', `/api/v1/tasks/${taskId}/run`, {});
    await delivered;

    const [request] = await receiver.waitFor(1);
    const timestamp = request!.headers['x-kairos-timestamp'] as string;
    const expected = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${request!.body}`).digest('hex')}`;
    expect(request!.headers['x-kairos-signature']).toBe(expected);
    const payload = JSON.parse(request!.body);
    expect(payload).toMatchObject({
      state: 'firing',
      on: 'failure',
      namespace: 'default',
      app: 'billing',
      task: 'nightly-report',
      taskId,
      runId: accepted.runId,
      runUrl: `https://kairos.example.com/runs/${accepted.runId}`,
      title: 'FAILURE: nightly-report',
    });
    expect(payload.error).toContain('503');
    expect(payload.text).toContain('Where: default / billing / nightly-report');

    const history = await node.api('GET', '/api/v1/alerts');
    expect(history.body.items).toHaveLength(1);
    expect(history.body.items[0]).toMatchObject({
      on: 'failure',
      state: 'firing',
      runId: accepted.runId,
      deliveries: [{ channel: 'webhook', status: 'sent', attempts: 1, lastError: null }],
    });
    expect(receiver.received).toHaveLength(1);
  });

  it('retries a channel that is down with backoff, and shows every attempt', async () => {
    const node = await startTestNode({ config: { alertRetryBaseMs: 20, alertMaxAttempts: 5 } });
    await createApp(node, 'billing');
    const receiver = await startReceiver((n) => (n < 2 ? { status: 500, body: 'busy' } : { status: 200 }));
    const contact = await node.api('POST', '/api/v1/contacts', {
      name: 'hook',
      webhook: { url: receiver.url },
    });
    const taskId = await failingTask(node, 'billing');
    await ruleFor(node, {
      scope: { taskId },
      on: 'failure_attempt',
      notify: { contacts: [contact.body.id] },
    });

    const results: string[] = [];
    const sent = node.waitFor('alert:delivery', (e) => {
      results.push(e.result);
      return e.result === 'sent';
    });
    await node.api('POST', `/api/v1/tasks/${taskId}/run`, {});
    await sent;
    expect(results).toEqual(['failed', 'failed', 'sent']);
    const history = await node.api('GET', '/api/v1/alerts');
    expect(history.body.items[0].deliveries).toEqual([
      expect.objectContaining({ status: 'sent', attempts: 3, lastError: null }),
    ]);
  });

  it('gives up after the last attempt: the failure is recorded and visible, nothing crashes', async () => {
    const node = await startTestNode({ config: { alertRetryBaseMs: 10, alertMaxAttempts: 2 } });
    await createApp(node, 'billing');
    const receiver = await startReceiver(() => ({ status: 502, body: 'bad gateway' }));
    const contact = await node.api('POST', '/api/v1/contacts', {
      name: 'hook',
      webhook: { url: receiver.url },
    });
    const taskId = await failingTask(node, 'billing');
    await ruleFor(node, { scope: { taskId }, on: 'failure', notify: { contacts: [contact.body.id] } });

    const gaveUp = node.waitFor('alert:delivery', (e) => e.result === 'gave_up');
    await node.api('POST', `/api/v1/tasks/${taskId}/run`, {});
    await gaveUp;
    const history = await node.api('GET', '/api/v1/alerts');
    expect(history.body.items[0].deliveries).toEqual([
      expect.objectContaining({ status: 'failed', attempts: 2, nextAttemptAt: null }),
    ]);
    expect(history.body.items[0].deliveries[0].lastError).toContain('HTTP 502');
    expect(receiver.received).toHaveLength(2);
    // The node still works.
    expect((await node.api('GET', '/api/v1/tasks')).status).toBe(200);
  });

  it('groups repeats within the silence window and sends nothing while a rule is muted', async () => {
    const node = await startTestNode();
    await createApp(node, 'billing');
    const receiver = await startReceiver();
    const contact = await node.api('POST', '/api/v1/contacts', {
      name: 'hook',
      webhook: { url: receiver.url },
    });
    const taskId = await failingTask(node, 'billing');
    const ruleId = await ruleFor(node, {
      scope: { taskId },
      on: 'failure',
      silenceSeconds: 3600,
      notify: { contacts: [contact.body.id] },
    });
    for (let i = 0; i < 3; i++) {
      const finished = node.waitFor('run:finished', ({ run }) => run.taskId === taskId);
      await node.api('POST', `/api/v1/tasks/${taskId}/run`, {});
      await finished;
      await node.events.settle();
    }
    await receiver.waitFor(1);
    const history = await eventually(async () => {
      const res = await node.api('GET', `/api/v1/alerts?ruleId=${ruleId}`);
      expect(res.body.items[0].repeats).toBe(2);
      return res.body.items;
    });
    expect(history).toHaveLength(1);

    const muted = await node.api('PATCH', `/api/v1/alert-rules/${ruleId}`, {
      mutedUntil: new Date(Date.now() + 3_600_000).toISOString(),
      silenceSeconds: 0,
    });
    expect(muted.status).toBe(200);
    const finished = node.waitFor('run:finished', ({ run }) => run.taskId === taskId);
    await node.api('POST', `/api/v1/tasks/${taskId}/run`, {});
    await finished;
    await node.events.settle();
    expect((await node.api('GET', `/api/v1/alerts?ruleId=${ruleId}`)).body.items).toHaveLength(1);
    expect(receiver.received).toHaveLength(1);
  });
});
