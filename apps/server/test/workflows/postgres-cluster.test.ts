/**
 * Workflows on PostgreSQL with two nodes sharing the database: both sweep and advance the same
 * workflow runs (the node runs are settled wherever they ran), and still every node and forEach
 * item runs once per workflow run; the workflow's `concurrency` (max 2, queue) holds across nodes.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { startHttpTarget } from '../support/http-target.js';
import { postgresReachable, testSchema } from '../support/postgres.js';
import { createApp, startTestNode } from '../support/test-node.js';

const pgReachable = await postgresReachable();

describe.skipIf(!pgReachable)('workflows in a PostgreSQL cluster', () => {
  it('runs each node and item once per workflow run, with two nodes advancing', async () => {
    const { databaseUrl } = await testSchema();
    const a = await startTestNode({ config: { databaseUrl, nodeId: 'node-a' } });
    const b = await startTestNode({ config: { databaseUrl, nodeId: 'node-b' } });
    await createApp(a);
    const target = await startHttpTarget((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify(req.url === '/list' ? { items: Array.from({ length: 20 }, (_, i) => i) } : { ok: 1 }),
      );
    });
    const http = (path: string) => ({
      type: 'http',
      config: { url: `${target.url}${path}`, method: 'POST' },
    });
    const created = await a.api('POST', '/api/v1/workflows', {
      name: 'cluster',
      app: 'demo',
      concurrency: { max: 2, overlap: 'queue' },
      nodes: [
        { key: 'list', task: http('/list') },
        {
          key: 'each',
          task: http('/item'),
          forEach: { items: 'nodes.list.output.body.items', concurrency: 4 },
        },
        { key: 'other', task: http('/other') },
        { key: 'join', task: http('/join'), input: '{ "n": $count(nodes.each.output) }' },
      ],
      edges: [
        { from: 'list', to: 'each' },
        { from: 'list', to: 'other' },
        { from: 'each', to: 'join' },
        { from: 'other', to: 'join' },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const ids: number[] = [];
    for (const node of [a, b, a]) {
      const started = await node.api('POST', `/api/v1/workflows/${created.body.id}/run`, {});
      expect(started.status).toBe(201);
      ids.push(started.body.id);
    }
    for (const id of ids) {
      const run = await eventually(async () => {
        const res = await b.api('GET', `/api/v1/workflow-runs/${id}`);
        expect(res.body.status).toBe('succeeded');
        return res.body;
      }, 30_000);
      const nodes = Object.fromEntries(run.nodes.map((n: any) => [n.key, n]));
      expect(nodes.each.runIds).toHaveLength(20);
      expect(nodes.each.output).toHaveLength(20);
      expect(nodes.join.runIds).toHaveLength(1);
      const items = await a.store.listNodeRuns(id);
      const eachItems = items.filter((r) => r.workflowNode === 'each').map((r) => r.workflowItem);
      expect(new Set(eachItems).size).toBe(20);
    }
    // Never three at once: the third started (from the queue, or when posted) once one had ended.
    const runs = await Promise.all(
      ids.map(async (id) => (await a.api('GET', `/api/v1/workflow-runs/${id}`)).body),
    );
    const firstEnd = Math.min(...runs.slice(0, 2).map((r) => Date.parse(r.finishedAt)));
    expect(Date.parse(runs[2].startedAt)).toBeGreaterThanOrEqual(firstEnd);
    expect(target.requests.filter((r) => r.url === '/join').map((r) => JSON.parse(r.body))).toEqual([
      { n: 20 },
      { n: 20 },
      { n: 20 },
    ]);
    expect(target.requests.filter((r) => r.url === '/item')).toHaveLength(60);
  }, 60_000);
});
