/**
 * A task file may name its schedule's calendar (`calendar: {name: holidays}`): the server finds
 * the calendar of the task's namespace; an unknown name is an error naming the field, and
 * nothing is created.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/run-cli.js';
import { ADMIN_TOKEN, startTestNode, tempDataDir } from '../../../apps/server/test/support/test-node.js';

async function kairos(url: string, argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env: { KAIROS_URL: url, KAIROS_TOKEN: ADMIN_TOKEN },
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
  });
  return { code, stdout, stderr };
}

describe('calendars by name in a task file', () => {
  it('creates and updates with the named calendar; an unknown name creates nothing', async () => {
    const node = await startTestNode();
    await node.api('POST', '/api/v1/apps', { appName: 'demo', name: 'Demo' });
    const holidays = await node.api('POST', '/api/v1/calendars', {
      name: 'cn-holidays',
      timezone: 'Asia/Shanghai',
      dates: ['2026-10-01'],
    });
    const dir = tempDataDir();
    const file = (name: string, calendar: string) => {
      const path = join(dir, `${name}.yaml`);
      writeFileSync(
        path,
        [
          `name: ${name}`,
          'app: demo',
          'type: http',
          'config: { url: "http://127.0.0.1:9/hook" }',
          `schedule: { type: cron, expression: "0 0 8 * * ?", timezone: Asia/Shanghai, calendar: { name: ${calendar}, mode: exclude } }`,
        ].join('\n'),
      );
      return path;
    };

    const created = await kairos(node.url, [
      'tasks',
      'create',
      '-f',
      file('report', 'cn-holidays'),
      '--json',
    ]);
    expect(created.code).toBe(0);
    const task = JSON.parse(created.stdout);
    expect(task.schedule.calendar).toEqual({ id: holidays.body.id, mode: 'exclude' });

    const unknown = await kairos(node.url, ['tasks', 'create', '-f', file('other', 'no-such-calendar')]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /schedule\.calendar: no calendar named "no-such-calendar" in this namespace \(VALIDATION_ERROR, field schedule\.calendar\)/,
    );
    expect((await node.api('GET', '/api/v1/tasks')).body.items).toHaveLength(1);

    const workdays = await node.api('POST', '/api/v1/calendars', {
      name: 'workdays',
      timezone: 'Asia/Shanghai',
      dates: ['2026-10-08'],
    });
    const patch = join(dir, 'patch.yaml');
    writeFileSync(patch, 'schedule: { calendar: { name: workdays, mode: include } }');
    const updated = await kairos(node.url, ['tasks', 'update', String(task.id), '-f', patch, '--json']);
    expect(updated.code).toBe(0);
    expect(JSON.parse(updated.stdout).schedule).toMatchObject({
      expression: '0 0 8 * * ?',
      timezone: 'Asia/Shanghai',
      calendar: { id: workdays.body.id, mode: 'include' },
    });
  });
});
