/**
 * `kairos apply -f` against real nodes: the round trip export → apply to an empty server →
 * apply again (nothing to change), the plan shown before anything changes, confirmation,
 * --prune kept to the namespace named, and refusals shown at their file, line and field with
 * nothing applied.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  ADMIN_TOKEN,
  startTestNode,
  tempDataDir,
  type TestNode,
} from '../../../apps/server/test/support/test-node.js';
import { kairos as runKairos } from './harness.js';

const kairos = (node: TestNode, argv: string[], options: { cwd?: string; stdin?: string } = {}) =>
  runKairos(argv, { env: { KAIROS_URL: node.url, KAIROS_TOKEN: ADMIN_TOKEN }, ...options });

/**
 * A server with an app (manual addresses), a calendar, tasks using them, a named secret and a
 * pool (one task the other's child), a contact group and an alert rule.
 */
async function populated(): Promise<TestNode> {
  const node = await startTestNode();
  await node.api('POST', '/api/v1/secrets', { name: 'hook-token', value: 'Bearer abc' });
  await node.api('POST', '/api/v1/pools', { name: 'llm', concurrency: 2 });
  await node.api('POST', '/api/v1/apps', { appName: 'billing', name: 'Billing', maxConcurrency: 4 });
  await node.api('PUT', '/api/v1/apps/billing/executor-addresses', { addresses: ['http://10.0.0.5:9999'] });
  const calendar = await node.api('POST', '/api/v1/calendars', {
    name: 'cn-holidays',
    timezone: 'Asia/Shanghai',
    dates: ['2026-10-01', '2026-10-02'],
  });
  const tasks = [
    {
      name: 'nightly',
      app: 'billing',
      type: 'http',
      config: { url: 'http://127.0.0.1:9/hook', headers: { Authorization: { $secret: 'hook-token' } } },
      schedule: {
        type: 'cron',
        expression: '0 0 2 * * ?',
        timezone: 'Asia/Shanghai',
        calendar: { id: calendar.body.id, mode: 'exclude' },
      },
      retry: { maxAttempts: 3 },
      timeoutSeconds: 600,
    },
    {
      name: 'hourly',
      app: 'billing',
      type: 'http',
      config: { url: 'http://127.0.0.1:9/hourly', method: 'POST' },
      schedule: { type: 'fixed_rate', intervalSeconds: 3600 },
      concurrency: { max: 2, overlap: 'queue' },
      pool: 'llm',
      priority: 3,
      budget: { tokens: 100_000, period: 'day', timezone: 'Asia/Shanghai' },
      enabled: false,
    },
  ];
  const ids: number[] = [];
  for (const task of tasks) {
    const created = await node.api('POST', '/api/v1/tasks', task);
    expect(created.status).toBe(201);
    ids.push(created.body.id);
  }
  const child = await node.api('PATCH', `/api/v1/tasks/${ids[0]}`, { childTaskIds: [ids[1]] });
  expect(child.status).toBe(200);
  const ops = await node.api('POST', '/api/v1/contacts', { name: 'ops', email: 'ops@example.com' });
  const onCall = await node.api('POST', '/api/v1/contact-groups', {
    name: 'on-call',
    contacts: [ops.body.id],
  });
  expect(onCall.status).toBe(201);
  const rule = await node.api('POST', '/api/v1/alert-rules', {
    name: 'nightly fails',
    scope: { taskId: ids[0] },
    on: 'failure',
    notify: { contacts: [ops.body.id], groups: [onCall.body.id] },
  });
  expect(rule.status).toBe(201);
  return node;
}

