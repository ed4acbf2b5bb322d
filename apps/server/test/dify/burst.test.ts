import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startTestNode } from '../support/test-node.js';
import { createDifyTask, startSim } from './support.js';

describe('runs due at one instant', () => {
  it('write their first requests while the rest of the burst is still being started', async () => {
    const node = await startTestNode();
    const sim = await startSim();
    const at = new Date(Date.now() + 3000).toISOString();
    const taskIds: number[] = [];
    for (let i = 0; i < 40; i++) {
      const task = await createDifyTask(node, sim, 'app-simple', {
        task: { name: `burst ${i}`, schedule: { type: 'one_time', at } },
      });
      expect(task.status).toBe(201);
      taskIds.push(task.body.id);
    }
    // In the order it happened: a run started (by the engine) or its request written out.
    const order: string[] = [];
    const onRequest = ({ request }: { request: ClientRequest }) => {
      const trace = String(request.getHeader('x-trace-id') ?? '');
      if (trace.startsWith('kairos-run-')) request.once('finish', () => order.push('written'));
    };
    diagnostics.subscribe('http.client.request.start', onRequest as (message: unknown) => void);
    node.events.on('run:started', () => {
      order.push('started');
    });
    try {
      const done = taskIds.map((id) => node.waitFor('run:succeeded', (p) => p.run.taskId === id, 20_000));
      await Promise.all(done);
    } finally {
      diagnostics.unsubscribe('http.client.request.start', onRequest as (message: unknown) => void);
    }
    expect(order.filter((o) => o === 'started')).toHaveLength(40);
    expect(order.filter((o) => o === 'written')).toHaveLength(40);
    // The first request left before the last run of the burst was started, not after all 40.
    expect(order.indexOf('written')).toBeLessThan(order.lastIndexOf('started'));
  });
});
