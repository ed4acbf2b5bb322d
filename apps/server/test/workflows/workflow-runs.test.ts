/**
 * Workflow runs end to end, with real HTTP tasks against a receiver on 127.0.0.1: data passed
 * between nodes by JSONata mappings, fan-out in parallel branches and over a list (forEach),
 * join, a false condition skipping a node, `always` edges after a failure, versions kept by a
 * run, and resume reusing what succeeded.
 */
import { describe, expect, it } from 'vitest';
import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { createApp, startTestNode, type TestNode } from '../support/test-node.js';

const http = (url: string) => ({ type: 'http', config: { url, method: 'POST' } });

async function receiver(): Promise<HttpTarget> {
  let flaky = 0;
  return startHttpTarget((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/summarise')
      return res.end(JSON.stringify({ text: '3 tickets', tickets: ['a', 'b', 'c'] }));
    if (req.url === '/fail') {
      res.statusCode = 400;
      return res.end('{}');
    }
    if (req.url === '/flaky') {
      flaky += 1;
      res.statusCode = flaky === 1 ? 400 : 200;
      return res.end('{}');
    }
    res.end(JSON.stringify({ ok: req.url }));
  });
}

async function runToEnd(node: TestNode, workflowId: number, input?: unknown) {
  const ended = new Promise<number>((resolve) => {
    const off = node.events.on('workflow_run:finished', ({ run }) => {
      if (run.workflowId === workflowId) {
        off();
        resolve(run.id);
      }
    });
  });
  const started = await node.api(
    'POST',
    `/api/v1/workflows/${workflowId}/run`,
    input === undefined ? {} : { input },
  );
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const id = await ended;
  return (await node.api('GET', `/api/v1/workflow-runs/${id}`)).body;
}

const bodies = (target: HttpTarget, path: string) =>
  target.requests.filter((r) => r.url === path).map((r) => JSON.parse(r.body || 'null'));

