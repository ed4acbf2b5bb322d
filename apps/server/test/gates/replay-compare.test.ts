/**
 * Replay and compare through the API against the Dify simulator: a replay runs the same input as
 * a new run linked to the original, pinned to the workflow version it ran when asked; compare
 * puts two runs side by side, node by node; bad requests are 400s naming the field.
 */
import { describe, expect, it } from 'vitest';
import { startTestNode } from '../support/test-node.js';
import { SIMPLE_INPUTS, createDifyTask, runOnce, startSim } from '../dify/support.js';

describe('replay and compare', () => {
  it('replays a run pinned to its workflow_id and compares the two node by node', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const task = await createDifyTask(node, sim, 'app-simple');
    const original = await runOnce(node, task.body.id);
    expect(original.status).toBe('succeeded');
    const workflowId = original.output.workflowId;
    expect(workflowId).toMatch(/^[0-9a-f-]{36}$/);

    const finished = node.waitFor('run:finished', (p) => p.run.triggerType === 'replay');
    const replay = await node.api('POST', `/api/v1/runs/${original.id}/replay`, { pin: true });
    expect(replay.status, JSON.stringify(replay.body)).toBe(201);
    expect(replay.body).toMatchObject({
      triggerType: 'replay',
      replayOf: original.id,
      versionPin: workflowId,
    });
    await finished;
    const replayed = (await node.api('GET', `/api/v1/runs/${replay.body.id}`)).body;
    expect(replayed).toMatchObject({ status: 'succeeded', input: original.input });
    expect(sim.requests.filter((r) => r.path === `/v1/workflows/${workflowId}/run`)).toHaveLength(1);

    const compare = await node.api('GET', `/api/v1/runs/compare?left=${original.id}&right=${replayed.id}`);
    expect(compare.status, JSON.stringify(compare.body)).toBe(200);
    expect(compare.body.same).toEqual({ input: true, output: true, status: true, tokens: true, cost: true });
    expect(compare.body.left.id).toBe(original.id);
    expect(compare.body.nodes.map((n: any) => [n.nodeType, n.same])).toEqual([
      ['start', true],
      ['llm', true],
      ['end', true],
    ]);
    const llm = compare.body.nodes[1];
    expect(llm.left).toMatchObject({ status: 'succeeded', tokens: 326 });
    expect(llm.left.elapsedMs).toEqual(expect.any(Number));

    // Against a run of another workflow: every field and node differs.
    const other = await createDifyTask(node, sim, 'app-classifier', { task: { name: 'classifier' } });
    const third = await runOnce(node, other.body.id);
    const diff = await node.api('GET', `/api/v1/runs/compare?left=${original.id}&right=${third.id}`);
    expect(diff.body.same).toMatchObject({ input: true, output: false, status: true, tokens: false });
    const byType = diff.body.nodes.map((n: any) => [n.nodeType, n.left !== null, n.right !== null]);
    expect(byType).toContainEqual(['llm', true, false]);
    expect(byType).toContainEqual(['question-classifier', false, true]);

    // Unpinned, the replay runs the task's current version.
    const plain = await node.api('POST', `/api/v1/runs/${original.id}/replay`, {});
    expect(plain.body).toMatchObject({ versionPin: null, replayOf: original.id });
    await node.stop();
  });

  it('refuses bad requests with a 4xx naming the field', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const task = await createDifyTask(node, sim, 'app-simple+http400', { config: { inputs: SIMPLE_INPUTS } });
    const failed = await runOnce(node, task.body.id);
    expect(failed.status).toBe('failed');
    // It never reached Dify: no workflow version to pin to.
    const pin = await node.api('POST', `/api/v1/runs/${failed.id}/replay`, { pin: true });
    expect(pin.status).toBe(400);
    expect(pin.body.error).toMatchObject({ code: 'VALIDATION_ERROR', field: 'pin' });
    const bad = await node.api('POST', `/api/v1/runs/${failed.id}/replay`, { pin: 'yes' });
    expect(bad.body.error.field).toBe('pin');
    expect((await node.api('POST', '/api/v1/runs/999999/replay', {})).status).toBe(404);
    const noRight = await node.api('GET', `/api/v1/runs/compare?left=${failed.id}`);
    expect(noRight.status).toBe(400);
    expect(noRight.body.error.field).toBe('right');
    const word = await node.api('GET', `/api/v1/runs/compare?left=abc&right=${failed.id}`);
    expect(word.body.error.field).toBe('left');
    const missing = await node.api('GET', `/api/v1/runs/compare?left=${failed.id}&right=999999`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.field).toBe('right');
    // Nothing was created by the refused replays.
    const runs = await node.api('GET', `/api/v1/runs?taskId=${task.body.id}`);
    expect(runs.body.items).toHaveLength(1);
    await node.stop();
  });
});
