/**
 * Retries react to finished runs (they are not called by the engine). A failed, timed-out or lost
 * run whose error may succeed on retry gets a new run (trigger `retry`, attempt + 1) after the
 * task's backoff, until `retry.maxAttempts` attempts in all. The retry's idempotency key makes the
 * reaction safe to repeat: two nodes reacting to the same loss create one retry.
 */
import type { Retry } from '@kairos/protocol';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { EventBus } from '../events.js';
import type { Store } from '../store/store.js';
import type { RunEngine } from './run-engine.js';

const RETRIED_STATUSES = new Set(['failed', 'timed_out', 'lost']);

/** Delay before attempt `failedAttempt + 1`, in ms. */
export function retryDelayMs(retry: Retry, failedAttempt: number): number {
  const base = retry.delaySeconds * 1000;
  const delay = retry.backoff === 'fixed' ? base : base * 2 ** (failedAttempt - 1);
  return Math.min(delay, retry.maxDelaySeconds * 1000);
}

export function installRetries(deps: {
  events: EventBus;
  store: Store;
  engine: RunEngine;
  clock: Clock;
  logger: Logger;
  nodeId: string;
  leaseMs: number;
}): () => void {
  const { events, store, engine, clock, logger } = deps;
  return events.on('run:finished', async ({ run, retryable }) => {
    if (!retryable || !RETRIED_STATUSES.has(run.status)) return;
    const task = await store.getTask(run.taskId);
    if (!task || run.attempt >= task.retry.maxAttempts) return;
    const now = clock.now();
    const root = run.retryOf ?? run.id;
    const { run: retry, created } = await store.insertRun({
      taskId: run.taskId,
      appId: run.appId,
      namespaceId: run.namespaceId,
      triggerType: 'retry',
      status: 'scheduled',
      slotAt: null,
      scheduledAt: now + retryDelayMs(task.retry, run.attempt),
      attempt: run.attempt + 1,
      retryOf: root,
      input: run.input,
      idempotencyKey: `retry:${root}:${run.attempt + 1}`,
      leaseOwner: deps.nodeId,
      leaseExpiresAt: now + deps.leaseMs,
    });
    if (created) {
      logger.debug({ runId: retry.id, retryOf: root, attempt: retry.attempt }, 'retry scheduled');
      engine.enqueue(retry, task);
    }
  });
}
