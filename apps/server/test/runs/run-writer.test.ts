import { describe, expect, it } from 'vitest';
import { MAX_ROWS_PER_WRITE, RunWriter } from '../../src/runs/run-writer.js';
import type { Store } from '../../src/store/store.js';
import { openStore } from '../../src/store/open-store.js';
import { tempDir } from '../support/temp-dir.js';

describe('RunWriter', () => {
  it('writes in batches, and after close() drops late writes instead of touching a closed store', async () => {
    const dataDir = tempDir();
    const store = await openStore({ dataDir });
    const errors: unknown[] = [];
    const writer = new RunWriter(store, (error) => errors.push(error));
    const run = await scheduledRun(store);
    writer.markStarted({ runId: run.id, startedAt: 2, executor: null, leaseOwner: 'n', leaseExpiresAt: 10 });
    writer.appendLog({ runId: run.id, at: 3, stream: 'stdout', text: 'one' });
    const finished = await writer.finish({
      runId: run.id,
      status: 'succeeded',
      finishedAt: 4,
      durationMs: 2,
    });
    expect(finished).toBe(true);
    await writer.close();
    await store.close();

    writer.appendLog({ runId: run.id, at: 5, stream: 'stdout', text: 'too late' });
    expect(await writer.finish({ runId: run.id, status: 'failed', finishedAt: 6, durationMs: 4 })).toBe(
      false,
    );
    await writer.flush();
    expect(errors).toEqual([]);

    const reopened = await openStore({ dataDir });
    expect((await reopened.getRun(run.id))?.status).toBe('succeeded');
    expect((await reopened.listRunLogs(run.id, 0, 10)).map((l) => l.text)).toEqual(['one']);
    await reopened.close();
  });

  it("writes a long queue of events in short writes, and a run's finish only after its events", async () => {
    const store = await openStore({ dataDir: tempDir() });
    const calls: string[] = [];
    const appendRunEvents = store.appendRunEvents.bind(store);
    const finishRuns = store.finishRuns.bind(store);
    store.appendRunEvents = (entries) => {
      calls.push(`events ${entries.length}`);
      return appendRunEvents(entries);
    };
    store.finishRuns = (requests) => {
      calls.push(`finish ${requests.length}`);
      return finishRuns(requests);
    };
    const writer = new RunWriter(store, (error) => {
      throw error;
    });
    const run = await scheduledRun(store);
    writer.markStarted({ runId: run.id, startedAt: 2, executor: null, leaseOwner: 'n', leaseExpiresAt: 10 });
    const count = MAX_ROWS_PER_WRITE * 3 + 7;
    for (let seq = 1; seq <= count; seq++) {
      writer.appendEvent({ runId: run.id, seq, at: 3, kind: 'node', data: `{"n":${seq}}`, truncated: false });
    }
    const finished = writer.finish({ runId: run.id, status: 'succeeded', finishedAt: 4, durationMs: 2 });
    expect(await finished).toBe(true);
    expect(calls).toEqual([
      `events ${MAX_ROWS_PER_WRITE}`,
      `events ${MAX_ROWS_PER_WRITE}`,
      `events ${MAX_ROWS_PER_WRITE}`,
      'events 7',
      'finish 1',
    ]);
    expect(await store.lastRunEventSeq(run.id)).toBe(count);
    expect((await store.getRun(run.id))?.status).toBe('succeeded');

    // A finish waits only for what was queued before it, not for a queue that keeps filling.
    calls.length = 0;
    const appendRunLogs = store.appendRunLogs.bind(store);
    store.appendRunLogs = (entries) => {
      calls.push(`logs ${entries.length}`);
      return appendRunLogs(entries);
    };
    const first = await scheduledRun(store, 'b');
    const second = await scheduledRun(store, 'c');
    const line = (runId: number) => ({ runId, at: 3, stream: 'stdout' as const, text: 'x' });
    for (const r of [first, second]) {
      writer.markStarted({ runId: r.id, startedAt: 2, executor: null, leaseOwner: 'n', leaseExpiresAt: 10 });
    }
    for (let i = 0; i < MAX_ROWS_PER_WRITE; i++) writer.appendLog(line(first.id));
    const firstFinished = writer.finish({
      runId: first.id,
      status: 'succeeded',
      finishedAt: 4,
      durationMs: 2,
    });
    for (let i = 0; i < MAX_ROWS_PER_WRITE * 2; i++) writer.appendLog(line(second.id));
    expect(await firstFinished).toBe(true);
    expect(calls).toEqual([`logs ${MAX_ROWS_PER_WRITE}`, 'finish 1']);
    await writer.flush();
    expect(calls).toEqual([
      `logs ${MAX_ROWS_PER_WRITE}`,
      'finish 1',
      `logs ${MAX_ROWS_PER_WRITE}`,
      `logs ${MAX_ROWS_PER_WRITE}`,
    ]);
    await writer.close();
    await store.close();
  });
});

/** A scheduled run of a fresh app and task. */
async function scheduledRun(store: Store, appName = 'a') {
  const ns = await store.ensureNamespace('default');
  const app = await store.createApp({
    namespaceId: ns.id,
    appName,
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
