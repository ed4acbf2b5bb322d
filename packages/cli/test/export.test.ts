/**
 * `kairos export` against a real node: apps (with manual addresses), calendars, tasks and alert
 * rules as YAML that refer to one another by name and hold no secret.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../src/run-cli.js';
import { ADMIN_TOKEN, startTestNode, tempDataDir } from '../../../apps/server/test/support/test-node.js';

async function kairos(url: string, argv: string[], cwd?: string) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env: { KAIROS_URL: url, KAIROS_TOKEN: ADMIN_TOKEN },
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    cwd,
  });
  return { code, stdout, stderr };
}

describe('kairos export', () => {
  it('writes apps, calendars, tasks, groups and rules by name, without ids or secrets', async () => {
    const node = await startTestNode({ config: { webhookAllowLoopback: true } });
    const app = await node.api('POST', '/api/v1/apps', {
      appName: 'billing',
      name: 'Billing',
      maxConcurrency: 4,
    });
    await node.api('PUT', '/api/v1/apps/billing/executor-addresses', { addresses: ['http://10.0.0.5:9999'] });
    const calendar = await node.api('POST', '/api/v1/calendars', {
      name: 'cn-holidays',
      timezone: 'Asia/Shanghai',
      dates: ['2026-10-01'],
    });
    const task = await node.api('POST', '/api/v1/tasks', {
      name: 'nightly',
      app: 'billing',
      type: 'http',
      config: { url: 'http://127.0.0.1:9/hook', headers: { Authorization: 'Bearer s3cret-value' } },
      schedule: {
        type: 'cron',
        expression: '0 0 2 * * ?',
        timezone: 'Asia/Shanghai',
        calendar: { id: calendar.body.id, mode: 'exclude' },
      },
      retry: { maxAttempts: 3 },
    });
    expect(task.status).toBe(201);
    const contact = await node.api('POST', '/api/v1/contacts', { name: 'ops', email: 'ops@example.com' });
    const dev = await node.api('POST', '/api/v1/contacts', { name: 'dev', email: 'dev@example.com' });
    const group = await node.api('POST', '/api/v1/contact-groups', {
      name: 'on-call',
      contacts: [dev.body.id, contact.body.id],
    });
    const rule = await node.api('POST', '/api/v1/alert-rules', {
      name: 'nightly fails',
      scope: { taskId: task.body.id },
      on: 'failure',
      notify: { contacts: [contact.body.id], groups: [group.body.id] },
    });
    expect(rule.status).toBe(201);

    const dir = tempDataDir();
    const r = await kairos(node.url, ['export', '-o', 'kairos.yaml'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/exported 1 apps, 1 tasks, 0 workflows to .*kairos\.yaml/);
    const text = readFileSync(join(dir, 'kairos.yaml'), 'utf8');
    expect(text).not.toContain('s3cret-value');
    expect(text).not.toContain(app.body.accessToken);
    expect(parse(text)).toEqual({
      kind: 'kairos/definitions',
      namespace: 'default',
      apps: [
        {
          appName: 'billing',
          name: 'Billing',
          maxConcurrency: 4,
          executorAddresses: ['http://10.0.0.5:9999'],
        },
      ],
      calendars: [{ name: 'cn-holidays', timezone: 'Asia/Shanghai', dates: ['2026-10-01'] }],
      tasks: [
        expect.objectContaining({
          name: 'nightly',
          app: 'billing',
          type: 'http',
          config: expect.objectContaining({
            url: 'http://127.0.0.1:9/hook',
            headers: { Authorization: { secretRef: 'tasks.nightly.config.headers.Authorization' } },
          }),
          schedule: expect.objectContaining({
            type: 'cron',
            expression: '0 0 2 * * ?',
            timezone: 'Asia/Shanghai',
            calendar: { name: 'cn-holidays', mode: 'exclude' },
          }),
          retry: expect.objectContaining({ maxAttempts: 3 }),
          enabled: true,
        }),
      ],
      // Members by name, in the group's order; the contacts themselves are not written.
      contactGroups: [{ name: 'on-call', contacts: ['dev', 'ops'] }],
      alertRules: [
        expect.objectContaining({
          name: 'nightly fails',
          scope: { task: 'nightly' },
          on: 'failure',
          notify: { contacts: ['ops'], groups: ['on-call'] },
        }),
      ],
      workflows: [],
    });
    // Stdout by default; --json for the same document as JSON.
    const json = await kairos(node.url, ['export', '--json']);
    expect(JSON.parse(json.stdout)).toEqual(parse(text));
  });
});
