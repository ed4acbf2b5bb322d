/**
 * A workflow with a Dify node against the Dify simulator on 127.0.0.1: the Dify summary, mapped
 * by JSONata, becomes an HTTP body; the Dify node run is an ordinary run with its track.
 */
import { describe, expect, it } from 'vitest';
import { createDifyTask, startSim } from '../dify/support.js';
import { startHttpTarget } from '../support/http-target.js';
import { startTestNode } from '../support/test-node.js';

describe('a workflow with a Dify node', () => {
  it('posts the Dify summary over HTTP, and keeps the Dify node run with its track', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const target = await startHttpTarget();
    const dify = await createDifyTask(node, sim, 'app-simple');
    expect(dify.status, JSON.stringify(dify.body)).toBe(201);
    const created = await node.api('POST', '/api/v1/workflows', {
      name: 'tickets-summary',
      app: 'demo',
      input: { article: 'Acme Corp reported fourth-quarter revenue.' },
      nodes: [
        { key: 'summarise', taskId: dify.body.id, input: '{ "article": input.article, "tone": "neutral" }' },
        {
          key: 'post',
          task: { type: 'http', config: { url: `${target.url}/post`, method: 'POST' } },
          input:
            '{ "text": nodes.summarise.output.outputs.summary, "tokens": nodes.summarise.output.totalSteps }',
        },
      ],
      edges: [{ from: 'summarise', to: 'post' }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const ended = node.waitFor('workflow_run:finished', (e) => e.run.workflowId === created.body.id, 15_000);
    const started = await node.api('POST', `/api/v1/workflows/${created.body.id}/run`, {});
    expect(started.status).toBe(201);
    await ended;
    const run = (await node.api('GET', `/api/v1/workflow-runs/${started.body.id}`)).body;
    expect(run.status).toBe('succeeded');
    const body = JSON.parse(target.requests[0]!.body);
    expect(body.text).toContain('Acme Corp grew');
    expect(body.tokens).toBe(3);

    const difyRunId = run.nodes[0].runIds[0];
    const difyRun = (await node.api('GET', `/api/v1/runs/${difyRunId}`)).body;
    expect(difyRun).toMatchObject({ taskId: dify.body.id, workflowRunId: run.id, workflowNode: 'summarise' });
    const track = (await node.api('GET', `/api/v1/runs/${difyRunId}/track`)).body;
    expect(track.nodes.length).toBeGreaterThan(0);
  });
});
