/**
 * A schedule may name its calendar through the API (`"calendar": "<name>"` or `{name, mode}`),
 * looked up in the task's namespace; an unknown name is a 400 on `schedule.calendar` and saves
 * nothing.
 */
import { describe, expect, it } from 'vitest';
import { startTestNode } from '../support/test-node.js';

const cron = { type: 'cron', expression: '0 0 8 * * ?', timezone: 'Asia/Shanghai' };

describe('calendars by name in a schedule', () => {
  it('create, validate and PATCH resolve the name in the task namespace', async () => {
    const node = await startTestNode();
    await node.api('POST', '/api/v1/apps', { appName: 'demo', name: 'Demo' });
    await node.api('POST', '/api/v1/namespaces', { name: 'other' });
    const holidays = await node.api('POST', '/api/v1/calendars', {
      name: 'cn-holidays',
      timezone: 'Asia/Shanghai',
      dates: ['2026-10-01'],
    });
    const workdays = await node.api('POST', '/api/v1/calendars', {
      name: 'workdays',
      timezone: 'Asia/Shanghai',
      dates: ['2026-10-09'],
    });
    // A calendar of the same name in another namespace is not the task's.
    await node.api('POST', '/api/v1/calendars', { namespace: 'other', name: 'elsewhere', dates: [] });

    const created = await node.api('POST', '/api/v1/tasks', {
      name: 'report',
      app: 'demo',
      type: 'http',
      config: { url: 'http://127.0.0.1:9/hook' },
      schedule: { ...cron, calendar: 'cn-holidays' },
    });
    expect(created.status).toBe(201);
    expect(created.body.schedule.calendar).toEqual({ id: holidays.body.id, mode: 'exclude' });

    const patched = await node.api('PATCH', `/api/v1/tasks/${created.body.id}`, {
      schedule: { calendar: { name: 'workdays', mode: 'include' } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.schedule).toMatchObject({
      ...cron,
      calendar: { id: workdays.body.id, mode: 'include' },
    });

    const valid = await node.api('POST', '/api/v1/tasks/validate', {
      name: 'report-2',
      app: 'demo',
      type: 'http',
      config: { url: 'http://127.0.0.1:9/hook' },
      schedule: { ...cron, calendar: { name: 'workdays' } },
    });
    expect(valid.status).toBe(200);
    expect(valid.body.valid).toBe(true);
  });

  it('an unknown name is a 400 on schedule.calendar, on create, validate and PATCH', async () => {
    const node = await startTestNode();
    await node.api('POST', '/api/v1/apps', { appName: 'demo', name: 'Demo' });
    await node.api('POST', '/api/v1/namespaces', { name: 'other' });
    await node.api('POST', '/api/v1/calendars', { namespace: 'other', name: 'elsewhere', dates: [] });
    const task = (calendar: unknown) => ({
      name: 'report',
      app: 'demo',
      type: 'http',
      config: { url: 'http://127.0.0.1:9/hook' },
      schedule: { ...cron, calendar },
    });

    for (const calendar of ['no-such', { name: 'elsewhere' }]) {
      const refused = await node.api('POST', '/api/v1/tasks', task(calendar));
      expect(refused.status).toBe(400);
      expect(refused.body.error.field).toBe('schedule.calendar');
      expect(refused.body.error.message).toMatch(/no calendar named/);
    }
    const validated = await node.api('POST', '/api/v1/tasks/validate', task('no-such'));
    expect(validated.body.valid).toBe(false);
    expect(validated.body.errors[0].field).toBe('schedule.calendar');
    expect((await node.api('GET', '/api/v1/tasks')).body.items).toEqual([]);

    const created = await node.api('POST', '/api/v1/tasks', task(undefined));
    const patched = await node.api('PATCH', `/api/v1/tasks/${created.body.id}`, {
      schedule: { calendar: 'no-such' },
    });
    expect(patched.status).toBe(400);
    expect(patched.body.error.field).toBe('schedule.calendar');
    expect((await node.api('GET', `/api/v1/tasks/${created.body.id}`)).body.schedule).toEqual(
      created.body.schedule,
    );
  });
});
