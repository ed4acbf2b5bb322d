import { describe, expect, it } from 'vitest';
import { createApp, startTestNode } from '../support/test-node.js';

describe('API resources', () => {
  it('previews a schedule with time zone, DST and calendar applied', async () => {
    const node = await startTestNode();
    const preview = await node.api('POST', '/api/v1/schedules/preview', {
      schedule: { type: 'cron', expression: '0 30 2 * * ?', timezone: 'America/New_York' },
      count: 3,
      from: '2024-03-09T00:00:00Z',
    });
    expect(preview.status).toBe(200);
    // 10 March 2024: 02:30 does not exist in New York; it fires at 03:00 EDT (07:00Z).
    expect(preview.body.fires).toEqual([
      '2024-03-09T07:30:00.000Z',
      '2024-03-10T07:00:00.000Z',
      '2024-03-11T06:30:00.000Z',
    ]);

    const holidays = await node.api('POST', '/api/v1/calendars', {
      name: 'holidays',
      timezone: 'Asia/Shanghai',
      dates: ['2026-10-01', '2026-10-02'],
    });
    expect(holidays.status).toBe(201);
    const schedule = { type: 'cron', expression: '0 0 8 * * ?', timezone: 'Asia/Shanghai' };
    const excluded = await node.api('POST', '/api/v1/schedules/preview', {
      schedule: { ...schedule, calendar: { id: holidays.body.id, mode: 'exclude' } },
      count: 2,
      from: '2026-09-30T12:00:00Z',
    });
    expect(excluded.body.fires).toEqual(['2026-10-03T00:00:00.000Z', '2026-10-04T00:00:00.000Z']);
    const included = await node.api('POST', '/api/v1/schedules/preview', {
      schedule: { ...schedule, calendar: { id: holidays.body.id, mode: 'include' } },
      count: 3,
      from: '2026-09-01T00:00:00Z',
    });
    expect(included.body.fires).toEqual(['2026-10-01T00:00:00.000Z', '2026-10-02T00:00:00.000Z']);
  });

  it("lists a task's next fires and re-plans when its calendar changes", async () => {
    const node = await startTestNode();
    await createApp(node);
    const calendar = await node.api('POST', '/api/v1/calendars', { name: 'off', timezone: 'UTC', dates: [] });
    const task = await node.api('POST', '/api/v1/tasks', {
      name: 'daily',
      app: 'demo',
      type: 'http',
      config: { url: 'http://127.0.0.1:9/' },
      schedule: {
        type: 'cron',
        expression: '0 0 9 * * ?',
        calendar: { id: calendar.body.id, mode: 'exclude' },
      },
    });
    const from = '2030-01-01T00:00:00Z';
    const before = await node.api('GET', `/api/v1/tasks/${task.body.id}/next-fires?count=2&from=${from}`);
    expect(before.body.fires).toEqual(['2030-01-01T09:00:00.000Z', '2030-01-02T09:00:00.000Z']);
    await node.api('PATCH', `/api/v1/calendars/${calendar.body.id}`, { dates: ['2030-01-01'] });
    const after = await node.api('GET', `/api/v1/tasks/${task.body.id}/next-fires?count=2&from=${from}`);
    expect(after.body.fires).toEqual(['2030-01-02T09:00:00.000Z', '2030-01-03T09:00:00.000Z']);
    const inUse = await node.api('DELETE', `/api/v1/calendars/${calendar.body.id}`);
    expect(inUse.status).toBe(409);
  });

  it('shows an app token in full only at creation and rotation', async () => {
    const node = await startTestNode();
    const created = await node.api('POST', '/api/v1/apps', { appName: 'payments', name: 'Payments' });
    const token: string = created.body.accessToken;
    expect(token).toMatch(/^kat_[A-Za-z0-9_-]{20,}$/);
    const read = await node.api('GET', '/api/v1/apps/payments');
    expect(read.body.accessToken).toBe(`kat_****${token.slice(-4)}`);
    const rotated = await node.api('POST', '/api/v1/apps/payments/rotate-token');
    expect(rotated.body.accessToken).not.toBe(token);
    expect(rotated.body.accessToken).toMatch(/^kat_/);
    expect((await node.api('GET', `/api/v1/apps/${created.body.id}`)).body.accessToken).toBe(
      `kat_****${rotated.body.accessToken.slice(-4)}`,
    );
  });

  it('scopes apps and tasks to namespaces', async () => {
    const node = await startTestNode();
    expect((await node.api('POST', '/api/v1/namespaces', { name: 'team-a' })).status).toBe(201);
    expect((await node.api('POST', '/api/v1/namespaces', { name: 'team-a' })).status).toBe(409);
    await node.api('POST', '/api/v1/apps', { namespace: 'team-a', appName: 'demo', name: 'A' });
    await node.api('POST', '/api/v1/apps', { appName: 'demo', name: 'Default' });
    const task = await node.api('POST', '/api/v1/tasks', {
      namespace: 'team-a',
      name: 'x',
      app: 'demo',
      type: 'http',
      config: { url: 'http://127.0.0.1:9/' },
      schedule: { type: 'api' },
    });
    expect(task.body).toMatchObject({ namespace: 'team-a', appName: 'demo' });
    expect((await node.api('GET', '/api/v1/tasks?namespace=team-a')).body.items).toHaveLength(1);
    expect((await node.api('GET', '/api/v1/tasks?namespace=default')).body.items).toHaveLength(0);
    expect((await node.api('GET', '/api/v1/tasks?namespace=nobody')).body.error.code).toBe(
      'NAMESPACE_NOT_FOUND',
    );
  });

  it('pages lists with nextCursor', async () => {
    const node = await startTestNode();
    for (let i = 0; i < 5; i++)
      await node.api('POST', '/api/v1/apps', { appName: `app${i}`, name: `App ${i}` });
    const first = await node.api('GET', '/api/v1/apps?limit=2');
    expect(first.body.items.map((a: { appName: string }) => a.appName)).toEqual(['app4', 'app3']);
    const second = await node.api('GET', `/api/v1/apps?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((a: { appName: string }) => a.appName)).toEqual(['app2', 'app1']);
    const last = await node.api('GET', `/api/v1/apps?limit=2&cursor=${second.body.nextCursor}`);
    expect(last.body.nextCursor).toBeNull();
    expect((await node.api('GET', '/api/v1/apps?cursor=garbage')).body.error.field).toBe('cursor');
  });

  it('serves an OpenAPI document generated from the route schemas, and health probes', async () => {
    const node = await startTestNode();
    const res = await fetch(`${node.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as any;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/tasks',
        '/api/v1/tasks/{id}/run',
        '/api/v1/runs/{id}/logs',
        '/api/v1/schedules/preview',
      ]),
    );
    const create = doc.paths['/api/v1/tasks'].post;
    expect(create.requestBody.content['application/json'].schema.properties.schedule).toBeTruthy();
    expect((await fetch(`${node.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${node.url}/readyz`)).status).toBe(200);
  });

  it('disables and enables a task: no slot is planned while disabled', async () => {
    const node = await startTestNode();
    await createApp(node);
    const task = await node.api('POST', '/api/v1/tasks', {
      name: 'toggle',
      app: 'demo',
      type: 'http',
      config: { url: 'http://127.0.0.1:9/' },
      schedule: { type: 'cron', expression: '0 0 12 * * ?' },
    });
    expect(task.body.nextFireAt).not.toBeNull();
    const disabled = await node.api('POST', `/api/v1/tasks/${task.body.id}/disable`);
    expect(disabled.body).toMatchObject({ enabled: false, nextFireAt: null });
    const enabled = await node.api('POST', `/api/v1/tasks/${task.body.id}/enable`);
    expect(enabled.body.enabled).toBe(true);
    expect(enabled.body.nextFireAt).toMatch(/T12:00:00.000Z$/);
    expect((await node.api('DELETE', `/api/v1/tasks/${task.body.id}`)).status).toBe(204);
    expect((await node.api('GET', `/api/v1/tasks/${task.body.id}`)).status).toBe(404);
  });
});

