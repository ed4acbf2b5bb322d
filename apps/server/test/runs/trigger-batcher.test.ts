/**
 * Single triggers of one turn are stored in one transaction (one insertRuns call); a trigger the
 * store refuses (its task gone) fails alone, the others of its turn are stored and run.
 */
import { describe, expect, it } from 'vitest';
import { createApp, startTestNode } from '../support/test-node.js';

describe('single triggers stored together', () => {
  it('stores a turn of triggers at once; one refused fails alone', async () => {
    const node = await startTestNode();
    await createApp(node);
    const created = await node.api('POST', '/api/v1/tasks', {
      name: 'noop',
      app: 'demo',
      type: 'script',
      config: { language: 'shell', source: 'true' },
      schedule: { type: 'api' },
      concurrency: { max: 100, overlap: 'allow' },
    });
    expect(created.status).toBe(201);
    const task = (await node.store.getTask(created.body.id as number))!;
    const insertRuns = node.store.insertRuns.bind(node.store);
    const calls: number[] = [];
    node.store.insertRuns = (runs) => {
      calls.push(runs.length);
      return insertRuns(runs);
    };

    const triggered = await Promise.all(
      Array.from({ length: 20 }, () => node.engine.trigger(task, { input: null, triggerType: 'api' })),
    );
    expect(calls).toEqual([20]);
    expect(new Set(triggered.map((t) => t.run.id)).size).toBe(20);

    // A task that no longer exists in the same turn: its trigger fails, the others are stored.
    calls.length = 0;
    const gone = { ...task, id: 999_999 };
    const outcomes = await Promise.allSettled([
      node.engine.trigger(task, { input: 1, triggerType: 'api' }),
      node.engine.trigger(gone, { input: 2, triggerType: 'api' }),
      node.engine.trigger(task, { input: 3, triggerType: 'api' }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(calls).toEqual([3, 1, 1, 1]);
    const kept = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value.run.id] : []));
    const stored = await Promise.all(kept.map((id) => node.store.getRun(id)));
    expect(stored.map((r) => r?.input)).toEqual([1, 3]);
  });
});
