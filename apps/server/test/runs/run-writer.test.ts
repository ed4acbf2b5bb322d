import { describe, expect, it } from 'vitest';
import { ROWS_PER_CHUNK, RunWriter } from '../../src/runs/run-writer.js';
import type { Store } from '../../src/store/store.js';
import { bareSettlement } from '../store/contract/context.js';
import { openStore } from '../../src/store/open-store.js';
import { tempDir } from '../support/temp-dir.js';

describe('RunWriter', () => {
  it('writes in batches, and after close() drops late writes instead of touching a closed store', async () => {
    const dataDir = tempDir();
    const store = await openStore({ dataDir });
    const errors: unknown[] = [];
    const writer = new RunWriter(store, (error) => errors.push(error));
    const run = await scheduledRun(store);
    await store.markRunsStarted([started(run.id)]);
    writer.appendLog({ runId: run.id, at: 3, stream: 'stdout', text: 'one' });
    const finished = await writer.settle(
      bareSettlement(run.id, 'running', { status: 'succeeded', finishedAt: 4, durationMs: 2 }),
    );
    expect(finished.settled).toBe(true);
    await writer.close();
    await store.close();

    writer.appendLog({ runId: run.id, at: 5, stream: 'stdout', text: 'too late' });
    const late = await writer.settle(bareSettlement(run.id, 'running', { status: 'failed', finishedAt: 6 }));
    expect(late.settled).toBe(false);
    await writer.flush();
    expect(errors).toEqual([]);

    const reopened = await openStore({ dataDir });
    expect((await reopened.getRun(run.id))?.status).toBe('succeeded');
    expect((await reopened.listRunLogs(run.id, 0, 10)).map((l) => l.text)).toEqual(['one']);
    await reopened.close();
  });

  it("writes a long queue of events in short statements, and a run's end only after its events", async () => {
    const store = await openStore({ dataDir: tempDir() });
    const calls: string[] = [];
    const appendRunEvents = store.appendRunEvents.bind(store);
    const settleRuns = store.settleRuns.bind(store);
    store.appendRunEvents = (entries) => {
      calls.push(`events ${entries.length}`);
      return appendRunEvents(entries);
    };
    store.settleRuns = (settlements) => {
      calls.push(`settle ${settlements.length}`);
      return settleRuns(settlements);
    };
    const writer = new RunWriter(store, (error) => {
      throw error;
    });
    const run = await scheduledRun(store);
    await store.markRunsStarted([started(run.id)]);
    const count = ROWS_PER_CHUNK * 3 + 7;
    for (let seq = 1; seq <= count; seq++) {
      writer.appendEvent({ runId: run.id, seq, at: 3, kind: 'node', data: `{"n":${seq}}`, truncated: false });
    }
    const finished = writer.settle(bareSettlement(run.id, 'running', { status: 'succeeded', finishedAt: 4 }));
    expect((await finished).settled).toBe(true);
    expect(calls).toEqual([
      `events ${ROWS_PER_CHUNK}`,
      `events ${ROWS_PER_CHUNK}`,
      `events ${ROWS_PER_CHUNK}`,
      'events 7',
      'settle 1',
    ]);
    expect(await store.lastRunEventSeq(run.id)).toBe(count);
    expect((await store.getRun(run.id))?.status).toBe('succeeded');

    await writer.close();
    await store.close();
  });
});

const started = (runId: number) => ({
  runId,
  startedAt: 2,
  executor: null,
  leaseOwner: 'n',
  leaseExpiresAt: 10,
});

/** A scheduled run of a fresh app and task. */
async function scheduledRun(store: Store) {
  const ns = await store.ensureNamespace('default');
  const app = await store.createApp({
    namespaceId: ns.id,
    appName: 'a',
    name: 'A',
    description: null,
    maxConcurrency: null,
    accessTokenHash: '0'.repeat(64),
    accessTokenHint: '0000',
  });
  const task = await store.createTask({
    namespaceId: ns.id,
    appId: app.id,
    name: 't',
    description: null,
    type: 'http',
    config: {},
    schedule: {
      type: 'api',
      timezone: 'UTC',
      dstGap: 'shift',
      misfire: { policy: 'skip', thresholdSeconds: 5, maxCatchUp: 100 },
    },
    timeoutSeconds: null,
    retry: { maxAttempts: 1, backoff: 'fixed', delaySeconds: 0, maxDelaySeconds: 0 },
    concurrency: { max: 1, overlap: 'skip' },
    enabled: true,
    nextFireAt: null,
  });
  const { run } = await store.insertRun({
    taskId: task.id,
    appId: app.id,
    namespaceId: ns.id,
    triggerType: 'manual',
    status: 'scheduled',
    slotAt: null,
    scheduledAt: 1,
    attempt: 1,
    retryOf: null,
    input: null,
    leaseOwner: 'n',
    leaseExpiresAt: 10,
  });
  return run;
}
