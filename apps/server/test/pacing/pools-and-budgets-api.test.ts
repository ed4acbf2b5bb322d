import { describe, expect, it } from 'vitest';
import { createApp, startTestNode } from '../support/test-node.js';
import type { TestNode } from '../support/test-node.js';

const apiTask = (node: TestNode, extra: Record<string, unknown>) =>
  node.api('POST', '/api/v1/tasks', {
    name: 'paced',
    app: 'demo',
    type: 'http',
    config: { url: 'http://127.0.0.1:9/never' },
    schedule: { type: 'api' },
    ...extra,
  });

describe('pools API', () => {
  it('creates, lists, changes and deletes a pool; a task names it', async () => {
    const node = await startTestNode();
    await createApp(node);
    const created = await node.api('POST', '/api/v1/pools', {
      name: 'openai',
      requestsPerMinute: 600,
      tokensPerMinute: 90_000,
      concurrency: 4,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      namespace: 'default',
      name: 'openai',
      requestsPerMinute: 600,
      tokensPerMinute: 90_000,
      concurrency: 4,
      live: { queued: 0, running: 0, backoffUntil: null },
    });
    expect((await node.api('POST', '/api/v1/pools', { name: 'openai' })).status).toBe(409);

    const task = await apiTask(node, { pool: 'openai', priority: 5 });
    expect(task.status).toBe(201);
    expect(task.body).toMatchObject({ pool: 'openai', priority: 5, budget: null });

    const patched = await node.api('PATCH', '/api/v1/pools/openai', { concurrency: null });
    expect(patched.body.concurrency).toBeNull();
    expect(patched.body.requestsPerMinute).toBe(600);
    expect((await node.api('GET', '/api/v1/pools')).body.items.map((p: any) => p.name)).toEqual(['openai']);

    // In use: refused, nothing lost.
    const refused = await node.api('DELETE', '/api/v1/pools/openai');
    expect(refused.status).toBe(409);
    expect((await node.api('GET', '/api/v1/pools/openai')).status).toBe(200);
    await node.api('PATCH', `/api/v1/tasks/${task.body.id}`, { pool: null });
    expect((await node.api('DELETE', '/api/v1/pools/openai')).status).toBe(204);
    expect((await node.api('GET', '/api/v1/pools/openai')).status).toBe(404);
  });

  it('refuses bad pools and a task naming a pool that does not exist, naming the field', async () => {
    const node = await startTestNode();
    await createApp(node);
    for (const [body, field] of [
      [{ name: 'p', requestsPerMinute: 0 }, 'requestsPerMinute'],
      [{ name: 'p', tokensPerMinute: -5 }, 'tokensPerMinute'],
      [{ name: 'p', concurrency: 0 }, 'concurrency'],
      [{ name: 'bad name!' }, 'name'],
    ] as const) {
      const res = await node.api('POST', '/api/v1/pools', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.field).toBe(field);
    }
    expect((await node.api('GET', '/api/v1/pools')).body.items).toEqual([]);

    const res = await apiTask(node, { pool: 'nowhere' });
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe('pool');
    expect(res.body.error.message).toMatch(/no pool "nowhere"/);
    expect((await node.api('GET', '/api/v1/tasks')).body.items).toEqual([]);
  });
});

describe('budgets API: bad input', () => {
  it('refuses a budget of zero or below and an unknown currency, naming the field; nothing saved', async () => {
    const node = await startTestNode();
    await createApp(node);
    for (const [budget, field] of [
      [{ tokens: 0, period: 'day' }, 'budget.tokens'],
      [{ tokens: -10, period: 'day' }, 'budget.tokens'],
      [{ cost: 0, currency: 'USD', period: 'day' }, 'budget.cost'],
      [{ cost: -1, currency: 'USD', period: 'day' }, 'budget.cost'],
      [{ cost: 5, currency: 'XYZ', period: 'day' }, 'budget.currency'],
      [{ cost: 5, period: 'day' }, 'budget.currency'],
      [{ period: 'day' }, 'budget.tokens'],
      [{ tokens: 10, period: 'week' }, 'budget.period'],
      [{ tokens: 10, period: 'day', timezone: 'Mars/Olympus' }, 'budget.timezone'],
    ] as const) {
      const res = await apiTask(node, { budget });
      expect(res.status, JSON.stringify(budget)).toBe(400);
      expect(res.body.error.field, JSON.stringify(budget)).toBe(field);
    }
    expect((await node.api('GET', '/api/v1/tasks')).body.items).toEqual([]);

    const app = await node.api('POST', '/api/v1/apps', {
      appName: 'other',
      name: 'Other',
      budget: { cost: 3, currency: 'EURO', period: 'month' },
    });
    expect(app.status).toBe(400);
    expect(app.body.error.field).toBe('budget.currency');
    expect((await node.api('GET', '/api/v1/apps/other')).status).toBe(404);

    const ns = await node.api('PUT', '/api/v1/namespaces/default/budget', {
      budget: { tokens: 0, period: 'hour' },
    });
    expect(ns.status).toBe(400);
    expect(ns.body.error.field).toBe('budget.tokens');
    expect((await node.api('GET', '/api/v1/namespaces/default')).body.budget).toBeNull();
  });

  it('lists budgets of a namespace with used, left and resetsAt', async () => {
    const node = await startTestNode();
    await createApp(node);
    const task = await apiTask(node, { budget: { tokens: 1000, period: 'day', timezone: 'Europe/Paris' } });
    expect(task.status).toBe(201);
    const ns = await node.api('PUT', '/api/v1/namespaces/default/budget', {
      budget: { cost: 12.5, currency: 'USD', period: 'month' },
    });
    expect(ns.status).toBe(200);
    const list = await node.api('GET', '/api/v1/budgets?namespace=default');
    expect(list.status).toBe(200);
    const byKind = Object.fromEntries(list.body.items.map((b: any) => [b.scope.kind, b]));
    expect(byKind.task).toMatchObject({
      scope: { kind: 'task', id: task.body.id, name: 'paced' },
      used: { tokens: 0, cost: 0 },
      left: { tokens: 1000, cost: null },
      exceeded: false,
    });
    expect(byKind.namespace.left).toEqual({ tokens: null, cost: 12.5 });
    // A Paris day ends at 22:00 or 23:00 UTC.
    expect(byKind.task.resetsAt).toMatch(/T2[23]:00:00\.000Z$/);
    expect(byKind.namespace.resetsAt).toMatch(/-01T00:00:00\.000Z$/);
    const one = await node.api('GET', `/api/v1/budgets?taskId=${task.body.id}`);
    expect(one.body.items).toHaveLength(1);
  });
});
