/**
 * A run's end and what follows it (the retry, a fixed-delay task's next fire, its alerts) are one
 * transaction. A real failing statement is injected at each step (a trigger on the SQLite file,
 * added through a second connection) while a run ends: nothing is half-applied while it fails,
 * and once the statement works again the writer's retry applies everything, once.
 */
import { Writable } from 'node:stream';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { SQLITE_FILE_NAME } from '../../src/store/open-store.js';
import { startHttpTarget } from '../support/http-target.js';
import { createApp, startTestNode } from '../support/test-node.js';

const STEPS = {
  'the end itself': `BEFORE UPDATE OF status ON runs WHEN NEW.status = 'failed'`,
  'the retry run': `BEFORE INSERT ON runs WHEN NEW.trigger_type = 'retry'`,
  "the task's next fire": `BEFORE UPDATE OF next_fire_at ON tasks WHEN OLD.next_fire_at IS NULL AND NEW.next_fire_at IS NOT NULL`,
  "the alert's delivery": `BEFORE INSERT ON alert_deliveries`,
};

describe('settling a run is one transaction', () => {
  for (const [step, when] of Object.entries(STEPS)) {
    it(`a failing statement at ${step} loses nothing and applies nothing half-way`, async () => {
      const failures = writeFailures();
      const node = await startTestNode({ logger: pino({ level: 'error' }, failures.stream) });
      const target = await startHttpTarget((_req, res) => {
        res.statusCode = 500;
        res.end('down');
      });
      await createApp(node);
      const created = await node.api('POST', '/api/v1/tasks', {
        name: 'flaky',
        app: 'demo',
        type: 'http',
        config: { url: target.url },
        schedule: { type: 'fixed_delay', delaySeconds: 3600 },
        retry: { maxAttempts: 2, backoff: 'fixed', delaySeconds: 0 },
      });
      expect(created.status).toBe(201);
      const taskId: number = created.body.id;
      // Every failed attempt raises an alert to one contact (email: one delivery each).
      const contact = await node.api('POST', '/api/v1/contacts', { name: 'ops', email: 'ops@example.com' });
      const rule = await node.api('POST', '/api/v1/alert-rules', {
        name: 'each failure',
        scope: { taskId },
        on: 'failure_attempt',
        notify: { contacts: [contact.body.id], channels: ['email'] },
        silenceSeconds: 0,
      });
      expect(rule.status).toBe(201);
      const alertsOfRule = async () =>
        (await node.api('GET', `/api/v1/alerts?ruleId=${rule.body.id}`)).body.items as {
          runId: number;
          deliveries: unknown[];
        }[];

      const outside = new Database(join(node.dataDir, SQLITE_FILE_NAME));
      outside.exec(`CREATE TRIGGER injected_fault ${when} BEGIN SELECT RAISE(ABORT, 'injected fault'); END`);
      // Fire the first slot now instead of in an hour.
      await node.store.updateTask(taskId, { nextFireAt: Date.now() });
      const started = await node.waitFor('run:started', ({ run }) => run.taskId === taskId);
      const runId = started.run.id;

      await failures.next(); // the settlement failed at least once
      expect((await node.store.getRun(runId))?.status).toBe('running');
      expect(await node.store.countRuns({ taskId })).toBe(1);
      expect((await node.store.getTask(taskId))?.nextFireAt).toBeNull();
      expect(await alertsOfRule()).toEqual([]);

      const ended = node.waitFor('run:failed', ({ run }) => run.id === runId);
      outside.exec('DROP TRIGGER injected_fault');
      outside.close();
      const { run } = await ended;
      const retried = await node.waitFor('run:failed', ({ run: r }) => r.retryOf === runId);

      expect(await node.store.getRun(runId)).toMatchObject({ status: 'failed', attempt: 1 });
      expect(retried.run).toMatchObject({ triggerType: 'retry', attempt: 2 });
      expect(await node.store.countRuns({ taskId })).toBe(2);
      expect((await node.store.getTask(taskId))?.nextFireAt).toBe(run.finishedAt! + 3600_000);
      expect(target.requests).toHaveLength(2);
      const alerts = await alertsOfRule();
      expect(alerts.map((a) => a.runId).sort()).toEqual([runId, retried.run.id].sort());
      expect(alerts.every((a) => a.deliveries.length === 1)).toBe(true);
    });
  }
});

/** A log stream that resolves `next()` at each "writing runs failed" error the node logs. */
function writeFailures() {
  const waiting: (() => void)[] = [];
  let seen = 0;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (chunk.toString().includes('writing runs failed')) {
        seen++;
        waiting.splice(0).forEach((resolve) => resolve());
      }
      done();
    },
  });
  return {
    stream,
    next: () => (seen > 0 ? Promise.resolve() : new Promise<void>((resolve) => waiting.push(resolve))),
  };
}
