/**
 * Bad workflow definitions the issue names, each a 400 naming the place, nothing saved: a
 * cycle, an edge to an unknown node, a mapping that does not parse or names an unknown node;
 * and the validate route answering every problem at once, saving nothing.
 */
import { describe, expect, it } from 'vitest';
import { createApp, startTestNode, type TestNode } from '../support/test-node.js';

const task = { type: 'http', config: { url: 'http://127.0.0.1:9/' } };

async function refused(node: TestNode, body: Record<string, unknown>) {
  const res = await node.api('POST', '/api/v1/workflows', { name: 'wf', app: 'demo', ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  return res.body.error;
}

describe('workflow bad input', () => {
  it('refuses each with a 400 naming the place, and saves nothing', async () => {
    const node = await startTestNode();
    await createApp(node);
    const nodes = [
      { key: 'a', task },
      { key: 'b', task },
      { key: 'c', task },
    ];

    const cycle = await refused(node, {
      nodes,
      edges: [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'c', to: 'b' },
      ],
    });
    expect(cycle).toMatchObject({ code: 'VALIDATION_ERROR', field: 'edges' });
    expect(cycle.message).toBe('edges: cycle: b → c → b');

    const unknownEdge = await refused(node, { nodes, edges: [{ from: 'a', to: 'zz' }] });
    expect(unknownEdge).toMatchObject({ field: 'edges.0.to', message: 'edges.0.to: no node "zz"' });

    const unparsed = await refused(node, { nodes: [nodes[0], { key: 'b', task, input: '{ "x": ' }] });
    expect(unparsed.field).toBe('nodes.1.input');
    expect(unparsed.message).toContain('is not a valid JSONata expression');

    const unknownNode = await refused(node, {
      nodes: [nodes[0], { key: 'b', task, input: '{ "x": nodes.nope.output }' }],
      edges: [{ from: 'a', to: 'b' }],
    });
    expect(unknownNode).toMatchObject({ field: 'nodes.1.input' });
    expect(unknownNode.message).toContain('names node "nope"');

    const badCondition = await refused(node, {
      nodes,
      edges: [{ from: 'a', to: 'b', condition: { expression: 'output = ' } }],
    });
    expect(badCondition.field).toBe('edges.0.condition.expression');

    const noTask = await refused(node, { nodes: [{ key: 'a', taskId: 999_999 }] });
    expect(noTask).toMatchObject({
      field: 'nodes.0.taskId',
      message: 'nodes.0.taskId: no task 999999 in this namespace',
    });

    const badConfig = await refused(node, { nodes: [{ key: 'a', task: { type: 'http', config: {} } }] });
    expect(badConfig.field).toBe('nodes.0.task.config.url');

    const badForEach = await refused(node, { nodes: [{ key: 'a', task, forEach: { items: '[1, 2' } }] });
    expect(badForEach.field).toBe('nodes.0.forEach.items');

    const badOnItemFailure = await refused(node, {
      nodes: [{ key: 'a', task, forEach: { items: '[1, 2]', onItemFailure: 'stop' } }],
    });
    expect(badOnItemFailure.field).toBe('nodes.0.forEach.onItemFailure');
    expect(badOnItemFailure.message).toContain('continue');

    const badMax = await refused(node, { nodes, concurrency: { max: 0, overlap: 'queue' } });
    expect(badMax.field).toBe('concurrency.max');

    // Nothing half-saved: no workflow, no hidden task.
    expect((await node.api('GET', '/api/v1/workflows')).body.items).toEqual([]);
    expect(await node.store.countTasks()).toBe(0);
  });

  it('validate answers every problem with its place and saves nothing', async () => {
    const node = await startTestNode();
    await createApp(node);
    const res = await node.api('POST', '/api/v1/workflows/validate', {
      name: 'wf',
      app: 'demo',
      nodes: [
        { key: 'a', task },
        { key: 'a', task },
        { key: 'b', task, input: 'nodes.ghost.output' },
      ],
      edges: [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'a' },
        { from: 'x', to: 'a' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.valid).toBe(false);
    expect(res.body.errors.map((e: any) => e.field)).toEqual([
      'nodes.1.key',
      'nodes.2.input',
      'edges.2.from',
      'edges',
    ]);
    expect(res.body.errors[3].message).toBe('cycle: a → b → a');
    const ok = await node.api('POST', '/api/v1/workflows/validate', {
      name: 'wf',
      app: 'demo',
      nodes: [{ key: 'a', task }],
    });
    expect(ok.body).toEqual({ valid: true, errors: [] });
    expect((await node.api('GET', '/api/v1/workflows')).body.items).toEqual([]);
  });
});
