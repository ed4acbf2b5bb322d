/**
 * A workflow on a schedule: its fires are planned by the scheduler like a task's (one per slot),
 * each fire starts one workflow run, and disabling the workflow stops the fires.
 */
import { describe, expect, it } from 'vitest';
import { startHttpTarget } from '../support/http-target.js';
import { createApp, startTestNode } from '../support/test-node.js';

describe('scheduled workflows', () => {
  it('starts one run per slot of its cron schedule, in its time zone; disabling stops it', async () => {
    const node = await startTestNode();
    await createApp(node);
    const target = await startHttpTarget();
    let ended = 0;
    const two = node.waitFor('workflow_run:finished', () => ++ended === 2);
    const created = await node.api('POST', '/api/v1/workflows', {
      name: 'every-second',
      app: 'demo',
      schedule: { type: 'cron', expression: '* * * * * ?', timezone: 'Asia/Shanghai' },
      input: { from: 'schedule' },
      nodes: [{ key: 'ping', task: { type: 'http', config: { url: `${target.url}/ping`, method: 'POST' } } }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.nextFireAt).not.toBeNull();
    await two;
    const off = await node.api('PATCH', `/api/v1/workflows/${created.body.id}`, { enabled: false });
    expect(off.body).toMatchObject({ enabled: false, nextFireAt: null, version: 2 });
    await node.events.settle();

    const runs = (await node.api('GET', `/api/v1/workflow-runs?workflowId=${created.body.id}`)).body.items;
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (const run of runs.filter((r: any) => r.status !== 'running')) {
      expect(run).toMatchObject({
        triggerType: 'schedule',
        status: 'succeeded',
        input: { from: 'schedule' },
      });
    }
    // One workflow run per fire: the fires are the driver task's runs, one per slot.
    const fires = await node.store.listRuns({ triggerTypes: ['schedule'] }, { limit: 100 });
    const slots = fires.items.map((r) => r.slotAt);
    expect(new Set(slots).size).toBe(slots.length);
    expect(runs.length).toBeLessThanOrEqual(fires.items.length);
    expect(target.requests.every((r) => JSON.parse(r.body).from === 'schedule')).toBe(true);
  });
});
