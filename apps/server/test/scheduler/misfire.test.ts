import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { eventually } from '../support/eventually.js';
import { createApp, startTestNode, tempDataDir } from '../support/test-node.js';

const T0 = Date.parse('2026-01-05T00:00:00.000Z');

describe('misfire: slots missed while the server was down', () => {
  it('applies skip, fire_once and catch_up, and keeps the missed slots visible', async () => {
    const dataDir = tempDataDir();
    const first = await startTestNode({ dataDir, clock: new ManualClock(T0) });
    await createApp(first);
    const ids: Record<string, number> = {};
    for (const [policy, extra] of [
      ['skip', {}],
      ['fire_once', {}],
      ['catch_up', { maxCatchUp: 3 }],
    ] as const) {
      const res = await first.api('POST', '/api/v1/tasks', {
        name: policy,
        app: 'demo',
        type: 'script',
        config: { language: 'shell', source: 'true' },
        schedule: { type: 'cron', expression: '0 * * * * ?', misfire: { policy, ...extra } },
        concurrency: { max: 1, overlap: 'queue' },
      });
      expect(res.status).toBe(201);
      expect(res.body.nextFireAt).toBe('2026-01-05T00:01:00.000Z');
      ids[policy] = res.body.id;
    }
    await first.stop(0);

    // Ten minutes and a half later: slots 00:01 … 00:10 were missed.
    const second = await startTestNode({ dataDir, clock: new ManualClock(T0 + 10.5 * 60_000) });
    const runsOf = async (taskId: number) =>
      (await second.api('GET', `/api/v1/runs?taskId=${taskId}`)).body.items as any[];

    const skip = await eventually(async () => {
      const runs = await runsOf(ids.skip!);
      expect(runs).toHaveLength(1);
      return runs;
    });
    expect(skip[0]).toMatchObject({
      status: 'skipped',
      triggerType: 'misfire',
      scheduledAt: '2026-01-05T00:01:00.000Z',
    });
    expect(skip[0].error).toMatchObject({
      type: 'misfire',
      missedSlots: 10,
      lastMissedAt: '2026-01-05T00:10:00.000Z',
    });

    const fireOnce = await eventually(async () => {
      const runs = await runsOf(ids.fire_once!);
      expect(runs.filter((r) => r.status === 'succeeded')).toHaveLength(1);
      return runs;
    });
    expect(fireOnce).toHaveLength(2);
    expect(fireOnce.find((r) => r.status === 'skipped').error.missedSlots).toBe(9);
    expect(fireOnce.find((r) => r.status === 'succeeded').triggerType).toBe('misfire');

    const catchUp = await eventually(async () => {
      const runs = await runsOf(ids.catch_up!);
      expect(runs.filter((r) => r.status === 'succeeded')).toHaveLength(3);
      return runs;
    });
    expect(catchUp.find((r) => r.status === 'skipped').error.missedSlots).toBe(7);

    // Every task goes on from the next slot after now.
    for (const id of Object.values(ids)) {
      expect((await second.api('GET', `/api/v1/tasks/${id}`)).body.nextFireAt).toBe(
        '2026-01-05T00:11:00.000Z',
      );
    }
  });
});
