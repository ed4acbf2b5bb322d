/**
 * A batch of a dify_workflow task against the real Dify simulator: each CSV row one run with its
 * values merged over the task's inputs, a row that does not fit the workflow's variables reported
 * as its item's error (the rest run), tokens and cost summed in the progress.
 */
import { describe, expect, it } from 'vitest';
import { createDifyTask, startSim } from '../dify/support.js';
import { startTestNode } from '../support/test-node.js';

describe('batches of a Dify workflow', () => {
  it('runs each valid row, refuses the row the workflow would refuse, and sums tokens and cost', async () => {
    const node = await startTestNode();
    const sim = await startSim();
    const task = await createDifyTask(node, sim, 'app-simple', {
      task: { concurrency: { max: 5, overlap: 'allow' } },
    });
    expect(task.status).toBe(201);
    const completed = node.waitFor('batch:changed', (p) => p.batch.status === 'completed', 20_000);
    const csv = [
      'article,tone',
      '"Acme grew, again.",neutral',
      'Globex shrank.,upbeat',
      'Initech stalled.,angry',
      'Umbrella pivoted.,neutral',
    ].join('\r\n');
    const res = await node.api('POST', '/api/v1/batches', {
      taskId: task.body.id,
      concurrency: 2,
      source: { type: 'upload', format: 'csv', content: csv, filename: 'articles.csv' },
    });
    expect(res.status).toBe(201);
    expect(res.body.itemErrors).toEqual([
      { seq: 3, message: 'line 4: inputs.tone must be one of "neutral", "upbeat"' },
    ]);
    await completed;

    // Dify got each valid row merged over the task's inputs.
    const sent = sim.requests
      .filter((r) => r.method === 'POST' && r.path === '/v1/workflows/run')
      .map((r) => (r.body as { inputs: Record<string, string> }).inputs);
    expect(sent.map((i) => i.article).sort()).toEqual([
      'Acme grew, again.',
      'Globex shrank.',
      'Umbrella pivoted.',
    ]);
    expect(sent.find((i) => i.article === 'Globex shrank.')?.tone).toBe('upbeat');

    const { body: batch } = await node.api('GET', `/api/v1/batches/${res.body.id}`);
    const items = (await node.api('GET', `/api/v1/batches/${res.body.id}/items`)).body.items;
    const ran = items.filter((i: any) => i.status === 'succeeded');
    expect(ran).toHaveLength(3);
    expect(ran[0]).toMatchObject({ tokens: expect.any(Number), cost: expect.any(Number), output: {} });
    expect(ran.every((i: any) => i.tokens > 0 && i.cost > 0)).toBe(true);
    expect(batch.progress).toMatchObject({
      total: 4,
      done: 3,
      failed: 0,
      invalid: 1,
      left: 0,
      currency: 'USD',
    });
    expect(batch.progress.tokens).toBe(ran.reduce((sum: number, i: any) => sum + i.tokens, 0));
    expect(batch.progress.cost).toBeCloseTo(
      ran.reduce((sum: number, i: any) => sum + i.cost, 0),
      9,
    );
    expect(items[2]).toMatchObject({ status: 'invalid', runId: null });
  });
});
