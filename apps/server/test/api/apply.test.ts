/**
 * POST /api/v1/apply against a real node: the plan (create / changed fields / unchanged /
 * delete), idempotence, prune within the namespaces and kinds the documents give, bad input
 * naming its field with nothing stored, secrets by reference, and the roles it needs.
 */
import { describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../support/test-node.js';
import { callAs, createNamespace, createToken } from '../access/access-fixtures.js';
import { postgresReachable, testSchema } from '../support/postgres.js';

const pgReachable = await postgresReachable();

const document = (overrides: Record<string, unknown> = {}) => ({
  kind: 'kairos/definitions',
  namespace: 'default',
  apps: [{ appName: 'billing', name: 'Billing', executorAddresses: ['http://10.0.0.5:9999'] }],
  calendars: [{ name: 'cn-holidays', timezone: 'Asia/Shanghai', dates: ['2026-10-01'] }],
  tasks: [
    {
      name: 'nightly',
      app: 'billing',
      type: 'http',
      config: { url: 'http://127.0.0.1:9/hook', headers: { Authorization: { $secret: 'hook-token' } } },
      schedule: {
        type: 'cron',
        expression: '0 0 2 * * ?',
        timezone: 'Asia/Shanghai',
        calendar: { name: 'cn-holidays', mode: 'exclude' },
      },
      retry: { maxAttempts: 3 },
    },
    {
      name: 'hourly',
      app: 'billing',
      type: 'http',
      config: { url: 'http://127.0.0.1:9/hourly' },
      schedule: { type: 'fixed_rate', intervalSeconds: 3600 },
    },
  ],
  ...overrides,
});

const apply = (node: TestNode, documents: unknown[], options: Record<string, unknown> = {}) =>
  node.api('POST', '/api/v1/apply', { documents, ...options });

const actions = (plan: any) =>
  plan.changes.map((c: any) => `${c.action} ${c.kind} ${c.namespace}/${c.name}`).sort();

async function withSecret(node: TestNode) {
  const secret = await node.api('POST', '/api/v1/secrets', { name: 'hook-token', value: 'Bearer abc' });
  expect(secret.status).toBe(201);
}

describe('POST /api/v1/apply', () => {
  it('creates what the documents define, then finds it all unchanged; a dry run stores nothing', async () => {
    const node = await startTestNode();
    await withSecret(node);

    const dry = await apply(node, [document()], { dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body.applied).toBe(false);
    expect(actions(dry.body)).toEqual([
      'create app default/billing',
      'create calendar default/cn-holidays',
      'create task default/hourly',
      'create task default/nightly',
    ]);
    expect((await node.api('GET', '/api/v1/apps')).body.items).toEqual([]);

    const first = await apply(node, [document()]);
    expect(first.status).toBe(200);
    expect(first.body.applied).toBe(true);
    const tasks = (await node.api('GET', '/api/v1/tasks')).body.items;
    const calendar = (await node.api('GET', '/api/v1/calendars')).body.items[0];
    const nightly = tasks.find((t: any) => t.name === 'nightly');
    expect(nightly).toMatchObject({
      appName: 'billing',
      schedule: { expression: '0 0 2 * * ?', calendar: { id: calendar.id, mode: 'exclude' } },
      retry: { maxAttempts: 3 },
      enabled: true,
    });
    expect(nightly.nextFireAt).not.toBeNull();
    expect((await node.api('GET', '/api/v1/apps/billing/executor-addresses')).body.addresses).toEqual([
      'http://10.0.0.5:9999',
    ]);

    const again = await apply(node, [document()]);
    expect(again.body.applied).toBe(false);
    expect(again.body.changes.every((c: any) => c.action === 'unchanged')).toBe(true);
    expect((await node.api('GET', '/api/v1/tasks')).body.items).toEqual(tasks);
  });

  it('lists the fields that change, and changes only those', async () => {
    const node = await startTestNode();
    await withSecret(node);
    await apply(node, [document()]);
    const edited = document();
    (edited.tasks[0] as any).schedule.expression = '0 30 2 * * ?';
    (edited.tasks[1] as any).enabled = false;
    edited.calendars[0]!.dates.push('2026-10-02');

    const plan = await apply(node, [edited]);
    expect(plan.status).toBe(200);
    const byName = new Map(plan.body.changes.map((c: any) => [c.name, c]));
    expect(byName.get('nightly')).toMatchObject({
      action: 'update',
      fields: [{ field: 'schedule.expression', from: '0 0 2 * * ?', to: '0 30 2 * * ?' }],
    });
    expect(byName.get('hourly')).toMatchObject({
      action: 'update',
      fields: [{ field: 'enabled', from: true, to: false }],
    });
    expect(byName.get('cn-holidays')).toMatchObject({ action: 'update', fields: [{ field: 'dates' }] });
    expect(byName.get('billing')).toMatchObject({ action: 'unchanged' });
    const hourly = (await node.api('GET', '/api/v1/tasks')).body.items.find((t: any) => t.name === 'hourly');
    expect(hourly).toMatchObject({ enabled: false, nextFireAt: null });
    expect(actions((await apply(node, [edited])).body).every((a: string) => a.startsWith('unchanged'))).toBe(
      true,
    );
  });

  it('prunes only within the namespaces and kinds the documents give', async () => {
    const node = await startTestNode();
    await withSecret(node);
    await node.api('POST', '/api/v1/namespaces', { name: 'other' });
    await apply(node, [document()]);
    await apply(node, [document({ namespace: 'other', calendars: [], tasks: [] })]);
    const kept = await node.api('POST', '/api/v1/tasks', {
      namespace: 'other',
      name: 'elsewhere',
      app: 'billing',
      type: 'http',
      config: { url: 'http://127.0.0.1:9/x' },
      schedule: { type: 'api' },
    });
    expect(kept.status).toBe(201);

    // The file keeps only "nightly"; it gives no calendars: they stay.
    const only = document({ calendars: undefined });
    only.tasks = only.tasks.slice(0, 1);
    const plan = await apply(node, [only], { prune: true });
    expect(plan.status).toBe(200);
    expect(actions(plan.body)).toEqual([
      'delete task default/hourly',
      'unchanged app default/billing',
      'unchanged task default/nightly',
    ]);
    const names = (await node.api('GET', '/api/v1/tasks')).body.items.map(
      (t: any) => `${t.namespace}/${t.name}`,
    );
    expect(names.sort()).toEqual(['default/nightly', 'other/elsewhere']);
    expect((await node.api('GET', '/api/v1/calendars')).body.items).toHaveLength(1);

    // A prune that would delete an app a kept task uses is refused, naming the field.
    const noApps = await apply(node, [{ kind: 'kairos/definitions', namespace: 'other', apps: [] }], {
      prune: true,
    });
    expect(noApps.status).toBe(400);
    expect(noApps.body.error.field).toBe('documents.0.apps');
    expect((await node.api('GET', '/api/v1/apps?namespace=other')).body.items).toHaveLength(1);
  });

  it('an unknown field or a missing app is a 400 naming it, and nothing is stored', async () => {
    const node = await startTestNode();
    await withSecret(node);
    const unknown = document();
    (unknown.tasks[1] as any).schedule.expresion = '0 0 * * * ?';
    const refused = await apply(node, [unknown]);
    expect(refused.status).toBe(400);
    expect(refused.body.error.field).toBe('documents.0.tasks.1.schedule.expresion');

    const missing = document();
    (missing.tasks[1] as any).app = 'no-such-app';
    const noApp = await apply(node, [missing]);
    expect(noApp.status).toBe(400);
    expect(noApp.body.error.field).toBe('documents.0.tasks.1.app');
    expect(noApp.body.error.message).toMatch(/no app "no-such-app"/);

    const badCron = document();
    (badCron.tasks[0] as any).schedule.expression = '0 0 25 * * ?';
    const cron = await apply(node, [badCron]);
    expect(cron.status).toBe(400);
    expect(cron.body.error.code).toBe('INVALID_CRON');
    expect(cron.body.error.field).toBe('documents.0.tasks.0.schedule.expression');

    const badCalendar = document();
    (badCalendar.tasks[0] as any).schedule.calendar = 'nope';
    const noCalendar = await apply(node, [badCalendar]);
    expect(noCalendar.body.error.field).toBe('documents.0.tasks.0.schedule.calendar');

    const badConfig = document();
    (badConfig.tasks[0] as any).config.headers.Authorization = { $secret: 'not-there' };
    const noSecret = await apply(node, [badConfig]);
    expect(noSecret.status).toBe(400);
    expect(noSecret.body.error.field).toBe('documents.0.tasks.0.config.headers.Authorization');

    expect((await node.api('GET', '/api/v1/apps')).body.items).toEqual([]);
    expect((await node.api('GET', '/api/v1/calendars')).body.items).toEqual([]);
    expect((await node.api('GET', '/api/v1/tasks')).body.items).toEqual([]);
  });

  it('a secretRef keeps the value stored on this server; with none stored it is refused', async () => {
    const node = await startTestNode();
    await node.api('POST', '/api/v1/apps', { appName: 'billing', name: 'Billing' });
    const created = await node.api('POST', '/api/v1/tasks', {
      name: 'nightly',
      app: 'billing',
      type: 'http',
      config: { url: 'http://127.0.0.1:9/hook', headers: { Authorization: 'Bearer s3cret-value' } },
      schedule: { type: 'api' },
    });
    expect(created.status).toBe(201);
    const ref = { secretRef: 'tasks.nightly.config.headers.Authorization' };
    const task = (name: string) => ({
      name,
      app: 'billing',
      type: 'http',
      config: { url: 'http://127.0.0.1:9/hook', headers: { Authorization: ref } },
      schedule: { type: 'api' },
    });
    const kept = await apply(node, [{ kind: 'kairos/definitions', tasks: [task('nightly')] }]);
    expect(kept.status).toBe(200);
    expect(kept.body.changes).toEqual([
      { namespace: 'default', kind: 'task', name: 'nightly', action: 'unchanged', fields: [] },
    ]);

    const fresh = await apply(node, [{ kind: 'kairos/definitions', tasks: [task('nightly'), task('copy')] }]);
    expect(fresh.status).toBe(400);
    expect(fresh.body.error.field).toBe('documents.0.tasks.1.config.headers.Authorization');
    expect(fresh.body.error.message).toMatch(/secretRef/);
  });

  it('applies alert rules by name: a new task as scope, contacts and groups; then unchanged', async () => {
    const node = await startTestNode();
    await withSecret(node);
    const ops = await node.api('POST', '/api/v1/contacts', { name: 'ops', email: 'ops@example.com' });
    await node.api('POST', '/api/v1/contact-groups', { name: 'oncall', contacts: [ops.body.id] });
    const rule = {
      name: 'nightly fails',
      scope: { task: 'nightly' },
      on: 'failure',
      notify: { contacts: ['ops'] },
    };
    const slow = {
      name: 'billing slow',
      scope: { app: 'billing' },
      on: 'duration',
      threshold: 60,
      notify: { groups: ['oncall'], channels: ['email'] },
    };
    const doc = document({ alertRules: [rule, slow] });

    const first = await apply(node, [doc]);
    expect(first.status).toBe(200);
    expect(actions(first.body)).toContain('create alertRule default/nightly fails');
    const nightly = (await node.api('GET', '/api/v1/tasks')).body.items.find(
      (t: any) => t.name === 'nightly',
    );
    const rules = (await node.api('GET', '/api/v1/alert-rules')).body.items;
    expect(rules.find((r: any) => r.name === 'nightly fails')).toMatchObject({
      scope: { taskId: nightly.id },
      on: 'failure',
      notify: { contacts: [ops.body.id] },
    });
    expect(rules.find((r: any) => r.name === 'billing slow')).toMatchObject({
      scope: { app: 'billing' },
      threshold: 60,
    });

    const again = await apply(node, [doc]);
    expect(again.body.changes.every((c: any) => c.action === 'unchanged')).toBe(true);

    const edited = document({ alertRules: [{ ...rule, on: 'timeout' }, slow] });
    const changed = await apply(node, [edited]);
    expect(changed.body.changes.find((c: any) => c.name === 'nightly fails')).toMatchObject({
      action: 'update',
      fields: [{ field: 'on', from: 'failure', to: 'timeout' }],
    });

    // An unknown contact names its field; nothing of the apply is stored.
    const unknown = document({ alertRules: [{ ...rule, notify: { contacts: ['ops', 'nobody'] } }] });
    (unknown.tasks[0] as any).description = 'not stored';
    const refused = await apply(node, [unknown]);
    expect(refused.status).toBe(400);
    expect(refused.body.error.field).toBe('documents.0.alertRules.0.notify.contacts.1');
    const stored = (await node.api('GET', '/api/v1/tasks')).body.items.find((t: any) => t.name === 'nightly');
    expect(stored.description).toBeNull();

    // Pruning the rules the file leaves out, and the task's rule going with the pruned task.
    const pruned = await apply(node, [document({ alertRules: [slow], tasks: [document().tasks[1]] })], {
      prune: true,
    });
    expect(pruned.status).toBe(200);
    expect(actions(pruned.body)).toEqual(
      expect.arrayContaining(['delete task default/nightly', 'delete alertRule default/nightly fails']),
    );
    expect((await node.api('GET', '/api/v1/alert-rules')).body.items.map((r: any) => r.name)).toEqual([
      'billing slow',
    ]);
  });

  it('needs editor in every namespace named, admin where apps change', async () => {
    const node = await startTestNode();
    await createNamespace(node, 'alpha');
    await createNamespace(node, 'beta');
    await node.api('POST', '/api/v1/apps', { namespace: 'alpha', appName: 'billing', name: 'Billing' });
    const editor = await createToken(node, 'alpha editor', 'editor', ['alpha']);
    const alphaTask = {
      kind: 'kairos/definitions',
      namespace: 'alpha',
      tasks: [
        {
          name: 't',
          app: 'billing',
          type: 'http',
          config: { url: 'http://127.0.0.1:9/x' },
          schedule: { type: 'api' },
        },
      ],
    };
    const ok = await callAs(node, editor.secret, 'POST', '/api/v1/apply', { documents: [alphaTask] });
    expect(ok.status).toBe(200);
    expect(ok.body.applied).toBe(true);

    const app = { kind: 'kairos/definitions', namespace: 'alpha', apps: [{ appName: 'new', name: 'New' }] };
    const noAdmin = await callAs(node, editor.secret, 'POST', '/api/v1/apply', { documents: [app] });
    expect(noAdmin.status).toBe(403);
    const beta = { ...alphaTask, namespace: 'beta' };
    const elsewhere = await callAs(node, editor.secret, 'POST', '/api/v1/apply', {
      documents: [alphaTask, beta],
    });
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.error.field).toBe('documents.1.namespace');
    expect((await node.api('GET', '/api/v1/apps?namespace=alpha')).body.items).toHaveLength(1);
  });

  it.skipIf(!pgReachable)(
    'on PostgreSQL: applies in one transaction, again unchanged, a refusal stores nothing',
    async () => {
      const schema = await testSchema();
      const node = await startTestNode({ config: { databaseUrl: schema.databaseUrl } });
      await withSecret(node);
      const ops = await node.api('POST', '/api/v1/contacts', { name: 'ops', email: 'ops@example.com' });
      expect(ops.status).toBe(201);
      const rule = {
        name: 'nightly fails',
        scope: { task: 'nightly' },
        on: 'failure',
        notify: { contacts: ['ops'] },
      };
      const doc = document({ alertRules: [rule] });
      const first = await apply(node, [doc]);
      expect(first.status).toBe(200);
      expect(first.body.applied).toBe(true);
      const again = await apply(node, [doc]);
      expect(again.body.changes.every((c: any) => c.action === 'unchanged')).toBe(true);

      const bad = document({ apps: [...document().apps, { appName: 'payroll', name: 'Payroll' }] });
      (bad.tasks[1] as any).app = 'no-such-app';
      const refused = await apply(node, [bad]);
      expect(refused.status).toBe(400);
      expect(refused.body.error.field).toBe('documents.0.tasks.1.app');
      expect((await node.api('GET', '/api/v1/apps')).body.items.map((a: any) => a.appName)).toEqual([
        'billing',
      ]);
    },
  );
});
