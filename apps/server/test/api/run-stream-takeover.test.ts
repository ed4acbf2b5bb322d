/**
 * A run's live stream when the run moves to this node: the earlier node's last events reach the
 * store only as this node publishes its first one, and the stream still sends every event once,
 * in order, with no gap.
 */
import { expect, it } from 'vitest';
import type { RunEventRecord } from '../../src/store/records.js';
import { runInput, start } from '../store/contract/context.js';
import { ADMIN_TOKEN, createApp, startTestNode } from '../support/test-node.js';

const event = (runId: number, seq: number): RunEventRecord => ({
  runId,
  seq,
  at: Date.now(),
  kind: 'node_finished',
  data: JSON.stringify({ seq }),
  truncated: false,
});

/** Reads the stream's event ids until `last` arrives; `onIds` sees each growing list. */
async function readIds(
  body: ReadableStream<Uint8Array>,
  last: number,
  onIds: (ids: number[]) => Promise<void>,
): Promise<number[]> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended before event ${last}: ${text}`);
    text += decoder.decode(value, { stream: true });
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    await onIds(ids);
    if (ids.includes(last)) {
      await reader.cancel();
      return ids;
    }
  }
}

it('sends the events the earlier node stored before the first one published here', async () => {
  const node = await startTestNode();
  await createApp(node, 'billing');
  const created = await node.api('POST', '/api/v1/tasks', {
    name: 'summary',
    app: 'billing',
    type: 'http',
    config: { url: 'http://127.0.0.1:9/x' },
    schedule: { type: 'api' },
  });
  const task = (await node.store.getTask(created.body.id))!;
  // Running on another node, whose lease is good for a while (this node does not take it over).
  const { run } = await node.store.insertRun(runInput(task, { scheduledAt: Date.now() }));
  const elsewhere = { ...start(run.id, 'node-elsewhere'), startedAt: Date.now() };
  await node.store.markRunsStarted([{ ...elsewhere, leaseExpiresAt: Date.now() + 600_000 }]);
  await node.store.appendRunEvents([1, 2, 3].map((seq) => event(run.id, seq)));

  const response = await fetch(`${node.url}/api/v1/runs/${run.id}/stream`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  let movedHere = false;
  const ids = await readIds(response.body!, 5, async (seen) => {
    if (movedHere || !seen.includes(3)) return;
    movedHere = true;
    // The earlier node's last event lands in the store; this node continues the numbering after it
    // and publishes its first event at once, while the stream may be between two reads.
    await node.store.appendRunEvents([event(run.id, 4)]);
    node.engine.runEvents.forRun(run.id, 4)('node_finished', JSON.stringify({ seq: 5 }));
  });
  node.engine.runEvents.close(run.id);
  expect(ids).toEqual([1, 2, 3, 4, 5]);
});
