/**
 * A node killed (SIGKILL) while a workflow's node runs: the next process recovers the node run
 * (`lost`, then retried by its policy), the workflow run advances from the stored state, and
 * every node runs once per workflow run: the downstream node is called exactly once.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { startHttpTarget } from '../support/http-target.js';
import { startServerProcess } from '../support/server-process.js';
import { ADMIN_TOKEN, tempDataDir } from '../support/test-node.js';

const auth = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
async function call(url: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: auth,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('a workflow across a crash', () => {
  it('goes on after its node is killed mid-run; each node runs once for the workflow run', async () => {
    let firstCalls = 0;
    let arrived: () => void = () => undefined;
    const hung = new Promise<void>((resolve) => (arrived = resolve));
    // The first call of `first` hangs (its server is killed meanwhile); later calls answer.
    const target = await startHttpTarget((req, res) => {
      if (req.url === '/first' && ++firstCalls === 1) return arrived();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ from: req.url }));
    });
    const dataDir = tempDataDir();
    const env = { KAIROS_ADMIN_TOKEN: ADMIN_TOKEN };
    const first = startServerProcess(['--data-dir', dataDir], env);
    const url = await first.ready;
    expect((await call(url, 'POST', '/api/v1/apps', { appName: 'demo', name: 'Demo' })).status).toBe(201);
    const http = (path: string) => ({
      type: 'http',
      config: { url: `${target.url}${path}`, method: 'POST' },
    });
    const workflow = await call(url, 'POST', '/api/v1/workflows', {
      name: 'crash',
      app: 'demo',
      nodes: [
        { key: 'first', task: { ...http('/first'), retry: { maxAttempts: 2, delaySeconds: 0 } } },
        { key: 'second', task: http('/second'), input: '{ "got": nodes.first.output.body.from }' },
      ],
      edges: [{ from: 'first', to: 'second' }],
    });
    expect(workflow.status, JSON.stringify(workflow.body)).toBe(201);
    const started = await call(url, 'POST', `/api/v1/workflows/${workflow.body.id}/run`, {});
    expect(started.status).toBe(201);
    await hung;
    first.child.kill('SIGKILL');
    await first.exited;

    const second = startServerProcess(['--data-dir', dataDir], env);
    const url2 = await second.ready;
    const run = await eventually(async () => {
      const res = await call(url2, 'GET', `/api/v1/workflow-runs/${started.body.id}`);
      expect(res.body.status).toBe('succeeded');
      return res.body;
    }, 20_000);
    const [firstNode, secondNode] = run.nodes;
    expect(firstNode.status).toBe('succeeded');
    expect(firstNode.runIds).toHaveLength(2);
    const lost = await call(url2, 'GET', `/api/v1/runs/${firstNode.runIds[0]}`);
    expect(lost.body.status).toBe('lost');
    expect(secondNode.runIds).toHaveLength(1);
    const seconds = target.requests.filter((r) => r.url === '/second');
    expect(seconds.map((r) => JSON.parse(r.body))).toEqual([{ got: '/first' }]);
    second.child.kill('SIGTERM');
    await second.exited;
  }, 40_000);
});