describe('kairos apply', () => {
  it('export, apply to an empty server, apply again: the same definitions, then nothing to change', async () => {
    const source = await populated();
    const target = await startTestNode();
    await target.api('POST', '/api/v1/secrets', { name: 'hook-token', value: 'Bearer abc' });
    // Contacts are people, not definitions: export names them, the target has its own. Pools
    // are the target's own too (their limits are the provider account's).
    await target.api('POST', '/api/v1/contacts', { name: 'ops', email: 'ops@example.com' });
    await target.api('POST', '/api/v1/pools', { name: 'llm', concurrency: 2 });
    const dir = tempDataDir();
    expect((await kairos(source, ['export', '-o', 'kairos.yaml'], { cwd: dir })).code).toBe(0);

    const first = await kairos(target, ['apply', '-f', 'kairos.yaml', '--yes'], { cwd: dir });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('  + app billing');
    expect(first.stdout).toContain('  + calendar cn-holidays');
    expect(first.stdout).toContain('  + task nightly');
    expect(first.stdout).toContain('  + contactGroup on-call');
    expect(first.stdout).toContain('  + alertRule nightly fails');
    expect(first.stdout).toContain('Plan: 6 to create, 0 to change, 0 unchanged, 0 to delete.');
    expect(first.stdout).toContain('Applied: 6 created, 0 changed, 0 deleted.');

    const exported = await kairos(target, ['export']);
    expect(parse(exported.stdout)).toEqual(parse(readFileSync(join(dir, 'kairos.yaml'), 'utf8')));

    const tasksBefore = (await target.api('GET', '/api/v1/tasks')).body.items;
    const again = await kairos(target, ['apply', '-f', dir, '--yes']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to change (6 unchanged).');
    expect(again.stdout).not.toContain('Applied');
    expect((await target.api('GET', '/api/v1/tasks')).body.items).toEqual(tasksBefore);
  });

  it('shows the changed fields first; --dry-run and a refused confirmation change nothing', async () => {
    const node = await populated();
    const dir = tempDataDir();
    await kairos(node, ['export', '-o', 'kairos.yaml'], { cwd: dir });
    const file = join(dir, 'kairos.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('0 0 2 * * ?', '0 30 2 * * ?'));

    const dry = await kairos(node, ['apply', '-f', file, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout.split('\n')).toEqual([
      'namespace default',
      '  = app billing',
      '  = calendar cn-holidays',
      '  = task hourly',
      '  ~ task nightly',
      '      schedule.expression: "0 0 2 * * ?" -> "0 30 2 * * ?"',
      '  = contactGroup on-call',
      '  = alertRule nightly fails',
      'Plan: 0 to create, 1 to change, 5 unchanged, 0 to delete.',
      '',
    ]);
    const expression = async () =>
      (await node.api('GET', '/api/v1/tasks')).body.items.find((t: any) => t.name === 'nightly').schedule
        .expression;
    expect(await expression()).toBe('0 0 2 * * ?');

    const piped = await kairos(node, ['apply', '-f', '-', '--dry-run'], {
      stdin: readFileSync(file, 'utf8'),
    });
    expect(piped.stderr).toBe('');
    expect(piped.stdout).toContain('      schedule.expression: "0 0 2 * * ?" -> "0 30 2 * * ?"');
    const unconfirmed = await kairos(node, ['apply', '-f', '-'], { stdin: readFileSync(file, 'utf8') });
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('pass --yes or --dry-run');

    const refused = await kairos(node, ['apply', '-f', file], { stdin: 'n\n' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Apply these changes? [y/N]');
    expect(refused.stderr).toContain('nothing applied');
    expect(await expression()).toBe('0 0 2 * * ?');

    const confirmed = await kairos(node, ['apply', '-f', file], { stdin: 'y\n' });
    expect(confirmed.code).toBe(0);
    expect(confirmed.stdout).toContain('Applied: 0 created, 1 changed, 0 deleted.');
    expect(await expression()).toBe('0 30 2 * * ?');
  });

  it('--prune deletes what the files leave out, only in the namespace they name', async () => {
    const node = await populated();
    await node.api('POST', '/api/v1/namespaces', { name: 'other' });
    await node.api('POST', '/api/v1/apps', { namespace: 'other', appName: 'billing', name: 'Billing' });
    await node.api('POST', '/api/v1/tasks', {
      namespace: 'other',
      name: 'hourly',
      app: 'billing',
      type: 'http',
      config: { url: 'http://127.0.0.1:9/x' },
      schedule: { type: 'api' },
    });
    const dir = tempDataDir();
    await kairos(node, ['export', '-o', 'kairos.yaml'], { cwd: dir });
    const file = join(dir, 'kairos.yaml');
    const doc = parse(readFileSync(file, 'utf8'));
    doc.tasks = doc.tasks.filter((t: any) => t.name !== 'hourly');
    delete doc.tasks.find((t: any) => t.name === 'nightly').childTasks;
    writeFileSync(file, JSON.stringify(doc));

    const pruned = await kairos(node, ['apply', '-f', file, '--prune', '--yes']);
    expect(pruned.stderr).toBe('');
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toContain('  - task hourly');
    expect(pruned.stdout).toContain('Applied: 0 created, 1 changed, 1 deleted.');
    const left = (await node.api('GET', '/api/v1/tasks')).body.items.map(
      (t: any) => `${t.namespace}/${t.name}`,
    );
    expect(left.sort()).toEqual(['default/nightly', 'other/hourly']);
  });

  it('an unknown field or a missing app is shown at its file, line and field; nothing is applied', async () => {
    const node = await startTestNode();
    const dir = tempDataDir();
    const text = (appOfSecond: string, extra: string) =>
      [
        'kind: kairos/definitions',
        'namespace: default',
        'apps:',
        '  - appName: billing',
        '    name: Billing',
        'calendars:',
        '  - { name: cn-holidays, timezone: Asia/Shanghai, dates: [2026-10-01] }',
        'tasks:',
        '  - name: nightly',
        '    app: billing',
        '    type: http',
        '    config: { url: "http://127.0.0.1:9/hook" }',
        '    schedule: { type: cron, expression: "0 0 2 * * ?", calendar: cn-holidays }',
        extra,
        '  - name: hourly',
        `    app: ${appOfSecond}`,
        '    type: http',
        '    config: { url: "http://127.0.0.1:9/hourly" }',
        '    schedule: { type: fixed_rate, intervalSeconds: 3600 }',
        '',
      ].join('\n');
    writeFileSync(join(dir, 'a.yaml'), text('billing', '    retries: 3'));
    const unknown = await kairos(node, ['apply', '-f', 'a.yaml', '--yes'], { cwd: dir });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      'error: a.yaml:14:5: tasks.0.retries: is not a known field (VALIDATION_ERROR, field tasks.0.retries)',
    );

    // In a directory, with a second document in the file: the error names both.
    writeFileSync(
      join(dir, 'a.yaml'),
      `kind: kairos/definitions\nnamespace: default\n---\n${text('payroll', '    timeoutSeconds: 60')}`,
    );
    const missing = await kairos(node, ['apply', '-f', '.', '--yes'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /error: a\.yaml:19:5 \(document 2\): tasks\.1\.app: no app "payroll" in namespace default, neither in the files nor kept on the server/,
    );
    expect((await node.api('GET', '/api/v1/apps')).body.items).toEqual([]);
    expect((await node.api('GET', '/api/v1/calendars')).body.items).toEqual([]);
    expect((await node.api('GET', '/api/v1/tasks')).body.items).toEqual([]);
  });
});
