import { describe, expect, it } from 'vitest';
import { createApp, startTestNode } from '../support/test-node.js';
import type { TestNode } from '../support/test-node.js';

const cronTask = (expression: string, extra: Record<string, unknown> = {}) => ({
  name: 'bad',
  app: 'demo',
  type: 'http',
  config: { url: 'http://127.0.0.1:9/' },
  schedule: { type: 'cron', expression, ...extra },
});

async function expectRefused(node: TestNode, body: unknown, status: number, code: string, field?: string) {
  const before = await node.api('GET', '/api/v1/tasks');
  const res = await node.api('POST', '/api/v1/tasks', body);
  expect(res.status).toBe(status);
  expect(res.body.error.code).toBe(code);
  if (field) expect(res.body.error.field).toBe(field);
  expect(res.body.error.message).toBeTruthy();
  const after = await node.api('GET', '/api/v1/tasks');
  expect(after.body.items).toEqual(before.body.items);
  return res.body.error as { code: string; message: string; field?: string };
}

describe('bad input gets a clear 4xx and changes nothing', () => {
  it('refuses an invalid cron, naming the field and why', async () => {
    const node = await startTestNode();
    await createApp(node);
    const error = await expectRefused(
      node,
      cronTask('0 0 25 * * ?'),
      400,
      'INVALID_CRON',
      'schedule.expression',
    );
    expect(error.message).toMatch(/hour/);
    await expectRefused(node, cronTask('not a cron'), 400, 'INVALID_CRON', 'schedule.expression');
    await expectRefused(node, cronTask('0 0 0 30 2 ?'), 400, 'INVALID_CRON', 'schedule.expression');
  });

  it('refuses an unknown time zone', async () => {
    const node = await startTestNode();
    await createApp(node);
    const error = await expectRefused(
      node,
      cronTask('0 0 8 * * ?', { timezone: 'Mars/Olympus' }),
      400,
      'INVALID_TIMEZONE',
      'schedule.timezone',
    );
    expect(error.message).toContain('Mars/Olympus');
  });

  it('refuses an interval of zero or less', async () => {
    const node = await startTestNode();
    await createApp(node);
    for (const intervalSeconds of [0, -5]) {
      await expectRefused(
        node,
        {
          name: 'x',
          app: 'demo',
          type: 'http',
          config: { url: 'http://127.0.0.1:9/' },
          schedule: { type: 'fixed_rate', intervalSeconds },
        },
        400,
        'VALIDATION_ERROR',
        'schedule.intervalSeconds',
      );
    }
    await expectRefused(
      node,
      {
        name: 'x',
        app: 'demo',
        type: 'http',
        config: { url: 'http://127.0.0.1:9/' },
        schedule: { type: 'fixed_delay', delaySeconds: 0 },
      },
      400,
      'VALIDATION_ERROR',
      'schedule.delaySeconds',
    );
  });

  it('refuses a one-time instant in the past', async () => {
    const node = await startTestNode();
    await createApp(node);
    await expectRefused(
      node,
      {
        name: 'x',
        app: 'demo',
        type: 'http',
        config: { url: 'http://127.0.0.1:9/' },
        schedule: { type: 'one_time', at: '2020-01-01T00:00:00Z' },
      },
      400,
      'SCHEDULE_IN_PAST',
      'schedule.at',
    );
  });

  it('refuses unknown fields at any depth', async () => {
    const node = await startTestNode();
    await createApp(node);
    await expectRefused(
      node,
      { ...cronTask('0 0 8 * * ?'), colour: 'blue' },
      400,
      'VALIDATION_ERROR',
      'colour',
    );
    await expectRefused(
      node,
      cronTask('0 0 8 * * ?', { jitter: 5 }),
      400,
      'VALIDATION_ERROR',
      'schedule.jitter',
    );
    await expectRefused(
      node,
      { ...cronTask('0 0 8 * * ?'), config: { url: 'http://127.0.0.1:9/', verb: 'GET' } },
      400,
      'INVALID_CONFIG',
      'config.verb',
    );
  });

  it('refuses a body over 1 MiB with 413 and keeps serving', async () => {
    const node = await startTestNode();
    await createApp(node);
    const huge = { ...cronTask('0 0 8 * * ?'), description: 'x'.repeat(1024 * 1024 + 10) };
    const res = await node.api('POST', '/api/v1/tasks', huge);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await node.api('GET', '/healthz')).status).toBe(200);
    expect((await node.api('GET', '/api/v1/tasks')).body.items).toHaveLength(0);
  });

  it('refuses a duplicate appName with 409 and keeps the first app', async () => {
    const node = await startTestNode();
    const first = await node.api('POST', '/api/v1/apps', { appName: 'billing', name: 'Billing' });
    expect(first.status).toBe(201);
    const second = await node.api('POST', '/api/v1/apps', { appName: 'billing', name: 'Other' });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: 'APP_NAME_TAKEN', field: 'appName' });
    const list = await node.api('GET', '/api/v1/apps');
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0].name).toBe('Billing');
  });

  it('refuses a missing or wrong token with 401', async () => {
    const node = await startTestNode();
    const missing = await fetch(`${node.url}/api/v1/tasks`);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as any).error.code).toBe('UNAUTHORIZED');
    const wrong = await node.api('GET', '/api/v1/tasks', undefined, { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
  });

  it('refuses malformed JSON and unknown references', async () => {
    const node = await startTestNode();
    await createApp(node);
    const bad = await node.api('POST', '/api/v1/tasks', '{"name": ');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_JSON');
    await expectRefused(node, { ...cronTask('0 0 8 * * ?'), app: 'nobody' }, 400, 'VALIDATION_ERROR', 'app');
    await expectRefused(
      node,
      { ...cronTask('0 0 8 * * ?'), type: 'teleport' },
      400,
      'UNKNOWN_JOB_TYPE',
      'type',
    );
    await expectRefused(
      node,
      cronTask('0 0 8 * * ?', { calendar: { id: 999, mode: 'exclude' } }),
      400,
      'VALIDATION_ERROR',
      'schedule.calendar.id',
    );
    expect((await node.api('GET', '/api/v1/tasks/abc')).status).toBe(400);
    expect((await node.api('GET', '/api/v1/tasks/424242')).body.error.code).toBe('TASK_NOT_FOUND');
  });
});
