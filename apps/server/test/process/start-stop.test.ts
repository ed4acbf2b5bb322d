/**
 * Start and stop of a node: nothing starts before the listener is bound, a taken port
 * is a clear exit, SIGTERM keeps the API up for the drain, and nodes started together on one
 * empty PostgreSQL database all start.
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { postgresReachable, testSchema } from '../support/postgres.js';
import { startServerProcess } from '../support/server-process.js';
import { ADMIN_TOKEN, startTestNode, tempDataDir } from '../support/test-node.js';

const pgReachable = await postgresReachable();
const auth = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };

async function call(url: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: auth,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function takenPort(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('starting and stopping a node', () => {
  it('exits 1 on a taken port, naming PORT / --port, and stores no admin token', async () => {
    const dataDir = tempDataDir();
    const taken = await takenPort();
    try {
      const failed = startServerProcess(['--data-dir', dataDir, '--port', String(taken.port)]);
      expect((await failed.exited).code).toBe(1);
      expect(failed.stderr()).toMatch(/port \d+ is already in use/);
      expect(failed.stderr()).toMatch(/PORT \/ --port/);
      // The failed start printed no token, so it stored none: the next start generates one.
      expect(failed.stdout()).not.toMatch(/kairos_/);
    } finally {
      await taken.close();
    }
    const next = startServerProcess(['--data-dir', dataDir]);
    const url = await next.ready;
    const token = /^\s{4}(kairos_\S+)$/m.exec(next.stdout())?.[1];
    expect(token).toBeTruthy();
    const res = await fetch(`${url}/api/v1/tasks`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
  });

  it('on SIGTERM answers /readyz 503 at once and keeps serving reads while it drains', async () => {
    const dataDir = tempDataDir();
    const server = startServerProcess(['--data-dir', dataDir], { KAIROS_ADMIN_TOKEN: ADMIN_TOKEN });
    const url = await server.ready;
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    await call(url, 'POST', '/api/v1/apps', { appName: 'demo', name: 'Demo' });
    const task = await call(url, 'POST', '/api/v1/tasks', {
      name: 'slow',
      app: 'demo',
      type: 'script',
      // Ends when told to (the file appears), so the drain lasts as long as the test needs.
      config: { language: 'shell', source: `while [ ! -e ${dataDir}/done ]; do sleep 0.05; done` },
      schedule: { type: 'api' },
    });
    const run = await call(url, 'POST', `/api/v1/tasks/${task.body.id}/run`, {});
    const runId = run.body.runId as number;
    await eventually(async () =>
      expect((await call(url, 'GET', `/api/v1/runs/${runId}`)).body.status).toBe('running'),
    );

    server.child.kill('SIGTERM');
    await eventually(async () => expect((await fetch(`${url}/readyz`)).status).toBe(503));
    // Draining: the run is still running and the API still answers reads.
    const during = await call(url, 'GET', `/api/v1/runs/${runId}`);
    expect(during.status).toBe(200);
    expect(during.body.status).toBe('running');
    expect((await call(url, 'GET', '/api/v1/tasks')).status).toBe(200);
    // New work is refused with a clear answer rather than a closed port.
    const refused = await call(url, 'POST', `/api/v1/tasks/${task.body.id}/run`, {});
    expect(refused.body.error.code).toBe('SHUTTING_DOWN');

    writeFileSync(`${dataDir}/done`, '');
    expect((await server.exited).code).toBe(0);
    const node = await startTestNode({ dataDir });
    expect((await node.api('GET', `/api/v1/runs/${runId}`)).body.status).toBe('succeeded');
  });
});

describe.skipIf(!pgReachable)('nodes starting together on one empty PostgreSQL database', () => {
  it('all start, with the same configured admin token', async () => {
    const { databaseUrl } = await testSchema();
    const nodes = await Promise.all(
      ['n1', 'n2', 'n3'].map((nodeId) => startTestNode({ config: { databaseUrl, nodeId } })),
    );
    for (const node of nodes) expect((await node.api('GET', '/api/v1/tasks')).status).toBe(200);
  });

  it('all start with no admin token configured, each printing a token that works', async () => {
    const { databaseUrl } = await testSchema();
    const nodes = await Promise.all(
      ['n1', 'n2', 'n3'].map((nodeId) =>
        startTestNode({ config: { databaseUrl, nodeId, adminToken: undefined } }),
      ),
    );
    const tokens = nodes.map((n) => n.generatedAdminToken).filter((t) => t !== undefined);
    expect(tokens.length).toBeGreaterThanOrEqual(1);
    for (const token of tokens) {
      const res = await fetch(`${nodes[0]!.url}/api/v1/tasks`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
    }
  });
});
