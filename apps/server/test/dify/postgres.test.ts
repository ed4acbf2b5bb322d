/**
 * Dify runs on a PostgreSQL cluster: events and checkpoints in the shared store, a run streamed
 * from a node that does not run it, and resumed by another node when its node stops. Also the
 * event store's idempotent batch insert, on both dialects.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { postgresReachable, testSchema } from '../support/postgres.js';
import { ADMIN_TOKEN, startTestNode } from '../support/test-node.js';
import { allEvents, createDifyTask, runOnce, startSim } from './support.js';

const pgReachable = await postgresReachable();
const SECRET = 'a shared cluster secret key';

describe('run events in the store', () => {
  it.each(['sqlite', 'postgres'] as const)('%s: a repeated batch inserts nothing twice', async (dialect) => {
    if (dialect === 'postgres' && !pgReachable) return;
    const databaseUrl = dialect === 'postgres' ? (await testSchema()).databaseUrl : undefined;
    const sim = await startSim();
    const node = await startTestNode({ config: { databaseUrl, secretKey: SECRET } });
    const task = await createDifyTask(node, sim, 'app-simple');
    const run = await runOnce(node, task.body.id);
    const before = await node.store.listRunEvents(run.id, 0, 1000);
    await node.store.appendRunEvents(before.slice(0, 5));
    const after = await node.store.listRunEvents(run.id, 0, 1000);
    expect(after).toEqual(before);
    expect(await node.store.lastRunEventSeq(run.id)).toBe(before.length);
    expect(await node.store.lastRunEventSeq(999_999)).toBe(0);
  });
});

describe.skipIf(!pgReachable)('Dify runs on PostgreSQL', () => {
  it('streams a run from another node, and another node resumes it when its node stops', async () => {
    const { databaseUrl } = await testSchema();
    const sim = await startSim();
    const config = { databaseUrl, secretKey: SECRET, leaseMs: 1500, pollIntervalMs: 100 };
    const a = await startTestNode({ config: { ...config, nodeId: 'node-a' } });
    const task = await createDifyTask(a, sim, 'app-long');
    const runId = (await a.api('POST', `/api/v1/tasks/${task.body.id}/run`, {})).body.runId as number;
    await eventually(async () => expect((await allEvents(a, runId)).length).toBeGreaterThan(3));

    const b = await startTestNode({ config: { ...config, nodeId: 'node-b' } });
    const streamed = fetch(`${b.url}/api/v1/runs/${runId}/stream`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    }).then((r) => r.text());
    const finished = b.waitFor('run:finished', (p) => p.run.id === runId, 20_000);
    await a.stop(0);
    const { run } = await finished;
    expect(run.status).toBe('succeeded');
    expect(run.output).toMatchObject({ via: 'reattach', status: 'succeeded' });

    const text = await streamed;
    expect(text).toContain('event: end\ndata: {"status":"succeeded"}');
    const seqs = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    const stored = await allEvents(b, runId);
    expect(seqs.length).toBe(stored.length);
  });
});