describe('PATCH changes only what it names', () => {
  it('keeps config, schedule and enabled when only the name changes; calendars keep their zone', async () => {
    const node = await startTestNode();
    await createApp(node);
    const task = await node.api('POST', '/api/v1/tasks', {
      name: 'before',
      app: 'demo',
      type: 'http',
      config: { url: 'http://127.0.0.1:9/x', method: 'POST' },
      schedule: { type: 'cron', expression: '0 0 12 * * ?', timezone: 'Europe/Berlin' },
      enabled: false,
    });
    const patched = await node.api('PATCH', `/api/v1/tasks/${task.body.id}`, { name: 'after' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      name: 'after',
      enabled: false,
      config: { url: 'http://127.0.0.1:9/x', method: 'POST' },
      schedule: { expression: '0 0 12 * * ?', timezone: 'Europe/Berlin' },
    });
    const calendar = await node.api('POST', '/api/v1/calendars', {
      name: 'c',
      timezone: 'Asia/Tokyo',
      dates: ['2030-01-01'],
    });
    const renamed = await node.api('PATCH', `/api/v1/calendars/${calendar.body.id}`, { name: 'renamed' });
    expect(renamed.body).toMatchObject({ name: 'renamed', timezone: 'Asia/Tokyo', dates: ['2030-01-01'] });
  });
});
