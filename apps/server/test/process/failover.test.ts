/**
 * Failover on PostgreSQL: a node killed with SIGKILL is found dead through its
 * liveness lock, which PostgreSQL releases with its connection, and its runs are taken over
 * within seconds rather than after their lease (15 s by default).
 */
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { postgresReachable, testSchema } from '../support/postgres.js';
import { startServerProcess } from '../support/server-process.js';
import { ADMIN_TOKEN, createApp, startTestNode, tempDataDir } from '../support/test-node.js';

const pgReachable = await postgresReachable();

describe.skipIf(!pgReachable)('a node killed with SIGKILL', () => {
  it('is marked dead and its running run is taken over (lost, then retried) within 3 s', async () => {
    const { databaseUrl } = await testSchema();
    const survivor = await startTestNode({ config: { databaseUrl, nodeId: 'survivor' } });
    const victim = startServerProcess(['--database-url', databaseUrl, '--node-id', 'victim'], {
      KAIROS_ADMIN_TOKEN: ADMIN_TOKEN,
    });
    const victimUrl = await victim.ready;
    await createApp(survivor);
    const task = await survivor.api('POST', '/api/v1/tasks', {
      name: 'long',
      app: 'demo',
      type: 'script',
      config: { language: 'shell', source: 'sleep 60' },
      schedule: { type: 'api' },
      retry: { maxAttempts: 2, delaySeconds: 0 },
    });
    // Triggered on the victim, so the victim runs it.
    const triggered = await fetch(`${victimUrl}/api/v1/tasks/${task.body.id}/run`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const runId = ((await triggered.json()) as { runId: number }).runId;
    await eventually(async () => {
      const run = await survivor.store.getRun(runId);
      expect(run).toMatchObject({ status: 'running', leaseOwner: 'victim' });
    });
    const nodes = await survivor.api('GET', '/api/v1/nodes');
    expect(nodes.body.items.map((n: { id: string; state: string }) => [n.id, n.state]).sort()).toEqual([
      ['survivor', 'alive'],
      ['victim', 'alive'],
    ]);

    const lost = survivor.waitFor('run:lost', (p) => p.run.id === runId, 15_000);
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    await lost;
    const takeoverMs = Date.now() - killedAt;
    console.info(`takeover after SIGKILL: ${takeoverMs} ms`);
    expect(takeoverMs).toBeLessThanOrEqual(3000);

    await eventually(async () => {
      const retries = await survivor.api('GET', `/api/v1/runs?taskId=${task.body.id}&triggerType=retry`);
      expect(retries.body.items).toEqual([expect.objectContaining({ retryOf: runId, attempt: 2 })]);
    });
    const after = await survivor.api('GET', '/api/v1/nodes');
    const dead = after.body.items.find((n: { id: string }) => n.id === 'victim');
    expect(dead).toMatchObject({ state: 'dead', self: false });
    expect(dead.stoppedAt).not.toBeNull();
    expect(after.body.items.find((n: { id: string }) => n.id === 'survivor')).toMatchObject({ self: true });
  });

  it('refuses a second live process with the same node id, leaving the first one alone', async () => {
    const { databaseUrl } = await testSchema();
    const first = await startTestNode({ config: { databaseUrl, nodeId: 'same' } });
    const second = startServerProcess(['--database-url', databaseUrl, '--node-id', 'same'], {
      KAIROS_ADMIN_TOKEN: ADMIN_TOKEN,
    });
    expect((await second.exited).code).toBe(1);
    expect(second.stderr()).toMatch(/node id "same" is in use.*KAIROS_NODE_ID/);
    const nodes = await first.api('GET', '/api/v1/nodes');
    expect(nodes.body.items).toEqual([
      expect.objectContaining({ id: 'same', state: 'alive', pid: process.pid }),
    ]);
  });
});

describe('a SQLite server killed with SIGKILL', () => {
  it('is listed dead by the next start, which lists itself alive', async () => {
    const dataDir = tempDataDir();
    const crashed = startServerProcess(['--data-dir', dataDir, '--node-id', 'before'], {
      KAIROS_ADMIN_TOKEN: ADMIN_TOKEN,
    });
    await crashed.ready;
    crashed.child.kill('SIGKILL');
    await crashed.exited;
    const node = await startTestNode({ dataDir, config: { nodeId: 'after' } });
    const nodes = await node.api('GET', '/api/v1/nodes');
    expect(nodes.body.items).toEqual([
      expect.objectContaining({ id: 'after', state: 'alive', self: true }),
      expect.objectContaining({ id: 'before', state: 'dead', self: false }),
    ]);
  });
});
