/**
 * A task's schedule PATCH merges over the stored schedule (it once replaced it: adding `type` reset the zone
 * to UTC and dropped the calendar), and create, update and validate warn about ambiguous zone
 * abbreviations and five-field expressions that look like Quartz missing a field.
 */
import { describe, expect, it } from 'vitest';
import { createApp, startTestNode } from '../support/test-node.js';
import type { TestNode } from '../support/test-node.js';

async function taskWithCalendar(node: TestNode) {
  const app = await createApp(node);
  const calendar = await node.api('POST', '/api/v1/calendars', {
    name: 'holidays',
    timezone: 'Asia/Shanghai',
    dates: ['2026-10-01'],
  });
  const created = await node.api('POST', '/api/v1/tasks', {
    name: 'report',
    app,
    type: 'http',
    config: { url: 'http://127.0.0.1:9/hook' },
    schedule: {
      type: 'cron',
      expression: '0 0 8 * * ?',
      timezone: 'Asia/Shanghai',
      calendar: { id: calendar.body.id, mode: 'exclude' },
      misfire: 'fire_once',
    },
  });
  expect(created.status).toBe(201);
  return { id: created.body.id as number, calendarId: calendar.body.id as number };
}

describe('PATCH /api/v1/tasks/{id} with a schedule', () => {
  it('merges: a new expression, with or without its type, keeps zone, calendar and misfire', async () => {
    const node = await startTestNode();
    const { id, calendarId } = await taskWithCalendar(node);
    for (const schedule of [{ expression: '0 30 8 * * ?' }, { type: 'cron', expression: '0 45 8 * * ?' }]) {
      const res = await node.api('PATCH', `/api/v1/tasks/${id}`, { schedule });
      expect(res.status).toBe(200);
      expect(res.body.schedule).toMatchObject({
        ...schedule,
        timezone: 'Asia/Shanghai',
        calendar: { id: calendarId, mode: 'exclude' },
        misfire: { policy: 'fire_once' },
      });
    }
    // A change of type drops the old type's fields only; null removes the calendar.
    const rate = await node.api('PATCH', `/api/v1/tasks/${id}`, {
      schedule: { type: 'fixed_rate', intervalSeconds: 60, calendar: null },
    });
    expect(rate.status).toBe(200);
    expect(rate.body.schedule).toMatchObject({
      type: 'fixed_rate',
      intervalSeconds: 60,
      timezone: 'Asia/Shanghai',
    });
    expect(rate.body.schedule.expression).toBeUndefined();
    expect(rate.body.schedule.calendar).toBeUndefined();
  });

  it('refuses a merged schedule that is incomplete or invalid, naming the field; nothing is saved', async () => {
    const node = await startTestNode();
    const { id } = await taskWithCalendar(node);
    const before = (await node.api('GET', `/api/v1/tasks/${id}`)).body;
    const cases: [unknown, string][] = [
      [{ type: 'fixed_delay' }, 'schedule.delaySeconds'],
      [{ expression: '0 0 25 * * ?' }, 'schedule.expression'],
      [{ timezone: 'Mars/Olympus' }, 'schedule.timezone'],
      [{ cadence: 5 }, 'schedule.cadence'],
    ];
    for (const [schedule, field] of cases) {
      const res = await node.api('PATCH', `/api/v1/tasks/${id}`, { schedule, name: 'renamed' });
      expect(res.status, JSON.stringify(schedule)).toBe(400);
      expect(res.body.error.field).toBe(field);
    }
    expect((await node.api('GET', `/api/v1/tasks/${id}`)).body).toEqual(before);
  });
});

describe('schedule warnings', () => {
  it('warns on create, validate and update about "CST" and "0 0 8 * *"', async () => {
    const node = await startTestNode();
    const app = await createApp(node);
    const body = {
      name: 'ambiguous',
      app,
      type: 'http',
      config: { url: 'http://127.0.0.1:9/hook' },
      schedule: { type: 'cron', expression: '0 0 8 * *', timezone: 'CST' },
    };
    const validated = await node.api('POST', '/api/v1/tasks/validate', body);
    const created = await node.api('POST', '/api/v1/tasks', body);
    for (const res of [validated, created]) {
      expect(res.body.warnings).toEqual([
        expect.stringMatching(/"CST" is an abbreviation, read as America\/Chicago.*Asia\/Shanghai/),
        expect.stringMatching(/read as a classic crontab.*day 8 of the month.*"0 0 8 \* \* \?"/),
      ]);
    }
    const fixed = await node.api('PATCH', `/api/v1/tasks/${created.body.id}`, {
      schedule: { expression: '0 0 8 * * ?', timezone: 'Asia/Shanghai' },
    });
    expect(fixed.body.warnings ?? []).toEqual([]);
    const back = await node.api('PATCH', `/api/v1/tasks/${created.body.id}`, {
      schedule: { timezone: 'IST' },
    });
    expect(back.body.warnings).toEqual([expect.stringMatching(/"IST".*India.*Israel.*Ireland/)]);
  });
});
