/**
 * Workflows in POST /api/v1/apply against a real node: created with their node tasks by name (a
 * task of the same documents) and inline, run to success against a receiver on 127.0.0.1; the
 * same documents again all unchanged; a changed edge a new version; a prune deleting them; each
 * bad input a 400 naming its place with nothing stored; on SQLite and on PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { startTestNode, type TestNode } from '../support/test-node.js';
import { postgresReachable, testSchema } from '../support/postgres.js';

const pgReachable = await postgresReachable();

const apply = (node: TestNode, documents: unknown[], options: Record<string, unknown> = {}) =>
  node.api('POST', '/api/v1/apply', { documents, ...options });

const http = (url: string) => ({ type: 'http', config: { url, method: 'POST' } });

function documents(target: string, workflow: Record<string, unknown> = {}) {
  return {
    kind: 'kairos/definitions',
    namespace: 'default',
    apps: [{ appName: 'billing', name: 'Billing' }],
    calendars: [{ name: 'holidays', timezone: 'UTC', dates: ['2026-12-25'] }],
    tasks: [
      {
        name: 'extract',
        app: 'billing',
        ...http(`${target}/extract`),
        schedule: { type: 'api' },
      },
    ],
    workflows: [
      {
        name: 'nightly',
        app: 'billing',
        schedule: {
          type: 'cron',
          expression: '0 0 2 * * ?',
          calendar: { name: 'holidays', mode: 'exclude' },
        },
        concurrency: { max: 1, overlap: 'queue' },
        timeoutSeconds: 600,
        input: { day: 'monday' },
        nodes: [
          { key: 'extract', task: 'extract', input: '{ "day": input.day }' },
          {
            key: 'load',
            task: http(`${target}/load`),
            forEach: { items: 'nodes.extract.output.body.rows', concurrency: 2 },
            input: '{ "row": item }',
          },
        ],
        edges: [{ from: 'extract', to: 'load' }],
        ...workflow,
      },
    ],
  };
}

async function receiver(): Promise<HttpTarget> {
  return startHttpTarget((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(req.url === '/extract' ? { rows: [1, 2, 3] } : { ok: true }));
  });
}

async function runToEnd(node: TestNode, workflowId: number) {
  const ended = new Promise<number>((resolve) => {
    const off = node.events.on('workflow_run:finished', ({ run }) => {
      if (run.workflowId === workflowId) {
        off();
        resolve(run.id);
      }
    });
  });
  const started = await node.api('POST', `/api/v1/workflows/${workflowId}/run`, {});
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  return (await node.api('GET', `/api/v1/workflow-runs/${await ended}`)).body;
}

const workflows = async (node: TestNode) => (await node.api('GET', '/api/v1/workflows')).body.items;

describe('POST /api/v1/apply: workflows', () => {
  it('creates a workflow by name, which runs; the same documents again are unchanged', async () => {
    const node = await startTestNode();
    const target = await receiver();
    const first = await apply(node, [documents(target.url)]);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.changes).toContainEqual({
      namespace: 'default',
      kind: 'workflow',
      name: 'nightly',
      action: 'create',
      fields: [],
    });
    const [workflow] = await workflows(node);
    const tasks = (await node.api('GET', '/api/v1/tasks')).body.items;
    const calendar = (await node.api('GET', '/api/v1/calendars')).body.items[0];
    // The inline node's task stays hidden: the only task listed is the one the documents define.
    expect(tasks.map((t: any) => t.name)).toEqual(['extract']);
    expect(workflow).toMatchObject({
      appName: 'billing',
      version: 1,
      schedule: { expression: '0 0 2 * * ?', calendar: { id: calendar.id, mode: 'exclude' } },
      concurrency: { max: 1, overlap: 'queue' },
      timeoutSeconds: 600,
      nodes: [
        { key: 'extract', taskId: tasks[0].id },
        { key: 'load', task: http(`${target.url}/load`) },
      ],
    });
    expect(workflow.nextFireAt).not.toBeNull();

    const run = await runToEnd(node, workflow.id);
    expect(run.status).toBe('succeeded');
    expect(target.requests.filter((r) => r.url === '/load').map((r) => JSON.parse(r.body))).toEqual(
      expect.arrayContaining([{ row: 1 }, { row: 2 }, { row: 3 }]),
    );

    const again = await apply(node, [documents(target.url)]);
    expect(again.status).toBe(200);
    expect(again.body.applied).toBe(false);
    expect(again.body.changes.every((c: any) => c.action === 'unchanged')).toBe(true);
    expect((await workflows(node))[0]).toEqual(workflow);
  });

  it('a changed edge is a new version keeping the inline node its task; a prune deletes the workflow', async () => {
    const node = await startTestNode();
    const target = await receiver();
    expect((await apply(node, [documents(target.url)])).status).toBe(200);
    const [before] = await workflows(node);
    const versionOne = await node.api('GET', `/api/v1/workflows/${before.id}/versions/1`);
    const hiddenBefore = (await node.store.getWorkflow(before.id))!.definition.nodes[1]!.taskId;

    const edited = documents(target.url, { edges: [{ from: 'extract', to: 'load', condition: 'always' }] });
    const changed = await apply(node, [edited]);
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.changes.find((c: any) => c.kind === 'workflow')).toEqual({
      namespace: 'default',
      kind: 'workflow',
      name: 'nightly',
      action: 'update',
      fields: [{ field: 'edges.0.condition', from: 'on_success', to: 'always' }],
    });
    const [after] = await workflows(node);
    expect(after).toMatchObject({ id: before.id, version: 2, edges: [{ condition: 'always' }] });
    expect(after.nextFireAt).toBe(before.nextFireAt);
    const hiddenTask = async () => (await node.store.getWorkflow(before.id))!.definition.nodes[1]!.taskId;
    expect(await hiddenTask()).toBe(hiddenBefore);
    expect((await node.api('GET', `/api/v1/workflows/${before.id}/versions`)).body).toHaveLength(2);
    expect(versionOne.body.edges[0].condition).toBe('on_success');
    expect((await runToEnd(node, after.id)).status).toBe('succeeded');

    const pruned = await apply(node, [{ ...documents(target.url), workflows: [] }], { prune: true });
    expect(pruned.status).toBe(200);
    expect(pruned.body.changes.find((c: any) => c.kind === 'workflow')).toMatchObject({
      name: 'nightly',
      action: 'delete',
    });
    expect(await workflows(node)).toEqual([]);
    expect((await node.api('GET', `/api/v1/workflows/${before.id}`)).status).toBe(404);
    expect(await node.store.getTask(hiddenBefore)).toBeUndefined();
    expect((await node.api('GET', '/api/v1/tasks')).body.items.map((t: any) => t.name)).toEqual(['extract']);
  });

  it('each bad input is a 400 naming its place in the request, and nothing is stored', async () => {
    const node = await startTestNode();
    const target = await receiver();
    const flow = (change: (wf: any) => void, extra: Record<string, unknown> = {}) => {
      const doc: any = { ...documents(target.url), ...extra };
      change(doc.workflows[0]);
      return doc;
    };
    const refusals: [unknown, string, string][] = [
      [
        flow((wf) => (wf.nodes[0].task = 'nobody')),
        'documents.0.workflows.0.nodes.0.task',
        'no task "nobody"',
      ],
      [flow((wf) => (wf.nodes[0].taskId = 1)), 'documents.0.workflows.0.nodes.0.taskId', 'not a known field'],
      [flow((wf) => (wf.app = 'payroll')), 'documents.0.workflows.0.app', 'no app "payroll"'],
      [
        flow((wf) => (wf.nodes[1].task.app = 'payroll')),
        'documents.0.workflows.0.nodes.1.task.app',
        'no app "payroll"',
      ],
      [
        flow((wf) => (wf.nodes[1].input = '{ "row": ')),
        'documents.0.workflows.0.nodes.1.input',
        'not a valid JSONata expression',
      ],
      [
        flow((wf) => wf.edges.push({ from: 'load', to: 'extract' })),
        'documents.0.workflows.0.edges',
        'cycle: ',
      ],
      [flow((wf) => (wf.edges[0].to = 'zz')), 'documents.0.workflows.0.edges.0.to', 'no node "zz"'],
      [
        flow((wf) => (wf.nodes[1].task.config = { method: 'POST' })),
        'documents.0.workflows.0.nodes.1.task.config.url',
        '',
      ],
      [
        flow((wf) => (wf.schedule.calendar = { name: 'none' })),
        'documents.0.workflows.0.schedule.calendar',
        'no calendar "none"',
      ],
      [
        flow((wf) => (wf.schedule.expression = '0 0 25 * * ?')),
        'documents.0.workflows.0.schedule.expression',
        '',
      ],
    ];
    for (const [doc, field, message] of refusals) {
      const res = await apply(node, [doc]);
      expect(res.status, field).toBe(400);
      expect(res.body.error.field).toBe(field);
      expect(res.body.error.message).toContain(message);
    }
    expect(await workflows(node)).toEqual([]);
    expect((await node.api('GET', '/api/v1/apps')).body.items).toEqual([]);
    expect((await node.api('GET', '/api/v1/tasks')).body.items).toEqual([]);

    // A prune may not delete a task a workflow it keeps (not in the files) still uses.
    expect((await apply(node, [documents(target.url)])).status).toBe(200);
    const [stored] = await workflows(node);
    const { workflows: _left, ...noWorkflows } = documents(target.url);
    const orphaning = await apply(node, [{ ...noWorkflows, tasks: [] }], { prune: true });
    expect(orphaning.status).toBe(400);
    expect(orphaning.body.error.field).toBe('documents.0.tasks');
    expect(orphaning.body.error.message).toContain('workflow "nightly"');
    expect((await node.api('GET', '/api/v1/tasks')).body.items.map((t: any) => t.name)).toEqual(['extract']);
    expect(await workflows(node)).toEqual([stored]);
  });

  it.skipIf(!pgReachable)(
    'on PostgreSQL: created in the apply transaction, runs, again unchanged; a refusal stores nothing',
    async () => {
      const schema = await testSchema();
      const node = await startTestNode({ config: { databaseUrl: schema.databaseUrl } });
      const target = await receiver();
      const bad = documents(target.url);
      (bad.workflows[0]!.nodes[0] as any).task = 'nobody';
      const refused = await apply(node, [bad]);
      expect(refused.status).toBe(400);
      expect(refused.body.error.field).toBe('documents.0.workflows.0.nodes.0.task');
      expect((await node.api('GET', '/api/v1/apps')).body.items).toEqual([]);

      const first = await apply(node, [documents(target.url)]);
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      const [workflow] = await workflows(node);
      expect((await runToEnd(node, workflow.id)).status).toBe('succeeded');
      const again = await apply(node, [documents(target.url)]);
      expect(again.body.changes.every((c: any) => c.action === 'unchanged')).toBe(true);

      const edited = documents(target.url, { edges: [{ from: 'extract', to: 'load', condition: 'always' }] });
      expect((await apply(node, [edited])).status).toBe(200);
      expect((await workflows(node))[0].version).toBe(2);
      const pruned = await apply(node, [{ ...edited, workflows: [] }], { prune: true });
      expect(pruned.status).toBe(200);
      expect(await workflows(node)).toEqual([]);
    },
  );
});
