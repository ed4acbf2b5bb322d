/**
 * Several nodes on one PostgreSQL database: every slot fires exactly once, concurrency limits and
 * cancels hold across nodes.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startHttpTarget } from '../support/http-target.js';
import { postgresReachable, testSchema } from '../support/postgres.js';
import { createApp, startTestNode } from '../support/test-node.js';
import type { TestNode } from '../support/test-node.js';

const pgReachable = await postgresReachable();

async function twoNodes(
  databaseUrl: string,
  extra: Record<string, unknown> = {},
): Promise<[TestNode, TestNode]> {
  const a = await startTestNode({ config: { databaseUrl, nodeId: 'node-a', ...extra } });
  const b = await startTestNode({ config: { databaseUrl, nodeId: 'node-b', ...extra } });
  return [a, b];
}

describe.skipIf(!pgReachable)('cluster on PostgreSQL', () => {
  it('two schedulers on one database fire every slot exactly once', async () => {
    const { databaseUrl } = await testSchema();
    // Short polls and look-ahead so that both nodes race for the same slots all the time.
    const [a, b] = await twoNodes(databaseUrl, { pollIntervalMs: 50, lookaheadMs: 300 });
    const target = await startHttpTarget();
    await createApp(a);
    const taskIds: number[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await (i % 2 ? a : b).api('POST', '/api/v1/tasks', {
        name: `every second ${i}`,
        app: 'demo',
        type: 'http',
        config: { url: target.url },
        schedule: { type: 'cron', expression: '* * * * * ?' },
        concurrency: { max: 1, overlap: 'allow' },
      });
      taskIds.push(res.body.id);
    }
    let succeeded = 0;
    const enough = new Promise<void>((resolve) => {
      for (const node of [a, b]) node.events.on('run:succeeded', () => void (++succeeded >= 80 && resolve()));
    });
    await enough;
    await Promise.all([a.stop(0), b.stop(0)]);

    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const duplicates = await client.query(
        'SELECT task_id, slot_at, count(*) AS n FROM runs WHERE slot_at IS NOT NULL GROUP BY task_id, slot_at HAVING count(*) > 1',
      );
      expect(duplicates.rows).toEqual([]);
      const perTask = await client.query(
        "SELECT task_id, count(*)::int AS n, (max(slot_at) - min(slot_at)) / 1000 + 1 AS span FROM runs WHERE trigger_type = 'schedule' GROUP BY task_id",
      );
      expect(perTask.rows).toHaveLength(20);
      // No slot was skipped between the first and the last one planned.
      for (const row of perTask.rows) expect(Number(row.n)).toBe(Number(row.span));
      expect(target.requests.length).toBeGreaterThanOrEqual(80);
    } finally {
      await client.end();
    }
  });

  it('a task limited to one running run is admitted once across nodes', async () => {
    const { databaseUrl } = await testSchema();
    const [a, b] = await twoNodes(databaseUrl);
    await createApp(a);
    const task = await a.api('POST', '/api/v1/tasks', {
      name: 'single',
      app: 'demo',
      type: 'script',
      config: { language: 'shell', source: 'sleep 30' },
      schedule: { type: 'api' },
      concurrency: { max: 1, overlap: 'skip' },
    });
    const started = a.waitFor('run:started', (p) => p.run.taskId === task.body.id);
    const first = await a.api('POST', `/api/v1/tasks/${task.body.id}/run`, {});
    await started;
    const skipped = b.waitFor('run:skipped', (p) => p.run.taskId === task.body.id);
    const second = await b.api('POST', `/api/v1/tasks/${task.body.id}/run`, {});
    expect((await skipped).run.id).toBe(second.body.runId);
    await a.api('POST', `/api/v1/runs/${first.body.runId}/cancel`);
  });

  it('a cancel asked of another node stops the run where it runs', async () => {
    const { databaseUrl } = await testSchema();
    const [a, b] = await twoNodes(databaseUrl, { leaseMs: 1500 });
    await createApp(a);
    const task = await a.api('POST', '/api/v1/tasks', {
      name: 'long',
      app: 'demo',
      type: 'script',
      config: { language: 'shell', source: 'sleep 30' },
      schedule: { type: 'api' },
    });
    const started = a.waitFor('run:started', (p) => p.run.taskId === task.body.id);
    const run = await a.api('POST', `/api/v1/tasks/${task.body.id}/run`, {});
    await started;
    const cancelled = a.waitFor('run:cancelled', (p) => p.run.id === run.body.runId);
    const res = await b.api('POST', `/api/v1/runs/${run.body.runId}/cancel`);
    expect(res.status).toBe(200);
    expect((await cancelled).run.status).toBe('cancelled');
  });
});