describe('workflow runs', () => {
  it('passes data between nodes, fans out, joins, skips on a false condition and survives a handled failure', async () => {
    const node = await startTestNode();
    await createApp(node);
    const target = await receiver();
    const created = await node.api('POST', '/api/v1/workflows', {
      name: 'tickets',
      app: 'demo',
      input: { day: 'monday' },
      nodes: [
        { key: 'summarise', task: http(`${target.url}/summarise`), input: '{ "day": input.day }' },
        {
          key: 'post',
          task: http(`${target.url}/post`),
          input: '{ "summary": nodes.summarise.output.body.text }',
        },
        { key: 'archive', task: http(`${target.url}/fail`) },
        {
          key: 'each',
          task: http(`${target.url}/item`),
          forEach: { items: 'nodes.summarise.output.body.tickets', concurrency: 2 },
          input: '{ "ticket": item, "index": index }',
        },
        {
          key: 'final',
          task: http(`${target.url}/final`),
          input:
            '{ "post": nodes.post.status, "archive": nodes.archive.status, "count": $count(nodes.each.output) }',
        },
        { key: 'never', task: http(`${target.url}/never`) },
      ],
      edges: [
        { from: 'summarise', to: 'post' },
        { from: 'summarise', to: 'archive' },
        { from: 'summarise', to: 'each' },
        { from: 'post', to: 'final', condition: 'always' },
        { from: 'archive', to: 'final', condition: 'always' },
        { from: 'each', to: 'final' },
        { from: 'summarise', to: 'never', condition: { expression: 'output.body.text = "nothing"' } },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ version: 1, enabled: true, nextFireAt: null });
    // The workflow's own tasks are not among the tasks.
    expect((await node.api('GET', '/api/v1/tasks')).body.items).toEqual([]);

    const run = await runToEnd(node, created.body.id);
    expect(run.status).toBe('succeeded');
    const nodes = Object.fromEntries(run.nodes.map((n: any) => [n.key, n]));
    expect(nodes.summarise.status).toBe('succeeded');
    expect(nodes.post.status).toBe('succeeded');
    expect(nodes.archive).toMatchObject({ status: 'failed', error: { type: 'http' } });
    expect(nodes.never.status).toBe('skipped');
    expect(nodes.never.runIds).toEqual([]);
    expect(nodes.each.status).toBe('succeeded');
    expect(nodes.each.runIds).toHaveLength(3);
    expect(nodes.each.output.map((o: any) => o.body.ok)).toEqual(['/item', '/item', '/item']);
    expect(nodes.final.status).toBe('succeeded');

    expect(bodies(target, '/summarise')).toEqual([{ day: 'monday' }]);
    expect(bodies(target, '/post')).toEqual([{ summary: '3 tickets' }]);
    expect(bodies(target, '/item').sort((a, b) => a.index - b.index)).toEqual([
      { ticket: 'a', index: 0 },
      { ticket: 'b', index: 1 },
      { ticket: 'c', index: 2 },
    ]);
    expect(bodies(target, '/final')).toEqual([{ post: 'succeeded', archive: 'failed', count: 3 }]);
    expect(target.requests.some((r) => r.url === '/never')).toBe(false);

    // A node run is an ordinary run that names its workflow run and node.
    const item = (await node.api('GET', `/api/v1/runs/${nodes.each.runIds[0]}`)).body;
    expect(item).toMatchObject({ triggerType: 'workflow', workflowRunId: run.id, workflowNode: 'each' });
  });

  it('fails the run on an unhandled failure; resume reuses the succeeded nodes and keeps the version', async () => {
    const node = await startTestNode();
    await createApp(node);
    const target = await receiver();
    const created = await node.api('POST', '/api/v1/workflows', {
      name: 'resumable',
      app: 'demo',
      nodes: [
        { key: 'first', task: http(`${target.url}/summarise`) },
        { key: 'second', task: http(`${target.url}/flaky`) },
        {
          key: 'third',
          task: http(`${target.url}/third`),
          input: '{ "text": nodes.first.output.body.text }',
        },
      ],
      edges: [
        { from: 'first', to: 'second' },
        { from: 'second', to: 'third' },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const failed = await runToEnd(node, created.body.id);
    expect(failed).toMatchObject({ status: 'failed', error: { type: 'workflow_node_failed' } });
    expect(failed.nodes.map((n: any) => n.status)).toEqual(['succeeded', 'failed', 'skipped']);

    // A new version meanwhile: the resumed run keeps the version of the run it resumes.
    const patched = await node.api('PATCH', `/api/v1/workflows/${created.body.id}`, { description: 'v2' });
    expect(patched.body.version).toBe(2);
    expect(
      (await node.api('GET', `/api/v1/workflows/${created.body.id}/versions`)).body.map(
        (v: any) => v.version,
      ),
    ).toEqual([2, 1]);

    const ended = node.waitFor('workflow_run:finished', (e) => e.run.resumedFrom === failed.id);
    const resumed = await node.api('POST', `/api/v1/workflow-runs/${failed.id}/resume`);
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(201);
    expect(resumed.body).toMatchObject({ resumedFrom: failed.id, triggerType: 'resume', version: 1 });
    await ended;
    const again = (await node.api('GET', `/api/v1/workflow-runs/${resumed.body.id}`)).body;
    expect(again.status).toBe('succeeded');
    expect(again.nodes.map((n: any) => n.status)).toEqual(['reused', 'succeeded', 'succeeded']);
    expect(again.nodes[0].runIds).toEqual([]);
    expect(bodies(target, '/summarise')).toHaveLength(1);
    expect(bodies(target, '/third')).toEqual([{ text: '3 tickets' }]);
    // The history shows both.
    const runs = (await node.api('GET', `/api/v1/workflow-runs?workflowId=${created.body.id}`)).body.items;
    expect(runs.map((r: any) => r.status)).toEqual(['succeeded', 'failed']);
  });

  it('fails a forEach node whose items are not a list, with a clear error', async () => {
    const node = await startTestNode();
    await createApp(node);
    const target = await receiver();
    const created = await node.api('POST', '/api/v1/workflows', {
      name: 'not-a-list',
      app: 'demo',
      nodes: [
        { key: 'first', task: http(`${target.url}/summarise`) },
        { key: 'each', task: http(`${target.url}/item`), forEach: { items: 'nodes.first.output.body.text' } },
      ],
      edges: [{ from: 'first', to: 'each' }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const run = await runToEnd(node, created.body.id);
    expect(run.status).toBe('failed');
    expect(run.nodes[1]).toMatchObject({
      key: 'each',
      status: 'failed',
      runIds: [],
      error: { type: 'workflow_items' },
    });
    expect(run.nodes[1].error.message).toContain('forEach.items did not give a list (it gave a string)');
    expect(target.requests.some((r) => r.url === '/item')).toBe(false);
  });

  it('cancels a running workflow run and its running node', async () => {
    const node = await startTestNode();
    await createApp(node);
    const hanging = await startHttpTarget(() => undefined);
    const created = await node.api('POST', '/api/v1/workflows', {
      name: 'slow',
      app: 'demo',
      nodes: [
        { key: 'wait', task: http(`${hanging.url}/wait`) },
        { key: 'after', task: http(`${hanging.url}/after`) },
      ],
      edges: [{ from: 'wait', to: 'after' }],
    });
    const started = node.waitFor('run:started', (e) => e.run.workflowNode === 'wait');
    const run = (await node.api('POST', `/api/v1/workflows/${created.body.id}/run`, {})).body;
    await started;
    const cancelled = await node.api('POST', `/api/v1/workflow-runs/${run.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelled.body.nodes.map((n: any) => n.status)).toEqual(['cancelled', 'cancelled']);
    const nodeRun = (await node.api('GET', `/api/v1/runs/${cancelled.body.nodes[0].runIds[0]}`)).body;
    expect(nodeRun.status).toBe('cancelled');
    expect(hanging.requests.map((r) => r.url)).toEqual(['/wait']);
  });

  it('ends a run past its timeoutSeconds timed_out', async () => {
    const node = await startTestNode();
    await createApp(node);
    const hanging = await startHttpTarget(() => undefined);
    const created = await node.api('POST', '/api/v1/workflows', {
      name: 'timeout',
      app: 'demo',
      timeoutSeconds: 0.3,
      nodes: [{ key: 'wait', task: http(`${hanging.url}/wait`) }],
    });
    const run = await runToEnd(node, created.body.id);
    expect(run).toMatchObject({ status: 'timed_out', error: { type: 'timeout' } });
    expect(run.nodes[0].status).toBe('cancelled');
  });
});
