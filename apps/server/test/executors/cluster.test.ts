/**
 * Executors in a PostgreSQL cluster: an executor talks to one node (registry, callbacks, polls)
 * while the run belongs to another. The callback is persisted by the node that receives it and
 * picked up by the run's owner; the token the executor proved travels sealed with its
 * registration so the owner can call it; pull executors get work queued on any node.
 */
import { describe, expect, it } from 'vitest';
import { postgresReachable, testSchema } from '../support/postgres.js';
import { startTestNode } from '../support/test-node.js';
import { createAppWithToken, createExecutorTask, startSdkExecutor, triggerAndWait } from './support.js';

const pgReachable = await postgresReachable();

describe.skipIf(!pgReachable)('executors in a PostgreSQL cluster', () => {
  it.each(['push', 'pull'] as const)('%s: executor on node A, run owned by node B', async (mode) => {
    const { databaseUrl } = await testSchema();
    const shared = { databaseUrl, secretKey: 'cluster-secret-key-0123456789' };
    const a = await startTestNode({ config: { ...shared, nodeId: 'node-a' } });
    const b = await startTestNode({ config: { ...shared, nodeId: 'node-b' } });
    const { appName, token } = await createAppWithToken(a);
    await startSdkExecutor({ url: a.url, appName, token, mode, env: { POLL_WAIT_MS: '2000' } });
    const taskId = await createExecutorTask(b, appName, { handler: 'echo', params: 'across' });
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await triggerAndWait(b, taskId));
    for (const run of runs) expect(run).toMatchObject({ status: 'succeeded', output: `${mode}:across` });
    const logs = (await b.api('GET', `/api/v1/runs/${runs[0].id}/logs`)).body.items.map((l: any) => l.text);
    expect(logs).toContain(`echo across from ${mode}`);
  });
});
