/**
 * GET /api/v1/stats/runs: per-bucket counts by status from the rollup of settled runs, totals,
 * the running count, and a clear 400 naming the field for bad input.
 */
import { describe, expect, it } from 'vitest';
import { createApp, startTestNode } from '../support/test-node.js';
import { startHttpTarget } from '../support/http-target.js';

describe('GET /api/v1/stats/runs', () => {
  it('counts runs as they settle, per bucket and in total', async () => {
    const target = await startHttpTarget();
    const node = await startTestNode();
    await createApp(node);
    const task = await node.api('POST', '/api/v1/tasks', {
      name: 'ping',
      app: 'demo',
      type: 'http',
      config: { url: target.url },
      schedule: { type: 'api' },
    });
    expect(task.status).toBe(201);
    for (let i = 0; i < 2; i++) {
      const finished = node.waitFor('run:finished', (p) => p.run.taskId === task.body.id);
      expect((await node.api('POST', `/api/v1/tasks/${task.body.id}/run`, {})).status).toBe(202);
      await finished;
    }
    const res = await node.api('GET', '/api/v1/stats/runs?app=demo&bucket=1m');
    expect(res.status).toBe(200);
    expect(res.body.bucket).toBe('1m');
    expect(res.body.buckets).toHaveLength(24 * 60 + 1);
    expect(res.body.totals).toMatchObject({ runs: 2, succeeded: 2, failed: 0, successRate: 1 });
    expect(res.body.buckets.reduce((n: number, b: any) => n + (b.counts.succeeded ?? 0), 0)).toBe(2);
    expect(res.body.slowestTasks).toEqual([
      expect.objectContaining({ taskId: task.body.id, taskName: 'ping', runs: 2 }),
    ]);
    expect(res.body.mostFailingTasks).toEqual([]);
    expect(res.body.running).toBe(0);
  });

  it('answers 400 naming the field for a bad range or bucket', async () => {
    const node = await startTestNode();
    const bad = async (query: string, field: string) => {
      const res = await node.api('GET', `/api/v1/stats/runs?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', field });
      expect(res.body.error.message).toContain(field);
    };
    await bad('from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z', 'from');
    await bad('bucket=2m', 'bucket');
    await bad('from=yesterday', 'from');
    await bad('from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'from');
    await bad('from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&bucket=1m', 'bucket');
    await bad('task=abc', 'task');
    await bad('colour=red', 'colour');
    const unknownApp = await node.api('GET', '/api/v1/stats/runs?app=nope');
    expect(unknownApp.status).toBe(404);
  });
});
