/**
 * A batch on a PostgreSQL cluster of two nodes: one node feeds it at a time (every item's run is
 * started by the node holding the batch's lease, even when the other is woken to feed it by a
 * resume it served), and when that node stops, the other takes the batch over and finishes it.
 * (A lease that expires, its node dead, is in the store contract.)
 */
import { describe, expect, it } from 'vitest';
import { createDifyTask, startSim } from '../dify/support.js';
import { eventually } from '../support/eventually.js';
import { postgresReachable, testSchema } from '../support/postgres.js';
import { startTestNode } from '../support/test-node.js';
import type { TestNode } from '../support/test-node.js';

const pgReachable = await postgresReachable();
const SECRET = 'a shared cluster secret key';

/** The node that started each item's run so far. */
async function feedersOf(node: TestNode, batchId: number): Promise<string[]> {
  const items = (await node.api('GET', `/api/v1/batches/${batchId}/items?limit=100`)).body.items as {
    runId: number | null;
  }[];
  const owners: string[] = [];
  for (const item of items) {
    if (item.runId === null) continue;
    const run = await node.store.getRun(item.runId);
    if (run?.leaseOwner) owners.push(run.leaseOwner);
  }
  return owners;
}

describe.skipIf(!pgReachable)('batches on a cluster', () => {
  it('one node feeds a batch at a time; the batch moves to the other when its node stops', async () => {
    const { databaseUrl } = await testSchema();
    const config = { databaseUrl, secretKey: SECRET, pollIntervalMs: 100 };
    const a = await startTestNode({ config: { ...config, nodeId: 'node-a' } });
    const b = await startTestNode({ config: { ...config, nodeId: 'node-b' } });
    const sim = await startSim();
    const task = await createDifyTask(a, sim, 'app-simple', {
      task: { concurrency: { max: 10, overlap: 'allow' } },
    });
    const content = Array.from({ length: 16 }, (_, i) =>
      JSON.stringify({ article: `article ${i}`, tone: 'neutral' }),
    ).join('\n');
    const res = await a.api('POST', '/api/v1/batches', {
      taskId: task.body.id,
      concurrency: 2,
      source: { type: 'upload', format: 'jsonl', content },
    });
    expect(res.status).toBe(201);
    const batchId = res.body.id as number;

    await eventually(async () => {
      const { body } = await a.api('GET', `/api/v1/batches/${batchId}`);
      expect(body.progress.done).toBeGreaterThanOrEqual(2);
    }, 20_000);
    const [first] = await feedersOf(a, batchId);
    const [feeder, other] = first === 'node-a' ? [a, b] : [b, a];

    // Paused, then resumed through the other node, whose feeder that wakes at once: it does not
    // feed the batch while the feeder holds its lease.
    expect((await feeder.api('POST', `/api/v1/batches/${batchId}/pause`, {})).status).toBe(200);
    await eventually(async () => {
      const { body } = await feeder.api('GET', `/api/v1/batches/${batchId}/items?status=running`);
      expect(body.items).toEqual([]);
    });
    const paused = (await feedersOf(a, batchId)).length;
    expect((await other.api('POST', `/api/v1/batches/${batchId}/resume`, {})).status).toBe(200);
    await eventually(async () => {
      const { body } = await a.api('GET', `/api/v1/batches/${batchId}`);
      expect(body.progress.done).toBeGreaterThanOrEqual(paused + 4);
    }, 20_000);
    const before = await feedersOf(a, batchId);
    expect(
      before.every((owner) => owner === feeder.nodeId),
      `runs started by ${before.join(', ')}`,
    ).toBe(true);

    // The feeder stops (its running runs finish within the grace period): the other takes over.
    await feeder.stop(10_000);
    await eventually(async () => {
      const { body } = await other.api('GET', `/api/v1/batches/${batchId}`);
      expect(body.status).toBe('completed');
    }, 30_000);
    const { body: done } = await other.api('GET', `/api/v1/batches/${batchId}`);
    expect(done.progress).toMatchObject({ total: 16, done: 16, failed: 0, left: 0 });
    const after = await feedersOf(other, batchId);
    expect(after).toHaveLength(16);
    expect(new Set(after)).toEqual(new Set([feeder.nodeId, other.nodeId]));
    // Items are fed in order: the feeder's first, then, from its stop on, only the other's.
    const moved = after.indexOf(other.nodeId);
    expect(moved).toBeGreaterThanOrEqual(before.length);
    expect(after.slice(moved).every((owner) => owner === other.nodeId)).toBe(true);
  });
});
