/**
 * What a task of POST /api/v1/apply refers to besides its app and calendar, against a real node:
 * child tasks by name (perhaps created by the same apply, even later in the file), its pool by
 * name, its priority and budget; each kept, then unchanged, then changed; a loop of children, an
 * unknown child or pool, and an id where a name belongs, each a 400 naming the field with
 * nothing stored.
 */
import { describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../support/test-node.js';

const apply = (node: TestNode, documents: unknown[], options: Record<string, unknown> = {}) =>
  node.api('POST', '/api/v1/apply', { documents, ...options });

const task = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  app: 'billing',
  type: 'http',
  config: { url: `http://127.0.0.1:9/${name}` },
  schedule: { type: 'api' },
  ...extra,
});

const doc = (tasks: unknown[]) => ({
  kind: 'kairos/definitions',
  namespace: 'default',
  apps: [{ appName: 'billing', name: 'Billing' }],
  tasks,
});

const stored = async (node: TestNode) =>
  new Map<string, any>((await node.api('GET', '/api/v1/tasks')).body.items.map((t: any) => [t.name, t]));

describe('POST /api/v1/apply: child tasks, pool, priority, budget', () => {
  it('names child tasks created by the same apply, and keeps pool, priority and budget; then unchanged', async () => {
    const node = await startTestNode();
    expect((await node.api('POST', '/api/v1/pools', { name: 'llm', concurrency: 2 })).status).toBe(201);
    const budget = { tokens: 50_000, period: 'day' };
    // "extract" names "load" and "report", both defined after it and created by the same apply.
    const files = doc([
      task('extract', { childTasks: ['load', 'report'], pool: 'llm', priority: 7, budget }),
      task('load', { childTasks: ['report'] }),
      task('report'),
    ]);

    const first = await apply(node, [files]);
    expect(first.status).toBe(200);
    const tasks = await stored(node);
    expect(tasks.get('extract')).toMatchObject({
      childTaskIds: [tasks.get('load').id, tasks.get('report').id],
      pool: 'llm',
      priority: 7,
      budget: { tokens: 50_000, period: 'day', timezone: 'UTC', onExceeded: 'skip' },
    });
    expect(tasks.get('load').childTaskIds).toEqual([tasks.get('report').id]);

    const again = await apply(node, [files]);
    expect(again.body.changes.every((c: any) => c.action === 'unchanged')).toBe(true);

    const changed = await apply(node, [
      doc([task('extract', { childTasks: ['report'], priority: 7, budget }), task('load'), task('report')]),
    ]);
    expect(changed.status).toBe(200);
    expect(changed.body.changes.find((c: any) => c.name === 'extract').fields).toEqual([
      { field: 'childTasks', from: ['load', 'report'], to: ['report'] },
      { field: 'pool', from: 'llm', to: null },
    ]);
    const after = await stored(node);
    expect(after.get('extract')).toMatchObject({ childTaskIds: [after.get('report').id], pool: null });
    expect(after.get('load').childTaskIds).toEqual([]);
  });

  it('a loop of children, an unknown child or pool, or child ids are a 400 on the field; nothing stored', async () => {
    const node = await startTestNode();
    const refusals: [unknown[], string, string][] = [
      [
        [
          task('a', { childTasks: ['b'] }),
          task('b', { childTasks: ['c'] }),
          task('c', { childTasks: ['a'] }),
        ],
        'documents.0.tasks.0.childTasks',
        'cycle: a → b → c → a',
      ],
      [[task('a', { childTasks: ['a'] })], 'documents.0.tasks.0.childTasks', 'cycle: a → a'],
      [
        [task('a'), task('b', { childTasks: ['a', 'nobody'] })],
        'documents.0.tasks.1.childTasks.1',
        'no task "nobody"',
      ],
      [[task('a', { pool: 'gpu' })], 'documents.0.tasks.0.pool', 'no pool "gpu"'],
      [[task('a', { childTaskIds: [1] })], 'documents.0.tasks.0.childTaskIds', 'not a known field'],
    ];
    for (const [tasks, field, message] of refusals) {
      const res = await apply(node, [doc(tasks)]);
      expect(res.status).toBe(400);
      expect(res.body.error.field).toBe(field);
      expect(res.body.error.message).toContain(message);
    }
    expect((await node.api('GET', '/api/v1/tasks')).body.items).toEqual([]);
    expect((await node.api('GET', '/api/v1/apps')).body.items).toEqual([]);
  });

  it('a loop through a task kept on the server is refused too', async () => {
    const node = await startTestNode();
    expect((await apply(node, [doc([task('a'), task('b', { childTasks: ['a'] })])])).status).toBe(200);
    // Only "a" in the files: "b" is kept, and its child "a" would now name it back.
    const res = await apply(node, [doc([task('a', { childTasks: ['b'] })])]);
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe('documents.0.tasks.0.childTasks');
    expect(res.body.error.message).toContain('a → b → a');
    expect((await stored(node)).get('a').childTaskIds).toEqual([]);
  });
});
