/**
 * Output gates against the real Dify simulator: a run whose output fails its JSON Schema or a
 * required field fails with error.type "assertion" and is retried; a judge (another Dify task,
 * run as a recorded run) fails or passes it; the checks are part of the run; bad gates are 400s
 * naming the field, with nothing saved.
 */
import { describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../support/test-node.js';
import { createDifyTask, startSim } from '../dify/support.js';
import type { DifySim } from '@kairos/dify-sim';

const SCHEMA = {
  type: 'object',
  required: ['summary', 'confidence'],
  properties: { summary: { type: 'string', minLength: 1 }, confidence: { type: 'number' } },
};

/** Triggers a run and waits for the last attempt of its chain (attempt `attempts`) to finish. */
async function runChain(node: TestNode, taskId: number, attempts: number) {
  const last = node.waitFor(
    'run:finished',
    (p) => p.run.taskId === taskId && p.run.attempt === attempts,
    20_000,
  );
  const res = await node.api('POST', `/api/v1/tasks/${taskId}/run`, {});
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const { run } = await last;
  return (await node.api('GET', `/api/v1/runs/${run.id}`)).body;
}

async function judgeTask(node: TestNode, sim: DifySim, key: 'app-judge-pass' | 'app-judge-fail') {
  const res = await createDifyTask(node, sim, key, {
    config: { inputs: { output: '-' } },
    task: { name: key, concurrency: { max: 10, overlap: 'queue' } },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as number;
}

describe('output gates', () => {
  it('fails a run whose output does not match its JSON Schema, with error.type assertion, and retries it', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const task = await createDifyTask(node, sim, 'app-simple', {
      task: {
        outputGate: { jsonSchema: SCHEMA, maxLength: [{ path: 'summary', max: 10_000 }] },
        retry: { maxAttempts: 2, delaySeconds: 0, backoff: 'fixed' },
      },
    });
    expect(task.status, JSON.stringify(task.body)).toBe(201);
    expect(task.body.outputGate.jsonSchema).toEqual(SCHEMA);
    const run = await runChain(node, task.body.id, 2);
    expect(run.status).toBe('failed');
    expect(run.attempt).toBe(2);
    expect(run.error).toMatchObject({ type: 'assertion', rule: 'jsonSchema' });
    expect(run.error.message).toContain("must have required property 'confidence'");
    expect(run.checks).toMatchObject({
      passed: false,
      judge: null,
      checks: [
        { rule: 'jsonSchema', passed: false },
        { rule: 'maxLength', path: 'summary', passed: true },
      ],
    });
    // The output and usage are kept: the Dify run did succeed.
    expect(run.output.outputs.summary).toContain('Acme Corp');
    expect(run.usage.totalTokens).toBe(326);
    const first = (await node.api('GET', `/api/v1/runs/${run.retryOf}`)).body;
    expect(first).toMatchObject({ status: 'failed', error: { type: 'assertion' } });
    // Retries exhausted: a dead letter.
    const dead = await node.api('GET', `/api/v1/dead-letters?taskId=${task.body.id}`);
    expect(dead.body.items.map((d: any) => d.run.id)).toEqual([run.id]);
    await node.stop();
  });

  it('fails an empty output on a required field, and passes one that meets every rule', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const empty = await createDifyTask(node, sim, 'app-empty', {
      task: { name: 'empty', outputGate: { required: ['summary'] } },
    });
    const failed = await runChain(node, empty.body.id, 1);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ type: 'assertion', rule: 'required', path: 'summary' });
    expect(failed.error.message).toContain('summary is empty');

    const good = await createDifyTask(node, sim, 'app-simple', {
      task: {
        name: 'good',
        outputGate: {
          required: ['summary'],
          patterns: [{ path: 'summary', pattern: '^- Acme', flags: 'm' }],
          maxLength: [{ path: 'summary', max: 1000 }],
        },
      },
    });
    const passed = await runChain(node, good.body.id, 1);
    expect(passed.status).toBe('succeeded');
    expect(passed.error).toBeNull();
    expect(passed.checks.passed).toBe(true);
    expect(passed.checks.checks.map((c: any) => [c.rule, c.passed])).toEqual([
      ['required', true],
      ['pattern', true],
      ['maxLength', true],
    ]);
    await node.stop();
  });

  it('runs a judge as a recorded run: a "fail" verdict fails the run, a score over the threshold passes it', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const failing = await judgeTask(node, sim, 'app-judge-fail');
    const task = await createDifyTask(node, sim, 'app-simple', {
      task: { name: 'judged', outputGate: { required: ['summary'], judge: { taskId: failing } } },
    });
    expect(task.status, JSON.stringify(task.body)).toBe(201);
    const run = await runChain(node, task.body.id, 1);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ type: 'assertion', rule: 'judge' });
    expect(run.error.message).toContain('verdict is "fail"');
    expect(run.checks.judge).toMatchObject({ taskId: failing, verdict: 'fail', score: 0.31, passed: false });
    const judgeRun = (await node.api('GET', `/api/v1/runs/${run.checks.judge.runId}`)).body;
    expect(judgeRun).toMatchObject({ taskId: failing, triggerType: 'judge', status: 'succeeded' });
    // The judge got the judged output and input as text.
    const post = sim.requests.find((r) => r.key === 'app-judge-fail' && r.method === 'POST')!;
    const sent = (post.body as any).inputs;
    expect(JSON.parse(sent.output).summary).toContain('Acme Corp');
    expect(sent.input).toBe('null');

    const passing = await judgeTask(node, sim, 'app-judge-pass');
    const patched = await node.api('PATCH', `/api/v1/tasks/${task.body.id}`, {
      outputGate: { judge: { taskId: passing, threshold: 0.9 } },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const passed = await runChain(node, task.body.id, 1);
    expect(passed.status).toBe('succeeded');
    expect(passed.checks.judge).toMatchObject({ verdict: 'pass', score: 0.92, threshold: 0.9, passed: true });
    await node.stop();
  });

  it('refuses bad gates with a 400 naming the field, saving nothing', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const http = await node.api('POST', '/api/v1/tasks', {
      name: 'plain http',
      app: (await createDifyTask(node, sim, 'app-simple', { task: { name: 'ok' } })).body.appName,
      type: 'http',
      config: { url: 'http://127.0.0.1:9/x' },
      schedule: { type: 'api' },
    });
    expect(http.status, JSON.stringify(http.body)).toBe(201);
    const before = (await node.api('GET', '/api/v1/tasks')).body.items.length;
    const bad = async (outputGate: unknown) => {
      const res = await createDifyTask(node, sim, 'app-simple', { task: { name: 'bad', outputGate } });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      return res.body.error;
    };
    expect(await bad({ jsonSchema: { type: 'objekt' } })).toMatchObject({
      code: 'VALIDATION_ERROR',
      field: 'outputGate.jsonSchema.type',
    });
    expect(await bad({ jsonSchema: { properties: { a: { minLength: -1 } } } })).toMatchObject({
      field: 'outputGate.jsonSchema.properties.a.minLength',
    });
    expect(await bad({ judge: { taskId: http.body.id } })).toMatchObject({
      field: 'outputGate.judge.taskId',
      message: expect.stringContaining('a judge must be a dify_workflow task'),
    });
    expect(await bad({ judge: { taskId: 999_999 } })).toMatchObject({ field: 'outputGate.judge.taskId' });
    expect(await bad({ patterns: [{ path: 'summary', pattern: '([a-' }] })).toMatchObject({
      field: 'outputGate.patterns.0.pattern',
    });
    expect(await bad({ ranges: [{ path: 'score' }] })).toMatchObject({ field: 'outputGate.ranges.0.min' });
    expect(await bad({ required: ['a..b'] })).toMatchObject({ field: 'outputGate.required.0' });
    expect((await node.api('GET', '/api/v1/tasks')).body.items.length).toBe(before);
    // On update too, and the stored gate is left as it was.
    const patch = await node.api('PATCH', `/api/v1/tasks/${http.body.id}`, {
      outputGate: { jsonSchema: { type: 'objekt' } },
    });
    expect(patch.status).toBe(400);
    expect(patch.body.error.field).toBe('outputGate.jsonSchema.type');
    expect((await node.api('GET', `/api/v1/tasks/${http.body.id}`)).body.outputGate).toBeNull();
    await node.stop();
  });
});
