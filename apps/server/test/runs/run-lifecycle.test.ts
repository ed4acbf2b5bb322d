import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { startHttpTarget } from '../support/http-target.js';
import { createApp, startTestNode } from '../support/test-node.js';

describe('runs: firing, history, manual runs, timeouts, cancel, retries', () => {
  it('fires a cron task every second and records each run', async () => {
    const node = await startTestNode();
    const target = await startHttpTarget((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: true }));
    });
    await createApp(node);
    const created = await node.api('POST', '/api/v1/tasks', {
      name: 'ping',
      app: 'demo',
      type: 'http',
      config: { url: `${target.url}/ping` },
      schedule: { type: 'cron', expression: '* * * * * ?' },
    });
    expect(created.status).toBe(201);
    const taskId = created.body.id;
    let succeeded = 0;
    await node.waitFor('run:succeeded', ({ run }) => run.taskId === taskId && ++succeeded === 2);
    const runs = await node.api('GET', `/api/v1/runs?taskId=${taskId}&status=succeeded`);
    expect(runs.body.items.length).toBeGreaterThanOrEqual(2);
    const run = runs.body.items[0];
    expect(run).toMatchObject({ taskId, triggerType: 'schedule', status: 'succeeded', attempt: 1 });
    expect(new Date(run.scheduledAt).getUTCMilliseconds()).toBe(0);
    expect(Date.parse(run.startedAt)).toBeGreaterThanOrEqual(Date.parse(run.scheduledAt));
    // The request's instant: after the start, before the target saw it, before the end.
    const effectAt = Date.parse(run.effectAt);
    expect(effectAt).toBeGreaterThanOrEqual(Date.parse(run.startedAt));
    expect(effectAt).toBeLessThanOrEqual(Date.parse(run.finishedAt));
    expect(target.requests.some((r) => r.at >= effectAt)).toBe(true);
    expect(run.output).toMatchObject({ status: 200, body: { ok: true } });
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    // Distinct slots, one run each.
    const slots = runs.body.items.map((r: { scheduledAt: string }) => r.scheduledAt);
    expect(new Set(slots).size).toBe(slots.length);
  });

  it('runs a task on demand; an Idempotency-Key returns the same run', async () => {
    const node = await startTestNode();
    const target = await startHttpTarget();
    await createApp(node);
    const task = await node.api('POST', '/api/v1/tasks', {
      name: 'on demand',
      app: 'demo',
      type: 'http',
      config: { url: target.url, method: 'POST' },
      schedule: { type: 'api' },
    });
    expect(task.body.nextFireAt).toBeNull();
    const done = node.waitFor('run:succeeded', ({ run }) => run.taskId === task.body.id);
    const first = await node.api(
      'POST',
      `/api/v1/tasks/${task.body.id}/run`,
      { input: { n: 1 } },
      { 'idempotency-key': 'abc' },
    );
    const again = await node.api(
      'POST',
      `/api/v1/tasks/${task.body.id}/run`,
      { input: { n: 2 } },
      { 'idempotency-key': 'abc' },
    );
    expect(first.status).toBe(202);
    expect(again.body.runId).toBe(first.body.runId);
    await done;
    const run = await node.api('GET', `/api/v1/runs/${first.body.runId}`);
    expect(run.body).toMatchObject({ triggerType: 'api', status: 'succeeded', input: { n: 1 } });
    expect(target.requests).toHaveLength(1);
    expect(JSON.parse(target.requests[0]!.body)).toEqual({ n: 1 });
  });

  it('stops a script that exceeds its timeout and records timed_out', async () => {
    const node = await startTestNode();
    await createApp(node);
    const task = await node.api('POST', '/api/v1/tasks', {
      name: 'slow',
      app: 'demo',
      type: 'script',
      config: { language: 'shell', source: 'echo started; sleep 30; echo never' },
      schedule: { type: 'api' },
      timeoutSeconds: 0.5,
    });
    const finished = node.waitFor('run:finished', ({ run }) => run.taskId === task.body.id);
    const { body } = await node.api('POST', `/api/v1/tasks/${task.body.id}/run`, {});
    const { run } = await finished;
    expect(run.status).toBe('timed_out');
    expect(run.error?.type).toBe('timeout');
    expect(run.durationMs).toBeLessThan(5000);
    const logs = await node.api('GET', `/api/v1/runs/${body.runId}/logs`);
    const text = logs.body.items.map((e: { text: string }) => e.text).join('\n');
    expect(text).toContain('started');
    expect(text).not.toContain('never');
  });

  it('cancels a running run and a scheduled one', async () => {
    const node = await startTestNode();
    await createApp(node);
    const task = await node.api('POST', '/api/v1/tasks', {
      name: 'long',
      app: 'demo',
      type: 'script',
      config: { language: 'shell', source: 'sleep 30' },
      schedule: { type: 'api' },
      concurrency: { max: 1, overlap: 'allow' },
    });
    const started = node.waitFor('run:started', ({ run }) => run.taskId === task.body.id);
    const { body } = await node.api('POST', `/api/v1/tasks/${task.body.id}/run`, {});
    await started;
    const cancelled = await node.api('POST', `/api/v1/runs/${body.runId}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const again = await node.api('POST', `/api/v1/runs/${body.runId}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('RUN_ALREADY_FINISHED');

    const future = await node.api('POST', '/api/v1/tasks', {
      name: 'later',
      app: 'demo',
      type: 'script',
      config: { language: 'shell', source: 'true' },
      schedule: {
        type: 'fixed_rate',
        intervalSeconds: 60,
        startAt: new Date(Date.now() + 1500).toISOString(),
      },
    });
    // Within the look-ahead, the slot is planned: a `scheduled` run waits for its instant.
    const scheduled = await eventually(async () => {
      const list = await node.api('GET', `/api/v1/runs?taskId=${future.body.id}&status=scheduled`);
      expect(list.body.items).toHaveLength(1);
      return { run: list.body.items[0] };
    });
    const res = await node.api('POST', `/api/v1/runs/${scheduled.run.id}/cancel`);
    expect(res.body.status).toBe('cancelled');
    expect(res.body.startedAt).toBeNull();
  });

  it('retries a failing run with backoff, recording every attempt, and does not retry a 4xx', async () => {
    const node = await startTestNode();
    let calls = 0;
    const target = await startHttpTarget((req, res) => {
      if (req.url === '/teapot') {
        res.statusCode = 418;
        return res.end('no');
      }
      calls++;
      res.statusCode = calls < 3 ? 503 : 200;
      res.end(calls < 3 ? 'busy' : 'fine');
    });
    await createApp(node);
    const retry = { maxAttempts: 4, backoff: 'exponential', delaySeconds: 0.05, maxDelaySeconds: 1 };
    const task = await node.api('POST', '/api/v1/tasks', {
      name: 'flaky',
      app: 'demo',
      type: 'http',
      config: { url: `${target.url}/flaky` },
      schedule: { type: 'api' },
      retry,
    });
    const success = node.waitFor('run:succeeded', ({ run }) => run.taskId === task.body.id);
    const { body } = await node.api('POST', `/api/v1/tasks/${task.body.id}/run`, {});
    const { run } = await success;
    expect(run).toMatchObject({ attempt: 3, triggerType: 'retry', retryOf: body.runId });
    const all = await node.api('GET', `/api/v1/runs?taskId=${task.body.id}`);
    expect(
      all.body.items.map((r: { attempt: number; status: string }) => [r.attempt, r.status]).reverse(),
    ).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'succeeded'],
    ]);

    const teapot = await node.api('POST', '/api/v1/tasks', {
      name: 'teapot',
      app: 'demo',
      type: 'http',
      config: { url: `${target.url}/teapot` },
      schedule: { type: 'api' },
      retry,
    });
    const failed = node.waitFor('run:failed', ({ run }) => run.taskId === teapot.body.id);
    await node.api('POST', `/api/v1/tasks/${teapot.body.id}/run`, {});
    expect((await failed).run.error).toMatchObject({ type: 'http', status: 418 });
    const teapotRuns = await node.api('GET', `/api/v1/runs?taskId=${teapot.body.id}`);
    expect(teapotRuns.body.items).toHaveLength(1);
  });
});
