import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { createApp, startTestNode } from '../support/test-node.js';

describe('fixed-delay, fixed-rate and one-time schedules fire as documented', () => {
  it('fixed_delay: the next slot is the delay after the previous run ended', async () => {
    const node = await startTestNode();
    await createApp(node);
    const task = await node.api('POST', '/api/v1/tasks', {
      name: 'delayed',
      app: 'demo',
      type: 'script',
      config: { language: 'shell', source: 'sleep 0.3' },
      schedule: { type: 'fixed_delay', delaySeconds: 1 },
    });
    let count = 0;
    const second = await node.waitFor(
      'run:succeeded',
      (p) => p.run.taskId === task.body.id && ++count === 2,
      15_000,
    );
    const runs = (await node.api('GET', `/api/v1/runs?taskId=${task.body.id}&status=succeeded`)).body.items;
    const first = runs.find((r: { id: number }) => r.id !== second.run.id);
    // The second slot is one second after the first run finished, not after it started.
    expect(Date.parse(runs[0].scheduledAt) - Date.parse(first.finishedAt)).toBeGreaterThanOrEqual(999);
    expect(Date.parse(runs[0].scheduledAt) - Date.parse(first.finishedAt)).toBeLessThan(1100);
  });

  it('fixed_rate: slots are anchored at startAt, whole intervals apart', async () => {
    const node = await startTestNode();
    await createApp(node);
    const startAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000).toISOString();
    const task = await node.api('POST', '/api/v1/tasks', {
      name: 'rate',
      app: 'demo',
      type: 'script',
      config: { language: 'shell', source: 'true' },
      schedule: { type: 'fixed_rate', intervalSeconds: 1, startAt },
    });
    let count = 0;
    await node.waitFor('run:succeeded', (p) => p.run.taskId === task.body.id && ++count === 3, 15_000);
    const runs = (await node.api('GET', `/api/v1/runs?taskId=${task.body.id}`)).body.items.reverse();
    expect(runs[0].scheduledAt).toBe(startAt);
    for (let i = 1; i < runs.length; i++) {
      expect(Date.parse(runs[i].scheduledAt) - Date.parse(runs[i - 1].scheduledAt)).toBe(1000);
    }
  });

  it('one_time: fires once at its instant, then has no next slot', async () => {
    const node = await startTestNode();
    await createApp(node);
    const at = new Date(Date.now() + 700).toISOString();
    const task = await node.api('POST', '/api/v1/tasks', {
      name: 'once',
      app: 'demo',
      type: 'script',
      config: { language: 'shell', source: 'true' },
      schedule: { type: 'one_time', at },
    });
    const { run } = await node.waitFor('run:succeeded', (p) => p.run.taskId === task.body.id);
    expect(new Date(run.scheduledAt).toISOString()).toBe(at);
    await eventually(async () =>
      expect((await node.api('GET', `/api/v1/tasks/${task.body.id}`)).body.nextFireAt).toBeNull(),
    );
  });

  it('queued runs survive a restart', async () => {
    const node = await startTestNode();
    await createApp(node);
    const task = await node.api('POST', '/api/v1/tasks', {
      name: 'serial',
      app: 'demo',
      type: 'script',
      config: { language: 'shell', source: 'sleep 30' },
      schedule: { type: 'api' },
      concurrency: { max: 1, overlap: 'queue' },
    });
    const started = node.waitFor('run:started', (p) => p.run.taskId === task.body.id);
    await node.api('POST', `/api/v1/tasks/${task.body.id}/run`, {});
    await started;
    const queued = (await node.api('POST', `/api/v1/tasks/${task.body.id}/run`, {})).body.runId;
    await node.stop(0);

    const again = await startTestNode({ dataDir: node.dataDir });
    const run = await eventually(async () => {
      const r = (await again.api('GET', `/api/v1/runs/${queued}`)).body;
      expect(r.status).toBe('running');
      return r;
    });
    expect(run.id).toBe(queued);
    await again.api('POST', `/api/v1/runs/${queued}/cancel`);
  });
});
